//! Triage speed: one message at a time (latency) and a batch of real-style messages
//! (throughput), plus loading the shipped model with its embedding table. The same for a
//! model that reads words only, the path for bulk re-scoring.
//! Run: cargo bench -p frontdoor-triage
//! Criterion prints the figures; one-pass summaries with p99 and messages/s follow.

use criterion::{Criterion, criterion_group, criterion_main};
use frontdoor_domain::Catalogue;
use frontdoor_triage::{Hyper, Model, RulesFile, StaticEmbeddings, TrainingInput, read_csv};
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn repo(path: &str) -> String {
    format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"))
}

fn messages() -> Vec<(String, String)> {
    let mut reader = csv::Reader::from_path(repo("data/triage/frozen-test.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let text = headers.iter().position(|h| h == "text").unwrap();
    let channel = headers.iter().position(|h| h == "channel").unwrap();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[text].to_owned(), r[channel].to_owned())
        })
        .collect()
}

fn load(model: &[u8], table: &[u8]) -> Model {
    let table = Arc::new(StaticEmbeddings::from_bytes(table).unwrap());
    Model::from_bytes_with(model, Some(table)).unwrap()
}

/// A model that reads words only, trained here on the same training file.
fn words_only() -> Model {
    let path = repo("catalogue/demo-council.toml");
    let catalogue = Catalogue::parse(&path, &std::fs::read_to_string(&path).unwrap()).unwrap();
    let rules = RulesFile::parse(
        &std::fs::read_to_string(repo("catalogue/demo-council.triage.toml")).unwrap(),
    )
    .unwrap();
    let data = repo("data/triage/train.csv");
    let examples = read_csv(&data, std::fs::File::open(&data).unwrap(), &catalogue).unwrap();
    frontdoor_triage::train(&TrainingInput {
        catalogue: &catalogue,
        rules: &rules,
        examples: &examples,
        corrections: &[],
        trained_at: "bench",
        hyper: Hyper::default(),
        embeddings: None,
    })
    .unwrap()
}

fn bench(c: &mut Criterion) {
    let model_bytes = std::fs::read(repo("models/demo-council.triage")).unwrap();
    let table_bytes = std::fs::read(repo("models/minilm-l6-static.emb")).unwrap();
    c.bench_function("load model and embedding table", |b| {
        b.iter(|| load(black_box(&model_bytes), black_box(&table_bytes)))
    });
    let model = load(&model_bytes, &table_bytes);
    let plain = words_only();
    let messages = messages();
    c.bench_function("triage one email", |b| {
        b.iter(|| model.triage(black_box(&messages[0].0), "email"))
    });
    c.bench_function("triage the frozen test set", |b| {
        b.iter(|| {
            for (text, channel) in &messages {
                black_box(model.triage(text, channel));
            }
        })
    });
    c.bench_function("triage the frozen test set, words only", |b| {
        b.iter(|| {
            for (text, channel) in &messages {
                black_box(plain.triage(text, channel));
            }
        })
    });
    let started = Instant::now();
    let loaded = load(&model_bytes, &table_bytes);
    let load_time = started.elapsed();
    black_box(loaded);
    println!("\nload: model and embedding table in {load_time:?}");
    summary("words and meaning", &model, &messages);
    summary("words only", &plain, &messages);
}

/// Per-message latencies over ten passes: p50, p99 and messages per second on one core
/// (this process triages on one thread).
fn summary(name: &str, model: &Model, messages: &[(String, String)]) {
    let mut latencies: Vec<Duration> = Vec::with_capacity(messages.len() * 10);
    let started = Instant::now();
    for _ in 0..10 {
        for (text, channel) in messages {
            let t = Instant::now();
            black_box(model.triage(text, channel));
            latencies.push(t.elapsed());
        }
    }
    let total = started.elapsed();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q) as usize];
    println!(
        "triage summary ({name}): {} messages, {:.0} messages/s on one core, p50 {:?}, p99 {:?}, max {:?}",
        latencies.len(),
        latencies.len() as f64 / total.as_secs_f64(),
        at(0.5),
        at(0.99),
        latencies[latencies.len() - 1]
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
