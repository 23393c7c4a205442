//! Browser sessions: a resident's answers part-way through a form, or a signed-in member of staff.
//!
//! The cookie carries a random token; only its SHA-256 hash is stored, so the sessions table
//! cannot be used to sign in. Each session has its own CSRF token for the forms it renders.

use crate::time::{decode_instant, encode_instant};
use crate::{Store, StoreResult};
use jiff::Timestamp;
use sqlx::Row;

#[derive(Clone)]
pub struct SessionRecord {
    pub token_hash: String,
    pub csrf_token: String,
    pub staff_id: Option<i64>,
    /// JSON owned by the web layer (form drafts, the last confirmation shown).
    pub data: String,
    pub expires_at: Timestamp,
}

impl Store {
    pub async fn create_session(&self, session: &SessionRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, csrf_token, staff_id, data, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&session.token_hash)
        .bind(&session.csrf_token)
        .bind(session.staff_id)
        .bind(&session.data)
        .bind(encode_instant(Timestamp::now()))
        .bind(encode_instant(session.expires_at))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// The session for a token hash, if it exists and has not expired.
    pub async fn live_session(&self, token_hash: &str) -> StoreResult<Option<SessionRecord>> {
        let row = sqlx::query(
            "SELECT token_hash, csrf_token, staff_id, data, expires_at FROM sessions
             WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(encode_instant(Timestamp::now()))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(SessionRecord {
                token_hash: r.get("token_hash"),
                csrf_token: r.get("csrf_token"),
                staff_id: r.get("staff_id"),
                data: r.get("data"),
                expires_at: decode_instant(r.get("expires_at"))?,
            })
        })
        .transpose()
    }

    pub async fn save_session_data(&self, token_hash: &str, data: &str) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET data = $1 WHERE token_hash = $2")
            .bind(data)
            .bind(token_hash)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    pub async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Removes expired sessions; returns how many went.
    pub async fn delete_expired_sessions(&self) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(encode_instant(Timestamp::now()))
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected())
    }
}
