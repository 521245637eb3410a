//! The simple login page: lists the test identities with "approve" and "cancel". A settled
//! login (from here or the control API) finishes by redirecting to the client.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use std::sync::Arc;

use crate::app::Broker;
use crate::error::OAuthError;
use crate::login::{self, finish::finish, DecideError};
use crate::model::{DecisionOutcome, LoginTxn, TxnId, UserId};
use crate::oidc::Params;
use crate::paths;
use crate::secrets;
use crate::web::oidc::authorize_result_response;
use crate::web::pages::{self, LoginIdentity, LoginPage};

fn lang(txn: &LoginTxn) -> &'static str {
    if txn.request.english() {
        "en"
    } else {
        "da"
    }
}

fn not_found() -> Response {
    pages::error_page(
        StatusCode::NOT_FOUND,
        &OAuthError::invalid_request("there is no such login; start again from the application"),
        "da",
    )
}

fn load(broker: &Broker, id: &str) -> Result<LoginTxn, Box<Response>> {
    match broker.store.logins.get(&TxnId::new(id)) {
        Ok(Some(txn)) => Ok(txn),
        Ok(None) => Err(Box::new(not_found())),
        Err(e) => Err(Box::new(pages::error_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            &e.into(),
            "da",
        ))),
    }
}

pub async fn show(State(broker): State<Arc<Broker>>, Path(id): Path<String>) -> Response {
    let txn = match load(&broker, &id) {
        Ok(t) => t,
        Err(r) => return *r,
    };
    respond(&broker, &txn)
}

/// Finishes a settled login; shows the page for a pending one.
fn respond(broker: &Broker, txn: &LoginTxn) -> Response {
    let lang = lang(txn);
    let now = broker.now();
    if !txn.status.is_pending() {
        return match finish(broker, txn, now) {
            Ok(result) => authorize_result_response(broker, result, lang),
            Err(e) => pages::error_page(StatusCode::INTERNAL_SERVER_ERROR, &e, lang),
        };
    }
    if txn.expires_at <= now {
        return pages::error_page(
            StatusCode::GONE,
            &OAuthError::invalid_request(
                "this login has expired; start again from the application",
            ),
            lang,
        );
    }
    let identities = match broker.store.identities.list() {
        Ok(list) => list,
        Err(e) => return pages::error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.into(), lang),
    };
    let client_name = broker
        .store
        .clients
        .get(&txn.request.client_id)
        .ok()
        .flatten()
        .map(|c| {
            if c.name.is_empty() {
                c.client_id.to_string()
            } else {
                c.name
            }
        })
        .unwrap_or_default();
    let action = format!("{}/{}", broker.issuer.endpoint(paths::LOGIN), txn.id);
    pages::render(
        StatusCode::OK,
        &LoginPage {
            lang,
            client_name: &client_name,
            identities: identities
                .iter()
                .map(|i| LoginIdentity {
                    user_id: i.user_id.to_string(),
                    name: i.name(),
                })
                .collect(),
            action: &action,
            csrf: &txn.csrf,
            txn_id: txn.id.as_str(),
        },
    )
}

pub async fn submit(
    State(broker): State<Arc<Broker>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let txn = match load(&broker, &id) {
        Ok(t) => t,
        Err(r) => return *r,
    };
    let form = Params::parse(&body);
    let lang = lang(&txn);
    let csrf_ok = form
        .get("csrf")
        .is_some_and(|c| !txn.csrf.is_empty() && secrets::constant_time_eq(c, &txn.csrf));
    if !csrf_ok {
        return pages::error_page(
            StatusCode::FORBIDDEN,
            &OAuthError::invalid_request(
                "the form is stale or was not sent from this page; reload it",
            ),
            lang,
        );
    }
    let outcome = match form.get("action") {
        Some("approve") => DecisionOutcome::Approve {
            user_id: form.get("user_id").map(UserId::new),
        },
        Some("cancel") => DecisionOutcome::Reject { description: None },
        _ => {
            return pages::error_page(
                StatusCode::BAD_REQUEST,
                &OAuthError::invalid_request("choose approve or cancel"),
                lang,
            )
        }
    };
    let settled = match login::decide(&broker, &txn.id, &outcome, "login_page", broker.now()) {
        Ok(t) => t,
        // Someone else decided first: finish with the outcome that stands.
        Err(DecideError::AlreadySettled(t)) => *t,
        Err(DecideError::BadDecision(msg)) => {
            return pages::error_page(
                StatusCode::BAD_REQUEST,
                &OAuthError::invalid_request(msg),
                lang,
            )
        }
        Err(e) => {
            return pages::error_page(
                StatusCode::BAD_REQUEST,
                &OAuthError::invalid_request(e.to_string()),
                lang,
            )
        }
    };
    respond(&broker, &settled)
}
