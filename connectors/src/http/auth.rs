//! Credential checks: bearer tokens compared in constant time, HMAC-SHA256 request signatures
//! with a replay window.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::http::HeaderMap;
use channelhub_core::config::{AuthConfig, HmacConfig};
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The bearer token of a request, if any.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Whether `given` equals one of `tokens`, in time independent of where they differ (both
/// sides are hashed first, so lengths leak nothing either).
pub(crate) fn token_matches(given: &str, tokens: &[SecretString]) -> bool {
    let given = Sha256::digest(given.as_bytes());
    tokens
        .iter()
        .filter(|t| !t.expose_secret().is_empty())
        .fold(false, |found, t| {
            found | bool::from(Sha256::digest(t.expose_secret().as_bytes()).ct_eq(&given))
        })
}

/// Signatures seen within their window, so a captured request cannot be replayed.
#[derive(Default)]
pub(crate) struct ReplayGuard {
    seen: Mutex<HashMap<Vec<u8>, i64>>,
}

impl ReplayGuard {
    /// Records `sig` until `expires` (Unix seconds); `false` if it was already seen.
    fn first_use(&self, sig: &[u8], now: i64, expires: i64) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if seen.len() > 100_000 {
            seen.retain(|_, exp| *exp > now);
        }
        if seen.get(sig).is_some_and(|exp| *exp > now) {
            return false;
        }
        seen.insert(sig.to_vec(), expires);
        true
    }
}

/// Why a request's credentials were not accepted.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum AuthFailure {
    Missing,
    Invalid(&'static str),
}

/// Checks a request against a partner's auth config: a listed bearer token, or a valid HMAC
/// signature within the tolerance and not seen before.
pub(crate) fn check(
    auth: &AuthConfig,
    headers: &HeaderMap,
    body: &[u8],
    replay: &ReplayGuard,
) -> Result<(), AuthFailure> {
    if let Some(token) = bearer(headers) {
        if token_matches(token, &auth.bearer) {
            return Ok(());
        }
        if auth.hmac.is_none() {
            return Err(AuthFailure::Invalid("invalid bearer token"));
        }
    }
    match &auth.hmac {
        Some(h) if headers.contains_key(h.header.as_str()) => check_hmac(h, headers, body, replay),
        _ if bearer(headers).is_some() => Err(AuthFailure::Invalid("invalid bearer token")),
        _ => Err(AuthFailure::Missing),
    }
}

fn check_hmac(h: &HmacConfig, headers: &HeaderMap, body: &[u8], replay: &ReplayGuard) -> Result<(), AuthFailure> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    let ts = header(&h.timestamp_header).ok_or(AuthFailure::Invalid("signature without timestamp header"))?;
    let ts_num: i64 = ts
        .parse()
        .map_err(|_| AuthFailure::Invalid("timestamp is not Unix seconds"))?;
    let now = chrono::Utc::now().timestamp();
    let tolerance = i64::try_from(h.tolerance.0.as_secs()).unwrap_or(i64::MAX);
    if (now - ts_num).abs() > tolerance {
        return Err(AuthFailure::Invalid("timestamp outside the accepted window"));
    }
    let sig = header(&h.header).unwrap_or_default();
    let sig = sig.strip_prefix("sha256=").unwrap_or(sig);
    let sig = hex::decode(sig).map_err(|_| AuthFailure::Invalid("signature is not hex"))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(h.secret.expose_secret().as_bytes())
        .map_err(|_| AuthFailure::Invalid("unusable secret"))?;
    mac.update(ts.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&sig)
        .map_err(|_| AuthFailure::Invalid("signature does not match"))?;
    if !replay.first_use(&sig, now, now + tolerance + 1) {
        return Err(AuthFailure::Invalid("signature already used (replay)"));
    }
    Ok(())
}

/// Signs a body as a partner would (for tests and tools).
#[must_use]
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use channelhub_core::config::HumanDuration;

    use super::*;

    fn auth(hmac: bool) -> AuthConfig {
        AuthConfig {
            bearer: vec![SecretString::from("tok-1"), SecretString::from("tok-2")],
            hmac: hmac.then(|| HmacConfig {
                secret: SecretString::from("s3cret"),
                header: "X-Signature".into(),
                timestamp_header: "X-Timestamp".into(),
                tolerance: HumanDuration(Duration::from_secs(300)),
            }),
        }
    }

    fn headers(pairs: &[(&'static str, String)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn bearer_tokens() {
        let g = ReplayGuard::default();
        assert_eq!(
            check(
                &auth(false),
                &headers(&[("authorization", "Bearer tok-2".into())]),
                b"",
                &g
            ),
            Ok(())
        );
        assert!(matches!(
            check(
                &auth(false),
                &headers(&[("authorization", "Bearer nope".into())]),
                b"",
                &g
            ),
            Err(AuthFailure::Invalid(_))
        ));
        assert_eq!(
            check(&auth(false), &HeaderMap::new(), b"", &g),
            Err(AuthFailure::Missing)
        );
    }

    #[test]
    fn hmac_signatures_window_and_replay() {
        let g = ReplayGuard::default();
        let now = chrono::Utc::now().timestamp();
        let body = br#"{"a":1}"#;
        let ok = headers(&[
            ("x-timestamp", now.to_string()),
            ("x-signature", format!("sha256={}", sign("s3cret", now, body))),
        ]);
        assert_eq!(check(&auth(true), &ok, body, &g), Ok(()));
        assert_eq!(
            check(&auth(true), &ok, body, &g),
            Err(AuthFailure::Invalid("signature already used (replay)"))
        );
        assert!(check(&auth(true), &ok, b"tampered", &ReplayGuard::default()).is_err());
        let old = now - 3600;
        let stale = headers(&[
            ("x-timestamp", old.to_string()),
            ("x-signature", sign("s3cret", old, body)),
        ]);
        assert_eq!(
            check(&auth(true), &stale, body, &g),
            Err(AuthFailure::Invalid("timestamp outside the accepted window"))
        );
    }
}
