//! The envelope every canonical document travels in.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Who sent a document, when, and how to find it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// UUIDv7: sortable by acceptance time.
    pub message_id: Uuid,
    /// Canonical document kind (`order`, ...).
    pub kind: String,
    /// The kind's business key (order number, invoice number, `warehouse_id|as_of`, ...), what search finds.
    pub business_key: Option<String>,
    /// The source the document came in through.
    pub source: String,
    /// The partner that sent it.
    pub partner: String,
    /// When the hub received it (RFC 3339).
    pub received_at: String,
    /// Kept from the inbound `X-Correlation-Id`, else made by the hub; sent on every delivery.
    pub correlation_id: String,
    /// The inbound `Idempotency-Key`, if the partner sent one.
    pub idempotency_key: Option<String>,
    /// Version of the kind's schema the document was validated against.
    pub schema_version: u32,
}
