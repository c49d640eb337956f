//! What a sink connector implements: send one outbound document and classify the outcome.

use std::time::Duration;

use bytes::Bytes;
use futures::future::BoxFuture;
use uuid::Uuid;

/// One delivery attempt, ready for the wire.
#[derive(Debug, Clone)]
pub struct Outbound {
    pub delivery_id: Uuid,
    /// Stable per delivery: the same on every attempt, so receivers can drop repeats.
    pub idempotency_key: String,
    pub correlation_id: String,
    pub business_key: Option<String>,
    pub content_type: &'static str,
    pub body: Bytes,
}

/// How an attempt ended, as the connector sees it. Connectors never retry by themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendResult {
    /// The partner has it.
    Delivered { status: Option<u16> },
    /// Worth trying again later; `retry_after` when the partner said when.
    Retryable {
        status: Option<u16>,
        error: String,
        retry_after: Option<Duration>,
    },
    /// Trying again cannot help (the partner refused the content).
    Permanent { status: Option<u16>, error: String },
}

/// A sink connector.
pub trait Sink: Send + Sync {
    /// Sends one attempt. Must not retry; must not take longer than the dispatcher's timeout
    /// (the dispatcher enforces it anyway and counts a timeout as retryable).
    fn send(&self, out: Outbound) -> BoxFuture<'_, SendResult>;
}
