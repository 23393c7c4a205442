//! Channel adapters: the messy shapes residents' messages arrive in, read into plain parts
//! the web layer turns into contacts. No database and no HTTP here — only parsing, the
//! signatures gateways sign with, and an SMTP listener.

pub mod email;
pub mod reference;
pub mod reply;
pub mod sender;
pub mod smtp;
pub mod webhook;

pub use email::{EmailError, InboundEmail, MAX_EMAIL_BYTES, parse_email};
pub use reference::find_reference;
pub use sender::{SenderCheck, SenderProof};
pub use webhook::{
    ChatTranscript, InboundMessage, MAX_WEBHOOK_BYTES, WebhookError, parse_message, sign, verify,
};
