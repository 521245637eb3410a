//! `grant_type=authorization_code` (RFC 6749 4.1.3, RFC 7636 4.6). A code is single use,
//! short-lived, and bound to its client, redirect_uri and PKCE challenge. A replayed code
//! revokes every token it produced (RFC 6749 4.1.2).

use crate::app::Broker;
use crate::clock::UnixTime;
use crate::error::OAuthError;
use crate::model::{Client, RpAct, Stage};
use crate::oidc::faults;
use crate::oidc::Params;
use crate::secrets;
use crate::store::Take;

use super::issue::{issue_tokens, Issue};

pub fn exchange_code(
    broker: &Broker,
    client: &Client,
    params: &Params,
    now: UnixTime,
) -> Result<super::Issued, OAuthError> {
    let code = params
        .get("code")
        .ok_or_else(|| OAuthError::invalid_request("code is missing"))?;
    let redirect_uri = params
        .get("redirect_uri")
        .ok_or_else(|| OAuthError::invalid_request("redirect_uri is missing"))?;
    let code = match broker.store.codes.take(&secrets::hash(code))? {
        Take::Taken(code) => code,
        Take::NotFound => return Err(OAuthError::invalid_grant("the code is not valid")),
        Take::AlreadyTaken(grant) => {
            broker.store.tokens.revoke_grant(&grant)?;
            return Err(OAuthError::invalid_grant(
                "the code was already used; the tokens it produced are revoked",
            )
            .with_detail(format!("code replay, grant {grant} revoked")));
        }
    };
    if code.grant.client_id != client.client_id {
        return Err(OAuthError::invalid_grant(
            "the code was issued to another client",
        ));
    }
    if code.grant.profile != broker.profile {
        return Err(OAuthError::invalid_grant(format!(
            "the code was issued by the {} issuer; redeem it at that issuer's token endpoint",
            code.grant.profile
        )));
    }
    if code.expires_at <= now {
        return Err(OAuthError::invalid_grant("the code has expired"));
    }
    if code.redirect_uri != redirect_uri {
        return Err(OAuthError::invalid_grant(
            "redirect_uri differs from the one in the authorization request",
        ));
    }
    check_verifier(code.code_challenge.as_deref(), params.get("code_verifier"))?;
    faults::saw(
        broker,
        &client.client_id,
        code.grant.login_id.as_ref(),
        RpAct::TokenExchange,
        now,
    );
    let body = issue_tokens(
        broker,
        Issue {
            stage: Stage::IdToken,
            client,
            grant: &code.grant,
            nonce: code.nonce.as_deref(),
            scopes: &code.grant.scopes,
        },
        now,
    )?;
    Ok(super::Issued {
        body,
        login: code.grant.login_id,
    })
}

/// RFC 7636 4.6: S256(verifier) must equal the challenge. A verifier without a challenge is
/// refused too, so PKCE cannot be stripped from a flow (RFC 9700 2.1.1).
fn check_verifier(challenge: Option<&str>, verifier: Option<&str>) -> Result<(), OAuthError> {
    match (challenge, verifier) {
        (None, None) => Ok(()),
        (Some(_), None) => Err(OAuthError::invalid_grant("code_verifier is missing")),
        (None, Some(_)) => Err(OAuthError::invalid_grant(
            "code_verifier was sent, but the authorization request had no code_challenge",
        )),
        (Some(challenge), Some(verifier)) => {
            let well_formed = (43..=128).contains(&verifier.len())
                && verifier
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
            if !well_formed {
                return Err(OAuthError::invalid_grant(
                    "code_verifier must be 43-128 characters of [A-Za-z0-9-._~]",
                ));
            }
            if secrets::constant_time_eq(&secrets::s256(verifier), challenge) {
                Ok(())
            } else {
                Err(OAuthError::invalid_grant(
                    "code_verifier does not match the code_challenge",
                ))
            }
        }
    }
}
