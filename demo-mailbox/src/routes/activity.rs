//! `GET /activity`: the activity log of the current mailbox, what helpers did there (who,
//! what, which letter or folder, when), newest first. For the owner and, as in Digital Post,
//! for the helpers themselves.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::folder_view::chrome;
use super::mailbox_lookup::require;
use super::respond;
use crate::access::Capability;
use crate::app::App;
use crate::logged_in::LoggedIn;
use crate::pages::access::ActivityPage;
use crate::pages::render;
use crate::problem::Problem;

/// How many entries the page shows.
const ACTIVITY_LIMIT: usize = 200;

pub async fn log(State(app): State<App>, LoggedIn(session): LoggedIn) -> Response {
    let page = || -> Result<Response, Problem> {
        require(&session, Capability::SeeActivity)?;
        let entries = app
            .store()
            .activity
            .for_mailbox(&session.mailbox, ACTIVITY_LIMIT)
            .map_err(Problem::Storage)?;
        let chrome = chrome(&app, &session, None)?;
        Ok(render(StatusCode::OK, &ActivityPage::new(chrome, &entries)))
    };
    respond(page(), session.lang)
}
