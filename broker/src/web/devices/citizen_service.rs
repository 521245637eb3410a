//! The Citizen Service caseworker's pages (`/_sim/citizen-service`): look a person up, record
//! the document or witness, ask the control questions, create the MitID. Every form carries a
//! token (the case's own, or the instance's for the lookup) and answers with
//! Post/Redirect/Get; a refused input is shown again with its message, nothing lost. The core is
//! `enrolment::citizen_service`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;

use crate::app::Broker;
use crate::enrolment::case::{
    CaseError, Choice, MAX_WRONG_ANSWERS, PASSWORD_MIN, USER_ID_MAX, USER_ID_MIN,
};
use crate::enrolment::citizen_service::{self, Choices, EvidenceInput};
use crate::enrolment::register;
use crate::error::OAuthError;
use crate::model::{Case, CaseId, DocumentType, EnrolledAuthenticator, QuestionKind};
use crate::oidc::Params;
use crate::paths::{SIM_APP, SIM_CITIZEN_SERVICE, SIM_CODE_READER, SIM_CODE_VIEWER, SIM_OUTBOX};
use crate::secrets;
use crate::web::devices::activation::{form_token, form_token_ok};
use crate::web::pages;
use crate::web::responses::see_other;

pub fn router() -> Router<Arc<Broker>> {
    Router::new()
        .route(SIM_CITIZEN_SERVICE, get(start))
        .route(&format!("{SIM_CITIZEN_SERVICE}/cases"), post(open))
        .route(&format!("{SIM_CITIZEN_SERVICE}/cases/{{case}}"), get(show))
        .route(
            &format!("{SIM_CITIZEN_SERVICE}/cases/{{case}}/document"),
            post(document),
        )
        .route(
            &format!("{SIM_CITIZEN_SERVICE}/cases/{{case}}/answers"),
            post(answers),
        )
        .route(
            &format!("{SIM_CITIZEN_SERVICE}/cases/{{case}}/complete"),
            post(complete),
        )
}

type Shared = State<Arc<Broker>>;

const LOOKUP_FORM: (&str, &str) = ("citizen-service", "lookup");

fn page_error(status: StatusCode, message: impl Into<String>) -> Response {
    pages::error_page(status, &OAuthError::invalid_request(message.into()), "en")
}

fn case_url(id: &CaseId) -> String {
    format!("{SIM_CITIZEN_SERVICE}/cases/{id}")
}

/// The status a refused step answers with.
fn status_of(e: &CaseError) -> StatusCode {
    match e {
        CaseError::NotFound => StatusCode::NOT_FOUND,
        CaseError::Closed(_)
        | CaseError::WrongStep(_)
        | CaseError::Stale
        | CaseError::HasIdentity { .. }
        | CaseError::UserIdTaken(_) => StatusCode::CONFLICT,
        CaseError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// A refusal's message for the page; an internal failure is logged, not shown.
fn message_of(e: &CaseError) -> String {
    match e {
        CaseError::Internal(detail) => {
            tracing::error!(detail, "citizen service failure");
            "something went wrong on our side; try again".into()
        }
        e => e.to_string(),
    }
}

// ---- step 1: the lookup

pub struct CaseRow {
    pub url: String,
    pub name: String,
    pub cpr: String,
    pub step: &'static str,
}

#[derive(askama::Template)]
#[template(path = "sim_citizen_service.html")]
pub struct StartPage {
    pub lang: &'static str,
    pub action: String,
    pub csrf: String,
    pub cpr: String,
    pub error: Option<String>,
    pub example: String,
    pub cases: Vec<CaseRow>,
    pub outbox: &'static str,
}

fn start_page(b: &Broker, cpr: String, error: Option<String>, status: StatusCode) -> Response {
    let cases = match b.store.cases.list_recent(20) {
        Ok(cases) => cases,
        Err(e) => return pages::error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.into(), "en"),
    };
    // A number no identity has yet; a few tries are plenty among a billion.
    let example = (0..5)
        .filter_map(|_| register::random_person(&mut rand::thread_rng()))
        .find(|c| citizen_service::look_up(b, &c.to_string()).is_ok())
        .map(|c| c.to_string())
        .unwrap_or_default();
    pages::render(
        status,
        &StartPage {
            lang: "en",
            action: format!("{SIM_CITIZEN_SERVICE}/cases"),
            csrf: form_token(b, LOOKUP_FORM.0, LOOKUP_FORM.1),
            cpr,
            error,
            example,
            cases: cases
                .iter()
                .map(|c| CaseRow {
                    url: case_url(&c.id),
                    name: register::lookup(c.cpr)
                        .map(|p| p.name())
                        .unwrap_or_else(|| c.id.to_string()),
                    cpr: c.cpr.to_string(),
                    step: c.step.as_str(),
                })
                .collect(),
            outbox: SIM_OUTBOX,
        },
    )
}

async fn start(State(b): Shared) -> Response {
    start_page(&b, String::new(), None, StatusCode::OK)
}

async fn open(State(b): Shared, body: Bytes) -> Response {
    let form = Params::parse(&body);
    if !form_token_ok(&b, &form, LOOKUP_FORM.0, LOOKUP_FORM.1) {
        return page_error(
            StatusCode::FORBIDDEN,
            "the lookup form was not sent from the Citizen Service page; reload it",
        );
    }
    let cpr = form.get("cpr").unwrap_or_default().to_string();
    match citizen_service::open_case(&b, &cpr, b.now()) {
        Ok(case) => see_other(case_url(&case.id)),
        Err(e) => start_page(&b, cpr, Some(message_of(&e)), status_of(&e)),
    }
}

// ---- the case

/// What the caseworker typed, shown again when a step is refused.
#[derive(Default)]
pub struct FormValues {
    pub document_type: String,
    pub number: String,
    pub expiry: String,
    pub witness: String,
    pub answers: Vec<(QuestionKind, String)>,
    pub user_id: String,
    pub authenticator: String,
}

pub struct Labelled {
    pub value: &'static str,
    pub label: &'static str,
}

pub struct QuestionRow {
    pub id: &'static str,
    pub text: &'static str,
    pub answered: bool,
    pub typed: String,
}

#[derive(askama::Template)]
#[template(path = "sim_citizen_service_case.html")]
pub struct CasePage {
    pub lang: &'static str,
    pub case_id: String,
    pub step: &'static str,
    pub name: String,
    pub cpr: String,
    pub start: &'static str,
    pub base: String,
    pub csrf: String,
    pub error: Option<String>,
    pub form: FormValues,
    pub document_types: Vec<Labelled>,
    pub questions: Vec<QuestionRow>,
    pub wrong_answers: u32,
    pub max_wrong: u32,
    pub choices: Vec<Labelled>,
    pub user_id_rules: String,
    pub password_rules: String,
    pub created_user_id: String,
    pub device_url: String,
    pub outbox: &'static str,
}

/// Where the person of a completed case activates their new authenticator.
fn device_url(b: &Broker, case: &Case) -> String {
    let Some(identity) = case
        .identity_id
        .as_ref()
        .and_then(|id| b.store.identities.get(id).ok().flatten())
    else {
        return String::new();
    };
    identity
        .authenticators
        .iter()
        .find_map(|a| match a {
            EnrolledAuthenticator::App { .. } => Some(format!("{SIM_APP}/{}", identity.user_id)),
            EnrolledAuthenticator::CodeViewer {
                serial: Some(s), ..
            } => Some(format!("{SIM_CODE_VIEWER}/{s}")),
            EnrolledAuthenticator::CodeReader {
                serial: Some(s), ..
            } => Some(format!("{SIM_CODE_READER}/{s}")),
            _ => None,
        })
        .unwrap_or_default()
}

fn case_page(
    b: &Broker,
    case: &Case,
    form: FormValues,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let name = register::lookup(case.cpr)
        .map(|p| p.name())
        .unwrap_or_default();
    let questions = case
        .questions
        .iter()
        .map(|q| QuestionRow {
            id: q.kind.as_str(),
            text: q.kind.text(),
            answered: q.answered,
            typed: form
                .answers
                .iter()
                .find(|(k, _)| *k == q.kind)
                .map(|(_, t)| t.clone())
                .unwrap_or_default(),
        })
        .collect();
    let page = CasePage {
        lang: "en",
        case_id: case.id.to_string(),
        step: case.step.as_str(),
        name,
        cpr: case.cpr.to_string(),
        start: SIM_CITIZEN_SERVICE,
        base: case_url(&case.id),
        csrf: case.csrf.clone(),
        error,
        document_types: DocumentType::ALL
            .iter()
            .map(|d| Labelled {
                value: d.as_str(),
                label: d.label(),
            })
            .collect(),
        questions,
        wrong_answers: case.wrong_answers,
        max_wrong: MAX_WRONG_ANSWERS,
        choices: Choice::ALL
            .iter()
            .map(|c| Labelled {
                value: c.as_str(),
                label: match c {
                    Choice::App => "MitID app",
                    Choice::CodeViewer => "code viewer",
                    Choice::CodeReader => "code reader (reads the code aloud)",
                },
            })
            .collect(),
        user_id_rules: format!(
            "{USER_ID_MIN}-{USER_ID_MAX} letters (a-z) or digits, no spaces; not taken by anyone"
        ),
        password_rules: format!("at least {PASSWORD_MIN} characters"),
        created_user_id: case
            .user_id
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        device_url: device_url(b, case),
        outbox: SIM_OUTBOX,
        form,
    };
    pages::render(status, &page)
}

fn load(b: &Broker, id: &str) -> Result<Case, Box<Response>> {
    citizen_service::load(b, &CaseId::new(id)).map_err(|e| {
        Box::new(page_error(
            status_of(&e),
            if matches!(e, CaseError::NotFound) {
                "there is no such case; look the person up again".to_string()
            } else {
                message_of(&e)
            },
        ))
    })
}

async fn show(State(b): Shared, Path(id): Path<String>) -> Response {
    match load(&b, &id) {
        Ok(case) => case_page(&b, &case, FormValues::default(), None, StatusCode::OK),
        Err(r) => *r,
    }
}

/// Loads the case a form was posted for and checks the form's token.
fn posted(b: &Broker, id: &str, body: &Bytes) -> Result<(Case, Params), Box<Response>> {
    let case = load(b, id)?;
    let form = Params::parse(body);
    let token_ok = form
        .get("csrf")
        .is_some_and(|t| secrets::constant_time_eq(t, &case.csrf));
    if !token_ok {
        return Err(Box::new(page_error(
            StatusCode::FORBIDDEN,
            "the form is stale or was not sent from the case's page; reload it",
        )));
    }
    Ok((case, form))
}

/// After a step: back to the case page (303), or the page again with the refusal and what was
/// typed.
fn after(b: &Broker, case: &Case, result: Result<(), CaseError>, form: FormValues) -> Response {
    match result {
        Ok(()) => see_other(case_url(&case.id)),
        Err(e) => {
            // Show the case as it stands now (a stale form's case has moved on).
            let current = citizen_service::load(b, &case.id).unwrap_or_else(|_| case.clone());
            case_page(b, &current, form, Some(message_of(&e)), status_of(&e))
        }
    }
}

async fn document(State(b): Shared, Path(id): Path<String>, body: Bytes) -> Response {
    let (case, form) = match posted(&b, &id, &body) {
        Ok(p) => p,
        Err(r) => return *r,
    };
    let field = |name: &str| form.get(name).unwrap_or_default().to_string();
    let values = FormValues {
        document_type: field("type"),
        number: field("number"),
        expiry: field("expiry"),
        witness: field("witness"),
        ..FormValues::default()
    };
    let input = if form.get("evidence") == Some("witness") {
        EvidenceInput::Witness {
            user_id: values.witness.clone(),
        }
    } else {
        EvidenceInput::Document {
            document_type: values.document_type.clone(),
            number: values.number.clone(),
            expiry: values.expiry.clone(),
        }
    };
    let result = citizen_service::record_evidence(&b, &case.id, &input, b.now()).map(|_| ());
    after(&b, &case, result, values)
}

async fn answers(State(b): Shared, Path(id): Path<String>, body: Bytes) -> Response {
    let (case, form) = match posted(&b, &id, &body) {
        Ok(p) => p,
        Err(r) => return *r,
    };
    let typed: Vec<(QuestionKind, String)> = QuestionKind::ALL
        .into_iter()
        .filter_map(|k| {
            form.get(&format!("answer_{}", k.as_str()))
                .map(|t| (k, t.to_string()))
        })
        .collect();
    if typed.iter().all(|(_, t)| t.trim().is_empty()) {
        return case_page(
            &b,
            &case,
            FormValues::default(),
            Some("Type the person's answers.".into()),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    match citizen_service::answer(&b, &case.id, &typed, b.now()) {
        Ok((case, answered)) if !answered.wrong.is_empty() && !case.step.is_closed() => {
            // The right answers are now marked answered; the wrong ones are asked again.
            let wrong: Vec<&str> = answered.wrong.iter().map(|k| k.text()).collect();
            let message = format!(
                "Wrong answer: {} {} more wrong answer(s) end the attempt.",
                wrong.join(" "),
                MAX_WRONG_ANSWERS.saturating_sub(case.wrong_answers)
            );
            case_page(
                &b,
                &case,
                FormValues::default(),
                Some(message),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Ok((case, _)) => see_other(case_url(&case.id)),
        Err(e) => after(
            &b,
            &case,
            Err(e),
            FormValues {
                answers: typed,
                ..FormValues::default()
            },
        ),
    }
}

async fn complete(State(b): Shared, Path(id): Path<String>, body: Bytes) -> Response {
    let (case, form) = match posted(&b, &id, &body) {
        Ok(p) => p,
        Err(r) => return *r,
    };
    let field = |name: &str| form.get(name).unwrap_or_default().to_string();
    let choices = Choices {
        user_id: field("user_id"),
        authenticator: field("authenticator"),
        password: field("password"),
    };
    let values = FormValues {
        user_id: choices.user_id.clone(),
        authenticator: choices.authenticator.clone(),
        ..FormValues::default()
    };
    let result = citizen_service::complete(&b, &case.id, &choices, b.now()).map(|_| ());
    after(&b, &case, result, values)
}
