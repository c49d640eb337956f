//! The canonical model: the envelope every document travels in and one module per document kind.
//! Adding a kind is one module here (types + `SPEC`), one entry in `KINDS` and one generated file
//! in `schemas/`.

mod common;
mod envelope;
mod kind;
mod logistics;
mod party;
mod schema;
mod trade;

pub mod credit_profile;
pub mod dispatch;
pub mod inventory;
pub mod invoice;
pub mod order;
pub mod order_ack;
pub mod payment;
pub mod shipment;
pub mod tracking;

#[cfg(test)]
mod tests;

pub use common::{Identifier, Money};
pub use envelope::Envelope;
pub use kind::{KEY_SEPARATOR, KINDS, KeyPart, Kind, KindSpec};
pub use logistics::{Carrier, Package, ShipmentLine, TimeWindow, TransportMode};
pub use party::{Address, BankAccount, Contact, Party, PartyRole};
pub use schema::{SchemaError, SchemaViolation, Schemas};
pub use trade::{
    AllowanceCharge, AllowanceChargeKind, DeliveryTerms, ExchangeRate, PaymentMeans, PaymentTerms, Purpose, Reference,
    ReferenceKind, TaxLine,
};
