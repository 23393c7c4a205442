//! `frontdoor serve` loads a catalogue's Welsh companion file (`X.cy.toml` beside `X.toml`)
//! and refuses to start, naming the file and line, when it is wrong.

use std::path::Path;
use std::process::Command;

fn copy_demo(to: &Path) -> std::path::PathBuf {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let area = to.join("demo-council");
    std::fs::create_dir_all(&area).unwrap();
    for entry in std::fs::read_dir(repo.join("catalogue/demo-council")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, area.join(path.file_name().unwrap())).unwrap();
    }
    let catalogue = to.join("council.toml");
    std::fs::copy(repo.join("catalogue/demo-council.toml"), &catalogue).unwrap();
    catalogue
}

#[test]
fn a_wrong_welsh_file_stops_start_up_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let catalogue = copy_demo(dir.path());
    std::fs::write(
        dir.path().join("council.cy.toml"),
        "[council]\nname = \"Cyngor\"\n\n[service.no-such-service]\nname = \"Dim\"\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_frontdoor"))
        .arg("--config")
        .arg(dir.path().join("none.toml"))
        .arg("--catalogue")
        .arg(&catalogue)
        .arg("--database")
        .arg(format!("sqlite://{}/fd.db", dir.path().display()))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Welsh translation is not valid")
            && stderr.contains("council.cy.toml:4: no service 'no-such-service'"),
        "{stderr}"
    );
}
