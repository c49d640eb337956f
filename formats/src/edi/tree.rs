//! Files the segments of one X12 transaction set or EDIFACT message into the nested loops or segment groups its [`Structure`] describes.
//!
//! Block occurrences live in an arena (parents before children) and are turned into tree values
//! bottom-up at the end, so nothing recurses on the input's nesting. The tree knows nothing of
//! either codec's segments: callers pass each segment's tag and value, and turn what comes back
//! (warnings, or the error about nesting too deep) into their own positioned messages.

use serde_json::{Map, Value};

use super::structure::{ChildKind, Structure};

/// One open or finished block occurrence.
struct Node {
    /// Index of its block in the structure (0: the body).
    def: usize,
    map: Map<String, Value>,
    parent: usize,
    depth: usize,
    /// Finished child blocks, in reverse order, with the block index naming their key.
    kids: Vec<(usize, Value)>,
}

/// The tree of one transaction set or message while its segments are read.
pub(crate) struct Tree {
    structure: &'static Structure,
    nodes: Vec<Node>,
    /// The open occurrences, outermost (the body) first.
    stack: Vec<usize>,
    /// Deepest nesting accepted.
    max_depth: usize,
}

/// The node of the body, which is always open.
pub(crate) const BODY: usize = 0;

impl Tree {
    pub(crate) fn new(structure: &'static Structure, max_depth: usize) -> Self {
        Tree {
            structure,
            nodes: vec![Node {
                def: 0,
                map: Map::new(),
                parent: 0,
                depth: 0,
                kids: Vec::new(),
            }],
            stack: vec![BODY],
            max_depth,
        }
    }

    /// The open occurrences, outermost (the body) first.
    pub(crate) fn open_nodes(&self) -> &[usize] {
        &self.stack
    }

    /// Files segment `tag` (read as `value`) in the innermost open block that has a place for it,
    /// closing the blocks inside that one; a segment no open block knows stays in the innermost
    /// one. Returns the warnings to record about the segment, in order, or the error message when
    /// the segment would open a block nested deeper than the limit.
    pub(crate) fn push(&mut self, tag: &str, value: Value) -> Result<Vec<String>, String> {
        let mut warnings = Vec::new();
        for level in (0..self.stack.len()).rev() {
            let node = self.stack[level];
            let def = self.structure.get(self.nodes[node].def);
            // The block's own first segment starts its next occurrence, one level up.
            if level > 0 && def.trigger == tag {
                continue;
            }
            let Some(child) = def.find(tag) else { continue };
            self.stack.truncate(level + 1);
            match child.kind {
                ChildKind::Segment { repeats, .. } => self.add_segment(node, tag, value, repeats, &mut warnings),
                ChildKind::Block(def) => {
                    let new = self.open(node, def, tag, value)?;
                    self.stack.push(new);
                }
            }
            return Ok(warnings);
        }
        let top = self.stack.last().copied().unwrap_or(BODY);
        let dialect = self.structure.dialect;
        warnings.push(format!(
            "segment `{tag}` is not part of {} {}; kept where it occurs",
            dialect.unit_name, self.structure.id
        ));
        self.add_segment(top, tag, value, true, &mut warnings);
        Ok(warnings)
    }

    fn add_segment(&mut self, node: usize, tag: &str, value: Value, repeats: bool, warnings: &mut Vec<String>) {
        let map = &mut self.nodes[node].map;
        match map.get_mut(tag) {
            None => {
                let value = if repeats { Value::Array(vec![value]) } else { value };
                map.insert(tag.to_owned(), value);
            }
            Some(Value::Array(list)) => list.push(value),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, value]);
                warnings.push(format!(
                    "segment `{tag}` occurs again where it may occur once; both are kept, as an array"
                ));
            }
        }
    }

    /// Opens an occurrence of block `def` under `parent`, started by segment `tag` read as
    /// `value`, refusing nesting deeper than the limit. The new occurrence is not yet open for
    /// the segments that follow; see [`Tree::push`] and [`Tree::focus`].
    pub(crate) fn open(&mut self, parent: usize, def: usize, tag: &str, value: Value) -> Result<usize, String> {
        let depth = self.nodes[parent].depth + 1;
        if depth > self.max_depth {
            return Err(format!(
                "{} nest deeper than the limit of {}",
                self.structure.dialect.blocks_name, self.max_depth
            ));
        }
        let mut map = Map::new();
        map.insert(tag.to_owned(), value);
        self.nodes.push(Node {
            def,
            map,
            parent,
            depth,
            kids: Vec::new(),
        });
        Ok(self.nodes.len() - 1)
    }

    /// Makes `node` the innermost open occurrence, with its ancestors open around it.
    pub(crate) fn focus(&mut self, node: usize) {
        self.stack.clear();
        let mut at = node;
        while at != BODY {
            self.stack.push(at);
            at = self.nodes[at].parent;
        }
        self.stack.push(BODY);
        self.stack.reverse();
    }

    /// The body, with every block occurrence filed under its parent.
    pub(crate) fn finish(mut self) -> Map<String, Value> {
        for i in (1..self.nodes.len()).rev() {
            let value = Value::Object(self.take_node(i));
            let (def, parent) = (self.nodes[i].def, self.nodes[i].parent);
            self.nodes[parent].kids.push((def, value));
        }
        self.take_node(BODY)
    }

    fn take_node(&mut self, i: usize) -> Map<String, Value> {
        let node = &mut self.nodes[i];
        let mut map = std::mem::take(&mut node.map);
        for (def, value) in std::mem::take(&mut node.kids).into_iter().rev() {
            let key = &self.structure.get(def).key;
            match map.get_mut(key.as_str()) {
                Some(Value::Array(list)) => list.push(value),
                _ => {
                    map.insert(key.clone(), Value::Array(vec![value]));
                }
            }
        }
        map
    }
}
