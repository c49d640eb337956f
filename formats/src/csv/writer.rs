//! `{"rows": [{"column": "value", ...}, ...]}` -> CSV bytes, in UTF-8, GBK, GB18030 or Big5.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap};

use encoding_rs::{Encoder, EncoderResult};
use serde_json::{Map, Value};

use super::options::{CsvEncoding, CsvLineEnding, CsvOptions, Dialect};
use crate::error::{TreePath, UTF8_BOM};
use crate::{EncodeError, EncodeOptions, Format};

pub(crate) fn encode(doc: &Value, opts: &EncodeOptions) -> Result<Vec<u8>, EncodeError> {
    let csv = &opts.csv;
    let dialect = Dialect::new(csv).map_err(|message| EncodeError::new(Format::Csv, message, None))?;
    let (rows, tree_columns) = split(doc)?;
    let columns = choose_columns(csv, tree_columns, rows)?;
    let index: HashMap<&str, usize> = columns.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect();

    let mut out = Output::new(csv, dialect);
    if csv.header {
        let names: Vec<Option<Cow<'_, str>>> = columns.iter().map(|c| Some(Cow::Borrowed(c.as_str()))).collect();
        out.record(&names).map_err(|(column, c)| {
            EncodeError::new(
                Format::Csv,
                format!(
                    "column name `{}` has {c:?}, which cannot be written in {}",
                    columns[column],
                    csv.encoding.as_str()
                ),
                None,
            )
        })?;
    }
    for (r, row) in rows.iter().enumerate() {
        let path = |key: Option<&str>| {
            let mut p = TreePath::default();
            p.push_key("rows");
            p.push_index(r);
            key.map_or_else(|| p.render(), |k| p.render_with_key(k))
        };
        let Value::Object(row) = row else {
            return Err(EncodeError::new(
                Format::Csv,
                "a row must be an object of column names to values",
                Some(path(None)),
            ));
        };
        let mut fields: Vec<Option<Cow<'_, str>>> = vec![None; columns.len()];
        for (key, value) in row {
            let Some(&i) = index.get(key.as_str()) else {
                return Err(EncodeError::new(
                    Format::Csv,
                    format!("`{key}` is not one of the columns; add it to the csv columns"),
                    Some(path(Some(key))),
                ));
            };
            fields[i] = Some(match value {
                Value::String(s) => Cow::Borrowed(s.as_str()),
                Value::Null => Cow::Borrowed(""),
                // Numbers are written as their JSON text, which is exact for what the tree holds.
                Value::Number(n) => Cow::Owned(n.to_string()),
                Value::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
                Value::Array(_) | Value::Object(_) => {
                    return Err(EncodeError::new(
                        Format::Csv,
                        "a csv value must be a string, number, boolean or null, not an array or object",
                        Some(path(Some(key))),
                    ));
                }
            });
        }
        if csv.flexible {
            while fields.last() == Some(&None) {
                fields.pop();
            }
        }
        out.record(&fields).map_err(|(column, c)| {
            EncodeError::new(
                Format::Csv,
                format!(
                    "{c:?} in row {} column `{}` cannot be written in {}",
                    r + 1,
                    columns[column],
                    csv.encoding.as_str()
                ),
                Some(path(Some(&columns[column]))),
            )
        })?;
    }
    Ok(out.finish())
}

/// The rows of the tree and its `"columns"`, if it has them.
fn split(doc: &Value) -> Result<(&[Value], Option<&[Value]>), EncodeError> {
    let shape = "a csv document is an object {\"rows\": [{\"column\": \"value\", ...}, ...]}";
    let Value::Object(map) = doc else {
        return Err(EncodeError::new(Format::Csv, shape, Some(".".to_owned())));
    };
    if let Some(key) = map.keys().find(|k| *k != "rows" && *k != "columns") {
        return Err(EncodeError::new(
            Format::Csv,
            format!("unexpected key; {shape} with optional \"columns\""),
            Some(TreePath::default().render_with_key(key)),
        ));
    }
    let rows = match map.get("rows") {
        Some(Value::Array(rows)) => rows.as_slice(),
        None => &[],
        Some(_) => return Err(EncodeError::new(Format::Csv, shape, Some(".rows".to_owned()))),
    };
    let columns = match map.get("columns") {
        Some(Value::Array(columns)) => Some(columns.as_slice()),
        None | Some(Value::Null) => None,
        Some(_) => {
            return Err(EncodeError::new(
                Format::Csv,
                "\"columns\" must be an array of column names",
                Some(".columns".to_owned()),
            ));
        }
    };
    Ok((rows, columns))
}

/// The columns to write: from the options, else from the tree, else every key of every row.
fn choose_columns(
    csv: &CsvOptions,
    tree_columns: Option<&[Value]>,
    rows: &[Value],
) -> Result<Vec<String>, EncodeError> {
    let columns: Vec<String> = if !csv.columns.is_empty() {
        csv.columns.clone()
    } else if let Some(tree_columns) = tree_columns {
        tree_columns
            .iter()
            .enumerate()
            .map(|(i, c)| match c {
                Value::String(s) => Ok(s.clone()),
                _ => Err(EncodeError::new(
                    Format::Csv,
                    "a column name must be a string",
                    Some(format!(".columns[{i}]")),
                )),
            })
            .collect::<Result<_, _>>()?
    } else {
        let keys: BTreeSet<&str> = rows
            .iter()
            .filter_map(Value::as_object)
            .flat_map(Map::keys)
            .map(String::as_str)
            .collect();
        let mut keys: Vec<&str> = keys.into_iter().collect();
        keys.sort_by(|a, b| natural_cmp(a, b));
        keys.into_iter().map(str::to_owned).collect()
    };
    let mut seen = HashMap::new();
    for (i, c) in columns.iter().enumerate() {
        if let Some(first) = seen.insert(c.as_str(), i) {
            return Err(EncodeError::new(
                Format::Csv,
                format!("column `{c}` is listed twice (positions {} and {})", first + 1, i + 1),
                None,
            ));
        }
    }
    Ok(columns)
}

/// Orders `col2` before `col10`: runs of ASCII digits compare as numbers.
fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let da = a.iter().take_while(|c| c.is_ascii_digit()).count();
                let db = b.iter().take_while(|c| c.is_ascii_digit()).count();
                let (na, nb) = (&a[..da], &b[..db]);
                let (ta, tb) = (trim_zeros(na), trim_zeros(nb));
                let order = ta
                    .len()
                    .cmp(&tb.len())
                    .then_with(|| ta.cmp(tb))
                    .then_with(|| na.len().cmp(&nb.len()));
                if order != Ordering::Equal {
                    return order;
                }
                a = &a[da..];
                b = &b[db..];
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(y);
                }
                a = &a[1..];
                b = &b[1..];
            }
        }
    }
}

fn trim_zeros(digits: &[u8]) -> &[u8] {
    let zeros = digits.iter().take_while(|&&d| d == b'0').count();
    &digits[zeros..]
}

/// The bytes being written, in the target encoding.
struct Output {
    out: Vec<u8>,
    encoder: Option<Encoder>,
    dialect: Dialect,
    trim: bool,
    line_ending: &'static [u8],
    /// A field with its quotes and escapes, before encoding.
    field: String,
}

impl Output {
    fn new(csv: &CsvOptions, dialect: Dialect) -> Self {
        let mut out = Vec::new();
        if csv.bom && csv.encoding == CsvEncoding::Utf8 {
            out.extend_from_slice(UTF8_BOM);
        }
        Output {
            out,
            encoder: csv.encoding.codec().map(encoding_rs::Encoding::new_encoder),
            dialect,
            trim: csv.trim,
            line_ending: match csv.line_ending {
                CsvLineEnding::CrLf => b"\r\n",
                CsvLineEnding::Lf => b"\n",
            },
            field: String::new(),
        }
    }

    /// Writes one record; `None` fields are written empty. On a character the encoding cannot
    /// write, returns the field index and the character.
    fn record(&mut self, fields: &[Option<Cow<'_, str>>]) -> Result<(), (usize, char)> {
        for (i, field) in fields.iter().enumerate() {
            if i > 0 {
                self.out.push(self.dialect.delimiter);
            }
            let value = field.as_deref().unwrap_or("");
            // The reader refuses NUL (the mark of a binary or UTF-16 file), so it is not written.
            if value.contains('\0') {
                return Err((i, '\0'));
            }
            // A record of one empty field would be a blank line, which readers skip.
            let force = fields.len() == 1 && value.is_empty();
            self.quote(value, force);
            let start = self.out.len();
            self.push_field().map_err(|c| (i, c))?;
            // A first value that starts with U+FEFF, or GBK, GB18030 or Big5 text that starts
            // with the same bytes (`锘縜` in GBK), would be taken for a byte order mark by the
            // reader; a quote in front of the first field keeps those bytes off the start.
            if start == 0 && self.out.starts_with(UTF8_BOM) {
                self.out.clear();
                self.quote(value, true);
                self.push_field().map_err(|c| (i, c))?;
            }
        }
        self.out.extend_from_slice(self.line_ending);
        Ok(())
    }

    /// Puts `value` into `self.field`, quoted and escaped if it needs to be.
    fn quote(&mut self, value: &str, force: bool) {
        let d = self.dialect;
        let bytes = value.as_bytes();
        let needs = force
            || bytes
                .iter()
                .any(|&b| b == d.delimiter || b == d.quote || b == b'\n' || b == b'\r')
            || (self.trim
                && (bytes.first().is_some_and(|&b| d.is_blank(b)) || bytes.last().is_some_and(|&b| d.is_blank(b))));
        self.field.clear();
        if !needs {
            self.field.push_str(value);
            return;
        }
        let q = char::from(d.quote);
        self.field.push(q);
        for c in value.chars() {
            if c == q {
                self.field.push(if d.backslash { '\\' } else { q });
            } else if c == '\\' && d.backslash {
                self.field.push('\\');
            }
            self.field.push(c);
        }
        self.field.push(q);
    }

    fn push_field(&mut self) -> Result<(), char> {
        let Some(encoder) = &mut self.encoder else {
            self.out.extend_from_slice(self.field.as_bytes());
            return Ok(());
        };
        let mut src = self.field.as_str();
        loop {
            let need = encoder
                .max_buffer_length_from_utf8_without_replacement(src.len())
                .unwrap_or(src.len().saturating_mul(4));
            self.out.reserve(need);
            let (result, read) = encoder.encode_from_utf8_to_vec_without_replacement(src, &mut self.out, false);
            src = &src[read..];
            match result {
                EncoderResult::InputEmpty => return Ok(()),
                EncoderResult::OutputFull => {}
                EncoderResult::Unmappable(c) => return Err(c),
            }
        }
    }

    fn finish(self) -> Vec<u8> {
        self.out
    }
}
