//! X12 tests: hand-made edge cases, every shared sample, strict mode, and round trips.

use serde_json::{Value, json};

use crate::edi::test_support::{self, warnings, without_warnings};
use crate::test_support::Rng;
use crate::{DecodeError, DecodeErrorKind, DecodeOptions, EncodeOptions, Format, X12Delimiters, decode, encode};

/// A short 4010 850 written with the usual delimiters (it is also the README's example).
const PO: &str =
    "ISA*00*          *00*          *ZZ*BUYER          *ZZ*SELLER         *260105*1200*U*00401*000000101*0*P*>~
GS*PO*BUYER*SELLER*20260105*1200*101*X*004010~
ST*850*0001~
BEG*00*SA*PO-1001**20260105~
REF*DP*038~
REF*IA*V-77~
N1*ST*Shanghai DC*92*SH01~
N3*88 Pudong Ave~
N4*Shanghai**200120*CN~
PO1*1*10*EA*12.5**VP*SKU-1*UP*012345678905~
PID*F****Widget~
PO1*2*4*CA*30**VP*SKU-2~
CTT*2~
SE*12*0001~
GE*1*101~
IEA*1*000000101~
";

fn x12(input: &[u8]) -> Result<Value, DecodeError> {
    decode(Format::X12, input, &DecodeOptions::default())
}

fn strict(input: &[u8]) -> Result<Value, DecodeError> {
    test_support::strict(Format::X12, input)
}

fn ok(input: &[u8]) -> Value {
    test_support::ok(Format::X12, input)
}

fn err(input: &[u8]) -> DecodeError {
    test_support::err(Format::X12, input)
}

fn tx(tree: &Value) -> &Value {
    &tree["interchanges"][0]["groups"][0]["transactions"][0]
}

/// Encodes `tree` with `delimiters`, decodes the output, and checks that the tree is unchanged
/// (warnings aside: trailers are recomputed, so envelope warnings do not come back).
fn assert_round_trips(tree: &Value, delimiters: X12Delimiters) {
    let opts = EncodeOptions {
        x12_delimiters: delimiters,
        ..EncodeOptions::default()
    };
    let bytes = encode(Format::X12, tree, &opts).unwrap_or_else(|e| panic!("encode failed: {e}"));
    let again = x12(&bytes).unwrap_or_else(|e| {
        panic!(
            "reading our own output failed: {e}\n{}",
            String::from_utf8_lossy(&bytes)
        )
    });
    assert_eq!(
        without_warnings(&again),
        without_warnings(tree),
        "round trip changed the tree; output was:\n{}",
        String::from_utf8_lossy(&bytes)
    );
    for w in warnings(&again) {
        assert!(
            !w.contains("does not match") && !w.contains(" says "),
            "our output has an envelope warning: {w}"
        );
    }
}

fn delimiter_sets() -> Vec<X12Delimiters> {
    vec![
        X12Delimiters::default(),
        X12Delimiters {
            element: '|',
            component: '>',
            repetition: '!',
            segment: "\n".to_owned(),
        },
        X12Delimiters {
            element: '~',
            component: '^',
            repetition: '{',
            segment: "}\r\n".to_owned(),
        },
        X12Delimiters {
            element: '*',
            component: '>',
            repetition: '^',
            segment: "\u{2026}".to_owned(),
        },
        // Control characters, which no sample has in its data.
        X12Delimiters {
            element: '\x1d',
            component: '\x1f',
            repetition: '\x1e',
            segment: "\x1c\n".to_owned(),
        },
    ]
}

#[test]
fn decodes_the_readme_purchase_order() {
    let tree = ok(PO.as_bytes());
    let expected: Value = serde_json::from_str(
        r#"{
      "interchanges": [{
        "authorization_qualifier": "00", "security_qualifier": "00",
        "sender_qualifier": "ZZ", "sender_id": "BUYER", "receiver_qualifier": "ZZ", "receiver_id": "SELLER",
        "date": "260105", "time": "1200", "version": "00401", "control_number": "000000101",
        "ack_requested": "0", "usage_indicator": "P",
        "groups": [{
          "functional_id": "PO", "sender_id": "BUYER", "receiver_id": "SELLER", "date": "20260105",
          "time": "1200", "control_number": "101", "agency": "X", "version": "004010",
          "transactions": [{
            "set_id": "850", "control_number": "0001",
            "BEG": {"BEG01": "00", "BEG02": "SA", "BEG03": "PO-1001", "BEG05": "20260105"},
            "REF": [{"REF01": "DP", "REF02": "038"}, {"REF01": "IA", "REF02": "V-77"}],
            "N1_loop": [{
              "N1": {"N101": "ST", "N102": "Shanghai DC", "N103": "92", "N104": "SH01"},
              "N3": [{"N301": "88 Pudong Ave"}],
              "N4": [{"N401": "Shanghai", "N403": "200120", "N404": "CN"}]
            }],
            "PO1_loop": [
              {
                "PO1": {"PO101": "1", "PO102": "10", "PO103": "EA", "PO104": "12.5", "PO106": "VP",
                        "PO107": "SKU-1", "PO108": "UP", "PO109": "012345678905"},
                "PID_loop": [{"PID": {"PID01": "F", "PID05": "Widget"}}]
              },
              {"PO1": {"PO101": "2", "PO102": "4", "PO103": "CA", "PO104": "30", "PO106": "VP", "PO107": "SKU-2"}}
            ],
            "CTT_loop": [{"CTT": {"CTT01": "2"}}]
          }]
        }]
      }]
    }"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(tree, expected);
    for d in delimiter_sets() {
        assert_round_trips(&tree, d);
    }
}

#[test]
fn writes_the_purchase_order_back_byte_for_byte() {
    let tree = ok(PO.as_bytes());
    let opts = EncodeOptions {
        x12_delimiters: X12Delimiters {
            component: '>',
            ..X12Delimiters::default()
        },
        ..EncodeOptions::default()
    };
    let out = encode(Format::X12, &tree, &opts).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), PO);
}

/// Replaces the delimiters of `PO` (written with `*`, `>`, `~` and a newline).
fn with_delimiters(element: &str, component: &str, terminator: &str) -> String {
    PO.replace('*', element)
        .replace('>', component)
        .replace("~\n", terminator)
}

#[test]
fn every_delimiter_choice_reads_the_same_tree() {
    let expected = ok(PO.as_bytes());
    for (element, component, terminator) in [
        ("|", "^", "~\n"),
        ("~", ">", "}\r\n"),
        ("~", ">", "*"),
        ("*", "|", "\n"),
        ("*", ">", "\r\n"),
        ("*", ":", "\u{2026}\n"),
        ("*", ">", "\u{2026}"),
        ("!", "\\", "'"),
        ("\x1d", "\x1f", "\x1c"),
    ] {
        let input = with_delimiters(element, component, terminator);
        assert_eq!(
            ok(input.as_bytes()),
            expected,
            "delimiters {element:?} {component:?} {terminator:?}"
        );
    }
}

#[test]
fn tolerates_bom_indentation_blank_lines_and_one_line_files() {
    let expected = ok(PO.as_bytes());
    let indented: String = PO.lines().map(|l| format!("\t  {l}\r\n\r\n")).collect();
    assert_eq!(ok(format!("\u{feff}\n  {indented}").as_bytes()), expected);
    assert_eq!(ok(PO.replace('\n', "").as_bytes()), expected);
}

#[test]
fn empty_and_trailing_elements_are_left_out() {
    let input = PO.replace("BEG*00*SA*PO-1001**20260105~", "BEG*00*SA*PO-1001**20260105*****~");
    let tree = ok(input.as_bytes());
    assert_eq!(
        tx(&tree)["BEG"],
        json!({"BEG01": "00", "BEG02": "SA", "BEG03": "PO-1001", "BEG05": "20260105"})
    );
    let input = PO.replace("CTT*2~", "CTT~");
    assert_eq!(tx(&ok(input.as_bytes()))["CTT_loop"][0]["CTT"], json!({}));
}

#[test]
fn composites_and_repetitions() {
    let input = PO
        .replace("*U*00401*", "*^*00501*")
        .replace("REF*IA*V-77~", "REF*IA*V-77*note*A>B>>D^X^^Y>^~");
    let tree = ok(input.as_bytes());
    assert_eq!(
        tx(&tree)["REF"][1]["REF04"],
        json!([{"REF04-1": "A", "REF04-2": "B", "REF04-4": "D"}, "X", "", "Y"])
    );
    for d in delimiter_sets() {
        assert_round_trips(&tree, d);
    }
    // Before 004020 ISA11 is not a separator, and a writer refuses repetitions there.
    let old = PO.replace("REF*IA*V-77~", "REF*IA*V-77*a^b~");
    assert_eq!(tx(&ok(old.as_bytes()))["REF"][1]["REF03"], json!("a^b"));
    let mut four = tree.clone();
    four["interchanges"][0]["version"] = json!("00401");
    let e = encode(Format::X12, &four, &EncodeOptions::default()).unwrap_err();
    assert!(e.to_string().contains("00402 or later"), "{e}");
}

#[test]
fn wrong_counts_and_control_numbers_warn_or_fail_when_strict() {
    let input = PO
        .replace("SE*12*0001~", "SE*11*0002~")
        .replace("GE*1*101~", "GE*2*102~")
        .replace("IEA*1*000000101~", "IEA*3*000000999~");
    let tree = ok(input.as_bytes());
    let w = warnings(&tree);
    assert_eq!(w.len(), 6, "{w:?}");
    assert!(
        w[0].contains("se01 says `11` segments but transaction set 0001 (ST to SE) has 12"),
        "{w:?}"
    );
    assert!(w[1].contains("se02 control number `0002` does not match st02 `0001`"));
    assert!(w[5].contains("iea02 control number `000000999` does not match isa13 `000000101`"));
    let first = &tree["interchanges"][0]["warnings"][0];
    assert_eq!(first["segment"], json!(14));
    assert_eq!(first["tag"], json!("SE"));
    assert_eq!(first["element"], json!(1));
    assert_eq!(first["line"], json!(14));

    let e = strict(input.as_bytes()).unwrap_err();
    assert_eq!(e.kind, DecodeErrorKind::Malformed);
    let at = e.segment.as_deref().map(|p| (p.ordinal, p.tag.as_str(), p.element));
    assert_eq!((at, e.line), (Some((14, "SE", Some(1))), Some(14)));
    assert_eq!(
        e.to_string(),
        "x12: se01 says `11` segments but transaction set 0001 (ST to SE) has 12 at segment 14 `SE`, element SE01, line 14, column 4 (byte 386)"
    );
    assert!(strict(PO.as_bytes()).is_ok());
}

#[test]
fn several_interchanges_groups_and_sets() {
    let two_sets = PO.replace(
        "SE*12*0001~\n",
        "SE*12*0001~\nST*850*0002~\nBEG*00*SA*PO-1002**20260105~\nSE*3*0002~\n",
    );
    let two_sets = two_sets.replace("GE*1*101~", "GE*2*101~");
    let group = "GS*IN*A*B*20260105*1200*7*X*004010~\nST*998*1~\nXX1*a~\nSE*3*1~\nGE*1*7~\n";
    let input = two_sets.replace("IEA*1*000000101~", &format!("{group}IEA*2*000000101~"));
    let input = format!("{input}{}", with_delimiters("|", ">", "\n"));
    let tree = ok(input.as_bytes());
    assert_eq!(tree["interchanges"].as_array().map(Vec::len), Some(2));
    assert_eq!(tree["interchanges"][0]["groups"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        tree["interchanges"][0]["groups"][0]["transactions"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    // An unknown transaction set is a flat list of segments, in order.
    assert_eq!(
        tree["interchanges"][0]["groups"][1]["transactions"][0],
        json!({"set_id": "998", "control_number": "1", "segments": [{"XX1": {"XX101": "a"}}]})
    );
    assert!(warnings(&tree).is_empty(), "{:?}", warnings(&tree));
    assert_round_trips(&tree, X12Delimiters::default());
}

#[test]
fn unknown_segments_are_kept_in_place_with_a_warning() {
    let input = PO
        .replace("PID*F****Widget~", "PID*F****Widget~\nZZZ*x*y~")
        .replace("SE*12*", "SE*13*");
    let tree = ok(input.as_bytes());
    assert_eq!(
        tx(&tree)["PO1_loop"][0]["PID_loop"][0]["ZZZ"],
        json!([{"ZZZ01": "x", "ZZZ02": "y"}])
    );
    let w = warnings(&tree);
    assert_eq!(
        w,
        ["segment `ZZZ` is not part of transaction set 850; kept where it occurs"]
    );
    assert!(
        strict(input.as_bytes()).is_ok(),
        "unknown segments are warnings even when strict"
    );
    assert_round_trips(&tree, X12Delimiters::default());
}

#[test]
fn hl_loops_nest_by_parent_id_or_by_level_when_it_is_omitted() {
    let ship = |hls: &str| {
        let body = format!(
            "ST*856*1~\nBSN*00*1*20260105*1200~\n{hls}SE*{}*1~\n",
            hls.lines().count() + 3
        );
        PO.replace("GS*PO", "GS*SH")
            .replace(&PO[PO.find("ST*850").unwrap_or(0)..PO.find("GE*").unwrap_or(0)], &body)
    };
    let explicit = ok(ship("HL*1**S~\nHL*2*1*O~\nHL*3*2*I~\nLIN**SK*A~\nHL*4*2*I~\nHL*5*1*O~\n").as_bytes());
    let omitted = ok(ship("HL*1**S~\nHL*2**O~\nHL*3**I~\nLIN**SK*A~\nHL*4**I~\nHL*5**O~\n").as_bytes());
    let ids = |tree: &Value| -> Value {
        fn walk(loops: &Value) -> Value {
            Value::Array(
                loops
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|hl| json!([hl["HL"]["HL01"], walk(&hl["HL_loop"])]))
                    .collect(),
            )
        }
        walk(&tx(tree)["HL_loop"])
    };
    let shape = json!([["1", [["2", [["3", []], ["4", []]]], ["5", []]]]]);
    assert_eq!(ids(&explicit), shape);
    assert_eq!(ids(&omitted), shape);
    assert_eq!(
        tx(&explicit)["HL_loop"][0]["HL_loop"][0]["HL_loop"][0]["LIN"]["LIN03"],
        json!("A")
    );
    assert_round_trips(&explicit, X12Delimiters::default());
    assert_round_trips(&omitted, X12Delimiters::default());

    let unknown_parent = ok(ship("HL*1**S~\nHL*2*9*O~\n").as_bytes());
    assert!(warnings(&unknown_parent)[0].contains("hl02 parent `9`"));
    assert_eq!(ids(&unknown_parent), json!([["1", []], ["2", []]]));

    let deep: String = (1..=80).map(|i| format!("HL*{i}*{}*I~\n", i - 1)).collect();
    let e = x12(ship(&deep).as_bytes()).unwrap_err();
    assert_eq!(e.kind, DecodeErrorKind::TooDeep, "{e}");
}

#[test]
fn refusals_say_what_and_where() {
    let e = err(b"  \n<Order/>");
    assert!(
        e.to_string()
            .starts_with("x12: an X12 interchange must start with an ISA segment, found `<Order/>`"),
        "{e}"
    );
    assert_eq!((e.offset, e.segment.map(|p| p.ordinal)), (Some(3), Some(1)));
    assert!(err(b"").message.contains("input is empty"));
    assert!(err(b"\xEF\xBB\xBF \r\n").message.contains("input is empty"));

    let e = err(PO.replace("GE*1*101~\n", "").as_bytes());
    assert!(
        e.to_string()
            .contains("functional group 101 is not closed: IEA before its GE at segment 15 `IEA`"),
        "{e}"
    );
    let e = err(PO.replace("PO1*2", "po1*2").as_bytes());
    assert!(e.to_string().contains("`po1` is not a segment tag"), "{e}");
    assert_eq!((e.segment.as_ref().map(|p| p.ordinal), e.line), (Some(12), Some(12)));
    let e = err(b"ISA*00*          *00*  ~");
    assert!(
        e.message.contains("the ISA header ends after 3 of its 16 elements"),
        "{e}"
    );
    let e = err(PO.replace("*000000101*0*P*", "*0000X0101*0*P*").as_bytes());
    assert!(
        e.to_string()
            .contains("isa13 control number `0000X0101` is not a number"),
        "{e}"
    );
    assert_eq!(e.segment.and_then(|p| p.element), Some(13));
    let e = err(&[PO.as_bytes(), b"\xff"].concat());
    assert!(e.to_string().contains("not valid UTF-8"), "{e}");

    let small = DecodeOptions {
        max_size: 100,
        ..DecodeOptions::default()
    };
    assert_eq!(
        decode(Format::X12, PO.as_bytes(), &small).unwrap_err().kind,
        DecodeErrorKind::TooLarge
    );
}

#[test]
fn every_truncation_is_refused_and_nothing_panics() {
    let input = PO.as_bytes();
    let end = PO.rfind("IEA").unwrap_or(0);
    for len in 0..end {
        let e = x12(&input[..len]).expect_err("a truncated interchange must not decode");
        assert!(e.offset.is_some(), "{e}");
    }
}

#[test]
fn garbage_and_mutations_never_panic_and_decoded_mutants_round_trip() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for _ in 0..300 {
        let len = rng.below(400);
        let bytes: Vec<u8> = (0..len).map(|_| (rng.next() & 0xff) as u8).collect();
        let _ = x12(&bytes);
        let _ = x12(&[b"ISA*".as_slice(), &bytes].concat());
    }
    let alphabet = b"*~>^:|\n\r ABCISTSEGEHL0123456789\xe2\x80\xa6";
    let mut decoded = 0;
    for _ in 0..3000 {
        let mut bytes = PO.as_bytes().to_vec();
        for _ in 0..=rng.below(3) {
            let at = rng.below(bytes.len());
            match rng.below(3) {
                0 => bytes[at] = alphabet[rng.below(alphabet.len())],
                1 => {
                    bytes.remove(at);
                }
                _ => bytes.insert(at, alphabet[rng.below(alphabet.len())]),
            }
        }
        if let Ok(tree) = x12(&bytes) {
            decoded += 1;
            // The writer pads ISA13 to its 9 digits and fills in the ISA elements it has defaults
            // for, so a mutant that broke those comes back with them repaired, as intended.
            let mut tree = tree;
            for ic in tree["interchanges"].as_array_mut().into_iter().flatten() {
                let control = ic["control_number"].as_str().unwrap_or_default();
                ic["control_number"] = json!(format!("{control:0>9}"));
                for (key, default) in [
                    ("authorization_qualifier", "00"),
                    ("security_qualifier", "00"),
                    ("ack_requested", "0"),
                ] {
                    if ic.get(key).is_none() {
                        ic[key] = json!(default);
                    }
                }
            }
            let _ = encode(Format::X12, &tree, &EncodeOptions::default()).map(|out| {
                let again =
                    x12(&out).unwrap_or_else(|e| panic!("our output failed: {e}\n{}", String::from_utf8_lossy(&out)));
                assert_eq!(without_warnings(&again), without_warnings(&tree));
            });
        }
    }
    assert!(decoded > 100, "only {decoded} mutants decoded");
}

#[test]
fn writer_generated_trees_round_trip() {
    // Random values built from a safe alphabet (no delimiters), written and read back.
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let alphabet: Vec<char> = "ABCxyz0189 -./#@订单".chars().collect();
    for _ in 0..200 {
        let word = |rng: &mut Rng| -> String {
            (0..=rng.below(6))
                .map(|_| alphabet[rng.below(alphabet.len())])
                .collect()
        };
        let mut segments = Vec::new();
        for _ in 0..rng.below(8) {
            let tag = ["AA1", "B2", "ZZ9"][rng.below(3)];
            let mut seg = serde_json::Map::new();
            for n in 1..=rng.below(6) {
                let key = format!("{tag}{n:02}");
                let value = match rng.below(4) {
                    0 => continue,
                    1 => json!([word(&mut rng), word(&mut rng)]),
                    2 => json!({format!("{key}-1"): word(&mut rng), format!("{key}-3"): word(&mut rng)}),
                    _ => json!(word(&mut rng)),
                };
                seg.insert(key, value);
            }
            segments.push(json!({ tag: seg }));
        }
        let tree = json!({"interchanges": [{
            "sender_qualifier": "ZZ", "sender_id": word(&mut rng).trim(), "receiver_qualifier": "ZZ",
            "receiver_id": "R", "date": "260105", "time": "1200", "version": "00501",
            "control_number": "000000001", "usage_indicator": "T",
            "authorization_qualifier": "00", "security_qualifier": "00", "ack_requested": "0",
            "groups": [{"functional_id": "ZZ", "control_number": "1",
                        "transactions": [{"set_id": "123", "control_number": "1", "segments": segments}]}]
        }]});
        let mut tree = tree;
        if tree["interchanges"][0]["sender_id"] == json!("") {
            tree["interchanges"][0]["sender_id"] = json!("S");
        }
        // Values the reader normalizes (surrounding ISA spaces, empty pieces) are not generated
        // above except in ways it keeps; decode the output once to compare like with like.
        let out = encode(Format::X12, &tree, &EncodeOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        let first = ok(&out);
        assert_round_trips(&first, delimiter_sets()[rng.below(4)].clone());
    }
}

#[test]
fn encode_refusals_name_the_tree_path() {
    let tree = ok(PO.as_bytes());
    let mut bad = tree.clone();
    bad["interchanges"][0]["groups"][0]["transactions"][0]["BEG"]["BEG03"] = json!("PO*1");
    let e = encode(Format::X12, &bad, &EncodeOptions::default()).unwrap_err();
    assert_eq!(
        e.path.as_deref(),
        Some(".interchanges[0].groups[0].transactions[0].BEG.BEG03")
    );
    assert!(e.message.contains("contains the element separator `*`"), "{e}");

    let mut bad = tree.clone();
    bad["interchanges"][0]["sender_id"] = json!("A-VERY-LONG-SENDER-ID");
    let e = encode(Format::X12, &bad, &EncodeOptions::default()).unwrap_err();
    assert!(e.to_string().contains("ISA06 holds 15"), "{e}");

    let mut bad = tree.clone();
    bad["interchanges"][0]["groups"][0]["transactions"][0]["N1"] = json!({"N101": "ST"});
    let e = encode(Format::X12, &bad, &EncodeOptions::default()).unwrap_err();
    assert!(e.message.contains("put it in `N1_loop`"), "{e}");

    let same = EncodeOptions {
        x12_delimiters: X12Delimiters {
            component: '*',
            ..X12Delimiters::default()
        },
        ..EncodeOptions::default()
    };
    assert!(
        encode(Format::X12, &tree, &same)
            .unwrap_err()
            .message
            .contains("used twice")
    );
    assert!(encode(Format::X12, &json!({"x": 1}), &EncodeOptions::default()).is_err());
}

// ---- the shared samples --------------------------------------------------------------------

fn samples() -> Option<Vec<(String, Vec<u8>)>> {
    let (files, shared) = crate::test_support::sample_files("x12");
    // 26 in the shared corpus; the repository keeps the MIT and Apache-2.0 ones.
    assert!(files.len() >= if shared { 26 } else { 15 }, "samples are missing");
    Some(files)
}

/// The warnings each sample decodes with (non-strict); every other sample decodes cleanly.
/// None is refused.
const SAMPLE_WARNINGS: &[(&str, &[&str])] = &[
    (
        "204-load-tender-01-newline-terminator.edi",
        &["se01 says `41` segments but transaction set 178780001 (ST to SE) has 38"],
    ),
    (
        "850-purchase-order-03-4010-tab-indented-bom.edi",
        &["iea02 control number `000000001` does not match isa13 `000000055`"],
    ),
    (
        "940-warehouse-shipping-order-01.edi",
        &["the last segment has no segment terminator"],
    ),
    (
        "940-warehouse-shipping-order-02-indented.edi",
        &[
            "ge02 control number `940001777` does not match gs06 `177818711`",
            "the last segment has no segment terminator",
            "iea02 control number `940001777` does not match isa13 `398161180`",
        ],
    ),
    (
        "945-warehouse-shipping-advice-01-5010-indented.edi",
        &[
            "gs has 10 elements, 8 expected; the extra ones are kept as GS09 and on",
            "ge02 control number `31` does not match gs06 `20021104`",
        ],
    ),
];

#[test]
fn every_sample_decodes_with_exactly_the_known_warnings() {
    let Some(files) = samples() else { return };
    for (name, bytes) in &files {
        let tree = x12(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let expected: Vec<String> = SAMPLE_WARNINGS
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, w)| w.iter().map(|s| (*s).to_owned()).collect())
            .unwrap_or_default();
        assert_eq!(warnings(&tree), expected, "{name}");
        let mismatches = expected
            .iter()
            .any(|w| w.contains("does not match") || w.contains(" says "));
        match strict(bytes) {
            Ok(_) => assert!(!mismatches, "{name} decoded in strict mode"),
            Err(e) => {
                assert!(mismatches, "{name} failed in strict mode: {e}");
                let at = e.segment.as_deref();
                assert!(
                    at.is_some_and(|p| !p.tag.is_empty() && p.element.is_some()) && e.line.is_some(),
                    "{e}"
                );
            }
        }
    }
}

#[test]
fn every_sample_round_trips_with_every_delimiter_choice() {
    let Some(files) = samples() else { return };
    for (name, bytes) in &files {
        let tree = x12(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let sets = delimiter_sets();
        let last = sets.len() - 1;
        for (i, d) in sets.into_iter().enumerate() {
            // Sample data holds `:`, `-`, `>` and `|`; the writer must refuse a delimiter that
            // occurs in the data, and succeed with delimiters that do not.
            let opts = EncodeOptions {
                x12_delimiters: d.clone(),
                ..EncodeOptions::default()
            };
            match encode(Format::X12, &tree, &opts) {
                Ok(_) => assert_round_trips(&tree, d),
                Err(e) => assert!(i != last && e.message.contains(" contains the "), "{name}: {e}"),
            }
        }
    }
}

#[test]
fn samples_nest_as_their_structure_says() {
    // Several of the files below are not redistributable, so not in the repository.
    if !crate::test_support::sample_files("x12").1 {
        eprintln!("skipped: needs the shared x12 samples");
        return;
    }
    let Some(files) = samples() else { return };
    let get = |name: &str| {
        let bytes = &files
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{name} missing"))
            .1;
        x12(bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    // 856 pick/pack: shipment > order > pack > item, by HL02.
    let asn = get("856-ship-notice-01-sopi-crossdock.edi");
    let item = &tx(&asn)["HL_loop"][0]["HL_loop"][0]["HL_loop"][0]["HL_loop"][0];
    assert_eq!(item["HL"], json!({"HL01": "4", "HL02": "3", "HL03": "I"}));
    assert_eq!(item["LIN"]["LIN03"], json!("0000000000642"));
    // 856 with HL02 omitted: nine items under one order under one shipment.
    let asn = get("856-ship-notice-03-soi-retail-indented.edi");
    assert_eq!(
        tx(&asn)["HL_loop"][0]["HL_loop"][0]["HL_loop"].as_array().map(Vec::len),
        Some(7)
    );
    // 855: line-level N1 inside the PO1 loop; two transaction sets.
    let ack = get("855-po-acknowledgment-03-two-transactions.edi");
    assert_eq!(tx(&ack)["PO1_loop"][1]["N1_loop"][0]["N1"]["N101"], json!("LW"));
    assert_eq!(
        ack["interchanges"][0]["groups"][0]["transactions"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    // 810: SAC loops with their TXI inside the IT1 loop; summary TXI at the end.
    let inv = get("810-invoice-02-ariba-line-tax-tab-indented.edi");
    let line = &tx(&inv)["IT1_loop"][0];
    assert_eq!(line["SAC_loop"][2]["TXI"].as_array().map(Vec::len), Some(2));
    assert_eq!(line["N1_loop"].as_array().map(Vec::len), Some(2));
    assert_eq!(tx(&inv)["SAC_loop"][1]["TXI"][1]["TXI01"], json!("FD"));
    // 997: composites and repetitions.
    let fa = get("997-functional-ack-02-5010-repetition-separator.edi");
    assert_eq!(
        tx(&fa)["AK2_loop"][0]["AK3_loop"][0]["AK3"]["AK302"],
        json!(["AK302-R1", "AK302-R2", {"AK302-1": "AK302-R3-COMP1", "AK302-2": "AK302-R3-COMP2"}])
    );
    // 214 with the ellipsis terminator.
    let status = get("214-shipment-status-02-ellipsis-terminator.edi");
    assert_eq!(tx(&status)["LX_loop"][1]["AT7_loop"][0]["AT7"]["AT701"], json!("AF"));
    assert_eq!(tx(&status)["LX_loop"][1]["AT8"][0]["AT803"], json!("2085"));
}
