//! What the X12 and EDIFACT codecs share: segment-structure definitions, the tree builder that files a segment stream into them, and the reader, writer and key helpers that are the same logic in both.

pub(crate) mod keys;
pub(crate) mod lexer;
pub(crate) mod structure;
pub(crate) mod tree;
pub(crate) mod values;
pub(crate) mod warnings;
pub(crate) mod writer;

#[cfg(test)]
pub(crate) mod test_support;
