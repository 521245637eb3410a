//! A login's timeline as the dashboard shows it: the authorization request (secrets never
//! shown), what the login kept of the screens, the decision and its source on the ladder, the
//! answer to the client, and the client's calls after it.

use serde::Serialize;
use serde_json::Value;

use super::logins::{source_name, status_label, status_of};
use super::requests::{self as logged, RequestView};
use super::texts::DashTexts;
use super::utc;
use crate::app::Broker;
use crate::model::{DecisionSource, LoginTxn, RpAct, ToClient};
use crate::sim::{self, SimResult};
use crate::store::decided_by;

/// Parameters whose values are secrets: shown as `[redacted]` wherever they appear.
const SECRET: &[&str] = &[
    "code",
    "access_token",
    "id_token",
    "refresh_token",
    "client_secret",
    "code_verifier",
    "client_assertion",
    "password",
];

pub fn redact(name: &str, value: &str) -> String {
    if SECRET.contains(&name) {
        "[redacted]".into()
    } else {
        value.to_string()
    }
}

pub struct Timeline {
    pub id: String,
    pub href: String,
    pub pending: bool,
    pub status: &'static str,
    pub status_label: &'static str,
    pub client: String,
    pub profile: &'static str,
    pub created: String,
    pub expires: String,
    /// What changes when the login moves on: the page reloads when `events` says it differs.
    pub fingerprint: String,
    pub request: Vec<(String, String)>,
    pub screens: Screens,
    pub decision: Decision,
    pub answer: Option<Answer>,
    /// Decided when parked and answered at once, so no answer was kept.
    pub answered_at_once: bool,
    pub calls: Vec<Call>,
    /// The request log's entries for this login, oldest first.
    pub requests: Vec<RequestView>,
}

/// The screens a person went through, in order, and where the flow stands.
pub struct Screens {
    /// A person used the screens (they are on one, or finished through them).
    pub used: bool,
    /// When (UTC) and which screen, in order.
    pub visits: Vec<(String, String)>,
    pub last_screen: String,
    pub user_id: String,
    pub method: String,
    pub authenticators: Vec<String>,
}

pub struct Decision {
    pub summary: String,
    pub decided_by: String,
    pub required_level: &'static str,
    /// Step number, source name, whether it decided.
    pub ladder: Vec<(u8, &'static str, bool)>,
    /// idp, amr, acr, ial, aal, business, simulated.
    pub authenticated: Option<Authenticated>,
    pub refused: Option<(String, String)>,
    pub faults: Vec<String>,
}

pub struct Authenticated {
    pub simulated: bool,
    pub idp: &'static str,
    pub amr: String,
    pub acr: &'static str,
    pub ial: &'static str,
    pub aal: &'static str,
    pub business: String,
}

pub struct Answer {
    /// `redirect` or `form_post`.
    pub mode: &'static str,
    pub target: String,
    pub fields: Vec<(String, String)>,
    pub code_issued: bool,
}

pub struct Call {
    pub at: String,
    pub what: String,
}

/// A name for a serialised enum: its string, or its `kind`/`step` tag.
pub fn name_of<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(s)) => s,
        Ok(Value::Object(map)) => map
            .get("kind")
            .or_else(|| map.get("step"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        _ => String::new(),
    }
}

/// A parameter's value as one line: strings as they are, lists space-separated, the rest JSON.
fn one_line(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) if items.iter().all(Value::is_string) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    }
}

/// What differs when the login moves on: its status, its screens, its answer, the client's
/// calls about it and the requests logged for it.
pub fn fingerprint(broker: &Broker, txn: &LoginTxn) -> SimResult<String> {
    let calls = crate::oidc::faults::events_for_login(broker, &txn.id)?.len();
    let requests = crate::requests::latest(
        broker,
        &crate::requests::RequestFilter {
            login_id: Some(txn.id.to_string()),
            client_id: None,
            limit: crate::requests::MAX_LIMIT,
        },
    )?
    .len();
    Ok(format!(
        "{}|{}|{}|{}|{}",
        status_of(txn, broker.now()),
        txn.flow.rev,
        txn.delivered,
        calls,
        requests
    ))
}

pub fn build(broker: &Broker, t: &'static DashTexts, txn: &LoginTxn) -> SimResult<Timeline> {
    let now = broker.now();
    let status = status_of(txn, now);
    let request = match serde_json::to_value(&txn.request) {
        Ok(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| (k.clone(), redact(k, &one_line(v))))
            .collect(),
        _ => Vec::new(),
    };
    // A person used the screens when they moved the flow on (typed a user ID, chose a way),
    // whoever decided the login in the end.
    let through_screens = matches!(
        decided_by(&txn.status),
        Some(DecisionSource::Explicit { via }) if via == crate::login::flow::VIA
    ) || txn.flow.rev > 0;
    let flow = &txn.flow;
    let screens = Screens {
        used: through_screens,
        visits: flow
            .screens
            .iter()
            .map(|v| (utc(v.at), v.screen.clone()))
            .collect(),
        last_screen: flow.step.name().to_string(),
        user_id: flow
            .user_id
            .as_ref()
            .map(|u| u.to_string())
            .unwrap_or_default(),
        method: flow.method.as_ref().map(name_of).unwrap_or_default(),
        authenticators: flow.used.iter().map(name_of).collect(),
    };
    let explained = sim::logins::explain(broker, txn)?;
    let decision = Decision {
        summary: explained.summary.clone(),
        decided_by: explained
            .decided_by
            .as_ref()
            .map_or_else(|| "—".into(), source_name),
        required_level: explained.required_level.name(),
        ladder: explained
            .ladder
            .iter()
            .map(|s| (s.step, s.source, s.decided))
            .collect(),
        authenticated: explained.authenticated.as_ref().map(|a| Authenticated {
            simulated: a.simulated,
            idp: a.idp,
            amr: a.amr.join(" "),
            acr: a.acr,
            ial: a.ial,
            aal: a.aal,
            business: a.business.clone().unwrap_or_default(),
        }),
        refused: explained.refused.as_ref().map(|r| {
            (
                r.error_description.clone(),
                r.detail.clone().unwrap_or_default(),
            )
        }),
        faults: explained.faults.clone(),
    };
    let answer = txn.response.as_ref().map(|delivered| {
        let code_issued = delivered.code_hash.is_some();
        match &delivered.to_client {
            ToClient::Redirect { location } => {
                let (target, fields) = split_location(location);
                Answer {
                    mode: "redirect",
                    target,
                    fields,
                    code_issued,
                }
            }
            ToClient::FormPost { action, fields } => Answer {
                mode: "form_post",
                target: action.clone(),
                fields: fields
                    .iter()
                    .map(|(k, v)| (k.clone(), redact(k, v)))
                    .collect(),
                code_issued,
            },
        }
    });
    let calls = crate::oidc::faults::events_for_login(broker, &txn.id)?
        .into_iter()
        .map(|e| Call {
            at: utc(e.at),
            what: match e.act {
                RpAct::Fault { fault } => format!("fault {} in the response", fault.name()),
                RpAct::TokenExchange => "token exchange (the code redeemed)".into(),
                RpAct::Userinfo => "userinfo".into(),
                RpAct::Refresh => "refresh".into(),
                RpAct::JwksFetch { status } => format!("JWKS fetch, answered {status}"),
                RpAct::LogoutAnswer { status } => {
                    format!("back-channel logout answered {status}")
                }
            },
        })
        .collect();
    Ok(Timeline {
        id: txn.id.to_string(),
        href: format!("{}/{}", crate::paths::SIM_LOGINS, txn.id),
        pending: status == "pending",
        status,
        status_label: status_label(t, status),
        client: txn.request.client_id.to_string(),
        profile: txn.request.profile.as_str(),
        created: utc(txn.created_at),
        expires: utc(txn.expires_at),
        fingerprint: fingerprint(broker, txn)?,
        request,
        screens,
        decision,
        answered_at_once: txn.delivered && txn.response.is_none(),
        answer,
        calls,
        requests: logged::of_login(broker, t, txn.id.as_str())?,
    })
}

/// A redirect's address without its query and fragment, and their parameters, secrets
/// redacted.
fn split_location(location: &str) -> (String, Vec<(String, String)>) {
    let Ok(mut url) = url::Url::parse(location) else {
        return ("[not a URL]".into(), Vec::new());
    };
    let mut fields: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.to_string(), redact(&k, &v)))
        .collect();
    if let Some(fragment) = url.fragment() {
        fields.extend(
            url::form_urlencoded::parse(fragment.as_bytes())
                .map(|(k, v)| (format!("#{k}"), redact(&k, &v))),
        );
    }
    url.set_query(None);
    url.set_fragment(None);
    (url.to_string(), fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_redirect_shows_its_parameters_but_never_the_code_or_a_token() {
        let (target, fields) = split_location(
            "https://rp.example/cb?code=SECRET&state=s1&iss=x#access_token=T&token_type=Bearer",
        );
        assert_eq!(target, "https://rp.example/cb");
        let text = format!("{fields:?}");
        assert!(
            !text.contains("SECRET") && !text.contains("\"T\""),
            "{text}"
        );
        assert!(fields.contains(&("state".into(), "s1".into())));
        assert!(fields.contains(&("code".into(), "[redacted]".into())));
        assert!(fields.contains(&("#access_token".into(), "[redacted]".into())));
    }
}
