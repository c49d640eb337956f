//! HTTP: the inbound webhook source, the outbound REST sink, and the server that also carries
//! the management API, `/healthz` and `/metrics`.

pub mod api;
pub mod auth;
mod error;
pub mod server;
pub mod sink;
pub mod source;

pub use server::serve;
