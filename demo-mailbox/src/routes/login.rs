//! `GET /login`: park a new login and send the browser to the broker, in the pages' language
//! (`ui_locales`). `return_to`, a local page the person was sent here from, is kept with the
//! parked login (never trusted from the callback) and is where the login ends.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use crate::app::App;
use crate::cookies::{append_set_cookie, set_login_cookie};
use crate::language::Lang;
use crate::oidc::PendingLogin;
use crate::pages::redirect;
use crate::paths::local_return_path;
use crate::problem::Problem;

#[derive(Deserialize)]
pub struct LoginQuery {
    return_to: Option<String>,
}

pub async fn login(
    State(app): State<App>,
    lang: Lang,
    query: Result<Query<LoginQuery>, QueryRejection>,
) -> Response {
    // A malformed or foreign `return_to` is dropped: the login then ends at the front page.
    let return_to = query
        .ok()
        .and_then(|Query(query)| query.return_to)
        .filter(|path| local_return_path(path).is_some());
    let relying_party = app.relying_party();
    let provider = match relying_party.provider().await {
        Ok(provider) => provider,
        Err(error) => return Problem::BrokerUnavailable(error).page(lang),
    };
    let login = PendingLogin::new_random();
    let url = relying_party.authorization_url(&provider, &login, lang.code());
    let key = app.pending_logins().insert(login, return_to, app.now());
    let mut response = redirect(url.as_str());
    append_set_cookie(
        response.headers_mut(),
        set_login_cookie(&key, app.cookies_secure()),
    );
    response
}
