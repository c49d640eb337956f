//! Round trips where both directions exist: every canonical document an inbound mapping's
//! fixtures expect goes out through the matching `.out.vrl`, is encoded in the standard's format
//! as the hub delivers it (control numbers and envelope ids filled, XML in schema order), is
//! decoded again (strictly for X12 and EDIFACT) and comes back in through the `.in.vrl`; every
//! field the canonical document carried must come back unchanged (values compared as they are, so
//! money, a decimal string, to the last digit: `125.50` coming back as `125.5` is a change).
//! Fields a standard cannot carry are listed in [`KNOWN_LOSSES`], each with its reason; a loss not
//! listed fails, and so does a listed loss that no longer happens. Prints one row per pair:
//! `cargo test --test roundtrip -- --nocapture`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use channelhub_core::config::InterchangeConfig;
use channelhub_core::dispatcher::prepare_interchange;
use channelhub_core::fixtures::validate_output;
use channelhub_core::mapping::{Mapping, declared_xml_repeated};
use channelhub_core::model::{Kind, Schemas};
use channelhub_formats::{DecodeOptions, EncodeOptions, Format};
use serde_json::Value;

/// The shipped pairs: x12 850/855/856/810/846, EDIFACT ORDERS/ORDRSP/DESADV/INVOIC, UBL order,
/// despatch advice and invoice.
const MIN_PAIRS: usize = 12;

/// What a round trip through a pair does not keep, and why: a field (a JSON pointer into the
/// canonical document, `*` for any array index, covering everything below it; lost, changed, or
/// added on the way back) or a whole document that does not come back (text its error contains).
const KNOWN_LOSSES: &[KnownLoss] = &[KnownLoss {
    pair: "x12/810",
    lost: Lost::Field("/lines/*/tax_category"),
    reason: "X12 TXI has no tax category: the way in infers it (TXI06 exempt E, rate 0 Z, else S), \
                 so a line tax of unknown category comes back as S",
}];

struct KnownLoss {
    /// `standard/document`.
    pair: &'static str,
    lost: Lost,
    reason: &'static str,
}

enum Lost {
    Field(&'static str),
    /// A whole document that does not come back (none does today; kept so that a standard
    /// that cannot carry a document at all can be listed with its reason).
    #[allow(dead_code)]
    Document(&'static str),
}

impl KnownLoss {
    fn covers(&self, pair: &str, difference: &Difference) -> bool {
        self.pair == pair
            && match (&self.lost, &difference.change) {
                (Lost::Document(text), Change::NotBack { error, .. }) => error.contains(text),
                (Lost::Document(_), _) | (Lost::Field(_), Change::NotBack { .. }) => false,
                (Lost::Field(pattern), _) => covers(pattern, &difference.path),
            }
    }
}

/// The envelope ids the test delivers with, as a partner's `interchange` config gives them.
const OUR_ID: &str = "HUB-RT";
const PARTNER_ID: &str = "PARTNER-RT";

/// One `.in.vrl` with the `.out.vrl` beside it.
struct Pair {
    /// `standard/document`, as [`KNOWN_LOSSES`] names it.
    name: String,
    format: Format,
    kind: Kind,
    inbound: PathBuf,
    outbound: PathBuf,
}

/// How one field (or a whole document) fared on the way out and back.
enum Change {
    Lost(Value),
    Changed(Value, Value),
    Added(Value),
    /// The document did not come back: `error` says where it stopped; it had `fields` fields.
    NotBack {
        error: String,
        fields: usize,
    },
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Change::Lost(v) => write!(f, "lost {v}"),
            Change::Changed(from, to) => write!(f, "changed {from} -> {to}"),
            Change::Added(v) => write!(f, "added {v}"),
            Change::NotBack { error, .. } => write!(f, "the document does not come back: {error}"),
        }
    }
}

impl Change {
    /// How many of the original's fields this difference stands for.
    fn fields(&self) -> usize {
        match self {
            Change::NotBack { fields, .. } => *fields,
            _ => 1,
        }
    }
}

struct Difference {
    case: String,
    path: String,
    change: Change,
}

/// What one pair's round trips gave.
#[derive(Default)]
struct Outcome {
    cases: usize,
    compared: usize,
    kept: usize,
    differences: Vec<Difference>,
    /// Mappings that do not compile.
    broken: Vec<String>,
}

fn mappings_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("mappings")
}

fn file_name(p: &Path) -> &str {
    p.file_name().and_then(|n| n.to_str()).unwrap_or_default()
}

/// Every `standard/NAME.out.vrl` with a `standard/NAME.in.vrl` beside it. The format is the one
/// the inbound fixtures are written in, the kind the one they are validated against.
fn pairs() -> Vec<Pair> {
    let mut pairs = Vec::new();
    let mut standards: Vec<PathBuf> = std::fs::read_dir(mappings_root())
        .expect("mappings folder readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    standards.sort();
    for dir in standards {
        let mut outs: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("standard folder readable")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| file_name(p).ends_with(".out.vrl"))
            .collect();
        outs.sort();
        for outbound in outs {
            let document = file_name(&outbound).trim_end_matches(".out.vrl").to_owned();
            let inbound = dir.join(format!("{document}.in.vrl"));
            if !inbound.is_file() {
                continue;
            }
            let name = format!("{}/{document}", file_name(&dir));
            let tests = channelhub_core::fixtures::tests_dir(&inbound);
            let kind = std::fs::read_to_string(tests.join("kind"))
                .ok()
                .and_then(|k| Kind::by_name(k.trim()))
                .unwrap_or_else(|| panic!("{name}: the inbound fixtures name no known kind"));
            let mut formats: Vec<Format> = std::fs::read_dir(&tests)
                .expect("inbound fixtures readable")
                .filter_map(|e| e.ok())
                .filter_map(|e| {
                    let n = e.file_name().to_string_lossy().into_owned();
                    n.split_once(".input.").and_then(|(_, ext)| ext.parse().ok())
                })
                .filter(|f| *f != Format::Json)
                .collect();
            formats.sort_by_key(|f| f.as_str());
            formats.dedup();
            let [format] = formats[..] else {
                panic!(
                    "{name}: inbound fixtures in {} wire formats, expected one",
                    formats.len()
                );
            };
            assert!(
                format != Format::Xml || !repeated_hints(&inbound).is_empty(),
                "{name}: the inbound mapping declares no `# xml_repeated:` elements"
            );
            pairs.push(Pair {
                name,
                format,
                kind,
                inbound,
                outbound,
            });
        }
    }
    pairs
}

/// `(case, canonical document)` for every document the inbound fixtures expect; a fixture that
/// expects an array gives each element (`case[1]`).
fn canonical_documents(pair: &Pair) -> Vec<(String, Value)> {
    let tests = channelhub_core::fixtures::tests_dir(&pair.inbound);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&tests)
        .expect("inbound fixtures readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| file_name(p).ends_with(".expected.json"))
        .collect();
    files.sort();
    let mut docs = Vec::new();
    for file in files {
        let case = file_name(&file).trim_end_matches(".expected.json").to_owned();
        let text = std::fs::read_to_string(&file).expect("fixture readable");
        match serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display())) {
            Value::Array(items) => {
                docs.extend(items.into_iter().enumerate().map(|(i, d)| (format!("{case}[{i}]"), d)));
            }
            doc => docs.push((case, doc)),
        }
    }
    docs
}

/// The XML elements an inbound mapping declares it wants as arrays (its `# xml_repeated:` lines),
/// which the hub applies to a source with that mapping.
fn repeated_hints(mapping: &Path) -> Vec<String> {
    declared_xml_repeated(&std::fs::read_to_string(mapping).unwrap_or_default())
}

/// Addresses and numbers an outbound interchange as the hub does at delivery to a partner with
/// an `interchange` config: the ids are ours and the partner's, the interchange and its group get
/// control number `n`, its sets or messages 1, 2, ..., and missing dates a fixed time.
fn envelope(format: Format, doc: &mut Value, n: u32) -> Result<(), String> {
    let partner = InterchangeConfig {
        id: PARTNER_ID.into(),
        qualifier: None,
        our_id: OUR_ID.into(),
        our_qualifier: None,
        application_id: None,
        our_application_id: None,
        ack_window: None,
    };
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-26T08:05:00Z")
        .map_err(|e| e.to_string())?
        .to_utc();
    prepare_interchange(format, doc, i64::from(n), Some(&partner), &at)
}

/// The encoder options a sink with this outbound mapping uses: XML element order from the
/// `.xml-order` file beside the mapping (namespaces are declared in the tree by the mapping).
fn encode_options(pair: &Pair) -> EncodeOptions {
    let mut opts = EncodeOptions::default();
    if pair.format == Format::Xml {
        let rules = pair.outbound.with_extension("xml-order");
        let text = std::fs::read_to_string(&rules)
            .unwrap_or_else(|e| panic!("{}: an XML pair needs {}: {e}", pair.name, file_name(&rules)));
        opts.xml_order =
            channelhub_formats::parse_xml_order(&text).unwrap_or_else(|e| panic!("{}: {e}", rules.display()));
    }
    opts
}

/// The way out and back for one canonical document.
fn round_trip(
    pair: &Pair,
    mappings: (&Mapping, &Mapping),
    schemas: &Schemas,
    doc: &Value,
    n: u32,
) -> Result<Value, String> {
    let (outbound, inbound) = mappings;
    let mut tree = outbound
        .run_json(doc.clone())
        .map_err(|e| format!("out mapping: {e}"))?;
    envelope(pair.format, &mut tree, n)?;
    let bytes =
        channelhub_formats::encode(pair.format, &tree, &encode_options(pair)).map_err(|e| format!("encode: {e}"))?;
    let opts = DecodeOptions {
        strict: true,
        xml_repeated: repeated_hints(&pair.inbound),
        ..DecodeOptions::default()
    };
    let text = String::from_utf8_lossy(&bytes);
    let tree = channelhub_formats::decode(pair.format, &bytes, &opts).map_err(|e| format!("decode: {e}\n{text}"))?;
    let back = inbound.run_json(tree).map_err(|e| format!("in mapping: {e}\n{text}"))?;
    validate_output(schemas, pair.kind, &back).map_err(|e| format!("canonical schema: {e}"))?;
    match back {
        Value::Array(mut items) if items.len() == 1 => Ok(items.remove(0)),
        Value::Array(items) => Err(format!("came back as {} documents", items.len())),
        one => Ok(one),
    }
}

/// Every leaf of `v` by JSON pointer (an empty object or array is a leaf too).
fn leaves(v: &Value, at: &str, out: &mut BTreeMap<String, Value>) {
    match v {
        Value::Object(map) if !map.is_empty() => {
            for (k, child) in map {
                leaves(child, &format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for (i, child) in items.iter().enumerate() {
                leaves(child, &format!("{at}/{i}"), out);
            }
        }
        leaf => {
            out.insert(at.to_owned(), leaf.clone());
        }
    }
}

/// Compares field by field; returns (fields compared, fields kept, differences).
fn compare(case: &str, original: &Value, back: &Value) -> (usize, usize, Vec<Difference>) {
    let (mut before, mut after) = (BTreeMap::new(), BTreeMap::new());
    leaves(original, "", &mut before);
    leaves(&parties_in_order_of(original, back), "", &mut after);
    let mut differences = Vec::new();
    let mut kept = 0;
    for (path, value) in &before {
        let change = match after.remove(path) {
            Some(v) if v == *value => {
                kept += 1;
                continue;
            }
            Some(v) => Change::Changed(value.clone(), v),
            None => Change::Lost(value.clone()),
        };
        differences.push(Difference {
            case: case.to_owned(),
            path: path.clone(),
            change,
        });
    }
    differences.extend(after.into_iter().map(|(path, v)| Difference {
        case: case.to_owned(),
        path,
        change: Change::Added(v),
    }));
    (before.len(), kept, differences)
}

/// `back` with its `parties[]` in the order of the original's. The list is a set of parties by
/// role, and a standard writes them in its own order (X12 N1 loops ship-to first), so each
/// original party is matched with the returned one of the same role and id (else the first
/// unmatched one of that role); parties left over follow in their order.
fn parties_in_order_of(original: &Value, back: &Value) -> Value {
    let (Some(wanted), Some(got)) = (
        original.get("parties").and_then(Value::as_array),
        back.get("parties").and_then(Value::as_array),
    ) else {
        return back.clone();
    };
    let mut left: Vec<Option<&Value>> = got.iter().map(Some).collect();
    let mut take = |same: &dyn Fn(&Value) -> bool| {
        let i = left.iter().position(|p| p.is_some_and(same))?;
        left[i].take()
    };
    let mut matched: Vec<Option<&Value>> = wanted
        .iter()
        .map(|w| take(&|p| p.get("role") == w.get("role") && p.get("id") == w.get("id")))
        .collect();
    for (w, m) in wanted.iter().zip(&mut matched) {
        if m.is_none() {
            *m = take(&|p| p.get("role") == w.get("role"));
        }
    }
    let mut ordered: Vec<Value> = matched.into_iter().flatten().cloned().collect();
    ordered.extend(left.into_iter().flatten().cloned());
    let mut back = back.clone();
    back["parties"] = Value::Array(ordered);
    back
}

/// Whether `pattern` (`/lines/*/uom`) names `path` (`/lines/3/uom`) or a field above it.
fn covers(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    pattern.len() <= path.len()
        && pattern
            .iter()
            .zip(&path)
            .all(|(p, s)| p == s || (*p == "*" && s.parse::<usize>().is_ok()))
}

fn run_pair(pair: &Pair, schemas: &Schemas) -> Outcome {
    let mut outcome = Outcome::default();
    let compiled = (
        Mapping::compile_file(&pair.outbound),
        Mapping::compile_file(&pair.inbound),
    );
    let (outbound, inbound) = match compiled {
        (Ok(o), Ok(i)) => (o, i),
        (Err(e), _) | (_, Err(e)) => {
            outcome.broken.push(e.to_string());
            return outcome;
        }
    };
    for (n, (case, doc)) in (1..).zip(canonical_documents(pair)) {
        outcome.cases += 1;
        match round_trip(pair, (&outbound, &inbound), schemas, &doc, n) {
            Ok(back) => {
                let (compared, kept, differences) = compare(&case, &doc, &back);
                outcome.compared += compared;
                outcome.kept += kept;
                outcome.differences.extend(differences);
            }
            Err(error) => {
                let mut fields = BTreeMap::new();
                leaves(&doc, "", &mut fields);
                outcome.compared += fields.len();
                outcome.differences.push(Difference {
                    case,
                    path: String::new(),
                    change: Change::NotBack {
                        error,
                        fields: fields.len(),
                    },
                });
            }
        }
    }
    outcome
}

#[test]
fn partner_to_canonical_to_partner_keeps_every_field_the_standard_can_carry() {
    let pairs = pairs();
    let names: Vec<&str> = pairs.iter().map(|p| p.name.as_str()).collect();
    assert!(
        pairs.len() >= MIN_PAIRS,
        "{} mapping pairs found, expected at least {MIN_PAIRS}: {}",
        pairs.len(),
        names.join(", ")
    );
    let schemas = Schemas::compile();
    let mut failures = Vec::new();
    let mut used = vec![false; KNOWN_LOSSES.len()];
    println!("| pair | cases | fields compared | fields kept | listed losses |\n| --- | ---: | ---: | ---: | ---: |");
    for pair in &pairs {
        let outcome = run_pair(pair, &schemas);
        if outcome.cases == 0 {
            failures.push(format!(
                "{}: the inbound fixtures expect no canonical document",
                pair.name
            ));
        }
        failures.extend(outcome.broken.iter().map(|e| format!("{}: {e}", pair.name)));
        let mut listed = 0;
        for d in &outcome.differences {
            match KNOWN_LOSSES.iter().position(|k| k.covers(&pair.name, d)) {
                Some(i) => {
                    used[i] = true;
                    listed += d.change.fields();
                }
                None => failures.push(format!("{} [{}] {}: {}", pair.name, d.case, d.path, d.change)),
            }
        }
        println!(
            "| {} | {} | {} | {} | {listed} |",
            pair.name, outcome.cases, outcome.compared, outcome.kept
        );
    }
    for (known, used) in KNOWN_LOSSES.iter().zip(used) {
        if !used {
            let what = match known.lost {
                Lost::Field(path) => path.to_owned(),
                Lost::Document(text) => format!("the document refused with `{text}`"),
            };
            failures.push(format!(
                "{} {what} is listed as lost ({}) but survives now: remove it from KNOWN_LOSSES",
                known.pair, known.reason
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "round trips that lose fields:\n{}",
        failures.join("\n")
    );
}
