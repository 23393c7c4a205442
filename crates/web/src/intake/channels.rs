//! Each channel's message read into the one shape every message is filed from: who sent
//! it (and what the channel proves about them), the words triage reads, and what is kept.

use super::Inbound;
use frontdoor_domain::typed::{many_lines_lossy, one_line_lossy};
use frontdoor_domain::{Channel, ContactDetails, ContactMeta, Email, ReplyBy, UkPhone};
use frontdoor_intake::{ChatTranscript, InboundEmail, InboundMessage};

/// A name a channel gave, made safe to show; `fallback` when nothing visible is left.
fn shown_name(name: Option<&str>, fallback: &str) -> String {
    let name = name.map(one_line_lossy).unwrap_or_default();
    if name.is_empty() {
        one_line_lossy(fallback)
    } else {
        name
    }
}

/// An email: its From address is where replies go, and proves who sent it only when the
/// message passed the sender check (`proven`).
pub(super) fn email_inbound(email: &InboundEmail, proven: bool) -> Inbound<'_> {
    let name = shown_name(email.from_name.as_deref(), email.from_address.as_str());
    let words = if email.body.trim().is_empty() && !email.attachments.is_empty() {
        "(no message: see the attachments)".to_owned()
    } else {
        many_lines_lossy(&email.body)
    };
    Inbound {
        channel: Channel::Email,
        contact: ContactDetails {
            name,
            email: Some(email.from_address.clone()),
            phone: None,
            postcode: None,
        },
        meta: ContactMeta {
            email_verified: proven,
            reply_by: Some(ReplyBy::Email),
            external_id: email.message_id.clone(),
            attachments: email.attachments.clone(),
            ..Default::default()
        },
        subject: &email.subject,
        search_text: &email.full_text,
        triage_text: format!("{}\n\n{}", email.subject, email.body),
        summary: match email.subject.as_str() {
            "" => words,
            subject => format!("Subject: {subject}\n\n{words}"),
        },
    }
}

/// A text message: the sender's number is proven (they sent from it) and is where replies go.
pub(super) fn sms_inbound(message: &InboundMessage) -> Inbound<'_> {
    let phone = UkPhone::parse(&message.from).ok();
    Inbound {
        channel: Channel::Sms,
        contact: ContactDetails {
            name: shown_name(message.name.as_deref(), &message.from),
            email: None,
            phone: phone.clone(),
            postcode: None,
        },
        meta: ContactMeta {
            phone_verified: phone.is_some(),
            reply_by: phone.as_ref().map(|_| ReplyBy::Sms),
            external_id: message.external_id.clone(),
            ..Default::default()
        },
        subject: "",
        search_text: &message.text,
        triage_text: many_lines_lossy(&message.text),
        summary: many_lines_lossy(&message.text),
    }
}

/// A public social media post or direct message: the handle is all we know of the sender.
pub(super) fn social_inbound(message: &InboundMessage) -> Inbound<'_> {
    let platform = message.platform.as_deref().unwrap_or("social media");
    let platform = one_line_lossy(platform);
    let handle = one_line_lossy(&message.from);
    let name = match message.name.as_deref().map(one_line_lossy) {
        Some(name) if !name.is_empty() => format!("{name} ({handle} on {platform})"),
        _ => format!("{handle} on {platform}"),
    };
    Inbound {
        channel: Channel::Social,
        contact: ContactDetails {
            name,
            email: None,
            phone: None,
            postcode: None,
        },
        meta: ContactMeta {
            external_id: message
                .external_id
                .as_ref()
                .map(|id| format!("{platform}:{id}")),
            ..Default::default()
        },
        subject: "",
        search_text: &message.text,
        triage_text: many_lines_lossy(&message.text),
        summary: many_lines_lossy(&message.text),
    }
}

/// A web chat: the resident's lines are triaged; the whole conversation is kept.
pub(super) fn chat_inbound(chat: &ChatTranscript) -> Inbound<'_> {
    let email = chat.email.as_deref().and_then(|e| Email::parse(e).ok());
    let phone = chat.phone.as_deref().and_then(|p| UkPhone::parse(p).ok());
    let postcode = chat
        .postcode
        .as_deref()
        .and_then(|p| frontdoor_domain::Postcode::parse(p).ok());
    let transcript = chat.transcript();
    Inbound {
        channel: Channel::Chat,
        contact: ContactDetails {
            name: one_line_lossy(&chat.name),
            email,
            phone,
            postcode,
        },
        meta: ContactMeta {
            external_id: chat.id.clone(),
            ..Default::default()
        },
        subject: "",
        search_text: "",
        triage_text: chat.resident_words(),
        summary: many_lines_lossy(&transcript),
    }
}
