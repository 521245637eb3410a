//! `GET /write` and `POST /write`: a new letter to an authority of the fixed list, sent (to
//! "Sendt") or saved as a draft (to "Kladder"); `POST /letters/{letter_id}/send-draft` sends a
//! saved draft. The writing itself is [`crate::post::writing`].

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::in_mailbox::{chrome, desk, folder_or_home, notify, show_again, show_filed, submission};
use crate::access::desk::Refusal;
use crate::access::Capability;
use crate::action::{Action, NoFields, UploadAction};
use crate::app::App;
use crate::logged_in::LoggedIn;
use crate::notice::Notice;
use crate::pages::compose::{WriteFields, WritePage};
use crate::pages::post::Chrome;
use crate::pages::FormError;
use crate::pages::{redirect, render};
use crate::paths::edit_draft_path;
use crate::post::writing::{self, Typed};
use crate::post::Letter;
use crate::post::SubmissionId;
use crate::problem::{respond, Problem};

#[derive(Deserialize)]
pub struct WriteForm {
    authority: String,
    subject: String,
    body: String,
    /// `draft` saves to "Kladder"; anything else sends.
    intent: Option<String>,
    /// The form's one-time id: the same form sent twice sends once.
    submission: Option<String>,
}

/// Whether a form's `intent` asks to save a draft rather than send.
pub fn is_draft(intent: Option<&str>) -> bool {
    intent == Some("draft")
}

pub async fn form(State(app): State<App>, LoggedIn(session): LoggedIn) -> Response {
    let page = || -> Result<Response, Problem> {
        let desk = desk(&app, &session);
        desk.require(Capability::Compose)?;
        let chrome = chrome(&desk, &session, None)?;
        Ok(render(
            StatusCode::OK,
            &WritePage::new(chrome, SubmissionId::random()),
        ))
    };
    respond(page(), session.lang)
}

/// Sends or saves the letter with the files chosen, then shows the folder it went to (or the
/// front page, for a helper not given it). A letter refused for what was typed (or a file
/// refused) shows the form again, refilled.
pub async fn send(State(app): State<App>, action: UploadAction<WriteForm>) -> Response {
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
    match writing::write(&desk, submission.as_ref(), &form.authority, &typed) {
        Err(Refusal::BadLetter(error)) => {
            let fields = WriteFields {
                authority: form.authority,
                subject: form.subject,
                body: form.body,
            };
            let submission = submission.unwrap_or_else(SubmissionId::random);
            show_again(
                &desk,
                &session,
                error.into(),
                error.field(),
                |chrome, error| {
                    let mut page = WritePage::filled(chrome, submission, fields, error);
                    page.files.dropped = !files.is_empty();
                    page
                },
            )
        }
        sent => {
            let notice = if typed.draft {
                Notice::DraftSaved
            } else {
                Notice::LetterSent
            };
            show_filed(&app, &session, sent, notice)
        }
    }
}

/// Sends a draft: a letter of the session's mailbox lying in "Kladder" moves to "Sendt".
/// Any other letter of the mailbox is refused (409); another mailbox's is not found. A draft
/// with no text yet opens in its form, to add one.
pub async fn send_draft(
    State(app): State<App>,
    Path(letter_id): Path<String>,
    action: Action<NoFields>,
) -> Response {
    let session = action.session;
    let desk = desk(&app, &session);
    match writing::send_draft(&desk, &letter_id) {
        Err(Refusal::BadLetter(error)) => match writing::own_draft(&desk, &letter_id) {
            Ok(draft) => {
                let fields = draft_fields(&draft);
                show_again(
                    &desk,
                    &session,
                    error.into(),
                    error.field(),
                    |chrome, error| {
                        draft_page(chrome, &draft, SubmissionId::random(), fields, error)
                    },
                )
            }
            Err(refusal) => Problem::from(refusal).page(session.lang),
        },
        sent => respond(
            sent.map(|sent| {
                notify(&app, &session, Notice::DraftSent);
                redirect(&folder_or_home(&session, &sent.id))
            }),
            session.lang,
        ),
    }
}

/// What the write form holds for `draft`.
fn draft_fields(draft: &Letter) -> WriteFields {
    WriteFields {
        authority: draft.content.sender.slug().to_owned(),
        subject: draft.content.subject.clone(),
        body: draft.content.body.clone(),
    }
}

/// The write form of `draft`, holding `fields`.
fn draft_page<'a>(
    chrome: Chrome<'a>,
    draft: &Letter,
    submission: SubmissionId,
    fields: WriteFields,
    error: FormError,
) -> WritePage<'a> {
    let mut page = WritePage::filled(chrome, submission, fields, error);
    page.action = edit_draft_path(&draft.id);
    page.editing_draft = true;
    page.files.kept = draft
        .content
        .attachments
        .iter()
        .map(|attachment| attachment.file_name.clone())
        .collect();
    page
}

/// `GET /letters/{letter_id}/edit`: the draft in the write form, its fields filled.
pub async fn edit_form(
    State(app): State<App>,
    LoggedIn(session): LoggedIn,
    Path(letter_id): Path<String>,
) -> Response {
    let page = || -> Result<Response, Problem> {
        let desk = desk(&app, &session);
        let draft = writing::own_draft(&desk, &letter_id)?;
        let chrome = chrome(&desk, &session, None)?;
        let fields = draft_fields(&draft);
        Ok(render(
            StatusCode::OK,
            &draft_page(
                chrome,
                &draft,
                SubmissionId::random(),
                fields,
                FormError::none(),
            ),
        ))
    };
    respond(page(), session.lang)
}

/// `POST /letters/{letter_id}/edit`: saves the draft again (with any files chosen added), or
/// sends it. Refused for what was typed, the form comes back refilled.
pub async fn edit(
    State(app): State<App>,
    Path(letter_id): Path<String>,
    action: UploadAction<WriteForm>,
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
    match writing::edit_draft(
        &desk,
        submission.as_ref(),
        &letter_id,
        &form.authority,
        &typed,
    ) {
        Err(Refusal::BadLetter(error)) => {
            let draft = match writing::own_draft(&desk, &letter_id) {
                Ok(draft) => draft,
                Err(refusal) => return Problem::from(refusal).page(session.lang),
            };
            let fields = WriteFields {
                authority: form.authority,
                subject: form.subject,
                body: form.body,
            };
            let submission = submission.unwrap_or_else(SubmissionId::random);
            show_again(
                &desk,
                &session,
                error.into(),
                error.field(),
                |chrome, error| {
                    let mut page = draft_page(chrome, &draft, submission, fields, error);
                    page.files.dropped = !files.is_empty();
                    page
                },
            )
        }
        sent => {
            let notice = if typed.draft {
                Notice::DraftSaved
            } else {
                Notice::DraftSent
            };
            show_filed(&app, &session, sent, notice)
        }
    }
}
