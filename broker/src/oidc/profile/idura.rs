//! Idura, formerly Criipto Verify (brokers.md, "Idura"; criipto/docs: e-ids/danish-mitid.mdx,
//! danish-mitid-erhverv.mdx, guides/prefilled-fields.mdx).
//!
//! Its request grammar: the level and MitID Erhverv by `acr_values`
//! (`urn:grn:authn:dk:mitid:low|substantial|high|business`), and the app's texts and hints in
//! `login_hint`, space-separated: `message:<base64>`, `action:<verb>`, `uuid:<uuid>`,
//! `sub:<cpr>`, `vatid:DK<cvr>`, `business`, `business_optional`, `scope:address`.

use super::{by_cpr, by_uuid, decode_text, Dialect, Refusal, Rewrite};
use crate::app::Broker;
use crate::error::OAuthError;
use crate::model::{ActionText, Level};
use crate::oidc::authorize::MAX_REFERENCE_TEXT;
use crate::oidc::Params;

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
