//! The satisfaction survey offered when a case closes: one answer per case, counted in
//! the rollups in the same transaction.

use crate::time::encode_instant;
use crate::{Store, StoreResult};
use frontdoor_domain::Reference;
use jiff::Timestamp;
use sqlx::Row;

/// A survey link as the resident opens it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyOffer {
    pub case_id: i64,
    pub reference: Reference,
    pub service: String,
    pub answered: bool,
}

impl Store {
    /// Records that a survey was offered for a case, under the hash of its link's token.
    /// A later offer for the same case (it closed again) replaces the earlier link.
    pub async fn offer_survey(
        &self,
        case_id: i64,
        token_hash: &str,
        at: Timestamp,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO surveys (case_id, token_hash, offered_at) VALUES ($1, $2, $3)
             ON CONFLICT (case_id) DO UPDATE SET token_hash = excluded.token_hash,
                 offered_at = excluded.offered_at
             WHERE surveys.answered_at IS NULL",
        )
        .bind(case_id)
        .bind(token_hash)
        .bind(encode_instant(at))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    pub async fn survey_offer(&self, token_hash: &str) -> StoreResult<Option<SurveyOffer>> {
        let row = sqlx::query(
            "SELECT s.case_id, s.answered_at, c.reference, c.service
             FROM surveys s JOIN cases c ON c.id = s.case_id WHERE s.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            let reference: String = row.get("reference");
            let answered: Option<String> = row.get("answered_at");
            Ok(SurveyOffer {
                case_id: row.get("case_id"),
                reference: Reference::parse(&reference).map_err(crate::cases::corrupt)?,
                service: row.get("service"),
                answered: answered.is_some(),
            })
        })
        .transpose()
    }

    /// Stores the resident's answer. Returns false if this link was already answered.
    pub async fn answer_survey(
        &self,
        token_hash: &str,
        score: u8,
        comment: Option<&str>,
        at: Timestamp,
    ) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let case_id: Option<i64> = sqlx::query_scalar(
            "UPDATE surveys SET score = $1, comment = $2, answered_at = $3
             WHERE token_hash = $4 AND answered_at IS NULL RETURNING case_id",
        )
        .bind(i64::from(score))
        .bind(comment)
        .bind(encode_instant(at))
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(case_id) = case_id else {
            return Ok(false);
        };
        crate::mi::survey_answered(&mut tx, case_id).await?;
        tx.commit().await?;
        Ok(true)
    }
}
