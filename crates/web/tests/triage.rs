//! Free text through triage: the portal's "Contact us", urgency, the human triage queue,
//! re-routing kept as a correction, referrals as linked cases, and the API's free text.
//! Real HTTP, real router, real SQLite file, the model shipped in the repository.

mod support;

use reqwest::StatusCode;
use support::{Browser, TestApp, sign_in, sign_in_as, sign_in_with_role, spawn_app};

/// Sends a message through "Contact us" and returns the reference on the confirmation page.
async fn contact_us(browser: &Browser, message: &str) -> (String, String) {
    let form = browser.get("/contact-us").await;
    assert_eq!(form.status, StatusCode::OK);
    let sent = browser
        .submit(
            &form,
            "/contact-us",
            &[
                ("message", message),
                ("contact-name", "Jo Bloggs"),
                ("contact-email", "jo@example.com"),
                ("contact-phone", ""),
                ("contact-postcode", ""),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(sent.location.as_deref(), Some("/contact-us/confirmation"));
    let confirmation = browser.get("/contact-us/confirmation").await;
    let reference = confirmation.reference();
    (reference, confirmation.body)
}

async fn case_service(app: &TestApp, reference: &str) -> frontdoor_store::CaseSummary {
    let reference = frontdoor_domain::Reference::parse(reference).unwrap();
    app.store
        .case_by_reference(&reference)
        .await
        .unwrap()
        .expect("the case is stored")
        .summary
}

#[tokio::test]
async fn a_resident_who_does_not_know_the_service_is_routed_by_what_they_wrote() {
    let app = spawn_app().await;
    let home = app.browser().get("/").await;
    home.assert_contains(r#"href="/contact-us""#);
    let (reference, confirmation) = contact_us(
        &app.browser(),
        "Hi, the bin men didn't empty our recycling bin this morning, everyone else's on the street was done",
    )
    .await;
    assert!(
        confirmation.contains("sent your message to the Waste team"),
        "{confirmation}"
    );
    let case = case_service(&app, &reference).await;
    assert_eq!(case.service, "missed-bin-collection");
    assert!(!case.urgent && !case.awaiting_triage);

    let staff = sign_in(&app).await;
    let queue = staff.get("/console/queues/waste").await;
    queue.assert_contains(&reference);
    let page = staff.get(&format!("/console/cases/{reference}")).await;
    page.assert_contains(r#"id="triage""#);
    page.assert_contains("Words that decided it");
    page.assert_contains("bin");
    page.assert_contains(&app_model_id());
}

fn app_model_id() -> String {
    support::demo_model().info().id.clone()
}

#[tokio::test]
async fn a_resident_at_risk_is_urgent_routed_to_safeguarding_and_first_in_the_queue() {
    let app = spawn_app().await;
    let (earlier, _) = contact_us(
        &app.browser(),
        "I'm worried about the old man next door, I think his nephew takes money from his pension. He seems fine otherwise.",
    )
    .await;
    let (reference, confirmation) = contact_us(
        &app.browser(),
        "my boyfriend hit me again last night and says he will kill me if I leave. I'm scared to go home",
    )
    .await;
    assert!(
        confirmation.contains("marked your message as urgent"),
        "{confirmation}"
    );
    let case = case_service(&app, &reference).await;
    assert_eq!(case.service, "safeguarding-concern");
    assert!(case.urgent);
    assert!(
        !case.awaiting_triage,
        "urgent contacts never wait for triage"
    );

    let staff = sign_in_as(&app, "sw@demo-council.example", "safeguarding").await;
    let queue = staff.get("/console/queues/safeguarding").await;
    let urgent_at = queue.body.find(&reference).expect("urgent case listed");
    let earlier_urgent = case_service(&app, &earlier).await.urgent;
    if let (Some(other_at), false) = (queue.body.find(&earlier), earlier_urgent) {
        assert!(urgent_at < other_at, "the urgent case comes first");
    }
    let page = staff.open_restricted(&reference).await;
    page.assert_contains(r#"id="urgent-because""#);
    page.assert_contains("kill me");
}

#[tokio::test]
async fn an_unclear_contact_waits_for_a_person_who_routes_it_and_the_correction_is_kept() {
    let app = spawn_app().await;
    let (reference, confirmation) =
        contact_us(&app.browser(), "Hi, I have a question about something").await;
    assert!(
        confirmation.contains("send it to the right service"),
        "{confirmation}"
    );
    let case = case_service(&app, &reference).await;
    assert!(case.awaiting_triage, "a vague message needs a person");
    let model_choice = case.service.clone();

    let staff = sign_in_with_role(
        &app,
        "ag@demo-council.example",
        "customer-services",
        "agent",
    )
    .await;
    let queues = staff.get("/console/queues").await;
    queues.assert_contains("Triage queue (1 waiting)");
    let triage = staff.get("/console/triage").await;
    triage.assert_contains(&reference);
    assert_eq!(
        triage
            .body
            .matches(&format!(r#"action="/console/cases/{reference}/route""#))
            .count(),
        4,
        "three one-click suggestions and the full list"
    );

    let target = if model_choice == "pothole-report" {
        "street-light-fault"
    } else {
        "pothole-report"
    };
    let routed = staff
        .submit(
            &triage,
            &format!("/console/cases/{reference}/route"),
            &[("service", target), ("back", "triage")],
        )
        .await;
    assert_eq!(routed.status, StatusCode::SEE_OTHER, "{}", routed.body);
    assert_eq!(routed.location.as_deref(), Some("/console/triage"));

    let case = case_service(&app, &reference).await;
    assert_eq!(case.service, target);
    assert!(!case.awaiting_triage);
    let corrections = app.store.triage_corrections().await.unwrap();
    assert_eq!(corrections.len(), 1);
    assert_eq!(corrections[0].model_service, model_choice);
    assert_eq!(corrections[0].chosen_service, target);
    assert!(corrections[0].text.contains("a question about something"));
    staff
        .get("/console/triage")
        .await
        .assert_contains("No contacts are waiting");
    let track = staff.get(&format!("/console/cases/{reference}")).await;
    track.assert_contains("Sent from");
}

#[tokio::test]
async fn a_referral_the_resident_clearly_needs_opens_as_a_linked_case() {
    let app = spawn_app().await;
    let (reference, _) = contact_us(
        &app.browser(),
        "I'd like to apply for a blue badge for my mum, she is 84 and can only walk a few steps. She also can't get up the stairs any more and sleeps in the chair downstairs.",
    )
    .await;
    let case = case_service(&app, &reference).await;
    assert_eq!(case.service, "blue-badge-application");

    let staff = sign_in(&app).await;
    let page = staff.get(&format!("/console/cases/{reference}")).await;
    page.assert_contains(r#"id="referrals""#);
    page.assert_contains("Ask for an occupational therapy assessment");
    let opened = staff
        .submit(
            &page,
            &format!("/console/cases/{reference}/referrals"),
            &[("service", "occupational-therapy-assessment")],
        )
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    let page = staff.get(&format!("/console/cases/{reference}")).await;
    page.assert_contains("Linked to case");
    page.assert_contains("Opened");
    let linked = app
        .store
        .cases_for_service("occupational-therapy-assessment", 10, 0)
        .await
        .unwrap();
    assert_eq!(linked.len(), 1);
}

#[tokio::test]
async fn an_empty_message_is_refused_with_a_message_and_nothing_is_stored() {
    let app = spawn_app().await;
    let browser = app.browser();
    let form = browser.get("/contact-us").await;
    let refused = browser
        .submit(
            &form,
            "/contact-us",
            &[("message", "   "), ("contact-name", "")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("Enter what you need help with");
    refused.assert_contains(r##"href="#message""##);
    assert_eq!(app.store.count_cases().await.unwrap(), 0);
}

#[tokio::test]
async fn the_api_accepts_free_text_and_says_where_it_went() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let url = format!("{}/api/v1/contacts", app.address);
    let created = client
        .post(&url)
        .json(&serde_json::json!({
            "text": "There's a massive pothole outside 4 Elm Road, nearly took my wheel off",
            "channel": "web",
            "contact": {"name": "Sam Driver", "email": "sam@example.com"}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let body: serde_json::Value = created.json().await.unwrap();
    assert_eq!(body["service"], "pothole-report");
    assert_eq!(body["channel"], "web");
    assert_eq!(body["urgent"], false);
    assert_eq!(body["triage"]["suggestions"].as_array().unwrap().len(), 3);

    let refused = client
        .post(&url)
        .json(&serde_json::json!({"text": "", "contact": {"name": "Sam"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["fields"][0]["field"], "text");
}

#[tokio::test]
async fn contacts_at_risk_reach_the_risk_queue_and_a_person_decides() {
    let app = spawn_app().await;
    let (check, told) = contact_us(
        &app.browser(),
        "someone has sprayed racist graffiti on my garden wall",
    )
    .await;
    assert!(told.contains(r#"id="call-999""#), "{told}");
    assert!(!told.contains(r#"id="urgent""#), "{told}");
    let (urgent, confirmation) = contact_us(
        &app.browser(),
        "there's a really strong smell of gas in the kitchen of my council flat",
    )
    .await;
    assert!(
        confirmation.contains("marked your message as urgent"),
        "{confirmation}"
    );
    let (restricted, _) = contact_us(
        &app.browser(),
        "my ex has a non molestation order but he's outside my door banging on it right now",
    )
    .await;
    let check_case = case_service(&app, &check).await;
    assert!(
        check_case.risk_check && !check_case.urgent,
        "{check_case:?}"
    );
    let urgent_case = case_service(&app, &urgent).await;
    assert!(urgent_case.urgent && !urgent_case.risk_check);
    assert_eq!(
        case_service(&app, &restricted).await.service,
        "safeguarding-concern"
    );

    // The duty officer is told of each urgent contact, without the resident's words.
    let duty: Vec<_> = app
        .store
        .outbox_recent(50)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.key.starts_with("duty-"))
        .collect();
    assert_eq!(duty.len(), 2, "{duty:?}");
    let to_duty = duty.iter().find(|m| m.subject.contains(&urgent)).unwrap();
    assert!(matches!(&to_duty.destination,
        frontdoor_domain::Destination::Email { address } if address == "duty.officer@demo-council.example"));
    assert!(
        !to_duty.body.contains("gas in the kitchen"),
        "{}",
        to_duty.body
    );

    let agent = sign_in_with_role(
        &app,
        "ag@demo-council.example",
        "customer-services",
        "agent",
    )
    .await;
    agent
        .get("/console/queues")
        .await
        .assert_contains("Risk: 1 to check, 1 urgent");
    let queue = agent.get("/console/risk").await;
    queue.assert_contains(&format!(r#"id="check-{check}""#));
    queue.assert_contains(&format!(r#"id="urgent-{urgent}""#));
    assert!(
        !queue.body.contains(&restricted),
        "a restricted case is its own team's alone"
    );
    let safeguarding = sign_in_as(&app, "sw@demo-council.example", "safeguarding").await;
    safeguarding
        .get("/console/risk")
        .await
        .assert_contains(&format!(r#"id="urgent-{restricted}""#));

    let undecided = agent
        .submit(
            &queue,
            &format!("/console/cases/{check}/risk"),
            &[("back", "risk")],
        )
        .await;
    assert_eq!(undecided.status, StatusCode::UNPROCESSABLE_ENTITY);
    undecided.assert_contains("Select whether someone is at risk");

    let cleared = agent
        .submit(
            &queue,
            &format!("/console/cases/{check}/risk"),
            &[("decision", "no-risk"), ("back", "risk")],
        )
        .await;
    assert_eq!(cleared.status, StatusCode::SEE_OTHER, "{}", cleared.body);
    assert_eq!(cleared.location.as_deref(), Some("/console/risk"));
    let after = case_service(&app, &check).await;
    assert!(!after.risk_check && !after.urgent);
    agent
        .get("/console/risk")
        .await
        .assert_contains("Nothing is waiting to be checked");
    agent
        .get(&format!("/console/cases/{check}"))
        .await
        .assert_contains("Risk reviewed: no one found at risk");

    // Confirming the service is a label too; both wait for the next training run.
    let page = agent.get(&format!("/console/cases/{urgent}")).await;
    let confirmed = agent
        .submit(
            &page,
            &format!("/console/cases/{urgent}/route"),
            &[("service", &urgent_case.service)],
        )
        .await;
    assert_eq!(
        confirmed.status,
        StatusCode::SEE_OTHER,
        "{}",
        confirmed.body
    );
    let labels = app.store.triage_labels().await.unwrap();
    let decisions: Vec<(&str, &str)> = labels
        .iter()
        .map(|l| (l.decision.as_str(), l.urgency.as_str()))
        .collect();
    assert_eq!(decisions, [("urgency", "no"), ("confirmed", "urgent")]);
    agent
        .get("/console/triage")
        .await
        .assert_contains("2 staff decisions since then are waiting to be learned");

    // A person can make any case urgent; the duty officer is told of that too.
    let page = agent.get(&format!("/console/cases/{check}")).await;
    page.assert_contains(r#"<option value="hate-incident" selected>"#);
    let raised = agent
        .submit(
            &page,
            &format!("/console/cases/{check}/risk"),
            &[("decision", "urgent"), ("kind", "hate-incident")],
        )
        .await;
    assert_eq!(raised.status, StatusCode::SEE_OTHER, "{}", raised.body);
    assert!(case_service(&app, &check).await.urgent);
    let outbox = app.store.outbox_recent(50).await.unwrap();
    let keys: Vec<&str> = outbox.iter().map(|m| m.key.as_str()).collect();
    assert!(keys.contains(&format!("duty-{check}").as_str()), "{keys:?}");
    let labels = app.store.triage_labels().await.unwrap();
    let last = labels.last().unwrap();
    assert_eq!(
        (last.urgency.as_str(), last.risk.as_str()),
        ("urgent", "hate-incident")
    );
}
