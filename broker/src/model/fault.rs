//! The RP test kit's faults: one defect each, on demand, in the next matching response to a
//! client, so a relying party can prove it refuses what it must (and accepts what it may).
//! Names follow the OpenID Foundation's client test modules (`oidcc-client-test-<name>` in
//! openid-certification/conformance-suite) where one exists.

use serde::{Deserialize, Serialize};

use crate::clock::UnixTime;
use crate::model::{ClientId, TxnId};

/// A supported fault. Its serde name is its catalogue name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fault {
    InvalidIss,
    InvalidAud,
    InvalidSigRs256,
    IdtokenSigNone,
    MissingSub,
    MissingIat,
    NonceInvalid,
    Expired,
    IatInFuture,
    InvalidAtHash,
    InvalidCHash,
    SigningKeyRotation,
    SigningKeyRotationJustBeforeSigning,
    AlgConfusionHs256,
    KidUnknown,
    IssParamMismatch,
    IssParamMissing,
    StateMismatch,
    LogoutTokenBadSignature,
    LogoutTokenNoEvents,
    LogoutTokenWithNonce,
    LogoutTokenWrongAud,
    UserinfoInvalidSub,
    #[serde(rename = "userinfo-500")]
    Userinfo500,
    TokenEndpointError,
    RefreshTokenInvalidIssuer,
    KidAbsentSingleJwks,
    KidAbsentMultipleJwks,
    DiscoveryIssuerMismatch,
    JwksUnreachable,
    TokenEndpointSlow,
}

/// Where a fault shows: the response that takes it from the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// The ID token of the token endpoint's authorization-code response (or of an implicit or
    /// hybrid authorization response).
    IdToken,
    /// The redirect back to the client (RFC 6749 4.1.2, RFC 9207).
    AuthorizationResponse,
    /// The token endpoint's answer to an authorization code.
    TokenEndpoint,
    /// The userinfo response.
    Userinfo,
    /// The ID token of a refresh-token response.
    RefreshIdToken,
    /// The ID token of a hybrid authorization response (beside a code, so with `c_hash`).
    HybridIdToken,
    /// The logout token of a back-channel logout (Back-Channel Logout 1.0, 2.4).
    LogoutToken,
    /// The client's own discovery document (`{issuer}/rp-test-kit/{client_id}/...`).
    Discovery,
}

/// What a correct relying party does with the faulty response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    Refuse,
    Accept,
    /// The spec lets the RP check it (a MAY or a "can"), so a careful RP refuses, and one that
    /// accepts is not wrong: a warning, not a failure.
    ShouldRefuse,
    /// Either is right (the OIDF suite passes both): refusing, or going on after doing what
    /// the fault asks (trying each key; fetching the keys again).
    Either,
}

/// A fault's entry in the catalogue.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct FaultSpec {
    pub name: Fault,
    /// The OIDF client test module it mirrors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oidf_module: Option<&'static str>,
    pub stage: Stage,
    pub changes: &'static str,
    pub expect: Expect,
    /// The fault shows in the client's own discovery document or JWKS
    /// (`{issuer}/rp-test-kit/{client_id}/.well-known/openid-configuration`), which the RP must
    /// be configured to use: the shared documents are fetched without a client, so a fault
    /// there would reach every client.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub client_documents: bool,
}

const fn spec(
    name: Fault,
    oidf_module: Option<&'static str>,
    stage: Stage,
    changes: &'static str,
) -> FaultSpec {
    FaultSpec {
        name,
        oidf_module,
        stage,
        changes,
        expect: Expect::Refuse,
        client_documents: false,
    }
}

/// A fault a correct relying party accepts: the broker does something allowed that a careless
/// RP mishandles.
const fn accept(
    name: Fault,
    oidf_module: Option<&'static str>,
    changes: &'static str,
) -> FaultSpec {
    FaultSpec {
        name,
        oidf_module,
        stage: Stage::IdToken,
        changes,
        expect: Expect::Accept,
        client_documents: false,
    }
}

/// A fault the spec lets a relying party catch (its check is a MAY).
const fn should_refuse(name: Fault, changes: &'static str) -> FaultSpec {
    FaultSpec {
        name,
        oidf_module: None,
        stage: Stage::IdToken,
        changes,
        expect: Expect::ShouldRefuse,
        client_documents: false,
    }
}

/// A fault that needs the client's own documents.
const fn in_client_documents(spec: FaultSpec) -> FaultSpec {
    FaultSpec {
        client_documents: true,
        ..spec
    }
}

const fn either(spec: FaultSpec) -> FaultSpec {
    FaultSpec {
        expect: Expect::Either,
        ..spec
    }
}

/// Every supported fault.
pub const CATALOGUE: &[FaultSpec] = &[
    spec(
        Fault::InvalidIss,
        Some("oidcc-client-test-invalid-iss"),
        Stage::IdToken,
        "the ID token's iss is not the issuer (the issuer with /invalid-iss appended); still signed correctly",
    ),
    spec(
        Fault::InvalidAud,
        Some("oidcc-client-test-invalid-aud"),
        Stage::IdToken,
        "the ID token's aud (and azp) name another client; still signed correctly",
    ),
    spec(
        Fault::InvalidSigRs256,
        Some("oidcc-client-test-invalid-sig-rs256"),
        Stage::IdToken,
        "the ID token's signature does not verify (one bit of it flipped); header and claims are right",
    ),
    spec(
        Fault::IdtokenSigNone,
        Some("oidcc-client-test-idtoken-sig-none"),
        Stage::IdToken,
        "the ID token is unsigned: alg none and an empty signature; the claims are right",
    ),
    spec(
        Fault::MissingSub,
        Some("oidcc-client-test-missing-sub"),
        Stage::IdToken,
        "the ID token has no sub; still signed correctly",
    ),
    spec(
        Fault::MissingIat,
        Some("oidcc-client-test-missing-iat"),
        Stage::IdToken,
        "the ID token has no iat; still signed correctly",
    ),
    spec(
        Fault::NonceInvalid,
        Some("oidcc-client-test-nonce-invalid"),
        Stage::IdToken,
        "the ID token's nonce is not the one the request sent; still signed correctly",
    ),
    spec(
        Fault::Expired,
        None,
        Stage::IdToken,
        "the ID token expired an hour ago (exp and iat in the past); still signed correctly",
    ),
    should_refuse(
        Fault::IatInFuture,
        "the ID token was issued an hour from now (iat, and exp after it); still signed correctly (OIDC Core 3.1.3.7 step 10: iat \"can be used\" to reject it)",
    ),
    should_refuse(
        Fault::InvalidAtHash,
        "the ID token's at_hash is not the access token's; still signed correctly (OIDC Core 3.1.3.8: in the code flow the client MAY check it)",
    ),
    spec(
        Fault::InvalidCHash,
        None,
        Stage::HybridIdToken,
        "the hybrid response's ID token has a c_hash that is not the code's; still signed correctly",
    ),
    accept(
        Fault::SigningKeyRotation,
        Some("oidcc-client-test-signing-key-rotation"),
        "the signing key is rotated before the ID token is signed: its kid is new, and the JWKS has it (the RP fetches the JWKS again)",
    ),
    accept(
        Fault::SigningKeyRotationJustBeforeSigning,
        Some("oidcc-client-test-signing-key-rotation-just-before-signing"),
        "the same rotation, right before this ID token is signed: a JWKS the RP cached moments ago lacks the new kid",
    ),
    spec(
        Fault::AlgConfusionHs256,
        None,
        Stage::IdToken,
        "the ID token is signed HS256 with the public RSA key (its modulus bytes) as the secret",
    ),
    spec(
        Fault::KidUnknown,
        None,
        Stage::IdToken,
        "the ID token's header names a kid the JWKS does not have (the signature is the active key's)",
    ),
    spec(
        Fault::IssParamMismatch,
        None,
        Stage::AuthorizationResponse,
        "the authorization response's iss parameter (RFC 9207) names another issuer",
    ),
    spec(
        Fault::IssParamMissing,
        None,
        Stage::AuthorizationResponse,
        "the authorization response has no iss parameter, though discovery says it sends one (RFC 9207)",
    ),
    spec(
        Fault::StateMismatch,
        None,
        Stage::AuthorizationResponse,
        "the authorization response's state is not the one the request sent",
    ),
    spec(
        Fault::LogoutTokenBadSignature,
        None,
        Stage::LogoutToken,
        "the back-channel logout token's signature does not verify (one bit flipped)",
    ),
    spec(
        Fault::LogoutTokenNoEvents,
        None,
        Stage::LogoutToken,
        "the logout token has no events member (Back-Channel Logout 1.0, 2.4 requires it)",
    ),
    spec(
        Fault::LogoutTokenWithNonce,
        None,
        Stage::LogoutToken,
        "the logout token carries a nonce (Back-Channel Logout 1.0, 2.4 forbids it)",
    ),
    spec(
        Fault::LogoutTokenWrongAud,
        None,
        Stage::LogoutToken,
        "the logout token's aud names another client",
    ),
    spec(
        Fault::UserinfoInvalidSub,
        Some("oidcc-client-test-userinfo-invalid-sub"),
        Stage::Userinfo,
        "the userinfo response's sub is not the ID token's",
    ),
    spec(
        Fault::Userinfo500,
        None,
        Stage::Userinfo,
        "the userinfo endpoint answers 500 server_error",
    ),
    spec(
        Fault::TokenEndpointError,
        None,
        Stage::TokenEndpoint,
        "the token endpoint answers 500 server_error to the authorization code (the code stays unspent)",
    ),
    spec(
        Fault::RefreshTokenInvalidIssuer,
        Some("oidcc-client-test-refresh-token-invalid-issuer"),
        Stage::RefreshIdToken,
        "the ID token of a refresh-token response has the wrong iss; still signed correctly",
    ),
    in_client_documents(accept(
        Fault::KidAbsentSingleJwks,
        Some("oidcc-client-test-kid-absent-single-jwks"),
        "the ID token's header has no kid, and the client's JWKS holds one key (the signing key, without its kid) for the rest of this login",
    )),
    in_client_documents(either(accept(
        Fault::KidAbsentMultipleJwks,
        Some("oidcc-client-test-kid-absent-multiple-jwks"),
        "the ID token's header has no kid, and the client's JWKS holds the signing key and another key of its kind, neither with a kid, for the rest of this login (the RP may refuse, or try each key)",
    ))),
    in_client_documents(spec(
        Fault::DiscoveryIssuerMismatch,
        Some("oidcc-client-test-discovery-issuer-mismatch"),
        Stage::Discovery,
        "the client's discovery document names another issuer (the issuer with /invalid-iss appended); everything else is right",
    )),
    in_client_documents(either(accept(
        Fault::JwksUnreachable,
        None,
        "the signing key is rotated before the ID token is signed, and the client's JWKS answers 503 once after it (the RP may refuse, or fetch the keys again; going on without them means it never checked the signature)",
    ))),
    FaultSpec {
        stage: Stage::TokenEndpoint,
        ..should_refuse(
            Fault::TokenEndpointSlow,
            "the token endpoint holds its answer to the code for delay_seconds (30 unless queued with another; on the broker's clock) before answering as usual: an RP should give up after its own timeout and say the login failed",
        )
    },
];

impl Fault {
    pub fn spec(self) -> &'static FaultSpec {
        CATALOGUE
            .iter()
            .find(|s| s.name == self)
            .unwrap_or(&CATALOGUE[0])
    }

    pub fn stage(self) -> Stage {
        self.spec().stage
    }

    /// Its catalogue name.
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

/// A fault waiting for the next responses of its stage to its client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedFault {
    pub id: String,
    pub fault: Fault,
    pub client_id: ClientId,
    /// Responses it still applies to.
    pub remaining: u32,
    pub created_at: UnixTime,
    /// How long `token-endpoint-slow` holds the answer, in seconds of the broker's clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_seconds: Option<u32>,
}

/// How long `token-endpoint-slow` holds an answer unless queued with another delay.
pub const DEFAULT_DELAY_SECONDS: u32 = 30;

/// What the broker saw between it and a relying party, per login: the faults its responses
/// carried, and what the RP did after (for `explain` and the client's report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RpEvent {
    pub client_id: ClientId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_id: Option<TxnId>,
    pub at: UnixTime,
    #[serde(flatten)]
    pub act: RpAct,
}

/// One thing that happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RpAct {
    /// A response to the RP carried this fault.
    Fault { fault: Fault },
    /// The RP redeemed the login's authorization code.
    TokenExchange,
    /// The RP called userinfo with the login's access token.
    Userinfo,
    /// The RP used the login's refresh token.
    Refresh,
    /// The RP fetched the client's own JWKS (`rp-test-kit`), which answered `status`.
    JwksFetch { status: u16 },
    /// The RP answered a back-channel logout token with `status`.
    LogoutAnswer { status: u16 },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fault_is_in_the_catalogue_once_under_its_name() {
        let names: Vec<String> = CATALOGUE.iter().map(|s| s.name.name()).collect();
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "{names:?}");
        for spec in CATALOGUE {
            assert_eq!(spec.name.spec().name, spec.name);
            let parsed: Fault =
                serde_json::from_value(serde_json::json!(spec.name.name())).unwrap();
            assert_eq!(parsed, spec.name);
            if let Some(module) = spec.oidf_module {
                assert_eq!(
                    module,
                    format!("oidcc-client-test-{}", spec.name.name()),
                    "the OIDF module's name is the fault's"
                );
            }
        }
        assert_eq!(Fault::Userinfo500.name(), "userinfo-500");
        // Each is documented for RP authors.
        let docs = include_str!("../../../docs/rp-test-kit.md");
        for spec in CATALOGUE {
            let row = format!("| `{}` |", spec.name.name());
            assert!(docs.contains(&row), "{row} is not in docs/rp-test-kit.md");
        }
        assert_eq!(Fault::InvalidSigRs256.name(), "invalid-sig-rs256");
    }

    /// Every variant has its own catalogue entry (`Fault::spec` would otherwise fall back to
    /// the first): the match stops compiling when a variant is added and not listed here.
    #[test]
    fn every_variant_has_a_catalogue_entry() {
        let all = [
            Fault::InvalidIss,
            Fault::InvalidAud,
            Fault::InvalidSigRs256,
            Fault::IdtokenSigNone,
            Fault::MissingSub,
            Fault::MissingIat,
            Fault::NonceInvalid,
            Fault::Expired,
            Fault::IatInFuture,
            Fault::InvalidAtHash,
            Fault::InvalidCHash,
            Fault::SigningKeyRotation,
            Fault::SigningKeyRotationJustBeforeSigning,
            Fault::AlgConfusionHs256,
            Fault::KidUnknown,
            Fault::IssParamMismatch,
            Fault::IssParamMissing,
            Fault::StateMismatch,
            Fault::LogoutTokenBadSignature,
            Fault::LogoutTokenNoEvents,
            Fault::LogoutTokenWithNonce,
            Fault::LogoutTokenWrongAud,
            Fault::UserinfoInvalidSub,
            Fault::Userinfo500,
            Fault::TokenEndpointError,
            Fault::RefreshTokenInvalidIssuer,
            Fault::KidAbsentSingleJwks,
            Fault::KidAbsentMultipleJwks,
            Fault::DiscoveryIssuerMismatch,
            Fault::JwksUnreachable,
            Fault::TokenEndpointSlow,
        ];
        for (i, fault) in all.into_iter().enumerate() {
            let position = match fault {
                Fault::InvalidIss => 0,
                Fault::InvalidAud => 1,
                Fault::InvalidSigRs256 => 2,
                Fault::IdtokenSigNone => 3,
                Fault::MissingSub => 4,
                Fault::MissingIat => 5,
                Fault::NonceInvalid => 6,
                Fault::Expired => 7,
                Fault::IatInFuture => 8,
                Fault::InvalidAtHash => 9,
                Fault::InvalidCHash => 10,
                Fault::SigningKeyRotation => 11,
                Fault::SigningKeyRotationJustBeforeSigning => 12,
                Fault::AlgConfusionHs256 => 13,
                Fault::KidUnknown => 14,
                Fault::IssParamMismatch => 15,
                Fault::IssParamMissing => 16,
                Fault::StateMismatch => 17,
                Fault::LogoutTokenBadSignature => 18,
                Fault::LogoutTokenNoEvents => 19,
                Fault::LogoutTokenWithNonce => 20,
                Fault::LogoutTokenWrongAud => 21,
                Fault::UserinfoInvalidSub => 22,
                Fault::Userinfo500 => 23,
                Fault::TokenEndpointError => 24,
                Fault::RefreshTokenInvalidIssuer => 25,
                Fault::KidAbsentSingleJwks => 26,
                Fault::KidAbsentMultipleJwks => 27,
                Fault::DiscoveryIssuerMismatch => 28,
                Fault::JwksUnreachable => 29,
                Fault::TokenEndpointSlow => 30,
            };
            assert_eq!(position, i);
            assert!(
                CATALOGUE.iter().any(|s| s.name == fault),
                "{fault:?} has no catalogue entry"
            );
        }
        assert_eq!(CATALOGUE.len(), all.len());
    }
}
