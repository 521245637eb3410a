//! `broker token`: a headless login against a running broker, like any client over HTTP. It
//! queues an approval for the person through the control API, then runs the authorization code
//! flow with PKCE, `state` and `nonce` through the profile's discovery document (following the
//! redirects a browser would), checks the ID token against the JWKS, calls userinfo and prints
//! the tokens.

use anyhow::{anyhow, bail, Context};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use reqwest::header::LOCATION;
use reqwest::StatusCode;
use serde_json::{json, Value};
use url::Url;

use crate::model::{Level, Profile};
use crate::paths;
use crate::secrets;

/// The client `broker token` registers for itself when none is named: public, PKCE only.
pub const CLI_CLIENT: &str = "broker-cli";
/// Its redirect URI: nothing listens there; the code is read from the redirect.
pub const CLI_REDIRECT_URI: &str = "http://127.0.0.1/broker-cli/callback";

/// Redirects followed at most before the flow is given up.
const MAX_REDIRECTS: usize = 20;

/// What `broker token` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// The token response as JSON.
    #[default]
    Json,
    /// `ACCESS_TOKEN=...` lines for `eval` or `source`.
    Env,
    /// The ID token's header and claims, decoded, and the userinfo response.
    Claims,
}

#[derive(Debug, Clone, clap::Args)]
pub struct TokenArgs {
    /// The test person's user ID (`broker identities list` shows them).
    #[arg(long)]
    pub user: String,
    /// A registered client to log in as; without it, the CLI's own public client
    /// (`broker-cli`), registered on first use.
    #[arg(long)]
    pub client: Option<String>,
    /// The secret of `--client`, when it is not a public client.
    #[arg(long)]
    pub client_secret: Option<String>,
    /// The scope (default: `openid profile`, at `neb` `openid mitid`, at `idura` `openid`).
    #[arg(long)]
    pub scope: Option<String>,
    /// The level of assurance to ask for, in the profile's words.
    #[arg(long, value_parser = ["low", "substantial", "high"])]
    pub level: Option<String>,
    /// The issuer's profile: standard, neb, idura or signicat.
    #[arg(long, default_value = "standard", value_parser = Profile::ALL.map(|p| p.as_str()))]
    pub profile: String,
    /// What to print.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
}

/// Where the broker is, and how to reach its control API.
pub struct Target {
    /// The base issuer (the `standard` profile's), e.g. `http://localhost:8080`.
    pub issuer: String,
    pub control_token: Option<String>,
    /// A CA certificate to trust beside the public roots (the broker's local CA for `--tls`).
    pub ca_file: Option<std::path::PathBuf>,
}

/// Logs in and answers what to print.
pub async fn run(target: &Target, args: &TokenArgs) -> anyhow::Result<String> {
    let profile =
        Profile::parse(&args.profile).ok_or_else(|| anyhow!("unknown profile {}", args.profile))?;
    let level = args.level.as_deref().and_then(Level::from_name);
    let control = Control::new(target)?;
    let http = control.http.clone();
    let issuer = format!(
        "{}{}",
        target.issuer.trim_end_matches('/'),
        profile.issuer_path()
    );

    let discovery = discover(&http, &issuer, &target.issuer).await?;
    control.identity(&args.user).await?;
    let client = control.client(args).await?;

    let verifier = secrets::random_token();
    let state = secrets::random_token();
    let nonce = secrets::random_token();
    let scope = args
        .scope
        .clone()
        .unwrap_or_else(|| default_scope(profile).to_string());
    let mut authorize = Url::parse(&discovery.authorization_endpoint)?;
    authorize
        .query_pairs_mut()
        .append_pair("client_id", &client.id)
        .append_pair("redirect_uri", &client.redirect_uri)
        .append_pair("response_type", "code")
        .append_pair("scope", &scope)
        .append_pair("state", &state)
        .append_pair("nonce", &nonce)
        .append_pair("code_challenge", &secrets::s256(&verifier))
        .append_pair("code_challenge_method", "S256");
    if let Some(level) = level {
        let (name, value) = level_parameter(profile, level);
        authorize.query_pairs_mut().append_pair(name, &value);
    }
    let decision = control
        .post(
            "/decisions",
            &json!({"outcome": "approve", "user_id": args.user, "client_id": client.id}),
        )
        .await?;
    let followed = follow(&http, authorize, &client.redirect_uri).await;
    // A decision the login did not take (the request failed before a login was parked) must
    // not decide somebody's next login.
    if let Some(id) = decision["id"].as_str() {
        control.remove_untaken_decision(id).await;
    }
    let (callback, login) = followed?;
    let answer = |name: &str| {
        callback
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    if answer("state").as_deref() != Some(state.as_str()) {
        bail!("the authorization response's state is not the one sent");
    }
    if let Some(iss) = answer("iss") {
        if iss != discovery.issuer {
            bail!(
                "the authorization response names issuer {iss}, not {}",
                discovery.issuer
            );
        }
    }
    if let Some(error) = answer("error") {
        return Err(control
            .refusal(
                &args.user,
                level,
                login.as_deref(),
                &error,
                answer("error_description"),
            )
            .await);
    }
    let code = answer("code").ok_or_else(|| anyhow!("the redirect to the client has no code"))?;

    let mut form = vec![
        ("grant_type", "authorization_code".to_string()),
        ("code", code),
        ("redirect_uri", client.redirect_uri.clone()),
        ("code_verifier", verifier),
    ];
    let mut request = http.post(&discovery.token_endpoint);
    match &client.secret {
        Some(secret) if client.post_secret => {
            form.push(("client_id", client.id.clone()));
            form.push(("client_secret", secret.clone()));
        }
        Some(secret) => request = request.basic_auth(&client.id, Some(secret)),
        None => form.push(("client_id", client.id.clone())),
    }
    let response = request.form(&form).send().await?;
    let status = response.status();
    let tokens: Value = response
        .json()
        .await
        .context("the token response is not JSON")?;
    if !status.is_success() {
        bail!("the token endpoint refused the code ({status}): {tokens}");
    }
    let id_token = tokens["id_token"]
        .as_str()
        .ok_or_else(|| anyhow!("the token response has no ID token: {tokens}"))?;
    let access_token = tokens["access_token"]
        .as_str()
        .ok_or_else(|| anyhow!("the token response has no access token: {tokens}"))?;
    let decoded = verify_id_token(&http, &discovery, id_token, &client.id, &nonce).await?;
    let now = control.now().await?;
    if decoded.claims["exp"].as_i64().is_none_or(|exp| exp <= now) {
        bail!("the ID token has expired on the broker's clock");
    }
    let userinfo = userinfo(&http, &discovery, access_token).await?;

    Ok(match args.format {
        Format::Json => serde_json::to_string_pretty(&tokens)?,
        Format::Env => env_lines(&tokens),
        Format::Claims => serde_json::to_string_pretty(&json!({
            "id_token": {"header": decoded.header, "claims": decoded.claims},
            "userinfo": userinfo,
        }))?,
    })
}

fn client(target: &Target) -> anyhow::Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true);
    if let Some(ca) = &target.ca_file {
        if let Ok(pem) = std::fs::read(ca) {
            for root in reqwest::Certificate::from_pem_bundle(&pem)? {
                builder = builder.add_root_certificate(root);
            }
        }
    }
    Ok(builder.build()?)
}

/// The scope asked for when none is given: the profile's person claims.
pub fn default_scope(profile: Profile) -> &'static str {
    match profile {
        Profile::Standard | Profile::Signicat => "openid profile",
        Profile::Neb => "openid mitid",
        Profile::Idura => "openid",
    }
}

/// How the profile asks for a level (brokers.md): `acr_values` in each one's words, NEB's
/// `idp_params`.
pub fn level_parameter(profile: Profile, level: Level) -> (&'static str, String) {
    match profile {
        Profile::Standard => ("acr_values", level.uri().to_string()),
        Profile::Idura => (
            "acr_values",
            format!("urn:grn:authn:dk:mitid:{}", level.name()),
        ),
        Profile::Signicat => ("acr_values", format!("idp:mitid loa:{}", level.name())),
        Profile::Neb => (
            "idp_params",
            json!({"mitid": {"loa_value": level.name()}}).to_string(),
        ),
    }
}

/// The `ACCESS_TOKEN=...` lines of a token response, single-quoted for a shell.
pub fn env_lines(tokens: &Value) -> String {
    let mut lines = Vec::new();
    for (member, name) in [
        ("access_token", "ACCESS_TOKEN"),
        ("id_token", "ID_TOKEN"),
        ("refresh_token", "REFRESH_TOKEN"),
        ("token_type", "TOKEN_TYPE"),
        ("expires_in", "EXPIRES_IN"),
        ("scope", "SCOPE"),
    ] {
        let value = match &tokens[member] {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => continue,
        };
        lines.push(format!("{name}='{}'", value.replace('\'', r"'\''")));
    }
    lines.join("\n")
}

struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    userinfo_endpoint: String,
    jwks_uri: String,
}

async fn discover(http: &reqwest::Client, issuer: &str, base: &str) -> anyhow::Result<Discovery> {
    let url = format!("{issuer}{}", paths::DISCOVERY);
    let response = http.get(&url).send().await.map_err(|e| {
        if e.is_connect() || e.is_timeout() {
            anyhow!(
                "no broker at {base}: start it with `cargo run --release -p broker` (or \
                 `cargo run --release` for the broker and the mailbox), or name another with --issuer"
            )
        } else {
            anyhow!("cannot reach the broker at {base}: {e}")
        }
    })?;
    if !response.status().is_success() {
        bail!(
            "{url} answered {}: is {base} this broker's issuer (--issuer)?",
            response.status()
        );
    }
    let doc: Value = response
        .json()
        .await
        .with_context(|| format!("{url} is not a discovery document"))?;
    let member = |name: &str| {
        doc[name]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| anyhow!("the discovery document at {url} has no {name}"))
    };
    Ok(Discovery {
        issuer: member("issuer")?,
        authorization_endpoint: member("authorization_endpoint")?,
        token_endpoint: member("token_endpoint")?,
        userinfo_endpoint: member("userinfo_endpoint")?,
        jwks_uri: member("jwks_uri")?,
    })
}

/// The client to log in as, with what the token request needs.
struct CliClient {
    id: String,
    redirect_uri: String,
    secret: Option<String>,
    /// `client_secret_post` rather than HTTP Basic.
    post_secret: bool,
}

/// The control API of a running broker, for the command line.
pub(crate) struct Control {
    http: reqwest::Client,
    /// The control API's base URL.
    pub(crate) base: String,
    token: Option<String>,
    issuer: String,
}

impl Control {
    pub(crate) fn new(target: &Target) -> anyhow::Result<Control> {
        let base = Url::parse(&target.issuer)
            .with_context(|| format!("--issuer {} is not a URL", target.issuer))?;
        Ok(Control {
            http: client(target)?,
            base: format!("{}{}", base.origin().ascii_serialization(), paths::CONTROL),
            token: target.control_token.clone(),
            issuer: target.issuer.clone(),
        })
    }

    pub(crate) async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> anyhow::Result<(StatusCode, Value)> {
        let request = match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        };
        let response = request
            .send()
            .await
            .map_err(|e| anyhow!("the control API at {} did not answer: {e}", self.base))?;
        let status = response.status();
        if status == StatusCode::UNAUTHORIZED {
            bail!(
                "the broker's control API is locked: give its token with --control-token or \
                 BROKER_CONTROL_TOKEN"
            );
        }
        let body = response.json().await.unwrap_or(Value::Null);
        Ok((status, body))
    }

    pub(crate) async fn get(&self, path: &str) -> anyhow::Result<(StatusCode, Value)> {
        self.send(self.http.get(format!("{}{path}", self.base)))
            .await
    }

    pub(crate) async fn delete(&self, path: &str) -> anyhow::Result<(StatusCode, Value)> {
        self.send(self.http.delete(format!("{}{path}", self.base)))
            .await
    }

    pub(crate) async fn post(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        let (status, answer) = self
            .send(self.http.post(format!("{}{path}", self.base)).json(body))
            .await?;
        if !status.is_success() {
            bail!("the control API refused POST {path} ({status}): {answer}");
        }
        Ok(answer)
    }

    /// Removes a queued decision if no login took it (404: one did).
    async fn remove_untaken_decision(&self, id: &str) {
        let path = format!("/decisions/{}", encode(id));
        match self.delete(&path).await {
            Ok((status, _)) if status.is_success() || status == StatusCode::NOT_FOUND => {}
            Ok((status, answer)) => {
                eprintln!("warning: could not remove the queued decision {id} ({status}): {answer}")
            }
            Err(e) => eprintln!("warning: could not remove the queued decision {id}: {e}"),
        }
    }

    /// The person exists, or an error that says how to find one.
    async fn identity(&self, user: &str) -> anyhow::Result<()> {
        let path = format!("/identities/{}", encode(user));
        match self.get(&path).await? {
            (status, _) if status.is_success() => Ok(()),
            (StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST, _) => bail!(
                "unknown user {user}: the broker has no test identity with that user ID. \
                 `curl {}/identities` lists them (or `broker identities list` on the broker's \
                 data directory)",
                self.base
            ),
            (status, body) => bail!("the control API answered {status} for {path}: {body}"),
        }
    }

    /// The client named, or the CLI's own (registered on first use).
    async fn client(&self, args: &TokenArgs) -> anyhow::Result<CliClient> {
        let id = args.client.as_deref().unwrap_or(CLI_CLIENT);
        let (status, found) = self.get(&format!("/clients/{}", encode(id))).await?;
        let found = match status {
            s if s.is_success() => found,
            StatusCode::NOT_FOUND if args.client.is_none() => {
                self.post(
                    "/clients",
                    &json!({
                        "client_id": CLI_CLIENT,
                        "name": "broker token (command line)",
                        "redirect_uris": [CLI_REDIRECT_URI],
                        "token_endpoint_auth_method": "none",
                        "require_pkce": true,
                    }),
                )
                .await?
            }
            StatusCode::NOT_FOUND => bail!(
                "unknown client {id}: `curl {}/clients` lists the registered clients; without \
                 --client, broker token uses its own",
                self.base
            ),
            other => bail!("the control API answered {other} for client {id}: {found}"),
        };
        let redirect_uri = found["redirect_uris"][0]
            .as_str()
            .ok_or_else(|| anyhow!("client {id} has no redirect URI"))?
            .to_string();
        let method = found["token_endpoint_auth_method"]
            .as_str()
            .unwrap_or("client_secret_basic");
        let secret = match method {
            "none" => None,
            "client_secret_basic" | "client_secret_post" => Some(
                args.client_secret.clone().ok_or_else(|| {
                    anyhow!("client {id} authenticates with {method}: give its secret with --client-secret")
                })?,
            ),
            other => bail!(
                "client {id} authenticates with {other}, which broker token cannot do; use a \
                 client with a secret, a public client, or none (the CLI's own)"
            ),
        };
        Ok(CliClient {
            id: id.to_string(),
            redirect_uri,
            secret,
            post_secret: method == "client_secret_post",
        })
    }

    /// The broker's clock (it may be a manual one, ahead of the wall clock).
    async fn now(&self) -> anyhow::Result<i64> {
        let (_, clock) = self.get("/clock").await?;
        clock["now"]
            .as_i64()
            .ok_or_else(|| anyhow!("the control API's clock has no time: {clock}"))
    }

    /// The error for a login the broker refused, with why (from `explain`) and what to do.
    async fn refusal(
        &self,
        user: &str,
        level: Option<Level>,
        login: Option<&str>,
        error: &str,
        description: Option<String>,
    ) -> anyhow::Error {
        let explained = match login {
            Some(id) => self
                .get(&format!("/logins/{}/explain", encode(id)))
                .await
                .map(|(_, body)| body)
                .unwrap_or(Value::Null),
            None => Value::Null,
        };
        let code = explained["refused"]["error_description"]
            .as_str()
            .map(str::to_string)
            .or(description);
        let detail = explained["refused"]["detail"].as_str().unwrap_or_default();
        if code.as_deref() == Some("mitid_level_not_reachable") {
            let level = level.map_or("the level asked for", Level::name);
            return anyhow!(
                "level not reachable: {user} cannot log in at {level} ({detail}). Ask for a \
                 lower --level, or log in as a person whose authenticator reaches it (bo \
                 reaches high)"
            );
        }
        anyhow!(
            "the broker refused the login of {user}: {error}{}{}{}",
            code.map(|c| format!(" ({c})")).unwrap_or_default(),
            if detail.is_empty() { "" } else { ": " },
            detail,
        )
        .context(format!(
            "`curl {}/logins/{}/explain` says why ({})",
            self.base,
            login.unwrap_or("ID"),
            self.issuer
        ))
    }
}

pub(crate) fn encode(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes()).collect()
}

/// Follows the browser's redirects from `start` until one goes to `redirect_uri`: that URL,
/// and the login id the authorization endpoint named.
async fn follow(
    http: &reqwest::Client,
    start: Url,
    redirect_uri: &str,
) -> anyhow::Result<(Url, Option<String>)> {
    let mut url = start;
    let mut login = None;
    for _ in 0..MAX_REDIRECTS {
        let response = http.get(url.clone()).send().await?;
        if login.is_none() {
            login = response
                .headers()
                .get("x-sim-login-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
        }
        let status = response.status();
        if !status.is_redirection() {
            let body = response.text().await.unwrap_or_default();
            if status.is_success() {
                bail!(
                    "the login waits for a person at {url}: the queued decision was not taken \
                     (another login took it?); run broker token again"
                );
            }
            bail!(
                "the broker answered {status} at {url}: {}",
                body.chars().take(300).collect::<String>()
            );
        }
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| anyhow!("a redirect without a Location from {url}"))?;
        let next = url.join(location)?;
        if next.as_str().starts_with(redirect_uri) {
            return Ok((next, login));
        }
        url = next;
    }
    bail!("more than {MAX_REDIRECTS} redirects without reaching the client")
}

/// A decoded JWT's header and claims.
struct Decoded {
    header: Value,
    claims: Value,
}

/// Checks the ID token's signature against the JWKS, its issuer, audience and nonce.
async fn verify_id_token(
    http: &reqwest::Client,
    discovery: &Discovery,
    token: &str,
    client_id: &str,
    nonce: &str,
) -> anyhow::Result<Decoded> {
    let jwks: keys::Jwks = http
        .get(&discovery.jwks_uri)
        .send()
        .await?
        .json()
        .await
        .context("the JWKS is not a key set")?;
    let header = keys::decode_unverified_header(token)?;
    let kid = header
        .kid
        .clone()
        .ok_or_else(|| anyhow!("the ID token's header has no kid"))?;
    let key = jwks
        .find(&kid)
        .ok_or_else(|| anyhow!("the ID token's key {kid} is not in the JWKS"))?;
    let alg = keys::Alg::parse(&header.alg).ok_or_else(|| {
        anyhow!(
            "the ID token's alg {} is not one the broker uses",
            header.alg
        )
    })?;
    let (signed, signature) = token
        .rsplit_once('.')
        .ok_or_else(|| anyhow!("the ID token is not a JWS"))?;
    key.verify(alg, signed.as_bytes(), &B64.decode(signature)?)
        .map_err(|e| anyhow!("the ID token's signature does not verify: {e}"))?;
    let part = |i: usize| -> anyhow::Result<Value> {
        let text = token
            .split('.')
            .nth(i)
            .ok_or_else(|| anyhow!("the ID token is not a JWS"))?;
        Ok(serde_json::from_slice(&B64.decode(text)?)?)
    };
    let decoded = Decoded {
        header: part(0)?,
        claims: part(1)?,
    };
    let claims = &decoded.claims;
    if claims["iss"] != discovery.issuer.as_str() {
        bail!(
            "the ID token's iss {} is not {}",
            claims["iss"],
            discovery.issuer
        );
    }
    let audience_ok = match &claims["aud"] {
        Value::String(aud) => aud == client_id,
        Value::Array(auds) => auds.iter().any(|a| a == client_id),
        _ => false,
    };
    if !audience_ok {
        bail!(
            "the ID token's aud {} does not name {client_id}",
            claims["aud"]
        );
    }
    if claims["nonce"] != nonce {
        bail!("the ID token's nonce is not the one sent");
    }
    Ok(decoded)
}

async fn userinfo(
    http: &reqwest::Client,
    discovery: &Discovery,
    access_token: &str,
) -> anyhow::Result<Value> {
    let response = http
        .get(&discovery.userinfo_endpoint)
        .bearer_auth(access_token)
        .send()
        .await?;
    let status = response.status();
    if !status.is_success() {
        bail!("userinfo answered {status}");
    }
    response
        .json()
        .await
        .context("the userinfo answer is not JSON")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_lines_quote_for_a_shell_and_leave_out_what_is_missing() {
        let lines = env_lines(&json!({
            "access_token": "a.b.c",
            "id_token": "it's",
            "token_type": "Bearer",
            "expires_in": 3600,
        }));
        assert_eq!(
            lines,
            "ACCESS_TOKEN='a.b.c'\nID_TOKEN='it'\\''s'\nTOKEN_TYPE='Bearer'\nEXPIRES_IN='3600'"
        );
    }

    #[test]
    fn each_profile_asks_for_a_level_in_its_own_words() {
        assert_eq!(
            level_parameter(Profile::Standard, Level::High),
            ("acr_values", Level::High.uri().to_string())
        );
        assert_eq!(
            level_parameter(Profile::Idura, Level::Substantial).1,
            "urn:grn:authn:dk:mitid:substantial"
        );
        assert_eq!(
            level_parameter(Profile::Signicat, Level::High).1,
            "idp:mitid loa:high"
        );
        let (name, value) = level_parameter(Profile::Neb, Level::High);
        assert_eq!(name, "idp_params");
        assert_eq!(
            serde_json::from_str::<Value>(&value).unwrap(),
            json!({"mitid": {"loa_value": "high"}})
        );
    }
}
