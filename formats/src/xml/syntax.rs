//! What XML 1.0 allows: characters, whitespace and (namespace-qualified) names.

/// XML whitespace (production `S`): only these are trimmed from text, never U+3000 and the like.
pub(super) fn is_xml_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// The first character that XML 1.0 does not allow anywhere in a document (production `Char`),
/// not even as a character reference.
pub(super) fn forbidden_char(s: &str) -> Option<char> {
    s.chars().find(|&c| !is_xml_char(c))
}

/// XML 1.0 production `Char` (Rust `char`s are never surrogates).
pub(super) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='\u{FFFD}' | '\u{10000}'..)
}

/// XML 1.0 production `NameStartChar`, without the colon (namespaces give it a meaning).
fn is_name_start_char(c: char) -> bool {
    matches!(c,
        'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}'
        | '\u{F8}'..='\u{2FF}' | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}'
        | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}'
        | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
        | '\u{10000}'..='\u{EFFFF}')
}

/// XML 1.0 production `NameChar`, without the colon.
fn is_name_char(c: char) -> bool {
    is_name_start_char(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// A name without a colon (`NCName` in Namespaces in XML): `Invoice`, `订单`, `cbc`.
pub(super) fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(is_name_start_char) && chars.all(is_name_char)
}

/// A qualified name: `local` or `prefix:local`.
pub(super) fn is_qname(s: &str) -> bool {
    match s.split_once(':') {
        Some((prefix, local)) => is_ncname(prefix) && is_ncname(local),
        None => is_ncname(s),
    }
}
