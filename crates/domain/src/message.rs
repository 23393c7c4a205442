//! Messages the council sends: what each says and where it goes. The store writes them to
//! the outbox in the same transaction as the change that causes them; a worker sends them.

use crate::contact::ReplyBy;
use crate::i18n::{Locale, Text};
use crate::resident::ContactDetails;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Destination {
    Email {
        address: String,
    },
    Sms {
        number: String,
    },
    /// A back-office system told of a life event; signed when sent.
    Webhook {
        system: String,
        url: String,
    },
}

impl Destination {
    pub fn kind(&self) -> &'static str {
        match self {
            Destination::Email { .. } => "email",
            Destination::Sms { .. } => "sms",
            Destination::Webhook { .. } => "webhook",
        }
    }

    /// Where it went, as staff see it in the console.
    pub fn describe(&self) -> String {
        match self {
            Destination::Email { address } => format!("email to {address}"),
            Destination::Sms { number } => format!("text to {number}"),
            Destination::Webhook { system, .. } => format!("{system} (back office)"),
        }
    }
}

/// One message, with the key that stops it ever being sent twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// Unique per message; given to the provider so a retry after a crash is recognised.
    pub key: String,
    pub destination: Destination,
    pub subject: String,
    pub body: String,
}

/// What a case's messages need to say.
#[derive(Debug, Clone)]
pub struct CaseMessage<'a> {
    pub council: &'a str,
    pub reference: &'a str,
    pub service: &'a str,
    pub contact: &'a ContactDetails,
    pub reply_by: Option<ReplyBy>,
    /// The resident's language; the names passed in are already in it.
    pub language: Locale,
}

impl CaseMessage<'_> {
    /// A message about this case, with its reference, service, council and name filled in.
    fn words(&self, key: &'static str) -> Text {
        Text::new(key)
            .with("name", &self.contact.name)
            .with("council", self.council)
            .with("service", self.service)
            .with("reference", self.reference)
    }

    fn say(&self, text: Text) -> String {
        text.render(self.language)
    }

    /// Where replies go: the resident's choice, else email, else a mobile.
    pub fn primary(&self) -> Option<Destination> {
        let email = self.contact.email.as_ref().map(|e| Destination::Email {
            address: e.as_str().to_owned(),
        });
        let sms = self.mobile();
        match self.reply_by {
            Some(ReplyBy::Sms) => sms.or(email),
            _ => email.or(sms),
        }
    }

    fn mobile(&self) -> Option<Destination> {
        self.contact
            .phone
            .as_ref()
            .filter(|p| p.is_mobile())
            .map(|p| Destination::Sms {
                number: p.as_str().to_owned(),
            })
    }

    /// The acknowledgement of a new case, and a text confirmation where a mobile was given.
    pub fn acknowledgement(&self, team: &str, due_by: &str, key: &str) -> Vec<Outgoing> {
        let mut out = Vec::new();
        let primary = self.primary();
        if let Some(destination) = primary.clone() {
            let body = match destination {
                Destination::Sms { .. } => self.text_confirmation(due_by),
                _ => self.letter(team, due_by),
            };
            out.push(Outgoing {
                key: format!("{key}-ack-{}", destination.kind()),
                destination,
                subject: self.say(self.words("message.ack_subject")),
                body,
            });
        }
        if let Some(sms) = self.mobile().filter(|m| Some(m) != primary.as_ref()) {
            out.push(Outgoing {
                key: format!("{key}-ack-sms"),
                destination: sms,
                subject: String::new(),
                body: self.text_confirmation(due_by),
            });
        }
        out
    }

    fn letter(&self, team: &str, due_by: &str) -> String {
        let text = self
            .words("message.ack_letter")
            .with("team", team)
            .with("due_by", due_by);
        self.say(text)
    }

    /// Short enough for one or two text messages.
    fn text_confirmation(&self, due_by: &str) -> String {
        self.say(self.words("message.ack_text").with("due_by", due_by))
    }

    /// A change the resident should hear about: a new status, or words from an officer.
    pub fn update(&self, what: &str, key: &str) -> Option<Outgoing> {
        let destination = self.primary()?;
        let key_of_body = match destination {
            Destination::Sms { .. } => "message.update_text",
            _ => "message.update_letter",
        };
        let body = self.say(self.words(key_of_body).with("what", what));
        Some(Outgoing {
            key: key.to_owned(),
            subject: self.say(self.words("message.update_subject")),
            destination,
            body,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resident::{Email, UkPhone};

    fn contact(email: bool, mobile: Option<&str>) -> ContactDetails {
        ContactDetails {
            name: "Jo Bloggs".into(),
            email: email.then(|| Email::parse("jo@example.org").unwrap()),
            phone: mobile.map(|m| UkPhone::parse(m).unwrap()),
            postcode: None,
        }
    }

    fn message(contact: &ContactDetails, reply_by: Option<ReplyBy>) -> Vec<Outgoing> {
        CaseMessage {
            council: "Demo Council",
            reference: "ABCD-EFGH",
            service: "Missed bin",
            contact,
            reply_by,
            language: Locale::En,
        }
        .acknowledgement("Waste", "3 December 2026", "k")
    }

    #[test]
    fn email_acknowledgement_plus_a_text_where_a_mobile_was_given() {
        let both = contact(true, Some("07700 900982"));
        let sent = message(&both, None);
        assert_eq!(sent.len(), 2);
        assert!(sent[0].body.contains("ABCD-EFGH") && sent[0].body.contains("3 December 2026"));
        assert_eq!(sent[0].destination.kind(), "email");
        assert_eq!(sent[1].destination.kind(), "sms");
        assert_ne!(sent[0].key, sent[1].key);
    }

    #[test]
    fn a_resident_who_chose_text_gets_one_text() {
        let both = contact(true, Some("07700 900982"));
        let sent = message(&both, Some(ReplyBy::Sms));
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].destination.kind(), "sms");
        assert!(
            sent[0].body.len() <= 160,
            "one text message: {}",
            sent[0].body
        );
        assert!(sent[0].body.contains("ABCD-EFGH") && !sent[0].body.contains("Dear"));
    }

    #[test]
    fn a_welsh_speaker_hears_back_in_welsh() {
        let both = contact(true, Some("07700 900982"));
        let welsh = CaseMessage {
            council: "Cyngor Demo",
            reference: "ABCD-EFGH",
            service: "Bin heb ei gasglu",
            contact: &both,
            reply_by: None,
            language: Locale::Cy,
        };
        let sent = welsh.acknowledgement("Gwastraff", "3 Rhagfyr 2026", "k");
        assert!(
            sent[0].body.starts_with("Annwyl Jo Bloggs"),
            "{}",
            sent[0].body
        );
        assert!(sent[0].subject.contains("ABCD-EFGH"), "{}", sent[0].subject);
        assert!(sent[1].body.contains("3 Rhagfyr 2026") && sent[1].body.chars().count() <= 160);
        let update = welsh.update("Statws wedi newid", "u").unwrap();
        assert!(
            update.body.contains("Mae diweddariad ar eich cais"),
            "{}",
            update.body
        );
    }

    #[test]
    fn a_landline_only_resident_gets_nothing_sent() {
        assert!(message(&contact(false, Some("01632 960001")), None).is_empty());
    }
}
