//! Instants as the store keeps them: microseconds since the Unix epoch, UTC.

use chrono::{DateTime, Utc};

/// Microseconds since the Unix epoch, now.
#[must_use]
pub fn now_micros() -> i64 {
    Utc::now().timestamp_micros()
}

/// RFC 3339 rendering of a stored instant (`2026-11-25T08:00:00.123456Z`).
#[must_use]
pub fn rfc3339(micros: i64) -> String {
    DateTime::<Utc>::from_timestamp_micros(micros)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}
