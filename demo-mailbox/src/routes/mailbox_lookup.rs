//! Finding and acting on things in the session's current mailbox.
//!
//! Every lookup goes through the session's mailbox and the folders its access lets it see:
//! anything else is [`Problem::NotFound`], whether it exists elsewhere (or in a folder a
//! helper was not given) or not at all. What the access does not allow is
//! [`Problem::NotPermitted`], decided before any object is looked up, so neither refusal
//! reveals anything about the object.

use crate::access::{ActivityAction, ActivityEntry, Capability};
use crate::app::App;
use crate::paths::{folder_path, HOME};
use crate::post::{unix_time, Folder, FolderId, Letter, LetterId, StandardFolder};
use crate::problem::Problem;
use crate::session::ActiveSession;

/// Refuses unless the session's access to its mailbox allows `capability`.
pub fn require(session: &ActiveSession, capability: Capability) -> Result<(), Problem> {
    if session.access.allows(capability) {
        Ok(())
    } else {
        Err(Problem::NotPermitted)
    }
}

/// Letter `id` of the session's mailbox, lying in a folder the session sees.
pub fn own_letter(app: &App, session: &ActiveSession, id: &str) -> Result<Letter, Problem> {
    app.store()
        .letters
        .get(&session.mailbox, &LetterId::new(id))
        .map_err(Problem::Storage)?
        .filter(|letter| session.access.sees_folder(&letter.folder))
        .ok_or(Problem::NotFound)
}

/// Folder `id` of the session's mailbox, if the session sees it.
pub fn own_folder(app: &App, session: &ActiveSession, id: &str) -> Result<Folder, Problem> {
    let id = FolderId::new(id);
    if !session.access.sees_folder(&id) {
        return Err(Problem::NotFound);
    }
    app.store()
        .folders
        .get(&session.mailbox, &id)
        .map_err(Problem::Storage)?
        .ok_or(Problem::NotFound)
}

/// The folders of the session's mailbox that the session sees, in display order.
pub fn visible_folders(app: &App, session: &ActiveSession) -> Result<Vec<Folder>, Problem> {
    Ok(app
        .store()
        .folders
        .list(&session.mailbox)
        .map_err(Problem::Storage)?
        .into_iter()
        .filter(|folder| session.access.sees_folder(&folder.id))
        .collect())
}

/// The session mailbox's standard folder `which`, seen or not (where letters go when sent,
/// saved or deleted; the session's access decides whether it may then open it).
pub fn standard_folder(
    app: &App,
    session: &ActiveSession,
    which: StandardFolder,
) -> Result<Folder, Problem> {
    app.store()
        .folders
        .list(&session.mailbox)
        .map_err(Problem::Storage)?
        .into_iter()
        .find(|folder| folder.standard_kind() == Some(which))
        .ok_or(Problem::NotFound)
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

/// Adds what a helper just did to the mailbox's activity log, on the injected clock. The
/// owner's (and a business's or association's) own doings are not logged.
pub fn log_activity(
    app: &App,
    session: &ActiveSession,
    action: ActivityAction,
    object: Option<String>,
) -> Result<(), Problem> {
    let Some(helper) = session.access.helper() else {
        return Ok(());
    };
    app.store()
        .activity
        .record(&ActivityEntry::new(
            session.mailbox.clone(),
            unix_time(app.now()),
            session.name.clone(),
            helper.grant.clone(),
            action,
            object,
        ))
        .map_err(Problem::Storage)
}
