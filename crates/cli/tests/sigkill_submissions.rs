//! The real `frontdoor serve` binary taking case submissions from 16 clients at full speed,
//! killed with SIGKILL mid-load and started again on the same database: every submission
//! that was answered 201 is there, and none is there twice.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const CLIENTS: usize = 16;

fn start(dir: &Path, port: u16) -> Child {
    support::serve(dir, port)
        // The flood comes from one address; the limit would stop it, not the kill.
        .env("FRONTDOOR_SUBMISSIONS_PER_ADDRESS", "0")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .spawn()
        .expect("the frontdoor binary starts")
}

/// One client: submits until told to stop or the server goes; returns (mark, reference)
/// for every submission answered 201.
async fn client(base: String, id: usize, stop: Arc<AtomicBool>) -> Vec<(String, String)> {
    let http = reqwest::Client::new();
    let mut acknowledged = Vec::new();
    for n in 0.. {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let mark = format!("LOAD-{id:02}-{n:06}");
        let sent = http
            .post(format!("{base}/api/v1/cases"))
            .json(&support::pothole(
                &format!("Deep hole {mark}"),
                serde_json::json!({"name": "Pat Load", "email": "pat.load@example.org"}),
            ))
            .send()
            .await;
        let Ok(response) = sent else { break };
        if response.status() != 201 {
            break;
        }
        let Ok(body) = response.json::<serde_json::Value>().await else {
            break;
        };
        let reference = body["reference"].as_str().unwrap_or_default().to_owned();
        acknowledged.push((mark, reference));
    }
    acknowledged
}

/// How many contacts carry each mark, and the case reference of each.
async fn stored_marks(dir: &Path) -> BTreeMap<String, Vec<String>> {
    let url = format!("sqlite://{}/fd.db", dir.display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT c.reference, k.answers FROM contacts k JOIN cases c ON c.id = k.case_id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let mut marks: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (reference, answers) in rows {
        if let Some(at) = answers.find("LOAD-") {
            let mark = answers[at..at + "LOAD-00-000000".len()].to_owned();
            marks.entry(mark).or_default().push(reference);
        }
    }
    marks
}

#[tokio::test]
async fn submissions_answered_before_a_sigkill_are_all_kept_once() {
    let dir = tempfile::tempdir().unwrap();
    let port = support::free_port();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let mut server = start(dir.path(), port);
    support::wait_until_ready(&http, &base).await;

    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|id| tokio::spawn(client(base.clone(), id, stop.clone())))
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.kill().unwrap(); // SIGKILL: no shutdown, no flush
    server.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    let mut acknowledged = Vec::new();
    for c in clients {
        acknowledged.extend(c.await.unwrap());
    }
    assert!(
        acknowledged.len() >= 20,
        "the load ran: {}",
        acknowledged.len()
    );

    let mut again = start(dir.path(), port);
    support::wait_until_ready(&http, &base).await;
    let stored = stored_marks(dir.path()).await;
    again.kill().unwrap();
    again.wait().unwrap();

    let lost: Vec<&String> = acknowledged
        .iter()
        // The store keeps references without the hyphen the API prints.
        .filter(|(mark, reference)| stored.get(mark) != Some(&vec![reference.replace('-', "")]))
        .map(|(mark, _)| mark)
        .collect();
    assert!(
        lost.is_empty(),
        "acknowledged but not kept as answered: {lost:?}"
    );
    let twice: Vec<&String> = stored
        .iter()
        .filter(|(_, references)| references.len() > 1)
        .map(|(mark, _)| mark)
        .collect();
    assert!(twice.is_empty(), "kept more than once: {twice:?}");
    println!(
        "{} submissions answered 201 before SIGKILL, {} stored after restart",
        acknowledged.len(),
        stored.len()
    );
}
