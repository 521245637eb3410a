//! The Dynamic OP plan (`oidcc-dynamic-certification-test-plan`): clients registered with
//! RFC 7591 / OIDC Dynamic Client Registration 1.0, authenticating with private_key_jwt.

use serde_json::{json, Value};

use super::flow::Request;
use crate::conformance::checks::{id_token, Violation};
use crate::conformance::env::{AuthResult, ClientAuth, TestClient, UserinfoCall};
use crate::conformance::{Ctx, Halt};

type R = Result<(), Halt>;

/// OIDC Discovery 3: a dynamic OP publishes `registration_endpoint`.
fn require_registration(ctx: &Ctx<'_>) -> R {
    if ctx.env.discovery.get("registration_endpoint").is_some() {
        return Ok(());
    }
    Err(Halt::Fail(Violation::new(
        "CheckDiscEndpointRegistrationEndpoint",
        "OIDCD-3",
        "the OP has no registration_endpoint: dynamic registration is not offered",
    )))
}

async fn register(ctx: &mut Ctx<'_>, extra: Value) -> Result<TestClient, Halt> {
    require_registration(ctx)?;
    let auth = if ctx
        .env
        .supports("token_endpoint_auth_methods_supported", "private_key_jwt")
    {
        ClientAuth::PrivateKeyJwt
    } else {
        ClientAuth::Basic
    };
    ctx.env.register(auth, extra).await
}

/// oidcc-server (dynamic): register, log in, userinfo.
pub async fn server(ctx: &mut Ctx<'_>) -> R {
    let client = register(ctx, json!({})).await?;
    if client.auth != ClientAuth::PrivateKeyJwt {
        ctx.expect(Err(Violation::new(
            "CheckDiscEndpointTokenEndpointAuthMethodsSupported",
            "OIDCR-2",
            "private_key_jwt is not in token_endpoint_auth_methods_supported; the dynamic plan uses it",
        )));
    }
    let login = ctx.login(Request::new(&client)).await?;
    ctx.userinfo(&login, UserinfoCall::GetHeader).await?;
    Ok(())
}

/// oidcc-idtoken-rs256: a client registered for RS256 gets RS256 ID tokens (OIDCR 2).
pub async fn idtoken_rs256(ctx: &mut Ctx<'_>) -> R {
    let client = register(ctx, json!({"id_token_signed_response_alg": "RS256"})).await?;
    let login = ctx.login(Request::new(&client)).await?;
    let check = id_token::check_alg(&login.id_token, "RS256");
    ctx.expect(check);
    Ok(())
}

/// oidcc-userinfo-rs256: a client registered with `userinfo_signed_response_alg` RS256 gets a
/// signed userinfo response (OIDC Core 5.3.2, OIDCR 2).
pub async fn userinfo_rs256(ctx: &mut Ctx<'_>) -> R {
    if !ctx
        .env
        .supports("userinfo_signing_alg_values_supported", "RS256")
    {
        return Err(Halt::Skip(
            "userinfo_signing_alg_values_supported lacks RS256".into(),
        ));
    }
    let client = register(ctx, json!({"userinfo_signed_response_alg": "RS256"})).await?;
    let login = ctx.login(Request::new(&client)).await?;
    let answer = ctx
        .env
        .userinfo(&login.access_token, UserinfoCall::GetHeader)
        .await?;
    ctx.expect(
        if answer.media_type().as_deref() == Some("application/jwt") {
            Ok(())
        } else {
            Err(Violation::new(
                "CheckUserInfoIsSigned",
                "OIDCC-5.3.2",
                format!("content-type {:?}", answer.header("content-type")),
            ))
        },
    );
    ctx.userinfo(&login, UserinfoCall::GetHeader).await?;
    Ok(())
}

/// oidcc-redirect-uri-query-ok: a registered redirect URI with a query is used as it is, its
/// query kept (RFC 6749 3.1.2; OIDC Core 3.1.2.1 exact match).
pub async fn redirect_uri_query_ok(ctx: &mut Ctx<'_>) -> R {
    let uri = format!("{}?foo=bar", ctx.env.receiver.url("/callback"));
    let client = register(ctx, json!({"redirect_uris": [uri]})).await?;
    ctx.login(Request::new(&client)).await?;
    Ok(())
}

async fn expect_refused(
    ctx: &mut Ctx<'_>,
    request: Request,
    condition: &'static str,
    spec: &'static str,
) -> R {
    match ctx.authorize(&request).await? {
        AuthResult::Stopped { status, .. } if (200..500).contains(&status) => Ok(()),
        AuthResult::Stopped { status, url, .. } => Err(Halt::Fail(Violation::new(
            condition,
            spec,
            format!("{status} at {url}"),
        ))),
        AuthResult::Callback { url, .. } => Err(Halt::Fail(Violation::new(
            condition,
            spec,
            format!("the OP redirected to {url}"),
        ))),
    }
}

/// oidcc-redirect-uri-query-mismatch: registered with `?foo=bar`, asked with `?foo=zot`: no
/// redirect (OIDC Core 3.1.2.1).
pub async fn redirect_uri_query_mismatch(ctx: &mut Ctx<'_>) -> R {
    let base = ctx.env.receiver.url("/callback");
    let client = register(ctx, json!({"redirect_uris": [format!("{base}?foo=bar")]})).await?;
    let mut request = Request::new(&client);
    let asked = format!("{base}?foo=zot");
    request.redirect_uri = Some(asked.clone());
    request.client.redirect_uri = asked;
    expect_refused(
        ctx,
        request,
        "EnsureRedirectUriQueryMismatchIsRefused",
        "OIDCC-3.1.2.1",
    )
    .await
}

/// oidcc-redirect-uri-query-added: registered without a query, asked with one: no redirect.
pub async fn redirect_uri_query_added(ctx: &mut Ctx<'_>) -> R {
    let base = ctx.env.receiver.url("/callback");
    let client = register(ctx, json!({"redirect_uris": [base.clone()]})).await?;
    let mut request = Request::new(&client);
    let asked = format!("{base}?foo=bar");
    request.redirect_uri = Some(asked.clone());
    request.client.redirect_uri = asked;
    expect_refused(
        ctx,
        request,
        "EnsureRedirectUriQueryAddedIsRefused",
        "OIDCC-3.1.2.1",
    )
    .await
}

/// oidcc-redirect-uri-regfrag: a redirect URI with a fragment cannot be registered (RFC 6749
/// 3.1.2: it MUST NOT include a fragment; RFC 7591 3.2.2 `invalid_redirect_uri`).
pub async fn redirect_uri_regfrag(ctx: &mut Ctx<'_>) -> R {
    require_registration(ctx)?;
    let uri = format!("{}#fragment", ctx.env.receiver.url("/callback"));
    match ctx
        .env
        .register(ClientAuth::Basic, json!({"redirect_uris": [uri]}))
        .await
    {
        Err(Halt::Fail(v)) if v.condition == "CallDynamicRegistrationEndpoint" => {
            ctx.warn(
                if v.message.contains("invalid_redirect_uri")
                    || v.message.contains("invalid_client_metadata")
                {
                    Ok(())
                } else {
                    Err(Violation::new(
                        "CheckRegistrationErrorCode",
                        "RFC7591-3.2.2",
                        v.message,
                    ))
                },
            );
            Ok(())
        }
        Err(other) => Err(other),
        Ok(_) => Err(Halt::Fail(Violation::new(
            "EnsureRegistrationWithFragmentFails",
            "RFC6749-3.1.2",
            "a redirect URI with a fragment was registered",
        ))),
    }
}

/// oidcc-registration-logo-uri / -policy-uri / -tos-uri: the metadata is accepted and
/// returned (RFC 7591 3.2.1: the response holds all registered metadata), and a login works.
pub async fn registration_metadata(ctx: &mut Ctx<'_>, member: &str) -> R {
    let value = ctx.env.receiver.url(&format!("/{member}"));
    let client = register(ctx, json!({ member: value })).await?;
    let echoed = client
        .registration
        .as_ref()
        .and_then(|r| r.get(member))
        .and_then(Value::as_str);
    ctx.expect(if echoed == Some(value.as_str()) {
        Ok(())
    } else {
        Err(Violation::new(
            "CheckRegistrationResponseMetadata",
            "RFC7591-3.2.1",
            format!("{member} came back as {echoed:?}"),
        ))
    });
    ctx.login(Request::new(&client)).await?;
    Ok(())
}

/// oidcc-ensure-client-assertion-with-iss-aud-succeeds: a client assertion whose `aud` is the
/// issuer is accepted (RFC 7523 3: the token endpoint URL or the issuer identifier); a
/// warning when refused, as in the suite.
pub async fn client_assertion_issuer_aud(ctx: &mut Ctx<'_>) -> R {
    let client = register(ctx, json!({})).await?;
    if client.auth != ClientAuth::PrivateKeyJwt {
        return Err(Halt::Skip("the OP does not offer private_key_jwt".into()));
    }
    let request = Request::new(&client);
    let code = ctx.expect_code(&request).await?;
    let assertion = ctx.env.client_assertion(&client, &ctx.env.issuer).await?;
    let redirect = client.redirect_uri.clone();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", redirect.as_str()),
        ("client_id", client.client_id.as_str()),
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ),
        ("client_assertion", assertion.as_str()),
    ];
    let endpoint = ctx.env.endpoint("token_endpoint")?;
    let response = ctx
        .env
        .http()
        .post(&endpoint)
        .form(&form)
        .send()
        .await
        .map_err(|e| Violation::new("HttpRequest", "RFC9110", e.to_string()))?;
    let answer = crate::conformance::env::answer_of(response).await;
    ctx.warn(if answer.status == 200 {
        Ok(())
    } else {
        Err(Violation::new(
            "CheckClientAssertionWithIssuerAudience",
            "RFC7523-3",
            format!("refused: {}", answer.body),
        ))
    });
    Ok(())
}
