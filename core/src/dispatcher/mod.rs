//! The dispatcher: claims due deliveries per sink under a lease, maps and encodes them, sends
//! them through the sink's connector, and records every attempt. It alone owns retries, backoff
//! and dead-lettering; connectors only classify outcomes.

mod envelope;
mod retry;
mod sink;
mod worker;

pub use envelope::prepare_interchange;
pub use retry::RetryPolicy;
pub use sink::{Outbound, SendResult, Sink};
pub use worker::{Dispatcher, SinkRuntime};
