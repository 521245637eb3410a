//! Protocol errors to HTTP: JSON with `Cache-Control: no-store` at the token-style endpoints
//! (RFC 6749 5.2), `WWW-Authenticate: Bearer` at userinfo (RFC 6750 3).

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, PRAGMA, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::error::{ErrorCode, OAuthError};
use crate::model::Profile;
use crate::oidc::token::TokenError;
use crate::oidc::userinfo::BearerError;

/// A JSON body that must not be cached (tokens, token errors, userinfo).
/// The answer to a form (Post/Redirect/Get): 303 to the page to show next, not cached.
pub fn see_other(location: impl Into<String>) -> Response {
    (
        StatusCode::SEE_OTHER,
        [
            (axum::http::header::LOCATION, location.into()),
            (CACHE_CONTROL, "no-store".to_string()),
        ],
    )
        .into_response()
}

pub fn no_store_json(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    let h = response.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// A signed JSON response (`application/jwt`, OIDC Core 5.3.2), not to be cached.
pub fn no_store_jwt(jwt: &str) -> Response {
    let mut response = (StatusCode::OK, jwt.to_string()).into_response();
    let h = response.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("application/jwt"));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// The OAuth error a response carries, for the request log (never the private `detail`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnsweredError {
    pub code: String,
    pub description: Option<String>,
}

/// Notes `error` in `response`'s extensions for the request log.
pub fn mark(response: &mut Response, error: &OAuthError) {
    response.extensions_mut().insert(AnsweredError {
        code: error.code.as_str().to_string(),
        description: Some(error.description.to_string()),
    });
}

fn log(error: &OAuthError) {
    match (&error.detail, error.code) {
        (Some(detail), ErrorCode::ServerError) => {
            tracing::error!(detail, "server error")
        }
        (Some(detail), _) => tracing::info!(error = error.code.as_str(), detail, "request refused"),
        _ => {}
    }
}

fn error_body(error: &OAuthError) -> Value {
    json!({ "error": error.code.as_str(), "error_description": error.description })
}

pub fn token_error(e: &TokenError) -> Response {
    log(&e.error);
    let status = match e.error.code {
        ErrorCode::InvalidClient => StatusCode::UNAUTHORIZED,
        ErrorCode::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    };
    let mut response = no_store_json(status, &error_body(&e.error));
    if status == StatusCode::UNAUTHORIZED && e.basic_challenge {
        response.headers_mut().insert(
            WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"token\", charset=\"UTF-8\""),
        );
    }
    mark(&mut response, &e.error);
    response
}

/// An RFC 6749-style JSON error: 401 for `invalid_client`, 500 for `server_error`, else 400
/// (registration, PAR).
pub fn json_error(error: &OAuthError) -> Response {
    token_error(&TokenError {
        error: error.clone(),
        basic_challenge: false,
    })
}

/// A token-endpoint error in the envelope of `profile`'s real broker: NEB answers a bare
/// `{"error": ...}` with 400 even for `invalid_client` and no challenge; Signicat adds
/// `error_uri`; both with `Cache-Control: no-store, no-cache, max-age=0` (brokers.md).
pub fn token_error_as(profile: Profile, issuer: &str, e: &TokenError) -> Response {
    let body = match profile {
        Profile::Standard | Profile::Idura => return token_error(e),
        Profile::Neb => json!({ "error": e.error.code.as_str() }),
        Profile::Signicat => json!({
            "error": e.error.code.as_str(),
            "error_uri": format!("{issuer}/config/errors/{}", e.error.code.as_str()),
            "error_description": e.error.description,
        }),
    };
    log(&e.error);
    let status = match e.error.code {
        ErrorCode::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    };
    let mut response = no_store_json(status, &body);
    let h = response.headers_mut();
    h.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache, max-age=0"),
    );
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    mark(&mut response, &e.error);
    response
}

/// A userinfo refusal in `profile`'s envelope: NEB and Signicat (IdentityServer) answer 401
/// with an empty body and `Bearer realm="IdentityServer",error="invalid_token"`.
pub fn bearer_error_as(profile: Profile, e: &BearerError, realm: &str) -> Response {
    match profile {
        Profile::Neb | Profile::Signicat => {
            if let Some(error) = &e.error {
                log(error);
            }
            let mut response = StatusCode::UNAUTHORIZED.into_response();
            response.headers_mut().insert(
                WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"IdentityServer\",error=\"invalid_token\""),
            );
            if let Some(error) = &e.error {
                mark(&mut response, error);
            }
            response
        }
        Profile::Standard | Profile::Idura => bearer_error(e, realm),
    }
}

pub fn bearer_error(e: &BearerError, realm: &str) -> Response {
    let Some(error) = &e.error else {
        let mut response = StatusCode::UNAUTHORIZED.into_response();
        if let Ok(v) = HeaderValue::from_str(&format!("Bearer realm=\"{realm}\"")) {
            response.headers_mut().insert(WWW_AUTHENTICATE, v);
        }
        return response;
    };
    log(error);
    let status = match error.code {
        ErrorCode::InvalidRequest => StatusCode::BAD_REQUEST,
        ErrorCode::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::UNAUTHORIZED,
    };
    let mut response = no_store_json(status, &error_body(error));
    let challenge = format!(
        "Bearer realm=\"{realm}\", error=\"{}\", error_description=\"{}\"",
        error.code.as_str(),
        error.description.replace(['"', '\\'], "'")
    );
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        response.headers_mut().insert(WWW_AUTHENTICATE, v);
    }
    mark(&mut response, error);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_client_with_basic_is_401_with_challenge_and_no_store() {
        let r = token_error(&TokenError {
            error: OAuthError::invalid_client("nope"),
            basic_challenge: true,
        });
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert!(r.headers()[WWW_AUTHENTICATE]
            .to_str()
            .unwrap()
            .starts_with("Basic"));
        assert_eq!(r.headers()[CACHE_CONTROL], "no-store");
    }

    #[test]
    fn invalid_grant_is_400_without_challenge() {
        let r = token_error(&TokenError {
            error: OAuthError::invalid_grant("used"),
            basic_challenge: true,
        });
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert!(r.headers().get(WWW_AUTHENTICATE).is_none());
    }

    #[test]
    fn bearer_invalid_token_is_401_with_error_in_challenge() {
        let r = bearer_error(
            &BearerError {
                error: Some(OAuthError::new(ErrorCode::InvalidToken, "bad \"token\"")),
            },
            "x",
        );
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let challenge = r.headers()[WWW_AUTHENTICATE].to_str().unwrap();
        assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    }
}
