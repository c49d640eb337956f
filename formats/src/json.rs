//! JSON codec: `serde_json` with size and depth limits, an optional duplicate-key check, and positions in errors.
//!
//! Decoding goes through one `DeserializeSeed` that builds the same `Value` `serde_json`'s own
//! visitor builds, while counting nesting so `max_depth` is refused at the offending bracket
//! (`serde_json`'s own recursion limit of 128 stays in force underneath). The duplicate-key check
//! and the path bookkeeping it needs are compiled in only for `DuplicateKeys::Reject`, so the
//! default path costs what `serde_json::from_slice::<Value>` costs.

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::error::{TreePath, UTF8_BOM};
use crate::{DecodeError, DecodeErrorKind, DecodeOptions, DuplicateKeys, EncodeError, EncodeOptions, Format};

/// Decodes JSON text into a tree.
pub(crate) fn decode(input: &[u8], opts: &DecodeOptions) -> Result<Value, DecodeError> {
    if input.len() > opts.max_size {
        return Err(DecodeError::too_large(Format::Json, input.len(), opts.max_size));
    }
    let (body, base) = match input.strip_prefix(UTF8_BOM) {
        Some(rest) => (rest, UTF8_BOM.len()),
        None => (input, 0),
    };
    let mut state = State {
        depth: 0,
        max_depth: opts.max_depth,
        path: TreePath::default(),
        failure: None,
    };
    let result = match opts.duplicate_keys {
        DuplicateKeys::LastWins => parse::<false>(body, &mut state),
        DuplicateKeys::Reject => parse::<true>(body, &mut state),
    };
    result.map_err(|e| to_decode_error(&e, input, body, base, state.failure))
}

/// Encodes a tree as JSON text: compact unless `pretty`, UTF-8 with non-ASCII characters as is.
pub(crate) fn encode(doc: &Value, opts: &EncodeOptions) -> Result<Vec<u8>, EncodeError> {
    let result = if opts.pretty {
        serde_json::to_vec_pretty(doc)
    } else {
        serde_json::to_vec(doc)
    };
    result.map_err(|e| EncodeError::new(Format::Json, e.to_string(), None))
}

fn parse<const REJECT: bool>(body: &[u8], state: &mut State) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = ValueSeed::<REJECT> { state }.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// Turns a `serde_json` error into ours: message without `serde_json`'s location suffix, the byte
/// offset in the original input (BOM included), and the kind and path our visitor recorded.
fn to_decode_error(
    e: &serde_json::Error,
    input: &[u8],
    body: &[u8],
    base: usize,
    failure: Option<Failure>,
) -> DecodeError {
    let text = e.to_string();
    let message = if e.line() == 0 {
        text.as_str()
    } else {
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        text.strip_suffix(suffix.as_str()).unwrap_or(&text)
    };
    let (kind, path) = match failure {
        Some(failure) => (failure.kind, failure.path),
        // serde_json's own limit; only reachable when max_depth is above it.
        None if message == "recursion limit exceeded" => (DecodeErrorKind::TooDeep, None),
        None => (DecodeErrorKind::Malformed, None),
    };
    let mut err = DecodeError::new(Format::Json, kind, message);
    if e.is_eof() {
        err = err.at_offset(input, input.len());
    } else if e.line() > 0 {
        err = err.at_offset(input, base + body_offset(body, e.line(), e.column()));
    }
    if let Some(path) = path {
        err = err.with_path(path);
    }
    err
}

/// Byte offset in `body` of the byte `serde_json` stopped at, from its 1-based line and column.
/// `serde_json`'s columns count bytes, and column 0 means the newline ending the previous line
/// was the last byte read.
fn body_offset(body: &[u8], line: usize, column: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        body.iter()
            .enumerate()
            .filter(|&(_, &b)| b == b'\n')
            .nth(line - 2)
            .map_or(body.len(), |(i, _)| i + 1)
    };
    if column == 0 {
        return line_start.saturating_sub(1);
    }
    (line_start + column - 1).min(body.len())
}

struct State {
    depth: usize,
    max_depth: usize,
    /// Where the parser is; maintained only when rejecting duplicates.
    path: TreePath,
    /// Set by the visitor when it refuses the input, so the error can be classified.
    failure: Option<Failure>,
}

struct Failure {
    kind: DecodeErrorKind,
    path: Option<String>,
}

/// Builds a `Value` exactly as `serde_json`'s own visitor does, plus the depth limit and, when
/// `REJECT`, the duplicate-key check.
struct ValueSeed<'s, const REJECT: bool> {
    state: &'s mut State,
}

impl<const REJECT: bool> ValueSeed<'_, REJECT> {
    fn enter<E: de::Error>(&mut self) -> Result<(), E> {
        if self.state.depth >= self.state.max_depth {
            self.state.failure = Some(Failure {
                kind: DecodeErrorKind::TooDeep,
                path: REJECT.then(|| self.state.path.render()),
            });
            return Err(E::custom(format_args!(
                "nesting is deeper than the limit of {}",
                self.state.max_depth
            )));
        }
        self.state.depth += 1;
        Ok(())
    }
}

impl<'de, const REJECT: bool> DeserializeSeed<'de> for ValueSeed<'_, REJECT> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, const REJECT: bool> Visitor<'de> for ValueSeed<'_, REJECT> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Value, A::Error> {
        self.enter()?;
        let mut items = Vec::new();
        loop {
            if REJECT {
                self.state.path.push_index(items.len());
            }
            let item = seq.next_element_seed(ValueSeed::<REJECT> {
                state: &mut *self.state,
            })?;
            if REJECT {
                self.state.path.pop();
            }
            match item {
                Some(item) => items.push(item),
                None => break,
            }
        }
        self.state.depth -= 1;
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Value, A::Error> {
        self.enter()?;
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if REJECT {
                if object.contains_key(&key) {
                    let message = format!("duplicate key `{key}`");
                    self.state.failure = Some(Failure {
                        kind: DecodeErrorKind::DuplicateKey,
                        path: Some(self.state.path.render_with_key(&key)),
                    });
                    return Err(de::Error::custom(message));
                }
                // The key lives in the path while its value is parsed and is moved back out
                // afterwards, so tracking the path allocates nothing per key.
                self.state.path.push_key(key);
                let value = map.next_value_seed(ValueSeed::<REJECT> {
                    state: &mut *self.state,
                })?;
                if let Some(crate::error::Segment::Key(key)) = self.state.path.pop() {
                    object.insert(key, value);
                }
            } else {
                let value = map.next_value_seed(ValueSeed::<REJECT> {
                    state: &mut *self.state,
                })?;
                object.insert(key, value);
            }
        }
        self.state.depth -= 1;
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use serde_json::json;

    use super::*;

    fn opts() -> DecodeOptions {
        DecodeOptions::default()
    }

    fn reject() -> DecodeOptions {
        DecodeOptions {
            duplicate_keys: DuplicateKeys::Reject,
            ..DecodeOptions::default()
        }
    }

    fn err(input: &[u8], opts: &DecodeOptions) -> DecodeError {
        match decode(input, opts) {
            Ok(v) => panic!("expected an error, decoded {v}"),
            Err(e) => e,
        }
    }

    #[test]
    fn decodes_like_serde_json() {
        let input = r#"{"order_number":"PO-1001","lines":[{"sku":"A-1","quantity":2,"price":12.5,"big":18446744073709551615,"neg":-3}],"ok":true,"none":null,"name":"上海经销商"}"#.as_bytes();
        let ours = decode(input, &opts()).unwrap();
        let theirs: Value = serde_json::from_slice(input).unwrap();
        assert_eq!(ours, theirs);
        // Numbers stay numbers (a switch to serde_json's arbitrary_precision would change that).
        assert!(ours["lines"][0]["quantity"].is_u64());
        assert!(ours["lines"][0]["price"].is_f64());
        assert_eq!(decode(input, &reject()).unwrap(), theirs);
    }

    #[test]
    fn malformed_input_gives_line_column_and_byte() {
        let e = err(br#"{"a": 1, "b": 2 "c": 3}"#, &opts());
        assert_eq!(e.kind, DecodeErrorKind::Malformed);
        assert_eq!(e.message, "expected `,` or `}`");
        assert_eq!((e.line, e.column, e.offset), (Some(1), Some(17), Some(16)));
        assert_eq!(
            e.to_string(),
            "json: expected `,` or `}` at line 1, column 17 (byte 16)"
        );
    }

    #[test]
    fn malformed_on_a_later_line_counts_characters() {
        let input = "{\n  \"名称\": \"上海\",\n  \"x\": tru\n}".as_bytes();
        let e = err(input, &opts());
        assert_eq!(e.line, Some(3));
        let offset = e.offset.unwrap();
        assert_eq!(&input[offset - 3..offset], b"tru");
        assert_eq!(input[offset], b'\n');
        assert_eq!(e.column, Some(11));
    }

    #[test]
    fn truncated_input() {
        let e = err(br#"{"a": [1, 2"#, &opts());
        assert_eq!(e.kind, DecodeErrorKind::Malformed);
        assert!(e.message.contains("EOF while parsing"), "{e}");
        assert_eq!(e.offset, Some(11));
        let e = err(b"", &opts());
        assert!(e.message.contains("EOF"), "{e}");
    }

    #[test]
    fn trailing_garbage_and_binary_are_refused() {
        let e = err(br#"{"a":1} x"#, &opts());
        assert_eq!(e.message, "trailing characters");
        let e = err(&[0xff, 0xfe, 0x00, 0x01, 0x9c], &opts());
        assert_eq!(e.kind, DecodeErrorKind::Malformed);
        let e = err(b"\"\xff\xfe\"", &opts());
        assert_eq!(e.kind, DecodeErrorKind::Malformed);
    }

    #[test]
    fn hundred_thousand_open_brackets_are_refused_quickly() {
        let input = vec![b'['; 100_000];
        let started = Instant::now();
        let e = err(&input, &opts());
        assert!(started.elapsed() < Duration::from_secs(1));
        assert_eq!(e.kind, DecodeErrorKind::TooDeep);
        assert_eq!(e.message, "nesting is deeper than the limit of 64");
        // The offending bracket is the 65th, at byte 64.
        assert_eq!(e.offset, Some(64));

        let input = "{\"a\":".repeat(100_000);
        let e = err(input.as_bytes(), &reject());
        assert_eq!(e.kind, DecodeErrorKind::TooDeep);
        assert_eq!(e.path.as_deref().map(|p| p.matches(".a").count()), Some(64));
    }

    #[test]
    fn depth_limit_is_exact() {
        let ok = format!("{}{}", "[".repeat(64), "]".repeat(64));
        assert!(decode(ok.as_bytes(), &opts()).is_ok());
        let deep = format!("{}{}", "[".repeat(65), "]".repeat(65));
        assert_eq!(err(deep.as_bytes(), &opts()).kind, DecodeErrorKind::TooDeep);
    }

    #[test]
    fn serde_json_recursion_limit_stays_in_force_above_max_depth() {
        let opts = DecodeOptions {
            max_depth: 10_000,
            ..DecodeOptions::default()
        };
        let e = err(&vec![b'['; 100_000], &opts);
        assert_eq!(e.kind, DecodeErrorKind::TooDeep);
        assert_eq!(e.message, "recursion limit exceeded");
    }

    #[test]
    fn too_large_is_refused_before_parsing() {
        let opts = DecodeOptions {
            max_size: 8,
            ..DecodeOptions::default()
        };
        let e = err(br#"{"a": "123456"}"#, &opts);
        assert_eq!(e.kind, DecodeErrorKind::TooLarge);
        assert_eq!(e.to_string(), "json: input is 15 bytes, more than the limit of 8 bytes");
        assert!(decode(b"[1,2,3]", &opts).is_ok());
    }

    #[test]
    fn duplicate_keys_last_wins_by_default() {
        let v = decode(br#"{"a": {"b": 1, "b": 2}}"#, &opts()).unwrap();
        assert_eq!(v, json!({"a": {"b": 2}}));
    }

    #[test]
    fn duplicate_keys_rejected_with_key_and_path() {
        let input = br#"{"lines": [{"sku": "A"}, {"sku": "B", "qty": 1, "sku": "C"}]}"#;
        let e = err(input, &reject());
        assert_eq!(e.kind, DecodeErrorKind::DuplicateKey);
        assert_eq!(e.message, "duplicate key `sku`");
        assert_eq!(e.path.as_deref(), Some(".lines[1].sku"));
        let offset = e.offset.unwrap();
        // serde_json stops on the closing quote of the repeated key.
        assert_eq!(&input[offset - 4..=offset], br#""sku""#);
        assert!(
            e.to_string()
                .starts_with("json: duplicate key `sku` at `.lines[1].sku`, line 1")
        );

        let e = err(br#"{"a b": 1, "a b": 2}"#, &reject());
        assert_eq!(e.path.as_deref(), Some(r#"."a b""#));
        // The same key in sibling objects is not a duplicate.
        assert!(decode(br#"[{"a":1},{"a":2}]"#, &reject()).is_ok());
    }

    #[test]
    fn leading_bom_is_tolerated_and_counted_in_offsets() {
        let v = decode(b"\xEF\xBB\xBF{\"a\": 1}", &opts()).unwrap();
        assert_eq!(v, json!({"a": 1}));
        let e = err(b"\xEF\xBB\xBF{\"a\" 1}", &opts());
        assert_eq!(e.offset, Some(8));
        assert_eq!(e.column, Some(6));
        // A BOM anywhere else is not whitespace.
        assert!(decode(b" \xEF\xBB\xBF{}", &opts()).is_err());
    }

    #[test]
    fn encode_compact_pretty_and_unicode_as_is() {
        let doc = json!({"name": "上海经销商", "qty": [1, 2]});
        let compact = encode(&doc, &EncodeOptions::default()).unwrap();
        assert_eq!(
            String::from_utf8(compact.clone()).unwrap(),
            r#"{"name":"上海经销商","qty":[1,2]}"#
        );
        let pretty = EncodeOptions {
            pretty: true,
            ..EncodeOptions::default()
        };
        let text = String::from_utf8(encode(&doc, &pretty).unwrap()).unwrap();
        assert!(text.contains("\n  \"name\": \"上海经销商\""), "{text}");
        assert_eq!(decode(text.as_bytes(), &opts()).unwrap(), doc);
        assert_eq!(decode(&compact, &opts()).unwrap(), doc);
    }

    #[test]
    fn mutated_and_truncated_input_never_panics_and_accepted_input_round_trips() {
        let base = "\u{feff}{\"a\": [1, -2.5e3, true, null, {\"b\": \"上海\\n\\u4e0a\"}], \"c\": {\"d\": []}}";
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            usize::try_from(seed % n as u64).unwrap_or(0)
        };
        let interesting = b"[]{}\",:\\u0123456789eE+-.tfn \xff\x00";
        let mut accepted = 0;
        for end in 0..=base.len() {
            let _ = decode(&base.as_bytes()[..end], &reject());
        }
        for _ in 0..5_000 {
            let mut input = base.as_bytes().to_vec();
            for _ in 0..=next(4) {
                let at = next(input.len());
                let byte = interesting[next(interesting.len())];
                match next(3) {
                    0 => input[at] = byte,
                    1 => input.insert(at, byte),
                    _ => {
                        input.remove(at);
                    }
                }
            }
            let last_wins = decode(&input, &opts());
            if let Ok(doc) = &last_wins {
                accepted += 1;
                let bytes = encode(doc, &EncodeOptions::default()).unwrap();
                assert_eq!(&decode(&bytes, &opts()).unwrap(), doc);
            }
            // Both policies agree whenever the input has no duplicate key.
            match decode(&input, &reject()) {
                Ok(doc) => assert_eq!(Some(&doc), last_wins.as_ref().ok()),
                Err(e) if e.kind != DecodeErrorKind::DuplicateKey => {
                    assert_eq!(last_wins.as_ref().err().map(|e| &e.message), Some(&e.message));
                }
                Err(_) => {}
            }
        }
        assert!(accepted > 0, "no mutation was accepted; the test checks nothing");
    }
}
