//! What the broker saw a relying party do (the RP test kit's client report): per recent login,
//! whether it sent PKCE, `state` and `nonce`, the faults its responses carried, and what the RP
//! did after; per fault, a verdict.
//!
//! The verdict follows the OpenID Foundation's client tests: a careful RP stops at a response
//! it must refuse, so a call made after it (redeeming the code after a faulty authorization
//! response; userinfo or a refresh after a faulty ID token) means the RP **accepted** it. When
//! the RP made none, the fault counts as **refused** if the same client's clean logins show it
//! does make that call (so its silence says something); otherwise the verdict is **unknown**.
//! Faults whose effect the broker cannot watch (a userinfo or token-endpoint error, a logout
//! token) are **unknown**.

use serde::Serialize;

use crate::app::Broker;
use crate::model::{ClientId, Expect, Fault, LoginTxn, RpAct, RpEvent, Stage};
use crate::store::StoreError;

/// How many of the broker's latest logins are looked through.
const RECENT: usize = 500;

#[derive(Debug, Serialize)]
pub struct Report {
    pub client_id: String,
    pub logins: Vec<LoginSeen>,
    pub faults: Vec<FaultVerdict>,
}

#[derive(Debug, Serialize)]
pub struct LoginSeen {
    pub login_id: String,
    pub created_at: i64,
    /// `S256` when the request carried a PKCE challenge (the only method the broker takes).
    pub pkce: Option<&'static str>,
    pub state: bool,
    pub nonce: bool,
    pub faults: Vec<String>,
    pub token_exchange: bool,
    pub userinfo: bool,
    pub refresh: bool,
    /// The answers to the RP's fetches of its own JWKS (`rp-test-kit`) in this login, in
    /// order: fetched again after an unknown `kid` or a rotation, or not. Fetches of the shared
    /// JWKS carry no client, so they are not seen.
    pub jwks_fetches: Vec<u16>,
}

#[derive(Debug, Serialize)]
pub struct FaultVerdict {
    pub fault: String,
    pub login_id: String,
    pub expect: Expect,
    pub verdict: Verdict,
    pub why: &'static str,
    /// Whether the RP fetched its own JWKS after the response with the fault (`None` for a
    /// fault that is not about keys).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwks_fetched_after: Option<bool>,
    /// What was wrong in what the RP did, even where its verdict is one the fault allows:
    /// going on after `jwks-unreachable` without ever getting the new key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Refused,
    Accepted,
    Unknown,
}

pub fn report(broker: &Broker, client: &ClientId) -> Result<Report, StoreError> {
    let logins: Vec<LoginTxn> = broker
        .store
        .logins
        .list_recent(RECENT)?
        .into_iter()
        .filter(|t| &t.request.client_id == client)
        .collect();
    let mut seen = Vec::new();
    let mut histories = Vec::new();
    for txn in &logins {
        let events = crate::oidc::faults::events_for_login(broker, &txn.id)?;
        let did = |act: RpAct| events.iter().any(|e| e.act == act);
        seen.push(LoginSeen {
            login_id: txn.id.to_string(),
            created_at: txn.created_at,
            pkce: txn.request.code_challenge.as_ref().map(|_| "S256"),
            state: txn.request.state.is_some(),
            nonce: txn.request.nonce.is_some(),
            faults: faults_in(&events).map(|f| f.name()).collect(),
            token_exchange: did(RpAct::TokenExchange),
            userinfo: did(RpAct::Userinfo),
            refresh: did(RpAct::Refresh),
            jwks_fetches: events
                .iter()
                .filter_map(|e| match e.act {
                    RpAct::JwksFetch { status } => Some(status),
                    _ => None,
                })
                .collect(),
        });
        histories.push((txn.id.to_string(), events));
    }
    // What the client does in logins that carried no fault.
    let clean: Vec<&Vec<RpEvent>> = histories
        .iter()
        .filter(|(_, events)| faults_in(events).next().is_none())
        .map(|(_, events)| events)
        .collect();
    let usually = |act: &RpAct| {
        clean
            .iter()
            .any(|events| events.iter().any(|e| &e.act == act))
    };
    let mut verdicts = Vec::new();
    for (login, events) in &histories {
        for (at, event) in events.iter().enumerate() {
            let RpAct::Fault { fault } = event.act else {
                continue;
            };
            let after = &events[at + 1..];
            let (verdict, why) = verdict(fault, after, &usually);
            let fetches: Vec<u16> = after
                .iter()
                .filter_map(|e| match e.act {
                    RpAct::JwksFetch { status } => Some(status),
                    _ => None,
                })
                .collect();
            let about_keys = matches!(
                fault,
                Fault::KidUnknown
                    | Fault::SigningKeyRotation
                    | Fault::SigningKeyRotationJustBeforeSigning
                    | Fault::KidAbsentSingleJwks
                    | Fault::KidAbsentMultipleJwks
                    | Fault::JwksUnreachable
            );
            let problem = (fault == Fault::JwksUnreachable
                && verdict == Verdict::Accepted
                && fetches.first() == Some(&503)
                && !fetches.contains(&200))
            .then_some(
                "the RP went on though its JWKS answered 503 and it never fetched the new key: it did not check the ID token's signature",
            );
            verdicts.push(FaultVerdict {
                fault: fault.name(),
                login_id: login.clone(),
                expect: fault.spec().expect,
                verdict,
                why,
                jwks_fetched_after: about_keys.then_some(!fetches.is_empty()),
                problem,
            });
        }
    }
    Ok(Report {
        client_id: client.to_string(),
        logins: seen,
        faults: verdicts,
    })
}

fn faults_in(events: &[RpEvent]) -> impl Iterator<Item = Fault> + '_ {
    events.iter().filter_map(|e| match e.act {
        RpAct::Fault { fault } => Some(fault),
        _ => None,
    })
}

/// The verdict on one fault from what the RP did after the response that carried it (for a
/// must-accept fault, `accepted` is the good outcome).
fn verdict(
    fault: Fault,
    after: &[RpEvent],
    usually: &dyn Fn(&RpAct) -> bool,
) -> (Verdict, &'static str) {
    // The calls that show the RP went on with the response.
    let went_on: &[RpAct] = match fault.stage() {
        Stage::AuthorizationResponse => &[RpAct::TokenExchange, RpAct::Userinfo, RpAct::Refresh],
        Stage::IdToken | Stage::HybridIdToken | Stage::RefreshIdToken => {
            &[RpAct::Userinfo, RpAct::Refresh]
        }
        Stage::LogoutToken => {
            // Back-Channel Logout 1.0 2.8: 200 when the RP logged out, 400 when it refused.
            return match after.iter().find_map(|e| match e.act {
                RpAct::LogoutAnswer { status } => Some(status),
                _ => None,
            }) {
                Some(200..=299) => (
                    Verdict::Accepted,
                    "the RP answered the faulty logout token with success (it logged out)",
                ),
                Some(400..=499) => (
                    Verdict::Refused,
                    "the RP answered the faulty logout token with an error (400)",
                ),
                _ => (
                    Verdict::Unknown,
                    "the RP's back-channel endpoint did not answer, or answered a server error",
                ),
            };
        }
        Stage::Userinfo | Stage::TokenEndpoint | Stage::Discovery => {
            return (
                Verdict::Unknown,
                "the broker cannot see what the RP does with this answer",
            )
        }
    };
    if after.iter().any(|e| went_on.contains(&e.act)) {
        return (
            Verdict::Accepted,
            "the RP went on after the faulty response (it redeemed the code, called userinfo or refreshed)",
        );
    }
    if went_on.iter().any(usually) {
        return (
            Verdict::Refused,
            "the RP stopped after the faulty response, where its clean logins go on",
        );
    }
    (
        Verdict::Unknown,
        "the RP made no call after it, and its clean logins make none either, so its silence says nothing",
    )
}
