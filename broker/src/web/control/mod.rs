//! The control API under `/_sim/v1`: JSON in and out, for tests and tools. It has no
//! authentication: it binds where the broker binds and must not face a network.

mod activation;
mod api;
mod citizen_service;
mod clients;
mod devices;
mod faults;
mod identities;
mod instance;
mod logins;
mod onboarding;
pub mod openapi;
mod requests;

use axum::routing::get;
use axum::{Json, Router};
use std::sync::Arc;

use crate::app::Broker;

pub fn router() -> Router<Arc<Broker>> {
    Router::new()
        .route("/openapi.json", get(|| async { Json(openapi::document()) }))
        .merge(identities::router())
        .merge(clients::router())
        .merge(logins::router())
        .merge(faults::router())
        .merge(instance::router())
        .merge(devices::router())
        .merge(activation::router())
        .merge(citizen_service::router())
        .merge(onboarding::router())
        .merge(requests::router())
}
