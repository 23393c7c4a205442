//! A small SMTP listener (RFC 5321) for a council's mail relay to hand messages to.
//!
//! It speaks just enough SMTP for a relay — EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT —
//! and answers DATA only once the sink has kept the message, so a relay retries anything
//! Front Door did not store. It does not relay, authenticate or do TLS: put it behind the
//! council's own mail gateway on a private address.

use crate::email::MAX_EMAIL_BYTES;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// Where received messages go. `Ok` carries a short note for the 250 reply; `Err` makes
/// the relay try again later (451).
pub trait MailSink: Send + Sync + 'static {
    fn deliver(&self, raw: Vec<u8>) -> impl Future<Output = Result<String, String>> + Send;
}

const IDLE: Duration = Duration::from_secs(300);
const MAX_LINE: usize = 1000;

/// Accepts connections until the listener fails.
pub async fn serve<S: MailSink>(listener: TcpListener, sink: Arc<S>) -> std::io::Result<()> {
    loop {
        let (socket, _) = listener.accept().await?;
        let sink = sink.clone();
        tokio::spawn(async move {
            let (read, write) = socket.into_split();
            if let Err(e) = session(read, write, &*sink).await {
                tracing::debug!(error = %e, "SMTP session ended");
            }
        });
    }
}

#[derive(Default)]
struct Envelope {
    greeted: bool,
    from: bool,
    recipients: usize,
}

/// One SMTP conversation.
pub async fn session<R, W, S>(read: R, mut write: W, sink: &S) -> std::io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
    S: MailSink,
{
    let mut reader = BufReader::new(read);
    let mut envelope = Envelope::default();
    reply(&mut write, "220 frontdoor ESMTP ready").await?;
    loop {
        let Some(line) = read_line(&mut reader, MAX_LINE).await? else {
            return Ok(());
        };
        let Some(line) = line else {
            reply(&mut write, "500 5.5.2 Line too long").await?;
            continue;
        };
        let (verb, arg) = split_command(&line);
        let answer = match verb.as_str() {
            "EHLO" => {
                envelope = Envelope {
                    greeted: true,
                    ..Default::default()
                };
                format!(
                    "250-frontdoor\r\n250-SIZE {MAX_EMAIL_BYTES}\r\n250-8BITMIME\r\n250 SMTPUTF8"
                )
            }
            "HELO" => {
                envelope = Envelope {
                    greeted: true,
                    ..Default::default()
                };
                "250 frontdoor".into()
            }
            "MAIL" if !envelope.greeted => "503 5.5.1 Say EHLO first".into(),
            "MAIL" if !arg.to_ascii_uppercase().starts_with("FROM:") => {
                "501 5.5.4 Syntax: MAIL FROM:<address>".into()
            }
            "MAIL" => {
                envelope.from = true;
                envelope.recipients = 0;
                "250 2.1.0 OK".into()
            }
            "RCPT" if !envelope.from => "503 5.5.1 Need MAIL first".into(),
            "RCPT" if !arg.to_ascii_uppercase().starts_with("TO:") => {
                "501 5.5.4 Syntax: RCPT TO:<address>".into()
            }
            "RCPT" => {
                envelope.recipients += 1;
                "250 2.1.5 OK".into()
            }
            "DATA" if envelope.recipients == 0 => "503 5.5.1 Need RCPT first".into(),
            "DATA" => {
                reply(&mut write, "354 End data with <CR><LF>.<CR><LF>").await?;
                envelope.from = false;
                envelope.recipients = 0;
                match read_data(&mut reader).await? {
                    Some(raw) => match sink.deliver(raw).await {
                        Ok(note) => format!("250 2.0.0 {note}"),
                        Err(why) => format!("451 4.3.0 {why}"),
                    },
                    None => format!("552 5.3.4 Message over {MAX_EMAIL_BYTES} bytes"),
                }
            }
            "RSET" => {
                envelope.from = false;
                envelope.recipients = 0;
                "250 2.0.0 OK".into()
            }
            "NOOP" => "250 2.0.0 OK".into(),
            "VRFY" => "252 2.1.5 Cannot verify".into(),
            "QUIT" => {
                reply(&mut write, "221 2.0.0 Bye").await?;
                return Ok(());
            }
            _ => "500 5.5.2 Command not recognised".into(),
        };
        reply(&mut write, &answer).await?;
    }
}

fn split_command(line: &str) -> (String, String) {
    let line = line.trim_end();
    match line.split_once(' ') {
        Some((verb, arg)) => (verb.to_ascii_uppercase(), arg.trim().to_owned()),
        None => (line.to_ascii_uppercase(), String::new()),
    }
}

async fn reply<W: AsyncWrite + Unpin>(write: &mut W, text: &str) -> std::io::Result<()> {
    write.write_all(text.as_bytes()).await?;
    write.write_all(b"\r\n").await?;
    write.flush().await
}

/// A line without its ending: `None` at end of stream, `Some(None)` when over `max`.
async fn read_line<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
    max: usize,
) -> std::io::Result<Option<Option<String>>> {
    let mut buf = Vec::new();
    let n = tokio::time::timeout(IDLE, reader.read_until(b'\n', &mut buf))
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "idle"))??;
    if n == 0 {
        return Ok(None);
    }
    if buf.len() > max {
        return Ok(Some(None));
    }
    Ok(Some(Some(
        String::from_utf8_lossy(&buf).trim_end().to_owned(),
    )))
}

/// The message after DATA, dot-unstuffed; `None` if it grew past the size limit (the rest
/// is read and thrown away so the conversation can go on).
async fn read_data<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
) -> std::io::Result<Option<Vec<u8>>> {
    let mut message = Vec::new();
    let mut too_big = false;
    loop {
        let mut line = Vec::new();
        let n = tokio::time::timeout(IDLE, reader.read_until(b'\n', &mut line))
            .await
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "idle"))??;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok((!too_big).then_some(message));
        }
        let unstuffed = line.strip_prefix(b".").unwrap_or(&line);
        if message.len() + unstuffed.len() > MAX_EMAIL_BYTES {
            too_big = true;
            message.clear();
        }
        if !too_big {
            message.extend_from_slice(unstuffed);
        }
    }
}
