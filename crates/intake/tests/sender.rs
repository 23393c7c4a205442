//! Proving an email's sender against DKIM-signed messages: one that verifies for the From
//! domain, one changed after signing, one signed by another domain under a forged From,
//! and one not signed at all. The key is given up front, as DNS would publish it.

use frontdoor_intake::SenderCheck;

const KEY_NAME: &str = "fd2026._domainkey.residents.example";

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/dkim/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(path).unwrap()
}

fn check() -> SenderCheck {
    let key = String::from_utf8(fixture("fd2026.key.txt")).unwrap();
    let check = SenderCheck::new(None, false);
    check.add_key(KEY_NAME, key.trim()).unwrap();
    check
        .add_key("fd2026._domainkey.attacker.example", key.trim())
        .unwrap();
    check
}

#[tokio::test]
async fn a_signature_that_verifies_for_the_from_domain_proves_the_sender() {
    let proof = check()
        .check(&fixture("dkim-pass.eml"), "jo@residents.example")
        .await;
    assert!(proof.is_proven(), "{proof:?}");
    assert_eq!(
        proof.explain(),
        "DKIM signature by residents.example verified"
    );
}

#[tokio::test]
async fn a_message_changed_after_signing_is_not_proven() {
    let proof = check()
        .check(&fixture("dkim-body-changed.eml"), "jo@residents.example")
        .await;
    assert!(!proof.is_proven(), "{proof:?}");
}

#[tokio::test]
async fn a_forged_from_signed_by_another_domain_is_not_proven() {
    let proof = check()
        .check(&fixture("dkim-other-domain.eml"), "jo@residents.example")
        .await;
    assert!(!proof.is_proven(), "{proof:?}");
    assert!(proof.explain().contains("attacker.example"), "{proof:?}");
}

#[tokio::test]
async fn an_unsigned_message_or_an_unknown_key_is_not_proven() {
    let unsigned = b"From: jo@residents.example\r\nSubject: hi\r\n\r\nHello\r\n";
    let proof = check().check(unsigned, "jo@residents.example").await;
    assert_eq!(proof.explain(), "the message has no DKIM signature");
    let no_key = SenderCheck::new(None, false)
        .check(&fixture("dkim-pass.eml"), "jo@residents.example")
        .await;
    assert!(!no_key.is_proven(), "{no_key:?}");
}

#[tokio::test]
async fn with_a_trusted_relay_its_header_decides_and_dkim_is_not_rechecked() {
    let relay = SenderCheck::new(Some("mx.demo-council.example".into()), false);
    let signed_but_no_header = relay
        .check(&fixture("dkim-pass.eml"), "jo@residents.example")
        .await;
    assert!(!signed_but_no_header.is_proven());
    let mut stamped =
        b"Authentication-Results: mx.demo-council.example; dmarc=pass header.from=residents.example\r\n"
            .to_vec();
    stamped.extend(fixture("dkim-pass.eml"));
    assert!(
        relay
            .check(&stamped, "jo@residents.example")
            .await
            .is_proven()
    );
}

/// RFC 8463's Appendix A: a message signed twice, Ed25519 and RSA-SHA256, by another
/// program, with the keys the RFC publishes (a test vector this code was not written from).
#[tokio::test]
async fn the_rfc_8463_example_verifies_with_either_signature_and_not_once_changed() {
    let raw = fixture("rfc8463-appendix-a.eml");
    for (selector, key) in [
        (
            "brisbane",
            "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
        ),
        (
            "test",
            "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB",
        ),
    ] {
        let check = SenderCheck::new(None, false);
        check
            .add_key(&format!("{selector}._domainkey.football.example.com"), key)
            .unwrap();
        let proof = check.check(&raw, "joe@football.example.com").await;
        assert!(proof.is_proven(), "{selector}: {proof:?}");
        let changed = String::from_utf8(raw.clone())
            .unwrap()
            .replace("Are you hungry", "Are you thirsty");
        let proof = check
            .check(changed.as_bytes(), "joe@football.example.com")
            .await;
        assert!(!proof.is_proven(), "{selector} after a change: {proof:?}");
    }
}
