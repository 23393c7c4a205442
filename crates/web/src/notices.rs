//! What Front Door tells residents, built from the domain's message wording and queued by
//! the store in the same transaction as the change that causes it.

use crate::state::AppState;
use crate::views::long_date;
use frontdoor_domain::message::CaseMessage;
use frontdoor_domain::{ContactDetails, NewCase, Outgoing, ReplyBy};
use frontdoor_store::CaseDetail;

/// The acknowledgement of a new case (reference, what happens next, by when), and a text
/// confirmation where the resident gave a mobile.
pub fn acknowledgement(state: &AppState, case: &NewCase) -> Vec<Outgoing> {
    let submission = &case.submission;
    let service = state.service_name(&submission.service);
    let team = state
        .catalogue
        .team(&case.team)
        .map(|t| t.name.clone())
        .unwrap_or_else(|| case.team.clone());
    let reference = case.reference.to_string();
    message(
        state,
        &reference,
        &service,
        &submission.contact,
        submission.meta.reply_by,
    )
    .acknowledgement(&team, &long_date(case.due_by), &case.reference.as_compact())
}

/// An update on a case, on the resident's channel. `n` makes the key unique per change.
pub fn update(state: &AppState, case: &CaseDetail, what: &str, n: usize) -> Option<Outgoing> {
    let key = format!("{}-update-{n}", case.summary.reference.as_compact());
    about(state, case, &case.contact, case.reply_by, |m| {
        m.update(what, &key)
    })
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
    let what = "We have added your message to this request.";
    about(state, case, sender, reply_by, |m| m.update(what, &key))
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
            about(state, case, contact, None, |m| m.update(what, &key))
        })
        .collect())
}

/// Where an update on this case would go, for staff to see before they reply.
pub fn reply_destination(state: &AppState, case: &CaseDetail) -> Option<String> {
    about(state, case, &case.contact, case.reply_by, |m| {
        m.primary().map(|d| d.describe())
    })
}

/// The wording of messages about an existing case, to `to`.
fn about<T>(
    state: &AppState,
    case: &CaseDetail,
    to: &ContactDetails,
    reply_by: Option<ReplyBy>,
    write: impl FnOnce(&CaseMessage<'_>) -> T,
) -> T {
    let reference = case.summary.reference.to_string();
    let service = state.service_name(&case.summary.service);
    write(&message(state, &reference, &service, to, reply_by))
}

fn message<'a>(
    state: &'a AppState,
    reference: &'a str,
    service: &'a str,
    contact: &'a ContactDetails,
    reply_by: Option<ReplyBy>,
) -> CaseMessage<'a> {
    CaseMessage {
        council: &state.catalogue.council.name,
        reference,
        service,
        contact,
        reply_by,
    }
}
