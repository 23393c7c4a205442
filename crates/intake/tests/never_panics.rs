//! Outside input never panics a parser: arbitrary bytes, and real messages cut or corrupted
//! at random. (CI runs these; `fuzz/` has cargo-fuzz targets for longer runs by hand.)

use frontdoor_intake::{ChatTranscript, find_reference, parse_email, parse_message};
use proptest::prelude::*;

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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic_the_email_reader(raw in proptest::collection::vec(any::<u8>(), 0..4096)) {
        if let Ok(email) = parse_email(&raw) {
            let _ = find_reference(&email.subject, &email.full_text);
        }
    }

    #[test]
    fn corrupted_real_messages_never_panic(
        pick in 0usize..64,
        cut in any::<prop::sample::Index>(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..16),
    ) {
        let corpus = corpus();
        let mut raw = corpus[pick % corpus.len()].clone();
        for (at, byte) in flips {
            let i = at.index(raw.len().max(1));
            if let Some(b) = raw.get_mut(i) { *b = byte; }
        }
        raw.truncate(cut.index(raw.len() + 1));
        let _ = parse_email(&raw);
    }

    #[test]
    fn webhook_bodies_never_panic(body in proptest::collection::vec(any::<u8>(), 0..2048), form in any::<bool>()) {
        let kind = if form { "application/x-www-form-urlencoded" } else { "application/json" };
        let _ = parse_message(kind, &body);
        let _ = ChatTranscript::parse(&body);
    }

    #[test]
    fn text_never_panics_the_reference_finder(subject in ".{0,200}", text in ".{0,2000}") {
        let _ = find_reference(&subject, &text);
    }
}
