//! The authorization endpoint (OIDC Core 3.1.2) as a pipeline of small checks. The client and
//! its redirect_uri are verified first; only a [`VerifiedRedirect`] can send an error back to
//! the client, so an unverified request can only ever get an error page.

mod check_claims;
mod check_client;
mod check_idp;
mod check_pkce;
mod check_prompt;
mod check_redirect_uri;
mod check_request;
pub mod check_request_object;
mod check_response_mode;
mod check_response_type;
mod check_scope;
mod check_texts;
mod complete;
mod respond;

pub use check_claims::{CLAIMS_LOCALES, DISPLAY_VALUES};
pub use check_redirect_uri::VerifiedRedirect;
pub use check_request_object::{prefetch, Prefetched};
pub use check_texts::MAX_REFERENCE_TEXT;
pub use complete::complete;

use crate::app::Broker;
use crate::clock::UnixTime;
use crate::error::{ErrorCode, OAuthError};
use crate::model::{AuthRequest, Level, Prompt, TxnId};
use crate::oidc::profile::{self, Refusal};
use crate::oidc::{session, Params};

/// What the route does with an authorization request.
#[derive(Debug)]
pub enum AuthorizeOutcome {
    /// The client or its redirect_uri could not be verified: show an error page, never redirect.
    ErrorPage(OAuthError),
    /// Send the browser back to the client (a code or an error).
    Redirect(String),
    /// Post the response to the client's redirect URI from an HTML form (response_mode
    /// form_post); `fields` are the response parameters.
    FormPost {
        action: String,
        fields: Vec<(String, String)>,
    },
    /// The request is valid and no broker session answers it: a person (or a test) must log
    /// in. The login side parks it and finishes it through [`complete`]; an error on the way
    /// goes back to the client through `redirect`.
    NeedsLogin {
        request: Box<AuthRequest>,
        redirect: VerifiedRedirect,
    },
}

#[derive(Debug)]
pub struct AuthorizeResult {
    pub outcome: AuthorizeOutcome,
    /// A new broker session cookie to set (a login completed here).
    pub new_session_cookie: Option<String>,
    /// The login transaction this request made, so a test can ask the control API to explain it.
    pub login_id: Option<TxnId>,
}

impl From<AuthorizeOutcome> for AuthorizeResult {
    fn from(outcome: AuthorizeOutcome) -> Self {
        AuthorizeResult {
            outcome,
            new_session_cookie: None,
            login_id: None,
        }
    }
}

impl AuthorizeResult {
    pub fn for_login(mut self, id: &TxnId) -> Self {
        self.login_id = Some(id.clone());
        self
    }
}

/// Handles an authorization request at `now`; `session_cookie` is the broker's SSO cookie, if
/// sent, and `prefetched` what [`prefetch`] fetched of the documents the request points at
/// (a request object by reference, the client's keys).
pub fn authorize(
    broker: &Broker,
    query: &Params,
    session_cookie: Option<&str>,
    prefetched: &Prefetched,
    now: UnixTime,
) -> AuthorizeResult {
    let client = match check_client::check(broker, query) {
        Ok(c) => c,
        Err(e) => return AuthorizeOutcome::ErrorPage(e).into(),
    };
    // A request object or pushed request supplies the parameters; if it is bad, the error can
    // go back to the client only through a redirect_uri of the query that verifies.
    let resolved = match check_request_object::resolve(broker, &client, query, prefetched, now) {
        Ok(resolved) => resolved,
        Err(e) => {
            return match check_redirect_uri::check(&client, query) {
                Ok(redirect) => redirect
                    .with_profile(broker.profile)
                    .with_mode(check_response_mode::lenient(
                        query,
                        check_response_type::lenient(query),
                    ))
                    .error(&broker.issuer, &e)
                    .into(),
                Err(_) => AuthorizeOutcome::ErrorPage(e).into(),
            }
        }
    };
    let params = resolved.as_ref().unwrap_or(query);
    let redirect = match check_redirect_uri::check(&client, params) {
        Ok(r) => r
            .with_profile(broker.profile)
            .with_mode(check_response_mode::lenient(
                params,
                check_response_type::lenient(params),
            )),
        Err(e) => return AuthorizeOutcome::ErrorPage(e).into(),
    };
    // From here on, errors go back to the client.
    let to_client = |e: OAuthError| -> AuthorizeResult {
        if let Some(detail) = &e.detail {
            tracing::info!(client = %client.client_id, error = e.code.as_str(), detail, "authorization request refused");
        }
        redirect.error(&broker.issuer, &e).into()
    };
    // The profile's grammar in the standard's terms (a profile is a mapping, not a second
    // engine); a refusal the real broker shows on its own page never reaches the client.
    let dialect = match profile::request(broker, params) {
        Ok(dialect) => dialect,
        Err(Refusal::ErrorPage(e)) => return AuthorizeOutcome::ErrorPage(e).into(),
        Err(Refusal::ToClient(e)) => return to_client(e),
    };
    let params = dialect.params.as_ref().unwrap_or(params);
    let request = match validate(broker, &client, params, &redirect) {
        Ok(r) => AuthRequest {
            simulation: dialect.simulation,
            dialect_scopes: dialect.scopes,
            ..r
        },
        Err(e) => return to_client(e),
    };
    match proceed(broker, &request, session_cookie, now) {
        Ok(Some(result)) => result,
        Ok(None) => AuthorizeOutcome::NeedsLogin {
            request: Box::new(request),
            redirect,
        }
        .into(),
        Err(e) => to_client(e),
    }
}

/// RFC 9126 2.1: a pushed request is checked as an authorization request would be; its errors
/// go back in the `/par` response.
pub fn check_pushed(
    broker: &Broker,
    client: &crate::model::Client,
    params: &Params,
) -> Result<(), OAuthError> {
    let redirect = check_redirect_uri::check(client, params)?;
    let dialect = match profile::request(broker, params) {
        Ok(dialect) => dialect,
        Err(Refusal::ErrorPage(e) | Refusal::ToClient(e)) => return Err(e),
    };
    let params = dialect.params.as_ref().unwrap_or(params);
    validate(broker, client, params, &redirect).map(|_| ())
}

fn validate(
    broker: &Broker,
    client: &crate::model::Client,
    params: &Params,
    redirect: &VerifiedRedirect,
) -> Result<AuthRequest, OAuthError> {
    check_request::check(params)?;
    let response_type = check_response_type::check(client, params)?;
    let response_mode = check_response_mode::check(params, response_type)?;
    let mut scopes = check_scope::check(params)?;
    // Without a code there is no refresh token (OIDC Core 11), and no token endpoint for PKCE.
    let code_challenge = if response_type.code() {
        check_pkce::check(client, params)?
    } else {
        scopes.retain(|s| s != "offline_access");
        None
    };
    let (prompt, max_age) = check_prompt::check(params)?;
    let idp_values = check_idp::check(params)?;
    let (action_text, reference_text) = check_texts::check(params)?;
    let requested = check_claims::check(broker, params)?;
    let nonce = params.get("nonce").map(str::to_string);
    if nonce.as_ref().is_some_and(|n| n.len() > 512) {
        return Err(OAuthError::invalid_request(
            "nonce is longer than 512 characters",
        ));
    }
    Ok(AuthRequest {
        profile: broker.profile,
        client_id: client.client_id.clone(),
        redirect_uri: redirect.uri().to_string(),
        response_type,
        response_mode,
        state: redirect.state().map(str::to_string),
        nonce,
        scopes,
        code_challenge,
        prompt,
        // OIDC Registration 2: the request's max_age overrides the registered default.
        max_age: max_age
            .or_else(|| (client.defaults.default_max_age).and_then(|a| i64::try_from(a).ok())),
        login_hint: params.get("login_hint").map(str::to_string),
        ui_locales: params
            .get("ui_locales")
            .map(|l| l.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default(),
        // acr_values is a space-separated preference list; the lowest known level is what the
        // client will accept (OIDC Core 3.1.2.1: voluntary).
        // An `acr` claim request (OIDC Core 5.5.1.1) comes before acr_values.
        // Without either, the client's registered default_acr_values (OIDC Registration 2).
        acr: requested.acr.or_else(|| match params.get("acr_values") {
            Some(v) => v.split_whitespace().filter_map(Level::from_uri).min(),
            None => client
                .defaults
                .default_acr_values
                .iter()
                .filter_map(|v| Level::from_uri(v))
                .min(),
        }),
        idp_values,
        action_text,
        reference_text,
        claims: requested.claims,
        subject_hint: requested.subject,
        simulation: None,
        dialect_scopes: Vec::new(),
    })
}

/// Answers from a broker session, or `None`: a login is needed.
fn proceed(
    broker: &Broker,
    request: &AuthRequest,
    session_cookie: Option<&str>,
    now: UnixTime,
) -> Result<Option<AuthorizeResult>, OAuthError> {
    let existing = session::find(broker, session_cookie, now)?;
    let reusable = existing
        .as_ref()
        .filter(|s| session::satisfies(broker, s, request, now).unwrap_or(false));
    if let Some(session) = reusable {
        return complete::single_sign_on(broker, request, session, now).map(Some);
    }
    if request.prompts(Prompt::None) {
        return Err(OAuthError::new(
            ErrorCode::LoginRequired,
            "prompt=none, and the browser has no broker session that satisfies the request",
        ));
    }
    Ok(None)
}
