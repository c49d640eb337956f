//! Fuzzes the CSV reader, then the writer on what it read: decode must give the same tree again.
//!
//! Selector byte: bits 0-1 the encoding (UTF-8, GBK, GB18030, Big5); bits 2-3 the delimiter
//! (`,` `;` tab `|`); bit 4 no header; bit 5 `flexible`; bit 6 `trim`; bit 7 backslash escape.
#![no_main]

use channelhub_formats::{CsvEncoding, CsvEscape, CsvOptions, DecodeOptions, EncodeOptions, Format};
use channelhub_formats_fuzz::{Reread, bit, check, split};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((selector, body)) = split(data) else {
        return;
    };
    let csv = CsvOptions {
        encoding: [
            CsvEncoding::Utf8,
            CsvEncoding::Gbk,
            CsvEncoding::Gb18030,
            CsvEncoding::Big5,
        ][usize::from(selector & 3)],
        delimiter: [',', ';', '\t', '|'][usize::from(selector >> 2 & 3)],
        header: !bit(selector, 4),
        flexible: bit(selector, 5),
        trim: bit(selector, 6),
        escape: if bit(selector, 7) {
            CsvEscape::Backslash
        } else {
            CsvEscape::Doubled
        },
        ..CsvOptions::default()
    };
    let decode_opts = DecodeOptions {
        csv: csv.clone(),
        ..DecodeOptions::default()
    };
    let encode_opts = EncodeOptions {
        csv,
        ..EncodeOptions::default()
    };
    check(Format::Csv, body, &decode_opts, &encode_opts, Reread::SameTree);
});
