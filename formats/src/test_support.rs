//! Helpers the codecs' unit tests share.

/// A small deterministic generator (xorshift), so failures reproduce without a fuzzing crate.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `n` (0 when `n` is 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n.max(1) as u64).unwrap_or(0)
    }

    /// Up to `max` pieces of `alphabet`, joined.
    pub(crate) fn text(&mut self, alphabet: &[&str], max: usize) -> String {
        (0..self.below(max + 1))
            .map(|_| alphabet[self.below(alphabet.len())])
            .collect()
    }
}

/// The sample documents of one standard (`x12`, `edifact`, `ubl`, ...), sorted by file name: the
/// permissively licensed copies in the repository's `samples/` folder, plus the wider corpus in
/// `../shared/samples/` next to the checkout when that folder exists (a file in both is read
/// once). The flag says whether the wider corpus was there.
pub(crate) fn sample_files(standard: &str) -> (Vec<(String, Vec<u8>)>, bool) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let shared = root.join("../shared/samples").join(standard);
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for dir in [shared.clone(), root.join("samples").join(standard)] {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy().into_owned();
            if files.iter().any(|(n, _)| *n == name) {
                continue;
            }
            if let Ok(bytes) = std::fs::read(entry.path()) {
                files.push((name, bytes));
            }
        }
    }
    files.sort();
    let has_shared = shared.is_dir();
    if !has_shared {
        eprintln!("note: no shared {standard} samples next to the checkout; testing the repository's copies only");
    }
    (files, has_shared)
}
