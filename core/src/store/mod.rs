//! The durable store on sea-orm: inputs, messages, deliveries, attempts and inbound idempotency
//! keys. SQLite (WAL, `synchronous=FULL`) by default, PostgreSQL through the same code; the few
//! statements where the dialects differ are chosen by `Dialect`.

mod connect;
mod deliveries;
mod ingest;
mod migration;
mod query;
mod sql;

pub use connect::{StoreGuard, StoreUrl};
pub use deliveries::{Claimed, DeliveryFilter, DeliveryRow, Outcome, OutcomeRecord};
pub use ingest::{Committed, Lease, MessageStatus, NewDelivery, NewMessage};
pub use query::{AttemptRow, DeliveryDetail, MessageDetail, MessageFilter, MessageSummary};

use sea_orm::DatabaseConnection;

use sql::Dialect;

/// A store failure: the operation did not take effect.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("store: {0}")]
    Setup(String),
    #[error("store: corrupt row: {0}")]
    Corrupt(String),
}

/// The hub's store.
#[derive(Clone)]
pub struct Store {
    db: DatabaseConnection,
    dialect: Dialect,
    writer: WriterThread,
}

/// A thread of its own for the tasks that write (group commit, claims, outcomes). Each of their
/// transactions is several round trips to the database; on the request runtime every round trip
/// would queue behind HTTP work, and on a single SQLite connection that wait is everyone's wait.
#[derive(Clone)]
struct WriterThread {
    handle: tokio::runtime::Handle,
    stop: std::sync::Arc<std::sync::Mutex<Option<tokio::sync::oneshot::Sender<()>>>>,
}

impl WriterThread {
    fn start() -> Result<Self, StoreError> {
        let (handle_tx, handle_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = handle_tx.send(Err(e.to_string()));
                        return;
                    }
                };
                let _ = handle_tx.send(Ok(rt.handle().clone()));
                let _ = rt.block_on(stop_rx);
            })
            .map_err(|e| StoreError::Setup(format!("cannot start the store writer thread: {e}")))?;
        let handle = handle_rx
            .recv()
            .map_err(|e| StoreError::Setup(e.to_string()))?
            .map_err(StoreError::Setup)?;
        Ok(Self {
            handle,
            stop: std::sync::Arc::new(std::sync::Mutex::new(Some(stop_tx))),
        })
    }
}

impl Store {
    /// Runs a writing task on the store's writer thread.
    pub fn spawn<F>(&self, fut: F) -> tokio::task::JoinHandle<F::Output>
    where
        F: std::future::Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.writer.handle.spawn(fut)
    }

    /// Stops the writer thread (its unfinished tasks are dropped).
    pub fn stop_writer(&self) {
        if let Some(tx) = self
            .writer
            .stop
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
        {
            let _ = tx.send(());
        }
    }

    /// `true` on PostgreSQL (several instances may share it), `false` on SQLite.
    #[must_use]
    pub fn is_shared(&self) -> bool {
        self.dialect == Dialect::Postgres
    }

    /// The underlying connection, for tests and tools.
    #[must_use]
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }
}
