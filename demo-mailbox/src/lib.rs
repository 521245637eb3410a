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

mod access;
mod action;
mod app;
mod clock;
mod config;
mod cookies;
mod id;
mod language;
mod logged_in;
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
pub use config::{Config, ACR_HIGH, ACR_SUBSTANTIAL};
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
