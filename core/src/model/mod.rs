//! The canonical model: the envelope every document travels in and one module per document kind.
//! Adding a kind is one module here (types + `SPEC`) and one generated file in `schemas/`.

mod common;
mod envelope;
mod kind;
pub mod order;
mod schema;

pub use common::{Address, Contact, Money, Party};
pub use envelope::Envelope;
pub use kind::{KINDS, Kind, KindSpec};
pub use schema::{SchemaError, SchemaViolation, Schemas};
