//! `frontdoor erase` on a demo database: a closed case with no statutory basis is
//! anonymised at once; an open case, or one a law requires the council to keep, is kept
//! with the reason said; only an administrator may ask; each erasure is on the audit trail.

mod support;

use std::path::Path;
use std::process::Output;
use support::frontdoor;

const ADMIN: &str = "demo.admin@demo-council.example";

/// A resident whose only case matches `condition`, with that case's reference.
async fn resident_whose_case(pool: &sqlx::SqlitePool, condition: &str) -> (i64, String) {
    let sql = format!(
        "SELECT r.person_id, c.reference FROM cases c JOIN residents r ON r.id = c.resident_id
         WHERE {condition}
           AND (SELECT COUNT(*) FROM cases o JOIN residents p ON p.id = o.resident_id
                WHERE p.person_id = r.person_id) = 1
         ORDER BY c.id LIMIT 1"
    );
    sqlx::query_as(&sql).fetch_one(pool).await.unwrap()
}

fn erase(dir: &Path, person: i64, by: &str) -> Output {
    frontdoor(
        dir,
        &["erase", "--resident", &person.to_string(), "--by", by],
    )
}

#[tokio::test]
async fn erasure_anonymises_what_may_go_and_says_why_the_rest_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        frontdoor(dir.path(), &["demo", "--cases", "120"])
            .status
            .success()
    );
    let url = format!("sqlite://{}/fd.db", dir.path().display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let closed = "c.closed_at IS NOT NULL AND c.service = 'missed-bin-collection'";
    let (gone, gone_ref) = resident_whose_case(&pool, closed).await;
    let (open, _) = resident_whose_case(&pool, "c.closed_at IS NULL").await;
    let statutory = "c.closed_at IS NOT NULL AND c.service = 'noise-complaint'";
    let (kept, _) = resident_whose_case(&pool, statutory).await;

    let refused = erase(dir.path(), gone, "demo.officer@demo-council.example");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("only an administrator"));

    let done = erase(dir.path(), gone, ADMIN);
    assert!(done.status.success(), "{done:?}");
    let said = String::from_utf8_lossy(&done.stdout);
    assert!(said.contains(": anonymised"), "{said}");
    assert!(said.contains("1 case(s) anonymised, 0 kept."), "{said}");
    let (name, email): (String, Option<String>) = sqlx::query_as(
        "SELECT r.name, r.email FROM cases c JOIN residents r ON r.id = c.resident_id WHERE c.reference = $1",
    )
    .bind(gone_ref.replace('-', ""))
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((name.as_str(), email), ("Anonymised", None));

    let still_open = String::from_utf8_lossy(&erase(dir.path(), open, ADMIN).stdout).to_string();
    assert!(
        still_open.contains("kept, because the case is still being dealt with"),
        "{still_open}"
    );
    let by_law = String::from_utf8_lossy(&erase(dir.path(), kept, ADMIN).stdout).to_string();
    assert!(
        by_law.contains("kept, because the law requires the record"),
        "{by_law}"
    );

    let recorded: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'CLI erase'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(recorded, 3);
}
