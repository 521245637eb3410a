//! The request parameters of OIDC Core 3.1.2.1 and 5.5 beyond the basics: `claims` (JSON with
//! `userinfo` and `id_token` members), `display`, `claims_locales` and `id_token_hint`.

use serde_json::Value;

use crate::app::Broker;
use crate::error::{ErrorCode, OAuthError};
use crate::model::{ClaimRequest, ClaimsRequest, Level};
use crate::oidc::Params;

/// `display` values (OIDC Core 3.1.2.1). The simulator shows the same pages for all of them.
pub const DISPLAY_VALUES: [&str; 4] = ["page", "popup", "touch", "wap"];

/// Locales the claims can be asked in (`claims_locales`). The claims here are names and
/// numbers that do not change with the language, so any list is accepted.
pub const CLAIMS_LOCALES: [&str; 2] = ["da", "en"];

/// What the checked parameters give the request.
#[derive(Debug, Default)]
pub struct Requested {
    pub claims: Option<ClaimsRequest>,
    /// The level an `acr` claim request asks for; `None` when it names none.
    pub acr: Option<Level>,
    /// The subject the request is for (`id_token_hint`, or a `sub` claim request with a
    /// value): only a login as that person may answer it.
    pub subject: Option<String>,
}

pub fn check(broker: &Broker, params: &Params) -> Result<Requested, OAuthError> {
    if let Some(display) = params.get("display") {
        if !DISPLAY_VALUES.contains(&display) {
            return Err(OAuthError::invalid_request(format!(
                "display {display} is not one of page, popup, touch, wap"
            )));
        }
    }
    let claims = params.get("claims").map(parse).transpose()?;
    let acr = match claims.as_ref().and_then(ClaimsRequest::acr) {
        Some(acr) => requested_level(acr)?,
        None => None,
    };
    let hinted = params
        .get("id_token_hint")
        .map(|hint| hint_subject(broker, hint))
        .transpose()?;
    let asked_sub = claims
        .as_ref()
        .and_then(|c| c.id_token.get("sub"))
        .and_then(|s| s.value.as_ref())
        .and_then(Value::as_str)
        .map(str::to_string);
    let subject = match (hinted, asked_sub) {
        (Some(a), Some(b)) if a != b => {
            return Err(OAuthError::new(
                ErrorCode::LoginRequired,
                "id_token_hint and the sub claim request name different people",
            ))
        }
        (a, b) => a.or(b),
    };
    Ok(Requested {
        claims,
        acr,
        subject,
    })
}

/// Parses the `claims` JSON; members other than `userinfo` and `id_token` are ignored (OIDC
/// Core 5.5: unknown members are ignored).
fn parse(json: &str) -> Result<ClaimsRequest, OAuthError> {
    let bad = |why: &str| OAuthError::invalid_request(format!("claims {why}"));
    let value: Value = serde_json::from_str(json).map_err(|_| bad("is not valid JSON"))?;
    let Value::Object(top) = value else {
        return Err(bad("must be a JSON object"));
    };
    let mut request = ClaimsRequest::default();
    for (member, target) in [
        ("userinfo", &mut request.userinfo),
        ("id_token", &mut request.id_token),
    ] {
        match top.get(member) {
            None | Some(Value::Null) => {}
            Some(Value::Object(claims)) => {
                for (name, spec) in claims {
                    target.insert(
                        name.clone(),
                        claim(spec).map_err(|why| bad(&format!("{member}.{name} {why}")))?,
                    );
                }
            }
            Some(_) => return Err(bad(&format!("member {member} must be an object"))),
        }
    }
    Ok(request)
}

fn claim(spec: &Value) -> Result<ClaimRequest, &'static str> {
    let map = match spec {
        Value::Null => return Ok(ClaimRequest::default()),
        Value::Object(map) => map,
        _ => return Err("must be null or an object"),
    };
    let essential = match map.get("essential") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err("has an essential that is not a boolean"),
    };
    let values = match map.get("values") {
        None | Some(Value::Null) => None,
        Some(Value::Array(values)) => Some(values.clone()),
        Some(_) => return Err("has values that are not an array"),
    };
    Ok(ClaimRequest {
        essential,
        value: map.get("value").filter(|v| !v.is_null()).cloned(),
        values,
    })
}

/// The level an `acr` claim request asks for: the lowest known one among its values (like
/// `acr_values`). An essential request naming no level the broker has cannot be met: a
/// failed authentication, `access_denied` (OIDC Core 5.5.1.1).
fn requested_level(acr: &ClaimRequest) -> Result<Option<Level>, OAuthError> {
    let level = acr
        .wanted_strings()
        .into_iter()
        .filter_map(Level::from_uri)
        .min();
    if acr.essential && acr.has_values() && level.is_none() {
        return Err(OAuthError::new(
            ErrorCode::AccessDenied,
            "the essential acr values asked for cannot be met; this broker offers the NSIS levels",
        ));
    }
    Ok(level)
}

/// The `sub` of an `id_token_hint`: an ID token this broker signed with its keys for this
/// issuer. An expired one is still a good hint (OIDC Core 3.1.2.1): only the signature and
/// the issuer are checked.
fn hint_subject(broker: &Broker, hint: &str) -> Result<String, OAuthError> {
    let invalid =
        || OAuthError::invalid_request("id_token_hint is not an ID token issued by this broker");
    let payload = broker.keys.verify_jwt(hint).map_err(|_| invalid())?;
    let claims: Value = serde_json::from_slice(&payload).map_err(|_| invalid())?;
    // A logout token is signed with the same keys, but is no ID token.
    if claims["iss"].as_str() != Some(broker.issuer.as_str()) || claims.get("events").is_some() {
        return Err(invalid());
    }
    claims["sub"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn claims_members_parse_with_null_and_objects_and_unknown_members_are_ignored() {
        let request = parse(
            r#"{"userinfo": {"email": null, "name": {"essential": true}},
                "id_token": {"acr": {"values": ["a", "b"]}, "sub": {"value": "s"}},
                "other": 1}"#,
        )
        .unwrap();
        assert_eq!(request.userinfo["email"], ClaimRequest::default());
        assert!(request.userinfo["name"].essential);
        assert_eq!(request.id_token["acr"].wanted_strings(), vec!["a", "b"]);
        assert_eq!(request.id_token["sub"].value, Some(json!("s")));
    }

    #[test]
    fn malformed_claims_are_invalid_request() {
        for bad in [
            "x",
            "[]",
            r#"{"userinfo": 1}"#,
            r#"{"id_token": {"email": 1}}"#,
            r#"{"id_token": {"email": {"essential": "yes"}}}"#,
            r#"{"id_token": {"acr": {"values": "x"}}}"#,
        ] {
            assert_eq!(
                parse(bad).unwrap_err().code,
                ErrorCode::InvalidRequest,
                "{bad}"
            );
        }
    }

    #[test]
    fn an_essential_acr_without_a_known_level_is_access_denied() {
        let essential = |values: Vec<Value>| ClaimRequest {
            essential: true,
            value: None,
            values: Some(values),
        };
        let unknown = essential(vec![json!("urn:x")]);
        assert_eq!(
            requested_level(&unknown).unwrap_err().code,
            ErrorCode::AccessDenied
        );
        let known = essential(vec![
            json!("urn:x"),
            json!(Level::High.uri()),
            json!(Level::Substantial.uri()),
        ]);
        assert_eq!(requested_level(&known).unwrap(), Some(Level::Substantial));
        // Voluntary: an unknown value is no requirement.
        let voluntary = ClaimRequest {
            essential: false,
            ..unknown
        };
        assert_eq!(requested_level(&voluntary).unwrap(), None);
        // Essential without values: any level.
        assert_eq!(requested_level(&essential(vec![])).unwrap(), None);
    }
}
