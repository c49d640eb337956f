//! Helpers the X12 and EDIFACT unit tests share: decoding with the usual options, and reading the
//! interchanges' warnings.

use serde_json::Value;

use crate::{DecodeError, DecodeOptions, Format, decode};

/// Decodes `input` in strict mode.
pub(crate) fn strict(format: Format, input: &[u8]) -> Result<Value, DecodeError> {
    let opts = DecodeOptions {
        strict: true,
        ..DecodeOptions::default()
    };
    decode(format, input, &opts)
}

/// Decodes `input` with the default options, failing the test if that fails.
pub(crate) fn ok(format: Format, input: &[u8]) -> Value {
    decode(format, input, &DecodeOptions::default())
        .unwrap_or_else(|e| panic!("decode failed: {e}\n{}", String::from_utf8_lossy(input)))
}

/// Decodes `input` with the default options, failing the test unless that fails.
pub(crate) fn err(format: Format, input: &[u8]) -> DecodeError {
    match decode(format, input, &DecodeOptions::default()) {
        Ok(tree) => panic!("decoded, expected an error: {tree}"),
        Err(e) => e,
    }
}

/// The messages of every interchange's warnings, in order.
pub(crate) fn warnings(tree: &Value) -> Vec<String> {
    tree["interchanges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|ic| ic.get("warnings").and_then(Value::as_array))
        .flatten()
        .map(|w| w["message"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The tree without any `warnings`, for comparing a tree with the one its own output gives.
pub(crate) fn without_warnings(tree: &Value) -> Value {
    let mut tree = tree.clone();
    if let Some(ics) = tree["interchanges"].as_array_mut() {
        for ic in ics {
            if let Some(ic) = ic.as_object_mut() {
                ic.remove("warnings");
            }
        }
    }
    tree
}
