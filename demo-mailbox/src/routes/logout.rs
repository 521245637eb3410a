//! `POST /logout` and `GET /logged-out`.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::app::App;
use crate::cookies::{append_set_cookie, clear_cookie, SESSION_COOKIE};
use crate::language::Lang;
use crate::logged_in::LoggedInPerson;
use crate::pages::{redirect, render, LoggedOutPage};
use crate::paths::LOGGED_OUT;
use crate::problem::Problem;
use crate::random::secrets_equal;

#[derive(Deserialize)]
pub struct LogoutForm {
    csrf_token: Option<String>,
}

/// Ends the local session, then sends the browser to the broker's end-session endpoint (or
/// straight to `/logged-out` if the broker has none or cannot be reached). Refused without the
/// session's CSRF token. Works whatever mailbox the session is in, also one whose access
/// ended.
pub async fn logout(
    State(app): State<App>,
    logged_in: Option<LoggedInPerson>,
    form: Result<Form<LogoutForm>, FormRejection>,
) -> Response {
    // Nothing to end: no session, so nothing a forged request could do.
    let Some(LoggedInPerson { session, lang }) = logged_in else {
        return redirect(LOGGED_OUT);
    };
    let sent = form.ok().and_then(|Form(form)| form.csrf_token);
    if !sent.is_some_and(|sent| secrets_equal(&sent, &session.csrf_token)) {
        return Problem::CsrfRejected.page(lang);
    }

    let ended = app.sessions().remove(&session.id);
    let relying_party = app.relying_party();
    let broker_logout = match (ended, relying_party.provider().await) {
        (Some(ended), Ok(provider)) => relying_party.end_session_url(&provider, &ended.id_token),
        (_, Err(error)) => {
            tracing::warn!(%error, "logged out locally only: the broker is unavailable");
            None
        }
        (None, Ok(_)) => None,
    };
    let mut response = match broker_logout {
        Some(url) => redirect(url.as_str()),
        None => redirect(LOGGED_OUT),
    };
    append_set_cookie(
        response.headers_mut(),
        clear_cookie(SESSION_COOKIE, app.cookies_secure()),
    );
    response
}

pub async fn logged_out(lang: Lang) -> Response {
    render(StatusCode::OK, &LoggedOutPage { lang })
}
