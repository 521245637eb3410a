//! The Basic OP plan's modules (`oidcc-basic-certification-test-plan`), also run with
//! `response_mode=form_post` as the Form Post plan.

use serde_json::{json, Value};

use super::flow::Request;
use crate::conformance::checks::{id_token, token, userinfo, Violation};
use crate::conformance::env::{ClientKind, UserinfoCall};
use crate::conformance::{Ctx, Halt};

type R = Result<(), Halt>;

async fn basic_request(ctx: &mut Ctx<'_>) -> Result<Request, Halt> {
    let kind = if ctx.plan == crate::conformance::Plan::Dynamic {
        ClientKind::Registered
    } else {
        ClientKind::Basic
    };
    let client = ctx.env.client(kind).await?;
    Ok(Request::new(&client))
}

/// oidcc-server: the code flow with client_secret_basic, ID token and userinfo checked.
pub async fn server(ctx: &mut Ctx<'_>) -> R {
    let request = basic_request(ctx).await?;
    let login = ctx.login(request).await?;
    ctx.userinfo(&login, UserinfoCall::GetHeader).await?;
    Ok(())
}

/// oidcc-server-client-secret-post: the same with client_secret_post (OIDC Core 9).
pub async fn server_client_secret_post(ctx: &mut Ctx<'_>) -> R {
    let client = ctx.env.client(ClientKind::Post).await?;
    let login = ctx.login(Request::new(&client)).await?;
    ctx.userinfo(&login, UserinfoCall::GetHeader).await?;
    Ok(())
}

/// oidcc-idtoken-signature: the ID token is signed with an algorithm the OP advertises.
pub async fn idtoken_signature(ctx: &mut Ctx<'_>) -> R {
    let request = basic_request(ctx).await?;
    let login = ctx.login(request).await?;
    let alg = login.id_token.alg().unwrap_or("").to_string();
    let advertised = ctx
        .env
        .supports("id_token_signing_alg_values_supported", &alg);
    ctx.expect(if alg != "none" && advertised {
        Ok(())
    } else {
        Err(Violation::new(
            "CheckIdTokenSignatureAlgorithmIsAdvertised",
            "OIDCD-3",
            format!("the ID token's alg {alg:?} is not signed with an advertised algorithm"),
        ))
    });
    Ok(())
}

/// oidcc-idtoken-unsigned: a client registered for `none` gets an unsigned ID token; only
/// when the OP offers `none` (OIDC Core 3.1.3.7 step 7, Discovery 3).
pub async fn idtoken_unsigned(ctx: &mut Ctx<'_>) -> R {
    if !ctx
        .env
        .supports("id_token_signing_alg_values_supported", "none")
    {
        return Err(Halt::Skip("the OP does not offer id_token alg none".into()));
    }
    if ctx.env.discovery.get("registration_endpoint").is_none() {
        return Err(Halt::Skip(
            "needs a client registered for alg none (registration_endpoint)".into(),
        ));
    }
    let client = ctx
        .env
        .register(
            crate::conformance::ClientAuth::Basic,
            json!({"id_token_signed_response_alg": "none"}),
        )
        .await?;
    ctx.login(Request::new(&client)).await?;
    Ok(())
}

async fn userinfo_with(ctx: &mut Ctx<'_>, how: UserinfoCall) -> R {
    let request = basic_request(ctx).await?;
    let login = ctx.login(request).await?;
    ctx.userinfo(&login, how).await?;
    Ok(())
}

/// oidcc-userinfo-get / -post-header / -post-body (OIDC Core 5.3.1: GET and POST; RFC 6750
/// 2.1 header and 2.2 form body).
pub async fn userinfo_get(ctx: &mut Ctx<'_>) -> R {
    userinfo_with(ctx, UserinfoCall::GetHeader).await
}

pub async fn userinfo_post_header(ctx: &mut Ctx<'_>) -> R {
    userinfo_with(ctx, UserinfoCall::PostHeader).await
}

pub async fn userinfo_post_body(ctx: &mut Ctx<'_>) -> R {
    userinfo_with(ctx, UserinfoCall::PostBody).await
}

/// oidcc-ensure-request-without-nonce-succeeds-for-code-flow: nonce is OPTIONAL in the code
/// flow (OIDC Core 3.1.2.1).
pub async fn without_nonce(ctx: &mut Ctx<'_>) -> R {
    let mut request = basic_request(ctx).await?;
    request.nonce = None;
    ctx.login(request).await?;
    Ok(())
}

/// oidcc-scope-*: the scope's claims come back from userinfo (OIDC Core 5.4), a warning
/// when they do not (the person may not have them).
pub async fn scope(ctx: &mut Ctx<'_>, scopes: &[&str]) -> R {
    for s in scopes {
        if !ctx.env.supports("scopes_supported", s)
            && ctx.env.discovery.get("scopes_supported").is_some()
        {
            return Err(Halt::Skip(format!("scope {s} is not in scopes_supported")));
        }
    }
    let request = basic_request(ctx)
        .await?
        .scope(&format!("openid {}", scopes.join(" ")));
    let login = ctx.login(request).await?;
    let claims = ctx.userinfo(&login, UserinfoCall::GetHeader).await?;
    let mut all = claims.clone();
    for (k, v) in &login.id_token.claims {
        all.entry(k.clone()).or_insert_with(|| v.clone());
    }
    ctx.warn(userinfo::check_scope_claims(scopes, &all));
    Ok(())
}

/// oidcc-ensure-other-scope-order-succeeds: scope values are an unordered list (RFC 6749 3.3).
pub async fn other_scope_order(ctx: &mut Ctx<'_>) -> R {
    let scope = if ctx.env.supports("scopes_supported", "email") {
        "email openid"
    } else {
        "profile openid"
    };
    let request = basic_request(ctx).await?.scope(scope);
    ctx.login(request).await?;
    Ok(())
}

/// Requests that carry an OPTIONAL parameter the OP may ignore but must not fail on
/// (oidcc-display-*, -ui-locales, -claims-locales, -login-hint, unknown parameters: OIDC
/// Core 3.1.2.1 and 3.1.2.2).
pub async fn succeeds_with(ctx: &mut Ctx<'_>, name: &str, value: &str) -> R {
    let request = basic_request(ctx).await?.with(name, value);
    ctx.login(request).await?;
    Ok(())
}

/// oidcc-ensure-request-with-acr-values-succeeds: voluntary acr values (OIDC Core 3.1.2.1,
/// 5.5.1.1); the ID token's `acr`, if any, is a string.
pub async fn acr_values(ctx: &mut Ctx<'_>) -> R {
    let request = basic_request(ctx).await?.with("acr_values", "1 2");
    let login = ctx.login(request).await?;
    ctx.expect(id_token::check_acr_amr_types(&login.id_token));
    Ok(())
}

/// oidcc-prompt-login: a second login with `prompt=login` re-authenticates (OIDC Core
/// 3.1.2.1: the OP SHOULD prompt; auth_time moves), a warning if `auth_time` stays.
pub async fn prompt_login(ctx: &mut Ctx<'_>) -> R {
    let request = basic_request(ctx).await?;
    let first = ctx.login(request.clone()).await?;
    ctx.env.pass_time(2).await;
    let second = ctx
        .login(Request::new(&request.client).with("prompt", "login"))
        .await?;
    ctx.expect(same_sub(&first.sub(), &second.sub(), "OIDCC-3.1.2.1"));
    ctx.warn(reauthenticated(
        first.auth_time(),
        second.auth_time(),
        "CheckIdTokenAuthTimeIsRecent",
        "OIDCC-3.1.2.1",
    ));
    Ok(())
}

fn same_sub(a: &str, b: &str, spec: &'static str) -> Result<(), Violation> {
    if a == b {
        return Ok(());
    }
    Err(Violation::new(
        "CheckSameSubInBothIdTokens",
        spec,
        format!("sub {a:?} then {b:?}"),
    ))
}

fn reauthenticated(
    first: Option<i64>,
    second: Option<i64>,
    condition: &'static str,
    spec: &'static str,
) -> Result<(), Violation> {
    match (first, second) {
        (Some(a), Some(b)) if b > a => Ok(()),
        (a, b) => Err(Violation::new(
            condition,
            spec,
            format!("auth_time {a:?} then {b:?}: the End-User was not authenticated again"),
        )),
    }
}

/// oidcc-prompt-none-not-logged-in: no session, `prompt=none`: an error at the redirect
/// URI, `login_required` or the like (OIDC Core 3.1.2.1, 3.1.2.6).
pub async fn prompt_none_not_logged_in(ctx: &mut Ctx<'_>) -> R {
    let request = basic_request(ctx).await?.with("prompt", "none");
    ctx.expect_error(
        &request,
        &[
            "login_required",
            "interaction_required",
            "consent_required",
            "account_selection_required",
        ],
        "CheckErrorFromAuthorizationEndpointLoginRequired",
        "OIDCC-3.1.2.6",
        false,
    )
    .await
}

/// oidcc-prompt-none-logged-in: with a session, `prompt=none` logs in silently, same `sub`.
pub async fn prompt_none_logged_in(ctx: &mut Ctx<'_>) -> R {
    let request = basic_request(ctx).await?;
    let first = ctx.login(request.clone()).await?;
    let second = ctx
        .login(Request::new(&request.client).with("prompt", "none"))
        .await?;
    ctx.expect(same_sub(&first.sub(), &second.sub(), "OIDCC-3.1.2.1"));
    Ok(())
}

/// oidcc-max-age-1: after more than a second, `max_age=1` MUST re-authenticate, and the ID
/// token carries `auth_time` (OIDC Core 3.1.2.1).
pub async fn max_age_1(ctx: &mut Ctx<'_>) -> R {
    let request = basic_request(ctx).await?;
    let first = ctx.login(request.clone()).await?;
    ctx.env.pass_time(2).await;
    let second = ctx
        .login(Request::new(&request.client).with("max_age", "1"))
        .await?;
    ctx.expect(reauthenticated(
        first.auth_time(),
        second.auth_time(),
        "CheckIdTokenAuthTimeIsRecent",
        "OIDCC-3.1.2.1",
    ));
    Ok(())
}

/// oidcc-max-age-10000: `auth_time` comes back; the session may be reused.
pub async fn max_age_10000(ctx: &mut Ctx<'_>) -> R {
    let request = basic_request(ctx).await?;
    let first = ctx.login(request.clone()).await?;
    let second = ctx
        .login(Request::new(&request.client).with("max_age", "10000"))
        .await?;
    ctx.expect(same_sub(&first.sub(), &second.sub(), "OIDCC-3.1.2.1"));
    Ok(())
}

/// oidcc-id-token-hint: `prompt=none` with the previous ID token as `id_token_hint` logs the
/// same person in (OIDC Core 3.1.2.1).
pub async fn id_token_hint(ctx: &mut Ctx<'_>) -> R {
    let request = basic_request(ctx).await?;
    let first = ctx.login(request.clone()).await?;
    let hinted = Request::new(&request.client)
        .with("prompt", "none")
        .with("id_token_hint", &first.id_token.raw);
    let second = ctx.login(hinted).await?;
    ctx.expect(same_sub(&first.sub(), &second.sub(), "OIDCC-3.1.2.1"));
    Ok(())
}

/// oidcc-codereuse and oidcc-codereuse-30seconds: a second redemption fails with
/// `invalid_grant` (RFC 6749 4.1.2 and 5.2); the tokens of the first SHOULD be revoked
/// (RFC 6749 4.1.2), a warning when they still work.
pub async fn code_reuse(ctx: &mut Ctx<'_>, wait: i64) -> R {
    let request = basic_request(ctx).await?;
    let login = ctx.login(request).await?;
    if wait > 0 {
        ctx.env.pass_time(wait).await;
    }
    let answer = ctx.redeem(&login.request, &login.code).await?;
    ctx.expect(token::check_error(
        &answer,
        &["invalid_grant"],
        "CheckTokenEndpointReturnedInvalidGrant",
        "RFC6749-4.1.2",
    ));
    if wait > 0 {
        let after = ctx
            .env
            .userinfo(&login.access_token, UserinfoCall::GetHeader)
            .await?;
        ctx.warn(if after.status == 200 {
            Err(Violation::new(
                "CheckAccessTokenRevokedAfterCodeReuse",
                "RFC6749-4.1.2",
                "the access token from the reused code still works at userinfo",
            ))
        } else {
            Ok(())
        });
    }
    Ok(())
}

/// oidcc-ensure-registered-redirect-uri: an unregistered redirect URI is never redirected
/// to (OIDC Core 3.1.2.1 exact match; RFC 6749 3.1.2.4).
pub async fn registered_redirect_uri(ctx: &mut Ctx<'_>) -> R {
    let mut request = basic_request(ctx).await?;
    let bad = format!(
        "{}/unregistered",
        request.client.redirect_uri.trim_end_matches('/')
    );
    request.redirect_uri = Some(bad.clone());
    request.client.redirect_uri = bad;
    expect_no_redirect(
        ctx,
        &request,
        "EnsureUnregisteredRedirectUriIsRefused",
        "OIDCC-3.1.2.1",
    )
    .await
}

async fn expect_no_redirect(
    ctx: &mut Ctx<'_>,
    request: &Request,
    condition: &'static str,
    spec: &'static str,
) -> R {
    match ctx.authorize(request).await? {
        crate::conformance::env::AuthResult::Stopped { status, .. }
            if (200..500).contains(&status) =>
        {
            Ok(())
        }
        crate::conformance::env::AuthResult::Stopped { status, url, .. } => {
            Err(Halt::Fail(Violation::new(
                condition,
                spec,
                format!("the OP answered {status} at {url}: an error page was due"),
            )))
        }
        crate::conformance::env::AuthResult::Callback { url, .. } => Err(Halt::Fail(
            Violation::new(condition, spec, format!("the OP redirected to {url}")),
        )),
    }
}

/// oidcc-ensure-redirect-uri-in-authorization-request: `redirect_uri` is REQUIRED (OIDC Core
/// 3.1.2.1): an error page, or `invalid_request`, never a code.
pub async fn redirect_uri_missing(ctx: &mut Ctx<'_>) -> R {
    let mut request = basic_request(ctx).await?;
    request.redirect_uri = None;
    ctx.expect_error(
        &request,
        &["invalid_request"],
        "EnsureMissingRedirectUriIsRefused",
        "OIDCC-3.1.2.1",
        true,
    )
    .await
}

/// oidcc-response-type-missing: no `response_type` is `invalid_request` (or
/// `unsupported_response_type`) at the redirect URI, or an error page (RFC 6749 4.1.2.1).
pub async fn response_type_missing(ctx: &mut Ctx<'_>) -> R {
    let mut request = basic_request(ctx).await?;
    request.response_type = None;
    ctx.expect_error(
        &request,
        &["invalid_request", "unsupported_response_type"],
        "CheckErrorFromAuthorizationEndpointErrorInvalidRequest",
        "RFC6749-4.1.2.1",
        true,
    )
    .await
}

/// oidcc-ensure-post-request-succeeds: the authorization endpoint takes POST (OIDC Core
/// 3.1.2.1).
pub async fn post_request(ctx: &mut Ctx<'_>) -> R {
    let mut request = basic_request(ctx).await?;
    request.post = true;
    ctx.login(request).await?;
    Ok(())
}

/// oidcc-ensure-request-with-valid-pkce-succeeds (RFC 7636 4.3-4.6).
pub async fn valid_pkce(ctx: &mut Ctx<'_>) -> R {
    let request = basic_request(ctx).await?.with_pkce();
    ctx.login(request).await?;
    Ok(())
}

/// oidcc-claims-essential: an essential `name` for userinfo (OIDC Core 5.5); a warning when
/// it does not come (5.5.1: an essential claim not returned is not an error).
pub async fn claims_essential(ctx: &mut Ctx<'_>) -> R {
    let claims = json!({"userinfo": {"name": {"essential": true}}}).to_string();
    let request = basic_request(ctx).await?.with("claims", &claims);
    let login = ctx.login(request).await?;
    let info = ctx.userinfo(&login, UserinfoCall::GetHeader).await?;
    ctx.warn(if info.contains_key("name") {
        Ok(())
    } else {
        Err(Violation::new(
            "EnsureUserInfoContainsName",
            "OIDCC-5.5.1",
            "the essential claim name was not returned",
        ))
    });
    Ok(())
}

/// oidcc-refresh-token: a refresh gives new tokens; a new ID token keeps `iss`, `sub`, `aud`,
/// `azp`, `auth_time` (OIDC Core 12.2); another client cannot use the refresh token (RFC 6749
/// 6 and 10.4).
pub async fn refresh_token(ctx: &mut Ctx<'_>) -> R {
    if !ctx.env.supports("grant_types_supported", "refresh_token")
        && ctx.env.discovery.get("grant_types_supported").is_some()
    {
        return Err(Halt::Skip(
            "the OP does not offer the refresh_token grant".into(),
        ));
    }
    let request = basic_request(ctx).await?;
    let (login, refresh) = ctx.login_for_refresh(request).await?;
    let answer = ctx
        .env
        .token(
            &login.request.client,
            &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
        )
        .await?;
    let mut findings = std::mem::take(&mut ctx.findings);
    let body = token::check_success(&answer, false, &mut findings);
    ctx.findings = findings;
    let body = body.ok_or_else(|| {
        Violation::new(
            "CallTokenEndpointForRefresh",
            "OIDCC-12.2",
            format!("refresh answered {}", answer.status),
        )
    })?;
    if let Some(raw) = body.get("id_token").and_then(Value::as_str) {
        let mut again = login.request.clone();
        let refreshed = crate::conformance::jose::Jws::parse(raw).ok();
        again.nonce = refreshed
            .as_ref()
            .and_then(|j| j.claim_str("nonce"))
            .map(str::to_string);
        let access = body.get("access_token").and_then(Value::as_str);
        let jws = ctx.check_id_token(&again, raw, access, None).await?;
        ctx.expect(id_token::check_refreshed(&login.id_token, &jws));
    }
    let newest = body
        .get("refresh_token")
        .and_then(Value::as_str)
        .unwrap_or(&refresh)
        .to_string();
    match ctx.env.client(ClientKind::Second).await {
        Ok(other) => {
            let stolen = ctx
                .env
                .token(
                    &other,
                    &[("grant_type", "refresh_token"), ("refresh_token", &newest)],
                )
                .await?;
            ctx.expect(token::check_error(
                &stolen,
                &["invalid_grant"],
                "CheckRefreshTokenOfAnotherClientIsRefused",
                "RFC6749-6",
            ));
        }
        Err(Halt::Skip(why)) => {
            ctx.warn(Err(Violation::new(
                "CheckRefreshTokenOfAnotherClientIsRefused",
                "RFC6749-6",
                format!("not checked: {why}"),
            )));
        }
        Err(halt) => return Err(halt),
    }
    Ok(())
}

/// Request objects by value and by reference, unsigned (`alg` `none`, OIDC Core 6.1 and 6.2):
/// either processed (the request object's `state` and `nonce` come back) or refused with
/// `request_not_supported` / `request_uri_not_supported` or an error page (OIDC Core 3.1.2.6).
pub async fn unsigned_request_object(ctx: &mut Ctx<'_>, by_reference: bool) -> R {
    let base = basic_request(ctx).await?;
    let object = json!({
        "client_id": base.client.client_id,
        "response_type": "code",
        "scope": "openid",
        "redirect_uri": base.client.redirect_uri,
        "state": base.state,
        "nonce": base.nonce,
    });
    let jwt = crate::conformance::jose::unsigned(&object);
    let mut request = base.clone();
    request.redirect_uri = Some(base.client.redirect_uri.clone());
    request.state = None;
    request.nonce = None;
    let request = if by_reference {
        let uri = ctx.env.receiver.host_request_object(&jwt);
        request.with("request_uri", &uri)
    } else {
        request.with("request", &jwt)
    };
    let unsupported = if by_reference {
        "request_uri_not_supported"
    } else {
        "request_not_supported"
    };
    match ctx.authorize(&request).await? {
        crate::conformance::env::AuthResult::Stopped { status, .. }
            if (200..500).contains(&status) =>
        {
            Ok(())
        }
        crate::conformance::env::AuthResult::Stopped { status, url, .. } => {
            Err(Halt::Fail(Violation::new(
                "EnsureRequestObjectHandled",
                "OIDCC-6.1",
                format!("the OP answered {status} at {url}"),
            )))
        }
        crate::conformance::env::AuthResult::Callback { params, .. } => {
            if let Some(error) = params.get("error") {
                ctx.expect(
                    if error == unsupported || error == "invalid_request_object" {
                        Ok(())
                    } else {
                        Err(Violation::new(
                            "EnsureRequestObjectHandled",
                            "OIDCC-3.1.2.6",
                            format!("error {error}, expected {unsupported}"),
                        ))
                    },
                );
                return Ok(());
            }
            // Processed: the state and nonce inside the object are the ones that count.
            ctx.require(crate::conformance::checks::authorization::check_state(
                &params,
                base.state.as_deref(),
            ))?;
            ctx.require(crate::conformance::checks::authorization::check_code(
                &params,
            ))?;
            let code = params.get("code").cloned().unwrap_or_default();
            ctx.exchange(&base, &code).await?;
            Ok(())
        }
    }
}
