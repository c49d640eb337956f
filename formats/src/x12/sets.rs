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

use std::sync::OnceLock;

/// The files compiled in, by transaction set id.
const SOURCES: &[(&str, &str)] = &[
    ("204", include_str!("sets/204.txt")),
    ("214", include_str!("sets/214.txt")),
    ("810", include_str!("sets/810.txt")),
    ("846", include_str!("sets/846.txt")),
    ("850", include_str!("sets/850.txt")),
    ("855", include_str!("sets/855.txt")),
    ("856", include_str!("sets/856.txt")),
    ("940", include_str!("sets/940.txt")),
    ("945", include_str!("sets/945.txt")),
    ("990", include_str!("sets/990.txt")),
    ("997", include_str!("sets/997.txt")),
];

/// One transaction set: its loops, the transaction set body itself being loop 0.
#[derive(Debug)]
pub(crate) struct SetDef {
    pub(crate) id: &'static str,
    pub(crate) loops: Vec<LoopDef>,
}

/// A loop (or the transaction set body, which has no trigger).
#[derive(Debug)]
pub(crate) struct LoopDef {
    /// The segment that starts the loop; empty for the body.
    pub(crate) trigger: &'static str,
    /// The key the loop's occurrences are stored under in the tree (`N1_loop`); empty for the body.
    pub(crate) key: String,
    /// The members after the trigger, in standard order.
    pub(crate) children: Vec<Child>,
    /// `children` indexes sorted by packed tag, for a binary search per segment.
    index: Vec<(u32, usize)>,
}

/// A member of a loop.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Child {
    pub(crate) tag: &'static str,
    pub(crate) kind: ChildKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChildKind {
    /// A segment; `repeats` decides whether the tree holds an array or one object. A `required`
    /// segment closes the loops before it, which lets a later segment share a tag with a member of
    /// such a loop (810: TXI after TDS is the summary's, not the last IT1's), so the writer refuses
    /// a tree without it.
    Segment { repeats: bool, required: bool },
    /// A nested loop, by index in [`SetDef::loops`].
    Loop(usize),
}

impl LoopDef {
    /// The member that `tag` names, if any.
    pub(crate) fn find(&self, tag: &str) -> Option<Child> {
        let packed = pack(tag);
        self.index
            .binary_search_by_key(&packed, |&(p, _)| p)
            .ok()
            .and_then(|i| self.index.get(i))
            .and_then(|&(_, child)| self.children.get(child).copied())
    }
}

impl SetDef {
    /// The loop the transaction set body is.
    pub(crate) fn body(&self) -> &LoopDef {
        &self.loops[0]
    }

    /// The loop at `index`, which comes from this set's own children.
    pub(crate) fn get(&self, index: usize) -> &LoopDef {
        &self.loops[index]
    }
}

/// Packs a segment tag (at most 3 bytes) into an integer for quick comparisons.
fn pack(tag: &str) -> u32 {
    tag.bytes().take(4).fold(0, |acc, b| (acc << 8) | u32::from(b))
}

/// The structure of transaction set `id`, if this crate knows it.
pub(crate) fn lookup(id: &str) -> Option<&'static SetDef> {
    static SETS: OnceLock<Vec<SetDef>> = OnceLock::new();
    SETS.get_or_init(|| {
        SOURCES
            .iter()
            .map(|&(id, text)| match parse(id, text) {
                Ok(set) => set,
                // The files are compiled in and parsed by a unit test, so this is a build defect.
                Err(e) => panic!("x12 set definition sets/{id}.txt is invalid: {e}"),
            })
            .collect()
    })
    .iter()
    .find(|set| set.id == id)
}

/// Parses one definition file.
pub(crate) fn parse(id: &'static str, text: &'static str) -> Result<SetDef, String> {
    let mut loops = vec![LoopDef {
        trigger: "",
        key: String::new(),
        children: Vec::new(),
        index: Vec::new(),
    }];
    // The open loops, innermost last, with the indentation their members use.
    let mut open: Vec<(usize, usize)> = vec![(0, 0)];
    for (n, raw) in text.lines().enumerate() {
        let line_no = n + 1;
        let line = raw.split('#').next().unwrap_or_default().trim_end();
        if line.trim().is_empty() {
            continue;
        }
        let indent = line.len() - line.trim_start_matches(' ').len();
        let entry = line.trim_start();
        while open.last().is_some_and(|&(_, depth)| indent < depth) {
            open.pop();
        }
        let Some(&(parent, depth)) = open.last() else {
            return Err(format!("line {line_no}: indentation goes above the set"));
        };
        if indent != depth {
            return Err(format!(
                "line {line_no}: expected {depth} spaces of indentation, found {indent}"
            ));
        }
        let (tag, kind) = if let Some(tag) = entry.strip_suffix('/') {
            loops.push(LoopDef {
                trigger: tag,
                key: format!("{tag}_loop"),
                children: Vec::new(),
                index: Vec::new(),
            });
            let index = loops.len() - 1;
            open.push((index, depth + 2));
            (tag, ChildKind::Loop(index))
        } else if let Some(tag) = entry.strip_suffix('*') {
            (
                tag,
                ChildKind::Segment {
                    repeats: true,
                    required: false,
                },
            )
        } else if let Some(tag) = entry.strip_suffix('!') {
            (
                tag,
                ChildKind::Segment {
                    repeats: false,
                    required: true,
                },
            )
        } else {
            (
                entry,
                ChildKind::Segment {
                    repeats: false,
                    required: false,
                },
            )
        };
        if !super::lexer::is_tag(tag) {
            return Err(format!("line {line_no}: `{tag}` is not a segment tag"));
        }
        let parent_def = &mut loops[parent];
        if parent_def.trigger == tag || parent_def.children.iter().any(|c| c.tag == tag) {
            return Err(format!("line {line_no}: `{tag}` is listed twice in one loop"));
        }
        parent_def.children.push(Child { tag, kind });
    }
    for def in &mut loops {
        def.index = def.children.iter().enumerate().map(|(i, c)| (pack(c.tag), i)).collect();
        def.index.sort_unstable();
    }
    Ok(SetDef { id, loops })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_definition_parses_and_is_found_by_its_id() {
        for &(id, text) in SOURCES {
            let set = parse(id, text).unwrap_or_else(|e| panic!("sets/{id}.txt: {e}"));
            assert!(!set.body().children.is_empty(), "{id} is empty");
            assert!(lookup(id).is_some());
        }
        assert!(lookup("999").is_none());
    }

    /// The writer puts a loop's members in the order listed. A segment listed after a nested
    /// loop must not also be accepted by that loop, or the reader would file it inside the loop
    /// when it reads the writer's output back, unless a required segment between them (which
    /// the loop does not accept) closes the loop first.
    #[test]
    fn no_segment_after_a_loop_is_also_a_member_of_that_loop() {
        fn accepts(set: &SetDef, def: &LoopDef, tag: &str) -> bool {
            def.children
                .iter()
                .any(|c| c.tag == tag || matches!(c.kind, ChildKind::Loop(i) if accepts(set, set.get(i), tag)))
        }
        for &(id, _) in SOURCES {
            let Some(set) = lookup(id) else { continue };
            for def in &set.loops {
                for (i, child) in def.children.iter().enumerate() {
                    let closed = def.children[..i]
                        .iter()
                        .rposition(|c| matches!(c.kind, ChildKind::Segment { required: true, .. }))
                        .map_or(0, |p| p + 1);
                    for earlier in &def.children[closed..i] {
                        if let ChildKind::Loop(l) = earlier.kind {
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
