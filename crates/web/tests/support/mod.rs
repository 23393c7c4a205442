//! `spawn_app()`: a real Front Door server on a random port, with a fresh SQLite file, or
//! a fresh PostgreSQL schema where `FRONTDOOR_TEST_POSTGRES` names a server.
#![allow(
    dead_code,
    reason = "each test binary uses a different part of this module"
)]

use frontdoor_domain::area::{CouncilArea, GeoJsonFile};
use frontdoor_domain::{Catalogue, GazetteerAddress, Point, Postcode};
use frontdoor_store::{NewStaff, Store};
use frontdoor_web::{AppState, WebSettings};
use reqwest::StatusCode;
use reqwest::redirect::Policy;

pub struct TestApp {
    pub address: String,
    pub store: Store,
    database_url: String,
    _dir: tempfile::TempDir,
}

/// The secret test gateways sign inbound webhooks with.
pub const INTAKE_SECRET: &str = "test-intake-secret";

/// The settings tests run with: webhooks on, signed with `INTAKE_SECRET`; DKIM keys for
/// the test mail domains given up front, never looked up in DNS.
pub fn test_settings() -> WebSettings {
    let key = std::fs::read_to_string(dkim_fixture("fd2026.key.txt")).unwrap();
    let email_dkim_keys = SIGNING_DOMAINS
        .iter()
        .map(|d| (format!("fd2026._domainkey.{d}"), key.trim().to_owned()))
        .collect();
    WebSettings {
        intake_secret: Some(INTAKE_SECRET.into()),
        email_dkim_dns: false,
        email_dkim_keys,
        ..WebSettings::default()
    }
}

/// The mail domains whose test messages `dkim_signed` can sign, as their owners would.
pub const SIGNING_DOMAINS: [&str; 4] = [
    "example.org",
    "example.net",
    "residents.example",
    "attacker.example",
];

/// The path of a file among the intake crate's DKIM test fixtures.
pub fn dkim_fixture(name: &str) -> String {
    format!(
        "{}/../intake/tests/fixtures/dkim/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// `raw` with a DKIM signature by `domain` (one of `SIGNING_DOMAINS`), made with the
/// test-only key whose public half `test_settings` gives the server.
pub fn dkim_signed(domain: &str, raw: &str) -> Vec<u8> {
    use mail_auth::common::crypto::{RsaKey, Sha256};
    use mail_auth::common::headers::HeaderWriter;
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{PrivateKeyDer, PrivatePkcs1KeyDer};
    let pem = std::fs::read(dkim_fixture("fd2026.test-only-private.pem")).unwrap();
    let der = PrivatePkcs1KeyDer::from_pem_slice(&pem).unwrap();
    let key = RsaKey::<Sha256>::from_key_der(PrivateKeyDer::Pkcs1(der)).unwrap();
    let signature = mail_auth::dkim::DkimSigner::from_key(key)
        .domain(domain)
        .selector("fd2026")
        .headers(["From", "To", "Subject", "Message-ID"])
        .sign(raw.as_bytes())
        .unwrap();
    format!("{}{raw}", signature.to_header()).into_bytes()
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(test_settings()).await
}

pub async fn spawn_app_with(settings: WebSettings) -> TestApp {
    // A failing request's error, where a test is run with RUST_LOG=error to see it.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let database_url = frontdoor_store::scratch::database_url(dir.path()).await;
    let store = Store::open(&database_url).await.expect("database opens");
    let catalogue = demo_catalogue();
    store.sync_teams(&catalogue.teams).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    store.import_gazetteer(&demo_gazetteer()).await.unwrap();
    let welsh = demo_welsh(&catalogue);
    let state = AppState::new(store.clone(), catalogue, settings, demo_model())
        .with_area(demo_area())
        .with_welsh(welsh);
    tokio::spawn(frontdoor_web::serve(listener, state));
    TestApp {
        address,
        store,
        database_url,
        _dir: dir,
    }
}

/// The triage model shipped in the repository, as the binary embeds it.
pub fn demo_model() -> frontdoor_triage::Model {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/demo-council.triage"
    );
    let table = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/minilm-l6-static.emb"
    );
    static TABLE: std::sync::OnceLock<std::sync::Arc<frontdoor_triage::StaticEmbeddings>> =
        std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let bytes = std::fs::read(table).unwrap();
        std::sync::Arc::new(
            frontdoor_triage::StaticEmbeddings::from_bytes(&bytes)
                .expect("the embedding table loads"),
        )
    });
    frontdoor_triage::Model::from_bytes_with(&std::fs::read(path).unwrap(), Some(table.clone()))
        .expect("the model loads")
}

fn demo_file(name: &str) -> String {
    let path = format!(
        "{}/../../catalogue/demo-council/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path).unwrap()
}

/// The demo council's boundary, wards and neighbours.
pub fn demo_area() -> CouncilArea {
    let (boundary, wards, neighbours) = (
        demo_file("boundary.geojson"),
        demo_file("wards.geojson"),
        demo_file("neighbours.geojson"),
    );
    CouncilArea::from_geojson(
        GeoJsonFile {
            name: "boundary",
            text: &boundary,
        },
        GeoJsonFile {
            name: "wards",
            text: &wards,
        },
        Some(GeoJsonFile {
            name: "neighbours",
            text: &neighbours,
        }),
    )
    .expect("the demo area is valid")
}

/// The demo gazetteer (a plain CSV with no quoted fields).
pub fn demo_gazetteer() -> Vec<GazetteerAddress> {
    demo_file("gazetteer.csv")
        .lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            GazetteerAddress {
                uprn: f[0].into(),
                line1: f[1].into(),
                line2: Some(f[2].to_owned()).filter(|l| !l.is_empty()),
                town: f[3].into(),
                postcode: Postcode::parse(f[4]).unwrap(),
                street: f[5].into(),
                point: Point::parse(f[6], f[7]).unwrap(),
            }
        })
        .collect()
}

pub fn demo_catalogue() -> Catalogue {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../catalogue/demo-council.toml"
    );
    Catalogue::parse(path, &std::fs::read_to_string(path).unwrap())
        .expect("demo catalogue is valid")
}

/// The demo council's catalogue in Welsh, as `frontdoor serve` loads it.
pub fn demo_welsh(english: &Catalogue) -> Catalogue {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../catalogue/demo-council.cy.toml"
    );
    english
        .translated(path, &std::fs::read_to_string(path).unwrap())
        .expect("demo Welsh catalogue is valid")
}

impl TestApp {
    /// The database the server runs on, for tests that look at everything stored.
    pub fn database_url(&self) -> String {
        self.database_url.clone()
    }

    /// A connection pool of the test's own on the server's database, for looking underneath.
    pub async fn pool(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&self.database_url).await.unwrap()
    }

    /// The names of every table in the server's database but the migrations' own.
    pub async fn tables(&self) -> Vec<String> {
        let sql = match self.store.backend() {
            frontdoor_store::Backend::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name <> '_sqlx_migrations'"
            }
            frontdoor_store::Backend::Postgres => {
                "SELECT CAST(tablename AS TEXT) FROM pg_tables
                 WHERE schemaname = current_schema() AND tablename <> '_sqlx_migrations'"
            }
        };
        sqlx::query_scalar(sql)
            .fetch_all(&self.pool().await)
            .await
            .unwrap()
    }

    /// The case with this reference, which the test expects to exist.
    pub async fn case(
        &self,
        reference: &frontdoor_domain::Reference,
    ) -> frontdoor_store::CaseDetail {
        self.store
            .case_by_reference(reference)
            .await
            .unwrap()
            .expect("the case exists")
    }

    /// Posts a body to a webhook, signed as a gateway holding `INTAKE_SECRET` would sign it.
    pub async fn post_signed(
        &self,
        path: &str,
        content_type: &str,
        body: &[u8],
    ) -> reqwest::Response {
        let signature = frontdoor_intake::sign(INTAKE_SECRET.as_bytes(), body);
        reqwest::Client::new()
            .post(format!("{}{path}", self.address))
            .header("content-type", content_type)
            .header("x-signature", signature)
            .body(body.to_vec())
            .send()
            .await
            .unwrap()
    }

    /// A browser: keeps cookies, does not follow redirects (so tests can see them).
    pub fn browser(&self) -> Browser {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .unwrap();
        Browser {
            client,
            base: self.address.clone(),
        }
    }

    /// A bearer token for the JSON API, as `frontdoor user token` issues one.
    pub async fn api_token(&self, staff_id: i64) -> String {
        let state = AppState::new(
            self.store.clone(),
            demo_catalogue(),
            WebSettings::default(),
            demo_model(),
        );
        frontdoor_web::issue_api_token(&state, staff_id, jiff::SignedDuration::from_hours(1))
            .await
            .unwrap()
    }

    /// Opens a case through the JSON API, as a partner system would, and returns its reference.
    pub async fn open_case(&self, body: serde_json::Value) -> String {
        let created = reqwest::Client::new()
            .post(format!("{}/api/v1/cases", self.address))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), StatusCode::CREATED);
        let created: serde_json::Value = created.json().await.unwrap();
        created["reference"].as_str().unwrap().to_owned()
    }

    pub async fn add_staff(&self, email: &str, team: &str, password: &str) -> i64 {
        self.add_staff_with_role(email, team, password, "officer")
            .await
    }

    pub async fn add_staff_with_role(
        &self,
        email: &str,
        team: &str,
        password: &str,
        role: &str,
    ) -> i64 {
        let hash = frontdoor_web::hash_password(password).unwrap();
        self.store
            .upsert_staff(NewStaff {
                email,
                name: "Sam Officer",
                team,
                role,
                password_hash: &hash,
            })
            .await
            .unwrap()
    }
}

/// Adds a waste officer and signs them in to the console.
pub async fn sign_in(app: &TestApp) -> Browser {
    sign_in_as(app, "sam@demo-council.example", "waste").await
}

/// Adds an officer in `team` and signs them in to the console.
pub async fn sign_in_as(app: &TestApp, email: &str, team: &str) -> Browser {
    sign_in_with_role(app, email, team, "officer").await
}

/// Adds a member of staff with a role (officer, manager, admin…) and signs them in.
pub async fn sign_in_with_role(app: &TestApp, email: &str, team: &str, role: &str) -> Browser {
    app.add_staff_with_role(email, team, "a long enough password", role)
        .await;
    let staff = app.browser();
    let form = staff.get("/console/sign-in").await;
    let signed_in = staff
        .submit(
            &form,
            "/console/sign-in",
            &[("email", email), ("password", "a long enough password")],
        )
        .await;
    assert_eq!(
        signed_in.location.as_deref(),
        Some("/console/queues"),
        "{}",
        signed_in.body
    );
    staff
}

/// Adds the data-protection officer (an administrator in Information Governance) and
/// signs them in.
pub async fn sign_in_admin(app: &TestApp) -> Browser {
    sign_in_with_role(
        app,
        "dpo@demo-council.example",
        "information-governance",
        "admin",
    )
    .await
}

impl TestApp {
    /// The resident behind a case, by its reference.
    pub async fn person_of(&self, reference: &str) -> i64 {
        let reference = frontdoor_domain::Reference::parse(reference).unwrap();
        self.case(&reference).await.person_id
    }

    /// Joins the residents of two cases into one person, as a team lead would, and
    /// returns that person.
    pub async fn one_person(&self, first: &str, second: &str) -> i64 {
        let (person, other) = (self.person_of(first).await, self.person_of(second).await);
        let lead = self
            .add_staff_with_role("merger@demo-council.example", "waste", "pw", "team-lead")
            .await;
        self.store.merge_people(person, other, lead).await.unwrap();
        person
    }
}

pub struct Browser {
    pub client: reqwest::Client,
    pub base: String,
}

pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub retry_after: Option<String>,
    pub body: String,
}

impl Page {
    pub fn csrf(&self) -> String {
        let marker = r#"name="csrf_token" value=""#;
        let start = self
            .body
            .find(marker)
            .expect("the page has a form with a CSRF token")
            + marker.len();
        self.body[start..].split('"').next().unwrap().to_owned()
    }

    /// The reference a confirmation page shows (`<strong id="reference">`).
    pub fn reference(&self) -> String {
        let marker = r#"<strong id="reference">"#;
        let start = self.body.find(marker).expect("a reference on the page") + marker.len();
        self.body[start..].split('<').next().unwrap().to_owned()
    }

    pub fn assert_contains(&self, text: &str) {
        assert!(
            self.body.contains(text),
            "expected page to contain {text:?}; status {}; page:\n{}",
            self.status,
            self.body
        );
    }
}

impl Browser {
    pub async fn get(&self, path: &str) -> Page {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        page(response).await
    }

    /// Posts a form as a browser would, adding the CSRF token from `from`.
    pub async fn submit(&self, from: &Page, path: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = from.csrf();
        let mut pairs: Vec<(&str, &str)> = vec![("csrf_token", &csrf)];
        pairs.extend_from_slice(fields);
        self.post(path, &pairs).await
    }

    pub async fn post(&self, path: &str, pairs: &[(&str, &str)]) -> Page {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .form(pairs)
            .send()
            .await
            .unwrap();
        page(response).await
    }

    /// Asks the tracking page for a case with what the resident would type.
    pub async fn track(&self, reference: &str, contact: &str) -> Page {
        let form = self.get("/track").await;
        self.submit(
            &form,
            "/track",
            &[("reference", reference), ("contact", contact)],
        )
        .await
    }

    /// Opens a case in a restricted service, giving a reason first, and returns its page.
    pub async fn open_restricted(&self, reference: &str) -> Page {
        let path = format!("/console/cases/{reference}");
        let asked = self.get(&path).await;
        asked.assert_contains("Why are you opening case");
        let given = self
            .submit(&asked, &format!("{path}/reason"), &[("reason", "working")])
            .await;
        assert_eq!(given.status, StatusCode::SEE_OTHER, "{}", given.body);
        self.get(&path).await
    }

    /// Fills a one-question page and expects to be sent on.
    pub async fn answer(&self, path: &str, fields: &[(&str, &str)]) -> String {
        let form = self.get(path).await;
        assert_eq!(form.status, StatusCode::OK, "{path}: {}", form.body);
        let sent = self.submit(&form, path, fields).await;
        assert_eq!(
            sent.status,
            StatusCode::SEE_OTHER,
            "{path} refused: {}",
            sent.body
        );
        sent.location.unwrap()
    }
}

async fn page(response: reqwest::Response) -> Page {
    let status = response.status();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let (location, retry_after) = (header("location"), header("retry-after"));
    Page {
        status,
        location,
        retry_after,
        body: response.text().await.unwrap(),
    }
}

/// A safeguarding concern (a restricted service) as a partner system would send it.
pub fn safeguarding_concern(email: &str) -> serde_json::Value {
    serde_json::json!({
        "service": "safeguarding-concern",
        "answers": {
            "about": "An adult",
            "concern": "My neighbour has not been seen for a week and shouts for help at night",
            "immediate-danger": false
        },
        "contact": {"name": "Pat Resident", "email": email}
    })
}

/// A pothole report as a partner system would send it to `POST /api/v1/cases`.
pub fn pothole(email: &str) -> serde_json::Value {
    serde_json::json!({
        "service": "pothole-report",
        "answers": {
            "surface": "On the road",
            "size": "Larger than a car tyre",
            "location": {"lat": 52.99, "lon": -1.52},
            "details": "Deep hole by the gates"
        },
        "contact": {"name": "Pat Jones", "email": email}
    })
}
