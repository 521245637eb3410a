//! The headless login: a browser sent through the authorization endpoint until it reaches the
//! client's redirect URI (by redirect or form post) or stops at a page of the OP's.

use reqwest::header::LOCATION;
use serde_json::json;
use url::Url;

use super::{transport, Env, TestClient};
use crate::conformance::checks::authorization::Params;
use crate::conformance::checks::Violation;
use crate::conformance::{html, Halt};

/// How the OP's answer to an authorization request ended.
#[derive(Debug, Clone)]
pub enum AuthResult {
    /// The OP sent the browser to the redirect URI.
    Callback {
        /// Query, fragment or form parameters, as the response mode put them.
        params: Params,
        /// The query alone (for checks that nothing leaked into it).
        query: Params,
        url: String,
        form_post: bool,
    },
    /// The OP stopped at a page of its own (an error page, a confirmation).
    Stopped {
        status: u16,
        url: String,
        body: String,
    },
}

impl Env {
    /// Sends a browser through the authorization endpoint (GET, or a form POST when `post`),
    /// settling the login headlessly, until it reaches the client's redirect URI or stops.
    pub async fn authorize(
        &self,
        browser: &reqwest::Client,
        client: &TestClient,
        params: &[(String, String)],
        post: bool,
    ) -> Result<AuthResult, Halt> {
        let endpoint = self.endpoint("authorization_endpoint")?;
        let mut url = Url::parse(&endpoint).map_err(|e| transport(&endpoint, e))?;
        if let Some(hook) = &self.options.login_hook {
            url.query_pairs_mut().extend_pairs(params);
            return self.run_hook(hook, client, url.as_str()).await;
        }
        let mut response = if post {
            browser.post(url.clone()).form(params).send().await
        } else {
            url.query_pairs_mut().extend_pairs(params);
            browser.get(url.clone()).send().await
        }
        .map_err(|e| transport("authorization endpoint", e))?;
        let mut current = url;
        let mut login_id: Option<String> = None;
        let mut approved = false;
        for _ in 0..30 {
            if let Some(id) = response
                .headers()
                .get("x-sim-login-id")
                .and_then(|v| v.to_str().ok())
            {
                login_id = Some(id.to_string());
            }
            if response.status().is_redirection() {
                let location = response
                    .headers()
                    .get(LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                let next = current
                    .join(location)
                    .map_err(|e| transport("Location", e))?;
                if at_redirect_uri(&next, &client.redirect_uri) {
                    return Ok(callback_of(&next));
                }
                current = next;
                response = browser
                    .get(current.clone())
                    .send()
                    .await
                    .map_err(|e| transport(current.as_str(), e))?;
                continue;
            }
            let status = response.status().as_u16();
            let body = response.text().await.unwrap_or_default();
            if let Some(result) = form_post_of(&body, &current, &client.redirect_uri) {
                return Ok(result);
            }
            // A login the OP parked for a person: settle it through the control API.
            if let (Some(id), false, true) =
                (&login_id, approved, self.options.sim_control.is_some())
            {
                let user = json!({"user_id": self.options.sim_user});
                let answer = self
                    .control(
                        reqwest::Method::POST,
                        &format!("/logins/{id}/approve"),
                        Some(user),
                    )
                    .await;
                approved = true;
                match answer {
                    Some(a) if a.status == 200 => {
                        response = browser
                            .get(current.clone())
                            .send()
                            .await
                            .map_err(|e| transport(current.as_str(), e))?;
                        continue;
                    }
                    other => {
                        let said = other
                            .map(|a| format!("{} {}", a.status, a.body))
                            .unwrap_or_else(|| "no answer".into());
                        return Ok(AuthResult::Stopped {
                            status,
                            url: current.to_string(),
                            body: format!("the control API did not approve login {id}: {said}"),
                        });
                    }
                }
            }
            return Ok(AuthResult::Stopped {
                status,
                url: current.to_string(),
                body,
            });
        }
        Err(Halt::Fail(Violation::new(
            "FollowRedirects",
            "-",
            "more than 30 redirects",
        )))
    }

    /// `--login-hook CMD`: runs `CMD URL` and reads the callback URL from its last line.
    async fn run_hook(
        &self,
        hook: &str,
        client: &TestClient,
        url: &str,
    ) -> Result<AuthResult, Halt> {
        let output = tokio::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{hook} \"$1\""))
            .arg("login-hook")
            .arg(url)
            .output()
            .await
            .map_err(|e| transport("--login-hook", e))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let last = stdout
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim();
        match Url::parse(last) {
            Ok(callback)
                if output.status.success() && at_redirect_uri(&callback, &client.redirect_uri) =>
            {
                Ok(callback_of(&callback))
            }
            _ => Ok(AuthResult::Stopped {
                status: 0,
                url: url.to_string(),
                body: String::from_utf8_lossy(&output.stderr).into_owned(),
            }),
        }
    }
}

/// The URL is the redirect URI: same scheme, host, port and path (its query may carry the
/// response; a registered query must still be there).
fn at_redirect_uri(url: &Url, redirect_uri: &str) -> bool {
    let Ok(want) = Url::parse(redirect_uri) else {
        return false;
    };
    let same_base = url.scheme() == want.scheme()
        && url.host_str() == want.host_str()
        && url.port_or_known_default() == want.port_or_known_default()
        && url.path() == want.path();
    let registered_query_kept = want
        .query_pairs()
        .all(|(k, v)| url.query_pairs().any(|(k2, v2)| k == k2 && v == v2));
    same_base && registered_query_kept
}

fn pairs(text: &str) -> Params {
    url::form_urlencoded::parse(text.as_bytes())
        .into_owned()
        .collect()
}

fn callback_of(url: &Url) -> AuthResult {
    let query = pairs(url.query().unwrap_or(""));
    let mut params = query.clone();
    if let Some(fragment) = url.fragment() {
        params.extend(pairs(fragment));
    }
    AuthResult::Callback {
        params,
        query,
        url: url.to_string(),
        form_post: false,
    }
}

/// OAuth 2.0 Form Post Response Mode 2: an HTML form that POSTs to the redirect URI.
fn form_post_of(body: &str, current: &Url, redirect_uri: &str) -> Option<AuthResult> {
    html::forms(body).into_iter().find_map(|form| {
        let action = current.join(&form.action).ok()?;
        if form.method != "post" || !at_redirect_uri(&action, redirect_uri) {
            return None;
        }
        Some(AuthResult::Callback {
            params: form.inputs.into_iter().collect(),
            query: pairs(action.query().unwrap_or("")),
            url: action.to_string(),
            form_post: true,
        })
    })
}
