//! `frontdoor ingest email`: a message from a file or standard input becomes a case; an
//! unreadable one is quarantined and the command exits non-zero saying why.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../intake/tests/fixtures")
        .join(name)
}

fn ingest(dir: &Path, file: Option<&Path>, stdin: &[u8]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_frontdoor"));
    command
        .arg("--config")
        .arg(dir.join("none.toml"))
        .arg("--database")
        .arg(format!("sqlite://{}/fd.db", dir.display()))
        .args(["ingest", "email"])
        .env("RUST_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(file) = file {
        command.arg(file);
    }
    let mut child = command.spawn().unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn a_message_opens_a_case_and_its_reply_threads_onto_it() {
    let dir = tempfile::tempdir().unwrap();
    let raw = std::fs::read(fixture("01-plain-ascii.eml")).unwrap();
    let opened = ingest(dir.path(), None, &raw);
    assert!(
        opened.status.success(),
        "{}",
        String::from_utf8_lossy(&opened.stderr)
    );
    let said = String::from_utf8(opened.stdout).unwrap();
    assert!(said.starts_with("opened "), "{said}");
    let reference = said.split_whitespace().nth(1).unwrap().to_owned();

    let reply =
        format!("From: ann.smith@example.org\r\nSubject: Re: {reference}\r\n\r\nAny news?\r\n");
    let threaded = ingest(dir.path(), None, reply.as_bytes());
    assert_eq!(
        String::from_utf8(threaded.stdout).unwrap().trim(),
        format!("added to {reference}")
    );

    let again = ingest(dir.path(), Some(&fixture("01-plain-ascii.eml")), b"");
    let said = String::from_utf8(again.stdout).unwrap();
    assert_eq!(said.trim(), format!("already received as {reference}"));
}

#[test]
fn an_unreadable_message_is_kept_and_the_command_fails_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let out = ingest(dir.path(), Some(&fixture("91-no-from.eml")), b"");
    assert!(!out.status.success());
    let error = String::from_utf8(out.stderr).unwrap();
    assert!(error.contains("no sender (From) address"), "{error}");
    assert!(error.contains("kept in quarantine as 1"), "{error}");

    let missing = ingest(dir.path(), Some(Path::new("/no/such/file.eml")), b"");
    assert!(!missing.status.success());
    assert!(
        String::from_utf8(missing.stderr)
            .unwrap()
            .contains("cannot read /no/such/file.eml")
    );
}
