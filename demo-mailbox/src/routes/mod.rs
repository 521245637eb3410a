//! HTTP routes: [`router`] mounts every path of [`crate::paths`] on its handler. A handler
//! parses the request, calls one domain operation ([`crate::post`], [`crate::access`],
//! [`crate::oidc`]) and renders what came of it: a page of [`crate::pages`], a redirect, or
//! the page of a [`crate::problem::Problem`]. No handler uses this file; what the mailbox
//! handlers share is in [`in_mailbox`].

mod access;
mod activity;
mod attachments;
mod backchannel_logout;
mod callback;
mod folder_view;
mod folders;
mod forward;
mod grant_form;
mod home;
mod in_mailbox;
mod language;
mod letter_actions;
mod letter_view;
mod login;
mod logout;
mod mailboxes;
mod reply;
mod search;
mod sim_api;
mod sim_sender;
mod write;

#[cfg(test)]
pub use sim_sender::SENDER_CSRF_COOKIE;

use axum::routing::{delete, get, post};
use axum::Router;
use std::sync::Arc;

use crate::action::upload_body_limit;
use crate::app::App;
use crate::config::Config;
use crate::paths::*;

/// The mailbox's routes over `app`. Tests can drive it without a socket.
pub fn router(app: App) -> Router {
    let guard = Arc::new(guard_policy(app.config()));
    let pages = Arc::new(page_policy(app.config()));
    Router::new()
        .route(HOME, get(home::home))
        .route(LOGIN, get(login::login))
        .route(CALLBACK, get(callback::callback))
        .route(LOGOUT, post(logout::logout))
        .route(LOGGED_OUT, get(logout::logged_out))
        .route(BACKCHANNEL_LOGOUT, post(backchannel_logout::receive))
        .route(SEARCH, get(search::search))
        .route(FOLDERS, get(folders::manage).post(folders::create))
        .route(FOLDER, get(folder_view::show))
        .route(FOLDER_RENAME, post(folders::rename))
        .route(FOLDER_DELETE, post(folders::delete))
        .route(LETTER, get(letter_view::show))
        .route(LETTER_UNREAD, post(letter_view::mark_unread))
        .route(LETTER_MOVE, post(letter_actions::move_letter))
        .route(LETTER_DELETE, post(letter_actions::delete))
        .route(LETTER_RESTORE, post(letter_actions::restore))
        .route(
            LETTER_DELETE_PERMANENTLY,
            get(letter_actions::confirm_permanent_delete).post(letter_actions::delete_permanently),
        )
        .route(LETTER_ATTACHMENT, get(attachments::download))
        .route(
            LETTER_REPLY,
            get(reply::form)
                .post(reply::send)
                .layer(upload_body_limit()),
        )
        .route(LETTER_FORWARD, get(forward::form).post(forward::send))
        .route(
            WRITE,
            get(write::form)
                .post(write::send)
                .layer(upload_body_limit()),
        )
        .route(LETTER_SEND_DRAFT, post(write::send_draft))
        .route(
            LETTER_EDIT_DRAFT,
            get(write::edit_form)
                .post(write::edit)
                .layer(upload_body_limit()),
        )
        .route(MAILBOXES, get(mailboxes::choose))
        .route(MAILBOXES_SWITCH, post(mailboxes::switch))
        .route(ACCESS, get(access::manage).post(access::grant))
        .route(
            GRANT_REVOKE,
            get(access::confirm_revoke).post(access::revoke),
        )
        .route(GRANT_PASSWORD, post(access::new_password))
        .route(GRANT_EDIT, post(access::edit))
        .route(ACTIVITY, get(activity::log))
        .route(LANGUAGE, get(language::choose))
        .route(SIM_SENDER, get(sim_sender::form).post(sim_sender::send))
        .route(SIM_LETTERS, post(sim_api::send_letter))
        .route(SIM_EXEMPTIONS, post(sim_api::exempt))
        .route(
            SIM_MEMBERSHIPS,
            get(sim_api::memberships).post(sim_api::add_membership),
        )
        .route(SIM_MEMBERSHIP, delete(sim_api::remove_membership))
        .route(SIM_OUTBOX_JSON, get(sim_api::outbox_json))
        .route(SIM_OUTBOX, get(sim_api::outbox_page))
        .layer(axum::middleware::from_fn_with_state(
            pages,
            webguard::html_headers,
        ))
        .layer(axum::middleware::from_fn_with_state(guard, webguard::guard))
        .with_state(app)
}

/// Loopback is not a boundary (the `webguard` crate): only the mailbox's own host names are
/// served; the simulator's API and pages (`/_sim`, the authority's `/sender`) answer only pages
/// of the mailbox's own, take JSON bodies at `/_sim/v1`, and are locked by a control token
/// when one is set. The citizen's pages have their own CSRF tokens and session checks.
fn guard_policy(config: &Config) -> webguard::Policy {
    fn simulator(path: &str) -> bool {
        path == "/_sim" || path.starts_with("/_sim/") || path == SIM_SENDER
    }
    webguard::Policy {
        hosts: webguard::Hosts::new([config.public_url.as_str()], &config.allowed_hosts),
        paths: webguard::Paths {
            own_site_only: simulator,
            json_only: |path| path.starts_with("/_sim/v1/"),
            locked: simulator,
            api: |path| path.starts_with("/_sim/v1/"),
        },
        lock: config
            .control_token
            .as_deref()
            .map(|token| webguard::ControlLock::new(token, config.cookies_secure())),
    }
}

/// Every page's CSP: no script at all, styles inline, forms to the mailbox and (logging out
/// continues there) the broker.
fn page_policy(config: &Config) -> String {
    let broker = config.issuer.origin().ascii_serialization();
    format!(
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \
         form-action 'self' {broker}; frame-ancestors 'none'; base-uri 'none'"
    )
}
