//! Every public sample document of a type the shipped mappings read maps to schema-valid
//! canonical documents: the repository's permissively licensed copies in `samples/` always, and
//! the wider corpus in `../shared/samples/` next to the checkout when it exists. Prints the
//! table (file, kind, business keys, or the reason a sample is refused) that the mapping issue's
//! closing note quotes: `cargo test --test samples -- --nocapture`.

use std::path::{Path, PathBuf};

use channelhub_core::fixtures::validate_output;
use channelhub_core::mapping::Mapping;
use channelhub_core::model::{Kind, Schemas};
use channelhub_formats::{DecodeOptions, Format};

/// Which shipped mapping reads a sample, by folder and file-name prefix.
const READERS: &[(&str, &str, Format, &str, &str)] = &[
    ("x12", "850-", Format::X12, "x12/850.in.vrl", "order"),
    ("x12", "855-", Format::X12, "x12/855.in.vrl", "order_ack"),
    ("x12", "856-", Format::X12, "x12/856.in.vrl", "shipment"),
    ("x12", "810-", Format::X12, "x12/810.in.vrl", "invoice"),
    ("x12", "846-", Format::X12, "x12/846.in.vrl", "inventory"),
    ("x12", "945-", Format::X12, "x12/945.in.vrl", "shipment"),
    ("x12", "214-", Format::X12, "x12/214.in.vrl", "tracking"),
    ("edifact", "orders-", Format::Edifact, "edifact/orders.in.vrl", "order"),
    (
        "edifact",
        "ordrsp-",
        Format::Edifact,
        "edifact/ordrsp.in.vrl",
        "order_ack",
    ),
    (
        "edifact",
        "desadv-",
        Format::Edifact,
        "edifact/desadv.in.vrl",
        "shipment",
    ),
    (
        "edifact",
        "invoic-",
        Format::Edifact,
        "edifact/invoic.in.vrl",
        "invoice",
    ),
    ("ubl", "ubl-2.1-order-", Format::Xml, "ubl/order.in.vrl", "order"),
    (
        "ubl",
        "peppol-bis3-order-example",
        Format::Xml,
        "ubl/order.in.vrl",
        "order",
    ),
    (
        "ubl",
        "peppol-bis3-order-response",
        Format::Xml,
        "ubl/orderresponse.in.vrl",
        "order_ack",
    ),
    ("ubl", "ubl-2.1-invoice", Format::Xml, "ubl/invoice.in.vrl", "invoice"),
    (
        "ubl",
        "peppol-bis3-invoice",
        Format::Xml,
        "ubl/invoice.in.vrl",
        "invoice",
    ),
    (
        "ubl",
        "en16931-ubl-invoice",
        Format::Xml,
        "ubl/invoice.in.vrl",
        "invoice",
    ),
    (
        "ubl",
        "en16931-ubl-creditnote",
        Format::Xml,
        "ubl/creditnote.in.vrl",
        "invoice",
    ),
    (
        "ubl",
        "ubl-2.0-despatchadvice",
        Format::Xml,
        "ubl/despatchadvice.in.vrl",
        "shipment",
    ),
    (
        "ubl",
        "peppol-bis3-despatchadvice",
        Format::Xml,
        "ubl/despatchadvice.in.vrl",
        "shipment",
    ),
    (
        "ubl",
        "peppol-logistics-advanced-despatchadvice",
        Format::Xml,
        "ubl/despatchadvice.in.vrl",
        "shipment",
    ),
    (
        "iso20022",
        "camt.053",
        Format::Xml,
        "iso20022/camt.053.in.vrl",
        "payment",
    ),
    (
        "iso20022",
        "camt.054",
        Format::Xml,
        "iso20022/camt.054.in.vrl",
        "payment",
    ),
    (
        "iso20022",
        "pain.002",
        Format::Xml,
        "iso20022/pain.002.in.vrl",
        "payment",
    ),
    (
        "cxml",
        "cxml-orderrequest",
        Format::Xml,
        "cxml/orderrequest.in.vrl",
        "order",
    ),
    (
        "cxml",
        "cxml-shipnoticerequest",
        Format::Xml,
        "cxml/shipnoticerequest.in.vrl",
        "shipment",
    ),
    (
        "cxml",
        "cxml-invoicedetailrequest",
        Format::Xml,
        "cxml/invoicedetailrequest.in.vrl",
        "invoice",
    ),
];

/// Samples no shipped inbound mapping reads, and why.
const NOT_READ: &[(&str, &str)] = &[
    ("x12/204-", "204 load tenders go out (x12/204.out.vrl), not in"),
    (
        "x12/940-",
        "940 warehouse shipping orders go out (x12/940.out.vrl), not in",
    ),
    ("x12/990-", "990 (load tender response) is not a listed document type"),
    ("x12/210-", "210 (freight invoice) is not a listed document type"),
    ("x12/997-", "997s are built by the hub, not mapped"),
    (
        "ubl/ubl-2.1-inventoryreport",
        "UBL InventoryReport is not a listed document type",
    ),
    (
        "ubl/peppol-logistics-transportationstatus",
        "UBL TransportationStatus is not a listed document type",
    ),
    (
        "iso20022/pain.001",
        "pain.001 goes out (iso20022/pain.001.out.vrl), not in",
    ),
    ("gs1/", "GS1 EPCIS is not a listed document type"),
];

/// Samples a mapping refuses, deliberately: the file lacks what the canonical kind requires (or
/// is malformed as published). Each must fail with this text; any other failure fails the test.
const REFUSED: &[(&str, &str)] = &[
    // Lines that name no item at all: only a description and a reference to an order line
    // (whose order number is itself missing in 02); cXML leaves ItemID optional there.
    (
        "cxml/cxml-invoicedetailrequest-01-line-tax.xml",
        "InvoiceDetailItemReference names no item",
    ),
    (
        "cxml/cxml-invoicedetailrequest-02-multi-po.xml",
        "InvoiceDetailItemReference names no item",
    ),
    // The ship-to is optional now, but the notice lists nothing shipped (no ShipNoticeItem).
    ("cxml/cxml-shipnoticerequest-01.xml", "lists no ShipNoticeItem"),
    // No CUX and no currency anywhere in the message: the currency cannot be made up.
    (
        "edifact/invoic-02-d93a-una-decimal-comma.edi",
        "CUX (invoice currency, CUX01-2) is missing",
    ),
    // An order names where the goods go; this one has only NAD BY (a GLN, no address) and SU.
    (
        "edifact/orders-02-eancom-d96b-with-ung.edi",
        "NAD+DP (delivery party, the ship-to) is missing",
    ),
    ("x12/846-inventory-advice-02-malformed-segments.edi", "segments run tog"),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// (folder/name, bytes) of every sample: the shared corpus first, the repository's copies for
/// any file it lacks.
fn samples() -> (Vec<(String, Vec<u8>)>, bool) {
    let shared = root().join("../shared/samples");
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for base in [shared.clone(), root().join("samples")] {
        for folder in ["x12", "edifact", "ubl", "iso20022", "cxml", "gs1"] {
            let Ok(entries) = std::fs::read_dir(base.join(folder)) else {
                continue;
            };
            for entry in entries.filter_map(Result::ok) {
                let name = format!("{folder}/{}", entry.file_name().to_string_lossy());
                if !files.iter().any(|(n, _)| *n == name)
                    && let Ok(bytes) = std::fs::read(entry.path())
                {
                    files.push((name, bytes));
                }
            }
        }
    }
    files.sort();
    (files, shared.is_dir())
}

/// Maps one sample: the business keys of its documents, or why not.
fn map_sample(
    bytes: &[u8],
    format: Format,
    mapping: &Path,
    kind: &str,
    schemas: &Schemas,
) -> Result<Vec<String>, String> {
    let m = Mapping::compile_file(mapping).map_err(|e| e.to_string())?;
    let kind = Kind::by_name(kind).ok_or_else(|| format!("unknown kind {kind}"))?;
    let opts = DecodeOptions {
        xml_repeated: m.xml_repeated().to_vec(),
        ..DecodeOptions::default()
    };
    let tree = channelhub_formats::decode(format, bytes, &opts).map_err(|e| e.to_string())?;
    let out = m.run_json(tree).map_err(|e| e.to_string())?;
    validate_output(schemas, kind, &out).map_err(|e| e.to_string())?;
    let docs = match out {
        serde_json::Value::Array(items) => items,
        one => vec![one],
    };
    Ok(docs
        .iter()
        .map(|d| kind.business_key(d).unwrap_or_else(|| "(none)".into()))
        .collect())
}

#[test]
fn every_sample_of_a_listed_type_maps_to_valid_canonical_documents() {
    let (files, shared) = samples();
    assert!(files.len() >= 36, "samples are missing: {}", files.len());
    let schemas = Schemas::compile();
    let mappings = root().join("mappings");
    let mut failures = Vec::new();
    println!("| sample | kind | business keys / reason |\n| --- | --- | --- |");
    for (name, bytes) in &files {
        if let Some((_, reason)) = NOT_READ.iter().find(|(prefix, _)| name.starts_with(prefix)) {
            println!("| {name} | — | not read: {reason} |");
            continue;
        }
        let Some(&(_, _, format, mapping, kind)) = READERS
            .iter()
            .find(|(folder, prefix, ..)| name.starts_with(&format!("{folder}/{prefix}")))
        else {
            failures.push(format!("{name}: no mapping reads it and it is not listed in NOT_READ"));
            continue;
        };
        match map_sample(bytes, format, &mappings.join(mapping), kind, &schemas) {
            Ok(keys) if REFUSED.iter().any(|(file, _)| file == name) => {
                failures.push(format!(
                    "{name} is listed as refused but maps now ({}): update REFUSED",
                    keys.join(", ")
                ));
            }
            Ok(keys) => println!("| {name} | {kind} | {} |", keys.join(", ")),
            Err(e) => {
                let e = e.replace('\n', " ");
                println!("| {name} | {kind} | refused: {e} |");
                match REFUSED.iter().find(|(file, _)| file == name) {
                    Some((_, why)) if e.contains(why) => {}
                    _ => failures.push(format!("{name} ({mapping}): {e}")),
                }
            }
        }
    }
    if !shared {
        eprintln!("note: no shared samples next to the checkout; only the repository's copies were mapped");
    }
    assert!(failures.is_empty(), "samples that do not map:\n{}", failures.join("\n"));
}
