//! What the handlers working in the session's mailbox share: the session's [`Desk`] (every
//! lookup and operation in the mailbox goes through it, see [`crate::access::desk`]), the
//! chrome around every mailbox page, and where to go after acting.

use axum::response::Response;

use crate::access::desk::{Desk, Outcome};
use crate::access::{granting, Capability};
use crate::app::App;
use crate::notice::Notice;
use crate::pages::post::Chrome;
use crate::pages::{redirect, render, FormError};
use crate::paths::{folder_path, HOME};
use crate::post::{unix_time, Folder, FolderId, Letter, SubmissionId};
use crate::problem::{respond, Problem};
use crate::session::ActiveSession;
use askama::Template;

/// The session at work in its mailbox, now.
pub fn desk<'a>(app: &'a App, session: &'a ActiveSession) -> Desk<'a> {
    Desk {
        store: app.store(),
        mailbox: &session.mailbox,
        access: &session.access,
        actor: &session.name,
        lang: session.lang,
        now: unix_time(app.now()),
    }
}

/// The folder list and user bar for `session`, with `current` highlighted: only the folders
/// the session sees, and only their unread counts.
pub fn chrome<'a>(
    desk: &Desk,
    session: &'a ActiveSession,
    current: Option<&Folder>,
) -> Result<Chrome<'a>, Problem> {
    let folders = desk.folders()?;
    let unread = desk.unread_counts()?;
    let address = desk.address()?;
    let mut chrome = Chrome::new(
        session,
        &folders,
        &unread,
        current.map(|folder| &folder.id),
        address,
    );
    chrome.exempt = desk.exempt()?;
    chrome.locked_grants = granting::locked_grants(desk)?;
    Ok(chrome)
}

/// The page of a form about letter `id` (reply, forward), for a session that may take
/// `capability`: `page` renders it around the chrome and the letter.
pub fn letter_form<'a>(
    app: &App,
    session: &'a ActiveSession,
    id: &str,
    capability: Capability,
    page: impl FnOnce(Chrome<'a>, &Letter) -> Response,
) -> Response {
    let found = || -> Result<Response, Problem> {
        let desk = desk(app, session);
        desk.require(capability)?;
        let letter = desk.letter(id)?;
        let chrome = chrome(&desk, session, None)?;
        Ok(page(chrome, &letter))
    };
    respond(found(), session.lang)
}

/// The one-time submission id a form sent, if any ([`crate::post::writing::once`]); a
/// malformed one is a bad form.
pub fn submission(field: Option<&str>) -> Result<Option<SubmissionId>, Problem> {
    field
        .map(|text| SubmissionId::parse(text).ok_or(Problem::BadForm))
        .transpose()
}

/// A form refused for what was typed (`problem`, about its field `field`), shown again:
/// `page` builds it around the chrome, refilled, with the error next to the field.
pub fn show_again<'a, T: Template>(
    desk: &Desk,
    session: &'a ActiveSession,
    problem: Problem,
    field: &'static str,
    page: impl FnOnce(Chrome<'a>, FormError) -> T,
) -> Response {
    tracing::info!(?problem, field, "a form was refused for what was typed");
    let error = FormError::on(problem.field_error(field, session.lang));
    match chrome(desk, session, None) {
        Ok(chrome) => render(problem.form_status(), &page(chrome, error)),
        Err(failed) => failed.page(session.lang),
    }
}

/// Keeps `notice` for the next page the session shows.
pub fn notify(app: &App, session: &ActiveSession, notice: Notice) {
    app.sessions().set_notice(&session.id, notice);
}

/// After writing, replying or forwarding: the folder the letter was filed in (or the front
/// page, for a helper not given it) with `notice`, or the page of what was refused.
pub fn show_filed(
    app: &App,
    session: &ActiveSession,
    filed: Outcome<Letter>,
    notice: Notice,
) -> Response {
    let shown = filed.map(|letter| {
        notify(app, session, notice);
        redirect(&folder_or_home(session, &letter.folder))
    });
    respond(shown, session.lang)
}

/// Where to go after acting on something in folder `id`: that folder when the session sees
/// it, else the front page.
pub fn folder_or_home(session: &ActiveSession, id: &FolderId) -> String {
    if session.access.sees_folder(id) {
        folder_path(id)
    } else {
        HOME.to_owned()
    }
}
