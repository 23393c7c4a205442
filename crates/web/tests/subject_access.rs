//! A subject-access request: the administrator downloads everything held on a resident,
//! restricted cases included, and the download is on the audit trail.

mod support;

use reqwest::StatusCode;
use serde_json::Value;
use support::{pothole, safeguarding_concern, sign_in_admin, sign_in_as, spawn_app};

#[tokio::test]
async fn the_administrator_exports_everything_held_on_a_resident_and_it_is_recorded() {
    let app = spawn_app().await;
    let street = app.open_case(pothole("lee@example.org")).await;
    let restricted = app.open_case(safeguarding_concern("lee@example.org")).await;
    let person = app.one_person(&street, &restricted).await;
    let officer = sign_in_as(&app, "hal@demo-council.example", "highways").await;
    officer.get(&format!("/console/cases/{street}")).await;
    let path = format!("/console/residents/{person}/subject-access.json");
    assert_eq!(officer.get(&path).await.status, StatusCode::FORBIDDEN);

    let admin = sign_in_admin(&app).await;
    admin
        .get(&format!("/console/residents/{person}"))
        .await
        .assert_contains("subject-access.json");
    let download = admin.get(&path).await;
    assert_eq!(download.status, StatusCode::OK);
    let export: Value = serde_json::from_str(&download.body).unwrap();
    assert_eq!(export["resident"], person);
    let references: Vec<&str> = export["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["reference"].as_str().unwrap())
        .collect();
    assert!(references.contains(&street.as_str()), "{references:?}");
    assert!(
        references.contains(&restricted.as_str()),
        "restricted cases are in a subject-access export: {references:?}"
    );
    let text = download.body.as_str();
    assert!(text.contains("lee@example.org"));
    assert!(text.contains("shouts for help"), "the resident's own words");
    assert!(text.contains("Deep hole by the gates"));
    let case = export["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["reference"] == street.as_str())
        .unwrap();
    assert!(
        !case["messages"].as_array().unwrap().is_empty(),
        "the acknowledgement sent is included"
    );
    let log = export["access_log"].as_array().unwrap();
    assert!(
        log.iter()
            .any(|r| r["role"] == "officer" && r["action"] == "GET /console/cases/{reference}"),
        "{log:?}"
    );
    assert!(
        !text.contains("hal@demo-council.example"),
        "staff are named by role, not email"
    );

    let trail = admin
        .get(&format!("/console/audit?subject=resident+{person}"))
        .await;
    trail.assert_contains("GET /console/residents/{id}/subject-access.json");
}
