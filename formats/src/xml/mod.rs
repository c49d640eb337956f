//! XML codec: namespace-aware decoding into the document tree and encoding back, without DTDs.
//!
//! The tree shape both halves agree on is described in `formats/README.md` and in the docs of
//! [`reader::decode`] and [`writer::encode`].

mod order;
mod reader;
mod syntax;
mod writer;

#[cfg(test)]
mod tests;

pub use order::parse_xml_order;
pub(crate) use reader::decode;
pub(crate) use writer::encode;
