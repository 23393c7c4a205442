//! My Account: one-time sign-in links by email, the cases of everyone who gave that email,
//! and the contact preferences they keep.

use crate::cases::{CaseSummary, SUMMARY_SELECT, summary_from_row};
use crate::time::{decode_instant, encode_instant};
use crate::{Store, StoreResult};
use frontdoor_domain::{Locale, ReplyBy};
use jiff::Timestamp;
use sqlx::Row;

/// What a resident chose about how the council contacts them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactPreferences {
    pub reply_by: Option<ReplyBy>,
    pub language: Locale,
    /// Whether any of their records has a phone number, so texts are possible.
    pub has_phone: bool,
}

/// The people (by person id) with a record giving this email address.
const PEOPLE_WITH_EMAIL: &str =
    "SELECT person_id FROM residents WHERE lower(email) = lower($1) AND person_id IS NOT NULL";

impl Store {
    pub async fn add_sign_in_link(
        &self,
        token_hash: &str,
        email: &str,
        expires_at: Timestamp,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sign_in_links (token_hash, email, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(email)
        .bind(encode_instant(Timestamp::now()))
        .bind(encode_instant(expires_at))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Uses a link once: its email address if it was unused and in date, else `None`.
    /// Records already held are left as they are: the link proves who controls the address
    /// now, not who typed it, or forged it, on an earlier contact. What the signed-in
    /// resident sends from now on proves it (see the web layer's `Session::proves`).
    pub async fn use_sign_in_link(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<String>> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "UPDATE sign_in_links SET used_at = $2
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
             RETURNING email",
        )
        .bind(token_hash)
        .bind(encode_instant(now))
        .fetch_optional(&mut *tx)
        .await?;
        let email: Option<String> = row.map(|r| r.get(0));
        tx.commit().await?;
        Ok(email)
    }

    /// Every case raised by anyone who gave this email address, on any channel, newest first.
    pub async fn cases_for_email(&self, email: &str) -> StoreResult<Vec<CaseSummary>> {
        let sql = format!(
            "{SUMMARY_SELECT} WHERE c.id IN (SELECT k.case_id FROM contacts k
                JOIN residents x ON x.id = k.resident_id
                WHERE x.person_id IN ({PEOPLE_WITH_EMAIL}))
             ORDER BY c.created_at DESC, c.id DESC"
        );
        let rows = sqlx::query(&sql).bind(email).fetch_all(&self.pool).await?;
        rows.iter().map(summary_from_row).collect()
    }

    /// The preferences on the newest record of the people with this email address.
    pub async fn contact_preferences(&self, email: &str) -> StoreResult<ContactPreferences> {
        let sql = format!(
            "SELECT reply_by, language,
                    CASE WHEN EXISTS (SELECT 1 FROM residents p WHERE p.person_id IN ({PEOPLE_WITH_EMAIL})
                                      AND p.phone IS NOT NULL) THEN 1 ELSE 0 END AS has_phone
             FROM residents WHERE person_id IN ({PEOPLE_WITH_EMAIL})
             ORDER BY id DESC LIMIT 1"
        );
        let row = sqlx::query(&sql)
            .bind(email)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(row) => ContactPreferences {
                reply_by: row
                    .get::<Option<String>, _>("reply_by")
                    .as_deref()
                    .and_then(ReplyBy::parse),
                language: Locale::from_code(row.get("language")).unwrap_or(Locale::En),
                has_phone: crate::flag(&row, "has_phone"),
            },
            None => ContactPreferences {
                reply_by: None,
                language: Locale::En,
                has_phone: false,
            },
        })
    }

    /// Sets how the council replies, and in which language, on every record of the people
    /// with this email address: what is sent about their cases follows it.
    pub async fn set_contact_preferences(
        &self,
        email: &str,
        reply_by: ReplyBy,
        language: Locale,
    ) -> StoreResult<()> {
        let sql = format!(
            "UPDATE residents SET reply_by = $2, language = $3 WHERE person_id IN ({PEOPLE_WITH_EMAIL})"
        );
        sqlx::query(&sql)
            .bind(email)
            .bind(reply_by.as_str())
            .bind(language.code())
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// When a link was last sent to this address, to space requests out.
    pub async fn last_sign_in_link(&self, email: &str) -> StoreResult<Option<Timestamp>> {
        let row = sqlx::query(
            "SELECT created_at FROM sign_in_links WHERE email = $1 ORDER BY created_at DESC LIMIT 1",
        )
        .bind(email)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| decode_instant(r.get(0))).transpose()
    }
}
