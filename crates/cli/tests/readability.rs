//! `frontdoor readability`: prints the reading age of each page's guidance; with --strict it
//! fails, naming the pages, when a catalogue's guidance reads older than 9.

use std::path::Path;
use std::process::{Command, Output};

fn readability(dir: &Path, catalogue: Option<&Path>, strict: bool) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_frontdoor"));
    command.arg("--config").arg(dir.join("none.toml"));
    if let Some(catalogue) = catalogue {
        command.arg("--catalogue").arg(catalogue);
    }
    command.arg("readability");
    if strict {
        command.arg("--strict");
    }
    command.output().unwrap()
}

#[test]
fn the_demo_council_reads_at_9_or_under() {
    let dir = tempfile::tempdir().unwrap();
    let out = readability(dir.path(), None, true);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("missed-bin-collection"), "{stdout}");
    assert!(stdout.contains("Every page's guidance is at a reading age of 9 or under."));
}

#[test]
fn hard_guidance_fails_the_strict_check_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalogue/demo-council.toml");
    let text = std::fs::read_to_string(demo).unwrap().replace(
        "Tell us if we did not empty your bin on collection day.",
        "Notify the authority of any unsatisfactory domestic receptacle collection performance.",
    );
    let catalogue = dir.path().join("hard.toml");
    std::fs::write(&catalogue, text).unwrap();
    let relaxed = readability(dir.path(), Some(&catalogue), false);
    assert!(relaxed.status.success());
    let strict = readability(dir.path(), Some(&catalogue), true);
    assert!(!strict.status.success());
    let stdout = String::from_utf8_lossy(&strict.stdout);
    let stderr = String::from_utf8_lossy(&strict.stderr);
    assert!(stdout.contains("Over 9: missed-bin-collection"), "{stdout}");
    assert!(stderr.contains("read older than 9"), "{stderr}");
}
