//! The simulator's JSON API (not part of Digital Post; no login):
//!
//! - `POST /_sim/v1/letters` delivers a letter ([`IncomingLetter`]): `201` with
//!   `"delivered": "digital"`, or `202` with `"delivered": "paper"` for an exempt recipient.
//! - `POST /_sim/v1/exemptions` with `{"recipient": ...}` marks a person exempt.
//! - `GET /_sim/v1/outbox` lists the simulated e-mail, SMS and paper messages, newest first;
//!   `GET /_sim/outbox` shows the same as a page.
//!
//! Both POSTs only accept `Content-Type: application/json` (axum's `Json` refuses anything
//! else with 415). A browser cannot send that cross-site without a CORS preflight, which this
//! server never approves, so a web page cannot drive the API through a visitor's browser.

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use crate::app::App;
use crate::language::Lang;
use crate::pages::render;
use crate::post::{deliver, mark_exempt, unix_time, Delivery, IncomingLetter, Owner};
use crate::sim_pages::OutboxPage;
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
        Err(error_) => crate::problem::Problem::Storage(error_).page(lang),
    }
}
