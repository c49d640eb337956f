//! Errors of every codec, with the position (byte offset, line, column) and tree path they concern.

use std::fmt;

use serde_json::Value;

use crate::Format;

/// The UTF-8 byte order mark, tolerated at the start of JSON and XML input.
pub(crate) const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Why an input was refused, for callers that answer differently (an HTTP source answers
/// 413 for [`DecodeErrorKind::TooLarge`] and 400 for the rest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The input is not well-formed in its format (syntax error, truncated, invalid UTF-8).
    Malformed,
    /// The input is larger than [`DecodeOptions::max_size`](crate::DecodeOptions::max_size).
    TooLarge,
    /// The input nests deeper than [`DecodeOptions::max_depth`](crate::DecodeOptions::max_depth).
    TooDeep,
    /// A key (JSON) or attribute local name (XML) is repeated and
    /// [`DuplicateKeys::Reject`](crate::DuplicateKeys::Reject) is set.
    DuplicateKey,
    /// The input is well-formed but uses something this crate refuses on purpose: a DTD, an
    /// entity other than the predefined ones, a character encoding other than UTF-8.
    Unsupported,
}

/// An input that could not be decoded: what is wrong and where.
///
/// Displays as `json: expected `,` or `}` at line 1, column 15 (byte 14)`. Lines and columns
/// are 1-based and count characters (a Chinese character is one column, a leading byte order
/// mark is not counted); the byte offset is 0-based from the very start of the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct DecodeError {
    /// The format that was being decoded.
    pub format: Format,
    /// What is wrong, lowercase, without the location.
    pub message: String,
    /// Byte offset in the input where the problem was detected.
    pub offset: Option<usize>,
    /// 1-based line of `offset`.
    pub line: Option<usize>,
    /// 1-based column of `offset`, in characters.
    pub column: Option<usize>,
    /// Where in the document: a tree path for JSON (`.lines[2].sku`, the syntax mappings use)
    /// and an element path for XML (`/Invoice/InvoiceLine/Price`).
    pub path: Option<String>,
    /// X12 and EDIFACT: the segment (and element) concerned. Boxed so that errors stay small on the happy
    /// path's `Result`s.
    pub segment: Option<Box<SegmentPosition>>,
    /// The class of problem.
    pub kind: DecodeErrorKind,
}

impl DecodeError {
    /// An error with no position yet.
    pub(crate) fn new(format: Format, kind: DecodeErrorKind, message: impl Into<String>) -> Self {
        DecodeError {
            format,
            message: message.into(),
            offset: None,
            line: None,
            column: None,
            path: None,
            segment: None,
            kind,
        }
    }

    /// Sets the byte offset and derives line and column from `input`.
    pub(crate) fn at_offset(mut self, input: &[u8], offset: usize) -> Self {
        let offset = offset.min(input.len());
        let (line, column) = line_column(input, offset);
        self.offset = Some(offset);
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// Sets the path in the document.
    pub(crate) fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// The error refusing an input over the size limit.
    pub(crate) fn too_large(format: Format, len: usize, max_size: usize) -> Self {
        DecodeError::new(
            format,
            DecodeErrorKind::TooLarge,
            format!("input is {len} bytes, more than the limit of {max_size} bytes"),
        )
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = self;
        write!(f, "{}: {}", e.format, e.message)?;
        let mut sep = " at ";
        if let Some(path) = &e.path {
            write!(f, "{sep}`{path}`")?;
            sep = ", ";
        }
        if let Some(segment) = &e.segment {
            write!(f, "{sep}segment {}", segment.ordinal)?;
            if !segment.tag.is_empty() {
                write!(f, " `{}`", segment.tag)?;
            }
            if let Some(element) = segment.element {
                write!(f, ", element {}{element:02}", segment.tag)?;
            }
            sep = ", ";
        }
        match (e.line, e.column, e.offset) {
            (Some(line), Some(column), Some(offset)) => {
                write!(f, "{sep}line {line}, column {column} (byte {offset})")
            }
            (Some(line), Some(column), None) => write!(f, "{sep}line {line}, column {column}"),
            (_, _, Some(offset)) => write!(f, "{sep}byte {offset}"),
            _ => Ok(()),
        }
    }
}

/// Where in a segment-based input (X12, EDIFACT) a problem is: which segment, and which element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentPosition {
    /// 1-based position of the segment in the input (X12: the first ISA is segment 1; EDIFACT:
    /// the first UNA, or the first UNB when there is no UNA).
    pub ordinal: usize,
    /// The segment tag (`SE`); empty when the segment could not be read far enough to have one.
    pub tag: String,
    /// 1-based index of the element in the segment (`SE01` is 1), when one element is at fault.
    pub element: Option<usize>,
}

/// A document tree that could not be encoded: what and where in the tree.
///
/// Displays as ``xml: `line item` is not a valid XML name at `.Order."line item"` ``.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct EncodeError {
    /// The format that was being encoded.
    pub format: Format,
    /// What cannot be written, lowercase, without the location.
    pub message: String,
    /// The tree path of the offending value (`.Invoice.Line[2]."@id"`), in the syntax mappings
    /// use; `None` when the problem is the whole document.
    pub path: Option<String>,
}

impl EncodeError {
    pub(crate) fn new(format: Format, message: impl Into<String>, path: Option<String>) -> Self {
        EncodeError {
            format,
            message: message.into(),
            path,
        }
    }
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = self;
        write!(f, "{}: {}", e.format, e.message)?;
        if let Some(path) = &e.path {
            write!(f, " at `{path}`")?;
        }
        Ok(())
    }
}

/// A format name that is not one of [`Format::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown format `{name}`; known formats: {}", known_formats())]
pub struct UnknownFormat {
    /// The name that was given.
    pub name: String,
}

fn known_formats() -> String {
    Format::ALL.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(", ")
}

/// 1-based line and character column of byte `offset` in `input`.
///
/// Lines end at `\n`; a byte order mark at the start of the input is not counted as a column.
pub(crate) fn line_column(input: &[u8], offset: usize) -> (usize, usize) {
    let before = &input[..offset.min(input.len())];
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let mut line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |newline| newline + 1);
    if line_start == 0 && before.starts_with(UTF8_BOM) {
        line_start = UTF8_BOM.len();
    }
    let on_line = before.get(line_start..).unwrap_or_default();
    // Count characters, not bytes: every UTF-8 sequence has exactly one non-continuation byte.
    let column = 1 + on_line.iter().filter(|&&b| b & 0xC0 != 0x80).count();
    (line, column)
}

/// Builds tree paths in the syntax VRL mappings use: `.`, `.a.b`, `.lines[2]`, `."@id"`.
#[derive(Debug, Clone, Default)]
pub(crate) struct TreePath {
    segments: Vec<Segment>,
}

#[derive(Debug, Clone)]
pub(crate) enum Segment {
    Key(String),
    Index(usize),
}

impl TreePath {
    pub(crate) fn push_key(&mut self, key: impl Into<String>) {
        self.segments.push(Segment::Key(key.into()));
    }

    pub(crate) fn push_index(&mut self, index: usize) {
        self.segments.push(Segment::Index(index));
    }

    pub(crate) fn pop(&mut self) -> Option<Segment> {
        self.segments.pop()
    }

    /// Renders the path followed by one more key, without changing it.
    pub(crate) fn render_with_key(&self, key: &str) -> String {
        let mut out = self.render();
        if out == "." {
            out.clear();
        }
        push_key_segment(&mut out, key);
        out
    }

    pub(crate) fn render(&self) -> String {
        if self.segments.is_empty() {
            return ".".to_owned();
        }
        let mut out = String::new();
        for segment in &self.segments {
            match segment {
                Segment::Key(key) => push_key_segment(&mut out, key),
                Segment::Index(index) => {
                    out.push('[');
                    out.push_str(&index.to_string());
                    out.push(']');
                }
            }
        }
        out
    }
}

fn push_key_segment(out: &mut String, key: &str) {
    out.push('.');
    let plain = !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if plain {
        out.push_str(key);
    } else {
        // A JSON string literal is also a valid VRL quoted path segment.
        out.push_str(&Value::String(key.to_owned()).to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_with_position() {
        let e = DecodeError::new(Format::Json, DecodeErrorKind::Malformed, "expected `,` or `}`")
            .at_offset(br#"{"a": 1, "b": 2 "c"}"#, 14);
        assert_eq!(
            e.to_string(),
            "json: expected `,` or `}` at line 1, column 15 (byte 14)"
        );
    }

    #[test]
    fn display_with_path_and_position() {
        let e = DecodeError::new(Format::Json, DecodeErrorKind::DuplicateKey, "duplicate key `a`")
            .at_offset(b"{\n\"a\":1,\"a\":2}", 12)
            .with_path(".a");
        assert_eq!(
            e.to_string(),
            "json: duplicate key `a` at `.a`, line 2, column 11 (byte 12)"
        );
    }

    #[test]
    fn display_with_segment_and_element() {
        let mut e =
            DecodeError::new(Format::X12, DecodeErrorKind::Malformed, "se01 is 3").at_offset(b"ISA*\nSE*3*1~", 8);
        e.segment = Some(Box::new(SegmentPosition {
            ordinal: 2,
            tag: "SE".into(),
            element: Some(1),
        }));
        assert_eq!(
            e.to_string(),
            "x12: se01 is 3 at segment 2 `SE`, element SE01, line 2, column 4 (byte 8)"
        );
    }

    #[test]
    fn display_without_position() {
        let e = DecodeError::too_large(Format::Xml, 11, 10);
        assert_eq!(e.to_string(), "xml: input is 11 bytes, more than the limit of 10 bytes");
    }

    #[test]
    fn columns_count_characters_and_skip_the_bom() {
        let input = "\u{feff}<a>\n  订单号</b>".as_bytes();
        let offset = input.len() - 4;
        assert_eq!(line_column(input, offset), (2, 6));
        assert_eq!(line_column(input, 3), (1, 1));
        assert_eq!(line_column(input, 0), (1, 1));
        assert_eq!(line_column(input, 1000), line_column(input, input.len()));
    }

    #[test]
    fn tree_paths_use_vrl_syntax() {
        let mut p = TreePath::default();
        assert_eq!(p.render(), ".");
        assert_eq!(p.render_with_key("a"), ".a");
        p.push_key("Invoice");
        p.push_key("Line");
        p.push_index(2);
        assert_eq!(p.render_with_key("@id"), r#".Invoice.Line[2]."@id""#);
        p.pop();
        p.push_key("line item");
        assert_eq!(p.render(), r#".Invoice.Line."line item""#);
    }

    #[test]
    fn encode_error_display() {
        let e = EncodeError::new(Format::Xml, "bad", Some(".a".into()));
        assert_eq!(e.to_string(), "xml: bad at `.a`");
        let e = EncodeError::new(Format::Json, "bad", None);
        assert_eq!(e.to_string(), "json: bad");
    }
}
