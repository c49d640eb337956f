//! Committing accepted and refused messages: one transaction per batch (group commit) holding
//! the raw inputs, the messages, their deliveries and their idempotency keys.

use std::collections::HashMap;

use sea_orm::{TransactionTrait, Value};
use uuid::Uuid;

use super::sql::{get, list, value_rows};
use super::{Store, StoreError};

/// What became of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageStatus {
    /// Valid and routed to at least one sink.
    Accepted,
    /// Valid, but no route matched: kept, delivered nowhere.
    Unrouted,
    /// Refused (undecodable, mapping or schema failure): kept with the error.
    Rejected,
}

impl MessageStatus {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Accepted => "accepted",
            MessageStatus::Unrouted => "unrouted",
            MessageStatus::Rejected => "rejected",
        }
    }
}

/// A message to commit.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub id: Uuid,
    /// The input this message came from: its own id for the first (or only) message of an
    /// input, which stores the raw bytes and the idempotency key; the first one's id for the
    /// others of a split input, which are stored only when the first one is.
    pub input_id: Uuid,
    pub source: String,
    pub partner: String,
    pub status: MessageStatus,
    pub received_at: i64,
    pub correlation_id: String,
    pub idempotency_key: Option<String>,
    pub kind: Option<String>,
    pub business_key: Option<String>,
    pub schema_version: Option<i64>,
    /// The raw input as received.
    pub raw: bytes::Bytes,
    /// The canonical document, JSON text.
    pub document: Option<String>,
    /// The refusal, JSON text.
    pub error: Option<String>,
    /// Route decisions, JSON text.
    pub routes: Option<String>,
    pub deliveries: Vec<NewDelivery>,
    /// What this message (a partner's 997 or CONTRL) says about interchanges the hub sent:
    /// recorded on the matching deliveries in the same transaction.
    pub acknowledges: Vec<AckReceipt>,
}

/// A partner's answer about one interchange the hub sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AckReceipt {
    /// The interchange (X12 ISA13 and GS06; EDIFACT UNB05) control number acknowledged.
    pub control_number: i64,
    /// The sinks that deliver to the partner: the number is looked for among their deliveries.
    pub sinks: Vec<String>,
    /// `acknowledged`, `acknowledged_with_errors`, `partially_accepted` or `rejected`.
    pub status: String,
    /// The reason, as the partner gave it (codes and the segments and elements they name).
    pub detail: String,
}
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub id: Uuid,
    pub sink: String,
    pub ordered: bool,
    /// Born claimed: the accepting process holds the lease and sends it without a claim query.
    pub lease: Option<Lease>,
}

/// A lease on a delivery: who may send it, until when (µs).
#[derive(Debug, Clone)]
pub struct Lease {
    pub owner: std::sync::Arc<str>,
    pub until: i64,
}

/// The answer for one message of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Committed {
    /// Stored with this id.
    New(Uuid),
    /// Its idempotency key was already accepted, as this message.
    Duplicate(Uuid),
}

const MESSAGE_COLS: usize = 14;
const DELIVERY_COLS: usize = 12;
/// Rows per multi-row INSERT: far below both dialects' bound-parameter limits.
const CHUNK: usize = 200;

impl Store {
    /// Commits `batch` in one transaction and says, per message, whether it was stored or was a
    /// duplicate of an accepted one (same source and idempotency key).
    ///
    /// # Errors
    /// Nothing of the batch is stored.
    pub async fn commit_batch(&self, batch: &[NewMessage]) -> Result<Vec<Committed>, StoreError> {
        let t0 = std::time::Instant::now();
        let d = self.dialect;
        // One transaction, few round trips: on one SQLite connection every round trip is time
        // that every other writer waits, so the inbox check is one statement per batch and the
        // inserts go in one multi-statement call.
        let txn = self.db.begin().await?;
        let now = crate::time::now_micros();

        // Idempotency: the first accepted message with a (source, key) wins, within the batch
        // and across everything committed before (the inbox's primary key decides races
        // between instances).
        let mut answers: Vec<Committed> = batch.iter().map(|m| Committed::New(m.id)).collect();
        let mut first_in_batch: HashMap<(&str, &str), usize> = HashMap::new();
        let mut repeats: Vec<(usize, usize)> = Vec::new();
        let mut keyed = Vec::new();
        for (i, m) in batch.iter().enumerate() {
            let (Some(key), MessageStatus::Accepted | MessageStatus::Unrouted) = (&m.idempotency_key, m.status) else {
                continue;
            };
            if let Some(&first) = first_in_batch.get(&(m.source.as_str(), key.as_str())) {
                repeats.push((i, first));
            } else {
                first_in_batch.insert((&m.source, key), i);
                keyed.push(i);
            }
        }
        for chunk in keyed.chunks(CHUNK) {
            self.claim_keys(&txn, batch, chunk, now, &mut answers).await?;
        }
        // A repeat within the batch answers whatever its first copy was answered: that copy's
        // new id, or the id of the message committed before that it duplicates.
        for (i, first) in repeats {
            answers[i] = match answers[first] {
                Committed::New(id) | Committed::Duplicate(id) => Committed::Duplicate(id),
            };
        }

        // The other messages of a split input follow their first one (which holds the input):
        // stored with it, or answered as duplicates with it.
        let mut leader = 0;
        for i in 0..batch.len() {
            if batch[i].input_id == batch[i].id {
                leader = i;
            } else if batch[leader].id == batch[i].input_id
                && let Committed::Duplicate(id) = answers[leader]
            {
                answers[i] = Committed::Duplicate(id);
            }
        }

        let stored: Vec<&NewMessage> = batch
            .iter()
            .zip(&answers)
            .filter(|(_, a)| matches!(a, Committed::New(_)))
            .map(|(m, _)| m)
            .collect();
        for chunk in stored.chunks(CHUNK) {
            let mut statements: Vec<(String, Vec<Value>)> = Vec::with_capacity(3);
            let inputs: Vec<&&NewMessage> = chunk.iter().filter(|m| m.input_id == m.id).collect();
            if !inputs.is_empty() {
                let mut values: Vec<Value> = Vec::with_capacity(inputs.len() * 4);
                for m in &inputs {
                    values.extend([
                        m.id.to_string().into(),
                        m.source.clone().into(),
                        m.received_at.into(),
                        m.raw.to_vec().into(),
                    ]);
                }
                statements.push((
                    format!(
                        "INSERT INTO inputs (id, source, received_at, raw) VALUES {}",
                        value_rows(inputs.len(), 4)
                    ),
                    values,
                ));
            }
            let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * MESSAGE_COLS);
            for m in chunk {
                values.extend([
                    m.id.to_string().into(),
                    m.input_id.to_string().into(),
                    m.kind.clone().into(),
                    m.business_key.clone().into(),
                    m.source.clone().into(),
                    m.partner.clone().into(),
                    m.status.as_str().into(),
                    m.received_at.into(),
                    m.correlation_id.clone().into(),
                    m.idempotency_key.clone().into(),
                    m.schema_version.into(),
                    m.document.clone().into(),
                    m.error.clone().into(),
                    m.routes.clone().into(),
                ]);
            }
            statements.push((
                format!(
                    "INSERT INTO messages (id, input_id, kind, business_key, source, partner, status, received_at, \
                     correlation_id, idempotency_key, schema_version, document, error, routes) VALUES {}",
                    value_rows(chunk.len(), MESSAGE_COLS)
                ),
                values,
            ));
            let deliveries: Vec<(&NewMessage, &NewDelivery)> = chunk
                .iter()
                .flat_map(|m| m.deliveries.iter().map(move |dl| (*m, dl)))
                .collect();
            if !deliveries.is_empty() {
                let mut values: Vec<Value> = Vec::with_capacity(deliveries.len() * DELIVERY_COLS);
                for (m, dl) in &deliveries {
                    values.extend([
                        dl.id.to_string().into(),
                        m.id.to_string().into(),
                        dl.sink.clone().into(),
                        m.business_key.clone().into(),
                        i64::from(dl.ordered).into(),
                        "pending".into(),
                        0_i64.into(),
                        now.into(),
                        dl.lease.as_ref().map(|l| l.owner.to_string()).into(),
                        dl.lease.as_ref().map_or(0, |l| l.until).into(),
                        now.into(),
                        now.into(),
                    ]);
                }
                statements.push((
                    format!(
                        "INSERT INTO deliveries (id, message_id, sink, business_key, ordered, status, attempt_count, \
                         next_attempt_at, lease_owner, lease_until, created_at, updated_at) VALUES {}",
                        value_rows(deliveries.len(), DELIVERY_COLS)
                    ),
                    values,
                ));
            }
            for m in chunk.iter().filter(|m| !m.acknowledges.is_empty()) {
                for r in &m.acknowledges {
                    if r.sinks.is_empty() {
                        continue;
                    }
                    let mut values: Vec<Value> = vec![
                        r.status.clone().into(),
                        r.detail.clone().into(),
                        m.id.to_string().into(),
                        now.into(),
                        r.control_number.into(),
                    ];
                    values.extend(r.sinks.iter().map(|s| Value::from(s.clone())));
                    statements.push((
                        format!(
                            "UPDATE deliveries SET ack_status = ?, ack_detail = ?, ack_message_id = ?, ack_at = ? \
                             WHERE control_number = ? AND sink IN ({})",
                            list(r.sinks.len())
                        ),
                        values,
                    ));
                }
            }
            d.exec_many(&txn, statements).await?;
        }
        txn.commit().await?;
        metrics::histogram!("channelhub_store_seconds", "op" => "commit_batch").record(t0.elapsed().as_secs_f64());
        Ok(answers)
    }

    /// Registers the idempotency keys of `batch[indices]` in the inbox, one statement for all:
    /// those not inserted were accepted before, and answer as duplicates of that message.
    async fn claim_keys(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        batch: &[NewMessage],
        indices: &[usize],
        now: i64,
        answers: &mut [Committed],
    ) -> Result<(), StoreError> {
        let d = self.dialect;
        let mut values: Vec<Value> = Vec::with_capacity(indices.len() * 4);
        for &i in indices {
            let m = &batch[i];
            values.extend([
                m.source.clone().into(),
                m.idempotency_key.clone().into(),
                m.id.to_string().into(),
                now.into(),
            ]);
        }
        let sql = format!(
            "INSERT INTO inbox (source, idempotency_key, message_id, received_at) VALUES {} \
             ON CONFLICT DO NOTHING RETURNING message_id",
            value_rows(indices.len(), 4)
        );
        let inserted: std::collections::HashSet<String> = d
            .all(txn, &sql, values)
            .await?
            .iter()
            .map(|r| get::<String>(r, "message_id"))
            .collect::<Result<_, _>>()?;
        let taken: Vec<usize> = indices
            .iter()
            .copied()
            .filter(|&i| !inserted.contains(&batch[i].id.to_string()))
            .collect();
        if taken.is_empty() {
            return Ok(());
        }
        let mut values: Vec<Value> = Vec::with_capacity(taken.len() * 2);
        for &i in &taken {
            values.push(batch[i].source.clone().into());
            values.push(batch[i].idempotency_key.clone().into());
        }
        let sql = format!(
            "SELECT source, idempotency_key, message_id FROM inbox WHERE (source, idempotency_key) IN (VALUES {})",
            value_rows(taken.len(), 2)
        );
        let mut firsts: HashMap<(String, String), String> = HashMap::new();
        for r in d.all(txn, &sql, values).await? {
            firsts.insert(
                (get(&r, "source")?, get(&r, "idempotency_key")?),
                get(&r, "message_id")?,
            );
        }
        for i in taken {
            let m = &batch[i];
            let key = (m.source.clone(), m.idempotency_key.clone().unwrap_or_default());
            let first = firsts
                .get(&key)
                .ok_or_else(|| StoreError::Corrupt(format!("inbox lost the key `{}` of source `{}`", key.1, key.0)))?;
            let first = Uuid::parse_str(first).map_err(|e| StoreError::Corrupt(format!("inbox.message_id: {e}")))?;
            answers[i] = Committed::Duplicate(first);
        }
        Ok(())
    }
}
