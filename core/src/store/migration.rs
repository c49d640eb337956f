//! Schema migrations (sea-orm-migration), one DDL text per dialect where types differ.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

pub(super) struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(Initial),
            Box::new(SplitInputs),
            Box::new(ControlNumbers),
            Box::new(Acknowledgements),
        ]
    }
}

struct Initial;

impl MigrationName for Initial {
    fn name(&self) -> &str {
        "m20261125_000001_initial"
    }
}

/// The first schema. `{int}` and `{blob}` are the dialect's types; `{serial}` the delivery
/// sequence that gives acceptance order.
const INITIAL: &str = r"
CREATE TABLE inputs (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    received_at {int} NOT NULL,
    raw {blob} NOT NULL
);
CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    input_id TEXT NOT NULL,
    kind TEXT,
    business_key TEXT,
    source TEXT NOT NULL,
    partner TEXT NOT NULL,
    status TEXT NOT NULL,
    received_at {int} NOT NULL,
    correlation_id TEXT NOT NULL,
    idempotency_key TEXT,
    schema_version {int},
    document TEXT,
    error TEXT,
    routes TEXT
);
CREATE INDEX messages_business_key ON messages (business_key);
CREATE INDEX messages_received_at ON messages (received_at);
CREATE TABLE deliveries (
    seq {serial},
    id TEXT NOT NULL UNIQUE,
    message_id TEXT NOT NULL,
    sink TEXT NOT NULL,
    business_key TEXT,
    ordered {int} NOT NULL,
    status TEXT NOT NULL,
    attempt_count {int} NOT NULL DEFAULT 0,
    replay_base {int} NOT NULL DEFAULT 0,
    next_attempt_at {int} NOT NULL,
    lease_owner TEXT,
    lease_until {int} NOT NULL DEFAULT 0,
    last_error TEXT,
    last_status {int},
    created_at {int} NOT NULL,
    updated_at {int} NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (sink, next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_key_order ON deliveries (sink, business_key, seq) WHERE status = 'pending' AND ordered = 1;
CREATE INDEX deliveries_message ON deliveries (message_id);
CREATE INDEX deliveries_dead ON deliveries (sink, seq) WHERE status = 'dead';
CREATE TABLE attempts (
    delivery_id TEXT NOT NULL,
    attempt {int} NOT NULL,
    started_at {int} NOT NULL,
    duration_us {int} NOT NULL,
    outcome TEXT NOT NULL,
    status_code {int},
    error TEXT,
    PRIMARY KEY (delivery_id, attempt)
);
CREATE TABLE inbox (
    source TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    message_id TEXT NOT NULL,
    received_at {int} NOT NULL,
    PRIMARY KEY (source, idempotency_key)
);
";

#[async_trait::async_trait]
impl MigrationTrait for Initial {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let (int, blob, serial) = match manager.get_database_backend() {
            DbBackend::Postgres => ("BIGINT", "BYTEA", "BIGSERIAL PRIMARY KEY"),
            _ => ("INTEGER", "BLOB", "INTEGER PRIMARY KEY AUTOINCREMENT"),
        };
        let ddl = INITIAL
            .replace("{int}", int)
            .replace("{blob}", blob)
            .replace("{serial}", serial);
        let db = manager.get_connection();
        for stmt in ddl.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            db.execute_unprepared(stmt).await?;
        }
        Ok(())
    }
}

/// Messages split from one input are found from each other through their input.
struct SplitInputs;

impl MigrationName for SplitInputs {
    fn name(&self) -> &str {
        "m20261126_000001_split_inputs"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for SplitInputs {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("CREATE INDEX messages_input ON messages (input_id)")
            .await?;
        Ok(())
    }
}

/// Interchange control numbers: one counter per sink, and the number each delivery was given
/// (so that a retry resends the same interchange).
struct ControlNumbers;

impl MigrationName for ControlNumbers {
    fn name(&self) -> &str {
        "m20261126_000002_control_numbers"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for ControlNumbers {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let int = match manager.get_database_backend() {
            DbBackend::Postgres => "BIGINT",
            _ => "INTEGER",
        };
        let db = manager.get_connection();
        db.execute_unprepared(&format!(
            "CREATE TABLE control_numbers (counter TEXT PRIMARY KEY, last {int} NOT NULL)"
        ))
        .await?;
        db.execute_unprepared(&format!("ALTER TABLE deliveries ADD COLUMN control_number {int}"))
            .await?;
        Ok(())
    }
}

/// Functional acknowledgements of outbound interchanges: whether one is awaited, what the
/// partner answered (or that it did not answer in time), and which inbound message said so.
struct Acknowledgements;

impl MigrationName for Acknowledgements {
    fn name(&self) -> &str {
        "m20261126_000003_acknowledgements"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Acknowledgements {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let int = match manager.get_database_backend() {
            DbBackend::Postgres => "BIGINT",
            _ => "INTEGER",
        };
        let db = manager.get_connection();
        for stmt in [
            "ALTER TABLE deliveries ADD COLUMN ack_status TEXT".to_string(),
            "ALTER TABLE deliveries ADD COLUMN ack_detail TEXT".to_string(),
            "ALTER TABLE deliveries ADD COLUMN ack_message_id TEXT".to_string(),
            format!("ALTER TABLE deliveries ADD COLUMN ack_at {int}"),
            "CREATE INDEX deliveries_control ON deliveries (control_number) WHERE control_number IS NOT NULL"
                .to_string(),
            "CREATE INDEX deliveries_awaited ON deliveries (sink, updated_at) WHERE ack_status = 'awaited'".to_string(),
        ] {
            db.execute_unprepared(&stmt).await?;
        }
        Ok(())
    }
}
