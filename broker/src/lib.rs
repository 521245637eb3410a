//! A simulated Danish identity broker: an OpenID Provider that behaves like the MitID brokers,
//! for building and testing logins. No real identity is ever verified.
//!
//! Data flows one way: `web` (axum handlers) -> `oidc` / `login` (the protocol core, which takes
//! `now` and no HTTP types) -> `store` and `keys`.

pub mod app;
pub mod clock;
pub mod config;
pub mod enrolment;
pub mod error;
pub mod identities_cli;
pub mod login;
pub mod mitid;
pub mod model;
pub mod oidc;
pub mod onboarding;
pub mod outbox;
pub mod paths;
pub mod secrets;
pub mod seed;
pub mod server;
pub mod store;
pub mod web;

pub mod host;

pub use app::{Broker, Issuer};
pub use config::Config;
pub use server::{start, RunningBroker, Storage};
