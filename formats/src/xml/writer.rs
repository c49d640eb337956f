//! XML encoding: the document tree written back as XML through quick-xml's `Writer`.

use std::borrow::Cow;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use serde_json::Value;

use super::syntax::{forbidden_char, is_ncname, is_qname};
use crate::error::TreePath;
use crate::{EncodeError, EncodeOptions, Format};

/// Elements nested deeper than this are refused rather than risking the stack (encoding may
/// run on a 2 MiB async worker thread); decoded trees never come close, as decoding stops at
/// 128 levels.
const MAX_ENCODE_DEPTH: usize = 256;

/// Encodes a tree as an XML document, the inverse of [`super::decode`].
///
/// The tree is `{ "<Root>": <element> }` (or just `<element>` when `xml_root` names the root).
/// An element value is written as: `null` → an empty element; a string, number or boolean →
/// the element's text; an object → `@name` keys as attributes (`null` ones omitted), `#text` as
/// text, every other key as child elements, an array as that element repeated. Namespace
/// declarations from `xml_namespaces` go on the root element; a tree key `@xmlns` (as decoding
/// produces on the root) declares the default namespace unless the options declare one. Child
/// elements follow the `xml_order` rules, else the tree's key order.
pub(crate) fn encode(doc: &Value, opts: &EncodeOptions) -> Result<Vec<u8>, EncodeError> {
    check_namespace_options(&opts.xml_namespaces)?;
    let doctype = opts.xml_doctype.as_deref().map(check_doctype).transpose()?;
    let mut path = TreePath::default();
    let (root_name, content) = match &opts.xml_root {
        Some(name) => (name.as_str(), doc),
        None => match doc.as_object().map(|o| (o.len(), o.iter().next())) {
            Some((1, Some((name, content)))) => {
                path.push_key(name.as_str());
                (name.as_str(), content)
            }
            _ => {
                return Err(EncodeError::new(
                    Format::Xml,
                    "the document must be an object with exactly one key, the root element \
                     name (or set xml_root to name the root element)",
                    None,
                ));
            }
        },
    };
    if content.is_array() {
        return Err(EncodeError::new(
            Format::Xml,
            format!("the root element `{root_name}` cannot be an array: an XML document has one root element"),
            Some(path.render()),
        ));
    }

    let mut out = Vec::with_capacity(1024);
    {
        let writer = if opts.pretty {
            Writer::new_with_indent(&mut out, b' ', 2)
        } else {
            Writer::new(&mut out)
        };
        let mut encoder = Encoder {
            writer,
            path,
            prefixes: Vec::new(),
            namespaces: &opts.xml_namespaces,
            order: &opts.xml_order,
            open: Vec::new(),
        };
        encoder.write(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        if let Some(doctype) = doctype {
            encoder.write(Event::DocType(BytesText::from_escaped(doctype)))?;
        }
        encoder.element(root_name, content, true, 0)?;
    }
    if opts.pretty {
        out.push(b'\n');
    }
    Ok(out)
}

/// The document type declaration from the options, checked so that it cannot end the
/// declaration early or carry an internal subset.
fn check_doctype(doctype: &str) -> Result<&str, EncodeError> {
    let doctype = doctype.trim();
    let bad = doctype.contains(['<', '>', '[', ']']) || forbidden_char(doctype).is_some();
    let name_ok = doctype.split(char::is_whitespace).next().is_some_and(is_qname);
    match bad {
        false if name_ok => Ok(doctype),
        _ => Err(EncodeError::new(
            Format::Xml,
            format!(
                "xml_doctype `{doctype}` is not a document type declaration this writer accepts: \
                 give the root name and an external identifier, e.g. `cXML SYSTEM \"cXML.dtd\"`"
            ),
            None,
        )),
    }
}

/// The local part of an element name (`cbc:ID` -> `ID`).
fn local_name(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, local)| local)
}

fn check_namespace_options(namespaces: &[(String, String)]) -> Result<(), EncodeError> {
    let fail = |message: String| Err(EncodeError::new(Format::Xml, message, None));
    for (i, (prefix, uri)) in namespaces.iter().enumerate() {
        if !prefix.is_empty() && !is_ncname(prefix) {
            return fail(format!("xml_namespaces: `{prefix}` is not a valid namespace prefix"));
        }
        if prefix == "xml" || prefix == "xmlns" {
            return fail(format!(
                "xml_namespaces: the prefix `{prefix}` is reserved and cannot be declared"
            ));
        }
        if uri.is_empty() && !prefix.is_empty() {
            return fail(format!(
                "xml_namespaces: the namespace URI for prefix `{prefix}` is empty"
            ));
        }
        if let Some(c) = forbidden_char(uri) {
            return fail(format!(
                "xml_namespaces: the namespace URI for prefix `{prefix}` contains {}",
                describe(c)
            ));
        }
        if namespaces[..i].iter().any(|(p, _)| p == prefix) {
            return fail(format!("xml_namespaces: the prefix `{prefix}` is declared twice"));
        }
    }
    Ok(())
}

struct Encoder<'o, W> {
    writer: Writer<W>,
    /// Tree path of the value being written, for errors.
    path: TreePath,
    /// Namespace prefixes declared on the open elements.
    prefixes: Vec<String>,
    namespaces: &'o [(String, String)],
    /// The `xml_order` rules.
    order: &'o [(String, Vec<String>)],
    /// Local names of the open elements, root first, for the order rules' paths.
    open: Vec<&'o str>,
}

impl<'o, W: std::io::Write> Encoder<'o, W> {
    fn error(&self, message: impl Into<String>) -> EncodeError {
        EncodeError::new(Format::Xml, message, Some(self.path.render()))
    }

    fn write(&mut self, event: Event<'_>) -> Result<(), EncodeError> {
        self.writer
            .write_event(event)
            .map_err(|e| self.error(format!("cannot write output: {e}")))
    }

    /// Whether the options already declare what the tree attribute `name` declares, on the root.
    fn declared_by_options(&self, name: &str) -> bool {
        let prefix = match name.strip_prefix("xmlns") {
            Some("") => "",
            Some(rest) => match rest.strip_prefix(':') {
                Some(prefix) => prefix,
                None => return false,
            },
            None => return false,
        };
        self.namespaces.iter().any(|(p, _)| p == prefix)
    }

    fn check_prefix(&self, name: &str, what: &str) -> Result<(), EncodeError> {
        let Some((prefix, _)) = name.split_once(':') else {
            return Ok(());
        };
        if prefix == "xml" || prefix == "xmlns" || self.prefixes.iter().any(|p| p == prefix) {
            return Ok(());
        }
        Err(self.error(format!(
            "namespace prefix `{prefix}` of {what} `{name}` is not declared; declare it in \
             xml_namespaces or with an `@xmlns:{prefix}` key"
        )))
    }

    /// Writes one element and, recursively, its children. The recursion keeps its frame small
    /// (the tag itself is built in [`Self::start_tag`]) so deep trees are cheap on the stack.
    fn element(&mut self, name: &'o str, value: &'o Value, root: bool, depth: usize) -> Result<(), EncodeError> {
        if depth >= MAX_ENCODE_DEPTH {
            return Err(self.too_deep());
        }
        let scope = self.prefixes.len();
        if let Some(mut children) = self.start_tag(name, value, root)? {
            if !self.order.is_empty() {
                self.open.push(local_name(name));
                self.sort_children(&mut children);
            }
            for (key, child) in children {
                self.path.push_key(key.as_str());
                if let Value::Array(items) = child {
                    for (i, item) in items.iter().enumerate() {
                        self.path.push_index(i);
                        self.element(key, item, false, depth + 1)?;
                        self.path.pop();
                    }
                } else {
                    self.element(key, child, false, depth + 1)?;
                }
                self.path.pop();
            }
            self.write(Event::End(BytesEnd::new(name)))?;
            if !self.order.is_empty() {
                self.open.pop();
            }
        }
        self.prefixes.truncate(scope);
        Ok(())
    }

    /// Puts `children` of the innermost open element in the order of the longest `xml_order`
    /// rule whose path ends at that element; unlisted children keep their order, after the rest.
    fn sort_children(&self, children: &mut [(&'o String, &'o Value)]) {
        let matches = |rule: &str| {
            let mut open = self.open.iter().rev();
            rule.rsplit('/')
                .all(|step| open.next().is_some_and(|name| *name == local_name(step)))
        };
        let rule = self
            .order
            .iter()
            .filter(|(path, _)| matches(path))
            .max_by_key(|(path, _)| path.split('/').count());
        if let Some((_, sequence)) = rule {
            let rank = |key: &str| {
                let key = local_name(key);
                sequence
                    .iter()
                    .position(|name| local_name(name) == key)
                    .unwrap_or(sequence.len())
            };
            children.sort_by_key(|(key, _)| rank(key));
        }
    }

    #[cold]
    fn too_deep(&self) -> EncodeError {
        self.error(format!("elements nest deeper than {MAX_ENCODE_DEPTH} levels"))
    }

    /// Writes the start tag and text of an element and returns its children, or writes an empty
    /// element and returns `None`. Namespace prefixes the element declares are pushed on
    /// `self.prefixes`; the caller pops them.
    #[inline(never)]
    fn start_tag(
        &mut self,
        name: &str,
        value: &'o Value,
        root: bool,
    ) -> Result<Option<Vec<(&'o String, &'o Value)>>, EncodeError> {
        if !is_qname(name) {
            return Err(self.error(format!("`{name}` is not a valid XML element name")));
        }
        let mut start = BytesStart::new(name);
        if root {
            for (prefix, uri) in self.namespaces {
                if prefix.is_empty() {
                    start.push_attribute(("xmlns", uri.as_str()));
                } else {
                    start.push_attribute((format!("xmlns:{prefix}").as_str(), uri.as_str()));
                    self.prefixes.push(prefix.clone());
                }
            }
        }

        let mut text = None;
        let mut children = Vec::new();
        match value {
            Value::Null => {}
            Value::Array(_) => {
                return Err(self.error("an array inside an array cannot be written as XML"));
            }
            Value::Object(object) => {
                // Declarations first: they apply to the element's own name and attributes.
                for key in object.keys() {
                    if let Some(prefix) = key.strip_prefix("@xmlns:") {
                        self.prefixes.push(prefix.to_owned());
                    }
                }
                for (key, child) in object {
                    if let Some(attribute) = key.strip_prefix('@') {
                        if root && self.declared_by_options(attribute) {
                            continue;
                        }
                        self.path.push_key(key.as_str());
                        if !is_qname(attribute) {
                            return Err(self.error(format!("`{attribute}` is not a valid XML attribute name")));
                        }
                        self.check_prefix(attribute, "attribute")?;
                        if let Some(value) = self.scalar_text(child, "an attribute value")? {
                            start.push_attribute((attribute, value.as_ref()));
                        }
                        self.path.pop();
                    } else if key == "#text" {
                        self.path.push_key(key.as_str());
                        text = self.scalar_text(child, "`#text`")?;
                        self.path.pop();
                    } else {
                        children.push((key, child));
                    }
                }
            }
            scalar => text = self.scalar_text(scalar, "a value")?,
        }
        self.check_prefix(name, "element")?;

        if text.is_none() && children.is_empty() {
            self.write(Event::Empty(start))?;
            return Ok(None);
        }
        self.write(Event::Start(start))?;
        if let Some(text) = text {
            self.write(Event::Text(BytesText::new(&text)))?;
        }
        Ok(Some(children))
    }

    /// The text of a scalar (`None` for null), or an error naming `what` for objects and arrays.
    fn scalar_text<'v>(&self, value: &'v Value, what: &str) -> Result<Option<Cow<'v, str>>, EncodeError> {
        let text = match value {
            Value::Null => return Ok(None),
            Value::String(s) => Cow::Borrowed(s.as_str()),
            Value::Number(n) => Cow::Owned(n.to_string()),
            Value::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            Value::Array(_) | Value::Object(_) => {
                return Err(self.error(format!("{what} must be a string, number, boolean or null")));
            }
        };
        if let Some(c) = forbidden_char(&text) {
            return Err(self.error(format!("{} cannot be written in XML 1.0", describe(c))));
        }
        Ok(Some(text))
    }
}

fn describe(c: char) -> String {
    format!("the character U+{:04X}", u32::from(c))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn enc(doc: &Value) -> String {
        enc_with(doc, &EncodeOptions::default())
    }

    fn enc_with(doc: &Value, opts: &EncodeOptions) -> String {
        match encode(doc, opts) {
            Ok(bytes) => String::from_utf8(bytes).unwrap(),
            Err(e) => panic!("encode failed: {e}"),
        }
    }

    fn err(doc: &Value) -> EncodeError {
        err_with(doc, &EncodeOptions::default())
    }

    fn err_with(doc: &Value, opts: &EncodeOptions) -> EncodeError {
        match encode(doc, opts) {
            Ok(bytes) => panic!("expected an error, got {}", String::from_utf8_lossy(&bytes)),
            Err(e) => e,
        }
    }

    const DECL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;

    #[test]
    fn writes_the_tree_shape() {
        let doc = json!({"Order": {
            "@id": "PO-1001",
            "@skip": null,
            "Buyer": {"Name": "上海经销商", "Code": null},
            "Line": [{"@no": 1, "Sku": "A-1"}, {"@no": 2, "Sku": "B-2"}],
            "Note": {"@lang": "zh", "#text": "请尽快发货"},
            "Qty": 3,
            "Urgent": true,
            "Price": 12.5,
            "None": [],
        }});
        // serde_json's map keeps keys sorted, so children come out in key order.
        assert_eq!(
            enc(&doc),
            format!(
                "{DECL}<Order id=\"PO-1001\"><Buyer><Code/><Name>上海经销商</Name></Buyer>\
                 <Line no=\"1\"><Sku>A-1</Sku></Line><Line no=\"2\"><Sku>B-2</Sku></Line>\
                 <Note lang=\"zh\">请尽快发货</Note><Price>12.5</Price><Qty>3</Qty>\
                 <Urgent>true</Urgent></Order>"
            )
        );
    }

    #[test]
    fn escapes_text_and_attributes() {
        let doc = json!({"a": {"@t": "<\"'&>\n\t\r", "#text": "x < y && z > w ]]> \"q\" \r"}});
        let xml = enc(&doc);
        assert_eq!(
            xml,
            format!(
                "{DECL}<a t=\"&lt;&quot;&apos;&amp;&gt;&#10;&#9;&#13;\">x &lt; y &amp;&amp; z &gt; w ]]&gt; &quot;q&quot; &#13;</a>"
            )
        );
        let back = crate::xml::decode(xml.as_bytes(), &crate::DecodeOptions::default()).unwrap();
        assert_eq!(back["a"]["@t"], "<\"'&>\n\t\r");
    }

    #[test]
    fn pretty_output_is_indented() {
        let doc = json!({"a": {"@k": "v", "b": ["1", "2"], "c": {"d": null}}});
        let pretty = EncodeOptions {
            pretty: true,
            ..EncodeOptions::default()
        };
        assert_eq!(
            enc_with(&doc, &pretty),
            format!("{DECL}\n<a k=\"v\">\n  <b>1</b>\n  <b>2</b>\n  <c>\n    <d/>\n  </c>\n</a>\n")
        );
    }

    #[test]
    fn namespaces_from_options_are_declared_on_the_root() {
        let doc = json!({"Invoice": {"cbc:ID": "INV-1", "cac:Party": {"cbc:Name": "x"}, "Note": "n"}});
        let opts = EncodeOptions {
            xml_namespaces: vec![
                ("".into(), "urn:invoice".into()),
                ("cbc".into(), "urn:cbc".into()),
                ("cac".into(), "urn:cac".into()),
            ],
            ..EncodeOptions::default()
        };
        assert_eq!(
            enc_with(&doc, &opts),
            format!(
                "{DECL}<Invoice xmlns=\"urn:invoice\" xmlns:cbc=\"urn:cbc\" xmlns:cac=\"urn:cac\">\
                 <Note>n</Note><cac:Party><cbc:Name>x</cbc:Name></cac:Party><cbc:ID>INV-1</cbc:ID></Invoice>"
            )
        );
    }

    #[test]
    fn default_namespace_from_the_tree_or_the_options() {
        let doc = json!({"a": {"@xmlns": "urn:tree", "b": "1"}});
        assert_eq!(enc(&doc), format!("{DECL}<a xmlns=\"urn:tree\"><b>1</b></a>"));
        let opts = EncodeOptions {
            xml_namespaces: vec![("".into(), "urn:options".into())],
            ..EncodeOptions::default()
        };
        assert_eq!(
            enc_with(&doc, &opts),
            format!("{DECL}<a xmlns=\"urn:options\"><b>1</b></a>")
        );
    }

    #[test]
    fn undeclared_prefixes_are_refused() {
        let e = err(&json!({"a": {"x:b": "1"}}));
        assert_eq!(e.path.as_deref(), Some(".a.\"x:b\""));
        assert!(
            e.message
                .starts_with("namespace prefix `x` of element `x:b` is not declared"),
            "{e}"
        );
        // Declared in the tree itself, in scope for descendants only.
        let doc = json!({"a": {"b": {"@xmlns:x": "urn:x", "x:c": "1"}}});
        assert_eq!(enc(&doc), format!("{DECL}<a><b xmlns:x=\"urn:x\"><x:c>1</x:c></b></a>"));
        let doc = json!({"a": {"b": {"@xmlns:x": "urn:x"}, "x:c": "1"}});
        assert!(err(&doc).message.contains("prefix `x`"));
        // xml: is always bound.
        assert_eq!(
            enc(&json!({"a": {"@xml:lang": "zh"}})),
            format!("{DECL}<a xml:lang=\"zh\"/>")
        );
    }

    #[test]
    fn xml_root_names_the_root() {
        let opts = EncodeOptions {
            xml_root: Some("Envelope".into()),
            ..EncodeOptions::default()
        };
        assert_eq!(
            enc_with(&json!({"a": 1, "b": 2}), &opts),
            format!("{DECL}<Envelope><a>1</a><b>2</b></Envelope>")
        );
        assert_eq!(
            enc_with(&json!("text"), &opts),
            format!("{DECL}<Envelope>text</Envelope>")
        );
        let opts = EncodeOptions {
            xml_root: Some("not valid".into()),
            ..EncodeOptions::default()
        };
        assert_eq!(
            err_with(&json!({}), &opts).message,
            "`not valid` is not a valid XML element name"
        );
    }

    #[test]
    fn errors_name_the_tree_path() {
        let e = err(&json!({"a": 1, "b": 2}));
        assert!(
            e.message
                .starts_with("the document must be an object with exactly one key")
        );
        assert_eq!(e.path, None);
        assert!(err(&json!([1])).message.starts_with("the document must be an object"));

        let e = err(&json!({"Order": {"Lines": [{"line item": 1}]}}));
        assert_eq!(e.message, "`line item` is not a valid XML element name");
        assert_eq!(e.path.as_deref(), Some(r#".Order.Lines[0]."line item""#));
        assert_eq!(
            e.to_string(),
            r#"xml: `line item` is not a valid XML element name at `.Order.Lines[0]."line item"`"#
        );

        let e = err(&json!({"a": {"b": [[1]]}}));
        assert_eq!(e.message, "an array inside an array cannot be written as XML");
        assert_eq!(e.path.as_deref(), Some(".a.b[0]"));

        let e = err(&json!({"a": {"@k": {"x": 1}}}));
        assert_eq!(
            e.message,
            "an attribute value must be a string, number, boolean or null"
        );
        assert_eq!(e.path.as_deref(), Some(r#".a."@k""#));

        let e = err(&json!({"a": {"@1k": "v"}}));
        assert_eq!(e.message, "`1k` is not a valid XML attribute name");

        let e = err(&json!({"a": {"#text": [1]}}));
        assert_eq!(e.message, "`#text` must be a string, number, boolean or null");

        let e = err(&json!({"a": {"#comment": "x"}}));
        assert_eq!(e.message, "`#comment` is not a valid XML element name");

        let e = err(&json!({"a": [1, 2]}));
        assert!(e.message.starts_with("the root element `a` cannot be an array"));

        let e = err(&json!({"a": {"b": "bell \u{7}"}}));
        assert_eq!(e.message, "the character U+0007 cannot be written in XML 1.0");
        assert_eq!(e.path.as_deref(), Some(".a.b"));
    }

    #[test]
    fn bad_namespace_options_are_refused() {
        for (prefix, uri) in [("1x", "urn:x"), ("xml", "urn:x"), ("p", ""), ("a:b", "urn:x")] {
            let opts = EncodeOptions {
                xml_namespaces: vec![(prefix.into(), uri.into())],
                ..EncodeOptions::default()
            };
            let e = err_with(&json!({"a": null}), &opts);
            assert!(e.message.starts_with("xml_namespaces: "), "{e}");
        }
        let opts = EncodeOptions {
            xml_namespaces: vec![("p".into(), "urn:1".into()), ("p".into(), "urn:2".into())],
            ..EncodeOptions::default()
        };
        assert!(err_with(&json!({"a": null}), &opts).message.contains("declared twice"));
    }

    #[test]
    fn very_deep_trees_are_refused_not_overflowing() {
        let mut doc = json!("leaf");
        for _ in 0..600 {
            doc = json!({ "a": doc });
        }
        let e = err(&doc);
        assert_eq!(e.message, "elements nest deeper than 256 levels");
        assert_eq!(e.path.map(|p| p.len()), Some(2 * 257));
    }

    #[test]
    fn children_follow_the_order_rules() {
        let doc = json!({"Invoice": {
            "cbc:ID": "F-1",
            "cac:InvoiceLine": [{"cbc:ID": "1", "cac:Item": {"cbc:Name": "a"}}, {"cbc:ID": "2"}],
            "cac:AccountingSupplierParty": {"cac:Party": {"cbc:EndpointID": "9", "cac:PartyName": "x"}},
            "cbc:Note": "n",
            "cbc:IssueDate": "2026-11-25",
        }});
        let opts = EncodeOptions {
            xml_namespaces: vec![("cbc".into(), "urn:cbc".into()), ("cac".into(), "urn:cac".into())],
            xml_order: vec![
                (
                    "Invoice".into(),
                    ["ID", "IssueDate", "Note", "AccountingSupplierParty", "InvoiceLine"]
                        .map(String::from)
                        .to_vec(),
                ),
                ("InvoiceLine".into(), vec!["Item".into(), "ID".into()]),
                // The longer path wins over a rule for the bare name.
                ("Party".into(), vec!["PartyName".into()]),
                (
                    "AccountingSupplierParty/Party".into(),
                    vec!["EndpointID".into(), "PartyName".into()],
                ),
            ],
            ..EncodeOptions::default()
        };
        let out = enc_with(&doc, &opts);
        let body = out.split_once("urn:cac\">").map(|(_, b)| b).unwrap_or_default();
        assert_eq!(
            body,
            "<cbc:ID>F-1</cbc:ID><cbc:IssueDate>2026-11-25</cbc:IssueDate><cbc:Note>n</cbc:Note>\
             <cac:AccountingSupplierParty><cac:Party><cbc:EndpointID>9</cbc:EndpointID>\
             <cac:PartyName>x</cac:PartyName></cac:Party></cac:AccountingSupplierParty>\
             <cac:InvoiceLine><cac:Item><cbc:Name>a</cbc:Name></cac:Item><cbc:ID>1</cbc:ID></cac:InvoiceLine>\
             <cac:InvoiceLine><cbc:ID>2</cbc:ID></cac:InvoiceLine></Invoice>"
        );
        // Without rules the tree's order (sorted keys here) is kept.
        let plain = enc_with(
            &doc,
            &EncodeOptions {
                xml_order: Vec::new(),
                ..opts
            },
        );
        assert!(plain.find("AccountingSupplierParty") < plain.find("cbc:ID"), "{plain}");
    }

    #[test]
    fn a_doctype_is_written_when_asked_and_checked() {
        let opts = EncodeOptions {
            xml_doctype: Some("cXML SYSTEM \"http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd\"".into()),
            ..EncodeOptions::default()
        };
        let out = enc_with(&json!({"cXML": {"@version": "1.2.014"}}), &opts);
        assert_eq!(
            out,
            format!(
                "{DECL}<!DOCTYPE cXML SYSTEM \"http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd\">\
                 <cXML version=\"1.2.014\"/>"
            )
        );
        let back = crate::decode(Format::Xml, out.as_bytes(), &crate::DecodeOptions::default());
        assert_eq!(back.ok(), Some(json!({"cXML": {"@version": "1.2.014"}})));
        for bad in ["a [<!ENTITY x \"y\">]", "a><b", "", "1a SYSTEM \"x\""] {
            let opts = EncodeOptions {
                xml_doctype: Some(bad.into()),
                ..EncodeOptions::default()
            };
            assert!(
                err_with(&json!({"a": null}), &opts).message.contains("xml_doctype"),
                "{bad}"
            );
        }
    }
}
