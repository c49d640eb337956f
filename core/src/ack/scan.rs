//! A lenient look at an X12 or EDIFACT input that the decoder refused: its envelopes (who sent
//! it, which groups and sets or messages it holds, at which segment each starts), so that the
//! refusal can still be acknowledged — the faulty set rejected, naming the segment and element.

use channelhub_formats::{DecodeError, Format};
use serde_json::{Map, Value, json};

use super::{Refusal, SetAt};

/// The envelope tree of a refused input (the shape the decoder gives, without segment content)
/// and the refusal of the set holding the error, if the error lies inside one. `None` when not
/// even the interchange header can be read.
#[must_use]
pub fn envelope(format: Format, raw: &[u8], error: &DecodeError) -> Option<(Value, Option<(SetAt, Refusal)>)> {
    let segments = match format {
        Format::X12 => x12_segments(raw)?,
        Format::Edifact => edifact_segments(raw)?,
        _ => return None,
    };
    let ordinal = error.segment.as_ref().map(|s| s.ordinal).or_else(|| {
        let offset = error.offset?;
        segments.iter().rposition(|s| s.offset <= offset).map(|i| i + 1)
    });
    let (tree, spans) = match format {
        Format::X12 => x12_tree(&segments),
        _ => edifact_tree(&segments),
    };
    tree.get("interchanges")
        .and_then(Value::as_array)
        .filter(|i| !i.is_empty())?;
    let located = ordinal.and_then(|k| {
        let (at, first) = spans
            .iter()
            .find(|(_, first, last)| *first <= k && last.is_none_or(|l| k <= l))
            .map(|(at, f, _)| (*at, *f))?;
        let tag = error.segment.as_ref().map_or_else(
            || segments.get(k - 1).map(|s| s.elements[0].clone()).unwrap_or_default(),
            |s| s.tag.clone(),
        );
        let element = error.segment.as_ref().and_then(|s| s.element);
        Some((at, Refusal::syntax(&error.message, &tag, k - first + 1, element)))
    });
    Some((tree, located))
}

/// One segment: its byte offset and its elements (the tag first), components left joined.
struct Segment {
    offset: usize,
    elements: Vec<String>,
}

/// X12 segments, with the separators the ISA declares (element: the byte after `ISA`; segment
/// terminator: the byte after ISA16).
fn x12_segments(raw: &[u8]) -> Option<Vec<Segment>> {
    let start = raw.windows(3).position(|w| w == b"ISA")?;
    let isa = raw.get(start..start + 106)?;
    let (element, terminator) = (isa[3], isa[105]);
    let mut out = Vec::new();
    let mut offset = start;
    for piece in raw[start..].split(|&b| b == terminator) {
        let skipped = piece.iter().take_while(|b| b.is_ascii_whitespace()).count();
        let body = &piece[skipped..];
        if !body.is_empty() {
            out.push(Segment {
                offset: offset + skipped,
                elements: body
                    .split(|&b| b == element)
                    .map(|e| String::from_utf8_lossy(e).trim().to_owned())
                    .collect(),
            });
        }
        offset += piece.len() + 1;
    }
    Some(out)
}

type Spans = Vec<(SetAt, usize, Option<usize>)>;

fn x12_tree(segments: &[Segment]) -> (Value, Spans) {
    let el = |s: &Segment, n: usize| s.elements.get(n).cloned().unwrap_or_default();
    let mut interchanges: Vec<Map<String, Value>> = Vec::new();
    let mut spans: Spans = Vec::new();
    for (i, s) in segments.iter().enumerate() {
        let ordinal = i + 1;
        match s.elements[0].as_str() {
            "ISA" => {
                let mut isa = Map::new();
                for (key, n) in [
                    ("sender_qualifier", 5),
                    ("sender_id", 6),
                    ("receiver_qualifier", 7),
                    ("receiver_id", 8),
                    ("version", 12),
                    ("control_number", 13),
                    ("usage_indicator", 15),
                ] {
                    isa.insert(key.into(), json!(el(s, n)));
                }
                isa.insert("groups".into(), json!([]));
                interchanges.push(isa);
            }
            "GS" => {
                if let Some(groups) = interchanges.last_mut().and_then(|i| i["groups"].as_array_mut()) {
                    groups.push(
                        json!({"functional_id": el(s, 1), "sender_id": el(s, 2), "receiver_id": el(s, 3),
                        "control_number": el(s, 6), "version": el(s, 8), "transactions": []}),
                    );
                }
            }
            "ST" => {
                let i = interchanges.len().saturating_sub(1);
                if let Some(groups) = interchanges.last_mut().and_then(|i| i["groups"].as_array_mut()) {
                    let g = groups.len().saturating_sub(1);
                    if let Some(sets) = groups.last_mut().and_then(|g| g["transactions"].as_array_mut()) {
                        let at = SetAt {
                            interchange: i,
                            group: Some(g),
                            set: sets.len(),
                        };
                        sets.push(json!({"set_id": el(s, 1), "control_number": el(s, 2)}));
                        spans.push((at, ordinal, None));
                    }
                }
            }
            "SE" => {
                if let Some(span) = spans.last_mut().filter(|s| s.2.is_none()) {
                    span.2 = Some(ordinal);
                }
            }
            _ => {}
        }
    }
    let interchanges: Vec<Value> = interchanges.into_iter().map(Value::Object).collect();
    (json!({"interchanges": interchanges}), spans)
}

/// EDIFACT segments, with the separators the UNA declares (or the defaults), honouring the
/// release character. The UNA, when present, is segment 1.
fn edifact_segments(raw: &[u8]) -> Option<Vec<Segment>> {
    let start = raw
        .iter()
        .position(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF)?;
    let raw = &raw[start..];
    let (component, element, release, terminator) = match raw.get(..9) {
        Some(una) if una.starts_with(b"UNA") => (una[3], una[4], una[6], una[8]),
        _ if raw.starts_with(b"UNB") => (b':', b'+', b'?', b'\''),
        _ => return None,
    };
    let mut out = Vec::new();
    let mut pos = 0;
    if raw.starts_with(b"UNA") {
        out.push(Segment {
            offset: start,
            elements: vec!["UNA".into()],
        });
        pos = 9;
    }
    while pos < raw.len() {
        while pos < raw.len() && (raw[pos] == b'\r' || raw[pos] == b'\n') {
            pos += 1;
        }
        if pos >= raw.len() {
            break;
        }
        let begin = pos;
        let mut elements: Vec<Vec<u8>> = Vec::new();
        let mut current: Vec<u8> = Vec::new();
        while pos < raw.len() && raw[pos] != terminator {
            let b = raw[pos];
            if b == release && pos + 1 < raw.len() {
                current.push(raw[pos + 1]);
                pos += 2;
                continue;
            }
            if b == element {
                elements.push(std::mem::take(&mut current));
            } else {
                // Components stay in their element, joined by `:` for reading ids below.
                current.push(if b == component { b':' } else { b });
            }
            pos += 1;
        }
        elements.push(current);
        pos += 1;
        out.push(Segment {
            offset: start + begin,
            elements: elements
                .iter()
                .map(|e| String::from_utf8_lossy(e).trim().to_owned())
                .collect(),
        });
    }
    Some(out)
}

fn edifact_tree(segments: &[Segment]) -> (Value, Spans) {
    let part = |s: &Segment, n: usize, c: usize| {
        s.elements
            .get(n)
            .and_then(|e| e.split(':').nth(c))
            .unwrap_or_default()
            .to_owned()
    };
    let mut interchanges: Vec<Map<String, Value>> = Vec::new();
    let mut spans: Spans = Vec::new();
    for (i, s) in segments.iter().enumerate() {
        let ordinal = i + 1;
        match s.elements[0].as_str() {
            "UNB" => {
                let mut unb = Map::new();
                for (key, n, c) in [
                    ("syntax_identifier", 1, 0),
                    ("syntax_version", 1, 1),
                    ("sender_id", 2, 0),
                    ("sender_qualifier", 2, 1),
                    ("recipient_id", 3, 0),
                    ("recipient_qualifier", 3, 1),
                    ("control_reference", 5, 0),
                ] {
                    unb.insert(key.into(), json!(part(s, n, c)));
                }
                unb.insert("messages".into(), json!([]));
                interchanges.push(unb);
            }
            "UNH" => {
                let i = interchanges.len().saturating_sub(1);
                if let Some(messages) = interchanges.last_mut().and_then(|i| i["messages"].as_array_mut()) {
                    let at = SetAt {
                        interchange: i,
                        group: None,
                        set: messages.len(),
                    };
                    messages.push(
                        json!({"message_reference": part(s, 1, 0), "message_type": part(s, 2, 0),
                        "version": part(s, 2, 1), "release": part(s, 2, 2), "agency": part(s, 2, 3)}),
                    );
                    spans.push((at, ordinal, None));
                }
            }
            "UNT" => {
                if let Some(span) = spans.last_mut().filter(|s| s.2.is_none()) {
                    span.2 = Some(ordinal);
                }
            }
            _ => {}
        }
    }
    let interchanges: Vec<Value> = interchanges.into_iter().map(Value::Object).collect();
    (json!({"interchanges": interchanges}), spans)
}
