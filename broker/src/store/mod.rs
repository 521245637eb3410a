//! Storage: one trait per artefact, each with the security rule it must keep in its docs.
//! [`sqlite::SqliteStore`] implements them all (a file under the data directory, or
//! `:memory:` for tests); `contract` holds the test suite every implementation must pass.

mod cached;
#[cfg(test)]
mod contract;
pub mod postgres;
mod sqlite;

pub use cached::FORGET_EVERY;
pub use postgres::PgStore;
pub use sqlite::SqliteStore;

use std::sync::Arc;

use crate::clock::UnixTime;
use crate::model::{
    AccessToken, AuthCode, Case, CaseId, Client, ClientId, DecisionSource, Delivered, DeviceState,
    Flow, GrantId, Identity, IdentityId, LoggedRequest, LoginStatus, LoginTxn, Onboarding,
    OutboxMessage, PushedRequest, QueuedDecision, QueuedFault, RefreshToken, RequestFilter,
    RpEvent, Session, Sid, Stage, StoredRequest, TxnId, UserId,
};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Db(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("{0} already exists")]
    Conflict(String),
    /// The SQLite file is held by another process (a running broker): see
    /// [`SqliteStore::open`].
    #[error(
        "the database {0} is in use by another process (a broker running on this data \
         directory); the embedded database serves one broker at a time"
    )]
    InUse(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

pub trait ClientStore: Send + Sync {
    fn list(&self) -> StoreResult<Vec<Client>>;
    fn get(&self, id: &ClientId) -> StoreResult<Option<Client>>;
    /// Inserts; a client_id already registered is a [`StoreError::Conflict`].
    fn create(&self, client: &Client) -> StoreResult<()>;
    /// Inserts or replaces.
    fn put(&self, client: &Client) -> StoreResult<()>;
    /// Returns whether a client was removed.
    fn delete(&self, id: &ClientId) -> StoreResult<bool>;
}

pub trait IdentityStore: Send + Sync {
    fn list(&self) -> StoreResult<Vec<Identity>>;
    fn get(&self, id: &IdentityId) -> StoreResult<Option<Identity>>;
    fn by_user_id(&self, user_id: &UserId) -> StoreResult<Option<Identity>>;
    /// Inserts; an id or user ID already taken is a [`StoreError::Conflict`].
    fn create(&self, identity: &Identity) -> StoreResult<()>;
    /// Replaces an existing identity; a user ID taken by another is a conflict.
    /// Returns whether it existed.
    fn update(&self, identity: &Identity) -> StoreResult<bool>;
    fn delete(&self, id: &IdentityId) -> StoreResult<bool>;
}

/// Result of trying to settle a login.
#[derive(Debug, Clone, PartialEq)]
pub enum Settle {
    /// This call wrote the terminal state.
    Settled(LoginTxn),
    /// Someone else settled it first; here is what stands.
    AlreadySettled(LoginTxn),
    NotFound,
}

pub trait LoginStore: Send + Sync {
    fn create(&self, txn: &LoginTxn) -> StoreResult<()>;
    fn get(&self, id: &TxnId) -> StoreResult<Option<LoginTxn>>;
    /// Pending logins that have not expired, oldest first.
    fn list_pending(&self, now: UnixTime) -> StoreResult<Vec<LoginTxn>>;
    /// The latest `limit` logins of any status, newest first.
    fn list_recent(&self, limit: usize) -> StoreResult<Vec<LoginTxn>>;
    /// Writes a terminal status. Security rule: a terminal status is written once; every later
    /// writer gets [`Settle::AlreadySettled`] with the status that stands.
    fn settle(&self, id: &TxnId, status: &LoginStatus) -> StoreResult<Settle>;
    /// Marks the outcome as sent to the client. True only for the first caller, so a login
    /// finishes (issues a code) once.
    /// Marks a settled login as delivered with the answer the client got, once: `false` when
    /// it was delivered before (or is unknown), and the stored answer stands.
    fn mark_delivered(&self, id: &TxnId, response: Option<&Delivered>) -> StoreResult<bool>;
    /// Writes the interactive flow of a pending login if nobody wrote it since the caller read
    /// it (its `rev` is still `expected_rev`); the stored flow's `rev` becomes
    /// `expected_rev + 1`. `None` when the login is gone, settled, or was written meanwhile:
    /// the caller reads it again.
    fn update_flow(
        &self,
        id: &TxnId,
        expected_rev: u64,
        flow: &Flow,
    ) -> StoreResult<Option<LoginTxn>>;
    fn clear(&self) -> StoreResult<()>;
}

/// Onboardings in progress (getting MitID in the app).
pub trait OnboardingStore: Send + Sync {
    fn create(&self, onboarding: &Onboarding) -> StoreResult<()>;
    fn get(&self, id: &str) -> StoreResult<Option<Onboarding>>;
    /// Writes `onboarding` if its stored `rev` is still `expected_rev`; the stored `rev`
    /// becomes `expected_rev + 1`. `None` when it is gone or was written meanwhile.
    fn update(&self, expected_rev: u64, onboarding: &Onboarding)
        -> StoreResult<Option<Onboarding>>;
    fn clear(&self) -> StoreResult<()>;
}

/// The simulated SMS and letters the broker "sent".
pub trait OutboxStore: Send + Sync {
    fn put(&self, message: &OutboxMessage) -> StoreResult<()>;
    /// The latest `limit` messages, newest first.
    fn list(&self, limit: usize) -> StoreResult<Vec<OutboxMessage>>;
    fn get(&self, id: &str) -> StoreResult<Option<OutboxMessage>>;
    fn clear(&self) -> StoreResult<()>;
}

/// Citizen Service cases: a caseworker's steps towards a person's new MitID.
pub trait CaseStore: Send + Sync {
    /// Inserts; an id already taken is a [`StoreError::Conflict`].
    fn create(&self, case: &Case) -> StoreResult<()>;
    fn get(&self, id: &CaseId) -> StoreResult<Option<Case>>;
    /// The latest `limit` cases, newest first.
    fn list_recent(&self, limit: usize) -> StoreResult<Vec<Case>>;
    /// Writes `case` if nobody wrote it since the caller read it (the stored `rev` is still
    /// `case.rev`); the stored case's `rev` becomes `case.rev + 1`. Security rule: each step of
    /// a case is taken once, so two caseworkers (or a form sent twice) cannot both complete it
    /// and create two identities. `None` when the case is gone or was written meanwhile.
    fn update(&self, case: &Case) -> StoreResult<Option<Case>>;
    fn clear(&self) -> StoreResult<()>;
}

/// What an identity's devices remember between logins (wrong attempts, blocks, spent codes).
pub trait DeviceStore: Send + Sync {
    /// The identity's device state; the default state (revision 0) when nothing was stored.
    fn get(&self, identity: &IdentityId) -> StoreResult<DeviceState>;
    /// Writes `state` if nobody wrote the identity's state since the caller read it (the
    /// stored revision is still `state.rev`); the stored revision becomes `state.rev + 1`.
    /// `None` when it was written meanwhile: the caller reads it again. Security rule: wrong
    /// attempts, blocks, spent codes and keys are read-modify-written, so two logins at once
    /// cannot both count from the same state ([`change_devices`]).
    fn update(
        &self,
        identity: &IdentityId,
        state: &DeviceState,
    ) -> StoreResult<Option<DeviceState>>;
    fn clear(&self) -> StoreResult<()>;
}

/// How often [`change_devices`] reads again before it gives up.
const DEVICE_RETRIES: usize = 64;

/// Reads an identity's device state, lets `change` change it, and writes it if nobody wrote
/// it meanwhile; otherwise reads it again and calls `change` again, so `change` must do
/// nothing but change the state (and answer what it decided).
pub fn change_devices<T, E: From<StoreError>>(
    store: &dyn DeviceStore,
    identity: &IdentityId,
    mut change: impl FnMut(&mut DeviceState) -> Result<T, E>,
) -> Result<T, E> {
    for _ in 0..DEVICE_RETRIES {
        let mut state = store.get(identity)?;
        let answer = change(&mut state)?;
        if store.update(identity, &state)?.is_some() {
            return Ok(answer);
        }
    }
    Err(StoreError::Db(format!(
        "the devices of {identity} changed {DEVICE_RETRIES} times while being written; try again"
    ))
    .into())
}

/// Result of redeeming a code.
#[derive(Debug, Clone, PartialEq)]
pub enum Take<T> {
    Taken(T),
    /// It was redeemed before: a replay. Carries the grant so its tokens can be revoked.
    AlreadyTaken(GrantId),
    NotFound,
}

pub trait CodeStore: Send + Sync {
    fn put(&self, code: &AuthCode) -> StoreResult<()>;
    /// Security rule: a code can be taken once. A second take answers
    /// [`Take::AlreadyTaken`] (until the code's record is purged after its expiry).
    fn take(&self, hash: &str) -> StoreResult<Take<AuthCode>>;
    /// Whether the code is stored and not yet taken (the caller checks its expiry).
    fn is_unspent(&self, hash: &str) -> StoreResult<bool>;
    fn clear(&self) -> StoreResult<()>;
}

pub trait TokenStore: Send + Sync {
    fn put_access(&self, token: &AccessToken) -> StoreResult<()>;
    /// A live (not revoked) access token; the caller checks expiry.
    fn get_access(&self, hash: &str) -> StoreResult<Option<AccessToken>>;
    fn revoke_access(&self, hash: &str) -> StoreResult<bool>;
    fn put_refresh(&self, token: &RefreshToken) -> StoreResult<()>;
    /// A live refresh token without using it (for introspection).
    fn get_refresh(&self, hash: &str) -> StoreResult<Option<RefreshToken>>;
    /// Security rule: a refresh token is used once (rotation); a second use answers
    /// [`Take::AlreadyTaken`] so the grant can be revoked.
    fn take_refresh(&self, hash: &str) -> StoreResult<Take<RefreshToken>>;
    fn revoke_refresh(&self, hash: &str) -> StoreResult<bool>;
    /// Revokes every token of a grant (code replay, refresh replay). Security rule: tokens of
    /// the grant stored after this call are revoked too (a concurrent refresh may store its
    /// new tokens after a replay revoked the grant).
    fn revoke_grant(&self, grant: &GrantId) -> StoreResult<()>;
    fn clear(&self) -> StoreResult<()>;
}

pub trait SessionStore: Send + Sync {
    fn put(&self, session: &Session) -> StoreResult<()>;
    /// A session that has not ended, by the hash of its cookie; the caller checks expiry.
    fn by_cookie(&self, cookie_hash: &str) -> StoreResult<Option<Session>>;
    /// A session that has not ended, by its id; the caller checks expiry.
    fn live(&self, sid: &Sid) -> StoreResult<Option<Session>>;
    fn end(&self, sid: &Sid) -> StoreResult<bool>;
    /// Records that `client` got a code through the session (once per client).
    fn add_client(&self, sid: &Sid, client: &ClientId) -> StoreResult<()>;
    fn clear(&self) -> StoreResult<()>;
}

/// The `jti` of client assertions (RFC 7523 3), kept until the assertion expires.
pub trait AssertionStore: Send + Sync {
    /// Records `jti` for `client` until `expires_at`. Security rule: true only for the first
    /// caller; a replay, even a concurrent one, gets false while the record lives.
    fn record_jti(&self, client: &ClientId, jti: &str, expires_at: UnixTime) -> StoreResult<bool>;
    fn clear(&self) -> StoreResult<()>;
}

/// Pushed authorization requests (RFC 9126), by the hash of their `request_uri`.
pub trait PushedRequestStore: Send + Sync {
    fn put(&self, uri_hash: &str, request: &PushedRequest) -> StoreResult<()>;
    /// Security rule: a pushed request is taken once; a second take finds nothing. The caller
    /// checks expiry and the client.
    fn take(&self, uri_hash: &str) -> StoreResult<Option<PushedRequest>>;
    fn clear(&self) -> StoreResult<()>;
}

pub trait DecisionStore: Send + Sync {
    fn enqueue(&self, decision: &QueuedDecision) -> StoreResult<()>;
    fn list(&self) -> StoreResult<Vec<QueuedDecision>>;
    /// Takes the oldest decision whose filters match. Security rule: each decision is taken
    /// once, even by concurrent logins.
    fn take_matching(
        &self,
        client: &ClientId,
        hinted_user: Option<&UserId>,
    ) -> StoreResult<Option<QueuedDecision>>;
    /// Removes one decision not yet taken; whether it was there.
    fn remove(&self, id: &str) -> StoreResult<bool>;
    fn clear(&self) -> StoreResult<()>;
}

/// The RP test kit's queued faults, and the responses that carried them.
pub trait FaultStore: Send + Sync {
    fn enqueue(&self, fault: &QueuedFault) -> StoreResult<()>;
    /// Queued faults, oldest first.
    fn list(&self) -> StoreResult<Vec<QueuedFault>>;
    /// Takes one use of the oldest fault queued for `client` at `stage`; the fault leaves the
    /// queue with its last use. Security rule: a use is taken once, even by concurrent
    /// responses, and never by another client's.
    fn take(&self, client: &ClientId, stage: Stage) -> StoreResult<Option<QueuedFault>>;
    /// Removes queued faults: one by id, every one of a client, or all. How many went.
    fn remove(&self, id: Option<&str>, client: Option<&ClientId>) -> StoreResult<usize>;
    /// Records what happened between the broker and a relying party, in the order given, in
    /// one transaction.
    fn record(&self, events: &[RpEvent]) -> StoreResult<()>;
    /// What happened in a login, in order.
    fn events_for_login(&self, login: &TxnId) -> StoreResult<Vec<RpEvent>>;
    /// The login of the client's latest recorded event, if any.
    fn latest_login(&self, client: &ClientId) -> StoreResult<Option<TxnId>>;
    fn clear(&self) -> StoreResult<()>;
}

/// The request log (`crate::requests`): the latest requests to the OpenID Provider endpoints,
/// their secrets redacted before they get here. Every replica writes to it and reads from it.
pub trait RequestLogStore: Send + Sync {
    /// Appends `batch` (oldest first), and keeps only the newest `keep` entries. Security
    /// rule: the log is bounded; nothing is kept beyond `keep` entries.
    fn append(&self, batch: &[StoredRequest], keep: usize) -> StoreResult<()>;
    /// The entries matching `filter`, newest first, at most `filter.limit`.
    fn list(&self, filter: &RequestFilter) -> StoreResult<Vec<LoggedRequest>>;
    fn clear(&self) -> StoreResult<()>;
}

/// Small instance-wide values (e.g. the pairwise-subject salt).
pub trait MetaStore: Send + Sync {
    fn get(&self, key: &str) -> StoreResult<Option<String>>;
    /// Sets `key` unless it is set; returns the value that stands.
    fn get_or_init(&self, key: &str, value: &str) -> StoreResult<String>;
    /// Moves the number under `key` to `max(stored, floor) + delta` in one statement (a missing
    /// or unreadable value counts as `floor`) and returns it: a counter or a clock shared by
    /// replicas, which never goes back.
    fn advance(&self, key: &str, floor: i64, delta: i64) -> StoreResult<i64>;
}

/// Housekeeping: forgets what can no longer be used.
pub trait Maintenance: Send + Sync {
    /// Deletes expired tokens and sessions, and codes and logins an hour past their expiry
    /// (a code replayed within that hour is still recognised and revokes its tokens).
    /// Returns how many rows went.
    fn purge_expired(&self, now: UnixTime) -> StoreResult<usize>;
}

/// How long a used or expired code or login is kept after its expiry.
pub const PURGE_GRACE: i64 = 3600;

/// Every store the broker uses.
#[derive(Clone)]
pub struct Store {
    /// Read through a cache (`cached`): [`Store::forget_cached`].
    pub clients: Arc<dyn ClientStore>,
    /// Read through a cache (`cached`): [`Store::forget_cached`].
    pub identities: Arc<dyn IdentityStore>,
    pub logins: Arc<dyn LoginStore>,
    pub codes: Arc<dyn CodeStore>,
    pub tokens: Arc<dyn TokenStore>,
    pub sessions: Arc<dyn SessionStore>,
    pub decisions: Arc<dyn DecisionStore>,
    pub faults: Arc<dyn FaultStore>,
    pub devices: Arc<dyn DeviceStore>,
    pub outbox: Arc<dyn OutboxStore>,
    pub cases: Arc<dyn CaseStore>,
    pub onboardings: Arc<dyn OnboardingStore>,
    pub meta: Arc<dyn MetaStore>,
    pub assertions: Arc<dyn AssertionStore>,
    pub pushed: Arc<dyn PushedRequestStore>,
    pub requests: Arc<dyn RequestLogStore>,
    pub maintenance: Arc<dyn Maintenance>,
    caches: Arc<cached::Caches>,
}

impl Store {
    pub fn from_sqlite(db: SqliteStore) -> Store {
        Store::from_one(Arc::new(db))
    }

    pub fn from_postgres(db: Arc<PgStore>) -> Store {
        Store::from_one(db)
    }

    /// Every store from one implementation of them all.
    fn from_one<T>(db: Arc<T>) -> Store
    where
        T: ClientStore
            + IdentityStore
            + LoginStore
            + CodeStore
            + TokenStore
            + SessionStore
            + DecisionStore
            + FaultStore
            + DeviceStore
            + OutboxStore
            + CaseStore
            + OnboardingStore
            + MetaStore
            + AssertionStore
            + PushedRequestStore
            + RequestLogStore
            + Maintenance
            + 'static,
    {
        let caches = cached::Caches::new();
        Store {
            clients: Arc::new(cached::CachedClients {
                db: db.clone(),
                caches: Arc::clone(&caches),
            }),
            identities: Arc::new(cached::CachedIdentities {
                db: db.clone(),
                caches: Arc::clone(&caches),
            }),
            logins: db.clone(),
            codes: db.clone(),
            tokens: db.clone(),
            sessions: db.clone(),
            decisions: db.clone(),
            faults: db.clone(),
            devices: db.clone(),
            outbox: db.clone(),
            cases: db.clone(),
            onboardings: db.clone(),
            meta: db.clone(),
            assertions: db.clone(),
            pushed: db.clone(),
            requests: db.clone(),
            maintenance: db,
            caches,
        }
    }

    /// Forgets the clients and identities read so far, so changes another replica or process
    /// made are read (the server calls it every [`FORGET_EVERY`]).
    pub fn forget_cached(&self) {
        self.caches.forget();
    }

    /// Clears logins, codes, tokens, sessions, queued decisions, device state (blocks, wrong
    /// attempts, spent key-card codes), the outbox, Citizen Service cases and onboardings; keeps
    /// identities, clients and keys. Also forgets client assertion ids, pushed requests and the
    /// request log.
    pub fn reset(&self) -> StoreResult<()> {
        self.requests.clear()?;
        self.devices.clear()?;
        self.cases.clear()?;
        self.outbox.clear()?;
        self.onboardings.clear()?;
        self.logins.clear()?;
        self.codes.clear()?;
        self.tokens.clear()?;
        self.sessions.clear()?;
        self.assertions.clear()?;
        self.pushed.clear()?;
        self.faults.clear()?;
        self.decisions.clear()
    }
}

/// The ladder's explanation of a settled login, kept for `explain`.
pub fn decided_by(status: &LoginStatus) -> Option<&DecisionSource> {
    match status {
        LoginStatus::Pending => None,
        LoginStatus::Approved { decided_by, .. } | LoginStatus::Rejected { decided_by, .. } => {
            Some(decided_by)
        }
    }
}
