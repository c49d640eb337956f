//! Decode + map + validate on one core, the part of accepting a document that is pure CPU: how
//! many documents per second one thread turns from partner bytes into validated canonical JSON,
//! and which stage the time goes to.
//!
//! Run with `cargo bench --bench mapping`. The inputs are built from the shipped mappings'
//! fixtures: the VICS X12 850 sample grown to 50 PO1 loops (CTT01 and SE01 recounted), read by
//! `mappings/x12/850.in.vrl`, and the UBL invoice round-trip fixture grown to 20 `InvoiceLine`s,
//! read by `mappings/ubl/invoice.in.vrl`. Each is checked to map to schema-valid documents
//! before anything is timed.
//!
//! Each stage is timed on its own, as the pipeline runs it: decode (bytes to the format's tree,
//! with the decode options a source would use), map (the tree converted to a VRL value, the
//! program, and the result converted back to JSON; the copy of the decoded tree each run consumes
//! is made outside the timed region), validate (the JSON Schema check of each mapped document),
//! and the whole chain. The baseline, measured in the same run, is `serde_json::from_slice` plus
//! `serde_json::to_vec` of the canonical document, so the figures can be read as a ratio on a
//! noisy, shared machine.
//!
//! Environment (all optional):
//! - `BENCH_SECS` — seconds per measurement (default 2)
//! - `BENCH_REPEATS` — repetitions of every measurement; the median is reported (default 3)
//! - `BENCH_X12_LINES`, `BENCH_UBL_LINES` — lines per document (default 50 and 20, the sizes the
//!   targets are set for), to see how a stage grows with the document
//! - `BENCH_ONLY` — `x12` or `ubl`: run that document only (for a profiler)

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use channelhub_core::mapping::Mapping;
use channelhub_core::model::{Kind, Schemas};
use channelhub_formats::{DecodeOptions, Format};
use serde_json::Value;

/// The hub's allocator (see `src/main.rs`): allocation is a large part of decoding and mapping.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// PO1 loops in the X12 850 the target is set for.
const X12_LINES: usize = 50;
/// `InvoiceLine`s in the UBL invoice the target is set for.
const UBL_LINES: usize = 20;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// One benchmarked document: its input and everything needed to run it as a source would.
struct Case {
    name: String,
    target: f64,
    format: Format,
    opts: DecodeOptions,
    mapping: Mapping,
    kind: Kind,
    input: Vec<u8>,
}

impl Case {
    /// Reads and compiles `mapping` (relative to `mappings/`), with the decode options a source
    /// configured as its header says would use.
    fn new(name: String, target: f64, format: Format, mapping: &str, kind: &str, input: Vec<u8>) -> Self {
        let path = root().join("mappings").join(mapping);
        let source = read(&path);
        let opts = DecodeOptions {
            xml_repeated: if format == Format::Xml {
                channelhub_core::mapping::declared_xml_repeated(&source)
            } else {
                Vec::new()
            },
            ..DecodeOptions::default()
        };
        let mapping = Mapping::compile(&path.display().to_string(), &source).unwrap_or_else(|e| panic!("{e}"));
        let kind = Kind::by_name(kind).unwrap_or_else(|| panic!("unknown kind {kind}"));
        Self {
            name,
            target,
            format,
            opts,
            mapping,
            kind,
            input,
        }
    }

    fn decode(&self) -> Value {
        channelhub_formats::decode(self.format, &self.input, &self.opts)
            .unwrap_or_else(|e| panic!("{}: the input does not decode: {e}", self.name))
    }

    fn map(&self, tree: Value) -> Value {
        self.mapping
            .run_json(tree)
            .unwrap_or_else(|e| panic!("{}: the mapping fails: {e}", self.name))
    }

    /// As the pipeline validates: an array is one document per element. Returns how many.
    fn validate(&self, schemas: &Schemas, mapped: &Value) -> usize {
        let docs = match mapped {
            Value::Array(items) => items.as_slice(),
            one => std::slice::from_ref(one),
        };
        for doc in docs {
            if let Err(e) = schemas.validate(self.kind, doc) {
                panic!("{}: the mapped document is not valid: {e}", self.name);
            }
        }
        docs.len()
    }
}

/// The VICS 850 fixture with its PO1 loops repeated (and renumbered) to `lines` loops, CTT01
/// and SE01 recounted.
fn x12_850(lines: usize) -> Vec<u8> {
    let text = read(&root().join("mappings/x12/850.in.tests/sample-850-01-4010-vics.input.x12"));
    let segments: Vec<&str> = text.split('~').map(str::trim).filter(|s| !s.is_empty()).collect();
    let first_po1 = segments
        .iter()
        .position(|s| s.starts_with("PO1*"))
        .expect("the fixture has PO1");
    let ctt = segments
        .iter()
        .position(|s| s.starts_with("CTT*"))
        .expect("the fixture has CTT");
    let mut loops: Vec<Vec<&str>> = Vec::new();
    for seg in &segments[first_po1..ctt] {
        if seg.starts_with("PO1*") {
            loops.push(Vec::new());
        }
        loops.last_mut().expect("a loop starts with PO1").push(seg);
    }
    let mut out: Vec<String> = segments[..first_po1].iter().map(|s| (*s).to_owned()).collect();
    for n in 0..lines {
        let mut lp = loops[n % loops.len()].iter().map(|s| (*s).to_owned());
        let po1 = lp.next().expect("PO1");
        let (_, rest) = po1["PO1*".len()..].split_once('*').expect("PO1 has elements");
        out.push(format!("PO1*{}*{rest}", n + 1));
        out.extend(lp);
    }
    out.push(format!("CTT*{lines}"));
    for seg in &segments[ctt + 1..] {
        if let Some(rest) = seg.strip_prefix("SE*") {
            let st = out
                .iter()
                .rposition(|s| s.starts_with("ST*"))
                .expect("the fixture has ST");
            let (_, control) = rest.split_once('*').expect("SE02");
            out.push(format!("SE*{}*{control}", out.len() - st + 1));
        } else {
            out.push((*seg).to_owned());
        }
    }
    let mut x12 = out.join("~\n");
    x12.push_str("~\n");
    x12.into_bytes()
}

/// The round-trip UBL invoice fixture with its `InvoiceLine`s repeated (and renumbered) to
/// `lines` lines. The totals are left as sent: the mapping carries them, it does not add up lines.
fn ubl_invoice(lines: usize) -> Vec<u8> {
    const OPEN: &str = "<cac:InvoiceLine>";
    const CLOSE: &str = "</cac:InvoiceLine>";
    let text = read(&root().join("mappings/ubl/invoice.in.tests/roundtrip-chengdu-vat.input.xml"));
    let first = text.find(OPEN).expect("the fixture has an InvoiceLine");
    let end = text.rfind(CLOSE).expect("the fixture has an InvoiceLine") + CLOSE.len();
    let (head, body, tail) = (&text[..first], &text[first..end], &text[end..]);
    let originals: Vec<&str> = body
        .split(OPEN)
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim_end().trim_end_matches(CLOSE))
        .collect();
    let mut out = head.to_owned();
    for n in 0..lines {
        let line = originals[n % originals.len()];
        // The line's own ID is its first cbc:ID; ids further down (item, tax) stay.
        let start = line.find("<cbc:ID>").expect("a line has an ID") + "<cbc:ID>".len();
        let stop = start + line[start..].find("</cbc:ID>").expect("a closed ID");
        if n > 0 {
            out.push_str("\n  ");
        }
        out.push_str(&format!("{OPEN}{}{}{}{CLOSE}", &line[..start], n + 1, &line[stop..]));
    }
    out.push_str(tail);
    out.into_bytes()
}

/// Documents per second of `run` for about `budget` of wall-clock time. `prepare` makes each
/// run's input outside the timed region.
fn rate<I, O>(budget: Duration, mut prepare: impl FnMut() -> I, mut run: impl FnMut(I) -> O) -> f64 {
    let start = Instant::now();
    let (mut busy, mut n) = (Duration::ZERO, 0u32);
    while n == 0 || start.elapsed() < budget {
        let input = prepare();
        let t = Instant::now();
        black_box(run(black_box(input)));
        busy += t.elapsed();
        n += 1;
    }
    f64::from(n) / busy.as_secs_f64()
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// The medians of one case's measurements, in documents per second.
#[derive(Default)]
struct Rates {
    decode: Vec<f64>,
    map: Vec<f64>,
    validate: Vec<f64>,
    chain: Vec<f64>,
    baseline: Vec<f64>,
}

fn measure(case: &Case, schemas: &Schemas, budget: Duration, rates: &mut Rates) {
    let tree = case.decode();
    let mapped = case.map(tree.clone());
    let canonical = serde_json::to_vec(&mapped).expect("JSON renders");
    rates.decode.push(rate(budget, || (), |()| case.decode()));
    rates.map.push(rate(budget, || tree.clone(), |t| case.map(t)));
    rates
        .validate
        .push(rate(budget, || (), |()| case.validate(schemas, &mapped)));
    rates.chain.push(rate(
        budget,
        || (),
        |()| case.validate(schemas, &case.map(case.decode())),
    ));
    rates.baseline.push(rate(
        budget,
        || (),
        |()| {
            let v: Value = serde_json::from_slice(&canonical).expect("canonical JSON parses");
            serde_json::to_vec(&v).expect("JSON renders")
        },
    ));
}

fn main() {
    let budget = Duration::from_secs_f64(env_or("BENCH_SECS", 2.0));
    let repeats = env_or("BENCH_REPEATS", 3usize).max(1);
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let (x12_lines, ubl_lines) = (
        env_or("BENCH_X12_LINES", X12_LINES).max(1),
        env_or("BENCH_UBL_LINES", UBL_LINES).max(1),
    );
    let schemas = Schemas::compile();
    let mut cases = Vec::new();
    if only.is_empty() || only == "x12" {
        let case = Case::new(
            format!("X12 850, {x12_lines} PO1 lines -> order"),
            20_000.0,
            Format::X12,
            "x12/850.in.vrl",
            "order",
            x12_850(x12_lines),
        );
        cases.push((case, x12_lines));
    }
    if only.is_empty() || only == "ubl" {
        let case = Case::new(
            format!("UBL invoice, {ubl_lines} lines -> invoice"),
            10_000.0,
            Format::Xml,
            "ubl/invoice.in.vrl",
            "invoice",
            ubl_invoice(ubl_lines),
        );
        cases.push((case, ubl_lines));
    }
    assert!(!cases.is_empty(), "BENCH_ONLY is `{only}`; expected `x12` or `ubl`");

    // Check every input before timing anything: it maps to valid documents with every line.
    for (case, want) in &cases {
        let want = *want;
        if case.format == Format::Xml {
            assert!(
                case.opts.xml_repeated.iter().any(|h| h == "InvoiceLine"),
                "no xml_repeated hints found in the header of {}",
                case.mapping.name()
            );
        }
        let mapped = case.map(case.decode());
        let docs = case.validate(&schemas, &mapped);
        let first = if let Value::Array(items) = &mapped {
            &items[0]
        } else {
            &mapped
        };
        let lines = first["lines"].as_array().map_or(0, Vec::len);
        assert!(
            docs == 1 && lines == want,
            "{}: expected one document with {want} lines, got {docs} document(s), {lines} lines",
            case.name
        );
        // A short warm-up, untimed.
        rate(Duration::from_millis(200), || (), |()| case.map(case.decode()));
    }

    eprintln!(
        "one thread, {} s per measurement, median of {repeats} ...",
        budget.as_secs_f64()
    );
    let mut all: Vec<Rates> = cases.iter().map(|_| Rates::default()).collect();
    // Repetitions interleave the cases, so a burst of load on a shared machine hits both.
    for _ in 0..repeats {
        for ((case, _), rates) in cases.iter().zip(&mut all) {
            measure(case, &schemas, budget, rates);
        }
    }

    println!(
        "\n| document | input | docs/s whole chain | target | decode | map (VRL) | validate | baseline docs/s | chain / baseline |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    let mut detail = Vec::new();
    for ((case, _), rates) in cases.iter().zip(all) {
        let us = |r: Vec<f64>| 1e6 / median(r);
        let (decode, map, validate) = (us(rates.decode), us(rates.map), us(rates.validate));
        let chain = median(rates.chain);
        let baseline = median(rates.baseline);
        let stages = decode + map + validate;
        let share = |t: f64| format!("{:.0}%", 100.0 * t / stages);
        println!(
            "| {} | {:.1} KB | {chain:.0} | {:.0}{} | {} | {} | {} | {baseline:.0} | {:.3} |",
            case.name,
            as_f64(case.input.len()) / 1024.0,
            case.target,
            if chain >= case.target { " (met)" } else { " (not met)" },
            share(decode),
            share(map),
            share(validate),
            chain / baseline,
        );
        detail.push(format!(
            "{}: decode {decode:.1} µs, map {map:.1} µs, validate {validate:.1} µs (sum {stages:.1} µs); \
             whole chain {:.1} µs; baseline {:.1} µs",
            case.name,
            1e6 / chain,
            1e6 / baseline
        ));
    }
    println!();
    for line in detail {
        println!("{line}");
    }
}

#[allow(clippy::cast_precision_loss)]
fn as_f64(n: usize) -> f64 {
    n as f64
}
