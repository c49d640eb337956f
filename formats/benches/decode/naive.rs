//! The naive decoders each benchmark is compared with: what one would write in an afternoon
//! with common crates, producing a `serde_json::Value` of about the same size as ours but
//! checking and nesting nothing.

use serde_json::{Map, Value};

/// Splits EDI text on the segment terminator and the element separator into owned strings,
/// then builds an array of `{"TAG": {"TAG01": "...", ...}}` objects, empty elements left out.
/// No envelope checks, no loops, no composites, no release characters.
pub fn edi_split(text: &str, terminator: char, element: char) -> Value {
    let segments: Vec<Vec<String>> = text
        .split(terminator)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.split(element).map(str::to_owned).collect())
        .collect();
    let mut out = Vec::with_capacity(segments.len());
    for fields in segments {
        let Some((tag, elements)) = fields.split_first() else {
            continue;
        };
        let mut map = Map::new();
        for (i, value) in elements.iter().enumerate() {
            if !value.is_empty() {
                map.insert(format!("{tag}{:02}", i + 1), Value::String(value.clone()));
            }
        }
        let mut segment = Map::new();
        segment.insert(tag.clone(), Value::Object(map));
        out.push(Value::Object(segment));
    }
    Value::Array(out)
}

/// Reads CSV text with the `csv` crate into `[{"column": "value", ...}, ...]`.
pub fn csv_rows(text: &str) -> Value {
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_owned).collect(),
        Err(_) => return Value::Null,
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        let Ok(record) = record else { return Value::Null };
        let row: Map<String, Value> = header
            .iter()
            .zip(record.iter())
            .map(|(k, v)| (k.clone(), Value::String(v.to_owned())))
            .collect();
        rows.push(Value::Object(row));
    }
    Value::Array(rows)
}

/// Transcodes GBK bytes with `encoding_rs`, then reads them as [`csv_rows`] does.
pub fn csv_rows_gbk(bytes: &[u8]) -> Value {
    let (text, _, _) = encoding_rs::GBK.decode(bytes);
    csv_rows(&text)
}

/// quick-xml's serde deserializer into a `Value`, in its own shape (`$text`, `@attr`, no root
/// name; a repeated element keeps only its last occurrence, so it builds less than we do).
/// quick-xml 0.42 reads the line break after an XML declaration as the whole document, so the
/// declaration is sliced off first (which costs nothing).
pub fn xml_serde(text: &str) -> Value {
    let root = text.find("?>").map_or(text, |end| text[end + 2..].trim_start());
    quick_xml::de::from_str(root).unwrap_or(Value::Null)
}

/// quick-xml's namespace-aware reader alone, resolving each element name and building nothing:
/// the share of a decode that is tokenizing, which no tree builder on top of it can go below.
pub fn xml_events(text: &str) -> usize {
    let mut reader = quick_xml::reader::NsReader::from_str(text);
    let mut elements = 0;
    loop {
        match reader.read_resolved_event() {
            Ok((_, quick_xml::events::Event::Start(_) | quick_xml::events::Event::Empty(_))) => elements += 1,
            Ok((_, quick_xml::events::Event::Eof)) | Err(_) => return elements,
            Ok(_) => {}
        }
    }
}
