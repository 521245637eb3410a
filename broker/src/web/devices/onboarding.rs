//! The simulated app's onboarding pages (`/_sim/app-setup`): getting MitID with a passport or
//! an identity card, one plain form per step (Post/Redirect/Get), acting through
//! `onboarding::apply`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use std::sync::Arc;

use crate::app::Broker;
use crate::error::OAuthError;
use crate::oidc::Params;
use crate::onboarding::{self, documents, Behaviour, Input, Onboarding, OnboardingError, Step};
use crate::paths::SIM_APP_SETUP;
use crate::secrets;
use crate::web::pages::{self, Choice, FaceView, OnboardingPage, OnboardingStartPage};
use crate::web::responses::see_other;

pub fn router() -> Router<Arc<Broker>> {
    Router::new()
        .route(SIM_APP_SETUP, get(start_page).post(start))
        .route(&format!("{SIM_APP_SETUP}/{{id}}"), get(show).post(submit))
}

type Shared = State<Arc<Broker>>;

fn error_page(e: &OnboardingError) -> Response {
    let status = match e {
        OnboardingError::NotFound => StatusCode::NOT_FOUND,
        OnboardingError::Expired | OnboardingError::Ended(_) => StatusCode::GONE,
        OnboardingError::WrongStep { .. } | OnboardingError::Conflict => StatusCode::CONFLICT,
        OnboardingError::Documents(_) | OnboardingError::Store(_) => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
    };
    pages::error_page(status, &OAuthError::invalid_request(e.to_string()), "en")
}

async fn start_page(State(b): Shared) -> Response {
    let today = onboarding::today(b.now());
    let authority = match b.documents(today) {
        Ok(a) => a,
        Err(e) => return error_page(&OnboardingError::Documents(e)),
    };
    let documents = documents::CATALOGUE
        .iter()
        .map(|(key, kind, choice)| {
            let holder = authority
                .issue(*choice, today)
                .map(|s| format!("{} {}", s.person.given_names, s.person.surname))
                .unwrap_or_default();
            Choice {
                value: (*key).to_string(),
                label: format!("{holder}: {kind}"),
            }
        })
        .collect();
    pages::render(
        StatusCode::OK,
        &OnboardingStartPage {
            lang: "en",
            action: SIM_APP_SETUP,
            documents,
        },
    )
}

async fn start(State(b): Shared, body: Bytes) -> Response {
    let form = Params::parse(&body);
    let Some(choice) = form.get("document").and_then(documents::by_key) else {
        return pages::error_page(
            StatusCode::BAD_REQUEST,
            &OAuthError::invalid_request("choose one of the documents"),
            "en",
        );
    };
    match onboarding::start(&b, choice, b.now()) {
        Ok(o) => see_other(format!("{SIM_APP_SETUP}/{}", o.id)),
        Err(e) => error_page(&e),
    }
}

async fn show(State(b): Shared, Path(id): Path<String>) -> Response {
    let now = b.now();
    let onboarding = match onboarding::load(&b, &id, now) {
        Ok(o) => o,
        Err(e) => return error_page(&e),
    };
    match page(&b, &onboarding, now) {
        Ok(page) => pages::render(StatusCode::OK, &page),
        Err(e) => error_page(&e),
    }
}

fn page(b: &Broker, o: &Onboarding, now: i64) -> Result<OnboardingPage, OnboardingError> {
    let specimen = onboarding::document(b, o, now)?;
    let fields = specimen.mrz.fields();
    let today = onboarding::today(now);
    let scanned = o.mrz.as_deref().and_then(|m| passport::Mrz::parse(m).ok());
    let suggested_cpr = match (&o.step, &scanned) {
        (Step::Personal, Some(mrz)) => onboarding::rules::suggest_cpr(mrz, today)
            .map(|c| c.to_string())
            .unwrap_or_default(),
        _ => String::new(),
    };
    let user_id = match &o.step {
        Step::Done { identity_id } => b
            .store
            .identities
            .get(identity_id)?
            .map(|i| i.user_id.to_string())
            .unwrap_or_default(),
        _ => o
            .user_id
            .as_ref()
            .map(|u| u.to_string())
            .unwrap_or_default(),
    };
    Ok(OnboardingPage {
        lang: "en",
        action: format!("{SIM_APP_SETUP}/{}", o.id),
        csrf: o.csrf.clone(),
        step: o.step.name(),
        problem: o.problem.clone(),
        failure: match &o.step {
            Step::Failed { reason } => reason.clone(),
            _ => String::new(),
        },
        holder: format!(
            "{} {}",
            specimen.person.given_names, specimen.person.surname
        ),
        document_number: fields.document_number.clone(),
        date_of_birth: fields.date_of_birth.birth_date(today).to_string(),
        date_of_expiry: fields.date_of_expiry.expiry_date(today).to_string(),
        printed_mrz: specimen.printed_mrz.clone(),
        scanned_mrz: o
            .mrz
            .clone()
            .unwrap_or_else(|| specimen.printed_mrz.clone()),
        suggested_cpr,
        user_id_rules: onboarding::rules::USER_ID_RULES,
        user_id,
        face: {
            let mut face = face_view(o);
            if o.step == Step::Face {
                face.chip_photo = onboarding::chip_photo(b, o, now);
            }
            face
        },
    })
}

/// The face pages' selfie choices and the liveness challenge shown.
fn face_view(onboarding: &Onboarding) -> FaceView {
    FaceView {
        chip_photo: String::new(),
        selfies: onboarding::SELFIES
            .iter()
            .map(|(value, label)| Choice {
                value: (*value).to_string(),
                label: (*label).to_string(),
            })
            .collect(),
        challenge: onboarding
            .liveness
            .as_ref()
            .map(|c| c.0.action.instruction().to_string())
            .unwrap_or_default(),
    }
}

/// The step's input from its form.
fn input_of(form: &Params) -> Option<Input> {
    let field = |name| form.get(name).unwrap_or_default().to_string();
    Some(match form.get("action")? {
        "mrz" => Input::Mrz(field("mrz")),
        "chip" => Input::ReadChip,
        "face" => Input::Face(onboarding::FaceInput {
            selfie: Some(form.get("selfie")?.to_string()),
            image_base64: None,
        }),
        "liveness" => Input::Liveness(onboarding::LivenessInput {
            behaviour: match form.get("behaviour")? {
                "follows" => Behaviour::Follows,
                "still_photo" => Behaviour::StillPhoto,
                "wrong_direction" => Behaviour::WrongDirection,
                "swaps_face" => Behaviour::SwapsFace,
                _ => return None,
            },
        }),
        "personal" if form.get("no_cpr").is_some() => Input::Personal(None),
        "personal" => Input::Personal(Some(field("cpr"))),
        "user_id" => Input::UserId {
            user_id: field("user_id"),
            phone: field("phone"),
        },
        "temporary_pin" => Input::TemporaryPin(field("temporary_pin")),
        "pin" => Input::Pin {
            pin: field("pin"),
            confirm: field("confirm"),
        },
        _ => return None,
    })
}

async fn submit(State(b): Shared, Path(id): Path<String>, body: Bytes) -> Response {
    let now = b.now();
    let onboarding = match onboarding::load(&b, &id, now) {
        Ok(o) => o,
        Err(e) => return error_page(&e),
    };
    let form = Params::parse(&body);
    let csrf_ok = form
        .get("csrf")
        .is_some_and(|c| secrets::constant_time_eq(c, &onboarding.csrf));
    if !csrf_ok {
        return pages::error_page(
            StatusCode::FORBIDDEN,
            &OAuthError::invalid_request(
                "the form is stale or was not sent from this page; reload it",
            ),
            "en",
        );
    }
    let here = format!("{SIM_APP_SETUP}/{}", onboarding.id);
    let result = if form.get("action") == Some("abandon") {
        onboarding::abandon(&b, &id, now)
    } else {
        let Some(input) = input_of(&form) else {
            return pages::error_page(
                StatusCode::BAD_REQUEST,
                &OAuthError::invalid_request("the form has no action this page knows"),
                "en",
            );
        };
        onboarding::apply(&b, &id, input, now)
    };
    match result {
        // A stale form (another tab moved on) shows the step as it is.
        Ok(_) | Err(OnboardingError::WrongStep { .. }) | Err(OnboardingError::Conflict) => {
            see_other(here)
        }
        Err(e) => error_page(&e),
    }
}
