//! `GET /callback`: the authorization response (OpenID Connect Core §3.1.2.5–6, RFC 9207).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use openidconnect::AuthorizationCode;
use serde::Deserialize;

use crate::app::App;
use crate::cookies::{
    append_set_cookie, clear_cookie, read_cookie, set_session_cookie, LOGIN_COOKIE, SESSION_COOKIE,
};
use crate::language::Lang;
use crate::oidc::BrokerFailure;
use crate::pages::redirect;
use crate::paths::{local_return_path, HOME};
use crate::pending_logins::TakenLogin;
use crate::post::opening::open_own_mailbox;
use crate::post::{person_owner, unix_time, Owner};
use crate::problem::Problem;
use crate::random::secrets_equal;
use crate::session::{BrokerSession, Current, NewSession, Person, Via};

/// The authorization response's parameters; each at most once.
#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    iss: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

pub async fn callback(
    State(app): State<App>,
    headers: HeaderMap,
    query: Result<Query<CallbackQuery>, QueryRejection>,
) -> Response {
    let login_key = read_cookie(&headers, LOGIN_COOKIE);
    // Whatever the outcome, this browser's parked login is used up: a callback finishes it once.
    let pending = login_key.and_then(|key| app.pending_logins().take(key, app.now()));
    let mut response = match finish_login(&app, &headers, pending, query).await {
        Ok(response) => response,
        Err(problem) => problem.page(Lang::from_headers(&headers)),
    };
    if login_key.is_some() {
        append_set_cookie(
            response.headers_mut(),
            clear_cookie(LOGIN_COOKIE, app.cookies_secure()),
        );
    }
    response
}

async fn finish_login(
    app: &App,
    headers: &HeaderMap,
    pending: Option<TakenLogin>,
    query: Result<Query<CallbackQuery>, QueryRejection>,
) -> Result<Response, Problem> {
    let Query(query) = query.map_err(|_| Problem::BadCallbackQuery)?;
    if let Some(error) = query.error {
        let failure = BrokerFailure::from_response(&error, query.error_description.as_deref());
        tracing::info!(
            ?error,
            ?failure,
            "the broker returned an error to the callback"
        );
        return Err(Problem::LoginEnded(failure));
    }

    let TakenLogin {
        login: pending,
        return_to,
    } = pending.ok_or(Problem::NoLoginInProgress)?;
    let state_matches = query
        .state
        .is_some_and(|state| secrets_equal(&state, pending.state.secret()));
    if !state_matches {
        return Err(Problem::StateMismatch);
    }

    let relying_party = app.relying_party();
    let provider = relying_party
        .provider()
        .await
        .map_err(Problem::BrokerUnavailable)?;
    // RFC 9207 §2.4: the issuer must be exactly the one we sent the person to.
    if query.iss.as_deref() != Some(provider.issuer()) {
        return Err(Problem::IssuerMismatch);
    }
    let code = query
        .code
        .filter(|code| !code.is_empty())
        .ok_or(Problem::CodeMissing)?;

    let login = relying_party
        .finish_login(provider, pending, AuthorizationCode::new(code))
        .await
        .map_err(Problem::LoginFailed)?;
    tracing::info!(business = login.business.is_some(), "login succeeded");
    let now = unix_time(app.now());
    let owner = person_owner(login.cpr.as_ref().map(|cpr| cpr.as_str()), &login.sub);
    let own = open_own_mailbox(app.store(), owner, now)?;
    // A business login opens the business's mailbox: the person chose to log in for it. Their
    // own is one click away in the mailbox list.
    let current = match &login.business {
        Some(business) => Current {
            mailbox: open_own_mailbox(app.store(), Owner::Business(business.cvr.clone()), now)?.id,
            via: Via::Business,
        },
        None => Current {
            mailbox: own.id.clone(),
            via: Via::Own,
        },
    };

    // A fresh session id for every login; whatever session this browser had is ended.
    if let Some(old) = read_cookie(headers, SESSION_COOKIE) {
        app.sessions().remove(old);
    }
    let session_id = app.sessions().create(
        NewSession {
            broker: BrokerSession {
                sub: login.sub.clone(),
                sid: login.sid,
            },
            person: Person {
                name: login.name,
                cpr: login.cpr,
                business: login.business,
                own_mailbox: own.id,
            },
            current,
            id_token: login.id_token,
        },
        app.now(),
    );
    // Checked again, though only a checked path was kept.
    let after = return_to
        .as_deref()
        .and_then(local_return_path)
        .unwrap_or(HOME);
    let mut response = redirect(after);
    append_set_cookie(
        response.headers_mut(),
        set_session_cookie(&session_id, app.cookies_secure()),
    );
    Ok(response)
}
