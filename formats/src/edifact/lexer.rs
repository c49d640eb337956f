//! EDIFACT tokenizing: service string advice (UNA), segments split into elements, repetitions and components, release characters undone.
//!
//! A segment's values borrow from the input (validated once, up front); only a value with a
//! release character in it, or one read as ISO 8859-1, is copied.

use std::borrow::Cow;

use crate::DecodeErrorKind;
use crate::edi::lexer::LexError;

/// The service characters of one interchange, as bytes (they must be ASCII).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Delimiters {
    pub(crate) component: u8,
    pub(crate) element: u8,
    pub(crate) decimal: u8,
    /// `None` when UNA position 4 is a space (no release character) or at syntax level B.
    pub(crate) release: Option<u8>,
    /// UNA position 5 as given; only a separator in syntax version 4 (see [`Lexer::set_version`]).
    pub(crate) repetition: Option<u8>,
    pub(crate) terminator: u8,
}

impl Delimiters {
    /// Syntax level A defaults, what a missing UNA means: `:+.? '` (version 4: `:+.?*'`).
    pub(crate) const LEVEL_A: Delimiters = Delimiters {
        component: b':',
        element: b'+',
        decimal: b'.',
        release: Some(b'?'),
        repetition: Some(b'*'),
        terminator: b'\'',
    };

    /// Syntax level B defaults (UNOB, information separators IS1..IS4, no release character).
    pub(crate) const LEVEL_B: Delimiters = Delimiters {
        component: 0x1F,
        element: 0x1D,
        decimal: b'.',
        release: None,
        repetition: Some(0x19),
        terminator: 0x1C,
    };
}

/// One component of a data element, with release characters undone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Component<'a> {
    pub(crate) text: Cow<'a, str>,
    /// Whether it starts a repetition of its element (other than the first).
    pub(crate) repeats: bool,
}

impl AsRef<str> for Component<'_> {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

/// One data element: its repetitions, each a run of components.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Element<'s, 'a> {
    /// Byte offset of the element's first character in the input.
    pub(crate) offset: usize,
    /// The components of every repetition, at least one.
    components: &'s [Component<'a>],
}

impl<'s, 'a> Element<'s, 'a> {
    /// The first component of the first repetition, or `""`.
    pub(crate) fn first(&self) -> &'s str {
        self.component(1)
    }

    /// Component `c` (1-based) of the first repetition, or `""`.
    pub(crate) fn component(&self, c: usize) -> &'s str {
        self.repetitions()
            .next()
            .and_then(|r| r.get(c.wrapping_sub(1)))
            .map_or("", |part| &part.text)
    }

    /// The repetitions, each a list of components.
    pub(crate) fn repetitions(&self) -> impl Iterator<Item = &'s [Component<'a>]> + use<'s, 'a> {
        let mut rest = self.components;
        std::iter::from_fn(move || {
            let len = rest
                .iter()
                .skip(1)
                .position(|c| c.repeats)
                .map_or(rest.len(), |p| p + 1);
            let (repetition, tail) = rest.split_at(len);
            rest = tail;
            (!repetition.is_empty()).then_some(repetition)
        })
    }

    /// Whether every component of every repetition is empty.
    pub(crate) fn is_empty(&self) -> bool {
        self.components.iter().all(|c| c.text.is_empty())
    }
}

/// One segment.
#[derive(Debug, Clone)]
pub(crate) struct Segment<'a> {
    pub(crate) tag: Cow<'a, str>,
    /// 1-based position in the input (a UNA counts).
    pub(crate) ordinal: usize,
    /// Byte offset of the tag.
    pub(crate) offset: usize,
    /// Byte offset just past the segment's last data character (where the terminator is).
    pub(crate) end: usize,
    pub(crate) terminated: bool,
    /// The components of every data element, in order (the tag's first, unused).
    components: Vec<Component<'a>>,
    /// Each data element's byte offset and first index in `components`; `elements[0]` is `TAG01`.
    elements: Vec<(usize, usize)>,
}

impl<'a> Segment<'a> {
    /// The data elements after the tag, `TAG01` first.
    pub(crate) fn elements(&self) -> impl ExactSizeIterator<Item = Element<'_, 'a>> {
        (0..self.elements.len()).map(|i| self.element_at(i))
    }

    fn element_at(&self, i: usize) -> Element<'_, 'a> {
        let (offset, from) = self.elements[i];
        let to = self
            .elements
            .get(i + 1)
            .map_or(self.components.len(), |&(_, next)| next);
        Element {
            offset,
            components: &self.components[from..to],
        }
    }

    /// Element `n` (1-based), if the segment has it.
    pub(crate) fn element(&self, n: usize) -> Option<Element<'_, 'a>> {
        let i = n.wrapping_sub(1);
        (i < self.elements.len()).then(|| self.element_at(i))
    }

    /// The first component of element `n`, or `""`.
    pub(crate) fn value(&self, n: usize) -> &str {
        self.element(n).map_or("", |e| e.first())
    }

    /// Byte offset of element `n`, or the segment's end when it has fewer elements.
    pub(crate) fn element_offset(&self, n: usize) -> usize {
        self.element(n).map_or(self.end, |e| e.offset)
    }
}

/// What the lexer found next.
#[derive(Debug)]
pub(crate) enum Item<'a> {
    /// A service string advice; the lexer now uses its delimiters.
    Una {
        offset: usize,
        ordinal: usize,
    },
    Segment(Segment<'a>),
}

pub(crate) struct Lexer<'a> {
    input: &'a [u8],
    /// `input` as text, when it is UTF-8 (values are then slices of it).
    text: Option<&'a str>,
    pos: usize,
    ordinal: usize,
    pub(crate) d: Delimiters,
    /// Whether the repetition separator is in force (syntax version 4 and later).
    repeat: bool,
    /// Whether the current interchange declared its delimiters in a UNA.
    una: bool,
    /// Values are ISO 8859-1 bytes (UNOC input that is not UTF-8) rather than UTF-8.
    latin1: bool,
}

/// Bytes skipped between segments: line breaks and indentation people add for reading.
fn is_filler(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0x0c)
}

/// Whether `tag` is a segment tag: three upper-case letters or digits.
pub(crate) fn is_tag(tag: &str) -> bool {
    tag.len() == 3 && tag.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(input: &'a [u8], start: usize, latin1: bool) -> Self {
        Lexer {
            input,
            text: if latin1 { None } else { std::str::from_utf8(input).ok() },
            pos: start,
            ordinal: 0,
            d: Delimiters::LEVEL_A,
            repeat: false,
            una: false,
            latin1,
        }
    }

    /// Segments read so far (a UNA counts).
    pub(crate) fn ordinal(&self) -> usize {
        self.ordinal
    }

    pub(crate) fn end_offset(&self) -> usize {
        self.input.len()
    }

    /// Switches the repetition separator on for syntax version 4 and later, as UNB01-2 says.
    pub(crate) fn set_version(&mut self, version: &str) {
        self.repeat = version.parse::<u32>().is_ok_and(|v| v >= 4);
    }

    /// Whether repeated elements are read (and may be written) in this interchange.
    pub(crate) fn repeats(&self) -> bool {
        self.repeat && self.d.repetition.is_some()
    }

    fn error(&self, offset: usize, tag: Option<&str>, message: String) -> LexError {
        LexError {
            kind: DecodeErrorKind::Malformed,
            message,
            offset,
            ordinal: self.ordinal,
            tag: tag.map(str::to_owned),
            element: None,
        }
    }

    fn text(&self, bytes: Vec<u8>) -> String {
        if self.latin1 {
            return bytes.iter().map(|&b| char::from(b)).collect();
        }
        // The input was checked to be UTF-8 and only ASCII delimiters are removed, so this
        // cannot fail; a lossy conversion keeps it total without a panic path.
        String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }

    /// Component text from `input[from..to]`, appended to `released` (the bytes before a release
    /// character, with it undone) when there is one.
    fn piece(&self, from: usize, to: usize, released: Option<Vec<u8>>) -> Cow<'a, str> {
        let bytes = &self.input[from..to];
        if let Some(mut owned) = released {
            owned.extend_from_slice(bytes);
            return Cow::Owned(self.text(owned));
        }
        let slice = match self.text {
            Some(text) => text.get(from..to),
            // ISO 8859-1 and ASCII agree on ASCII.
            None => std::str::from_utf8(bytes).ok().filter(|_| bytes.is_ascii()),
        };
        slice.map_or_else(|| Cow::Owned(self.text(bytes.to_vec())), Cow::Borrowed)
    }

    /// The next UNA or segment, or `None` at the end of input.
    pub(crate) fn next_item(&mut self) -> Result<Option<Item<'a>>, LexError> {
        while self
            .input
            .get(self.pos)
            .is_some_and(|&b| is_filler(b) && !self.is_delimiter(b))
        {
            self.pos += 1;
        }
        let rest = &self.input[self.pos.min(self.input.len())..];
        if rest.is_empty() {
            return Ok(None);
        }
        if rest.starts_with(b"UNA") {
            return self.una().map(Some);
        }
        if rest.starts_with(b"UNB") {
            if !self.una {
                // Without a UNA the defaults apply; IS3 after the tag means syntax level B.
                self.d = if rest.get(3) == Some(&Delimiters::LEVEL_B.element) {
                    Delimiters::LEVEL_B
                } else {
                    Delimiters::LEVEL_A
                };
            }
            self.una = false;
            self.repeat = false;
        }
        self.segment().map(|s| Some(Item::Segment(s)))
    }

    fn is_delimiter(&self, b: u8) -> bool {
        let d = &self.d;
        b == d.terminator || b == d.element || b == d.component || Some(b) == d.release
    }

    fn una(&mut self) -> Result<Item<'a>, LexError> {
        let offset = self.pos;
        self.ordinal += 1;
        let Some(chars) = self.input.get(offset + 3..offset + 9) else {
            return Err(self.error(
                self.input.len(),
                Some("UNA"),
                "unexpected end of input: the UNA service string advice needs 6 characters".to_owned(),
            ));
        };
        for (i, &b) in chars.iter().enumerate() {
            if !b.is_ascii() || b.is_ascii_alphanumeric() || (b == b' ' && !matches!(i, 3 | 4)) {
                return Err(self.error(
                    offset + 3 + i,
                    Some("UNA"),
                    format!(
                        "una position {} is `{}`; a service character must be an ASCII character other than a letter or digit",
                        i + 1,
                        char::from(b).escape_debug()
                    ),
                ));
            }
        }
        let optional = |b: u8| (b != b' ').then_some(b);
        let d = Delimiters {
            component: chars[0],
            element: chars[1],
            decimal: chars[2],
            release: optional(chars[3]),
            repetition: optional(chars[4]),
            terminator: chars[5],
        };
        let separators = [
            Some(d.component),
            Some(d.element),
            d.release,
            d.repetition,
            Some(d.terminator),
        ];
        for (i, a) in separators.iter().enumerate() {
            if a.is_some() && separators[i + 1..].contains(a) {
                return Err(self.error(
                    offset + 3,
                    Some("UNA"),
                    format!(
                        "una uses `{}` for two service characters",
                        char::from(a.unwrap_or_default()).escape_debug()
                    ),
                ));
            }
        }
        self.d = d;
        self.una = true;
        self.pos = offset + 9;
        Ok(Item::Una {
            offset,
            ordinal: self.ordinal,
        })
    }

    fn segment(&mut self) -> Result<Segment<'a>, LexError> {
        let start = self.pos;
        self.ordinal += 1;
        let d = self.d;
        let repetition = if self.repeats() { d.repetition } else { None };
        let mut components: Vec<Component<'a>> = Vec::with_capacity(16);
        // The tag is element 0 here, removed below.
        let mut elements: Vec<(usize, usize)> = Vec::with_capacity(12);
        elements.push((start, 0));
        // Where the current component's text starts, and its bytes so far once it has had a
        // release character.
        let mut piece = start;
        let mut released: Option<Vec<u8>> = None;
        let mut repeats = false;
        let mut i = start;
        let mut terminated = false;
        while let Some(&b) = self.input.get(i) {
            if Some(b) == d.release {
                let Some(&next) = self.input.get(i + 1) else {
                    return Err(self.error(
                        i,
                        None,
                        "unexpected end of input after the release character".to_owned(),
                    ));
                };
                let owned = released.get_or_insert_with(Vec::new);
                owned.extend_from_slice(&self.input[piece..i]);
                owned.push(next);
                i += 2;
                piece = i;
                continue;
            }
            if b == d.terminator {
                terminated = true;
                break;
            }
            if b == d.element || b == d.component || Some(b) == repetition {
                let text = self.piece(piece, i, released.take());
                components.push(Component { text, repeats });
                repeats = Some(b) == repetition;
                if b == d.element {
                    elements.push((i + 1, components.len()));
                }
                piece = i + 1;
            }
            i += 1;
        }
        let text = self.piece(piece, i, released.take());
        components.push(Component { text, repeats });
        self.pos = if terminated { i + 1 } else { i };
        // The tag is an element of one component.
        let tag_components = elements.get(1).map_or(components.len(), |&(_, next)| next);
        let tag = match components.first_mut() {
            Some(first) if tag_components == 1 => std::mem::take(&mut first.text),
            _ => Cow::Borrowed(""),
        };
        elements.remove(0);
        if !is_tag(&tag) {
            let shown: String = String::from_utf8_lossy(&self.input[start..i.min(start + 20)]).into_owned();
            return Err(self.error(
                start,
                None,
                format!(
                    "expected a segment tag (three upper-case letters or digits), found `{}`",
                    shown.escape_debug()
                ),
            ));
        }
        Ok(Segment {
            tag,
            ordinal: self.ordinal,
            offset: start,
            end: i,
            terminated,
            components,
            elements,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segments(input: &str) -> Vec<Segment<'_>> {
        let mut lexer = Lexer::new(input.as_bytes(), 0, false);
        let mut out = Vec::new();
        while let Some(item) = lexer.next_item().unwrap() {
            if let Item::Segment(s) = item {
                if s.tag == "UNB" {
                    lexer.set_version(s.element(1).map_or("", |e| e.component(2)));
                }
                out.push(s);
            }
        }
        out
    }

    fn values(seg: &Segment<'_>) -> Vec<Vec<Vec<String>>> {
        seg.elements()
            .map(|e| {
                e.repetitions()
                    .map(|r| r.iter().map(|c| c.text.to_string()).collect())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn splits_elements_components_and_undoes_release_characters() {
        let segs = segments("UNB+UNOA:3'\nFTX+A?+B?:C??D?'E+X:Y'");
        assert_eq!(segs[1].tag, "FTX");
        assert_eq!(
            values(&segs[1]),
            vec![
                vec![vec!["A+B:C?D'E".to_owned()]],
                vec![vec!["X".to_owned(), "Y".to_owned()]]
            ]
        );
        assert_eq!(segs[1].element_offset(2), 30);
    }

    #[test]
    fn una_sets_delimiters_and_version_4_repeats() {
        let segs = segments("UNA|#,! ~UNB#UNOW|4~RFF#A|B*C#x!~y~");
        assert_eq!(
            values(&segs[1]),
            vec![
                vec![vec!["A".to_owned(), "B*C".to_owned()]],
                vec![vec!["x~y".to_owned()]]
            ]
        );
        let segs = segments("UNA:+.?*'UNB+UNOW:4'RFF+A*B:C*'");
        assert_eq!(
            values(&segs[1]),
            vec![vec![
                vec!["A".to_owned()],
                vec!["B".to_owned(), "C".to_owned()],
                vec![String::new()]
            ]]
        );
    }

    #[test]
    fn syntax_level_b_without_una() {
        let segs = segments("UNB\x1dUNOB\x1f3\x1cBGM\x1d220\x1f1\x1c");
        assert_eq!(segs[1].tag, "BGM");
        assert_eq!(values(&segs[1]), vec![vec![vec!["220".to_owned(), "1".to_owned()]]]);
    }

    #[test]
    fn refusals() {
        let mut l = Lexer::new(b"UNA:+", 0, false);
        assert!(l.next_item().unwrap_err().message.contains("6 characters"));
        let mut l = Lexer::new(b"UNA::.? '", 0, false);
        assert!(l.next_item().unwrap_err().message.contains("two service characters"));
        let mut l = Lexer::new(b"bgm+1'", 0, false);
        assert!(l.next_item().unwrap_err().message.contains("segment tag"));
        let mut l = Lexer::new(b"BGM+1?", 0, false);
        assert!(l.next_item().unwrap_err().message.contains("release character"));
    }
}
