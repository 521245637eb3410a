//! `GET /activity`: the activity log of the current mailbox, what helpers did there (who,
//! what, which letter or folder, when), newest first. For the owner and, as in Digital Post,
//! for the helpers themselves.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::in_mailbox::{chrome, desk};
use crate::app::App;
use crate::logged_in::LoggedIn;
use crate::pages::access::ActivityPage;
use crate::pages::render;
use crate::problem::{respond, Problem};

/// How many entries the page shows.
const ACTIVITY_LIMIT: usize = 200;

pub async fn log(State(app): State<App>, LoggedIn(session): LoggedIn) -> Response {
    let page = || -> Result<Response, Problem> {
        let desk = desk(&app, &session);
        let entries = desk.activity(ACTIVITY_LIMIT)?;
        let chrome = chrome(&desk, &session, None)?;
        Ok(render(StatusCode::OK, &ActivityPage::new(chrome, &entries)))
    };
    respond(page(), session.lang)
}
