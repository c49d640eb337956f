//! CSV bytes -> `{"columns": [...], "rows": [{"column": "value", ...}, ...]}`.

use std::borrow::Cow;
use std::collections::HashSet;

use serde_json::{Map, Value};

use super::charset::Text;
use super::options::Dialect;
use crate::{DecodeError, DecodeErrorKind, DecodeOptions, Format};

/// The most fields a record may have: Excel's column limit. It bounds what one short line of
/// delimiters can cost (every field of every row is a key and a value in the tree).
pub(crate) const MAX_FIELDS: usize = 16_384;

pub(crate) fn decode(input: &[u8], opts: &DecodeOptions) -> Result<Value, DecodeError> {
    if input.len() > opts.max_size {
        return Err(DecodeError::too_large(Format::Csv, input.len(), opts.max_size));
    }
    let csv = &opts.csv;
    let dialect =
        Dialect::new(csv).map_err(|message| DecodeError::new(Format::Csv, DecodeErrorKind::Unsupported, message))?;
    let text = Text::decode(input, csv.encoding)?;
    let mut parser = Parser {
        text: &text.text,
        pos: 0,
        dialect,
        trim: csv.trim,
    };
    let mut record = Record::default();
    let mut columns = Columns::default();
    let mut rows = Vec::new();
    let mut first = true;
    while parser
        .next_record(&mut record)
        .map_err(|e| e.into_decode_error(&text, dialect))?
    {
        if first {
            first = false;
            if csv.header {
                for field in &record.fields {
                    columns.push(field);
                }
                continue;
            }
            columns.extend_to(record.fields.len());
        }
        let row_index = rows.len();
        let expected = columns.names.len();
        if record.fields.len() != expected {
            if csv.flexible {
                columns.extend_to(record.fields.len());
            } else {
                let at = record.starts.get(expected).copied().unwrap_or(record.end);
                let of = if csv.header {
                    "the header has"
                } else {
                    "the first row has"
                };
                return Err(text
                    .error(
                        DecodeErrorKind::Malformed,
                        format!(
                            "row {} has {} fields but {of} {expected}; set csv flexible to accept ragged rows",
                            row_index + 1,
                            record.fields.len()
                        ),
                        at,
                    )
                    .with_path(format!(".rows[{row_index}]")));
            }
        }
        // Handing the map its entries in key order lets it build its nodes in one pass, which
        // is what makes this loop as fast as it is (the tree's allocations are the cost).
        let fields = &mut record.fields;
        let len = fields.len();
        columns.sort();
        let row: Map<String, Value> = columns
            .sorted
            .iter()
            .filter(|&&i| i < len)
            .map(|&i| {
                (
                    columns.names[i].clone(),
                    Value::String(std::mem::take(&mut fields[i]).into_owned()),
                )
            })
            .collect();
        rows.push(Value::Object(row));
    }
    let mut doc = Map::new();
    doc.insert(
        "columns".to_owned(),
        Value::Array(columns.names.into_iter().map(Value::String).collect()),
    );
    doc.insert("rows".to_owned(), Value::Array(rows));
    Ok(Value::Object(doc))
}

/// The keys of the rows, made unique: an empty name becomes `colN` (N the 1-based position),
/// and a name already taken gets the first free suffix of `_2`, `_3`, ...
#[derive(Default)]
struct Columns {
    names: Vec<String>,
    /// Indexes into `names`, in the order of the names.
    sorted: Vec<usize>,
    /// Whether `sorted` is up to date; it is sorted when first needed after names were added.
    is_sorted: bool,
    taken: HashSet<String>,
}

impl Columns {
    fn push(&mut self, name: &str) {
        let base = if name.is_empty() {
            format!("col{}", self.names.len() + 1)
        } else {
            name.to_owned()
        };
        let mut unique = base.clone();
        let mut n = 2;
        while self.taken.contains(&unique) {
            unique = format!("{base}_{n}");
            n += 1;
        }
        self.taken.insert(unique.clone());
        self.names.push(unique);
        self.sorted.push(self.names.len() - 1);
        self.is_sorted = false;
    }

    /// Indexes into `names`, in name order. Sorting a sorted run followed by a few new indexes
    /// is linear, so growing a wide header one name at a time (flexible rows) stays cheap.
    fn sort(&mut self) {
        if !self.is_sorted {
            let names = &self.names;
            self.sorted.sort_by(|&a, &b| names[a].cmp(&names[b]));
            self.is_sorted = true;
        }
    }

    fn extend_to(&mut self, len: usize) {
        while self.names.len() < len {
            self.push("");
        }
    }
}

/// The fields of one record, borrowed from the text where no unescaping was needed.
#[derive(Default)]
struct Record<'a> {
    fields: Vec<Cow<'a, str>>,
    /// Offset in the text where each field starts.
    starts: Vec<usize>,
    /// Offset of the record's line ending (or the end of the text).
    end: usize,
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    dialect: Dialect,
    trim: bool,
}

/// A syntax error, at an offset in the decoded text.
struct SyntaxError {
    what: SyntaxErrorKind,
    at: usize,
    field: usize,
}

enum SyntaxErrorKind {
    UnclosedQuote,
    AfterClosingQuote,
    TooManyFields,
}

impl SyntaxError {
    fn into_decode_error(self, text: &Text<'_>, dialect: Dialect) -> DecodeError {
        let q = char::from(dialect.quote);
        let message = match self.what {
            SyntaxErrorKind::UnclosedQuote => format!(
                "the quote opening field {} is never closed (a quote inside a quoted field is written {})",
                self.field,
                if dialect.backslash {
                    format!("`\\{q}`")
                } else {
                    format!("`{q}{q}`")
                }
            ),
            SyntaxErrorKind::AfterClosingQuote => {
                let c = text.text[self.at..].chars().next().unwrap_or(' ');
                format!(
                    "unexpected {c:?} after the closing quote of field {}; a quote inside a quoted field is written {}",
                    self.field,
                    if dialect.backslash {
                        format!("`\\{q}`")
                    } else {
                        format!("`{q}{q}`")
                    }
                )
            }
            SyntaxErrorKind::TooManyFields => {
                format!("a record has more than {MAX_FIELDS} fields")
            }
        };
        text.error(DecodeErrorKind::Malformed, message, self.at)
    }
}

impl<'a> Parser<'a> {
    /// Reads the next record that is not a blank line into `record`; false at the end.
    fn next_record(&mut self, record: &mut Record<'a>) -> Result<bool, SyntaxError> {
        let bytes = self.text.as_bytes();
        loop {
            record.fields.clear();
            record.starts.clear();
            if self.pos >= bytes.len() {
                return Ok(false);
            }
            let mut quoted = false;
            loop {
                if record.fields.len() == MAX_FIELDS {
                    return Err(SyntaxError {
                        what: SyntaxErrorKind::TooManyFields,
                        at: self.pos,
                        field: MAX_FIELDS + 1,
                    });
                }
                record.starts.push(self.pos);
                let (field, was_quoted) = self.field(record.fields.len() + 1)?;
                quoted |= was_quoted;
                record.fields.push(field);
                match bytes.get(self.pos) {
                    Some(&b) if b == self.dialect.delimiter => self.pos += 1,
                    Some(b'\r') => {
                        record.end = self.pos;
                        self.pos += if bytes.get(self.pos + 1) == Some(&b'\n') { 2 } else { 1 };
                        break;
                    }
                    Some(b'\n') => {
                        record.end = self.pos;
                        self.pos += 1;
                        break;
                    }
                    _ => {
                        record.end = self.pos;
                        break;
                    }
                }
            }
            // A blank line (or one of blanks, when trimming) is not a record.
            let blank = record.fields.len() == 1 && !quoted && record.fields[0].is_empty();
            if !blank {
                return Ok(true);
            }
        }
    }

    /// Reads one field starting at `self.pos`, leaving `self.pos` on the byte after it (a
    /// delimiter, a line ending or the end). Returns the value and whether it was quoted.
    fn field(&mut self, number: usize) -> Result<(Cow<'a, str>, bool), SyntaxError> {
        let text = self.text;
        let bytes = text.as_bytes();
        let d = self.dialect;
        let mut pos = self.pos;
        if self.trim {
            while pos < bytes.len() && d.is_blank(bytes[pos]) {
                pos += 1;
            }
        }
        if bytes.get(pos) != Some(&d.quote) {
            let start = pos;
            while pos < bytes.len() {
                let b = bytes[pos];
                if b == d.delimiter || b == b'\n' || b == b'\r' {
                    break;
                }
                pos += 1;
            }
            self.pos = pos;
            let mut end = pos;
            if self.trim {
                while end > start && d.is_blank(bytes[end - 1]) {
                    end -= 1;
                }
            }
            return Ok((Cow::Borrowed(&text[start..end]), false));
        }
        let open = pos;
        pos += 1;
        let mut owned: Option<String> = None;
        let mut piece = pos;
        let value = loop {
            let Some(b) = bytes.get(pos).copied() else {
                return Err(SyntaxError {
                    what: SyntaxErrorKind::UnclosedQuote,
                    at: open,
                    field: number,
                });
            };
            if b == d.quote {
                if !d.backslash && bytes.get(pos + 1) == Some(&d.quote) {
                    // A doubled quote: keep one, skip the other.
                    owned.get_or_insert_with(String::new).push_str(&text[piece..=pos]);
                    pos += 2;
                    piece = pos;
                    continue;
                }
                let value = match owned {
                    Some(mut s) => {
                        s.push_str(&text[piece..pos]);
                        Cow::Owned(s)
                    }
                    None => Cow::Borrowed(&text[piece..pos]),
                };
                pos += 1;
                break value;
            }
            if b == b'\\' && d.backslash {
                // Drop the backslash; the next character, whatever it is, is kept literally.
                owned.get_or_insert_with(String::new).push_str(&text[piece..pos]);
                if pos + 1 >= bytes.len() {
                    return Err(SyntaxError {
                        what: SyntaxErrorKind::UnclosedQuote,
                        at: open,
                        field: number,
                    });
                }
                piece = pos + 1;
                // Skipping two bytes may land inside a multi-byte character, which is harmless:
                // only ASCII bytes are looked at, and slices start at `piece`.
                pos += 2;
                continue;
            }
            pos += 1;
        };
        if self.trim {
            while pos < bytes.len() && d.is_blank(bytes[pos]) {
                pos += 1;
            }
        }
        match bytes.get(pos) {
            None | Some(b'\r' | b'\n') => {}
            Some(&b) if b == d.delimiter => {}
            Some(_) => {
                return Err(SyntaxError {
                    what: SyntaxErrorKind::AfterClosingQuote,
                    at: pos,
                    field: number,
                });
            }
        }
        self.pos = pos;
        Ok((value, true))
    }
}
