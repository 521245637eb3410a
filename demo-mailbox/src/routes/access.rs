//! Access for others, for the owner of a mailbox: `GET /access` (the grants, and the revoked
//! ones as a history), `POST /access` (grant access), `GET /access/{grant_id}/revoke` (are you
//! sure?) and `POST` (at once: the helper's next request is refused), `POST /access/{grant_id}/password` (a new password, which also unlocks a
//! locked grant and ends sessions opened with the old one) and `POST /access/{grant_id}/edit`
//! (another permission or other folders, from the helper's next request on; logged in the
//! activity log). Only the owner may do any of it: of a person's mailbox, that person; of a
//! business's, a person whose business login may represent it; of an association's, its
//! administrator (see [`crate::access::Access::allows`]). The forms are read in
//! [`super::grant_form`]; a form refused for what was typed comes back on the access page,
//! refilled; the operations are [`crate::access::granting`].

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::grant_form::{parse_grant, parse_scope, typed_cpr, typed_grant, Refused};
use super::in_mailbox::{chrome, desk, notify};
use crate::access::desk::{Desk, Refusal};
use crate::access::granting::{self, NewGrant};
use crate::access::{AccessPassword, Capability, PasswordError};
use crate::action::{Action, NoFields};
use crate::app::App;
use crate::logged_in::LoggedIn;
use crate::notice::Notice;
use crate::pages::access::{AccessPage, ConfirmRevokePage, NewGrantFields, RefusedGrantForm};
use crate::pages::{redirect, render, FormError};
use crate::paths::ACCESS;
use crate::problem::{respond, Problem};
use crate::session::ActiveSession;
use crate::store::StoreError;

pub async fn manage(State(app): State<App>, LoggedIn(session): LoggedIn) -> Response {
    let page = || -> Result<Response, Problem> {
        let desk = desk(&app, &session);
        let (grants, folders) = granting::grants(&desk)?;
        let chrome = chrome(&desk, &session, None)?;
        Ok(render(
            StatusCode::OK,
            &AccessPage::new(chrome, &grants, &folders),
        ))
    };
    respond(page(), session.lang)
}

/// Hashes `password` off the async runtime (Argon2 is slow on purpose).
async fn hash_password(password: String) -> Result<AccessPassword, Problem> {
    tokio::task::spawn_blocking(move || AccessPassword::hash(&password))
        .await
        .map_err(|error| Problem::from(StoreError::Db(error.to_string())))?
        .map_err(Problem::BadPassword)
}

pub async fn grant(State(app): State<App>, action: Action<Vec<(String, String)>>) -> Response {
    let Action { session, form } = action;
    let desk = desk(&app, &session);
    let granted = async {
        // Refused before the form is read, so a refusal says nothing about it.
        desk.require(Capability::ManageAccess)
            .map_err(|refusal| ("", Problem::from(refusal)))?;
        // Only someone who may give access makes the mailbox ask the broker.
        let known_name = match typed_cpr(&form) {
            Some(cpr) => app.broker_name_of(&cpr).await,
            None => None,
        };
        let checked = parse_grant(&desk, &session, &form, known_name)?;
        let password = match hash_password(checked.password).await {
            Err(Problem::BadPassword(
                error @ (PasswordError::TooShort | PasswordError::TooLong),
            )) => {
                return Err(("password", Problem::BadPassword(error)));
            }
            hashed => hashed.map_err(|problem| ("", problem))?,
        };
        let new = NewGrant {
            grantee: checked.grantee,
            name: checked.name,
            name_checked: checked.name_checked,
            permission: checked.permission,
            folders: checked.folders,
            password,
        };
        let granted =
            granting::grant(&desk, new, &session.mailbox_name).map_err(
                |refusal| match refusal {
                    Refusal::GrantExists => ("cpr", Problem::from(refusal)),
                    other => ("", Problem::from(other)),
                },
            )?;
        notify(&app, &session, Notice::Granted(granted.grantee_name));
        Ok::<_, Refused>(redirect(ACCESS))
    };
    match granted.await {
        Ok(response) => response,
        Err((field, problem)) if !field.is_empty() && !matches!(problem, Problem::BadForm) => {
            show_refused_grant(&desk, &session, typed_grant(&form), field, problem)
        }
        Err((_, problem)) => problem.page(session.lang),
    }
}

/// The access page again, with `form` of the grant `grant_id` refused for `problem` (about
/// its `field`).
fn show_refused_grant_form(
    desk: &Desk,
    session: &ActiveSession,
    grant_id: &str,
    form: RefusedGrantForm,
    field: &'static str,
    problem: Problem,
) -> Response {
    tracing::info!(
        ?problem,
        field,
        "a grant's form was refused for what was typed"
    );
    let shown = || -> Result<Response, Problem> {
        let (grants, folders) = granting::grants(desk)?;
        let error = FormError::on(problem.field_error(field, session.lang));
        let chrome = chrome(desk, session, None)?;
        let page =
            AccessPage::new(chrome, &grants, &folders).refused_for_grant(grant_id, form, error);
        Ok(render(problem.form_status(), &page))
    };
    respond(shown(), session.lang)
}

/// The access page again, its grant form refilled with what was typed and `problem` next to
/// `field`.
fn show_refused_grant(
    desk: &Desk,
    session: &ActiveSession,
    typed: NewGrantFields,
    field: &'static str,
    problem: Problem,
) -> Response {
    tracing::info!(
        ?problem,
        field,
        "a grant form was refused for what was typed"
    );
    let shown = || -> Result<Response, Problem> {
        let (grants, folders) = granting::grants(desk)?;
        let error = FormError::on(problem.field_error(field, session.lang));
        let chrome = chrome(desk, session, None)?;
        let page = AccessPage::new(chrome, &grants, &folders).refilled(typed, error);
        Ok(render(problem.form_status(), &page))
    };
    respond(shown(), session.lang)
}

/// Asks before revoking: who loses which access.
pub async fn confirm_revoke(
    State(app): State<App>,
    LoggedIn(session): LoggedIn,
    Path(grant_id): Path<String>,
) -> Response {
    let page = || -> Result<Response, Problem> {
        let desk = desk(&app, &session);
        let grant = granting::open_grant_of(&desk, &grant_id)?;
        let chrome = chrome(&desk, &session, None)?;
        Ok(render(
            StatusCode::OK,
            &ConfirmRevokePage::new(chrome, &grant),
        ))
    };
    respond(page(), session.lang)
}

pub async fn revoke(
    State(app): State<App>,
    Path(grant_id): Path<String>,
    action: Action<NoFields>,
) -> Response {
    let session = action.session;
    let revoked = || -> Result<Response, Problem> {
        let desk = desk(&app, &session);
        let grant = granting::open_grant_of(&desk, &grant_id)?;
        granting::revoke(&desk, grant.id.as_str())?;
        notify(&app, &session, Notice::Revoked(grant.grantee_name));
        Ok(redirect(ACCESS))
    };
    respond(revoked(), session.lang)
}

#[derive(Deserialize)]
pub struct PasswordForm {
    password: String,
}

pub async fn new_password(
    State(app): State<App>,
    Path(grant_id): Path<String>,
    action: Action<PasswordForm>,
) -> Response {
    let Action { session, form } = action;
    let desk = desk(&app, &session);
    let changed = async {
        let grant = granting::open_grant_of(&desk, &grant_id)?;
        let password = hash_password(form.password).await?;
        granting::set_password(&desk, &grant.id, &password)?;
        notify(&app, &session, Notice::PasswordChanged(grant.grantee_name));
        Ok::<_, Problem>(redirect(ACCESS))
    };
    match changed.await {
        Err(problem @ Problem::BadPassword(PasswordError::TooShort | PasswordError::TooLong)) => {
            show_refused_grant_form(
                &desk,
                &session,
                &grant_id,
                RefusedGrantForm::Password,
                "password",
                problem,
            )
        }
        changed => respond(changed, session.lang),
    }
}

/// The owner changes a grant's permission and folders (the form of `/access`: `permission`,
/// `all_folders` or `folder`...). The activity log records who changed what.
pub async fn edit(
    State(app): State<App>,
    Path(grant_id): Path<String>,
    action: Action<Vec<(String, String)>>,
) -> Response {
    let Action { session, form } = action;
    let desk = desk(&app, &session);
    let edited = || -> Result<Response, Problem> {
        let grant = granting::open_grant_of(&desk, &grant_id)?;
        let (permission, folders) = parse_scope(&desk, &form)?;
        granting::change(&desk, &grant, permission, &folders)?;
        notify(&app, &session, Notice::AccessChanged(grant.grantee_name));
        Ok(redirect(ACCESS))
    };
    match edited() {
        Err(problem @ Problem::Refused(Refusal::NoFoldersChosen)) => {
            let typed = typed_grant(&form);
            let chosen = RefusedGrantForm::Change {
                read_write: typed.read_write,
                all_folders: typed.all_folders,
                folders: typed.folders,
            };
            show_refused_grant_form(&desk, &session, &grant_id, chosen, "folders", problem)
        }
        edited => respond(edited, session.lang),
    }
}
