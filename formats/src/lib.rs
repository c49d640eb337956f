//! Pure, synchronous codecs between partner bytes and the document tree that mappings read and write.
//!
//! Every format decodes into a [`serde_json::Value`] and encodes from one, so a VRL mapping sees
//! the same kind of tree whatever the wire format was. The tree shape of each format is described
//! in `formats/README.md`; the limits that protect the hub from hostile input live in
//! [`DecodeOptions`].
//!
//! ```
//! use channelhub_formats::{decode, encode, DecodeOptions, EncodeOptions, Format};
//!
//! let doc = decode(Format::Xml, b"<Order><Id>PO-1001</Id></Order>", &DecodeOptions::default())?;
//! assert_eq!(doc, serde_json::json!({"Order": {"Id": "PO-1001"}}));
//! let json = encode(Format::Json, &doc, &EncodeOptions::default())?;
//! assert_eq!(json, br#"{"Order":{"Id":"PO-1001"}}"#);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod csv;
mod edi;
mod edifact;
mod error;
mod json;
#[cfg(test)]
mod test_support;
mod x12;
mod xml;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use csv::{CsvEncoding, CsvEscape, CsvLineEnding, CsvOptions};
pub use error::{DecodeError, DecodeErrorKind, EncodeError, SegmentPosition, UnknownFormat};
pub use xml::parse_xml_order;

/// A wire format the hub can decode and encode.
///
/// New formats (CSV, EDIFACT) are added as variants here, in [`Format::ALL`], in
/// [`Format::as_str`] and [`Format::content_type`], and in the dispatch of [`decode`] and [`encode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// JSON (RFC 8259), UTF-8.
    Json,
    /// XML 1.0, UTF-8, namespace-aware; no DTD.
    Xml,
    /// ASC X12 EDI (interchanges of functional groups of transaction sets), UTF-8 or ASCII.
    X12,
    /// UN/EDIFACT (interchanges of messages, optionally in functional groups), syntax versions 3
    /// and 4, UTF-8 or (for UNOC) ISO 8859-1.
    Edifact,
    /// CSV (RFC 4180 and its dialects): rows of named string fields; UTF-8, GBK, GB18030 or Big5.
    Csv,
}

impl Format {
    /// Every supported format, in the order they are listed in messages.
    pub const ALL: &'static [Format] = &[Format::Json, Format::Xml, Format::X12, Format::Csv, Format::Edifact];

    /// The lowercase name used in configs, on the command line and in error messages.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Xml => "xml",
            Format::X12 => "x12",
            Format::Edifact => "edifact",
            Format::Csv => "csv",
        }
    }

    /// The media type to send in a `Content-Type` header for documents of this format.
    #[must_use]
    pub const fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Xml => "application/xml",
            Format::X12 => "application/edi-x12",
            Format::Edifact => "application/edifact",
            Format::Csv => "text/csv",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = UnknownFormat;

    /// Parses a format name, ignoring ASCII case (`"JSON"` and `"json"` are the same).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .iter()
            .copied()
            .find(|format| format.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownFormat { name: s.to_owned() })
    }
}

/// What to do when a JSON object repeats a key (or an XML element repeats an attribute's local
/// name under different namespace prefixes).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateKeys {
    /// Keep the last value, as most JSON parsers do. This is the fast path.
    #[default]
    LastWins,
    /// Refuse the document with an error naming the key and where it is.
    Reject,
}

/// Limits and choices applied while decoding partner input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeOptions {
    /// Deepest nesting accepted: JSON arrays and objects, or XML elements (the root element is
    /// depth 1). JSON is additionally bounded by `serde_json`'s own limit of 128.
    pub max_depth: usize,
    /// Largest input accepted, in bytes; larger inputs are refused before parsing starts.
    pub max_size: usize,
    /// What to do with a repeated JSON key or XML attribute local name.
    pub duplicate_keys: DuplicateKeys,
    /// XML element local names that always decode to an array, even when they occur once, so
    /// that one `InvoiceLine` and three have the same shape.
    pub xml_repeated: Vec<String>,
    /// X12 and EDIFACT: refuse an interchange whose trailers disagree with what they close (X12:
    /// SE01 segment count, SE02, GE01, GE02, IEA01, IEA02; EDIFACT: UNT, UNE and UNZ counts and
    /// references, and missing EDIFACT trailers at the end of input). When false (the default)
    /// the interchange is decoded and each disagreement is listed under its `"warnings"`.
    pub strict: bool,
    /// CSV only: the dialect (delimiter, quote, escape, header, trimming, ragged rows) and encoding.
    pub csv: CsvOptions,
}

impl DecodeOptions {
    /// The default nesting limit.
    pub const DEFAULT_MAX_DEPTH: usize = 64;
    /// The default size limit: 10 MiB.
    pub const DEFAULT_MAX_SIZE: usize = 10 * 1024 * 1024;
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions {
            max_depth: Self::DEFAULT_MAX_DEPTH,
            max_size: Self::DEFAULT_MAX_SIZE,
            duplicate_keys: DuplicateKeys::LastWins,
            xml_repeated: Vec::new(),
            strict: false,
            csv: CsvOptions::default(),
        }
    }
}

/// The delimiters an X12 interchange is written with. The reader takes whatever the ISA header
/// declares, so these matter only to the partner receiving the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct X12Delimiters {
    /// Between elements (`*`).
    pub element: char,
    /// Between the components of a composite element (`:`), written as ISA16.
    pub component: char,
    /// Between repetitions of an element (`^`), written as ISA11 for version 00402 and later.
    pub repetition: char,
    /// After each segment (`"~\n"`): one terminator character, optionally followed by line
    /// breaks for people reading the file (`"~\r\n"`), or just `"\n"`.
    pub segment: String,
}

impl Default for X12Delimiters {
    fn default() -> Self {
        X12Delimiters {
            element: '*',
            component: ':',
            repetition: '^',
            segment: "~\n".to_owned(),
        }
    }
}

/// The service characters an EDIFACT interchange is written with, declared in the UNA that
/// starts it. The reader takes whatever each UNA declares (or the defaults without one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdifactDelimiters {
    /// Between the components of a composite element (`:`).
    pub component: char,
    /// Between elements (`+`).
    pub element: char,
    /// The decimal mark declared in the UNA (`.`); values are written as they are in the tree.
    pub decimal: char,
    /// Put before a service character that is part of a value (`?`).
    pub release: char,
    /// Between repetitions of an element (`*`), syntax version 4 and later only.
    pub repetition: char,
    /// After each segment (`"'\n"`): one terminator character, optionally followed by line
    /// breaks for people reading the file (`"'\r\n"`).
    pub segment: String,
}

impl Default for EdifactDelimiters {
    fn default() -> Self {
        EdifactDelimiters {
            component: ':',
            element: '+',
            decimal: '.',
            release: '?',
            repetition: '*',
            segment: "'\n".to_owned(),
        }
    }
}

/// Choices applied while encoding a document tree for a destination.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EncodeOptions {
    /// Indent the output for people to read. Compact output is the default.
    pub pretty: bool,
    /// XML only: the root element name. When set, the whole tree is the root element's content;
    /// when unset, the tree must be an object with exactly one key, the root element name.
    pub xml_root: Option<String>,
    /// XML only: namespace declarations written on the root element, as `(prefix, uri)` pairs.
    /// The prefix `""` declares the default namespace, which every unprefixed element then
    /// belongs to; other prefixes may be used in the tree's keys (`"cbc:ID"`).
    pub xml_namespaces: Vec<(String, String)>,
    /// XML only: the order of child elements, as `(element, [child, ...])` rules. A tree keeps
    /// no order between different names (and mappings do not either), while schemas such as
    /// UBL's require one: the children of an element a rule names are written in the rule's
    /// order, children it does not list after them in tree order. `element` is a local name
    /// (`Party`) or a path of local names ending at the element (`Delivery/DeliveryLocation/
    /// Address`); the longest matching rule wins. Names are compared without prefixes.
    pub xml_order: Vec<(String, Vec<String>)>,
    /// XML only: a document type declaration to write after the XML declaration, without the
    /// `<!DOCTYPE` and `>` (cXML: `cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd"`).
    pub xml_doctype: Option<String>,
    /// X12 only: the delimiters to write.
    pub x12_delimiters: X12Delimiters,
    /// EDIFACT only: the service characters to write (declared in a UNA).
    pub edifact_delimiters: EdifactDelimiters,
    /// CSV only: the dialect, encoding and column order to write.
    pub csv: CsvOptions,
}

/// Decodes `input` in `format` into a document tree.
///
/// # Errors
///
/// Returns a [`DecodeError`] saying what is wrong and where (byte offset, line and column, and
/// the path in the document where known) when the input is malformed, too large, too deeply
/// nested, or uses something this crate refuses (a DTD, an encoding other than UTF-8). X12
/// errors also name the segment (position and tag) and element.
pub fn decode(format: Format, input: &[u8], opts: &DecodeOptions) -> Result<Value, DecodeError> {
    match format {
        Format::Json => json::decode(input, opts),
        Format::Xml => xml::decode(input, opts),
        Format::X12 => x12::decode(input, opts),
        Format::Edifact => edifact::decode(input, opts),
        Format::Csv => csv::decode(input, opts),
    }
}

/// Encodes a document tree as `format`.
///
/// # Errors
///
/// Returns an [`EncodeError`] naming the tree path of the first value that cannot be written in
/// `format` (for XML: a key that is not a valid element name, an array of arrays, ...).
pub fn encode(format: Format, doc: &Value, opts: &EncodeOptions) -> Result<Vec<u8>, EncodeError> {
    match format {
        Format::Json => json::encode(doc, opts),
        Format::Xml => xml::encode(doc, opts),
        Format::X12 => x12::encode(doc, opts),
        Format::Edifact => edifact::encode(doc, opts),
        Format::Csv => csv::encode(doc, opts),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_parses_names_in_any_case_and_lists_known_ones_on_error() {
        assert_eq!("json".parse::<Format>(), Ok(Format::Json));
        assert_eq!("XML".parse::<Format>(), Ok(Format::Xml));
        assert_eq!("Json".parse::<Format>(), Ok(Format::Json));
        let err = "yaml".parse::<Format>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown format `yaml`; known formats: json, xml, x12, csv, edifact"
        );
        assert_eq!("X12".parse::<Format>(), Ok(Format::X12));
    }

    #[test]
    fn format_displays_and_deserializes_lowercase() {
        assert_eq!(Format::Json.to_string(), "json");
        assert_eq!(Format::Xml.to_string(), "xml");
        let f: Format = serde_json::from_str("\"xml\"").unwrap();
        assert_eq!(f, Format::Xml);
        assert_eq!(serde_json::from_str::<Format>("\"csv\"").ok(), Some(Format::Csv));
        assert!(serde_json::from_str::<Format>("\"yaml\"").is_err());
    }

    #[test]
    fn content_types() {
        assert_eq!(Format::Json.content_type(), "application/json");
        assert_eq!(Format::Xml.content_type(), "application/xml");
        assert_eq!(Format::X12.content_type(), "application/edi-x12");
        assert_eq!(Format::Edifact.content_type(), "application/edifact");
        assert_eq!("EDIFACT".parse::<Format>(), Ok(Format::Edifact));
        assert_eq!(Format::Csv.content_type(), "text/csv");
    }

    #[test]
    fn defaults() {
        let d = DecodeOptions::default();
        assert_eq!(d.max_depth, 64);
        assert_eq!(d.max_size, 10 * 1024 * 1024);
        assert_eq!(d.duplicate_keys, DuplicateKeys::LastWins);
        assert!(d.xml_repeated.is_empty());
        assert!(!d.strict);
        let e = EncodeOptions::default();
        assert!(!e.pretty);
        assert!(e.xml_root.is_none());
        assert!(e.xml_namespaces.is_empty());
        assert_eq!(e.x12_delimiters.element, '*');
        assert_eq!(e.x12_delimiters.component, ':');
        assert_eq!(e.x12_delimiters.repetition, '^');
        assert_eq!(e.x12_delimiters.segment, "~\n");
        assert_eq!(e.edifact_delimiters.component, ':');
        assert_eq!(e.edifact_delimiters.element, '+');
        assert_eq!(e.edifact_delimiters.decimal, '.');
        assert_eq!(e.edifact_delimiters.release, '?');
        assert_eq!(e.edifact_delimiters.repetition, '*');
        assert_eq!(e.edifact_delimiters.segment, "'\n");
    }
}
