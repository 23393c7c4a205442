//! `frontdoor demo --residents N --years Y`: years of history for the dashboard, into an
//! empty database only, with figures a rebuild agrees with.

mod support;

use support::frontdoor;

/// Ward, month, service, channel, contacts, closed, surveys, heat map.
type MonthRow = (String, String, String, String, i64, i64, i64, Vec<u8>);

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_year_of_history_is_made_once_and_its_rollups_agree_with_a_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let made = frontdoor(dir.path(), &["demo", "--residents", "400", "--years", "1"]);
    assert!(made.status.success(), "{}", text(&made.stderr));
    let out = text(&made.stdout);
    assert!(out.contains("Made 400 residents"), "{out}");
    assert!(
        out.contains("manager: demo.manager@demo-council.example"),
        "{out}"
    );
    // About 8.6 contacts per resident a year.
    let contacts: u64 = out
        .split(" contacts (")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no contact count in {out}"));
    assert!((2_800..=4_200).contains(&contacts), "{contacts} contacts");
    assert!(text(&made.stderr).contains("100%"), "a progress bar");

    let pool_url = format!("sqlite://{}/fd.db", dir.path().display());
    let snapshot = || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let pool = sqlx::SqlitePool::connect(&pool_url).await.unwrap();
            let rows: Vec<MonthRow> = sqlx::query_as(
                "SELECT ward, month, service, channel, contacts, closed, surveys, heat FROM mi_month
                 ORDER BY ward, month, service, channel",
            )
            .fetch_all(&pool)
            .await
            .unwrap();
            pool.close().await;
            rows
        })
    };
    let loaded = snapshot();
    let total: i64 = loaded.iter().filter(|r| r.0 == "*").map(|r| r.4).sum();
    assert_eq!(total as u64, contacts);
    let rebuilt = frontdoor(dir.path(), &["mi", "rebuild"]);
    assert!(rebuilt.status.success(), "{}", text(&rebuilt.stderr));
    assert_eq!(snapshot(), loaded);

    let again = frontdoor(dir.path(), &["demo", "--residents", "400"]);
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("the history goes into an empty database"));
}

#[test]
fn impossible_sizes_are_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let refused = frontdoor(dir.path(), &["demo", "--residents", "100", "--years", "0"]);
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("--years from 1 to 10"),
        "{}",
        text(&refused.stderr)
    );
}
