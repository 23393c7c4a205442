//! Triage speed: one message at a time (latency) and a batch of real-style messages
//! (throughput), plus loading the shipped model. Run: cargo bench -p frontdoor-triage
//! Criterion prints the figures; a one-pass summary with p99 and messages/s follows.

use criterion::{Criterion, criterion_group, criterion_main};
use frontdoor_triage::Model;
use std::hint::black_box;
use std::time::Instant;

fn repo(path: &str) -> String {
    format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"))
}

fn messages() -> Vec<(String, String)> {
    let mut reader = csv::Reader::from_path(repo("data/triage/enquiries-dev.csv")).unwrap();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[2].to_owned(), r[1].to_owned())
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let bytes = std::fs::read(repo("models/demo-council.triage")).unwrap();
    c.bench_function("load model", |b| {
        b.iter(|| Model::from_bytes(black_box(&bytes)).unwrap())
    });
    let model = Model::from_bytes(&bytes).unwrap();
    let messages = messages();
    c.bench_function("triage one email", |b| {
        b.iter(|| model.triage(black_box(&messages[0].0), "email"))
    });
    c.bench_function("triage 480 dev messages", |b| {
        b.iter(|| {
            for (text, channel) in &messages {
                black_box(model.triage(text, channel));
            }
        })
    });
    summary(&model, &messages);
}

/// Per-message latencies over ten passes of the dev set: p50, p99 and messages per second
/// on one core (this process triages on one thread).
fn summary(model: &Model, messages: &[(String, String)]) {
    let mut latencies = Vec::with_capacity(messages.len() * 10);
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
        "\ntriage summary: {} messages, {:.0} messages/s on one core, p50 {:?}, p99 {:?}, max {:?}",
        latencies.len(),
        latencies.len() as f64 / total.as_secs_f64(),
        at(0.5),
        at(0.99),
        latencies[latencies.len() - 1]
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
