//! XML round trips: decode, encode, decode again, on hand-made documents, mutated input and the shared samples.

use serde_json::{Value, json};

use crate::test_support::Rng;
use crate::{DecodeOptions, EncodeOptions, Format, decode, encode};

/// Decodes `input`, then checks that encoding the tree (compact and pretty) and decoding the
/// result gives the same tree. Returns the tree.
fn round_trip(input: &[u8], opts: &DecodeOptions) -> Value {
    let first = match decode(Format::Xml, input, opts) {
        Ok(doc) => doc,
        Err(e) => panic!("decode failed: {e}"),
    };
    assert_round_trips(&first, opts);
    first
}

fn assert_round_trips(doc: &Value, opts: &DecodeOptions) {
    for pretty in [false, true] {
        let encode_opts = EncodeOptions {
            pretty,
            ..EncodeOptions::default()
        };
        let xml = match encode(Format::Xml, doc, &encode_opts) {
            Ok(xml) => xml,
            Err(e) => panic!("encode (pretty: {pretty}) failed: {e}\ntree: {doc}"),
        };
        let again = match decode(Format::Xml, &xml, opts) {
            Ok(doc) => doc,
            Err(e) => panic!("decoding our own output failed: {e}\n{}", String::from_utf8_lossy(&xml)),
        };
        assert_eq!(
            &again,
            doc,
            "round trip (pretty: {pretty}) changed the tree; output was:\n{}",
            String::from_utf8_lossy(&xml)
        );
    }
}

#[test]
fn round_trip_of_a_rich_document() {
    let input = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment -->
<inv:Invoice xmlns:inv="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
             xmlns:cbc="urn:cbc" xmlns:cac="urn:cac">
  <cbc:ID>INV-2026-001</cbc:ID>
  <cbc:Note>含税价格 &amp; "运费" &lt;另计&gt;</cbc:Note>
  <cbc:Note><![CDATA[<raw> & text]]></cbc:Note>
  <cac:AccountingSupplierParty>
    <cac:Party><cbc:Name xml:lang="zh">上海某某贸易有限公司</cbc:Name></cac:Party>
  </cac:AccountingSupplierParty>
  <cac:InvoiceLine>
    <cbc:ID>1</cbc:ID>
    <cbc:InvoicedQuantity unitCode="EA">10</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="CNY">125.50</cbc:LineExtensionAmount>
    <cac:Item><cbc:Description>Line one
second line</cbc:Description><cac:Empty/></cac:Item>
  </cac:InvoiceLine>
  <cbc:PaymentNote>Pay <cbc:Em>now</cbc:Em> please</cbc:PaymentNote>
  <cbc:Attr a="tab&#9;newline&#10;cr&#13;quote&quot;"/>
</inv:Invoice>"#;
    let opts = DecodeOptions {
        xml_repeated: vec!["InvoiceLine".into()],
        ..DecodeOptions::default()
    };
    let doc = round_trip(input.as_bytes(), &opts);
    assert_eq!(
        doc,
        json!({"Invoice": {
            "@xmlns": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
            "ID": "INV-2026-001",
            "Note": ["含税价格 & \"运费\" <另计>", "<raw> & text"],
            "AccountingSupplierParty": {"Party": {"Name": {"@lang": "zh", "#text": "上海某某贸易有限公司"}}},
            "InvoiceLine": [{
                "ID": "1",
                "InvoicedQuantity": {"@unitCode": "EA", "#text": "10"},
                "LineExtensionAmount": {"@currencyID": "CNY", "#text": "125.50"},
                "Item": {"Description": "Line one\nsecond line", "Empty": null},
            }],
            "PaymentNote": {"#text": "Pay please", "Em": "now"},
            "Attr": {"@a": "tab\tnewline\ncr\rquote\""},
        }})
    );
}

#[test]
fn round_trip_keeps_the_root_namespace() {
    let doc = round_trip(
        br#"<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"><A>1</A></Document>"#,
        &DecodeOptions::default(),
    );
    let xml = encode(Format::Xml, &doc, &EncodeOptions::default()).unwrap();
    assert_eq!(
        String::from_utf8(xml).unwrap(),
        r#"<?xml version="1.0" encoding="UTF-8"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"><A>1</A></Document>"#
    );
}

#[test]
fn round_trip_of_edge_shapes() {
    for input in [
        "<a/>",
        "<a>  </a>",
        "<a x=''/>",
        "<a><b/><b/><b>1</b></a>",
        "<a><b><c>1</c></b><b/></a>",
        "<a>t<b/></a>",
        "<a x='1'>t</a>",
        "<订单 编号='1'><行>一</行><行>二</行></订单>",
        "<a:b xmlns:a='urn:a' a:c='1'><a:d/></a:b>",
        "<a>&#x1F600; &#128512;</a>",
    ] {
        round_trip(input.as_bytes(), &DecodeOptions::default());
    }
}

#[test]
fn mutated_and_truncated_input_never_panics_and_accepted_input_round_trips() {
    let bases = [
        r#"<?xml version="1.0"?><r:Order xmlns:r="urn:r" id="1"><Line no="1"><Sku>A&amp;B</Sku></Line><Line no="2"><![CDATA[x]]></Line><Note>上海 <b>x</b> y</Note><!-- c --><E/></r:Order>"#,
        "\u{feff}<Doc xmlns='urn:a&amp;b' xmlns:p='urn:p'>\r\n <p:A p:k='&#x9;v&lt;' k2=\"&quot;\">t&#10;<B/>u</p:A><?pi x?><C>&#x4E0A;&gt;</C><C/></Doc>",
    ];
    let opts = DecodeOptions {
        xml_repeated: vec!["Line".into(), "B".into()],
        ..DecodeOptions::default()
    };
    let interesting = b"<>&;\"'/![]-?=: \n#xabc\xc3\x00\xff";
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for base in bases {
        let whole = decode(Format::Xml, base.as_bytes(), &opts);
        assert!(whole.is_ok(), "{whole:?}");
        for end in 0..=base.len() {
            if let Ok(doc) = decode(Format::Xml, &base.as_bytes()[..end], &opts) {
                assert_round_trips(&doc, &opts);
            }
        }
        let mut accepted = 0;
        for _ in 0..5_000 {
            let mut input = base.as_bytes().to_vec();
            for _ in 0..=rng.below(4) {
                let at = rng.below(input.len());
                let byte = if rng.below(2) == 0 {
                    interesting[rng.below(interesting.len())]
                } else {
                    u8::try_from(rng.below(256)).unwrap_or(0)
                };
                match rng.below(3) {
                    0 => input[at] = byte,
                    1 => input.insert(at, byte),
                    _ => {
                        input.remove(at);
                    }
                }
            }
            if let Ok(doc) = decode(Format::Xml, &input, &opts) {
                accepted += 1;
                assert_round_trips(&doc, &opts);
            }
        }
        eprintln!("{accepted} mutations accepted and round-tripped");
        assert!(accepted > 0, "no mutation was accepted; the test checks nothing");
    }
}

/// Decodes every XML sample (UBL, ISO 20022, cXML, GS1) and checks it round trips. Every
/// published sample must decode: none is refused (cXML's external DOCTYPE is accepted).
#[test]
fn samples_decode_and_round_trip() {
    let opts = DecodeOptions::default();
    let mut decoded = 0;
    for folder in ["ubl", "iso20022", "cxml", "gs1"] {
        let (files, _) = crate::test_support::sample_files(folder);
        for (name, bytes) in files.iter().filter(|(name, _)| name.ends_with(".xml")) {
            match decode(Format::Xml, bytes, &opts) {
                Ok(doc) => {
                    assert_round_trips(&doc, &opts);
                    decoded += 1;
                }
                Err(e) => panic!("{folder}/{name} was refused: {e}"),
            }
        }
    }
    eprintln!("{decoded} samples decoded and round-tripped");
    // 11 are in the repository; the shared corpus has 29.
    assert!(decoded >= 11, "XML samples are missing: {decoded} found");
}
