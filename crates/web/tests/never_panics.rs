//! Outside input never breaks the server. Arbitrary and mangled bodies go through the real
//! router to every parser of outside input (form bodies, the JSON API, Open311, reference
//! numbers) and must be answered with a success or a 4xx, never a 5xx or a dropped
//! connection. This is the CI-sized stand-in for the cargo-fuzz targets in `fuzz/`.

mod support;

use proptest::prelude::*;
use std::sync::OnceLock;
use support::{Browser, TestApp};

/// One server for every case: starting one per case would make the run minutes long.
struct Fixture {
    runtime: tokio::runtime::Runtime,
    app: TestApp,
    resident: Browser,
    csrf: String,
    open311_key: String,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let (app, resident, csrf, open311_key) = runtime.block_on(async {
            let app = support::spawn_app_with(frontdoor_web::WebSettings {
                submissions_per_address: 0,
                ..support::test_settings()
            })
            .await;
            let resident = app.browser();
            let csrf = resident.get("/track").await.csrf();
            let key = frontdoor_web::add_open311_client(&app.store, "Fuzz")
                .await
                .unwrap();
            (app, resident, csrf, key)
        });
        Fixture {
            runtime,
            app,
            resident,
            csrf,
            open311_key,
        }
    })
}

/// Sends a body and says what went wrong, if anything did.
fn send(path: &str, content_type: &str, body: Vec<u8>) -> Result<u16, String> {
    let f = fixture();
    f.runtime.block_on(async {
        let answer = f
            .resident
            .client
            .post(format!("{}{path}", f.app.address))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .map_err(|e| format!("{path}: no answer: {e}"))?;
        let status = answer.status().as_u16();
        let _ = answer.bytes().await;
        if status >= 500 {
            return Err(format!("{path}: {status}"));
        }
        Ok(status)
    })
}

fn form(pairs: &[(String, String)]) -> Vec<u8> {
    serde_urlencoded::to_string(pairs).unwrap().into_bytes()
}

const VALID_CASE: &str = r#"{"service":"pothole-report","answers":{"surface":"On the road","size":"Larger than a car tyre","location":{"lat":52.99,"lon":-1.52},"details":"Deep hole"},"contact":{"name":"Pat","email":"pat@example.org"}}"#;

/// A field name a parser knows, or any text at all.
fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "service",
            "answers",
            "contact-name",
            "contact-email",
            "contact-phone",
            "contact-postcode",
            "contact-reply-by",
            "location",
            "location-lat",
            "location-lon",
            "collection-date-day",
            "collection-date-month",
            "collection-date-year",
            "bin-type",
            "details",
            "service_code",
            "lat",
            "long",
            "address_string",
            "email",
            "description",
            "attribute[surface]",
            "reference",
            "contact",
            "jurisdiction_id",
        ])
        .prop_map(str::to_owned),
        ".{0,24}",
    ]
}

fn pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec((field_name(), ".{0,64}"), 0..12)
}

/// A valid body cut short and with bytes overwritten.
fn mangled(valid: &'static str) -> impl Strategy<Value = Vec<u8>> {
    (
        any::<prop::sample::Index>(),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
    )
        .prop_map(move |(cut, flips)| {
            let mut body = valid.as_bytes().to_vec();
            for (at, byte) in flips {
                let i = at.index(body.len());
                body[i] = byte;
            }
            body.truncate(cut.index(body.len() + 1));
            body
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn the_json_api_answers_any_bytes(body in prop::collection::vec(any::<u8>(), 0..1024)) {
        send("/api/v1/cases", "application/json", body.clone()).map_err(TestCaseError::fail)?;
        send("/api/v1/contacts", "application/json", body).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn the_json_api_answers_a_mangled_case(body in mangled(VALID_CASE)) {
        send("/api/v1/cases", "application/json", body).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn every_question_page_answers_any_form(
        service in prop::sample::select(vec![
            "missed-bin-collection", "pothole-report", "council-tax-direct-debit",
            "safeguarding-concern", "general-enquiry", "council-tax-moving-home",
        ]),
        number in 1u8..7,
        mut fields in pairs(),
    ) {
        fields.push(("csrf_token".into(), fixture().csrf.clone()));
        let path = format!("/services/{service}/questions/{number}");
        send(&path, "application/x-www-form-urlencoded", form(&fields)).map_err(TestCaseError::fail)?;
        send("/contact-us", "application/x-www-form-urlencoded", form(&fields)).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn open311_answers_any_request(mut fields in pairs(), raw in prop::collection::vec(any::<u8>(), 0..512)) {
        fields.push(("api_key".into(), fixture().open311_key.clone()));
        fields.push(("service_code".into(), "pothole-report".into()));
        send("/open311/v2/requests.json", "application/x-www-form-urlencoded", form(&fields)).map_err(TestCaseError::fail)?;
        send("/open311/v2/requests.xml", "application/x-www-form-urlencoded", raw).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn tracking_answers_any_reference(reference in ".{0,40}", contact in ".{0,40}") {
        let fields = vec![
            ("csrf_token".to_owned(), fixture().csrf.clone()),
            ("reference".to_owned(), reference),
            ("contact".to_owned(), contact),
        ];
        send("/track", "application/x-www-form-urlencoded", form(&fields)).map_err(TestCaseError::fail)?;
    }
}

/// The fixture's forms reach the parsers: a valid answer is taken, so the properties above
/// are not all stopped at the CSRF check.
#[test]
fn a_valid_answer_gets_through_the_fixture() {
    let fields = vec![
        ("csrf_token".to_owned(), fixture().csrf.clone()),
        (
            "bin-type".to_owned(),
            "General waste (black bin)".to_owned(),
        ),
    ];
    let path = "/services/missed-bin-collection/questions/1";
    let status = send(path, "application/x-www-form-urlencoded", form(&fields));
    assert_eq!(status, Ok(303));
}
