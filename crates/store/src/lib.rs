//! Front Door's persistence: embedded migrations and one function per question asked.
//!
//! SQLite in WAL mode is the embedded default; PostgreSQL serves several servers (or a
//! bigger council) behind the same facade. The SQL is written once for both (`$1`
//! placeholders, `RETURNING`, `ON CONFLICT`, integers for flags), through sqlx's `Any`
//! driver; the few places the dialects differ ask [`Backend`]. Writes that acknowledge a
//! resident are committed (`synchronous=FULL` on SQLite) before the caller answers, so an
//! acknowledged submission survives a power cut.

mod accounts;
mod audit;
mod bulk;
mod cases;
mod intake;
mod life_events;
mod mi;
mod open311;
mod outbox;
mod people;
mod places;
mod retention;
pub mod scratch;
mod sessions;
mod sql;
mod staff;
mod surveys;
mod time;
mod triage;

pub use accounts::ContactPreferences;
pub use audit::{AuditFilter, AuditRecord, NewAuditEvent};
pub use bulk::{BulkLoad, HistoricCase, HistoricContact, HistoricResident};
pub use cases::{CaseDetail, CaseExtras, CaseSummary, ContactRecord, EventRecord, LinkedFrom};
pub use intake::{AttachmentInfo, QuarantineRecord};
pub use life_events::{LifeEventRecord, TaskRecord, TellUsOnce, Told};
pub use mi::{ALL_WARDS, Narrow, RollupQuery, Shape};
pub use open311::{Open311Client, RequestFilter, ServiceRequestRecord};
pub use outbox::{DeliveryStatus, OutboxMessage};
pub use people::{
    KnownThrough, PersonEventRecord, PersonHit, PersonRecord, PersonView, TimelineContact,
};
pub use places::{NearbyReport, PublicReport};
pub use sessions::SessionRecord;
pub use staff::{NewStaff, StaffRecord};
pub use surveys::SurveyOffer;
pub use triage::{
    AwaitingTriage, CorrectionRecord, LabelRecord, NewCorrection, NewLabel, Reroute, RiskReview,
    TriageRecord,
};

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor, Transaction};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Every SQLite connection runs these first: write-ahead logging so readers never wait
/// for the writer, a full sync on commit so an acknowledged submission survives a power
/// cut, enforced foreign keys, ten seconds' patience with a busy writer, and 8 MiB of
/// page cache (SQLite's default is 2 MiB; a dashboard view reads a few MiB of rollups).
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
    PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA cache_size = -8192;";

/// Which database a store talks to, for the few statements the dialects spell differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The gazetteer's street for comparing with lower-case text: SQLite's column ignores
    /// case already (and its index serves it); PostgreSQL's index is on `lower(street)`.
    fn street_key(self) -> &'static str {
        match self {
            Backend::Sqlite => "street",
            Backend::Postgres => "lower(street)",
        }
    }

    /// A text field of a JSON object held in a text column.
    fn json_text(self, column: &str, field: &str) -> String {
        match self {
            Backend::Sqlite => format!("json_extract({column}, '$.{field}')"),
            Backend::Postgres => format!("(CAST({column} AS jsonb) ->> '{field}')"),
        }
    }

    /// Street, then house number, then the rest of the first line ("2" before "10").
    fn address_order(self) -> &'static str {
        match self {
            Backend::Sqlite => "street, CAST(line1 AS INTEGER), line1",
            Backend::Postgres => {
                "lower(street), COALESCE(CAST(substring(line1 from '^[0-9]+') AS BIGINT), 0), line1"
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL '{0}': use sqlite://PATH or postgres://USER@HOST/DATABASE")]
    UnsupportedUrl(String),
    #[error("could not create the database folder {path}: {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("the reference is already in use")]
    DuplicateReference,
    #[error("this message was already received")]
    DuplicateContact,
    #[error("{0}")]
    Invalid(String),
    #[error("the case changed while you were working on it; reload and try again")]
    Conflict,
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The one handle the application holds on its database.
#[derive(Debug, Clone)]
pub struct Store {
    /// For reads. On SQLite any number read beside the one writer (WAL).
    pool: AnyPool,
    /// For writes. On SQLite this pool holds one connection, so writers queue here, in
    /// order, instead of colliding inside SQLite and backing off in its busy handler
    /// (sleeps of up to 100 ms each); on PostgreSQL it is the same pool as `pool`.
    writer: AnyPool,
    backend: Backend,
}

impl Store {
    /// Opens (creating if needed) the database named by `url` and brings its schema up to date.
    pub async fn open(url: &str) -> StoreResult<Self> {
        if is_postgres(url) {
            create_postgres_database(url).await?;
        }
        let store = Self::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Opens the database without migrating it.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        sqlx::any::install_default_drivers();
        if is_postgres(url) {
            let pool = AnyPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await?;
            return Ok(Self {
                writer: pool.clone(),
                pool,
                backend: Backend::Postgres,
            });
        }
        let path = sqlite_path(url)?;
        if let Some(parent) = Path::new(path)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::Folder {
                path: parent.display().to_string(),
                source,
            })?;
        }
        let options = AnyConnectOptions::from_str(&format!("sqlite://{path}?mode=rwc"))?;
        let writer = sqlite_pool(1, options.clone()).await?;
        let pool = sqlite_pool(8, options).await?;
        Ok(Self {
            pool,
            writer,
            backend: Backend::Sqlite,
        })
    }

    pub async fn migrate(&self) -> StoreResult<()> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.writer).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.writer).await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Begins a transaction that will write. SQLite has one writer at a time already;
    /// on PostgreSQL the transaction first takes the same single write lock (a
    /// transaction-scoped advisory lock), so read-modify-write steps such as the
    /// dashboard's rollup counters never interleave between servers.
    pub(crate) async fn begin_write(&self) -> StoreResult<Transaction<'static, Any>> {
        let mut tx = self.writer.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(WRITE_LOCK)
                .execute(&mut *tx)
                .await?;
        }
        Ok(tx)
    }

    /// Whether the database answers: for readiness checks.
    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Makes the teams table match the catalogue, adding new teams and renaming old ones.
    pub async fn sync_teams(&self, teams: &[frontdoor_domain::Team]) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        for team in teams {
            sqlx::query("INSERT INTO teams (slug, name) VALUES ($1, $2) ON CONFLICT (slug) DO UPDATE SET name = excluded.name")
                .bind(&team.slug)
                .bind(&team.name)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

async fn sqlite_pool(connections: u32, options: AnyConnectOptions) -> StoreResult<AnyPool> {
    Ok(AnyPoolOptions::new()
        .max_connections(connections)
        .after_connect(|conn, _| {
            Box::pin(async move { conn.execute(SQLITE_PRAGMAS).await.map(drop) })
        })
        .connect_with(options)
        .await?)
}

/// Reads a yes/no column. Flags are stored as integers 0 and 1 on both databases, so one
/// statement serves both and neither driver has to guess a boolean's type.
pub(crate) fn flag(row: &sqlx::any::AnyRow, column: &str) -> bool {
    use sqlx::Row;
    row.get::<i64, _>(column) != 0
}

/// The advisory lock key every PostgreSQL write transaction holds ("FrontDoor" in ASCII).
const WRITE_LOCK: i64 = 0x4672_6f6e_7444_6f6f;

/// Creates the PostgreSQL database a URL names if it is not there yet, as SQLite creates
/// its file: a first `frontdoor serve` on an empty server just works.
async fn create_postgres_database(url: &str) -> StoreResult<()> {
    use sqlx::migrate::MigrateDatabase;
    sqlx::any::install_default_drivers();
    if !Any::database_exists(url).await? {
        Any::create_database(url).await?;
    }
    Ok(())
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// Accepts `sqlite://PATH`, `sqlite:PATH` or a bare file path; refuses other schemes at once.
fn sqlite_path(url: &str) -> StoreResult<&str> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let path = path.split('?').next().unwrap_or(path);
    if path.is_empty() || path.contains("://") {
        return Err(StoreError::UnsupportedUrl(url.to_owned()));
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_name_a_sqlite_file_or_are_refused() {
        assert_eq!(
            sqlite_path("sqlite://data/frontdoor.db").unwrap(),
            "data/frontdoor.db"
        );
        assert_eq!(
            sqlite_path("sqlite:/tmp/x.db?mode=rwc").unwrap(),
            "/tmp/x.db"
        );
        assert_eq!(sqlite_path("./data/fd.db").unwrap(), "./data/fd.db");
        assert!(matches!(
            sqlite_path("mysql://db/front"),
            Err(StoreError::UnsupportedUrl(_))
        ));
    }
}
