//! Decoding and encoding speed of the codecs on documents shaped like real partner traffic, each
//! beside a naive baseline in the same group so the ratio can be read off directly.
//!
//! Run with `cargo bench -p channelhub-formats --bench decode` (add a group name, such as
//! `x12_850`, to run one group). The allocator is mimalloc, as in the hub binary, since building
//! the document tree is mostly allocation. Figures: documents/s for X12, EDIFACT and XML
//! (`thrpt` in elements/s, one element per document), MB/s of input as received for CSV.
//!
//! `serde_json_same_tree` parses the decoded tree's own JSON text back into a `Value`: the cost
//! of allocating that tree with the fastest parser at hand, a floor for any decoder that
//! returns a `Value`.

#[path = "decode/inputs.rs"]
mod inputs;
#[path = "decode/naive.rs"]
mod naive;

use std::hint::black_box;
use std::time::Duration;

use channelhub_formats::{CsvEncoding, CsvOptions, DecodeOptions, EncodeOptions, Format, decode, encode};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::Value;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Decodes `input`, failing the benchmark if the codec refuses it or warns about it: a
/// benchmark of an error path would measure nothing useful.
fn decoded(format: Format, input: &[u8], opts: &DecodeOptions) -> Value {
    let tree = decode(format, input, opts).unwrap_or_else(|e| panic!("the {format} input does not decode: {e}"));
    let warnings = tree["interchanges"][0].get("warnings");
    assert!(
        warnings.is_none(),
        "the {format} input decodes with warnings: {warnings:?}"
    );
    tree
}

fn x12_850(c: &mut Criterion) {
    let text = inputs::x12_850();
    let opts = DecodeOptions::default();
    let tree = decoded(Format::X12, text.as_bytes(), &opts);
    let lines = &tree["interchanges"][0]["groups"][0]["transactions"][0]["PO1_loop"];
    assert_eq!(lines.as_array().map(Vec::len), Some(inputs::ORDER_LINES));
    let json = serde_json::to_vec(&tree).unwrap_or_default();
    let encode_opts = EncodeOptions::default();

    let mut group = c.benchmark_group(format!("x12_850_{}_lines", inputs::ORDER_LINES));
    group.throughput(Throughput::Elements(1));
    group.bench_function("decode", |b| {
        b.iter(|| decode(Format::X12, black_box(text.as_bytes()), &opts));
    });
    group.bench_function("naive_split", |b| {
        b.iter(|| naive::edi_split(black_box(&text), '~', '*'))
    });
    group.bench_function("serde_json_same_tree", |b| {
        b.iter(|| serde_json::from_slice::<Value>(black_box(&json)));
    });
    group.bench_function("encode", |b| {
        b.iter(|| encode(Format::X12, black_box(&tree), &encode_opts));
    });
    group.finish();
}

fn edifact_orders(c: &mut Criterion) {
    let text = inputs::edifact_orders();
    let opts = DecodeOptions::default();
    let tree = decoded(Format::Edifact, text.as_bytes(), &opts);
    let lines = &tree["interchanges"][0]["messages"][0]["LIN_group"];
    assert_eq!(lines.as_array().map(Vec::len), Some(inputs::ORDER_LINES));
    let json = serde_json::to_vec(&tree).unwrap_or_default();

    let mut group = c.benchmark_group(format!("edifact_orders_{}_lines", inputs::ORDER_LINES));
    group.throughput(Throughput::Elements(1));
    group.bench_function("decode", |b| {
        b.iter(|| decode(Format::Edifact, black_box(text.as_bytes()), &opts));
    });
    group.bench_function("naive_split", |b| {
        b.iter(|| naive::edi_split(black_box(&text), '\'', '+'))
    });
    group.bench_function("serde_json_same_tree", |b| {
        b.iter(|| serde_json::from_slice::<Value>(black_box(&json)));
    });
    group.finish();
}

fn ubl_invoice(c: &mut Criterion) {
    let text = inputs::ubl_invoice();
    let opts = DecodeOptions {
        xml_repeated: inputs::UBL_REPEATED.iter().map(|&s| s.to_owned()).collect(),
        ..DecodeOptions::default()
    };
    let tree =
        decode(Format::Xml, text.as_bytes(), &opts).unwrap_or_else(|e| panic!("the invoice does not decode: {e}"));
    let lines = &tree["Invoice"]["InvoiceLine"];
    assert_eq!(lines.as_array().map(Vec::len), Some(inputs::INVOICE_LINES));
    assert!(
        naive::xml_serde(&text).is_object(),
        "quick-xml's serde does not read the invoice"
    );
    let json = serde_json::to_vec(&tree).unwrap_or_default();
    let encode_opts = EncodeOptions::default();

    let mut group = c.benchmark_group(format!("ubl_invoice_{}_lines", inputs::INVOICE_LINES));
    group.throughput(Throughput::Elements(1));
    group.bench_function("decode", |b| {
        b.iter(|| decode(Format::Xml, black_box(text.as_bytes()), &opts));
    });
    group.bench_function("quick_xml_serde", |b| b.iter(|| naive::xml_serde(black_box(&text))));
    group.bench_function("quick_xml_events_only", |b| {
        b.iter(|| naive::xml_events(black_box(&text)))
    });
    group.bench_function("serde_json_same_tree", |b| {
        b.iter(|| serde_json::from_slice::<Value>(black_box(&json)));
    });
    group.bench_function("encode", |b| {
        b.iter(|| encode(Format::Xml, black_box(&tree), &encode_opts));
    });
    group.finish();
}

fn csv_wms(c: &mut Criterion) {
    let text = inputs::wms_export();
    let utf8 = DecodeOptions::default();
    let tree =
        decode(Format::Csv, text.as_bytes(), &utf8).unwrap_or_else(|e| panic!("the export does not decode: {e}"));
    assert_eq!(tree["rows"].as_array().map(Vec::len), Some(inputs::CSV_ROWS));
    assert_eq!(naive::csv_rows(&text).as_array().map(Vec::len), Some(inputs::CSV_ROWS));
    let gbk_bytes = encoding_rs::GBK.encode(&text).0.into_owned();
    let gbk = DecodeOptions {
        csv: CsvOptions {
            encoding: CsvEncoding::Gbk,
            ..CsvOptions::default()
        },
        ..DecodeOptions::default()
    };
    assert_eq!(decode(Format::Csv, &gbk_bytes, &gbk).ok(), Some(tree.clone()));
    let json = serde_json::to_vec(&tree).unwrap_or_default();

    let mut group = c.benchmark_group(format!("csv_wms_{}_rows", inputs::CSV_ROWS));
    // A decode takes milliseconds: fewer, longer samples.
    group.sample_size(30).measurement_time(Duration::from_secs(8));
    group.throughput(Throughput::BytesDecimal(text.len() as u64));
    group.bench_function("decode_utf8", |b| {
        b.iter(|| decode(Format::Csv, black_box(text.as_bytes()), &utf8));
    });
    group.bench_function("csv_crate_utf8", |b| b.iter(|| naive::csv_rows(black_box(&text))));
    group.throughput(Throughput::BytesDecimal(gbk_bytes.len() as u64));
    group.bench_function("decode_gbk", |b| {
        b.iter(|| decode(Format::Csv, black_box(&gbk_bytes), &gbk));
    });
    group.bench_function("csv_crate_gbk", |b| {
        b.iter(|| naive::csv_rows_gbk(black_box(&gbk_bytes)))
    });
    group.throughput(Throughput::BytesDecimal(json.len() as u64));
    group.bench_function("serde_json_same_tree", |b| {
        b.iter(|| serde_json::from_slice::<Value>(black_box(&json)));
    });
    group.finish();
}

criterion_group!(benches, x12_850, edifact_orders, ubl_invoice, csv_wms);
criterion_main!(benches);
