//! Front Door's domain: the council's own language as plain types and rules.
//!
//! No async, no SQL, no HTTP: every other crate adapts to what is here.

pub mod access;
pub mod area;
pub mod calendar;
pub mod case;
pub mod catalogue;
pub mod channel;
pub mod contact;
pub mod form;
pub mod i18n;
pub mod identity;
pub mod level;
pub mod life_event;
pub mod location;
pub mod message;
pub mod mi;
pub mod readability;
pub mod reference;
pub mod resident;
pub mod retention;
pub mod translation;
pub mod typed;

pub use access::{Owner, Permission, Refusal, Role, Staffer};
pub use calendar::WorkingCalendar;
pub use case::{CaseError, CaseEvent, CaseState, NewCase, Status, Submission};
pub use catalogue::{Catalogue, CatalogueError, Service, Team, Topic};
pub use channel::Channel;
pub use contact::{Attachment, ContactMeta, ReplyBy, Vulnerability};
pub use form::{Answer, Field, FieldError, FieldKind, RawAnswers};
pub use i18n::{Locale, Text};
pub use identity::{Identity, MatchReason, PersonEvent, match_identity};
pub use level::Level;
pub use life_event::{LifeEvent, LifeEventKind};
pub use location::{GazetteerAddress, Place, Point};
pub use message::{Destination, Outgoing};
pub use reference::{Reference, ReferenceError};
pub use resident::{ContactDetails, Email, Postcode, UkPhone};
