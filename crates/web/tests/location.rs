//! Location reports: finding the place with and without a map, the council's boundary and
//! wards, following a nearby report instead of making another, and the public map.

mod support;

use reqwest::StatusCode;
use support::{Browser, Page, TestApp, spawn_app};

const POTHOLE: &str = "/services/pothole-report";
const FLY_TIPPING: &str = "/services/fly-tipping-report";

/// Answers the pothole form up to the check page, placing the pothole at a map point.
async fn pothole_to_check(browser: &Browser, lat: &str, lon: &str, email: &str) -> Page {
    browser
        .answer(
            &format!("{POTHOLE}/questions/1"),
            &[("surface", "On the road")],
        )
        .await;
    browser
        .answer(
            &format!("{POTHOLE}/questions/2"),
            &[("size", "Larger than a car tyre")],
        )
        .await;
    browser
        .answer(
            &format!("{POTHOLE}/questions/3"),
            &[("location-lat", lat), ("location-lon", lon)],
        )
        .await;
    browser
        .answer(
            &format!("{POTHOLE}/questions/4"),
            &[("details", "Deep hole in the left lane, my tyre burst")],
        )
        .await;
    let next = browser
        .answer(
            &format!("{POTHOLE}/contact"),
            &[("contact-name", "Alex Driver"), ("contact-email", email)],
        )
        .await;
    browser.get(&next).await
}

async fn send(browser: &Browser, check: &Page, slug_path: &str) -> String {
    let sent = browser
        .submit(check, &format!("{slug_path}/check"), &[])
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let confirmation = browser.get(&sent.location.unwrap()).await;
    confirmation.reference()
}

async fn place_of(app: &TestApp, reference: &str) -> frontdoor_domain::Place {
    let reference = frontdoor_domain::Reference::parse(reference).unwrap();
    let case = app
        .store
        .case_by_reference(&reference)
        .await
        .unwrap()
        .unwrap();
    app.store
        .case_place(case.summary.id)
        .await
        .unwrap()
        .expect("a place")
}

#[tokio::test]
async fn resident_without_javascript_finds_an_address_by_postcode() {
    let app = spawn_app().await;
    let browser = app.browser();
    browser
        .answer(
            &format!("{FLY_TIPPING}/questions/1"),
            &[("waste-type", "Tyres")],
        )
        .await;
    browser
        .answer(
            &format!("{FLY_TIPPING}/questions/2"),
            &[("size", "A car boot load")],
        )
        .await;
    let path = format!("{FLY_TIPPING}/questions/3");
    let form = browser.get(&path).await;
    form.assert_contains("Postcode or street name");
    form.assert_contains("There is no address for this place");
    let empty = browser
        .submit(&form, &path, &[("find", "1"), ("location-search", "")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    empty.assert_contains(r##"href="#location-search">Enter a postcode or street name"##);
    let nothing = browser
        .submit(
            &form,
            &path,
            &[("find", "1"), ("location-search", "ZZ9 9ZZ")],
        )
        .await;
    nothing.assert_contains("No addresses found for &#39;ZZ9 9ZZ&#39;");
    let found = browser
        .submit(
            &form,
            &path,
            &[("find", "1"), ("location-search", "dc2 1aa")],
        )
        .await;
    assert_eq!(found.status, StatusCode::OK);
    found.assert_contains("1 Mill Lane, Demoton, DC2 1AA");
    found.assert_contains(r#"value="100090000061""#);
    let chosen = browser
        .submit(&found, &path, &[("location-uprn", "100090000061")])
        .await;
    assert_eq!(chosen.status, StatusCode::SEE_OTHER, "{}", chosen.body);
    browser
        .answer(
            &format!("{FLY_TIPPING}/questions/4"),
            &[("witnessed", "No")],
        )
        .await;
    browser
        .answer(&format!("{FLY_TIPPING}/questions/5"), &[("details", "")])
        .await;
    let next = browser
        .answer(
            &format!("{FLY_TIPPING}/contact"),
            &[
                ("contact-name", "Sam Walker"),
                ("contact-postcode", "DC2 1AA"),
            ],
        )
        .await;
    let check = browser.get(&next).await;
    check.assert_contains("1 Mill Lane, Demoton, DC2 1AA");
    let reference = send(&browser, &check, FLY_TIPPING).await;
    let place = place_of(&app, &reference).await;
    assert_eq!(place.ward.as_deref(), Some("Riverside"));
    assert_eq!(place.uprn.as_deref(), Some("100090000061"));
    assert!(place.point.is_some());
}

#[tokio::test]
async fn a_street_and_a_description_is_enough_without_an_address() {
    let app = spawn_app().await;
    let browser = app.browser();
    browser
        .answer(
            &format!("{POTHOLE}/questions/1"),
            &[("surface", "On the pavement")],
        )
        .await;
    browser
        .answer(
            &format!("{POTHOLE}/questions/2"),
            &[("size", "Smaller than a dinner plate")],
        )
        .await;
    let path = format!("{POTHOLE}/questions/3");
    let form = browser.get(&path).await;
    let half = browser
        .submit(&form, &path, &[("location-street", "Abbey Road")])
        .await;
    assert_eq!(half.status, StatusCode::UNPROCESSABLE_ENTITY);
    half.assert_contains(r##"href="#location-description">Describe where on the street it is"##);
    half.assert_contains(r#"<details class="govuk-details" open>"#);
    let nothing = browser.submit(&form, &path, &[]).await;
    nothing.assert_contains("Enter a postcode or street name to find the place");
    let next = browser
        .submit(
            &form,
            &path,
            &[
                ("location-street", "abbey road"),
                ("location-description", "Opposite the church gates"),
            ],
        )
        .await;
    assert_eq!(next.status, StatusCode::SEE_OTHER, "{}", next.body);
    browser
        .answer(
            &format!("{POTHOLE}/questions/4"),
            &[("details", "Cracked slabs")],
        )
        .await;
    let next = browser
        .answer(
            &format!("{POTHOLE}/contact"),
            &[
                ("contact-name", "Ann Lee"),
                ("contact-email", "ann@example.com"),
            ],
        )
        .await;
    let check = browser.get(&next).await;
    check.assert_contains("Abbey Road, Opposite the church gates");
    let reference = send(&browser, &check, POTHOLE).await;
    let place = place_of(&app, &reference).await;
    // The gazetteer knows the street, so the report gets its ward, but no exact point.
    assert_eq!(place.ward.as_deref(), Some("Abbey"));
    assert_eq!(place.point, None);
}

#[tokio::test]
async fn a_point_outside_the_council_names_who_to_contact_instead() {
    let app = spawn_app().await;
    let browser = app.browser();
    let path = format!("{POTHOLE}/questions/3");
    let form = browser.get(&path).await;
    let north = browser
        .submit(
            &form,
            &path,
            &[("location-lat", "53.1"), ("location-lon", "-1.5")],
        )
        .await;
    assert_eq!(north.status, StatusCode::UNPROCESSABLE_ENTITY);
    north.assert_contains("This place is outside Demo Council&#39;s area");
    north.assert_contains("Northby District Council");
    north.assert_contains("01632 960100");
    // The hole in the boundary is a neighbour's enclave.
    let enclave = browser
        .submit(
            &form,
            &path,
            &[("location-lat", "52.975"), ("location-lon", "-1.452")],
        )
        .await;
    enclave.assert_contains("Eastwick Borough Council");
    let nowhere = browser
        .submit(
            &form,
            &path,
            &[("location-lat", "51.5"), ("location-lon", "-0.1")],
        )
        .await;
    nowhere.assert_contains("https://www.gov.uk/find-local-council");
    let nonsense = browser
        .submit(
            &form,
            &path,
            &[("location-lat", "north"), ("location-lon", "-1.5")],
        )
        .await;
    nonsense.assert_contains("Latitude must be a number between -90 and 90");
    // The detached part of the council (an exclave) is inside, in Meadow ward.
    let exclave = browser
        .submit(
            &form,
            &path,
            &[("location-lat", "52.98"), ("location-lon", "-1.40")],
        )
        .await;
    assert_eq!(exclave.status, StatusCode::SEE_OTHER, "{}", exclave.body);
}

#[tokio::test]
async fn a_resident_follows_a_report_across_a_ward_edge_instead_of_reporting_again() {
    let app = spawn_app().await;
    // Station Road crosses from Abbey ward (west of -1.49) into Meadow ward.
    let first = app.browser();
    let check = pothole_to_check(&first, "52.990000", "-1.490200", "first@example.com").await;
    assert!(!check.body.contains("Has this already been reported?"));
    let reference = send(&first, &check, POTHOLE).await;
    assert_eq!(
        place_of(&app, &reference).await.ward.as_deref(),
        Some("Abbey")
    );

    // 27 metres east, over the ward boundary: still offered.
    let second = app.browser();
    let check = pothole_to_check(&second, "52.990000", "-1.489800", "second@example.com").await;
    check.assert_contains("Has this already been reported?");
    check.assert_contains(&format!("Follow report {reference} instead"));
    check.assert_contains("27 metres away");
    let followed = second
        .submit(
            &check,
            &format!("{POTHOLE}/follow"),
            &[("reference", &reference)],
        )
        .await;
    assert_eq!(followed.status, StatusCode::SEE_OTHER, "{}", followed.body);
    let page = second.get(&followed.location.unwrap()).await;
    page.assert_contains("You are following this report");
    page.assert_contains(&reference);

    let case = app
        .store
        .case_by_reference(&frontdoor_domain::Reference::parse(&reference).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        case.contacts.len(),
        2,
        "the follower's report is kept on the case"
    );
    assert_eq!(app.store.count_followers(case.summary.id).await.unwrap(), 1);

    // When the case is resolved, the follower hears too.
    let staff = support::sign_in_as(&app, "hal@demo-council.example", "highways").await;
    let page = staff.get(&format!("/console/cases/{reference}")).await;
    let resolved = staff
        .submit(
            &page,
            &format!("/console/cases/{reference}/status"),
            &[
                ("status", "resolved"),
                ("outcome", "The pothole was filled"),
            ],
        )
        .await;
    assert_eq!(resolved.status, StatusCode::SEE_OTHER, "{}", resolved.body);
    let outbox = app.store.outbox_for_case(case.summary.id).await.unwrap();
    let told: Vec<_> = outbox
        .iter()
        .filter(|m| m.body.contains("The pothole was filled"))
        .map(|m| m.destination.describe())
        .collect();
    assert_eq!(
        told,
        ["email to first@example.com", "email to second@example.com"],
        "the reporter and the follower"
    );

    // The follower tracks the report with their own email address.
    let track = second.get("/track").await;
    let result = second
        .submit(
            &track,
            "/track",
            &[("reference", &reference), ("contact", "second@example.com")],
        )
        .await;
    assert_eq!(result.status, StatusCode::OK, "{}", result.body);
    result.assert_contains("Someone else reported the same problem");

    // 80 metres away is too far to be the same pothole.
    let third = app.browser();
    let check = pothole_to_check(&third, "52.990000", "-1.489030", "third@example.com").await;
    assert!(!check.body.contains("Has this already been reported?"));
    // A report that is not nearby cannot be followed by posting its reference.
    let refused = third
        .submit(
            &check,
            &format!("{POTHOLE}/follow"),
            &[("reference", &reference)],
        )
        .await;
    assert_eq!(
        refused.location.as_deref(),
        Some("/services/pothole-report/check")
    );
}

#[tokio::test]
async fn the_public_map_lists_street_reports_without_personal_data() {
    let app = spawn_app().await;
    let browser = app.browser();
    let check = pothole_to_check(&browser, "53.010000", "-1.530000", "driver@example.com").await;
    let reference = send(&browser, &check, POTHOLE).await;

    let list = browser.get("/reports").await;
    assert_eq!(list.status, StatusCode::OK);
    list.assert_contains(&reference);
    list.assert_contains("Report a pothole or road defect");
    list.assert_contains("Castle");
    assert!(!list.body.contains("Alex Driver"));
    assert!(!list.body.contains("tyre burst"));

    let geojson: serde_json::Value = app
        .browser()
        .client
        .get(format!("{}/reports.geojson?ward=Castle", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let features = geojson["features"].as_array().unwrap();
    assert_eq!(features.len(), 1);
    assert_eq!(features[0]["properties"]["reference"], reference.as_str());
    assert_eq!(features[0]["geometry"]["coordinates"][1], 53.01);
    assert!(!geojson.to_string().contains("driver@example.com"));

    let other_ward = browser.get("/reports.geojson?ward=Abbey").await;
    assert!(!other_ward.body.contains(&reference));
    let private = browser.get("/reports?service=missed-bin-collection").await;
    assert_eq!(private.status, StatusCode::BAD_REQUEST);
    private.assert_contains("Select a type of problem from the list");
    let bogus = browser.get("/reports.geojson?ward=Atlantis").await;
    assert_eq!(bogus.status, StatusCode::BAD_REQUEST);
    bogus.assert_contains("Select a ward from the list");
}
