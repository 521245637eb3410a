//! The MitID claims of the standard profile: `idp`, `loa`, `ial`, `aal` and `amr` in the ID
//! token; the `mitid` and `ssn` scopes in userinfo, with their JSON types; name protection;
//! identities that may not log in.

use crate::support::*;
use serde_json::{json, Value};

const LOW: &str = "https://data.gov.dk/concept/core/nsis/Low";
const SUBSTANTIAL: &str = "https://data.gov.dk/concept/core/nsis/Substantial";
const HIGH: &str = "https://data.gov.dk/concept/core/nsis/High";

/// A headless login with `scope` and `extra`; returns the login id, the ID token's claims and
/// the userinfo response.
async fn login(rp: &Rp, scope: &str, extra: &[(&str, &str)]) -> (String, Value, Value) {
    let pkce = Pkce::new();
    let mut params = vec![("scope", scope), ("prompt", "login")];
    params.extend_from_slice(extra);
    let r = rp.authorize(&pkce, &params).await;
    let login_id = r.headers()["x-sim-login-id"].to_str().unwrap().to_string();
    let location = redirect_to(&r);
    let code =
        query(&location, "code").unwrap_or_else(|| panic!("expected a code, got {location}"));
    let tokens: Value = rp.exchange(&code, &pkce).await.json().await.unwrap();
    let id_token = claims(tokens["id_token"].as_str().unwrap());
    let userinfo: Value = reqwest::Client::new()
        .get(rp.url("/userinfo"))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (login_id, id_token, userinfo)
}

/// Whole years from `born` to the broker clock's date (UTC).
fn age_at(rp: &Rp, born: time::Date) -> i64 {
    let today = time::OffsetDateTime::from_unix_timestamp(rp.host.clock().now())
        .unwrap()
        .date();
    let mut age = i64::from(today.year() - born.year());
    if (today.month() as u8, today.day()) < (born.month() as u8, born.day()) {
        age -= 1;
    }
    age
}

#[tokio::test]
async fn mitid_and_ssn_scopes_give_typed_claims_in_userinfo() {
    let rp = Rp::start_auto().await;
    let (login_id, id_token, info) = login(&rp, "openid mitid ssn", &[]).await;
    assert_eq!(info["mitid.uuid"], "7b1d3c0e-5f1a-4b8e-9a57-3f2d1c4e6a01");
    assert_eq!(info["mitid.identity_name"], "Anna Testesen");
    assert_eq!(info["mitid.date_of_birth"], "1990-04-12");
    let born = time::Date::from_calendar_date(1990, time::Month::April, 12).unwrap();
    assert!(
        info["mitid.age"].is_u64(),
        "a number: {}",
        info["mitid.age"]
    );
    assert_eq!(info["mitid.age"].as_i64(), Some(age_at(&rp, born)));
    assert_eq!(info["mitid.has_cpr"], json!(true));
    assert_eq!(info["mitid.transaction_id"], login_id);
    assert_eq!(info["dk.cpr"], "7204901236");
    assert_eq!(info["sub"], id_token["sub"]);
    // The ID token carries no mitid.* identity claims (as the brokers do).
    assert!(id_token.get("mitid.uuid").is_none());
}

#[tokio::test]
async fn scopes_not_granted_release_no_mitid_claims() {
    let rp = Rp::start_auto().await;
    let (_, _, info) = login(&rp, "openid profile", &[]).await;
    assert!(info.get("mitid.uuid").is_none(), "{info}");
    assert!(info.get("dk.cpr").is_none(), "{info}");
}

#[tokio::test]
async fn a_foreign_resident_has_no_cpr() {
    let rp = Rp::start_auto().await;
    let (_, _, info) = login(&rp, "openid mitid ssn", &[("login_hint", "frank")]).await;
    assert_eq!(info["mitid.has_cpr"], json!(false));
    assert!(info.get("dk.cpr").is_none(), "{info}");
    assert_eq!(info["mitid.date_of_birth"], "1985-09-14");
}

#[tokio::test]
async fn age_follows_the_injected_clock() {
    let rp = Rp::start_auto().await;
    let born = time::Date::from_calendar_date(2011, time::Month::August, 10).unwrap();
    let (_, _, info) = login(&rp, "openid mitid", &[("login_hint", "hugo")]).await;
    let age = age_at(&rp, born);
    assert_eq!(info["mitid.age"].as_i64(), Some(age));
    // Move the clock to noon on hugo's next birthday: one year older.
    let now = rp.host.clock().now();
    let today = time::OffsetDateTime::from_unix_timestamp(now)
        .unwrap()
        .date();
    let mut birthday = born.replace_year(today.year()).unwrap();
    if birthday <= today {
        birthday = born.replace_year(today.year() + 1).unwrap();
    }
    let target = birthday.midnight().assume_utc().unix_timestamp() + 12 * 3600;
    rp.host.clock().advance(target - now);
    let (_, _, info) = login(&rp, "openid mitid", &[("login_hint", "hugo")]).await;
    assert_eq!(info["mitid.age"].as_i64(), Some(age + 1));
}

#[tokio::test]
async fn id_token_states_idp_loa_ial_aal_and_the_simulated_amr() {
    let rp = Rp::start_auto().await;
    // (user, ial, aal, loa = acr, amr)
    let cases = [
        (
            "anna",
            SUBSTANTIAL,
            SUBSTANTIAL,
            SUBSTANTIAL,
            json!(["code_app"]),
        ),
        ("bo", HIGH, HIGH, HIGH, json!(["code_app"])),
        ("carl", SUBSTANTIAL, LOW, LOW, json!(["password"])),
        (
            "dorthe",
            SUBSTANTIAL,
            SUBSTANTIAL,
            SUBSTANTIAL,
            json!(["code_token", "password"]),
        ),
        ("jens", HIGH, HIGH, HIGH, json!(["password", "u2f_token"])),
    ];
    for (user, ial, aal, loa, amr) in cases {
        // Asking for low lets carl (password only) in; the others still use their strongest.
        let (_, c, _) = login(&rp, "openid", &[("login_hint", user), ("acr_values", LOW)]).await;
        assert_eq!(c["idp"], "mitid", "{user}");
        assert_eq!(c["ial"], ial, "{user}");
        assert_eq!(c["aal"], aal, "{user}");
        assert_eq!(c["loa"], loa, "{user}");
        assert_eq!(c["acr"], loa, "{user}: acr is the level achieved");
        assert_eq!(c["amr"], amr, "{user}");
    }
}

#[tokio::test]
async fn ial_caps_the_level_an_identity_reaches() {
    let rp = Rp::start_auto().await;
    // An app enrolled at high on an identity proven only at substantial.
    let c = rp.host.control();
    let patched = c
        .patch(
            "/identities/anna",
            &json!({"authenticators": [{"kind": "app", "enrolled_at_high": true}]}),
        )
        .await
        .unwrap();
    assert_eq!(patched.status, 200, "{:?}", patched.body);
    let (_, t, _) = login(&rp, "openid", &[]).await;
    assert_eq!(t["aal"], HIGH);
    assert_eq!(t["ial"], SUBSTANTIAL);
    assert_eq!(t["loa"], SUBSTANTIAL);
    let r = rp
        .authorize(&Pkce::new(), &[("acr_values", HIGH), ("prompt", "login")])
        .await;
    let location = redirect_to(&r);
    assert_eq!(query(&location, "error").as_deref(), Some("access_denied"));
    let description = query(&location, "error_description").unwrap();
    assert_eq!(description, "mitid_level_not_reachable");
    let explained = explain(&rp, &login_id_of(&r)).await;
    let detail = explained["refused"]["detail"].as_str().unwrap();
    assert!(detail.contains("ial substantial"), "{detail}");
}

#[tokio::test]
async fn a_protected_persons_name_and_address_are_withheld() {
    let rp = Rp::start_auto().await;
    let (_, _, info) = login(&rp, "openid mitid address", &[("login_hint", "gitte")]).await;
    assert_eq!(info["mitid.identity_name"], "NAVNE & ADRESSEBESKYTTET");
    assert!(info.get("address").is_none(), "{info}");
    assert_eq!(info["mitid.has_cpr"], json!(true));
}

async fn explain(rp: &Rp, login_id: &str) -> Value {
    rp.host
        .control()
        .get(&format!("/logins/{login_id}/explain"))
        .await
        .unwrap()
        .body
}

#[tokio::test]
async fn a_suspended_identity_is_refused_whatever_the_source() {
    let rp = Rp::start_auto().await;
    // 3. login_hint.
    let r = rp.authorize(&Pkce::new(), &[("login_hint", "kim")]).await;
    let login_id = r.headers()["x-sim-login-id"].to_str().unwrap().to_string();
    let location = redirect_to(&r);
    assert_eq!(query(&location, "error").as_deref(), Some("access_denied"));
    let description = query(&location, "error_description").unwrap();
    assert_eq!(description, "mitid_identity_locked");
    let explained = explain(&rp, &login_id).await;
    assert_eq!(explained["decided_by"]["source"], "login_hint");
    let detail = explained["refused"]["detail"].as_str().unwrap();
    assert!(detail.contains("kim is suspended"), "{detail}");

    // 2. a queued approval as kim.
    let queued = rp
        .host
        .control()
        .post(
            "/decisions",
            &json!({"outcome": "approve", "user_id": "kim"}),
        )
        .await
        .unwrap();
    assert_eq!(queued.status, 201);
    let r = rp.authorize(&Pkce::new(), &[]).await;
    let login_id = r.headers()["x-sim-login-id"].to_str().unwrap().to_string();
    let description = query(&redirect_to(&r), "error_description").unwrap();
    assert_eq!(description, "mitid_identity_locked");
    assert_eq!(
        explain(&rp, &login_id).await["decided_by"]["source"],
        "queued"
    );

    // A revoked identity (the deceased person) likewise.
    let r = rp.authorize(&Pkce::new(), &[("login_hint", "mads")]).await;
    let description = query(&redirect_to(&r), "error_description").unwrap();
    assert_eq!(description, "mitid_identity_revoked");
    let detail = &explain(&rp, &login_id_of(&r)).await["refused"]["detail"];
    assert!(
        detail.as_str().unwrap().contains("mads is revoked"),
        "{detail}"
    );
}

#[tokio::test]
async fn an_explicit_approval_of_a_suspended_identity_is_refused() {
    let rp = Rp::start().await;
    let r = rp.authorize(&Pkce::new(), &[]).await;
    let login_id = r.headers()["x-sim-login-id"].to_str().unwrap().to_string();
    let approved = rp
        .host
        .control()
        .post(
            &format!("/logins/{login_id}/approve"),
            &json!({"user_id": "kim"}),
        )
        .await
        .unwrap();
    assert_eq!(approved.status, 200, "{:?}", approved.body);
    assert_eq!(approved.body["status"]["status"], "rejected");
    assert_eq!(
        approved.body["status"]["description"],
        "mitid_identity_locked"
    );
    let detail = approved.body["status"]["detail"].as_str().unwrap();
    assert!(detail.contains("suspended"), "{detail}");
    assert_eq!(
        explain(&rp, &login_id).await["decided_by"]["source"],
        "explicit"
    );
}

#[tokio::test]
async fn a_business_identity_logs_in_through_mitid_erhverv() {
    let rp = Rp::start_auto().await;
    for user in ["ida", "jens"] {
        let (_, c, _) = login(
            &rp,
            "openid",
            &[("login_hint", user), ("idp_values", "mitid_erhverv mitid")],
        )
        .await;
        assert_eq!(c["idp"], "mitid_erhverv", "{user}");
    }
    // Anna has no business identity: with mitid as the fallback she logs in privately...
    let (_, c, _) = login(&rp, "openid", &[("idp_values", "mitid_erhverv mitid")]).await;
    assert_eq!(c["idp"], "mitid");
    // ...and without it she is refused.
    let r = rp
        .authorize(
            &Pkce::new(),
            &[("idp_values", "mitid_erhverv"), ("prompt", "login")],
        )
        .await;
    let location = redirect_to(&r);
    assert_eq!(query(&location, "error").as_deref(), Some("access_denied"));
    let description = query(&location, "error_description").unwrap();
    assert!(description.contains("mitid_erhverv"), "{description}");
    // An identity provider the broker does not know is a bad request.
    let r = rp.authorize(&Pkce::new(), &[("idp_values", "eboks")]).await;
    assert_eq!(
        query(&redirect_to(&r), "error").as_deref(),
        Some("invalid_request")
    );
}

#[tokio::test]
async fn a_nemid_key_card_holder_logs_in_through_nemid() {
    let rp = Rp::start_auto().await;
    let (_, c, _) = login(
        &rp,
        "openid",
        &[("login_hint", "lis"), ("idp_values", "nemid")],
    )
    .await;
    assert_eq!(c["idp"], "nemid");
    assert_eq!(c["amr"], json!(["password", "key_card"]));
    assert_eq!(c["loa"], SUBSTANTIAL);
    let (_, _, info) = login(
        &rp,
        "openid nemid.pid",
        &[("login_hint", "lis"), ("idp_values", "nemid")],
    )
    .await;
    assert_eq!(info["nemid.pid"], "9208-2002-2-314159265358");
    assert_eq!(info["nemid.pid_status"], "success");
}

#[tokio::test]
async fn discovery_lists_the_mitid_scopes_and_claims() {
    let rp = Rp::start().await;
    let doc = rp.discovery().await;
    let scopes = doc["scopes_supported"].as_array().unwrap();
    for scope in ["mitid", "ssn", "nemid.pid"] {
        assert!(scopes.contains(&json!(scope)), "{scope}");
    }
    let claims = doc["claims_supported"].as_array().unwrap();
    for claim in [
        "idp",
        "loa",
        "ial",
        "aal",
        "mitid.uuid",
        "mitid.identity_name",
        "mitid.date_of_birth",
        "mitid.age",
        "mitid.has_cpr",
        "mitid.transaction_id",
        "dk.cpr",
        "nemid.pid",
        "nemid.pid_status",
    ] {
        assert!(claims.contains(&json!(claim)), "{claim}");
    }
}

#[tokio::test]
async fn the_control_api_shows_the_level_an_identity_reaches_and_refuses_level() {
    let rp = Rp::start().await;
    let c = rp.host.control();
    for (user, reaches) in [
        ("anna", json!("substantial")),
        ("bo", json!("high")),
        ("carl", json!("low")),
    ] {
        let identity = c.get(&format!("/identities/{user}")).await.unwrap();
        assert_eq!(identity.body["reaches"], reaches, "{user}");
    }
    let created = c
        .post(
            "/identities",
            &json!({
                "user_id": "pia",
                "given_name": "Pia",
                "family_name": "Chip",
                "cpr": "650379-2846",
                "birthdate": "1979-03-05",
                "ial": "high",
                "authenticators": [{"kind": "password"}, {"kind": "chip"}]
            }),
        )
        .await
        .unwrap();
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.body["reaches"], "high");
    assert_eq!(created.body["cpr"], "650379-2846");
    let disagreeing = c
        .post(
            "/identities",
            &json!({"user_id": "x", "given_name": "X", "cpr": "650379-2846", "birthdate": "1979-03-06"}),
        )
        .await
        .unwrap();
    assert_eq!(disagreeing.status, 400);
    let level = c
        .patch("/identities/anna", &json!({"level": "high"}))
        .await
        .unwrap();
    assert_eq!(level.status, 400);
    assert!(
        level.body["message"].as_str().unwrap().contains("ial"),
        "{:?}",
        level.body
    );
}
