//! A request as the request log captures it on the request path, and the stored entry it
//! becomes off the request path.
//!
//! The request path keeps what it cannot get later and nothing more:
//! - the parameters, already redacted, as one form-encoded string;
//! - the client and the login;
//! - the error the handler answered;
//! - the redirect's `Location` and the answer's body, shared with the response and not copied.
//!
//! [`Captured::stored`] runs when the log is written, on a blocking thread. It redacts the
//! redirect and the answer, keeps the tokens' unsigned parts, and serialises the entry straight
//! from the captured parts (no owned [`crate::model::LoggedRequest`] in between). The location
//! and the answer carry a code or tokens until then: they wait in memory (at most
//! [`super::FLUSH_EVERY`] and [`super::MEMORY`] entries) and are redacted before anything is
//! written or shown. `Captured` has no `Debug`, so they cannot reach a log line.

use axum::body::Bytes;
use axum::http::{HeaderValue, Method};
use serde_json::value::RawValue;
use serde_json::Value;
use std::borrow::Cow;

use super::redact::{self, RedactedObject};
use crate::clock::UnixTime;
use crate::model::{LoggedJwt, Profile, StoredRequest};

/// One request to an OpenID Provider endpoint and its answer, as captured.
pub struct Captured {
    pub at: UnixTime,
    pub method: Method,
    /// The path as requested, without the query.
    pub path: String,
    pub endpoint: &'static str,
    pub profile: Profile,
    pub client_id: Option<String>,
    pub login_id: Option<String>,
    /// The query's and the form body's parameters, form-encoded, secrets redacted
    /// ([`redact::encoded_into`]).
    pub params: String,
    /// The `Authorization` header's scheme, never its value.
    pub authorization: Option<String>,
    pub status: u16,
    pub error: Option<String>,
    pub error_description: Option<String>,
    /// The redirect's target as answered (redacted when stored).
    pub location: Option<HeaderValue>,
    /// The JSON or JWT answer as answered (redacted when stored).
    pub answer: Option<Answer>,
    pub duration_us: u64,
}

/// A request's parameters as the request path captures them: redacted into one form-encoded
/// string ([`redact::encoded_into`]), and in the same pass the client they name.
#[derive(Default)]
pub struct CapturedParams {
    text: String,
    client_id: Option<String>,
    assertion: Option<String>,
}

impl CapturedParams {
    /// Adds a query's or a form body's parameters, after those added before.
    pub fn add(&mut self, encoded: &[u8]) {
        let CapturedParams {
            text,
            client_id,
            assertion,
        } = self;
        redact::encoded_into(encoded, text, |name, pair| match name {
            "client_id" if client_id.is_none() => *client_id = Some(redact::value_of(pair)),
            "client_assertion" if assertion.is_none() => *assertion = Some(redact::value_of(pair)),
            _ => {}
        });
    }

    /// The redacted text, and the client the request names: its `client_id`, else the HTTP
    /// Basic user of `authorization`, else the `sub` of its client assertion.
    pub fn finish(self, authorization: Option<&str>) -> (String, Option<String>) {
        let client = self
            .client_id
            .or_else(|| authorization.and_then(redact::basic_client_id))
            .or_else(|| {
                let decoded = redact::decode_jwt(&self.assertion?)?;
                decoded.claims.get("sub")?.as_str().map(str::to_string)
            });
        (self.text, client)
    }
}

/// An answer's body worth keeping.
pub enum Answer {
    Json(Bytes),
    /// A signed userinfo answer.
    Jwt(Bytes),
}

impl Captured {
    /// The stored entry: what a [`crate::model::LoggedRequest`] reads back, with a new id.
    pub fn stored(self) -> serde_json::Result<StoredRequest> {
        let Captured {
            at,
            method,
            path,
            endpoint,
            profile,
            client_id,
            login_id,
            params,
            authorization,
            status,
            mut error,
            mut error_description,
            location,
            answer,
            duration_us,
        } = self;
        let location = location.and_then(|url| {
            let (redacted, sent_error, sent_description) =
                redact::location_and_error(url.to_str().ok()?);
            // An error sent to the client in the redirect.
            if error.is_none() {
                error = sent_error;
                error_description = sent_description;
            }
            Some(redacted)
        });
        let (mut response, mut id_token, mut access_token) = (None, None, None);
        match answer {
            Some(Answer::Jwt(bytes)) => {
                // A signed userinfo answer: its claims.
                response = std::str::from_utf8(&bytes)
                    .ok()
                    .and_then(redact::decode_jwt)
                    .and_then(|jwt| text_of(&redact::json(jwt.claims)));
            }
            Some(Answer::Json(bytes)) => {
                if let Some(answer) = RedactedObject::of(&bytes) {
                    // The usual answer, an object: copied member by member.
                    id_token = answer.string("id_token").as_deref().and_then(LoggedJwt::of);
                    access_token = answer
                        .string("access_token")
                        .as_deref()
                        .and_then(LoggedJwt::of);
                    if error.is_none() {
                        error = answer.string("error").map(Cow::into_owned);
                        error_description = answer.string("error_description").map(Cow::into_owned);
                    }
                    response = Some(answer.text);
                } else if let Ok(answer) = serde_json::from_slice::<Value>(&bytes) {
                    // Anything else (an escaped member name): through a tree.
                    let token = |name: &str| answer.get(name).and_then(Value::as_str);
                    id_token = token("id_token").and_then(LoggedJwt::of);
                    access_token = token("access_token").and_then(LoggedJwt::of);
                    if error.is_none() {
                        error = token("error").map(str::to_string);
                        error_description = token("error_description").map(str::to_string);
                    }
                    response = text_of(&redact::json(answer));
                }
            }
            None => {}
        }
        let row = Row {
            id: crate::secrets::random_id(),
            at,
            method: method.as_str(),
            path: &path,
            endpoint,
            profile,
            client_id: client_id.as_deref(),
            login_id: login_id.as_deref(),
            params: &params,
            authorization: authorization.as_deref(),
            status,
            error: error.as_deref(),
            error_description: error_description.as_deref(),
            location: location.as_deref(),
            response: response.as_deref(),
            id_token: id_token.as_ref(),
            access_token: access_token.as_ref(),
            duration_us,
        };
        let data = serde_json::to_string(&row)?;
        Ok(StoredRequest {
            at,
            client_id,
            login_id,
            data,
        })
    }
}

/// `value` as JSON text.
fn text_of(value: &Value) -> Option<Box<RawValue>> {
    RawValue::from_string(value.to_string()).ok()
}

/// A [`crate::model::LoggedRequest`] borrowed from its captured parts: the same members, so the
/// store reads it back as one (the tests below hold the two together).
#[derive(serde::Serialize)]
struct Row<'a> {
    id: String,
    at: UnixTime,
    method: &'a str,
    path: &'a str,
    endpoint: &'a str,
    profile: Profile,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    login_id: Option<&'a str>,
    /// The redacted form-encoded text as it is: [`crate::model::LoggedRequest`] reads it
    /// back as its list of parameters (fewer bytes to write, nothing decoded until listed).
    params: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    authorization: Option<&'a str>,
    status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response: Option<&'a RawValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id_token: Option<&'a LoggedJwt>,
    #[serde(skip_serializing_if = "Option::is_none")]
    access_token: Option<&'a LoggedJwt>,
    duration_us: u64,
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::model::{DecodedJwt, LoggedRequest, Param, REDACTED};
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use serde_json::json;

    const SECRET: &str = "s3cr3t-VALUE";

    /// A token request's entry with a secret in its parameters.
    pub(in crate::requests) fn captured() -> Captured {
        let mut params = String::new();
        redact::encoded_into(
            format!("client_id=app&redirect_uri=https%3A%2F%2Frp%2Fcb&code={SECRET}").as_bytes(),
            &mut params,
            |_, _| {},
        );
        Captured {
            at: 1_700_000_000,
            method: Method::POST,
            path: "/token".into(),
            endpoint: "token",
            profile: Profile::Standard,
            client_id: Some("app".into()),
            login_id: Some("t1".into()),
            params,
            authorization: Some("Basic".into()),
            status: 200,
            error: None,
            error_description: None,
            location: None,
            answer: None,
            duration_us: 42,
        }
    }

    fn read_back(captured: Captured) -> (StoredRequest, LoggedRequest) {
        let stored = captured.stored().unwrap();
        assert!(!stored.data.contains(SECRET), "{}", stored.data);
        let entry: LoggedRequest = serde_json::from_str(&stored.data).unwrap();
        (stored, entry)
    }

    /// A compact JWS of `header` and `claims` with `signature` as its third part.
    fn jws(header: Value, claims: Value, signature: &str) -> String {
        let part = |v: Value| URL_SAFE_NO_PAD.encode(v.to_string());
        format!("{}.{}.{signature}", part(header), part(claims))
    }

    #[test]
    fn a_captured_request_reads_back_as_the_entry_it_was() {
        let id_token = jws(
            json!({"alg": "RS256", "kid": "k1"}),
            json!({"sub": "s", "nonce": "n"}),
            SECRET,
        );
        let answer = json!({
            "access_token": SECRET,
            "refresh_token": SECRET,
            "id_token": id_token,
            "token_type": "Bearer",
            "expires_in": 600,
        });
        let captured = Captured {
            answer: Some(Answer::Json(Bytes::from(answer.to_string()))),
            ..captured()
        };
        let (stored, entry) = read_back(captured);
        assert_eq!(stored.at, 1_700_000_000);
        assert_eq!(stored.client_id.as_deref(), Some("app"));
        assert_eq!(stored.login_id.as_deref(), Some("t1"));
        let expected = LoggedRequest {
            id: entry.id.clone(),
            at: 1_700_000_000,
            method: "POST".into(),
            path: "/token".into(),
            endpoint: "token".into(),
            profile: Profile::Standard,
            client_id: Some("app".into()),
            login_id: Some("t1".into()),
            params: vec![
                Param {
                    name: "client_id".into(),
                    value: "app".into(),
                },
                Param {
                    name: "redirect_uri".into(),
                    value: "https://rp/cb".into(),
                },
                Param {
                    name: "code".into(),
                    value: REDACTED.into(),
                },
            ],
            authorization: Some("Basic".into()),
            status: 200,
            error: None,
            error_description: None,
            location: None,
            response: Some(json!({
                "access_token": REDACTED,
                "refresh_token": REDACTED,
                "id_token": REDACTED,
                "token_type": "Bearer",
                "expires_in": 600,
            })),
            id_token: Some(LoggedJwt::Unsigned(
                id_token.rsplit_once('.').unwrap().0.to_string(),
            )),
            access_token: None,
            duration_us: 42,
        };
        assert_eq!(entry, expected);
        assert_eq!(entry.id.len(), 22, "a fresh random id");
        assert_eq!(
            entry.id_token.unwrap().decode(),
            Some(DecodedJwt {
                header: json!({"alg": "RS256", "kid": "k1"}),
                claims: json!({"sub": "s", "nonce": "n"}),
            })
        );
    }

    #[test]
    fn the_error_comes_from_the_handler_then_the_redirect_then_the_answer() {
        let redirect = |error: Option<&str>| Captured {
            error: error.map(str::to_string),
            location: Some(HeaderValue::from_static(
                "https://rp/cb?error=access_denied&error_description=no&state=1",
            )),
            ..captured()
        };
        let (_, entry) = read_back(redirect(None));
        assert_eq!(entry.error.as_deref(), Some("access_denied"));
        assert_eq!(entry.error_description.as_deref(), Some("no"));
        let (_, entry) = read_back(redirect(Some("server_error")));
        assert_eq!(entry.error.as_deref(), Some("server_error"));
        assert_eq!(entry.error_description, None);

        let answered = Captured {
            status: 400,
            answer: Some(Answer::Json(Bytes::from_static(
                br#"{"error":"invalid_grant","error_description":"spent"}"#,
            ))),
            ..captured()
        };
        let (_, entry) = read_back(answered);
        assert_eq!(entry.error.as_deref(), Some("invalid_grant"));
        assert_eq!(entry.error_description.as_deref(), Some("spent"));
    }

    #[test]
    fn a_redirect_and_a_signed_answer_lose_their_secrets() {
        let signed = jws(
            json!({"alg": "RS256"}),
            json!({"sub": "s", "refresh_token": SECRET}),
            "sig",
        );
        let captured = Captured {
            location: Some(
                HeaderValue::from_str(&format!("https://rp/cb?code={SECRET}&state=1")).unwrap(),
            ),
            answer: Some(Answer::Jwt(Bytes::from(signed))),
            ..captured()
        };
        let (_, entry) = read_back(captured);
        assert_eq!(
            entry.location.as_deref(),
            Some("https://rp/cb?code=%5Bredacted%5D&state=1")
        );
        assert_eq!(
            entry.response,
            Some(json!({"sub": "s", "refresh_token": REDACTED}))
        );
        assert_eq!(entry.error, None);
    }

    #[test]
    fn the_client_is_the_client_id_then_http_basic_then_the_assertion() {
        let assertion = jws(
            json!({"alg": "RS256"}),
            json!({"sub": "by-assertion"}),
            "sig",
        );
        let basic = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("by%2Dbasic:pw")
        );
        let capture = |query: &str, form: &str, authorization: Option<&str>| {
            let mut params = CapturedParams::default();
            params.add(query.as_bytes());
            params.add(form.as_bytes());
            params.finish(authorization)
        };
        let form = format!("client_assertion={assertion}&client_id=by%20id");
        let (text, client) = capture("scope=openid", &form, Some(&basic));
        assert_eq!(client.as_deref(), Some("by id"));
        assert_eq!(
            text,
            "scope=openid&client_assertion=[redacted]&client_id=by%20id"
        );
        let form = format!("client_assertion={assertion}");
        assert_eq!(
            capture("", &form, Some(&basic)).1.as_deref(),
            Some("by-basic")
        );
        assert_eq!(capture("", &form, None).1.as_deref(), Some("by-assertion"));
        assert_eq!(capture("scope=openid", "", None).1, None);
    }

    #[test]
    fn an_answer_that_is_not_json_is_left_out() {
        let captured = Captured {
            answer: Some(Answer::Json(Bytes::from_static(b"not json"))),
            ..captured()
        };
        let (_, entry) = read_back(captured);
        assert_eq!(entry.response, None);
        assert_eq!(entry.id_token, None);
    }
}
