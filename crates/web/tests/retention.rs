//! Retention through the real server and store: a case worked by staff (a note, a reply, an
//! outcome) is anonymised once its retention period has ended. Nothing the resident or staff
//! wrote about them is left anywhere in the database, while the facts management
//! information counts stay, and the console and tracking still open the case.

mod support;

use frontdoor_domain::Reference;
use reqwest::StatusCode;
use sqlx::{Column, Row};
use support::{TestApp, sign_in_as, spawn_app};

const NAME: &str = "Quentin Blackwood";
const EMAIL: &str = "quentin.blackwood@example.org";
const DETAILS: &str = "Crater outside Larkspur Cottage";
const NOTE: &str = "Spoke to Mr Blackwood about his car tyre";
const REPLY: &str = "Dear Quentin, the crew comes Thursday";
const OUTCOME: &str = "Filled after Quentin's second call";

fn personal() -> [&'static str; 7] {
    [NAME, "Blackwood", EMAIL, DETAILS, "Larkspur", NOTE, REPLY]
}

/// Every text cell in every table, as (table, text), except the audit trail, which keeps
/// only references and roles.
async fn every_text(app: &TestApp) -> Vec<(String, String)> {
    let pool = app.pool().await;
    let mut cells = Vec::new();
    for table in app.tables().await {
        let rows = sqlx::query(&format!("SELECT * FROM \"{table}\""))
            .fetch_all(&pool)
            .await
            .unwrap();
        for row in rows {
            for column in row.columns() {
                let text = row
                    .try_get::<Option<String>, _>(column.ordinal())
                    .ok()
                    .flatten();
                if let Some(text) = text {
                    cells.push((table.clone(), text));
                }
            }
        }
    }
    cells
}

#[tokio::test]
async fn a_case_past_its_retention_period_keeps_its_facts_and_loses_the_resident() {
    let app = spawn_app().await;
    let mut body = support::pothole(EMAIL);
    body["answers"]["details"] = DETAILS.into();
    body["contact"]["name"] = NAME.into();
    let reference = app.open_case(body).await;
    let other = app
        .open_case(support::pothole("someone.else@example.org"))
        .await;

    let officer = sign_in_as(&app, "hal@demo-council.example", "highways").await;
    let path = format!("/console/cases/{reference}");
    let page = officer.get(&path).await;
    for (action, fields) in [
        ("notes", vec![("note", NOTE)]),
        ("reply", vec![("reply", REPLY)]),
        ("status", vec![("status", "resolved"), ("outcome", OUTCOME)]),
    ] {
        let done = officer
            .submit(&page, &format!("{path}/{action}"), &fields)
            .await;
        assert_eq!(
            done.status,
            StatusCode::SEE_OTHER,
            "{action}: {}",
            done.body
        );
    }
    let before: Vec<_> = every_text(&app).await;
    assert!(
        before.iter().any(|(_, t)| t.contains(NOTE)),
        "the test can see the note"
    );

    // Six years on (the default), the case has been kept long enough.
    let later = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(1);
    let expired = app
        .store
        .closed_before("pothole-report", later)
        .await
        .unwrap();
    assert_eq!(expired.len(), 1, "only the closed case, not the open one");
    app.store.anonymise_case(expired[0]).await.unwrap();

    let left: Vec<(String, String)> = every_text(&app)
        .await
        .into_iter()
        .filter(|(table, text)| {
            table != "audit_events"
                && personal().iter().any(|p| text.contains(p)) | text.contains("Quentin")
        })
        .collect();
    assert!(left.is_empty(), "still held after anonymising: {left:?}");

    let case = app.case(&Reference::parse(&reference).unwrap()).await;
    assert_eq!(case.summary.service, "pothole-report");
    assert_eq!(case.summary.state.status.as_str(), "resolved");
    assert_eq!(
        case.events.len(),
        4,
        "created, note, reply, resolved: {:?}",
        case.events
    );
    let shown = officer.get(&path).await;
    assert_eq!(shown.status, StatusCode::OK);
    shown.assert_contains("removed: retention period ended");
    // The other resident's open case is untouched.
    let untouched = app.case(&Reference::parse(&other).unwrap()).await;
    assert_eq!(
        untouched.contact.email.map(|e| e.to_string()).as_deref(),
        Some("someone.else@example.org")
    );
    // Anonymising twice is harmless, and history stays append-only otherwise.
    app.store.anonymise_case(expired[0]).await.unwrap();
    assert!(
        app.store
            .closed_before("pothole-report", later)
            .await
            .unwrap()
            .is_empty()
    );
    let pool = app.pool().await;
    let rewrite = sqlx::query("UPDATE case_events SET data = '{}'")
        .execute(&pool)
        .await;
    assert!(rewrite.is_err(), "case events are append-only");
}
