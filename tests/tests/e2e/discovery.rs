use crate::support::*;
use broker::host::TestHost;
use serde_json::Value;

async fn get_json(url: &str) -> (reqwest::StatusCode, Value) {
    let r = reqwest::get(url).await.unwrap();
    (r.status(), r.json().await.unwrap())
}

#[tokio::test]
async fn discovery_issuer_is_exact_and_lists_every_endpoint() {
    let rp = Rp::start().await;
    let (status, doc) = get_json(&rp.url("/.well-known/openid-configuration")).await;
    assert_eq!(status, 200);
    assert_eq!(doc["issuer"], rp.issuer());
    for endpoint in [
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
        "end_session_endpoint",
        "revocation_endpoint",
        "introspection_endpoint",
        "registration_endpoint",
    ] {
        let url = doc[endpoint]
            .as_str()
            .unwrap_or_else(|| panic!("{endpoint} missing"));
        assert!(url.starts_with(rp.issuer()), "{endpoint} = {url}");
        // Each advertised endpoint exists (never the router's 404).
        let r = reqwest::Client::new().get(url).send().await.unwrap();
        assert_ne!(r.status(), 404, "{endpoint} {url} is not routed");
    }
    let response_types = doc["response_types_supported"].as_array().unwrap();
    assert_eq!(response_types[0], "code");
    assert!(response_types.contains(&serde_json::json!("code id_token token")));
    assert_eq!(
        doc["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(doc["authorization_response_iss_parameter_supported"], true);
    let algs = doc["id_token_signing_alg_values_supported"]
        .as_array()
        .unwrap();
    assert!(algs.contains(&Value::from("RS256")));
    let acr = doc["acr_values_supported"].as_array().unwrap();
    for level in ["Low", "Substantial", "High"] {
        assert!(acr.contains(&Value::from(format!(
            "https://data.gov.dk/concept/core/nsis/{level}"
        ))));
    }
    let methods = doc["token_endpoint_auth_methods_supported"]
        .as_array()
        .unwrap();
    assert!(methods.contains(&Value::from("client_secret_basic")));
    assert!(methods.contains(&Value::from("client_secret_post")));
    let scopes = doc["scopes_supported"].as_array().unwrap();
    assert!(scopes.contains(&Value::from("openid")));
    assert!(doc["claims_supported"]
        .as_array()
        .unwrap()
        .contains(&Value::from("sub")));
    assert!(doc["grant_types_supported"]
        .as_array()
        .unwrap()
        .contains(&Value::from("refresh_token")));
    assert!(doc["subject_types_supported"]
        .as_array()
        .unwrap()
        .contains(&Value::from("public")));
}

#[tokio::test]
async fn jwks_has_public_keys_only_with_thumbprint_kids() {
    let rp = Rp::start().await;
    let (status, jwks) = get_json(&rp.url("/jwks")).await;
    assert_eq!(status, 200);
    let keys: keys::Jwks = serde_json::from_value(jwks.clone()).unwrap();
    assert!(keys.keys.iter().any(|k| k.kty == "RSA"));
    for (raw, key) in jwks["keys"].as_array().unwrap().iter().zip(&keys.keys) {
        for private in ["d", "p", "q", "dp", "dq", "qi", "k"] {
            assert!(raw.get(private).is_none(), "JWKS publishes {private}");
        }
        assert_eq!(key.kid.as_ref().unwrap().as_str(), key.thumbprint());
        assert_eq!(raw["use"], "sig");
    }
}

#[tokio::test]
async fn issuer_is_independent_of_listen_address_and_may_have_a_path() {
    let host = TestHost::start_with(|c| c.issuer = Some("http://broker.test/op".into()))
        .await
        .unwrap();
    assert_eq!(host.issuer(), "http://broker.test/op");
    // Reach it by its socket address; its paths sit under the issuer's path.
    let base = host.control().base().replace("/_sim/v1", "");
    let (status, doc) = get_json(&format!("{base}/op/.well-known/openid-configuration")).await;
    assert_eq!(status, 200);
    assert_eq!(doc["issuer"], "http://broker.test/op");
    assert_eq!(doc["token_endpoint"], "http://broker.test/op/token");
    let jwks = reqwest::get(format!("{base}/op/jwks")).await.unwrap();
    assert_eq!(jwks.status(), 200);
}
