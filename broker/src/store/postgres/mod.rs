//! The PostgreSQL store (`--database postgres://...`): the same traits as
//! [`super::SqliteStore`], for several broker replicas on one database. Rows are the SQLite
//! store's (a few indexed columns and the artefact as JSON `data`); every single-use take is a
//! row-level condition (`UPDATE ... WHERE NOT taken RETURNING`), so it is spent once across
//! replicas, not by a process mutex.
//!
//! The traits are synchronous (the broker calls them from its handlers). The pool and its
//! connections live on a small runtime of the store's own; a call hands its future to that
//! runtime and waits for the answer on a channel, which works from any thread (a tokio worker,
//! a test's runtime, a plain thread) and never nests runtimes.
//!
//! Migrations are versioned (`broker_migrations`), run on start under an advisory lock, so two
//! replicas starting at once apply each one once.

/// `pg_params![a, b]`: owned statement parameters (`&str` becomes a `String`, unsigned and
/// `usize` numbers a `BIGINT`'s `i64`), so the SQLite store's calls read the same.
macro_rules! pg_params {
    ($($value:expr),* $(,)?) => {{
        let params: $crate::store::postgres::Params = vec![
            $(Box::new($crate::store::postgres::Param::owned(&$value))),*
        ];
        params
    }};
}

mod cases;
mod clients;
mod decisions;
mod devices;
mod faults;
mod grants;
mod identities;
mod logins;
mod meta;
mod migrations;
mod onboardings;
mod outbox;
mod request_log;
mod requests;
mod sessions;
pub mod signing_keys;

use std::future::Future;
use std::str::FromStr;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio_postgres::types::ToSql;
use tokio_postgres::NoTls;

use super::{StoreError, StoreResult};

/// Connections a replica keeps open at most.
const POOL_SIZE: usize = 16;

pub struct PgStore {
    pool: Pool,
    /// `None` only while dropping.
    runtime: Option<tokio::runtime::Runtime>,
}

/// Parameters of a statement, owned so a call's future can move to the store's runtime.
pub(super) type Params = Vec<Box<dyn ToSql + Sync + Send>>;

/// A value as a statement parameter the store's runtime can own (taken by reference).
pub(super) trait Param {
    type Owned: ToSql + Sync + Send + 'static;
    fn owned(&self) -> Self::Owned;
}

impl Param for &str {
    type Owned = String;
    fn owned(&self) -> String {
        (*self).to_owned()
    }
}

impl Param for String {
    type Owned = String;
    fn owned(&self) -> String {
        self.clone()
    }
}

impl Param for &String {
    type Owned = String;
    fn owned(&self) -> String {
        (*self).clone()
    }
}

impl Param for i64 {
    type Owned = i64;
    fn owned(&self) -> i64 {
        *self
    }
}

impl Param for u32 {
    type Owned = i64;
    fn owned(&self) -> i64 {
        i64::from(*self)
    }
}

impl Param for usize {
    type Owned = i64;
    fn owned(&self) -> i64 {
        i64::try_from(*self).unwrap_or(i64::MAX)
    }
}

impl Param for bool {
    type Owned = i64;
    fn owned(&self) -> i64 {
        i64::from(*self)
    }
}

impl Param for Option<&str> {
    type Owned = Option<String>;
    fn owned(&self) -> Option<String> {
        self.map(str::to_owned)
    }
}

impl Param for Option<String> {
    type Owned = Option<String>;
    fn owned(&self) -> Option<String> {
        self.clone()
    }
}

pub(super) fn db(e: tokio_postgres::Error) -> StoreError {
    if let Some(code) = e.code() {
        if *code == tokio_postgres::error::SqlState::UNIQUE_VIOLATION {
            return StoreError::Conflict(
                e.as_db_error()
                    .and_then(|d| d.constraint().map(str::to_owned))
                    .unwrap_or_else(|| "row".into()),
            );
        }
    }
    StoreError::Db(describe(&e))
}

/// The server's own words for an error it answered (tokio-postgres's `Display` says only
/// "db error"), with its SQLSTATE and hint; other errors as they display.
fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(d) => {
            let mut text = format!(
                "{}: {} (SQLSTATE {})",
                d.severity(),
                d.message(),
                d.code().code()
            );
            if let Some(hint) = d.hint() {
                text.push_str(&format!("; hint: {hint}"));
            }
            text
        }
        None => e.to_string(),
    }
}

fn pool_error(e: deadpool_postgres::PoolError) -> StoreError {
    StoreError::Db(format!("no database connection: {e}"))
}

pub(super) fn to_json<T: Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(super) fn from_json<T: DeserializeOwned>(s: &str) -> StoreResult<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn refs(params: &Params) -> Vec<&(dyn ToSql + Sync)> {
    params
        .iter()
        .map(|p| p.as_ref() as &(dyn ToSql + Sync))
        .collect()
}

impl PgStore {
    /// Connects to `url` (`postgres://user:password@host:port/database`) and brings the schema
    /// up to date. `schema`, when given, is created and used instead of `public` (tests give
    /// each store a schema of its own).
    pub fn connect(url: &str, schema: Option<&str>) -> StoreResult<PgStore> {
        let mut config = tokio_postgres::Config::from_str(url)
            .map_err(|e| StoreError::Db(format!("database URL: {e}")))?;
        if let Some(schema) = schema {
            if !schema
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                return Err(StoreError::Db(format!("schema name {schema:?}")));
            }
            config.options(format!("-c search_path={schema}"));
        }
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .map_err(|e| StoreError::Db(format!("database pool: {e}")))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("postgres-store")
            .enable_all()
            .build()
            .map_err(|e| StoreError::Db(format!("database runtime: {e}")))?;
        let store = PgStore {
            pool,
            runtime: Some(runtime),
        };
        let schema = schema.map(str::to_owned);
        let pool = store.pool.clone();
        store.block(async move {
            let mut client = pool.get().await.map_err(pool_error)?;
            if let Some(schema) = schema {
                // Replicas starting together race in PostgreSQL's catalog even with IF NOT
                // EXISTS: the loser's unique violation means the schema is there.
                match client
                    .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
                    .await
                    .map_err(db)
                {
                    Ok(()) | Err(StoreError::Conflict(_)) => {}
                    Err(e) => return Err(e),
                }
            }
            migrations::run(&mut client).await.map_err(db)
        })?;
        Ok(store)
    }

    /// Runs `work` on the store's runtime and waits for it.
    pub(super) fn block<T: Send + 'static>(
        &self,
        work: impl Future<Output = StoreResult<T>> + Send + 'static,
    ) -> StoreResult<T> {
        let runtime = self
            .runtime
            .as_ref()
            .ok_or_else(|| StoreError::Db("the store is closed".into()))?;
        let (answer, answered) = std::sync::mpsc::sync_channel(1);
        runtime.spawn(async move {
            let _ = answer.send(work.await);
        });
        let wait = || {
            answered
                .recv()
                .map_err(|_| StoreError::Db("the database task ended without an answer".into()))?
        };
        // Called from a request on the server's multi-threaded runtime: the worker hands its
        // other requests to another thread while this one waits for the database, so a round
        // trip never holds up requests that could run meanwhile.
        match tokio::runtime::Handle::try_current() {
            Ok(handle) if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
                tokio::task::block_in_place(wait)
            }
            _ => wait(),
        }
    }

    /// A connection from the pool, inside [`PgStore::block`].
    pub(super) async fn client(pool: &Pool) -> StoreResult<deadpool_postgres::Object> {
        pool.get().await.map_err(pool_error)
    }

    /// Runs one statement; how many rows it changed.
    pub(super) fn exec(&self, sql: &'static str, params: Params) -> StoreResult<u64> {
        let pool = self.pool.clone();
        self.block(async move {
            let client = Self::client(&pool).await?;
            let statement = client.prepare_cached(sql).await.map_err(db)?;
            client.execute(&statement, &refs(&params)).await.map_err(db)
        })
    }

    /// Runs `statements`, each with `params`, in one transaction.
    pub(super) fn exec_all(
        &self,
        statements: &'static [&'static str],
        params: Params,
    ) -> StoreResult<()> {
        let pool = self.pool.clone();
        self.block(async move {
            let mut client = Self::client(&pool).await?;
            let tx = client.transaction().await.map_err(db)?;
            for sql in statements {
                tx.execute(*sql, &refs(&params)).await.map_err(db)?;
            }
            tx.commit().await.map_err(db)
        })
    }

    /// The JSON `data` (first column) of every row, as `T`.
    pub(super) fn query_data<T: DeserializeOwned + Send + 'static>(
        &self,
        sql: &'static str,
        params: Params,
    ) -> StoreResult<Vec<T>> {
        let pool = self.pool.clone();
        self.block(async move {
            let client = Self::client(&pool).await?;
            let statement = client.prepare_cached(sql).await.map_err(db)?;
            let rows = client.query(&statement, &refs(&params)).await.map_err(db)?;
            rows.iter()
                .map(|row| from_json(row.try_get::<_, &str>(0).map_err(db)?))
                .collect()
        })
    }

    /// The JSON `data` (first column) of the first row, if any.
    pub(super) fn one_data<T: DeserializeOwned + Send + 'static>(
        &self,
        sql: &'static str,
        params: Params,
    ) -> StoreResult<Option<T>> {
        let pool = self.pool.clone();
        self.block(async move {
            let client = Self::client(&pool).await?;
            let statement = client.prepare_cached(sql).await.map_err(db)?;
            let row = client
                .query_opt(&statement, &refs(&params))
                .await
                .map_err(db)?;
            row.map(|row| from_json(row.try_get::<_, &str>(0).map_err(db)?))
                .transpose()
        })
    }

    /// Runs `work` while holding PostgreSQL advisory lock `key` (on a connection of its own),
    /// so one replica at a time does it: making the first signing keys, say.
    pub fn exclusively<T>(&self, key: i64, work: impl FnOnce() -> T) -> StoreResult<T> {
        let pool = self.pool.clone();
        let held = self.block(async move {
            let client = Self::client(&pool).await?;
            client
                .execute("SELECT pg_advisory_lock($1)", &[&key])
                .await
                .map_err(db)?;
            Ok(client)
        })?;
        let out = work();
        self.block(async move {
            held.execute("SELECT pg_advisory_unlock($1)", &[&key])
                .await
                .map_err(db)?;
            Ok(())
        })?;
        Ok(out)
    }

    /// The stored PEM column of every signing key, as it is in the table (tests of sealing).
    #[cfg(test)]
    pub fn stored_key_pems(&self) -> StoreResult<Vec<String>> {
        let pool = self.pool.clone();
        self.block(async move {
            let client = Self::client(&pool).await?;
            let rows = client
                .query("SELECT pem FROM signing_keys ORDER BY seq", &[])
                .await
                .map_err(db)?;
            rows.iter().map(|r| r.try_get(0).map_err(db)).collect()
        })
    }

    /// How many migrations there are.
    #[cfg(test)]
    pub const MIGRATIONS: usize = migrations::COUNT;

    /// How many migrations are recorded as applied.
    #[cfg(test)]
    pub fn migrations_applied(&self) -> StoreResult<i64> {
        Ok(self
            .scalar("SELECT COUNT(*) FROM broker_migrations", pg_params![])?
            .unwrap_or(0))
    }

    /// The pool, for statements that need a transaction or several results.
    pub(super) fn pool(&self) -> Pool {
        self.pool.clone()
    }

    /// The first column of the first row, if any.
    pub(super) fn scalar<T>(&self, sql: &'static str, params: Params) -> StoreResult<Option<T>>
    where
        T: for<'a> tokio_postgres::types::FromSql<'a> + Send + 'static,
    {
        let pool = self.pool.clone();
        self.block(async move {
            let client = Self::client(&pool).await?;
            let statement = client.prepare_cached(sql).await.map_err(db)?;
            let row = client
                .query_opt(&statement, &refs(&params))
                .await
                .map_err(db)?;
            row.map(|row| row.try_get::<_, T>(0).map_err(db))
                .transpose()
        })
    }

    /// A read-modify-write of one row, safe across replicas: `select` (which must end in
    /// `FOR UPDATE`) reads the row's `data` with `key` in a transaction; `change` sees it (or
    /// `None`) and answers the parameters for `update` (or `None` to write nothing) and the
    /// result; the write commits with the transaction.
    pub(super) fn modify<T, R>(
        &self,
        select: &'static str,
        key: String,
        update: &'static str,
        change: impl FnOnce(Option<T>) -> StoreResult<(Option<Params>, R)> + Send + 'static,
    ) -> StoreResult<R>
    where
        T: DeserializeOwned + Send + 'static,
        R: Send + 'static,
    {
        let pool = self.pool.clone();
        self.block(async move {
            let mut client = Self::client(&pool).await?;
            let tx = client.transaction().await.map_err(db)?;
            let row = tx.query_opt(select, &[&key]).await.map_err(db)?;
            let current = match row {
                Some(row) => Some(from_json(row.try_get::<_, &str>(0).map_err(db)?)?),
                None => None,
            };
            let (write, result) = change(current)?;
            if let Some(params) = write {
                tx.execute(update, &refs(&params)).await.map_err(db)?;
            }
            tx.commit().await.map_err(db)?;
            Ok(result)
        })
    }

    /// Takes a single-use row: `select` yields (grant_id, state, data) with state 0 = usable,
    /// 1 = already used, 2 = gone; `update` marks it used only if still usable, so the take
    /// stays single across connections and replicas.
    pub(super) fn take_once<T: DeserializeOwned + Send + 'static>(
        &self,
        select: &'static str,
        update: &'static str,
        hash: &str,
    ) -> StoreResult<super::Take<T>> {
        use super::Take;
        let pool = self.pool.clone();
        let hash = hash.to_owned();
        self.block(async move {
            let client = Self::client(&pool).await?;
            let row = client.query_opt(select, &[&hash]).await.map_err(db)?;
            let Some(row) = row else {
                return Ok(Take::NotFound);
            };
            let grant: String = row.try_get(0).map_err(db)?;
            let state: i32 = row.try_get(1).map_err(db)?;
            match state {
                0 => {
                    let changed = client.execute(update, &[&hash]).await.map_err(db)?;
                    if changed == 0 {
                        return Ok(Take::AlreadyTaken(crate::model::GrantId::new(grant)));
                    }
                    Ok(Take::Taken(from_json(
                        row.try_get::<_, &str>(2).map_err(db)?,
                    )?))
                }
                2 => Ok(Take::NotFound),
                _ => Ok(Take::AlreadyTaken(crate::model::GrantId::new(grant))),
            }
        })
    }

    /// Inserts a row of one of the grant-bound tables (codes, access and refresh tokens).
    pub(super) fn insert_for_grant(
        &self,
        sql: &'static str,
        hash: &str,
        grant: &crate::model::Grant,
        expires_at: crate::clock::UnixTime,
        row: &impl Serialize,
    ) -> StoreResult<()> {
        self.exec(
            sql,
            pg_params![hash, grant.id.as_str(), expires_at, to_json(row)?],
        )?;
        Ok(())
    }
}

impl Drop for PgStore {
    fn drop(&mut self) {
        // Dropping a runtime inside another one's task would panic; this never blocks.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
