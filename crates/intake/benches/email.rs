//! Reading email: the whole fixture corpus (40 messages in real clients' shapes, 6 of them
//! unreadable) parsed, replies stripped, attachments copied and a reference looked for.
//! Run: cargo bench -p frontdoor-intake. Criterion prints the figures; a one-pass summary
//! with messages/s and MB/s follows, then the cost of proving a sender: a DKIM-signed
//! message verified against a key given up front (no DNS).

use criterion::{Criterion, criterion_group, criterion_main};
use frontdoor_intake::{find_reference, parse_email};
use std::hint::black_box;
use std::time::Instant;

fn corpus() -> Vec<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    files.sort();
    files.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

fn read(raw: &[u8]) {
    if let Ok(email) = parse_email(raw) {
        black_box(find_reference(&email.subject, &email.full_text));
    }
}

fn bench(c: &mut Criterion) {
    // The fuzz-found message makes mail-parser panic (caught); keep its report quiet.
    std::panic::set_hook(Box::new(|_| {}));
    let corpus = corpus();
    c.bench_function("read the 40-message corpus", |b| {
        b.iter(|| corpus.iter().for_each(|raw| read(raw)))
    });
    summary(&corpus);
    sender_check(c);
}

fn sender_check(c: &mut Criterion) {
    let dkim = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dkim");
    let raw = std::fs::read(dkim.join("dkim-pass.eml")).unwrap();
    let key = std::fs::read_to_string(dkim.join("fd2026.key.txt")).unwrap();
    let check = frontdoor_intake::SenderCheck::new(None, false);
    check
        .add_key("fd2026._domainkey.residents.example", key.trim())
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let prove = || runtime.block_on(check.check(&raw, "jo@residents.example"));
    assert!(prove().is_proven());
    c.bench_function("prove a DKIM-signed sender (RSA-2048)", |b| {
        b.iter(|| black_box(prove()))
    });
    let rounds = 2000;
    let start = Instant::now();
    for _ in 0..rounds {
        black_box(prove());
    }
    let each = start.elapsed().as_secs_f64() / f64::from(rounds);
    println!(
        "sender check: {:.0} µs a message, {:.0} messages/s ({rounds} rounds)",
        each * 1e6,
        1.0 / each
    );
}

fn summary(corpus: &[Vec<u8>]) {
    let rounds = 200;
    let bytes: usize = corpus.iter().map(Vec::len).sum();
    let start = Instant::now();
    for _ in 0..rounds {
        corpus.iter().for_each(|raw| read(raw));
    }
    let seconds = start.elapsed().as_secs_f64();
    let messages = (rounds * corpus.len()) as f64;
    println!(
        "email reading: {:.0} messages/s, {:.1} MB/s ({} messages, {} bytes, {rounds} rounds)",
        messages / seconds,
        (rounds * bytes) as f64 / seconds / 1e6,
        corpus.len(),
        bytes
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
