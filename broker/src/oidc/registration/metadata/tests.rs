use super::*;
use crate::oidc::registration::rules::check_sector_document;

fn parse_with(extra: Value) -> Result<Metadata, OAuthError> {
    let mut body = json!({ "redirect_uris": ["https://rp.example/cb"] });
    if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
        b.extend(e);
    }
    parse(&body)
}

fn code_of(r: Result<Metadata, OAuthError>) -> &'static str {
    r.err().map(|e| e.code.as_str()).unwrap_or("ok")
}

const RSA_JWK: &str = r#"{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB"}"#;

fn jwks() -> Value {
    json!({ "keys": [serde_json::from_str::<Value>(RSA_JWK).unwrap()] })
}

#[test]
fn defaults_follow_rfc7591_and_oidc_registration() {
    let m = parse_with(json!({})).unwrap();
    assert_eq!(m.response_types, ["code"]);
    assert_eq!(m.grant_types, ["authorization_code"]);
    assert_eq!(m.token_endpoint_auth_method, AuthMethod::ClientSecretBasic);
    assert_eq!(m.id_token_signed_response_alg, Alg::RS256);
    assert_eq!(m.application_type, "web");
    assert_eq!(m.subject_type, SubjectType::Public);
}

#[test]
fn redirect_uris_are_required_and_non_empty() {
    assert_eq!(code_of(parse(&json!({}))), "invalid_redirect_uri");
    assert_eq!(
        code_of(parse(&json!({ "redirect_uris": [] }))),
        "invalid_redirect_uri"
    );
    assert_eq!(
        code_of(parse(&json!({ "redirect_uris": "https://rp.example/cb" }))),
        "invalid_redirect_uri"
    );
}

#[test]
fn redirect_uris_must_be_absolute_without_fragment() {
    for uri in ["/cb", "rp.example/cb", "https://rp.example/cb#x"] {
        assert_eq!(
            code_of(parse(&json!({ "redirect_uris": [uri] }))),
            "invalid_redirect_uri",
            "{uri}"
        );
    }
}

#[test]
fn http_redirects_only_to_loopback() {
    assert!(check_redirect_uri("http://localhost:3000/cb", false, false).is_ok());
    assert!(check_redirect_uri("http://127.0.0.1/cb", false, false).is_ok());
    assert!(check_redirect_uri("http://rp.example/cb", false, false).is_err());
    assert!(check_redirect_uri("https://rp.example/cb", false, false).is_ok());
}

#[test]
fn custom_schemes_only_for_native_clients() {
    assert!(check_redirect_uri("com.example.app:/cb", true, false).is_ok());
    assert!(check_redirect_uri("com.example.app:/cb", false, false).is_err());
}

#[test]
fn implicit_web_clients_need_https_not_localhost() {
    assert!(check_redirect_uri("http://localhost/cb", false, true).is_err());
    assert!(check_redirect_uri("https://localhost/cb", false, true).is_err());
    assert!(check_redirect_uri("https://rp.example/cb", false, true).is_ok());
    assert!(check_redirect_uri("http://localhost/cb", true, true).is_ok());
}

#[test]
fn response_types_and_grant_types_must_agree() {
    let ok = json!({ "response_types": ["code id_token"], "grant_types": ["authorization_code", "implicit"] });
    assert_eq!(code_of(parse_with(ok)), "ok");
    let missing_implicit = json!({ "response_types": ["code id_token"] });
    assert_eq!(
        code_of(parse_with(missing_implicit)),
        "invalid_client_metadata"
    );
    let missing_code = json!({ "response_types": ["id_token"], "grant_types": ["authorization_code", "implicit"] });
    assert_eq!(code_of(parse_with(missing_code)), "invalid_client_metadata");
    let implicit_only =
        json!({ "response_types": ["id_token token"], "grant_types": ["implicit"] });
    assert_eq!(code_of(parse_with(implicit_only)), "ok");
}

#[test]
fn unknown_response_and_grant_types_are_refused() {
    assert_eq!(
        code_of(parse_with(json!({ "response_types": ["token code_x"] }))),
        "invalid_client_metadata"
    );
    assert_eq!(
        code_of(parse_with(
            json!({ "grant_types": ["authorization_code", "client_credentials"] })
        )),
        "invalid_client_metadata"
    );
}

#[test]
fn auth_method_must_be_supported() {
    assert_eq!(
        code_of(parse_with(
            json!({ "token_endpoint_auth_method": "tls_client_auth" })
        )),
        "invalid_client_metadata"
    );
    let m = parse_with(json!({ "token_endpoint_auth_method": "client_secret_jwt" })).unwrap();
    assert_eq!(m.token_endpoint_auth_method, AuthMethod::ClientSecretJwt);
}

#[test]
fn private_key_jwt_needs_keys() {
    assert_eq!(
        code_of(parse_with(
            json!({ "token_endpoint_auth_method": "private_key_jwt" })
        )),
        "invalid_client_metadata"
    );
    let m = parse_with(json!({ "token_endpoint_auth_method": "private_key_jwt", "jwks": jwks() }))
        .unwrap();
    assert_eq!(m.jose.jwks.unwrap().keys.len(), 1);
}

#[test]
fn signing_alg_must_suit_the_auth_method() {
    assert_eq!(
        code_of(parse_with(json!({
            "token_endpoint_auth_method": "client_secret_jwt",
            "token_endpoint_auth_signing_alg": "RS256"
        }))),
        "invalid_client_metadata"
    );
    assert_eq!(
        code_of(parse_with(json!({
            "token_endpoint_auth_method": "private_key_jwt",
            "token_endpoint_auth_signing_alg": "none",
            "jwks": jwks()
        }))),
        "invalid_client_metadata"
    );
}

#[test]
fn jwks_and_jwks_uri_are_exclusive() {
    assert_eq!(
        code_of(parse_with(
            json!({ "jwks": jwks(), "jwks_uri": "https://rp.example/jwks" })
        )),
        "invalid_client_metadata"
    );
}

#[test]
fn jwks_must_hold_public_keys() {
    let mut private = serde_json::from_str::<Value>(RSA_JWK).unwrap();
    private["d"] = json!("secret");
    assert_eq!(
        code_of(parse_with(json!({ "jwks": { "keys": [private] } }))),
        "invalid_client_metadata"
    );
    assert_eq!(
        code_of(parse_with(json!({ "jwks": { "keys": [] } }))),
        "invalid_client_metadata"
    );
    assert_eq!(
        code_of(parse_with(
            json!({ "jwks": { "keys": [{"kty": "oct", "k": "x"}] } })
        )),
        "invalid_client_metadata"
    );
}

#[test]
fn jwks_uri_must_be_https() {
    assert_eq!(
        code_of(parse_with(json!({ "jwks_uri": "http://rp.example/jwks" }))),
        "invalid_client_metadata"
    );
}

#[test]
fn id_token_alg_must_be_supported() {
    for alg in ["none", "HS256", "RS512"] {
        assert_eq!(
            code_of(parse_with(json!({ "id_token_signed_response_alg": alg }))),
            "invalid_client_metadata",
            "{alg}"
        );
    }
    let m = parse_with(json!({ "id_token_signed_response_alg": "ES256" })).unwrap();
    assert_eq!(m.id_token_signed_response_alg, Alg::ES256);
}

#[test]
fn request_object_alg_needs_keys_unless_none() {
    assert_eq!(
        code_of(parse_with(json!({ "request_object_signing_alg": "RS256" }))),
        "invalid_client_metadata"
    );
    assert_eq!(
        code_of(parse_with(json!({ "request_object_signing_alg": "none" }))),
        "ok"
    );
    assert_eq!(
        code_of(parse_with(json!({ "request_object_signing_alg": "HS512" }))),
        "invalid_client_metadata"
    );
}

#[test]
fn a_userinfo_signing_alg_is_kept_and_echoed_and_an_unknown_one_refused() {
    let m = parse_with(json!({ "userinfo_signed_response_alg": "ES256" })).unwrap();
    assert_eq!(m.jose.userinfo_signed_response_alg, Some(Alg::ES256));
    assert_eq!(m.to_json()["userinfo_signed_response_alg"], "ES256");
    let plain = parse_with(json!({})).unwrap();
    assert_eq!(plain.jose.userinfo_signed_response_alg, None);
    assert!(plain
        .to_json()
        .get("userinfo_signed_response_alg")
        .is_none());
    for alg in ["none", "HS256", "rs256"] {
        assert_eq!(
            code_of(parse_with(json!({ "userinfo_signed_response_alg": alg }))),
            "invalid_client_metadata",
            "{alg}"
        );
    }
}

#[test]
fn request_defaults_are_checked_kept_and_echoed() {
    let high = Level::High.uri();
    let m = parse_with(json!({
        "default_max_age": 300,
        "default_acr_values": [high],
        "require_auth_time": true
    }))
    .unwrap();
    assert_eq!(m.defaults.default_max_age, Some(300));
    assert_eq!(m.defaults.default_acr_values, vec![high.to_string()]);
    assert!(m.defaults.require_auth_time);
    let echoed = m.to_json();
    assert_eq!(echoed["default_max_age"], 300);
    assert_eq!(echoed["default_acr_values"], json!([high]));
    assert_eq!(echoed["require_auth_time"], true);
    let plain = parse_with(json!({})).unwrap();
    assert_eq!(plain.defaults, ClientDefaults::default());
    assert!(plain.to_json().get("default_max_age").is_none());
    for bad in [
        json!({ "default_max_age": -1 }),
        json!({ "default_max_age": "60" }),
        json!({ "default_max_age": 1.5 }),
        json!({ "default_acr_values": ["urn:example:gold"] }),
        json!({ "default_acr_values": high }),
        json!({ "require_auth_time": "yes" }),
    ] {
        assert_eq!(
            code_of(parse_with(bad.clone())),
            "invalid_client_metadata",
            "{bad}"
        );
    }
}

#[test]
fn unsupported_encryption_is_refused_not_ignored() {
    assert_eq!(
        code_of(parse_with(
            json!({ "id_token_encrypted_response_alg": "RSA-OAEP" })
        )),
        "invalid_client_metadata"
    );
}

#[test]
fn wrong_json_types_are_invalid_metadata() {
    assert_eq!(
        code_of(parse_with(json!({ "client_name": 5 }))),
        "invalid_client_metadata"
    );
    assert_eq!(
        code_of(parse_with(json!({ "contacts": "a@example.dk" }))),
        "invalid_client_metadata"
    );
    assert_eq!(
        code_of(parse_with(
            json!({ "backchannel_logout_session_required": "yes" })
        )),
        "invalid_client_metadata"
    );
    assert_eq!(code_of(parse(&json!(["x"]))), "invalid_client_metadata");
}

#[test]
fn pairwise_across_hosts_needs_a_sector_identifier() {
    let two_hosts = json!({
        "subject_type": "pairwise",
        "redirect_uris": ["https://a.example/cb", "https://b.example/cb"]
    });
    assert_eq!(code_of(parse(&two_hosts)), "invalid_client_metadata");
    let mut with_sector = two_hosts.clone();
    with_sector["sector_identifier_uri"] = json!("https://a.example/sector.json");
    assert_eq!(code_of(parse(&with_sector)), "ok");
}

#[test]
fn sector_document_must_list_every_redirect_uri() {
    let uris = vec!["https://a.example/cb".to_string()];
    assert_eq!(
        check_sector_document(
            "https://s.example/s.json",
            br#"["https://a.example/cb"]"#,
            &uris
        )
        .unwrap(),
        "s.example"
    );
    assert!(check_sector_document("https://s.example/s.json", b"[]", &uris).is_err());
    assert!(check_sector_document("https://s.example/s.json", b"{}", &uris).is_err());
}

#[test]
fn other_uris_must_be_absolute() {
    assert_eq!(
        code_of(parse_with(json!({ "logo_uri": "logo.png" }))),
        "invalid_client_metadata"
    );
    assert_eq!(
        code_of(parse_with(json!({ "post_logout_redirect_uris": ["/bye"] }))),
        "invalid_client_metadata"
    );
    assert_eq!(
        code_of(parse_with(
            json!({ "backchannel_logout_uri": "http://rp.example/bc" })
        )),
        "invalid_client_metadata"
    );
}

#[test]
fn a_frontchannel_logout_uri_shares_a_redirect_uris_origin() {
    let m = parse_with(json!({
        "frontchannel_logout_uri": "https://rp.example/fc",
        "frontchannel_logout_session_required": true
    }))
    .unwrap();
    assert_eq!(
        m.frontchannel_logout_uri.as_deref(),
        Some("https://rp.example/fc")
    );
    assert!(m.frontchannel_logout_session_required);
    assert_eq!(
        m.to_json()["frontchannel_logout_session_required"],
        json!(true)
    );
    assert_eq!(
        code_of(parse_with(
            json!({ "frontchannel_logout_uri": "https://other.example/fc" })
        )),
        "invalid_client_metadata"
    );
    assert_eq!(
        code_of(parse_with(
            json!({ "frontchannel_logout_session_required": "yes" })
        )),
        "invalid_client_metadata"
    );
}

#[test]
fn echo_keeps_registered_values_and_drops_unknown_ones() {
    let m = parse_with(json!({
        "client_name": "RP",
        "contacts": ["ops@rp.example"],
        "made_up": 1
    }))
    .unwrap();
    let out = m.to_json();
    assert_eq!(out["client_name"], "RP");
    assert_eq!(out["contacts"], json!(["ops@rp.example"]));
    assert!(!out.contains_key("made_up"));
}

fn control_with(extra: Value) -> Result<Metadata, OAuthError> {
    let mut body = json!({ "redirect_uris": ["http://rp.test:3000/cb"] });
    if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
        b.extend(e);
    }
    parse_for(&body, Door::ControlApi)
}

#[test]
fn the_control_api_takes_any_absolute_redirect_uri_registration_does_not() {
    let body = json!({ "redirect_uris": ["http://rp.test:3000/cb"] });
    assert_eq!(code_of(parse(&body)), "invalid_redirect_uri");
    assert_eq!(code_of(parse_for(&body, Door::ControlApi)), "ok");
    assert_eq!(
        code_of(parse_for(
            &json!({ "redirect_uris": ["http://rp.test/cb#frag"] }),
            Door::ControlApi
        )),
        "invalid_redirect_uri"
    );
    assert_eq!(
        code_of(control_with(
            json!({ "backchannel_logout_uri": "http://rp.test:3000/bc" })
        )),
        "ok"
    );
    assert_eq!(
        code_of(parse_with(
            json!({ "backchannel_logout_uri": "http://rp.test:3000/bc" })
        )),
        "invalid_client_metadata"
    );
}

#[test]
fn the_control_api_implies_grant_types_and_names_the_client_with_name() {
    let m = control_with(json!({
        "name": "Test RP",
        "client_name": "ignored",
        "response_types": ["code id_token", "id_token"],
        "logo_uri": "https://rp.test/logo.png",
    }))
    .unwrap();
    assert_eq!(m.client_name, "Test RP");
    assert_eq!(m.grant_types, ["authorization_code", "implicit"]);
    assert!(m.info.is_empty());
    assert_eq!(
        code_of(control_with(json!({ "response_types": [] }))),
        "invalid_client_metadata"
    );
    assert_eq!(
        code_of(control_with(json!({ "response_types": ["token"] }))),
        "invalid_client_metadata"
    );
}

#[test]
fn both_doors_keep_the_same_key_algorithm_and_default_rules() {
    for bad in [
        json!({ "token_endpoint_auth_method": "private_key_jwt" }),
        json!({ "jwks": { "keys": [{ "kty": "oct", "k": "c2VjcmV0" }] } }),
        json!({ "userinfo_signed_response_alg": "none" }),
        json!({ "default_max_age": -1 }),
        json!({ "default_acr_values": ["urn:example:gold"] }),
        json!({ "request_object_signing_alg": "RS256" }),
    ] {
        assert_eq!(
            code_of(parse_with(bad.clone())),
            "invalid_client_metadata",
            "{bad}"
        );
        assert_eq!(
            code_of(control_with(bad.clone())),
            "invalid_client_metadata",
            "{bad}"
        );
    }
}

#[test]
fn a_secret_is_given_or_made_and_only_methods_with_secrets_get_one() {
    let given = Secret::new(AuthMethod::ClientSecretPost, Some("s3cret".into())).unwrap();
    assert_eq!(given.hash, Some(secrets::hash("s3cret")));
    assert!(given.shown.is_none() && given.jwt_secret.is_none());
    let made = Secret::new(AuthMethod::ClientSecretBasic, None).unwrap();
    assert_eq!(made.hash, made.shown.as_deref().map(secrets::hash));
    let jwt = Secret::new(AuthMethod::ClientSecretJwt, Some("k".into())).unwrap();
    assert_eq!(jwt.jwt_secret.as_deref(), Some("k"));
    assert!(Secret::new(AuthMethod::PrivateKeyJwt, Some("x".into())).is_err());
    assert!(Secret::new(AuthMethod::None, None).unwrap().hash.is_none());
}

#[test]
fn script_and_local_schemes_are_never_accepted_by_either_door() {
    for door in [Door::Registration, Door::ControlApi] {
        let with = |extra: Value| {
            let mut body = json!({ "redirect_uris": ["http://localhost:3000/cb"] });
            if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
                b.extend(e);
            }
            parse_for(&body, door)
        };
        for bad in [
            json!({ "post_logout_redirect_uris": ["javascript://x/%0Aalert(1)"] }),
            json!({ "post_logout_redirect_uris": ["data:text/html,<script>alert(1)</script>"] }),
            json!({ "post_logout_redirect_uris": ["file:///etc/passwd"] }),
            json!({ "redirect_uris": ["javascript://x/%0Aalert(1)"] }),
            json!({ "redirect_uris": ["vbscript://x/msgbox"] }),
            json!({ "frontchannel_logout_uri": "javascript://localhost:3000/%0Aalert(1)" }),
        ] {
            assert_ne!(code_of(with(bad.clone())), "ok", "{door:?} {bad}");
        }
    }
    // A native client may still use its own scheme, never a script one.
    let native =
        |uri: &str| parse(&json!({ "redirect_uris": [uri], "application_type": "native" }));
    assert_eq!(code_of(native("com.example.app:/callback")), "ok");
    assert_eq!(
        code_of(native("javascript://x/%0Aalert(1)")),
        "invalid_redirect_uri"
    );
    assert_eq!(code_of(native("data://x/y")), "invalid_redirect_uri");
}
