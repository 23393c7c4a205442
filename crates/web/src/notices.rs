//! What Front Door tells residents, built from the domain's message wording and queued by
//! the store in the same transaction as the change that causes it.

use crate::state::AppState;
use crate::views::long_date_in;
use frontdoor_domain::i18n;
use frontdoor_domain::message::CaseMessage;
use frontdoor_domain::{ContactDetails, Locale, NewCase, Outgoing, ReplyBy};
use frontdoor_store::CaseDetail;

/// The acknowledgement of a new case (reference, what happens next, by when), and a text
/// confirmation where the resident gave a mobile.
pub fn acknowledgement(state: &AppState, case: &NewCase) -> Vec<Outgoing> {
    let submission = &case.submission;
    let language = submission.meta.language;
    let catalogue = state.catalogue_in(language);
    let service = state.service_name_in(language, &submission.service);
    let team = catalogue
        .team(&case.team)
        .map(|t| t.name.clone())
        .unwrap_or_else(|| case.team.clone());
    let reference = case.reference.to_string();
    let to = Recipient {
        contact: &submission.contact,
        reply_by: submission.meta.reply_by,
        language,
    };
    message(state, &reference, &service, to).acknowledgement(
        &team,
        &long_date_in(language, case.due_by),
        &case.reference.as_compact(),
    )
}

/// An update on a case, on the resident's channel. `n` makes the key unique per change.
pub fn update(state: &AppState, case: &CaseDetail, what: &str, n: usize) -> Option<Outgoing> {
    let key = format!("{}-update-{n}", case.summary.reference.as_compact());
    about(state, case, resident(case), |m| m.update(what, &key))
}

/// The resident who raised the case, in the language they used.
fn resident(case: &CaseDetail) -> Recipient<'_> {
    Recipient {
        contact: &case.contact,
        reply_by: case.reply_by,
        language: case.language,
    }
}

/// Word that a message was added to a case, to whoever sent it (who may not be the
/// resident who opened the case).
pub fn message_added(
    state: &AppState,
    case: &CaseDetail,
    sender: &ContactDetails,
    reply_by: Option<ReplyBy>,
    n: usize,
) -> Option<Outgoing> {
    let key = format!("{}-added-{n}", case.summary.reference.as_compact());
    // The sender wrote by email or text, so the case's language is the best guess at theirs.
    let to = Recipient {
        contact: sender,
        reply_by,
        language: case.language,
    };
    let what = i18n::message(case.language, "message.added");
    about(state, case, to, |m| m.update(what, &key))
}

/// The same update for each resident following the case (they reported the same problem
/// and chose to follow this report instead of making another).
pub async fn follower_updates(
    state: &AppState,
    case: &CaseDetail,
    what: &str,
    n: usize,
) -> Result<Vec<Outgoing>, crate::error::WebError> {
    let followers = state.store.followers(case.summary.id).await?;
    Ok(followers
        .iter()
        .enumerate()
        .filter_map(|(i, contact)| {
            let key = format!(
                "{}-update-{n}-follower-{i}",
                case.summary.reference.as_compact()
            );
            let to = Recipient {
                contact,
                reply_by: None,
                language: Locale::En,
            };
            about(state, case, to, |m| m.update(what, &key))
        })
        .collect())
}

/// Where an update on this case would go, for staff to see before they reply.
pub fn reply_destination(state: &AppState, case: &CaseDetail) -> Option<String> {
    about(state, case, resident(case), |m| {
        m.primary().map(|d| d.describe())
    })
}

/// Who a message goes to, how they want to hear, and in which language.
#[derive(Clone, Copy)]
struct Recipient<'a> {
    contact: &'a ContactDetails,
    reply_by: Option<ReplyBy>,
    language: Locale,
}

/// The wording of messages about an existing case, to `to`.
fn about<T>(
    state: &AppState,
    case: &CaseDetail,
    to: Recipient<'_>,
    write: impl FnOnce(&CaseMessage<'_>) -> T,
) -> T {
    let reference = case.summary.reference.to_string();
    let service = state.service_name_in(to.language, &case.summary.service);
    write(&message(state, &reference, &service, to))
}

fn message<'a>(
    state: &'a AppState,
    reference: &'a str,
    service: &'a str,
    to: Recipient<'a>,
) -> CaseMessage<'a> {
    CaseMessage {
        council: &state.catalogue_in(to.language).council.name,
        reference,
        service,
        contact: to.contact,
        reply_by: to.reply_by,
        language: to.language,
    }
}
