//! What every fuzz target checks: decoding never panics, and a decoded tree encodes back in the
//! same format without panicking and, where the format promises it, decodes again.
//!
//! The first input byte selects the options (each target says how); the rest is the document,
//! so the fuzzer explores option combinations and inputs together.

use channelhub_formats::{DecodeOptions, EncodeOptions, Format, decode, encode};

/// What is asserted about the bytes a decoded tree encodes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reread {
    /// Nothing: encoding must only not panic.
    Nothing,
    /// Decoding them with the same options succeeds.
    Decodes,
    /// Decoding them with the same options gives the same tree back.
    SameTree,
}

/// Splits fuzz input into the option selector (first byte) and the document (the rest).
#[must_use]
pub fn split(data: &[u8]) -> Option<(u8, &[u8])> {
    data.split_first().map(|(&selector, body)| (selector, body))
}

/// Decodes `input`; when that succeeds, encodes the tree and checks the encoded bytes as
/// `reread` says. Panics (which the fuzzer reports as a crash) when a promise is broken.
pub fn check(format: Format, input: &[u8], decode_opts: &DecodeOptions, encode_opts: &EncodeOptions, reread: Reread) {
    let Ok(tree) = decode(format, input, decode_opts) else {
        return;
    };
    let Ok(bytes) = encode(format, &tree, encode_opts) else {
        return;
    };
    if reread == Reread::Nothing {
        return;
    }
    let again = match decode(format, &bytes, decode_opts) {
        Ok(again) => again,
        Err(e) => panic!(
            "{format}: the encoded tree does not decode again: {e}\ntree: {tree}\nencoded: {:?}",
            String::from_utf8_lossy(&bytes)
        ),
    };
    if reread == Reread::SameTree {
        assert_eq!(
            again,
            tree,
            "{format}: decode -> encode -> decode changed the tree\nencoded: {:?}",
            String::from_utf8_lossy(&bytes)
        );
    }
}

/// Whether bit `n` of `selector` is set.
#[must_use]
pub fn bit(selector: u8, n: u32) -> bool {
    selector >> n & 1 == 1
}
