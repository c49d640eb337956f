//! Tests of the CSV reader and writer.

use serde_json::{Value, json};

use super::{CsvEncoding, CsvEscape, CsvLineEnding, CsvOptions};
use crate::test_support::Rng;
use crate::{DecodeError, DecodeErrorKind, DecodeOptions, EncodeOptions, Format, decode, encode};

fn read_with(input: &[u8], csv: CsvOptions) -> Result<Value, DecodeError> {
    decode(
        Format::Csv,
        input,
        &DecodeOptions {
            csv,
            ..DecodeOptions::default()
        },
    )
}

fn read(input: &str) -> Value {
    match read_with(input.as_bytes(), CsvOptions::default()) {
        Ok(doc) => doc,
        Err(e) => panic!("{e}"),
    }
}

fn write_with(doc: &Value, csv: CsvOptions) -> Vec<u8> {
    match encode(
        Format::Csv,
        doc,
        &EncodeOptions {
            csv,
            ..EncodeOptions::default()
        },
    ) {
        Ok(bytes) => bytes,
        Err(e) => panic!("{e}"),
    }
}

fn write_err(doc: &Value, csv: CsvOptions) -> crate::EncodeError {
    encode(
        Format::Csv,
        doc,
        &EncodeOptions {
            csv,
            ..EncodeOptions::default()
        },
    )
    .expect_err("the tree must be refused")
}

fn err(input: &[u8], csv: CsvOptions) -> DecodeError {
    read_with(input, csv).expect_err("the input must be refused")
}

fn gbk() -> CsvOptions {
    CsvOptions {
        encoding: CsvEncoding::Gbk,
        ..CsvOptions::default()
    }
}

#[test]
fn header_row_names_the_keys_and_values_stay_strings() {
    let doc = read("sku,qty,price\r\nA-1,10,12.50\r\nB-2,0007,0.10\r\n");
    assert_eq!(
        doc,
        json!({
            "columns": ["sku", "qty", "price"],
            "rows": [
                {"sku": "A-1", "qty": "10", "price": "12.50"},
                {"sku": "B-2", "qty": "0007", "price": "0.10"}
            ]
        })
    );
}

#[test]
fn empty_and_duplicate_header_names_get_unique_keys() {
    let doc = read("qty,,qty,qty_2,col2\n1,2,3,4,5\n");
    assert_eq!(doc["columns"], json!(["qty", "col2", "qty_2", "qty_2_2", "col2_2"]));
    assert_eq!(
        doc["rows"][0],
        json!({"qty": "1", "col2": "2", "qty_2": "3", "qty_2_2": "4", "col2_2": "5"})
    );
}

#[test]
fn without_a_header_the_keys_are_col1_col2() {
    let csv = CsvOptions {
        header: false,
        ..CsvOptions::default()
    };
    let doc = read_with(b"a,b\nc,d", csv.clone()).unwrap_or_default();
    assert_eq!(
        doc,
        json!({"columns": ["col1", "col2"], "rows": [{"col1": "a", "col2": "b"}, {"col1": "c", "col2": "d"}]})
    );
    // Written back without a header line, in column order even past col9.
    let wide: Value = json!({"rows": [(1..=11).map(|i| (format!("col{i}"), json!(i.to_string()))).collect::<serde_json::Map<_, _>>()]});
    assert_eq!(write_with(&wide, csv), b"1,2,3,4,5,6,7,8,9,10,11\r\n");
}

#[test]
fn delimiters() {
    for delimiter in [',', ';', '\t', '|'] {
        let text = format!("a{delimiter}b\n1{delimiter}\"x{delimiter}y\"\n");
        let csv = CsvOptions {
            delimiter,
            ..CsvOptions::default()
        };
        let doc = read_with(text.as_bytes(), csv.clone()).unwrap_or_default();
        assert_eq!(
            doc["rows"],
            json!([{"a": "1", "b": format!("x{delimiter}y")}]),
            "{delimiter:?}"
        );
        let written = write_with(
            &doc,
            CsvOptions {
                line_ending: CsvLineEnding::Lf,
                ..csv
            },
        );
        assert_eq!(String::from_utf8_lossy(&written), text, "{delimiter:?}");
    }
}

#[test]
fn quotes_hold_delimiters_line_breaks_and_quotes() {
    let doc = read("id,note\n1,\"a, b\"\n2,\"line 1\r\nline 2\"\n3,\"say \"\"hi\"\"\"\n4,\"\"\n5,12\" pipe\n");
    assert_eq!(
        doc["rows"],
        json!([
            {"id": "1", "note": "a, b"},
            {"id": "2", "note": "line 1\r\nline 2"},
            {"id": "3", "note": "say \"hi\""},
            {"id": "4", "note": ""},
            {"id": "5", "note": "12\" pipe"}
        ])
    );
    assert_eq!(
        read(&String::from_utf8_lossy(&write_with(&doc, CsvOptions::default()))),
        doc
    );
}

#[test]
fn backslash_escapes_and_another_quote_character() {
    let csv = CsvOptions {
        escape: CsvEscape::Backslash,
        quote: '\'',
        ..CsvOptions::default()
    };
    let doc = read_with(
        br"a,b
'it\'s','c:\\dir\n'
",
        csv.clone(),
    )
    .unwrap_or_default();
    assert_eq!(doc["rows"], json!([{"a": "it's", "b": "c:\\dirn"}]));
    let again = read_with(&write_with(&doc, csv.clone()), csv).unwrap_or_default();
    assert_eq!(again, doc);
}

#[test]
fn trimming_removes_blanks_outside_quotes_only() {
    let csv = CsvOptions {
        trim: true,
        ..CsvOptions::default()
    };
    let doc = read_with(b" sku , name \n A-1 ,  \" padded \"  \n", csv.clone()).unwrap_or_default();
    assert_eq!(doc["rows"], json!([{"sku": "A-1", "name": " padded "}]));
    assert_eq!(read_with(&write_with(&doc, csv.clone()), csv).unwrap_or_default(), doc);
    // Without trimming the blanks are data.
    assert_eq!(read(" a \n b \n")["rows"], json!([{" a ": " b "}]));
}

#[test]
fn bom_line_endings_blank_lines_and_the_last_line() {
    let doc = read("\u{feff}a,b\r\n\r\n1,2\r3,4\n\n5,6");
    assert_eq!(doc["columns"], json!(["a", "b"]));
    assert_eq!(doc["rows"].as_array().map(Vec::len), Some(3));
    assert_eq!(doc["rows"][2], json!({"a": "5", "b": "6"}));
    // A BOM is written on request, and read back.
    let csv = CsvOptions {
        bom: true,
        ..CsvOptions::default()
    };
    let bytes = write_with(&doc, csv);
    assert!(bytes.starts_with(b"\xEF\xBB\xBFa,b\r\n"));
    assert_eq!(
        read_with(&bytes, gbk()).unwrap_or_default(),
        doc,
        "a utf-8 bom wins over the setting"
    );
}

#[test]
fn empty_files() {
    assert_eq!(read(""), json!({"columns": [], "rows": []}));
    assert_eq!(read("\u{feff}"), json!({"columns": [], "rows": []}));
    assert_eq!(read("a,b\r\n"), json!({"columns": ["a", "b"], "rows": []}));
    assert_eq!(write_with(&json!({"rows": []}), CsvOptions::default()), b"\r\n");
    // One column with empty values: quoted so that they are not blank lines.
    let doc = json!({"columns": ["x"], "rows": [{"x": ""}, {"x": "1"}]});
    let bytes = write_with(&doc, CsvOptions::default());
    assert_eq!(bytes, b"x\r\n\"\"\r\n1\r\n");
    assert_eq!(read(&String::from_utf8_lossy(&bytes)), doc);
}

#[test]
fn gbk_gb18030_and_big5_input() {
    let text = "订单号,收货人,金额\r\nSO-001,张三,\"1,280.50\"\r\n";
    for encoding in [CsvEncoding::Gbk, CsvEncoding::Gb18030] {
        let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
        assert!(!unmappable);
        let doc = read_with(
            &bytes,
            CsvOptions {
                encoding,
                ..CsvOptions::default()
            },
        )
        .unwrap_or_default();
        assert_eq!(
            doc["rows"],
            json!([{"订单号": "SO-001", "收货人": "张三", "金额": "1,280.50"}])
        );
    }
    let text = "訂單號|收貨人\n台北-1|許功蓋\n";
    let (bytes, _, unmappable) = encoding_rs::BIG5.encode(text);
    assert!(!unmappable);
    // 許 and 功 end in 0x5C (`\`) and 0x7C (`|`) in Big5: transcoding first keeps them whole.
    assert!(bytes.contains(&b'\\'));
    let doc = read_with(
        &bytes,
        CsvOptions {
            encoding: CsvEncoding::Big5,
            delimiter: '|',
            escape: CsvEscape::Backslash,
            ..CsvOptions::default()
        },
    )
    .unwrap_or_default();
    assert_eq!(doc["rows"], json!([{"訂單號": "台北-1", "收貨人": "許功蓋"}]));
}

#[test]
fn gbk_output_and_unmappable_characters() {
    let doc = json!({"columns": ["品名", "数量"], "rows": [{"品名": "螺丝钉", "数量": "100"}]});
    let bytes = write_with(&doc, gbk());
    let (expected, _, _) = encoding_rs::GBK.encode("品名,数量\r\n螺丝钉,100\r\n");
    assert_eq!(bytes, expected.as_ref());
    assert_eq!(read_with(&bytes, gbk()).unwrap_or_default(), doc);

    let bad =
        json!({"columns": ["品名", "数量"], "rows": [{"品名": "ok", "数量": "1"}, {"品名": "emoji 📦", "数量": "2"}]});
    let e = write_err(&bad, gbk());
    assert_eq!(
        e.to_string(),
        "csv: '📦' in row 2 column `品名` cannot be written in gbk at `.rows[1].\"品名\"`"
    );
    // GB18030 can write every character.
    let gb = CsvOptions {
        encoding: CsvEncoding::Gb18030,
        ..CsvOptions::default()
    };
    let bytes = write_with(&bad, gb.clone());
    assert_eq!(read_with(&bytes, gb).unwrap_or_default(), bad);
}

#[test]
fn invalid_byte_sequences_are_refused_saying_where() {
    let mut bytes = encoding_rs::GBK.encode("名称,数量\n苹果,1\n").0.into_owned();
    let e = err(&bytes, CsvOptions::default());
    assert_eq!(e.kind, DecodeErrorKind::Malformed);
    assert_eq!((e.line, e.column, e.offset), (Some(1), Some(1), Some(0)));
    assert!(e.message.contains("set the csv encoding to gbk"), "{e}");

    // In GBK, a lead byte followed by a line feed is invalid; the offset is in the raw bytes
    // and the column counts characters.
    let at = bytes.len() - 1;
    bytes.insert(at, 0x81);
    let e = err(&bytes, gbk());
    assert_eq!(
        e.to_string(),
        format!("csv: invalid gbk byte sequence 0x81; check the csv encoding setting at line 2, column 5 (byte {at})")
    );

    let e = err(b"a,b\n\xff\xfe", CsvOptions::default());
    assert_eq!((e.line, e.column, e.offset), (Some(2), Some(1), Some(4)));
}

#[test]
fn ragged_rows_are_refused_unless_flexible() {
    let input = b"a,b,c\n1,2,3\n4,5\n6,7,8,9\n";
    let e = err(input, CsvOptions::default());
    assert_eq!(
        e.to_string(),
        "csv: row 2 has 2 fields but the header has 3; set csv flexible to accept ragged rows at `.rows[1]`, line 3, column 4 (byte 15)"
    );
    let e = err(
        &input[..12].iter().chain(&input[16..]).copied().collect::<Vec<_>>(),
        CsvOptions::default(),
    );
    assert_eq!(
        (e.line, e.column, e.offset, e.path.as_deref()),
        (Some(3), Some(7), Some(18), Some(".rows[1]"))
    );
    let csv = CsvOptions {
        flexible: true,
        ..CsvOptions::default()
    };
    let doc = read_with(input, csv.clone()).unwrap_or_default();
    assert_eq!(
        doc,
        json!({
            "columns": ["a", "b", "c", "col4"],
            "rows": [{"a": "1", "b": "2", "c": "3"}, {"a": "4", "b": "5"}, {"a": "6", "b": "7", "c": "8", "col4": "9"}]
        })
    );
    assert_eq!(read_with(&write_with(&doc, csv.clone()), csv).unwrap_or_default(), doc);
    // Without a header the first row sets the width.
    let e = err(
        b"1,2\n3\n",
        CsvOptions {
            header: false,
            ..CsvOptions::default()
        },
    );
    assert!(e.message.contains("but the first row has 2"), "{e}");
}

#[test]
fn quote_errors_say_where() {
    let e = err(b"a,b\n1,\"open\n2,3\n", CsvOptions::default());
    assert_eq!(
        e.to_string(),
        "csv: the quote opening field 2 is never closed (a quote inside a quoted field is written `\"\"`) at line 2, column 3 (byte 6)"
    );
    let e = err("a,b\n1,\"数量\"x,\n".as_bytes(), CsvOptions::default());
    assert_eq!((e.line, e.column, e.offset), (Some(2), Some(7), Some(14)));
    assert!(
        e.message
            .starts_with("unexpected 'x' after the closing quote of field 2"),
        "{e}"
    );
}

#[test]
fn binary_garbage_utf16_and_nul_are_refused() {
    let e = err(b"\xFF\xFEa\0,\0", CsvOptions::default());
    assert_eq!(e.kind, DecodeErrorKind::Unsupported);
    let e = err(b"a,b\n1,\0\n", CsvOptions::default());
    assert_eq!((e.kind, e.offset), (DecodeErrorKind::Malformed, Some(6)));
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..2000 {
        let len = rng.below(300);
        let bytes: Vec<u8> = (0..len).map(|_| (rng.next() & 0xff) as u8).collect();
        for encoding in [CsvEncoding::Utf8, CsvEncoding::Gbk, CsvEncoding::Big5] {
            let csv = CsvOptions {
                encoding,
                flexible: round % 2 == 0,
                escape: if round % 3 == 0 {
                    CsvEscape::Backslash
                } else {
                    CsvEscape::Doubled
                },
                ..CsvOptions::default()
            };
            if let Err(e) = read_with(&bytes, csv) {
                assert!(e.offset.is_some_and(|o| o <= bytes.len()), "{e}");
                assert!(e.line.is_some() && e.column.is_some(), "{e}");
            }
        }
    }
}

#[test]
fn limits_and_bad_options() {
    let e = read_with(b"a,b\n1,2\n", CsvOptions::default()).and_then(|_| {
        decode(
            Format::Csv,
            b"a,b\n1,2\n",
            &DecodeOptions {
                max_size: 4,
                ..DecodeOptions::default()
            },
        )
    });
    assert_eq!(e.map_err(|e| e.kind), Err(DecodeErrorKind::TooLarge));
    let wide = ",".repeat(super::reader::MAX_FIELDS);
    assert!(
        err(wide.as_bytes(), CsvOptions::default())
            .message
            .contains("more than 16384 fields")
    );
    assert!(read_with(&wide.as_bytes()[1..], CsvOptions::default()).is_ok());
    for bad in [
        CsvOptions {
            delimiter: '\n',
            ..CsvOptions::default()
        },
        CsvOptions {
            delimiter: '，',
            ..CsvOptions::default()
        },
        CsvOptions {
            quote: ',',
            ..CsvOptions::default()
        },
        CsvOptions {
            delimiter: '\\',
            escape: CsvEscape::Backslash,
            ..CsvOptions::default()
        },
    ] {
        assert_eq!(err(b"a", bad.clone()).kind, DecodeErrorKind::Unsupported);
        assert!(
            encode(
                Format::Csv,
                &json!({"rows": []}),
                &EncodeOptions {
                    csv: bad,
                    ..EncodeOptions::default()
                }
            )
            .is_err()
        );
    }
}

#[test]
fn writer_columns_values_and_refusals() {
    let doc = json!({"rows": [{"b": 1.5, "a": true, "c": null}, {"a": "x", "d": "late"}]});
    // Every key of every row, in natural order; numbers and booleans as their JSON text.
    assert_eq!(
        write_with(&doc, CsvOptions::default()),
        b"a,b,c,d\r\ntrue,1.5,,\r\nx,,,late\r\n"
    );
    let csv = CsvOptions {
        columns: vec!["d".into(), "a".into(), "b".into(), "c".into()],
        line_ending: CsvLineEnding::Lf,
        ..CsvOptions::default()
    };
    assert_eq!(write_with(&doc, csv), b"d,a,b,c\n,true,1.5,\nlate,x,,\n");
    let e = write_err(
        &json!({"columns": ["a"], "rows": [{"a": "1", "b": "2"}]}),
        CsvOptions::default(),
    );
    assert_eq!(
        e.to_string(),
        "csv: `b` is not one of the columns; add it to the csv columns at `.rows[0].b`"
    );
    let e = write_err(&json!({"rows": [{"a": [1]}]}), CsvOptions::default());
    assert_eq!(e.path.as_deref(), Some(".rows[0].a"));
    let e = write_err(&json!({"rows": [], "extra": 1}), CsvOptions::default());
    assert_eq!(e.path.as_deref(), Some(".extra"));
    let e = write_err(&json!([1]), CsvOptions::default());
    assert_eq!(e.path.as_deref(), Some("."));
    let e = write_err(&json!({"columns": ["a", "a"], "rows": []}), CsvOptions::default());
    assert!(e.message.contains("listed twice"), "{e}");
}

#[test]
fn seeded_random_round_trips() {
    let alphabet = [
        "a", "Z", "0", "9", ".", ",", ";", "\t", "|", "\"", "'", "\\", " ", "\r", "\n", "\r\n", "订", "單", "号", "￥",
        "📦", "col1", "_2",
    ];
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for round in 0..3000 {
        let csv = CsvOptions {
            delimiter: [',', ';', '\t', '|'][rng.below(4)],
            quote: ['"', '\''][rng.below(2)],
            escape: [CsvEscape::Doubled, CsvEscape::Backslash][rng.below(2)],
            header: rng.below(4) != 0,
            trim: rng.below(2) == 0,
            flexible: rng.below(4) == 0,
            encoding: [
                CsvEncoding::Utf8,
                CsvEncoding::Gbk,
                CsvEncoding::Gb18030,
                CsvEncoding::Big5,
            ][rng.below(4)],
            bom: rng.below(2) == 0,
            line_ending: [CsvLineEnding::CrLf, CsvLineEnding::Lf][rng.below(2)],
            columns: Vec::new(),
        };
        // Only characters the encoding can write (Big5 has no simplified characters).
        let alphabet: Vec<&str> = alphabet
            .iter()
            .copied()
            .filter(|s| csv.encoding.codec().is_none_or(|codec| !codec.encode(s).2))
            .collect();
        let width = 1 + rng.below(5);
        let columns: Vec<String> = if csv.header {
            let mut names = Vec::new();
            while names.len() < width {
                let name = rng.text(&alphabet, 4);
                if !name.is_empty() && !names.contains(&name) {
                    names.push(name);
                }
            }
            names
        } else {
            (1..=width).map(|i| format!("col{i}")).collect()
        };
        let rows: Vec<Value> = (0..rng.below(6))
            .map(|_| {
                Value::Object(
                    columns
                        .iter()
                        .map(|c| (c.clone(), Value::String(rng.text(&alphabet, 6))))
                        .collect(),
                )
            })
            .collect();
        let doc = json!({"columns": columns, "rows": rows});
        let bytes = write_with(&doc, csv.clone());
        let back = read_with(&bytes, csv.clone());
        // Without a header line and without rows, nothing tells the reader about columns.
        let expected = if csv.header || !rows.is_empty() {
            doc
        } else {
            json!({"columns": [], "rows": []})
        };
        assert_eq!(
            back.as_ref().ok(),
            Some(&expected),
            "round {round} with {csv:?}: {back:?}\n{}",
            String::from_utf8_lossy(&bytes)
        );
    }
}

#[test]
fn decoded_mutants_round_trip() {
    let base = "sku,name,qty\r\nA-1,\"Widget, large\",10\r\nB-2,\"say \"\"hi\"\"\",3\n订单,张三,1\n";
    let pieces = [",", "\"", "\n", "\r", " ", "x", "订", ""];
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let csv = CsvOptions {
        flexible: true,
        ..CsvOptions::default()
    };
    let mut decoded = 0;
    for _ in 0..3000 {
        let mut text = base.to_owned();
        for _ in 0..1 + rng.below(3) {
            let mut at = rng.below(text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            text.insert_str(at, pieces[rng.below(pieces.len())]);
        }
        let Ok(doc) = read_with(text.as_bytes(), csv.clone()) else {
            continue;
        };
        decoded += 1;
        let again = read_with(&write_with(&doc, csv.clone()), csv.clone());
        assert_eq!(again.as_ref().ok(), Some(&doc), "{text:?}");
    }
    assert!(decoded > 1000, "only {decoded} mutants decoded");
}
