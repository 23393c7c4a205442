//! Open311 GeoReport v2 over real HTTP: every endpoint in JSON and XML, checked against
//! the specification's field lists, and its errors.

mod support;

use reqwest::StatusCode;
use serde_json::Value;
use support::{TestApp, spawn_app};

const REQUEST_FIELDS: [&str; 17] = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
];

async fn get(app: &TestApp, path: &str) -> (StatusCode, String, String) {
    let response = reqwest::get(format!("{}/open311/v2/{path}", app.address))
        .await
        .unwrap();
    let status = response.status();
    let kind = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, kind, response.text().await.unwrap())
}

async fn post(app: &TestApp, path: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
    let response = reqwest::Client::new()
        .post(format!("{}/open311/v2/{path}", app.address))
        .form(form)
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

fn pothole<'a>(key: &'a str, lat: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("api_key", key),
        ("jurisdiction_id", "demo-council"),
        ("service_code", "pothole-report"),
        ("lat", lat),
        ("long", "-1.52"),
        ("email", "partner.user@example.com"),
        ("first_name", "Pat"),
        ("last_name", "Partner"),
        ("description", "Pothole outside the library"),
        ("attribute[surface]", "On the road"),
        ("attribute[size]", "Larger than a car tyre"),
    ]
}

#[tokio::test]
async fn discovery_services_and_definitions_in_both_formats() {
    let app = spawn_app().await;
    let (status, kind, body) = get(&app, "discovery.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("application/json"));
    let discovery: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        discovery["endpoints"][0]["specification"],
        "http://wiki.open311.org/GeoReport_v2"
    );
    let (_, kind, xml) = get(&app, "discovery.xml").await;
    assert!(kind.starts_with("text/xml"));
    assert!(xml.contains("<discovery><changeset>"), "{xml}");
    assert!(
        xml.contains(
            "<formats><format>text/xml</format><format>application/json</format></formats>"
        )
    );

    let (_, _, body) = get(&app, "services.json").await;
    let services: Vec<Value> = serde_json::from_str(&body).unwrap();
    assert_eq!(services.len(), 10, "the location-based services");
    for s in &services {
        for field in [
            "service_code",
            "service_name",
            "description",
            "metadata",
            "type",
            "keywords",
            "group",
        ] {
            assert!(s.get(field).is_some(), "{field} missing from {s}");
        }
    }
    assert!(
        !body.contains("council-tax"),
        "services without a place are not offered"
    );
    let (_, _, xml) = get(&app, "services.xml?jurisdiction_id=demo-council").await;
    assert!(xml.contains("<services><service><service_code>missed-bin-collection</service_code>"));

    let (_, _, body) = get(&app, "services/missed-bin-collection.json").await;
    let definition: Value = serde_json::from_str(&body).unwrap();
    let attributes = definition["attributes"].as_array().unwrap();
    let codes: Vec<&str> = attributes
        .iter()
        .map(|a| a["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["bin-type", "collection-date", "out-by-7am", "details"]
    );
    assert_eq!(attributes[0]["datatype"], "singlevaluelist");
    assert_eq!(
        attributes[0]["values"][0]["key"],
        "General waste (black bin)"
    );
    assert_eq!(attributes[1]["datatype"], "datetime");
    assert_eq!(attributes[3]["datatype"], "text");
    assert_eq!(attributes[3]["required"], false);
    assert_eq!(attributes[0]["order"], 1);
    let (_, _, xml) = get(&app, "services/missed-bin-collection.xml").await;
    assert!(
        xml.contains("<values><value><key>General waste (black bin)</key>"),
        "{xml}"
    );
}

#[tokio::test]
async fn a_partner_posts_a_request_and_reads_it_back() {
    let app = spawn_app().await;
    let key = frontdoor_web::add_open311_client(&app.store, "FixMyStreet")
        .await
        .unwrap();
    let (status, body) = post(&app, "requests.json", &pothole(&key, "53.01")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let created: Vec<Value> = serde_json::from_str(&body).unwrap();
    let id = created[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = created[0]["token"].as_str().unwrap().to_owned();
    assert!(
        created[0]["service_notice"]
            .as_str()
            .unwrap()
            .contains("Highways")
    );

    let (_, _, body) = get(&app, &format!("tokens/{token}.json")).await;
    let found: Vec<Value> = serde_json::from_str(&body).unwrap();
    assert_eq!(found[0]["service_request_id"], id.as_str());

    let (status, _, body) = get(&app, &format!("requests/{id}.json?api_key={key}")).await;
    assert_eq!(status, StatusCode::OK);
    let request = &serde_json::from_str::<Vec<Value>>(&body).unwrap()[0];
    for field in REQUEST_FIELDS {
        assert!(request.get(field).is_some(), "{field} missing");
    }
    assert_eq!(request["status"], "open");
    assert_eq!(request["lat"], 53.01);
    assert_eq!(request["agency_responsible"], "Highways");
    assert!(
        request["description"]
            .as_str()
            .unwrap()
            .contains("outside the library")
    );
    // Without a key, the resident's words stay out.
    let (_, _, public) = get(&app, &format!("requests/{id}.json")).await;
    assert!(!public.contains("outside the library"), "{public}");
    assert!(!public.contains("partner.user@example.com"));

    let (_, _, xml) = get(&app, &format!("requests.xml?service_request_id={id}")).await;
    assert!(xml.starts_with("<?xml"));
    assert!(xml.contains(&format!(
        "<service_requests><request><service_request_id>{id}</service_request_id>"
    )));
    let (_, _, open) = get(
        &app,
        "requests.json?status=open&service_code=pothole-report",
    )
    .await;
    assert!(open.contains(&id));
    let (_, _, closed) = get(&app, "requests.json?status=closed").await;
    assert!(!closed.contains(&id));
    let (_, _, earlier) = get(&app, "requests.json?end_date=2020-01-31T00:00:00Z").await;
    assert_eq!(earlier, "[]");
}

#[tokio::test]
async fn errors_follow_the_specification() {
    let app = spawn_app().await;
    let key = frontdoor_web::add_open311_client(&app.store, "Partner")
        .await
        .unwrap();
    let (status, body) = post(&app, "requests.json", &pothole("not-a-key", "53.01")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let errors: Vec<Value> = serde_json::from_str(&body).unwrap();
    assert_eq!(errors[0]["code"], 403);
    let (status, body) = post(&app, "requests.xml", &pothole("", "53.01")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("<errors><error><code>403</code><description>api_key is required</description></error></errors>"), "{body}");

    let (status, body) = post(&app, "requests.json", &pothole(&key, "53.2")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body.contains("lat: This place is outside Demo Council's area"),
        "{body}"
    );
    let mut missing = pothole(&key, "53.01");
    missing.retain(|(k, _)| *k != "attribute[size]" && *k != "email");
    let (status, body) = post(&app, "requests.json", &missing).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body.contains("attribute[size]: Select the size of the damage"),
        "{body}"
    );
    assert!(body.contains("email: Enter an email address"), "{body}");
    let mut nowhere = pothole(&key, "53.01");
    nowhere.retain(|(k, _)| *k != "lat" && *k != "long");
    let (_, body) = post(&app, "requests.json", &nowhere).await;
    assert!(body.contains("lat and long, address_id or address_string is required"));

    for (path, status, words) in [
        (
            "services/no-such.json",
            StatusCode::NOT_FOUND,
            "service_code 'no-such' not found",
        ),
        (
            "services.json?jurisdiction_id=elsewhere",
            StatusCode::NOT_FOUND,
            "jurisdiction_id 'elsewhere'",
        ),
        (
            "requests/ABCD-EFGH.json",
            StatusCode::NOT_FOUND,
            "not found",
        ),
        (
            "requests.json?status=pending",
            StatusCode::BAD_REQUEST,
            "status 'pending'",
        ),
        (
            "requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
            StatusCode::BAD_REQUEST,
            "90 days",
        ),
        (
            "requests.json?start_date=yesterday",
            StatusCode::BAD_REQUEST,
            "W3C datetime",
        ),
        (
            "requests.json?service_code=council-tax-discount",
            StatusCode::NOT_FOUND,
            "not found",
        ),
        (
            "tokens/nope.json",
            StatusCode::NOT_FOUND,
            "token 'nope' not found",
        ),
        ("services.csv", StatusCode::NOT_FOUND, ".json or .xml"),
    ] {
        let (got, _, body) = get(&app, path).await;
        assert_eq!(got, status, "{path}: {body}");
        assert!(body.contains(words), "{path}: {body}");
    }
}
