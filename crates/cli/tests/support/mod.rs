//! What the tests that run the real `frontdoor` binary share: a free port, waiting for the
//! server, and a case body as a partner system would send it.
#![allow(
    dead_code,
    reason = "each test binary uses a different part of this module"
)]

use std::time::{Duration, Instant};

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits up to a minute for the server at `base` to answer `/readyz` with success.
pub async fn wait_until_ready(client: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let ready = client.get(format!("{base}/readyz")).send().await;
        if ready.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not start");
}

/// A pothole report for `POST /api/v1/cases`, with these details and contact details.
pub fn pothole(details: &str, contact: serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "service": "pothole-report",
        "answers": {
            "surface": "On the road",
            "size": "Larger than a car tyre",
            "location": {"lat": 52.99, "lon": -1.52},
            "details": details
        },
        "contact": contact
    })
}

/// The `frontdoor` binary on the database in `dir`, with no settings file, for a test to
/// add its command and settings to.
pub fn command(dir: &std::path::Path) -> std::process::Command {
    command_on(dir, &format!("sqlite://{}/fd.db", dir.display()))
}

/// The `frontdoor` binary on the database at `url`, keeping its files in `dir`.
pub fn command_on(dir: &std::path::Path, url: &str) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_frontdoor"));
    command
        .arg("--config")
        .arg(dir.join("none.toml"))
        .arg("--database")
        .arg(url)
        .env("FRONTDOOR_DEV_MAILBOX", dir.join("mail"));
    command
}

/// `frontdoor serve` on `port`, not yet started.
pub fn serve(dir: &std::path::Path, port: u16) -> std::process::Command {
    let mut serve = command(dir);
    serve.args(["serve", "--addr", &format!("127.0.0.1:{port}")]);
    serve
}

/// Runs the `frontdoor` binary to completion on the database in `dir`.
pub fn frontdoor(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    command(dir)
        .args(args)
        .env("RUST_LOG", "error")
        .output()
        .expect("the frontdoor binary runs")
}

/// Posts JSON to a webhook, signed with `secret` as a gateway would sign it.
pub async fn post_signed(
    client: &reqwest::Client,
    url: &str,
    secret: &str,
    body: String,
) -> reqwest::Response {
    client
        .post(url)
        .header("content-type", "application/json")
        .header(
            "x-signature",
            frontdoor_intake::sign(secret.as_bytes(), body.as_bytes()),
        )
        .body(body)
        .send()
        .await
        .unwrap()
}

/// `frontdoor user add` through `command`, typing `password` at its prompt as a person would.
pub fn add_staff(mut command: std::process::Command, email: &str, team: &str, password: &str) {
    use std::io::Write;
    use std::process::Stdio;
    let mut add = command
        .args(["user", "add", "--email", email, "--name", "Lou Officer"])
        .args(["--team", team])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("the frontdoor binary starts");
    writeln!(add.stdin.take().unwrap(), "{password}").unwrap();
    assert!(add.wait().unwrap().success(), "user add {email}");
}

/// A client that keeps cookies and shows redirects rather than following them.
pub fn cookie_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The `csrf_token` of the first form on a page.
pub fn csrf(page: &str) -> String {
    let marker = r#"name="csrf_token" value=""#;
    let start = page.find(marker).expect("a form") + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

/// Signs in at `base`'s staff console with the client's cookies; returns the answer's
/// status (303 when signed in).
pub async fn sign_in(
    client: &reqwest::Client,
    base: &str,
    email: &str,
    password: &str,
) -> reqwest::StatusCode {
    let url = format!("{base}/console/sign-in");
    let form = client.get(&url).send().await.unwrap().text().await.unwrap();
    let token = csrf(&form);
    let fields = [
        ("csrf_token", token.as_str()),
        ("email", email),
        ("password", password),
    ];
    client
        .post(&url)
        .form(&fields)
        .send()
        .await
        .unwrap()
        .status()
}

/// Posts a case to `base`'s JSON API, expects it to be opened, and returns its reference.
pub async fn open_case(client: &reqwest::Client, base: &str, body: &serde_json::Value) -> String {
    let response = client
        .post(format!("{base}/api/v1/cases"))
        .json(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    let created: serde_json::Value = response.json().await.unwrap();
    created["reference"]
        .as_str()
        .expect("a reference")
        .to_owned()
}
