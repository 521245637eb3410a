//! Claims about an identity: the subject a client sees, and the scope claims (OIDC Core 5.4)
//! with their OIDC Core JSON types, plus the MitID scopes: `mitid` (the `mitid.*` claims),
//! `ssn` (`dk.cpr`) and `nemid.pid` (the legacy NemID PID).
//!
//! Name and address protection: the MitID brokers send `mitid.identity_name` as
//! `NAVNE & ADRESSEBESKYTTET` to services that are not public authorities. Clients here are
//! not marked public, so a protected person's MitID name is always withheld, and so is their
//! `address`.

use serde_json::{json, Map, Value};

use crate::app::Broker;
use crate::clock::UnixTime;
use crate::mitid::cpr::age_on;
use crate::model::{Client, Grant, Identity, SubjectType};
use crate::secrets;

/// What `mitid.identity_name` says for a person with name and address protection.
pub const PROTECTED_NAME: &str = "NAVNE & ADRESSEBESKYTTET";

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mitid::Cpr;
    use crate::model::{Assurance, ClientId, GrantId, IdentityId, Level, Sid, TxnId, UserId};

    fn grant(scopes: &[&str]) -> Grant {
        Grant {
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

    #[test]
    fn a_protected_person_has_name_and_address_withheld() {
        let mut gitte = anna();
        gitte.name_address_protected = true;
        let claims = scope_claims(&gitte, &grant(&["mitid", "address"]), BIRTHDAY_2026);
        assert_eq!(claims["mitid.identity_name"], PROTECTED_NAME);
        assert!(!claims.contains_key("address"));
    }
}
