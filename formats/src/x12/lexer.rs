//! X12 tokenizing: the delimiters each ISA header declares, then one segment at a time with its position.
//!
//! The lexer works on `&str` slices of the input (validated as UTF-8 once, up front), so a
//! segment costs no allocation until the reader turns its elements into tree values.

use crate::DecodeErrorKind;
use crate::edi::lexer::LexError;

/// The delimiters of one interchange, as its ISA header declares them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Delimiters<'a> {
    /// Between elements: the byte after `ISA`.
    pub(crate) element: u8,
    /// Between the components of a composite element: ISA16.
    pub(crate) component: u8,
    /// Between repetitions of an element: ISA11, unless it is a letter, digit or blank (before
    /// 004020 ISA11 is the standards identifier, `U`).
    pub(crate) repetition: Option<u8>,
    /// After each segment: the character after ISA16, which may be several bytes (`…`) or a
    /// line feed.
    pub(crate) terminator: &'a str,
}

/// One segment as it appears in the input.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Segment<'a> {
    /// The segment id (`BEG`).
    pub(crate) tag: &'a str,
    /// Everything after the tag up to the terminator: empty, or starting with the element
    /// separator.
    pub(crate) rest: &'a str,
    /// Byte offset of the tag in the whole input (a BOM included).
    pub(crate) offset: usize,
    /// 1-based position of the segment in the input (the first ISA is 1).
    pub(crate) ordinal: usize,
    /// False for a last segment that ends at the end of input instead of at a terminator.
    pub(crate) terminated: bool,
}

impl<'a> Segment<'a> {
    /// The elements after the tag (element 1 first), as written, with separators not split.
    pub(crate) fn elements(&self, element: u8) -> impl Iterator<Item = &'a str> {
        let rest = self.rest;
        rest.get(1..)
            .into_iter()
            .flat_map(move |body| body.split(char::from(element)))
    }

    /// Element `n` (1-based), or `""` when the segment is shorter.
    pub(crate) fn element(&self, element: u8, n: usize) -> &'a str {
        self.elements(element).nth(n.wrapping_sub(1)).unwrap_or_default()
    }

    /// Byte offset of element `n` (1-based) in the whole input, or of the segment's end when the
    /// segment is shorter.
    pub(crate) fn element_offset(&self, element: u8, n: usize) -> usize {
        let body = self.offset + self.tag.len();
        let mut seen = 0;
        for (i, b) in self.rest.bytes().enumerate() {
            if b == element {
                seen += 1;
                if seen == n {
                    return body + i + 1;
                }
            }
        }
        body + self.rest.len()
    }
}

/// Reads segments one at a time; an `ISA` resets the delimiters to the ones it declares.
pub(crate) struct Lexer<'a> {
    text: &'a str,
    /// Bytes of the input before `text` (a BOM), added to every offset reported.
    base: usize,
    pos: usize,
    ordinal: usize,
    delimiters: Option<Delimiters<'a>>,
}

/// Whitespace tolerated between segments: indentation, blank lines and CR/LF after terminators.
fn is_gap(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0b' | b'\x0c')
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(text: &'a str, base: usize) -> Self {
        Lexer {
            text,
            base,
            pos: 0,
            ordinal: 0,
            delimiters: None,
        }
    }

    /// The delimiters of the current interchange (set once an ISA has been read).
    pub(crate) fn delimiters(&self) -> Option<Delimiters<'a>> {
        self.delimiters
    }

    /// Offset of the end of input, for "unexpected end" errors.
    pub(crate) fn end_offset(&self) -> usize {
        self.base + self.text.len()
    }

    /// How many segments have been read.
    pub(crate) fn ordinal(&self) -> usize {
        self.ordinal
    }

    fn error(&self, kind: DecodeErrorKind, message: String, offset: usize) -> LexError {
        LexError {
            kind,
            message,
            offset: self.base + offset,
            ordinal: self.ordinal,
            tag: None,
            element: None,
        }
    }

    /// The next segment, or `None` at the end of input.
    pub(crate) fn next_segment(&mut self) -> Result<Option<Segment<'a>>, LexError> {
        let bytes = self.text.as_bytes();
        while bytes.get(self.pos).copied().is_some_and(is_gap) {
            self.pos += 1;
        }
        if self.pos >= bytes.len() {
            return Ok(None);
        }
        self.ordinal += 1;
        let start = self.pos;
        let rest = &bytes[start..];
        if rest.starts_with(b"ISA") && rest.get(3).is_some_and(|b| !b.is_ascii_alphanumeric()) {
            return self.read_isa(start).map(Some);
        }
        let Some(d) = self.delimiters else {
            let shown: String = self.text[start..].chars().take(12).collect();
            return Err(self.error(
                DecodeErrorKind::Malformed,
                format!(
                    "an X12 interchange must start with an ISA segment, found `{}`",
                    shown.escape_debug()
                ),
                start,
            ));
        };
        let found = match d.terminator.as_bytes() {
            [single] => rest.iter().position(|b| b == single),
            _ => self.text[start..].find(d.terminator),
        };
        let (mut content, terminated) = match found {
            Some(len) => {
                self.pos = start + len + d.terminator.len();
                (&self.text[start..start + len], true)
            }
            None => {
                self.pos = bytes.len();
                (
                    self.text[start..].trim_end_matches(|c: char| c.is_ascii() && is_gap(c as u8)),
                    false,
                )
            }
        };
        if d.terminator == "\n" {
            // A newline terminator in a file with CRLF line ends leaves the CR in the segment.
            content = content.strip_suffix('\r').unwrap_or(content);
        }
        let tag_len = content.bytes().position(|b| b == d.element).unwrap_or(content.len());
        let (tag, rest) = content.split_at(tag_len);
        if !is_tag(tag) {
            let shown: String = tag.chars().take(12).collect();
            let mut e = self.error(
                DecodeErrorKind::Malformed,
                format!(
                    "`{}` is not a segment tag (2 or 3 upper-case letters and digits, starting with a letter)",
                    shown.escape_debug()
                ),
                start,
            );
            e.tag = Some(shown);
            return Err(e);
        }
        Ok(Some(Segment {
            tag,
            rest,
            offset: self.base + start,
            ordinal: self.ordinal,
            terminated,
        }))
    }

    /// Reads an ISA header at `start`, sets the delimiters it declares, and returns it as a
    /// segment whose 16 elements split on the element separator.
    fn read_isa(&mut self, start: usize) -> Result<Segment<'a>, LexError> {
        let bytes = self.text.as_bytes();
        let element = bytes[start + 3];
        let fail = |lexer: &Self, message: String, offset: usize, element: Option<usize>| {
            let mut e = lexer.error(DecodeErrorKind::Malformed, message, offset);
            e.tag = Some("ISA".to_owned());
            e.element = element;
            e
        };
        if !element.is_ascii() || is_gap(element) {
            return Err(fail(
                self,
                format!(
                    "the element separator (the byte after `ISA`) must be a visible ASCII character, found byte 0x{element:02x}"
                ),
                start + 3,
                None,
            ));
        }
        // ISA01..ISA15 end at the next 15 element separators; ISA16 is the single byte after.
        let mut fields: [&str; 15] = [""; 15];
        let mut at = start + 3;
        for (n, field) in fields.iter_mut().enumerate() {
            let from = at + 1;
            let Some(len) = bytes.get(from..).and_then(|b| b.iter().position(|&c| c == element)) else {
                return Err(fail(
                    self,
                    format!("unexpected end of input: the ISA header ends after {n} of its 16 elements"),
                    bytes.len(),
                    Some(n + 1),
                ));
            };
            *field = &self.text[from..from + len];
            at = from + len;
        }
        let component_at = at + 1;
        let Some(&component) = bytes.get(component_at) else {
            return Err(fail(
                self,
                "unexpected end of input: the ISA header has no component separator (ISA16)".to_owned(),
                bytes.len(),
                Some(16),
            ));
        };
        let Some(terminator) = self.text.get(component_at + 1..).and_then(|t| t.chars().next()) else {
            return Err(fail(
                self,
                "unexpected end of input: no segment terminator after ISA16".to_owned(),
                bytes.len(),
                Some(16),
            ));
        };
        let term_at = component_at + 1;
        let term_len = terminator.len_utf8();
        let terminator_str = &self.text[term_at..term_at + term_len];
        if !component.is_ascii() || component.is_ascii_alphanumeric() || is_gap(component) || component == element {
            return Err(fail(
                self,
                format!(
                    "isa16 component separator `{}` must be a visible ASCII character other than a letter, digit or the element separator",
                    char::from(component).escape_debug()
                ),
                component_at,
                Some(16),
            ));
        }
        if terminator.is_alphanumeric()
            || terminator == ' '
            || terminator == char::from(element)
            || terminator == char::from(component)
        {
            return Err(fail(
                self,
                format!(
                    "the segment terminator (the character after ISA16) must not be a letter, digit, space or another delimiter, found `{}`",
                    terminator.escape_debug()
                ),
                term_at,
                None,
            ));
        }
        let isa11 = fields[10].as_bytes();
        let repetition = match isa11 {
            [b] if b.is_ascii() && !b.is_ascii_alphanumeric() && !is_gap(*b) => Some(*b),
            _ => None,
        };
        if let Some(r) = repetition
            && (r == element || r == component || terminator_str.as_bytes() == [r])
        {
            return Err(fail(
                self,
                format!(
                    "isa11 repetition separator `{}` is also used as another delimiter",
                    char::from(r)
                ),
                self.element_start(start, element, 11),
                Some(11),
            ));
        }
        for (n, name) in [(12, "isa12 version"), (13, "isa13 control number")] {
            let value = fields[n - 1].trim();
            if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
                return Err(fail(
                    self,
                    format!(
                        "{name} `{}` is not a number; is this an ISA header?",
                        value.escape_debug()
                    ),
                    self.element_start(start, element, n),
                    Some(n),
                ));
            }
        }
        self.delimiters = Some(Delimiters {
            element,
            component,
            repetition,
            terminator: terminator_str,
        });
        self.pos = term_at + term_len;
        Ok(Segment {
            tag: &self.text[start..start + 3],
            rest: &self.text[start + 3..term_at],
            offset: self.base + start,
            ordinal: self.ordinal,
            terminated: true,
        })
    }

    /// Offset (within `text`) of ISA element `n`, for errors about it.
    fn element_start(&self, start: usize, element: u8, n: usize) -> usize {
        let bytes = self.text.as_bytes();
        let mut seen = 0;
        for (i, &b) in bytes.iter().enumerate().skip(start + 3) {
            if b == element {
                seen += 1;
                if seen == n {
                    return i + 1;
                }
            }
        }
        start
    }
}

/// Whether `tag` is a segment id: 2 or 3 upper-case ASCII letters and digits, starting with a letter.
pub(crate) fn is_tag(tag: &str) -> bool {
    let b = tag.as_bytes();
    (2..=3).contains(&b.len())
        && b[0].is_ascii_uppercase()
        && b.iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}
