//! Getting MitID and new authenticators: ordering a code viewer or code reader and activating
//! it (or the app) with the code from the letter, and Citizen Service's route for a person
//! without a suitable phone or document. Time comes in as `now` from the injected clock.
//!
//! - [`activation`]: order a code device, send the activation letter, activate.
//! - [`register`]: the simulated CPR register of fictitious people.
//! - [`case`]: a Citizen Service case as a pure state machine.
//! - [`citizen_service`]: the case's steps against the stores.

pub mod activation;
pub mod case;
pub mod citizen_service;
pub mod register;
