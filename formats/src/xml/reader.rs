//! XML decoding: quick-xml's `NsReader` events folded into the document tree, with limits and no DTD.

use std::borrow::Cow;

use quick_xml::XmlVersion;
use quick_xml::escape::{EscapeError, resolve_xml_entity};
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{PrefixDeclaration, ResolveResult};
use quick_xml::reader::NsReader;
use serde_json::{Map, Value};

use super::syntax::{forbidden_char, is_qname, is_xml_char, is_xml_whitespace};
use crate::error::UTF8_BOM;
use crate::{DecodeError, DecodeErrorKind, DecodeOptions, DuplicateKeys, Format};

/// Nesting beyond this is refused whatever `max_depth` says, so that dropping the resulting
/// tree (which recurses) can never exhaust the stack. It matches `serde_json`'s limit for JSON.
const HARD_MAX_DEPTH: usize = 128;

/// Decodes an XML document into `{ "<RootLocalName>": <element> }`.
///
/// An element becomes:
/// - `null` when it has no attributes, no children and no text;
/// - a string when it has only text;
/// - otherwise an object: attributes under `@<local name>`, child elements under their local
///   name (an array when the name occurs more than once or is listed in `xml_repeated`), and
///   text under `#text`.
///
/// Names are local names whatever the prefixes; the root element's namespace URI, if any, is
/// kept under `@xmlns` on the root. Text is trimmed of XML whitespace; in mixed content the
/// trimmed pieces between child elements are joined with one space. CDATA is text. Comments
/// and processing instructions are skipped. A DOCTYPE naming an external DTD (as cXML documents
/// carry) is accepted and ignored: the DTD is never fetched. A DOCTYPE with an internal subset
/// is refused, as is any entity other than the five predefined ones and character references.
pub(crate) fn decode(input: &[u8], opts: &DecodeOptions) -> Result<Value, DecodeError> {
    if input.len() > opts.max_size {
        return Err(DecodeError::too_large(Format::Xml, input.len(), opts.max_size));
    }
    if input.starts_with(b"\xFF\xFE") || input.starts_with(b"\xFE\xFF") {
        return Err(unsupported("UTF-16 input is not supported yet; send UTF-8").at_offset(input, 0));
    }
    let (body, base) = match input.strip_prefix(UTF8_BOM) {
        Some(rest) => (rest, UTF8_BOM.len()),
        None => (input, 0),
    };
    let text = match std::str::from_utf8(body) {
        Ok(text) => text,
        Err(e) => {
            // A legacy encoding usually announces itself; say so rather than "invalid UTF-8".
            if let Some(encoding) = declared_encoding(body).filter(|enc| !is_utf8(enc)) {
                return Err(unsupported_encoding(&encoding).at_offset(input, base));
            }
            return Err(malformed("input is not valid UTF-8").at_offset(input, base + e.valid_up_to()));
        }
    };
    if let Some((at, c)) = first_forbidden_char(text) {
        let message = format!("the character U+{:04X} is not allowed in XML", u32::from(c));
        return Err(malformed(message).at_offset(input, base + at));
    }
    Decoder::new(input, base, text, opts).run()
}

/// Whether a DOCTYPE's content (after `<!DOCTYPE`) has an internal subset: a `[` outside the
/// quoted system and public identifiers.
fn has_internal_subset(doctype: &str) -> bool {
    let mut quote = None;
    for b in doctype.bytes() {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'[' => return true,
            None => {}
        }
    }
    false
}

/// Offset and value of the first character XML 1.0 forbids: a control character other than tab,
/// newline and carriage return, or U+FFFE / U+FFFF. Scans bytes, as it runs over every input.
///
/// Most input has none, so 32 bytes at a time are tested, without a branch per byte, for one that
/// may start such a character (a control character, or 0xEF, the first byte of U+F000 to
/// U+FFFF); only a chunk holding one is looked at byte by byte.
fn first_forbidden_char(text: &str) -> Option<(usize, char)> {
    const CHUNK: usize = 32;
    let bytes = text.as_bytes();
    let suspect = |b: u8| (b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r') | (b == 0xEF);
    let forbidden_at = |i: usize| {
        let b = bytes[i];
        (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
            || (b == 0xEF && bytes.get(i + 1) == Some(&0xBF) && matches!(bytes.get(i + 2), Some(0xBE | 0xBF)))
    };
    let at = bytes.chunks(CHUNK).enumerate().find_map(|(n, chunk)| {
        if !chunk.iter().fold(false, |any, &b| any | suspect(b)) {
            return None;
        }
        let start = n * CHUNK;
        (start..start + chunk.len()).find(|&i| forbidden_at(i))
    })?;
    text.get(at..).and_then(|rest| rest.chars().next()).map(|c| (at, c))
}

/// Whether `text` is all XML whitespace. Bytes suffice: the four whitespace characters are
/// ASCII, and no byte of another character is one of them.
fn is_blank(text: &str) -> bool {
    text.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
}

struct Decoder<'a> {
    /// The whole input, BOM included, for positions in errors.
    input: &'a [u8],
    /// Length of the BOM that quick-xml does not see.
    base: usize,
    opts: &'a DecodeOptions,
    max_depth: usize,
    reader: NsReader<&'a [u8]>,
    version: XmlVersion,
    /// Open elements, root first.
    stack: Vec<Frame>,
    root: Option<(String, Value)>,
}

struct Frame {
    name: String,
    object: Map<String, Value>,
    /// Text pieces already closed off by a child element, trimmed and joined.
    text: String,
    /// Text since the last child element (or the start tag), not yet trimmed.
    pending: String,
}

impl Frame {
    /// Closes off the current text piece: trims it and appends it to `text`.
    fn flush_text(&mut self) {
        let trimmed = self.pending.trim_matches(is_xml_whitespace);
        if trimmed.len() == self.pending.len() && self.text.is_empty() {
            // The usual case, a leaf's text with nothing to trim: move it, do not copy it.
            self.text = std::mem::take(&mut self.pending);
            return;
        }
        if !trimmed.is_empty() {
            if !self.text.is_empty() {
                self.text.push(' ');
            }
            self.text.push_str(trimmed);
        }
        self.pending.clear();
    }

    fn into_value(mut self) -> (String, Value) {
        self.flush_text();
        let value = if self.object.is_empty() {
            if self.text.is_empty() {
                Value::Null
            } else {
                Value::String(self.text)
            }
        } else {
            if !self.text.is_empty() {
                self.object.insert("#text".to_owned(), Value::String(self.text));
            }
            Value::Object(self.object)
        };
        (self.name, value)
    }
}

impl<'a> Decoder<'a> {
    fn new(input: &'a [u8], base: usize, text: &'a str, opts: &'a DecodeOptions) -> Self {
        Decoder {
            input,
            base,
            opts,
            max_depth: opts.max_depth.min(HARD_MAX_DEPTH),
            reader: NsReader::from_str(text),
            version: XmlVersion::Implicit1_0,
            stack: Vec::new(),
            root: None,
        }
    }

    fn run(mut self) -> Result<Value, DecodeError> {
        loop {
            let start = self.position();
            let event = match self.reader.read_event() {
                Ok(event) => event,
                Err(e) => return Err(self.parser_error(&e)),
            };
            match event {
                Event::Decl(decl) => {
                    if let Some(Ok(encoding)) = decl.encoding()
                        && !is_utf8(&encoding)
                    {
                        return Err(self.locate(unsupported_encoding(&encoding), start));
                    }
                    self.version = match decl.xml_version() {
                        Ok(version) => version,
                        Err(e) => return Err(self.locate(malformed(e.to_string()), start)),
                    };
                }
                Event::DocType(doctype) => {
                    // `<!DOCTYPE cXML SYSTEM "...cXML.dtd">` only names a DTD, which is never
                    // fetched: accepted and ignored. An internal subset (`[...]`) declares
                    // entities, which are never expanded: refused.
                    if has_internal_subset(&doctype) {
                        return Err(self.locate(
                            unsupported(
                                "a DOCTYPE with an internal subset (`[...]`) is not accepted: the \
                                 entities it declares are never expanded; remove the [...] part",
                            ),
                            start,
                        ));
                    }
                }
                Event::Start(element) => self.open(&element, start)?,
                Event::Empty(element) => {
                    self.open(&element, start)?;
                    self.close(start)?;
                }
                Event::End(_) => self.close(start)?,
                Event::Text(text) => {
                    let text = text.xml_content(self.version);
                    self.text(&text, start)?;
                }
                Event::CData(cdata) => {
                    let text = cdata.xml_content(self.version);
                    self.text(&text, start)?;
                }
                Event::GeneralRef(reference) => {
                    let resolved = match reference.resolve_char_ref() {
                        Ok(Some(c)) if is_xml_char(c) => c.to_string(),
                        Ok(Some(c)) => {
                            let message = format!(
                                "the character reference `&{};` stands for U+{:04X}, which is not allowed in XML",
                                &*reference,
                                u32::from(c)
                            );
                            return Err(self.locate(malformed(message), start));
                        }
                        Ok(None) => match resolve_xml_entity(&reference) {
                            Some(text) => text.to_owned(),
                            None => {
                                return Err(self.locate(unknown_entity(&reference), start));
                            }
                        },
                        Err(e) => return Err(self.locate(malformed(e.to_string()), start)),
                    };
                    self.text(&resolved, start)?;
                }
                Event::Comment(_) | Event::PI(_) => {}
                Event::Eof => return self.finish(),
            }
        }
    }

    /// Byte offset in the original input of the reader's position.
    fn position(&self) -> usize {
        usize::try_from(self.reader.buffer_position())
            .unwrap_or(usize::MAX)
            .saturating_add(self.base)
    }

    /// Adds the byte offset and the path of open elements to an error.
    fn locate(&self, err: DecodeError, offset: usize) -> DecodeError {
        let err = err.at_offset(self.input, offset);
        if self.stack.is_empty() {
            err
        } else {
            err.with_path(self.element_path(None))
        }
    }

    /// `/Root/Child/...` of the open elements, plus `extra` if given.
    fn element_path(&self, extra: Option<&str>) -> String {
        let mut path = String::new();
        for name in self.stack.iter().map(|f| f.name.as_str()).chain(extra) {
            path.push('/');
            path.push_str(name);
        }
        path
    }

    /// An error reported by the reader, at the position the reader gives for it.
    fn parser_error(&self, e: &quick_xml::Error) -> DecodeError {
        let offset = usize::try_from(self.reader.error_position())
            .unwrap_or(usize::MAX)
            .saturating_add(self.base);
        self.parser_error_at(e, offset)
    }

    fn open(&mut self, element: &BytesStart<'_>, start: usize) -> Result<(), DecodeError> {
        if self.stack.is_empty() && self.root.is_some() {
            return Err(self.locate(malformed("more than one root element"), start));
        }
        let qname = element.name().into_inner();
        if !is_qname(qname) {
            let err = malformed(format!("`{qname}` is not a valid element name"));
            return Err(self.locate(err, start));
        }
        let resolver = self.reader.resolver();
        let (namespace, local) = resolver.resolve_element(element.name());
        let name = local.into_inner().to_owned();
        if self.stack.len() >= self.max_depth {
            let err = DecodeError::new(
                Format::Xml,
                DecodeErrorKind::TooDeep,
                format!("elements nest deeper than the limit of {}", self.max_depth),
            );
            return Err(err
                .at_offset(self.input, start)
                .with_path(self.element_path(Some(&name))));
        }
        if let ResolveResult::Unknown(prefix) = namespace {
            let err = malformed(format!(
                "namespace prefix `{prefix}` of element `{qname}` is not declared"
            ));
            return Err(self.locate(err, start));
        }
        let mut object = Map::new();
        self.attributes(element, &name, start, &mut object)?;

        if let Some(parent) = self.stack.last_mut() {
            parent.flush_text();
        }
        self.stack.push(Frame {
            name,
            object,
            text: String::new(),
            pending: String::new(),
        });
        Ok(())
    }

    /// Adds the attributes of `element` to `object` as `@<local name>` keys, and the root
    /// element's namespace as `@xmlns`.
    fn attributes(
        &self,
        element: &BytesStart<'_>,
        name: &str,
        start: usize,
        object: &mut Map<String, Value>,
    ) -> Result<(), DecodeError> {
        let resolver = self.reader.resolver();
        let root_prefix = element.name().prefix().map(quick_xml::name::Prefix::into_inner);
        for attribute in element.attributes() {
            let attribute = match attribute {
                Ok(attribute) => attribute,
                Err(e) => {
                    let err = malformed(format!("bad attribute on `{name}`: {e}"));
                    return Err(self.locate(err, start));
                }
            };
            if !is_qname(attribute.key.into_inner()) {
                let err = malformed(format!(
                    "`{}` is not a valid attribute name",
                    attribute.key.into_inner()
                ));
                return Err(self.locate(err, start));
            }
            if attribute.value.contains('<') {
                let err = malformed(format!(
                    "`<` is not allowed in the value of attribute `{}`",
                    attribute.key.into_inner()
                ));
                return Err(self.locate(err, start));
            }
            let value = attribute
                .normalized_value_with(self.version, 1, resolve_xml_entity)
                .map_err(|e| self.parser_error_at(&e, start))?;
            // Only a character reference can bring in a forbidden character at this point.
            if let Cow::Owned(value) = &value
                && let Some(c) = forbidden_char(value)
            {
                let message = format!(
                    "attribute `{}` holds a character reference to U+{:04X}, which is not allowed in XML",
                    attribute.key.into_inner(),
                    u32::from(c)
                );
                return Err(self.locate(malformed(message), start));
            }
            if let Some(binding) = attribute.key.as_namespace_binding() {
                // The root element's namespace is declared on the root itself. It is taken from
                // the attribute rather than the resolver so that it is unescaped like any value.
                let binds_root = match (binding, root_prefix) {
                    (PrefixDeclaration::Default, None) => true,
                    (PrefixDeclaration::Named(bound), Some(prefix)) => bound == prefix,
                    _ => false,
                };
                if self.stack.is_empty() && binds_root && !value.is_empty() {
                    object.insert("@xmlns".to_owned(), Value::String(value.into_owned()));
                }
                continue;
            }
            let (namespace, local) = resolver.resolve_attribute(attribute.key);
            if let ResolveResult::Unknown(prefix) = namespace {
                let err = malformed(format!(
                    "namespace prefix `{prefix}` of attribute `{}` is not declared",
                    attribute.key.into_inner()
                ));
                return Err(self.locate(err, start));
            }
            let key = format!("@{}", local.into_inner());
            if self.opts.duplicate_keys == DuplicateKeys::Reject && object.contains_key(&key) {
                let err = DecodeError::new(
                    Format::Xml,
                    DecodeErrorKind::DuplicateKey,
                    format!(
                        "attribute local name `{}` occurs more than once on `{name}`",
                        local.into_inner()
                    ),
                );
                return Err(err
                    .at_offset(self.input, start)
                    .with_path(self.element_path(Some(name))));
            }
            object.insert(key, Value::String(value.into_owned()));
        }
        Ok(())
    }

    /// A quick-xml error at `offset`; unknown entities are called out as such.
    fn parser_error_at(&self, e: &quick_xml::Error, offset: usize) -> DecodeError {
        let err = match e {
            quick_xml::Error::Escape(EscapeError::UnrecognizedEntity(_, name)) => unknown_entity(name),
            other => malformed(other.to_string()),
        };
        self.locate(err, offset)
    }

    fn close(&mut self, start: usize) -> Result<(), DecodeError> {
        let Some(frame) = self.stack.pop() else {
            return Err(self.locate(malformed("closing tag without an open element"), start));
        };
        let (name, value) = frame.into_value();
        let Some(parent) = self.stack.last_mut() else {
            self.root = Some((name, value));
            return Ok(());
        };
        match parent.object.get_mut(&name) {
            // Element values are never arrays, so an array here holds earlier siblings.
            Some(Value::Array(siblings)) => siblings.push(value),
            Some(first) => *first = Value::Array(vec![first.take(), value]),
            None => {
                let value = if self.opts.xml_repeated.contains(&name) {
                    Value::Array(vec![value])
                } else {
                    value
                };
                parent.object.insert(name, value);
            }
        }
        Ok(())
    }

    fn text(&mut self, text: &str, start: usize) -> Result<(), DecodeError> {
        match self.stack.last_mut() {
            Some(frame) => {
                // Leading whitespace would be trimmed anyway; skipping it here saves an
                // allocation for every indentation run between elements.
                if !(frame.pending.is_empty() && is_blank(text)) {
                    frame.pending.push_str(text);
                }
                Ok(())
            }
            None if is_blank(text) => Ok(()),
            None => {
                let what = if self.root.is_some() { "after" } else { "before" };
                Err(self.locate(malformed(format!("text {what} the root element")), start))
            }
        }
    }

    fn finish(mut self) -> Result<Value, DecodeError> {
        if let Some(open) = self.stack.last() {
            let err = malformed(format!(
                "unexpected end of input: element `{}` is not closed",
                open.name
            ));
            return Err(self.locate(err, self.input.len()));
        }
        match self.root.take() {
            Some((name, value)) => {
                let mut doc = Map::new();
                doc.insert(name, value);
                Ok(Value::Object(doc))
            }
            None => Err(malformed("no root element").at_offset(self.input, self.input.len())),
        }
    }
}

fn malformed(message: impl Into<String>) -> DecodeError {
    DecodeError::new(Format::Xml, DecodeErrorKind::Malformed, message)
}

fn unsupported(message: impl Into<String>) -> DecodeError {
    DecodeError::new(Format::Xml, DecodeErrorKind::Unsupported, message)
}

fn unsupported_encoding(encoding: &str) -> DecodeError {
    unsupported(format!("encoding `{encoding}` is not supported yet; only UTF-8 is"))
}

fn unknown_entity(name: &str) -> DecodeError {
    unsupported(format!(
        "unknown entity `&{name};`: only the five predefined XML entities and numeric \
         character references are accepted"
    ))
}

fn is_utf8(encoding: &str) -> bool {
    encoding.eq_ignore_ascii_case("utf-8") || encoding.eq_ignore_ascii_case("utf8")
}

/// The `encoding` of an XML declaration at the start of `body`, read without trusting the
/// rest of the input to be UTF-8.
fn declared_encoding(body: &[u8]) -> Option<String> {
    let rest = body.strip_prefix(b"<?xml")?;
    let end = rest.windows(2).take(512).position(|w| w == b"?>")?;
    let decl = &rest[..end];
    let at = decl.windows(8).position(|w| w == b"encoding")?;
    let after = decl[at + 8..].iter().position(|&b| b == b'=')?;
    let value = &decl[at + 8 + after + 1..];
    let value = value.trim_ascii_start();
    let quote = *value.first()?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let len = value[1..].iter().position(|&b| b == quote)?;
    Some(String::from_utf8_lossy(&value[1..=len]).into_owned())
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use serde_json::json;

    use super::*;

    fn dec(input: &str) -> Value {
        match decode(input.as_bytes(), &DecodeOptions::default()) {
            Ok(v) => v,
            Err(e) => panic!("decode failed: {e}"),
        }
    }

    fn err_with(input: &[u8], opts: &DecodeOptions) -> DecodeError {
        match decode(input, opts) {
            Ok(v) => panic!("expected an error, decoded {v}"),
            Err(e) => e,
        }
    }

    fn err(input: &str) -> DecodeError {
        err_with(input.as_bytes(), &DecodeOptions::default())
    }

    #[test]
    fn tree_shape() {
        let doc = dec(r#"<?xml version="1.0" encoding="UTF-8"?>
            <Order id="PO-1001" status='new'>
              <Buyer><Name>上海经销商</Name><Code/></Buyer>
              <Note lang="zh">请尽快发货</Note>
              <Line no="1"><Sku>A-1</Sku></Line>
              <Line no="2"><Sku>B-2</Sku></Line>
              <Empty></Empty>
            </Order>"#);
        assert_eq!(
            doc,
            json!({"Order": {
                "@id": "PO-1001",
                "@status": "new",
                "Buyer": {"Name": "上海经销商", "Code": null},
                "Note": {"@lang": "zh", "#text": "请尽快发货"},
                "Line": [{"@no": "1", "Sku": "A-1"}, {"@no": "2", "Sku": "B-2"}],
                "Empty": null,
            }})
        );
    }

    #[test]
    fn namespaces_with_different_prefixes_give_the_same_tree() {
        let a = dec(
            r#"<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
                xmlns:cbc="urn:cbc" xmlns:cac="urn:cac">
              <cbc:ID>INV-1</cbc:ID>
              <cac:InvoiceLine><cbc:ID schemeID="x">1</cbc:ID></cac:InvoiceLine>
            </Invoice>"#,
        );
        let b = dec(
            r#"<inv:Invoice xmlns:inv="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
                xmlns:b="urn:cbc" xmlns:a="urn:cac">
              <b:ID>INV-1</b:ID>
              <a:InvoiceLine><ID xmlns="urn:cbc" b:schemeID="x">1</ID></a:InvoiceLine>
            </inv:Invoice>"#,
        );
        assert_eq!(a, b);
        assert_eq!(
            a,
            json!({"Invoice": {
                "@xmlns": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
                "ID": "INV-1",
                "InvoiceLine": {"ID": {"@schemeID": "x", "#text": "1"}},
            }})
        );
    }

    #[test]
    fn undeclared_prefix_is_refused() {
        let e = err("<a><x:b/></a>");
        assert_eq!(e.kind, DecodeErrorKind::Malformed);
        assert!(e.message.contains("prefix `x`"), "{e}");
        let e = err(r#"<a x:id="1"/>"#);
        assert!(e.message.contains("prefix `x`"), "{e}");
    }

    #[test]
    fn repeated_hint_makes_one_and_many_the_same_shape() {
        let opts = DecodeOptions {
            xml_repeated: vec!["InvoiceLine".into()],
            ..DecodeOptions::default()
        };
        let one = decode(b"<Invoice><InvoiceLine>1</InvoiceLine></Invoice>", &opts).unwrap();
        assert_eq!(one, json!({"Invoice": {"InvoiceLine": ["1"]}}));
        let three = decode(
            b"<Invoice><InvoiceLine>1</InvoiceLine><InvoiceLine>2</InvoiceLine><x/><InvoiceLine>3</InvoiceLine></Invoice>",
            &opts,
        )
        .unwrap();
        assert_eq!(three, json!({"Invoice": {"InvoiceLine": ["1", "2", "3"], "x": null}}));
        // Without the hint a single element is not an array.
        let plain = dec("<Invoice><InvoiceLine>1</InvoiceLine></Invoice>");
        assert_eq!(plain, json!({"Invoice": {"InvoiceLine": "1"}}));
    }

    #[test]
    fn mixed_content_keeps_trimmed_text_pieces() {
        let doc = dec("<p>\n  Deliver to <b>Gate 3</b> before\n  <i>noon</i>, please  \n</p>");
        assert_eq!(
            doc,
            json!({"p": {"#text": "Deliver to before , please", "b": "Gate 3", "i": "noon"}})
        );
    }

    #[test]
    fn text_is_trimmed_of_xml_whitespace_only() {
        // U+3000 (ideographic space) is content, not XML whitespace.
        let doc = dec("<a>\n\t\u{3000}上海 \r\n</a>");
        assert_eq!(doc, json!({"a": "\u{3000}上海"}));
    }

    #[test]
    fn cdata_is_text() {
        let doc = dec("<a><![CDATA[x < y & <b>]]></a>");
        assert_eq!(doc, json!({"a": "x < y & <b>"}));
        let doc = dec("<a k='v'>one <![CDATA[two]]> three</a>");
        assert_eq!(doc, json!({"a": {"@k": "v", "#text": "one two three"}}));
    }

    #[test]
    fn predefined_entities_and_character_references() {
        let doc =
            dec(r#"<a t="&lt;&amp;&#x4E0A;&#10;">&lt;tag&gt; &amp; &quot;q&quot; &apos;s&apos; &#20013;&#x6587;</a>"#);
        assert_eq!(doc, json!({"a": {"@t": "<&上\n", "#text": "<tag> & \"q\" 's' 中文"}}));
    }

    #[test]
    fn unknown_entities_are_refused() {
        let e = err("<a>&nbsp;</a>");
        assert_eq!(e.kind, DecodeErrorKind::Unsupported);
        assert!(e.message.starts_with("unknown entity `&nbsp;`"), "{e}");
        assert_eq!(e.offset, Some(3));
        assert_eq!(e.path.as_deref(), Some("/a"));
        let e = err(r#"<a b="&lol;"/>"#);
        assert_eq!(e.kind, DecodeErrorKind::Unsupported);
        assert!(e.message.contains("&lol;"), "{e}");
        let e = err("<a>&#0;</a>");
        assert_eq!(e.kind, DecodeErrorKind::Malformed);
        let e = err("<a>&#1;</a>");
        assert!(e.message.contains("U+0001"), "{e}");
    }

    #[test]
    fn an_external_doctype_is_ignored_and_an_internal_subset_refused() {
        let input = "<?xml version=\"1.0\"?>\n<!DOCTYPE cXML SYSTEM \"http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd\">\n<cXML a=\"1\"/>";
        assert_eq!(dec(input), json!({"cXML": {"@a": "1"}}));
        // A `[` inside the quoted identifier is not a subset.
        assert_eq!(
            dec("<!DOCTYPE a PUBLIC '-//x[y]//EN' \"a[1].dtd\"><a/>"),
            json!({"a": null})
        );

        let input = "<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ELEMENT a ANY>]>\n<a/>";
        let e = err(input);
        assert_eq!(e.kind, DecodeErrorKind::Unsupported);
        assert!(e.message.starts_with("a DOCTYPE with an internal subset"), "{e}");
        assert_eq!((e.line, e.column), (Some(2), Some(1)));
        assert_eq!(e.offset, Some(22));
    }

    #[test]
    fn billion_laughs_and_external_entities_are_refused_without_expansion() {
        let mut laughs = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n");
        laughs.push_str(" <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n");
        for i in 2..10 {
            let prev = format!("&lol{};", i - 1).repeat(10);
            laughs.push_str(&format!(" <!ENTITY lol{i} \"{prev}\">\n"));
        }
        laughs.push_str("]>\n<lolz>&lol9;</lolz>");
        let started = Instant::now();
        let e = err(&laughs);
        assert!(started.elapsed() < Duration::from_secs(1));
        assert_eq!(e.kind, DecodeErrorKind::Unsupported);
        assert!(e.message.contains("DOCTYPE"), "{e}");

        let xxe = r#"<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>"#;
        assert_eq!(err(xxe).kind, DecodeErrorKind::Unsupported);
        // The entity reference alone, without its declaration, is refused as unknown.
        assert_eq!(err("<foo>&xxe;</foo>").kind, DecodeErrorKind::Unsupported);
    }

    #[test]
    fn comments_and_processing_instructions_are_ignored() {
        let doc = dec("<?xml version='1.0'?><!-- c --><?pi x?><a><!-- inside --><?pi y?>t<!--x-->u</a><!-- after -->");
        assert_eq!(doc, json!({"a": "tu"}));
    }

    #[test]
    fn depth_limit() {
        let opts = DecodeOptions {
            max_depth: 3,
            ..DecodeOptions::default()
        };
        assert!(decode(b"<a><b><c/></b></a>", &opts).is_ok());
        let e = err_with(b"<a><b><c><d/></c></b></a>", &opts);
        assert_eq!(e.kind, DecodeErrorKind::TooDeep);
        assert_eq!(e.message, "elements nest deeper than the limit of 3");
        assert_eq!(e.path.as_deref(), Some("/a/b/c/d"));
        assert_eq!(e.offset, Some(9));
    }

    #[test]
    fn hundred_thousand_nested_elements_are_refused_quickly() {
        let input = "<a>".repeat(100_000);
        let started = Instant::now();
        let e = err(&input);
        assert!(started.elapsed() < Duration::from_secs(1));
        assert_eq!(e.kind, DecodeErrorKind::TooDeep);
        // A max_depth above the hard limit does not lift it.
        let opts = DecodeOptions {
            max_depth: usize::MAX,
            ..DecodeOptions::default()
        };
        let e = err_with(input.as_bytes(), &opts);
        assert_eq!(e.message, "elements nest deeper than the limit of 128");
    }

    #[test]
    fn too_large_is_refused_before_parsing() {
        let opts = DecodeOptions {
            max_size: 10,
            ..DecodeOptions::default()
        };
        let e = err_with(b"<a>0123456789</a>", &opts);
        assert_eq!(e.kind, DecodeErrorKind::TooLarge);
        assert_eq!(e.to_string(), "xml: input is 17 bytes, more than the limit of 10 bytes");
    }

    #[test]
    fn truncated_input_is_refused_with_a_position() {
        let e = err("<Order>\n  <Id>PO-1</Id>\n  <Line>");
        assert_eq!(e.kind, DecodeErrorKind::Malformed);
        assert_eq!(e.message, "unexpected end of input: element `Line` is not closed");
        assert_eq!(e.path.as_deref(), Some("/Order/Line"));
        assert_eq!((e.line, e.column, e.offset), (Some(3), Some(9), Some(32)));

        for input in [
            "<a",
            "<a b=\"1",
            "<a><![CDATA[x",
            "<a><!-- x",
            "<a>&amp",
            "<?xml version=\"1.0\"",
            "<a></a",
            "",
        ] {
            let e = err(input);
            assert_eq!(e.kind, DecodeErrorKind::Malformed, "{input:?}: {e}");
            assert!(e.offset.is_some(), "{input:?}: {e}");
        }
    }

    #[test]
    fn mismatched_end_tag_has_line_and_column() {
        let e = err("<a>\n  <b>x</c>\n</a>");
        assert_eq!(e.kind, DecodeErrorKind::Malformed);
        assert!(e.message.contains("</b>") && e.message.contains("</c>"), "{e}");
        assert_eq!((e.line, e.column), (Some(2), Some(7)));
        assert_eq!(e.path.as_deref(), Some("/a/b"));
    }

    #[test]
    fn names_must_be_xml_names() {
        assert_eq!(err("<a =id='1'/>").message, "`=id` is not a valid attribute name");
        assert_eq!(err("<1a/>").message, "`1a` is not a valid element name");
        assert_eq!(err("<a:b:c/>").message, "`a:b:c` is not a valid element name");
    }

    #[test]
    fn one_root_element_only() {
        assert!(err("<a/><b/>").message.contains("more than one root element"));
        assert_eq!(err("<a/>text").message, "text after the root element");
        assert_eq!(err("text<a/>").message, "text before the root element");
        assert_eq!(err("  \n ").message, "no root element");
        assert_eq!(err("<?xml version='1.0'?><!-- only -->").message, "no root element");
    }

    #[test]
    fn binary_garbage_is_refused() {
        let e = err_with(&[0x00, 0x9f, 0x92, 0x96, 0xff, 0x3c], &DecodeOptions::default());
        assert_eq!(e.message, "input is not valid UTF-8");
        assert_eq!(e.offset, Some(1));
        let e = err("<a>\u{1}\u{2}</a>");
        assert_eq!(e.message, "the character U+0001 is not allowed in XML");
        assert_eq!(e.offset, Some(3));
        let e = err("<a>\u{FFFE}</a>");
        assert!(e.message.contains("U+FFFE"), "{e}");
        let e = err_with(b"\xFF\xFE<\x00a\x00/\x00>\x00", &DecodeOptions::default());
        assert_eq!(e.kind, DecodeErrorKind::Unsupported);
        assert!(e.message.contains("UTF-16"), "{e}");
    }

    #[test]
    fn encodings_other_than_utf8_are_refused() {
        let e = err("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>");
        assert_eq!(e.kind, DecodeErrorKind::Unsupported);
        assert_eq!(e.message, "encoding `ISO-8859-1` is not supported yet; only UTF-8 is");
        // Latin-1 bytes are not valid UTF-8; the declaration is named rather than the bytes.
        let e = err_with(
            b"<?xml version='1.0' encoding='windows-1252'?><a>caf\xe9</a>",
            &DecodeOptions::default(),
        );
        assert_eq!(e.message, "encoding `windows-1252` is not supported yet; only UTF-8 is");
        assert!(decode(b"<?xml version='1.0' encoding='utf-8'?><a/>", &DecodeOptions::default()).is_ok());
    }

    #[test]
    fn declared_encoding_reads_only_a_well_formed_declaration() {
        assert_eq!(
            declared_encoding(b"<?xml version='1.0' encoding = \"GBK\" ?>").as_deref(),
            Some("GBK")
        );
        for input in [
            &b"<?xml"[..],
            b"<?xml encoding",
            b"<?xml encoding=",
            b"<?xml encoding='",
            b"<?xml encoding=GBK?>",
            b"<?xml encoding='GBK?>",
            b"<?xml version='1.0'?>",
            b"<a encoding='GBK'?>",
            b"",
        ] {
            assert_eq!(declared_encoding(input), None, "{input:?}");
        }
        // Latin-1 bytes with no declaration are reported as invalid UTF-8 at the first bad byte.
        let e = err_with(b"<a>caf\xe9</a>", &DecodeOptions::default());
        assert_eq!((e.message.as_str(), e.offset), ("input is not valid UTF-8", Some(6)));
    }

    #[test]
    fn leading_bom_is_tolerated_and_counted_in_offsets() {
        let doc = decode(b"\xEF\xBB\xBF<?xml version='1.0'?><a>x</a>", &DecodeOptions::default()).unwrap();
        assert_eq!(doc, json!({"a": "x"}));
        let e = err_with(b"\xEF\xBB\xBF<a></b>", &DecodeOptions::default());
        assert_eq!(e.offset, Some(6));
        assert_eq!(e.column, Some(4));
    }

    #[test]
    fn attribute_local_names_repeated_under_different_prefixes() {
        let input = br#"<a xmlns:p="urn:p" xmlns:q="urn:q" p:id="1" q:id="2"/>"#;
        let doc = decode(input, &DecodeOptions::default()).unwrap();
        assert_eq!(doc, json!({"a": {"@id": "2"}}));
        let reject = DecodeOptions {
            duplicate_keys: DuplicateKeys::Reject,
            ..DecodeOptions::default()
        };
        let e = err_with(input, &reject);
        assert_eq!(e.kind, DecodeErrorKind::DuplicateKey);
        assert!(e.message.contains("`id`"), "{e}");
        // The very same attribute twice is not well-formed whatever the policy.
        assert_eq!(err(r#"<a id="1" id="2"/>"#).kind, DecodeErrorKind::Malformed);
    }

    #[test]
    fn line_endings_are_normalized() {
        let doc = dec("<a>line 1\r\nline 2\rline 3</a>");
        assert_eq!(doc, json!({"a": "line 1\nline 2\nline 3"}));
        let doc = dec("<a>keep&#13;this</a>");
        assert_eq!(doc, json!({"a": "keep\rthis"}));
    }
}
