//! `GET /login`: park a new login and send the browser to the broker.

use axum::extract::State;
use axum::response::Response;

use crate::app::App;
use crate::cookies::{append_set_cookie, set_login_cookie};
use crate::language::Lang;
use crate::oidc::PendingLogin;
use crate::pages::redirect;
use crate::problem::Problem;

pub async fn login(State(app): State<App>, lang: Lang) -> Response {
    let relying_party = app.relying_party();
    let provider = match relying_party.provider().await {
        Ok(provider) => provider,
        Err(error) => return Problem::BrokerUnavailable(error).page(lang),
    };
    let login = PendingLogin::new_random();
    let url = relying_party.authorization_url(&provider, &login);
    let key = app.pending_logins().insert(login, app.now());
    let mut response = redirect(url.as_str());
    append_set_cookie(
        response.headers_mut(),
        set_login_cookie(&key, app.cookies_secure()),
    );
    response
}
