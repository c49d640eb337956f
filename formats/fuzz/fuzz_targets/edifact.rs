//! Fuzzes the EDIFACT reader, then the writer on what it read: decode must succeed again.
//!
//! Selector byte: bit 0 `strict`; bits 1-2 the service characters the tree is written with.
#![no_main]

use channelhub_formats::{DecodeOptions, EdifactDelimiters, EncodeOptions, Format};
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
    let (component, element, decimal, release, repetition, segment) = match selector >> 1 & 3 {
        0 => (':', '+', '.', '?', '*', "'\n"),
        1 => (':', '+', ',', '?', '*', "'"),
        2 => ('>', '|', '.', '\\', '^', "~\r\n"),
        _ => ('/', '=', ',', '!', '#', "$"),
    };
    let encode_opts = EncodeOptions {
        edifact_delimiters: EdifactDelimiters {
            component,
            element,
            decimal,
            release,
            repetition,
            segment: segment.to_owned(),
        },
        ..EncodeOptions::default()
    };
    check(Format::Edifact, body, &decode_opts, &encode_opts, Reread::Decodes);
});
