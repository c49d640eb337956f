//! Fuzzes the X12 reader, then the writer on what it read: decode must succeed again.
//!
//! Selector byte: bit 0 `strict`; bits 1-2 the delimiters the tree is written with.
#![no_main]

use channelhub_formats::{DecodeOptions, EncodeOptions, Format, X12Delimiters};
use channelhub_formats_fuzz::{Reread, bit, check, split};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((selector, body)) = split(data) else {
        return;
    };
    let decode_opts = DecodeOptions {
        strict: bit(selector, 0),
        ..DecodeOptions::default()
    };
    let (element, component, repetition, segment) = match selector >> 1 & 3 {
        0 => ('*', ':', '^', "~\n"),
        1 => ('|', '>', '!', "\n"),
        2 => ('+', '\\', '{', "'\r\n"),
        _ => ('^', '<', '@', "…"),
    };
    let encode_opts = EncodeOptions {
        x12_delimiters: X12Delimiters {
            element,
            component,
            repetition,
            segment: segment.to_owned(),
        },
        ..EncodeOptions::default()
    };
    check(Format::X12, body, &decode_opts, &encode_opts, Reread::Decodes);
});
