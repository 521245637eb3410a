//! A simulated Danish identity broker: an OpenID Provider that behaves like the MitID brokers,
//! for building and testing logins. No real identity is ever verified.
//!
//! Data flows one way; each layer uses only those below it (`scripts/module-graph check`
//! enforces it):
//!
//! ```text
//! web          axum handlers by audience: oidc/ endpoints, login.rs screens, devices/ pages,
//!   |          control/ API, dashboard/ pages
//! sim          the simulator's controls, which the control API and the dashboard both call
//! login        parks a login (finish::start), the decision ladder, the screens' state machine
//! enrolment    (flow/), the simulated devices (devices/); new devices, Citizen Service;
//! onboarding   getting MitID in the app
//!   |          a settled login completes through oidc::authorize::complete
//! oidc         the protocol core: authorize ends in Redirect, FormPost, ErrorPage or
//!   |          NeedsLogin; token, claims, userinfo, registration, logout; takes `now`, no HTTP
//! app, store, model, mitid, keys, paths, clock
//! ```
//!
//! `requests` (the request log) sits beside `oidc`: `web` records into it, it writes to the
//! store.
//!
//! `server` builds a [`Broker`] and serves [`web::router`]; `host` is the in-process test host.

pub mod app;
pub mod clock;
pub mod config;
pub mod enrolment;
pub mod error;
pub mod identities_cli;
pub mod logging;
pub mod login;
pub mod mitid;
pub mod model;
pub mod oidc;
pub mod onboarding;
pub mod outbox;
pub mod paths;
pub mod requests;
pub mod secrets;
pub mod seed;
pub mod server;
pub mod sim;
pub mod store;
pub mod token_cli;
pub mod web;

pub mod host;

pub use app::{Broker, Issuer};
pub use config::Config;
pub use server::{start, RunningBroker, Storage};
