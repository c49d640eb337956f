//! Transaction set structures (which segments repeat, which start loops), read from the data files in `sets/`.
//!
//! Each `sets/<id>.txt` lists the segments of one transaction set in standard order, one per line,
//! between ST and SE (which are never listed). `TAG*` marks a segment that may repeat, `TAG!` one
//! that the writer insists on (listed only where a later segment depends on it, see below); `TAG/`
//! starts a loop whose first segment is `TAG`, and the lines indented two more spaces below it are
//! the rest of that loop. `#` starts a comment. One file covers 004010 and 005010 together: the
//! reader is lenient about order and the versions differ mostly in segments one of them lacks.
//!
//! The structure is data rather than code so that a new set is one reviewed text file.

#[cfg(test)]
use crate::edi::structure;
use crate::edi::structure::{Catalogue, Dialect, Structure};

/// The files compiled in, by transaction set id.
const SOURCES: &[(&str, &str)] = &[
    ("204", include_str!("sets/204.txt")),
    ("214", include_str!("sets/214.txt")),
    ("810", include_str!("sets/810.txt")),
    ("824", include_str!("sets/824.txt")),
    ("846", include_str!("sets/846.txt")),
    ("850", include_str!("sets/850.txt")),
    ("855", include_str!("sets/855.txt")),
    ("856", include_str!("sets/856.txt")),
    ("940", include_str!("sets/940.txt")),
    ("945", include_str!("sets/945.txt")),
    ("990", include_str!("sets/990.txt")),
    ("997", include_str!("sets/997.txt")),
    ("999", include_str!("sets/999.txt")),
];

/// How X12 definitions name things: loops of a transaction set, with `TAG!` allowed.
static DIALECT: Dialect = Dialect {
    definition: "x12 set definition",
    unit: "set",
    unit_name: "transaction set",
    block: "loop",
    block_name: "loop",
    blocks_name: "loops",
    not_an_array: "a loop must be an array of objects",
    not_an_occurrence: "a loop occurrence must be an object",
    key_suffix: "_loop",
    required: true,
    is_tag: super::lexer::is_tag,
    not_a_tag: "is not a segment tag",
};

/// Every definition, parsed on first use.
static CATALOGUE: Catalogue = Catalogue::new(&DIALECT, SOURCES);

/// The structure of transaction set `id`, if this crate knows it.
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
    fn every_definition_parses_and_is_found_by_its_id() {
        for &(id, text) in SOURCES {
            let set = parse(id, text).unwrap_or_else(|e| panic!("sets/{id}.txt: {e}"));
            assert!(!set.body().children.is_empty(), "{id} is empty");
            assert!(lookup(id).is_some());
        }
        assert!(lookup("998").is_none());
    }

    /// The writer puts a loop's members in the order listed. A segment listed after a nested
    /// loop must not also be accepted by that loop, or the reader would file it inside the loop
    /// when it reads the writer's output back, unless a required segment between them (which
    /// the loop does not accept) closes the loop first.
    #[test]
    fn no_segment_after_a_loop_is_also_a_member_of_that_loop() {
        fn accepts(set: &Structure, def: &Block, tag: &str) -> bool {
            def.children
                .iter()
                .any(|c| c.tag == tag || matches!(c.kind, ChildKind::Block(i) if accepts(set, set.get(i), tag)))
        }
        for &(id, _) in SOURCES {
            let Some(set) = lookup(id) else { continue };
            for def in &set.blocks {
                for (i, child) in def.children.iter().enumerate() {
                    let closed = def.children[..i]
                        .iter()
                        .rposition(|c| matches!(c.kind, ChildKind::Segment { required: true, .. }))
                        .map_or(0, |p| p + 1);
                    for earlier in &def.children[closed..i] {
                        if let ChildKind::Block(l) = earlier.kind {
                            assert!(
                                !accepts(set, set.get(l), child.tag),
                                "{id}: `{}` follows loop `{}` that also accepts it",
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
        assert!(parse("x", "BEG\n   REF\n").unwrap_err().contains("line 2"));
        assert!(parse("x", "BEG\nBEG\n").unwrap_err().contains("twice"));
        assert!(parse("x", "beg\n").unwrap_err().contains("not a segment tag"));
    }
}
