//! The headless login: authorize -> code -> token -> userinfo, as the demo mailbox, with PKCE.

use anyhow::{bail, Context, Result};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::header::{CONTENT_TYPE, LOCATION};
use reqwest::{Client, StatusCode};
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};
use url::Url;

const CLIENT_ID: &str = "demo-mailbox";
const CLIENT_SECRET: &str = "demo-mailbox-secret";
const REDIRECT_URI: &str = "http://localhost:8081/callback";

/// The issuer a login goes to: the standard one or a real broker's dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Profile {
    Standard,
    Neb,
    Idura,
    Signicat,
}

impl Profile {
    /// The issuer's path below the broker's base URL.
    pub(crate) fn path(self) -> &'static str {
        match self {
            Profile::Standard => "",
            Profile::Neb => "/op",
            Profile::Idura => "/idura",
            Profile::Signicat => "/auth/open",
        }
    }

    /// The request parameters that ask for a Substantial MitID login with the person's name,
    /// and the userinfo member that carries the name.
    fn dialect(self) -> (&'static [(&'static str, &'static str)], &'static str) {
        match self {
            Profile::Standard => (&[("scope", "openid profile")], "name"),
            Profile::Neb => (
                &[
                    ("scope", "openid mitid"),
                    ("idp_values", "mitid"),
                    ("idp_params", r#"{"mitid":{"loa_value":"substantial"}}"#),
                ],
                "mitid.identity_name",
            ),
            Profile::Idura => (
                &[
                    ("scope", "openid"),
                    ("acr_values", "urn:grn:authn:dk:mitid:substantial"),
                ],
                "name",
            ),
            Profile::Signicat => (
                &[
                    ("scope", "openid profile"),
                    ("acr_values", "idp:mitid loa:substantial"),
                ],
                "name",
            ),
        }
    }
}

pub(crate) struct Target {
    pub(crate) client: Client,
    pub(crate) profile: Profile,
    pub(crate) issuer: String,
    /// `http://127.0.0.1:PORT` of each replica: requests go to them in turn, like a
    /// round-robin load balancer's (so a login's authorize, token and userinfo requests may
    /// each reach another replica).
    pub(crate) bases: Vec<String>,
    pub(crate) next: std::sync::atomic::AtomicUsize,
    /// The endpoints' paths.
    pub(crate) authorize: String,
    pub(crate) token: String,
    pub(crate) userinfo: String,
    /// Makes verifiers differ between runs.
    pub(crate) seed: String,
}

impl Target {
    /// `path` at the next replica.
    fn url(&self, path: &str) -> String {
        let i = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("{}{path}", self.bases[i % self.bases.len()])
    }
}

fn b64_sha256(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(data))
}

/// One fresh login (no cookies, so no single sign-on): authorize -> code -> token -> userinfo.
/// Returns the latency from the start of the authorize request to the end of the userinfo
/// response.
pub(crate) async fn login(t: &Target, n: u64) -> Result<Duration> {
    // 43 characters of the base64url alphabet: a valid PKCE verifier.
    let verifier = b64_sha256(format!("{}-verifier-{n}", t.seed).as_bytes());
    let challenge = b64_sha256(verifier.as_bytes());
    let state = format!("s{n}");
    let nonce = format!("n{n}-{}", t.seed);
    let (dialect, name_claim) = t.profile.dialect();
    let mut url = Url::parse_with_params(
        &t.url(&t.authorize),
        &[
            ("client_id", CLIENT_ID),
            ("redirect_uri", REDIRECT_URI),
            ("response_type", "code"),
            ("state", &state),
            ("nonce", &nonce),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    )?;
    url.query_pairs_mut().extend_pairs(dialect);

    let start = Instant::now();

    // 1. authorize -> 302 to the redirect URI with a code.
    let r = t.client.get(url).send().await.context("authorize")?;
    let status = r.status();
    let location = r
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = r.bytes().await.context("authorize body")?;
    if status != StatusCode::FOUND {
        bail!("authorize: expected 302, got {status}: {}", snippet(&body));
    }
    let location = location.context("authorize: 302 without Location")?;
    let mut callback = Url::parse(&location).context("authorize: Location")?;
    let (mut code, mut got_state, mut iss, mut error) = (None, None, None, None);
    for (k, v) in callback.query_pairs() {
        match k.as_ref() {
            "code" => code = Some(v.into_owned()),
            "state" => got_state = Some(v.into_owned()),
            "iss" => iss = Some(v.into_owned()),
            "error" => error = Some(v.into_owned()),
            _ => {}
        }
    }
    callback.set_query(None);
    if callback.as_str() != REDIRECT_URI {
        bail!("authorize: redirected to {location}, not to the redirect URI");
    }
    if let Some(error) = error {
        bail!("authorize: error {error} in {location}");
    }
    let code = code.with_context(|| format!("authorize: no code in {location}"))?;
    if got_state.as_deref() != Some(state.as_str()) {
        bail!("authorize: state {got_state:?} instead of {state:?}");
    }
    if iss.as_deref() != Some(t.issuer.as_str()) {
        bail!("authorize: iss {iss:?} instead of {:?}", t.issuer);
    }

    // 2. token -> access token and ID token.
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "authorization_code")
        .append_pair("code", &code)
        .append_pair("redirect_uri", REDIRECT_URI)
        .append_pair("code_verifier", &verifier)
        .finish();
    let r = t
        .client
        .post(t.url(&t.token))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .context("token")?;
    let status = r.status();
    let body = r.bytes().await.context("token body")?;
    if status != StatusCode::OK {
        bail!("token: expected 200, got {status}: {}", snippet(&body));
    }
    let json: serde_json::Value = serde_json::from_slice(&body).context("token: JSON")?;
    let access_token = json["access_token"]
        .as_str()
        .filter(|s| !s.is_empty())
        .context("token: no access_token")?;
    let id_token = json["id_token"].as_str().context("token: no id_token")?;
    if id_token.split('.').count() != 3 {
        bail!("token: the id_token is not a compact JWS");
    }
    if !json["token_type"]
        .as_str()
        .is_some_and(|t| t.eq_ignore_ascii_case("bearer"))
    {
        bail!("token: token_type is {}", json["token_type"]);
    }

    // 3. userinfo -> sub and name.
    let r = t
        .client
        .get(t.url(&t.userinfo))
        .bearer_auth(access_token)
        .send()
        .await
        .context("userinfo")?;
    let status = r.status();
    let body = r.bytes().await.context("userinfo body")?;
    if status != StatusCode::OK {
        bail!("userinfo: expected 200, got {status}: {}", snippet(&body));
    }
    let json: serde_json::Value = serde_json::from_slice(&body).context("userinfo: JSON")?;
    if json["sub"].as_str().is_none_or(str::is_empty) {
        bail!("userinfo: no sub");
    }
    if json[name_claim].as_str().is_none_or(str::is_empty) {
        bail!("userinfo: no {name_claim}");
    }
    Ok(start.elapsed())
}

fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    text.chars().take(200).collect()
}
