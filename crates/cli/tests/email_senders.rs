//! Mail handed to the real `frontdoor serve --smtp` by a relay: a message whose DKIM
//! signature verifies for its From domain proves its sender; a forged From, unsigned or
//! signed by another domain, is filed but proves nothing and joins no one. A DKIM key in
//! the settings that cannot be read stops the server with the reason.

mod support;

use frontdoor_store::Store;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

fn dkim_fixture(name: &str) -> String {
    let path = format!(
        "{}/../intake/tests/fixtures/dkim/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path).unwrap()
}

/// The settings file `support::command` points at, with DKIM keys and no DNS.
fn write_settings(dir: &Path, key: &str) {
    let toml = format!(
        "email_dkim_dns = false\n[email_dkim_keys]\n\"fd2026._domainkey.residents.example\" = \"{key}\"\n"
    );
    std::fs::write(dir.join("none.toml"), toml).unwrap();
}

/// One message through SMTP, as a relay hands it over; the final reply line.
fn smtp_send(port: u16, raw: &str) -> String {
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    let mut reply = |text: &str| {
        if !text.is_empty() {
            writer.write_all(format!("{text}\r\n").as_bytes()).unwrap();
        }
        let mut line = String::new();
        loop {
            line.clear();
            reader.read_line(&mut line).unwrap();
            if line.as_bytes().get(3) != Some(&b'-') {
                return line.clone();
            }
        }
    };
    assert!(reply("").starts_with("220"));
    reply("EHLO relay.test");
    reply("MAIL FROM:<bounce@relay.test>");
    reply("RCPT TO:<contact@demo-council.gov.uk>");
    assert!(reply("DATA").starts_with("354"));
    // SMTP dot-stuffing is the relay's job; these messages have no line starting with '.'.
    let answer = reply(&format!("{}\r\n.", raw.trim_end_matches("\r\n")));
    reply("QUIT");
    answer
}

#[tokio::test]
async fn over_smtp_only_a_verified_signature_proves_the_sender() {
    let dir = tempfile::tempdir().unwrap();
    write_settings(dir.path(), dkim_fixture("fd2026.key.txt").trim());
    let (port, smtp) = (support::free_port(), support::free_port());
    let mut server = support::serve(dir.path(), port)
        .args(["--smtp", &format!("127.0.0.1:{smtp}")])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("the frontdoor binary starts");
    let client = reqwest::Client::new();
    support::wait_until_ready(&client, &format!("http://127.0.0.1:{port}")).await;

    let unsigned = "From: Jo Bloggs <jo@residents.example>\r\nSubject: Bins\r\n\
                    Message-ID: <smtp-forged@attacker.example>\r\n\r\nMy bin was missed again.\r\n";
    for raw in [
        dkim_fixture("dkim-pass.eml"),
        dkim_fixture("dkim-other-domain.eml"),
        dkim_fixture("dkim-body-changed.eml"),
        unsigned.to_owned(),
    ] {
        let answer = smtp_send(smtp, &raw);
        assert!(answer.starts_with("250 2.0.0 opened"), "{answer}");
    }
    server.kill().unwrap();
    server.wait().unwrap();

    let store = Store::open(&format!("sqlite://{}/fd.db", dir.path().display()))
        .await
        .unwrap();
    let hits = store
        .search_people("jo@residents.example", 10)
        .await
        .unwrap();
    assert_eq!(
        hits.len(),
        4,
        "four senders, none joined on an unproven address"
    );
    let mut proven = 0;
    for hit in hits {
        let person = store.person(hit.person_id).await.unwrap().unwrap();
        proven += person
            .records
            .iter()
            .filter(|r| r.identity.email_verified)
            .count();
    }
    assert_eq!(
        proven, 1,
        "only the message that verifies proves its sender"
    );
}

#[tokio::test]
async fn a_dkim_key_that_cannot_be_read_stops_the_server_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    write_settings(dir.path(), "v=DKIM1; k=rsa; p=not-a-key");
    let mut server = support::serve(dir.path(), support::free_port())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            server.kill().unwrap();
            panic!("the server started with a bad DKIM key");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(!status.success());
    let mut said = String::new();
    std::io::Read::read_to_string(&mut server.stderr.take().unwrap(), &mut said).unwrap();
    assert!(said.contains("email_dkim_keys"), "{said}");
}
