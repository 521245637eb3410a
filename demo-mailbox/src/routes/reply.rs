//! `GET /letters/{letter_id}/reply` and `POST`: answer a letter, only where its sender accepts
//! replies. Otherwise the page says so and the POST is refused (409), changing nothing.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::in_mailbox::{desk, letter_form, show_again, show_filed, submission};
use super::write::is_draft;
use crate::access::desk::Refusal;
use crate::access::Capability;
use crate::action::UploadAction;
use crate::app::App;
use crate::logged_in::LoggedIn;
use crate::notice::Notice;
use crate::pages::compose::ReplyPage;
use crate::pages::render;
use crate::post::writing::{self, Typed};
use crate::post::SubmissionId;
use crate::problem::Problem;

#[derive(Deserialize)]
pub struct ReplyForm {
    subject: String,
    body: String,
    /// `draft` saves to "Kladder"; anything else sends.
    intent: Option<String>,
    /// The form's one-time id: the same form sent twice sends once.
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
        Capability::Compose,
        |chrome, letter| {
            render(
                StatusCode::OK,
                &ReplyPage::new(chrome, letter, SubmissionId::random()),
            )
        },
    )
}

pub async fn send(
    State(app): State<App>,
    Path(letter_id): Path<String>,
    action: UploadAction<ReplyForm>,
) -> Response {
    let UploadAction {
        session,
        form,
        files,
    } = action;
    let submission = match submission(form.submission.as_deref()) {
        Ok(submission) => submission,
        Err(problem) => return problem.page(session.lang),
    };
    let typed = Typed {
        subject: &form.subject,
        body: &form.body,
        draft: is_draft(form.intent.as_deref()),
        files: &files,
    };
    let desk = desk(&app, &session);
    match writing::reply(&desk, submission.as_ref(), &letter_id, &typed) {
        Err(Refusal::BadLetter(error)) => {
            let letter = match desk.letter(&letter_id) {
                Ok(letter) => letter,
                Err(refusal) => return Problem::from(refusal).page(session.lang),
            };
            let submission = submission.unwrap_or_else(SubmissionId::random);
            show_again(
                &desk,
                &session,
                error.into(),
                error.field(),
                |chrome, error| {
                    let mut page = ReplyPage::filled(
                        chrome,
                        &letter,
                        submission,
                        form.subject,
                        form.body,
                        error,
                    );
                    page.files.dropped = !files.is_empty();
                    page
                },
            )
        }
        sent => {
            let notice = if typed.draft {
                Notice::DraftSaved
            } else {
                Notice::ReplySent
            };
            show_filed(&app, &session, sent, notice)
        }
    }
}
