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

use std::sync::OnceLock;

use super::lexer::is_tag;

/// The files compiled in, by message type.
const SOURCES: &[(&str, &str)] = &[
    ("APERAK", include_str!("sets/APERAK.txt")),
    ("CONTRL", include_str!("sets/CONTRL.txt")),
    ("DESADV", include_str!("sets/DESADV.txt")),
    ("INVOIC", include_str!("sets/INVOIC.txt")),
    ("ORDERS", include_str!("sets/ORDERS.txt")),
    ("ORDRSP", include_str!("sets/ORDRSP.txt")),
];

/// One message type: its segment groups, the message body itself being group 0.
#[derive(Debug)]
pub(crate) struct MessageDef {
    pub(crate) id: &'static str,
    pub(crate) groups: Vec<GroupDef>,
}

/// A segment group (or the message body, which has no trigger).
#[derive(Debug)]
pub(crate) struct GroupDef {
    /// The segment that starts the group; empty for the body.
    pub(crate) trigger: &'static str,
    /// The key the group's occurrences are stored under in the tree (`LIN_group`); empty for the body.
    pub(crate) key: String,
    /// The members after the trigger, in standard order.
    pub(crate) children: Vec<Child>,
}

/// A member of a group.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Child {
    pub(crate) tag: &'static str,
    pub(crate) kind: ChildKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChildKind {
    /// A segment; `repeats` decides whether the tree holds an array or one object.
    Segment { repeats: bool },
    /// A nested group, by index in [`MessageDef::groups`].
    Group(usize),
}

impl GroupDef {
    /// The member that `tag` names, if any. Groups have a few dozen members at most.
    pub(crate) fn find(&self, tag: &str) -> Option<Child> {
        self.children.iter().find(|c| c.tag == tag).copied()
    }
}

impl MessageDef {
    /// The group at `index`, which comes from this message's own children.
    pub(crate) fn get(&self, index: usize) -> &GroupDef {
        &self.groups[index]
    }
}

/// The structure of message type `id`, if this crate knows it.
pub(crate) fn lookup(id: &str) -> Option<&'static MessageDef> {
    static SETS: OnceLock<Vec<MessageDef>> = OnceLock::new();
    SETS.get_or_init(|| {
        SOURCES
            .iter()
            .map(|&(id, text)| match parse(id, text) {
                Ok(set) => set,
                // The files are compiled in and parsed by a unit test, so this is a build defect.
                Err(e) => panic!("edifact message definition sets/{id}.txt is invalid: {e}"),
            })
            .collect()
    })
    .iter()
    .find(|set| set.id == id)
}

/// Parses one definition file.
pub(crate) fn parse(id: &'static str, text: &'static str) -> Result<MessageDef, String> {
    let mut groups = vec![GroupDef {
        trigger: "",
        key: String::new(),
        children: Vec::new(),
    }];
    // The open groups, innermost last, with the indentation their members use.
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
            return Err(format!("line {line_no}: indentation goes above the message"));
        };
        if indent != depth {
            return Err(format!(
                "line {line_no}: expected {depth} spaces of indentation, found {indent}"
            ));
        }
        let (tag, kind) = if let Some(tag) = entry.strip_suffix('/') {
            groups.push(GroupDef {
                trigger: tag,
                key: format!("{tag}_group"),
                children: Vec::new(),
            });
            let index = groups.len() - 1;
            open.push((index, depth + 2));
            (tag, ChildKind::Group(index))
        } else if let Some(tag) = entry.strip_suffix('*') {
            (tag, ChildKind::Segment { repeats: true })
        } else {
            (entry, ChildKind::Segment { repeats: false })
        };
        if !is_tag(tag) || matches!(tag, "UNH" | "UNT") {
            return Err(format!("line {line_no}: `{tag}` is not a message segment tag"));
        }
        let parent_def = &mut groups[parent];
        if parent_def.trigger == tag || parent_def.children.iter().any(|c| c.tag == tag) {
            return Err(format!("line {line_no}: `{tag}` is listed twice in one group"));
        }
        parent_def.children.push(Child { tag, kind });
    }
    Ok(MessageDef { id, groups })
}

#[cfg(test)]
mod tests {
    use super::*;

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
        fn accepts(set: &MessageDef, def: &GroupDef, tag: &str) -> bool {
            def.children
                .iter()
                .any(|c| c.tag == tag || matches!(c.kind, ChildKind::Group(i) if accepts(set, set.get(i), tag)))
        }
        for &(id, _) in SOURCES {
            let Some(set) = lookup(id) else { continue };
            for def in &set.groups {
                for (i, child) in def.children.iter().enumerate() {
                    for earlier in &def.children[..i] {
                        if let ChildKind::Group(g) = earlier.kind {
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
