//! The Back-Channel Logout OP plan
//! (`oidcc-backchannel-rp-initiated-logout-certification-test-plan`): OpenID Connect
//! Back-Channel Logout 1.0.

use super::flow::Request;
use super::logout::{end_session, Ended};
use crate::conformance::checks::{discovery, logout_token, Findings, Violation};
use crate::conformance::env::ClientKind;
use crate::conformance::{Ctx, Halt};

type R = Result<(), Halt>;

/// oidcc-backchannel-rp-initiated-logout-discovery-endpoint-verification (OIDCBCL 2.1, and
/// the end_session_endpoint the logout starts at).
pub async fn discovery_verification(ctx: &mut Ctx<'_>) -> R {
    let doc = &ctx.env.discovery;
    let supported = discovery::check_backchannel_supported(doc);
    let end_session = discovery::check_end_session(doc);
    let types = discovery::check_member_types(doc);
    ctx.expect(supported);
    ctx.expect(end_session);
    ctx.expect(types);
    Ok(())
}

/// oidcc-backchannel-rp-initiated-logout: log in, log out at the OP; the OP POSTs a logout
/// token to the client's `backchannel_logout_uri` (OIDCBCL 2.5) that validates (2.4, 2.6).
pub async fn rp_initiated_logout(ctx: &mut Ctx<'_>) -> R {
    let client = ctx.env.client(ClientKind::Basic).await?;
    let Some(key) = client.backchannel_key.clone() else {
        return Err(Halt::Skip("the client has no backchannel_logout_uri at the runner (use --sim-control or registration)".into()));
    };
    let Some(target) = client.post_logout_redirect_uri.clone() else {
        return Err(Halt::Skip(
            "the client has no post_logout_redirect_uri".into(),
        ));
    };
    let login = ctx.login(Request::new(&client)).await?;
    let before = ctx.env.receiver.deliveries(&key).len();
    let raw = login.id_token.raw.clone();
    let ended = end_session(
        ctx,
        &[
            ("id_token_hint", &raw),
            ("post_logout_redirect_uri", &target),
        ],
        true,
    )
    .await?;
    if let Ended::Page { status, url, .. } = &ended {
        if *status >= 400 {
            return Err(Halt::Fail(Violation::new(
                "CallEndSessionEndpoint",
                "OIDCRIL-2",
                format!("the logout failed: {status} at {url}"),
            )));
        }
    }
    let deliveries = ctx.env.receiver.deliveries(&key);
    let Some(delivery) = deliveries.get(before) else {
        return Err(Halt::Fail(Violation::new(
            "CheckLogoutTokenDelivered",
            "OIDCBCL-2.5",
            "no logout token reached the backchannel_logout_uri",
        )));
    };
    let form = delivery
        .content_type
        .as_deref()
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    ctx.expect(if form {
        Ok(())
    } else {
        Err(Violation::new(
            "CheckLogoutTokenContentType",
            "OIDCBCL-2.5",
            format!("content-type {:?}", delivery.content_type),
        ))
    });
    let token = url::form_urlencoded::parse(delivery.body.as_bytes())
        .find(|(k, _)| k == "logout_token")
        .map(|(_, v)| v.into_owned());
    let Some(token) = token else {
        return Err(Halt::Fail(Violation::new(
            "CheckLogoutTokenDelivered",
            "OIDCBCL-2.5",
            "the POST has no logout_token parameter",
        )));
    };
    let now = ctx.env.now().await;
    let sub = login.sub();
    let expected = logout_token::Expected {
        issuer: &ctx.env.issuer,
        client_id: &client.client_id,
        now,
        sid: login.id_token.claim_str("sid"),
        sub: &sub,
        session_required: client.backchannel_session_required,
    };
    let mut findings = Findings::default();
    let jwks = ctx.env.jwks_for(&token).await;
    logout_token::validate(&token, &jwks, &expected, &mut findings);
    ctx.findings.0.extend(findings.0);
    Ok(())
}
