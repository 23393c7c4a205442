//! Two councils served by one real `frontdoor serve` process, each at its own host name on
//! its own database. The same member of staff's email and the same resident exist in both;
//! nothing one council holds is shown, found, counted or accepted by the other, through
//! the portal, the staff API, Open311, tracking or sign-in. A host that is neither is
//! refused. (On PostgreSQL too, where `FRONTDOOR_TEST_POSTGRES` names a server.)

mod support;

use frontdoor_store::scratch;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

const STAFF_EMAIL: &str = "lou.officer@council.example";
const RESIDENT_EMAIL: &str = "pat.same@example.org";

struct Council {
    host: &'static str,
    name: &'static str,
    password: &'static str,
    catalogue: PathBuf,
    database: String,
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The demo catalogue under another council's name, beside the demo's area files.
fn catalogue(dir: &Path, id: &str, name: &str) -> PathBuf {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/../../catalogue");
    let text = std::fs::read_to_string(format!("{demo}/demo-council.toml"))
        .unwrap()
        .replacen("id = \"demo-council\"", &format!("id = \"{id}\""), 1)
        .replacen("name = \"Demo Council\"", &format!("name = \"{name}\""), 1);
    let area = dir.join("demo-council");
    if !area.exists() {
        std::os::unix::fs::symlink(format!("{demo}/demo-council"), area).unwrap();
    }
    let path = dir.join(format!("{id}.toml"));
    std::fs::write(&path, text).unwrap();
    path
}

async fn council(
    dir: &Path,
    host: &'static str,
    name: &'static str,
    password: &'static str,
) -> Council {
    let own = dir.join(host);
    std::fs::create_dir_all(&own).unwrap();
    Council {
        host,
        name,
        password,
        catalogue: catalogue(dir, &host.replace('.', "-"), name),
        database: scratch::database_url(&own).await,
    }
}

/// The binary on one council's database and catalogue, for `user add` and `user token`.
fn on(dir: &Path, council: &Council) -> std::process::Command {
    let mut command = support::command_on(dir, &council.database);
    command.arg("--catalogue").arg(&council.catalogue);
    command
}

fn add_staff(dir: &Path, council: &Council) -> String {
    support::add_staff(on(dir, council), STAFF_EMAIL, "highways", council.password);
    let token = on(dir, council)
        .args(["user", "token", "--email", STAFF_EMAIL])
        .output()
        .unwrap();
    assert!(token.status.success());
    String::from_utf8(token.stdout).unwrap().trim().to_owned()
}

fn settings(dir: &Path, port: u16, councils: &[&Council]) -> PathBuf {
    let mut toml = format!("addr = \"127.0.0.1:{port}\"\nsubmissions_per_address = 0\n");
    for c in councils {
        toml.push_str(&format!(
            "\n[[councils]]\nhost = \"{}\"\ndatabase = \"{}\"\ncatalogue = \"{}\"\n",
            c.host,
            c.database,
            c.catalogue.display()
        ));
    }
    let path = dir.join("frontdoor.toml");
    std::fs::write(&path, toml).unwrap();
    path
}

fn serve(dir: &Path, config: &Path) -> Server {
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_frontdoor"))
        .arg("--config")
        .arg(config)
        .arg("serve")
        .env("FRONTDOOR_DEV_MAILBOX", dir.join("mail"))
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .spawn()
        .expect("the frontdoor binary starts");
    Server(child)
}

/// A client that reaches both host names at the local server, keeping cookies per host.
fn client(port: u16, hosts: &[&str]) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none());
    for host in hosts {
        builder = builder.resolve(host, SocketAddr::from(([127, 0, 0, 1], port)));
    }
    builder.build().unwrap()
}

async fn status(client: &reqwest::Client, url: String, token: &str) -> u16 {
    let response = client.get(url).bearer_auth(token).send().await.unwrap();
    response.status().as_u16()
}

async fn open311_requests(client: &reqwest::Client, base: &str) -> serde_json::Value {
    let url = format!("{base}/open311/v2/requests.json");
    client.get(url).send().await.unwrap().json().await.unwrap()
}

/// The `csrf_token` of the form on the page at `url`.
async fn csrf(client: &reqwest::Client, url: String) -> String {
    let page = client.get(url).send().await.unwrap().text().await.unwrap();
    support::csrf(&page)
}

/// Tracks a reference with the resident's email, as the resident would.
async fn track(client: &reqwest::Client, base: &str, reference: &str) -> u16 {
    let csrf = csrf(client, format!("{base}/track")).await;
    let form = [
        ("csrf_token", csrf.as_str()),
        ("reference", reference),
        ("contact", RESIDENT_EMAIL),
    ];
    let response = client.post(format!("{base}/track")).form(&form).send();
    response.await.unwrap().status().as_u16()
}

async fn signs_in(client: &reqwest::Client, base: &str, password: &str) -> bool {
    support::sign_in(client, base, STAFF_EMAIL, password).await == 303
}

#[tokio::test]
async fn two_councils_in_one_deployment_share_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let north = council(
        dir.path(),
        "north.test",
        "North Shire Council",
        "north password one",
    )
    .await;
    let south = council(
        dir.path(),
        "south.test",
        "South Vale Council",
        "south password two",
    )
    .await;
    let north_token = add_staff(dir.path(), &north);
    let south_token = add_staff(dir.path(), &south);
    let port = support::free_port();
    let config = settings(dir.path(), port, &[&north, &south]);
    let _server = serve(dir.path(), &config);
    let http = client(port, &[north.host, south.host, "neither.test"]);
    let base = |c: &Council| format!("http://{}:{port}", c.host);
    support::wait_until_ready(&http, &base(&north)).await;

    for c in [&north, &south] {
        let home = http
            .get(base(c))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(home.contains(c.name), "{} answers as itself", c.host);
    }

    let contact = serde_json::json!({"name": "Pat Same", "email": RESIDENT_EMAIL});
    let report = support::pothole("Deep hole by the north school", contact);
    let reference = &support::open_case(&http, &base(&north), &report).await;

    let case = |c: &Council| format!("{}/api/v1/cases/{reference}", base(c));
    assert_eq!(status(&http, case(&north), &north_token).await, 200);
    assert_eq!(status(&http, case(&south), &south_token).await, 404);
    assert_eq!(
        status(&http, case(&south), &north_token).await,
        401,
        "North's token means nothing to South"
    );

    let listed = open311_requests(&http, &base(&north)).await;
    assert!(listed.to_string().contains(reference));
    let listed = open311_requests(&http, &base(&south)).await;
    assert_eq!(listed, serde_json::json!([]), "South has no requests");

    assert_eq!(track(&http, &base(&north), reference).await, 200);
    assert_eq!(
        track(&http, &base(&south), reference).await,
        422,
        "South cannot track North's case"
    );

    assert!(!signs_in(&http, &base(&south), north.password).await);
    assert!(signs_in(&http, &base(&south), south.password).await);
    let queue = http
        .get(format!("{}/console/queues", base(&south)))
        .send()
        .await
        .unwrap();
    assert_eq!(queue.status(), 200);
    assert!(!queue.text().await.unwrap().contains(reference));
    let on_north = http.get(format!("{}/console/queues", base(&north))).send();
    assert_eq!(
        on_north.await.unwrap().status(),
        303,
        "a South session is no session at North"
    );

    let stranger = http
        .get(format!("http://neither.test:{port}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(stranger.status(), 404);
    assert!(stranger.text().await.unwrap().contains("No council"));
}
