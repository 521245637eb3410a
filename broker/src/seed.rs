//! What a fresh instance starts with: the seeded test identities (on first start only, so
//! deleting one sticks) and the demo mailbox's client (registered at every start, from config).

use crate::config::DemoClient;
use crate::model::{Client, ClientId, Identity};
use crate::secrets;
use crate::store::{Store, StoreError, StoreResult};

const IDENTITIES: &str = include_str!("../seed/identities.json");

pub fn seed_identities(store: &Store) -> StoreResult<()> {
    if store.meta.get("seeded_identities")?.is_some() {
        return Ok(());
    }
    let identities: Vec<Identity> =
        serde_json::from_str(IDENTITIES).map_err(|e| StoreError::Corrupt(format!("seed: {e}")))?;
    for identity in &identities {
        if store.identities.get(&identity.id)?.is_none()
            && store.identities.by_user_id(&identity.user_id)?.is_none()
        {
            // A replica starting beside another may lose the race to create it: the same seed.
            match store.identities.create(identity) {
                Err(StoreError::Conflict(_)) | Ok(()) => {}
                Err(e) => return Err(e),
            }
        }
    }
    store.meta.get_or_init("seeded_identities", "1")?;
    Ok(())
}

pub fn register_demo_client(store: &Store, demo: &DemoClient) -> StoreResult<()> {
    if !demo.enabled {
        return Ok(());
    }
    // A confidential client_secret_basic client with PKCE; Digital Post is a public authority,
    // so it gets `dk.cpr` without a CPR match (not a private service).
    store.clients.put(&Client {
        name: "Demo Digital Post".into(),
        secret_hash: Some(secrets::hash(&demo.client_secret)),
        post_logout_redirect_uris: demo.post_logout_redirect_uris.clone(),
        require_pkce: true,
        backchannel_logout_uri: demo.backchannel_logout_uri().map(str::to_owned),
        ..Client::new(ClientId::new(&demo.client_id), demo.redirect_uris.clone())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{parse_date, IdentityStatus, Level};

    fn seeded() -> Vec<Identity> {
        serde_json::from_str(IDENTITIES).unwrap()
    }

    fn by_user(user: &str) -> Identity {
        seeded()
            .into_iter()
            .find(|i| i.user_id.as_str() == user)
            .unwrap()
    }

    #[test]
    fn every_seeded_cpr_is_a_replacement_number_matching_the_birthdate() {
        let mut with_cpr = 0;
        for identity in seeded() {
            let Some(cpr) = identity.cpr else { continue };
            with_cpr += 1;
            let user = &identity.user_id;
            assert!(cpr.is_replacement(), "{user}: {cpr} is not day + 60");
            let birthdate = identity.birthdate.as_deref().and_then(parse_date);
            assert_eq!(Some(cpr.date_of_birth()), birthdate, "{user}: {cpr}");
            // Written with the hyphen, and it parses back to itself.
            assert_eq!(crate::mitid::Cpr::parse(&cpr.to_string()), Ok(cpr));
        }
        assert!(with_cpr >= 10, "{with_cpr}");
    }

    #[test]
    fn every_seeded_identity_passes_the_control_api_checks() {
        let identities = seeded();
        assert!(identities.len() >= 10);
        for identity in &identities {
            assert_eq!(identity.check(), Ok(()), "{}", identity.user_id);
        }
        let mut users: Vec<_> = identities.iter().map(|i| i.user_id.as_str()).collect();
        users.sort_unstable();
        users.dedup();
        assert_eq!(users.len(), identities.len(), "user IDs are unique");
    }

    #[test]
    fn the_e2e_people_reach_their_levels() {
        assert_eq!(by_user("anna").reachable_level(), Some(Level::Substantial));
        assert_eq!(by_user("bo").reachable_level(), Some(Level::High));
        assert_eq!(by_user("carl").reachable_level(), Some(Level::Low));
        let anna = by_user("anna");
        assert_eq!(anna.name(), "Anna Testesen");
        assert!(anna.email_verified && anna.phone_number_verified);
    }

    #[test]
    fn the_seed_covers_the_cases_that_matter() {
        let people = seeded();
        let any = |f: &dyn Fn(&Identity) -> bool| people.iter().any(f);
        assert!(any(&|i| i.cpr.is_none()), "a person without CPR");
        assert!(
            any(&|i| i.name_address_protected),
            "name and address protection"
        );
        assert!(
            any(&|i| i.status == IdentityStatus::Suspended),
            "a locked identity"
        );
        assert!(any(&|i| i.cpr_status == crate::model::CprStatus::Deceased));
        assert!(any(&|i| i
            .nemid
            .as_ref()
            .is_some_and(|n| n.key_card_seed.is_some())));
        for role in [
            crate::model::BusinessRole::Employee,
            crate::model::BusinessRole::Signatory,
        ] {
            assert!(
                any(&|i| i.business.iter().any(|b| b.role == role)),
                "{role:?}"
            );
        }
        // Seeded passwords are "test1234", kept only as hashes.
        assert!(by_user("carl").verify_password("test1234"));
        assert!(!IDENTITIES.contains("test1234"));
    }
}
