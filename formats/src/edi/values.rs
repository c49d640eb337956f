//! How the elements of a segment become tree values, once each codec has split them into repetitions and components.

use serde_json::{Map, Value};

use super::keys::component_key;

/// An element from its repetitions (each already a value, or `None` when empty): a single value,
/// or an array of them. Trailing empty repetitions carry nothing and are dropped, so `A^` reads
/// as `A`; an empty one between others is kept as `""`.
pub(crate) fn repetitions(reps: impl IntoIterator<Item = Option<Value>>) -> Option<Value> {
    let mut reps: Vec<Option<Value>> = reps.into_iter().collect();
    while reps.last().is_some_and(Option::is_none) {
        reps.pop();
    }
    match reps.len() {
        0 => None,
        1 => reps.pop().flatten(),
        _ => Some(Value::Array(
            reps.into_iter()
                .map(|r| r.unwrap_or_else(|| Value::String(String::new())))
                .collect(),
        )),
    }
}

/// One repetition of element `key` from its components: a string when only the first is used, an
/// object keyed by component reference (`PO107-2`) when more are, `None` when all are empty.
/// Trailing empty components carry nothing and are dropped.
pub(crate) fn components<S: AsRef<str>>(parts: &[S], key: &str) -> Option<Value> {
    let used = parts.iter().rposition(|p| !p.as_ref().is_empty())? + 1;
    if used == 1 {
        return Some(Value::String(parts[0].as_ref().to_owned()));
    }
    let mut map = Map::new();
    for (c, part) in parts[..used].iter().enumerate() {
        let part = part.as_ref();
        if !part.is_empty() {
            map.insert(component_key(key, c + 1), Value::String(part.to_owned()));
        }
    }
    Some(Value::Object(map))
}
