//! An erasure request through the console: the administrator sees what erasure would do to
//! each of the resident's cases, must confirm, and then the closed case is anonymised while
//! the open one is kept, with the reason shown. Others may not; it is on the audit trail.

mod support;

use frontdoor_domain::Reference;
use reqwest::StatusCode;
use support::{pothole, sign_in_admin, sign_in_as, spawn_app};

#[tokio::test]
async fn the_administrator_erases_what_may_go_and_is_told_what_is_kept_and_why() {
    let app = spawn_app().await;
    let closed = app.open_case(pothole("lee@example.org")).await;
    let open = app.open_case(pothole("lee@example.org")).await;
    let person = app.one_person(&closed, &open).await;
    let officer = sign_in_as(&app, "hal@demo-council.example", "highways").await;
    let case = officer.get(&format!("/console/cases/{closed}")).await;
    let resolved = officer
        .submit(
            &case,
            &format!("/console/cases/{closed}/status"),
            &[("status", "resolved"), ("outcome", "Filled")],
        )
        .await;
    assert_eq!(resolved.status, StatusCode::SEE_OTHER, "{}", resolved.body);
    let path = format!("/console/residents/{person}/erase");
    assert_eq!(officer.get(&path).await.status, StatusCode::FORBIDDEN);

    let admin = sign_in_admin(&app).await;
    let resident = admin.get(&format!("/console/residents/{person}")).await;
    resident.assert_contains(&format!("href=\"{path}\""));
    let plan = admin.get(&path).await;
    assert_eq!(plan.status, StatusCode::OK);
    plan.assert_contains(&closed);
    plan.assert_contains("Anonymised");
    plan.assert_contains("Kept, because the case is still being dealt with");

    let unconfirmed = admin.submit(&plan, &path, &[]).await;
    assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
    unconfirmed.assert_contains("Confirm that the resident has asked");
    let name = |reference: &str| {
        let app = &app;
        let reference = Reference::parse(reference).unwrap();
        async move { app.case(&reference).await.contact.name }
    };
    assert_eq!(name(&closed).await, "Pat Jones", "nothing erased yet");

    let done = admin.submit(&plan, &path, &[("confirm", "yes")]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    done.assert_contains("What was erased");
    assert_eq!(name(&closed).await, "Anonymised");
    assert_eq!(name(&open).await, "Pat Jones", "an open case is kept");

    let trail = admin
        .get(&format!("/console/audit?subject=resident+{person}"))
        .await;
    trail.assert_contains("POST /console/residents/{id}/erase");
    trail.assert_contains("GET /console/residents/{id}/erase");
}
