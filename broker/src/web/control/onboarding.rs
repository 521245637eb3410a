//! The control API's onboarding routes: the simulated app's onboarding step by step, for CI.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

use super::api::{created, ok, parse_body, ApiError, ApiResult, AppState};
use crate::app::Broker;
use crate::onboarding::{self, documents, DocumentChoice, Input, Onboarding, OnboardingError};
use crate::paths;

pub fn router() -> Router<Arc<Broker>> {
    Router::new()
        .route("/onboardings/documents", get(list_documents))
        .route("/onboardings", post(start))
        .route("/onboardings/{id}", get(get_one).delete(abandon))
        .route("/onboardings/{id}/mrz", post(mrz))
        .route("/onboardings/{id}/chip", post(chip))
        .route("/onboardings/{id}/face", post(face))
        .route("/onboardings/{id}/liveness", post(liveness))
        .route("/onboardings/{id}/personal", post(personal))
        .route("/onboardings/{id}/user-id", post(user_id))
        .route("/onboardings/{id}/temporary-pin", post(temporary_pin))
        .route("/onboardings/{id}/pin", post(pin))
}

fn api_error(e: OnboardingError) -> ApiError {
    let (status, code) = match &e {
        OnboardingError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
        OnboardingError::Expired | OnboardingError::Ended(_) => (StatusCode::GONE, "ended"),
        OnboardingError::WrongStep { .. } => (StatusCode::CONFLICT, "wrong_step"),
        OnboardingError::Conflict => (StatusCode::CONFLICT, "conflict"),
        OnboardingError::Documents(_) | OnboardingError::Store(_) => {
            (StatusCode::INTERNAL_SERVER_ERROR, "server_error")
        }
    };
    ApiError::new(status, code, e.to_string())
}

/// An onboarding as shown: never its CSRF token or the temporary PIN's hash.
fn view(b: &Broker, o: &Onboarding) -> Value {
    let mut v = serde_json::to_value(o).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut v {
        map.remove("csrf");
        map.remove("temporary_pin_hash");
        map.insert(
            "page".into(),
            json!(format!("{}/{}", paths::SIM_APP_SETUP, o.id)),
        );
        if let Ok(specimen) = onboarding::document(b, o, b.now()) {
            let today = onboarding::today(b.now());
            let suggested_cpr = onboarding::rules::suggest_cpr(&specimen.mrz, today);
            map.insert(
                "document_data".into(),
                json!({
                    "holder": format!("{} {}", specimen.person.given_names, specimen.person.surname),
                    "printed_mrz": specimen.printed_mrz,
                    "has_chip": specimen.chip.is_some(),
                    "date_of_birth": specimen.person.date_of_birth.to_string(),
                    "suggested_cpr": suggested_cpr.map(|c| c.to_string()),
                }),
            );
        }
    }
    v
}

/// The answer to a step: 200 when it moved on (or ended), 422 with the problem when the input
/// was refused and the step stays.
fn answer(b: &Broker, result: Result<Onboarding, OnboardingError>) -> ApiResult {
    let o = result.map_err(api_error)?;
    match &o.problem {
        Some(problem) => Err(ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            error: "rejected",
            message: problem.clone(),
            extra: Some(json!({ "onboarding": view(b, &o) })),
        }),
        None => ok(view(b, &o)),
    }
}

async fn list_documents(State(b): AppState) -> ApiResult {
    let today = onboarding::today(b.now());
    let authority = b
        .documents(today)
        .map_err(|e| api_error(OnboardingError::Documents(e)))?;
    let list: Vec<Value> = documents::CATALOGUE
        .iter()
        .map(|(key, kind, choice)| {
            let specimen = authority.issue(*choice, today).ok();
            json!({
                "key": key,
                "kind": kind,
                "document": choice,
                "holder": specimen.as_ref().map(|s| format!("{} {}", s.person.given_names, s.person.surname)),
                "printed_mrz": specimen.as_ref().map(|s| s.printed_mrz.clone()),
            })
        })
        .collect();
    ok(Value::Array(list))
}

#[derive(Deserialize)]
#[serde(untagged)]
enum StartInput {
    Catalogue { document: String },
    Custom(DocumentChoice),
}

async fn start(State(b): AppState, body: Bytes) -> ApiResult {
    let choice = match parse_body::<StartInput>(&body)? {
        StartInput::Catalogue { document } => documents::by_key(&document).ok_or_else(|| {
            ApiError::bad_request(format!(
                "no document {document:?}; see GET /_sim/v1/onboardings/documents"
            ))
        })?,
        StartInput::Custom(choice) => choice,
    };
    let o = onboarding::start(&b, choice, b.now()).map_err(api_error)?;
    created(view(&b, &o))
}

async fn get_one(State(b): AppState, Path(id): Path<String>) -> ApiResult {
    let o = onboarding::load(&b, &id, b.now()).map_err(api_error)?;
    ok(view(&b, &o))
}

async fn abandon(State(b): AppState, Path(id): Path<String>) -> ApiResult {
    answer(&b, onboarding::abandon(&b, &id, b.now()))
}

fn step(b: &Broker, id: &str, input: Input) -> ApiResult {
    answer(b, onboarding::apply(b, id, input, b.now()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MrzInput {
    mrz: String,
}

async fn mrz(State(b): AppState, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let input: MrzInput = parse_body(&body)?;
    step(&b, &id, Input::Mrz(input.mrz))
}

async fn chip(State(b): AppState, Path(id): Path<String>) -> ApiResult {
    step(&b, &id, Input::ReadChip)
}

async fn face(State(b): AppState, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let input: onboarding::FaceInput = parse_body(&body)?;
    step(&b, &id, Input::Face(input))
}

async fn liveness(State(b): AppState, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let input: onboarding::LivenessInput = parse_body(&body)?;
    step(&b, &id, Input::Liveness(input))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PersonalInput {
    /// The CPR number; null or absent for a person without one.
    #[serde(default)]
    cpr: Option<String>,
}

async fn personal(State(b): AppState, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let input: PersonalInput = parse_body(&body)?;
    step(&b, &id, Input::Personal(input.cpr))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserIdInput {
    user_id: String,
    phone: String,
}

async fn user_id(State(b): AppState, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let input: UserIdInput = parse_body(&body)?;
    step(
        &b,
        &id,
        Input::UserId {
            user_id: input.user_id,
            phone: input.phone,
        },
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PinInput {
    pin: String,
    #[serde(default)]
    confirm: Option<String>,
}

async fn temporary_pin(State(b): AppState, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let input: PinInput = parse_body(&body)?;
    step(&b, &id, Input::TemporaryPin(input.pin))
}

async fn pin(State(b): AppState, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let input: PinInput = parse_body(&body)?;
    let confirm = input.confirm.unwrap_or_else(|| input.pin.clone());
    step(
        &b,
        &id,
        Input::Pin {
            pin: input.pin,
            confirm,
        },
    )
}
