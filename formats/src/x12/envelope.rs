//! The names the tree gives the ISA, GS and ST elements, shared by the reader and the writer.

/// ISA elements by tree key: (element number, key, fixed width). ISA11 and ISA16 are delimiters
/// and come from `EncodeOptions::x12_delimiters` when writing, so they are not in the tree.
pub(crate) const ISA_FIELDS: [(usize, &str, usize); 14] = [
    (1, "authorization_qualifier", 2),
    (2, "authorization", 10),
    (3, "security_qualifier", 2),
    (4, "security", 10),
    (5, "sender_qualifier", 2),
    (6, "sender_id", 15),
    (7, "receiver_qualifier", 2),
    (8, "receiver_id", 15),
    (9, "date", 6),
    (10, "time", 4),
    (12, "version", 5),
    (13, "control_number", 9),
    (14, "ack_requested", 1),
    (15, "usage_indicator", 1),
];

/// GS01..GS08 by tree key; further elements a partner sends keep their reference (`GS09`).
pub(crate) const GS_FIELDS: [&str; 8] = [
    "functional_id",
    "sender_id",
    "receiver_id",
    "date",
    "time",
    "control_number",
    "agency",
    "version",
];

/// ST01..ST03 by tree key; further elements keep their reference (`ST04`).
pub(crate) const ST_FIELDS: [&str; 3] = ["set_id", "control_number", "implementation_reference"];

pub(crate) use crate::edi::keys::{element_key, same_number};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edi::keys::component_key;

    #[test]
    fn keys() {
        assert_eq!(element_key("BEG", 3), "BEG03");
        assert_eq!(element_key("N1", 12), "N112");
        assert_eq!(element_key("ZZ", 100), "ZZ100");
        assert_eq!(component_key("PO107", 2), "PO107-2");
        assert_eq!(component_key("PO107", 12), "PO107-12");
    }

    #[test]
    fn numbers() {
        assert!(same_number("17878", "000017878"));
        assert!(same_number("0", "000"));
        assert!(!same_number("940001777", "177818711"));
        assert!(!same_number("", "0"));
        assert!(same_number("A1", "A1"));
    }
}
