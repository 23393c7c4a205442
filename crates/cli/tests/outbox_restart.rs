//! The real `frontdoor serve` binary, killed with SIGKILL while messages are in its outbox
//! (one of them already accepted by Notify but not yet marked sent), then restarted on the
//! same database: every message reaches the (fake) Notify exactly once. Mail handed over
//! by SMTP to `serve --smtp` is filed and acknowledged the same way.

mod support;

use frontdoor_notify::fake::{self, FakeNotify};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

const SECRET: &str = "restart-test-secret";

fn start(dir: &Path, port: u16, smtp: u16, notify: &str) -> Child {
    support::serve(dir, port)
        .args(["--smtp", &format!("127.0.0.1:{smtp}")])
        .env("FRONTDOOR_INTAKE_SECRET", SECRET)
        .env("FRONTDOOR_EMAIL_SENDER", "notify")
        .env("FRONTDOOR_SMS_SENDER", "notify")
        .env("FRONTDOOR_NOTIFY_URL", notify)
        .env("FRONTDOOR_NOTIFY_API_KEY", fake::api_key())
        .env("FRONTDOOR_NOTIFY_EMAIL_TEMPLATE", fake::EMAIL_TEMPLATE)
        .env("FRONTDOOR_NOTIFY_SMS_TEMPLATE", fake::SMS_TEMPLATE)
        .env("FRONTDOOR_OUTBOX_LEASE_MS", "1500")
        .env("FRONTDOOR_OUTBOX_RETRY_BASE_MS", "100")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("the frontdoor binary starts")
}

async fn text_message(client: &reqwest::Client, base: &str, n: usize) {
    let body = serde_json::json!({
        "from": format!("07700 900{n:03}"),
        "text": format!("My bin was not collected at {n} Elm Street"),
        "id": format!("sms-{n}"),
    })
    .to_string();
    let url = format!("{base}/intake/sms");
    let response = support::post_signed(client, &url, SECRET, body).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
}

/// Hands one message to the SMTP listener as a relay would.
fn smtp_send(port: u16, raw: &str) -> String {
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    let mut line = String::new();
    let mut say = |text: &str, reader: &mut BufReader<TcpStream>| {
        if !text.is_empty() {
            writer.write_all(format!("{text}\r\n").as_bytes()).unwrap();
        }
        loop {
            line.clear();
            reader.read_line(&mut line).unwrap();
            if line.as_bytes().get(3) != Some(&b'-') {
                return line.clone();
            }
        }
    };
    assert!(say("", &mut reader).starts_with("220"));
    say("EHLO relay.test", &mut reader);
    say("MAIL FROM:<ann@example.org>", &mut reader);
    say("RCPT TO:<contact@demo-council.gov.uk>", &mut reader);
    assert!(say("DATA", &mut reader).starts_with("354"));
    let answer = say(&format!("{raw}\r\n."), &mut reader);
    say("QUIT", &mut reader);
    answer
}

#[tokio::test]
async fn messages_in_the_outbox_survive_sigkill_and_are_delivered_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let notify = FakeNotify::default();
    let notify_url = notify.start().await;
    let (port, smtp) = (support::free_port(), support::free_port());
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();

    // Notify accepts messages but answers slowly: the server is killed mid-send.
    notify.answer_after(Some(Duration::from_secs(30)));
    let mut server = start(dir.path(), port, smtp, &notify_url);
    support::wait_until_ready(&client, &base).await;
    for n in 0..20 {
        text_message(&client, &base, n).await;
    }
    let answer = smtp_send(
        smtp,
        "From: Ann Smith <ann@example.org>\r\nSubject: Pothole\r\nMessage-ID: <smtp-1@example.org>\r\n\r\nThere is a pothole on Station Road.",
    );
    assert!(answer.starts_with("250 2.0.0 opened"), "{answer}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while notify.accepted().is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!notify.accepted().is_empty(), "the worker started sending");
    server.kill().expect("SIGKILL");
    server.wait().unwrap();
    let before_restart = notify.accepted().len();
    assert!(before_restart < 21, "killed with messages still to send");

    notify.answer_after(None);
    let mut server = start(dir.path(), port, smtp, &notify_url);
    support::wait_until_ready(&client, &base).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    while notify.accepted().len() < 21 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Give a duplicate, if there were going to be one, time to arrive.
    tokio::time::sleep(Duration::from_secs(3)).await;
    server.kill().unwrap();
    server.wait().unwrap();

    let accepted = notify.accepted();
    let mut references: Vec<&str> = accepted.iter().map(|(r, _)| r.as_str()).collect();
    references.sort();
    let total = references.len();
    references.dedup();
    assert_eq!(total, 21, "20 texts and 1 email acknowledged");
    assert_eq!(
        references.len(),
        total,
        "no message sent twice: {references:?}"
    );
    println!(
        "accepted before the kill: {before_restart}; after restart: {}",
        total - before_restart
    );
}
