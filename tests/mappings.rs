//! Every shipped mapping passes its fixtures (`mappings/**/NAME.tests/`), exactly as
//! `channelhub test` runs them.

use std::path::PathBuf;

#[test]
fn every_shipped_mapping_passes_its_fixtures() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("mappings");
    let results = channelhub_core::fixtures::run_all(&[root]).expect("mappings folder readable");
    assert!(results.len() >= 100, "fixtures are missing: {} cases", results.len());
    let failures: Vec<String> = results
        .iter()
        .filter_map(|r| {
            r.failure
                .as_ref()
                .map(|f| format!("{} [{}]:\n{f}", r.mapping.display(), r.case))
        })
        .collect();
    println!("{} cases, {} failed", results.len(), failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
