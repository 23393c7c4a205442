//! Residents' and staff journeys through the real router, over HTTP, on a real SQLite file.

mod support;

use reqwest::StatusCode;
use support::{Browser, sign_in, spawn_app};

const BIN: &str = "/services/missed-bin-collection";

/// Answers every question of the missed-bin form and sends it; returns the reference shown.
async fn report_missed_bin(browser: &Browser, email: &str, postcode: &str) -> String {
    let yesterday = jiff::Timestamp::now()
        .to_zoned_datetime(frontdoor_domain::calendar::london())
        .date()
        .yesterday()
        .unwrap();
    let (day, month, year) = (
        yesterday.day().to_string(),
        yesterday.month().to_string(),
        yesterday.year().to_string(),
    );
    let next = browser
        .answer(
            &format!("{BIN}/questions/1"),
            &[("bin-type", "Recycling (blue bin)")],
        )
        .await;
    assert_eq!(next, format!("{BIN}/questions/2"));
    browser
        .answer(
            &next,
            &[
                ("collection-date-day", &day),
                ("collection-date-month", &month),
                ("collection-date-year", &year),
            ],
        )
        .await;
    browser
        .answer(&format!("{BIN}/questions/3"), &[("out-by-7am", "Yes")])
        .await;
    browser
        .answer(
            &format!("{BIN}/questions/4"),
            &[("location-uprn", "100090000072")],
        )
        .await;
    let next = browser
        .answer(&format!("{BIN}/questions/5"), &[("details", "")])
        .await;
    assert_eq!(next, format!("{BIN}/contact"));
    let next = browser
        .answer(
            &next,
            &[
                ("contact-name", "Jo Bloggs"),
                ("contact-email", email),
                ("contact-postcode", postcode),
            ],
        )
        .await;
    assert_eq!(next, format!("{BIN}/check"));
    let check = browser.get(&next).await;
    check.assert_contains("Check your answers before sending your request");
    check.assert_contains("Recycling (blue bin)");
    check.assert_contains("12 Mill Lane, Demoton, DC2 1AB");
    let sent = browser.submit(&check, &format!("{BIN}/check"), &[]).await;
    assert_eq!(
        sent.location.as_deref(),
        Some(format!("{BIN}/confirmation").as_str())
    );
    let confirmation = browser.get(&format!("{BIN}/confirmation")).await;
    confirmation.assert_contains("Request sent");
    confirmation.reference()
}

#[tokio::test]
async fn resident_finds_reports_and_tracks_a_missed_bin() {
    let app = spawn_app().await;
    let resident = app.browser();
    let home = resident.get("/").await;
    home.assert_contains("Bins, recycling and waste");
    let topic = resident.get("/topics/bins-recycling").await;
    topic.assert_contains(r#"href="/services/missed-bin-collection""#);
    let search = resident.get("/search?q=bin+not+collected").await;
    search.assert_contains("Report a missed bin collection");
    resident.get(BIN).await.assert_contains("Start now");

    let reference = report_missed_bin(&resident, "jo@example.org", "DC1 2BD").await;
    assert!(
        frontdoor_domain::Reference::parse(&reference).is_ok(),
        "{reference}"
    );

    let tracked = app.browser().track(&reference, "JO@example.org").await;
    assert_eq!(tracked.status, StatusCode::OK, "{}", tracked.body);
    tracked.assert_contains("Received");
    tracked.assert_contains("We promised to act by");
    tracked.assert_contains("We received your request (on the website)");
    let by_postcode = app
        .browser()
        .track(&reference.to_lowercase().replace('-', ""), "dc12bd")
        .await;
    assert_eq!(by_postcode.status, StatusCode::OK);
}

#[tokio::test]
async fn a_second_send_of_the_same_form_does_not_open_a_second_case() {
    let app = spawn_app().await;
    let resident = app.browser();
    report_missed_bin(&resident, "jo@example.org", "DC1 2BD").await;
    let again = resident.get(&format!("{BIN}/check")).await;
    assert_eq!(
        again.location.as_deref(),
        Some(format!("{BIN}/questions/1").as_str())
    );
    assert_eq!(app.store.count_cases().await.unwrap(), 1);
}

#[tokio::test]
async fn form_errors_link_to_the_field_and_keep_what_was_typed() {
    let app = spawn_app().await;
    let resident = app.browser();
    let form = resident.get(&format!("{BIN}/questions/1")).await;
    let refused = resident
        .submit(&form, &format!("{BIN}/questions/1"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("There is a problem");
    refused.assert_contains(r##"<a href="#bin-type">Select which bin was missed</a>"##);
    refused.assert_contains("<title>Error: ");

    let form = resident.get(&format!("{BIN}/questions/2")).await;
    let partial = resident
        .submit(
            &form,
            &format!("{BIN}/questions/2"),
            &[
                ("collection-date-day", "3"),
                ("collection-date-month", ""),
                ("collection-date-year", "2026"),
            ],
        )
        .await;
    assert_eq!(partial.status, StatusCode::UNPROCESSABLE_ENTITY);
    partial.assert_contains(
        r##"<a href="#collection-date-month">The collection date must include a month</a>"##,
    );
    partial.assert_contains(
        r#"name="collection-date-year" type="text" inputmode="numeric" value="2026""#,
    );

    let form = resident.get(&format!("{BIN}/contact")).await;
    let contact = resident
        .submit(
            &form,
            &format!("{BIN}/contact"),
            &[("contact-name", "Jo"), ("contact-email", "jo@nowhere")],
        )
        .await;
    assert_eq!(contact.status, StatusCode::UNPROCESSABLE_ENTITY);
    contact.assert_contains("Enter an email address in the correct format, like name@example.com");
    contact.assert_contains(r#"value="jo@nowhere""#);
}

#[tokio::test]
async fn a_mistyped_reference_is_rejected_not_misdirected() {
    let app = spawn_app().await;
    let reference = report_missed_bin(&app.browser(), "jo@example.org", "DC1 2BD").await;
    let mut wrong: Vec<char> = reference.chars().collect();
    wrong.swap(0, 1);
    if wrong[0] == wrong[1] {
        wrong[2] = if wrong[2] == 'A' { 'B' } else { 'A' };
    }
    let wrong: String = wrong.into_iter().collect();
    let refused = app.browser().track(&wrong, "jo@example.org").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("Check the reference number: one or more characters are wrong");
}

#[tokio::test]
async fn a_resident_cannot_see_another_residents_case() {
    let app = spawn_app().await;
    let jo = report_missed_bin(&app.browser(), "jo@example.org", "DC1 2BD").await;
    report_missed_bin(&app.browser(), "al@example.org", "DC4 9XY").await;
    for guess in ["al@example.org", "DC4 9XY", "", "jo@example"] {
        let refused = app.browser().track(&jo, guess).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{guess}");
        assert!(!refused.body.contains("We promised to act by"), "{guess}");
    }
}

#[tokio::test]
async fn forms_without_the_sessions_csrf_token_are_refused() {
    let app = spawn_app().await;
    let resident = app.browser();
    resident.get(&format!("{BIN}/questions/1")).await;
    let forged = resident
        .post(
            &format!("{BIN}/questions/1"),
            &[
                ("bin-type", "Recycling (blue bin)"),
                ("csrf_token", "forged"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let missing = resident
        .post("/track", &[("reference", "ABCD-EFGH"), ("contact", "x")])
        .await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);

    let staff = sign_in(&app).await;
    let reference = report_missed_bin(&app.browser(), "jo@example.org", "DC1 2BD").await;
    let forged = staff
        .post(
            &format!("/console/cases/{reference}/assign"),
            &[("csrf_token", "")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let other = app.browser();
    let token_from_another_session = other.get("/console/sign-in").await.csrf();
    let crossed = staff
        .post(
            &format!("/console/cases/{reference}/notes"),
            &[("csrf_token", &token_from_another_session), ("note", "x")],
        )
        .await;
    assert_eq!(crossed.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn staff_work_a_case_from_the_waste_queue_and_the_resident_sees_each_change() {
    let app = spawn_app().await;
    let reference = report_missed_bin(&app.browser(), "jo@example.org", "DC1 2BD").await;
    let staff = sign_in(&app).await;

    let queue = staff.get("/console/queues/waste").await;
    queue.assert_contains(&reference);
    let case = staff.get(&format!("/console/cases/{reference}")).await;
    case.assert_contains("Recycling (blue bin)");
    case.assert_contains("jo@example.org");

    let assigned = staff
        .submit(&case, &format!("/console/cases/{reference}/assign"), &[])
        .await;
    assert_eq!(assigned.status, StatusCode::SEE_OTHER, "{}", assigned.body);
    let case = staff.get(&format!("/console/cases/{reference}")).await;
    case.assert_contains(r#"id="assigned-to">Sam Officer"#);
    let noted = staff
        .submit(
            &case,
            &format!("/console/cases/{reference}/notes"),
            &[("note", "Crew returning tomorrow"), ("visible", "yes")],
        )
        .await;
    assert_eq!(noted.status, StatusCode::SEE_OTHER);
    let started = staff
        .submit(
            &case,
            &format!("/console/cases/{reference}/status"),
            &[("status", "in-progress"), ("outcome", "")],
        )
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);

    let no_outcome = staff
        .submit(
            &case,
            &format!("/console/cases/{reference}/status"),
            &[("status", "closed"), ("outcome", " ")],
        )
        .await;
    assert_eq!(no_outcome.status, StatusCode::UNPROCESSABLE_ENTITY);
    no_outcome.assert_contains(r##"<a href="#outcome">Enter the outcome of the case</a>"##);
    let closed = staff
        .submit(
            &case,
            &format!("/console/cases/{reference}/status"),
            &[("status", "closed"), ("outcome", "Bin collected")],
        )
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);

    let tracked = app.browser().track(&reference, "jo@example.org").await;
    tracked.assert_contains(r#"id="status">Closed"#);
    tracked.assert_contains("Closed: Bin collected");
    tracked.assert_contains("Status changed to: In progress");
    tracked.assert_contains("Update from the council: Crew returning tomorrow");
    tracked.assert_contains("An officer in the Waste team is dealing with your request");
    assert!(
        !tracked.body.contains("Sam Officer"),
        "officers' names stay inside the council"
    );

    let queue = staff.get("/console/queues/waste").await;
    assert!(
        !queue.body.contains(&reference),
        "a closed case leaves the queue"
    );
}

#[tokio::test]
async fn the_queue_is_ordered_by_due_date() {
    let app = spawn_app().await;
    let slow = app.browser();
    let bulky = "/services/bulky-waste-collection";
    slow.answer(&format!("{bulky}/questions/1"), &[("items", "1 sofa")])
        .await;
    slow.answer(
        &format!("{bulky}/questions/2"),
        &[("location-uprn", "100090000001")],
    )
    .await;
    slow.answer(
        &format!("{bulky}/questions/3"),
        &[
            ("preferred-date-day", "1"),
            ("preferred-date-month", "1"),
            ("preferred-date-year", "2100"),
        ],
    )
    .await;
    slow.answer(
        &format!("{bulky}/contact"),
        &[("contact-name", "Al"), ("contact-postcode", "DC1 1AA")],
    )
    .await;
    let check = slow.get(&format!("{bulky}/check")).await;
    slow.submit(&check, &format!("{bulky}/check"), &[]).await;
    let quick = report_missed_bin(&app.browser(), "jo@example.org", "DC1 2BD").await;
    let staff = sign_in(&app).await;
    let queue = staff.get("/console/queues/waste").await;
    let first_bulky = queue.body.find("Book a bulky waste collection").unwrap();
    let first_missed = queue.body.find(&quick).unwrap();
    assert!(
        first_missed < first_bulky,
        "the 2-day SLA case comes before the 10-day one"
    );
}

#[tokio::test]
async fn staff_record_a_phone_contact_for_any_service() {
    let app = spawn_app().await;
    let staff = sign_in(&app).await;
    let chooser = staff.get("/console/contacts/new").await;
    chooser.assert_contains("Report a pothole or road defect");
    let path = "/console/contacts/new?service=pothole-report";
    let form = staff.get(path).await;
    let refused = staff.submit(&form, path, &[("contact-name", "Pat")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("Select how the resident contacted us");
    refused.assert_contains("Select where the damage is");
    let recorded = staff
        .submit(
            &form,
            path,
            &[
                ("channel", "phone"),
                (
                    "said",
                    "Caller says there is a deep pothole outside the school",
                ),
                ("surface", "On the road"),
                ("size", "Larger than a car tyre"),
                ("location-street", "School Lane"),
                ("location-description", "By the crossing"),
                ("details", "Outside the school gates"),
                ("contact-name", "Pat Jones"),
                ("contact-phone", "07700 900461"),
                ("contact-postcode", "DC3 1LN"),
            ],
        )
        .await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    let case = staff.get(recorded.location.as_deref().unwrap()).await;
    case.assert_contains(r#"id="channel">Phone"#);
    case.assert_contains("recorded by Sam Officer");
    case.assert_contains("deep pothole outside the school");
}

#[tokio::test]
async fn the_console_needs_a_sign_in_and_a_right_password() {
    let app = spawn_app().await;
    let visitor = app.browser();
    let queue = visitor.get("/console/queues/waste").await;
    assert_eq!(queue.location.as_deref(), Some("/console/sign-in"));
    app.add_staff(
        "sam@demo-council.example",
        "waste",
        "a long enough password",
    )
    .await;
    let form = visitor.get("/console/sign-in").await;
    let wrong = visitor
        .submit(
            &form,
            "/console/sign-in",
            &[("email", "sam@demo-council.example"), ("password", "guess")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    wrong.assert_contains("The email address or password is not right");
    let unknown = visitor
        .submit(
            &form,
            "/console/sign-in",
            &[
                ("email", "nobody@demo-council.example"),
                ("password", "guess"),
            ],
        )
        .await;
    unknown.assert_contains("The email address or password is not right");

    let staff = sign_in(&app).await;
    let queues = staff.get("/console/queues").await;
    let signed_out = staff.submit(&queues, "/console/sign-out", &[]).await;
    assert_eq!(signed_out.location.as_deref(), Some("/console/sign-in"));
    assert_eq!(
        staff.get("/console/queues").await.location.as_deref(),
        Some("/console/sign-in")
    );
}

#[tokio::test]
async fn pages_carry_security_headers_and_unknown_pages_say_so() {
    let app = spawn_app().await;
    let response = reqwest::get(format!("{}/track", app.address))
        .await
        .unwrap();
    let csp = response
        .headers()
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("default-src 'self'") && !csp.contains("unsafe-inline"));
    assert!(
        response
            .headers()
            .get("strict-transport-security")
            .is_none(),
        "no HSTS when not served over HTTPS"
    );
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.starts_with("fd_session=") && !cookie.contains("Secure"),
        "{cookie}"
    );
    let missing = app.browser().get("/services/no-such-service").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    missing.assert_contains("Page not found");
    let css = reqwest::get(format!("{}/assets/frontdoor.min.css", app.address))
        .await
        .unwrap();
    assert_eq!(css.status(), StatusCode::OK);
    assert_eq!(
        reqwest::get(format!("{}/readyz", app.address))
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn over_https_pages_send_hsts_and_the_session_cookie_is_host_only_and_secure() {
    let app = support::spawn_app_with(frontdoor_web::WebSettings {
        secure_cookies: true,
        ..support::test_settings()
    })
    .await;
    let client = reqwest::Client::new();
    let first = client
        .get(format!("{}/track", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(
        first.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
    let cookie = first.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("__Host-fd_session="), "{cookie}");
    for part in ["; Path=/", "; Secure", "; HttpOnly"] {
        assert!(cookie.contains(part), "{cookie}");
    }
    assert!(!cookie.contains("Domain="), "{cookie}");
    // The prefixed cookie is the session: sent back, no new one is started.
    let pair = cookie.split(';').next().unwrap();
    let again = client
        .get(format!("{}/track", app.address))
        .header("cookie", pair)
        .send()
        .await
        .unwrap();
    assert!(again.headers().get("set-cookie").is_none());
    // The unprefixed name is not read, so a cookie planted without the prefix is ignored.
    let planted = pair.replacen("__Host-", "", 1);
    let ignored = client
        .get(format!("{}/track", app.address))
        .header("cookie", planted)
        .send()
        .await
        .unwrap();
    assert!(ignored.headers().get("set-cookie").is_some());
}
