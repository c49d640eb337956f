//! ASC X12 codec: interchanges decoded into envelopes and loop-nested transaction sets, and written back.
//!
//! The tree shape both halves agree on is described in `formats/README.md` ("X12"). The loop
//! structure of each known transaction set is data, in `sets/*.txt`.

mod envelope;
mod lexer;
mod reader;
mod sets;
mod writer;

#[cfg(test)]
mod tests;

pub(crate) use reader::decode;
pub(crate) use writer::encode;
