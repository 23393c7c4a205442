//! The audit trail through the real router: views, changes, refusals and exports are written
//! down with who and when; a restricted case asks why first and keeps the reason; the
//! data-protection officer reads and downloads the trail.

mod support;

use reqwest::StatusCode;
use support::{pothole, safeguarding_concern, sign_in_admin, sign_in_as, spawn_app};

/// The CSV export as an administrator downloads it, narrowed by `query`.
async fn trail_csv(admin: &support::Browser, query: &str) -> Vec<Vec<String>> {
    let csv = admin
        .get(&format!("/console/audit/audit-trail.csv?{query}"))
        .await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    csv.body
        .lines()
        .skip(1)
        .map(|line| line.split(',').map(str::to_owned).collect())
        .collect()
}

#[tokio::test]
async fn views_changes_and_refusals_are_recorded_with_who_and_what() {
    let app = spawn_app().await;
    let reference = app.open_case(pothole("pat@example.org")).await;
    let officer = sign_in_as(&app, "hal@demo-council.example", "highways").await;
    let case = officer.get(&format!("/console/cases/{reference}")).await;
    assert_eq!(case.status, StatusCode::OK);
    let assigned = officer
        .submit(&case, &format!("/console/cases/{reference}/assign"), &[])
        .await;
    assert_eq!(assigned.status, StatusCode::SEE_OTHER);
    // An officer may not read the trail; the refusal is itself recorded.
    assert_eq!(
        officer.get("/console/audit").await.status,
        StatusCode::FORBIDDEN
    );

    let admin = sign_in_admin(&app).await;
    let rows = trail_csv(&admin, "staff=hal%40demo-council.example").await;
    let lines: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| (r[4].clone(), r[5].clone(), r[6].clone()))
        .collect();
    let subject = format!("case {reference}");
    assert_eq!(
        lines,
        vec![
            (
                "GET /console/audit".into(),
                "audit trail".into(),
                "403".into()
            ),
            (
                "POST /console/cases/{reference}/assign".into(),
                subject.clone(),
                "303".into()
            ),
            (
                "GET /console/cases/{reference}".into(),
                subject.clone(),
                "200".into()
            ),
        ],
        "newest first"
    );
    assert!(rows.iter().all(|r| r[1] == "hal@demo-council.example"));
    assert!(rows.iter().all(|r| r[3] == "officer"));

    // Queue pages are not audited one by one, and nothing a resident typed is in the trail.
    let page = admin
        .get(&format!("/console/audit?subject=case+{reference}"))
        .await;
    page.assert_contains("POST /console/cases/{reference}/assign");
    assert!(!page.body.contains("pat@example.org"));
}

#[tokio::test]
async fn a_restricted_case_asks_why_and_every_view_carries_the_reason() {
    let app = spawn_app().await;
    let reference = app.open_case(safeguarding_concern("lee@example.org")).await;
    let path = format!("/console/cases/{reference}");
    let social_worker = sign_in_as(&app, "sw@demo-council.example", "safeguarding").await;

    let asked = social_worker.get(&path).await;
    assert_eq!(asked.status, StatusCode::OK);
    asked.assert_contains("Why are you opening case");
    assert!(
        !asked.body.contains("shouts for help"),
        "no details before a reason"
    );
    let document = social_worker.get(&format!("{path}/attachments/1")).await;
    assert_eq!(
        document.location.as_deref(),
        Some(path.as_str()),
        "nor its documents"
    );

    let reason_path = format!("{path}/reason");
    let no_words = social_worker
        .submit(
            &asked,
            &reason_path,
            &[("reason", "other"), ("details", " ")],
        )
        .await;
    assert_eq!(no_words.status, StatusCode::UNPROCESSABLE_ENTITY);
    no_words.assert_contains("Enter why you need to open this case");

    let given = social_worker
        .submit(
            &asked,
            &reason_path,
            &[("reason", "working"), ("details", "Allocated today")],
        )
        .await;
    assert_eq!(given.status, StatusCode::SEE_OTHER);
    assert_eq!(given.location.as_deref(), Some(path.as_str()));
    let shown = social_worker.get(&path).await;
    shown.assert_contains("shouts for help");
    social_worker
        .get(&path)
        .await
        .assert_contains("shouts for help");

    let admin = sign_in_admin(&app).await;
    // The administrator is outside Safeguarding, so is refused the case itself.
    assert_eq!(admin.get(&path).await.status, StatusCode::FORBIDDEN);
    let rows = trail_csv(&admin, &format!("subject=case+{reference}")).await;
    let views: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| r[4] == "GET /console/cases/{reference}" && r[6] == "200")
        .collect();
    assert_eq!(views.len(), 3, "{rows:?}");
    assert!(
        views[..2]
            .iter()
            .all(|r| r[7] == "Working on this case: Allocated today"),
        "{rows:?}"
    );
    assert_eq!(views[2][7], "", "the first view only asked why: {rows:?}");
    assert!(
        rows.iter()
            .any(|r| r[1] == "dpo@demo-council.example" && r[6] == "403"),
        "{rows:?}"
    );
}

#[tokio::test]
async fn the_trail_page_filters_by_date_and_refuses_a_date_it_cannot_read() {
    let app = spawn_app().await;
    let admin = sign_in_admin(&app).await;
    admin.get("/console/dashboard").await;
    let bad = admin.get("/console/audit?from=26%2F11%2F2026").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("Enter the from date as YYYY-MM-DD");
    assert_eq!(
        admin
            .get("/console/audit/audit-trail.csv?to=yesterday")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );

    let today = frontdoor_domain::calendar::london_date(jiff::Timestamp::now());
    let tomorrow = today.tomorrow().unwrap();
    let now = admin
        .get(&format!("/console/audit?from={today}&to={today}"))
        .await;
    now.assert_contains("GET /console/dashboard");
    let later = admin.get(&format!("/console/audit?from={tomorrow}")).await;
    later.assert_contains("Nothing recorded matches.");
    // Each download of the trail is on the trail.
    trail_csv(&admin, "").await;
    let rows = trail_csv(&admin, "subject=audit+trail").await;
    assert!(!rows.is_empty(), "{rows:?}");
}

#[tokio::test]
async fn the_api_reads_a_restricted_case_only_with_a_reason_which_is_recorded() {
    let app = spawn_app().await;
    let reference = app.open_case(safeguarding_concern("lee@example.org")).await;
    let staff = app
        .add_staff(
            "sw@demo-council.example",
            "safeguarding",
            "a long enough password",
        )
        .await;
    let token = app.api_token(staff).await;
    let url = format!("{}/api/v1/cases/{reference}", app.address);
    let client = reqwest::Client::new();
    let without = client.get(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(without.status(), StatusCode::FORBIDDEN);
    let body: serde_json::Value = without.json().await.unwrap();
    assert_eq!(body["error"]["code"], "reason_required");
    let with = client
        .get(&url)
        .bearer_auth(&token)
        .header("x-access-reason", "Strategy meeting today")
        .send()
        .await
        .unwrap();
    assert_eq!(with.status(), StatusCode::OK);

    let admin = sign_in_admin(&app).await;
    let rows = trail_csv(&admin, &format!("subject=case+{reference}")).await;
    let reasons: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r[6].as_str(), r[7].as_str()))
        .collect();
    assert_eq!(
        reasons,
        vec![("200", "Strategy meeting today"), ("403", "")],
        "newest first"
    );
}
