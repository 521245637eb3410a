//! The `demo-mailbox` binary as a user runs it.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod log_format;
