//! Access for others, for the owner of a mailbox: `GET /access` (the grants), `POST /access`
//! (grant access), `POST /access/{grant_id}/revoke` (at once: the helper's next request is
//! refused), `POST /access/{grant_id}/password` (a new password, which also unlocks a
//! locked grant and ends sessions opened with the old one) and `POST /access/{grant_id}/edit`
//! (another permission or other folders, from the helper's next request on; logged in the
//! activity log). Only the owner may do any of it: of a person's mailbox, that person; of a
//! business's, a person whose business login may represent it; of an association's, its
//! administrator (see [`crate::access::Access::allows`]).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::in_mailbox::{chrome, desk};
use super::respond;
use crate::access::{
    AccessPassword, ActivityAction, ActivityEntry, Capability, Cpr, FolderScope, Grant, GrantId,
    Permission,
};
use crate::action::{Action, NoFields};
use crate::app::App;
use crate::logged_in::LoggedIn;
use crate::pages::access::AccessPage;
use crate::pages::{redirect, render};
use crate::paths::ACCESS;
use crate::post::{unix_time, Folder, FolderId};
use crate::problem::Problem;
use crate::session::ActiveSession;
use crate::store::StoreError;

/// The longest name the owner may give a helper, in characters.
const MAX_NAME_CHARS: usize = 100;

pub async fn manage(State(app): State<App>, LoggedIn(session): LoggedIn) -> Response {
    let page = || -> Result<Response, Problem> {
        desk(&app, &session).require(Capability::ManageAccess)?;
        let grants = app
            .store()
            .grants
            .list(&session.mailbox)
            .map_err(Problem::Storage)?;
        let folders = app
            .store()
            .folders
            .list(&session.mailbox)
            .map_err(Problem::Storage)?;
        let chrome = chrome(&desk(&app, &session), &session, None)?;
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
        .map_err(|error| Problem::Storage(StoreError::Db(error.to_string())))?
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
    app: &App,
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
    let (permission, folders) = parse_scope(app, session, form)?;
    Ok(GrantForm {
        grantee,
        name,
        permission,
        folders,
        password: field(form, "password").unwrap_or_default().to_owned(),
    })
}

/// The form's `permission`, and `all_folders` or the `folder`s of the session's mailbox.
fn parse_scope(
    app: &App,
    session: &ActiveSession,
    form: &[(String, String)],
) -> Result<(Permission, FolderScope), Problem> {
    let permission = field(form, "permission")
        .and_then(Permission::from_slug)
        .ok_or(Problem::BadForm)?;
    let folders = if field(form, "all_folders").is_some() {
        FolderScope::All
    } else {
        // Only folders of this mailbox count; anything else in the form is ignored.
        let chosen: Vec<FolderId> = app
            .store()
            .folders
            .list(&session.mailbox)
            .map_err(Problem::Storage)?
            .into_iter()
            .map(|folder| folder.id)
            .filter(|id| {
                form.iter()
                    .any(|(key, value)| key == "folder" && value == id.as_str())
            })
            .collect();
        if chosen.is_empty() {
            return Err(Problem::NoFoldersChosen);
        }
        FolderScope::Only(chosen)
    };
    Ok((permission, folders))
}

pub async fn grant(State(app): State<App>, action: Action<Vec<(String, String)>>) -> Response {
    let Action { session, form } = action;
    let granted = async {
        desk(&app, &session).require(Capability::ManageAccess)?;
        let checked = parse_grant(&app, &session, &form)?;
        let permission = checked.permission;
        let password = hash_password(checked.password).await?;
        let grant = Grant::new(
            session.mailbox.clone(),
            checked.grantee,
            checked.name,
            // The mailbox's name: the owner's, the business's or the association's.
            session.mailbox_name.clone(),
            permission,
            checked.folders,
            password,
            unix_time(app.now()),
        );
        app.store()
            .grants
            .create(&grant)
            .map_err(|error| match error {
                StoreError::Conflict(_) => Problem::GrantExists,
                other => Problem::Storage(other),
            })?;
        tracing::info!(permission = permission.slug(), "access was granted");
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
    let revoked = || -> Result<Response, Problem> {
        desk(&app, &session).require(Capability::ManageAccess)?;
        let revoked = app
            .store()
            .grants
            .revoke(
                &session.mailbox,
                &GrantId::new(grant_id),
                unix_time(app.now()),
            )
            .map_err(Problem::Storage)?;
        if !revoked {
            return Err(Problem::NotFound);
        }
        tracing::info!("access was revoked");
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
    let changed = async {
        desk(&app, &session).require(Capability::ManageAccess)?;
        let id = GrantId::new(grant_id);
        let open = app
            .store()
            .grants
            .get(&session.mailbox, &id)
            .map_err(Problem::Storage)?
            .is_some_and(|grant| grant.revoked_at.is_none());
        if !open {
            return Err(Problem::NotFound);
        }
        let password = hash_password(form.password).await?;
        let changed = app
            .store()
            .grants
            .set_password(&session.mailbox, &id, &password)
            .map_err(Problem::Storage)?;
        if !changed {
            return Err(Problem::NotFound);
        }
        tracing::info!("an access password was changed");
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
        desk(&app, &session).require(Capability::ManageAccess)?;
        let id = GrantId::new(grant_id);
        let store = app.store();
        let grant = store
            .grants
            .get(&session.mailbox, &id)
            .map_err(Problem::Storage)?
            .filter(|grant| grant.revoked_at.is_none())
            .ok_or(Problem::NotFound)?;
        let (permission, folders) = parse_scope(&app, &session, &form)?;
        let changed = store
            .grants
            .change(&session.mailbox, &id, permission, &folders)
            .map_err(Problem::Storage)?;
        if !changed {
            return Err(Problem::NotFound);
        }
        let folder_list = store
            .folders
            .list(&session.mailbox)
            .map_err(Problem::Storage)?;
        let entry = ActivityEntry::new(
            session.mailbox.clone(),
            unix_time(app.now()),
            session.name.clone(),
            id,
            ActivityAction::ChangedAccess,
            Some(describe_change(&grant, permission, &folders, &folder_list)),
        );
        store.activity.record(&entry).map_err(Problem::Storage)?;
        tracing::info!(permission = permission.slug(), "access was changed");
        Ok(redirect(ACCESS))
    };
    respond(edited(), session.lang)
}

/// What the log says about a change: the helper, and the access and folders from now on.
fn describe_change(
    grant: &Grant,
    permission: Permission,
    folders: &FolderScope,
    folder_list: &[Folder],
) -> String {
    let folders = match folders {
        FolderScope::All => "alle mapper".to_owned(),
        FolderScope::Only(ids) => folder_list
            .iter()
            .filter(|folder| ids.contains(&folder.id))
            .map(|folder| folder.display_name().to_owned())
            .collect::<Vec<_>>()
            .join(", "),
    };
    format!(
        "{}: {} → {} ({folders})",
        grant.grantee_name,
        grant.permission.danish_name(),
        permission.danish_name()
    )
}
