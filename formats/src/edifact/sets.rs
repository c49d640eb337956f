//! Message structures (which segments repeat, which start segment groups), read from the data files in `sets/`.
//!
//! Each `sets/<TYPE>.txt` lists the segments of one message type in standard order, one per line,
//! between UNH and UNT (which are never listed). `TAG*` marks a segment that may repeat; `TAG/`
//! starts a segment group whose first segment is `TAG`, and the lines indented two more spaces
//! below it are the rest of that group. `#` starts a comment. One file covers every directory
//! version (D.93A to D.14B) and the EANCOM subsets: the reader is lenient about order and the
//! versions differ mostly in segments some of them lack. Groups are named by their first segment
//! (`LIN_group`) rather than by number, because the numbers (`SG25`) change between versions.
//!
//! The structure is data rather than code so that a new message type is one reviewed text file.

use super::lexer::is_tag;
#[cfg(test)]
use crate::edi::structure;
use crate::edi::structure::{Catalogue, Dialect, Structure};

/// The files compiled in, by message type.
const SOURCES: &[(&str, &str)] = &[
    ("APERAK", include_str!("sets/APERAK.txt")),
    ("CONTRL", include_str!("sets/CONTRL.txt")),
    ("DESADV", include_str!("sets/DESADV.txt")),
    ("INVOIC", include_str!("sets/INVOIC.txt")),
    ("ORDERS", include_str!("sets/ORDERS.txt")),
    ("ORDRSP", include_str!("sets/ORDRSP.txt")),
];

/// How EDIFACT definitions name things: segment groups of a message, without `TAG!`.
static DIALECT: Dialect = Dialect {
    definition: "edifact message definition",
    unit: "message",
    unit_name: "message",
    block: "group",
    block_name: "segment group",
    blocks_name: "segment groups",
    not_an_array: "a segment group must be an array of occurrences",
    not_an_occurrence: "a segment group occurrence must be an object",
    key_suffix: "_group",
    required: false,
    is_tag: |tag| is_tag(tag) && !matches!(tag, "UNH" | "UNT"),
    not_a_tag: "is not a message segment tag",
};

/// Every definition, parsed on first use.
static CATALOGUE: Catalogue = Catalogue::new(&DIALECT, SOURCES);

/// The structure of message type `id`, if this crate knows it.
pub(crate) fn lookup(id: &str) -> Option<&'static Structure> {
    CATALOGUE.lookup(id)
}

/// Parses one definition file.
#[cfg(test)]
fn parse(id: &'static str, text: &'static str) -> Result<Structure, String> {
    structure::parse(&DIALECT, id, text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edi::structure::{Block, ChildKind};

    #[test]
    fn every_definition_parses_and_is_found_by_its_type() {
        for &(id, text) in SOURCES {
            let set = parse(id, text).unwrap_or_else(|e| panic!("sets/{id}.txt: {e}"));
            assert!(!set.get(0).children.is_empty(), "{id} is empty");
            assert!(lookup(id).is_some());
        }
        assert!(lookup("IFTMIN").is_none());
    }

    /// The writer puts a group's members in the order listed. A segment listed after a nested
    /// group must not also be accepted by that group, or the reader would file it inside the
    /// group when it reads the writer's output back.
    #[test]
    fn no_segment_after_a_group_is_also_a_member_of_that_group() {
        fn accepts(set: &Structure, def: &Block, tag: &str) -> bool {
            def.children
                .iter()
                .any(|c| c.tag == tag || matches!(c.kind, ChildKind::Block(i) if accepts(set, set.get(i), tag)))
        }
        for &(id, _) in SOURCES {
            let Some(set) = lookup(id) else { continue };
            for def in &set.blocks {
                for (i, child) in def.children.iter().enumerate() {
                    for earlier in &def.children[..i] {
                        if let ChildKind::Block(g) = earlier.kind {
                            assert!(
                                !accepts(set, set.get(g), child.tag),
                                "{id}: `{}` follows group `{}` that also accepts it",
                                child.tag,
                                earlier.tag
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn bad_definitions_are_refused_with_the_line() {
        assert!(parse("x", "BGM\n   RFF\n").unwrap_err().contains("line 2"));
        assert!(parse("x", "BGM\nBGM\n").unwrap_err().contains("twice"));
        assert!(parse("x", "bgm\n").unwrap_err().contains("not a message segment tag"));
        assert!(parse("x", "UNT\n").unwrap_err().contains("not a message segment tag"));
    }
}
