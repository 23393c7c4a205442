//! Rate limits through the real server: guessing a staff password, and flooding the public
//! forms and API from one address.

mod support;

use reqwest::StatusCode;
use serde_json::json;
use support::{spawn_app, spawn_app_with, test_settings};

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
