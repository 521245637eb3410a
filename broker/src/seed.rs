//! What a fresh instance starts with: the seeded test identities (on first start only, so
//! deleting one sticks) and the demo mailbox's client (registered at every start, from config).

use crate::config::DemoClient;
use crate::model::{AuthMethod, Client, ClientId, Identity, SubjectType};
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
            store.identities.create(identity)?;
        }
    }
    store.meta.get_or_init("seeded_identities", "1")?;
    Ok(())
}

pub fn register_demo_client(store: &Store, demo: &DemoClient) -> StoreResult<()> {
    if !demo.enabled {
        return Ok(());
    }
    store.clients.put(&Client {
        client_id: ClientId::new(&demo.client_id),
        name: "Demo Digital Post".into(),
        secret_hash: Some(secrets::hash(&demo.client_secret)),
        redirect_uris: demo.redirect_uris.clone(),
        post_logout_redirect_uris: demo.post_logout_redirect_uris.clone(),
        token_endpoint_auth_method: AuthMethod::ClientSecretBasic,
        require_pkce: true,
        id_token_signed_response_alg: keys::Alg::RS256,
        subject_type: SubjectType::Public,
        sector_identifier: None,
    })
}
