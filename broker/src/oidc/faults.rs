//! Applying the RP test kit's faults ([`crate::model::Fault`]): each response that can carry
//! one takes the next fault queued for its client at its stage, records the use (for `explain`)
//! and makes exactly the named defect, leaving the rest of the response as it would be.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use serde_json::{json, Map, Value};

use crate::app::Broker;
use crate::clock::UnixTime;
use crate::error::OAuthError;
use crate::model::{ClientId, Fault, QueuedFault, RpAct, RpEvent, Stage, TxnId};
use crate::oidc::profile;
use crate::store::StoreResult;

/// Takes the next fault queued for `client` at `stage`, and records that the response of
/// `login` carries it.
pub fn take(
    broker: &Broker,
    client: &ClientId,
    stage: Stage,
    login: Option<&TxnId>,
    now: UnixTime,
) -> Result<Option<Fault>, OAuthError> {
    Ok(take_queued(broker, client, stage, login, now)?.map(|q| q.fault))
}

/// [`take`], with the queue entry's settings (a delay).
pub fn take_queued(
    broker: &Broker,
    client: &ClientId,
    stage: Stage,
    login: Option<&TxnId>,
    now: UnixTime,
) -> Result<Option<QueuedFault>, OAuthError> {
    let Some(queued) = broker.store.faults.take(client, stage)? else {
        return Ok(None);
    };
    let fault = queued.fault;
    record_now(
        broker,
        RpEvent {
            client_id: client.clone(),
            login_id: login.cloned(),
            at: now,
            act: RpAct::Fault { fault },
        },
    )?;
    tracing::info!(
        fault = %fault.name(),
        client = %client,
        login = login.map(TxnId::as_str),
        "a response carries a queued fault"
    );
    Ok(Some(queued))
}

/// The `kid-absent-*` fault a login's ID token carried, if any.
pub fn kid_absent_in(broker: &Broker, login: &TxnId) -> Result<Option<Fault>, OAuthError> {
    Ok(events_for_login(broker, login)?
        .into_iter()
        .find_map(|e| match e.act {
            RpAct::Fault {
                fault: f @ (Fault::KidAbsentSingleJwks | Fault::KidAbsentMultipleJwks),
            } => Some(f),
            _ => None,
        }))
}

/// `token-endpoint-slow`: waits until the broker's clock has moved on `seconds` (a controllable
/// clock moves when told to, so a test holds the answer as long as it likes, without waiting).
pub async fn hold(broker: &Broker, seconds: u32) {
    let until = broker.now() + i64::from(seconds);
    while broker.now() < until {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Records what the RP did in a login (redeemed its code, called userinfo, refreshed), for the
/// client's report. Only logins with a known client and login are recorded.
pub fn saw(broker: &Broker, client: &ClientId, login: Option<&TxnId>, act: RpAct, now: UnixTime) {
    let Some(login) = login else { return };
    let event = RpEvent {
        client_id: client.clone(),
        login_id: Some(login.clone()),
        at: now,
        act,
    };
    // Written with the next flush: a report is an aid, and its reads write the waiting events
    // first (`crate::requests::Seen`).
    broker.seen.push(event);
}

/// What happened in `login`, in order, this broker's waiting events written first.
pub fn events_for_login(broker: &Broker, login: &TxnId) -> StoreResult<Vec<RpEvent>> {
    broker.seen.flush(&*broker.store.faults)?;
    broker.store.faults.events_for_login(login)
}

/// The login of `client`'s latest recorded event, this broker's waiting events written first.
pub fn latest_login(broker: &Broker, client: &ClientId) -> StoreResult<Option<TxnId>> {
    broker.seen.flush(&*broker.store.faults)?;
    broker.store.faults.latest_login(client)
}

/// Records an event that must be read at once (a fault a response carries, a JWKS fetch),
/// after this broker's waiting ones, in one transaction.
pub fn record_now(broker: &Broker, event: RpEvent) -> StoreResult<()> {
    broker
        .seen
        .flush_with(&*broker.store.faults, Some(event))
        .map(|_| ())
}

/// The claim changes of an ID-token fault (the signature's are [`sign`]'s).
pub fn spoil_claims(broker: &Broker, fault: Fault, claims: &mut Map<String, Value>, now: UnixTime) {
    let hour = 3600;
    match fault {
        Fault::InvalidIss | Fault::RefreshTokenInvalidIssuer => {
            claims.insert(
                "iss".into(),
                json!(format!("{}/invalid-iss", broker.issuer.as_str())),
            );
        }
        Fault::InvalidAud => {
            claims.insert("aud".into(), json!("another-client"));
            if claims.contains_key("azp") {
                claims.insert("azp".into(), json!("another-client"));
            }
        }
        Fault::MissingSub => {
            claims.remove("sub");
        }
        Fault::MissingIat => {
            claims.remove("iat");
        }
        Fault::NonceInvalid => {
            let nonce = claims.get("nonce").and_then(Value::as_str).unwrap_or("");
            claims.insert("nonce".into(), json!(format!("{nonce}-invalid")));
        }
        Fault::Expired => {
            let ttl = lifetime(claims);
            claims.insert("iat".into(), json!(now - hour - ttl));
            claims.insert("exp".into(), json!(now - hour));
        }
        Fault::IatInFuture => {
            let ttl = lifetime(claims);
            claims.insert("iat".into(), json!(now + hour));
            claims.insert("exp".into(), json!(now + hour + ttl));
        }
        Fault::InvalidAtHash => {
            claims.insert(
                "at_hash".into(),
                json!(crate::secrets::left_half_sha256("not the access token")),
            );
        }
        Fault::InvalidCHash => {
            claims.insert(
                "c_hash".into(),
                json!(crate::secrets::left_half_sha256("not the code")),
            );
        }
        _ => {}
    }
}

/// How long the token lives (`exp - iat`), kept when a fault moves both.
fn lifetime(claims: &Map<String, Value>) -> i64 {
    let at = |name| claims.get(name).and_then(Value::as_i64);
    match (at("exp"), at("iat")) {
        (Some(exp), Some(iat)) if exp > iat => exp - iat,
        _ => 300,
    }
}

/// Signs an ID token's payload as the fault has it: unsigned, with a spoilt signature, with an
/// unknown `kid`, or HS256 with the public key; `None` when the fault leaves the signature be.
pub fn sign(
    broker: &Broker,
    fault: Fault,
    alg: keys::Alg,
    payload: &[u8],
) -> Result<Option<String>, OAuthError> {
    let signing =
        |e: keys::KeyError| OAuthError::server_error(format!("fault {}: {e}", fault.name()));
    Ok(match fault {
        Fault::IdtokenSigNone => {
            let header = B64.encode(br#"{"alg":"none","typ":"JWT"}"#);
            Some(format!("{header}.{}.", B64.encode(payload)))
        }
        Fault::InvalidSigRs256 => {
            let token = broker.keys.sign_jwt(alg, "JWT", payload).map_err(signing)?;
            Some(flip_signature_bit(&token))
        }
        Fault::KidUnknown => Some(
            broker
                .keys
                .sign_jwt_named(
                    alg,
                    "JWT",
                    Some("unknown-kid-from-the-rp-test-kit"),
                    payload,
                )
                .map_err(signing)?,
        ),
        Fault::KidAbsentSingleJwks | Fault::KidAbsentMultipleJwks => Some(
            broker
                .keys
                .sign_jwt_named(alg, "JWT", None, payload)
                .map_err(signing)?,
        ),
        Fault::SigningKeyRotation
        | Fault::SigningKeyRotationJustBeforeSigning
        | Fault::JwksUnreachable => {
            broker
                .keys
                .rotate(alg.key_kind(), broker.now())
                .map_err(signing)?;
            Some(profile::sign_jwt(broker, alg, "JWT", payload).map_err(signing)?)
        }
        Fault::AlgConfusionHs256 => {
            let secret = broker.keys.active_rsa_modulus().map_err(signing)?;
            let header = B64.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
            let input = format!("{header}.{}", B64.encode(payload));
            let mac = hmac_sha256(&secret, input.as_bytes());
            Some(format!("{input}.{}", B64.encode(mac)))
        }
        _ => None,
    })
}

/// The same JWS with one bit of its signature flipped.
pub fn flip_signature_bit(token: &str) -> String {
    let Some((input, signature)) = token.rsplit_once('.') else {
        return token.to_string();
    };
    let mut bytes = B64.decode(signature).unwrap_or_default();
    if let Some(last) = bytes.last_mut() {
        *last ^= 0x01;
    }
    format!("{input}.{}", B64.encode(bytes))
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    use hmac::{Hmac, Mac};
    match Hmac::<sha2::Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(message);
            mac.finalize().into_bytes().to_vec()
        }
        // HMAC takes keys of any length.
        Err(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flipped_bit_changes_only_the_signature() {
        let token = "aGVhZGVy.cGF5bG9hZA.c2lnbmF0dXJl";
        let spoilt = flip_signature_bit(token);
        assert!(spoilt.starts_with("aGVhZGVy.cGF5bG9hZA."));
        assert_ne!(spoilt, token);
        assert_eq!(flip_signature_bit(&spoilt), token);
    }

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
