//! Thin handlers for the OpenID Provider endpoints: parse, call the core, shape the response.

pub mod form_post;
pub mod registration;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

use crate::app::Broker;
use crate::error::OAuthError;
use crate::login::finish::{start, Started};
use crate::model::{BelongsTo, Client, TxnId};
use crate::oidc::authorize::{authorize, prefetch, AuthorizeOutcome, AuthorizeResult};
use crate::oidc::end_session::{end_session, EndSessionOutcome};
use crate::oidc::fetch::Outbound;
use crate::oidc::{backchannel, frontchannel};
use crate::oidc::{introspection, kit_documents, revocation, session, token, userinfo, Params};
use crate::paths;
use crate::web::pages::{self, FrontchannelLogoutPage, LogoutConfirmPage, MessagePage};
use crate::web::{cookies, responses};

type AppState = State<Arc<Broker>>;

fn header(headers: &HeaderMap, name: axum::http::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

pub fn lang(params: &Params) -> &'static str {
    match params.get("ui_locales") {
        Some(l) if l.trim_start().starts_with("en") => "en",
        _ => "da",
    }
}

pub async fn discovery(State(broker): AppState) -> Response {
    let mut r = broker.discovery_json.to_string().into_response();
    let h = r.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    h.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    r
}

/// The RP test kit's copy of the discovery document for one client (`oidc::kit_documents`).
pub async fn kit_discovery(
    State(broker): AppState,
    axum::extract::Path(client_id): axum::extract::Path<String>,
) -> Response {
    kit_document(
        &broker,
        &client_id,
        |client| kit_documents::discovery(&broker, client, broker.now()).map(Some),
        "application/json",
    )
}

/// The RP test kit's JWKS for one client: its fault's view, or 503 once.
pub async fn kit_jwks(
    State(broker): AppState,
    axum::extract::Path(client_id): axum::extract::Path<String>,
) -> Response {
    kit_document(
        &broker,
        &client_id,
        |client| {
            Ok(match kit_documents::jwks(&broker, client, broker.now())? {
                kit_documents::Jwks::Keys(keys) => Some(keys),
                kit_documents::Jwks::Unavailable => None,
            })
        },
        "application/jwk-set+json",
    )
}

/// A client's document, never cached (the next fetch may carry a fault); `None` answers 503.
fn kit_document(
    broker: &Broker,
    client_id: &str,
    make: impl FnOnce(&Client) -> Result<Option<serde_json::Value>, OAuthError>,
    content_type: &'static str,
) -> Response {
    let client = match broker
        .store
        .clients
        .get(&crate::model::ClientId::new(client_id))
    {
        Ok(Some(client)) => client,
        Ok(None) => {
            return (
                StatusCode::NOT_FOUND,
                format!("no client {client_id}: the RP test kit's documents are per client"),
            )
                .into_response()
        }
        Err(e) => return responses::json_error(&OAuthError::from(e)),
    };
    let mut response = match make(&client) {
        Ok(Some(doc)) => doc.to_string().into_response(),
        Ok(None) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "the jwks-unreachable fault of the RP test kit",
        )
            .into_response(),
        Err(e) => return responses::json_error(&e),
    };
    let ok = response.status().is_success();
    let h = response.headers_mut();
    if ok {
        h.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

pub async fn jwks(State(broker): AppState) -> Response {
    match crate::oidc::profile::jwks_json(&broker) {
        Ok(json) => {
            let mut r = json.to_string().into_response();
            let h = r.headers_mut();
            h.insert(
                CONTENT_TYPE,
                HeaderValue::from_static("application/jwk-set+json"),
            );
            h.insert(
                CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=60"),
            );
            r
        }
        Err(e) => {
            tracing::error!(error = %e, "JWKS unavailable");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

pub async fn authorize_get(
    State(broker): AppState,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let params = Params::parse(q.unwrap_or_default().as_bytes());
    authorize_response(&broker, &params, &headers).await
}

pub async fn authorize_post(State(broker): AppState, headers: HeaderMap, body: Bytes) -> Response {
    authorize_response(&broker, &Params::parse(&body), &headers).await
}

async fn authorize_response(broker: &Broker, params: &Params, headers: &HeaderMap) -> Response {
    let cookie = cookies::get(headers, session::cookie_name(broker.profile));
    // A request_uri and a client's jwks_uri are fetched before the synchronous pipeline runs.
    let prefetched = prefetch(broker, params).await;
    let now = broker.now();
    let result = authorize(broker, params, cookie.as_deref(), &prefetched, now);
    let lang = lang(params);
    let AuthorizeOutcome::NeedsLogin { request, redirect } = result.outcome else {
        return authorize_result_response(broker, result, lang);
    };
    match start(broker, *request, &redirect, now) {
        Started::Finished(result) => authorize_result_response(broker, result, lang),
        Started::Waiting(txn) => {
            let mut response = found(&format!(
                "{}/{}",
                broker.base_issuer().endpoint(paths::LOGIN),
                txn.as_str()
            ));
            set_login_id(&mut response, &txn);
            response
        }
    }
}

/// A redirect, a login page redirect or an error page, setting the session cookie if a login
/// completed.
pub fn authorize_result_response(broker: &Broker, result: AuthorizeResult, lang: &str) -> Response {
    let mut response = match result.outcome {
        AuthorizeOutcome::ErrorPage(e) => match broker.profile.endpoints().error_page {
            // NEB sends the browser to its own error page (brokers.md; STUBID pp/CAP-008).
            Some(path) => {
                if let Some(detail) = &e.detail {
                    tracing::info!(error = e.code.as_str(), detail, "request refused");
                }
                let mut response = found(&format!(
                    "{}?errorId={}",
                    broker.issuer.endpoint(path),
                    crate::oidc::profile::neb::seal_error(broker, &e)
                ));
                responses::mark(&mut response, &e);
                response
            }
            None => pages::error_page(StatusCode::BAD_REQUEST, &e, lang),
        },
        AuthorizeOutcome::Redirect(url) => found(&url),
        AuthorizeOutcome::FormPost { action, fields } => {
            let mut page = form_post::page(&action, &fields);
            let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v);
            if let Some(code) = field("error") {
                page.extensions_mut().insert(responses::AnsweredError {
                    code: code.clone(),
                    description: field("error_description").cloned(),
                });
            }
            page
        }
        AuthorizeOutcome::NeedsLogin { .. } => pages::error_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            &OAuthError::server_error("a login that was never parked cannot finish"),
            lang,
        ),
    };
    if let Some(cookie) = result.new_session_cookie {
        set_session_cookie(broker, response.headers_mut(), Some(&cookie));
    }
    if let Some(id) = result.login_id {
        set_login_id(&mut response, &id);
    }
    response
}

fn set_login_id(response: &mut Response, id: &TxnId) {
    if let Ok(v) = HeaderValue::from_str(id.as_str()) {
        response.headers_mut().insert(LOGIN_ID_HEADER, v);
    }
    response.extensions_mut().insert(BelongsTo {
        client: None,
        login: Some(id.clone()),
    });
}

/// Names the login transaction an authorization request made (for `explain` in tests).
pub const LOGIN_ID_HEADER: &str = "x-sim-login-id";

pub fn set_session_cookie(broker: &Broker, headers: &mut HeaderMap, value: Option<&str>) {
    let path = broker.issuer.path_prefix();
    cookies::set(
        headers,
        session::cookie_name(broker.profile),
        value,
        if path.is_empty() { "/" } else { &path },
        broker.issuer.is_https(),
        broker.config.tokens.session_ttl,
    );
}

pub fn found(url: &str) -> Response {
    match HeaderValue::from_str(url) {
        Ok(v) => {
            let mut r = StatusCode::FOUND.into_response();
            r.headers_mut().insert(LOCATION, v);
            r.headers_mut()
                .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

pub async fn token(State(broker): AppState, headers: HeaderMap, body: Bytes) -> Response {
    let params = Params::parse(&body);
    match token::token(
        &broker,
        &params,
        header(&headers, AUTHORIZATION),
        broker.now(),
    )
    .await
    {
        Ok(issued) => {
            let mut response = responses::no_store_json(StatusCode::OK, &issued.body);
            response.extensions_mut().insert(BelongsTo {
                client: None,
                login: issued.login,
            });
            response
        }
        Err(e) => responses::token_error_as(broker.profile, broker.issuer.as_str(), &e),
    }
}

pub async fn userinfo_get(State(broker): AppState, headers: HeaderMap) -> Response {
    userinfo_response(&broker, &headers, None)
}

pub async fn userinfo_post(State(broker): AppState, headers: HeaderMap, body: Bytes) -> Response {
    let is_form = header(&headers, CONTENT_TYPE)
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    let params = is_form.then(|| Params::parse(&body));
    userinfo_response(&broker, &headers, params.as_ref())
}

fn userinfo_response(broker: &Broker, headers: &HeaderMap, body: Option<&Params>) -> Response {
    match userinfo::userinfo(broker, header(headers, AUTHORIZATION), body, broker.now()) {
        Ok((answer, belongs)) => {
            let mut response = match answer {
                userinfo::Userinfo::Json(claims) => {
                    responses::no_store_json(StatusCode::OK, &claims)
                }
                userinfo::Userinfo::Signed(jwt) => responses::no_store_jwt(&jwt),
            };
            response.extensions_mut().insert(belongs);
            response
        }
        Err(e) => responses::bearer_error_as(broker.profile, &e, broker.issuer.as_str()),
    }
}

/// The client a revocation or introspection request authenticates as (RFC 7009 2.1, RFC 7662
/// 2.1), or the token endpoint's error response.
async fn authenticated_client(
    broker: &Broker,
    params: &Params,
    headers: &HeaderMap,
    endpoint: &str,
) -> Result<Client, Response> {
    let authorization = header(headers, AUTHORIZATION);
    token::authenticate(broker, params, authorization, endpoint, broker.now())
        .await
        .map_err(|e| responses::token_error_as(broker.profile, broker.issuer.as_str(), &e.into()))
}

pub async fn revoke(State(broker): AppState, headers: HeaderMap, body: Bytes) -> Response {
    let params = Params::parse(&body);
    let client = match authenticated_client(
        &broker,
        &params,
        &headers,
        broker
            .profile
            .endpoints()
            .revocation
            .unwrap_or(paths::REVOCATION),
    )
    .await
    {
        Ok(c) => c,
        Err(response) => return response,
    };
    match revocation::revoke(&broker, &client, &params) {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => responses::token_error_as(broker.profile, broker.issuer.as_str(), &e.into()),
    }
}

pub async fn par(State(broker): AppState, headers: HeaderMap, body: Bytes) -> Response {
    let params = Params::parse(&body);
    match crate::oidc::par::push(
        &broker,
        &params,
        header(&headers, AUTHORIZATION),
        broker.now(),
    )
    .await
    {
        Ok(body) => responses::no_store_json(StatusCode::CREATED, &body),
        Err(e) => responses::token_error_as(broker.profile, broker.issuer.as_str(), &e),
    }
}

pub async fn introspect(State(broker): AppState, headers: HeaderMap, body: Bytes) -> Response {
    let params = Params::parse(&body);
    let client = match authenticated_client(
        &broker,
        &params,
        &headers,
        broker
            .profile
            .endpoints()
            .introspection
            .unwrap_or(paths::INTROSPECTION),
    )
    .await
    {
        Ok(c) => c,
        Err(response) => return response,
    };
    match introspection::introspect(&broker, &client, &params, broker.now()) {
        Ok(body) => responses::no_store_json(StatusCode::OK, &body),
        Err(e) => responses::token_error_as(broker.profile, broker.issuer.as_str(), &e.into()),
    }
}

pub async fn end_session_get(
    State(broker): AppState,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let params = Params::parse(q.unwrap_or_default().as_bytes());
    end_session_response(&broker, &params, &headers).await
}

pub async fn end_session_post(
    State(broker): AppState,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    end_session_response(&broker, &Params::parse(&body), &headers).await
}

async fn end_session_response(broker: &Broker, params: &Params, headers: &HeaderMap) -> Response {
    let lang = lang(params);
    let cookie = cookies::get(headers, session::cookie_name(broker.profile));
    let outcome = match end_session(broker, params, cookie.as_deref(), broker.now()) {
        Ok(o) => o,
        Err(e) => return pages::error_page(StatusCode::INTERNAL_SERVER_ERROR, &e, lang),
    };
    match outcome {
        EndSessionOutcome::ErrorPage(e) => pages::error_page(StatusCode::BAD_REQUEST, &e, lang),
        EndSessionOutcome::Confirm { csrf, params } => {
            // The confirmation's answer may send the browser on to the client.
            let next = params
                .iter()
                .find(|(k, _)| k == "post_logout_redirect_uri")
                .map_or("", |(_, v)| v.as_str());
            pages::render_with(
                StatusCode::OK,
                &LogoutConfirmPage {
                    lang,
                    action: &broker
                        .issuer
                        .endpoint(broker.profile.endpoints().end_session),
                    csrf: &csrf,
                    params: &params,
                },
                &pages::Csp::ending_at(next),
            )
        }
        EndSessionOutcome::LoggedOut { redirect, ended } => {
            // Rendered as a link and a navigation: only ever an http(s) URL (a stored URI
            // from before the registration rules refused script schemes is dropped).
            let redirect = redirect.filter(|uri| pages::origin_of(uri).is_some());
            // Tell the session's clients before the browser moves on (Back-Channel Logout 1.0).
            let mut frames = Vec::new();
            if let Some(session) = ended {
                match backchannel::notices(broker, &session, broker.now()) {
                    Ok(notices) => {
                        let answers = backchannel::deliver(
                            Outbound::of(&broker.config),
                            notices,
                            broker.local_ca(),
                        )
                        .await;
                        backchannel::record_answers(broker, &answers, broker.now());
                    }
                    Err(e) => tracing::warn!(error = %e, "back-channel logout tokens not made"),
                }
                // And in the browser (Front-Channel Logout 1.0): a page of hidden iframes.
                match frontchannel::iframe_urls(broker, &session) {
                    Ok(urls) => frames = urls,
                    Err(e) => tracing::warn!(error = %e, "front-channel logout URLs not made"),
                }
            }
            let mut response = if !frames.is_empty() {
                let csp = pages::Csp {
                    form_action: Vec::new(),
                    frame_src: frames.iter().filter_map(|f| pages::origin_of(f)).collect(),
                };
                pages::render_with(
                    StatusCode::OK,
                    &FrontchannelLogoutPage {
                        lang,
                        frames: &frames,
                        next: redirect.as_deref(),
                    },
                    &csp,
                )
            } else {
                match redirect {
                    Some(url) => found(&url),
                    None => pages::render(
                        StatusCode::OK,
                        &MessagePage {
                            lang,
                            title: if lang == "en" {
                                "Logged out"
                            } else {
                                "Logget ud"
                            },
                            text: if lang == "en" {
                                "You are logged out of the broker."
                            } else {
                                "Du er logget ud af brokeren."
                            },
                        },
                    ),
                }
            };
            set_session_cookie(broker, response.headers_mut(), None);
            response
        }
    }
}

/// NEB's error page (`/op/Error?errorId=...`): the refused request's error, if this broker
/// sealed it.
pub async fn error_page(State(broker): AppState, RawQuery(q): RawQuery) -> Response {
    let params = Params::parse(q.unwrap_or_default().as_bytes());
    let sealed = params
        .get("errorId")
        .and_then(|id| crate::oidc::profile::neb::unseal_error(&broker, id));
    let error = match sealed {
        Some((code, description)) => OAuthError::new(
            crate::error::ErrorCode::parse(&code)
                .unwrap_or(crate::error::ErrorCode::InvalidRequest),
            description,
        ),
        None => OAuthError::invalid_request("there is no such error"),
    };
    pages::error_page(StatusCode::BAD_REQUEST, &error, "da")
}
