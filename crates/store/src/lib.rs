//! Front Door's persistence: embedded migrations and one function per question asked.
//!
//! SQLite in WAL mode is the embedded default. The SQL is written to be portable
//! (`$1` placeholders, `RETURNING`, `ON CONFLICT`) so PostgreSQL can follow behind the
//! same facade. Writes that acknowledge a resident are committed with `synchronous=FULL`
//! before the caller answers, so an acknowledged submission survives a power cut.

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
mod sessions;
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
pub use people::{PersonEventRecord, PersonHit, PersonRecord, PersonView, TimelineContact};
pub use places::{NearbyReport, PublicReport};
pub use sessions::SessionRecord;
pub use staff::{NewStaff, StaffRecord};
pub use surveys::SurveyOffer;
pub use triage::{AwaitingTriage, CorrectionRecord, NewCorrection, Reroute, TriageRecord};

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL '{0}': use sqlite://PATH (PostgreSQL support is planned)")]
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
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating if needed) the database named by `url` and brings its schema up to date.
    pub async fn open(url: &str) -> StoreResult<Self> {
        let store = Self::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Opens the database without migrating it.
    pub async fn connect(url: &str) -> StoreResult<Self> {
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
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // 8 MiB of pages per connection (SQLite's default is 2 MiB): a dashboard view
            // reads a few MiB of rollup rows, and stays in memory between views.
            .pragma("cache_size", "-8192");
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        Ok(Self { pool })
    }

    pub async fn migrate(&self) -> StoreResult<()> {
        SQLITE_MIGRATIONS.run(&self.pool).await?;
        Ok(())
    }

    /// Whether the database answers: for readiness checks.
    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Makes the teams table match the catalogue, adding new teams and renaming old ones.
    pub async fn sync_teams(&self, teams: &[frontdoor_domain::Team]) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
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
