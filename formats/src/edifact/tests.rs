//! EDIFACT tests: hand-made edge cases, every shared sample, strict mode, and round trips.

use serde_json::{Value, json};

use crate::edi::test_support::{self, warnings, without_warnings};
use crate::test_support::Rng;
use crate::{DecodeError, DecodeErrorKind, DecodeOptions, EdifactDelimiters, EncodeOptions, Format, decode, encode};

/// A short D.96A ORDERS (it is also the README's example).
const ORDER: &str = "UNA:+.? '
UNB+UNOC:3+5412345000013:14+4012345000094:14+260105:1200+1001'
UNH+1+ORDERS:D:96A:UN:EAN008'
BGM+220+PO-1001+9'
DTM+137:20260105:102'
NAD+BY+5412345000013::9'
NAD+DP+5412345000020::9++Shanghai DC+88 Pudong Ave?+ Gate 2+Shanghai++200120+CN'
LIN+1++4000862141404:SRS'
QTY+21:10:PCE'
PRI+AAA:12.5'
LIN+2++4000862141411:SRS'
QTY+21:4'
UNS+S'
CNT+2:2'
UNT+13+1'
UNZ+1+1001'
";

fn edifact(input: &[u8]) -> Result<Value, DecodeError> {
    decode(Format::Edifact, input, &DecodeOptions::default())
}

fn strict(input: &[u8]) -> Result<Value, DecodeError> {
    test_support::strict(Format::Edifact, input)
}

fn ok(input: &[u8]) -> Value {
    test_support::ok(Format::Edifact, input)
}

fn err(input: &[u8]) -> DecodeError {
    test_support::err(Format::Edifact, input)
}

fn msg(tree: &Value) -> &Value {
    let ic = &tree["interchanges"][0];
    if ic.get("groups").is_some() {
        &ic["groups"][0]["messages"][0]
    } else {
        &ic["messages"][0]
    }
}

fn delims(component: char, element: char, release: char, repetition: char, segment: &str) -> EdifactDelimiters {
    EdifactDelimiters {
        component,
        element,
        decimal: '.',
        release,
        repetition,
        segment: segment.to_owned(),
    }
}

fn delimiter_sets() -> Vec<EdifactDelimiters> {
    vec![
        EdifactDelimiters::default(),
        delims(':', '+', '?', '*', "'"),
        delims('^', '|', '\\', '#', "~\r\n"),
        delims('>', '*', '!', '^', "'"),
        delims('+', ':', '/', '~', "!\n"),
    ]
}

/// Encodes `tree` with `delimiters`, decodes the output, and checks that the tree is unchanged
/// (warnings aside: the writer computes correct trailers).
fn assert_round_trips(tree: &Value, delimiters: EdifactDelimiters) {
    let opts = EncodeOptions {
        edifact_delimiters: delimiters.clone(),
        ..EncodeOptions::default()
    };
    let bytes = encode(Format::Edifact, tree, &opts).unwrap_or_else(|e| panic!("encode failed: {e}"));
    let again = edifact(&bytes).unwrap_or_else(|e| {
        panic!(
            "re-decode failed with {delimiters:?}: {e}\n{}",
            String::from_utf8_lossy(&bytes)
        )
    });
    // Only warnings about the body's own structure may remain: the trailers are computed.
    let structural = |w: &String| w.contains("kept where it occurs") || w.contains("occurs again");
    assert!(
        warnings(&again).iter().all(structural),
        "the writer's output has warnings: {:?}\n{}",
        warnings(&again),
        String::from_utf8_lossy(&bytes)
    );
    assert_eq!(
        without_warnings(&again),
        without_warnings(tree),
        "round trip with {delimiters:?} changed the tree\n{}",
        String::from_utf8_lossy(&bytes)
    );
}

#[test]
fn decodes_the_readme_order() {
    let tree = ok(ORDER.as_bytes());
    let expected = json!({
        "interchanges": [{
            "syntax_identifier": "UNOC", "syntax_version": "3",
            "sender_id": "5412345000013", "sender_qualifier": "14",
            "recipient_id": "4012345000094", "recipient_qualifier": "14",
            "date": "260105", "time": "1200", "control_reference": "1001",
            "messages": [{
                "message_reference": "1", "message_type": "ORDERS", "version": "D", "release": "96A",
                "agency": "UN", "association_code": "EAN008",
                "BGM": {"BGM01": "220", "BGM02": "PO-1001", "BGM03": "9"},
                "DTM": [{"DTM01": {"DTM01-1": "137", "DTM01-2": "20260105", "DTM01-3": "102"}}],
                "NAD_group": [
                    {"NAD": {"NAD01": "BY", "NAD02": {"NAD02-1": "5412345000013", "NAD02-3": "9"}}},
                    {"NAD": {"NAD01": "DP", "NAD02": {"NAD02-1": "5412345000020", "NAD02-3": "9"},
                             "NAD04": "Shanghai DC", "NAD05": "88 Pudong Ave+ Gate 2", "NAD06": "Shanghai",
                             "NAD08": "200120", "NAD09": "CN"}}
                ],
                "LIN_group": [
                    {
                        "LIN": {"LIN01": "1", "LIN03": {"LIN03-1": "4000862141404", "LIN03-2": "SRS"}},
                        "QTY": [{"QTY01": {"QTY01-1": "21", "QTY01-2": "10", "QTY01-3": "PCE"}}],
                        "PRI_group": [{"PRI": {"PRI01": {"PRI01-1": "AAA", "PRI01-2": "12.5"}}}]
                    },
                    {
                        "LIN": {"LIN01": "2", "LIN03": {"LIN03-1": "4000862141411", "LIN03-2": "SRS"}},
                        "QTY": [{"QTY01": {"QTY01-1": "21", "QTY01-2": "4"}}]
                    }
                ],
                "UNS_group": [{"UNS": {"UNS01": "S"}, "CNT": [{"CNT01": {"CNT01-1": "2", "CNT01-2": "2"}}]}]
            }]
        }]
    });
    assert_eq!(tree, expected);
}

#[test]
fn writes_the_order_back_byte_for_byte() {
    let tree = ok(ORDER.as_bytes());
    let bytes = encode(Format::Edifact, &tree, &EncodeOptions::default()).unwrap();
    assert_eq!(String::from_utf8(bytes).unwrap(), ORDER);
}

/// ORDER with other delimiters, written by hand.
fn with_delimiters(una: &str, component: &str, element: &str, release: &str, terminator: &str) -> String {
    let body: String = ORDER.lines().skip(1).map(|l| format!("{l}\n")).collect();
    let mut out = String::from(una);
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c {
            // A released character stays what it was; only the release character changes.
            '?' => {
                out.push_str(release);
                out.extend(chars.next());
            }
            ':' => out.push_str(component),
            '+' => out.push_str(element),
            '\'' => out.push_str(terminator),
            c => out.push(c),
        }
    }
    out
}

#[test]
fn every_delimiter_choice_reads_the_same_tree() {
    let expected = ok(ORDER.as_bytes());
    // Without a UNA the defaults apply.
    let plain: String = ORDER.lines().skip(1).collect();
    assert_eq!(ok(plain.as_bytes()), expected);
    for (una, c, e, r, t) in [
        ("UNA^|.\\ ~", "^", "|", "\\", "~"),
        ("UNA>*,# !", ">", "*", "#", "!"),
        ("UNA+:.#*~", "+", ":", "#", "~"),
        ("UNA:+.?*'", ":", "+", "?", "'"),
    ] {
        let input = with_delimiters(una, c, e, r, t);
        let mut got = ok(input.as_bytes());
        // A UNA declaring `,` is reported (the values here happen to use `.` all the same).
        if una.as_bytes()[5] == b',' {
            let mark = got["interchanges"][0]
                .as_object_mut()
                .and_then(|i| i.remove("decimal_mark"));
            assert_eq!(mark, Some(json!(",")), "{una}");
        }
        assert_eq!(got, expected, "{una}");
    }
    // One line, CRLF line ends, a BOM.
    let one_line: String = ORDER.lines().collect();
    assert_eq!(ok(one_line.as_bytes()), expected);
    let crlf = format!("\u{feff}{}", ORDER.replace('\n', "\r\n"));
    assert_eq!(ok(crlf.as_bytes()), expected);
}

#[test]
fn release_characters_are_undone_and_written_where_needed() {
    let input = "UNB+UNOC:3+A+B+260105:1200+1'UNH+1+ORDERS:D:96A:UN'FTX+AAI+++a?:b?+c?'d??e*f'UNT+3+1'UNZ+1+1'";
    let tree = ok(input.as_bytes());
    assert_eq!(msg(&tree)["FTX"][0]["FTX04"], json!("a:b+c'd?e*f"));
    let out = String::from_utf8(encode(Format::Edifact, &tree, &EncodeOptions::default()).unwrap()).unwrap();
    assert!(out.contains("FTX+AAI+++a?:b?+c?'d??e*f'"), "{out}");
    for d in delimiter_sets() {
        assert_round_trips(&tree, d);
    }
    // Version 4: `*` repeats, so a literal one is released.
    let v4 = "UNA:+.?*'UNB+UNOW:4+A+B+20260105:1200+1'UNH+1+ORDERS:D:01B:UN'FTX+AAI+++x?*y*z'UNT+3+1'UNZ+1+1'";
    let tree = ok(v4.as_bytes());
    assert_eq!(msg(&tree)["FTX"][0]["FTX04"], json!(["x*y", "z"]));
    let out = String::from_utf8(encode(Format::Edifact, &tree, &EncodeOptions::default()).unwrap()).unwrap();
    assert!(out.starts_with("UNA:+.?*'"), "{out}");
    assert!(out.contains("FTX+AAI+++x?*y*z'"), "{out}");
    for d in delimiter_sets() {
        assert_round_trips(&tree, d);
    }
}

#[test]
fn empty_and_trailing_elements_and_components_are_left_out() {
    let input = "UNB+UNOC:3+A+B+260105:1200+1'UNH+1+XYZ:D:96A:UN'ABC+++x+:y:+::+'DEF'UNT+4+1'UNZ+1+1'";
    let tree = ok(input.as_bytes());
    assert_eq!(
        msg(&tree)["segments"],
        json!([{"ABC": {"ABC03": "x", "ABC04": {"ABC04-2": "y"}}}, {"DEF": {}}])
    );
    let out = String::from_utf8(encode(Format::Edifact, &tree, &EncodeOptions::default()).unwrap()).unwrap();
    assert!(out.contains("ABC+++x+:y'\nDEF'\n"), "{out}");
}

#[test]
fn repetitions_need_version_4() {
    // In version 3 the `*` is data.
    let v3 = "UNB+UNOC:3+A+B+260105:1200+1'UNH+1+XYZ:D:96A:UN'ABC+a*b:c'UNT+3+1'UNZ+1+1'";
    assert_eq!(
        msg(&ok(v3.as_bytes()))["segments"][0]["ABC"]["ABC01"],
        json!({"ABC01-1": "a*b", "ABC01-2": "c"})
    );
    let v4 = "UNB+UNOW:4+A+B+20260105:1200+1'UNH+1+XYZ:D:96A:UN'ABC+a*b:c**'UNT+3+1'UNZ+1+1'";
    let tree = ok(v4.as_bytes());
    assert_eq!(
        msg(&tree)["segments"][0]["ABC"]["ABC01"],
        json!(["a", {"ABC01-1": "b", "ABC01-2": "c"}])
    );
    // A tree with repetitions cannot be written as version 3.
    let mut v3_tree = tree.clone();
    v3_tree["interchanges"][0]["syntax_version"] = json!("3");
    let e = encode(Format::Edifact, &v3_tree, &EncodeOptions::default()).unwrap_err();
    assert!(e.to_string().contains("needs syntax version 4"), "{e}");
}

#[test]
fn wrong_counts_and_references_warn_or_fail_when_strict() {
    let cases = [
        (
            "UNT+13+1'",
            "UNT+12+1'",
            "unt01 says `12` segments but message 1 (UNH to UNT) has 13",
            "UNT",
            1,
        ),
        (
            "UNT+13+1'",
            "UNT+13+2'",
            "unt02 reference `2` does not match unh01 `1`",
            "UNT",
            2,
        ),
        (
            "UNZ+1+1001'",
            "UNZ+2+1001'",
            "unz01 says `2` messages but interchange 1001 has 1",
            "UNZ",
            1,
        ),
        (
            "UNZ+1+1001'",
            "UNZ+1+1002'",
            "unz02 reference `1002` does not match unb05 `1001`",
            "UNZ",
            2,
        ),
    ];
    for (good, bad, message, tag, element) in cases {
        let input = ORDER.replace(good, bad);
        let tree = ok(input.as_bytes());
        assert_eq!(warnings(&tree), vec![message.to_owned()], "{bad}");
        let w = &tree["interchanges"][0]["warnings"][0];
        assert_eq!(w["tag"], json!(tag));
        assert_eq!(w["element"], json!(element));
        let e = strict(input.as_bytes()).unwrap_err();
        assert_eq!(e.message, message);
        let position = e.segment.as_deref().unwrap();
        assert_eq!((position.tag.as_str(), position.element), (tag, Some(element)));
    }
    let e = strict(ORDER.replace("UNT+13+1'", "UNT+12+1'").as_bytes()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "edifact: unt01 says `12` segments but message 1 (UNH to UNT) has 13 at segment 15 `UNT`, element UNT01, line 15, column 5 (byte 361)"
    );
    // Leading zeros in numeric references are not a mismatch.
    assert!(warnings(&ok(ORDER.replace("UNT+13+1'", "UNT+13+0001'").as_bytes())).is_empty());
}

#[test]
fn groups_are_counted_and_checked() {
    let input = "UNB+UNOA:3+A+B+260105:1200+9'UNG+ORDERS+A+B+260105:1200+7+UN+D:96A'UNH+1+ORDERS:D:96A:UN'BGM+220+X'UNT+3+1'UNH+2+ORDERS:D:96A:UN'BGM+220+Y'UNT+3+2'UNE+2+7'UNZ+1+9'";
    let tree = ok(input.as_bytes());
    assert!(warnings(&tree).is_empty(), "{:?}", warnings(&tree));
    let group = &tree["interchanges"][0]["groups"][0];
    assert_eq!(group["message_group_id"], json!("ORDERS"));
    assert_eq!(group["messages"][1]["BGM"]["BGM02"], json!("Y"));
    let bad = input.replace("UNE+2+7'", "UNE+3+8'").replace("UNZ+1+9'", "UNZ+2+9'");
    assert_eq!(
        warnings(&ok(bad.as_bytes())),
        vec![
            "une01 says `3` messages but functional group 7 has 2",
            "une02 reference `8` does not match ung05 `7`",
            "unz01 says `2` functional groups but interchange 9 has 1",
        ]
    );
    assert_round_trips(&tree, EdifactDelimiters::default());
    let mixed = input.replace("UNZ+1+9'", "UNH+3+ORDERS:D:96A:UN'UNT+2+3'UNZ+1+9'");
    assert!(err(mixed.as_bytes()).message.contains("mixes messages"));
}

#[test]
fn truncated_input_warns_or_fails_when_strict() {
    let input = ORDER.split("UNS+S'").next().unwrap().to_owned() + "UNS+S'";
    let tree = ok(input.as_bytes());
    assert_eq!(
        warnings(&tree),
        vec![
            "unexpected end of input: message 1 has no UNT trailer",
            "unexpected end of input: interchange 1001 has no UNZ trailer",
        ]
    );
    let e = strict(input.as_bytes()).unwrap_err();
    assert!(e.message.contains("has no UNT trailer"), "{e}");
    assert_eq!(e.offset, Some(input.len()));
    assert_round_trips(&tree, EdifactDelimiters::default());
    // Every prefix decodes or is refused, never panics.
    for end in 0..ORDER.len() {
        let _ = edifact(&ORDER.as_bytes()[..end]);
        let _ = strict(&ORDER.as_bytes()[..end]);
    }
    let unterminated = ORDER.trim_end().trim_end_matches('\'');
    assert_eq!(
        warnings(&ok(unterminated.as_bytes())),
        vec!["the last segment has no segment terminator"]
    );
}

#[test]
fn unknown_messages_are_flat_and_unknown_segments_are_kept_in_place() {
    let input = "UNB+UNOC:3+A+B+260105:1200+1'UNH+1+IFTMIN:D:96A:UN'BGM+610+X'TDT+20'UNT+4+1'UNZ+1+1'";
    let tree = ok(input.as_bytes());
    assert_eq!(
        msg(&tree)["segments"],
        json!([{"BGM": {"BGM01": "610", "BGM02": "X"}}, {"TDT": {"TDT01": "20"}}])
    );
    assert_round_trips(&tree, EdifactDelimiters::default());
    let input = ORDER
        .replace("QTY+21:4'", "QTY+21:4'\nZZZ+1'")
        .replace("UNT+13+1'", "UNT+14+1'");
    let tree = ok(input.as_bytes());
    assert_eq!(
        warnings(&tree),
        vec!["segment `ZZZ` is not part of message ORDERS; kept where it occurs"]
    );
    assert_eq!(msg(&tree)["LIN_group"][1]["ZZZ"], json!([{"ZZZ01": "1"}]));
    assert_round_trips(&tree, EdifactDelimiters::default());
}

#[test]
fn syntax_level_b_and_latin1_unoc() {
    let input = "UNB\x1dUNOB\x1f3\x1dA\x1dB\x1d260105\x1f1200\x1d1\x1cUNH\x1d1\x1dXYZ\x1fD\x1f96A\x1fUN\x1cABC\x1dx?y\x1cUNT\x1d3\x1d1\x1cUNZ\x1d1\x1d1\x1c";
    let tree = ok(input.as_bytes());
    assert_eq!(msg(&tree)["segments"][0]["ABC"]["ABC01"], json!("x?y"));
    let mut latin1 = b"UNB+UNOC:3+A+B+260105:1200+1'UNH+1+XYZ:D:96A:UN'ABC+M".to_vec();
    latin1.extend_from_slice(b"\xfcnchen'UNT+3+1'UNZ+1+1'");
    assert_eq!(msg(&ok(&latin1))["segments"][0]["ABC"]["ABC01"], json!("München"));
    let e = err(&latin1
        .iter()
        .map(|&b| if b == b'C' { b'A' } else { b })
        .collect::<Vec<_>>());
    assert_eq!(e.kind, DecodeErrorKind::Unsupported);
}

#[test]
fn refusals_say_what_and_where() {
    let cases: &[(&str, &str)] = &[
        ("", "unexpected end of input: an EDIFACT interchange starts with UNB"),
        (
            "UNA:+.? '",
            "unexpected end of input: an EDIFACT interchange starts with UNB",
        ),
        ("UNA:+", "UNA service string advice needs 6 characters"),
        ("UNA:+.?:'UNB+UNOC:3'", "una uses `:` for two service characters"),
        ("UNAa+.? 'UNB'", "una position 1 is `a`"),
        ("BGM+1'", "expected UNA or UNB to start an interchange, found `BGM`"),
        (
            "UNB+UNOC:3+A+B+1:1+1'BGM+1'",
            "segment `BGM` is outside a message in interchange 1",
        ),
        (
            "UNB+UNOC:3+A+B+1:1+1'UNH+1+X:D:9:UN'UNH+2'",
            "message 1 is not closed: UNH before its UNT",
        ),
        (
            "UNB+UNOC:3+A+B+1:1+1'UNB+UNOC:3'",
            "interchange 1 is not closed: UNB before its UNZ",
        ),
        ("UNB+UNOC:3+A+B+1:1+1'UNH+1+X:D:9:UN'ab+1'", "expected a segment tag"),
        (
            "UNB+UNOC:3+A+B+1:1+1'UNH+1+X:D:9:UN'FTX+1?",
            "unexpected end of input after the release character",
        ),
        (
            "UNB+UNOC:3+A+B+1:1+1'UNZ+0+1'UNA:+.? 'UNA:+.? '",
            "a second UNA before UNB",
        ),
        ("\u{0}\u{1}garbage", "expected a segment tag"),
    ];
    for (input, message) in cases {
        let e = err(input.as_bytes());
        assert!(e.message.contains(message), "{input:?}: {e}");
        assert!(e.offset.is_some() && e.line.is_some(), "{input:?}: {e:?}");
        assert!(e.segment.is_some(), "{input:?}: {e:?}");
    }
    let e = err(b"UNB+UNOC:3+A+B+1:1+1'\nUNH+1+X:D:9:UN'\nUNH+2'");
    assert_eq!(
        e.to_string(),
        "edifact: message 1 is not closed: UNH before its UNT at segment 3 `UNH`, line 3, column 1 (byte 38)"
    );
    let too_large = DecodeOptions {
        max_size: 10,
        ..DecodeOptions::default()
    };
    let e = decode(Format::Edifact, ORDER.as_bytes(), &too_large).unwrap_err();
    assert_eq!(e.kind, DecodeErrorKind::TooLarge);
}

#[test]
fn encode_refusals_name_the_tree_path() {
    let tree = ok(ORDER.as_bytes());
    let enc = |t: &Value, d: EdifactDelimiters| {
        let opts = EncodeOptions {
            edifact_delimiters: d,
            ..EncodeOptions::default()
        };
        encode(Format::Edifact, t, &opts).unwrap_err().to_string()
    };
    let d = EdifactDelimiters::default();
    let mut t = tree.clone();
    t["interchanges"][0]["messages"][0]["BGM"]["BGM1"] = json!("x");
    assert!(
        enc(&t, d.clone()).contains("not an element of `BGM`"),
        "{}",
        enc(&t, d.clone())
    );
    let mut t = tree.clone();
    t["interchanges"][0]["messages"][0]["LIN"] = json!({"LIN01": "1"});
    assert!(enc(&t, d.clone()).contains("put it in `LIN_group`"));
    let mut t = tree.clone();
    t["interchanges"][0]["messages"][0]["BGM"]["BGM01"] = json!(true);
    assert_eq!(
        enc(&t, d.clone()),
        "edifact: an element must be a string, a composite object or an array of repetitions at `.interchanges[0].messages[0].BGM.BGM01`"
    );
    let mut t = tree.clone();
    t["interchanges"][0]
        .as_object_mut()
        .unwrap()
        .remove("control_reference");
    assert!(enc(&t, d.clone()).contains("missing"));
    let mut t = tree.clone();
    t["interchanges"][0]["messages"][0]["segments"] = json!([]);
    assert!(enc(&t, d.clone()).contains("has a structure definition"));
    assert!(enc(&tree, delims(':', ':', '?', '*', "'")).contains("used twice"));
    assert!(enc(&tree, delims('a', '+', '?', '*', "'")).contains("printable ASCII"));
    assert!(enc(&tree, delims(':', '+', '?', '*', "'x")).contains("only be followed by CR and LF"));
    assert!(enc(&json!([]), d).contains("`interchanges` array"));
}

#[test]
fn garbage_and_mutations_never_panic_and_decoded_mutants_round_trip() {
    let mut seeds: Vec<Vec<u8>> = vec![ORDER.as_bytes().to_vec()];
    if let Some(files) = samples() {
        seeds.extend(files.into_iter().map(|(_, bytes)| bytes));
    }
    let alphabet = b"UNAUNBUNHUNTUNZUNGUNE:+.?*' \n\x1c\x1d\x1fLINQTY0123456789\xc3\xbc";
    let mut rng = Rng(0x0ed1_fac7_2026_0105);
    let mut decoded = 0;
    for round in 0..3000 {
        let seed = &seeds[round % seeds.len()];
        let mut input = seed.clone();
        for _ in 0..=rng.below(4) {
            let at = rng.below(input.len() + 1);
            match rng.below(4) {
                0 if at < input.len() => {
                    input.remove(at);
                }
                1 => input.insert(at, alphabet[rng.below(alphabet.len())]),
                2 if at < input.len() => input[at] = alphabet[rng.below(alphabet.len())],
                _ => input.truncate(at),
            }
        }
        let _ = strict(&input);
        if let Ok(tree) = edifact(&input) {
            decoded += 1;
            let opts = EncodeOptions::default();
            // A mutant may hold values the writer refuses (a tag-less envelope, say); what it
            // writes must read back as the same tree.
            if let Ok(bytes) = encode(Format::Edifact, &tree, &opts) {
                let again = edifact(&bytes).unwrap_or_else(|e| {
                    panic!(
                        "round {round}: re-decode failed: {e}\n{}\n---\n{}",
                        String::from_utf8_lossy(&input),
                        String::from_utf8_lossy(&bytes)
                    )
                });
                assert_eq!(
                    without_warnings(&again),
                    without_warnings(&tree),
                    "round {round}\n{}",
                    String::from_utf8_lossy(&input)
                );
            }
        }
    }
    assert!(decoded > 100, "only {decoded} mutants decoded");
    for round in 0..500 {
        let len = rng.below(200);
        let garbage: Vec<u8> = (0..len).map(|_| alphabet[rng.below(alphabet.len())]).collect();
        let _ = edifact(&garbage);
        let mut prefixed = b"UNB+UNOC:3+A+B+1:1+1'".to_vec();
        prefixed.extend_from_slice(&garbage);
        let _ = strict(&prefixed);
        let _ = round;
    }
}

// ---- the shared samples --------------------------------------------------------------------

fn samples() -> Option<Vec<(String, Vec<u8>)>> {
    let (files, shared) = crate::test_support::sample_files("edifact");
    if shared {
        assert_eq!(files.len(), KNOWN_WARNINGS.len(), "a sample was added or removed");
    }
    assert!(files.len() >= 4, "samples are missing");
    Some(files)
}

/// The warnings each sample decodes with: oddities of the files as published.
const KNOWN_WARNINGS: &[(&str, &[&str])] = &[
    ("desadv-01-d96a.edi", &[]),
    ("invoic-01-d97b.edi", &[]),
    ("invoic-02-d93a-una-decimal-comma.edi", &[]),
    (
        "invoic-03-d14b-en16931-syntax4.edi",
        &["unz02 reference `12115118` does not match unb05 `87846595`"],
    ),
    (
        "orders-01-d96a.edi",
        &[
            "unexpected end of input: message 1 has no UNT trailer",
            "unexpected end of input: interchange 3 has no UNZ trailer",
        ],
    ),
    (
        "orders-02-eancom-d96b-with-ung.edi",
        &["unt01 says `21` segments but message 1 (UNH to UNT) has 18"],
    ),
];

#[test]
fn every_sample_decodes_with_exactly_the_known_warnings() {
    let Some(files) = samples() else { return };
    for (name, bytes) in &files {
        let Some(&(_, expected)) = KNOWN_WARNINGS.iter().find(|(n, _)| n == name) else {
            panic!("{name} is not listed in KNOWN_WARNINGS");
        };
        let tree = edifact(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(warnings(&tree), expected, "{name}");
        assert_eq!(strict(bytes).is_ok(), expected.is_empty(), "{name} in strict mode");
    }
}

#[test]
fn every_sample_round_trips_with_every_delimiter_choice() {
    let Some(files) = samples() else { return };
    for (name, bytes) in &files {
        let tree = edifact(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        for d in delimiter_sets() {
            assert_round_trips(&tree, d);
        }
    }
}

#[test]
fn samples_nest_as_their_structure_says() {
    // Several of the files below are not redistributable, so not in the repository.
    if !crate::test_support::sample_files("edifact").1 {
        eprintln!("skipped: needs the shared edifact samples");
        return;
    }
    let Some(files) = samples() else { return };
    let get = |name: &str| {
        let (_, bytes) = files.iter().find(|(n, _)| n == name).unwrap();
        edifact(bytes).unwrap()
    };
    let tree = get("invoic-03-d14b-en16931-syntax4.edi");
    let m = msg(&tree);
    assert_eq!(m["code_list_version"], json!("16B"));
    assert_eq!(
        m["FTX"][0]["FTX04"]
            .as_str()
            .unwrap()
            .matches("Betalingstermijn: 14")
            .count(),
        1
    );
    assert!(m["FTX"][0]["FTX04"].as_str().unwrap().ends_with("25-04-'85."));
    assert_eq!(m["FTX"][1]["FTX04"], json!("urn:cen.eu:en16931:2017"));
    assert_eq!(m["LIN_group"].as_array().unwrap().len(), 20);
    assert_eq!(m["NAD_group"][0]["FII"].as_array().unwrap().len(), 2);
    assert_eq!(
        m["UNS_group"][0]["TAX_group"][1]["MOA"][1]["MOA01"]["MOA01-2"],
        json!("9.74")
    );
    let tree = get("invoic-02-d93a-una-decimal-comma.edi");
    assert_eq!(
        msg(&tree)["LIN_group"][1]["PRI_group"][0]["PRI"]["PRI01"]["PRI01-2"],
        json!("19,9")
    );
    assert_eq!(tree["interchanges"][0]["decimal_mark"], json!(","));
    // Written back, the UNA declares it again, so `19,9` means the same to the partner.
    let bytes = encode(Format::Edifact, &tree, &EncodeOptions::default()).unwrap();
    assert!(
        bytes.starts_with(b"UNA:+,? '"),
        "{}",
        String::from_utf8_lossy(&bytes[..12])
    );
    let back = decode(Format::Edifact, &bytes, &DecodeOptions::default()).unwrap();
    assert_eq!(back["interchanges"][0]["decimal_mark"], json!(","));
    assert!(
        get("desadv-01-d96a.edi")["interchanges"][0]
            .get("decimal_mark")
            .is_none()
    );
    assert_eq!(msg(&tree)["NAD_group"][0]["NAD"]["NAD06"], json!("München"));
    let tree = get("desadv-01-d96a.edi");
    assert_eq!(msg(&tree)["version"], json!("0"));
    assert_eq!(
        msg(&tree)["CPS_group"][0]["LIN_group"][1]["RFF_group"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let tree = get("orders-02-eancom-d96b-with-ung.edi");
    assert_eq!(tree["interchanges"][0]["groups"][0]["UNG07-4"], json!("IGNORED"));
    assert_eq!(msg(&tree)["association_code"], json!("EAN008B"));
    assert_eq!(msg(&tree)["LIN_group"][0]["SCC_group"][0]["SCC"]["SCC01"], json!("7"));
}
