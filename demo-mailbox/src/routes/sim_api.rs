//! The simulator's JSON API (not part of Digital Post; no login):
//!
//! - `POST /_sim/v1/letters` delivers a letter ([`IncomingLetter`]): `201` with
//!   `"delivered": "digital"`, or `202` with `"delivered": "paper"` for an exempt recipient.
//! - `POST /_sim/v1/exemptions` with `{"recipient": ...}` marks a person exempt.
//! - `GET /_sim/v1/outbox` lists the simulated e-mail, SMS and paper messages, newest first;
//!   `GET /_sim/outbox` shows the same as a page.
//! - `GET /_sim/v1/memberships` lists the association memberships; `POST` with
//!   `{"cpr", "cvr", "name", "role"}` adds one (or changes its role; a name renames the
//!   association for all its members);
//!   `DELETE /_sim/v1/memberships/{cvr}/{cpr}` ends one at once.
//!
//! The POSTs only accept `Content-Type: application/json` (axum's `Json` refuses anything
//! else with 415), and DELETE is not a method a form can send. A browser cannot send either
//! cross-site without a CORS preflight, which this server never approves, so a web page
//! cannot drive the API through a visitor's browser. The GETs answer `no-store`; another
//! site cannot read them (no CORS headers).

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use crate::access::{is_cvr, Cpr, Membership, Role};
use crate::app::App;
use crate::language::Lang;
use crate::pages::render;
use crate::pages::sim::OutboxPage;
use crate::post::delivery::{deliver, mark_exempt, Delivery};
use crate::post::{unix_time, IncomingLetter, Owner};
use crate::problem::Problem;
use crate::store::StoreError;

/// How many outbox messages the outbox shows.
const OUTBOX_LIMIT: usize = 200;

fn error(status: StatusCode, code: &str, description: &str) -> Response {
    (
        status,
        Json(json!({ "error": code, "error_description": description })),
    )
        .into_response()
}

fn bad_json(rejection: JsonRejection) -> Response {
    error(
        rejection.status(),
        "invalid_request",
        &rejection.body_text(),
    )
}

fn storage(error_: StoreError) -> Response {
    tracing::error!(error = %error_, "the simulator could not store");
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server_error",
        "the mailbox store failed",
    )
}

pub async fn send_letter(
    State(app): State<App>,
    body: Result<Json<IncomingLetter>, JsonRejection>,
) -> Response {
    let Json(incoming) = match body {
        Ok(body) => body,
        Err(rejection) => return bad_json(rejection),
    };
    let (recipient, content) = match incoming.check() {
        Ok(checked) => checked,
        Err(problem) => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                &problem.to_string(),
            )
        }
    };
    match deliver(app.store(), &recipient, content, unix_time(app.now())) {
        Ok(delivery) => {
            let mut answer = json!({
                "delivered": delivery.slug(),
                "recipient": recipient.address(),
            });
            let status = match &delivery {
                Delivery::Digital(letter) => {
                    answer["letter_id"] = json!(letter.as_str());
                    StatusCode::CREATED
                }
                Delivery::Paper => StatusCode::ACCEPTED,
            };
            (status, Json(answer)).into_response()
        }
        Err(error_) => storage(error_),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExemptionRequest {
    recipient: String,
}

pub async fn exempt(
    State(app): State<App>,
    body: Result<Json<ExemptionRequest>, JsonRejection>,
) -> Response {
    let Json(request) = match body {
        Ok(body) => body,
        Err(rejection) => return bad_json(rejection),
    };
    let Some(owner) = Owner::parse_address(&request.recipient) else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the recipient is not a CPR number, CVR number or mailbox address",
        );
    };
    match mark_exempt(app.store(), &owner, unix_time(app.now())) {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({ "recipient": owner.address(), "exempt": true })),
        )
            .into_response(),
        Err(error_) => storage(error_),
    }
}

/// A membership as the API shows it.
#[derive(serde::Serialize)]
struct MembershipJson {
    cpr: String,
    cvr: String,
    name: String,
    role: &'static str,
}

impl From<Membership> for MembershipJson {
    fn from(membership: Membership) -> Self {
        Self {
            cpr: membership.cpr.as_str().to_owned(),
            cvr: membership.cvr,
            name: membership.name,
            role: membership.role.slug(),
        }
    }
}

/// A membership to add: `name` may be left out when the association has members already;
/// `role` is `member` (the default) or `admin`. Strings, so a wrong value gets this API's
/// own message.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MembershipRequest {
    cpr: String,
    cvr: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    role: Option<String>,
}

/// The longest association name, in characters.
const MAX_ASSOCIATION_NAME: usize = 100;

fn invalid(description: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "invalid_request", description)
}

const BAD_CPR: &str = "cpr must be a CPR number: ten digits, e.g. 720490-1236 or 7204901236";
const BAD_CVR: &str =
    "cvr must be the association's CVR number: eight digits with a valid check digit";

pub async fn memberships(State(app): State<App>) -> Response {
    match app.store().memberships.list() {
        Ok(all) => (
            [(CACHE_CONTROL, HeaderValue::from_static("no-store"))],
            Json(json!({
                "memberships": all.into_iter().map(MembershipJson::from).collect::<Vec<_>>()
            })),
        )
            .into_response(),
        Err(error_) => storage(error_),
    }
}

/// Adds a person to an association (`201`), or changes the role and name of a membership
/// that exists (`200`). The member's next request works with the new role.
pub async fn add_membership(
    State(app): State<App>,
    body: Result<Json<MembershipRequest>, JsonRejection>,
) -> Response {
    let Json(request) = match body {
        Ok(body) => body,
        Err(rejection) => return bad_json(rejection),
    };
    let Ok(cpr) = Cpr::parse(&request.cpr) else {
        return invalid(BAD_CPR);
    };
    if !is_cvr(&request.cvr) {
        return invalid(BAD_CVR);
    }
    let role = match request.role.as_deref() {
        None => Role::Member,
        Some(slug) => match Role::from_slug(slug) {
            Some(role) => role,
            None => return invalid("role must be \"member\" or \"admin\""),
        },
    };
    let store = app.store();
    let name = match request.name {
        Some(name) => {
            let name = name.trim().to_owned();
            if name.is_empty()
                || name.chars().count() > MAX_ASSOCIATION_NAME
                || name.chars().any(char::is_control)
            {
                return invalid("name must be 1 to 100 characters, without control characters");
            }
            name
        }
        // The association's name as its other members have it.
        None => match store.memberships.list() {
            Ok(all) => match all.into_iter().find(|member| member.cvr == request.cvr) {
                Some(member) => member.name,
                None => return invalid("name is required for an association with no members"),
            },
            Err(error_) => return storage(error_),
        },
    };
    let membership = Membership {
        cpr,
        cvr: request.cvr,
        name,
        role,
    };
    match store.memberships.add(&membership) {
        Ok(new) => {
            let status = if new {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            tracing::info!(role = role.slug(), new, "the simulator set a membership");
            (status, Json(MembershipJson::from(membership))).into_response()
        }
        Err(error_) => storage(error_),
    }
}

/// Ends the membership of `cpr` in the association `cvr` (`204`, or `404`); the person's
/// next request in the association's mailbox is refused.
pub async fn remove_membership(
    State(app): State<App>,
    Path((cvr, cpr)): Path<(String, String)>,
) -> Response {
    if !is_cvr(&cvr) {
        return invalid(BAD_CVR);
    }
    let Ok(cpr) = Cpr::parse(&cpr) else {
        return invalid(BAD_CPR);
    };
    match app.store().memberships.remove(&cpr, &cvr) {
        Ok(true) => {
            tracing::info!("the simulator ended a membership");
            StatusCode::NO_CONTENT.into_response()
        }
        Ok(false) => error(
            StatusCode::NOT_FOUND,
            "not_found",
            "that person is not a member of that association",
        ),
        Err(error_) => storage(error_),
    }
}

pub async fn outbox_json(State(app): State<App>) -> Response {
    match app.store().outbox.latest(OUTBOX_LIMIT) {
        Ok(entries) => (
            [(CACHE_CONTROL, HeaderValue::from_static("no-store"))],
            Json(json!({ "messages": entries })),
        )
            .into_response(),
        Err(error_) => storage(error_),
    }
}

pub async fn outbox_page(State(app): State<App>, lang: Lang) -> Response {
    match app.store().outbox.latest(OUTBOX_LIMIT) {
        Ok(entries) => render(StatusCode::OK, &OutboxPage::new(lang, &entries)),
        Err(error_) => Problem::from(error_).page(lang),
    }
}
