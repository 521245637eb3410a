//! OpenID Connect Back-Channel Logout 1.0: when a broker session ends, every client that got a
//! code through it and registered a `backchannel_logout_uri` is sent a logout token (a JWT with
//! `typ` `logout+jwt`, the `sid` and `sub`, the back-channel `events` member, and no `nonce`),
//! as a form POST from the broker to the client.

use serde_json::json;
use std::time::Duration;

use crate::app::Broker;
use crate::clock::UnixTime;
use crate::error::OAuthError;
use crate::model::{Client, ClientId, Fault, RpAct, Session, Stage, TxnId};
use crate::oidc::faults;
use crate::oidc::fetch::Outbound;
use crate::secrets;

/// The event that says "this session ended" (section 2.4).
pub const EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";
/// How long a logout token is valid: long enough to deliver, short enough not to be replayed.
const LIFETIME: i64 = 120;
/// How long the broker waits for one client.
const TIMEOUT: Duration = Duration::from_secs(3);

/// A logout token for one client, and where it goes.
#[derive(Debug, Clone)]
pub struct Notice {
    pub client_id: String,
    pub uri: String,
    pub logout_token: String,
    /// The client's latest login, which its answer is recorded with (the RP test kit's report).
    pub login: Option<TxnId>,
}

/// The logout tokens for the clients of an ended session that asked to be told.
pub fn notices(
    broker: &Broker,
    session: &Session,
    now: UnixTime,
) -> Result<Vec<Notice>, OAuthError> {
    let identity = broker.store.identities.get(&session.identity_id)?;
    let mut out = Vec::new();
    for client_id in &session.clients {
        let Some(client) = broker.store.clients.get(client_id)? else {
            continue;
        };
        let Some(uri) = client.backchannel_logout_uri.clone() else {
            continue;
        };
        let login = crate::oidc::faults::latest_login(broker, &client.client_id)?;
        out.push(Notice {
            client_id: client.client_id.to_string(),
            uri,
            logout_token: logout_token(
                broker,
                &client,
                identity.as_ref(),
                session,
                login.as_ref(),
                now,
            )?,
            login,
        });
    }
    Ok(out)
}

fn logout_token(
    broker: &Broker,
    client: &Client,
    identity: Option<&crate::model::Identity>,
    session: &Session,
    login: Option<&TxnId>,
    now: i64,
) -> Result<String, OAuthError> {
    // Back-Channel Logout 1.0 section 2.4 names the session `sid` in every dialect; its value
    // is the one the profile's ID tokens carry (Idura's `sessionindex`).
    let (_, sid) = crate::oidc::profile::session_claim(broker, &session.sid);
    let mut payload = json!({
        "iss": broker.issuer.as_str(),
        "aud": client.client_id,
        "iat": now,
        "exp": now + LIFETIME,
        "jti": secrets::random_id(),
        "sid": sid,
        "events": { EVENT: {} },
    });
    if let (Some(identity), Some(map)) = (identity, payload.as_object_mut()) {
        map.insert(
            "sub".into(),
            json!(crate::oidc::profile::subject(
                broker,
                client,
                identity,
                session.business.as_deref()
            )),
        );
    }
    // The RP test kit.
    let fault = faults::take(broker, &client.client_id, Stage::LogoutToken, login, now)?;
    if let Some(map) = payload.as_object_mut() {
        match fault {
            Some(Fault::LogoutTokenNoEvents) => {
                map.remove("events");
            }
            Some(Fault::LogoutTokenWithNonce) => {
                map.insert("nonce".into(), json!(secrets::random_id()));
            }
            Some(Fault::LogoutTokenWrongAud) => {
                map.insert("aud".into(), json!("another-client"));
            }
            _ => {}
        }
    }
    let bytes =
        serde_json::to_vec(&payload).map_err(|e| OAuthError::server_error(e.to_string()))?;
    let token = crate::oidc::profile::sign_jwt(
        broker,
        client.id_token_signed_response_alg,
        "logout+jwt",
        &bytes,
    )?;
    Ok(match fault {
        Some(Fault::LogoutTokenBadSignature) => faults::flip_signature_bit(&token),
        _ => token,
    })
}

/// Records each client's answer to its logout token (for the RP test kit's report: a correct
/// RP answers 400 to a token it refuses, Back-Channel Logout 1.0 2.8).
pub fn record_answers(broker: &Broker, answers: &[(Notice, Option<u16>)], now: UnixTime) {
    for (notice, status) in answers {
        let Some(status) = status else { continue };
        faults::saw(
            broker,
            &ClientId::new(notice.client_id.clone()),
            notice.login.as_ref(),
            RpAct::LogoutAnswer { status: *status },
            now,
        );
    }
}

/// Sends the notices, all at once, each with a timeout; a client that fails to answer 200 is
/// logged (not retried: the spec leaves retries to the OP, and a simulator keeps it simple).
/// `trust` is an extra CA file (the local CA in `--tls` mode). Only addresses `outbound`
/// allows are reached. Each notice comes back with the status its client answered.
pub async fn deliver(
    outbound: Outbound,
    notices: Vec<Notice>,
    trust: Option<std::path::PathBuf>,
) -> Vec<(Notice, Option<u16>)> {
    let mut builder = outbound.client().timeout(TIMEOUT);
    if let Some(path) = trust {
        let roots = std::fs::read(&path)
            .map_err(|e| e.to_string())
            .and_then(|pem| reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| e.to_string()));
        match roots {
            Ok(roots) => {
                for root in roots {
                    builder = builder.add_root_certificate(root);
                }
            }
            Err(e) => tracing::warn!(path = %path.display(), error = %e, "local CA not trusted"),
        }
    }
    let client = match builder.build() {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "back-channel logout: no HTTP client");
            return notices.into_iter().map(|n| (n, None)).collect();
        }
    };
    let mut sending = tokio::task::JoinSet::new();
    for notice in notices {
        let client = client.clone();
        sending.spawn(async move {
            let refused = url::Url::parse(&notice.uri)
                .map_err(|e| e.to_string())
                .and_then(|url| outbound.check_url(&url).map_err(|r| r.to_string()));
            if let Err(reason) = refused {
                tracing::warn!(client = %notice.client_id, reason, "back-channel logout not sent");
                return (notice, None);
            }
            let sent = client
                .post(&notice.uri)
                .form(&[("logout_token", notice.logout_token.as_str())])
                .send()
                .await;
            let status = match sent {
                Ok(r) if r.status().is_success() => {
                    tracing::info!(client = %notice.client_id, "back-channel logout delivered");
                    Some(r.status().as_u16())
                }
                Ok(r) => {
                    tracing::warn!(
                        client = %notice.client_id,
                        status = r.status().as_u16(),
                        "back-channel logout refused"
                    );
                    Some(r.status().as_u16())
                }
                Err(e) => {
                    tracing::warn!(
                        client = %notice.client_id,
                        error = crate::oidc::fetch::error_chain(&e),
                        "back-channel logout not delivered"
                    );
                    None
                }
            };
            (notice, status)
        });
    }
    let mut answers = Vec::new();
    while let Some(answer) = sending.join_next().await {
        if let Ok(answer) = answer {
            answers.push(answer);
        }
    }
    answers
}
