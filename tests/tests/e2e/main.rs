//! End-to-end tests over real HTTP: each test starts its own broker on port 0 with an
//! in-memory store and a manual clock, so tests run in any order and in parallel.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod activation;
mod attempts;
mod backchannel;
mod block_screens;
mod business_claims;
mod citizen_service;
mod client_jwt;
mod conformance;
mod control;
mod cors;
mod dashboard;
mod decisions;
mod device_pages;
mod discovery;
mod fault_documents;
mod faults;
mod finishing;
mod flow;
mod frontchannel;
mod guard;
mod logout;
mod mailbox;
mod mailbox_access;
mod mailbox_business_access;
mod mailbox_logout;
mod mailbox_org_access;
mod mailbox_profiles;
mod mitid_claims;
mod negative;
mod onboarding;
mod one_truth;
mod outbound;
mod profile_idura;
mod profile_neb;
mod profile_signicat;
mod profiles;
mod refresh;
mod registration;
mod replicas;
mod request_log;
mod request_objects;
mod request_parameters;
mod response_types;
mod restart;
mod screens;
mod screens_app;
mod screens_authenticators;
mod screens_outcomes;
mod support;
mod tls;
mod tokens;
