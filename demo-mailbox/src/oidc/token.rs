//! Finishing a login: the token request (client_secret_basic + PKCE verifier), ID token
//! validation (OpenID Connect Core §3.1.3.7), the level of assurance and the person, as the
//! broker's dialect says them ([`super::dialect`]).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use openidconnect::core::{CoreIdToken, CoreIdTokenClaims, CoreTokenResponse};
use openidconnect::{
    AccessTokenHash, AuthorizationCode, ClaimsVerificationError, Nonce, OAuth2TokenResponse,
    SignatureVerificationError, TokenResponse,
};
use serde_json::{Map, Value};

use super::dialect::Dialect;
use super::extra_claims::verified_claims;
use super::{PendingLogin, Provider, RelyingParty};
use crate::access::Cpr;
use crate::session::BusinessLogin;

/// How far in the future an ID token's `iat` may lie (clock skew between broker and mailbox).
const MAX_IAT_SKEW: Duration = Duration::from_secs(5 * 60);

/// A login the broker vouched for and the mailbox checked.
pub struct VerifiedLogin {
    /// The broker's subject identifier.
    pub sub: String,
    /// The broker's session id (the dialect's `sid` or `sessionindex`), which a back-channel
    /// logout names.
    pub sid: Option<String>,
    /// The CPR number (`dk.cpr`, `cprNumberIdentifier` or `nin`; userinfo, else the ID token),
    /// when the broker sent a well-formed one.
    pub cpr: Option<Cpr>,
    /// The business of a MitID Erhverv login, as the dialect names it (standard and NEB:
    /// `idp` is `mitid_erhverv` and userinfo has `nemlogin.cvr`, eight digits, and
    /// `nemlogin.org_name`; Idura: `cvrNumberIdentifier` and `2.5.4.10`).
    pub business: Option<BusinessLogin>,
    /// The person's name for display (userinfo, else ID token, else the subject).
    pub name: String,
    /// The verified ID token, kept for `id_token_hint` at logout.
    pub id_token: CoreIdToken,
}

/// Why a callback with a code did not end in a login. The messages are for logs; the page
/// shown to the person is chosen by variant.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// The broker did not give tokens for the code.
    #[error("the token request failed: {0}")]
    TokenRequest(String),
    /// The token response had no `id_token`.
    #[error("the token response has no id_token")]
    NoIdToken,
    /// The ID token failed validation (signature, iss, aud, azp, exp, iat, nonce).
    #[error("the ID token was rejected: {0}")]
    IdTokenRejected(String),
    /// The access token does not match the ID token's `at_hash`.
    #[error("the access token does not match the ID token's at_hash")]
    AccessTokenMismatch,
    /// The userinfo request failed. It carries the CPR number that names the person's
    /// mailbox, so without it the login cannot tell which mailbox to open.
    #[error("the userinfo request failed: {0}")]
    UserInfo(String),
    /// The login's level (`acr`, or the dialect's claim) is below NSIS Substantial, or
    /// missing.
    #[error("the login's level of assurance ({found:?}) is below Substantial")]
    AssuranceTooLow {
        /// The level the ID token carried.
        found: Option<String>,
    },
}

struct CheckedIdToken {
    sub: String,
    /// Every claim of the verified token, for the dialect to read.
    claims: Map<String, Value>,
}

impl RelyingParty {
    /// Exchanges `code` and validates the result against `login`. The provider's signing keys
    /// are fetched again once if the ID token names a key we do not know (key rotation).
    pub async fn finish_login(
        &self,
        provider: Arc<Provider>,
        login: PendingLogin,
        code: AuthorizationCode,
    ) -> Result<VerifiedLogin, LoginError> {
        let PendingLogin {
            nonce,
            pkce_verifier,
            ..
        } = login;
        let token_response: CoreTokenResponse = provider
            .client
            .exchange_code(code)
            .map_err(|error| LoginError::TokenRequest(error.to_string()))?
            .set_pkce_verifier(pkce_verifier)
            .request_async(&self.http)
            .await
            .map_err(|error| LoginError::TokenRequest(describe_token_error(&error)))?;
        let id_token = token_response.id_token().ok_or(LoginError::NoIdToken)?;

        let (provider, checked) =
            match self.check_id_token(&provider, &token_response, id_token, &nonce) {
                Err(LoginError::IdTokenRejected(_))
                    if names_unknown_key(&provider, id_token, &nonce) =>
                {
                    let fresh = self
                        .rediscover(&provider)
                        .await
                        .map_err(|error| LoginError::IdTokenRejected(error.to_string()))?;
                    let checked = self.check_id_token(&fresh, &token_response, id_token, &nonce)?;
                    (fresh, checked)
                }
                other => (provider.clone(), other?),
            };

        let userinfo = self
            .fetch_userinfo(&provider, &token_response, &checked.sub)
            .await
            .map_err(LoginError::UserInfo)?;
        let claimed = self.dialect.read(&checked.claims, &userinfo);
        let cpr = claimed.cpr.and_then(|text| match Cpr::parse(&text) {
            Ok(cpr) => Some(cpr),
            Err(_) => {
                tracing::warn!(
                    claim = self.dialect.cpr_claim,
                    "the broker sent a malformed CPR number; logging in without it"
                );
                None
            }
        });
        let business = claimed.business.map(|business| BusinessLogin {
            cvr: business.cvr,
            name: business.name,
            may_represent: business.may_represent,
        });
        Ok(VerifiedLogin {
            cpr,
            business,
            name: claimed.name.unwrap_or_else(|| checked.sub.clone()),
            sub: checked.sub,
            sid: claimed.session,
            id_token: id_token.clone(),
        })
    }

    fn check_id_token(
        &self,
        provider: &Provider,
        token_response: &CoreTokenResponse,
        id_token: &CoreIdToken,
        nonce: &Nonce,
    ) -> Result<CheckedIdToken, LoginError> {
        let now_clock = self.clock.clone();
        let iat_clock = self.clock.clone();
        let verifier = provider
            .client
            .id_token_verifier()
            .set_time_fn(move || now_clock.now().into())
            .set_issue_time_verifier_fn(move |iat| {
                if SystemTime::from(iat) > iat_clock.now() + MAX_IAT_SKEW {
                    Err(format!("issued in the future ({iat})"))
                } else {
                    Ok(())
                }
            });
        let rejected =
            |error: ClaimsVerificationError| LoginError::IdTokenRejected(error.to_string());
        let claims = id_token.claims(&verifier, nonce).map_err(rejected)?;
        check_authorized_party(claims, &self.client_id)?;

        if let Some(expected) = claims.access_token_hash() {
            let signature_error =
                |error: SignatureVerificationError| LoginError::IdTokenRejected(error.to_string());
            let alg = id_token.signing_alg().map_err(signature_error)?;
            let key = id_token.signing_key(&verifier).map_err(signature_error)?;
            let actual = AccessTokenHash::from_token(token_response.access_token(), alg, key)
                .map_err(|error| LoginError::IdTokenRejected(error.to_string()))?;
            if actual != *expected {
                return Err(LoginError::AccessTokenMismatch);
            }
        }

        // Read only now: the token passed verification above.
        let raw = verified_claims(id_token);
        check_assurance(self.dialect, &raw)?;
        Ok(CheckedIdToken {
            sub: claims.subject().as_str().to_owned(),
            claims: raw,
        })
    }
}

/// Core §3.1.3.7 items 4–5: if `azp` is present it must be this client; with several audiences
/// it must be present. (Untrusted extra audiences are already refused by the verifier.)
fn check_authorized_party(
    claims: &CoreIdTokenClaims,
    client_id: &openidconnect::ClientId,
) -> Result<(), LoginError> {
    match claims.authorized_party() {
        Some(azp) if azp.as_str() != client_id.as_str() => Err(LoginError::IdTokenRejected(
            format!("azp is {}, not this client", azp.as_str()),
        )),
        None if claims.audiences().len() > 1 => Err(LoginError::IdTokenRejected(
            "several audiences but no azp".to_owned(),
        )),
        _ => Ok(()),
    }
}

/// The mailbox needs NSIS Substantial or High (Digital Post requires Substantial), as the
/// dialect says it in the verified ID token.
pub fn check_assurance(dialect: &Dialect, id_token: &Map<String, Value>) -> Result<(), LoginError> {
    dialect
        .check_level(id_token)
        .map_err(|found| LoginError::AssuranceTooLow { found })
}

/// Whether the cached JWKS cannot name the ID token's key: it lacks the `kid`, or the token has
/// no `kid` and several keys could have signed it (fetched again, the keys may settle it).
fn names_unknown_key(provider: &Provider, id_token: &CoreIdToken, nonce: &Nonce) -> bool {
    let verifier = provider.client.id_token_verifier();
    matches!(
        id_token.claims(&verifier, nonce),
        Err(ClaimsVerificationError::SignatureVerification(
            SignatureVerificationError::NoMatchingKey
                | SignatureVerificationError::AmbiguousKeyId(_)
        ))
    )
}

/// The token endpoint's error without anything secret: the OAuth error code and description,
/// or the transport failure.
fn describe_token_error<E: std::error::Error>(
    error: &openidconnect::RequestTokenError<
        E,
        openidconnect::StandardErrorResponse<openidconnect::core::CoreErrorResponseType>,
    >,
) -> String {
    match error {
        openidconnect::RequestTokenError::ServerResponse(response) => response.to_string(),
        openidconnect::RequestTokenError::Request(error) => format!("request failed: {error}"),
        openidconnect::RequestTokenError::Parse(error, _body) => {
            format!("unreadable token response: {error}")
        }
        openidconnect::RequestTokenError::Other(error) => error.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ACR_HIGH, ACR_SUBSTANTIAL};
    use crate::oidc::dialect::{IDURA, STANDARD};
    use serde_json::json;

    fn acr(value: &str) -> Map<String, Value> {
        let mut claims = Map::new();
        claims.insert("acr".into(), json!(value));
        claims
    }

    #[test]
    fn substantial_and_high_are_enough() {
        assert!(check_assurance(&STANDARD, &acr(ACR_SUBSTANTIAL)).is_ok());
        assert!(check_assurance(&STANDARD, &acr(ACR_HIGH)).is_ok());
    }

    #[test]
    fn low_or_missing_assurance_is_refused() {
        let low = "https://data.gov.dk/concept/core/nsis/Low";
        assert!(matches!(
            check_assurance(&STANDARD, &acr(low)),
            Err(LoginError::AssuranceTooLow { found: Some(found) }) if found == low
        ));
        assert!(matches!(
            check_assurance(&STANDARD, &Map::new()),
            Err(LoginError::AssuranceTooLow { found: None })
        ));
        // Idura says the level in loA, not acr.
        assert!(matches!(
            check_assurance(&IDURA, &acr(ACR_SUBSTANTIAL)),
            Err(LoginError::AssuranceTooLow { found: None })
        ));
    }
}
