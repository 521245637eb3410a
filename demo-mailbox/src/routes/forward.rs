//! `GET /letters/{letter_id}/forward` and `POST`: forward a letter to another Digital Post
//! recipient or to an e-mail address (see [`crate::post::writing::forward`]).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::in_mailbox::{desk, letter_form, show_again, show_filed, submission};
use crate::access::desk::Refusal;
use crate::access::Capability;
use crate::action::Action;
use crate::app::App;
use crate::logged_in::LoggedIn;
use crate::notice::Notice;
use crate::pages::compose::ForwardPage;
use crate::pages::render;
use crate::post::writing;
use crate::post::SubmissionId;
use crate::problem::Problem;

#[derive(Deserialize)]
pub struct ForwardForm {
    to: String,
    note: Option<String>,
    /// The form's one-time id: the same form sent twice forwards once.
    submission: Option<String>,
}

pub async fn form(
    State(app): State<App>,
    LoggedIn(session): LoggedIn,
    Path(letter_id): Path<String>,
) -> Response {
    letter_form(
        &app,
        &session,
        &letter_id,
        Capability::Forward,
        |chrome, letter| {
            render(
                StatusCode::OK,
                &ForwardPage::new(chrome, letter, SubmissionId::random()),
            )
        },
    )
}

/// Forwards the letter, then shows "Sendt" (or the front page, for a helper not given it).
pub async fn send(
    State(app): State<App>,
    Path(letter_id): Path<String>,
    action: Action<ForwardForm>,
) -> Response {
    let Action { session, form } = action;
    let submission = match submission(form.submission.as_deref()) {
        Ok(submission) => submission,
        Err(problem) => return problem.page(session.lang),
    };
    let desk = desk(&app, &session);
    match writing::forward(
        &desk,
        submission.as_ref(),
        &letter_id,
        &form.to,
        form.note.as_deref(),
    ) {
        Err(Refusal::BadLetter(error)) => {
            let letter = match desk.letter(&letter_id) {
                Ok(letter) => letter,
                Err(refusal) => return Problem::from(refusal).page(session.lang),
            };
            let field = error.field();
            let submission = submission.unwrap_or_else(SubmissionId::random);
            let note = form.note.unwrap_or_default();
            show_again(&desk, &session, error.into(), field, |chrome, error| {
                ForwardPage::filled(chrome, &letter, submission, form.to, note, error)
            })
        }
        sent => show_filed(&app, &session, sent, Notice::Forwarded),
    }
}
