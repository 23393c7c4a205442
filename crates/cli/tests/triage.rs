//! `frontdoor triage` as a council runs it: a model for another catalogue is refused, a
//! model that reads words only works without the embedding table, and training shows the
//! new model's frozen-test figures beside the current model's.

mod support;

use std::path::Path;
use support::frontdoor;

fn repo(path: &str) -> String {
    format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"))
}

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The demo catalogue with one more service, which the demo model has never heard of.
fn catalogue_with_a_new_service(dir: &Path) -> String {
    let demo = std::fs::read_to_string(repo("catalogue/demo-council.toml")).unwrap();
    let extra = r#"

[[service]]
slug = "allotment-application"
name = "Apply for an allotment"
description = "Ask for a plot on one of the council's allotment sites."
team = "customer-services"
topic = "contact-council"
level = 1
channels = ["web", "email"]
sla_working_days = 10
location_based = false
keywords = ["allotment", "plot"]

[[service.field]]
id = "site"
kind = "text"
label = "Which site would you like?"
summary = "the site"
"#;
    let path = dir.join("with-allotments.toml");
    std::fs::write(&path, format!("{demo}{extra}")).unwrap();
    path.display().to_string()
}

#[test]
fn a_model_that_does_not_match_the_catalogue_is_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let catalogue = catalogue_with_a_new_service(dir.path());
    let frozen = repo("data/triage/frozen-test.csv");
    let out = frontdoor(
        dir.path(),
        &[
            "--catalogue",
            &catalogue,
            "triage",
            "eval",
            "--test",
            &frozen,
        ],
    );
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("does not know the service allotment-application"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_model_that_reads_meaning_without_its_table_is_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let out = support::command(dir.path())
        .env("FRONTDOOR_TRIAGE_EMBEDDINGS", "/nonexistent/table.emb")
        .args([
            "triage",
            "eval",
            "--test",
            &repo("data/triage/frozen-test.csv"),
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        text(&out).contains("cannot read the static embeddings /nonexistent/table.emb"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_words_only_model_trains_loads_and_triages_without_the_embedding_table() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("words.triage");
    let model = model.to_str().unwrap();
    let trained = frontdoor(
        dir.path(),
        &[
            "triage",
            "train",
            "--words-only",
            "--without-corrections",
            "--data",
            &repo("data/triage/enquiries-dev.csv"),
            "--out",
            model,
            "--test",
            &repo("data/triage/frozen-test.csv"),
        ],
    );
    assert!(trained.status.success(), "{}", text(&trained));
    let said = text(&trained);
    assert!(said.contains("On the frozen test set"), "{said}");
    assert!(said.contains("urgent-or-check recall"), "{said}");
    assert!(said.contains("now "), "the current model's column: {said}");

    let mut stream = support::command(dir.path())
        .env("FRONTDOOR_TRIAGE_EMBEDDINGS", "/nonexistent/table.emb")
        .args(["triage", "--model", model])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    stream
        .stdin
        .take()
        .unwrap()
        .write_all(b"{\"id\":1,\"text\":\"the street light outside number 4 is out\"}\n")
        .unwrap();
    let out = stream.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let answer: serde_json::Value =
        serde_json::from_slice(out.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!(answer["service"], "street-light-fault");
}
