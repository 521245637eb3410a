//! NEB, Signaturgruppen's broker (brokers.md, "NEB"; Signaturgruppen's broker documentation:
//! oidc-integration.md, idps/mitid.md, idps/mitid-erhverv.md, enterprise/simulation.md).
//!
//! Its request grammar: `idp_values` (`mitid`, `mitid_erhverv`), `idp_params` (JSON: the
//! level, step-up, the app's texts and hints per identity provider), `language`, NEB's scopes,
//! and the headless test parameter `simulation=no-ui username:<user>` (`uuid:`, `cpr:`). A
//! missing or forbidden scope, an unknown `idp_values` value and `idp_params` that is not JSON
//! never reach the client: NEB shows its own error page.

use rand::RngCore;
use serde_json::{json, Map, Value};

use super::{
    by_cpr, by_uuid, decode_text, dialect_scopes, guid, stringify, Dialect, Login, Refusal, Rewrite,
};
use crate::app::Broker;
use crate::clock::UnixTime;
use crate::error::{ErrorCode, OAuthError};
use crate::model::{ActionText, Client, Identity, Level, Sid, Simulation, UserId};
use crate::oidc::authorize::MAX_REFERENCE_TEXT;
use crate::oidc::Params;
use crate::store::StoreError;

/// "Default expiry for ID tokens is 5 minutes" (issued-claims-tokens.md; recorded: 300 s).
pub const ID_TOKEN_TTL: i64 = 300;
/// "Expiry for access tokens is 3 hours" (issued-claims-tokens.md; recorded `expires_in` 10800).
pub const ACCESS_TOKEN_TTL: i64 = 10_800;

/// The scopes NEB knows (brokers.md: "Scopes"). `openid` is required.
pub const SCOPES: &[&str] = &[
    "openid",
    "mitid",
    "ssn",
    "nemid.pid",
    "nemlogin",
    "ssn.details_name",
    "ssn.details_address",
    "transaction_token",
    "userinfo_token",
];

/// The identity providers NEB offers a MitID client.
pub const IDP_VALUES: &[&str] = &["mitid", "mitid_erhverv"];

/// `language`: NEB's UI languages; Greenlandic (`kl`) is shown in Danish here.
pub const LANGUAGES: &[&str] = &["da", "en", "kl"];

fn error_page(code: ErrorCode, description: impl Into<String>) -> Refusal {
    Refusal::ErrorPage(OAuthError::new(code, description.into()))
}

fn invalid(description: impl Into<String>) -> Refusal {
    error_page(ErrorCode::InvalidRequest, description)
}

pub fn request(broker: &Broker, params: &Params) -> Result<Dialect, Refusal> {
    let mut rewrite = Rewrite::default();
    check_scopes(params)?;
    let mut idps = idp_values(params)?;
    // NEB takes the level and the app's texts only inside idp_params.
    for name in ["acr_values", "action_text", "reference_text"] {
        rewrite.remove(name);
    }
    if let Some(raw) = params.get("idp_params") {
        let idp_params: Value = serde_json::from_str(raw)
            .map_err(|e| invalid(format!("idp_params is not valid JSON: {e}")))?;
        if !idp_params.is_object() {
            return Err(invalid("idp_params must be a JSON object"));
        }
        if let Some(mitid) = idp_params.get("mitid") {
            mitid_params(broker, mitid, &mut rewrite)?;
        }
        let allow_private = idp_params
            .pointer("/mitid_erhverv/allow_private")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if allow_private
            && idps.iter().any(|i| i == "mitid_erhverv")
            && !idps.iter().any(|i| i == "mitid")
        {
            idps.push("mitid".into());
        }
    }
    rewrite.set("idp_values", idps.join(" "));
    if let Some(language) = params.get("language") {
        if !LANGUAGES.contains(&language) {
            return Err(invalid(format!(
                "language {language:?} is not one of da, en, kl"
            )));
        }
        rewrite.set("ui_locales", if language == "en" { "en" } else { "da" });
    }
    let simulation = params.get("simulation").map(simulation).transpose()?;
    Ok(Dialect {
        scopes: dialect_scopes(params),
        params: Some(rewrite.apply(params)),
        simulation,
    })
}

fn check_scopes(params: &Params) -> Result<(), Refusal> {
    let scope = params
        .get("scope")
        .ok_or_else(|| error_page(ErrorCode::InvalidScope, "scope is missing"))?;
    let scopes: Vec<&str> = scope.split_whitespace().collect();
    if !scopes.contains(&"openid") {
        return Err(error_page(
            ErrorCode::InvalidScope,
            "scope must contain openid",
        ));
    }
    if let Some(unknown) = scopes.iter().find(|s| !SCOPES.contains(s)) {
        return Err(error_page(
            ErrorCode::InvalidScope,
            format!("the scope {unknown} is not allowed for this client"),
        ));
    }
    Ok(())
}

/// `idp_values`, in order; MitID when none is named. An unknown one is NEB's error page.
fn idp_values(params: &Params) -> Result<Vec<String>, Refusal> {
    let mut idps: Vec<String> = Vec::new();
    for value in params
        .get("idp_values")
        .unwrap_or("mitid")
        .split_whitespace()
    {
        if !IDP_VALUES.contains(&value) {
            return Err(invalid(format!(
                "Requested IDP is not enabled for this client: {value}"
            )));
        }
        if !idps.iter().any(|i| i == value) {
            idps.push(value.to_string());
        }
    }
    Ok(idps)
}

/// `idp_params.mitid`: `loa_value`, `aal_value`, `enable_step_up`, `reference_text` (base64,
/// at most 130 characters decoded), `action_text`, `uuid_hint`, `cpr_hint`.
fn mitid_params(broker: &Broker, mitid: &Value, rewrite: &mut Rewrite) -> Result<(), Refusal> {
    let text = |name: &str| -> Result<Option<&str>, Refusal> {
        match mitid.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(invalid(format!("idp_params.mitid.{name} must be a string"))),
        }
    };
    let level = |name: &str| -> Result<Option<Level>, Refusal> {
        text(name)?
            .map(|v| {
                Level::from_name(v).ok_or_else(|| {
                    invalid(format!(
                        "idp_params.mitid.{name} {v:?} is not low, substantial or high"
                    ))
                })
            })
            .transpose()
    };
    // The level asked for is the higher of the two: an AAL above the LoA raises it.
    if let Some(required) = [level("loa_value")?, level("aal_value")?]
        .into_iter()
        .flatten()
        .max()
    {
        rewrite.set("acr_values", required.uri());
    }
    if let Some(encoded) = text("reference_text")? {
        let decoded = decode_text(encoded).ok_or_else(|| {
            invalid("idp_params.mitid.reference_text must be base64-encoded UTF-8")
        })?;
        if decoded.chars().count() > MAX_REFERENCE_TEXT {
            return Err(invalid(format!(
                "idp_params.mitid.reference_text is longer than {MAX_REFERENCE_TEXT} characters"
            )));
        }
        rewrite.set("reference_text", decoded);
    }
    if let Some(action) = text("action_text")? {
        let action = ActionText::parse(action).ok_or_else(|| {
            invalid(format!(
                "idp_params.mitid.action_text {action:?} is not one of LOG_ON, APPROVE, \
                 CONFIRM, ACCEPT, SIGN"
            ))
        })?;
        rewrite.set("action_text", action.as_str());
    }
    // A hint names the person: the screens start at them, as NEB's do.
    let hinted = match (text("uuid_hint")?, text("cpr_hint")?) {
        (Some(uuid), _) => by_uuid(broker, uuid)?,
        (None, Some(cpr)) => by_cpr(broker, cpr)?,
        (None, None) => None,
    };
    if let Some(identity) = hinted {
        rewrite.set("login_hint", identity.user_id.as_str());
    }
    Ok(())
}

/// `simulation=no-ui username:<user>` (also `uuid:`, `cpr:`): a headless login as that person
/// (enterprise/simulation.md). `mitid_erhverv_uuid:<uuid>`, which the documented examples add
/// beside the person, is accepted and not read (ledger: neb.simulation). `simulation=ui`
/// (NEB's person picker) is not emulated: the login screens' simulator shortcut stands in for
/// it.
fn simulation(value: &str) -> Result<Simulation, Refusal> {
    let mut words = value.split_whitespace();
    match words.next() {
        Some("no-ui") => {}
        Some("ui") => {
            return Err(Refusal::ErrorPage(
                OAuthError::new(
                    ErrorCode::InvalidRequest,
                    "simulation=ui (NEB's person picker) is not emulated; use the login \
                     screens' simulator shortcut, or simulation=no-ui username:<user>",
                )
                .with_detail("ledger: neb.simulation-ui"),
            ))
        }
        _ => {
            return Err(invalid(
                "simulation must be no-ui username:<user> (or uuid:, cpr:)",
            ))
        }
    }
    let mut person = None;
    for word in words {
        let (kind, value) = word.split_once(':').ok_or_else(|| {
            invalid(format!(
                "simulation=no-ui {word}: is not username:, uuid:, cpr: or mitid_erhverv_uuid:"
            ))
        })?;
        let named = match kind {
            "username" => Simulation::UserId(UserId::new(value)),
            "uuid" => Simulation::Uuid(value.to_string()),
            "cpr" => Simulation::Cpr(value.chars().filter(char::is_ascii_digit).collect()),
            "mitid_erhverv_uuid" => continue,
            other => {
                return Err(invalid(format!(
                    "simulation=no-ui {other}: is not username, uuid, cpr or mitid_erhverv_uuid"
                )))
            }
        };
        if person.replace(named).is_some() {
            return Err(invalid("simulation=no-ui names more than one person"));
        }
    }
    person
        .ok_or_else(|| invalid("simulation=no-ui needs username:<user>, uuid:<uuid> or cpr:<cpr>"))
}

/// The `errorId` of NEB's error page for a refused request: the error, sealed with the
/// instance's secret so no one else can make the broker's page say something (NEB's own is
/// an opaque ASP.NET data-protection blob).
pub fn seal_error(broker: &Broker, error: &OAuthError) -> String {
    use base64::Engine;
    let payload =
        json!({ "error": error.code.as_str(), "error_description": error.description }).to_string();
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let body = b64.encode(payload.as_bytes());
    format!("{body}.{}", b64.encode(error_mac(broker, &body)))
}

/// The error an `errorId` holds, if this instance sealed it.
pub fn unseal_error(broker: &Broker, error_id: &str) -> Option<(String, String)> {
    use base64::Engine;
    let (body, mac) = error_id.split_once('.')?;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let expected = b64.encode(error_mac(broker, body));
    if !crate::secrets::constant_time_eq(mac, &expected) {
        return None;
    }
    let value: Value = serde_json::from_slice(&b64.decode(body).ok()?).ok()?;
    Some((
        value["error"].as_str()?.to_string(),
        value["error_description"].as_str()?.to_string(),
    ))
}

fn error_mac(broker: &Broker, body: &str) -> Vec<u8> {
    use hmac::{Hmac, Mac};
    match Hmac::<sha2::Sha256>::new_from_slice(broker.pairwise_salt.as_bytes()) {
        Ok(mut mac) => {
            mac.update(b"neb-error|");
            mac.update(body.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// `session_state` (OIDC Session Management's form, as NEB's IdentityServer sends it):
/// 43 base64url characters of a SHA-256 over the client's redirect URI and a salt, a dot, and
/// the salt as 32 upper-case hex digits. NEB publishes no check_session_iframe to use it with.
pub fn session_state(redirect_uri: &str) -> String {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    let mut salt = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut salt);
    let salt: String = salt.iter().map(|b| format!("{b:02X}")).collect();
    let digest = Sha256::digest(format!("{redirect_uri} {salt}").as_bytes());
    format!(
        "{}.{salt}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
    )
}

/// `sub`: "a unique organization specific GUID representing the identity for the receiving
/// organization" (issued-claims-tokens.md; `subject_type` `org_mapped`). The organisation is
/// the client's sector (its `sector_identifier`, else its redirect URI's host), so clients of
/// one organisation see one `sub` (ledger: neb.sub-organisation).
pub fn subject(broker: &Broker, client: &Client, identity: &Identity) -> String {
    guid(
        broker,
        &format!("neb.sub|{}", client.sector()),
        identity.id.as_str(),
    )
}

/// NEB's session id (`sid`, `neb_sid`): a GUID per broker session.
pub fn session_id(broker: &Broker, sid: &Sid) -> String {
    guid(broker, "neb.sid", sid.as_str())
}

/// `transaction_id` (the completed flow) and `idp_transaction_id` (MitID's transaction, also
/// userinfo's `mitid.transaction_id`): GUIDs derived from the login.
fn transaction_ids(broker: &Broker, login: &Login<'_>) -> (String, String) {
    let flow = login
        .grant
        .login_id
        .as_ref()
        .map_or_else(|| login.grant.id.to_string(), |id| id.to_string());
    (
        guid(broker, "neb.transaction", &flow),
        guid(broker, "neb.idp_transaction", &flow),
    )
}

/// When the broker session ends (Unix time): the live session's expiry, else when it would
/// have expired.
fn session_expiry(broker: &Broker, login: &Login<'_>) -> Result<(bool, UnixTime), StoreError> {
    let live = broker.store.sessions.live(&login.grant.sid)?;
    Ok(match live {
        Some(session) => (true, session.expires_at),
        None => (
            false,
            login.grant.auth_time + broker.config.tokens.session_ttl,
        ),
    })
}

/// The recorded ID token (brokers.md, "ID token"; pp-session CAP-020): `iss nbf iat exp aud amr
/// nonce at_hash|c_hash sid sub auth_time idp acr neb_sid loa aal ial identity_type
/// transaction_id idp_transaction_id session_expiry idtoken_type subject_type`, and no other.
pub fn id_token(
    broker: &Broker,
    login: &Login<'_>,
    standard: Map<String, Value>,
    now: UnixTime,
) -> Result<Map<String, Value>, StoreError> {
    let mut out = Map::new();
    for name in [
        "iss",
        "iat",
        "exp",
        "aud",
        "amr",
        "nonce",
        "at_hash",
        "c_hash",
        "auth_time",
        "idp",
        "acr",
        "loa",
        "aal",
        "ial",
        "identity_type",
    ] {
        if let Some(value) = standard.get(name) {
            out.insert(name.into(), value.clone());
        }
    }
    out.insert("nbf".into(), json!(now));
    let sid = session_id(broker, &login.grant.sid);
    out.insert("sid".into(), json!(sid));
    out.insert("neb_sid".into(), json!(sid));
    out.insert(
        "sub".into(),
        json!(subject(broker, login.client, login.identity)),
    );
    let (transaction, idp_transaction) = transaction_ids(broker, login);
    out.insert("transaction_id".into(), json!(transaction));
    out.insert("idp_transaction_id".into(), json!(idp_transaction));
    let (_, expiry) = session_expiry(broker, login)?;
    out.insert("session_expiry".into(), json!(expiry.to_string()));
    out.insert("idtoken_type".into(), json!("strict"));
    out.insert("subject_type".into(), json!("org_mapped"));
    Ok(out)
}

/// The recorded userinfo (brokers.md, "Userinfo"; pp-session CAP-020, CAP-021): the session's
/// state, the assurance, the scopes' claims, and every value a JSON string.
pub fn userinfo(
    broker: &Broker,
    login: &Login<'_>,
    standard: Map<String, Value>,
    _now: UnixTime,
) -> Result<Map<String, Value>, StoreError> {
    let grant = login.grant;
    let mut out = Map::new();
    let (active, expiry) = session_expiry(broker, login)?;
    out.insert("session_is_active".into(), json!(active));
    if active {
        out.insert("session_expiry".into(), json!(expiry));
    }
    out.insert("idp".into(), json!(grant.assurance.idp.as_str()));
    out.insert("subject_type".into(), json!("org_mapped"));
    out.insert("idp_identity_id".into(), json!(login.identity.id));
    out.insert("loa".into(), json!(grant.acr.uri()));
    out.insert("aal".into(), json!(grant.assurance.aal.uri()));
    out.insert("ial".into(), json!(grant.assurance.ial.uri()));
    for (name, value) in standard {
        let nebs = name.starts_with("mitid.")
            || name.starts_with("nemid.")
            || name.starts_with("nemlogin.")
            || name == "dk.cpr";
        if nebs {
            out.insert(name, value);
        }
    }
    if grant.has_scope("mitid") {
        let (_, idp_transaction) = transaction_ids(broker, login);
        out.insert("mitid.transaction_id".into(), json!(idp_transaction));
        // Not PSD2 flows, and the simulated app is where the browser is.
        out.insert("mitid.psd2".into(), json!(false));
        out.insert("mitid.geo_ip_distance_km".into(), json!(0));
    }
    if grant.has_dialect_scope("ssn.details_name") || grant.has_dialect_scope("ssn.details_address")
    {
        // The CPR register is not simulated (ledger: neb.ssn-details).
        out.insert("ssn.details.status".into(), json!("unable_to_lookup"));
    }
    out.insert(
        "sub".into(),
        json!(subject(broker, login.client, login.identity)),
    );
    Ok(stringify(out))
}

/// The recorded access token (pp-session CAP-020): a JWT (`typ` `at+jwt`) with `scope` as an
/// array, no `aud`, and a `jti` of 32 upper-case hex digits.
pub fn access_token(
    broker: &Broker,
    login: &Login<'_>,
    scopes: &[String],
    now: UnixTime,
) -> Map<String, Value> {
    let grant = login.grant;
    let sid = session_id(broker, &login.grant.sid);
    let (transaction, idp_transaction) = transaction_ids(broker, login);
    let mut jti = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut jti);
    let scope: Vec<&str> = if grant.dialect_scopes.is_empty() {
        scopes.iter().map(String::as_str).collect()
    } else {
        grant.dialect_scopes.iter().map(String::as_str).collect()
    };
    let claims = json!({
        "iss": broker.issuer.as_str(),
        "nbf": now,
        "iat": now,
        "exp": now + ACCESS_TOKEN_TTL,
        "scope": scope,
        "amr": grant.amr,
        "client_id": login.client.client_id.as_str(),
        "sub": subject(broker, login.client, login.identity),
        "auth_time": grant.auth_time,
        "idp": grant.assurance.idp.as_str(),
        "acr": grant.acr.uri(),
        "neb_sid": sid,
        "idp_transaction_id": idp_transaction,
        "transaction_id": transaction,
        "sid": sid,
        "jti": jti.iter().map(|b| format!("{b:02X}")).collect::<String>(),
    });
    match claims {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simulation_names_a_person_by_username_uuid_or_cpr() {
        assert_eq!(
            simulation("no-ui username:anna").unwrap(),
            Simulation::UserId(UserId::new("anna"))
        );
        assert_eq!(
            simulation("no-ui cpr:2101601234").unwrap(),
            Simulation::Cpr("2101601234".into())
        );
        assert_eq!(
            simulation("no-ui uuid:0b2c").unwrap(),
            Simulation::Uuid("0b2c".into())
        );
        // The documented examples name the business identity beside the person: not read.
        assert_eq!(
            simulation("no-ui uuid:0b2c mitid_erhverv_uuid:9f1e").unwrap(),
            Simulation::Uuid("0b2c".into())
        );
        for bad in [
            "no-ui",
            "no-ui anna",
            "no-ui email:a@b",
            "yes",
            "no-ui mitid_erhverv_uuid:9f1e",
            "no-ui username:anna cpr:2101601234",
            "ui uuid:0b2c",
        ] {
            assert!(
                matches!(simulation(bad), Err(Refusal::ErrorPage(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn scopes_must_hold_openid_and_only_nebs_own() {
        assert!(check_scopes(&Params::parse(b"scope=openid+mitid+ssn")).is_ok());
        for bad in [
            "",
            "scope=mitid",
            "scope=openid+profile",
            "scope=openid+email",
        ] {
            assert!(
                matches!(
                    check_scopes(&Params::parse(bad.as_bytes())),
                    Err(Refusal::ErrorPage(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn unknown_idp_values_are_the_error_page_and_mitid_is_the_default() {
        assert_eq!(idp_values(&Params::parse(b"")).unwrap(), ["mitid"]);
        assert_eq!(
            idp_values(&Params::parse(b"idp_values=mitid_erhverv+mitid")).unwrap(),
            ["mitid_erhverv", "mitid"]
        );
        assert!(matches!(
            idp_values(&Params::parse(b"idp_values=nemid")),
            Err(Refusal::ErrorPage(_))
        ));
    }
}
