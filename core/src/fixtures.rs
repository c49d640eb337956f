//! Mapping fixture tests as data: beside `NAME.vrl`, a folder `NAME.tests/` holds cases
//! `CASE.input.EXT` (EXT = the input format) with either `CASE.expected.json` (the mapping's
//! exact output) or `CASE.error.txt` (text the mapping's error must contain). An optional file
//! `kind` in the folder names the canonical kind the output is validated against.

use std::path::{Path, PathBuf};

use channelhub_formats::{DecodeOptions, Format};

use crate::mapping::Mapping;
use crate::model::{Kind, SchemaError, SchemaViolation, Schemas};

/// The result of one case.
#[derive(Debug)]
pub struct CaseResult {
    pub mapping: PathBuf,
    pub case: String,
    /// `None` when the case passed; otherwise what went wrong (a diff, an error).
    pub failure: Option<String>,
}

/// Finds every mapping with a tests folder under `paths` (files or folders) and runs its cases.
///
/// # Errors
/// A path that cannot be read.
pub fn run_all(paths: &[PathBuf]) -> std::io::Result<Vec<CaseResult>> {
    let mut mappings = Vec::new();
    for p in paths {
        collect(p, &mut mappings)?;
    }
    mappings.sort();
    let schemas = Schemas::compile();
    let mut results = Vec::new();
    for m in mappings {
        results.extend(run_mapping(&m, &schemas)?);
    }
    Ok(results)
}

fn collect(p: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if p.is_file() {
        if p.extension().is_some_and(|e| e == "vrl") {
            out.push(p.to_path_buf());
        }
        return Ok(());
    }
    for entry in std::fs::read_dir(p)? {
        let path = entry?.path();
        if path.is_dir() && path.extension().is_none_or(|e| e != "tests") {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "vrl") {
            out.push(path);
        }
    }
    Ok(())
}

/// The tests folder of a mapping: `order.in.vrl` -> `order.in.tests/`.
#[must_use]
pub fn tests_dir(mapping: &Path) -> PathBuf {
    mapping.with_extension("tests")
}

fn run_mapping(path: &Path, schemas: &Schemas) -> std::io::Result<Vec<CaseResult>> {
    let dir = tests_dir(path);
    if !dir.is_dir() {
        return Ok(vec![CaseResult {
            mapping: path.to_path_buf(),
            case: "-".into(),
            failure: Some(format!(
                "no fixtures: add {}/CASE.input.json and CASE.expected.json",
                dir.display()
            )),
        }]);
    }
    let fail = |case: &str, msg: String| CaseResult {
        mapping: path.to_path_buf(),
        case: case.to_string(),
        failure: Some(msg),
    };
    let mapping = match Mapping::compile_file(path) {
        Ok(m) => m,
        Err(e) => return Ok(vec![fail("-", e.to_string())]),
    };
    let kind = match std::fs::read_to_string(dir.join("kind")) {
        Ok(k) => match Kind::by_name(k.trim()) {
            Some(k) => Some(k),
            None => {
                return Ok(vec![fail(
                    "-",
                    format!("{}: unknown kind `{}`", dir.join("kind").display(), k.trim()),
                )]);
            }
        },
        Err(_) => None,
    };
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.contains(".input."))
        })
        .collect();
    inputs.sort();
    let mut results = Vec::new();
    for input in inputs {
        let name = input.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let (case, ext) = name.split_once(".input.").unwrap_or((name, "json"));
        let failure = run_case(&mapping, kind, schemas, &input, ext, &dir, case);
        results.push(CaseResult {
            mapping: path.to_path_buf(),
            case: case.to_string(),
            failure,
        });
    }
    Ok(results)
}

/// Validates a mapping's output as the pipeline does: an array is one document per element,
/// and a violation's path then starts with the element's index (`/1/total_amount`).
///
/// # Errors
/// The first document that does not match, or an empty array (a mapping error in the pipeline).
pub fn validate_output(schemas: &Schemas, kind: Kind, doc: &serde_json::Value) -> Result<(), SchemaError> {
    match doc {
        serde_json::Value::Array(items) if items.is_empty() => Err(SchemaError {
            kind: kind.name(),
            violations: vec![SchemaViolation {
                path: String::new(),
                message: "the mapping produced an empty array (no document)".into(),
            }],
        }),
        serde_json::Value::Array(items) => items.iter().enumerate().try_for_each(|(i, item)| {
            schemas.validate(kind, item).map_err(|mut e| {
                for v in &mut e.violations {
                    v.path = format!("/{i}{}", v.path);
                }
                e
            })
        }),
        _ => schemas.validate(kind, doc),
    }
}

fn run_case(
    mapping: &Mapping,
    kind: Option<Kind>,
    schemas: &Schemas,
    input: &Path,
    ext: &str,
    dir: &Path,
    case: &str,
) -> Option<String> {
    let format: Format = match ext.parse() {
        Ok(f) => f,
        Err(e) => return Some(format!("{}: {e}", input.display())),
    };
    let bytes = match std::fs::read(input) {
        Ok(b) => b,
        Err(e) => return Some(format!("{}: {e}", input.display())),
    };
    // Decoded as a source with this mapping decodes: with the XML arrays it declares.
    let options = DecodeOptions {
        xml_repeated: mapping.xml_repeated().to_vec(),
        ..DecodeOptions::default()
    };
    let result = channelhub_formats::decode(format, &bytes, &options)
        .map_err(|e| format!("{}: {e}", input.display()))
        .and_then(|doc| mapping.run_json(doc).map_err(|e| e.to_string()))
        .and_then(|doc| match kind {
            Some(k) => validate_output(schemas, k, &doc)
                .map(|()| doc)
                .map_err(|e| e.to_string()),
            None => Ok(doc),
        });
    let expected_path = dir.join(format!("{case}.expected.json"));
    let error_path = dir.join(format!("{case}.error.txt"));
    match (
        result,
        std::fs::read_to_string(&expected_path),
        std::fs::read_to_string(&error_path),
    ) {
        (Ok(actual), Ok(expected), _) => {
            let expected: serde_json::Value = match serde_json::from_str(&expected) {
                Ok(v) => v,
                Err(e) => return Some(format!("{}: not JSON: {e}", expected_path.display())),
            };
            (actual != expected).then(|| diff(&pretty(&expected), &pretty(&actual)))
        }
        (Err(e), _, Ok(want)) => {
            (!e.contains(want.trim())).then(|| format!("error was:\n{e}\nexpected it to contain:\n{}", want.trim()))
        }
        (Ok(actual), _, Ok(want)) => Some(format!(
            "expected an error containing `{}`, got:\n{}",
            want.trim(),
            pretty(&actual)
        )),
        (Err(e), _, _) => Some(e),
        (Ok(actual), Err(_), Err(_)) => Some(format!(
            "no {} or {}; the mapping produced:\n{}",
            expected_path.display(),
            error_path.display(),
            pretty(&actual)
        )),
    }
}

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// A line diff (`-` expected, `+` actual) by longest common subsequence.
#[must_use]
pub fn diff(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push_str(&format!("  {}\n", a[i]));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push_str(&format!("+ {}\n", b[j]));
            j += 1;
        } else {
            out.push_str(&format!("- {}\n", a[i]));
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_marks_changed_lines() {
        assert_eq!(diff("a\nb\nc", "a\nx\nc"), "  a\n+ x\n- b\n  c\n");
    }

    /// Every shipped mapping passes its fixtures (the same check as `channelhub test`).
    #[test]
    fn shipped_mappings_pass_their_fixtures() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../mappings");
        let results = run_all(&[root]).unwrap();
        assert!(!results.is_empty(), "no mappings found");
        let failed: Vec<String> = results
            .iter()
            .filter_map(|r| {
                r.failure
                    .as_ref()
                    .map(|f| format!("{} [{}]:\n{f}", r.mapping.display(), r.case))
            })
            .collect();
        assert!(failed.is_empty(), "{}", failed.join("\n"));
    }
}
