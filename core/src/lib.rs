//! channelhub-core: the canonical model, configuration, mapping engine, routing, durable store,
//! ingest pipeline and dispatcher. It knows no wire protocol: connectors bring the transports.

pub mod ack;
pub mod config;
pub mod dispatcher;
pub mod fixtures;
pub mod hub;
pub mod mapping;
pub mod model;
pub mod pipeline;
pub mod routing;
pub mod store;
pub mod time;

pub use hub::Hub;
