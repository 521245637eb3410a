//! The `broker` binary as a user runs it.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod crash;
mod identities;
mod log_format;
mod support;
mod tls;
mod token;
