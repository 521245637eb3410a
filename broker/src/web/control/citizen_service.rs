//! The control API's Citizen Service routes: drive a case headlessly, step by step as the
//! caseworker's pages do, and read the simulated CPR register. They act through
//! `enrolment::citizen_service`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

use super::api::{created, ok, parse_body, ApiError, ApiResult, AppState};
use crate::app::Broker;
use crate::enrolment::case::{CaseError, MAX_WRONG_ANSWERS};
use crate::enrolment::citizen_service::{self, Choices, EvidenceInput};
use crate::enrolment::register;
use crate::mitid::Cpr;
use crate::model::{Case, CaseId, CaseStep, Identity, QuestionKind};

pub fn router() -> Router<Arc<Broker>> {
    Router::new()
        .route("/citizen-service/register/{cpr}", get(register_person))
        .route("/citizen-service/cases", post(open_case))
        .route("/citizen-service/cases/{case}", get(get_case))
        .route(
            "/citizen-service/cases/{case}/document",
            post(record_evidence),
        )
        .route("/citizen-service/cases/{case}/answers", post(answer))
        .route("/citizen-service/cases/{case}/complete", post(complete))
}

fn case_error(e: CaseError) -> ApiError {
    let message = e.to_string();
    let (status, code) = match e {
        CaseError::NotFound => return ApiError::not_found(message),
        CaseError::Cpr(_)
        | CaseError::DocumentType
        | CaseError::DocumentNumber
        | CaseError::ExpiryFormat(_)
        | CaseError::UserIdRules
        | CaseError::Authenticator
        | CaseError::PasswordRules => return ApiError::bad_request(message),
        CaseError::NotInRegister(_) => (StatusCode::UNPROCESSABLE_ENTITY, "not_in_register"),
        CaseError::HasIdentity { .. } => (StatusCode::CONFLICT, "has_identity"),
        CaseError::Closed(_) => (StatusCode::CONFLICT, "case_closed"),
        CaseError::WrongStep(_) => (StatusCode::CONFLICT, "wrong_step"),
        CaseError::Stale => (StatusCode::CONFLICT, "stale"),
        CaseError::Expired { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "document_expired"),
        CaseError::UnknownWitness(_) | CaseError::WitnessNotActive(_) => {
            (StatusCode::UNPROCESSABLE_ENTITY, "witness_refused")
        }
        CaseError::UserIdTaken(_) => (StatusCode::CONFLICT, "user_id_taken"),
        CaseError::Internal(detail) => {
            tracing::error!(detail, "citizen service failure");
            (StatusCode::INTERNAL_SERVER_ERROR, "server_error")
        }
    };
    ApiError::new(status, code, message)
}

/// A case as the control API shows it: the steps, the questions (never their answers), and
/// the identity once created.
fn case_view(case: &Case) -> Value {
    let person = register::lookup(case.cpr);
    json!({
        "id": case.id,
        "cpr": case.cpr,
        "step": case.step.as_str(),
        "name": person.as_ref().map(register::RegisterPerson::name),
        "birthdate": person.as_ref().map(register::RegisterPerson::birthdate),
        "evidence": case.evidence,
        "questions": case.questions.iter().map(|q| json!({
            "id": q.kind.as_str(),
            "text": q.kind.text(),
            "answered": q.answered,
        })).collect::<Vec<_>>(),
        "wrong_answers": case.wrong_answers,
        "wrong_answers_left": MAX_WRONG_ANSWERS.saturating_sub(case.wrong_answers),
        "user_id": case.user_id,
        "identity_id": case.identity_id,
        "opened_at": case.opened_at,
        "updated_at": case.updated_at,
    })
}

/// The simulated register's entry for a CPR number: what the caseworker checks the answers
/// against (and what a test answers with).
async fn register_person(Path(cpr): Path<String>) -> ApiResult {
    let cpr = Cpr::parse(cpr.trim()).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let person = register::lookup(cpr).ok_or_else(|| case_error(CaseError::NotInRegister(cpr)))?;
    ok(json!(person))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OpenInput {
    cpr: String,
}

async fn open_case(State(b): AppState, body: Bytes) -> ApiResult {
    let input: OpenInput = parse_body(&body)?;
    let case = citizen_service::open_case(&b, &input.cpr, b.now()).map_err(case_error)?;
    created(case_view(&case))
}

async fn get_case(State(b): AppState, Path(id): Path<String>) -> ApiResult {
    let case = citizen_service::load(&b, &CaseId::new(id)).map_err(case_error)?;
    ok(case_view(&case))
}

/// `{"type": "passport"|"driving_licence"|"national_id", "number", "expiry"}` or
/// `{"type": "witness", "user_id"}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EvidenceBody {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    number: Option<String>,
    #[serde(default)]
    expiry: Option<String>,
    #[serde(default)]
    user_id: Option<String>,
}

async fn record_evidence(State(b): AppState, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let input: EvidenceBody = parse_body(&body)?;
    let evidence = if input.kind == "witness" {
        EvidenceInput::Witness {
            user_id: input.user_id.ok_or_else(|| {
                ApiError::bad_request("a witness needs the user_id of a person with MitID")
            })?,
        }
    } else {
        EvidenceInput::Document {
            document_type: input.kind,
            number: input.number.unwrap_or_default(),
            expiry: input.expiry.unwrap_or_default(),
        }
    };
    let case = citizen_service::record_evidence(&b, &CaseId::new(id), &evidence, b.now())
        .map_err(case_error)?;
    ok(case_view(&case))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswersBody {
    /// Question id -> the person's answer.
    answers: BTreeMap<String, String>,
}

async fn answer(State(b): AppState, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let input: AnswersBody = parse_body(&body)?;
    let mut answers = Vec::new();
    for (name, text) in input.answers {
        let kind = QuestionKind::parse(&name).ok_or_else(|| {
            let known: Vec<&str> = QuestionKind::ALL.iter().map(|q| q.as_str()).collect();
            ApiError::bad_request(format!(
                "unknown question {name:?}; one of {}",
                known.join(", ")
            ))
        })?;
        answers.push((kind, text));
    }
    let (case, answered) =
        citizen_service::answer(&b, &CaseId::new(id), &answers, b.now()).map_err(case_error)?;
    let wrong: Vec<&str> = answered.wrong.iter().map(|k| k.as_str()).collect();
    let extra = json!({ "wrong": wrong, "case": case_view(&case) });
    match answered.step {
        CaseStep::Failed => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "case_failed",
            "two wrong answers: the attempt ended and nothing was created",
        )
        .with(extra)),
        _ if !wrong.is_empty() => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "wrong_answer",
            format!(
                "wrong answer to {}; {} more wrong answer(s) end the attempt",
                wrong.join(", "),
                MAX_WRONG_ANSWERS.saturating_sub(case.wrong_answers)
            ),
        )
        .with(extra)),
        _ => ok(case_view(&case)),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CompleteBody {
    user_id: String,
    /// `app`, `code_viewer` or `code_reader`.
    authenticator: String,
    password: String,
}

fn identity_summary(identity: &Identity) -> Value {
    let mut map = Map::new();
    map.insert("id".into(), json!(identity.id));
    map.insert("user_id".into(), json!(identity.user_id));
    map.insert("name".into(), json!(identity.name()));
    map.insert("ial".into(), json!(identity.ial));
    map.insert("reaches".into(), json!(identity.reachable_level()));
    Value::Object(map)
}

async fn complete(State(b): AppState, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let input: CompleteBody = parse_body(&body)?;
    let choices = Choices {
        user_id: input.user_id,
        authenticator: input.authenticator,
        password: input.password,
    };
    let done =
        citizen_service::complete(&b, &CaseId::new(id), &choices, b.now()).map_err(case_error)?;
    created(json!({
        "case": case_view(&done.case),
        "identity": identity_summary(&done.identity),
        "authenticator": choices.authenticator.trim(),
        "serial": done.serial,
        "activation": "pending",
        "letter_id": done.letter.id,
    }))
}
