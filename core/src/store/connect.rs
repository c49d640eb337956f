//! Opening the store. SQLite runs in WAL mode with `synchronous=FULL` (every commit fsyncs the
//! WAL, so an accepted message is on disk before the partner hears "accepted", even on power
//! loss; group commit and batched outcome writes keep the number of commits small), on one
//! connection, guarded by an exclusive lock file so that one process owns it. PostgreSQL: a pool,
//! migrations serialized by an advisory lock.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, TransactionTrait};
use sea_orm_migration::MigratorTrait;

use super::migration::Migrator;
use super::sql::Dialect;
use super::{Store, StoreError};

/// A parsed store URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreUrl {
    /// A SQLite database file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL.
    Postgres(String),
}

impl FromStr for StoreUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        if let Some(path) = s.strip_prefix("sqlite://") {
            let path = path.split('?').next().unwrap_or_default();
            if path.is_empty() {
                return Err("sqlite:// needs a file path, e.g. sqlite://data/channelhub.db".into());
            }
            Ok(StoreUrl::Sqlite(PathBuf::from(path)))
        } else if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            Ok(StoreUrl::Postgres(s.to_string()))
        } else {
            Err(format!(
                "`{s}` is not a store URL; use sqlite://PATH or postgres://USER@HOST/DB"
            ))
        }
    }
}

/// Holds the SQLite lock file for as long as the store lives.
struct SqliteLock(#[allow(dead_code)] std::fs::File);

impl Store {
    /// Opens (creating where needed) and migrates the store.
    ///
    /// # Errors
    /// Connection, lock or migration failures.
    pub async fn open(url: &StoreUrl) -> Result<(Self, StoreGuard), StoreError> {
        match url {
            StoreUrl::Sqlite(path) => Self::open_sqlite(path).await,
            StoreUrl::Postgres(url) => Self::open_postgres(url).await,
        }
    }

    async fn open_sqlite(path: &Path) -> Result<(Self, StoreGuard), StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Setup(format!("cannot create {}: {e}", dir.display())))?;
        }
        let lock_path = path.with_extension("lock");
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| StoreError::Setup(format!("cannot open {}: {e}", lock_path.display())))?;
        lock.try_lock().map_err(|_| {
            StoreError::Setup(format!(
                "{} is in use by another channelhub process; a SQLite store serves one process \
                 (use PostgreSQL to run several)",
                path.display()
            ))
        })?;

        let file = path.to_path_buf();
        let mut opts = ConnectOptions::new(format!("sqlite://{}", path.display()));
        // One connection: every write is serialized anyway, and batching (group commit, batched
        // claims and outcomes) is what gives throughput, not parallel connections.
        // No ping before each acquire: it is a round trip on the one connection every writer
        // waits for, and a broken SQLite connection fails its next statement anyway.
        opts.max_connections(1)
            .min_connections(1)
            .test_before_acquire(false)
            .sqlx_logging(false);
        opts.map_sqlx_sqlite_opts(move |_| {
            SqliteConnectOptions::new()
                .filename(&file)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(10))
                .pragma("temp_store", "memory")
                .pragma("cache_size", "-32768")
        });
        let db = Database::connect(opts).await?;
        Migrator::up(&db, None).await?;
        let store = Store {
            db,
            dialect: Dialect::Sqlite,
        };
        // This process holds the lock, so no other process holds a lease: whatever a crashed
        // predecessor had claimed is claimable again at once.
        store.release_all_leases().await?;
        Ok((store, StoreGuard(Some(Arc::new(SqliteLock(lock))))))
    }

    async fn open_postgres(url: &str) -> Result<(Self, StoreGuard), StoreError> {
        let mut opts = ConnectOptions::new(url.to_string());
        opts.max_connections(16)
            .min_connections(2)
            .connect_timeout(Duration::from_secs(10))
            .test_before_acquire_if_idle_for(Duration::from_secs(30))
            .sqlx_logging(false);
        let db = Database::connect(opts).await?;
        // Several instances may start at once: migrate under a transaction-scoped advisory lock.
        let txn = db.begin().await?;
        txn.execute_unprepared("SELECT pg_advisory_xact_lock(7256001)").await?;
        Migrator::up(&txn, None).await?;
        txn.commit().await?;
        Ok((
            Store {
                db,
                dialect: Dialect::Postgres,
            },
            StoreGuard(None),
        ))
    }
}

/// Keeps process-wide store resources (the SQLite lock) alive; drop it after the store.
pub struct StoreGuard(#[allow(dead_code)] Option<Arc<SqliteLock>>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_urls() {
        assert_eq!("sqlite://data/x.db".parse(), Ok(StoreUrl::Sqlite("data/x.db".into())));
        assert!(matches!(
            "postgres://u@h/db".parse::<StoreUrl>(),
            Ok(StoreUrl::Postgres(_))
        ));
        assert!("mysql://x".parse::<StoreUrl>().is_err());
    }

    #[tokio::test]
    async fn a_second_process_cannot_open_the_same_sqlite_file() {
        let dir = tempfile::tempdir().unwrap();
        let url = StoreUrl::Sqlite(dir.path().join("hub.db"));
        let _first = Store::open(&url).await.unwrap();
        let Err(err) = Store::open(&url).await else {
            panic!("second open succeeded")
        };
        assert!(err.to_string().contains("another channelhub process"), "{err}");
    }
}
