//! The SMTP listener over a real socket: a relay's conversation, dot-unstuffing, the order
//! of commands enforced, and a sink failure turned into "try again later".

use frontdoor_intake::smtp::{MailSink, serve};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

#[derive(Default)]
struct Kept(Mutex<Vec<Vec<u8>>>);

impl MailSink for Kept {
    async fn deliver(&self, raw: Vec<u8>) -> Result<String, String> {
        if raw.windows(4).any(|w| w == b"FAIL") {
            return Err("store unavailable".into());
        }
        self.0.lock().unwrap().push(raw);
        Ok("kept".into())
    }
}

async fn start() -> (std::net::SocketAddr, Arc<Kept>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let kept = Arc::new(Kept::default());
    tokio::spawn(serve(listener, kept.clone()));
    (addr, kept)
}

struct Client(BufReader<TcpStream>);

impl Client {
    async fn connect(addr: std::net::SocketAddr) -> Self {
        let mut c = Client(BufReader::new(TcpStream::connect(addr).await.unwrap()));
        assert!(c.reply().await.starts_with("220"));
        c
    }

    async fn send(&mut self, line: &str) -> String {
        self.0
            .get_mut()
            .write_all(format!("{line}\r\n").as_bytes())
            .await
            .unwrap();
        self.reply().await
    }

    /// The whole reply, following "250-" continuation lines.
    async fn reply(&mut self) -> String {
        let mut all = String::new();
        loop {
            let mut line = String::new();
            self.0.read_line(&mut line).await.unwrap();
            all.push_str(&line);
            if line.as_bytes().get(3) != Some(&b'-') {
                return all;
            }
        }
    }
}

#[tokio::test]
async fn a_relay_hands_over_a_message() {
    let (addr, kept) = start().await;
    let mut c = Client::connect(addr).await;
    assert!(c.send("EHLO relay.example").await.contains("250 SMTPUTF8"));
    assert!(
        c.send("MAIL FROM:<ann@example.org>")
            .await
            .starts_with("250")
    );
    assert!(
        c.send("RCPT TO:<contact@demo-council.gov.uk>")
            .await
            .starts_with("250")
    );
    assert!(c.send("DATA").await.starts_with("354"));
    let body = "From: ann@example.org\r\nSubject: hi\r\n\r\nLine one\r\n..leading dot\r\n.";
    assert_eq!(c.send(body).await.trim(), "250 2.0.0 kept");
    assert!(c.send("QUIT").await.starts_with("221"));
    let kept = kept.0.lock().unwrap();
    assert_eq!(kept.len(), 1);
    assert!(String::from_utf8_lossy(&kept[0]).ends_with("Line one\r\n.leading dot\r\n"));
}

#[tokio::test]
async fn commands_out_of_order_are_refused_and_failures_ask_for_a_retry() {
    let (addr, kept) = start().await;
    let mut c = Client::connect(addr).await;
    assert!(c.send("MAIL FROM:<a@b.c>").await.starts_with("503"));
    assert!(c.send("HELO relay").await.starts_with("250"));
    assert!(c.send("DATA").await.starts_with("503"));
    assert!(c.send("RCPT TO:<x@y.z>").await.starts_with("503"));
    assert!(c.send("WHAT").await.starts_with("500"));
    c.send("MAIL FROM:<a@b.c>").await;
    c.send("RCPT TO:<x@y.z>").await;
    c.send("DATA").await;
    assert!(
        c.send("Subject: FAIL\r\n\r\nx\r\n.")
            .await
            .starts_with("451")
    );
    assert!(kept.0.lock().unwrap().is_empty());
}
