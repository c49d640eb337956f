//! Inputs the fuzz targets (`formats/fuzz`) found crashes with, minimized, each with the options
//! the target's selector byte chose. Every one must decode to a tree or to an error that says
//! where, and a tree must survive the round trip the target checks.

use channelhub_formats::{CsvEncoding, CsvOptions, DecodeError, DecodeOptions, EncodeOptions, Format, decode, encode};
use serde_json::Value;

/// Decodes `input`, requiring an error to carry a position; returns the tree, if any.
fn decode_or_positioned_error(format: Format, input: &[u8], opts: &DecodeOptions) -> Option<Value> {
    match decode(format, input, opts) {
        Ok(tree) => Some(tree),
        Err(e) => {
            assert_positioned(&e, input);
            None
        }
    }
}

fn assert_positioned(e: &DecodeError, input: &[u8]) {
    let offset = e.offset.unwrap_or_else(|| panic!("no position in `{e}`"));
    assert!(
        offset <= input.len(),
        "offset {offset} is past the input's end in `{e}`"
    );
    assert!(e.line.is_some() && e.column.is_some(), "no line or column in `{e}`");
}

/// Decodes, encodes with the matching options and decodes again: the tree must come back.
fn assert_round_trips(format: Format, input: &[u8], decode_opts: &DecodeOptions, encode_opts: &EncodeOptions) {
    let tree = decode_or_positioned_error(format, input, decode_opts).expect("the input decodes");
    let bytes = encode(format, &tree, encode_opts).unwrap_or_else(|e| panic!("{e}"));
    let again = decode(format, &bytes, decode_opts).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again, tree, "encoded as {:?}", String::from_utf8_lossy(&bytes));
}

fn csv_options(csv: CsvOptions) -> (DecodeOptions, EncodeOptions) {
    let decode_opts = DecodeOptions {
        csv: csv.clone(),
        ..DecodeOptions::default()
    };
    (
        decode_opts,
        EncodeOptions {
            csv,
            ..EncodeOptions::default()
        },
    )
}

/// A GBK header `锘縜` is the bytes `EF BB BF 61`: written first in the file, the reader took them
/// for a UTF-8 byte order mark and read the file as UTF-8. The writer now quotes such a field.
#[test]
fn csv_gbk_text_that_starts_like_a_utf8_bom_is_written_so_it_reads_back() {
    let (decode_opts, encode_opts) = csv_options(CsvOptions {
        encoding: CsvEncoding::Gbk,
        delimiter: '|',
        flexible: true,
        ..CsvOptions::default()
    });
    assert_round_trips(Format::Csv, b"\n\xEF\xBB\xBFa", &decode_opts, &encode_opts);
    for encoding in [CsvEncoding::Gb18030, CsvEncoding::Big5] {
        let (decode_opts, encode_opts) = csv_options(CsvOptions {
            encoding,
            ..CsvOptions::default()
        });
        assert_round_trips(Format::Csv, b"\n\xEF\xBB\xBFa,b\r\n1,2\r\n", &decode_opts, &encode_opts);
    }
}

/// A header or value that starts with U+FEFF (a second byte order mark, or one after a blank
/// line) was written first in the file as is, and the reader took it for a byte order mark.
#[test]
fn csv_first_value_starting_with_u_feff_is_written_so_it_reads_back() {
    let (decode_opts, encode_opts) = csv_options(CsvOptions {
        delimiter: ';',
        ..CsvOptions::default()
    });
    assert_round_trips(Format::Csv, b"\n\xEF\xBB\xBF", &decode_opts, &encode_opts);
    assert_round_trips(
        Format::Csv,
        b"\xEF\xBB\xBF\xEF\xBB\xBFa;b\n1;2\n",
        &decode_opts,
        &encode_opts,
    );
    let (decode_opts, encode_opts) = csv_options(CsvOptions {
        header: false,
        bom: true,
        ..CsvOptions::default()
    });
    assert_round_trips(
        Format::Csv,
        b"\xEF\xBB\xBF\xEF\xBB\xBFa,b\n",
        &decode_opts,
        &encode_opts,
    );
}
