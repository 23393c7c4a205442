//! The satisfaction survey a resident is sent when their case closes: a score from 1 to
//! 5 and an optional comment, once per case, through the link in the closing message.

use super::layout;
use crate::error::{PageResult, WebError};
use crate::session::{Session, hash_token};
use crate::state::AppState;
use crate::views::{ErrorItem, Layout};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use frontdoor_domain::Text;
use jiff::Timestamp;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/feedback/{token}", get(form).post(answer))
}

const COMMENT_LIMIT: usize = 1200;

/// The answers, best last, as residents read them.
pub const SCORES: [(u8, &str); 5] = [
    (1, "feedback.score.1"),
    (2, "feedback.score.2"),
    (3, "feedback.score.3"),
    (4, "feedback.score.4"),
    (5, "feedback.score.5"),
];

#[derive(Template, WebTemplate)]
#[template(path = "portal/feedback.html")]
struct FeedbackPage {
    layout: Layout,
    errors: Vec<ErrorItem>,
    token: String,
    reference: String,
    service_name: String,
    score: String,
    comment: String,
    score_error: Option<String>,
    comment_error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/feedback_done.html")]
struct FeedbackDone {
    layout: Layout,
    already: bool,
}

#[derive(Deserialize)]
struct FeedbackForm {
    csrf_token: Option<String>,
    #[serde(default)]
    score: String,
    #[serde(default)]
    comment: String,
}

async fn offer(state: &AppState, token: &str) -> Result<frontdoor_store::SurveyOffer, WebError> {
    state
        .store
        .survey_offer(&hash_token(token))
        .await?
        .ok_or(WebError::NotFound)
}

async fn form(
    State(state): State<AppState>,
    session: Session,
    Path(token): Path<String>,
) -> PageResult<Response> {
    let offer = offer(&state, &token).await?;
    let layout = layout(&state, session.csrf_token());
    if offer.answered {
        return Ok(FeedbackDone {
            layout,
            already: true,
        }
        .into_response());
    }
    Ok(FeedbackPage {
        layout,
        errors: vec![],
        token,
        reference: offer.reference.to_string(),
        service_name: state.local_service_name(&offer.service),
        score: String::new(),
        comment: String::new(),
        score_error: None,
        comment_error: None,
    }
    .into_response())
}

/// What to fix in each field; `None` where the field is fine.
type Problems = (Option<String>, Option<String>);

/// The score and comment, or the messages that say what to fix.
fn check(form: &FeedbackForm) -> Result<(u8, Option<String>), Problems> {
    let score = form
        .score
        .parse::<u8>()
        .ok()
        .filter(|s| SCORES.iter().any(|(n, _)| n == s));
    let comment = form.comment.trim();
    let lang = crate::locale::current();
    let comment_error = (comment.chars().count() > COMMENT_LIMIT).then(|| {
        let text = Text::new("feedback.comment_too_long").with("limit", COMMENT_LIMIT);
        text.render(lang)
    });
    let score_error = score
        .is_none()
        .then(|| Text::new("feedback.score_missing").render(lang));
    match (score, comment_error.is_none()) {
        (Some(score), true) => Ok((score, (!comment.is_empty()).then(|| comment.to_owned()))),
        _ => Err((score_error, comment_error)),
    }
}

async fn answer(
    State(state): State<AppState>,
    session: Session,
    Path(token): Path<String>,
    Form(form): Form<FeedbackForm>,
) -> PageResult<Response> {
    session.verify_csrf(form.csrf_token.as_deref())?;
    let offer = offer(&state, &token).await?;
    let layout = layout(&state, session.csrf_token());
    match check(&form) {
        Ok((score, comment)) => {
            let stored = state
                .store
                .answer_survey(
                    &hash_token(&token),
                    score,
                    comment.as_deref(),
                    Timestamp::now(),
                )
                .await?;
            Ok(FeedbackDone {
                layout,
                already: !stored,
            }
            .into_response())
        }
        Err((score_error, comment_error)) => {
            let errors = [("score-1", &score_error), ("comment", &comment_error)]
                .into_iter()
                .filter_map(|(href, e)| {
                    e.as_ref().map(|m| ErrorItem {
                        href: format!("#{href}"),
                        message: m.clone(),
                    })
                })
                .collect();
            let page = FeedbackPage {
                layout,
                errors,
                token,
                reference: offer.reference.to_string(),
                service_name: state.local_service_name(&offer.service),
                score: form.score.clone(),
                comment: form.comment.clone(),
                score_error,
                comment_error,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
