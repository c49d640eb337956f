//! The durable store on sea-orm: inputs, messages, deliveries, attempts and inbound idempotency
//! keys. SQLite (WAL, `synchronous=FULL`) by default, PostgreSQL through the same code; the few
//! statements where the dialects differ are chosen by `Dialect`.

mod connect;
mod control;
mod deliveries;
mod ingest;
mod migration;
mod query;
mod sql;

pub use connect::{StoreGuard, StoreUrl};
pub use deliveries::{Claimed, DeliveryFilter, DeliveryRow, Outcome, OutcomeRecord};
pub use ingest::{AckReceipt, Committed, Lease, MessageStatus, NewDelivery, NewMessage};
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
}

impl Store {
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
