//! The mapping engine: VRL programs compiled once at start and run per document. Mappings are
//! data (files); a failed mapping is a clean error carrying VRL's own message, never a bad
//! document. Route conditions (`when:`) are VRL programs too.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use vrl::compiler::runtime::{Runtime, Terminate};
use vrl::compiler::state::RuntimeState;
use vrl::compiler::{Function, Program, TargetValue, TargetValueRef, TimeZone};
use vrl::value::{Secrets, Value as VrlValue};

mod decimal;

/// The functions mappings may call: `stdlib-base` only, so no network, environment or file
/// access from a mapping, plus the hub's exact decimal arithmetic (see [`decimal`]).
fn functions() -> &'static [Box<dyn Function>] {
    static FNS: OnceLock<Vec<Box<dyn Function>>> = OnceLock::new();
    FNS.get_or_init(|| {
        let mut all = vrl::stdlib::all();
        all.extend(decimal::all());
        all
    })
}

/// A program that does not compile, with VRL's diagnostics rendered (line, column, caret).
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    #[error("cannot read mapping {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{name} does not compile:\n{diagnostics}")]
    Vrl { name: String, diagnostics: String },
}

/// A mapping that failed on one document.
#[derive(Debug, Clone, thiserror::Error)]
pub enum MappingError {
    /// The program aborted or a fallible call failed: VRL's message.
    #[error("mapping {name} failed: {message}")]
    Aborted { name: String, message: String },
    /// The program ran but did not produce an object.
    #[error("mapping {name} produced {got}, expected an object")]
    NotAnObject { name: String, got: &'static str },
}

/// A compiled VRL program with the name it is reported under.
pub struct Mapping {
    name: String,
    program: Program,
    /// XML element names the program wants as arrays, from its `# xml_repeated: A, B` lines.
    xml_repeated: Vec<String>,
}

/// The XML element names a mapping declares it wants as arrays: every comment line
/// `# xml_repeated: A, B, C` (several lines add up). Decoding XML with them makes one element and
/// many the same tree.
#[must_use]
pub fn declared_xml_repeated(source: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for list in source
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix('#'))
        .filter_map(|l| l.trim().strip_prefix("xml_repeated:"))
    {
        for name in list.split([',', ' ']).filter(|n| !n.is_empty()) {
            if !names.iter().any(|n| n == name) {
                names.push(name.to_owned());
            }
        }
    }
    names
}

impl Mapping {
    /// The XML element names this mapping declares it wants as arrays (`# xml_repeated:` lines).
    #[must_use]
    pub fn xml_repeated(&self) -> &[String] {
        &self.xml_repeated
    }

    /// Reads and compiles a mapping file.
    ///
    /// # Errors
    /// An unreadable file, or VRL's diagnostics.
    pub fn compile_file(path: &Path) -> Result<Self, CompileError> {
        let source = std::fs::read_to_string(path).map_err(|source| CompileError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::compile(&path.display().to_string(), &source)
    }

    /// Compiles `source`, reported as `name`.
    ///
    /// # Errors
    /// VRL's diagnostics.
    pub fn compile(name: &str, source: &str) -> Result<Self, CompileError> {
        match vrl::compiler::compile(source, functions()) {
            Ok(result) => Ok(Self {
                name: name.to_string(),
                program: result.program,
                xml_repeated: declared_xml_repeated(source),
            }),
            Err(diagnostics) => Err(CompileError::Vrl {
                name: name.to_string(),
                diagnostics: vrl::diagnostic::Formatter::new(source, diagnostics).to_string(),
            }),
        }
    }

    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Runs the program on `input` and returns the resulting document (`.` afterwards).
    ///
    /// # Errors
    /// VRL's runtime error, or an output that is not an object (or array of objects).
    pub fn run(&self, input: VrlValue) -> Result<VrlValue, MappingError> {
        let mut target = TargetValue {
            value: input,
            metadata: VrlValue::Object(std::collections::BTreeMap::new()),
            secrets: Secrets::default(),
        };
        let mut runtime = Runtime::new(RuntimeState::default());
        runtime
            .resolve(&mut target, &self.program, &TimeZone::default())
            .map_err(|t| self.aborted(&t))?;
        match target.value {
            v @ (VrlValue::Object(_) | VrlValue::Array(_)) => Ok(v),
            other => Err(MappingError::NotAnObject {
                name: self.name.clone(),
                got: kind_name(&other),
            }),
        }
    }

    /// Runs the program on JSON and returns JSON.
    ///
    /// # Errors
    /// As [`Mapping::run`].
    pub fn run_json(&self, input: serde_json::Value) -> Result<serde_json::Value, MappingError> {
        self.run(VrlValue::from(input)).map(|v| to_json(&v))
    }

    fn aborted(&self, t: &Terminate) -> MappingError {
        MappingError::Aborted {
            name: self.name.clone(),
            message: t.to_string(),
        }
    }
}

/// A route condition: a VRL expression on the canonical document that yields a boolean.
pub struct Condition {
    source: String,
    program: Program,
}

impl Condition {
    /// Compiles a condition.
    ///
    /// # Errors
    /// VRL's diagnostics.
    pub fn compile(name: &str, source: &str) -> Result<Self, CompileError> {
        let m = Mapping::compile(name, source)?;
        // Conditions run on the document itself, not a copy: they must only read it.
        if !m.program.info().target_assignments.is_empty() {
            return Err(CompileError::Vrl {
                name: name.to_string(),
                diagnostics: format!("condition `{source}` assigns to the document; a condition may only read it"),
            });
        }
        Ok(Self {
            source: source.to_string(),
            program: m.program,
        })
    }

    /// Evaluates the condition on `doc` (which it cannot change: see `compile`).
    ///
    /// # Errors
    /// A runtime error or a non-boolean result, as a message.
    pub fn matches(&self, doc: &mut VrlValue) -> Result<bool, String> {
        let mut metadata = VrlValue::Object(std::collections::BTreeMap::new());
        let mut secrets = Secrets::default();
        let mut target = TargetValueRef {
            value: doc,
            metadata: &mut metadata,
            secrets: &mut secrets,
        };
        let mut runtime = Runtime::new(RuntimeState::default());
        match runtime.resolve(&mut target, &self.program, &TimeZone::default()) {
            Ok(VrlValue::Boolean(b)) => Ok(b),
            Ok(other) => Err(format!(
                "condition `{}` gave {}, expected a boolean",
                self.source,
                kind_name(&other)
            )),
            Err(t) => Err(format!("condition `{}` failed: {t}", self.source)),
        }
    }
}

/// JSON from a VRL value: bytes become UTF-8 strings (lossy), timestamps RFC 3339 strings.
#[must_use]
pub fn to_json(v: &VrlValue) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

pub(crate) fn kind_name(v: &VrlValue) -> &'static str {
    match v {
        VrlValue::Bytes(_) | VrlValue::String(_) => "a string",
        VrlValue::Regex(_) => "a regex",
        VrlValue::Integer(_) => "an integer",
        VrlValue::Float(_) => "a float",
        VrlValue::Boolean(_) => "a boolean",
        VrlValue::Timestamp(_) => "a timestamp",
        VrlValue::Object(_) => "an object",
        VrlValue::Array(_) => "an array",
        VrlValue::Null => "null",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn maps_and_keeps_unicode() {
        let m = Mapping::compile("t", r#". = {"order_number": string!(.no), "name": .name}"#).unwrap();
        let out = m.run_json(json!({"no": "SO-1", "name": "成都"})).unwrap();
        assert_eq!(out, json!({"order_number": "SO-1", "name": "成都"}));
    }

    #[test]
    fn a_mapping_declares_the_xml_elements_it_wants_as_arrays() {
        let source = "# UBL invoice\n#\n# xml_repeated: InvoiceLine, Note\n  # xml_repeated: TaxTotal Note\n. = {}\n";
        let m = Mapping::compile("t", source).unwrap();
        assert_eq!(m.xml_repeated(), ["InvoiceLine", "Note", "TaxTotal"]);
        assert!(declared_xml_repeated("# pass `xml_repeated: [A]` in prose\n").is_empty());
    }

    #[test]
    fn runtime_failure_is_an_error_with_vrls_message() {
        let m = Mapping::compile("t", r#". = {"q": to_float!(.q)}"#).unwrap();
        let err = m.run_json(json!({"q": "many"})).unwrap_err().to_string();
        assert!(err.contains("to_float"), "{err}");
    }

    #[test]
    fn compile_errors_render_diagnostics() {
        let Err(CompileError::Vrl { diagnostics, .. }) = Mapping::compile("t", ". = {\"a\": string(.x)}") else {
            panic!("expected a compile error");
        };
        assert!(diagnostics.contains("unhandled fallible"), "{diagnostics}");
    }

    #[test]
    fn conditions_are_boolean() {
        let c = Condition::compile("c", r#".ship_to.country == "CN""#).unwrap();
        let mut doc = VrlValue::from(json!({"ship_to": {"country": "CN"}}));
        assert!(c.matches(&mut doc).unwrap());
        let c = Condition::compile("c", ".ship_to").unwrap();
        assert!(c.matches(&mut doc).is_err());
        assert!(Condition::compile("c", ".x = 1\ntrue").is_err());
    }
}
