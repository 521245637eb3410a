//! The storage contract: one suite, run against every implementation.
//!
//! Each contract is a plain function taking a [`Store`]; [`contract_tests!`] turns the whole
//! list into one `#[test]` per contract for an implementation, so a failure names both
//! (`store::contract::sqlite_file::codes_are_taken_once`). Times are plain values; nothing
//! sleeps.

use std::path::PathBuf;
use std::sync::Barrier;

use serde::Serialize;
use tempfile::TempDir;

use super::*;
use crate::model::{
    Assurance, AuthMethod, AuthRequest, DecisionOutcome, Delivered, Fault, Grant, Level,
    LoginStatus, QueuedFault, RpAct, RpEvent, Stage, SubjectType, ToClient,
};

// ---------------------------------------------------------------------------------------------
// Implementations under test
// ---------------------------------------------------------------------------------------------

/// A store under test, with what it needs to stay alive and (for durable ones) to reopen.
struct Subject {
    store: Store,
    /// Opens the same data again; `None` for implementations that keep nothing.
    reopen: Option<Box<dyn Fn() -> Store>>,
    /// Dropped last (fields drop in order), after the store has closed its file.
    _dir: Option<TempDir>,
}

fn sqlite_memory() -> Subject {
    Subject {
        store: Store::from_sqlite(SqliteStore::in_memory().unwrap()),
        reopen: None,
        _dir: None,
    }
}

fn sqlite_file() -> Subject {
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join("broker.sqlite");
    let open = move || Store::from_sqlite(SqliteStore::open(&path).unwrap());
    Subject {
        store: open(),
        reopen: Some(Box::new(open)),
        _dir: Some(dir),
    }
}

/// `contract_tests!(name, factory)` expands to `mod name` with one `#[test]` per contract;
/// `contract_tests!(name, factory, durable)` adds the contracts that need a reopen, and
/// `contract_tests!(name, factory, durable, shared)` those of a store that several processes
/// open at once (replicas).
macro_rules! contract_tests {
    ($imp:ident, $make:expr) => {
        contract_tests!(@module $imp, $make, {});
    };
    ($imp:ident, $make:expr, durable) => {
        contract_tests!(@module $imp, $make, {
            contract_tests!(@whole $make; durable_data_survives_reopen);
        });
    };
    ($imp:ident, $make:expr, durable, shared) => {
        contract_tests!(@module $imp, $make, {
            contract_tests!(@whole $make;
                durable_data_survives_reopen,
                changes_made_elsewhere_show_once_the_cache_is_forgotten);
        });
    };
    (@module $imp:ident, $make:expr, { $($extra:item)* }) => {
        mod $imp {
            contract_tests!(@each $make;
                clients_create_then_get_and_list,
                clients_create_of_existing_id_is_conflict,
                clients_put_inserts_and_replaces,
                clients_delete_returns_true_then_false,
                identities_create_get_and_list_in_insertion_order,
                identities_duplicate_user_id_or_id_is_conflict,
                identities_update_moves_user_id,
                identities_update_to_taken_user_id_is_conflict,
                identities_delete_returns_true_then_false,
                logins_are_created_pending,
                logins_list_pending_excludes_expired_and_settled,
                logins_settle_writes_once_and_keeps_first_status,
                logins_settle_unknown_is_not_found,
                logins_concurrent_settles_have_one_winner,
                logins_mark_delivered_is_true_once,
                logins_clear_removes_all,
                logins_list_recent_is_newest_first_and_limited,
                logins_update_flow_needs_the_revision_read_and_a_pending_login,
                devices_start_default_and_keep_what_is_put,
                devices_concurrent_changes_are_each_applied_once,
                outbox_lists_newest_first,
                request_log_lists_newest_first_and_filters,
                request_log_keeps_only_the_newest,
                request_log_is_cleared_by_reset,
                cases_create_get_and_list_newest_first,
                cases_update_needs_the_revision_read,
                cases_concurrent_updates_have_one_winner,
                onboardings_update_needs_the_revision_read,
                codes_are_taken_once,
                faults_are_taken_once_per_use_by_their_client_and_stage,
                queues_found_empty_still_give_what_is_queued_next,
                faults_concurrent_takes_yield_their_count,
                codes_unknown_hash_is_not_found,
                codes_concurrent_takes_yield_one_taken,
                codes_clear_removes_all,
                tokens_access_put_get_and_revoke,
                tokens_refresh_is_taken_once,
                tokens_refresh_concurrent_takes_yield_one_taken,
                tokens_revoke_refresh_ends_it,
                tokens_revoke_grant_spares_other_grants,
                tokens_stored_after_revoke_grant_are_dead,
                sessions_put_and_find_by_cookie,
                sessions_end_is_true_once_and_hides_session,
                sessions_clear_removes_all,
                decisions_filters_on_client_and_hinted_user,
                decisions_are_taken_oldest_first_and_once,
                decisions_concurrent_takes_take_each_once,
                meta_get_or_init_keeps_first_value,
                meta_advance_never_goes_back,
                meta_concurrent_advances_each_count,
                reset_clears_flow_data_but_keeps_identities_and_clients,
                purge_forgets_only_what_has_expired,
                purge_sweeps_every_row_of_a_large_table,
                purge_forgets_a_revoked_grant_once_nothing_of_it_is_left,
                purge_forgets_what_rps_did_with_their_login,
                assertions_jti_is_recorded_once_per_client,
                assertions_concurrent_records_have_one_winner,
                pushed_requests_are_taken_once,
                pushed_requests_concurrent_takes_have_one_winner,
                pushed_and_assertions_are_purged_after_expiry,
            );
            $($extra)*
        }
    };
    // Contracts that take the whole subject (to reopen it), not only its store.
    (@whole $make:expr; $($contract:ident),* $(,)?) => {
        $(
            #[test]
            fn $contract() {
                if let Some(subject) = super::Available::get($make()) {
                    super::$contract(subject);
                }
            }
        )*
    };
    (@each $make:expr; $($contract:ident),* $(,)?) => {
        $(
            #[test]
            fn $contract() {
                let Some(subject) = super::Available::get($make()) else {
                    return;
                };
                super::$contract(&subject.store);
            }
        )*
    };
}

/// A subject, or none where its server is not there (outside CI only; see [`postgres`]).
trait Available {
    fn get(self) -> Option<Subject>;
}

impl Available for Subject {
    fn get(self) -> Option<Subject> {
        Some(self)
    }
}

impl Available for Option<Subject> {
    fn get(self) -> Option<Subject> {
        self
    }
}

/// The PostgreSQL store on the server named by `TEST_POSTGRES_URL` (`scripts/test` starts a
/// throw-away one), each test in a schema of its own. Without the variable the tests are
/// skipped with a note, except in CI (`CI=true`), where that is a failure.
fn postgres() -> Option<Subject> {
    let Ok(url) = std::env::var("TEST_POSTGRES_URL") else {
        assert!(
            std::env::var("CI").is_err(),
            "TEST_POSTGRES_URL is not set: CI runs the store contract on PostgreSQL (scripts/test starts a server)"
        );
        eprintln!("skipped: TEST_POSTGRES_URL is not set (scripts/postgres start DIR prints one)");
        return None;
    };
    let schema = format!("contract_{}", uuid::Uuid::new_v4().simple());
    let open =
        move || Store::from_postgres(Arc::new(PgStore::connect(&url, Some(&schema)).unwrap()));
    Some(Subject {
        store: open(),
        reopen: Some(Box::new(open)),
        _dir: None,
    })
}

contract_tests!(sqlite_memory, super::sqlite_memory);
contract_tests!(sqlite_file, super::sqlite_file, durable);
contract_tests!(postgres, super::postgres, durable, shared);

// ---------------------------------------------------------------------------------------------
// Model values
// ---------------------------------------------------------------------------------------------

const NOW: UnixTime = 1_700_000_000;
const THREADS: usize = 8;

fn json<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap()
}

fn client(id: &str, name: &str) -> Client {
    Client {
        client_id: ClientId::new(id),
        name: name.into(),
        secret_hash: Some(format!("hash-of-{id}-secret")),
        redirect_uris: vec![format!("https://{id}.example/callback")],
        post_logout_redirect_uris: vec![format!("https://{id}.example/")],
        token_endpoint_auth_method: AuthMethod::ClientSecretPost,
        require_pkce: true,
        id_token_signed_response_alg: keys::Alg::ES256,
        subject_type: SubjectType::Pairwise,
        sector_identifier: Some(format!("{id}.example")),
        private_service: true,
        backchannel_logout_uri: Some(format!("https://{id}.example/backchannel")),
        backchannel_logout_session_required: true,
        jose: Default::default(),
        registration: None,
        response_types: vec![crate::model::ResponseType::CODE],
        frontchannel_logout_uri: Some(format!("https://{id}.example/frontchannel")),
        frontchannel_logout_session_required: true,
        defaults: crate::model::ClientDefaults {
            default_max_age: Some(600),
            default_acr_values: vec![crate::model::Level::High.uri().to_string()],
            require_auth_time: true,
        },
    }
}

fn identity(id: &str, user_id: &str) -> Identity {
    let mut identity = Identity::new(
        IdentityId::new(id),
        UserId::new(user_id),
        &format!("Given {user_id}"),
        "Jensen",
    );
    identity.birthdate = Some("1990-05-17".into());
    identity.email = Some(format!("{user_id}@example.dk"));
    identity.email_verified = true;
    identity
}

fn request(client_id: &str, login_hint: Option<&str>) -> AuthRequest {
    AuthRequest {
        profile: Default::default(),
        dialect_scopes: Vec::new(),
        simulation: None,
        client_id: ClientId::new(client_id),
        redirect_uri: format!("https://{client_id}.example/callback"),
        response_type: Default::default(),
        response_mode: Default::default(),
        claims: None,
        subject_hint: None,
        state: Some("state".into()),
        nonce: Some("nonce".into()),
        scopes: vec!["openid".into(), "profile".into()],
        code_challenge: None,
        prompt: vec![],
        max_age: None,
        login_hint: login_hint.map(str::to_string),
        ui_locales: vec![],
        acr: None,
        idp_values: vec![],
        action_text: Default::default(),
        reference_text: Some("Lejekontrakt".into()),
    }
}

fn login(id: &str, created_at: UnixTime, expires_at: UnixTime) -> LoginTxn {
    LoginTxn {
        id: TxnId::new(id),
        request: request("app", Some("anna")),
        csrf: format!("csrf-{id}"),
        created_at,
        expires_at,
        status: LoginStatus::Pending,
        delivered: false,
        response: None,
        flow: Default::default(),
    }
}

fn approved(user_id: &str) -> LoginStatus {
    LoginStatus::Approved {
        identity_id: IdentityId::new(format!("id-{user_id}")),
        user_id: UserId::new(user_id),
        acr: Level::High,
        amr: vec!["pwd".into()],
        assurance: Assurance::default(),
        business: None,
        decided_by: DecisionSource::Explicit {
            via: "control".into(),
        },
        decided_at: NOW + 5,
    }
}

fn rejected() -> LoginStatus {
    LoginStatus::Rejected {
        description: "mitid_identity_locked".into(),
        detail: Some("the identity is suspended".into()),
        decided_by: DecisionSource::InstanceDefault,
        decided_at: NOW + 6,
    }
}

fn grant(id: &str) -> Grant {
    Grant {
        profile: Default::default(),
        dialect_scopes: Vec::new(),
        id: GrantId::new(id),
        client_id: ClientId::new("app"),
        identity_id: IdentityId::new("id-anna"),
        scopes: vec!["openid".into(), "email".into()],
        auth_time: NOW,
        acr: Level::Substantial,
        amr: vec!["pwd".into()],
        assurance: Assurance::default(),
        sid: Sid::new(format!("sid-{id}")),
        business: None,
        login_id: Some(TxnId::new(format!("login-{id}"))),
        claims: None,
    }
}

fn code(hash: &str, grant_id: &str) -> AuthCode {
    AuthCode {
        hash: hash.into(),
        grant: grant(grant_id),
        redirect_uri: "https://app.example/callback".into(),
        code_challenge: Some("challenge".into()),
        nonce: Some("nonce".into()),
        expires_at: NOW + 60,
    }
}

fn access(hash: &str, grant_id: &str) -> AccessToken {
    AccessToken {
        hash: hash.into(),
        grant: grant(grant_id),
        issued_at: NOW,
        expires_at: NOW + 300,
    }
}

fn refresh(hash: &str, grant_id: &str) -> RefreshToken {
    RefreshToken {
        hash: hash.into(),
        grant: grant(grant_id),
        issued_at: NOW,
        expires_at: NOW + 3600,
    }
}

fn session(sid: &str, cookie_hash: &str) -> Session {
    Session {
        profile: Default::default(),
        sid: Sid::new(sid),
        cookie_hash: cookie_hash.into(),
        identity_id: IdentityId::new("id-anna"),
        auth_time: NOW,
        acr: Level::Substantial,
        amr: vec!["pwd".into()],
        assurance: Assurance::default(),
        business: None,
        expires_at: NOW + 3600,
        clients: Vec::new(),
    }
}

fn decision(
    id: &str,
    client_id: Option<&str>,
    for_user_id: Option<&str>,
    created_at: UnixTime,
) -> QueuedDecision {
    QueuedDecision {
        id: id.into(),
        outcome: DecisionOutcome::Approve {
            user_id: None,
            business: Some("12345674".into()),
        },
        client_id: client_id.map(ClientId::new),
        for_user_id: for_user_id.map(UserId::new),
        created_at,
    }
}

fn decision_ids(store: &Store) -> Vec<String> {
    store
        .decisions
        .list()
        .unwrap()
        .into_iter()
        .map(|d| d.id)
        .collect()
}

fn take_decision(store: &Store, client: &str, hint: Option<&str>) -> Option<String> {
    let hint = hint.map(UserId::new);
    store
        .decisions
        .take_matching(&ClientId::new(client), hint.as_ref())
        .unwrap()
        .map(|d| d.id)
}

/// Runs `f` on [`THREADS`] threads released together; returns their results.
fn race<T: Send>(f: impl Fn() -> T + Sync) -> Vec<T> {
    let barrier = Barrier::new(THREADS);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                s.spawn(|| {
                    barrier.wait();
                    f()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

// ---------------------------------------------------------------------------------------------
// Clients
// ---------------------------------------------------------------------------------------------

fn clients_create_then_get_and_list(store: &Store) {
    let app = client("app", "App");
    let shop = client("shop", "Shop");
    assert!(store.clients.list().unwrap().is_empty());
    store.clients.create(&shop).unwrap();
    store.clients.create(&app).unwrap();

    let got = store.clients.get(&ClientId::new("app")).unwrap().unwrap();
    assert_eq!(json(&got), json(&app));
    assert!(store
        .clients
        .get(&ClientId::new("nobody"))
        .unwrap()
        .is_none());

    let mut listed: Vec<_> = store.clients.list().unwrap().iter().map(json).collect();
    listed.sort_by_key(|c| c["client_id"].as_str().map(str::to_string));
    assert_eq!(listed, vec![json(&app), json(&shop)]);
}

fn clients_create_of_existing_id_is_conflict(store: &Store) {
    store.clients.create(&client("app", "Original")).unwrap();
    let err = store
        .clients
        .create(&client("app", "Impostor"))
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    let kept = store.clients.get(&ClientId::new("app")).unwrap().unwrap();
    assert_eq!(kept.name, "Original");
    assert_eq!(store.clients.list().unwrap().len(), 1);
}

fn clients_put_inserts_and_replaces(store: &Store) {
    store.clients.put(&client("app", "First")).unwrap();
    assert_eq!(
        store
            .clients
            .get(&ClientId::new("app"))
            .unwrap()
            .unwrap()
            .name,
        "First"
    );
    let mut second = client("app", "Second");
    second.redirect_uris = vec!["https://new.example/cb".into()];
    second.secret_hash = None;
    store.clients.put(&second).unwrap();
    let got = store.clients.get(&ClientId::new("app")).unwrap().unwrap();
    assert_eq!(json(&got), json(&second));
    assert_eq!(store.clients.list().unwrap().len(), 1);
}

fn clients_delete_returns_true_then_false(store: &Store) {
    store.clients.create(&client("app", "App")).unwrap();
    store.clients.create(&client("shop", "Shop")).unwrap();
    let id = ClientId::new("app");
    assert!(store.clients.delete(&id).unwrap());
    assert!(!store.clients.delete(&id).unwrap());
    assert!(store.clients.get(&id).unwrap().is_none());
    let left: Vec<_> = store
        .clients
        .list()
        .unwrap()
        .into_iter()
        .map(|c| c.client_id)
        .collect();
    assert_eq!(left, vec![ClientId::new("shop")]);
    // Deleted ids can be registered again.
    store.clients.create(&client("app", "Again")).unwrap();
}

// ---------------------------------------------------------------------------------------------
// Identities
// ---------------------------------------------------------------------------------------------

fn identities_create_get_and_list_in_insertion_order(store: &Store) {
    // Insertion order differs from both id and user ID order.
    let zed = identity("id-c", "zed");
    let anna = identity("id-a", "anna");
    let bo = identity("id-b", "bo");
    for i in [&zed, &anna, &bo] {
        store.identities.create(i).unwrap();
    }
    assert_eq!(
        store.identities.list().unwrap(),
        vec![zed, anna.clone(), bo]
    );
    assert_eq!(
        store.identities.get(&IdentityId::new("id-a")).unwrap(),
        Some(anna.clone())
    );
    assert_eq!(
        store.identities.by_user_id(&UserId::new("anna")).unwrap(),
        Some(anna)
    );
    assert!(store
        .identities
        .get(&IdentityId::new("id-x"))
        .unwrap()
        .is_none());
    assert!(store
        .identities
        .by_user_id(&UserId::new("nobody"))
        .unwrap()
        .is_none());
}

fn identities_duplicate_user_id_or_id_is_conflict(store: &Store) {
    let anna = identity("id-a", "anna");
    store.identities.create(&anna).unwrap();

    let err = store
        .identities
        .create(&identity("id-other", "anna"))
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    let err = store
        .identities
        .create(&identity("id-a", "someone-else"))
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");

    assert_eq!(store.identities.list().unwrap(), vec![anna.clone()]);
    assert_eq!(
        store.identities.by_user_id(&UserId::new("anna")).unwrap(),
        Some(anna)
    );
    assert!(store
        .identities
        .get(&IdentityId::new("id-other"))
        .unwrap()
        .is_none());
}

fn identities_update_moves_user_id(store: &Store) {
    store.identities.create(&identity("id-a", "anna")).unwrap();
    let mut renamed = identity("id-a", "anna2");
    renamed.family_name = "Hansen".into();
    assert!(store.identities.update(&renamed).unwrap());

    assert!(store
        .identities
        .by_user_id(&UserId::new("anna"))
        .unwrap()
        .is_none());
    assert_eq!(
        store.identities.by_user_id(&UserId::new("anna2")).unwrap(),
        Some(renamed.clone())
    );
    assert_eq!(
        store.identities.get(&IdentityId::new("id-a")).unwrap(),
        Some(renamed.clone())
    );
    assert_eq!(store.identities.list().unwrap(), vec![renamed]);
    // The old user ID is free again.
    store.identities.create(&identity("id-b", "anna")).unwrap();

    assert!(!store
        .identities
        .update(&identity("id-missing", "ghost"))
        .unwrap());
    assert!(store
        .identities
        .by_user_id(&UserId::new("ghost"))
        .unwrap()
        .is_none());
}

fn identities_update_to_taken_user_id_is_conflict(store: &Store) {
    let anna = identity("id-a", "anna");
    let bo = identity("id-b", "bo");
    store.identities.create(&anna).unwrap();
    store.identities.create(&bo).unwrap();

    let err = store
        .identities
        .update(&identity("id-b", "anna"))
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(
        store.identities.by_user_id(&UserId::new("anna")).unwrap(),
        Some(anna)
    );
    assert_eq!(
        store.identities.get(&IdentityId::new("id-b")).unwrap(),
        Some(bo)
    );
}

fn identities_delete_returns_true_then_false(store: &Store) {
    let anna = identity("id-a", "anna");
    let bo = identity("id-b", "bo");
    store.identities.create(&anna).unwrap();
    store.identities.create(&bo).unwrap();
    let id = IdentityId::new("id-a");
    assert!(store.identities.delete(&id).unwrap());
    assert!(!store.identities.delete(&id).unwrap());
    assert!(store.identities.get(&id).unwrap().is_none());
    assert!(store
        .identities
        .by_user_id(&UserId::new("anna"))
        .unwrap()
        .is_none());
    assert_eq!(store.identities.list().unwrap(), vec![bo]);
}

// ---------------------------------------------------------------------------------------------
// Logins
// ---------------------------------------------------------------------------------------------

fn logins_are_created_pending(store: &Store) {
    let txn = login("t1", NOW, NOW + 600);
    store.logins.create(&txn).unwrap();
    let got = store.logins.get(&TxnId::new("t1")).unwrap().unwrap();
    assert_eq!(got, txn);
    assert!(got.status.is_pending());
    assert!(!got.delivered);
    assert_eq!(store.logins.list_pending(NOW).unwrap(), vec![txn]);
    assert!(store.logins.get(&TxnId::new("t2")).unwrap().is_none());
}

fn logins_list_pending_excludes_expired_and_settled(store: &Store) {
    // Created out of order, to check "oldest first".
    let late = login("t-late", NOW + 3, NOW + 600);
    let early = login("t-early", NOW, NOW + 600);
    let expiring = login("t-expiring", NOW + 1, NOW + 200);
    let settled = login("t-settled", NOW + 2, NOW + 600);
    for t in [&late, &early, &expiring, &settled] {
        store.logins.create(t).unwrap();
    }
    let settle = store.logins.settle(&settled.id, &rejected()).unwrap();
    assert!(matches!(settle, Settle::Settled(_)), "{settle:?}");

    let ids = |now| -> Vec<TxnId> {
        store
            .logins
            .list_pending(now)
            .unwrap()
            .into_iter()
            .map(|t| t.id)
            .collect()
    };
    assert_eq!(
        ids(NOW + 199),
        vec![early.id.clone(), expiring.id, late.id.clone()]
    );
    // expires_at <= now is expired.
    assert_eq!(ids(NOW + 200), vec![early.id, late.id]);
    assert!(ids(NOW + 600).is_empty());
}

fn logins_settle_writes_once_and_keeps_first_status(store: &Store) {
    let txn = login("t1", NOW, NOW + 600);
    store.logins.create(&txn).unwrap();

    let first = store.logins.settle(&txn.id, &approved("anna")).unwrap();
    let mut expected = txn.clone();
    expected.status = approved("anna");
    assert_eq!(first, Settle::Settled(expected.clone()));

    let second = store.logins.settle(&txn.id, &rejected()).unwrap();
    assert_eq!(second, Settle::AlreadySettled(expected.clone()));

    // Settling again with the same status is still not a second write.
    let third = store.logins.settle(&txn.id, &approved("anna")).unwrap();
    assert_eq!(third, Settle::AlreadySettled(expected.clone()));

    assert_eq!(store.logins.get(&txn.id).unwrap(), Some(expected));
    assert!(store.logins.list_pending(NOW).unwrap().is_empty());
}

fn logins_settle_unknown_is_not_found(store: &Store) {
    store.logins.create(&login("t1", NOW, NOW + 600)).unwrap();
    let got = store
        .logins
        .settle(&TxnId::new("t-unknown"), &approved("anna"))
        .unwrap();
    assert_eq!(got, Settle::NotFound);
    assert!(store
        .logins
        .get(&TxnId::new("t-unknown"))
        .unwrap()
        .is_none());
}

fn logins_concurrent_settles_have_one_winner(store: &Store) {
    let txn = login("t1", NOW, NOW + 600);
    store.logins.create(&txn).unwrap();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = race(|| {
        let n = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let status = if n.is_multiple_of(2) {
            approved(&format!("user{n}"))
        } else {
            rejected()
        };
        store.logins.settle(&txn.id, &status).unwrap()
    });
    let winners: Vec<_> = results
        .iter()
        .filter_map(|r| match r {
            Settle::Settled(t) => Some(t.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    let standing = &winners[0];
    for r in &results {
        match r {
            Settle::Settled(t) | Settle::AlreadySettled(t) => assert_eq!(t, standing),
            Settle::NotFound => panic!("login vanished: {results:?}"),
        }
    }
    assert_eq!(store.logins.get(&txn.id).unwrap().as_ref(), Some(standing));
}

fn logins_mark_delivered_is_true_once(store: &Store) {
    let txn = login("t1", NOW, NOW + 600);
    store.logins.create(&txn).unwrap();
    store.logins.settle(&txn.id, &approved("anna")).unwrap();

    let answer = Delivered {
        to_client: ToClient::Redirect {
            location: "https://rp.example/cb?code=c1".into(),
        },
        code_hash: Some("h1".into()),
        until: NOW + 60,
    };
    let other_answer = Delivered {
        code_hash: Some("h2".into()),
        ..answer.clone()
    };
    assert!(store.logins.mark_delivered(&txn.id, Some(&answer)).unwrap());
    assert!(!store
        .logins
        .mark_delivered(&txn.id, Some(&other_answer))
        .unwrap());
    let got = store.logins.get(&txn.id).unwrap().unwrap();
    assert!(got.delivered);
    // The first answer stands.
    assert_eq!(got.response, Some(answer));
    // Delivery does not disturb the settled status.
    assert_eq!(got.status, approved("anna"));
    assert!(!store
        .logins
        .mark_delivered(&TxnId::new("t-unknown"), None)
        .unwrap());

    let results = {
        let other = login("t2", NOW, NOW + 600);
        store.logins.create(&other).unwrap();
        race(|| store.logins.mark_delivered(&other.id, None).unwrap())
    };
    assert_eq!(results.iter().filter(|d| **d).count(), 1, "{results:?}");
}

fn logins_clear_removes_all(store: &Store) {
    store.logins.create(&login("t1", NOW, NOW + 600)).unwrap();
    store.logins.create(&login("t2", NOW, NOW + 600)).unwrap();
    store
        .logins
        .settle(&TxnId::new("t2"), &approved("anna"))
        .unwrap();
    store.logins.clear().unwrap();
    assert!(store.logins.get(&TxnId::new("t1")).unwrap().is_none());
    assert!(store.logins.get(&TxnId::new("t2")).unwrap().is_none());
    assert!(store.logins.list_pending(NOW).unwrap().is_empty());
    assert_eq!(
        store.logins.settle(&TxnId::new("t1"), &rejected()).unwrap(),
        Settle::NotFound
    );
}

// ---------------------------------------------------------------------------------------------
// Faults (the RP test kit)
// ---------------------------------------------------------------------------------------------

fn queued_fault(id: &str, fault: Fault, client: &str, count: u32) -> QueuedFault {
    QueuedFault {
        id: id.into(),
        fault,
        client_id: ClientId::new(client),
        remaining: count,
        created_at: NOW,
        delay_seconds: None,
    }
}

/// The fault of the next use taken, if any.
fn took(store: &Store, client: &ClientId, stage: Stage) -> Option<Fault> {
    store.faults.take(client, stage).unwrap().map(|q| q.fault)
}

/// Takes that find the queues empty do not hide what is queued next, however often the
/// queues empty and fill (the SQLite store skips the database while it knows they are empty).
fn queues_found_empty_still_give_what_is_queued_next(store: &Store) {
    let rp = ClientId::new("rp");
    let take_decision = || store.decisions.take_matching(&rp, None).unwrap();
    for round in 0..3 {
        assert_eq!(took(store, &rp, Stage::IdToken), None, "round {round}");
        assert_eq!(take_decision(), None, "round {round}");
        store
            .faults
            .enqueue(&queued_fault(
                &format!("f{round}"),
                Fault::InvalidIss,
                "rp",
                1,
            ))
            .unwrap();
        store
            .decisions
            .enqueue(&decision(&format!("d{round}"), Some("rp"), None, NOW))
            .unwrap();
        // Another client's and another stage's take find nothing and leave them queued.
        assert_eq!(took(store, &ClientId::new("other"), Stage::IdToken), None);
        assert_eq!(took(store, &rp, Stage::Userinfo), None);
        assert_eq!(
            store
                .decisions
                .take_matching(&ClientId::new("other"), None)
                .unwrap(),
            None
        );
        assert_eq!(took(store, &rp, Stage::IdToken), Some(Fault::InvalidIss));
        assert_eq!(
            take_decision().map(|d| d.id),
            Some(format!("d{round}")),
            "round {round}"
        );
    }
    assert!(store.faults.list().unwrap().is_empty());
    assert!(store.decisions.list().unwrap().is_empty());
}

fn faults_are_taken_once_per_use_by_their_client_and_stage(store: &Store) {
    let rp = ClientId::new("rp");
    let other = ClientId::new("other");
    store
        .faults
        .enqueue(&queued_fault("f1", Fault::InvalidIss, "rp", 2))
        .unwrap();
    store
        .faults
        .enqueue(&queued_fault("f2", Fault::Userinfo500, "rp", 1))
        .unwrap();
    store
        .faults
        .enqueue(&queued_fault("f3", Fault::MissingSub, "rp", 1))
        .unwrap();
    // Never another client's, never another stage's.
    assert_eq!(took(store, &other, Stage::IdToken), None);
    assert_eq!(took(store, &rp, Stage::TokenEndpoint), None);
    // The oldest of the stage first, for as many uses as it was queued.
    assert_eq!(took(store, &rp, Stage::IdToken), Some(Fault::InvalidIss));
    assert_eq!(store.faults.list().unwrap()[0].remaining, 1);
    assert_eq!(took(store, &rp, Stage::IdToken), Some(Fault::InvalidIss));
    assert_eq!(took(store, &rp, Stage::IdToken), Some(Fault::MissingSub));
    assert_eq!(took(store, &rp, Stage::IdToken), None);
    let left: Vec<String> = store
        .faults
        .list()
        .unwrap()
        .into_iter()
        .map(|f| f.id)
        .collect();
    assert_eq!(left, ["f2"]);
    // Removed by id, by client, or all.
    assert_eq!(store.faults.remove(Some("nope"), None).unwrap(), 0);
    assert_eq!(store.faults.remove(None, Some(&other)).unwrap(), 0);
    assert_eq!(store.faults.remove(Some("f2"), None).unwrap(), 1);
    assert!(store.faults.list().unwrap().is_empty());
    // Uses are recorded per login.
    let login = TxnId::new("t1");
    let used = RpEvent {
        client_id: rp.clone(),
        login_id: Some(login.clone()),
        at: NOW,
        act: RpAct::Fault {
            fault: Fault::InvalidIss,
        },
    };
    let then = RpEvent {
        act: RpAct::Userinfo,
        ..used.clone()
    };
    assert_eq!(store.faults.latest_login(&rp).unwrap(), None);
    store.faults.record(&[]).unwrap();
    // A batch keeps its order.
    store.faults.record(&[used.clone(), then.clone()]).unwrap();
    // The client's latest login is its latest event's; another client's are its own.
    let later = RpEvent {
        login_id: Some(TxnId::new("t3")),
        ..then.clone()
    };
    store.faults.record(std::slice::from_ref(&later)).unwrap();
    assert_eq!(
        store.faults.latest_login(&rp).unwrap(),
        Some(TxnId::new("t3"))
    );
    assert_eq!(store.faults.latest_login(&other).unwrap(), None);
    assert_eq!(
        store.faults.events_for_login(&login).unwrap(),
        vec![used, then]
    );
    assert!(store
        .faults
        .events_for_login(&TxnId::new("t2"))
        .unwrap()
        .is_empty());
}

fn faults_concurrent_takes_yield_their_count(store: &Store) {
    let rp = ClientId::new("rp");
    store
        .faults
        .enqueue(&queued_fault("f1", Fault::NonceInvalid, "rp", 3))
        .unwrap();
    let taken = race(|| took(store, &rp, Stage::IdToken));
    assert_eq!(taken.iter().filter(|t| t.is_some()).count(), 3, "{taken:?}");
    assert!(store.faults.list().unwrap().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Codes
// ---------------------------------------------------------------------------------------------

fn codes_are_taken_once(store: &Store) {
    let c = code("code-hash", "grant-1");
    store.codes.put(&c).unwrap();
    store.codes.put(&code("other-hash", "grant-2")).unwrap();

    assert!(store.codes.is_unspent("code-hash").unwrap());
    assert!(!store.codes.is_unspent("no-such-hash").unwrap());
    assert_eq!(store.codes.take("code-hash").unwrap(), Take::Taken(c));
    assert!(!store.codes.is_unspent("code-hash").unwrap());
    assert!(store.codes.is_unspent("other-hash").unwrap());
    assert_eq!(
        store.codes.take("code-hash").unwrap(),
        Take::AlreadyTaken(GrantId::new("grant-1"))
    );
    assert_eq!(
        store.codes.take("code-hash").unwrap(),
        Take::AlreadyTaken(GrantId::new("grant-1"))
    );
    // Taking one code leaves the others alone.
    assert_eq!(
        store.codes.take("other-hash").unwrap(),
        Take::Taken(code("other-hash", "grant-2"))
    );
}

fn codes_unknown_hash_is_not_found(store: &Store) {
    store.codes.put(&code("code-hash", "grant-1")).unwrap();
    assert_eq!(store.codes.take("no-such-hash").unwrap(), Take::NotFound);
    assert_eq!(store.codes.take("").unwrap(), Take::NotFound);
}

fn codes_concurrent_takes_yield_one_taken(store: &Store) {
    let c = code("code-hash", "grant-1");
    store.codes.put(&c).unwrap();
    let results = race(|| store.codes.take("code-hash").unwrap());
    let taken = results
        .iter()
        .filter(|r| matches!(r, Take::Taken(_)))
        .count();
    assert_eq!(taken, 1, "{results:?}");
    for r in &results {
        match r {
            Take::Taken(got) => assert_eq!(got, &c),
            Take::AlreadyTaken(g) => assert_eq!(g, &GrantId::new("grant-1")),
            Take::NotFound => panic!("code vanished: {results:?}"),
        }
    }
}

fn codes_clear_removes_all(store: &Store) {
    store.codes.put(&code("a", "grant-1")).unwrap();
    store.codes.put(&code("b", "grant-2")).unwrap();
    store.codes.take("b").unwrap();
    store.codes.clear().unwrap();
    assert_eq!(store.codes.take("a").unwrap(), Take::NotFound);
    assert_eq!(store.codes.take("b").unwrap(), Take::NotFound);
}

// ---------------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------------

fn tokens_access_put_get_and_revoke(store: &Store) {
    let a = access("at-1", "grant-1");
    let b = access("at-2", "grant-1");
    store.tokens.put_access(&a).unwrap();
    store.tokens.put_access(&b).unwrap();
    assert_eq!(store.tokens.get_access("at-1").unwrap(), Some(a));
    assert!(store.tokens.get_access("at-unknown").unwrap().is_none());

    assert!(store.tokens.revoke_access("at-1").unwrap());
    assert!(store.tokens.get_access("at-1").unwrap().is_none());
    assert!(!store.tokens.revoke_access("at-unknown").unwrap());
    // Only the revoked token is gone.
    assert_eq!(store.tokens.get_access("at-2").unwrap(), Some(b));
}

fn tokens_refresh_is_taken_once(store: &Store) {
    let r = refresh("rt-1", "grant-1");
    store.tokens.put_refresh(&r).unwrap();
    assert_eq!(store.tokens.get_refresh("rt-1").unwrap(), Some(r.clone()));
    // Looking does not use it.
    assert_eq!(store.tokens.get_refresh("rt-1").unwrap(), Some(r.clone()));

    assert_eq!(store.tokens.take_refresh("rt-1").unwrap(), Take::Taken(r));
    assert!(store.tokens.get_refresh("rt-1").unwrap().is_none());
    assert_eq!(
        store.tokens.take_refresh("rt-1").unwrap(),
        Take::AlreadyTaken(GrantId::new("grant-1"))
    );
    assert_eq!(
        store.tokens.take_refresh("rt-unknown").unwrap(),
        Take::NotFound
    );
}

fn tokens_refresh_concurrent_takes_yield_one_taken(store: &Store) {
    store
        .tokens
        .put_refresh(&refresh("rt-1", "grant-1"))
        .unwrap();
    let results = race(|| store.tokens.take_refresh("rt-1").unwrap());
    let taken = results
        .iter()
        .filter(|r| matches!(r, Take::Taken(_)))
        .count();
    assert_eq!(taken, 1, "{results:?}");
    assert!(
        results.iter().all(|r| match r {
            Take::Taken(_) => true,
            Take::AlreadyTaken(g) => g == &GrantId::new("grant-1"),
            Take::NotFound => false,
        }),
        "{results:?}"
    );
}

fn tokens_revoke_refresh_ends_it(store: &Store) {
    let kept = refresh("rt-2", "grant-1");
    store
        .tokens
        .put_refresh(&refresh("rt-1", "grant-1"))
        .unwrap();
    store.tokens.put_refresh(&kept).unwrap();

    assert!(store.tokens.revoke_refresh("rt-1").unwrap());
    assert!(store.tokens.get_refresh("rt-1").unwrap().is_none());
    let take = store.tokens.take_refresh("rt-1").unwrap();
    assert!(!matches!(take, Take::Taken(_)), "{take:?}");
    assert!(!store.tokens.revoke_refresh("rt-unknown").unwrap());

    assert_eq!(
        store.tokens.get_refresh("rt-2").unwrap(),
        Some(kept.clone())
    );
    assert_eq!(
        store.tokens.take_refresh("rt-2").unwrap(),
        Take::Taken(kept)
    );
}

fn tokens_revoke_grant_spares_other_grants(store: &Store) {
    let a_access = access("at-a", "grant-a");
    let a_access2 = access("at-a2", "grant-a");
    let a_refresh = refresh("rt-a", "grant-a");
    let b_access = access("at-b", "grant-b");
    let b_refresh = refresh("rt-b", "grant-b");
    store.tokens.put_access(&a_access).unwrap();
    store.tokens.put_access(&a_access2).unwrap();
    store.tokens.put_refresh(&a_refresh).unwrap();
    store.tokens.put_access(&b_access).unwrap();
    store.tokens.put_refresh(&b_refresh).unwrap();

    store.tokens.revoke_grant(&GrantId::new("grant-a")).unwrap();

    assert!(store.tokens.get_access("at-a").unwrap().is_none());
    assert!(store.tokens.get_access("at-a2").unwrap().is_none());
    assert!(store.tokens.get_refresh("rt-a").unwrap().is_none());
    let take = store.tokens.take_refresh("rt-a").unwrap();
    assert!(!matches!(take, Take::Taken(_)), "{take:?}");

    assert_eq!(store.tokens.get_access("at-b").unwrap(), Some(b_access));
    assert_eq!(
        store.tokens.get_refresh("rt-b").unwrap(),
        Some(b_refresh.clone())
    );
    assert_eq!(
        store.tokens.take_refresh("rt-b").unwrap(),
        Take::Taken(b_refresh)
    );

    // Revoking a grant whose refresh token was already used still ends its access tokens.
    store.tokens.put_access(&access("at-c", "grant-c")).unwrap();
    store
        .tokens
        .put_refresh(&refresh("rt-c", "grant-c"))
        .unwrap();
    store.tokens.take_refresh("rt-c").unwrap();
    store.tokens.revoke_grant(&GrantId::new("grant-c")).unwrap();
    assert!(store.tokens.get_access("at-c").unwrap().is_none());
    let take = store.tokens.take_refresh("rt-c").unwrap();
    assert!(!matches!(take, Take::Taken(_)), "{take:?}");
}

fn tokens_stored_after_revoke_grant_are_dead(store: &Store) {
    // A concurrent refresh may store its new tokens after a replay revoked the grant.
    store.tokens.revoke_grant(&GrantId::new("grant-a")).unwrap();
    store
        .tokens
        .put_access(&access("at-late", "grant-a"))
        .unwrap();
    store
        .tokens
        .put_refresh(&refresh("rt-late", "grant-a"))
        .unwrap();
    assert!(store.tokens.get_access("at-late").unwrap().is_none());
    assert!(store.tokens.get_refresh("rt-late").unwrap().is_none());
    let take = store.tokens.take_refresh("rt-late").unwrap();
    assert!(!matches!(take, Take::Taken(_)), "{take:?}");

    // Other grants are untouched, and clearing the store forgets the revocation.
    store.tokens.put_access(&access("at-b", "grant-b")).unwrap();
    assert!(store.tokens.get_access("at-b").unwrap().is_some());
    store.tokens.clear().unwrap();
    store.tokens.put_access(&access("at-a", "grant-a")).unwrap();
    assert!(store.tokens.get_access("at-a").unwrap().is_some());
}

// ---------------------------------------------------------------------------------------------
// Sessions
// ---------------------------------------------------------------------------------------------

fn sessions_put_and_find_by_cookie(store: &Store) {
    let s1 = session("sid-1", "cookie-1");
    let s2 = session("sid-2", "cookie-2");
    store.sessions.put(&s1).unwrap();
    store.sessions.put(&s2).unwrap();
    assert_eq!(
        store.sessions.by_cookie("cookie-1").unwrap(),
        Some(s1.clone())
    );
    assert_eq!(store.sessions.by_cookie("cookie-2").unwrap(), Some(s2));
    assert!(store.sessions.by_cookie("sid-1").unwrap().is_none());
    assert_eq!(store.sessions.live(&s1.sid).unwrap(), Some(s1.clone()));
    assert!(store
        .sessions
        .live(&Sid::new("cookie-1"))
        .unwrap()
        .is_none());
    assert!(store
        .sessions
        .by_cookie("cookie-unknown")
        .unwrap()
        .is_none());
}

fn sessions_end_is_true_once_and_hides_session(store: &Store) {
    let s1 = session("sid-1", "cookie-1");
    let s2 = session("sid-2", "cookie-2");
    store.sessions.put(&s1).unwrap();
    store.sessions.put(&s2).unwrap();

    assert!(store.sessions.end(&s1.sid).unwrap());
    assert!(store.sessions.by_cookie("cookie-1").unwrap().is_none());
    assert!(store.sessions.live(&s1.sid).unwrap().is_none());
    assert!(!store.sessions.end(&s1.sid).unwrap());
    assert!(!store.sessions.end(&Sid::new("sid-unknown")).unwrap());
    assert_eq!(store.sessions.by_cookie("cookie-2").unwrap(), Some(s2));
}

fn sessions_clear_removes_all(store: &Store) {
    store.sessions.put(&session("sid-1", "cookie-1")).unwrap();
    store.sessions.put(&session("sid-2", "cookie-2")).unwrap();
    store.sessions.clear().unwrap();
    assert!(store.sessions.by_cookie("cookie-1").unwrap().is_none());
    assert!(store.sessions.by_cookie("cookie-2").unwrap().is_none());
    assert!(!store.sessions.end(&Sid::new("sid-1")).unwrap());
}

// ---------------------------------------------------------------------------------------------
// Decisions
// ---------------------------------------------------------------------------------------------

fn decisions_filters_on_client_and_hinted_user(store: &Store) {
    store
        .decisions
        .enqueue(&decision("d-shop", Some("shop"), None, NOW))
        .unwrap();
    store
        .decisions
        .enqueue(&decision("d-bo", None, Some("bo"), NOW + 1))
        .unwrap();
    store
        .decisions
        .enqueue(&decision("d-any", None, None, NOW + 2))
        .unwrap();

    // d-shop is for another client, d-bo for another user: the unfiltered one matches.
    assert_eq!(
        take_decision(store, "app", Some("anna")),
        Some("d-any".into())
    );
    assert_eq!(decision_ids(store), vec!["d-shop", "d-bo"]);
    // A decision for "bo" does not match a login hinting nobody, nor one hinting "anna".
    assert_eq!(take_decision(store, "app", None), None);
    assert_eq!(take_decision(store, "app", Some("anna")), None);
    assert_eq!(decision_ids(store), vec!["d-shop", "d-bo"]);
    // A login hinting "bo" at "app" gets d-bo, skipping the older d-shop.
    assert_eq!(take_decision(store, "app", Some("bo")), Some("d-bo".into()));
    assert_eq!(take_decision(store, "app", Some("bo")), None);
    assert_eq!(decision_ids(store), vec!["d-shop"]);
    // The client filter matches its own client, with or without a hint.
    assert_eq!(
        take_decision(store, "shop", Some("anna")),
        Some("d-shop".into())
    );
    assert!(decision_ids(store).is_empty());
    assert_eq!(take_decision(store, "shop", None), None);
}

fn decisions_are_taken_oldest_first_and_once(store: &Store) {
    let first = decision("d-1", None, None, NOW);
    let second = decision("d-2", Some("app"), None, NOW + 1);
    let third = QueuedDecision {
        outcome: DecisionOutcome::Reject {
            description: Some("no".into()),
        },
        ..decision("d-3", None, Some("anna"), NOW + 2)
    };
    for d in [&first, &second, &third] {
        store.decisions.enqueue(d).unwrap();
    }
    assert_eq!(
        store.decisions.list().unwrap(),
        vec![first.clone(), second.clone(), third.clone()]
    );

    let take = || {
        store
            .decisions
            .take_matching(&ClientId::new("app"), Some(&UserId::new("anna")))
            .unwrap()
    };
    assert_eq!(take(), Some(first));
    assert_eq!(decision_ids(store), vec!["d-2", "d-3"]);
    assert_eq!(take(), Some(second));
    assert_eq!(decision_ids(store), vec!["d-3"]);
    assert_eq!(take(), Some(third));
    assert!(decision_ids(store).is_empty());
    assert_eq!(take(), None);

    // One not yet taken can be removed, once; a taken one is gone already.
    store
        .decisions
        .enqueue(&decision("d-4", None, None, NOW))
        .unwrap();
    store
        .decisions
        .enqueue(&decision("d-5", None, None, NOW))
        .unwrap();
    assert!(store.decisions.remove("d-4").unwrap());
    assert!(!store.decisions.remove("d-4").unwrap());
    assert!(!store.decisions.remove("d-1").unwrap());
    assert_eq!(decision_ids(store), vec!["d-5"]);
}

fn decisions_concurrent_takes_take_each_once(store: &Store) {
    for (n, id) in ["d-1", "d-2", "d-3"].into_iter().enumerate() {
        store
            .decisions
            .enqueue(&decision(id, None, None, NOW + n as i64))
            .unwrap();
    }
    let results = race(|| take_decision(store, "app", None));
    let mut taken: Vec<_> = results.iter().flatten().cloned().collect();
    taken.sort();
    assert_eq!(taken, vec!["d-1", "d-2", "d-3"], "{results:?}");
    assert!(decision_ids(store).is_empty());
}

// ---------------------------------------------------------------------------------------------
// Meta
// ---------------------------------------------------------------------------------------------

fn meta_get_or_init_keeps_first_value(store: &Store) {
    assert_eq!(store.meta.get("salt").unwrap(), None);
    assert_eq!(store.meta.get_or_init("salt", "first").unwrap(), "first");
    assert_eq!(store.meta.get_or_init("salt", "second").unwrap(), "first");
    assert_eq!(store.meta.get("salt").unwrap().as_deref(), Some("first"));
    assert_eq!(store.meta.get_or_init("other", "x").unwrap(), "x");
    assert_eq!(store.meta.get("salt").unwrap().as_deref(), Some("first"));
}

fn meta_advance_never_goes_back(store: &Store) {
    // The first call starts from the floor.
    assert_eq!(store.meta.advance("clock", 1_000, 0).unwrap(), 1_000);
    assert_eq!(store.meta.advance("clock", 1_000, 60).unwrap(), 1_060);
    // A lower floor (a replica behind) does not take the value back.
    assert_eq!(store.meta.advance("clock", 900, 5).unwrap(), 1_065);
    // A higher floor (a replica whose clock is ahead) moves it up.
    assert_eq!(store.meta.advance("clock", 2_000, 0).unwrap(), 2_000);
    assert_eq!(store.meta.get("clock").unwrap().as_deref(), Some("2000"));
    // A value that is not a number counts as the floor.
    store.meta.get_or_init("word", "abc").unwrap();
    assert_eq!(store.meta.advance("word", 7, 1).unwrap(), 8);
}

fn meta_concurrent_advances_each_count(store: &Store) {
    let results = race(|| store.meta.advance("order", 0, 1).unwrap());
    let mut seen = results.clone();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(
        seen.len(),
        results.len(),
        "two callers got one value: {results:?}"
    );
    assert_eq!(
        store.meta.get("order").unwrap(),
        Some(results.len().to_string())
    );
}

// ---------------------------------------------------------------------------------------------
// Store::reset
// ---------------------------------------------------------------------------------------------

fn reset_clears_flow_data_but_keeps_identities_and_clients(store: &Store) {
    let app = client("app", "App");
    let anna = identity("id-anna", "anna");
    store.clients.create(&app).unwrap();
    store.identities.create(&anna).unwrap();
    let txn = login("t1", NOW, NOW + 600);
    store.logins.create(&txn).unwrap();
    store.codes.put(&code("code-hash", "grant-1")).unwrap();
    store.tokens.put_access(&access("at-1", "grant-1")).unwrap();
    store
        .tokens
        .put_refresh(&refresh("rt-1", "grant-1"))
        .unwrap();
    store.sessions.put(&session("sid-1", "cookie-1")).unwrap();
    store
        .decisions
        .enqueue(&decision("d-1", None, None, NOW))
        .unwrap();

    store.reset().unwrap();

    assert!(store.logins.get(&txn.id).unwrap().is_none());
    assert!(store.logins.list_pending(NOW).unwrap().is_empty());
    assert_eq!(store.codes.take("code-hash").unwrap(), Take::NotFound);
    assert!(store.tokens.get_access("at-1").unwrap().is_none());
    assert!(store.tokens.get_refresh("rt-1").unwrap().is_none());
    assert_eq!(store.tokens.take_refresh("rt-1").unwrap(), Take::NotFound);
    assert!(store.sessions.by_cookie("cookie-1").unwrap().is_none());
    assert!(store.decisions.list().unwrap().is_empty());

    assert_eq!(store.identities.list().unwrap(), vec![anna.clone()]);
    assert_eq!(
        store.identities.by_user_id(&UserId::new("anna")).unwrap(),
        Some(anna)
    );
    let kept = store.clients.get(&app.client_id).unwrap().unwrap();
    assert_eq!(json(&kept), json(&app));
}

// ---------------------------------------------------------------------------------------------
// Durable implementations only
// ---------------------------------------------------------------------------------------------

/// Clients and identities are read through a cache (`cached`): what another store on the same
/// database (a replica, the CLI) changes shows after `forget_cached`, what this one changes at
/// once, and nothing not found is kept.
fn changes_made_elsewhere_show_once_the_cache_is_forgotten(subject: Subject) {
    let here = subject.store;
    let elsewhere = (subject.reopen.unwrap())();
    let name = |store: &Store| {
        store
            .clients
            .get(&ClientId::new("app"))
            .unwrap()
            .unwrap()
            .name
    };

    here.clients.create(&client("app", "First")).unwrap();
    assert_eq!(name(&here), "First");
    elsewhere.clients.put(&client("app", "Second")).unwrap();
    assert_eq!(name(&here), "First", "kept until forgotten");
    here.forget_cached();
    assert_eq!(name(&here), "Second");
    here.clients.put(&client("app", "Third")).unwrap();
    assert_eq!(name(&here), "Third", "its own write shows at once");
    here.clients.delete(&ClientId::new("app")).unwrap();
    assert!(here.clients.get(&ClientId::new("app")).unwrap().is_none());
    // Not found is not kept: registered elsewhere, it is found at once.
    elsewhere.clients.create(&client("app", "Fourth")).unwrap();
    assert_eq!(name(&here), "Fourth");

    let given = |store: &Store, user: &str| {
        store
            .identities
            .by_user_id(&UserId::new(user))
            .unwrap()
            .map(|i| i.given_name)
    };
    let mut anna = identity("id-anna", "anna");
    here.identities.create(&anna).unwrap();
    assert_eq!(given(&here, "anna").as_deref(), Some("Given anna"));
    assert!(here.identities.get(&anna.id).unwrap().is_some());
    anna.given_name = "Anne".into();
    elsewhere.identities.update(&anna).unwrap();
    assert_eq!(given(&here, "anna").as_deref(), Some("Given anna"));
    here.forget_cached();
    assert_eq!(given(&here, "anna").as_deref(), Some("Anne"));
    assert_eq!(
        here.identities.get(&anna.id).unwrap().unwrap().given_name,
        "Anne"
    );
    // A user ID moved here is gone from the old one at once, by either key.
    anna.user_id = UserId::new("anna2");
    here.identities.update(&anna).unwrap();
    assert_eq!(given(&here, "anna"), None);
    assert_eq!(given(&here, "anna2").as_deref(), Some("Anne"));
    assert_eq!(
        here.identities.get(&anna.id).unwrap().unwrap().user_id,
        anna.user_id
    );
    here.identities.delete(&anna.id).unwrap();
    assert_eq!(here.identities.get(&anna.id).unwrap(), None);
    assert_eq!(given(&here, "anna2"), None);
}

fn durable_data_survives_reopen(subject: Subject) {
    let Subject {
        store,
        reopen,
        _dir: dir,
    } = subject;
    let reopen = reopen.unwrap();

    let app = client("app", "App");
    let anna = identity("id-anna", "anna");
    let c = code("code-hash", "grant-1");
    let s = session("sid-1", "cookie-1");
    store.clients.create(&app).unwrap();
    store.identities.create(&anna).unwrap();
    store.sessions.put(&s).unwrap();
    store.codes.put(&c).unwrap();
    drop(store);
    if let Some(dir) = &dir {
        let files = std::fs::read_dir(dir.path()).unwrap().count();
        assert!(files > 0, "nothing was written to {}", dir.path().display());
    }

    let store = reopen();
    assert_eq!(store.codes.take("code-hash").unwrap(), Take::Taken(c));
    assert_eq!(
        store.codes.take("code-hash").unwrap(),
        Take::AlreadyTaken(GrantId::new("grant-1"))
    );
    assert_eq!(store.sessions.by_cookie("cookie-1").unwrap(), Some(s));
    assert_eq!(
        store.identities.by_user_id(&UserId::new("anna")).unwrap(),
        Some(anna.clone())
    );
    assert_eq!(store.identities.list().unwrap(), vec![anna]);
    let got = store.clients.get(&app.client_id).unwrap().unwrap();
    assert_eq!(json(&got), json(&app));
    drop(store);

    // Having been taken survives a restart too: no replay after a reopen.
    let store = reopen();
    assert_eq!(
        store.codes.take("code-hash").unwrap(),
        Take::AlreadyTaken(GrantId::new("grant-1"))
    );
    drop(store);
    drop(dir);
}

fn purge_forgets_only_what_has_expired(store: &Store) {
    store.codes.put(&code("code-1", "grant-1")).unwrap(); // expires NOW + 60
    store.tokens.put_access(&access("at-1", "grant-1")).unwrap(); // NOW + 300
    store
        .tokens
        .put_refresh(&refresh("rt-1", "grant-1"))
        .unwrap(); // NOW + 3600
    store.sessions.put(&session("sid-1", "cookie-1")).unwrap(); // NOW + 3600

    store.maintenance.purge_expired(NOW + 301).unwrap();
    assert!(store.tokens.get_access("at-1").unwrap().is_none());
    assert!(store.tokens.get_refresh("rt-1").unwrap().is_some());
    assert!(store.sessions.by_cookie("cookie-1").unwrap().is_some());
    // An expired code is kept for the grace period, so a replay is still recognised.
    assert!(matches!(
        store.codes.take("code-1").unwrap(),
        Take::Taken(_)
    ));

    let gone = store
        .maintenance
        .purge_expired(NOW + 60 + crate::store::PURGE_GRACE + 1)
        .unwrap();
    assert_eq!(gone, 3, "code, refresh token and session");
    assert_eq!(store.codes.take("code-1").unwrap(), Take::NotFound);
    assert!(store.tokens.get_refresh("rt-1").unwrap().is_none());
    assert!(store.sessions.by_cookie("cookie-1").unwrap().is_none());
}

fn purge_sweeps_every_row_of_a_large_table(store: &Store) {
    // More rows than one batch of the SQLite store's purge, expired and not interleaved.
    for i in 0..2500 {
        let mut c = code(&format!("code-{i}"), &format!("grant-{i}"));
        if i % 2 == 1 {
            c.expires_at = NOW + 100_000;
        }
        store.codes.put(&c).unwrap();
    }
    let gone = store
        .maintenance
        .purge_expired(NOW + 60 + crate::store::PURGE_GRACE + 1)
        .unwrap();
    assert_eq!(gone, 1250);
    for i in [0, 998, 1000, 1002, 2498] {
        assert!(
            !store.codes.is_unspent(&format!("code-{i}")).unwrap(),
            "{i}"
        );
    }
    for i in [1, 999, 1001, 1003, 2499] {
        assert!(store.codes.is_unspent(&format!("code-{i}")).unwrap(), "{i}");
    }
}

fn purge_forgets_a_revoked_grant_once_nothing_of_it_is_left(store: &Store) {
    store.codes.put(&code("code-a", "grant-a")).unwrap(); // NOW + 60
    store.tokens.put_access(&access("at-a", "grant-a")).unwrap(); // NOW + 300
    store.tokens.revoke_grant(&GrantId::new("grant-a")).unwrap();
    let late = |hash: &str| {
        let mut token = access(hash, "grant-a");
        token.expires_at = NOW + 100_000;
        store.tokens.put_access(&token).unwrap();
        store.tokens.get_access(hash).unwrap().is_some()
    };

    // Its access token expired, but its code is kept for the grace period: still revoked.
    store.maintenance.purge_expired(NOW + 301).unwrap();
    assert!(!late("at-late-1"), "a token stored late is dead");
    // The code is gone too, but the late token is left: still revoked.
    let then = NOW + 60 + crate::store::PURGE_GRACE + 1;
    store.maintenance.purge_expired(then).unwrap();
    assert!(!late("at-late-2"));
    // Nothing of it left: forgotten, so the grant's id means nothing any more.
    store.tokens.revoke_access("at-late-1").unwrap();
    store.tokens.revoke_access("at-late-2").unwrap();
    store.maintenance.purge_expired(then + 100_000).unwrap();
    assert!(late("at-late-3"));
}

fn purge_forgets_what_rps_did_with_their_login(store: &Store) {
    store
        .logins
        .create(&login("l-old", NOW, NOW + 600))
        .unwrap();
    store
        .logins
        .create(&login("l-new", NOW, NOW + 7200))
        .unwrap();
    let event = |login: &str| RpEvent {
        client_id: ClientId::new("app"),
        login_id: Some(TxnId::new(login)),
        at: NOW,
        act: RpAct::Userinfo,
    };
    store
        .faults
        .record(&[event("l-old"), event("l-new"), event("l-old")])
        .unwrap();
    store
        .maintenance
        .purge_expired(NOW + 600 + crate::store::PURGE_GRACE + 1)
        .unwrap();
    assert!(store.logins.get(&TxnId::new("l-old")).unwrap().is_none());
    assert!(store
        .faults
        .events_for_login(&TxnId::new("l-old"))
        .unwrap()
        .is_empty());
    assert_eq!(
        store.faults.events_for_login(&TxnId::new("l-new")).unwrap(),
        vec![event("l-new")]
    );
}

fn logins_list_recent_is_newest_first_and_limited(store: &Store) {
    for (i, id) in ["l-1", "l-2", "l-3"].iter().enumerate() {
        store
            .logins
            .create(&login(id, NOW + i as i64, NOW + 600))
            .unwrap();
    }
    store
        .logins
        .settle(&TxnId::new("l-1"), &rejected())
        .unwrap();
    let ids: Vec<String> = store
        .logins
        .list_recent(2)
        .unwrap()
        .into_iter()
        .map(|t| t.id.to_string())
        .collect();
    assert_eq!(ids, ["l-3", "l-2"]);
    assert_eq!(
        store.logins.list_recent(10).unwrap().len(),
        3,
        "settled ones too"
    );
}

fn logins_update_flow_needs_the_revision_read_and_a_pending_login(store: &Store) {
    let txn = login("flowing", NOW, NOW + 600);
    store.logins.create(&txn).unwrap();
    let mut flow = txn.flow.clone();
    flow.user_id = Some(UserId::new("anna"));
    let written = store
        .logins
        .update_flow(&txn.id, 0, &flow)
        .unwrap()
        .unwrap();
    assert_eq!(written.flow.rev, 1);
    assert_eq!(written.flow.user_id, Some(UserId::new("anna")));
    // A writer that read revision 0 lost the race.
    assert!(store
        .logins
        .update_flow(&txn.id, 0, &flow)
        .unwrap()
        .is_none());
    let stored = store.logins.get(&txn.id).unwrap().unwrap();
    assert_eq!(stored.flow, written.flow);
    // Settled: the flow is no longer written.
    store.logins.settle(&txn.id, &rejected()).unwrap();
    assert!(store
        .logins
        .update_flow(&txn.id, 1, &flow)
        .unwrap()
        .is_none());
    assert!(store
        .logins
        .update_flow(&TxnId::new("missing"), 0, &flow)
        .unwrap()
        .is_none());
}

fn devices_concurrent_changes_are_each_applied_once(store: &Store) {
    use crate::model::Device;
    let anna = IdentityId::new("id-anna");
    let answers = race(|| {
        crate::store::change_devices(&*store.devices, &anna, |state| {
            let lockout = state.lockout_mut(Device::Password);
            lockout.failures += 1;
            Ok::<_, StoreError>(lockout.failures)
        })
        .unwrap()
    });
    let mut answers = answers;
    answers.sort_unstable();
    let expected: Vec<u32> = (1..=u32::try_from(THREADS).unwrap()).collect();
    assert_eq!(answers, expected, "each change saw the one before it");
    let stored = store.devices.get(&anna).unwrap();
    assert_eq!(
        stored.lockout(Device::Password).failures,
        expected.len() as u32
    );
}

fn devices_start_default_and_keep_what_is_put(store: &Store) {
    use crate::model::Device;
    let anna = IdentityId::new("id-anna");
    let fresh = store.devices.get(&anna).unwrap();
    assert_eq!(fresh.lockout(Device::CodeViewer).failures, 0);
    assert_eq!(fresh.rev, 0);
    let mut state = fresh;
    state.lockout_mut(Device::CodeViewer).failures = 2;
    state.last_totp_step.insert(Device::CodeViewer, 42);
    let written = store.devices.update(&anna, &state).unwrap().unwrap();
    assert_eq!(written.rev, 1);
    // A second write from the same read loses: someone wrote meanwhile.
    assert!(store.devices.update(&anna, &state).unwrap().is_none());
    let mut state = store.devices.get(&anna).unwrap();
    assert_eq!(state.rev, written.rev);
    assert_eq!(state.lockout(Device::CodeViewer).failures, 2);
    state.lockout_mut(Device::CodeViewer).failures = 1;
    assert_eq!(store.devices.update(&anna, &state).unwrap().unwrap().rev, 2);
    let back = store.devices.get(&anna).unwrap();
    assert_eq!(back.lockout(Device::CodeViewer).failures, 1);
    assert_eq!(back.last_totp_step.get(&Device::CodeViewer), Some(&42));
    assert_eq!(
        store
            .devices
            .get(&IdentityId::new("id-bo"))
            .unwrap()
            .lockout(Device::CodeViewer)
            .failures,
        0
    );
    store.reset().unwrap();
    assert_eq!(
        store
            .devices
            .get(&anna)
            .unwrap()
            .lockout(Device::CodeViewer)
            .failures,
        0
    );
}

fn outbox_lists_newest_first(store: &Store) {
    use crate::model::{Channel, OutboxMessage};
    for (i, channel) in [Channel::Sms, Channel::Letter, Channel::Sms]
        .into_iter()
        .enumerate()
    {
        store
            .outbox
            .put(&OutboxMessage {
                id: format!("m{i}"),
                channel,
                to: "+45 12 34 56 78".into(),
                subject: format!("message {i}"),
                body: "PIN 1234".into(),
                created_at: NOW + i as i64,
            })
            .unwrap();
    }
    let ids: Vec<String> = store
        .outbox
        .list(2)
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(ids, ["m2", "m1"]);
    assert_eq!(
        store.outbox.get("m1").unwrap().unwrap().channel,
        Channel::Letter
    );
    assert!(store.outbox.get("nope").unwrap().is_none());
    store.reset().unwrap();
    assert!(store.outbox.list(10).unwrap().is_empty());
}

fn logged(id: &str, client: Option<&str>, login: Option<&str>) -> crate::model::LoggedRequest {
    crate::model::LoggedRequest {
        id: id.into(),
        at: NOW,
        method: "POST".into(),
        path: "/token".into(),
        endpoint: "token".into(),
        profile: crate::model::Profile::Standard,
        client_id: client.map(str::to_string),
        login_id: login.map(str::to_string),
        params: vec![crate::model::Param {
            name: "grant_type".into(),
            value: "authorization_code".into(),
        }],
        authorization: Some("Basic".into()),
        status: 400,
        error: Some("invalid_grant".into()),
        error_description: Some("the code was already used".into()),
        location: None,
        response: Some(serde_json::json!({"error": "invalid_grant"})),
        id_token: Some(crate::model::LoggedJwt::Decoded(crate::model::DecodedJwt {
            header: serde_json::json!({"alg": "RS256"}),
            claims: serde_json::json!({"sub": "s"}),
        })),
        access_token: None,
        duration_us: 42,
    }
}

/// Entries in the form the store keeps them.
fn stored(entries: &[crate::model::LoggedRequest]) -> Vec<crate::model::StoredRequest> {
    entries
        .iter()
        .map(|e| crate::model::StoredRequest {
            at: e.at,
            client_id: e.client_id.clone(),
            login_id: e.login_id.clone(),
            data: serde_json::to_string(e).unwrap(),
        })
        .collect()
}

fn logged_ids(
    store: &Store,
    client: Option<&str>,
    login: Option<&str>,
    limit: usize,
) -> Vec<String> {
    store
        .requests
        .list(&RequestFilter {
            client_id: client.map(str::to_string),
            login_id: login.map(str::to_string),
            limit,
        })
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect()
}

fn request_log_lists_newest_first_and_filters(store: &Store) {
    let first = logged("r1", Some("app"), Some("t1"));
    store
        .requests
        .append(&stored(std::slice::from_ref(&first)), 100)
        .unwrap();
    store
        .requests
        .append(
            &stored(&[
                logged("r2", Some("other"), Some("t2")),
                logged("r3", Some("app"), None),
                logged("r4", None, None),
            ]),
            100,
        )
        .unwrap();
    assert_eq!(logged_ids(store, None, None, 10), ["r4", "r3", "r2", "r1"]);
    assert_eq!(logged_ids(store, None, None, 2), ["r4", "r3"]);
    assert_eq!(logged_ids(store, Some("app"), None, 10), ["r3", "r1"]);
    assert_eq!(logged_ids(store, None, Some("t2"), 10), ["r2"]);
    assert_eq!(logged_ids(store, Some("app"), Some("t1"), 10), ["r1"]);
    assert!(logged_ids(store, Some("app"), Some("t2"), 10).is_empty());
    // Stored as given, every field.
    let read = store
        .requests
        .list(&RequestFilter {
            login_id: Some("t1".into()),
            limit: 1,
            ..RequestFilter::default()
        })
        .unwrap();
    assert_eq!(read, vec![first]);
    store.requests.append(&[], 100).unwrap();
    assert_eq!(logged_ids(store, None, None, 10).len(), 4);
}

fn request_log_keeps_only_the_newest(store: &Store) {
    for batch in 0..4 {
        let entries: Vec<_> = (0..3)
            .map(|i| logged(&format!("r{}", batch * 3 + i), Some("app"), None))
            .collect();
        store.requests.append(&stored(&entries), 5).unwrap();
    }
    assert_eq!(
        logged_ids(store, None, None, 100),
        ["r11", "r10", "r9", "r8", "r7"]
    );
    // A batch larger than the bound keeps its newest.
    let big: Vec<_> = (0..8)
        .map(|i| logged(&format!("b{i}"), None, None))
        .collect();
    store.requests.append(&stored(&big), 3).unwrap();
    assert_eq!(logged_ids(store, None, None, 100), ["b7", "b6", "b5"]);
}

fn request_log_is_cleared_by_reset(store: &Store) {
    store
        .requests
        .append(&stored(&[logged("r1", Some("app"), Some("t1"))]), 10)
        .unwrap();
    store.reset().unwrap();
    assert!(logged_ids(store, None, None, 10).is_empty());
}

fn case(id: &str) -> crate::model::Case {
    use crate::mitid::Cpr;
    use crate::model::{Case, CaseId, CaseStep};
    Case {
        id: CaseId::new(id),
        rev: 0,
        csrf: format!("csrf-{id}"),
        cpr: Cpr::parse("720490-1236").unwrap(),
        opened_at: NOW,
        updated_at: NOW,
        step: CaseStep::Evidence,
        evidence: None,
        questions: Vec::new(),
        wrong_answers: 0,
        identity_id: None,
        user_id: None,
    }
}

fn cases_create_get_and_list_newest_first(store: &Store) {
    use crate::model::CaseId;
    for id in ["c1", "c2", "c3"] {
        store.cases.create(&case(id)).unwrap();
    }
    assert!(matches!(
        store.cases.create(&case("c2")),
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store.cases.get(&CaseId::new("c2")).unwrap().unwrap(),
        case("c2")
    );
    assert!(store.cases.get(&CaseId::new("nope")).unwrap().is_none());
    let ids: Vec<String> = store
        .cases
        .list_recent(2)
        .unwrap()
        .into_iter()
        .map(|c| c.id.to_string())
        .collect();
    assert_eq!(ids, ["c3", "c2"]);
    store.reset().unwrap();
    assert!(store.cases.list_recent(10).unwrap().is_empty());
}

fn cases_update_needs_the_revision_read(store: &Store) {
    use crate::model::{CaseId, CaseStep};
    let read = case("c1");
    store.cases.create(&read).unwrap();
    let mut next = read.clone();
    next.step = CaseStep::Questions;
    let written = store.cases.update(&next).unwrap().unwrap();
    assert_eq!(written.rev, 1);
    assert_eq!(store.cases.get(&read.id).unwrap().unwrap(), written);
    // A writer that read revision 0 lost: the stored case stands.
    let mut stale = read.clone();
    stale.step = CaseStep::Failed;
    assert!(store.cases.update(&stale).unwrap().is_none());
    assert_eq!(
        store.cases.get(&read.id).unwrap().unwrap().step,
        CaseStep::Questions
    );
    let mut missing = case("missing");
    missing.id = CaseId::new("missing");
    assert!(store.cases.update(&missing).unwrap().is_none());
}

fn cases_concurrent_updates_have_one_winner(store: &Store) {
    use crate::model::CaseStep;
    let read = case("raced");
    store.cases.create(&read).unwrap();
    let results = race(|| {
        let mut next = read.clone();
        next.step = CaseStep::Completed;
        store.cases.update(&next).unwrap().is_some()
    });
    assert_eq!(results.iter().filter(|won| **won).count(), 1);
}

fn onboardings_update_needs_the_revision_read(store: &Store) {
    use crate::model::{DocumentChoice, Onboarding, OnboardingStep as Step};
    let onboarding = Onboarding {
        id: "ob-1".into(),
        csrf: "csrf".into(),
        rev: 0,
        created_at: NOW,
        expires_at: NOW + 1800,
        document: DocumentChoice {
            seed: 7,
            format: passport::Format::Td3,
            fault: None,
        },
        step: Step::Mrz,
        mrz: None,
        face_failures: 0,
        liveness: None,
        cpr: None,
        user_id: None,
        phone: None,
        temporary_pin_hash: None,
        temporary_pin_failures: 0,
        problem: None,
    };
    store.onboardings.create(&onboarding).unwrap();
    assert!(
        store.onboardings.create(&onboarding).is_err(),
        "ids are unique"
    );
    let mut next = onboarding.clone();
    next.step = Step::Chip;
    let written = store.onboardings.update(0, &next).unwrap().unwrap();
    assert_eq!(written.rev, 1);
    assert!(
        store.onboardings.update(0, &next).unwrap().is_none(),
        "stale writer"
    );
    assert_eq!(store.onboardings.get("ob-1").unwrap().unwrap(), written);
    assert!(store.onboardings.get("ob-2").unwrap().is_none());
    store.reset().unwrap();
    assert!(store.onboardings.get("ob-1").unwrap().is_none());
}

// ---------------------------------------------------------------------------------------------
// Client assertions and pushed requests
// ---------------------------------------------------------------------------------------------

fn assertions_jti_is_recorded_once_per_client(store: &Store) {
    let a = ClientId::new("a");
    assert!(store.assertions.record_jti(&a, "j1", NOW + 60).unwrap());
    assert!(!store.assertions.record_jti(&a, "j1", NOW + 60).unwrap());
    // Another client's jti space is its own.
    assert!(store
        .assertions
        .record_jti(&ClientId::new("b"), "j1", NOW + 60)
        .unwrap());
    store.assertions.clear().unwrap();
    assert!(store.assertions.record_jti(&a, "j1", NOW + 60).unwrap());
}

fn assertions_concurrent_records_have_one_winner(store: &Store) {
    let a = ClientId::new("a");
    let results = race(|| store.assertions.record_jti(&a, "same", NOW + 60).unwrap());
    assert_eq!(results.iter().filter(|r| **r).count(), 1, "{results:?}");
}

fn pushed(client: &str) -> PushedRequest {
    PushedRequest {
        client_id: ClientId::new(client),
        params: "client_id=a&scope=openid".into(),
        expires_at: NOW + 60,
    }
}

fn pushed_requests_are_taken_once(store: &Store) {
    store.pushed.put("h1", &pushed("a")).unwrap();
    assert_eq!(store.pushed.take("h1").unwrap(), Some(pushed("a")));
    assert_eq!(store.pushed.take("h1").unwrap(), None);
    assert_eq!(store.pushed.take("unknown").unwrap(), None);
}

fn pushed_requests_concurrent_takes_have_one_winner(store: &Store) {
    store.pushed.put("h1", &pushed("a")).unwrap();
    let results = race(|| store.pushed.take("h1").unwrap());
    assert_eq!(results.iter().filter(|r| r.is_some()).count(), 1);
}

fn pushed_and_assertions_are_purged_after_expiry(store: &Store) {
    let a = ClientId::new("a");
    store.pushed.put("h1", &pushed("a")).unwrap();
    store.assertions.record_jti(&a, "j1", NOW + 60).unwrap();
    store.maintenance.purge_expired(NOW + 59).unwrap();
    assert!(!store.assertions.record_jti(&a, "j1", NOW + 60).unwrap());
    store.maintenance.purge_expired(NOW + 61).unwrap();
    assert!(store.assertions.record_jti(&a, "j1", NOW + 60).unwrap());
    assert_eq!(store.pushed.take("h1").unwrap(), None);
}

/// Two replicas starting at once on a new database: the migrations run once (under the advisory
/// lock), both stores open, and both see one schema.
#[test]
fn postgres_migrations_run_once_when_replicas_start_together() {
    let Some(url) = std::env::var("TEST_POSTGRES_URL").ok() else {
        assert!(
            std::env::var("CI").is_err(),
            "TEST_POSTGRES_URL is not set: CI runs the store contract on PostgreSQL"
        );
        return;
    };
    let schema = format!("migrations_{}", uuid::Uuid::new_v4().simple());
    let stores: Vec<PgStore> = std::thread::scope(|scope| {
        let starts: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| PgStore::connect(&url, Some(&schema)).unwrap()))
            .collect();
        starts.into_iter().map(|s| s.join().unwrap()).collect()
    });
    let store = Store::from_postgres(Arc::new(stores.into_iter().next().unwrap()));
    store.clients.create(&client("rp", "RP")).unwrap();
    let again = Store::from_postgres(Arc::new(PgStore::connect(&url, Some(&schema)).unwrap()));
    assert_eq!(again.clients.list().unwrap().len(), 1);
    let versions: i64 = PgStore::connect(&url, Some(&schema))
        .unwrap()
        .migrations_applied()
        .unwrap();
    assert_eq!(
        usize::try_from(versions).unwrap(),
        PgStore::MIGRATIONS,
        "each migration recorded once"
    );
}

/// A database the broker cannot use says why in the server's words, not tokio-postgres's
/// bare "db error": here a search path naming a schema nobody made.
#[test]
fn postgres_errors_say_what_the_server_said() {
    let Some(url) = std::env::var("TEST_POSTGRES_URL").ok() else {
        assert!(
            std::env::var("CI").is_err(),
            "TEST_POSTGRES_URL is not set: CI runs the store contract on PostgreSQL"
        );
        return;
    };
    let separator = if url.contains('?') { '&' } else { '?' };
    let missing = format!(
        "{url}{separator}options=-c%20search_path%3Dnobody_made_{}",
        uuid::Uuid::new_v4().simple()
    );
    let Err(e) = PgStore::connect(&missing, None) else {
        panic!("a search path without a schema opened");
    };
    let text = e.to_string();
    assert!(text.contains("no schema has been selected"), "{text}");
    assert!(text.contains("3F000"), "{text}");
}

/// The signing keys in PostgreSQL: sealed with the key-encryption key (no PEM readable in the
/// table), opened again with it, refused without it or with another.
#[test]
fn postgres_signing_keys_are_sealed_at_rest() {
    use super::postgres::signing_keys::{KeyEncryptionKey, PgKeyStore};
    use keys::{KeyKind, KeyManager, KeyStore};
    let Some(url) = std::env::var("TEST_POSTGRES_URL").ok() else {
        assert!(
            std::env::var("CI").is_err(),
            "TEST_POSTGRES_URL is not set: CI runs the store contract on PostgreSQL"
        );
        return;
    };
    let schema = format!("keys_{}", uuid::Uuid::new_v4().simple());
    let db = Arc::new(PgStore::connect(&url, Some(&schema)).unwrap());
    let sealing =
        || KeyEncryptionKey::from_base64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").unwrap();
    let sealed: Arc<dyn KeyStore> = Arc::new(PgKeyStore {
        db: Arc::clone(&db),
        sealing: Some(sealing()),
    });
    let manager = KeyManager::open(Arc::clone(&sealed), NOW).unwrap();
    let kid = manager.active_kid(KeyKind::Rsa).unwrap();
    let pems: Vec<String> = db.stored_key_pems().unwrap();
    assert_eq!(pems.len(), 2, "an RSA and an EC key");
    for pem in &pems {
        assert!(pem.starts_with("aes256gcm:"), "{pem}");
        assert!(!pem.contains("PRIVATE KEY"));
    }
    // Opened with the same key, the same keys: a second manager signs what the first verifies.
    let again = KeyManager::open(Arc::clone(&sealed), NOW).unwrap();
    assert_eq!(again.active_kid(KeyKind::Rsa).unwrap(), kid);
    let token = again.sign_jwt(keys::Alg::RS256, "JWT", b"{}").unwrap();
    assert!(manager.verify_jwt(&token).is_ok());
    // Without the key, or with another, the keys do not load.
    let unsealed = PgKeyStore {
        db: Arc::clone(&db),
        sealing: None,
    };
    assert!(matches!(
        unsealed.load_all(),
        Err(keys::KeyError::BadKey { .. })
    ));
    let other = PgKeyStore {
        db: Arc::clone(&db),
        sealing: Some(
            KeyEncryptionKey::from_base64("AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=").unwrap(),
        ),
    };
    assert!(matches!(
        other.load_all(),
        Err(keys::KeyError::BadKey { .. })
    ));
    assert!(
        KeyEncryptionKey::from_base64("c2hvcnQ").is_err(),
        "not 32 bytes"
    );
}

// ---------------------------------------------------------------------------------------------
// The SQLite file is one broker's at a time
// ---------------------------------------------------------------------------------------------

#[test]
fn sqlite_file_is_refused_to_a_second_opener_until_the_first_closes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broker.sqlite");
    let first = Store::from_sqlite(SqliteStore::open(&path).unwrap());
    first.clients.create(&client("app", "App")).unwrap();

    // Another broker (or `broker identities` run beside it) cannot open it.
    let second = SqliteStore::open(&path)
        .err()
        .expect("a second open is refused");
    assert!(
        matches!(&second, StoreError::InUse(p) if p.as_str() == path.display().to_string()),
        "{second:?}"
    );
    assert!(
        second.to_string().contains("in use by another process"),
        "{second}"
    );
    // (Other programs cannot open the file either: broker/tests/cli/identities.rs.)

    // Closed, the file is free, with what the first wrote.
    drop(first);
    let store = Store::from_sqlite(SqliteStore::open(&path).unwrap());
    assert!(store.clients.get(&ClientId::new("app")).unwrap().is_some());
}

/// A database from before the request log had a file of its own: its entries move to the new
/// file, oldest first, the old table goes, and nothing moves twice.
#[test]
fn sqlite_request_log_of_a_database_from_before_moves_to_its_own_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broker.sqlite");
    {
        let old = rusqlite::Connection::open(&path).unwrap();
        old.execute_batch(
            "PRAGMA journal_mode=WAL;
             CREATE TABLE request_log (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL,
                 client_id TEXT, login_id TEXT, data TEXT NOT NULL);",
        )
        .unwrap();
        for entry in stored(&[
            logged("first", Some("app"), Some("l1")),
            logged("second", Some("app"), Some("l1")),
        ]) {
            old.execute(
                "INSERT INTO request_log (at, client_id, login_id, data) VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![entry.at, entry.client_id, entry.login_id, entry.data],
            )
            .unwrap();
        }
    }
    let store = Store::from_sqlite(SqliteStore::open(&path).unwrap());
    assert_eq!(logged_ids(&store, None, None, 10), ["second", "first"]);
    store
        .requests
        .append(&stored(&[logged("third", None, None)]), 10)
        .unwrap();
    drop(store);

    let raw = rusqlite::Connection::open(&path).unwrap();
    let old_table: bool = raw
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'request_log')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!old_table, "the old table is still in the database");
    drop(raw);
    assert!(SqliteStore::log_path(&path).exists());

    let store = Store::from_sqlite(SqliteStore::open(&path).unwrap());
    assert_eq!(
        logged_ids(&store, None, None, 10),
        ["third", "second", "first"]
    );
}
