//! Reading messages back: search by business key, kind, source, status; one message's full
//! history (raw input, canonical document, route decisions, deliveries with every attempt).

use sea_orm::Value;

use super::deliveries::DeliveryRow;
use super::sql::{get, list};
use super::{Store, StoreError};

/// Search filter; empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct MessageFilter {
    /// Business key (order number, invoice number, shipment or tracking number).
    pub key: Option<String>,
    pub kind: Option<String>,
    pub source: Option<String>,
    /// `accepted`, `rejected`, `unrouted` (the message), or `pending`, `delivered`, `dead`
    /// (some delivery of the message is in that state).
    pub status: Option<String>,
    /// Some X12/EDIFACT delivery of the message has this acknowledgement status (`overdue`,
    /// `rejected`, ...).
    pub ack: Option<String>,
    pub limit: u64,
}

/// A message in search results.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MessageSummary {
    pub id: String,
    pub kind: Option<String>,
    pub business_key: Option<String>,
    pub source: String,
    pub partner: String,
    pub status: String,
    pub received_at: String,
    pub correlation_id: String,
    pub idempotency_key: Option<String>,
}

/// One attempt of a delivery.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AttemptRow {
    pub attempt: i64,
    pub at: String,
    pub outcome: String,
    pub status_code: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: f64,
}

/// A delivery with its attempts.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DeliveryDetail {
    #[serde(flatten)]
    pub delivery: DeliveryRow,
    pub attempts: Vec<AttemptRow>,
}

/// Everything known about one message.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MessageDetail {
    pub message: MessageSummary,
    pub schema_version: Option<i64>,
    /// The refusal, for rejected messages.
    pub error: Option<serde_json::Value>,
    /// The input the message came from (its own id unless the input was split).
    pub input_id: String,
    /// Every message made from that input, in order, this one included: more than one when
    /// the mapping split the input (several transaction sets, statement entries, ...).
    pub input_messages: Vec<String>,
    /// The raw input as text (lossy UTF-8), kept once per input.
    pub raw: String,
    pub document: Option<serde_json::Value>,
    pub routes: serde_json::Value,
    pub deliveries: Vec<DeliveryDetail>,
    /// For a partner's acknowledgement (997, CONTRL): the deliveries of other messages it
    /// acknowledged or rejected.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub acknowledges: Vec<DeliveryRow>,
}

const SUMMARY_FIELDS: &str =
    "m.id, m.kind, m.business_key, m.source, m.partner, m.status, m.received_at, m.correlation_id, m.idempotency_key";

impl Store {
    /// Searches messages, newest first.
    ///
    /// # Errors
    /// A store failure.
    pub async fn search_messages(&self, f: &MessageFilter) -> Result<Vec<MessageSummary>, StoreError> {
        let mut sql = format!("SELECT {SUMMARY_FIELDS} FROM messages m WHERE 1 = 1");
        let mut values: Vec<Value> = Vec::new();
        for (col, v) in [("m.business_key", &f.key), ("m.kind", &f.kind), ("m.source", &f.source)] {
            if let Some(v) = v {
                sql.push_str(&format!(" AND {col} = ?"));
                values.push(v.clone().into());
            }
        }
        match f.status.as_deref() {
            None => {}
            Some(s @ ("pending" | "delivered" | "dead")) => {
                sql.push_str(" AND EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id AND d.status = ?)");
                values.push(s.into());
            }
            Some(s) => {
                sql.push_str(" AND m.status = ?");
                values.push(s.into());
            }
        }
        if let Some(ack) = &f.ack {
            sql.push_str(" AND EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id AND d.ack_status = ?)");
            values.push(ack.clone().into());
        }
        sql.push_str(" ORDER BY m.received_at DESC LIMIT ?");
        values.push(i64::try_from(f.limit).unwrap_or(i64::MAX).into());
        let rows = self.dialect.all(&self.db, &sql, values).await?;
        rows.iter().map(summary).collect()
    }

    /// The whole history of one message, or `None`.
    ///
    /// # Errors
    /// A store failure.
    pub async fn message_detail(&self, id: &str) -> Result<Option<MessageDetail>, StoreError> {
        let d = self.dialect;
        let sql = format!(
            "SELECT {SUMMARY_FIELDS}, m.schema_version, m.error, m.document, m.routes, m.input_id, i.raw \
             FROM messages m JOIN inputs i ON i.id = m.input_id WHERE m.id = ?"
        );
        let rows = d.all(&self.db, &sql, vec![id.into()]).await?;
        let Some(r) = rows.first() else { return Ok(None) };
        let json = |col: &str| -> Result<Option<serde_json::Value>, StoreError> {
            let text: Option<String> = get(r, col)?;
            Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
        };
        let raw: Vec<u8> = get(r, "raw")?;
        let input_id: String = get(r, "input_id")?;
        let input_messages = d
            .all(
                &self.db,
                "SELECT id FROM messages WHERE input_id = ? ORDER BY id",
                vec![input_id.clone().into()],
            )
            .await?
            .iter()
            .map(|r| get::<String>(r, "id"))
            .collect::<Result<Vec<_>, _>>()?;
        let deliveries = self.deliveries_of(id).await?;
        let mut attempts_by: std::collections::HashMap<String, Vec<AttemptRow>> = std::collections::HashMap::new();
        if !deliveries.is_empty() {
            let ids: Vec<Value> = deliveries.iter().map(|dl| Value::from(dl.id.clone())).collect();
            let sql = format!(
                "SELECT delivery_id, attempt, started_at, duration_us, outcome, status_code, error FROM attempts \
                 WHERE delivery_id IN ({}) ORDER BY delivery_id, attempt",
                list(ids.len())
            );
            for a in d.all(&self.db, &sql, ids).await? {
                let duration_us: i64 = get(&a, "duration_us")?;
                #[allow(clippy::cast_precision_loss)]
                let duration_ms = duration_us as f64 / 1000.0;
                attempts_by
                    .entry(get(&a, "delivery_id")?)
                    .or_default()
                    .push(AttemptRow {
                        attempt: get(&a, "attempt")?,
                        at: crate::time::rfc3339(get(&a, "started_at")?),
                        outcome: get(&a, "outcome")?,
                        status_code: get(&a, "status_code")?,
                        error: get(&a, "error")?,
                        duration_ms,
                    });
            }
        }
        let acknowledges = self.acknowledged_by(id).await?;
        Ok(Some(MessageDetail {
            acknowledges,
            message: summary(r)?,
            schema_version: get(r, "schema_version")?,
            error: json("error")?,
            input_id,
            input_messages,
            raw: String::from_utf8_lossy(&raw).into_owned(),
            document: json("document")?,
            routes: json("routes")?.unwrap_or(serde_json::Value::Array(Vec::new())),
            deliveries: deliveries
                .into_iter()
                .map(|dl| DeliveryDetail {
                    attempts: attempts_by.remove(&dl.id).unwrap_or_default(),
                    delivery: dl,
                })
                .collect(),
        }))
    }
}

fn summary(r: &sea_orm::QueryResult) -> Result<MessageSummary, StoreError> {
    Ok(MessageSummary {
        id: get(r, "id")?,
        kind: get(r, "kind")?,
        business_key: get(r, "business_key")?,
        source: get(r, "source")?,
        partner: get(r, "partner")?,
        status: get(r, "status")?,
        received_at: crate::time::rfc3339(get(r, "received_at")?),
        correlation_id: get(r, "correlation_id")?,
        idempotency_key: get(r, "idempotency_key")?,
    })
}
