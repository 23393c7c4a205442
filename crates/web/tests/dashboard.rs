//! The management dashboard through the real router and store: figures kept on every
//! write, charts with their tables, filters, CSV, the JSON API, the simulator, the
//! satisfaction survey sent when a case closes, and who may see it.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{Browser, Page, TestApp, demo_catalogue, sign_in, sign_in_with_role, spawn_app};

async fn create_pothole(app: &TestApp, email: &str) -> String {
    let created = reqwest::Client::new()
        .post(format!("{}/api/v1/cases", app.address))
        .json(&support::pothole(email))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    created["reference"].as_str().unwrap().to_owned()
}

/// The value beside a name in the dashboard's summary list.
fn headline(page: &Page, name: &str) -> String {
    let key = format!(
        r#"<dt class="govuk-summary-list__key">{name}</dt><dd class="govuk-summary-list__value">"#
    );
    let start = page
        .body
        .find(&key)
        .unwrap_or_else(|| panic!("no {name} in {}", page.body))
        + key.len();
    page.body[start..].split('<').next().unwrap().to_owned()
}

async fn manager(app: &TestApp) -> Browser {
    sign_in_with_role(
        app,
        "maria@demo-council.example",
        "customer-services",
        "manager",
    )
    .await
}

/// Opens two potholes and a text about bins; closes one pothole from the console.
async fn some_demand(app: &TestApp) -> (String, String) {
    let first = create_pothole(app, "pat@example.org").await;
    let second = create_pothole(app, "lee@example.org").await;
    let text = json!({"from": "07700900123", "text": "My black bin was not emptied on Tuesday", "id": "SM-1"});
    let sms = app
        .post_signed(
            "/intake/sms",
            "application/json",
            text.to_string().as_bytes(),
        )
        .await;
    assert_eq!(sms.status(), StatusCode::CREATED);
    let officer = support::sign_in_as(app, "hal@demo-council.example", "highways").await;
    let case = officer.get(&format!("/console/cases/{first}")).await;
    let closed = officer
        .submit(
            &case,
            &format!("/console/cases/{first}/status"),
            &[("status", "closed"), ("outcome", "Filled the hole")],
        )
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
    (first, second)
}

#[tokio::test]
async fn a_manager_sees_demand_as_charts_beside_tables_and_officers_do_not() {
    let app = spawn_app().await;
    some_demand(&app).await;
    let officer = sign_in(&app).await;
    let refused = officer.get("/console/dashboard").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let queues = officer.get("/console/queues").await;
    assert!(!queues.body.contains(r#"href="/console/dashboard""#));

    let complaint = json!({
        "service": "complaint",
        "answers": {"service": "Bins", "complaint": "Crew left rubbish in the road", "outcome": "Clear it up"},
        "contact": {"name": "Sam Lee", "email": "sam@example.org"}
    });
    let filed = reqwest::Client::new()
        .post(format!("{}/api/v1/cases", app.address))
        .json(&complaint)
        .send()
        .await
        .unwrap();
    assert_eq!(filed.status(), StatusCode::CREATED);

    let manager = manager(&app).await;
    let page = manager.get("/console/dashboard").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.assert_contains(r#"<th scope="row" class="govuk-table__header">Complaints</th><td class="govuk-table__cell govuk-table__cell--numeric">1</td>"#);
    page.assert_contains(r#"<th scope="row" class="govuk-table__header">Compliments</th><td class="govuk-table__cell govuk-table__cell--numeric">0</td>"#);
    page.assert_contains(r#"href="/console/dashboard""#);
    assert_eq!(headline(&page, "Contacts"), "4");
    assert_eq!(headline(&page, "Transactions (cases opened)"), "4");
    assert_eq!(headline(&page, "Open cases now"), "3");
    // Three of four cases came through self-service (the API): 75 %.
    assert_eq!(headline(&page, "Digital take-up"), "75.0%");
    for id in [
        "channels",
        "services",
        "hours",
        "weekdays",
        "heat",
        "months",
        "year-on-year",
        "trend",
        "take-up",
        "sla-services",
        "sla-teams",
        "open-age",
        "costs",
        "satisfaction",
        "feedback",
    ] {
        page.assert_contains(&format!(r#"id="table-{id}""#));
        page.assert_contains(&format!("/console/dashboard/{id}.csv?"));
    }
    // Each chart is an image named for its table.
    page.assert_contains(r#"<svg xmlns="http://www.w3.org/2000/svg" class="fd-chart" role="img""#);
    page.assert_contains(r#"aria-labelledby="chart-channels-title chart-channels-desc""#);
    page.assert_contains(r#"<th scope="row" class="govuk-table__header">Partner system</th><td class="govuk-table__cell govuk-table__cell--numeric">3</td>"#);
    // The closure counts towards SLA compliance (closed the day it came in: on time).
    page.assert_contains(r#"<th scope="row" class="govuk-table__header">Report a pothole or road defect</th><td class="govuk-table__cell govuk-table__cell--numeric">1</td><td class="govuk-table__cell govuk-table__cell--numeric">1</td><td class="govuk-table__cell govuk-table__cell--numeric">0</td><td class="govuk-table__cell govuk-table__cell--numeric">100.0%</td>"#);
}

#[tokio::test]
async fn filters_narrow_every_figure_and_bad_filters_say_what_is_wrong() {
    let app = spawn_app().await;
    some_demand(&app).await;
    let manager = manager(&app).await;
    let potholes = manager
        .get("/console/dashboard?service=pothole-report")
        .await;
    assert_eq!(headline(&potholes, "Contacts"), "2");
    // The monthly profile, trend and heat map follow the filter too.
    let months = manager
        .get("/console/dashboard/months.csv?service=pothole-report")
        .await
        .body;
    let lines: Vec<&str> = months.lines().collect();
    assert_eq!(lines[0], "Month,Partner system,Total", "{months}");
    assert!(lines[1].ends_with(",2,2"), "{months}");
    let trend = manager
        .get("/console/dashboard/trend.csv?channel=sms")
        .await
        .body;
    assert!(trend.lines().nth(1).unwrap().contains(",1,"), "{trend}");
    let heat = manager
        .get("/console/dashboard/heat.csv?service=pothole-report")
        .await
        .body;
    let in_heat: i64 = heat
        .lines()
        .skip(1)
        .flat_map(|l| l.split(',').skip(1))
        .map(|n| n.parse::<i64>().unwrap())
        .sum();
    assert_eq!(in_heat, 2);
    let highways = manager.get("/console/dashboard?department=Place").await;
    assert_eq!(headline(&highways, "Contacts"), "2");
    let texts = manager.get("/console/dashboard?channel=sms").await;
    assert_eq!(headline(&texts, "Contacts"), "1");
    assert_eq!(headline(&texts, "Digital take-up"), "0.0%");
    let ward = app
        .store
        .rollup_wards()
        .await
        .unwrap()
        .into_iter()
        .next()
        .expect("the potholes were placed in a ward");
    let in_ward = manager
        .get(&format!(
            "/console/dashboard?ward={}",
            ward.replace(' ', "+")
        ))
        .await;
    assert_eq!(headline(&in_ward, "Contacts"), "2");
    let long_ago = manager
        .get("/console/dashboard?from=2020-01-01&to=2020-12-31")
        .await;
    assert_eq!(headline(&long_ago, "Contacts"), "0");

    let bad = manager
        .get("/console/dashboard?service=moon-landing&from=2026-13-45&to=2026-01-01&channel=pigeon")
        .await;
    assert_eq!(bad.status, StatusCode::OK);
    bad.assert_contains("There is a problem");
    bad.assert_contains(r##"<a href="#service">Select a service from the list</a>"##);
    bad.assert_contains(
        r##"<a href="#from">The start date must be a real date, like 2026-03-31</a>"##,
    );
    bad.assert_contains(r##"<a href="#channel">Select a channel from the list</a>"##);
    let backwards = manager
        .get("/console/dashboard?from=2026-05-01&to=2026-01-01")
        .await;
    backwards.assert_contains("The start date must be the same as or before the end date");
}

#[tokio::test]
async fn every_table_downloads_as_csv_with_the_page_filters() {
    let app = spawn_app().await;
    some_demand(&app).await;
    let manager = manager(&app).await;
    let response = manager
        .client
        .get(format!(
            "{}/console/dashboard/channels.csv?channel=api",
            app.address
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"channels-")
    );
    let csv = response.text().await.unwrap();
    assert_eq!(
        csv,
        "Channel,Contacts,Share of contacts,Transactions,Repeat contacts,Chasers\r\nPartner system,2,100.00,2,0,0\r\n"
    );
    let overdue = manager.get("/console/dashboard/overdue.csv").await;
    assert_eq!(overdue.status, StatusCode::OK);
    assert!(
        overdue
            .body
            .starts_with("Reference,Service,Team,Due,Days overdue\r\n")
    );
    assert_eq!(
        manager.get("/console/dashboard/nothing.csv").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        manager
            .get("/console/dashboard/channels.csv?from=yesterday")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    let officer = sign_in(&app).await;
    assert_eq!(
        officer.get("/console/dashboard/channels.csv").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_simulator_shows_what_moving_phone_contacts_online_would_save() {
    let app = spawn_app().await;
    let manager = manager(&app).await;
    // Four phone contacts recorded by an agent, one by web form.
    let agent = support::sign_in_as(&app, "ann@demo-council.example", "customer-services").await;
    for _ in 0..4 {
        let path = "/console/contacts/new?service=general-enquiry";
        let form = agent.get(path).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        let saved = agent
            .submit(
                &form,
                path,
                &[
                    ("channel", "phone"),
                    ("enquiry", "When is the tip open?"),
                    ("contact-name", "Bo Smith"),
                    ("contact-email", "bo@example.org"),
                    ("contact-reply-by", "email"),
                    ("duration", "6"),
                ],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    }
    let page = manager
        .get("/console/dashboard?shift_service=general-enquiry&shift_from=phone&shift_to=web&shift_percent=50")
        .await;
    page.assert_contains(r#"id="table-simulator""#);
    page.assert_contains(r#"<th scope="row" class="govuk-table__header">Phone contacts</th><td class="govuk-table__cell govuk-table__cell--numeric">4</td><td class="govuk-table__cell govuk-table__cell--numeric">2</td><td class="govuk-table__cell govuk-table__cell--numeric">-2</td>"#);
    // 2 calls at £2.83 become 2 web forms at £0.15: £5.36 less.
    page.assert_contains(r#"<th scope="row" class="govuk-table__header">Cost</th><td class="govuk-table__cell govuk-table__cell--numeric">£11.32</td><td class="govuk-table__cell govuk-table__cell--numeric">£5.96</td><td class="govuk-table__cell govuk-table__cell--numeric">-£5.36</td>"#);
    // Agent minutes were recorded: 6 a call.
    page.assert_contains(r#"<td class="govuk-table__cell govuk-table__cell--numeric">6.00</td>"#);
    let bad = manager
        .get("/console/dashboard?shift_from=phone&shift_to=phone&shift_percent=150")
        .await;
    bad.assert_contains(r##"<a href="#shift_percent">Enter a percentage between 0 and 100</a>"##);
}

#[tokio::test]
async fn a_resident_rates_a_closed_case_once_and_it_counts() {
    let app = spawn_app().await;
    let (first, _) = some_demand(&app).await;
    let reference = frontdoor_domain::Reference::parse(&first).unwrap();
    let case = app.case(&reference).await;
    let outbox = app.store.outbox_for_case(case.summary.id).await.unwrap();
    let closing = outbox.last().unwrap();
    let link = closing
        .body
        .split_whitespace()
        .find(|w| w.contains("/feedback/"))
        .unwrap_or_else(|| panic!("no survey link in {}", closing.body));
    let path = &link[link.find("/feedback/").unwrap()..];

    let resident = app.browser();
    let form = resident.get(path).await;
    assert_eq!(form.status, StatusCode::OK);
    form.assert_contains("How satisfied are you with how we dealt with your request?");
    let empty = resident.submit(&form, path, &[("comment", "")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    empty.assert_contains(r##"<a href="#score-1">Select how satisfied you are with how we dealt with your request</a>"##);
    let long = "x".repeat(1201);
    let too_long = resident
        .submit(&form, path, &[("score", "2"), ("comment", &long)])
        .await;
    too_long.assert_contains("Your comments must be 1200 characters or fewer");
    let done = resident
        .submit(&form, path, &[("score", "2"), ("comment", "Took a while")])
        .await;
    assert_eq!(done.status, StatusCode::OK);
    done.assert_contains("Thank you for your feedback");
    let again = resident.submit(&form, path, &[("score", "5")]).await;
    again.assert_contains("You have already told us how we did");
    assert_eq!(
        resident.get("/feedback/not-a-real-token").await.status,
        StatusCode::NOT_FOUND
    );

    let manager = manager(&app).await;
    let page = manager.get("/console/dashboard").await;
    assert_eq!(headline(&page, "Average satisfaction (1 to 5)"), "2.00");
    page.assert_contains(r#"<th scope="row" class="govuk-table__header">Survey answers</th><td class="govuk-table__cell govuk-table__cell--numeric">1</td>"#);
}

#[tokio::test]
async fn the_api_gives_managers_the_same_figures_as_json() {
    let app = spawn_app().await;
    some_demand(&app).await;
    let state = frontdoor_web::AppState::new(
        app.store.clone(),
        demo_catalogue(),
        Default::default(),
        support::demo_model(),
    );
    let manager_id = app
        .add_staff_with_role(
            "maria@demo-council.example",
            "customer-services",
            "a long enough password",
            "manager",
        )
        .await;
    let officer_id = app
        .add_staff(
            "olu@demo-council.example",
            "waste",
            "a long enough password",
        )
        .await;
    let token = |id| {
        let state = state.clone();
        async move {
            frontdoor_web::issue_api_token(&state, id, jiff::SignedDuration::from_hours(1))
                .await
                .unwrap()
        }
    };
    let client = reqwest::Client::new();
    let get = |query: &str, token: String| {
        client
            .get(format!("{}/api/v1/dashboard{query}", app.address))
            .bearer_auth(token)
            .send()
    };
    let response = get("?channel=api", token(manager_id).await).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["headline"]["contacts"], 2);
    let channels = body["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "channels")
        .unwrap();
    assert_eq!(
        channels["rows"][0],
        json!(["Partner system", 2, 100.0, 2, 0, 0])
    );
    assert!(
        body["tables"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == "overdue")
    );

    let refused = get("", token(officer_id).await).await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let bad = get("?from=soon", token(manager_id).await).await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bad: Value = bad.json().await.unwrap();
    assert_eq!(bad["error"]["fields"][0]["field"], "from");
}

#[tokio::test]
async fn figures_kept_on_every_write_match_a_rebuild_from_the_records() {
    let app = spawn_app().await;
    let (first, _) = some_demand(&app).await;
    let manager = manager(&app).await;
    let officer = support::sign_in_as(&app, "hal2@demo-council.example", "highways").await;
    let case = officer.get(&format!("/console/cases/{first}")).await;
    let reopened = officer
        .submit(
            &case,
            &format!("/console/cases/{first}/status"),
            &[("status", "in-progress"), ("outcome", "")],
        )
        .await;
    assert_eq!(reopened.status, StatusCode::SEE_OTHER, "{}", reopened.body);
    let kept = manager
        .get("/console/dashboard/sla-services.csv")
        .await
        .body;
    let services = manager.get("/console/dashboard/services.csv").await.body;
    assert!(
        !kept.contains("Report a pothole"),
        "the reopened case's closure is taken back: {kept}"
    );
    app.store.rebuild_rollups().await.unwrap();
    assert_eq!(
        manager
            .get("/console/dashboard/sla-services.csv")
            .await
            .body,
        kept
    );
    assert_eq!(
        manager.get("/console/dashboard/services.csv").await.body,
        services
    );
}
