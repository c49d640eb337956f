//! Options of the CSV codec, shared by the reader and the writer.

use serde::Deserialize;

/// How a quote character inside a quoted field is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CsvEscape {
    /// Doubled (`"say ""hi"""`), as RFC 4180, Excel and most ERPs write it.
    #[default]
    Doubled,
    /// Preceded by a backslash (`"say \"hi\""`), as MySQL and some PHP exports write it; a
    /// backslash in a quoted field is then written `\\`. Outside quotes a backslash is literal.
    Backslash,
}

/// The character encoding of a CSV file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
pub enum CsvEncoding {
    /// UTF-8, with or without a byte order mark.
    #[default]
    #[serde(rename = "utf-8", alias = "utf8", alias = "UTF-8")]
    Utf8,
    /// GBK (code page 936), what Simplified Chinese Windows and most mainland ERPs export.
    /// Decoding accepts the GB18030 four-byte sequences too, as browsers do.
    #[serde(rename = "gbk", alias = "GBK")]
    Gbk,
    /// GB18030, the superset of GBK that can encode every Unicode character.
    #[serde(rename = "gb18030", alias = "GB18030")]
    Gb18030,
    /// Big5, what Traditional Chinese (Taiwan, Hong Kong) systems export.
    #[serde(rename = "big5", alias = "Big5", alias = "BIG5")]
    Big5,
}

impl CsvEncoding {
    /// The name used in configs and messages.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            CsvEncoding::Utf8 => "utf-8",
            CsvEncoding::Gbk => "gbk",
            CsvEncoding::Gb18030 => "gb18030",
            CsvEncoding::Big5 => "big5",
        }
    }

    /// The `encoding_rs` codec, `None` for UTF-8 (which needs no transcoding).
    pub(crate) fn codec(self) -> Option<&'static encoding_rs::Encoding> {
        match self {
            CsvEncoding::Utf8 => None,
            CsvEncoding::Gbk => Some(encoding_rs::GBK),
            CsvEncoding::Gb18030 => Some(encoding_rs::GB18030),
            CsvEncoding::Big5 => Some(encoding_rs::BIG5),
        }
    }
}

/// The line ending the writer puts after each record. The reader accepts CRLF, LF and CR.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CsvLineEnding {
    /// `\r\n`, as RFC 4180 and Excel have it.
    #[default]
    CrLf,
    /// `\n`.
    Lf,
}

/// CSV dialect and encoding, in [`DecodeOptions::csv`](crate::DecodeOptions::csv) and
/// [`EncodeOptions::csv`](crate::EncodeOptions::csv). The same values read what they write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvOptions {
    /// Between fields (`,`); `;`, tab and `|` are common too. Must be ASCII, not a line break,
    /// and differ from `quote`.
    pub delimiter: char,
    /// Around fields that contain the delimiter, the quote or a line break (`"`). Must be ASCII.
    pub quote: char,
    /// How a quote inside a quoted field is escaped.
    pub escape: CsvEscape,
    /// The first record is a header naming the columns (true). Without one the columns are
    /// named `col1`, `col2`, ...; the writer then writes no header line.
    pub header: bool,
    /// Reading: remove spaces and tabs around fields (not inside quotes). Writing: quote values
    /// that start or end with a space or tab so they keep them.
    pub trim: bool,
    /// Reading: accept records with more or fewer fields than the header (extra fields get
    /// `colN` keys; missing ones are left out of the row). Writing: leave out trailing fields a
    /// row has no key for.
    pub flexible: bool,
    /// The character encoding. A UTF-8 byte order mark in the input wins over this setting.
    pub encoding: CsvEncoding,
    /// Writing only: the columns, in order. When empty, the tree's `"columns"` are used, and
    /// without those every key of every row, in natural order (`col2` before `col10`).
    pub columns: Vec<String>,
    /// Writing only: start UTF-8 output with a byte order mark, which Excel needs to show
    /// Chinese text in a UTF-8 file correctly.
    pub bom: bool,
    /// Writing only: the line ending after each record.
    pub line_ending: CsvLineEnding,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            delimiter: ',',
            quote: '"',
            escape: CsvEscape::Doubled,
            header: true,
            trim: false,
            flexible: false,
            encoding: CsvEncoding::Utf8,
            columns: Vec::new(),
            bom: false,
            line_ending: CsvLineEnding::CrLf,
        }
    }
}

/// The checked single-byte syntax characters of a [`CsvOptions`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Dialect {
    pub(crate) delimiter: u8,
    pub(crate) quote: u8,
    pub(crate) backslash: bool,
}

impl Dialect {
    /// Checks the options, returning what is wrong with them.
    pub(crate) fn new(opts: &CsvOptions) -> Result<Self, String> {
        let byte = |what: &str, c: char| -> Result<u8, String> {
            match u8::try_from(c) {
                Ok(b) if b.is_ascii() && b != b'\r' && b != b'\n' && b != 0 => Ok(b),
                _ => Err(format!(
                    "csv {what} {c:?} must be one ASCII character other than a line break"
                )),
            }
        };
        let delimiter = byte("delimiter", opts.delimiter)?;
        let quote = byte("quote", opts.quote)?;
        if delimiter == quote {
            return Err(format!(
                "csv delimiter and quote are both {:?}; they must differ",
                opts.quote
            ));
        }
        // Trimming would take a blank quote for padding and drop it, so no quoted field would read.
        if opts.trim && matches!(quote, b' ' | b'\t') {
            return Err(format!(
                "csv quote {:?} is a blank, which trim removes; use another quote or turn trim off",
                opts.quote
            ));
        }
        let backslash = opts.escape == CsvEscape::Backslash;
        if backslash && (delimiter == b'\\' || quote == b'\\') {
            return Err("csv delimiter and quote cannot be `\\` when escape is backslash".to_owned());
        }
        Ok(Dialect {
            delimiter,
            quote,
            backslash,
        })
    }

    /// Whether `b` is trimmed around fields when trimming: a space or tab that is not the delimiter.
    pub(crate) fn is_blank(self, b: u8) -> bool {
        (b == b' ' || b == b'\t') && b != self.delimiter
    }
}
