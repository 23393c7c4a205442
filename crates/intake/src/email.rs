//! Inbound email: a raw RFC 5322 message in, the resident's own words and files out.
//!
//! `mail-parser` decodes the transfer encodings and charsets; this module decides what
//! counts as the resident's new text (not the quoted chain or the signature), keeps every
//! attachment, and turns a message that cannot be read into an error the caller quarantines.

use crate::reply::{html_to_text, strip_reply};
use frontdoor_domain::{Attachment, Email};
use mail_parser::{Message, MessageParser, MessagePart, MimeHeaders, PartType};

/// The largest message Front Door accepts (attachments included).
pub const MAX_EMAIL_BYTES: usize = 25 * 1024 * 1024;

/// A message a resident sent, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundEmail {
    pub from_name: Option<String>,
    pub from_address: Email,
    pub subject: String,
    /// The sender's Message-ID, so a message delivered twice is one contact.
    pub message_id: Option<String>,
    /// What the resident wrote this time: quoted replies and signatures removed.
    pub body: String,
    /// Every readable line, quotes and forwarded messages included, for finding a reference.
    pub full_text: String,
    pub attachments: Vec<Attachment>,
    /// Sent by a machine (an out-of-office reply, a bounce, a mailing list), not a person:
    /// it must never be answered automatically, or two systems mail each other for ever.
    pub automatic: bool,
}

/// Why a message could not be read. The raw message is kept whole in quarantine.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("the message is empty")]
    Empty,
    #[error("the message is {0} bytes, over the {MAX_EMAIL_BYTES}-byte limit")]
    TooLarge(usize),
    #[error("the message has no headers, so it is not an email")]
    NoHeaders,
    #[error("the message has no sender (From) address")]
    NoSender,
    #[error("the sender address '{0}' is not a valid email address")]
    BadSender(String),
    #[error("the message has no text and no attachments")]
    NoContent,
    #[error("the MIME structure of the message could not be followed")]
    ParserFailed,
}

/// Reads a raw message.
pub fn parse_email(raw: &[u8]) -> Result<InboundEmail, EmailError> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(EmailError::Empty);
    }
    if raw.len() > MAX_EMAIL_BYTES {
        return Err(EmailError::TooLarge(raw.len()));
    }
    let message = parse_mime(raw)?
        .filter(has_headers)
        .ok_or(EmailError::NoHeaders)?;
    let (from_name, from_address) = sender(&message)?;
    let body = new_text(&message);
    let full_text = readable_text(&message);
    let attachments = attachments(&message);
    let automatic = is_automatic(&message, &from_address);
    if body.trim().is_empty() && full_text.trim().is_empty() && attachments.is_empty() {
        return Err(EmailError::NoContent);
    }
    Ok(InboundEmail {
        from_name,
        from_address,
        subject: message.subject().unwrap_or_default().trim().to_owned(),
        message_id: message.message_id().map(str::to_owned),
        body,
        full_text,
        attachments,
        automatic,
    })
}

/// RFC 3834's Auto-Submitted, the older Precedence and X-Autoreply headers, delivery
/// reports, and mail from a mailer daemon.
fn is_automatic(message: &Message<'_>, from: &Email) -> bool {
    let header = |name: &str| {
        message
            .header_raw(name)
            .map(|v| v.trim().to_ascii_lowercase())
    };
    let auto_submitted = header("Auto-Submitted").is_some_and(|v| v != "no");
    let precedence = header("Precedence")
        .is_some_and(|v| matches!(v.as_str(), "bulk" | "junk" | "list" | "auto_reply"));
    let autoreply = header("X-Autoreply").is_some() || header("X-Autorespond").is_some();
    let report = message.content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("multipart")
            && ct
                .subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"))
    });
    let local = from
        .as_str()
        .split('@')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let daemon = matches!(local.as_str(), "mailer-daemon" | "postmaster");
    auto_submitted || precedence || autoreply || report || daemon
}

/// mail-parser, with its panics turned into an error. Fuzzing found input that trips a
/// `debug_assert!` in mail-parser 0.11.9 (message.rs:485, "Invalid part ID"); whatever the
/// build, a message must end in quarantine, never in a crashed request.
fn parse_mime(raw: &[u8]) -> Result<Option<Message<'_>>, EmailError> {
    std::panic::catch_unwind(|| MessageParser::default().parse(raw))
        .map_err(|_| EmailError::ParserFailed)
}

fn has_headers(message: &Message<'_>) -> bool {
    message
        .headers()
        .iter()
        .any(|h| !matches!(h.value(), mail_parser::HeaderValue::Empty))
}

fn sender(message: &Message<'_>) -> Result<(Option<String>, Email), EmailError> {
    let addr = message
        .from()
        .or_else(|| message.sender())
        .and_then(|a| a.first())
        .ok_or(EmailError::NoSender)?;
    let address = addr.address().ok_or(EmailError::NoSender)?;
    let email = Email::parse(address).map_err(|_| EmailError::BadSender(address.to_owned()))?;
    let name = addr
        .name()
        .map(|n| n.trim().trim_matches('"').trim().to_owned())
        .filter(|n| !n.is_empty() && !n.eq_ignore_ascii_case(email.as_str()));
    Ok((name, email))
}

/// The resident's new words: the first text body with the quoted chain cut off, or, where a
/// message is only a forward with nothing added, the forwarded message's words.
fn new_text(message: &Message<'_>) -> String {
    let own = strip_reply(&first_body(message));
    if !own.trim().is_empty() {
        return own;
    }
    forwarded_messages(message)
        .map(|inner| strip_reply(&first_body(inner)))
        .find(|text| !text.trim().is_empty())
        .unwrap_or_default()
}

/// The first text body as plain text. An HTML-only message is converted by our own reader,
/// which drops quoted blocks that mail clients mark up (Gmail, Outlook, Apple Mail).
fn first_body(message: &Message<'_>) -> String {
    let Some(part) = message.text_part(0) else {
        return String::new();
    };
    match &part.body {
        PartType::Text(text) => text.to_string(),
        PartType::Html(html) => html_to_text(html, true),
        _ => String::new(),
    }
}

fn readable_text(message: &Message<'_>) -> String {
    let mut text = String::new();
    for part in message.text_bodies() {
        match &part.body {
            PartType::Text(t) => text.push_str(t),
            PartType::Html(h) => text.push_str(&html_to_text(h, false)),
            _ => {}
        }
        text.push('\n');
    }
    for inner in forwarded_messages(message) {
        text.push_str(inner.subject().unwrap_or_default());
        text.push('\n');
        text.push_str(&readable_text(inner));
    }
    text
}

fn forwarded_messages<'a>(message: &'a Message<'a>) -> impl Iterator<Item = &'a Message<'a>> {
    message.attachments().filter_map(MessagePart::message)
}

fn attachments(message: &Message<'_>) -> Vec<Attachment> {
    message
        .attachments()
        .enumerate()
        .map(|(i, part)| attachment(i, part))
        .collect()
}

fn attachment(index: usize, part: &MessagePart<'_>) -> Attachment {
    let content_type = part
        .content_type()
        .map(|ct| match ct.subtype() {
            Some(sub) => format!("{}/{}", ct.ctype(), sub),
            None => ct.ctype().to_owned(),
        })
        .unwrap_or_else(|| default_type(part).to_owned())
        .to_ascii_lowercase();
    let data = match &part.body {
        PartType::Message(inner) => inner.raw_message().to_vec(),
        _ => part.contents().to_vec(),
    };
    let filename = part
        .attachment_name()
        .map(safe_filename)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| format!("attachment-{}{}", index + 1, extension(&content_type)));
    Attachment {
        filename,
        content_type,
        data,
    }
}

fn default_type(part: &MessagePart<'_>) -> &'static str {
    match part.body {
        PartType::Message(_) => "message/rfc822",
        PartType::Text(_) => "text/plain",
        PartType::Html(_) => "text/html",
        _ => "application/octet-stream",
    }
}

fn extension(content_type: &str) -> &'static str {
    match content_type {
        "message/rfc822" => ".eml",
        "image/jpeg" => ".jpg",
        "image/png" => ".png",
        "application/pdf" => ".pdf",
        "text/plain" => ".txt",
        _ => "",
    }
}

/// A filename safe to offer back for download: no paths, no control characters.
fn safe_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    base.chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | ':' | '|' | '?' | '*'))
        .take(120)
        .collect::<String>()
        .trim()
        .trim_start_matches('.')
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_message_is_read() {
        let raw = b"From: Ann Smith <ann@example.org>\r\nTo: council@example.gov.uk\r\nSubject: Bin\r\nMessage-ID: <a1@example.org>\r\n\r\nMy bin was missed.\r\n";
        let email = parse_email(raw).unwrap();
        assert_eq!(email.from_name.as_deref(), Some("Ann Smith"));
        assert_eq!(email.from_address.as_str(), "ann@example.org");
        assert_eq!(email.subject, "Bin");
        assert_eq!(email.message_id.as_deref(), Some("a1@example.org"));
        assert_eq!(email.body.trim(), "My bin was missed.");
    }

    #[test]
    fn garbage_and_senderless_messages_are_errors() {
        assert_eq!(parse_email(b"  \r\n"), Err(EmailError::Empty));
        assert_eq!(
            parse_email(b"Subject: hi\r\n\r\nbody"),
            Err(EmailError::NoSender)
        );
        assert!(matches!(
            parse_email(b"From: not an address\r\n\r\nbody"),
            Err(EmailError::NoSender | EmailError::BadSender(_))
        ));
    }

    #[test]
    fn filenames_lose_their_paths() {
        assert_eq!(safe_filename("C:\\Users\\ann\\photo.jpg"), "photo.jpg");
        assert_eq!(safe_filename("../../etc/passwd"), "passwd");
        assert_eq!(safe_filename(".hidden"), "hidden");
    }
}
