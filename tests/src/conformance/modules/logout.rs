//! The RP-Initiated Logout OP plan (`oidcc-rp-initiated-logout-certification-test-plan`):
//! OpenID Connect RP-Initiated Logout 1.0 sections 2 and 3.

use url::Url;

use super::flow::{Login, Request};
use crate::conformance::checks::{discovery, token::short, Violation};
use crate::conformance::env::{answer_of, ClientKind};
use crate::conformance::{html, Ctx, Halt};

type R = Result<(), Halt>;

/// Where a logout request ended.
#[derive(Debug)]
pub enum Ended {
    /// The OP sent the browser away from itself (to the RP).
    Redirected(Url),
    /// The OP stopped at a page of its own.
    Page {
        status: u16,
        url: String,
        body: String,
    },
}

/// Sends the browser to the end_session_endpoint with `params`; follows the OP's own
/// redirects and, when `confirm`, submits one confirmation form of the OP's.
pub async fn end_session(
    ctx: &mut Ctx<'_>,
    params: &[(&str, &str)],
    confirm: bool,
) -> Result<Ended, Halt> {
    let endpoint = ctx.env.endpoint("end_session_endpoint")?;
    let mut url = Url::parse(&endpoint).map_err(|e| {
        Violation::new(
            "CheckDiscEndpointEndSessionEndpoint",
            "OIDCRIL-2.1",
            e.to_string(),
        )
    })?;
    url.query_pairs_mut().extend_pairs(params);
    let op_origin = url.origin();
    let transport =
        |e: reqwest::Error| Halt::Fail(Violation::new("HttpRequest", "RFC9110", e.to_string()));
    let mut response = ctx
        .browser
        .get(url.clone())
        .send()
        .await
        .map_err(transport)?;
    let mut current = url;
    let mut confirmed = false;
    for _ in 0..20 {
        if response.status().is_redirection() {
            let location = response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            let next = current
                .join(location)
                .map_err(|e| Violation::new("FollowRedirects", "RFC9110", e.to_string()))?;
            if next.origin() != op_origin {
                return Ok(Ended::Redirected(next));
            }
            current = next;
            response = ctx
                .browser
                .get(current.clone())
                .send()
                .await
                .map_err(transport)?;
            continue;
        }
        let answer = answer_of(response).await;
        let form = html::forms(&answer.body)
            .into_iter()
            .find(|f| f.method == "post");
        if let (true, false, Some(form)) = (confirm, confirmed, form) {
            confirmed = true;
            let action = current
                .join(&form.action)
                .map_err(|e| Violation::new("FollowRedirects", "RFC9110", e.to_string()))?;
            // A confirmation page may offer several buttons; take the first of each name,
            // which for a logout confirmation is the one that logs out.
            let mut seen = std::collections::BTreeSet::new();
            let inputs: Vec<(String, String)> = form
                .inputs
                .into_iter()
                .filter(|(n, _)| seen.insert(n.clone()))
                .collect();
            current = action.clone();
            response = ctx
                .browser
                .post(action)
                .form(&inputs)
                .send()
                .await
                .map_err(transport)?;
            continue;
        }
        return Ok(Ended::Page {
            status: answer.status,
            url: current.to_string(),
            body: answer.body,
        });
    }
    Err(Halt::Fail(Violation::new(
        "FollowRedirects",
        "RFC9110",
        "more than 20 redirects",
    )))
}

async fn logged_in(ctx: &mut Ctx<'_>) -> Result<Login, Halt> {
    let client = ctx.env.client(ClientKind::Basic).await?;
    if client.post_logout_redirect_uri.is_none() {
        return Err(Halt::Skip(
            "the client has no post_logout_redirect_uri (--post-logout-redirect-uri)".into(),
        ));
    }
    ctx.login(Request::new(&client)).await
}

fn post_logout_uri(login: &Login) -> String {
    login
        .request
        .client
        .post_logout_redirect_uri
        .clone()
        .unwrap_or_default()
}

/// After a logout the OP session is gone: `prompt=none` is refused (RP-Initiated Logout 2:
/// the OP logs the End-User out).
async fn check_session_ended(ctx: &mut Ctx<'_>, login: &Login) -> R {
    let request = Request::new(&login.request.client).with("prompt", "none");
    ctx.expect_error(
        &request,
        &[
            "login_required",
            "interaction_required",
            "consent_required",
            "account_selection_required",
        ],
        "CheckSessionEndedAfterLogout",
        "OIDCRIL-2",
        false,
    )
    .await
}

fn redirected_to(url: &Url, target: &str) -> bool {
    let Ok(t) = Url::parse(target) else {
        return false;
    };
    url.origin() == t.origin() && url.path() == t.path()
}

/// oidcc-rp-initiated-logout-discovery-endpoint-verification.
pub async fn discovery_verification(ctx: &mut Ctx<'_>) -> R {
    let check = discovery::check_end_session(&ctx.env.discovery);
    ctx.require(check)
}

/// oidcc-rp-initiated-logout: with `id_token_hint`, a registered `post_logout_redirect_uri`
/// and `state`, the OP logs out and redirects there with `state` (RP-Initiated Logout 2, 3).
pub async fn logout(ctx: &mut Ctx<'_>) -> R {
    let login = logged_in(ctx).await?;
    let target = post_logout_uri(&login);
    let state = crate::conformance::env::random_id();
    let ended = end_session(
        ctx,
        &[
            ("id_token_hint", &login.id_token.raw),
            ("post_logout_redirect_uri", &target),
            ("state", &state),
        ],
        true,
    )
    .await?;
    match ended {
        Ended::Redirected(url) if redirected_to(&url, &target) => {
            let got = url
                .query_pairs()
                .find(|(k, _)| k == "state")
                .map(|(_, v)| v.into_owned());
            ctx.expect(if got.as_deref() == Some(state.as_str()) {
                Ok(())
            } else {
                Err(Violation::new(
                    "CheckPostLogoutState",
                    "OIDCRIL-2",
                    format!("state {got:?}, sent {state:?}"),
                ))
            });
        }
        other => {
            return Err(Halt::Fail(Violation::new(
                "CheckRedirectToPostLogoutRedirectUri",
                "OIDCRIL-3",
                format!("expected a redirect to {target}, got {}", describe(&other)),
            )))
        }
    }
    check_session_ended(ctx, &login).await
}

fn describe(ended: &Ended) -> String {
    match ended {
        Ended::Redirected(url) => format!("a redirect to {url}"),
        Ended::Page { status, url, body } => format!("{status} at {url}: {}", short(body)),
    }
}

/// The negative modules: the OP MUST NOT redirect to `forbidden`; its own page (any 2xx-4xx)
/// is the right answer.
async fn expect_no_redirect(
    ctx: &mut Ctx<'_>,
    params: &[(&str, &str)],
    forbidden: &str,
    condition: &'static str,
    spec: &'static str,
) -> R {
    match end_session(ctx, params, true).await? {
        Ended::Redirected(url) if redirected_to(&url, forbidden) => Err(Halt::Fail(
            Violation::new(condition, spec, format!("the OP redirected to {url}")),
        )),
        Ended::Page { status, url, .. } if status >= 500 => Err(Halt::Fail(Violation::new(
            condition,
            spec,
            format!("the OP answered {status} at {url}"),
        ))),
        _ => Ok(()),
    }
}

/// oidcc-rp-initiated-logout-bad-post-logout-redirect-uri and
/// -query-added-to-post-logout-redirect-uri: a URI that does not exactly match a registered
/// one is never redirected to (RP-Initiated Logout 3).
pub async fn bad_post_logout_uri(ctx: &mut Ctx<'_>, query_added: bool) -> R {
    let login = logged_in(ctx).await?;
    let registered = post_logout_uri(&login);
    let bad = if query_added {
        format!(
            "{registered}{}foo=bar",
            if registered.contains('?') { '&' } else { '?' }
        )
    } else {
        format!("{}/unregistered", registered.trim_end_matches('/'))
    };
    let state = crate::conformance::env::random_id();
    let raw = login.id_token.raw.clone();
    let params = [
        ("id_token_hint", raw.as_str()),
        ("post_logout_redirect_uri", bad.as_str()),
        ("state", state.as_str()),
    ];
    expect_no_redirect(
        ctx,
        &params,
        &bad,
        "EnsurePostLogoutRedirectUriIsRegistered",
        "OIDCRIL-3",
    )
    .await
}

/// oidcc-rp-initiated-logout-modified-id-token-hint: an `id_token_hint` whose signature does
/// not verify is not trusted for a redirect (RP-Initiated Logout 2: the OP validates it).
pub async fn modified_id_token_hint(ctx: &mut Ctx<'_>) -> R {
    let login = logged_in(ctx).await?;
    let target = post_logout_uri(&login);
    let mut parts: Vec<String> = login.id_token.raw.split('.').map(str::to_string).collect();
    if let Some(sig) = parts.get_mut(2) {
        let flipped = if sig.starts_with('A') { 'B' } else { 'A' };
        sig.replace_range(0..1, &flipped.to_string());
    }
    let modified = parts.join(".");
    let state = crate::conformance::env::random_id();
    let params = [
        ("id_token_hint", modified.as_str()),
        ("post_logout_redirect_uri", target.as_str()),
        ("state", state.as_str()),
    ];
    expect_no_redirect(
        ctx,
        &params,
        &target,
        "EnsureModifiedIdTokenHintIsRefused",
        "OIDCRIL-2",
    )
    .await
}

/// oidcc-rp-initiated-logout-no-id-token-hint: `post_logout_redirect_uri` without
/// `id_token_hint` (nor `client_id`) is not redirected to: the OP cannot tell whose URI it is
/// (RP-Initiated Logout 2 and 3).
pub async fn no_id_token_hint(ctx: &mut Ctx<'_>) -> R {
    let login = logged_in(ctx).await?;
    let target = post_logout_uri(&login);
    let state = crate::conformance::env::random_id();
    let params = [
        ("post_logout_redirect_uri", target.as_str()),
        ("state", state.as_str()),
    ];
    match end_session(ctx, &params, false).await? {
        Ended::Redirected(url) if redirected_to(&url, &target) => Err(Halt::Fail(Violation::new(
            "EnsureNoRedirectWithoutIdTokenHint",
            "OIDCRIL-2",
            format!("the OP redirected to {url} without knowing the client"),
        ))),
        Ended::Page { status, url, .. } if status >= 500 => Err(Halt::Fail(Violation::new(
            "EnsureNoRedirectWithoutIdTokenHint",
            "OIDCRIL-2",
            format!("the OP answered {status} at {url}"),
        ))),
        _ => Ok(()),
    }
}

/// oidcc-rp-initiated-logout-no-params: a bare logout request is answered with a page of
/// the OP's (RP-Initiated Logout 2: all parameters are optional); after confirming, the
/// session is gone.
pub async fn no_params(ctx: &mut Ctx<'_>) -> R {
    let login = logged_in(ctx).await?;
    match end_session(ctx, &[], true).await? {
        Ended::Page { status, .. } if (200..300).contains(&status) => {}
        other => {
            return Err(Halt::Fail(Violation::new(
                "CheckLogoutWithoutParameters",
                "OIDCRIL-2",
                format!("expected a page of the OP's, got {}", describe(&other)),
            )))
        }
    }
    check_session_ended(ctx, &login).await
}

/// oidcc-rp-initiated-logout-no-post-logout-redirect-uri: `id_token_hint` alone logs out and
/// stays at the OP (RP-Initiated Logout 2, 3).
pub async fn no_post_logout_uri(ctx: &mut Ctx<'_>) -> R {
    let login = logged_in(ctx).await?;
    let raw = login.id_token.raw.clone();
    match end_session(ctx, &[("id_token_hint", &raw)], true).await? {
        Ended::Page { status, .. } if (200..300).contains(&status) => {}
        other => {
            return Err(Halt::Fail(Violation::new(
                "CheckLogoutWithoutPostLogoutRedirectUri",
                "OIDCRIL-3",
                format!("expected a page of the OP's, got {}", describe(&other)),
            )))
        }
    }
    check_session_ended(ctx, &login).await
}

/// oidcc-rp-initiated-logout-no-state: redirected without a `state` parameter (RP-Initiated
/// Logout 2: state is passed back only when sent).
pub async fn no_state(ctx: &mut Ctx<'_>) -> R {
    let login = logged_in(ctx).await?;
    let target = post_logout_uri(&login);
    let raw = login.id_token.raw.clone();
    match end_session(
        ctx,
        &[
            ("id_token_hint", &raw),
            ("post_logout_redirect_uri", &target),
        ],
        true,
    )
    .await?
    {
        Ended::Redirected(url) if redirected_to(&url, &target) => {
            let state = url.query_pairs().any(|(k, _)| k == "state");
            ctx.expect(if state {
                Err(Violation::new(
                    "CheckNoStateInPostLogoutRedirect",
                    "OIDCRIL-2",
                    format!("{url} carries a state"),
                ))
            } else {
                Ok(())
            });
            check_session_ended(ctx, &login).await
        }
        other => Err(Halt::Fail(Violation::new(
            "CheckRedirectToPostLogoutRedirectUri",
            "OIDCRIL-3",
            format!("expected a redirect to {target}, got {}", describe(&other)),
        ))),
    }
}

/// oidcc-rp-initiated-logout-only-state: `state` without `post_logout_redirect_uri` gives no
/// redirect (RP-Initiated Logout 3).
pub async fn only_state(ctx: &mut Ctx<'_>) -> R {
    let login = logged_in(ctx).await?;
    let target = post_logout_uri(&login);
    let raw = login.id_token.raw.clone();
    let state = crate::conformance::env::random_id();
    let params = [("id_token_hint", raw.as_str()), ("state", state.as_str())];
    expect_no_redirect(
        ctx,
        &params,
        &target,
        "EnsureNoRedirectWithoutPostLogoutRedirectUri",
        "OIDCRIL-3",
    )
    .await
}
