//! Storage: one query code path for SQLite (embedded default) and PostgreSQL (production).
//!
//! Store functions take a [`Db`] — a borrowed connection of either backend — and write their
//! diesel query once inside [`with_db!`], which expands it per backend so each copy is
//! type-checked against its own dialect. [`Store::read`] lends a pooled connection;
//! [`Store::write`] runs the closure in one transaction (`BEGIN IMMEDIATE` on SQLite so a
//! reader never has to upgrade to a writer mid-transaction).
//!
//! Every tenant-owned row carries `tenant_id`, and every function touching such rows takes the
//! tenant id and filters by it: there is no "by id only" access to tenant data.

use std::time::Duration;

use deadpool::managed::{self, Manager};
use diesel::sqlite::SqliteConnection;
use diesel_async::pooled_connection::deadpool::Pool;
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig};
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_async::{
    AsyncConnection, AsyncMigrationHarness, AsyncPgConnection, SimpleAsyncConnection,
};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use futures::future::BoxFuture;

use crate::config::DatabaseUrl;

pub mod account_pause;
pub mod admin;
pub mod api_key;
pub mod audit;
pub mod connection;
pub mod error;
pub mod grant;
pub mod health;
pub mod hidden_item;
pub mod idempotency;
pub mod inspect;
pub mod meeting;
pub mod occurrence;
pub mod outbox;
pub mod owner;
pub mod public;
pub mod recording;
pub mod registration;
pub mod schema;
pub mod settings;
pub mod sync_job;
pub mod sync_status;
pub mod tenant;
pub mod tombstone;
pub mod webhook_event;
pub mod zoom_app;

pub use error::StoreError;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

pub type SqliteConn = SyncConnectionWrapper<SqliteConnection>;

/// A borrowed connection of either backend, inside or outside a transaction.
pub enum Db<'a> {
    Sqlite(&'a mut SqliteConn),
    Pg(&'a mut AsyncPgConnection),
}

impl Db<'_> {
    /// Lends the same connection (and transaction) to a nested call.
    pub fn reborrow(&mut self) -> Db<'_> {
        match self {
            Db::Sqlite(c) => Db::Sqlite(c),
            Db::Pg(c) => Db::Pg(c),
        }
    }
}

/// Expands `$body` once per backend with `$conn` bound to that backend's connection.
macro_rules! with_db {
    ($db:expr, |$conn:ident| $body:expr) => {
        match $db {
            $crate::store::Db::Sqlite(inner) => {
                let $conn: &mut $crate::store::SqliteConn = &mut **inner;
                $body
            }
            $crate::store::Db::Pg(inner) => {
                let $conn: &mut diesel_async::AsyncPgConnection = &mut **inner;
                $body
            }
        }
    };
}
pub(crate) use with_db;

#[derive(Clone)]
enum Pools {
    Sqlite(Pool<SqliteConn>),
    Pg(Pool<AsyncPgConnection>),
}

/// The database handle held by the app. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pools: Pools,
}

/// How long a caller waits for a pooled connection before the request fails with 503.
const POOL_WAIT: Duration = Duration::from_secs(10);

impl Store {
    /// Opens a pool for `url`. SQLite files (and their directory) are created if missing.
    pub async fn connect(url: &DatabaseUrl) -> Result<Self, StoreError> {
        let pools = match url {
            DatabaseUrl::Postgres(url) => {
                let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new(url.as_str());
                Pools::Pg(build_pool(manager, 16)?)
            }
            DatabaseUrl::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        StoreError::Unavailable(format!("cannot create {}: {e}", dir.display()))
                    })?;
                }
                let mut config = ManagerConfig::<SqliteConn>::default();
                config.custom_setup = Box::new(|url| Box::pin(open_sqlite(url.to_owned())));
                let manager = AsyncDieselConnectionManager::<SqliteConn>::new_with_config(
                    path.to_string_lossy(),
                    config,
                );
                Pools::Sqlite(build_pool(manager, 8)?)
            }
        };
        Ok(Self { pools })
    }

    pub fn backend_name(&self) -> &'static str {
        match self.pools {
            Pools::Sqlite(_) => "sqlite",
            Pools::Pg(_) => "postgres",
        }
    }

    /// Applies pending migrations; returns the versions applied now.
    ///
    /// diesel-async's harness blocks in place, so this needs the multi-threaded runtime.
    pub async fn migrate(&self) -> Result<Vec<String>, StoreError> {
        macro_rules! run {
            ($pool:expr) => {{
                let mut harness = AsyncMigrationHarness::new(get($pool).await?);
                let applied = harness
                    .run_pending_migrations(MIGRATIONS)
                    .map_err(|e| StoreError::Migration(e.to_string()))?;
                applied.iter().map(|v| v.to_string()).collect()
            }};
        }
        Ok(match &self.pools {
            Pools::Sqlite(pool) => run!(pool),
            Pools::Pg(pool) => run!(pool),
        })
    }

    /// Whether the database answers and every migration is applied (for `/readyz`).
    pub async fn readiness(&self) -> Result<(), StoreError> {
        macro_rules! pending {
            ($pool:expr) => {{
                let mut harness = AsyncMigrationHarness::new(get($pool).await?);
                harness
                    .pending_migrations(MIGRATIONS)
                    .map_err(|e| StoreError::Migration(e.to_string()))?
                    .len()
            }};
        }
        let count = match &self.pools {
            Pools::Sqlite(pool) => pending!(pool),
            Pools::Pg(pool) => pending!(pool),
        };
        match count {
            0 => Ok(()),
            n => Err(StoreError::Migration(format!(
                "{n} migration(s) not applied; run `marquee migrate`"
            ))),
        }
    }

    /// Runs `f` with a pooled connection, outside any transaction.
    pub async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        F: for<'c> FnOnce(Db<'c>) -> BoxFuture<'c, Result<T, StoreError>>,
    {
        match &self.pools {
            Pools::Sqlite(pool) => f(Db::Sqlite(&mut *get(pool).await?)).await,
            Pools::Pg(pool) => f(Db::Pg(&mut *get(pool).await?)).await,
        }
    }

    /// Runs `f` in one write transaction: everything it does commits together or not at all.
    ///
    /// Closures capture owned values (`move`), which keeps the higher-ranked lifetimes simple.
    pub async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(Db<'c>) -> BoxFuture<'c, Result<T, StoreError>> + Send + 'static,
    {
        match &self.pools {
            Pools::Sqlite(pool) => {
                let mut conn = get(pool).await?;
                conn.immediate_transaction(async move |c| f(Db::Sqlite(c)).await)
                    .await
            }
            Pools::Pg(pool) => {
                let mut conn = get(pool).await?;
                conn.transaction(async move |c| f(Db::Pg(c)).await).await
            }
        }
    }
}

fn build_pool<M: Manager>(manager: M, size: usize) -> Result<managed::Pool<M>, StoreError> {
    managed::Pool::builder(manager)
        .max_size(size)
        .wait_timeout(Some(POOL_WAIT))
        .create_timeout(Some(POOL_WAIT))
        .runtime(deadpool::Runtime::Tokio1)
        .build()
        .map_err(|e| StoreError::Unavailable(e.to_string()))
}

async fn get<M: Manager>(pool: &managed::Pool<M>) -> Result<managed::Object<M>, StoreError>
where
    M::Error: std::fmt::Display,
{
    pool.get()
        .await
        .map_err(|e| StoreError::Unavailable(e.to_string()))
}

/// Every SQLite connection gets the same PRAGMAs: WAL so readers never block the writer,
/// a busy timeout so concurrent writers wait instead of failing, enforced foreign keys, and
/// `synchronous = FULL` so a commit is on disk (WAL fsynced) before it returns: whatever a
/// caller was told is saved survives a power loss, not only a crash. All connections, not just
/// intake's: a pooled connection is any caller's, and every acknowledged write (a 200 to Zoom,
/// a 201 to the API) makes the same promise. Group commit keeps webhook intake fast with it.
async fn open_sqlite(path: String) -> diesel::ConnectionResult<SqliteConn> {
    let mut conn = SqliteConn::establish(&path).await?;
    conn.batch_execute(
        "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; \
         PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
    )
    .await
    .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
    Ok(conn)
}

/// The current time truncated to microseconds, so both backends store the same value.
pub fn now() -> chrono::NaiveDateTime {
    use chrono::{DurationRound, TimeDelta};
    let now = chrono::Utc::now().naive_utc();
    now.duration_trunc(TimeDelta::microseconds(1))
        .unwrap_or(now)
}
