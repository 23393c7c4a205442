//! Every message in the fixture corpus is read as a person would read it; the ones that
//! cannot be read fail with the reason the quarantine shows. Expectations are in
//! `fixtures/expected.json`, written by hand in `fixtures/generate.py`.

use frontdoor_intake::{EmailError, find_reference, parse_email};
use serde_json::Value;
use std::path::Path;

fn fixtures() -> Vec<Value> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let expected = std::fs::read_to_string(dir.join("expected.json")).unwrap();
    serde_json::from_str(&expected).unwrap()
}

fn raw(case: &Value) -> Vec<u8> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    std::fs::read(dir.join(case["file"].as_str().unwrap())).unwrap()
}

fn strings(case: &Value, key: &str) -> Vec<String> {
    case.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|v| v.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default()
}

#[test]
fn the_corpus_is_large_enough_to_mean_something() {
    let readable = fixtures()
        .iter()
        .filter(|c| c.get("error").is_none())
        .count();
    assert!(readable >= 30, "only {readable} readable fixtures");
}

#[test]
fn every_readable_message_yields_the_residents_words() {
    let mut failures = Vec::new();
    for case in fixtures().iter().filter(|c| c.get("error").is_none()) {
        if let Err(why) = check(case) {
            failures.push(format!("{}: {why}", case["file"]));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

fn check(case: &Value) -> Result<(), String> {
    let email = parse_email(&raw(case)).map_err(|e| format!("not read: {e}"))?;
    let want = |k: &str| case.get(k).and_then(Value::as_str);
    if Some(email.from_address.as_str()) != want("sender").map(|s| s.to_lowercase()).as_deref()
        && Some(email.from_address.as_str()) != want("sender")
    {
        return Err(format!("sender {}", email.from_address));
    }
    if let Some(name) = want("name") {
        (email.from_name.as_deref() == Some(name))
            .then_some(())
            .ok_or(format!("name {:?}", email.from_name))?;
    }
    if let Some(subject) = want("subject") {
        (email.subject == subject)
            .then_some(())
            .ok_or(format!("subject {:?}", email.subject))?;
    }
    if let Some(id) = case.get("message_id") {
        (email.message_id.as_deref() == id.as_str())
            .then_some(())
            .ok_or(format!("message id {:?}", email.message_id))?;
    }
    for has in strings(case, "body_has") {
        if !email.body.contains(&has) {
            return Err(format!("body lacks {has:?}: {:?}", email.body));
        }
    }
    for lacks in strings(case, "body_lacks") {
        if email.body.contains(&lacks) {
            return Err(format!("body keeps {lacks:?}: {:?}", email.body));
        }
    }
    check_attachments(case, &email.attachments)?;
    let automatic = case
        .get("automatic")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if email.automatic != automatic {
        return Err(format!("automatic {}", email.automatic));
    }
    let found = find_reference(&email.subject, &email.full_text).map(|r| r.to_string());
    if found.as_deref() != want("reference") {
        return Err(format!("reference {found:?}"));
    }
    Ok(())
}

fn check_attachments(case: &Value, got: &[frontdoor_domain::Attachment]) -> Result<(), String> {
    let empty = Vec::new();
    let want = case
        .get("attachments")
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    if want.len() != got.len() {
        return Err(format!(
            "{} attachments, expected {}",
            got.len(),
            want.len()
        ));
    }
    for (w, g) in want.iter().zip(got) {
        let (name, ctype, size) = (
            w[0].as_str().unwrap(),
            w[1].as_str().unwrap(),
            w[2].as_u64(),
        );
        if g.filename != name || g.content_type != ctype {
            return Err(format!("attachment {} {}", g.filename, g.content_type));
        }
        if size.is_some_and(|s| s as usize != g.data.len()) || g.data.is_empty() {
            return Err(format!("attachment {} has {} bytes", name, g.data.len()));
        }
    }
    Ok(())
}

#[test]
fn unreadable_messages_fail_with_their_reason() {
    for case in fixtures().iter().filter(|c| c.get("error").is_some()) {
        let result = parse_email(&raw(case));
        let ok = matches!(
            (case["error"].as_str().unwrap(), &result),
            ("empty", Err(EmailError::Empty))
                | (
                    "no-sender",
                    Err(EmailError::NoSender | EmailError::BadSender(_))
                )
                | ("no-content", Err(EmailError::NoContent))
                | ("parser", Err(EmailError::ParserFailed))
                | ("any", Err(_))
        );
        assert!(ok, "{}: {:?}", case["file"], result.map(|e| e.body));
    }
}
