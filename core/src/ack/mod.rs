//! Acknowledgements, both ways. The hub answers an X12 or EDIFACT partner the way EDI partners
//! expect: a functional acknowledgement (X12 997, EDIFACT CONTRL) for every interchange it
//! could read, accepting or rejecting each transaction set or message, and on request an
//! application advice (X12 824, EDIFACT APERAK) naming every document refused for its content.
//! The other way, a 997 or CONTRL the partner sends back is read into [`Receipt`]s that the store
//! matches to the interchanges the hub sent.
//!
//! Everything here builds or reads format trees (the shape `formats` decodes to and encodes
//! from); the pipeline decides what is accepted and commits the answers as ordinary messages.

mod edifact;
mod incoming;
mod scan;
mod sets;
mod x12;

#[cfg(test)]
mod tests;

pub use edifact::{aperak, contrl};
pub use incoming::{Receipt, receipts};
pub use scan::envelope;
pub use sets::{SetAt, group_reference, set_reference, split_sets};
pub use x12::{application_advice, functional_ack};

/// The message kinds of the acknowledgements the hub sends: they are not acknowledged in turn.
pub const ACK_KINDS: &[&str] = &["x12_997", "x12_824", "edifact_contrl", "edifact_aperak"];

/// Whether messages of `kind` are acknowledgements the hub sent.
#[must_use]
pub fn is_ack_kind(kind: &str) -> bool {
    ACK_KINDS.contains(&kind)
}

/// Why the hub refused one transaction set (X12) or message (EDIFACT).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub fault: Fault,
    /// The reason in words, as the refusal was recorded.
    pub reason: String,
}

/// What was wrong, in the terms acknowledgements have codes for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// The trailer's segment count disagrees with the segments (X12 AK5 4, EDIFACT 29).
    SegmentCount,
    /// The trailer's control number disagrees with the header's (X12 AK5 3, EDIFACT 28).
    ControlNumber,
    /// The trailer is missing (X12 AK5 2, EDIFACT 13 on the trailer).
    TrailerMissing,
    /// A segment, or one of its elements, is wrong: `position` counts from the set's header
    /// (ST or UNH is 1).
    Segment {
        tag: String,
        position: usize,
        element: Option<usize>,
        missing: bool,
    },
    /// The content: the mapping refused it, or the canonical document it made breaks the
    /// schema (`missing` when a required field is absent).
    Content { missing: bool },
}

impl Refusal {
    /// A refusal of the content (mapping or schema), from the recorded reason.
    #[must_use]
    pub fn content(reason: String, missing: bool) -> Self {
        Refusal {
            fault: Fault::Content { missing },
            reason,
        }
    }

    /// A refusal from a decoding error located `position` segments into its set.
    #[must_use]
    pub fn syntax(message: &str, tag: &str, position: usize, element: Option<usize>) -> Self {
        let fault = if message.contains(" says ") {
            Fault::SegmentCount
        } else if message.contains("does not match") {
            Fault::ControlNumber
        } else if message.contains("has no") && message.contains("trailer") || message.contains("is not closed") {
            Fault::TrailerMissing
        } else {
            Fault::Segment {
                tag: tag.to_owned(),
                position,
                element,
                missing: message.contains("missing") || message.contains("empty") || message.contains("required"),
            }
        };
        Refusal {
            fault,
            reason: message.to_owned(),
        }
    }
}

/// Text safe inside an X12 element: letters, digits, space and plain punctuation (X12 has no
/// release character, so separators cannot be escaped), at most `max` characters.
pub(crate) fn x12_text(text: &str, max: usize) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || " .,-_/()#'=+%&@".contains(c) {
                c
            } else {
                ' '
            }
        })
        .take(max)
        .collect::<String>()
        .trim()
        .to_owned()
}
