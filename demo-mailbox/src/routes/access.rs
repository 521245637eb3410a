//! Access for others, for the owner of a mailbox: `GET /access` (the grants), `POST /access`
//! (grant access), `POST /access/{grant_id}/revoke` (at once: the helper's next request is
//! refused), `POST /access/{grant_id}/password` (a new password, which also unlocks a
//! locked grant and ends sessions opened with the old one) and `POST /access/{grant_id}/edit`
//! (another permission or other folders, from the helper's next request on; logged in the
//! activity log). Only the owner may do any of it: of a person's mailbox, that person; of a
//! business's, a person whose business login may represent it; of an association's, its
//! administrator (see [`crate::access::Access::allows`]). The forms are read here; the
//! operations are [`crate::access::granting`].

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::in_mailbox::{chrome, desk};
use crate::access::desk::Desk;
use crate::access::granting::{self, NewGrant};
use crate::access::{AccessPassword, Capability, Cpr, FolderScope, Permission};
use crate::action::{Action, NoFields};
use crate::app::App;
use crate::logged_in::LoggedIn;
use crate::pages::access::AccessPage;
use crate::pages::{redirect, render};
use crate::paths::ACCESS;
use crate::problem::{respond, Problem};
use crate::session::ActiveSession;
use crate::store::StoreError;

/// The longest name the owner may give a helper, in characters.
const MAX_NAME_CHARS: usize = 100;

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

/// The grant form: `name`, `cpr`, `permission`, `all_folders` or any number of `folder`,
/// `password`. Read as pairs because `folder` repeats.
fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// The grant form, checked (the password is hashed by the caller, off the runtime).
struct GrantForm {
    grantee: Cpr,
    name: String,
    permission: Permission,
    folders: FolderScope,
    password: String,
}

/// Checks the grant form against the session's mailbox.
fn parse_grant(
    desk: &Desk,
    session: &ActiveSession,
    form: &[(String, String)],
) -> Result<GrantForm, Problem> {
    let name = field(form, "name").unwrap_or_default().trim().to_owned();
    if name.is_empty()
        || name.chars().count() > MAX_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(Problem::BadForm);
    }
    let grantee = Cpr::parse(field(form, "cpr").unwrap_or_default()).map_err(Problem::BadCpr)?;
    if session.person.cpr.as_ref() == Some(&grantee) {
        return Err(Problem::GrantToSelf);
    }
    let (permission, folders) = parse_scope(desk, form)?;
    Ok(GrantForm {
        grantee,
        name,
        permission,
        folders,
        password: field(form, "password").unwrap_or_default().to_owned(),
    })
}

/// The form's `permission`, and `all_folders` or the `folder`s of the desk's mailbox.
fn parse_scope(
    desk: &Desk,
    form: &[(String, String)],
) -> Result<(Permission, FolderScope), Problem> {
    let permission = field(form, "permission")
        .and_then(Permission::from_slug)
        .ok_or(Problem::BadForm)?;
    let chosen: Vec<&str> = form
        .iter()
        .filter(|(key, _)| key == "folder")
        .map(|(_, value)| value.as_str())
        .collect();
    let folders = granting::folder_scope(desk, field(form, "all_folders").is_some(), &chosen)?;
    Ok((permission, folders))
}

pub async fn grant(State(app): State<App>, action: Action<Vec<(String, String)>>) -> Response {
    let Action { session, form } = action;
    let granted = async {
        let desk = desk(&app, &session);
        // Refused before the form is read, so a refusal says nothing about it.
        desk.require(Capability::ManageAccess)?;
        let checked = parse_grant(&desk, &session, &form)?;
        let new = NewGrant {
            grantee: checked.grantee,
            name: checked.name,
            permission: checked.permission,
            folders: checked.folders,
            password: hash_password(checked.password).await?,
        };
        granting::grant(&desk, new, &session.mailbox_name)?;
        Ok::<_, Problem>(redirect(ACCESS))
    };
    respond(granted.await, session.lang)
}

pub async fn revoke(
    State(app): State<App>,
    Path(grant_id): Path<String>,
    action: Action<NoFields>,
) -> Response {
    let session = action.session;
    let revoked = granting::revoke(&desk(&app, &session), &grant_id);
    respond(revoked.map(|()| redirect(ACCESS)), session.lang)
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
    let changed = async {
        let desk = desk(&app, &session);
        let grant = granting::open_grant_of(&desk, &grant_id)?;
        let password = hash_password(form.password).await?;
        granting::set_password(&desk, &grant.id, &password)?;
        Ok::<_, Problem>(redirect(ACCESS))
    };
    respond(changed.await, session.lang)
}

/// The owner changes a grant's permission and folders (the form of `/access`: `permission`,
/// `all_folders` or `folder`...). The activity log records who changed what.
pub async fn edit(
    State(app): State<App>,
    Path(grant_id): Path<String>,
    action: Action<Vec<(String, String)>>,
) -> Response {
    let Action { session, form } = action;
    let edited = || -> Result<Response, Problem> {
        let desk = desk(&app, &session);
        let grant = granting::open_grant_of(&desk, &grant_id)?;
        let (permission, folders) = parse_scope(&desk, &form)?;
        granting::change(&desk, &grant, permission, &folders)?;
        Ok(redirect(ACCESS))
    };
    respond(edited(), session.lang)
}
