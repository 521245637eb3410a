//! Idura, formerly Criipto Verify (brokers.md, "Idura"; criipto/docs: e-ids/danish-mitid.mdx,
//! danish-mitid-erhverv.mdx, guides/prefilled-fields.mdx).
//!
//! Its request grammar: the level and MitID Erhverv by `acr_values`
//! (`urn:grn:authn:dk:mitid:low|substantial|high|business`), and the app's texts and hints in
//! `login_hint`, space-separated: `message:<base64>`, `action:<verb>`, `uuid:<uuid>`,
//! `sub:<cpr>`, `vatid:DK<cvr>`, `business`, `business_optional`, `scope:address`.

use serde_json::{json, Map, Value};

use super::{
    by_cpr, by_uuid, decode_text, dialect_scopes, guid, level_caps, Dialect, Login, Refusal,
    Rewrite,
};
use crate::app::Broker;
use crate::clock::UnixTime;
use crate::error::OAuthError;
use crate::model::{ActionText, BusinessRole, Identity, Idp, Level, Sid};
use crate::oidc::authorize::MAX_REFERENCE_TEXT;
use crate::oidc::Params;

/// A per-application setting at Idura; MitID samples live up to 5 hours, NemID's 20 minutes
/// (ledger: idura.token-lifetime).
pub const ID_TOKEN_TTL: i64 = 1200;

/// Idura's acr values for Danish MitID.
pub const ACR_PREFIX: &str = "urn:grn:authn:dk:mitid:";
/// MitID Erhverv.
pub const ACR_BUSINESS: &str = "urn:grn:authn:dk:mitid:business";

fn invalid(description: impl Into<String>) -> Refusal {
    Refusal::ToClient(OAuthError::invalid_request(description.into()))
}

pub fn request(broker: &Broker, params: &Params) -> Result<Dialect, Refusal> {
    let mut rewrite = Rewrite::default();
    let mut idps: Vec<&str> = Vec::new();
    // Without acr_values Idura offers its tenant's e-IDs; here that is MitID at Substantial.
    let mut level = None;
    for value in params.get("acr_values").unwrap_or("").split_whitespace() {
        if value == ACR_BUSINESS {
            idps.push("mitid_erhverv");
            continue;
        }
        let name = value.strip_prefix(ACR_PREFIX).ok_or_else(|| {
            invalid(format!(
                "acr_values {value:?} is not a Danish MitID value; only \
                 urn:grn:authn:dk:mitid:low|substantial|high|business are simulated"
            ))
        })?;
        let asked = Level::from_name(name)
            .ok_or_else(|| invalid(format!("acr_values {value:?} names no MitID level")))?;
        // Several levels: the lowest is what the client accepts.
        level = Some(level.map_or(asked, |l: Level| l.min(asked)));
    }
    match level {
        Some(level) => rewrite.set("acr_values", level.uri()),
        None => rewrite.remove("acr_values"),
    }
    for name in ["idp_values", "action_text", "reference_text"] {
        rewrite.remove(name);
    }
    let mut hinted = None;
    let mut scopes: Vec<String> = params
        .get("scope")
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_string)
        .collect();
    for word in params.get("login_hint").unwrap_or("").split_whitespace() {
        let (key, value) = word.split_once(':').unwrap_or((word, ""));
        match key {
            "message" => {
                let text = decode_text(value)
                    .ok_or_else(|| invalid("login_hint message: must be base64-encoded UTF-8"))?;
                if text.chars().count() > MAX_REFERENCE_TEXT {
                    return Err(invalid(format!(
                        "login_hint message: is longer than {MAX_REFERENCE_TEXT} characters"
                    )));
                }
                rewrite.set("reference_text", text);
            }
            "action" => {
                let action = ActionText::ALL
                    .into_iter()
                    .find(|a| action_word(*a) == value)
                    .ok_or_else(|| {
                        invalid(format!(
                            "login_hint action:{value} is not login, approve, confirm, accept or sign"
                        ))
                    })?;
                rewrite.set("action_text", action.as_str());
            }
            "uuid" => hinted = by_uuid(broker, value)?.or(hinted),
            "sub" => hinted = by_cpr(broker, value)?.or(hinted),
            // The company to log in for; the business screen still offers the person's
            // companies (ledger: idura.login-hint-vatid).
            "vatid" => {}
            "business" => idps.push("mitid_erhverv"),
            "business_optional" => idps.extend(["mitid_erhverv", "mitid"]),
            "scope" if value == "address" => {
                if !scopes.iter().any(|s| s == "address") {
                    scopes.push("address".into());
                }
            }
            _ => {
                return Err(invalid(format!(
                    "login_hint {word:?} is not part of Idura's grammar (message:, action:, \
                     uuid:, sub:, vatid:, business, business_optional, scope:address)"
                )))
            }
        }
    }
    match hinted {
        Some(identity) => rewrite.set("login_hint", identity.user_id.as_str()),
        None => rewrite.remove("login_hint"),
    }
    idps.dedup();
    if !idps.is_empty() {
        rewrite.set("idp_values", idps.join(" "));
    }
    rewrite.set("scope", scopes.join(" "));
    Ok(Dialect {
        scopes: dialect_scopes(params),
        params: Some(rewrite.apply(params)),
        simulation: None,
    })
}

/// The verb of `action:` (Idura's lower-case names of the app's header).
const fn action_word(action: ActionText) -> &'static str {
    match action {
        ActionText::LogOn => "login",
        ActionText::Approve => "approve",
        ActionText::Confirm => "confirm",
        ActionText::Accept => "accept",
        ActionText::Sign => "sign",
    }
}

/// Idura's `sub`: a GUID in braces, a "persistent pseudonym" per tenant (here, per broker
/// instance), different for a MitID Erhverv login than for the same person's private one.
fn pseudonym(broker: &Broker, identity: &Identity, business: Option<&str>) -> String {
    let who = match business {
        Some(professional) => format!("erhverv|{professional}"),
        None => format!("private|{}", identity.id),
    };
    guid(broker, "idura.sub", &who)
}

/// `sub`: the pseudonym in braces.
pub fn subject(broker: &Broker, identity: &Identity, business: Option<&str>) -> String {
    format!("{{{}}}", pseudonym(broker, identity, business))
}

/// `sessionindex`: a GUID per broker session.
pub fn session_index(broker: &Broker, sid: &Sid) -> String {
    guid(broker, "idura.session", sid.as_str())
}

/// `authenticationtype`: the login method the client asked for, an `acr_values` value (in the
/// samples it is the value the request used, whatever level `loA` then says was reached):
/// MitID Erhverv's, or MitID's at the level asked for.
fn authentication_type(idp: Idp, requested: Level) -> String {
    if idp == Idp::MitidErhverv {
        ACR_BUSINESS.to_string()
    } else {
        format!("{ACR_PREFIX}{}", requested.name())
    }
}

/// The level the login behind `grant` asked for (its `acr_values`, else the broker's default);
/// the level reached when the login is no longer known.
fn requested_level(broker: &Broker, grant: &crate::model::Grant) -> Level {
    grant
        .login_id
        .as_ref()
        .and_then(|id| broker.store.logins.get(id).ok().flatten())
        .map_or(grant.acr, |txn| broker.required_level(&txn.request))
}

/// The person's claims as Idura names them (criipto/docs snippets/jwt-payloads; the decoded
/// samples in brokers.md, "Idura"): every value a string.
fn person(broker: &Broker, login: &Login<'_>, now: UnixTime) -> Map<String, Value> {
    let grant = login.grant;
    let identity = login.identity;
    let pseudonym = pseudonym(broker, identity, grant.business.as_deref());
    let mut out = Map::new();
    out.insert("identityscheme".into(), json!("dkmitid"));
    out.insert(
        "authenticationtype".into(),
        json!(authentication_type(
            grant.assurance.idp,
            requested_level(broker, grant)
        )),
    );
    let method = match grant.amr.first().map(String::as_str) {
        Some("code_app") => "app",
        Some("code_token") | Some("code_reader") => "otp",
        Some("u2f_token") => "u2f",
        _ => "pwd",
    };
    out.insert(
        "authenticationmethod".into(),
        json!(format!(
            "{method}:{}:{}:{}:{}:{}",
            grant.auth_time * 1000,
            level_caps(grant.acr),
            level_caps(grant.assurance.ial),
            level_caps(grant.assurance.aal),
            "HIGH"
        )),
    );
    if let Ok(instant) = time::OffsetDateTime::from_unix_timestamp(grant.auth_time) {
        if let Ok(text) = instant.format(&time::format_description::well_known::Rfc3339) {
            out.insert("authenticationinstant".into(), json!(text));
        }
    }
    out.insert("nameidentifier".into(), json!(pseudonym.replace('-', "")));
    out.insert("sub".into(), json!(format!("{{{pseudonym}}}")));
    out.insert(
        "sessionindex".into(),
        json!(session_index(broker, &grant.sid)),
    );
    out.insert("loA".into(), json!(level_caps(grant.acr)));
    out.insert("ial".into(), json!(level_caps(grant.assurance.ial)));
    out.insert("aal".into(), json!(level_caps(grant.assurance.aal)));
    out.insert("fal".into(), json!("HIGH"));
    let business = grant.business.as_deref().and_then(|chosen| {
        identity
            .business
            .iter()
            .find(|b| b.professional_uuid == chosen)
    });
    let uuid = business.map_or_else(|| identity.id.to_string(), |b| b.professional_uuid.clone());
    out.insert("uuid".into(), json!(uuid));
    if grant.has_scope("ssn") {
        if let Some(cpr) = &identity.cpr {
            out.insert("cprNumberIdentifier".into(), json!(cpr.to_digits()));
        }
    }
    if let Some(born) = identity.date_of_birth() {
        out.insert("birthdate".into(), json!(born.to_string()));
        out.insert("dateofbirth".into(), json!(born.to_string()));
        let today = time::OffsetDateTime::from_unix_timestamp(now).map(|t| t.date());
        if let Some(age) = today.ok().and_then(|t| crate::mitid::cpr::age_on(born, t)) {
            out.insert("age".into(), json!(age.to_string()));
        }
    }
    out.insert("name".into(), json!(identity.name()));
    out.insert("country".into(), json!("DK"));
    if let Some(business) = business {
        out.insert("cvrNumberIdentifier".into(), json!(business.cvr));
        out.insert("2.5.4.10".into(), json!(business.organisation_name));
        let role = if business.role == BusinessRole::Signatory {
            "companySignatory"
        } else {
            "employee"
        };
        out.insert(role.into(), json!("true"));
        if let Some(rid) = &business.rid {
            out.insert("ridNumberIdentifier".into(), json!(rid));
        }
    }
    out
}

/// Idura's ID token: `iss aud nonce`, the person's claims, `iat nbf exp`; no `auth_time`,
/// `amr`, `acr` or `sid` (none in the samples).
pub fn id_token(
    broker: &Broker,
    login: &Login<'_>,
    standard: Map<String, Value>,
    now: UnixTime,
) -> Map<String, Value> {
    let mut out = Map::new();
    for name in ["iss", "aud", "nonce", "iat", "exp"] {
        if let Some(value) = standard.get(name) {
            out.insert(name.into(), value.clone());
        }
    }
    out.insert("nbf".into(), json!(now));
    out.extend(person(broker, login, now));
    out
}

/// Idura's userinfo: the same person's claims as the ID token (ledger: idura.userinfo).
pub fn userinfo(
    broker: &Broker,
    login: &Login<'_>,
    _standard: Map<String, Value>,
    now: UnixTime,
) -> Map<String, Value> {
    person(broker, login, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The samples' `authenticationtype` is the `acr_values` value the request used.
    #[test]
    fn authenticationtype_names_the_method_asked_for() {
        assert_eq!(
            authentication_type(Idp::Mitid, Level::Substantial),
            "urn:grn:authn:dk:mitid:substantial"
        );
        assert_eq!(
            authentication_type(Idp::Mitid, Level::Low),
            "urn:grn:authn:dk:mitid:low"
        );
        assert_eq!(
            authentication_type(Idp::MitidErhverv, Level::Substantial),
            ACR_BUSINESS
        );
    }
}
