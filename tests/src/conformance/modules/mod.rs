//! The modules, by the suite's names, and the plans' module lists.

mod backchannel;
mod basic;
mod config;
mod dynamic;
pub(crate) mod flow;
mod logout;

use super::{Ctx, Halt};

/// `oidcc-basic-certification-test-plan` (and, with `response_mode=form_post`,
/// `oidcc-formpost-basic-certification-test-plan`), in the suite's order.
pub const BASIC: &[&str] = &[
    "oidcc-server",
    "oidcc-response-type-missing",
    "oidcc-idtoken-signature",
    "oidcc-idtoken-unsigned",
    "oidcc-userinfo-get",
    "oidcc-userinfo-post-header",
    "oidcc-userinfo-post-body",
    "oidcc-ensure-request-without-nonce-succeeds-for-code-flow",
    "oidcc-scope-profile",
    "oidcc-scope-email",
    "oidcc-scope-address",
    "oidcc-scope-phone",
    "oidcc-scope-all",
    "oidcc-ensure-other-scope-order-succeeds",
    "oidcc-display-page",
    "oidcc-display-popup",
    "oidcc-prompt-login",
    "oidcc-prompt-none-not-logged-in",
    "oidcc-prompt-none-logged-in",
    "oidcc-max-age-1",
    "oidcc-max-age-10000",
    "oidcc-ensure-request-with-unknown-parameter-succeeds",
    "oidcc-id-token-hint",
    "oidcc-login-hint",
    "oidcc-ui-locales",
    "oidcc-claims-locales",
    "oidcc-ensure-request-with-acr-values-succeeds",
    "oidcc-codereuse",
    "oidcc-codereuse-30seconds",
    "oidcc-ensure-registered-redirect-uri",
    "oidcc-ensure-post-request-succeeds",
    "oidcc-server-client-secret-post",
    "oidcc-request-uri-unsigned-supported-correctly-or-rejected-as-unsupported",
    "oidcc-unsigned-request-object-supported-correctly-or-rejected-as-unsupported",
    "oidcc-claims-essential",
    "oidcc-ensure-request-object-with-redirect-uri",
    "oidcc-refresh-token",
    "oidcc-ensure-request-with-valid-pkce-succeeds",
];

/// `oidcc-config-certification-test-plan`.
pub const CONFIG: &[&str] = &["oidcc-discovery-endpoint-verification"];

/// `oidcc-dynamic-certification-test-plan`.
pub const DYNAMIC: &[&str] = &[
    "oidcc-idtoken-rs256",
    "oidcc-idtoken-unsigned",
    "oidcc-userinfo-rs256",
    "oidcc-ensure-redirect-uri-in-authorization-request",
    "oidcc-redirect-uri-query-ok",
    "oidcc-redirect-uri-query-mismatch",
    "oidcc-redirect-uri-query-added",
    "oidcc-redirect-uri-regfrag",
    "oidcc-discovery-endpoint-verification",
    "oidcc-server",
    "oidcc-registration-logo-uri",
    "oidcc-registration-policy-uri",
    "oidcc-registration-tos-uri",
    "oidcc-registration-jwks-uri",
    "oidcc-registration-sector-uri",
    "oidcc-registration-sector-bad",
    "oidcc-server-rotate-keys",
    "oidcc-refresh-token-rp-key-rotation",
    "oidcc-request-uri-unsigned",
    "oidcc-request-uri-signed-rs256",
    "oidcc-ensure-request-object-with-redirect-uri",
    "oidcc-refresh-token",
    "oidcc-ensure-client-assertion-with-iss-aud-succeeds",
];

/// `oidcc-rp-initiated-logout-certification-test-plan`.
pub const RP_LOGOUT: &[&str] = &[
    "oidcc-rp-initiated-logout-discovery-endpoint-verification",
    "oidcc-rp-initiated-logout",
    "oidcc-rp-initiated-logout-bad-post-logout-redirect-uri",
    "oidcc-rp-initiated-logout-modified-id-token-hint",
    "oidcc-rp-initiated-logout-no-id-token-hint",
    "oidcc-rp-initiated-logout-no-params",
    "oidcc-rp-initiated-logout-no-post-logout-redirect-uri",
    "oidcc-rp-initiated-logout-no-state",
    "oidcc-rp-initiated-logout-only-state",
    "oidcc-rp-initiated-logout-query-added-to-post-logout-redirect-uri",
];

/// `oidcc-backchannel-rp-initiated-logout-certification-test-plan`.
pub const BACKCHANNEL: &[&str] = &[
    "oidcc-backchannel-rp-initiated-logout-discovery-endpoint-verification",
    "oidcc-backchannel-rp-initiated-logout",
];

pub async fn run(ctx: &mut Ctx<'_>, module: &str) -> Result<(), Halt> {
    if ctx.plan == super::Plan::Dynamic {
        match module {
            "oidcc-server" => return dynamic::server(ctx).await,
            "oidcc-idtoken-rs256" => return dynamic::idtoken_rs256(ctx).await,
            "oidcc-userinfo-rs256" => return dynamic::userinfo_rs256(ctx).await,
            "oidcc-redirect-uri-query-ok" => return dynamic::redirect_uri_query_ok(ctx).await,
            "oidcc-redirect-uri-query-mismatch" => {
                return dynamic::redirect_uri_query_mismatch(ctx).await
            }
            "oidcc-redirect-uri-query-added" => {
                return dynamic::redirect_uri_query_added(ctx).await
            }
            "oidcc-redirect-uri-regfrag" => return dynamic::redirect_uri_regfrag(ctx).await,
            "oidcc-registration-logo-uri" => {
                return dynamic::registration_metadata(ctx, "logo_uri").await
            }
            "oidcc-registration-policy-uri" => {
                return dynamic::registration_metadata(ctx, "policy_uri").await
            }
            "oidcc-registration-tos-uri" => {
                return dynamic::registration_metadata(ctx, "tos_uri").await
            }
            "oidcc-ensure-client-assertion-with-iss-aud-succeeds" => {
                return dynamic::client_assertion_issuer_aud(ctx).await
            }
            "oidcc-registration-jwks-uri" => return dynamic::registration_jwks_uri(ctx).await,
            "oidcc-registration-sector-uri" => return dynamic::registration_sector_uri(ctx).await,
            "oidcc-registration-sector-bad" => return dynamic::registration_sector_bad(ctx).await,
            "oidcc-server-rotate-keys" => return dynamic::server_rotate_keys(ctx).await,
            "oidcc-refresh-token-rp-key-rotation" => {
                return dynamic::refresh_token_rp_key_rotation(ctx).await
            }
            "oidcc-request-uri-unsigned" => return dynamic::request_uri_unsigned(ctx).await,
            "oidcc-request-uri-signed-rs256" => {
                return dynamic::request_uri_signed_rs256(ctx).await
            }
            "oidcc-ensure-request-object-with-redirect-uri" => {
                return dynamic::request_object_with_redirect_uri(ctx).await
            }
            "oidcc-idtoken-unsigned"
            | "oidcc-ensure-redirect-uri-in-authorization-request"
            | "oidcc-refresh-token"
            | "oidcc-discovery-endpoint-verification" => {}
            other => {
                return Err(Halt::Skip(format!(
                    "{other} is not implemented by this runner"
                )))
            }
        }
    }
    match module {
        "oidcc-server" => basic::server(ctx).await,
        "oidcc-response-type-missing" => basic::response_type_missing(ctx).await,
        "oidcc-idtoken-signature" => basic::idtoken_signature(ctx).await,
        "oidcc-idtoken-unsigned" => basic::idtoken_unsigned(ctx).await,
        "oidcc-userinfo-get" => basic::userinfo_get(ctx).await,
        "oidcc-userinfo-post-header" => basic::userinfo_post_header(ctx).await,
        "oidcc-userinfo-post-body" => basic::userinfo_post_body(ctx).await,
        "oidcc-ensure-request-without-nonce-succeeds-for-code-flow" => {
            basic::without_nonce(ctx).await
        }
        "oidcc-scope-profile" => basic::scope(ctx, &["profile"]).await,
        "oidcc-scope-email" => basic::scope(ctx, &["email"]).await,
        "oidcc-scope-address" => basic::scope(ctx, &["address"]).await,
        "oidcc-scope-phone" => basic::scope(ctx, &["phone"]).await,
        "oidcc-scope-all" => basic::scope(ctx, &["profile", "email", "address", "phone"]).await,
        "oidcc-ensure-other-scope-order-succeeds" => basic::other_scope_order(ctx).await,
        "oidcc-display-page" => basic::succeeds_with(ctx, "display", "page").await,
        "oidcc-display-popup" => basic::succeeds_with(ctx, "display", "popup").await,
        "oidcc-prompt-login" => basic::prompt_login(ctx).await,
        "oidcc-prompt-none-not-logged-in" => basic::prompt_none_not_logged_in(ctx).await,
        "oidcc-prompt-none-logged-in" => basic::prompt_none_logged_in(ctx).await,
        "oidcc-max-age-1" => basic::max_age_1(ctx).await,
        "oidcc-max-age-10000" => basic::max_age_10000(ctx).await,
        "oidcc-ensure-request-with-unknown-parameter-succeeds" => {
            basic::succeeds_with(ctx, "extra_parameter", "ignored").await
        }
        "oidcc-id-token-hint" => basic::id_token_hint(ctx).await,
        "oidcc-login-hint" => {
            let hint = ctx
                .env
                .options
                .login_hint
                .clone()
                .unwrap_or_else(|| "conformance@example.org".into());
            basic::succeeds_with(ctx, "login_hint", &hint).await
        }
        "oidcc-ui-locales" => basic::succeeds_with(ctx, "ui_locales", "se").await,
        "oidcc-claims-locales" => basic::succeeds_with(ctx, "claims_locales", "se").await,
        "oidcc-ensure-request-with-acr-values-succeeds" => basic::acr_values(ctx).await,
        "oidcc-codereuse" => basic::code_reuse(ctx, 0).await,
        "oidcc-codereuse-30seconds" => basic::code_reuse(ctx, 30).await,
        "oidcc-ensure-registered-redirect-uri" => basic::registered_redirect_uri(ctx).await,
        "oidcc-ensure-redirect-uri-in-authorization-request" => {
            basic::redirect_uri_missing(ctx).await
        }
        "oidcc-ensure-post-request-succeeds" => basic::post_request(ctx).await,
        "oidcc-server-client-secret-post" => basic::server_client_secret_post(ctx).await,
        "oidcc-request-uri-unsigned-supported-correctly-or-rejected-as-unsupported" => {
            basic::unsigned_request_object(ctx, true).await
        }
        "oidcc-unsigned-request-object-supported-correctly-or-rejected-as-unsupported" => {
            basic::unsigned_request_object(ctx, false).await
        }
        "oidcc-claims-essential" => basic::claims_essential(ctx).await,
        "oidcc-ensure-request-object-with-redirect-uri" => {
            if !ctx.env.flag("request_parameter_supported") {
                return Err(Halt::Skip("the OP does not support request objects".into()));
            }
            basic::unsigned_request_object(ctx, false).await
        }
        "oidcc-refresh-token" => basic::refresh_token(ctx).await,
        "oidcc-ensure-request-with-valid-pkce-succeeds" => basic::valid_pkce(ctx).await,
        "oidcc-discovery-endpoint-verification" => {
            config::discovery_endpoint_verification(ctx).await
        }
        "oidcc-rp-initiated-logout-discovery-endpoint-verification" => {
            logout::discovery_verification(ctx).await
        }
        "oidcc-rp-initiated-logout" => logout::logout(ctx).await,
        "oidcc-rp-initiated-logout-bad-post-logout-redirect-uri" => {
            logout::bad_post_logout_uri(ctx, false).await
        }
        "oidcc-rp-initiated-logout-query-added-to-post-logout-redirect-uri" => {
            logout::bad_post_logout_uri(ctx, true).await
        }
        "oidcc-rp-initiated-logout-modified-id-token-hint" => {
            logout::modified_id_token_hint(ctx).await
        }
        "oidcc-rp-initiated-logout-no-id-token-hint" => logout::no_id_token_hint(ctx).await,
        "oidcc-rp-initiated-logout-no-params" => logout::no_params(ctx).await,
        "oidcc-rp-initiated-logout-no-post-logout-redirect-uri" => {
            logout::no_post_logout_uri(ctx).await
        }
        "oidcc-rp-initiated-logout-no-state" => logout::no_state(ctx).await,
        "oidcc-rp-initiated-logout-only-state" => logout::only_state(ctx).await,
        "oidcc-backchannel-rp-initiated-logout-discovery-endpoint-verification" => {
            backchannel::discovery_verification(ctx).await
        }
        "oidcc-backchannel-rp-initiated-logout" => backchannel::rp_initiated_logout(ctx).await,
        other => Err(Halt::Skip(format!(
            "{other} is not implemented by this runner"
        ))),
    }
}
