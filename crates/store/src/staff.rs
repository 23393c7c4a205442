//! Staff accounts: who may sign in to the console, and which team they work in.

use crate::time::{decode_instant, encode_instant};
use crate::{Store, StoreResult};
use jiff::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;

pub struct NewStaff<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub team: &'a str,
    pub role: &'a str,
    pub password_hash: &'a str,
}

#[derive(Clone)]
pub struct StaffRecord {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub team: String,
    pub role: String,
    pub password_hash: String,
    pub created_at: Timestamp,
}

impl std::fmt::Debug for StaffRecord {
    // The password hash is never formatted, so it cannot end up in a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaffRecord")
            .field("id", &self.id)
            .field("team", &self.team)
            .field("role", &self.role)
            .finish()
    }
}

const STAFF_COLUMNS: &str = "id, email, name, team, role, password_hash, created_at";

impl Store {
    /// Adds a member of staff, or updates the name, team, role and password of an existing email.
    pub async fn upsert_staff(&self, staff: NewStaff<'_>) -> StoreResult<i64> {
        let row = sqlx::query(
            "INSERT INTO staff (email, name, team, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (email) DO UPDATE SET name = excluded.name, team = excluded.team,
                 role = excluded.role, password_hash = excluded.password_hash
             RETURNING id",
        )
        .bind(staff.email.to_lowercase())
        .bind(staff.name)
        .bind(staff.team)
        .bind(staff.role)
        .bind(staff.password_hash)
        .bind(encode_instant(Timestamp::now()))
        .fetch_one(&self.writer)
        .await?;
        Ok(row.get(0))
    }

    pub async fn staff_by_email(&self, email: &str) -> StoreResult<Option<StaffRecord>> {
        let sql = format!("SELECT {STAFF_COLUMNS} FROM staff WHERE email = $1");
        let row = sqlx::query(&sql)
            .bind(email.trim().to_lowercase())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| staff_from_row(&r)).transpose()
    }

    pub async fn staff_by_id(&self, id: i64) -> StoreResult<Option<StaffRecord>> {
        let sql = format!("SELECT {STAFF_COLUMNS} FROM staff WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| staff_from_row(&r)).transpose()
    }

    pub async fn count_staff(&self) -> StoreResult<i64> {
        Ok(sqlx::query("SELECT COUNT(*) FROM staff")
            .fetch_one(&self.pool)
            .await?
            .get(0))
    }
}

fn staff_from_row(row: &AnyRow) -> StoreResult<StaffRecord> {
    Ok(StaffRecord {
        id: row.get("id"),
        email: row.get("email"),
        name: row.get("name"),
        team: row.get("team"),
        role: row.get("role"),
        password_hash: row.get("password_hash"),
        created_at: decode_instant(row.get("created_at"))?,
    })
}
