//! Deliveries: claiming due ones under a lease (in acceptance order per business key on ordered
//! sinks, `FOR UPDATE SKIP LOCKED` on PostgreSQL), recording attempts and outcomes in batches,
//! listing and replaying.

use std::collections::HashMap;

use sea_orm::{TransactionTrait, Value};
use uuid::Uuid;

use super::sql::{Dialect, get, list, value_rows};
use super::{Store, StoreError};

/// A delivery claimed for sending, with what the sender needs.
#[derive(Debug, Clone)]
pub struct Claimed {
    /// Acceptance order.
    pub seq: i64,
    pub id: Uuid,
    pub message_id: Uuid,
    pub sink: String,
    pub business_key: Option<String>,
    /// Attempts made before this one.
    pub attempt_count: i64,
    /// Attempts made before the last replay (the retry budget counts from there).
    pub replay_base: i64,
    pub correlation_id: String,
    pub received_at: i64,
    /// The message's kind (`order`, ..., or `x12_997`, `edifact_contrl`, ... for the hub's own
    /// acknowledgements).
    pub kind: Option<String>,
    /// The canonical document, JSON text.
    pub document: String,
    /// The lease held on it (µs); it must not be sent after this.
    pub lease_until: i64,
}

/// How an attempt ended, as the dispatcher decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// Try again at `next_attempt_at` (µs).
    Retry {
        next_attempt_at: i64,
    },
    Dead,
}

/// One finished attempt to record.
#[derive(Debug, Clone)]
pub struct OutcomeRecord {
    pub delivery_id: Uuid,
    /// 1-based attempt number.
    pub attempt: i64,
    pub started_at: i64,
    pub duration_us: i64,
    pub outcome: Outcome,
    pub status_code: Option<i64>,
    pub error: Option<String>,
}

/// A delivery as listed by the management API.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DeliveryRow {
    pub id: String,
    pub message_id: String,
    pub sink: String,
    pub business_key: Option<String>,
    pub status: String,
    pub attempt_count: i64,
    pub next_attempt_at: String,
    pub last_error: Option<String>,
    pub last_status: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
    /// X12 and EDIFACT: the interchange control number the delivery was sent under.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control_number: Option<i64>,
    /// The partner's functional acknowledgement of that interchange: `awaited`, `acknowledged`,
    /// `acknowledged_with_errors`, `partially_accepted`, `rejected`, or `overdue` (none came
    /// within the partner's `ack_window`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ack_status: Option<String>,
    /// The partner's reason, for anything but a clean acknowledgement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ack_detail: Option<String>,
    /// The inbound message (the 997 or CONTRL) that acknowledged it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ack_message_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ack_at: Option<String>,
}

/// Filter for listing deliveries.
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    pub status: Option<String>,
    pub sink: Option<String>,
    /// Acknowledgement status (`overdue`, `rejected`, ...).
    pub ack: Option<String>,
    pub limit: u64,
}

const CLAIM_SQLITE: &str = "UPDATE deliveries SET lease_owner = ?, lease_until = ? WHERE seq IN (\
    SELECT d.seq FROM deliveries d WHERE d.sink = ? AND d.status = 'pending' AND d.next_attempt_at <= ? \
    AND d.lease_until <= ? AND (d.ordered = 0 OR NOT EXISTS (SELECT 1 FROM deliveries e \
    WHERE e.sink = d.sink AND e.business_key = d.business_key AND e.status = 'pending' AND e.ordered = 1 AND e.seq < d.seq)) \
    ORDER BY d.seq LIMIT ?) \
    RETURNING seq, id, message_id, sink, business_key, attempt_count, replay_base";

const CLAIM_POSTGRES: &str = "UPDATE deliveries SET lease_owner = ?, lease_until = ? WHERE seq IN (\
    SELECT d.seq FROM deliveries d WHERE d.sink = ? AND d.status = 'pending' AND d.next_attempt_at <= ? \
    AND d.lease_until <= ? AND (d.ordered = 0 OR NOT EXISTS (SELECT 1 FROM deliveries e \
    WHERE e.sink = d.sink AND e.business_key = d.business_key AND e.status = 'pending' AND e.ordered = 1 AND e.seq < d.seq)) \
    ORDER BY d.seq LIMIT ? FOR UPDATE SKIP LOCKED) \
    RETURNING seq, id, message_id, sink, business_key, attempt_count, replay_base";

const DELIVERY_FIELDS: &str = "id, message_id, sink, business_key, status, attempt_count, next_attempt_at, \
    last_error, last_status, created_at, updated_at, control_number, ack_status, ack_detail, ack_message_id, ack_at";

impl Store {
    /// Claims up to `limit` due deliveries of `sink` for `owner` until `lease_until` (µs): the
    /// oldest first; on an ordered sink only the oldest pending delivery of each business key.
    ///
    /// # Errors
    /// A store failure; nothing is claimed.
    pub async fn claim(
        &self,
        sink: &str,
        owner: &str,
        lease_until: i64,
        limit: usize,
    ) -> Result<Vec<Claimed>, StoreError> {
        let d = self.dialect;
        let now = crate::time::now_micros();
        let sql = match d {
            Dialect::Sqlite => CLAIM_SQLITE,
            Dialect::Postgres => CLAIM_POSTGRES,
        };
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = d
            .all(
                &self.db,
                sql,
                vec![
                    owner.into(),
                    lease_until.into(),
                    sink.into(),
                    now.into(),
                    now.into(),
                    limit.into(),
                ],
            )
            .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let mut claimed = Vec::with_capacity(rows.len());
        for r in &rows {
            claimed.push(Claimed {
                seq: get(r, "seq")?,
                id: parse_uuid(&get::<String>(r, "id")?)?,
                message_id: parse_uuid(&get::<String>(r, "message_id")?)?,
                sink: get(r, "sink")?,
                business_key: get(r, "business_key")?,
                attempt_count: get(r, "attempt_count")?,
                replay_base: get(r, "replay_base")?,
                correlation_id: String::new(),
                received_at: 0,
                kind: None,
                document: String::new(),
                lease_until,
            });
        }
        // RETURNING gives no order guarantee: restore acceptance order for the sender.
        let ids: Vec<Value> = claimed.iter().map(|c| Value::from(c.message_id.to_string())).collect();
        let sql = format!(
            "SELECT id, correlation_id, received_at, kind, document FROM messages WHERE id IN ({})",
            list(ids.len())
        );
        let mut docs: HashMap<String, (String, i64, Option<String>, String)> = HashMap::new();
        for r in d.all(&self.db, &sql, ids).await? {
            docs.insert(
                get(&r, "id")?,
                (
                    get(&r, "correlation_id")?,
                    get(&r, "received_at")?,
                    get(&r, "kind")?,
                    get::<Option<String>>(&r, "document")?.unwrap_or_default(),
                ),
            );
        }
        for c in &mut claimed {
            if let Some((corr, at, kind, doc)) = docs.remove(&c.message_id.to_string()) {
                c.correlation_id = corr;
                c.received_at = at;
                c.kind = kind;
                c.document = doc;
            }
        }
        claimed.sort_by_key(|c| c.seq);
        Ok(claimed)
    }

    /// Records finished attempts and their outcomes in one transaction.
    ///
    /// # Errors
    /// A store failure; none of the records is stored (the leases then expire and the
    /// deliveries are sent again: at-least-once).
    pub async fn record_outcomes(&self, records: &[OutcomeRecord]) -> Result<(), StoreError> {
        if records.is_empty() {
            return Ok(());
        }
        let t0 = std::time::Instant::now();
        let d = self.dialect;
        let now = crate::time::now_micros();
        let txn = self.db.begin().await?;
        for chunk in records.chunks(150) {
            let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 7);
            for r in chunk {
                values.extend([
                    r.delivery_id.to_string().into(),
                    r.attempt.into(),
                    r.started_at.into(),
                    r.duration_us.into(),
                    outcome_name(&r.outcome).into(),
                    r.status_code.into(),
                    r.error.clone().into(),
                ]);
            }
            let sql = format!(
                "INSERT INTO attempts (delivery_id, attempt, started_at, duration_us, outcome, status_code, error) \
                 VALUES {} ON CONFLICT DO NOTHING",
                value_rows(chunk.len(), 7)
            );
            d.exec(&txn, &sql, values).await?;
        }
        // Delivered, in bulk: the attempt count of a delivered delivery is its attempt number.
        let delivered: Vec<&OutcomeRecord> = records.iter().filter(|r| r.outcome == Outcome::Delivered).collect();
        for chunk in delivered.chunks(300) {
            let mut sql = String::from(
                "UPDATE deliveries SET status = 'delivered', lease_owner = NULL, lease_until = 0, last_error = NULL, updated_at = ?, attempt_count = CASE id",
            );
            let mut values: Vec<Value> = vec![now.into()];
            for r in chunk {
                sql.push_str(" WHEN ? THEN ?");
                values.push(r.delivery_id.to_string().into());
                values.push(r.attempt.into());
            }
            sql.push_str(&format!(" ELSE attempt_count END WHERE id IN ({})", list(chunk.len())));
            values.extend(chunk.iter().map(|r| Value::from(r.delivery_id.to_string())));
            d.exec(&txn, &sql, values).await?;
        }
        for r in records.iter().filter(|r| r.outcome != Outcome::Delivered) {
            let (status, next) = match r.outcome {
                Outcome::Retry { next_attempt_at } => ("pending", next_attempt_at),
                _ => ("dead", now),
            };
            d.exec(
                &txn,
                "UPDATE deliveries SET status = ?, attempt_count = ?, next_attempt_at = ?, lease_owner = NULL, \
                 lease_until = 0, last_error = ?, last_status = ?, updated_at = ? WHERE id = ? AND status = 'pending'",
                vec![
                    status.into(),
                    r.attempt.into(),
                    next.into(),
                    r.error.clone().into(),
                    r.status_code.into(),
                    now.into(),
                    r.delivery_id.to_string().into(),
                ],
            )
            .await?;
        }
        txn.commit().await?;
        metrics::histogram!("channelhub_store_seconds", "op" => "record_outcomes").record(t0.elapsed().as_secs_f64());
        Ok(())
    }

    /// Makes this owner's leased deliveries claimable again (graceful shutdown).
    ///
    /// # Errors
    /// A store failure.
    pub async fn release_leases(&self, owner: &str) -> Result<u64, StoreError> {
        Ok(self
            .dialect
            .exec(
                &self.db,
                "UPDATE deliveries SET lease_owner = NULL, lease_until = 0 WHERE status = 'pending' AND lease_owner = ?",
                vec![owner.into()],
            )
            .await?)
    }

    pub(super) async fn release_all_leases(&self) -> Result<u64, StoreError> {
        Ok(self
            .dialect
            .exec(
                &self.db,
                "UPDATE deliveries SET lease_owner = NULL, lease_until = 0 WHERE status = 'pending' AND lease_until <> 0",
                vec![],
            )
            .await?)
    }

    /// When the next claimable delivery of `sink` falls due (µs), if any: on an ordered sink
    /// only the oldest pending delivery of each key counts.
    ///
    /// # Errors
    /// A store failure.
    pub async fn next_due(&self, sink: &str) -> Result<Option<i64>, StoreError> {
        let rows = self
            .dialect
            .all(
                &self.db,
                "SELECT MIN(CASE WHEN d.lease_until > d.next_attempt_at THEN d.lease_until ELSE d.next_attempt_at END) \
                 AS due FROM deliveries d WHERE d.sink = ? AND d.status = 'pending' AND (d.ordered = 0 OR NOT EXISTS \
                 (SELECT 1 FROM deliveries e WHERE e.sink = d.sink AND e.business_key = d.business_key \
                 AND e.status = 'pending' AND e.ordered = 1 AND e.seq < d.seq))",
                vec![sink.into()],
            )
            .await?;
        Ok(rows
            .first()
            .map(|r| get::<Option<i64>>(r, "due"))
            .transpose()?
            .flatten())
    }

    /// Pending deliveries per sink (the queue depth).
    ///
    /// # Errors
    /// A store failure.
    pub async fn queue_depth(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let rows = self
            .dialect
            .all(
                &self.db,
                "SELECT sink, COUNT(*) AS n FROM deliveries WHERE status = 'pending' GROUP BY sink",
                vec![],
            )
            .await?;
        rows.iter().map(|r| Ok((get(r, "sink")?, get(r, "n")?))).collect()
    }

    /// Lists deliveries, newest first.
    ///
    /// # Errors
    /// A store failure.
    pub async fn list_deliveries(&self, f: &DeliveryFilter) -> Result<Vec<DeliveryRow>, StoreError> {
        let mut sql = format!("SELECT {DELIVERY_FIELDS} FROM deliveries WHERE 1 = 1");
        let mut values: Vec<Value> = Vec::new();
        if let Some(s) = &f.status {
            sql.push_str(" AND status = ?");
            values.push(s.clone().into());
        }
        if let Some(s) = &f.sink {
            sql.push_str(" AND sink = ?");
            values.push(s.clone().into());
        }
        if let Some(s) = &f.ack {
            sql.push_str(" AND ack_status = ?");
            values.push(s.clone().into());
        }
        sql.push_str(" ORDER BY seq DESC LIMIT ?");
        values.push(i64::try_from(f.limit).unwrap_or(i64::MAX).into());
        let rows = self.dialect.all(&self.db, &sql, values).await?;
        rows.iter().map(delivery_row).collect()
    }

    pub(super) async fn deliveries_of(&self, message_id: &str) -> Result<Vec<DeliveryRow>, StoreError> {
        let sql = format!("SELECT {DELIVERY_FIELDS} FROM deliveries WHERE message_id = ? ORDER BY seq");
        let rows = self.dialect.all(&self.db, &sql, vec![message_id.into()]).await?;
        rows.iter().map(delivery_row).collect()
    }

    /// The deliveries that the partner's acknowledgement `message_id` answered.
    pub(super) async fn acknowledged_by(&self, message_id: &str) -> Result<Vec<DeliveryRow>, StoreError> {
        let sql = format!("SELECT {DELIVERY_FIELDS} FROM deliveries WHERE ack_message_id = ? ORDER BY seq");
        let rows = self.dialect.all(&self.db, &sql, vec![message_id.into()]).await?;
        rows.iter().map(delivery_row).collect()
    }

    /// Flags the delivered interchanges to `sinks` that still await an acknowledgement and
    /// were delivered before `cutoff` (µs) as `overdue`; returns (delivery id, business key)
    /// of each one flagged now.
    ///
    /// # Errors
    /// A store failure; nothing is flagged.
    pub async fn flag_overdue(
        &self,
        sinks: &[String],
        cutoff: i64,
    ) -> Result<Vec<(String, Option<String>)>, StoreError> {
        if sinks.is_empty() {
            return Ok(Vec::new());
        }
        let mut values: Vec<Value> = vec![crate::time::now_micros().into(), cutoff.into()];
        values.extend(sinks.iter().map(|s| Value::from(s.clone())));
        let sql = format!(
            "UPDATE deliveries SET ack_status = 'overdue', ack_at = ? WHERE ack_status = 'awaited' \
             AND status = 'delivered' AND updated_at < ? AND sink IN ({}) RETURNING id, business_key",
            list(sinks.len())
        );
        let rows = self.dialect.all(&self.db, &sql, values).await?;
        rows.iter()
            .map(|r| Ok((get(r, "id")?, get(r, "business_key")?)))
            .collect()
    }

    /// Sends a dead delivery again: pending, due now, with a fresh retry budget.
    /// Returns `None` when no such delivery exists, `Some(false)` when it is not dead.
    ///
    /// # Errors
    /// A store failure.
    pub async fn replay(&self, id: &str) -> Result<Option<bool>, StoreError> {
        let now = crate::time::now_micros();
        let n = self
            .dialect
            .exec(
                &self.db,
                "UPDATE deliveries SET status = 'pending', next_attempt_at = ?, lease_owner = NULL, lease_until = 0, \
                 replay_base = attempt_count, updated_at = ? WHERE id = ? AND status = 'dead'",
                vec![now.into(), now.into(), id.into()],
            )
            .await?;
        if n > 0 {
            return Ok(Some(true));
        }
        let rows = self
            .dialect
            .all(&self.db, "SELECT status FROM deliveries WHERE id = ?", vec![id.into()])
            .await?;
        Ok(if rows.is_empty() { None } else { Some(false) })
    }

    /// The sink of a delivery.
    ///
    /// # Errors
    /// A store failure.
    pub async fn delivery_sink(&self, id: &str) -> Result<Option<String>, StoreError> {
        let rows = self
            .dialect
            .all(&self.db, "SELECT sink FROM deliveries WHERE id = ?", vec![id.into()])
            .await?;
        rows.first().map(|r| get(r, "sink")).transpose().map_err(Into::into)
    }
}

fn delivery_row(r: &sea_orm::QueryResult) -> Result<DeliveryRow, StoreError> {
    Ok(DeliveryRow {
        id: get(r, "id")?,
        message_id: get(r, "message_id")?,
        sink: get(r, "sink")?,
        business_key: get(r, "business_key")?,
        status: get(r, "status")?,
        attempt_count: get(r, "attempt_count")?,
        next_attempt_at: crate::time::rfc3339(get(r, "next_attempt_at")?),
        last_error: get(r, "last_error")?,
        last_status: get(r, "last_status")?,
        created_at: crate::time::rfc3339(get(r, "created_at")?),
        updated_at: crate::time::rfc3339(get(r, "updated_at")?),
        control_number: get(r, "control_number")?,
        ack_status: get(r, "ack_status")?,
        ack_detail: get(r, "ack_detail")?,
        ack_message_id: get(r, "ack_message_id")?,
        ack_at: get::<Option<i64>>(r, "ack_at")?.map(crate::time::rfc3339),
    })
}

fn outcome_name(o: &Outcome) -> &'static str {
    match o {
        Outcome::Delivered => "delivered",
        Outcome::Retry { .. } => "retry",
        Outcome::Dead => "dead",
    }
}

pub(super) fn parse_uuid(s: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(s).map_err(|e| StoreError::Corrupt(format!("`{s}` is not a uuid: {e}")))
}
