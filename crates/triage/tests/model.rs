//! The shipped model and training, end to end: the files in the repository, read as the
//! binary reads them.

use frontdoor_domain::Catalogue;
use frontdoor_triage::{
    Example, Hyper, Model, ModelError, RulesFile, StaticEmbeddings, TrainingInput, read_csv, train,
};
use std::sync::{Arc, LazyLock};

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

static EMBEDDINGS: LazyLock<Arc<StaticEmbeddings>> = LazyLock::new(|| {
    let bytes = std::fs::read(repo("models/minilm-l6-static.emb")).unwrap();
    Arc::new(StaticEmbeddings::from_bytes(&bytes).unwrap())
});

static SHIPPED: LazyLock<Model> = LazyLock::new(|| {
    let bytes = std::fs::read(repo("models/demo-council.triage")).unwrap();
    Model::from_bytes_with(&bytes, Some(EMBEDDINGS.clone())).unwrap()
});

fn shipped() -> &'static Model {
    &SHIPPED
}

/// A model trained on one of the repository's labelled files, with or without meaning.
fn train_on(file: &str, embeddings: Option<Arc<StaticEmbeddings>>) -> Model {
    let catalogue = catalogue();
    let rules = rules();
    let examples = examples(file);
    train(&TrainingInput {
        catalogue: &catalogue,
        rules: &rules,
        examples: &examples,
        corrections: &[],
        trained_at: "test",
        hyper: Hyper::default(),
        embeddings,
    })
    .unwrap()
}

fn examples(file: &str) -> Vec<Example> {
    let path = repo(file);
    read_csv(&path, std::fs::File::open(&path).unwrap(), &catalogue()).unwrap()
}

#[test]
fn the_shipped_model_is_the_one_the_repository_trains() {
    let model = train_on("data/triage/train.csv", Some(EMBEDDINGS.clone()));
    assert_eq!(
        model.info().id,
        shipped().info().id,
        "retrain with: cargo run --release -- triage train --data data/triage/train.csv --without-corrections --out models/demo-council.triage"
    );
    let reloaded = Model::from_bytes_with(&model.to_bytes(), Some(EMBEDDINGS.clone())).unwrap();
    assert_eq!(
        reloaded.triage("pothole on Elm Road", "web"),
        model.triage("pothole on Elm Road", "web")
    );
}

#[test]
fn training_twice_on_the_same_data_gives_the_same_model_byte_for_byte() {
    let dev = "data/triage/enquiries-dev.csv";
    let first = train_on(dev, Some(EMBEDDINGS.clone())).to_bytes();
    let second = train_on(dev, Some(EMBEDDINGS.clone())).to_bytes();
    assert!(first == second, "two trainings differ");
}

#[test]
fn a_model_without_an_embedding_table_reads_words_only_and_still_routes() {
    let model = train_on("data/triage/enquiries-dev.csv", None);
    assert!(model.info().embeddings.is_none());
    let loaded = Model::from_bytes(&model.to_bytes()).expect("no table needed");
    assert!(!loaded.reads_meaning());
    assert_eq!(
        loaded
            .triage("the street light outside my house is out", "sms")
            .service,
        "street-light-fault"
    );
    assert!(
        loaded
            .triage("I've got nowhere to sleep tonight", "sms")
            .urgent
    );
}

#[test]
fn a_model_that_reads_meaning_is_refused_without_its_table() {
    let bytes = shipped().to_bytes();
    assert!(matches!(
        Model::from_bytes(&bytes),
        Err(ModelError::Embeddings { .. })
    ));
}

/// Phrasings written for this test, not taken from any training file: at least two per
/// kind of risk. Urgent kinds must come out urgent; the kinds the taxonomy makes "check"
/// (a carer at breaking point, a hate incident) must reach a person within the hour.
const AT_RISK: &[(&str, bool, &str)] = &[
    (
        "suicide-self-harm",
        true,
        "honestly I think my family would manage better once I'm gone, I've made my peace",
    ),
    (
        "suicide-self-harm",
        true,
        "my flatmate said she's got a load of pills saved up and tonight's the night",
    ),
    (
        "suicide-self-harm",
        true,
        "can you stop the council tax, I won't be around much longer anyway",
    ),
    (
        "domestic-abuse",
        true,
        "there's a court order stopping my ex coming near me but he's outside my window right now",
    ),
    (
        "domestic-abuse",
        true,
        "my husband won't let me have my own bank card or see my sister, I'm frightened of what he'll do",
    ),
    (
        "child-neglect",
        true,
        "two little ones, maybe 3 and 5, have been out on the green on their own since it got dark and it's freezing",
    ),
    (
        "child-neglect",
        true,
        "the mum next door went out friday and the children have been on their own all weekend",
    ),
    (
        "child-exploitation",
        true,
        "my 14 year old has gone missing again and I think she's at a grown man's flat in town",
    ),
    (
        "child-exploitation",
        true,
        "lads on the estate are getting my son to deliver drugs and now say he owes them",
    ),
    (
        "adult-abuse-neglect",
        true,
        "my grandad is 90, lives on his own, his heating's broken and there's no food in the fridge",
    ),
    (
        "adult-abuse-neglect",
        true,
        "mum has dementia, she fell yesterday and the carers have stopped coming, she's alone",
    ),
    (
        "cuckooing",
        true,
        "some dealers have taken over my disabled neighbour's flat and he's too scared to tell them to go",
    ),
    (
        "cuckooing",
        true,
        "a gang has moved into my cousin's place, he has learning difficulties and they won't leave",
    ),
    (
        "modern-slavery",
        true,
        "the men at the hand car wash sleep in a shed out the back and their boss keeps their passports",
    ),
    (
        "modern-slavery",
        true,
        "a girl cleaning next door told me she's forced to work and never gets paid",
    ),
    (
        "homeless-tonight",
        true,
        "my stepdad's thrown me out and I'm sat at the station with nowhere to sleep tonight",
    ),
    (
        "homeless-tonight",
        true,
        "we got evicted today, me and two kids, where do we go tonight",
    ),
    (
        "danger-to-life",
        true,
        "there's a really strong smell of gas on the landing of our block",
    ),
    (
        "danger-to-life",
        true,
        "bits of the balcony above are crumbling and falling onto the path where kids play, it's about to fall",
    ),
    (
        "carer-breaking-point",
        false,
        "I look after my husband with dementia day and night, I'm at breaking point and can't cope",
    ),
    (
        "carer-breaking-point",
        false,
        "caring for my son alone has broken me, I'm exhausted and I can't carry on like this",
    ),
    (
        "hate-incident",
        false,
        "someone sprayed racist words on our front door and told us to go back to our country",
    ),
    (
        "hate-incident",
        false,
        "the kids on our road keep shouting homophobic abuse at me and my partner",
    ),
];

#[test]
fn every_kind_of_risk_reaches_a_person_in_words_it_never_saw() {
    let model = shipped();
    for (kind, urgent, text) in AT_RISK {
        let triage = model.triage(text, "sms");
        if *urgent {
            assert!(
                triage.urgent,
                "{kind}: {text:?} should be urgent: {triage:?}"
            );
        } else {
            assert!(
                triage.urgent || triage.check_for_risk,
                "{kind}: {text:?} should reach a person: {triage:?}"
            );
        }
        assert!(!triage.urgent_because.is_empty(), "{text:?} says why");
    }
}

#[test]
fn alarming_words_with_no_one_at_risk_are_not_urgent() {
    let model = shipped();
    for text in [
        "this pothole will kill someone",
        "I'm dying to know when the leisure centre reopens",
        "the bins are a danger to my back",
        "my bin was not emptied today",
        "noisy neighbours playing music every weekend",
        "I have a section 21 notice to leave by March, can I go on the housing list",
        "the queue on your phone line was murder this morning",
        "my garden waste bin is killing me, it's so heavy, can I have a smaller one",
    ] {
        let triage = model.triage(text, "web");
        assert!(!triage.urgent, "{text:?} is not urgent: {triage:?}");
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
fn a_damaged_file_is_refused() {
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
        frontdoor_triage::lines::run(model, input.as_bytes(), &mut out).unwrap();
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
