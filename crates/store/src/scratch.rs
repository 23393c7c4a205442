//! Throwaway databases for test suites: a fresh SQLite file, or, where
//! `FRONTDOOR_TEST_POSTGRES` names a PostgreSQL server, a fresh schema on it.
//!
//! Each PostgreSQL test gets its own schema, named for the second it was made, and the URL
//! it returns puts that schema first on the search path, so tests can run side by side on
//! one database. Schemas left by runs over an hour old are dropped as new ones are made.

use sqlx::{Connection, Executor, Row};
use std::time::{SystemTime, UNIX_EPOCH};

/// The environment variable naming the PostgreSQL server tests run against.
pub const POSTGRES_VAR: &str = "FRONTDOOR_TEST_POSTGRES";

const PREFIX: &str = "fdtest_";
const STALE_AFTER_SECONDS: u64 = 3600;

/// The PostgreSQL server tests should use, if one is named.
pub fn postgres_server() -> Option<String> {
    std::env::var(POSTGRES_VAR).ok().filter(|v| !v.is_empty())
}

/// A database URL for one test: a new PostgreSQL schema where a server is named,
/// otherwise `frontdoor.db` in `dir`.
pub async fn database_url(dir: &std::path::Path) -> String {
    match postgres_server() {
        Some(server) => postgres_schema(&server).await,
        None => format!("sqlite://{}/frontdoor.db", dir.display()),
    }
}

/// Creates an empty schema on `server` and returns a URL whose connections use it.
pub async fn postgres_schema(server: &str) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs();
    let schema = format!("{PREFIX}{now}_{:08x}", rand::random::<u32>());
    let mut conn = sqlx::PgConnection::connect(server)
        .await
        .unwrap_or_else(|e| panic!("{POSTGRES_VAR} names a server that does not answer: {e}"));
    drop_stale(&mut conn, now).await;
    conn.execute(format!("CREATE SCHEMA {schema}").as_str())
        .await
        .expect("a test schema can be made");
    conn.close().await.ok();
    let separator = if server.contains('?') { '&' } else { '?' };
    format!("{server}{separator}options=-c%20search_path%3D{schema}")
}

async fn drop_stale(conn: &mut sqlx::PgConnection, now: u64) {
    let schemas = sqlx::query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'fdtest\\_%'")
        .fetch_all(&mut *conn)
        .await
        .unwrap_or_default();
    for row in schemas {
        let name: String = row.get(0);
        let made: Option<u64> = name
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split('_').next())
            .and_then(|secs| secs.parse().ok());
        if made.is_some_and(|made| made + STALE_AFTER_SECONDS < now) {
            // Another run may be dropping the same schema; either way it goes.
            let _ = conn
                .execute(format!("DROP SCHEMA IF EXISTS {name} CASCADE").as_str())
                .await;
        }
    }
}
