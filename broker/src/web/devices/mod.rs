//! The simulator's own pages, beside the login: the simulated devices (the app, code viewer,
//! code reader, chip, key card) and the outbox, activating a new device with the code from its
//! letter, the Citizen Service desk, and getting MitID in the app (onboarding).

pub mod activation;
pub mod authenticators;
pub mod citizen_service;
pub mod onboarding;

use axum::Router;
use std::sync::Arc;

use crate::app::Broker;

pub fn router() -> Router<Arc<Broker>> {
    authenticators::router()
        .merge(activation::router())
        .merge(citizen_service::router())
        .merge(onboarding::router())
}
