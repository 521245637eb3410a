//! `redirect_uri` must equal one of the client's registered URIs, byte for byte (OIDC Core
//! 3.1.2.1; RFC 9700 2.1). Only this check can make a [`VerifiedRedirect`].

use url::Url;

use crate::app::Issuer;
use crate::error::OAuthError;
use crate::model::{AuthRequest, Client, Fault, Profile, ResponseMode};
use crate::oidc::Params;

use super::AuthorizeOutcome;

/// A redirect URI proven to be registered for the client; the only way to send a response,
/// error or success, back to a client.
#[derive(Debug, Clone)]
pub struct VerifiedRedirect {
    uri: String,
    state: Option<String>,
    mode: ResponseMode,
    /// The dialect of the issuer answering (NEB's responses carry `session_state` and `iss`
    /// only on success without an ID token).
    profile: Profile,
}

pub fn check(client: &Client, params: &Params) -> Result<VerifiedRedirect, OAuthError> {
    if params.is_repeated("redirect_uri") {
        return Err(OAuthError::invalid_request(
            "redirect_uri was sent more than once",
        ));
    }
    let uri = params
        .get("redirect_uri")
        .ok_or_else(|| OAuthError::invalid_request("redirect_uri is missing"))?;
    if !client.redirect_uris.iter().any(|r| r == uri) {
        return Err(
            OAuthError::invalid_request("redirect_uri is not registered for this client")
                .with_detail(format!("client {} sent {uri:?}", client.client_id)),
        );
    }
    // A repeated `state` cannot be echoed faithfully; refuse it, but on the verified URI.
    Ok(VerifiedRedirect {
        uri: uri.to_string(),
        state: params.get("state").map(str::to_string),
        mode: ResponseMode::Query,
        profile: Profile::Standard,
    })
}

/// RFC 9207's `iss`, as the RP test kit's fault has it: right, another issuer's, or none.
fn push_iss<'a>(all: &mut Vec<(&str, &'a str)>, issuer: &'a Issuer, fault: Option<Fault>) {
    match fault {
        Some(Fault::IssParamMissing) => {}
        Some(Fault::IssParamMismatch) => all.push(("iss", "https://another-issuer.example")),
        _ => all.push(("iss", issuer.as_str())),
    }
}

impl VerifiedRedirect {
    /// The redirect of a login parked after its request passed [`check`].
    pub(super) fn of_parked(request: &AuthRequest) -> VerifiedRedirect {
        VerifiedRedirect {
            uri: request.redirect_uri.clone(),
            state: request.state.clone(),
            mode: request.response_mode,
            profile: request.profile,
        }
    }

    /// The same redirect, answered by `profile`'s issuer.
    pub fn with_profile(self, profile: Profile) -> VerifiedRedirect {
        VerifiedRedirect { profile, ..self }
    }

    /// The same redirect, answering in `mode`.
    pub fn with_mode(self, mode: ResponseMode) -> VerifiedRedirect {
        VerifiedRedirect { mode, ..self }
    }

    pub fn mode(&self) -> ResponseMode {
        self.mode
    }

    pub fn uri(&self) -> &str {
        &self.uri
    }

    pub fn state(&self) -> Option<&str> {
        self.state.as_deref()
    }

    /// A successful response: `pairs` (a code, tokens), then `state` and `iss` (RFC 9207).
    pub fn success(&self, issuer: &Issuer, pairs: &[(&str, &str)]) -> AuthorizeOutcome {
        self.respond(issuer, pairs, false, None)
    }

    /// [`VerifiedRedirect::success`] carrying the RP test kit's authorization-response fault:
    /// another `state`, another `iss`, or no `iss`.
    pub fn success_with_fault(
        &self,
        issuer: &Issuer,
        pairs: &[(&str, &str)],
        fault: Option<Fault>,
    ) -> AuthorizeOutcome {
        self.respond(issuer, pairs, false, fault)
    }

    /// An error response: `error`, `error_description`, `state` and `iss`. The error's
    /// private `detail` is logged, never sent.
    pub fn error(&self, issuer: &Issuer, error: &OAuthError) -> AuthorizeOutcome {
        self.respond(
            issuer,
            &[
                ("error", error.code.as_str()),
                ("error_description", &error.description),
            ],
            true,
            None,
        )
    }

    fn respond(
        &self,
        issuer: &Issuer,
        pairs: &[(&str, &str)],
        error: bool,
        fault: Option<Fault>,
    ) -> AuthorizeOutcome {
        let mut all: Vec<(&str, &str)> = pairs.to_vec();
        let other_state;
        if let Some(state) = &self.state {
            if fault == Some(Fault::StateMismatch) {
                other_state = format!("{state}-mismatch");
                all.push(("state", &other_state));
            } else {
                all.push(("state", state));
            }
        }
        let session_state;
        if self.profile == Profile::Neb {
            // NEB (IdentityServer): `session_state` always; `iss` only on a success without an
            // ID token (brokers.md, "Errors"; STUBID pp-session CAP-020, CAP-023).
            session_state = crate::oidc::profile::neb::session_state(&self.uri);
            all.push(("session_state", &session_state));
            if !error && !pairs.iter().any(|(k, _)| *k == "id_token") {
                push_iss(&mut all, issuer, fault);
            }
        } else {
            push_iss(&mut all, issuer, fault);
        }
        if self.mode == ResponseMode::FormPost {
            return AuthorizeOutcome::FormPost {
                action: self.uri.clone(),
                fields: all
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            };
        }
        AuthorizeOutcome::Redirect(self.url_with(&all))
    }

    /// The client's URI with `pairs` in its query or its fragment, by the response mode.
    fn url_with(&self, pairs: &[(&str, &str)]) -> String {
        // Registered URIs are validated as absolute URLs without a fragment at registration.
        let Ok(mut url) = Url::parse(&self.uri) else {
            return self.uri.clone();
        };
        match self.mode {
            ResponseMode::Fragment => {
                let encoded = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(pairs)
                    .finish();
                url.set_fragment(Some(&encoded));
            }
            _ => {
                url.query_pairs_mut().extend_pairs(pairs);
            }
        }
        url.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redirect(mode: ResponseMode) -> VerifiedRedirect {
        VerifiedRedirect {
            uri: "https://c.example/cb?x=1".into(),
            state: Some("s t".into()),
            mode,
            profile: Profile::Standard,
        }
    }

    fn location(outcome: AuthorizeOutcome) -> String {
        match outcome {
            AuthorizeOutcome::Redirect(url) => url,
            other => panic!("expected a redirect, got {other:?}"),
        }
    }

    #[test]
    fn query_mode_adds_to_the_registered_query() {
        let issuer = Issuer::new("https://op.example");
        let url = location(redirect(ResponseMode::Query).success(&issuer, &[("code", "c1")]));
        assert_eq!(
            url,
            "https://c.example/cb?x=1&code=c1&state=s+t&iss=https%3A%2F%2Fop.example"
        );
    }

    #[test]
    fn fragment_mode_keeps_the_query_and_answers_in_the_fragment() {
        let issuer = Issuer::new("https://op.example");
        let error = OAuthError::invalid_request("nonce is missing");
        let url = location(redirect(ResponseMode::Fragment).error(&issuer, &error));
        assert_eq!(
            url,
            "https://c.example/cb?x=1#error=invalid_request&error_description=nonce+is+missing\
             &state=s+t&iss=https%3A%2F%2Fop.example"
        );
    }

    #[test]
    fn form_post_mode_answers_with_the_fields_for_the_registered_uri() {
        let issuer = Issuer::new("https://op.example");
        match redirect(ResponseMode::FormPost).success(&issuer, &[("code", "c1")]) {
            AuthorizeOutcome::FormPost { action, fields } => {
                assert_eq!(action, "https://c.example/cb?x=1");
                let expected = [
                    ("code", "c1"),
                    ("state", "s t"),
                    ("iss", "https://op.example"),
                ];
                let expected: Vec<(String, String)> = expected
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                assert_eq!(fields, expected);
            }
            other => panic!("expected a form post, got {other:?}"),
        }
    }

    /// NEB's recorded responses (STUBID pp-session CAP-020, CAP-023): `session_state` always,
    /// `iss` only on a success without an ID token, none on an error.
    #[test]
    fn nebs_responses_carry_session_state_and_iss_only_where_neb_sends_it() {
        let issuer = Issuer::new("https://op.example/op");
        let neb = redirect(ResponseMode::Query).with_profile(Profile::Neb);
        let params = |url: String| -> Vec<(String, String)> {
            Url::parse(&url)
                .unwrap()
                .query_pairs()
                .into_owned()
                .collect()
        };
        let names = |pairs: &[(String, String)]| -> Vec<String> {
            pairs.iter().map(|(k, _)| k.clone()).collect()
        };
        let code = params(location(neb.success(&issuer, &[("code", "c1")])));
        assert_eq!(names(&code), ["x", "code", "state", "session_state", "iss"]);
        let state = &code.iter().find(|(k, _)| k == "session_state").unwrap().1;
        let (hash, salt) = state.split_once('.').unwrap();
        assert_eq!(hash.len(), 43);
        assert!(
            salt.len() == 32
                && salt
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase())
        );
        let hybrid = params(location(
            neb.success(&issuer, &[("code", "c1"), ("id_token", "t")]),
        ));
        assert!(!names(&hybrid).contains(&"iss".to_string()));
        let error = OAuthError::new(crate::error::ErrorCode::AccessDenied, "mitid_user_aborted");
        let refused = params(location(neb.error(&issuer, &error)));
        assert_eq!(
            names(&refused),
            ["x", "error", "error_description", "state", "session_state"]
        );
    }
}
