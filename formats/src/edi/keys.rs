//! The tree keys of elements and components (`BEG03`, `DTM01-2`), and how control numbers compare, alike in X12 and EDIFACT.

/// The tree key of element `n` (1-based) of segment `tag`: `BEG03`.
pub(crate) fn element_key(tag: &str, n: usize) -> String {
    let mut key = String::with_capacity(tag.len() + 3);
    key.push_str(tag);
    push_number(&mut key, n);
    key
}

/// The tree key of component `c` (1-based) of element `element_key`: `PO107-2`.
pub(crate) fn component_key(element_key: &str, c: usize) -> String {
    let mut key = String::with_capacity(element_key.len() + 3);
    key.push_str(element_key);
    key.push('-');
    if c < 10 {
        key.push(char::from(b'0' + c as u8));
    } else {
        key.push_str(&c.to_string());
    }
    key
}

/// Appends `n` with at least two digits, without going through `format!`.
fn push_number(out: &mut String, n: usize) {
    if n < 100 {
        out.push(char::from(b'0' + (n / 10) as u8));
        out.push(char::from(b'0' + (n % 10) as u8));
    } else {
        out.push_str(&n.to_string());
    }
}

/// Whether two control numbers (X12) or references (EDIFACT), or counts, are the same number:
/// equal text, or the same digits once leading zeros are ignored (`17878` and `000017878`).
pub(crate) fn same_number(a: &str, b: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    a == b || (digits(a) && digits(b) && a.trim_start_matches('0') == b.trim_start_matches('0'))
}
