//! Two real `frontdoor serve` processes on one PostgreSQL database, as a council runs
//! behind a load balancer: submissions spread over both get distinct references and all
//! land, every acknowledgement reaches the (fake) Notify exactly once although both
//! servers' workers drain the one outbox, and a staff session made on one server works
//! on the other and ends on both.
//!
//! It needs a PostgreSQL server: `FRONTDOOR_TEST_POSTGRES=postgres://…`, which `.ci/run`
//! always sets. Without it the test says it was skipped and passes.

mod support;

use frontdoor_notify::fake::{self, FakeNotify};
use frontdoor_store::scratch;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

const CLIENTS: usize = 8;
const CASES_EACH: usize = 25;
const STAFF_EMAIL: &str = "lou.officer@demo-council.gov.uk";
const STAFF_PASSWORD: &str = "two servers, one session";

/// Kills the servers however the test ends.
struct Servers(Vec<Child>);

impl Drop for Servers {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn start(dir: &Path, database: &str, port: u16, notify: &str) -> Child {
    support::command_on(dir, database)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .env("FRONTDOOR_SUBMISSIONS_PER_ADDRESS", "0")
        .env("FRONTDOOR_EMAIL_SENDER", "notify")
        .env("FRONTDOOR_NOTIFY_URL", notify)
        .env("FRONTDOOR_NOTIFY_API_KEY", fake::api_key())
        .env("FRONTDOOR_NOTIFY_EMAIL_TEMPLATE", fake::EMAIL_TEMPLATE)
        .env("FRONTDOOR_NOTIFY_SMS_TEMPLATE", fake::SMS_TEMPLATE)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("the frontdoor binary starts")
}

fn add_staff(dir: &Path, database: &str) {
    let command = support::command_on(dir, database);
    support::add_staff(command, STAFF_EMAIL, "highways", STAFF_PASSWORD);
}

/// One client's reports, sent to the servers in turn; returns the references given.
async fn submit(bases: [String; 2], client: usize) -> Vec<String> {
    let http = reqwest::Client::new();
    let mut references = Vec::new();
    for n in 0..CASES_EACH {
        let base = &bases[(client + n) % 2];
        let report = support::pothole(
            &format!("Hole {client}-{n}"),
            serde_json::json!({"name": "Pat Two", "email": format!("pat{client}@example.org")}),
        );
        references.push(support::open_case(&http, base, &report).await);
    }
    references
}

async fn count(pool: &sqlx::AnyPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

/// Waits until every queued message is marked sent; returns how many there are.
async fn outbox_drained(pool: &sqlx::AnyPool) -> i64 {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let waiting = count(pool, "SELECT COUNT(*) FROM outbox WHERE status <> 'sent'").await;
        if waiting == 0 {
            return count(pool, "SELECT COUNT(*) FROM outbox").await;
        }
        assert!(Instant::now() < deadline, "{waiting} messages still unsent");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn get_status(client: &reqwest::Client, url: &str) -> u16 {
    client.get(url).send().await.unwrap().status().as_u16()
}

/// Signs in on the first server, works on the second, signs out on the second.
async fn session_on_both(bases: &[String; 2]) {
    let staff = support::cookie_client();
    let signed_in = support::sign_in(&staff, &bases[0], STAFF_EMAIL, STAFF_PASSWORD).await;
    assert_eq!(signed_in, 303, "signed in on the first server");
    let queue = format!("{}/console/queues", bases[1]);
    let page = staff.get(&queue).send().await.unwrap();
    assert_eq!(page.status(), 200, "the session works on the second server");
    let page = page.text().await.unwrap();
    assert!(page.contains("Lou Officer"));
    let signed_out = staff
        .post(format!("{}/console/sign-out", bases[1]))
        .form(&[("csrf_token", support::csrf(&page).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status(), 303);
    let after = get_status(&staff, &format!("{}/console/queues", bases[0])).await;
    assert_eq!(
        after, 303,
        "signed out on the second, signed out on the first"
    );
}

#[tokio::test]
async fn two_servers_on_one_postgres_share_references_outbox_and_sessions() {
    let Some(server) = scratch::postgres_server() else {
        eprintln!("skipped: set {} to run it", scratch::POSTGRES_VAR);
        return;
    };
    let database = scratch::postgres_schema(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let notify = FakeNotify::default();
    let notify_url = notify.start().await;
    add_staff(dir.path(), &database);
    let ports = [support::free_port(), support::free_port()];
    let bases = ports.map(|port| format!("http://127.0.0.1:{port}"));
    let mut servers = Servers(Vec::new());
    let http = reqwest::Client::new();
    for (port, base) in ports.iter().zip(&bases) {
        servers
            .0
            .push(start(dir.path(), &database, *port, &notify_url));
        support::wait_until_ready(&http, base).await;
    }

    let clients = (0..CLIENTS).map(|c| tokio::spawn(submit(bases.clone(), c)));
    let mut references = Vec::new();
    for client in clients {
        references.extend(client.await.unwrap());
    }
    let distinct: BTreeSet<&String> = references.iter().collect();
    assert_eq!(
        distinct.len(),
        CLIENTS * CASES_EACH,
        "no reference given twice"
    );

    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&database).await.unwrap();
    let stored = count(&pool, "SELECT COUNT(*) FROM cases").await;
    assert_eq!(
        stored,
        (CLIENTS * CASES_EACH) as i64,
        "every case stored once"
    );

    let queued = outbox_drained(&pool).await;
    assert!(
        queued >= stored,
        "each case acknowledged: {queued} messages"
    );
    let accepted: Vec<String> = notify.accepted().into_iter().map(|(r, _)| r).collect();
    let once: BTreeSet<&String> = accepted.iter().collect();
    assert_eq!(once.len(), accepted.len(), "a message sent twice");
    assert_eq!(accepted.len() as i64, queued, "every message sent");

    session_on_both(&bases).await;
}
