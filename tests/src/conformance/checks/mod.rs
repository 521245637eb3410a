//! The conditions, as pure functions over what the OP sent: each returns `Ok` or a
//! [`Violation`] naming the condition and the specification section it is derived from.
//! Names follow the OpenID Foundation suite's condition classes where one exists.
//!
//! Spec references: `OIDCC` OpenID Connect Core 1.0, `OIDCD` OpenID Connect Discovery 1.0,
//! `OIDCR` OpenID Connect Dynamic Client Registration 1.0, `OIDCRIL` RP-Initiated Logout 1.0,
//! `OIDCBCL` Back-Channel Logout 1.0, `OAMR` OAuth 2.0 Multiple Response Types, `OAFP` Form
//! Post Response Mode, `RFC6749` OAuth 2.0, `RFC7517` JWK, `RFC7518` JWA, `RFC7591` Dynamic
//! Client Registration, `RFC8414` Authorization Server Metadata, `RFC9207` Authorization
//! Server Issuer Identification.

pub mod authorization;
pub mod discovery;
pub mod id_token;
pub mod logout_token;
pub mod token;
pub mod userinfo;

use serde_json::Value;

pub use super::report::{Check, Severity, Violation};

/// A finding list that checks are pushed into.
#[derive(Debug, Default)]
pub struct Findings(pub Vec<(Severity, Violation)>);

impl Findings {
    pub fn fail(&mut self, check: Check) -> bool {
        self.push(Severity::Failure, check)
    }

    pub fn warn(&mut self, check: Check) -> bool {
        self.push(Severity::Warning, check)
    }

    fn push(&mut self, severity: Severity, check: Check) -> bool {
        match check {
            Ok(()) => true,
            Err(v) => {
                self.0.push((severity, v));
                false
            }
        }
    }

    pub fn failures(&self) -> Vec<&Violation> {
        self.0
            .iter()
            .filter(|(s, _)| *s == Severity::Failure)
            .map(|(_, v)| v)
            .collect()
    }
}

/// A JSON NumericDate (OIDC Core section 2): a number of seconds.
pub(crate) fn numeric_date(value: Option<&Value>) -> Option<i64> {
    match value {
        Some(Value::Number(n)) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        _ => None,
    }
}

/// How far the runner lets the OP's clock and its own disagree.
pub const CLOCK_SKEW_SECONDS: i64 = 300;

/// An HTTP answer as the checks see it: status, headers (names lower-case), body.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The media type without parameters, lower-case.
    pub fn media_type(&self) -> Option<String> {
        self.header("content-type").map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
    }

    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }

    /// A JSON answer, for tests.
    pub fn json_answer(status: u16, body: &Value) -> Answer {
        Answer {
            status,
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("cache-control".into(), "no-store".into()),
            ],
            body: body.to_string(),
        }
    }
}
