//! My Account through the real router: a resident asks for a link, gets it by email (the
//! outbox), presses the button, sees every request made with that email on any channel,
//! and chooses how and in which language the council writes. Links work once and expire.

mod support;

use frontdoor_domain::{Locale, Reference};
use reqwest::StatusCode;
use support::{Browser, TestApp, pothole, spawn_app};

/// The sign-in links the outbox holds for `email`, oldest first.
async fn links_sent(app: &TestApp, email: &str) -> Vec<String> {
    let pool = app.pool().await;
    let bodies: Vec<(String,)> = sqlx::query_as(
        "SELECT body FROM outbox WHERE destination LIKE $1 AND body LIKE '%/account/sign-in/%' ORDER BY id",
    )
    .bind(format!("%{email}%"))
    .fetch_all(&pool)
    .await
    .unwrap();
    bodies
        .iter()
        .map(|(body,)| {
            let at = body.find("/account/sign-in/").unwrap();
            body[at..].split_whitespace().next().unwrap().to_owned()
        })
        .collect()
}

async fn ask_for_link(browser: &Browser, email: &str) -> support::Page {
    let form = browser.get("/account/sign-in").await;
    browser
        .submit(&form, "/account/sign-in", &[("email", email)])
        .await
}

async fn contact_us(browser: &Browser, email: &str) -> String {
    let form = browser.get("/contact-us").await;
    let sent = browser
        .submit(
            &form,
            "/contact-us",
            &[
                ("message", "The bins on our street were not emptied"),
                ("contact-name", "Pat Jones"),
                ("contact-email", email),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    browser.get(&sent.location.unwrap()).await.reference()
}

#[tokio::test]
async fn a_resident_signs_in_with_a_link_and_sees_every_request_made_with_their_email() {
    let app = spawn_app().await;
    let by_api = app.open_case(pothole("pat@example.org")).await;
    let resident = app.browser();
    let by_web = contact_us(&resident, "Pat@Example.org").await;
    let someone_else = app.open_case(pothole("sam@example.org")).await;

    let not_yet = resident.get("/account").await;
    assert_eq!(not_yet.location.as_deref(), Some("/account/sign-in"));
    let sent = ask_for_link(&resident, "pat@example.org").await;
    assert_eq!(sent.status, StatusCode::OK);
    sent.assert_contains("We have sent a link to pat@example.org");
    let again = ask_for_link(&resident, "pat@example.org").await;
    again.assert_contains("We have sent a link");
    let links = links_sent(&app, "pat@example.org").await;
    assert_eq!(
        links.len(),
        1,
        "a second ask within a minute sends nothing more"
    );

    // Opening the link does not use it (mail scanners open links); the button does.
    let confirm = resident.get(&links[0]).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert_eq!(resident.get(&links[0]).await.status, StatusCode::OK);
    let signed_in = resident.submit(&confirm, &links[0], &[]).await;
    assert_eq!(
        signed_in.location.as_deref(),
        Some("/account"),
        "{}",
        signed_in.body
    );
    let account = resident.get("/account").await;
    account.assert_contains("Signed in as pat@example.org");
    account.assert_contains(&by_api);
    account.assert_contains(&by_web);
    assert!(
        !account.body.contains(&someone_else),
        "only this email's requests"
    );

    // Signing in replaced the session, so the button is pressed from a fresh page.
    let confirm = resident.get(&links[0]).await;
    let used = resident.submit(&confirm, &links[0], &[]).await;
    assert_eq!(used.status, StatusCode::GONE);
    used.assert_contains("This sign-in link does not work any more");

    // Preferences: no texts without a mobile number; Welsh from now on.
    let no_phone = resident
        .submit(
            &account,
            "/account/preferences",
            &[("reply_by", "sms"), ("language", "cy")],
        )
        .await;
    assert_eq!(no_phone.status, StatusCode::UNPROCESSABLE_ENTITY);
    no_phone.assert_contains("We do not have a mobile number for you");
    let saved = resident
        .submit(
            &account,
            "/account/preferences",
            &[("reply_by", "email"), ("language", "cy")],
        )
        .await;
    assert_eq!(saved.location.as_deref(), Some("/account?saved=1"));
    resident
        .get("/account?saved=1")
        .await
        .assert_contains("Your choices are saved.");
    let case = app.case(&Reference::parse(&by_api).unwrap()).await;
    assert_eq!(
        case.language,
        Locale::Cy,
        "messages about the case will be in Welsh"
    );

    let page = resident.get("/account").await;
    let out = resident.submit(&page, "/account/sign-out", &[]).await;
    assert_eq!(out.location.as_deref(), Some("/"));
    let after = resident.get("/account").await;
    assert_eq!(after.location.as_deref(), Some("/account/sign-in"));
}

#[tokio::test]
async fn a_wrong_email_is_refused_and_an_expired_link_does_not_work() {
    let app = spawn_app().await;
    let resident = app.browser();
    let wrong = ask_for_link(&resident, "not an email").await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    wrong.assert_contains("Enter an email address in the correct format");

    let past = jiff::Timestamp::now() - jiff::SignedDuration::from_mins(1);
    app.store
        .add_sign_in_link("an-old-token-hash", "pat@example.org", past)
        .await
        .unwrap();
    let now = jiff::Timestamp::now();
    assert_eq!(
        app.store
            .use_sign_in_link("an-old-token-hash", now)
            .await
            .unwrap(),
        None
    );
    let made_up = resident.get("/account/sign-in/0123456789abcdef").await;
    let refused = resident
        .submit(&made_up, "/account/sign-in/0123456789abcdef", &[])
        .await;
    assert_eq!(refused.status, StatusCode::GONE);
}

/// Signs `browser` in to My Account as `email` with the link the outbox holds.
async fn sign_in_to_account(app: &TestApp, browser: &Browser, email: &str) {
    ask_for_link(browser, email).await;
    let link = links_sent(app, email).await.pop().unwrap();
    let confirm = browser.get(&link).await;
    let signed_in = browser.submit(&confirm, &link, &[]).await;
    assert_eq!(signed_in.location.as_deref(), Some("/account"));
}

#[tokio::test]
async fn signing_in_proves_what_the_resident_sends_from_then_on_not_what_others_typed_before() {
    let app = spawn_app().await;
    // Someone else types Pat's address on a form before Pat ever signs in.
    let stranger = app.browser();
    let typed = contact_us(&stranger, "pat@example.org").await;

    let pat = app.browser();
    sign_in_to_account(&app, &pat, "pat@example.org").await;
    let first = contact_us(&pat, "Pat@example.org").await;
    let second = contact_us(&pat, "pat@example.org").await;

    let record = |reference: String| {
        let app = &app;
        async move {
            let case = app.case(&Reference::parse(&reference).unwrap()).await;
            let person = app.store.person(case.person_id).await.unwrap().unwrap();
            (
                case.person_id,
                person.records.iter().any(|r| r.identity.email_verified),
            )
        }
    };
    let (typed_person, typed_proven) = record(typed).await;
    let (first_person, first_proven) = record(first).await;
    let (second_person, _) = record(second).await;
    assert!(
        !typed_proven,
        "signing in later does not prove what someone else typed"
    );
    assert!(
        first_proven,
        "a signed-in resident's own contact proves the address"
    );
    assert_eq!(
        first_person, second_person,
        "two proven contacts are one resident"
    );
    assert_ne!(
        typed_person, first_person,
        "the typed one is not joined to them"
    );
}
