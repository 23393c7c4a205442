//! The real `frontdoor serve` binary at debug log level, taken through what residents and
//! staff do with personal data: a case by the API, a text message, an unreadable message,
//! tracking, a wrong and a right sign-in, a staff reply. None of the personal data may
//! appear in what the server logs, while the log itself shows the work was done.

mod support;

use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

const SECRET: &str = "log-test-secret";
const NAME: &str = "Zebedee Quillfeather";
const EMAIL: &str = "zebedee.quill@example.org";
const PHONE: &str = "07700 900456";
const POSTCODE: &str = "DC1 1AA";
const DETAILS: &str = "Tarnished lamppost wobbling";
const TEXT_MESSAGE: &str = "Overflowing grit bin by Marigold Court";
const STAFF_EMAIL: &str = "lou.officer@demo-council.example";
const WRONG_EMAIL: &str = "misspelt.person@demo-council.example";
const STAFF_PASSWORD: &str = "a long staff password";
const REPLY: &str = "Crew booked for Thursday morning";

fn personal_data() -> Vec<&'static str> {
    vec![
        NAME,
        "Quillfeather",
        EMAIL,
        PHONE,
        "07700900456",
        "+447700900456",
        POSTCODE,
        DETAILS,
        TEXT_MESSAGE,
        "Marigold",
        STAFF_EMAIL,
        WRONG_EMAIL,
        STAFF_PASSWORD,
        REPLY,
    ]
}

fn frontdoor(dir: &Path) -> Command {
    let mut command = support::command(dir);
    command
        .env("FRONTDOOR_INTAKE_SECRET", SECRET)
        .env("RUST_LOG", "debug");
    command
}

fn add_staff(dir: &Path) {
    support::add_staff(frontdoor(dir), STAFF_EMAIL, "highways", STAFF_PASSWORD);
}

fn serve(dir: &Path, port: u16) -> Child {
    let log = std::fs::File::create(dir.join("server.log")).unwrap();
    frontdoor(dir)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("the frontdoor binary starts")
}

async fn signed(client: &reqwest::Client, url: String, body: String) -> reqwest::StatusCode {
    support::post_signed(client, &url, SECRET, body)
        .await
        .status()
}

/// What a resident sends: a case by the API, a text, an unreadable message, tracking.
async fn resident_contacts(client: &reqwest::Client, base: &str) -> String {
    let contact =
        serde_json::json!({"name": NAME, "email": EMAIL, "phone": PHONE, "postcode": POSTCODE});
    let case = support::pothole(DETAILS, contact);
    let reference = support::open_case(client, base, &case).await;
    let text = serde_json::json!({"from": PHONE, "text": TEXT_MESSAGE, "id": "sms-1"});
    let url = format!("{base}/intake/sms");
    assert!(
        signed(client, url.clone(), text.to_string())
            .await
            .is_success()
    );
    let unreadable = format!("{{\"from\": \"{PHONE}\", \"text\": \"{TEXT_MESSAGE}\"");
    assert_eq!(signed(client, url, unreadable).await, 422);
    let browser = support::cookie_client();
    let form = browser.get(format!("{base}/track")).send().await.unwrap();
    let token = support::csrf(&form.text().await.unwrap());
    let tracked = browser
        .post(format!("{base}/track"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("reference", reference.as_str()),
            ("contact", EMAIL),
        ])
        .send()
        .await
        .unwrap();
    assert!(tracked.text().await.unwrap().contains(&reference));
    reference
}

/// A wrong sign-in, a right one, and a reply to the resident.
async fn staff_work(base: &str, reference: &str) {
    let staff = support::cookie_client();
    for (email, password) in [(WRONG_EMAIL, STAFF_PASSWORD), (STAFF_EMAIL, STAFF_PASSWORD)] {
        support::sign_in(&staff, base, email, password).await;
    }
    let case = format!("{base}/console/cases/{reference}");
    let page = staff.get(&case).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(NAME), "the officer sees the case");
    let replied = staff
        .post(format!("{case}/reply"))
        .form(&[
            ("csrf_token", support::csrf(&page).as_str()),
            ("reply", REPLY),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(replied.status(), 303);
}

#[tokio::test]
async fn the_server_log_holds_no_personal_data_from_residents_or_staff() {
    let dir = tempfile::tempdir().unwrap();
    add_staff(dir.path());
    let port = support::free_port();
    let mut server = serve(dir.path(), port);
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    support::wait_until_ready(&client, &base).await;
    let reference = resident_contacts(&client, &base).await;
    staff_work(&base, &reference).await;
    // Let the outbox send the acknowledgement and the reply before reading the log.
    let mailbox = dir.path().join("mail");
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::fs::read_dir(&mailbox).map_or(0, |d| d.count()) < 2 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server.kill().unwrap();
    server.wait().unwrap();

    let log = std::fs::read_to_string(dir.path().join("server.log")).unwrap();
    assert!(
        log.contains("staff signed in"),
        "the log shows the work: {log}"
    );
    assert!(log.contains("message written to the dev mailbox"), "{log}");
    let lower = log.to_lowercase();
    let leaked: Vec<&str> = personal_data()
        .into_iter()
        .filter(|p| lower.contains(&p.to_lowercase()))
        .collect();
    assert!(
        leaked.is_empty(),
        "personal data in the log: {leaked:?}\n{log}"
    );
}
