//! Getting MitID and new authenticators: ordering a code viewer or code reader and activating
//! it (or the app) with the code from the letter, and Citizen Service's route for a person
//! without a suitable phone or document. Time comes in as `now` from the injected clock.
//!
//! - [`activation`]: order a code device, send the activation letter, activate.

pub mod activation;
