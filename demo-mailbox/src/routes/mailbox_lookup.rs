//! Finding the logged-in person's letters and folders. Every lookup goes through the session's
//! mailbox, and anything not in it is [`Problem::NotFound`], whether it exists elsewhere or not.

use crate::app::App;
use crate::post::{Folder, FolderId, Letter, LetterId, StandardFolder};
use crate::problem::Problem;
use crate::session::ActiveSession;

/// Letter `id` of the session's mailbox.
pub fn own_letter(app: &App, session: &ActiveSession, id: &str) -> Result<Letter, Problem> {
    app.store()
        .letters
        .get(&session.mailbox, &LetterId::new(id))
        .map_err(Problem::Storage)?
        .ok_or(Problem::NotFound)
}

/// Folder `id` of the session's mailbox.
pub fn own_folder(app: &App, session: &ActiveSession, id: &str) -> Result<Folder, Problem> {
    app.store()
        .folders
        .get(&session.mailbox, &FolderId::new(id))
        .map_err(Problem::Storage)?
        .ok_or(Problem::NotFound)
}

/// The session mailbox's standard folder `which`.
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
