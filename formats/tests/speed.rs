//! Decoding speed measurements, run with the allocator the hub binary uses (mimalloc), since
//! building the document tree is mostly allocation:
//! `cargo test --release -p channelhub-formats --test speed -- --ignored --nocapture`.

use std::time::Instant;

use channelhub_formats::{CsvEncoding, CsvOptions, DecodeOptions, Format, decode};
use serde_json::Value;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Seconds per call of `f`, best of five rounds of `n` calls (the least disturbed by other work
/// on the machine).
fn seconds_each(n: u32, f: &dyn Fn()) -> f64 {
    (0..5)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..n {
                f();
            }
            start.elapsed().as_secs_f64() / f64::from(n)
        })
        .fold(f64::INFINITY, f64::min)
}

/// A WMS order-line export: 10,000 rows of 10 columns, Chinese text, one quoted field per row.
fn wms_export() -> String {
    let mut text = String::from("订单号,行号,SKU,品名,数量,单价,金额,仓库,库位,备注\r\n");
    for i in 0..10_000 {
        text.push_str(&format!(
            "SO2026{:06},{},SKU-{:05},\"不锈钢螺丝钉, M{}\",{},12.50,{}.00,上海一号仓,A-{:02}-{:03},\r\n",
            i / 5,
            i % 5 + 1,
            i % 977,
            i % 12 + 3,
            i % 40 + 1,
            (i % 40 + 1) * 25 / 2,
            i % 30,
            i % 500
        ));
    }
    text
}

#[test]
#[ignore = "a measurement, run in release mode"]
fn csv_decode_speed() {
    let text = wms_export();
    let utf8 = DecodeOptions::default();
    let doc = decode(Format::Csv, text.as_bytes(), &utf8).unwrap_or_default();
    assert_eq!(doc["rows"].as_array().map(Vec::len), Some(10_000));
    let json = serde_json::to_vec(&doc).unwrap_or_default();
    let gbk_bytes = encoding_rs::GBK.encode(&text).0.into_owned();
    let gbk = DecodeOptions {
        csv: CsvOptions {
            encoding: CsvEncoding::Gbk,
            ..CsvOptions::default()
        },
        ..DecodeOptions::default()
    };
    let report = |what: &str, len: usize, secs: f64| {
        #[allow(clippy::cast_precision_loss)]
        let mb = len as f64 / 1e6;
        eprintln!("{what}, {mb:.2} MB: {:.1} ms each, {:.0} MB/s", secs * 1e3, mb / secs);
    };
    let secs = seconds_each(20, &|| {
        std::hint::black_box(decode(Format::Csv, std::hint::black_box(text.as_bytes()), &utf8).ok());
    });
    report("csv decode, 10,000 rows x 10 columns, utf-8", text.len(), secs);
    let secs = seconds_each(20, &|| {
        std::hint::black_box(decode(Format::Csv, std::hint::black_box(&gbk_bytes), &gbk).ok());
    });
    report("csv decode, the same rows in gbk", gbk_bytes.len(), secs);
    // The floor for any codec that returns a `Value`: serde_json building the same tree.
    let secs = seconds_each(20, &|| {
        std::hint::black_box(serde_json::from_slice::<Value>(std::hint::black_box(&json)).ok());
    });
    report("serde_json building the same tree from its json", json.len(), secs);
}
