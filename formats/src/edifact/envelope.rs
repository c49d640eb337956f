//! The names the tree gives the UNB, UNG and UNH elements and components, shared by the reader and the writer.

/// A named envelope value: (element number, component number, tree key), both 1-based.
pub(crate) type Field = (usize, usize, &'static str);

/// UNB (interchange header), syntax versions 3 and 4.
pub(crate) const UNB_FIELDS: &[Field] = &[
    (1, 1, "syntax_identifier"),
    (1, 2, "syntax_version"),
    (1, 3, "service_code_list_version"),
    (1, 4, "character_encoding"),
    (2, 1, "sender_id"),
    (2, 2, "sender_qualifier"),
    (2, 3, "sender_internal_id"),
    (2, 4, "sender_internal_sub_id"),
    (3, 1, "recipient_id"),
    (3, 2, "recipient_qualifier"),
    (3, 3, "recipient_internal_id"),
    (3, 4, "recipient_internal_sub_id"),
    (4, 1, "date"),
    (4, 2, "time"),
    (5, 1, "control_reference"),
    (6, 1, "recipient_password"),
    (6, 2, "recipient_password_qualifier"),
    (7, 1, "application_reference"),
    (8, 1, "priority"),
    (9, 1, "ack_requested"),
    (10, 1, "agreement_id"),
    (11, 1, "test_indicator"),
];

/// UNG (functional group header).
pub(crate) const UNG_FIELDS: &[Field] = &[
    (1, 1, "message_group_id"),
    (2, 1, "sender_id"),
    (2, 2, "sender_qualifier"),
    (3, 1, "recipient_id"),
    (3, 2, "recipient_qualifier"),
    (4, 1, "date"),
    (4, 2, "time"),
    (5, 1, "control_reference"),
    (6, 1, "agency"),
    (7, 1, "message_version"),
    (7, 2, "message_release"),
    (7, 3, "association_code"),
    (8, 1, "password"),
];

/// UNH (message header). S016..S018 (version 4) keep their references (`UNH05-1`).
pub(crate) const UNH_FIELDS: &[Field] = &[
    (1, 1, "message_reference"),
    (2, 1, "message_type"),
    (2, 2, "version"),
    (2, 3, "release"),
    (2, 4, "agency"),
    (2, 5, "association_code"),
    (2, 6, "code_list_version"),
    (2, 7, "message_type_sub_function"),
    (3, 1, "common_access_reference"),
    (4, 1, "transfer_sequence"),
    (4, 2, "transfer_position"),
];

/// Reads an element or component key of segment `tag` back: `BGM02` is `(2, None)`,
/// `DTM01-2` is `(1, Some(2))`. Numbers start at 1 and are bounded, so a hostile key cannot make
/// the writer pad out millions of separators.
pub(crate) fn parse_key(tag: &str, key: &str) -> Option<(usize, Option<usize>)> {
    let rest = key.strip_prefix(tag)?;
    let (element, component) = match rest.split_once('-') {
        Some((e, c)) => (e, Some(c)),
        None => (rest, None),
    };
    // Only the canonical spelling is accepted (`BGM02`, not `BGM2` or `BGM002`), so one element
    // cannot be given twice under two keys.
    let number = |s: &str, canonical: fn(usize) -> String| {
        let n = s.parse::<usize>().ok().filter(|&n| (1..=999).contains(&n))?;
        (s.bytes().all(|b| b.is_ascii_digit()) && canonical(n) == s).then_some(n)
    };
    let n = number(element, |n| format!("{n:02}"))?;
    match component {
        None => Some((n, None)),
        Some(c) => Some((n, Some(number(c, |c| c.to_string())?))),
    }
}

/// Whether two interchange, group or message references agree: equal, or equal as numbers
/// (`0001` and `1`) when both are all digits.
pub(crate) use crate::edi::keys::same_number as same_reference;
pub(crate) use crate::edi::keys::{component_key, element_key};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_read_back() {
        assert_eq!(element_key("BGM", 2), "BGM02");
        assert_eq!(component_key("DTM01", 2), "DTM01-2");
        assert_eq!(parse_key("BGM", "BGM02"), Some((2, None)));
        assert_eq!(parse_key("DTM", "DTM01-2"), Some((1, Some(2))));
        assert_eq!(parse_key("DTM", "DTM12-10"), Some((12, Some(10))));
        assert_eq!(parse_key("FTX", "FTX100"), Some((100, None)));
        for bad in [
            "BGM",
            "BGM2",
            "BGM00",
            "BGM002",
            "BGM01-",
            "BGM01-0",
            "BGM01-01",
            "DTM01",
            "BGM01-1-2",
            "BGM9999",
        ] {
            assert_eq!(parse_key("BGM", bad), None, "{bad}");
        }
    }

    #[test]
    fn references() {
        assert!(same_reference("0001", "1"));
        assert!(same_reference("ABC", "ABC"));
        assert!(!same_reference("ABC", "abc"));
        assert!(!same_reference("", "0"));
    }
}
