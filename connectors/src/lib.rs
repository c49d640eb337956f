//! channelhub-connectors: the transports. Each connector parses its own config keys, and at run
//! time only moves bytes and classifies outcomes; the dispatcher in core owns retries.

pub mod http;
mod registry;
pub mod telemetry;

pub use registry::Registry;
