//! CSV: the exports of warehouse systems and ERPs, as rows of column names to string values.

mod charset;
mod options;
mod reader;
mod writer;

#[cfg(test)]
mod tests;

pub use options::{CsvEncoding, CsvEscape, CsvLineEnding, CsvOptions};
pub(crate) use reader::decode;
pub(crate) use writer::encode;
