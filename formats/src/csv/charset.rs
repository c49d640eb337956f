//! Turning CSV bytes in any supported encoding into UTF-8 text, and positions in that text back
//! into positions in the bytes as received, for error messages.

use std::borrow::Cow;

use encoding_rs::{DecoderResult, Encoding};

use super::options::CsvEncoding;
use crate::error::UTF8_BOM;
use crate::{DecodeError, DecodeErrorKind, Format};

/// The input as UTF-8 text, with what is needed to report positions in the original bytes.
pub(crate) struct Text<'a> {
    /// The input as received.
    input: &'a [u8],
    /// Length of the byte order mark skipped at the start of `input`.
    bom: usize,
    /// The codec the input was decoded with; `None` for UTF-8 (no transcoding, so offsets in
    /// `text` are offsets in `input` after the BOM).
    codec: Option<&'static Encoding>,
    /// The decoded text, without the BOM.
    pub(crate) text: Cow<'a, str>,
}

impl<'a> Text<'a> {
    /// Decodes `input`. A UTF-8 BOM means UTF-8 whatever `encoding` says; a UTF-16 BOM, NUL
    /// characters and byte sequences that are invalid in the encoding are refused, saying where.
    pub(crate) fn decode(input: &'a [u8], encoding: CsvEncoding) -> Result<Self, DecodeError> {
        if input.starts_with(b"\xFF\xFE") || input.starts_with(b"\xFE\xFF") {
            return Err(DecodeError::new(
                Format::Csv,
                DecodeErrorKind::Unsupported,
                "the file is utf-16 (it starts with a utf-16 byte order mark); save it as utf-8 or gbk",
            )
            .at_offset(input, 0));
        }
        let (bom, codec) = if input.starts_with(UTF8_BOM) {
            (UTF8_BOM.len(), None)
        } else {
            (0, encoding.codec())
        };
        let body = &input[bom..];
        let mut decoded = Text {
            input,
            bom,
            codec,
            text: Cow::Borrowed(""),
        };
        match codec {
            None => match std::str::from_utf8(body) {
                Ok(text) => decoded.text = Cow::Borrowed(text),
                Err(e) => {
                    let at = e.valid_up_to();
                    let bad = &body[at..at + e.error_len().unwrap_or(body.len() - at)];
                    decoded.text = Cow::Borrowed(std::str::from_utf8(&body[..at]).unwrap_or_default());
                    return Err(decoded.error(
                        DecodeErrorKind::Malformed,
                        format!(
                            "invalid utf-8 byte sequence {}; if the file comes from a Chinese system, \
                             set the csv encoding to gbk, gb18030 or big5",
                            hex(bad)
                        ),
                        at,
                    ));
                }
            },
            Some(codec) => {
                let mut decoder = codec.new_decoder_without_bom_handling();
                let capacity = decoder
                    .max_utf8_buffer_length_without_replacement(body.len())
                    .unwrap_or(body.len().saturating_mul(3));
                let mut text = String::with_capacity(capacity);
                let mut read_total = 0;
                loop {
                    let (result, read) =
                        decoder.decode_to_string_without_replacement(&body[read_total..], &mut text, true);
                    read_total += read;
                    match result {
                        DecoderResult::InputEmpty => break,
                        // Cannot happen with the capacity reserved above; grow and go on anyway.
                        DecoderResult::OutputFull => text.reserve(body.len() - read_total + 16),
                        DecoderResult::Malformed(bad, extra) => {
                            let end = read_total - usize::from(extra);
                            let start = end.saturating_sub(usize::from(bad));
                            let at = text.len();
                            decoded.text = Cow::Owned(text);
                            let mut e = decoded.error(
                                DecodeErrorKind::Malformed,
                                format!(
                                    "invalid {} byte sequence {}; check the csv encoding setting",
                                    encoding.as_str(),
                                    hex(&body[start..end])
                                ),
                                at,
                            );
                            // The exact offset is known here; do not derive it.
                            e.offset = Some(bom + start);
                            return Err(e);
                        }
                    }
                }
                decoded.text = Cow::Owned(text);
            }
        }
        if let Some(at) = decoded.text.bytes().position(|b| b == 0) {
            return Err(decoded.error(
                DecodeErrorKind::Malformed,
                "nul character; this looks like a binary or utf-16 file, not csv text",
                at,
            ));
        }
        Ok(decoded)
    }

    /// An error at byte `at` of the decoded text, with the line and character column there
    /// and the offset of the same place in the input as received.
    pub(crate) fn error(&self, kind: DecodeErrorKind, message: impl Into<String>, at: usize) -> DecodeError {
        let text: &str = &self.text;
        let at = floor_char_boundary(text, at.min(text.len()));
        let before = &text[..at];
        let offset = self.bom
            + match self.codec {
                None => at,
                // Re-encoding gives the original length for everything the decoder can produce
                // except the few GB18030 four-byte characters that GBK cannot encode.
                Some(codec) => codec.encode(before).0.len(),
            };
        let (line, column) = line_column(before);
        let mut e = DecodeError::new(Format::Csv, kind, message);
        e.offset = Some(offset.min(self.input.len()));
        e.line = Some(line);
        e.column = Some(column);
        e
    }
}

/// 1-based line and character column at the end of `before`. Lines end at LF, CRLF or a lone
/// CR, as records do.
fn line_column(before: &str) -> (usize, usize) {
    let bytes = before.as_bytes();
    let mut line = 1;
    let mut line_start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            line += 1;
            line_start = i + 1;
        }
    }
    (line, 1 + before[line_start..].chars().count())
}

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Bytes as `0x81 0x20`, for messages about invalid sequences.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("0x{b:02x}")).collect::<Vec<_>>().join(" ")
}
