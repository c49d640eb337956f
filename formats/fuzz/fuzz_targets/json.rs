//! Fuzzes the JSON reader, then the writer on what it read: decode must give the same tree again.
//!
//! Selector byte: bit 0 duplicate keys rejected; bit 1 a small `max_depth` (8); bit 2 pretty output.
#![no_main]

use channelhub_formats::{DecodeOptions, DuplicateKeys, EncodeOptions, Format};
use channelhub_formats_fuzz::{Reread, bit, check, split};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((selector, body)) = split(data) else {
        return;
    };
    let decode_opts = DecodeOptions {
        duplicate_keys: if bit(selector, 0) {
            DuplicateKeys::Reject
        } else {
            DuplicateKeys::LastWins
        },
        max_depth: if bit(selector, 1) {
            8
        } else {
            DecodeOptions::DEFAULT_MAX_DEPTH
        },
        ..DecodeOptions::default()
    };
    let encode_opts = EncodeOptions {
        pretty: bit(selector, 2),
        ..EncodeOptions::default()
    };
    // Numbers too come back the same: the crate parses floats exactly (`float_roundtrip`).
    check(Format::Json, body, &decode_opts, &encode_opts, Reread::SameTree);
});
