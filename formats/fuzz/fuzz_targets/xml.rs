//! Fuzzes the XML reader, then the writer on what it read (which must not panic).
//!
//! Selector byte: bits 0-2 which of a few element names are in `xml_repeated`; bit 3 duplicate
//! attributes rejected; bit 4 a small `max_depth` (8); bit 5 pretty output.
#![no_main]

use channelhub_formats::{DecodeOptions, DuplicateKeys, EncodeOptions, Format};
use channelhub_formats_fuzz::{Reread, bit, check, split};
use libfuzzer_sys::fuzz_target;

/// Element names the seeds use (UBL lines, short names the fuzzer finds easily).
const REPEATED: [&str; 3] = ["InvoiceLine", "a", "Line"];

fuzz_target!(|data: &[u8]| {
    let Some((selector, body)) = split(data) else {
        return;
    };
    let decode_opts = DecodeOptions {
        xml_repeated: (0..3)
            .filter(|&n| bit(selector, n))
            .map(|n| REPEATED[n as usize].to_owned())
            .collect(),
        duplicate_keys: if bit(selector, 3) {
            DuplicateKeys::Reject
        } else {
            DuplicateKeys::LastWins
        },
        max_depth: if bit(selector, 4) {
            8
        } else {
            DecodeOptions::DEFAULT_MAX_DEPTH
        },
        ..DecodeOptions::default()
    };
    let encode_opts = EncodeOptions {
        pretty: bit(selector, 5),
        ..EncodeOptions::default()
    };
    check(Format::Xml, body, &decode_opts, &encode_opts, Reread::Nothing);
});
