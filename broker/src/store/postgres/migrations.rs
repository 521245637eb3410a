//! Versioned migrations of the PostgreSQL store. Each runs once, in its own transaction, under
//! an advisory lock held for the whole run: a second replica starting at the same moment waits,
//! then finds every version applied. A migration is never edited once released; a change is a
//! new one at the end.

/// `pg_advisory_lock` key of the broker's migrations.
const LOCK: i64 = 0x6d69_7469_645f_7369;

/// How many migrations there are.
#[cfg(test)]
pub const COUNT: usize = MIGRATIONS.len();

/// (version, SQL), in order.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, INITIAL),
    (2, SIGNING_KEYS),
    (3, REQUEST_LOG),
    (4, PENDING_LOGINS),
];

/// Only pending logins are looked up by status, and most are stored settled (decided on the
/// spot): a partial index leaves those out, so storing one writes one index entry fewer.
const PENDING_LOGINS: &str = r#"
DROP INDEX IF EXISTS logins_status;
CREATE INDEX logins_pending ON logins (created_at, id) WHERE status = 'pending';
"#;

/// The request log (`crate::requests`): the latest requests to the OpenID Provider endpoints,
/// written in batches by every replica and pruned to a bound.
const REQUEST_LOG: &str = r#"
CREATE TABLE request_log (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at BIGINT NOT NULL,
    client_id TEXT,
    login_id TEXT,
    data TEXT NOT NULL);
CREATE INDEX request_log_client ON request_log (client_id, seq);
CREATE INDEX request_log_login ON request_log (login_id, seq);
"#;

/// The signing keys, shared by the replicas: the key's record as JSON, and its PEM (sealed with
/// AES-256-GCM when a key-encryption key is configured).
const SIGNING_KEYS: &str = r#"
CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY,
    seq BIGINT NOT NULL,
    data TEXT NOT NULL,
    pem TEXT NOT NULL);
"#;

const INITIAL: &str = r#"
CREATE TABLE clients (client_id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE identities (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL);
CREATE TABLE logins (
    id TEXT PRIMARY KEY,
    seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    status TEXT NOT NULL,
    delivered BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    data TEXT NOT NULL);
CREATE INDEX logins_status ON logins(status, created_at);
CREATE TABLE codes (
    hash TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL,
    taken BIGINT NOT NULL DEFAULT 0,
    expires_at BIGINT NOT NULL,
    data TEXT NOT NULL);
CREATE TABLE access_tokens (
    hash TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL,
    revoked BIGINT NOT NULL DEFAULT 0,
    expires_at BIGINT NOT NULL,
    data TEXT NOT NULL);
CREATE INDEX access_tokens_grant ON access_tokens(grant_id);
CREATE TABLE refresh_tokens (
    hash TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL,
    used BIGINT NOT NULL DEFAULT 0,
    revoked BIGINT NOT NULL DEFAULT 0,
    expires_at BIGINT NOT NULL,
    data TEXT NOT NULL);
CREATE INDEX refresh_tokens_grant ON refresh_tokens(grant_id);
CREATE TABLE revoked_grants (grant_id TEXT PRIMARY KEY);
CREATE TABLE sessions (
    sid TEXT PRIMARY KEY,
    cookie_hash TEXT NOT NULL UNIQUE,
    ended BIGINT NOT NULL DEFAULT 0,
    expires_at BIGINT NOT NULL,
    data TEXT NOT NULL);
CREATE TABLE decisions (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    client_id TEXT,
    for_user_id TEXT,
    data TEXT NOT NULL);
CREATE TABLE faults (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    client_id TEXT NOT NULL,
    stage TEXT NOT NULL,
    remaining BIGINT NOT NULL,
    data TEXT NOT NULL);
CREATE TABLE rp_events (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id TEXT NOT NULL,
    login_id TEXT,
    data TEXT NOT NULL);
CREATE INDEX rp_events_login ON rp_events (login_id);
CREATE INDEX rp_events_client ON rp_events (client_id, seq);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE devices (identity_id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE onboardings (
    id TEXT PRIMARY KEY,
    rev BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    data TEXT NOT NULL);
CREATE TABLE outbox (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL);
CREATE TABLE assertion_jtis (
    client_id TEXT NOT NULL,
    jti TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (client_id, jti));
CREATE TABLE pushed_requests (
    uri_hash TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL,
    data TEXT NOT NULL);
CREATE TABLE citizen_service_cases (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    rev BIGINT NOT NULL,
    data TEXT NOT NULL);
"#;

/// Applies every migration not yet applied.
pub async fn run(client: &mut deadpool_postgres::Object) -> Result<(), tokio_postgres::Error> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&LOCK])
        .await?;
    let applied = apply(client).await;
    let unlocked = client
        .execute("SELECT pg_advisory_unlock($1)", &[&LOCK])
        .await;
    applied.and(unlocked.map(|_| ()))
}

async fn apply(client: &mut deadpool_postgres::Object) -> Result<(), tokio_postgres::Error> {
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS broker_migrations (
                 version BIGINT PRIMARY KEY,
                 applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
        )
        .await?;
    let row = client
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM broker_migrations",
            &[],
        )
        .await?;
    let current: i64 = row.try_get(0)?;
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        let tx = client.transaction().await?;
        tx.batch_execute(sql).await?;
        tx.execute(
            "INSERT INTO broker_migrations (version) VALUES ($1)",
            &[version],
        )
        .await?;
        tx.commit().await?;
        tracing::info!(version, "database migrated");
    }
    Ok(())
}
