//! The steps modules are made of: an authorization request, its callback, the code
//! exchange, ID token validation and userinfo, each with its checks.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::conformance::checks::authorization::{self, Params};
use crate::conformance::checks::{id_token, token, userinfo, Answer, Violation};
use crate::conformance::env::{random_id, AuthResult, TestClient, UserinfoCall};
use crate::conformance::jose::Jws;
use crate::conformance::{Ctx, Halt, Plan};

/// An authentication request (OIDC Core 3.1.2.1).
#[derive(Clone)]
pub struct Request {
    pub client: TestClient,
    pub response_type: Option<String>,
    pub scope: String,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub redirect_uri: Option<String>,
    pub extra: Vec<(String, String)>,
    pub post: bool,
    pub max_age: bool,
    pub pkce_verifier: Option<String>,
    /// Parameters sent only inside a request object (OIDC Core 6.1), not in the URL; still
    /// what the callback and the ID token are checked against.
    pub only_in_object: Vec<&'static str>,
}

impl Request {
    pub fn new(client: &TestClient) -> Request {
        Request {
            client: client.clone(),
            response_type: Some("code".into()),
            scope: "openid".into(),
            state: Some(random_id()),
            nonce: Some(random_id()),
            redirect_uri: Some(client.redirect_uri.clone()),
            extra: Vec::new(),
            post: false,
            max_age: false,
            pkce_verifier: None,
            only_in_object: Vec::new(),
        }
    }

    pub fn with(mut self, name: &str, value: &str) -> Request {
        if name == "max_age" {
            self.max_age = true;
        }
        self.extra.retain(|(n, _)| n != name);
        self.extra.push((name.to_string(), value.to_string()));
        self
    }

    pub fn scope(mut self, scope: &str) -> Request {
        self.scope = scope.to_string();
        self
    }

    pub fn with_pkce(mut self) -> Request {
        self.pkce_verifier = Some(format!("{}{}", random_id(), random_id()));
        self
    }

    fn params(&self, plan: Plan) -> Vec<(String, String)> {
        let mut p = vec![("client_id".to_string(), self.client.client_id.clone())];
        let hidden = &self.only_in_object;
        let mut add = |k: &str, v: &Option<String>| {
            if let Some(v) = v.as_ref().filter(|_| !hidden.contains(&k)) {
                p.push((k.to_string(), v.clone()));
            }
        };
        add("response_type", &self.response_type);
        add("redirect_uri", &self.redirect_uri);
        add("state", &self.state);
        add("nonce", &self.nonce);
        p.push(("scope".into(), self.scope.clone()));
        if let Some(verifier) = &self.pkce_verifier {
            p.push((
                "code_challenge".into(),
                B64.encode(Sha256::digest(verifier.as_bytes())),
            ));
            p.push(("code_challenge_method".into(), "S256".into()));
        }
        if plan == Plan::FormPost {
            p.push(("response_mode".into(), "form_post".into()));
        }
        p.extend(self.extra.iter().cloned());
        p
    }
}

/// A completed login: the callback, the token response and the validated ID token.
pub struct Login {
    pub request: Request,
    pub code: String,
    pub tokens: Value,
    pub id_token: Jws,
    pub access_token: String,
}

impl Login {
    pub fn sub(&self) -> String {
        self.id_token.claim_str("sub").unwrap_or("").to_string()
    }

    pub fn auth_time(&self) -> Option<i64> {
        self.id_token
            .claims
            .get("auth_time")
            .and_then(Value::as_i64)
    }
}

impl Ctx<'_> {
    pub async fn authorize(&mut self, request: &Request) -> Result<AuthResult, Halt> {
        let params = request.params(self.plan);
        let browser = self.browser.clone();
        self.env
            .authorize(&browser, &request.client, &params, request.post)
            .await
    }

    /// The checks on the callback of a request that has to succeed; the code.
    pub async fn expect_code(&mut self, request: &Request) -> Result<String, Halt> {
        let (params, query, form_post) = match self.authorize(request).await? {
            AuthResult::Callback {
                params,
                query,
                form_post,
                ..
            } => (params, query, form_post),
            AuthResult::Stopped { status, url, body } => {
                return Err(Halt::Fail(Violation::new(
                    "CheckIfAuthorizationEndpointError",
                    "OIDCC-3.1.2.5",
                    format!(
                        "the OP did not return to the client: {status} at {url}: {}",
                        token::short(&body)
                    ),
                )))
            }
        };
        self.check_response_mode(&query, form_post)?;
        self.require(authorization::check_no_error(&params))?;
        self.require(authorization::check_state(
            &params,
            request.state.as_deref(),
        ))?;
        let advertised = self
            .env
            .flag("authorization_response_iss_parameter_supported");
        self.expect(authorization::check_iss(
            &params,
            &self.env.issuer,
            advertised,
        ));
        self.require(authorization::check_code(&params))?;
        Ok(params.get("code").cloned().unwrap_or_default())
    }

    /// OAuth 2.0 Form Post Response Mode 2: with `response_mode=form_post` the response is
    /// an auto-submitting form, never in the redirect URL.
    fn check_response_mode(&mut self, query: &Params, form_post: bool) -> Result<(), Halt> {
        if self.plan == Plan::FormPost && !form_post {
            return Err(Halt::Fail(Violation::new(
                "CheckCallbackIsFormPost",
                "OAFP-2",
                "response_mode=form_post was requested but the response came in the redirect URL",
            )));
        }
        if form_post {
            self.expect(authorization::check_nothing_in_query(query));
        }
        Ok(())
    }

    /// A request the OP has to refuse at the redirect URI with one of `allowed`; `page_ok`
    /// when an error page of the OP's own is also correct.
    pub async fn expect_error(
        &mut self,
        request: &Request,
        allowed: &[&str],
        condition: &'static str,
        spec: &'static str,
        page_ok: bool,
    ) -> Result<(), Halt> {
        match self.authorize(request).await? {
            AuthResult::Callback { params, .. } => {
                self.require(authorization::check_error_is(
                    &params, allowed, condition, spec,
                ))?;
                self.expect(authorization::check_state(
                    &params,
                    request.state.as_deref(),
                ));
                let advertised = self
                    .env
                    .flag("authorization_response_iss_parameter_supported");
                self.expect(authorization::check_iss(
                    &params,
                    &self.env.issuer,
                    advertised,
                ));
                Ok(())
            }
            AuthResult::Stopped { status, .. } if page_ok && status != 0 && status < 500 => Ok(()),
            AuthResult::Stopped { status, url, body } => Err(Halt::Fail(Violation::new(
                condition,
                spec,
                format!(
                    "expected an error at the redirect URI, the OP stopped at {url} ({status}): {}",
                    token::short(&body)
                ),
            ))),
        }
    }

    /// RFC 6749 4.1.3: the code exchange; the token response and the ID token checked.
    pub async fn exchange(&mut self, request: &Request, code: &str) -> Result<(Value, Jws), Halt> {
        let answer = self.redeem(request, code).await?;
        let mut findings = std::mem::take(&mut self.findings);
        let body = token::check_success(&answer, true, &mut findings);
        self.findings = findings;
        // Header faults are recorded and the ID token is still checked; without a JSON body
        // with an id_token there is nothing to go on.
        let usable = |b: &Value| {
            b.get("id_token").and_then(Value::as_str).is_some() && b.get("access_token").is_some()
        };
        let Some(body) = body.filter(usable) else {
            return Err(Halt::Fail(Violation::new(
                "CallTokenEndpoint",
                "RFC6749-5.1",
                format!(
                    "no usable token response: {} {}",
                    answer.status,
                    token::short(&answer.body)
                ),
            )));
        };
        let access_token = body
            .get("access_token")
            .and_then(Value::as_str)
            .map(str::to_string);
        let raw = body
            .get("id_token")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let jws = self
            .check_id_token(request, &raw, access_token.as_deref(), Some(code))
            .await?;
        Ok((body, jws))
    }

    pub async fn redeem(&mut self, request: &Request, code: &str) -> Result<Answer, Halt> {
        let mut form = vec![("grant_type", "authorization_code"), ("code", code)];
        let redirect = request
            .redirect_uri
            .clone()
            .unwrap_or_else(|| request.client.redirect_uri.clone());
        form.push(("redirect_uri", &redirect));
        if let Some(v) = &request.pkce_verifier {
            form.push(("code_verifier", v));
        }
        self.env.token(&request.client, &form).await
    }

    /// OIDC Core 3.1.3.7: every check on an ID token; fails the module if one fails.
    pub async fn check_id_token(
        &mut self,
        request: &Request,
        raw: &str,
        access_token: Option<&str>,
        code: Option<&str>,
    ) -> Result<Jws, Halt> {
        let now = self.env.now().await;
        let expected = id_token::Expected {
            issuer: &self.env.issuer,
            client_id: &request.client.client_id,
            nonce: request.nonce.as_deref(),
            now,
            alg: &request.client.id_token_alg,
            access_token,
            code: code.filter(|_| false), // c_hash only matters for tokens from the authorization endpoint
            max_age: request.max_age,
            from_authorization_endpoint: false,
        };
        let before = self.findings.failures().len();
        let jwks = self.env.jwks_for(raw).await;
        let jws = id_token::validate(raw, &jwks, &expected, &mut self.findings);
        match jws {
            Some(jws) if self.findings.failures().len() == before => Ok(jws),
            _ => Err(Halt::Fail(Violation::new(
                "ValidateIdToken",
                "OIDCC-3.1.3.7",
                "the ID token failed validation (see the findings above)",
            ))),
        }
    }

    /// A login that asks for a refresh token (OIDC Core 11: `offline_access`, honoured with
    /// `prompt=consent`, when the OP lists the scope); the login and the refresh token, or a
    /// skip when none was issued.
    pub async fn login_for_refresh(&mut self, request: Request) -> Result<(Login, String), Halt> {
        let request = if self.env.supports("scopes_supported", "offline_access") {
            request
                .scope("openid offline_access")
                .with("prompt", "consent")
        } else {
            request
        };
        let login = self.login(request).await?;
        let refresh = login
            .tokens
            .get("refresh_token")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| Halt::Skip("no refresh token was issued".into()))?;
        Ok((login, refresh))
    }

    /// A whole login: authorize, callback, exchange.
    pub async fn login(&mut self, request: Request) -> Result<Login, Halt> {
        let code = self.expect_code(&request).await?;
        let (tokens, id_token) = self.exchange(&request, &code).await?;
        let access_token = tokens
            .get("access_token")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        Ok(Login {
            request,
            code,
            tokens,
            id_token,
            access_token,
        })
    }

    /// OIDC Core 5.3: userinfo with the login's access token; its checks; the claims.
    pub async fn userinfo(
        &mut self,
        login: &Login,
        how: UserinfoCall,
    ) -> Result<Map<String, Value>, Halt> {
        let answer = self.env.userinfo(&login.access_token, how).await?;
        let before = self.findings.failures().len();
        let claims = userinfo::check_response(&answer, &login.sub(), &mut self.findings);
        if answer.media_type().as_deref() == Some("application/jwt") {
            return self.signed_userinfo(login, &answer.body).await;
        }
        match claims {
            Some(c) if self.findings.failures().len() == before => Ok(c),
            _ => Err(Halt::Fail(Violation::new(
                "CallUserInfoEndpoint",
                "OIDCC-5.3.2",
                "the userinfo response failed its checks",
            ))),
        }
    }

    /// OIDC Core 5.3.2: a signed userinfo response is a JWS with `iss` and `aud`.
    async fn signed_userinfo(
        &mut self,
        login: &Login,
        body: &str,
    ) -> Result<Map<String, Value>, Halt> {
        let jws = Jws::parse(body.trim()).map_err(|e| {
            Violation::new(
                "ValidateUserInfoResponseSignature",
                "OIDCC-5.3.2",
                e.to_string(),
            )
        })?;
        let jwks = self.env.jwks_for(body.trim()).await;
        self.require(
            id_token::check_signature(&jws, &jwks).map_err(|v| Violation {
                condition: "ValidateUserInfoResponseSignature",
                spec: "OIDCC-5.3.2",
                ..v
            }),
        )?;
        self.expect(
            id_token::check_iss(&jws, &self.env.issuer).map_err(|v| Violation {
                spec: "OIDCC-5.3.2",
                ..v
            }),
        );
        self.expect(
            id_token::check_aud(&jws, &login.request.client.client_id).map_err(|v| Violation {
                spec: "OIDCC-5.3.2",
                ..v
            }),
        );
        self.expect(userinfo::check_sub(&jws.claims, &login.sub()));
        Ok(jws.claims)
    }
}
