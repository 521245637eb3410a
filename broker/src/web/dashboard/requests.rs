//! The request log as the dashboard shows it (`crate::requests`, written by the OpenID
//! endpoints): a page of the latest requests, filterable by client and login, and each login's
//! own requests on its timeline. ID tokens and JWT access tokens come decoded, with what the
//! client must check.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use std::sync::Arc;

use super::texts::DashTexts;
use super::tokens::{decoded, Decoded};
use super::{asked, error_page, sim_failure, utc, Frame, PageQuery};
use crate::app::Broker;
use crate::model::{LoggedJwt, LoggedRequest};
use crate::paths::{SIM_LOGINS, SIM_REQUESTS};
use crate::requests::{self, RequestFilter};
use crate::sim::SimError;

/// One logged request, ready to show.
pub struct RequestView {
    pub at: String,
    pub method: String,
    pub path: String,
    pub endpoint: String,
    pub profile: &'static str,
    pub client: String,
    pub login: String,
    pub login_href: String,
    pub status: u16,
    pub failed: bool,
    /// The OAuth error and its description.
    pub error: String,
    pub params: Vec<(String, String)>,
    pub authorization: String,
    pub location: String,
    /// The JSON answer, pretty (tokens redacted).
    pub response: String,
    pub id_token: Option<Decoded>,
    pub access_token: Option<Decoded>,
    pub duration: String,
}

/// A duration in microseconds, in the unit that reads best.
fn duration(us: u64) -> String {
    if us < 1_000 {
        format!("{us} µs")
    } else {
        format!("{:.1} ms", us as f64 / 1_000.0)
    }
}

pub fn view(t: &'static DashTexts, entry: &LoggedRequest) -> RequestView {
    let login = entry.login_id.clone().unwrap_or_default();
    RequestView {
        at: utc(entry.at),
        method: entry.method.clone(),
        path: entry.path.clone(),
        endpoint: entry.endpoint.clone(),
        profile: entry.profile.as_str(),
        client: entry.client_id.clone().unwrap_or_default(),
        login_href: if login.is_empty() {
            String::new()
        } else {
            format!("{SIM_LOGINS}/{login}")
        },
        login,
        status: entry.status,
        failed: entry.status >= 400 || entry.error.is_some(),
        error: [entry.error.as_deref(), entry.error_description.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(": "),
        params: entry
            .params
            .iter()
            .map(|p| (p.name.clone(), p.value.clone()))
            .collect(),
        authorization: entry.authorization.clone().unwrap_or_default(),
        location: entry.location.clone().unwrap_or_default(),
        response: entry
            .response
            .as_ref()
            .and_then(|v| serde_json::to_string_pretty(v).ok())
            .unwrap_or_default(),
        id_token: entry
            .id_token
            .as_ref()
            .and_then(LoggedJwt::decode)
            .map(|jwt| decoded(t, &jwt.header, &jwt.claims, false)),
        access_token: entry
            .access_token
            .as_ref()
            .and_then(LoggedJwt::decode)
            .map(|jwt| decoded(t, &jwt.header, &jwt.claims, true)),
        duration: duration(entry.duration_us),
    }
}

/// A login's requests, oldest first.
pub fn of_login(
    broker: &Broker,
    t: &'static DashTexts,
    login: &str,
) -> Result<Vec<RequestView>, SimError> {
    let mut entries = requests::latest(
        broker,
        &RequestFilter {
            login_id: Some(login.to_string()),
            client_id: None,
            limit: requests::MAX_LIMIT,
        },
    )?;
    entries.reverse();
    Ok(entries.iter().map(|e| view(t, e)).collect())
}

#[derive(Deserialize, Default)]
pub struct RequestsQuery {
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    login: Option<String>,
    #[serde(flatten)]
    page: PageQuery,
}

#[derive(Template)]
#[template(path = "dash_requests.html")]
struct RequestsPage {
    lang: &'static str,
    f: Frame,
    client_id: String,
    login: String,
    requests: Vec<RequestView>,
}

/// How many requests the page shows.
const SHOWN: usize = 100;

pub async fn page(
    State(b): State<Arc<Broker>>,
    Query(q): Query<RequestsQuery>,
    headers: HeaderMap,
) -> Response {
    let asked = asked(&q.page, &headers);
    let nonempty = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
    let filter = RequestFilter {
        client_id: nonempty(&q.client_id),
        login_id: nonempty(&q.login),
        limit: SHOWN,
    };
    let entries = match requests::latest(&b, &filter) {
        Ok(entries) => entries,
        Err(e) => {
            let (status, message) = sim_failure(&e.into());
            return error_page(&b, &headers, status, message, SIM_REQUESTS);
        }
    };
    let page = RequestsPage {
        lang: asked.lang,
        f: asked.frame(&b, "requests"),
        client_id: filter.client_id.unwrap_or_default(),
        login: filter.login_id.unwrap_or_default(),
        requests: entries.iter().map(|e| view(asked.t(), e)).collect(),
    };
    asked.render(&b, StatusCode::OK, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_in_microseconds_or_milliseconds() {
        assert_eq!(duration(850), "850 µs");
        assert_eq!(duration(12_345), "12.3 ms");
    }
}
