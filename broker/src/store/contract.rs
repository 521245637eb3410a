//! The storage contract: one suite, run against every implementation.
