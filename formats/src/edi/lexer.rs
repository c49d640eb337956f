//! The error both EDI lexers report, and how a reader turns it into a positioned [`DecodeError`].

use crate::{DecodeError, DecodeErrorKind, Format, SegmentPosition};

/// A problem found while tokenizing: what, where, and the segment it concerns.
#[derive(Debug)]
pub(crate) struct LexError {
    pub(crate) kind: DecodeErrorKind,
    pub(crate) message: String,
    /// Byte offset in the input.
    pub(crate) offset: usize,
    /// 1-based position of the segment in the input.
    pub(crate) ordinal: usize,
    pub(crate) tag: Option<String>,
    /// The element concerned (1-based), where the lexer knows it.
    pub(crate) element: Option<usize>,
}

impl LexError {
    /// The error to report for `input` in `format`, positioned on the segment.
    pub(crate) fn into_decode_error(self, format: Format, input: &[u8]) -> DecodeError {
        let mut err = DecodeError::new(format, self.kind, self.message).at_offset(input, self.offset);
        err.segment = Some(Box::new(SegmentPosition {
            ordinal: self.ordinal,
            tag: self.tag.unwrap_or_default(),
            element: self.element,
        }));
        err
    }
}
