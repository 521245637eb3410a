//! What of a request may be logged: every secret parameter's value becomes `[redacted]`,
//! tokens are decoded to their header and claims (never kept whole, never with a signature).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::value::RawValue;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::model::{DecodedJwt, LoggedJwt, REDACTED};

/// Parameters whose values are secrets, or tokens that work as one.
const SECRETS: &[&str] = &[
    "client_secret",
    "code",
    "code_verifier",
    "refresh_token",
    "access_token",
    "id_token",
    "id_token_hint",
    "logout_token",
    "token",
    "client_assertion",
    "assertion",
    "password",
    "request",
    "registration_access_token",
    "initial_access_token",
    "device_code",
    "subject_token",
    "actor_token",
];

/// Whether a parameter (or JSON member) named `name` holds a secret: the names above, and any
/// name that speaks of a secret, a password or a token (`*_token`) to be safe.
pub fn is_secret(name: &str) -> bool {
    // Most names are lower case already: no copy for them.
    let lower;
    let name = if name.bytes().any(|b| b.is_ascii_uppercase()) {
        lower = name.to_ascii_lowercase();
        lower.as_str()
    } else {
        name
    };
    // The cheap test first: most of the names above end so.
    name.ends_with("_token")
        || SECRETS.contains(&name)
        || name.contains("secret")
        || name.contains("password")
}

/// The form-encoded `encoded` (a query or a form body) with every secret parameter's value
/// redacted, appended to `out` as form-encoded text (after a `&` when `out` holds pairs
/// already): the parameters stay in the order sent and everything but a secret's value is
/// copied as sent, so the request path makes one string, not a pair of strings per parameter
/// (`LoggedRequest` parses it when it is listed). `seen` is shown each parameter's decoded name and
/// its pair as sent, before its redaction, to find the client a request names in the same pass
/// ([`value_of`] decodes the value: only the values asked for are decoded).
pub fn encoded_into(encoded: &[u8], out: &mut String, mut seen: impl FnMut(&str, &[u8])) {
    // Checked for UTF-8 once (a request's parameters are ASCII), not pair by pair.
    let text = String::from_utf8_lossy(encoded);
    for pair in text.split('&').filter(|pair| !pair.is_empty()) {
        let raw_name = pair.split('=').next().unwrap_or_default();
        let name = if raw_name.contains(['%', '+']) {
            url::form_urlencoded::parse(raw_name.as_bytes())
                .next()
                .map(|(name, _)| name)
                .unwrap_or_default()
        } else {
            Cow::Borrowed(raw_name)
        };
        seen(&name, pair.as_bytes());
        if !out.is_empty() {
            out.push('&');
        }
        if is_secret(&name) {
            out.push_str(raw_name);
            out.push('=');
            out.push_str(REDACTED);
        } else {
            out.push_str(pair);
        }
    }
}

/// The decoded value of one form-encoded `name=value` pair.
pub fn value_of(pair: &[u8]) -> String {
    url::form_urlencoded::parse(pair)
        .next()
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default()
}

/// A redirect's URL with secret parameters of its query and fragment redacted (a code, a
/// token from the implicit flow), and the `error` and `error_description` it sends the client,
/// in one pass.
pub fn location_and_error(url: &str) -> (String, Option<String>, Option<String>) {
    let (before_fragment, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    let (base, query) = match before_fragment.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (before_fragment, None),
    };
    let (mut error, mut description) = (None, None);
    let mut out = base.to_string();
    for (separator, part) in [('?', query), ('#', fragment)] {
        let Some(part) = part else { continue };
        out.push(separator);
        let start = out.len();
        let mut redacted = url::form_urlencoded::Serializer::for_suffix(out, start);
        for (name, value) in url::form_urlencoded::parse(part.as_bytes()) {
            match name.as_ref() {
                "error" if error.is_none() => error = Some(value.to_string()),
                "error_description" if description.is_none() => {
                    description = Some(value.to_string())
                }
                _ => {}
            }
            let value = if is_secret(&name) { REDACTED } else { &value };
            redacted.append_pair(&name, value);
        }
        out = redacted.finish();
    }
    (out, error, description)
}

/// A JSON answer with every secret member (at any depth) redacted.
pub fn json(mut value: Value) -> Value {
    redact_json(&mut value);
    value
}

fn redact_json(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (name, member) in map.iter_mut() {
                if is_secret(name) && !member.is_null() {
                    *member = Value::String(REDACTED.into());
                } else {
                    redact_json(member);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

/// A JSON object answer with its secret members redacted, as JSON text, made without a tree of
/// the whole answer: each member's value is copied as answered, unless it is a secret (then
/// `"[redacted]"`) or an object or array (redacted through [`json`]). The same text as [`json`]
/// would serialise (members in name order).
pub struct RedactedObject<'a> {
    pub text: Box<RawValue>,
    members: BTreeMap<&'a str, &'a RawValue>,
}

impl<'a> RedactedObject<'a> {
    /// `None` when `answer` is not a JSON object, or a member's name is escaped (then [`json`]
    /// does it all).
    pub fn of(answer: &'a [u8]) -> Option<RedactedObject<'a>> {
        let members: BTreeMap<&'a str, &'a RawValue> = serde_json::from_slice(answer).ok()?;
        let mut text = String::with_capacity(answer.len());
        text.push('{');
        for (i, (name, value)) in members.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            // A name that was borrowed had nothing to unescape, so it needs no escaping.
            text.push('"');
            text.push_str(name);
            text.push_str("\":");
            let value = value.get();
            if is_secret(name) && value != "null" {
                text.push('"');
                text.push_str(REDACTED);
                text.push('"');
            } else if value.starts_with(['{', '[']) {
                let nested: Value = serde_json::from_str(value).ok()?;
                text.push_str(&json(nested).to_string());
            } else {
                text.push_str(value);
            }
        }
        text.push('}');
        Some(RedactedObject {
            text: RawValue::from_string(text).ok()?,
            members,
        })
    }

    /// The answer's string member `name`, as answered (before redaction).
    pub fn string(&self, name: &str) -> Option<Cow<'a, str>> {
        let value = self.members.get(name)?.get();
        match serde_json::from_str::<&'a str>(value) {
            Ok(borrowed) => Some(Cow::Borrowed(borrowed)),
            Err(_) => serde_json::from_str::<String>(value).ok().map(Cow::Owned),
        }
    }
}

/// A compact JWS's header and claims, without the signature; `None` when `token` is not a JWT
/// with JSON header and claims (an opaque token, a JWE).
pub fn decode_jwt(token: &str) -> Option<DecodedJwt> {
    LoggedJwt::of(token)?.decode()
}

/// The client an `Authorization: Basic` header names (RFC 6749 2.3.1: form-encoded id).
pub fn basic_client_id(authorization: &str) -> Option<String> {
    let (scheme, credentials) = authorization.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD.decode(credentials.trim()).ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (id, _secret) = decoded.split_once(':')?;
    url::form_urlencoded::parse(format!("id={id}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
}

/// The scheme of an `Authorization` header (`Basic`, `Bearer`, ...), never its credentials.
pub fn scheme(authorization: &str) -> String {
    authorization
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .chars()
        .take(32)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Param;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use serde_json::json;

    const SECRET_VALUE: &str = "s3cr3t-VALUE";

    fn params(encoded: &[u8]) -> Vec<Param> {
        let mut out = String::new();
        encoded_into(encoded, &mut out, |_, _| {});
        Param::all_of(&out)
    }

    #[test]
    fn every_secret_parameter_is_redacted() {
        for name in SECRETS {
            let form = format!("client_id=app&{name}={SECRET_VALUE}&scope=openid");
            let logged = params(form.as_bytes());
            let value = |n: &str| {
                logged
                    .iter()
                    .find(|p| p.name == n)
                    .map(|p| p.value.clone())
                    .unwrap()
            };
            assert_eq!(value(name), REDACTED, "{name}");
            assert_eq!(value("client_id"), "app");
            assert_eq!(value("scope"), "openid");
            assert!(
                !format!("{logged:?}").contains(SECRET_VALUE),
                "{name} survived: {logged:?}"
            );
        }
    }

    #[test]
    fn names_that_speak_of_secrets_are_redacted_and_others_kept() {
        for name in [
            "CLIENT_SECRET",
            "new_password",
            "custom_token",
            "my_secret_x",
        ] {
            assert!(is_secret(name), "{name}");
        }
        for name in [
            "client_id",
            "scope",
            "state",
            "nonce",
            "redirect_uri",
            "login_hint",
            "token_type_hint",
            "grant_type",
            "code_challenge",
            "code_challenge_method",
            "response_type",
            "request_uri",
        ] {
            assert!(!is_secret(name), "{name}");
        }
    }

    #[test]
    fn parameters_keep_their_order_and_repeats() {
        let logged = params(b"b=1&a=2&b=3&code=x");
        let pairs: Vec<(&str, &str)> = logged
            .iter()
            .map(|p| (p.name.as_str(), p.value.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [("b", "1"), ("a", "2"), ("b", "3"), ("code", REDACTED)]
        );
    }

    #[test]
    fn encoded_text_is_copied_as_sent_but_for_secret_values() {
        let mut out = String::new();
        let mut seen = Vec::new();
        let query =
            b"redirect_uri=https%3A%2F%2Frp%2Fcb&&scope=openid+mitid&client%5Fsecret=s3cr3t&flag";
        encoded_into(query, &mut out, |n, pair| {
            seen.push(format!("{n}={}", value_of(pair)))
        });
        // A name spelt with escapes is still recognised; the rest is copied byte for byte.
        assert_eq!(
            out,
            "redirect_uri=https%3A%2F%2Frp%2Fcb&scope=openid+mitid&client%5Fsecret=[redacted]&flag"
        );
        // The form body's parameters follow the query's.
        encoded_into(b"code=abc&state=%C3%A6&=x", &mut out, |n, pair| {
            seen.push(format!("{n}={}", value_of(pair)))
        });
        assert!(
            out.ends_with("&flag&code=[redacted]&state=%C3%A6&=x"),
            "{out}"
        );
        assert_eq!(
            seen,
            [
                "redirect_uri=https://rp/cb",
                "scope=openid mitid",
                "client_secret=s3cr3t",
                "flag=",
                "code=abc",
                "state=æ",
                "=x"
            ]
        );
        let decoded: Vec<(String, String)> = Param::all_of(&out)
            .into_iter()
            .map(|p| (p.name, p.value))
            .collect();
        assert_eq!(decoded[0], ("redirect_uri".into(), "https://rp/cb".into()));
        assert_eq!(decoded[2], ("client_secret".into(), REDACTED.into()));
        assert_eq!(decoded[5], ("state".into(), "æ".into()));
        // Bytes that are not UTF-8 do not break the text.
        let mut odd = String::new();
        encoded_into(b"a=\xff\xfe&b=1", &mut odd, |_, _| {});
        assert_eq!(Param::all_of(&odd).len(), 2);
    }

    #[test]
    fn a_redirect_loses_its_code_and_tokens_in_query_and_fragment() {
        let url = format!(
            "https://rp.example/cb?code={SECRET_VALUE}&state=xyz&iss=https%3A%2F%2Fop#access_token={SECRET_VALUE}&id_token={SECRET_VALUE}&token_type=Bearer"
        );
        let redacted = location_and_error(&url).0;
        assert!(!redacted.contains(SECRET_VALUE), "{redacted}");
        assert!(redacted.starts_with("https://rp.example/cb?code=%5Bredacted%5D&state=xyz"));
        assert!(redacted.contains("#access_token=%5Bredacted%5D"));
        assert!(redacted.contains("token_type=Bearer"));

        let (_, error, description) = location_and_error(
            "https://rp.example/cb?error=access_denied&error_description=no%20way&state=1",
        );
        assert_eq!(error.as_deref(), Some("access_denied"));
        assert_eq!(description.as_deref(), Some("no way"));
        let (redacted, error, _) = location_and_error("https://rp.example/cb#error=login_required");
        assert_eq!(error.as_deref(), Some("login_required"));
        assert_eq!(redacted, "https://rp.example/cb#error=login_required");
        assert_eq!(
            location_and_error("https://rp.example/cb"),
            ("https://rp.example/cb".to_string(), None, None)
        );
    }

    #[test]
    fn a_json_answer_loses_its_tokens_at_any_depth() {
        let answer = json!({
            "access_token": SECRET_VALUE,
            "refresh_token": SECRET_VALUE,
            "id_token": SECRET_VALUE,
            "token_type": "Bearer",
            "expires_in": 3600,
            "nested": [{"client_secret": SECRET_VALUE, "client_id": "app"}],
            "registration_access_token": SECRET_VALUE,
        });
        let redacted = json(answer);
        assert!(!redacted.to_string().contains(SECRET_VALUE), "{redacted}");
        assert_eq!(redacted["token_type"], "Bearer");
        assert_eq!(redacted["expires_in"], 3600);
        assert_eq!(redacted["nested"][0]["client_id"], "app");
        assert_eq!(redacted["access_token"], REDACTED);
    }

    #[test]
    fn an_object_is_redacted_as_text_as_the_tree_would_be() {
        for answer in [
            json!({"access_token": SECRET_VALUE, "id_token": SECRET_VALUE, "token_type": "Bearer",
                   "expires_in": 600, "scope": "openid profile", "refresh_token": null}),
            json!({"sub": "s", "address": {"street": "Vej 1", "client_secret": SECRET_VALUE},
                   "amr": ["code_app", {"password": SECRET_VALUE}], "name": "Ånne \"Q\"\n",
                   "n": 1.5, "t": true, "z": null}),
            json!({"error": "invalid_grant", "error_description": "the code was used"}),
            json!({}),
        ] {
            let bytes = answer.to_string().into_bytes();
            let redacted = RedactedObject::of(&bytes).unwrap();
            assert!(
                !redacted.text.get().contains(SECRET_VALUE),
                "{}",
                redacted.text
            );
            assert_eq!(redacted.text.get(), json(answer.clone()).to_string());
        }
        // Its members as answered, unescaped where need be.
        let bytes = br#"{"id_token":"a.b.c","error":"x\"y","n":1}"#;
        let redacted = RedactedObject::of(bytes).unwrap();
        assert!(matches!(
            redacted.string("id_token"),
            Some(Cow::Borrowed("a.b.c"))
        ));
        assert_eq!(redacted.string("error").as_deref(), Some("x\"y"));
        assert_eq!(redacted.string("n"), None);
        assert_eq!(redacted.string("missing"), None);
        // Not an object, or a name to unescape: the tree does it.
        assert!(RedactedObject::of(b"[1,2]").is_none());
        assert!(RedactedObject::of(br#"{"client\u005fsecret":"x"}"#).is_none());
        assert!(RedactedObject::of(b"not json").is_none());
    }

    #[test]
    fn a_jwt_is_decoded_without_its_signature() {
        let part = |v: Value| URL_SAFE_NO_PAD.encode(v.to_string());
        let token = format!(
            "{}.{}.{}",
            part(json!({"alg": "RS256", "kid": "k1"})),
            part(json!({"sub": "anna", "nonce": "n"})),
            SECRET_VALUE
        );
        let decoded = decode_jwt(&token).unwrap();
        assert_eq!(decoded.header["kid"], "k1");
        assert_eq!(decoded.claims["sub"], "anna");
        assert!(!serde_json::to_string(&decoded)
            .unwrap()
            .contains(SECRET_VALUE));
        assert!(decode_jwt("opaque-token").is_none());
        assert!(decode_jwt("a.b.c.d.e").is_none(), "a JWE is not decoded");
        assert!(decode_jwt(&format!("{}.bm90IGpzb24.x", part(json!({})))).is_none());
    }

    #[test]
    fn a_logged_jwt_is_kept_unsigned_stored_as_such_and_read_in_either_form() {
        let part = |v: Value| URL_SAFE_NO_PAD.encode(v.to_string());
        let (header, claims) = (part(json!({"alg": "RS256"})), part(json!({"sub": "anna"})));
        let logged = LoggedJwt::of(&format!("{header}.{claims}.{SECRET_VALUE}")).unwrap();
        // Stored as the two unsigned segments: never the signature, no decoding on the way.
        let stored = serde_json::to_string(&logged).unwrap();
        assert_eq!(stored, format!("\"{header}.{claims}\""));
        let read: LoggedJwt = serde_json::from_str(&stored).unwrap();
        assert_eq!(read.decode().unwrap().claims["sub"], "anna");
        // Listed decoded; an entry stored decoded (the earlier form) reads as it was.
        let decoded = read.decoded().unwrap();
        let shown = serde_json::to_value(&decoded).unwrap();
        assert_eq!(shown["claims"]["sub"], "anna");
        assert_eq!(shown["header"]["alg"], "RS256");
        let earlier: LoggedJwt = serde_json::from_value(shown).unwrap();
        assert_eq!(earlier, decoded);
        assert!(LoggedJwt::of("opaque").is_none());
        assert!(LoggedJwt::of("a.b.c.d.e").is_none());
        assert!(LoggedJwt::of("a.bm90IGpzb24.c")
            .unwrap()
            .decoded()
            .is_none());
    }

    #[test]
    fn basic_credentials_give_the_client_and_never_the_secret() {
        let header = format!(
            "Basic {}",
            STANDARD.encode(format!("my%20app:{SECRET_VALUE}"))
        );
        assert_eq!(basic_client_id(&header).as_deref(), Some("my app"));
        assert_eq!(scheme(&header), "Basic");
        assert!(!scheme(&header).contains(SECRET_VALUE));
        assert_eq!(scheme(&format!("Bearer {SECRET_VALUE}")), "Bearer");
        assert_eq!(basic_client_id("Bearer abc"), None);
        assert_eq!(basic_client_id("Basic !!!"), None);
    }
}
