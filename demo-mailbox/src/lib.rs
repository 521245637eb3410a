//! Demo Digital Post mailbox: an OpenID Connect relying party of the simulated broker.
//!
//! It talks to the broker only over HTTP, through discovery, like any other relying party.
//! Nothing here verifies a real identity.
//!
//! ```no_run
//! # async fn run() -> anyhow::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let mut config = demo_mailbox::Config::default();
//! config.public_url = format!("http://{}", listener.local_addr()?).parse()?;
//! demo_mailbox::serve(listener, config).await
//! # }
//! ```
//!
//! # Layout
//!
//! The modules use each other one way:
//!
//! ```text
//! routes ──> (post | access | oidc) ──> store
//!    │
//!    └──> pages, paths          (leaves the handlers render and link with)
//! ```
//!
//! - `routes`: the axum handlers. Each one parses the request, calls one domain operation
//!   and renders what came of it: a page from `pages`, a redirect to one of `paths`, or the
//!   page of a `problem`. `routes::in_mailbox` holds what the mailbox handlers share (the
//!   session's desk, the chrome around every page). `logged_in` and `action` are the
//!   extractors that check the session and the CSRF token first.
//! - `post` (Digital Post: mailboxes, folders, letters, delivery, writing) and `access` (who
//!   may open which mailbox and do what there: grants, memberships, the activity log). Every
//!   operation in a mailbox starts from an `access::desk::Desk`: the session's mailbox, its
//!   access, who acts and when; what it refuses is an `access::desk::Refusal`. Post's
//!   operations are `post::{handling, writing, own_folders, delivery, opening}`, access's
//!   `access::{granting, opening}`.
//! - `oidc`: the relying party (discovery, login, the token and userinfo requests, logout
//!   tokens); no axum types. `oidc::dialect` holds what differs between the broker's profiles
//!   (`standard`, `neb`, `idura`, `signicat`): scopes, level, MitID Erhverv, claim names.
//! - `store`: the storage traits and SQLite. It keeps the data types of `post` and `access`
//!   and knows none of their operations.
//! - `pages`: the askama page structs, each from domain values; `paths`: every path the
//!   mailbox answers, a leaf that uses nothing else of the crate (ids go in as `AsRef<str>`).
//!
//! `post/mod.rs` and `access/mod.rs` re-export only data types; the operations, which use the
//! store, are used by their path (`post::writing::reply`). So the store can use the types
//! while no file's use comes back to itself: the only import circles are a parent module and
//! its own files (`oidc/mod.rs` and the files that implement its relying party, `store/mod.rs`
//! and `sqlite.rs`). `post` and `access` use each other's types (a grant names folders; post's
//! operations work at access's desk), never in a circle of files.
//!
//! Around them: `app` (the shared state), `session` (logged-in sessions, each holding the
//! one-time `notice` of its last action), `problem` (every failure a person may see; a form
//! refused for what was typed is shown again with it next to the field), `config`,
//! `start_error`, `broker_directory` (the names the broker's control API knows for CPR numbers,
//! over HTTP like the rest), and leaves: `id` (the one macro that declares an id type),
//! `clock`, `random`, `cookies`, `language`, `notice`.

mod access;
mod action;
mod app;
mod broker_directory;
mod clock;
mod config;
mod cookies;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod id;
mod language;
mod logged_in;
mod notice;
mod oidc;
mod pages;
mod paths;
mod pending_logins;
mod post;
mod problem;
mod random;
mod routes;
mod session;
mod start_error;
mod store;

#[cfg(test)]
mod tests;

pub use app::App;
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{BrokerProfile, Config, UnknownProfile, ACR_HIGH, ACR_SUBSTANTIAL};
pub use cookies::{LOGIN_COOKIE, SESSION_COOKIE};
pub use language::LANGUAGE_COOKIE;
pub use paths::{BACKCHANNEL_LOGOUT, CALLBACK, HOME, LOGGED_OUT, LOGIN, LOGOUT};
pub use routes::router;
pub use start_error::StartError;

/// Serves the mailbox on `listener` with the wall clock until the server fails.
pub async fn serve(listener: tokio::net::TcpListener, config: Config) -> anyhow::Result<()> {
    serve_app(listener, App::new(config)?).await
}

/// Serves an already built [`App`] (e.g. one on a [`ManualClock`]) on `listener`.
pub async fn serve_app(listener: tokio::net::TcpListener, app: App) -> anyhow::Result<()> {
    if let Ok(address) = listener.local_addr() {
        tracing::info!(%address, public_url = %app.config().public_url, "demo mailbox listening");
    }
    axum::serve(listener, router(app)).await?;
    Ok(())
}

/// Serves the mailbox over https on `listener` with `tls` (e.g. `localca::server_config`);
/// `config.public_url` should be `https://...` so cookies carry `Secure`.
pub async fn serve_tls(
    listener: tokio::net::TcpListener,
    app: App,
    tls: std::sync::Arc<rustls::ServerConfig>,
) -> anyhow::Result<()> {
    if let Ok(address) = listener.local_addr() {
        tracing::info!(%address, public_url = %app.config().public_url, "demo mailbox listening (https)");
    }
    let listener = localca::serve::TlsListener::new(listener, tls)?;
    axum::serve(listener, router(app)).await?;
    Ok(())
}
