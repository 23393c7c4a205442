//! Where reports are: the gazetteer, each case's place, nearby open reports and followers.

use crate::cases::{corrupt, insert_contact, insert_event, insert_resident};
use crate::time::{decode_instant, encode_instant};
use crate::{Store, StoreResult};
use frontdoor_domain::{
    CaseEvent, ContactDetails, GazetteerAddress, Place, Point, Postcode, Reference, Status,
    Submission,
};
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

/// Most addresses a gazetteer search returns; a postcode has far fewer.
const SEARCH_LIMIT: i64 = 100;

/// An open report close to a point, for a resident to follow instead of reporting again.
#[derive(Debug, Clone)]
pub struct NearbyReport {
    pub case_id: i64,
    pub reference: Reference,
    pub service: String,
    pub status: Status,
    pub created_at: Timestamp,
    pub place: Place,
    pub distance_m: f64,
}

/// A report as the public map shows it: no resident, no free text.
#[derive(Debug, Clone)]
pub struct PublicReport {
    pub reference: Reference,
    pub service: String,
    pub status: Status,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub point: Point,
    pub ward: Option<String>,
    pub street: Option<String>,
}

impl Store {
    /// Adds or replaces gazetteer addresses (matched on UPRN), in one transaction.
    pub async fn import_gazetteer(&self, addresses: &[GazetteerAddress]) -> StoreResult<usize> {
        let mut tx = self.begin_write().await?;
        for a in addresses {
            sqlx::query(
                "INSERT INTO gazetteer (uprn, line1, line2, town, postcode, street, lat, lon)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (uprn) DO UPDATE SET line1 = excluded.line1, line2 = excluded.line2,
                    town = excluded.town, postcode = excluded.postcode, street = excluded.street,
                    lat = excluded.lat, lon = excluded.lon",
            )
            .bind(&a.uprn)
            .bind(&a.line1)
            .bind(&a.line2)
            .bind(&a.town)
            .bind(a.postcode.as_str())
            .bind(&a.street)
            .bind(a.point.lat())
            .bind(a.point.lon())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(addresses.len())
    }

    pub async fn count_gazetteer(&self) -> StoreResult<i64> {
        let row = sqlx::query("SELECT COUNT(*) FROM gazetteer")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.get(0))
    }

    pub async fn gazetteer_address(&self, uprn: &str) -> StoreResult<Option<GazetteerAddress>> {
        sqlx::query("SELECT * FROM gazetteer WHERE uprn = $1")
            .bind(uprn)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| address_from_row(&row))
            .transpose()
    }

    /// Addresses with this postcode, or on streets starting with this text, in street and
    /// house-number order.
    pub async fn search_gazetteer(&self, query: &str) -> StoreResult<Vec<GazetteerAddress>> {
        let query = query.trim();
        let rows = match Postcode::parse(query) {
            Ok(postcode) => {
                let sql = format!(
                    "SELECT * FROM gazetteer WHERE postcode = $1 ORDER BY {} LIMIT $2",
                    self.backend.address_order()
                );
                sqlx::query(&sql)
                    .bind(postcode.as_str())
                    .bind(SEARCH_LIMIT)
                    .fetch_all(&self.pool)
                    .await?
            }
            Err(_) => {
                let pattern = crate::sql::like_starting(&query.to_lowercase());
                let sql = format!(
                    "SELECT * FROM gazetteer WHERE {} LIKE $1 ESCAPE '\\' ORDER BY {} LIMIT $2",
                    self.backend.street_key(),
                    self.backend.address_order()
                );
                sqlx::query(&sql)
                    .bind(pattern)
                    .bind(SEARCH_LIMIT)
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter().map(address_from_row).collect()
    }

    /// The UPRN of a typed address: the gazetteer entry at that postcode whose first line
    /// matches, ignoring case, spaces and commas ("14 station road" is "14, Station Road").
    pub async fn uprn_for_address(
        &self,
        line1: &str,
        postcode: &Postcode,
    ) -> StoreResult<Option<String>> {
        let squeeze = |t: &str| -> String {
            t.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect()
        };
        let wanted = squeeze(line1);
        let rows = sqlx::query("SELECT uprn, line1 FROM gazetteer WHERE postcode = $1")
            .bind(postcode.as_str())
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .find(|r| squeeze(r.get::<&str, _>("line1")) == wanted)
            .map(|r| r.get("uprn")))
    }

    /// The middle of a street's addresses, to place a "street and description" report.
    pub async fn street_centre(&self, street: &str) -> StoreResult<Option<(String, Point)>> {
        let sql = format!(
            "SELECT MIN(street) AS street, AVG(lat) AS lat, AVG(lon) AS lon FROM gazetteer WHERE {} = $1",
            self.backend.street_key()
        );
        let row = sqlx::query(&sql)
            .bind(street.trim().to_lowercase())
            .fetch_one(&self.pool)
            .await?;
        let (Some(name), Some(lat), Some(lon)) = (
            row.get::<Option<String>, _>("street"),
            row.get::<Option<f64>, _>("lat"),
            row.get::<Option<f64>, _>("lon"),
        ) else {
            return Ok(None);
        };
        Ok(Some((name, Point::new(lat, lon).map_err(corrupt)?)))
    }

    /// Open cases of `service` within `radius_m` of `point`, nearest first.
    pub async fn open_reports_near(
        &self,
        service: &str,
        point: Point,
        radius_m: f64,
    ) -> StoreResult<Vec<NearbyReport>> {
        let b = point.bounding_box(radius_m);
        let rows = sqlx::query(
            "SELECT c.id, c.reference, c.service, c.status, c.created_at,
                    p.lat, p.lon, p.ward, p.uprn, p.street, p.address
             FROM case_points i
             JOIN case_places p ON p.case_id = i.case_id
             JOIN cases c ON c.id = i.case_id
             WHERE i.max_lat >= $1 AND i.min_lat <= $2 AND i.max_lon >= $3 AND i.min_lon <= $4
               AND c.service = $5 AND c.status <> 'closed'",
        )
        .bind(b.min_lat)
        .bind(b.max_lat)
        .bind(b.min_lon)
        .bind(b.max_lon)
        .bind(service)
        .fetch_all(&self.pool)
        .await?;
        let mut near = Vec::new();
        for row in &rows {
            let place = place_from_row(row)?;
            let Some(at) = place.point else { continue };
            let distance_m = point.distance_m(at);
            if distance_m <= radius_m {
                let reference: String = row.get("reference");
                near.push(NearbyReport {
                    case_id: row.get("id"),
                    reference: Reference::parse(&reference).map_err(corrupt)?,
                    service: row.get("service"),
                    status: Status::parse(row.get("status")).map_err(corrupt)?,
                    created_at: decode_instant(row.get("created_at"))?,
                    place,
                    distance_m,
                });
            }
        }
        near.sort_by(|a, b| a.distance_m.total_cmp(&b.distance_m));
        Ok(near)
    }

    /// Open cases of these services that have a point, newest first.
    pub async fn public_reports(&self, services: &[&str]) -> StoreResult<Vec<PublicReport>> {
        let mut q = crate::sql::Sql::new(
            "SELECT c.reference, c.service, c.status, c.created_at, c.updated_at,
                    p.lat, p.lon, p.ward, p.street
             FROM cases c JOIN case_places p ON p.case_id = c.id
             WHERE c.service",
        );
        q.push_in(services.iter().map(|s| s.to_string())).push(
            " AND c.status <> 'closed' AND p.lat IS NOT NULL ORDER BY c.created_at DESC, c.id DESC",
        );
        let rows = q.build().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                let reference: String = row.get("reference");
                Ok(PublicReport {
                    reference: Reference::parse(&reference).map_err(corrupt)?,
                    service: row.get("service"),
                    status: Status::parse(row.get("status")).map_err(corrupt)?,
                    created_at: decode_instant(row.get("created_at"))?,
                    updated_at: decode_instant(row.get("updated_at"))?,
                    point: Point::new(row.get("lat"), row.get("lon")).map_err(corrupt)?,
                    ward: row.get("ward"),
                    street: row.get("street"),
                })
            })
            .collect()
    }

    /// Where a case is, if it is a location report.
    pub async fn case_place(&self, case_id: i64) -> StoreResult<Option<Place>> {
        sqlx::query("SELECT * FROM case_places WHERE case_id = $1")
            .bind(case_id)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| place_from_row(&row))
            .transpose()
    }

    /// Records a resident's report as a contact on an existing case they chose to follow,
    /// so what they sent is kept and counted, and they can track that case.
    pub async fn follow_case(&self, case_id: i64, submission: &Submission) -> StoreResult<()> {
        let at = encode_instant(submission.received_at);
        let mut tx = self.begin_write().await?;
        let resident_id = insert_resident(&mut tx, submission, &at).await?;
        let contact_id =
            insert_contact(&mut tx, case_id, resident_id, submission, &at, None).await?;
        crate::mi::contact_added(&mut tx, case_id, contact_id).await?;
        sqlx::query(
            "INSERT INTO case_followers (case_id, resident_id, followed_at) VALUES ($1, $2, $3)",
        )
        .bind(case_id)
        .bind(resident_id)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        let event = CaseEvent::Followed {
            channel: submission.channel,
        };
        insert_event(&mut tx, case_id, &at, None, &event).await?;
        sqlx::query("UPDATE cases SET updated_at = $1 WHERE id = $2")
            .bind(&at)
            .bind(case_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The contact details of the residents following a case, for tracking and updates.
    pub async fn followers(&self, case_id: i64) -> StoreResult<Vec<ContactDetails>> {
        let rows = sqlx::query(
            "SELECT resident_id FROM case_followers WHERE case_id = $1 ORDER BY followed_at",
        )
        .bind(case_id)
        .fetch_all(&self.pool)
        .await?;
        let mut followers = Vec::with_capacity(rows.len());
        for row in rows {
            followers.push(self.contact_details(row.get(0)).await?);
        }
        Ok(followers)
    }

    pub async fn count_followers(&self, case_id: i64) -> StoreResult<i64> {
        let row = sqlx::query("SELECT COUNT(*) FROM case_followers WHERE case_id = $1")
            .bind(case_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.get(0))
    }
}

/// Stores where a new case is, and indexes its point, in the case's own transaction.
pub(crate) async fn insert_place(
    tx: &mut Transaction<'_, Any>,
    case_id: i64,
    place: &Place,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO case_places (case_id, lat, lon, ward, uprn, street, address)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(case_id)
    .bind(place.point.map(|p| p.lat()))
    .bind(place.point.map(|p| p.lon()))
    .bind(&place.ward)
    .bind(&place.uprn)
    .bind(&place.street)
    .bind(&place.address)
    .execute(&mut **tx)
    .await?;
    if place.ward.is_some() {
        sqlx::query("UPDATE cases SET ward = $1 WHERE id = $2")
            .bind(&place.ward)
            .bind(case_id)
            .execute(&mut **tx)
            .await?;
    }
    if let Some(point) = place.point {
        sqlx::query("INSERT INTO case_points (case_id, min_lat, max_lat, min_lon, max_lon) VALUES ($1, $2, $2, $3, $3)")
            .bind(case_id)
            .bind(point.lat())
            .bind(point.lon())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

fn address_from_row(row: &AnyRow) -> StoreResult<GazetteerAddress> {
    Ok(GazetteerAddress {
        uprn: row.get("uprn"),
        line1: row.get("line1"),
        line2: row.get("line2"),
        town: row.get("town"),
        postcode: Postcode::parse(row.get("postcode")).map_err(corrupt)?,
        street: row.get("street"),
        point: Point::new(row.get("lat"), row.get("lon")).map_err(corrupt)?,
    })
}

pub(crate) fn place_from_row(row: &AnyRow) -> StoreResult<Place> {
    let lat: Option<f64> = row.get("lat");
    let lon: Option<f64> = row.get("lon");
    let point = match (lat, lon) {
        (Some(lat), Some(lon)) => Some(Point::new(lat, lon).map_err(corrupt)?),
        _ => None,
    };
    Ok(Place {
        point,
        uprn: row.get("uprn"),
        address: row.get("address"),
        street: row.get("street"),
        description: None,
        ward: row.get("ward"),
    })
}
