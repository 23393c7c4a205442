//! Load benchmark: durable case submissions per second and latency at 64 concurrent
//! clients, against the real release binary on the embedded SQLite store (or PostgreSQL), side by side with
//! a bare axum JSON echo on the same machine in the same run.
//!
//!     cargo bench -p frontdoor --bench submissions
//!     BENCH_SECONDS=20 BENCH_CLIENTS=64 cargo bench -p frontdoor --bench submissions
//!     BENCH_SAME_NAME=1 cargo bench -p frontdoor --bench submissions   # one resident's name
//!     BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432/test cargo bench -p frontdoor --bench submissions
//!
//! BENCH_POSTGRES runs Front Door on a fresh schema on that PostgreSQL server instead.
//!
//! Both servers run as their own processes; the load comes from this one, over keep-alive
//! HTTP/1.1 connections, so on a small machine the client's own CPU use counts against both.

// The CLI tests' helpers: the binary's command line, a free port, a pothole report.
#[path = "../crates/cli/tests/support/mod.rs"]
mod support;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A bare axum server that answers every POST with the JSON it was sent.
async fn echo(port: u16) {
    let app = axum::Router::new().route(
        "/echo",
        axum::routing::post(
            |axum::Json(body): axum::Json<serde_json::Value>| async move {
                (axum::http::StatusCode::CREATED, axum::Json(body))
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    axum::serve(listener, app).await.unwrap();
}

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A pothole report from a different resident each time, as a real morning's reports are:
/// identity matching reads every earlier record with the same name, so one repeated name
/// (BENCH_SAME_NAME=1) measures that instead.
fn submission(n: u64, same_name: bool) -> serde_json::Value {
    let who = if same_name { 0 } else { n };
    support::pothole(
        &format!("Deep hole by the gates, report {n}"),
        serde_json::json!({"name": format!("Resident {who}"), "email": format!("resident.{who}@example.org")}),
    )
}

struct Run {
    ok: usize,
    failed: usize,
    seconds: f64,
    latencies_us: Vec<u64>,
}

impl Run {
    fn per_second(&self) -> f64 {
        self.ok as f64 / self.seconds
    }

    fn percentile_ms(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let at = ((self.latencies_us.len() as f64 - 1.0) * p).round() as usize;
        self.latencies_us[at] as f64 / 1000.0
    }
}

/// `clients` connections posting back to back to `url` for `seconds`.
async fn load(url: &str, clients: u64, seconds: u64, same_name: bool) -> Run {
    let start = Instant::now();
    let until = start + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let url = url.to_owned();
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                let (mut ok, mut failed, mut latencies) = (0, 0, Vec::new());
                let mut n = c * 1_000_000;
                while Instant::now() < until {
                    n += 1;
                    let sent = Instant::now();
                    let answer = http.post(&url).json(&submission(n, same_name)).send().await;
                    let done = match answer {
                        Ok(r) => r.status() == 201 && r.bytes().await.is_ok(),
                        Err(_) => false,
                    };
                    if done {
                        ok += 1;
                        latencies.push(sent.elapsed().as_micros() as u64);
                    } else {
                        failed += 1;
                    }
                }
                (ok, failed, latencies)
            })
        })
        .collect();
    let mut run = Run {
        ok: 0,
        failed: 0,
        seconds: 0.0,
        latencies_us: Vec::new(),
    };
    for task in tasks {
        let (ok, failed, latencies) = task.await.unwrap();
        run.ok += ok;
        run.failed += failed;
        run.latencies_us.extend(latencies);
    }
    run.seconds = start.elapsed().as_secs_f64();
    run.latencies_us.sort_unstable();
    run
}

async fn wait_until_up(url: &str) {
    let http = reqwest::Client::new();
    for _ in 0..600 {
        if http.get(url).send().await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{url} did not start");
}

fn front_door(dir: &std::path::Path, database: &str, port: u16) -> Child {
    support::command_on(dir, database)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .env("FRONTDOOR_SUBMISSIONS_PER_ADDRESS", "0")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .spawn()
        .expect("the frontdoor binary starts")
}

fn print(name: &str, run: &Run) {
    println!(
        "{name:<34} {:>9.0} {:>8.2} {:>8.2} {:>8.2} {:>7}",
        run.per_second(),
        run.percentile_ms(0.50),
        run.percentile_ms(0.99),
        run.percentile_ms(1.0),
        run.failed
    );
}

fn main() {
    if let Ok(port) = std::env::var("BENCH_ECHO_PORT") {
        let port: u16 = port.parse().expect("a port");
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(echo(port));
        return;
    }
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing useful: run only
    // when asked for as a benchmark.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let clients = setting("BENCH_CLIENTS", 64);
    let seconds = setting("BENCH_SECONDS", 10);
    let same_name = setting("BENCH_SAME_NAME", 0) == 1;
    let dir = tempfile::tempdir().unwrap();
    let (echo_port, fd_port) = (support::free_port(), support::free_port());
    let mut echo_server = Command::new(std::env::current_exe().unwrap())
        .env("BENCH_ECHO_PORT", echo_port.to_string())
        .spawn()
        .expect("the echo server starts");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let database = match std::env::var("BENCH_POSTGRES") {
        Ok(server) => runtime.block_on(frontdoor_store::scratch::postgres_schema(&server)),
        Err(_) => format!("sqlite://{}/fd.db", dir.path().display()),
    };
    let mut server = front_door(dir.path(), &database, fd_port);
    let (echo_run, fd_run) = runtime.block_on(async {
        let echo_url = format!("http://127.0.0.1:{echo_port}/echo");
        let fd_base = format!("http://127.0.0.1:{fd_port}");
        wait_until_up(&format!("http://127.0.0.1:{echo_port}/")).await;
        wait_until_up(&format!("{fd_base}/readyz")).await;
        // A short warm-up of each, then the measured runs.
        load(&echo_url, clients, 1, same_name).await;
        load(&format!("{fd_base}/api/v1/cases"), clients, 1, same_name).await;
        let echo_run = load(&echo_url, clients, seconds, same_name).await;
        let fd_run = load(
            &format!("{fd_base}/api/v1/cases"),
            clients,
            seconds,
            same_name,
        )
        .await;
        (echo_run, fd_run)
    });
    for child in [&mut server, &mut echo_server] {
        let _ = child.kill();
        let _ = child.wait();
    }
    println!(
        "\n{clients} concurrent clients, {seconds} s each, {} CPUs, on {}{}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        if database.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        if same_name {
            ", every report under one name"
        } else {
            ""
        }
    );
    println!(
        "{:<34} {:>9} {:>8} {:>8} {:>8} {:>7}",
        "server", "req/s", "p50 ms", "p99 ms", "max ms", "failed"
    );
    print("bare axum JSON echo", &echo_run);
    print("Front Door POST /api/v1/cases", &fd_run);
    println!(
        "Front Door at {:.1}% of the echo's throughput\n",
        100.0 * fd_run.per_second() / echo_run.per_second()
    );
}
