//! The JSON API over HTTP: create a case, read it with a staff token, list a service's cases.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{demo_catalogue, spawn_app};

fn pothole() -> Value {
    support::pothole("pat@example.org")
}

#[tokio::test]
async fn a_partner_system_creates_a_case_and_staff_read_it_back() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let created = client
        .post(format!("{}/api/v1/cases", app.address))
        .json(&pothole())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    let reference = created["reference"].as_str().unwrap().to_owned();
    assert_eq!(created["channel"], "api");
    assert_eq!(created["team"], "highways");

    let anonymous = client
        .get(format!("{}/api/v1/cases/{reference}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        anonymous.json::<Value>().await.unwrap()["error"]["code"],
        "unauthorised"
    );

    let staff = app
        .add_staff(
            "sam@demo-council.example",
            "highways",
            "a long enough password",
        )
        .await;
    let state_for_token = frontdoor_web::AppState::new(
        app.store.clone(),
        demo_catalogue(),
        Default::default(),
        support::demo_model(),
    );
    let token = frontdoor_web::issue_api_token(
        &state_for_token,
        staff,
        jiff::SignedDuration::from_hours(1),
    )
    .await
    .unwrap();
    let read = client
        .get(format!("{}/api/v1/cases/{reference}", app.address))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), StatusCode::OK);
    let read: Value = read.json().await.unwrap();
    assert_eq!(read["case"]["status"], "new");
    assert_eq!(read["resident"]["email"], "pat@example.org");
    assert_eq!(
        read["contacts"][0]["answers"]["size"],
        "Larger than a car tyre"
    );
    assert_eq!(read["events"][0]["event"]["kind"], "created");

    let listed: Value = client
        .get(format!(
            "{}/api/v1/services/pothole-report/cases?limit=10",
            app.address
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["cases"][0]["reference"], reference);
}

#[tokio::test]
async fn invalid_cases_get_a_reason_for_each_field() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let mut body = pothole();
    body["answers"]["size"] = json!("Enormous");
    body["contact"] = json!({"name": "", "email": "not-an-email"});
    let refused = client
        .post(format!("{}/api/v1/cases", app.address))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused: Value = refused.json().await.unwrap();
    let fields: Vec<(&str, &str)> = refused["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["field"].as_str().unwrap(), f["message"].as_str().unwrap()))
        .collect();
    assert!(
        fields.contains(&("size", "Select the size of the damage")),
        "{fields:?}"
    );
    assert!(
        fields.contains(&("contact-name", "Enter your full name")),
        "{fields:?}"
    );
    assert!(
        fields.contains(&(
            "contact-email",
            "Enter an email address in the correct format, like name@example.com"
        )),
        "{fields:?}"
    );

    let unknown = client
        .post(format!("{}/api/v1/cases", app.address))
        .json(&json!({"service": "moon-landing", "contact": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        unknown.json::<Value>().await.unwrap()["error"]["fields"][0]["field"],
        "service"
    );

    let broken = client
        .post(format!("{}/api/v1/cases", app.address))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(broken.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        broken.json::<Value>().await.unwrap()["error"]["code"],
        "bad_request"
    );
    assert_eq!(
        app.store.count_cases().await.unwrap(),
        0,
        "nothing half-made was stored"
    );
}

#[tokio::test]
async fn a_reference_with_a_wrong_check_character_is_a_bad_request() {
    let app = spawn_app().await;
    let staff = app
        .add_staff(
            "sam@demo-council.example",
            "waste",
            "a long enough password",
        )
        .await;
    let state = frontdoor_web::AppState::new(
        app.store.clone(),
        demo_catalogue(),
        Default::default(),
        support::demo_model(),
    );
    let token = frontdoor_web::issue_api_token(&state, staff, jiff::SignedDuration::from_hours(1))
        .await
        .unwrap();
    let reference = frontdoor_domain::Reference::from_payload([1, 2, 3, 4, 5, 6, 7]).to_string();
    let mut wrong: Vec<char> = reference.chars().collect();
    wrong[0] = if wrong[0] == '9' { '8' } else { '9' };
    let wrong: String = wrong.into_iter().collect();
    let response = reqwest::Client::new()
        .get(format!("{}/api/v1/cases/{wrong}", app.address))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["fields"][0]["field"], "reference");
    let missing = reqwest::Client::new()
        .get(format!("{}/api/v1/cases/{reference}", app.address))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn only_partners_and_staff_may_say_a_case_came_by_a_staffed_channel() {
    let app = support::spawn_app_with(frontdoor_web::WebSettings {
        api_partners: vec![frontdoor_web::ApiPartner {
            name: "Telephony".into(),
            key: "partner-secret-key".into(),
            channels: vec![frontdoor_domain::Channel::Phone],
        }],
        ..support::test_settings()
    })
    .await;
    let client = reqwest::Client::new();
    let send = |channel: &str, bearer: Option<&str>| {
        let mut body = pothole();
        body["channel"] = json!(channel);
        let request = client
            .post(format!("{}/api/v1/cases", app.address))
            .json(&body);
        match bearer {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
        .send()
    };
    for channel in ["phone", "face-to-face", "email", "sms", "social", "chat"] {
        let forged = send(channel, None).await.unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN, "{channel}");
        let body: Value = forged.json().await.unwrap();
        assert_eq!(body["error"]["code"], "channel_not_allowed");
    }
    assert_eq!(app.store.count_cases().await.unwrap(), 0);
    for channel in ["api", "web"] {
        assert_eq!(
            send(channel, None).await.unwrap().status(),
            StatusCode::CREATED
        );
    }

    let partner = send("phone", Some("partner-secret-key")).await.unwrap();
    assert_eq!(partner.status(), StatusCode::CREATED);
    let body: Value = partner.json().await.unwrap();
    assert_eq!(body["channel"], "phone");
    let other_channel = send("sms", Some("partner-secret-key")).await.unwrap();
    assert_eq!(other_channel.status(), StatusCode::FORBIDDEN);
    let wrong_key = send("phone", Some("partner-secret-kez")).await.unwrap();
    assert_eq!(wrong_key.status(), StatusCode::UNAUTHORIZED);

    let agent = app
        .add_staff_with_role(
            "agent@demo-council.example",
            "customer-services",
            "pw",
            "agent",
        )
        .await;
    let agent_token = app.api_token(agent).await;
    let recorded = send("face-to-face", Some(&agent_token)).await.unwrap();
    assert_eq!(recorded.status(), StatusCode::CREATED);
    let manager = app
        .add_staff_with_role(
            "boss@demo-council.example",
            "customer-services",
            "pw",
            "manager",
        )
        .await;
    let manager_token = app.api_token(manager).await;
    let refused = send("phone", Some(&manager_token)).await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.store.count_cases().await.unwrap(), 4);
}

#[tokio::test]
async fn names_lose_invisible_characters_and_control_characters_are_refused() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let send = |name: &str, details: &str| {
        let mut body = pothole();
        body["contact"]["name"] = json!(name);
        body["answers"]["details"] = json!(details);
        client
            .post(format!("{}/api/v1/cases", app.address))
            .json(&body)
            .send()
    };
    let cleaned = send(
        "\u{202E}Pat\u{200B} \u{2060}Jones\u{FEFF}",
        "Deep\u{200B} hole",
    )
    .await
    .unwrap();
    assert_eq!(cleaned.status(), StatusCode::CREATED);
    let body: Value = cleaned.json().await.unwrap();
    let reference =
        frontdoor_domain::Reference::parse(body["reference"].as_str().unwrap()).unwrap();
    let case = app.case(&reference).await;
    assert_eq!(case.contact.name, "Pat Jones");
    let details = case.contacts[0].answers["details"].display();
    assert_eq!(details, "Deep hole");

    for (name, details, field, message) in [
        (
            "Pat\u{0}Jones",
            "Deep hole",
            "contact-name",
            "hidden control character",
        ),
        (
            "\u{200B}\u{200D}",
            "Deep hole",
            "contact-name",
            "Enter your full name",
        ),
        (
            "Pat Jones",
            "Deep\u{1B}[31m hole",
            "details",
            "hidden control character",
        ),
    ] {
        let refused = send(name, details).await.unwrap();
        assert_eq!(
            refused.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name:?}"
        );
        let body: Value = refused.json().await.unwrap();
        let fields = body["error"]["fields"].as_array().unwrap();
        assert!(
            fields
                .iter()
                .any(|f| f["field"] == field && f["message"].as_str().unwrap().contains(message)),
            "{name:?} {details:?}: {body}"
        );
    }
    assert_eq!(app.store.count_cases().await.unwrap(), 1);

    let refused = client
        .post(format!("{}/api/v1/contacts", app.address))
        .json(&json!({"text": "Bins\u{0}", "contact": {"name": "Pat", "email": "p@example.org"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn every_api_error_is_the_documented_json_even_before_a_handler_runs() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let json_error = |response: reqwest::Response| async move {
        let status = response.status();
        let kind = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(kind.starts_with("application/json"), "{status}: {kind}");
        let body: Value = response.json().await.unwrap();
        (status, body["error"]["code"].as_str().unwrap().to_owned())
    };
    let huge = "x".repeat(300 * 1024);
    let too_large = client
        .post(format!("{}/api/v1/cases", app.address))
        .header("content-type", "application/json")
        .body(format!("{{\"service\": \"{huge}\"}}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        json_error(too_large).await,
        (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large".into())
    );

    let staff = app
        .add_staff_with_role("o@demo-council.example", "highways", "pw", "officer")
        .await;
    let token = app.api_token(staff).await;
    let not_utf8 = client
        .get(format!("{}/api/v1/cases/%FF%FE", app.address))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(json_error(not_utf8).await.0, StatusCode::BAD_REQUEST);
    let wrong_method = client
        .delete(format!("{}/api/v1/cases", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(
        json_error(wrong_method).await,
        (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed".into())
    );
    let unknown = client
        .get(format!("{}/api/v1/nothing-here", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(json_error(unknown).await.0, StatusCode::NOT_FOUND);

    let reference = app.open_case(pothole()).await;
    let read = |reason: String| {
        client
            .get(format!("{}/api/v1/cases/{reference}", app.address))
            .bearer_auth(&token)
            .header("x-access-reason", reason)
            .send()
    };
    let long = read("r".repeat(501)).await.unwrap();
    assert_eq!(
        json_error(long).await,
        (StatusCode::BAD_REQUEST, "invalid_access_reason".into())
    );
    assert_eq!(
        read("r".repeat(500)).await.unwrap().status(),
        StatusCode::OK
    );
}
