use crate::support::*;
use serde_json::{json, Value};

#[tokio::test]
async fn identities_can_be_created_read_updated_and_deleted() {
    let rp = Rp::start().await;
    let c = rp.host.control();
    let created = c
        .post(
            "/identities",
            &json!({"user_id": "eva", "given_name": "Eva", "family_name": "Ny"}),
        )
        .await
        .unwrap();
    assert_eq!(created.status, 201);
    let id = created.body["id"].as_str().unwrap().to_string();
    assert_eq!(
        c.get(&format!("/identities/{id}")).await.unwrap().body["user_id"],
        "eva"
    );

    let duplicate = c
        .post(
            "/identities",
            &json!({"user_id": "eva", "given_name": "Eva"}),
        )
        .await
        .unwrap();
    assert_eq!(duplicate.status, 409);
    let nameless = c
        .post("/identities", &json!({"user_id": "x"}))
        .await
        .unwrap();
    assert_eq!(nameless.status, 400);

    let patched = c
        .patch(
            "/identities/eva",
            &json!({"family_name": "Ændret", "email": "eva@example.test"}),
        )
        .await
        .unwrap();
    assert_eq!(patched.status, 200);
    assert_eq!(patched.body["family_name"], "Ændret");
    assert_eq!(patched.body["id"], id);

    assert_eq!(c.delete("/identities/eva").await.unwrap().status, 204);
    assert_eq!(c.get("/identities/eva").await.unwrap().status, 404);
    let all = c.get("/identities").await.unwrap();
    assert!(all
        .body
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["user_id"] == "anna"));
}

#[tokio::test]
async fn clients_show_a_generated_secret_once_and_never_store_it_in_clear() {
    let rp = Rp::start_auto().await;
    let c = rp.host.control();
    let created = c
        .post(
            "/clients",
            &json!({"client_id": "gen", "redirect_uris": [REDIRECT_URI]}),
        )
        .await
        .unwrap();
    assert_eq!(created.status, 201);
    let secret = created.body["client_secret"].as_str().unwrap().to_string();
    let shown = c.get("/clients/gen").await.unwrap();
    assert!(shown.body.get("client_secret").is_none());
    assert!(shown.body.get("secret_hash").is_none());
    assert!(!c
        .get("/clients")
        .await
        .unwrap()
        .body
        .to_string()
        .contains(&secret));

    let pkce = Pkce::new();
    let code = rp.code(&pkce, &[("client_id", "gen")]).await;
    let r = rp.exchange_as("gen", &secret, &code, &pkce).await;
    assert_eq!(r.status(), 200);

    let bad = c
        .post(
            "/clients",
            &json!({"client_id": "bad", "redirect_uris": ["https://x.example/cb#frag"]}),
        )
        .await
        .unwrap();
    assert_eq!(bad.status, 400);
    assert_eq!(c.delete("/clients/gen").await.unwrap().status, 204);
    assert_eq!(c.delete("/clients/gen").await.unwrap().status, 404);
}

#[tokio::test]
async fn control_clients_take_signed_userinfo_and_request_defaults_by_the_registration_rules() {
    let rp = Rp::start_auto().await;
    let c = rp.host.control();
    let high = "https://data.gov.dk/concept/core/nsis/High";
    let created = c
        .post(
            "/clients",
            &json!({
                "client_id": "tuned", "redirect_uris": [REDIRECT_URI],
                "userinfo_signed_response_alg": "ES256",
                "default_max_age": 300, "default_acr_values": [high]
            }),
        )
        .await
        .unwrap();
    assert_eq!(created.status, 201, "{}", created.body);
    let shown = c.get("/clients/tuned").await.unwrap().body;
    assert_eq!(shown["userinfo_signed_response_alg"], "ES256");
    assert_eq!(shown["default_max_age"], 300);
    assert_eq!(shown["default_acr_values"], json!([high]));
    for bad in [
        json!({"userinfo_signed_response_alg": "none"}),
        json!({"default_max_age": -1}),
        json!({"default_acr_values": ["urn:example:gold"]}),
    ] {
        let mut body = json!({"client_id": "bad", "redirect_uris": [REDIRECT_URI]});
        body.as_object_mut()
            .unwrap()
            .extend(bad.as_object().unwrap().clone());
        let refused = c.post("/clients", &body).await.unwrap();
        assert_eq!(refused.status, 400, "{bad}: {}", refused.body);
    }
    assert_eq!(c.get("/clients/bad").await.unwrap().status, 404);
}

#[tokio::test]
async fn control_clients_refuse_unknown_fields_and_what_registration_refuses() {
    let rp = Rp::start_auto().await;
    let c = rp.host.control();
    for (bad, says) in [
        (json!({"colour": "blue"}), "unknown field `colour`"),
        (
            json!({"token_endpoint_auth_method": "none", "client_secret": "x"}),
            "has no secret",
        ),
        (
            json!({"response_types": ["code token"], "jwks_uri": "ftp://x"}),
            "jwks_uri",
        ),
    ] {
        let mut body = json!({"client_id": "bad", "redirect_uris": [REDIRECT_URI]});
        body.as_object_mut()
            .unwrap()
            .extend(bad.as_object().unwrap().clone());
        let refused = c.post("/clients", &body).await.unwrap();
        assert_eq!(refused.status, 400, "{bad}: {}", refused.body);
        assert!(
            refused.body["message"].as_str().unwrap().contains(says),
            "{bad}: {}",
            refused.body
        );
    }
    assert_eq!(c.get("/clients/bad").await.unwrap().status, 404);
}

#[tokio::test]
async fn clock_reads_and_advances() {
    let rp = Rp::start().await;
    let c = rp.host.control();
    let before = c.get("/clock").await.unwrap().body;
    assert_eq!(before["controllable"], true);
    let after = c
        .post("/clock/advance", &json!({"seconds": 90}))
        .await
        .unwrap();
    assert_eq!(
        after.body["now"].as_i64().unwrap(),
        before["now"].as_i64().unwrap() + 90
    );
    let bad = c
        .post("/clock/advance", &json!({"seconds": -5}))
        .await
        .unwrap();
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn key_rotation_signs_with_the_new_key_at_once_and_keeps_the_old_published() {
    let rp = Rp::start_auto().await;
    let old = claims_header_kid(&rp.login(&[]).await);
    let rotated = rp
        .host
        .control()
        .post("/keys/rotate", &json!({}))
        .await
        .unwrap();
    assert_eq!(rotated.status, 200);
    let new_kid = rotated.body["kid"].as_str().unwrap().to_string();
    assert_ne!(new_kid, old);
    assert_eq!(claims_header_kid(&rp.login(&[]).await), new_kid);
    let jwks: Value = reqwest::get(rp.url("/jwks"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(kids[0], new_kid, "newest first");
    assert!(kids.contains(&old.as_str()), "old key still published");

    // Removing the retired key stops publishing it; the active one cannot be removed.
    assert_eq!(
        rp.host
            .control()
            .delete(&format!("/keys/{new_kid}"))
            .await
            .unwrap()
            .status,
        409
    );
    assert_eq!(
        rp.host
            .control()
            .delete(&format!("/keys/{old}"))
            .await
            .unwrap()
            .status,
        204
    );
    let jwks: Value = reqwest::get(rp.url("/jwks"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!jwks.to_string().contains(&old));
}

fn claims_header_kid(tokens: &Value) -> String {
    keys::decode_unverified_header(tokens["id_token"].as_str().unwrap())
        .unwrap()
        .kid
        .unwrap()
}

#[tokio::test]
async fn reset_clears_logins_and_sessions_but_keeps_identities_and_clients() {
    let rp = Rp::start().await;
    let c = rp.host.control();
    c.post(
        "/identities",
        &json!({"user_id": "kept", "given_name": "Kept"}),
    )
    .await
    .unwrap();
    c.post(
        "/decisions",
        &json!({"outcome": "approve", "client_id": "nobody"}),
    )
    .await
    .unwrap();
    let r = rp.authorize(&Pkce::new(), &[]).await;
    assert!(redirect_to(&r).path().starts_with("/login/"));
    assert_eq!(
        c.get("/logins")
            .await
            .unwrap()
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );

    assert_eq!(c.post("/reset", &json!({})).await.unwrap().status, 200);
    assert!(c
        .get("/logins")
        .await
        .unwrap()
        .body
        .as_array()
        .unwrap()
        .is_empty());
    assert!(c
        .get("/decisions")
        .await
        .unwrap()
        .body
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(c.get("/identities/kept").await.unwrap().status, 200);
    assert_eq!(
        c.get(&format!("/clients/{CLIENT_ID}"))
            .await
            .unwrap()
            .status,
        200
    );
}

#[tokio::test]
async fn openapi_documents_every_control_route_and_each_is_routed() {
    let rp = Rp::start().await;
    let c = rp.host.control();
    let doc = c.get("/openapi.json").await.unwrap().body;
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    let http = reqwest::Client::new();
    let base = c.base().trim_end_matches("/_sim/v1").to_string();
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let url = format!(
                "{base}{}",
                path.replace("{id}", "nobody").replace("{kid}", "nokid")
            );
            let request = match method.as_str() {
                "get" => http.get(&url),
                "post" => http.post(&url).json(&json!({})),
                "patch" => http.patch(&url).json(&json!({})),
                "delete" => http.delete(&url),
                other => panic!("unexpected method {other}"),
            };
            let r = request.send().await.unwrap();
            assert_ne!(
                r.status(),
                405,
                "{method} {path} is documented but not routed"
            );
            if r.status() == 404 {
                let body: Value = r.json().await.unwrap_or(Value::Null);
                assert_eq!(
                    body["error"], "not_found",
                    "{method} {path} fell through to the router"
                );
            }
        }
    }
}

#[tokio::test]
async fn every_login_names_its_id_and_can_be_explained_afterwards() {
    let rp = Rp::start_auto().await;
    let r = rp.authorize(&Pkce::new(), &[("login_hint", "bo")]).await;
    let id = r.headers()["x-sim-login-id"].to_str().unwrap().to_string();
    assert!(query(&redirect_to(&r), "code").is_some());
    let explained = rp
        .host
        .control()
        .get(&format!("/logins/{id}/explain"))
        .await
        .unwrap();
    assert_eq!(explained.body["decided_by"]["source"], "login_hint");
    assert_eq!(explained.body["decided_by"]["user_id"], "bo");

    // A single sign-on answer is a login too, explained as such.
    let r = rp.authorize(&Pkce::new(), &[("login_hint", "bo")]).await;
    let sso = r.headers()["x-sim-login-id"].to_str().unwrap().to_string();
    let explained = rp
        .host
        .control()
        .get(&format!("/logins/{sso}/explain"))
        .await
        .unwrap();
    assert_eq!(explained.body["decided_by"]["source"], "existing_session");

    let all = rp
        .host
        .control()
        .get("/logins?status=all")
        .await
        .unwrap()
        .body;
    let ids: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [sso.as_str(), id.as_str()],
        "newest first, settled ones included"
    );
    assert!(
        all[0].get("csrf").is_none(),
        "the login page's CSRF token is never shown"
    );
    assert!(rp
        .host
        .control()
        .get("/logins")
        .await
        .unwrap()
        .body
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(
        rp.host
            .control()
            .get("/logins?status=bogus")
            .await
            .unwrap()
            .status,
        400
    );
}
