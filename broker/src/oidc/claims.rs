//! Claims about an identity: the subject a client sees, and the scope claims (OIDC Core 5.4)
//! with their OIDC Core JSON types, plus the MitID scopes: `mitid` (the `mitid.*` claims),
//! `ssn` (`dk.cpr`), `nemid.pid` (the legacy NemID PID) and `nemlogin` (the MitID Erhverv
//! identity the person logged in as, `nemlogin.*`).
//!
//! Name and address protection: the MitID brokers send `mitid.identity_name` as
//! `NAVNE & ADRESSEBESKYTTET` to services that are not public authorities. Clients here are
//! not marked public, so a protected person's MitID name is always withheld, and so is their
//! `address`; a protected business user gets `nemlogin.alias` instead of name claims.

use serde_json::{json, Map, Value};

use crate::app::Broker;
use crate::clock::UnixTime;
use crate::mitid::cpr::age_on;
use crate::model::{BusinessIdentity, BusinessRole, Client, Grant, Identity, SubjectType};
use crate::secrets;

/// What `mitid.identity_name` says for a person with name and address protection.
pub const PROTECTED_NAME: &str = "NAVNE & ADRESSEBESKYTTET";

/// What `nemlogin.alias` says for a business user with name and address protection (who then
/// gets no `nemlogin.*` name claims).
pub const PROTECTED_ALIAS: &str = "Pseudonym";

/// `sub`: the identity's UUID for public clients; for pairwise clients a value that differs
/// per sector and cannot be linked across sectors (OIDC Core 8.1).
pub fn subject(broker: &Broker, client: &Client, identity: &Identity) -> String {
    match client.subject_type {
        SubjectType::Public => identity.id.to_string(),
        SubjectType::Pairwise => secrets::hash(&format!(
            "{}|{}|{}",
            client.sector(),
            identity.id,
            broker.pairwise_salt
        )),
    }
}

/// The claims the granted scopes release, beside `sub`. `now` is the injected clock's time,
/// for `mitid.age`.
pub fn scope_claims(identity: &Identity, grant: &Grant, now: UnixTime) -> Map<String, Value> {
    let mut claims = Map::new();
    let has = |s: &str| grant.has_scope(s);
    if has("profile") {
        claims.insert("name".into(), json!(identity.name()));
        claims.insert("given_name".into(), json!(identity.given_name));
        claims.insert("family_name".into(), json!(identity.family_name));
        if let Some(birthdate) = &identity.birthdate {
            claims.insert("birthdate".into(), json!(birthdate));
        }
    }
    if has("email") {
        if let Some(email) = &identity.email {
            claims.insert("email".into(), json!(email));
            claims.insert("email_verified".into(), json!(identity.email_verified));
        }
    }
    if has("phone") {
        if let Some(phone) = &identity.phone_number {
            claims.insert("phone_number".into(), json!(phone));
            claims.insert(
                "phone_number_verified".into(),
                json!(identity.phone_number_verified),
            );
        }
    }
    if has("mitid") {
        mitid_claims(&mut claims, identity, grant, now);
    }
    if has("ssn") {
        if let Some(cpr) = &identity.cpr {
            claims.insert("dk.cpr".into(), json!(cpr.to_digits()));
        }
    }
    if has("nemid.pid") {
        // Signaturgruppen: `success` with the PID, or `unable_to_lookup` for a person without one.
        match &identity.nemid {
            Some(nemid) => {
                claims.insert("nemid.pid".into(), json!(nemid.pid));
                claims.insert("nemid.pid_status".into(), json!("success"));
            }
            None => {
                claims.insert("nemid.pid_status".into(), json!("unable_to_lookup"));
            }
        }
    }
    if has("nemlogin") {
        nemlogin_claims(&mut claims, identity, grant);
    }
    if has("address") && !identity.name_address_protected {
        if let Some(address) = &identity.address {
            let mut value = serde_json::to_value(address).unwrap_or(Value::Null);
            let formatted = [
                address.street_address.clone(),
                match (&address.postal_code, &address.locality) {
                    (Some(p), Some(l)) => Some(format!("{p} {l}")),
                    (p, l) => p.clone().or(l.clone()),
                },
                address.country.clone(),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("\n");
            if let Value::Object(map) = &mut value {
                map.insert("formatted".into(), json!(formatted));
            }
            claims.insert("address".into(), value);
        }
    }
    claims
}

/// The claims the `claims` parameter asked for in the ID token (OIDC Core 5.5), whatever the
/// scopes; those the identity does not have are left out.
pub fn requested_for_id_token(
    identity: &Identity,
    grant: &Grant,
    now: UnixTime,
) -> Map<String, Value> {
    let names = grant.claims.as_ref().map(|c| c.id_token.keys());
    requested(identity, grant, now, names.into_iter().flatten())
}

/// The claims the `claims` parameter asked for from userinfo (OIDC Core 5.5).
pub fn requested_for_userinfo(
    identity: &Identity,
    grant: &Grant,
    now: UnixTime,
) -> Map<String, Value> {
    let names = grant.claims.as_ref().map(|c| c.userinfo.keys());
    requested(identity, grant, now, names.into_iter().flatten())
}

fn requested<'a>(
    identity: &Identity,
    grant: &Grant,
    now: UnixTime,
    names: impl Iterator<Item = &'a String>,
) -> Map<String, Value> {
    let names: Vec<&String> = names.collect();
    if names.is_empty() {
        return Map::new();
    }
    let everything = Grant {
        scopes: crate::oidc::SCOPES_SUPPORTED
            .iter()
            .map(|s| s.to_string())
            .collect(),
        ..grant.clone()
    };
    let all = scope_claims(identity, &everything, now);
    names
        .into_iter()
        .filter_map(|name| all.get(name).map(|v| (name.clone(), v.clone())))
        .collect()
}

/// Scope `mitid`: `mitid.uuid`, `mitid.identity_name`, `mitid.date_of_birth` (`YYYY-MM-DD`),
/// `mitid.age` (a number), `mitid.has_cpr` (a boolean), `mitid.transaction_id` (the login).
fn mitid_claims(
    claims: &mut Map<String, Value>,
    identity: &Identity,
    grant: &Grant,
    now: UnixTime,
) {
    claims.insert("mitid.uuid".into(), json!(identity.id));
    let name = if identity.name_address_protected {
        PROTECTED_NAME.to_string()
    } else {
        identity.name()
    };
    claims.insert("mitid.identity_name".into(), json!(name));
    if let Some(born) = identity.date_of_birth() {
        claims.insert("mitid.date_of_birth".into(), json!(born.to_string()));
        // The date in UTC; Danish time differs from it only in the hours around midnight.
        let today = time::OffsetDateTime::from_unix_timestamp(now).map(|t| t.date());
        if let Some(age) = today.ok().and_then(|today| age_on(born, today)) {
            claims.insert("mitid.age".into(), json!(age));
        }
    }
    claims.insert("mitid.has_cpr".into(), json!(identity.cpr.is_some()));
    if let Some(login) = &grant.login_id {
        claims.insert("mitid.transaction_id".into(), json!(login));
    }
}

/// Scope `nemlogin` (MitID Erhverv): the business identity the person chose at login
/// (`grant.business`, its professional UUID). Nothing when the login chose none, or names one
/// the identity no longer has. Values are strings but `nemlogin.auth_to_repr` (a boolean, as
/// `mitid.has_cpr`); `se_number` and `p_number` are not modelled.
fn nemlogin_claims(claims: &mut Map<String, Value>, identity: &Identity, grant: &Grant) {
    let Some(business) = business_identity(identity, grant) else {
        return;
    };
    claims.insert("nemlogin.cvr".into(), json!(business.cvr));
    claims.insert(
        "nemlogin.org_name".into(),
        json!(business.organisation_name),
    );
    claims.insert(
        "nemlogin.persistent_professional_id".into(),
        json!(business.professional_uuid),
    );
    if let Some(rid) = &business.rid {
        claims.insert("nemlogin.nemid.rid".into(), json!(rid));
    }
    if identity.name_address_protected {
        claims.insert("nemlogin.alias".into(), json!(PROTECTED_ALIAS));
    } else {
        claims.insert("nemlogin.given_name".into(), json!(identity.given_name));
        claims.insert("nemlogin.family_name".into(), json!(identity.family_name));
        claims.insert("nemlogin.name".into(), json!(identity.name()));
    }
    if let Some(email) = &identity.email {
        claims.insert("nemlogin.email".into(), json!(email));
    }
    if let Some(born) = identity.date_of_birth() {
        claims.insert("nemlogin.date_of_birth".into(), json!(born.to_string()));
    }
    claims.insert(
        "nemlogin.auth_to_repr".into(),
        json!(business.role == BusinessRole::Signatory),
    );
    // Clients are private services, so they get the CPR's UUID, never the CPR (`nemlogin.cpr`).
    if let Some(cpr) = &identity.cpr {
        claims.insert(
            "nemlogin.cpr_uuid".into(),
            json!(cpr_uuid(&cpr.to_digits())),
        );
    }
}

/// The business identity a grant's login chose, if the identity still has it.
fn business_identity<'a>(identity: &'a Identity, grant: &Grant) -> Option<&'a BusinessIdentity> {
    let chosen = grant.business.as_deref()?;
    identity
        .business
        .iter()
        .find(|b| b.professional_uuid == chosen)
}

/// `nemlogin.cpr_uuid`: a UUID that stands for a CPR number, the same for every client and
/// every broker: the first 16 bytes of SHA-256 over a fixed prefix and the 10 digits, as an
/// RFC 9562 version 8 (name-based, custom hash) UUID. The seeded CPRs are all fictitious.
pub fn cpr_uuid(cpr_digits: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("idsim nemlogin.cpr_uuid|{cpr_digits}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes)
        .into_uuid()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mitid::Cpr;
    use crate::model::{Assurance, ClientId, GrantId, IdentityId, Level, Sid, TxnId, UserId};

    fn grant(scopes: &[&str]) -> Grant {
        Grant {
            profile: Default::default(),
            dialect_scopes: Vec::new(),
            id: GrantId::new("g"),
            client_id: ClientId::new("c"),
            identity_id: IdentityId::new("i"),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            auth_time: 0,
            acr: Level::Substantial,
            amr: vec![],
            assurance: Assurance::default(),
            sid: Sid::new("s"),
            business: None,
            login_id: Some(TxnId::new("login-1")),
            claims: None,
        }
    }

    fn anna() -> Identity {
        let mut anna = Identity::new(
            IdentityId::new("7b1d3c0e-5f1a-4b8e-9a57-3f2d1c4e6a01"),
            UserId::new("anna"),
            "Anna",
            "Testesen",
        );
        anna.birthdate = Some("1990-04-12".into());
        anna.cpr = Some(Cpr::parse("720490-1236").unwrap());
        anna.address = Some(crate::model::Address {
            street_address: Some("Simulatorvej 1".into()),
            ..Default::default()
        });
        anna
    }

    /// 2026-04-12 00:00:00 UTC: Anna's 36th birthday.
    const BIRTHDAY_2026: UnixTime = 1_775_952_000;

    #[test]
    fn mitid_scope_claims_have_their_json_types() {
        let claims = scope_claims(&anna(), &grant(&["openid", "mitid"]), BIRTHDAY_2026);
        assert_eq!(claims["mitid.uuid"], "7b1d3c0e-5f1a-4b8e-9a57-3f2d1c4e6a01");
        assert_eq!(claims["mitid.identity_name"], "Anna Testesen");
        assert_eq!(claims["mitid.date_of_birth"], "1990-04-12");
        assert_eq!(claims["mitid.age"], json!(36));
        assert_eq!(claims["mitid.has_cpr"], json!(true));
        assert_eq!(claims["mitid.transaction_id"], "login-1");
        assert!(!claims.contains_key("dk.cpr"), "dk.cpr needs the ssn scope");
    }

    #[test]
    fn age_counts_whole_years_on_the_injected_clock() {
        let day_before = scope_claims(&anna(), &grant(&["mitid"]), BIRTHDAY_2026 - 1);
        assert_eq!(day_before["mitid.age"], json!(35));
    }

    #[test]
    fn ssn_scope_gives_the_cpr_digits_only_when_there_is_one() {
        let claims = scope_claims(&anna(), &grant(&["openid", "ssn"]), BIRTHDAY_2026);
        assert_eq!(claims["dk.cpr"], "7204901236");
        let mut foreign = anna();
        foreign.cpr = None;
        let claims = scope_claims(&foreign, &grant(&["ssn", "mitid"]), BIRTHDAY_2026);
        assert!(!claims.contains_key("dk.cpr"));
        assert_eq!(claims["mitid.has_cpr"], json!(false));
        assert_eq!(claims["mitid.date_of_birth"], "1990-04-12");
    }

    #[test]
    fn nemid_pid_scope_gives_the_pid_or_says_it_is_missing() {
        let claims = scope_claims(&anna(), &grant(&["nemid.pid"]), BIRTHDAY_2026);
        assert_eq!(claims["nemid.pid_status"], "unable_to_lookup");
        assert!(!claims.contains_key("nemid.pid"));
        let mut lis = anna();
        lis.nemid = Some(crate::model::NemId {
            pid: "9208-2002-2-314159265358".into(),
            key_card_seed: None,
        });
        let claims = scope_claims(&lis, &grant(&["nemid.pid"]), BIRTHDAY_2026);
        assert_eq!(claims["nemid.pid"], "9208-2002-2-314159265358");
        assert_eq!(claims["nemid.pid_status"], "success");
    }

    const IDA_PRO: &str = "f0e1d2c3-b4a5-4968-8776-655443322108";

    /// Anna with an employee identity (with RID) at one company and a signatory identity
    /// (without) at another.
    fn anna_at_work() -> Identity {
        let mut anna = anna();
        anna.email = Some("anna@example.test".into());
        anna.business = vec![
            BusinessIdentity {
                cvr: "12345674".into(),
                organisation_name: "Simulatorfirmaet ApS".into(),
                role: BusinessRole::Employee,
                rid: Some("45371".into()),
                professional_uuid: IDA_PRO.into(),
            },
            BusinessIdentity {
                cvr: "43950932".into(),
                organisation_name: "Testholding A/S".into(),
                role: BusinessRole::Signatory,
                rid: None,
                professional_uuid: "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c09".into(),
            },
        ];
        anna
    }

    fn business_grant(scopes: &[&str], business: Option<&str>) -> Grant {
        let mut g = grant(scopes);
        g.business = business.map(String::from);
        g.assurance.idp = crate::model::Idp::MitidErhverv;
        g
    }

    #[test]
    fn nemlogin_scope_describes_an_employee_identity() {
        let g = business_grant(&["openid", "nemlogin"], Some(IDA_PRO));
        let claims = scope_claims(&anna_at_work(), &g, BIRTHDAY_2026);
        assert_eq!(claims["nemlogin.cvr"], "12345674");
        assert_eq!(claims["nemlogin.org_name"], "Simulatorfirmaet ApS");
        assert_eq!(claims["nemlogin.persistent_professional_id"], IDA_PRO);
        assert_eq!(claims["nemlogin.nemid.rid"], "45371");
        assert_eq!(claims["nemlogin.given_name"], "Anna");
        assert_eq!(claims["nemlogin.family_name"], "Testesen");
        assert_eq!(claims["nemlogin.name"], "Anna Testesen");
        assert_eq!(claims["nemlogin.email"], "anna@example.test");
        assert_eq!(claims["nemlogin.date_of_birth"], "1990-04-12");
        assert_eq!(claims["nemlogin.auth_to_repr"], json!(false));
        assert!(!claims.contains_key("nemlogin.alias"));
        // The CPR's UUID, never the CPR.
        let cpr_uuid = claims["nemlogin.cpr_uuid"].as_str().unwrap();
        assert_eq!(cpr_uuid, super::cpr_uuid("7204901236"));
        assert!(uuid::Uuid::parse_str(cpr_uuid).is_ok(), "{cpr_uuid}");
        assert!(!claims.contains_key("nemlogin.cpr"));
        let all = serde_json::to_string(&claims).unwrap();
        assert!(
            !all.contains("7204901236") && !all.contains("720490-1236"),
            "{all}"
        );
        // Only the nemlogin scope was asked for.
        assert!(claims.keys().all(|k| k.starts_with("nemlogin.")), "{all}");
    }

    #[test]
    fn a_signatory_is_authorised_to_represent_and_rid_is_optional() {
        let g = business_grant(
            &["openid", "nemlogin"],
            Some("0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c09"),
        );
        let claims = scope_claims(&anna_at_work(), &g, BIRTHDAY_2026);
        assert_eq!(claims["nemlogin.cvr"], "43950932");
        assert_eq!(claims["nemlogin.org_name"], "Testholding A/S");
        assert_eq!(claims["nemlogin.auth_to_repr"], json!(true));
        assert!(!claims.contains_key("nemlogin.nemid.rid"));
    }

    #[test]
    fn email_and_cpr_uuid_only_when_the_person_has_them() {
        let mut anna = anna_at_work();
        anna.email = None;
        anna.cpr = None;
        let g = business_grant(&["nemlogin"], Some(IDA_PRO));
        let claims = scope_claims(&anna, &g, BIRTHDAY_2026);
        assert!(!claims.contains_key("nemlogin.email"));
        assert!(!claims.contains_key("nemlogin.cpr_uuid"));
        assert_eq!(claims["nemlogin.date_of_birth"], "1990-04-12");
    }

    #[test]
    fn cpr_uuid_is_stable_and_differs_per_cpr() {
        let a = cpr_uuid("7204901236");
        assert_eq!(a, cpr_uuid("7204901236"));
        assert_ne!(a, cpr_uuid("6210883124"));
        let parsed = uuid::Uuid::parse_str(&a).unwrap();
        assert_eq!(parsed.get_version_num(), 8);
        assert_eq!(parsed.get_variant(), uuid::Variant::RFC4122);
    }

    #[test]
    fn a_protected_business_user_gets_an_alias_and_no_names() {
        let mut anna = anna_at_work();
        anna.name_address_protected = true;
        let g = business_grant(&["nemlogin"], Some(IDA_PRO));
        let claims = scope_claims(&anna, &g, BIRTHDAY_2026);
        assert_eq!(claims["nemlogin.alias"], PROTECTED_ALIAS);
        for name in [
            "nemlogin.given_name",
            "nemlogin.family_name",
            "nemlogin.name",
        ] {
            assert!(!claims.contains_key(name), "{name}");
        }
        assert_eq!(claims["nemlogin.cvr"], "12345674");
    }

    #[test]
    fn no_nemlogin_claims_without_the_scope_or_a_chosen_business_identity() {
        let worker = anna_at_work();
        let nemlogin = |claims: &Map<String, Value>| {
            claims.keys().filter(|k| k.starts_with("nemlogin.")).count()
        };
        // A business login, but the scope was not granted.
        let g = business_grant(&["openid", "mitid"], Some(IDA_PRO));
        assert_eq!(nemlogin(&scope_claims(&worker, &g, BIRTHDAY_2026)), 0);
        // The scope, but a private login.
        let g = business_grant(&["openid", "nemlogin"], None);
        assert_eq!(nemlogin(&scope_claims(&worker, &g, BIRTHDAY_2026)), 0);
        // The scope, but a professional UUID the identity does not have (any more).
        let g = business_grant(
            &["openid", "nemlogin"],
            Some("99999999-9999-4999-8999-999999999999"),
        );
        assert_eq!(nemlogin(&scope_claims(&worker, &g, BIRTHDAY_2026)), 0);
        // The chosen identity's UUID on a person who has none.
        let g = business_grant(&["openid", "nemlogin"], Some(IDA_PRO));
        assert_eq!(nemlogin(&scope_claims(&anna(), &g, BIRTHDAY_2026)), 0);
    }

    #[test]
    fn a_protected_person_has_name_and_address_withheld() {
        let mut gitte = anna();
        gitte.name_address_protected = true;
        let claims = scope_claims(&gitte, &grant(&["mitid", "address"]), BIRTHDAY_2026);
        assert_eq!(claims["mitid.identity_name"], PROTECTED_NAME);
        assert!(!claims.contains_key("address"));
    }
}
