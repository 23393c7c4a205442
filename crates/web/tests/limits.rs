//! Rate limits through the real server: guessing a staff password, and flooding the public
//! forms and API from one address.

mod support;

use reqwest::StatusCode;
use serde_json::json;
use support::{pothole, spawn_app, spawn_app_with, test_settings};

async fn try_sign_in(app: &support::TestApp, email: &str, password: &str) -> support::Page {
    let browser = app.browser();
    let form = browser.get("/console/sign-in").await;
    browser
        .submit(
            &form,
            "/console/sign-in",
            &[("email", email), ("password", password)],
        )
        .await
}

#[tokio::test]
async fn five_wrong_passwords_lock_that_email_out_for_a_while_but_not_others() {
    let app = spawn_app().await;
    app.add_staff("sam@demo-council.example", "waste", "the right password")
        .await;
    app.add_staff("kim@demo-council.example", "waste", "the right password")
        .await;
    for _ in 0..5 {
        let wrong = try_sign_in(&app, "sam@demo-council.example", "a guess").await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    // Even the right password is refused now, and the case of the email makes no difference.
    let locked = try_sign_in(&app, "SAM@demo-council.example", "the right password").await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    locked.assert_contains("Too many attempts to sign in. Wait 15 minutes and try again");
    assert_eq!(locked.retry_after.as_deref(), Some("900"));
    let other = try_sign_in(&app, "kim@demo-council.example", "the right password").await;
    assert_eq!(other.status, StatusCode::SEE_OTHER, "{}", other.body);
}

#[tokio::test]
async fn a_flood_of_submissions_from_one_address_is_refused_with_429_and_nothing_is_half_kept() {
    let app = spawn_app_with(frontdoor_web::WebSettings {
        submissions_per_address: 3,
        ..test_settings()
    })
    .await;
    let client = reqwest::Client::new();
    let send = || {
        client
            .post(format!("{}/api/v1/contacts", app.address))
            .json(&json!({"text": "The street light outside 4 Elm Road is out", "contact": {"name": "Sam", "email": "sam@example.org"}}))
            .send()
    };
    for _ in 0..3 {
        assert_eq!(send().await.unwrap().status(), StatusCode::CREATED);
    }
    let refused = send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.headers()["retry-after"], "600");
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_many_requests");
    let cases = app.store.count_cases().await.unwrap();
    assert_eq!(cases, 3, "the refused contact was not kept");

    // People get a page, in their language, and the forms they have not sent yet still open.
    let browser = app.browser();
    let form = browser.get("/contact-us").await;
    assert_eq!(form.status, StatusCode::OK);
    let page = browser
        .submit(&form, "/contact-us", &[("message", "Bins not collected")])
        .await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    page.assert_contains("Too many requests");
    page.assert_contains("Nothing you sent before this page has been lost");
}

async fn try_track(app: &support::TestApp, reference: &str, contact: &str) -> support::Page {
    app.browser().track(reference, contact).await
}

#[tokio::test]
async fn wrong_answers_to_tracking_lock_that_reference_for_a_while_but_not_others() {
    let app = spawn_app().await;
    let target = app.open_case(pothole("pat@example.org")).await;
    let other = app.open_case(pothole("kim@example.org")).await;
    for guess in ["LS1 1AA", "LS1 1AB", "LS1 1AD", "LS1 1AE", "LS1 1AF"] {
        let wrong = try_track(&app, &target, guess).await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    // Even the right answer is refused now: the guesser learns nothing from it.
    let locked = try_track(&app, &target, "pat@example.org").await;
    assert_eq!(
        locked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        locked.body
    );
    assert_eq!(locked.retry_after.as_deref(), Some("900"));
    locked.assert_contains("Wait 15 minutes and try again");
    assert!(!locked.body.contains("Deep hole"), "{}", locked.body);
    let own = try_track(&app, &other, "kim@example.org").await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
}

#[tokio::test]
async fn one_address_guessing_across_many_references_is_stopped_too() {
    let app = spawn_app().await;
    let mut references = Vec::new();
    for n in 0..6 {
        references.push(app.open_case(pothole(&format!("r{n}@example.org"))).await);
    }
    // Four wrong answers each against five references: no one reference is locked, but the
    // address has used its twenty.
    for reference in &references[..5] {
        for _ in 0..4 {
            let wrong = try_track(&app, reference, "nobody@example.org").await;
            assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        }
    }
    let next = try_track(&app, &references[5], "r5@example.org").await;
    assert_eq!(next.status, StatusCode::TOO_MANY_REQUESTS, "{}", next.body);
}

#[tokio::test]
async fn a_restricted_case_is_tracked_by_email_or_phone_but_never_by_postcode_alone() {
    let app = spawn_app().await;
    let mut concern = support::safeguarding_concern("lee@example.org");
    concern["contact"]["postcode"] = json!("LS1 4AP");
    concern["contact"]["phone"] = json!("07700 900123");
    let restricted = app.open_case(concern).await;
    let mut report = pothole("pat@example.org");
    report["contact"]["postcode"] = json!("LS1 4AP");
    let street = app.open_case(report).await;

    let by_postcode = try_track(&app, &restricted, "ls1 4ap").await;
    assert_eq!(by_postcode.status, StatusCode::UNPROCESSABLE_ENTITY);
    by_postcode.assert_contains("We could not find a request");
    assert!(
        !by_postcode.body.contains("Safeguarding"),
        "{}",
        by_postcode.body
    );
    for proof in ["lee@example.org", "+44 7700 900123"] {
        let tracked = try_track(&app, &restricted, proof).await;
        assert_eq!(tracked.status, StatusCode::OK, "{proof}: {}", tracked.body);
    }
    let street_by_postcode = try_track(&app, &street, "LS14AP").await;
    assert_eq!(street_by_postcode.status, StatusCode::OK);
}
