//! `${VAR}` and `${VAR:-default}` expansion on the config text, before YAML parsing, so that
//! numbers and booleans can come from the environment too. `$$` is a literal `$`.

/// Expands variables using `lookup`; returns the text or every unset variable with its line.
///
/// # Errors
/// One message per variable that is unset and has no default, or per unclosed `${`.
pub fn expand_env(text: &str, lookup: impl Fn(&str) -> Option<String>) -> Result<String, Vec<String>> {
    let mut out = String::with_capacity(text.len());
    let mut errors = Vec::new();
    let mut rest = text;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        let line = text.len() - rest.len() + pos;
        let line = text[..line].matches('\n').count() + 1;
        if let Some(stripped) = after.strip_prefix('$') {
            out.push('$');
            rest = stripped;
        } else if let Some(body) = after.strip_prefix('{') {
            let Some(end) = body.find('}') else {
                errors.push(format!("line {line}: unclosed `${{`"));
                rest = "";
                break;
            };
            let expr = &body[..end];
            let (name, default) = match expr.split_once(":-") {
                Some((n, d)) => (n, Some(d)),
                None => (expr, None),
            };
            match (lookup(name), default) {
                (Some(v), Some(d)) if v.is_empty() => out.push_str(d),
                (Some(v), _) => out.push_str(&v),
                (None, Some(d)) => out.push_str(d),
                (None, None) => errors.push(format!(
                    "line {line}: environment variable `{name}` is not set (give a default with `${{{name}:-value}}`)"
                )),
            }
            rest = &body[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        (name == "SET").then(|| "value".to_string())
    }

    #[test]
    fn expands_set_default_and_literal() {
        assert_eq!(expand_env("a ${SET} ${UNSET:-d} $$ $x", env).unwrap(), "a value d $ $x");
    }

    #[test]
    fn reports_unset_with_line() {
        let errs = expand_env("a\nb: ${NOPE}\n", env).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert!(errs[0].starts_with("line 2:") && errs[0].contains("NOPE"), "{errs:?}");
    }
}
