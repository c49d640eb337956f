//! Segment structures (which segments repeat, which start nested loops or segment groups), parsed from the text format both EDI codecs keep their definitions in.
//!
//! A definition lists the segments of one X12 transaction set or EDIFACT message in standard
//! order, one per line, between the header and trailer (which are never listed). `TAG*` marks a
//! segment that may repeat, `TAG!` (where the codec allows it) one that the writer insists on;
//! `TAG/` starts a nested block (an X12 loop, an EDIFACT segment group) whose first segment is
//! `TAG`, and the lines indented two more spaces below it are the rest of that block. `#` starts a
//! comment. Each codec describes its own words and tag rules with a [`Dialect`].

use std::sync::OnceLock;

/// How one codec names things in its definitions, and what it accepts in them.
#[derive(Debug)]
pub(crate) struct Dialect {
    /// What a definition file is, in the panic about an invalid one (`x12 set definition`).
    pub(crate) definition: &'static str,
    /// What a definition describes, in parse errors (`set`, `message`).
    pub(crate) unit: &'static str,
    /// What a definition describes, in warnings about the tree (`transaction set`, `message`).
    pub(crate) unit_name: &'static str,
    /// What a nested block is called, in parse errors (`loop`, `group`).
    pub(crate) block: &'static str,
    /// What a nested block is called, in the writer's errors (`loop`, `segment group`).
    pub(crate) block_name: &'static str,
    /// What nested blocks are called, in the error about nesting too deep (`loops`, `segment groups`).
    pub(crate) blocks_name: &'static str,
    /// The writer's error for a block key that does not hold an array.
    pub(crate) not_an_array: &'static str,
    /// The writer's error for a block occurrence that is not an object.
    pub(crate) not_an_occurrence: &'static str,
    /// Appended to a block's first segment to make its key in the tree (`_loop`, `_group`).
    pub(crate) key_suffix: &'static str,
    /// Whether `TAG!` (a segment the writer insists on) is allowed.
    pub(crate) required: bool,
    /// Whether a listed tag is acceptable.
    pub(crate) is_tag: fn(&str) -> bool,
    /// The parse error for a tag `is_tag` refuses, after the tag (`is not a segment tag`).
    pub(crate) not_a_tag: &'static str,
}

/// The definitions of one codec, compiled in as text and parsed on first use.
pub(crate) struct Catalogue {
    dialect: &'static Dialect,
    /// The files, by id.
    sources: &'static [(&'static str, &'static str)],
    parsed: OnceLock<Vec<Structure>>,
}

impl Catalogue {
    pub(crate) const fn new(dialect: &'static Dialect, sources: &'static [(&'static str, &'static str)]) -> Self {
        Catalogue {
            dialect,
            sources,
            parsed: OnceLock::new(),
        }
    }

    /// The structure of `id`, if the catalogue has it.
    pub(crate) fn lookup(&'static self, id: &str) -> Option<&'static Structure> {
        self.parsed
            .get_or_init(|| {
                self.sources
                    .iter()
                    .map(|&(id, text)| match parse(self.dialect, id, text) {
                        Ok(set) => set,
                        // The files are compiled in and parsed by a unit test, so this is a build defect.
                        Err(e) => panic!("{} sets/{id}.txt is invalid: {e}", self.dialect.definition),
                    })
                    .collect()
            })
            .iter()
            .find(|set| set.id == id)
    }
}

/// One transaction set or message: its blocks, the body itself being block 0.
#[derive(Debug)]
pub(crate) struct Structure {
    pub(crate) id: &'static str,
    /// The words of the codec the structure belongs to.
    pub(crate) dialect: &'static Dialect,
    pub(crate) blocks: Vec<Block>,
}

/// A loop or segment group (or the body, which has no trigger).
#[derive(Debug)]
pub(crate) struct Block {
    /// The segment that starts the block; empty for the body.
    pub(crate) trigger: &'static str,
    /// The key the block's occurrences are stored under in the tree (`N1_loop`); empty for the body.
    pub(crate) key: String,
    /// The members after the trigger, in standard order.
    pub(crate) children: Vec<Child>,
    /// `children` indexes sorted by packed tag, for a binary search per segment.
    index: Vec<(u32, usize)>,
}

/// A member of a block.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Child {
    pub(crate) tag: &'static str,
    pub(crate) kind: ChildKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChildKind {
    /// A segment; `repeats` decides whether the tree holds an array or one object. A `required`
    /// segment closes the blocks before it, which lets a later segment share a tag with a member
    /// of such a block (X12 810: TXI after TDS is the summary's, not the last IT1's), so the
    /// writer refuses a tree without it.
    Segment { repeats: bool, required: bool },
    /// A nested block, by index in [`Structure::blocks`].
    Block(usize),
}

impl Block {
    /// The member that `tag` names, if any.
    pub(crate) fn find(&self, tag: &str) -> Option<Child> {
        let packed = pack(tag);
        self.index
            .binary_search_by_key(&packed, |&(p, _)| p)
            .ok()
            .and_then(|i| self.index.get(i))
            .and_then(|&(_, child)| self.children.get(child).copied())
            .filter(|c| c.tag == tag)
    }
}

impl Structure {
    /// The block the body is.
    pub(crate) fn body(&self) -> &Block {
        &self.blocks[0]
    }

    /// The block at `index`, which comes from this structure's own children.
    pub(crate) fn get(&self, index: usize) -> &Block {
        &self.blocks[index]
    }
}

/// Packs a segment tag (at most 3 bytes) into an integer for quick comparisons.
fn pack(tag: &str) -> u32 {
    tag.bytes().take(4).fold(0, |acc, b| (acc << 8) | u32::from(b))
}

/// Parses one definition file.
pub(crate) fn parse(dialect: &'static Dialect, id: &'static str, text: &'static str) -> Result<Structure, String> {
    let Dialect {
        unit,
        block,
        key_suffix,
        ..
    } = dialect;
    let mut blocks = vec![Block {
        trigger: "",
        key: String::new(),
        children: Vec::new(),
        index: Vec::new(),
    }];
    // The open blocks, innermost last, with the indentation their members use.
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
            return Err(format!("line {line_no}: indentation goes above the {unit}"));
        };
        if indent != depth {
            return Err(format!(
                "line {line_no}: expected {depth} spaces of indentation, found {indent}"
            ));
        }
        let segment = |repeats, required| ChildKind::Segment { repeats, required };
        let (tag, kind) = if let Some(tag) = entry.strip_suffix('/') {
            blocks.push(Block {
                trigger: tag,
                key: format!("{tag}{key_suffix}"),
                children: Vec::new(),
                index: Vec::new(),
            });
            let index = blocks.len() - 1;
            open.push((index, depth + 2));
            (tag, ChildKind::Block(index))
        } else if let Some(tag) = entry.strip_suffix('*') {
            (tag, segment(true, false))
        } else if let Some(tag) = entry.strip_suffix('!').filter(|_| dialect.required) {
            (tag, segment(false, true))
        } else {
            (entry, segment(false, false))
        };
        if !(dialect.is_tag)(tag) {
            return Err(format!("line {line_no}: `{tag}` {}", dialect.not_a_tag));
        }
        let parent_def = &mut blocks[parent];
        if parent_def.trigger == tag || parent_def.children.iter().any(|c| c.tag == tag) {
            return Err(format!("line {line_no}: `{tag}` is listed twice in one {block}"));
        }
        parent_def.children.push(Child { tag, kind });
    }
    for def in &mut blocks {
        def.index = def.children.iter().enumerate().map(|(i, c)| (pack(c.tag), i)).collect();
        def.index.sort_unstable();
    }
    Ok(Structure { id, dialect, blocks })
}
