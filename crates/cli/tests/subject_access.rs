//! `frontdoor subject-access` on a demo database: an administrator gets everything held on
//! a resident as JSON and the export is recorded; anyone else, or a resident who does not
//! exist, is refused with a reason and a non-zero exit.

mod support;

use support::frontdoor;

#[tokio::test]
async fn an_administrator_exports_a_resident_and_others_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let seeded = frontdoor(dir.path(), &["demo", "--cases", "5"]);
    assert!(seeded.status.success(), "{seeded:?}");

    let export = frontdoor(
        dir.path(),
        &[
            "subject-access",
            "--resident",
            "1",
            "--by",
            "demo.admin@demo-council.example",
        ],
    );
    assert!(export.status.success(), "{export:?}");
    let json: serde_json::Value = serde_json::from_slice(&export.stdout).unwrap();
    assert_eq!(json["resident"], 1);
    assert!(!json["records"].as_array().unwrap().is_empty());
    assert!(!json["cases"].as_array().unwrap().is_empty());

    let officer = frontdoor(
        dir.path(),
        &[
            "subject-access",
            "--resident",
            "1",
            "--by",
            "demo.officer@demo-council.example",
        ],
    );
    assert!(!officer.status.success());
    let said = String::from_utf8_lossy(&officer.stderr);
    assert!(said.contains("only an administrator may do this"), "{said}");
    assert!(officer.stdout.is_empty(), "nothing is exported");

    let missing = frontdoor(
        dir.path(),
        &[
            "subject-access",
            "--resident",
            "999999",
            "--by",
            "demo.admin@demo-council.example",
        ],
    );
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("there is no resident 999999"));

    let url = format!("sqlite://{}/fd.db", dir.path().display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let recorded: Vec<(String, String)> =
        sqlx::query_as("SELECT action, subject FROM audit_events")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        recorded,
        vec![("CLI subject-access".to_owned(), "resident 1".to_owned())]
    );
}
