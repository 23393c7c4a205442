//! The shipped model and training, end to end: the files in the repository, read as the
//! binary reads them.

use frontdoor_domain::Catalogue;
use frontdoor_triage::{Hyper, Model, RulesFile, TrainingInput, read_csv, train};

fn repo(path: &str) -> String {
    format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"))
}

fn catalogue() -> Catalogue {
    let path = repo("catalogue/demo-council.toml");
    Catalogue::parse(&path, &std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn rules() -> RulesFile {
    RulesFile::parse(&std::fs::read_to_string(repo("catalogue/demo-council.triage.toml")).unwrap())
        .unwrap()
}

fn shipped() -> Model {
    Model::from_bytes(&std::fs::read(repo("models/demo-council.triage")).unwrap()).unwrap()
}

#[test]
fn the_shipped_model_is_the_one_the_repository_trains() {
    let catalogue = catalogue();
    let rules = rules();
    let path = repo("data/triage/enquiries-dev.csv");
    let examples = read_csv(&path, std::fs::File::open(&path).unwrap(), &catalogue).unwrap();
    let model = train(&TrainingInput {
        catalogue: &catalogue,
        rules: &rules,
        examples: &examples,
        corrections: &[],
        trained_at: "test",
        hyper: Hyper::default(),
    })
    .unwrap();
    assert_eq!(
        model.info().id,
        shipped().info().id,
        "retrain with: cargo run --release -- triage train --data data/triage/enquiries-dev.csv --without-corrections --out models/demo-council.triage"
    );
    let reloaded = Model::from_bytes(&model.to_bytes()).unwrap();
    assert_eq!(
        reloaded.triage("pothole on Elm Road", "web"),
        model.triage("pothole on Elm Road", "web")
    );
}

#[test]
fn every_way_of_saying_someone_is_at_risk_is_urgent() {
    let model = shipped();
    for text in [
        "my dad keeps hitting my mum and I'm scared",
        "i just want to end it all, i've got the tablets here",
        "there's a toddler on his own in the flat next door, crying for hours",
        "got kicked out by my parents tonight, nowhere to sleep",
        "sleeping rough in a doorway on the high street, it's freezing",
        "the landlord changed the locks today and we have nowhere to go tonight",
        "my carer takes money from my bank card and won't leave, I have a learning disability",
    ] {
        let triage = model.triage(text, "sms");
        assert!(triage.urgent, "{text:?} should be urgent: {triage:?}");
        assert!(
            ["safeguarding-concern", "homelessness-advice"].contains(&triage.service.as_str()),
            "{text:?} went to {}",
            triage.service
        );
        assert!(!triage.urgent_because.is_empty());
    }
    for text in [
        "my bin was not emptied today",
        "noisy neighbours playing music every weekend",
        "I have a section 21 notice to leave by March, can I go on the housing list",
    ] {
        assert!(!model.triage(text, "web").urgent, "{text:?} is not urgent");
    }
}

#[test]
fn decisions_carry_suggestions_referrals_and_words() {
    let model = shipped();
    let triage = model.triage(
        "Sent from my iPhone\nMy husband died last week, how do I register his death? It's only me in the house now, does my council tax change?",
        "email",
    );
    assert_eq!(triage.service, "death-registration");
    assert_eq!(triage.suggestions.len(), 3);
    assert!(
        triage
            .suggestions
            .windows(2)
            .all(|w| w[0].confidence >= w[1].confidence)
    );
    assert!(
        triage
            .referrals
            .iter()
            .any(|r| r.service == "council-tax-single-person-discount"),
        "{triage:?}"
    );
    assert!(!triage.explanation.is_empty());
    assert!((0.0..=1.0).contains(&triage.confidence));
}

#[test]
fn a_damaged_or_foreign_file_is_refused() {
    let bytes = shipped().to_bytes();
    assert!(Model::from_bytes(b"not a model").is_err());
    assert!(Model::from_bytes(&bytes[..bytes.len() - 10]).is_err());
}

#[test]
fn bad_stream_lines_get_errors_in_order_and_good_ones_decisions() {
    let model = shipped();
    let input = "{\"id\":\"1\",\"text\":\"pothole on my road\"}\nnot json\n\n{\"id\":3,\"text\":42}\n{\"id\":\"4\",\"text\":\"\"}\n";
    let mut out = Vec::new();
    let (answered, errors) =
        frontdoor_triage::lines::run(&model, input.as_bytes(), &mut out).unwrap();
    assert_eq!((answered, errors), (4, 3));
    let lines: Vec<serde_json::Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["service"], "pothole-report");
    assert_eq!(lines[0]["id"], "1");
    assert!(lines[1]["error"].is_string());
    assert_eq!(lines[2]["id"], 3);
    assert_eq!(lines[3]["error"], "text is empty");
}
