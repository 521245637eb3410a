//! The Dynamic OP plan (`oidcc-dynamic-certification-test-plan`): clients registered with
//! RFC 7591 / OIDC Dynamic Client Registration 1.0, authenticating with private_key_jwt.

use serde_json::{json, Value};

use super::flow::Request;
use crate::conformance::checks::{id_token, token, Violation};
use crate::conformance::env::{
    random_id, AuthResult, ClientAuth, KeysBy, TestClient, UserinfoCall,
};
use crate::conformance::jose;
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
    ctx.env.register(ctx.env.registered_auth(), extra).await
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
    expect_registration_refused(
        ctx,
        json!({"redirect_uris": [uri]}),
        &["invalid_redirect_uri", "invalid_client_metadata"],
        ("EnsureRegistrationWithFragmentFails", "RFC6749-3.1.2"),
    )
    .await
}

/// A registration the OP must refuse: with 400 (RFC 7591 3.2.2), else `refusal` names the
/// failure; an error code outside `codes` is a warning, as in the suite.
async fn expect_registration_refused(
    ctx: &mut Ctx<'_>,
    extra: Value,
    codes: &[&str],
    refusal: (&'static str, &'static str),
) -> R {
    match ctx.env.register(ClientAuth::Basic, extra).await {
        Err(Halt::Fail(v)) if v.condition == "CallDynamicRegistrationEndpoint" => {
            ctx.require(if v.message.starts_with("registration answered 400") {
                Ok(())
            } else {
                Err(Violation::new(
                    refusal.0,
                    "RFC7591-3.2.2",
                    v.message.clone(),
                ))
            })?;
            ctx.warn(if codes.iter().any(|c| v.message.contains(c)) {
                Ok(())
            } else {
                Err(Violation::new(
                    "CheckRegistrationErrorCode",
                    "RFC7591-3.2.2",
                    v.message,
                ))
            });
            Ok(())
        }
        Err(other) => Err(other),
        Ok(client) => Err(Halt::Fail(Violation::new(
            refusal.0,
            refusal.1,
            format!("client {} was registered", client.client_id),
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

fn require_private_key_jwt(ctx: &Ctx<'_>) -> R {
    require_registration(ctx)?;
    if ctx
        .env
        .supports("token_endpoint_auth_methods_supported", "private_key_jwt")
    {
        Ok(())
    } else {
        Err(Halt::Skip("the OP does not offer private_key_jwt".into()))
    }
}

/// A private_key_jwt client whose public key is at its `jwks_uri` (the runner's receiver).
async fn register_keys_by_reference(ctx: &mut Ctx<'_>) -> Result<TestClient, Halt> {
    require_private_key_jwt(ctx)?;
    ctx.env
        .register_keys(
            ClientAuth::PrivateKeyJwt,
            KeysBy::Reference,
            false,
            json!({}),
        )
        .await
}

/// oidcc-registration-jwks-uri: a client that registers its keys by reference (`jwks_uri`,
/// RFC 7591 2) authenticates with private_key_jwt signed by a key published there.
pub async fn registration_jwks_uri(ctx: &mut Ctx<'_>) -> R {
    let client = register_keys_by_reference(ctx).await?;
    let login = ctx.login(Request::new(&client)).await?;
    ctx.userinfo(&login, UserinfoCall::GetHeader).await?;
    Ok(())
}

/// The receiver serves a sector identifier document listing `uris` (OIDC Registration 5).
fn sector_document(ctx: &Ctx<'_>, uris: &[String]) -> String {
    ctx.env
        .receiver
        .put_document(&random_id(), "application/json", json!(uris).to_string())
}

/// oidcc-registration-sector-uri: a `sector_identifier_uri` listing the client's redirect URIs
/// is accepted (OIDC Registration 2, 5); with pairwise subjects, two clients of one sector get
/// the same `sub` (OIDC Core 8.1).
pub async fn registration_sector_uri(ctx: &mut Ctx<'_>) -> R {
    require_registration(ctx)?;
    let redirect = ctx.env.receiver.url("/callback");
    let sector = sector_document(ctx, &[redirect]);
    let pairwise = ctx.env.supports("subject_types_supported", "pairwise");
    let mut extra = json!({ "sector_identifier_uri": sector });
    if pairwise {
        extra["subject_type"] = json!("pairwise");
    }
    let client = register(ctx, extra.clone()).await?;
    let login = ctx.login(Request::new(&client)).await?;
    ctx.userinfo(&login, UserinfoCall::GetHeader).await?;
    if pairwise {
        let sibling = register(ctx, extra).await?;
        let again = ctx.login(Request::new(&sibling)).await?;
        ctx.expect(if again.sub() == login.sub() {
            Ok(())
        } else {
            Err(Violation::new(
                "CheckPairwiseSubjectSameWithinSector",
                "OIDCC-8.1",
                format!(
                    "two clients of one sector got sub {} and {}",
                    login.sub(),
                    again.sub()
                ),
            ))
        });
    }
    Ok(())
}

/// oidcc-registration-sector-bad: a `sector_identifier_uri` whose document does not list the
/// redirect URI is refused (OIDC Registration 5: the OP MUST validate it), with 400 and
/// `invalid_client_metadata` (RFC 7591 3.2.2; the code a warning, as in the suite).
pub async fn registration_sector_bad(ctx: &mut Ctx<'_>) -> R {
    require_registration(ctx)?;
    let sector = sector_document(ctx, &["https://elsewhere.example/callback".to_string()]);
    expect_registration_refused(
        ctx,
        json!({ "sector_identifier_uri": sector }),
        &["invalid_client_metadata"],
        ("EnsureRegistrationWithBadSectorFails", "OIDCR-5"),
    )
    .await
}

/// oidcc-server-rotate-keys: after the OP rotates its signing keys, ID tokens are signed with
/// the new key, which its `jwks_uri` publishes (OIDC Core 10.1.1). The runner rotates them
/// through the control API; an OP it cannot control is skipped, not passed.
pub async fn server_rotate_keys(ctx: &mut Ctx<'_>) -> R {
    let client = register(ctx, json!({})).await?;
    let before = ctx.login(Request::new(&client)).await?;
    match ctx.env.rotate_op_keys().await {
        None => {
            return Err(Halt::Skip(
                "rotating the OP's keys needs --sim-control (POST /keys/rotate)".into(),
            ))
        }
        Some(false) => {
            return Err(Halt::Fail(Violation::new(
                "RotateServerKeys",
                "-",
                "the control API refused to rotate the keys",
            )))
        }
        Some(true) => {}
    }
    // The login checks the new ID token's signature against the JWKS fetched again.
    let after = ctx.login(Request::new(&client)).await?;
    let (old, new) = (before.id_token.kid(), after.id_token.kid());
    ctx.expect(if old != new {
        Ok(())
    } else {
        Err(Violation::new(
            "CheckIdTokenSignedWithNewKey",
            "OIDCC-10.1.1",
            format!("after the rotation the ID token is still signed with kid {old:?}"),
        ))
    });
    Ok(())
}

/// oidcc-refresh-token-rp-key-rotation: the client rotates the key at its `jwks_uri` between
/// the code exchange and a refresh; the refresh, authenticated with the new key, succeeds (the
/// OP reads the client's keys again: OIDC Core 10.1.1, OIDCR 2 `jwks_uri`).
pub async fn refresh_token_rp_key_rotation(ctx: &mut Ctx<'_>) -> R {
    let client = register_keys_by_reference(ctx).await?;
    let (_, refresh) = ctx.login_for_refresh(Request::new(&client)).await?;
    let rotated = ctx.env.rotate_client_key(&client)?;
    let answer = ctx
        .env
        .token(
            &rotated,
            &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
        )
        .await?;
    let mut findings = std::mem::take(&mut ctx.findings);
    let body = token::check_success(&answer, false, &mut findings);
    ctx.findings = findings;
    ctx.require(if body.is_some() {
        Ok(())
    } else {
        Err(Violation::new(
            "CallTokenEndpointForRefreshWithRotatedKey",
            "OIDCC-10.1.1",
            format!(
                "the refresh signed with the client's new key answered {}: {}",
                answer.status,
                token::short(&answer.body)
            ),
        ))
    })?;
    Ok(())
}

/// A login whose parameters travel in a request object (OIDC Core 6.1, 6.2; RFC 9101): by
/// value or by reference, signed with the client's key or unsigned. `state`, `nonce` and
/// the redirect URI are only in the object, so the OP must have read it.
async fn request_object_login(
    ctx: &mut Ctx<'_>,
    client: &TestClient,
    signed: bool,
    by_reference: bool,
) -> R {
    let mut request = Request::new(client);
    let object = json!({
        "iss": client.client_id,
        "aud": ctx.env.issuer,
        "client_id": client.client_id,
        "response_type": "code",
        "scope": "openid",
        "redirect_uri": client.redirect_uri,
        "state": request.state,
        "nonce": request.nonce,
        "jti": random_id(),
        "iat": ctx.env.now().await,
    });
    let jwt = if signed {
        let key = client
            .key
            .as_ref()
            .ok_or_else(|| Halt::Skip("the client has no key to sign with".into()))?;
        key.sign(&object)
            .map_err(|e| Violation::new("SignRequestObject", "-", e.to_string()))?
    } else {
        jose::unsigned(&object)
    };
    request.only_in_object = vec!["state", "nonce", "redirect_uri"];
    let request = if by_reference {
        let uri = ctx.env.receiver.host_request_object(&jwt);
        request.with("request_uri", &uri)
    } else {
        request.with("request", &jwt)
    };
    ctx.login(request).await?;
    Ok(())
}

/// The OP takes request objects signed with `alg` (or unsigned, `none`) by reference or value.
fn require_request_objects(ctx: &Ctx<'_>, alg: &str, by_reference: bool) -> R {
    require_registration(ctx)?;
    // OIDC Discovery 3: request_uri_parameter_supported defaults to true, request_parameter
    // to false.
    let offered = if by_reference {
        ctx.env
            .discovery
            .get("request_uri_parameter_supported")
            .and_then(Value::as_bool)
            .unwrap_or(true)
    } else {
        ctx.env.flag("request_parameter_supported")
    };
    if !offered {
        return Err(Halt::Skip(format!(
            "the OP does not take request objects by {}",
            if by_reference { "reference" } else { "value" }
        )));
    }
    if !ctx
        .env
        .supports("request_object_signing_alg_values_supported", alg)
    {
        return Err(Halt::Skip(format!(
            "request_object_signing_alg_values_supported lacks {alg}"
        )));
    }
    Ok(())
}

/// oidcc-request-uri-unsigned: an unsigned request object by reference, for a client
/// registered with `request_object_signing_alg` `none`.
pub async fn request_uri_unsigned(ctx: &mut Ctx<'_>) -> R {
    require_request_objects(ctx, "none", true)?;
    let client = register(ctx, json!({"request_object_signing_alg": "none"})).await?;
    request_object_login(ctx, &client, false, true).await
}

/// oidcc-request-uri-signed-rs256: an RS256 request object by reference, verified with the
/// keys the client registered.
pub async fn request_uri_signed_rs256(ctx: &mut Ctx<'_>) -> R {
    require_request_objects(ctx, "RS256", true)?;
    let client = registered_for_signed_objects(ctx).await?;
    request_object_login(ctx, &client, true, true).await
}

/// oidcc-ensure-request-object-with-redirect-uri: a signed request object by value that alone
/// carries the redirect URI (with `state` and `nonce`); the OP redirects there.
pub async fn request_object_with_redirect_uri(ctx: &mut Ctx<'_>) -> R {
    require_request_objects(ctx, "RS256", false)?;
    let client = registered_for_signed_objects(ctx).await?;
    request_object_login(ctx, &client, true, false).await
}

async fn registered_for_signed_objects(ctx: &mut Ctx<'_>) -> Result<TestClient, Halt> {
    ctx.env
        .register_keys(
            ctx.env.registered_auth(),
            KeysBy::Value,
            true,
            json!({"request_object_signing_alg": "RS256"}),
        )
        .await
}
