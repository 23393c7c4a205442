//! Open311 GeoReport v2: the partner systems allowed to post, their tokens, and the
//! service-request search the specification defines.

use crate::cases::corrupt;
use crate::places::place_from_row;
use crate::time::{decode_date, decode_instant, encode_instant};
use crate::{Store, StoreResult};
use frontdoor_domain::form::Answer;
use frontdoor_domain::{Place, Reference, Status};
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::BTreeMap;

/// A partner system, known by the hash of its API key.
#[derive(Debug, Clone)]
pub struct Open311Client {
    pub id: i64,
    pub name: String,
}

/// Which requests a GET /requests asks for. Empty lists mean "any".
#[derive(Debug, Clone)]
pub struct RequestFilter {
    pub references: Vec<String>,
    pub services: Vec<String>,
    pub from: Timestamp,
    pub to: Timestamp,
    /// `Some(true)` open only, `Some(false)` closed only.
    pub open: Option<bool>,
    pub limit: i64,
}

/// A case as an Open311 service request.
#[derive(Debug, Clone)]
pub struct ServiceRequestRecord {
    pub reference: Reference,
    pub service: String,
    pub team: String,
    pub status: Status,
    pub outcome: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub due_by: Date,
    pub place: Option<Place>,
    pub answers: BTreeMap<String, Answer>,
}

impl Store {
    pub async fn add_open311_client(&self, name: &str, key_hash: &str) -> StoreResult<i64> {
        let row = sqlx::query(
            "INSERT INTO open311_clients (name, key_hash, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(name)
        .bind(key_hash)
        .bind(encode_instant(Timestamp::now()))
        .fetch_one(&self.writer)
        .await?;
        Ok(row.get(0))
    }

    pub async fn open311_client(&self, key_hash: &str) -> StoreResult<Option<Open311Client>> {
        let row = sqlx::query("SELECT id, name FROM open311_clients WHERE key_hash = $1")
            .bind(key_hash)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| Open311Client {
            id: r.get("id"),
            name: r.get("name"),
        }))
    }

    pub async fn add_open311_token(
        &self,
        token: &str,
        case_id: i64,
        client_id: i64,
    ) -> StoreResult<()> {
        sqlx::query("INSERT INTO open311_tokens (token, case_id, client_id) VALUES ($1, $2, $3)")
            .bind(token)
            .bind(case_id)
            .bind(client_id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    pub async fn reference_for_token(&self, token: &str) -> StoreResult<Option<Reference>> {
        let row = sqlx::query(
            "SELECT c.reference FROM open311_tokens t JOIN cases c ON c.id = t.case_id WHERE t.token = $1",
        )
        .bind(token)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Reference::parse(r.get("reference")).map_err(corrupt))
            .transpose()
    }

    /// Service requests matching the filter, newest first. A list of references overrides
    /// the other conditions, as the specification says.
    pub async fn service_requests(
        &self,
        filter: &RequestFilter,
    ) -> StoreResult<Vec<ServiceRequestRecord>> {
        let select = "SELECT c.reference, c.service, c.team, c.status, c.outcome, c.created_at, c.updated_at, c.due_by,
                    p.case_id AS place_case, p.lat, p.lon, p.ward, p.uprn, p.street, p.address,
                    (SELECT answers FROM contacts k WHERE k.case_id = c.id ORDER BY k.id LIMIT 1) AS answers
             FROM cases c LEFT JOIN case_places p ON p.case_id = c.id";
        let mut q = crate::sql::Sql::new(select);
        if filter.references.is_empty() {
            let open = filter.open.map(|open| if open { 1_i64 } else { 0 });
            q.push(" WHERE c.service")
                .push_in(filter.services.iter().cloned())
                .push(" AND c.created_at >= ")
                .push_bind(encode_instant(filter.from))
                .push(" AND c.created_at <= ")
                .push_bind(encode_instant(filter.to));
            if let Some(open) = open {
                q.push(" AND (CASE WHEN c.status <> 'closed' THEN 1 ELSE 0 END) = ")
                    .push_bind(open);
            }
        } else {
            q.push(" WHERE c.reference")
                .push_in(filter.references.iter().cloned())
                .push(" AND c.service")
                .push_in(filter.services.iter().cloned());
        }
        q.push(" ORDER BY c.created_at DESC, c.id DESC LIMIT ")
            .push_bind(filter.limit);
        let rows = q.build().fetch_all(&self.pool).await?;
        rows.iter().map(request_from_row).collect()
    }
}

fn request_from_row(row: &AnyRow) -> StoreResult<ServiceRequestRecord> {
    let place = match row.get::<Option<i64>, _>("place_case") {
        None => None,
        Some(_) => Some(place_from_row(row)?),
    };
    let answers: Option<String> = row.get("answers");
    let answers = match answers {
        Some(json) => serde_json::from_str(&json).map_err(corrupt)?,
        None => BTreeMap::new(),
    };
    Ok(ServiceRequestRecord {
        reference: Reference::parse(row.get("reference")).map_err(corrupt)?,
        service: row.get("service"),
        team: row.get("team"),
        status: Status::parse(row.get("status")).map_err(corrupt)?,
        outcome: row.get("outcome"),
        created_at: decode_instant(row.get("created_at"))?,
        updated_at: decode_instant(row.get("updated_at"))?,
        due_by: decode_date(row.get("due_by"))?,
        place,
        answers,
    })
}
