//! UN/EDIFACT codec: interchanges decoded into envelopes and group-nested messages, and written back.
//!
//! The tree shape both halves agree on is described in `formats/README.md` ("EDIFACT"). The
//! segment group structure of each known message type is data, in `sets/*.txt`.

mod envelope;
mod lexer;
mod reader;
mod sets;
mod writer;

#[cfg(test)]
mod tests;

pub(crate) use reader::decode;
pub(crate) use writer::encode;
