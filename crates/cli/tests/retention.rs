//! `frontdoor retention run` on a demo database: counts first with --dry-run, then
//! anonymises every closed case past its service's period, once, and deletes quarantined
//! messages past theirs; a bad date is refused.

mod support;

use std::path::Path;
use std::process::Output;
use support::frontdoor;

fn last_line(output: &Output) -> String {
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines().last().unwrap_or_default().to_owned()
}

async fn execute(dir: &Path, sql: &str) {
    let url = format!("sqlite://{}/fd.db", dir.display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::query(sql).execute(&pool).await.unwrap();
}

async fn count(dir: &Path, sql: &str) -> i64 {
    let url = format!("sqlite://{}/fd.db", dir.display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap()
}

#[tokio::test]
async fn closed_cases_past_their_period_are_anonymised_once_and_open_ones_never() {
    let dir = tempfile::tempdir().unwrap();
    let seeded = frontdoor(dir.path(), &["demo", "--cases", "60"]);
    assert!(seeded.status.success(), "{seeded:?}");
    let closed = count(
        dir.path(),
        "SELECT COUNT(*) FROM cases WHERE closed_at IS NOT NULL",
    )
    .await;
    assert!(closed > 0, "the demo has closed cases");

    assert_eq!(
        last_line(&frontdoor(dir.path(), &["retention", "run"])),
        "0 cases anonymised.",
        "nothing in the demo is six years old"
    );
    // One unreadable message from long before 2040, one from the day before.
    execute(
        dir.path(),
        "INSERT INTO quarantine (channel, received_at, reason, raw) VALUES
           ('email', '2026-11-26T09:00:00.000000Z', 'not MIME', X'00'),
           ('email', '2039-12-31T09:00:00.000000Z', 'not MIME', X'00')",
    )
    .await;
    let quarantined = "SELECT COUNT(*) FROM quarantine";
    let future = ["retention", "run", "--today", "2040-01-01"];
    let dry = frontdoor(dir.path(), &[&future[..], &["--dry-run"]].concat());
    let said = String::from_utf8_lossy(&dry.stdout).into_owned();
    assert!(
        said.contains(
            "quarantine: 1 message received before 2039-10-03 (90 days) would be deleted"
        ),
        "{said}"
    );
    assert_eq!(count(dir.path(), quarantined).await, 2);
    let counted = last_line(&dry);
    let anonymised = "SELECT COUNT(*) FROM cases WHERE anonymised_at IS NOT NULL";
    assert_eq!(
        count(dir.path(), anonymised).await,
        0,
        "a dry run changes nothing"
    );
    let n: i64 = counted.split(' ').next().unwrap().parse().unwrap();
    assert!(n > 0 && n <= closed, "{counted}");
    assert_eq!(counted, format!("{n} cases would be anonymised."));

    assert_eq!(
        last_line(&frontdoor(dir.path(), &future)),
        format!("{n} cases anonymised.")
    );
    assert_eq!(count(dir.path(), anonymised).await, n);
    assert_eq!(
        count(dir.path(), quarantined).await,
        1,
        "the old message is gone, the recent one kept"
    );
    let open_touched =
        "SELECT COUNT(*) FROM cases WHERE anonymised_at IS NOT NULL AND closed_at IS NULL";
    assert_eq!(count(dir.path(), open_touched).await, 0);
    let named = "SELECT COUNT(*) FROM cases c JOIN residents r ON r.id = c.resident_id
                 WHERE c.anonymised_at IS NOT NULL AND r.name <> 'Anonymised'
                   AND NOT EXISTS (SELECT 1 FROM cases o WHERE o.resident_id = r.id AND o.anonymised_at IS NULL)";
    assert_eq!(
        count(dir.path(), named).await,
        0,
        "their residents are anonymised"
    );
    assert_eq!(
        last_line(&frontdoor(dir.path(), &future)),
        "0 cases anonymised.",
        "a second run finds nothing more"
    );

    let bad = frontdoor(dir.path(), &["retention", "run", "--today", "next week"]);
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("--today must be a date like 2032-11-26")
    );
}
