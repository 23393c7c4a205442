//! Residents read Front Door in Welsh: chosen by the browser's language or the toggle,
//! through a whole journey, with answers stored in the catalogue's English words.

mod support;

use reqwest::StatusCode;
use support::{Browser, sign_in, spawn_app};

const BIN: &str = "/services/missed-bin-collection";

/// A browser that has pressed the language toggle on the home page.
async fn welsh_browser(app: &support::TestApp) -> Browser {
    let browser = app.browser();
    let switched = browser.get("/language?to=cy&back=%2F").await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    assert_eq!(switched.location.as_deref(), Some("/"));
    browser
}

#[tokio::test]
async fn the_browser_language_chooses_welsh_and_says_so() {
    let app = spawn_app().await;
    let response = reqwest::Client::new()
        .get(format!("{}/", app.address))
        .header("accept-language", "cy-GB,cy;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-language"], "cy");
    let vary = response.headers()["vary"].to_str().unwrap().to_owned();
    assert!(vary.contains("Accept-Language"), "{vary}");
    let body = response.text().await.unwrap();
    assert!(body.contains(r#"<html lang="cy""#), "{body}");
    assert!(body.contains("Cyngor Demo"));
    assert!(body.contains("Biniau, ailgylchu a gwastraff"));
    assert!(
        body.contains(r#"lang="en" hreflang="en">English</a>"#),
        "{body}"
    );

    let english = app.browser().get("/").await;
    english.assert_contains(r#"<html lang="en""#);
    english.assert_contains(r#"hreflang="cy">Cymraeg</a>"#);
    english.assert_contains("Bins, recycling and waste");
}

#[tokio::test]
async fn the_toggle_is_remembered_and_only_returns_to_this_site() {
    let app = spawn_app().await;
    let browser = welsh_browser(&app).await;
    let page = browser.get(BIN).await;
    page.assert_contains("Rhoi gwybod am fin heb ei gasglu");
    page.assert_contains("Dechrau nawr");
    // The toggle on this page links back to it.
    page.assert_contains("/language?to=en&#38;back=%2Fservices%2Fmissed-bin-collection");

    // Search finds services by their Welsh words and shows Welsh names.
    let found = browser.get("/search?q=twll").await;
    found.assert_contains("Canlyniadau chwilio");
    found.assert_contains("Rhoi gwybod am dwll yn y ffordd");
    let found = browser.get("/search?q=missed+bin").await;
    found.assert_contains("Rhoi gwybod am fin heb ei gasglu");

    // The public list and its GeoJSON name problems and statuses in Welsh too.
    let created = reqwest::Client::new()
        .post(format!("{}/api/v1/cases", app.address))
        .json(&support::pothole("pat@example.org"))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let reports = browser.get("/reports").await;
    reports.assert_contains("Problemau sydd wedi&#39;u hadrodd yn yr ardal");
    let geojson = browser.get("/reports.geojson").await;
    assert!(
        geojson.body.contains("\"status_name\":\"Wedi dod i law\""),
        "{}",
        geojson.body
    );
    assert!(geojson.body.contains("Rhoi gwybod am"), "{}", geojson.body);

    let back = browser
        .get("/language?to=en&back=%2Fservices%2Fmissed-bin-collection")
        .await;
    assert_eq!(back.location.as_deref(), Some(BIN));
    browser.get(BIN).await.assert_contains("Start now");

    let away = app
        .browser()
        .get("/language?to=cy&back=%2F%2Fevil.example%2F")
        .await;
    assert_eq!(away.location.as_deref(), Some("/"));
    let unknown = app.browser().get("/language?to=fr&back=%2F").await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    unknown.assert_contains("Choose English or Welsh.");
}

#[tokio::test]
async fn errors_are_in_welsh_with_the_catalogues_words() {
    let app = spawn_app().await;
    let browser = welsh_browser(&app).await;
    let question = browser.get(&format!("{BIN}/questions/1")).await;
    question.assert_contains("Pa fin na chafodd ei gasglu?");
    question.assert_contains("Gwastraff cyffredinol (bin du)");
    // The radio's value stays in English: that is what is stored.
    question.assert_contains(r#"value="General waste (black bin)""#);
    let refused = browser
        .submit(&question, &format!("{BIN}/questions/1"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("<title>Gwall:");
    refused.assert_contains("Mae problem wedi codi");
    refused.assert_contains("Dewiswch pa fin na chafodd ei gasglu");

    let date = browser.get(&format!("{BIN}/questions/2")).await;
    let refused = browser
        .submit(
            &date,
            &format!("{BIN}/questions/2"),
            &[
                ("collection-date-day", "31"),
                ("collection-date-month", "2"),
                ("collection-date-year", "2026"),
            ],
        )
        .await;
    refused.assert_contains("Rhaid i&#39;r dyddiad casglu fod yn ddyddiad go iawn");
    let missing = browser.get("/no-such-page").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    missing.assert_contains("Heb ddod o hyd i&#39;r dudalen");
}

#[tokio::test]
async fn a_welsh_speaker_reports_a_missed_bin_and_staff_read_it_in_english() {
    let app = spawn_app().await;
    let browser = welsh_browser(&app).await;
    let yesterday = jiff::Timestamp::now()
        .to_zoned_datetime(frontdoor_domain::calendar::london())
        .date()
        .yesterday()
        .unwrap();
    let answers: [(&str, Vec<(&str, String)>); 5] = [
        ("1", vec![("bin-type", "Recycling (blue bin)".into())]),
        (
            "2",
            vec![
                ("collection-date-day", yesterday.day().to_string()),
                ("collection-date-month", yesterday.month().to_string()),
                ("collection-date-year", yesterday.year().to_string()),
            ],
        ),
        ("3", vec![("out-by-7am", "Yes".into())]),
        ("4", vec![("location-uprn", "100090000072".into())]),
        ("5", vec![("details", String::new())]),
    ];
    for (number, fields) in &answers {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        browser
            .answer(&format!("{BIN}/questions/{number}"), &fields)
            .await;
    }
    let contact = browser.get(&format!("{BIN}/contact")).await;
    contact.assert_contains("Eich manylion cyswllt");
    browser
        .answer(
            &format!("{BIN}/contact"),
            &[
                ("contact-name", "Siân Jones"),
                ("contact-email", "sian@example.org"),
            ],
        )
        .await;
    let check = browser.get(&format!("{BIN}/check")).await;
    check.assert_contains("Gwiriwch eich atebion cyn anfon eich cais");
    check.assert_contains("Ailgylchu (bin glas)");
    check.assert_contains(">Ie<");
    let month = frontdoor_domain::i18n::month_name(frontdoor_domain::Locale::Cy, yesterday.month());
    check.assert_contains(&format!("{} {month} {}", yesterday.day(), yesterday.year()));
    browser.submit(&check, &format!("{BIN}/check"), &[]).await;
    let confirmation = browser.get(&format!("{BIN}/confirmation")).await;
    confirmation.assert_contains("Cais wedi&#39;i anfon");
    confirmation.assert_contains("Bydd y tîm Amgylchedd yn gweithredu ar eich cais erbyn");
    let reference = confirmation.reference();

    let form = browser.get("/track").await;
    let tracked = browser
        .submit(
            &form,
            "/track",
            &[("reference", &reference), ("contact", "sian@example.org")],
        )
        .await;
    tracked.assert_contains("Wedi dod i law");
    tracked.assert_contains("Fe gawson ni eich cais (ar y wefan)");

    // The acknowledgement is in Welsh, with the service's Welsh name.
    let parsed = frontdoor_domain::Reference::parse(&reference).unwrap();
    let id = app.case(&parsed).await.summary.id;
    let outbox = app.store.outbox_for_case(id).await.unwrap();
    let ack = &outbox[0];
    assert!(ack.body.starts_with("Annwyl Siân Jones"), "{}", ack.body);
    assert!(ack.body.contains("Cyngor Demo"), "{}", ack.body);
    assert!(
        ack.subject.contains("Rhoi gwybod am fin heb ei gasglu"),
        "{}",
        ack.subject
    );

    // Stored in the catalogue's words, so staff and reports read it in English.
    let staff = sign_in(&app).await;
    let case = staff.get(&format!("/console/cases/{reference}")).await;
    case.assert_contains("Recycling (blue bin)");
    case.assert_contains(r#"<html lang="en""#);
    assert!(!case.body.contains("Cymraeg"), "the console has no toggle");

    // An officer closes it in English; the resident hears of it, and is asked how it went,
    // in Welsh.
    let closed = staff
        .submit(
            &case,
            &format!("/console/cases/{reference}/status"),
            &[("status", "closed"), ("outcome", "Bin emptied")],
        )
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
    let outbox = app.store.outbox_for_case(id).await.unwrap();
    let closing = outbox.last().unwrap();
    assert!(
        closing.body.contains("Wedi'i gau: Bin emptied"),
        "{}",
        closing.body
    );
    assert!(
        closing.body.contains("Sut wnaethon ni?"),
        "{}",
        closing.body
    );
    assert!(
        closing.subject.starts_with("Diweddariad ar eich cais"),
        "{}",
        closing.subject
    );
}

#[tokio::test]
async fn an_english_speaker_still_hears_back_in_english() {
    let app = spawn_app().await;
    let browser = app.browser();
    let question = browser.get("/contact-us").await;
    let sent = browser
        .submit(
            &question,
            "/contact-us",
            &[
                (
                    "message",
                    "The street light outside 4 High Street is flickering",
                ),
                ("contact-name", "Jo Bloggs"),
                ("contact-email", "jo@example.org"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let page = browser.get("/contact-us/confirmation").await;
    let parsed = frontdoor_domain::Reference::parse(&page.reference()).unwrap();
    let id = app.case(&parsed).await.summary.id;
    let outbox = app.store.outbox_for_case(id).await.unwrap();
    assert!(
        outbox[0].body.starts_with("Dear Jo Bloggs"),
        "{}",
        outbox[0].body
    );
}

#[tokio::test]
async fn a_place_chosen_on_the_map_reads_in_welsh() {
    let app = spawn_app().await;
    let browser = welsh_browser(&app).await;
    let pothole = "/services/pothole-report";
    browser
        .answer(
            &format!("{pothole}/questions/1"),
            &[("surface", "On the road")],
        )
        .await;
    browser
        .answer(
            &format!("{pothole}/questions/2"),
            &[("size", "Larger than a car tyre")],
        )
        .await;
    browser
        .answer(
            &format!("{pothole}/questions/3"),
            &[("location-lat", "52.99"), ("location-lon", "-1.52")],
        )
        .await;
    // A required description left blank: the error mutates the summary as Welsh does.
    let details = browser.get(&format!("{pothole}/questions/4")).await;
    let refused = browser
        .submit(
            &details,
            &format!("{pothole}/questions/4"),
            &[("details", "")],
        )
        .await;
    refused.assert_contains("Rhowch ddisgrifiad o&#39;r broblem");
    browser
        .answer(
            &format!("{pothole}/questions/4"),
            &[("details", "Twll dwfn wrth y gatiau")],
        )
        .await;
    browser
        .answer(
            &format!("{pothole}/contact"),
            &[
                ("contact-name", "Siân Jones"),
                ("contact-postcode", "DC1 1AA"),
            ],
        )
        .await;
    let check = browser.get(&format!("{pothole}/check")).await;
    check.assert_contains("Pwynt ar y map 52.99");
    check.assert_contains("Mwy na theiar car");
}
