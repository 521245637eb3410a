//! Switching mailboxes: `GET /mailboxes` lists the mailboxes the person may open, and
//! `POST /mailboxes/switch` makes the session work in one of them:
//!
//! - `to=own`: the person's own mailbox;
//! - `to=business`: the business's, when the login was a MitID Erhverv login for it;
//! - `to=association:{cvr}`: an association's the person is a member of;
//! - `to=grant:{grant_id}` with `password`: another person's, through a grant to this
//!   person's CPR number (wrong passwords are counted, see [`crate::access::opening::open_grant`]).
//!
//! Anything the person may not open is the same 404 as something that does not exist. These
//! routes work whatever mailbox the session is in, also one whose access ended.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::access::desk::Refusal;
use crate::access::opening::{open_grant, Opening};
use crate::access::{GrantId, GrantStatus};
use crate::action::PersonAction;
use crate::app::App;
use crate::logged_in::LoggedInPerson;
use crate::pages::access::{permission_name, DelegatedChoice, MailboxChoice, MailboxesPage};
use crate::pages::{redirect, render};
use crate::paths::{HOME, MAILBOXES_SWITCH};
use crate::post::opening::open_own_mailbox;
use crate::post::{unix_time, Owner};
use crate::problem::{respond, Problem};
use crate::session::{Current, LiveSession, Via};
use crate::store::StoreError;

/// The switch form's `to` for the own mailbox.
const TO_OWN: &str = "own";
/// The switch form's `to` for the business's mailbox.
const TO_BUSINESS: &str = "business";
/// The switch form's `to` prefix for an association's mailbox.
const TO_ASSOCIATION: &str = "association:";
/// The switch form's `to` prefix for another person's mailbox.
const TO_GRANT: &str = "grant:";

pub async fn choose(State(app): State<App>, person: LoggedInPerson) -> Response {
    let LoggedInPerson { session, lang } = person;
    let page = || -> Result<Response, Problem> {
        let store = app.store();
        let who = &session.person;
        let current = &session.current.via;
        let mut choices = vec![MailboxChoice {
            to: TO_OWN.to_owned(),
            name: who.name.clone(),
            kind: lang.t("din egen", "your own"),
            current: *current == Via::Own,
        }];
        if let Some(business) = &who.business {
            choices.push(MailboxChoice {
                to: TO_BUSINESS.to_owned(),
                name: format!("{} (CVR {})", business.name, business.cvr),
                kind: lang.t("virksomhed", "business"),
                current: *current == Via::Business,
            });
        }
        let mut delegated = Vec::new();
        if let Some(cpr) = &who.cpr {
            for membership in store.memberships.of_person(cpr)? {
                let via = Via::Association {
                    cvr: membership.cvr.clone(),
                };
                choices.push(MailboxChoice {
                    to: format!("{TO_ASSOCIATION}{}", membership.cvr),
                    name: membership.name,
                    kind: lang.t("forening", "association"),
                    current: *current == via,
                });
            }
            for grant in store.grants.for_grantee(cpr)? {
                let current = matches!(current, Via::Grant { id, .. } if *id == grant.id);
                delegated.push(DelegatedChoice {
                    to: format!("{TO_GRANT}{}", grant.id.as_str()),
                    owner_name: grant.owner_name.clone(),
                    permission: permission_name(grant.permission, lang),
                    locked: grant.status() == GrantStatus::Locked,
                    current,
                });
            }
        }
        Ok(render(
            StatusCode::OK,
            &MailboxesPage {
                lang,
                name: &who.name,
                csrf_token: &session.csrf_token,
                action: MAILBOXES_SWITCH,
                choices,
                delegated,
                without_cpr: who.cpr.is_none(),
                business_hint: who.business.is_none(),
            },
        ))
    };
    respond(page(), lang)
}

#[derive(Deserialize)]
pub struct SwitchForm {
    to: String,
    password: Option<String>,
}

pub async fn switch(State(app): State<App>, action: PersonAction<SwitchForm>) -> Response {
    let PersonAction {
        session,
        lang,
        form,
    } = action;
    let switched = match destination(&app, &session, &form).await {
        Ok(current) => {
            if app.sessions().switch(&session.id, current) {
                Ok(redirect(HOME))
            } else {
                // The session ended between the check and now.
                Err(Problem::AccessEnded)
            }
        }
        Err(problem) => Err(problem),
    };
    respond(switched, lang)
}

/// Where `form` asks to go, if the person may.
async fn destination(
    app: &App,
    session: &LiveSession,
    form: &SwitchForm,
) -> Result<Current, Problem> {
    let person = &session.person;
    let now = unix_time(app.now());
    let open = |owner: Owner| {
        open_own_mailbox(app.store(), owner, now)
            .map(|mailbox| mailbox.id)
            .map_err(Problem::from)
    };
    if form.to == TO_OWN {
        return Ok(Current {
            mailbox: person.own_mailbox.clone(),
            via: Via::Own,
        });
    }
    if form.to == TO_BUSINESS {
        let business = person
            .business
            .as_ref()
            .ok_or(Problem::Refused(Refusal::NotFound))?;
        return Ok(Current {
            mailbox: open(Owner::Business(business.cvr.clone()))?,
            via: Via::Business,
        });
    }
    let cpr = person
        .cpr
        .clone()
        .ok_or(Problem::Refused(Refusal::NotFound))?;
    if let Some(cvr) = form.to.strip_prefix(TO_ASSOCIATION) {
        let membership = app
            .store()
            .memberships
            .get(&cpr, cvr)?
            .ok_or(Problem::Refused(Refusal::NotFound))?;
        return Ok(Current {
            mailbox: open(Owner::Association(membership.cvr.clone()))?,
            via: Via::Association {
                cvr: membership.cvr,
            },
        });
    }
    let id = form
        .to
        .strip_prefix(TO_GRANT)
        .map(GrantId::new)
        .ok_or(Problem::Refused(Refusal::NotFound))?;
    let password = form.password.clone().unwrap_or_default();
    let store = app.store().clone();
    let actor = person.name.clone();
    // Argon2 takes tens of milliseconds on purpose: off the async runtime.
    let opening =
        tokio::task::spawn_blocking(move || open_grant(&store, &cpr, &actor, &id, &password, now))
            .await
            .map_err(|error| Problem::from(StoreError::Db(error.to_string())))??;
    match opening {
        Opening::Opened(grant) => Ok(Current {
            mailbox: grant.mailbox,
            via: Via::Grant {
                id: grant.id,
                version: grant.version,
            },
        }),
        Opening::WrongPassword { attempts_left } => Err(Problem::WrongPassword { attempts_left }),
        Opening::Locked => Err(Problem::GrantLocked),
        Opening::NotFound => Err(Problem::Refused(Refusal::NotFound)),
    }
}
