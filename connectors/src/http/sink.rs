//! The outbound REST sink: one pooled reqwest client per sink; POST (or PUT) the encoded
//! document with `Idempotency-Key`, `X-Correlation-Id` and `Content-Type`, and classify the
//! answer: 2xx delivered; 408, 425, 429, 5xx, timeouts and connection errors retryable (with
//! `Retry-After`); any other status permanent.

use std::collections::BTreeMap;
use std::time::Duration;

use channelhub_core::config::SinkConfig;
use channelhub_core::dispatcher::{Outbound, SendResult, Sink};
use channelhub_core::hub::ConnectorProblem;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};
use reqwest::{Method, StatusCode, Url};
use serde::Deserialize;

/// Keys of an http sink beyond the common ones.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HttpSinkConfig {
    /// Where to send (http or https).
    url: String,
    /// `POST` (default) or `PUT`.
    #[serde(default)]
    method: Option<String>,
    /// Extra headers on every request (e.g. the partner's API key).
    #[serde(default)]
    headers: BTreeMap<String, String>,
}

/// An HTTP sink.
pub struct HttpSink {
    client: reqwest::Client,
    url: Url,
    method: Method,
    headers: HeaderMap,
}

/// The most of an error answer's body kept in the attempt's error text.
const ERROR_BODY_CHARS: usize = 300;

impl HttpSink {
    /// Builds the sink from its config.
    ///
    /// # Errors
    /// Every problem with its key.
    pub fn build(cfg: &SinkConfig) -> Result<Self, Vec<ConnectorProblem>> {
        let raw: HttpSinkConfig = parse_keys(cfg)?;
        let mut problems = Vec::new();
        let url = match Url::parse(&raw.url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => Some(u),
            Ok(u) => {
                problems.push(("url".into(), format!("scheme `{}` is not http or https", u.scheme())));
                None
            }
            Err(e) => {
                problems.push(("url".into(), format!("`{}` is not a URL: {e}", raw.url)));
                None
            }
        };
        let method = match raw.method.as_deref().map(str::to_ascii_uppercase).as_deref() {
            None | Some("POST") => Method::POST,
            Some("PUT") => Method::PUT,
            Some(other) => {
                problems.push(("method".into(), format!("`{other}` is not POST or PUT")));
                Method::POST
            }
        };
        let mut headers = HeaderMap::new();
        for (k, v) in &raw.headers {
            match (HeaderName::try_from(k.as_str()), HeaderValue::try_from(v.as_str())) {
                (Ok(k), Ok(mut v)) => {
                    v.set_sensitive(true);
                    headers.insert(k, v);
                }
                _ => problems.push((format!("headers.{k}"), "not a valid HTTP header".into())),
            }
        }
        let client = reqwest::Client::builder()
            .timeout(cfg.timeout.0)
            .connect_timeout(cfg.timeout.0.min(Duration::from_secs(10)))
            .pool_max_idle_per_host(cfg.concurrency)
            .redirect(reqwest::redirect::Policy::none())
            .tcp_nodelay(true)
            .build();
        let client = match client {
            Ok(c) => Some(c),
            Err(e) => {
                problems.push((String::new(), format!("cannot build HTTP client: {e}")));
                None
            }
        };
        match (url, client) {
            (Some(url), Some(client)) if problems.is_empty() => Ok(Self {
                client,
                url,
                method,
                headers,
            }),
            _ => Err(problems),
        }
    }

    async fn send_once(&self, out: Outbound) -> SendResult {
        let req = self
            .client
            .request(self.method.clone(), self.url.clone())
            .headers(self.headers.clone())
            .header("idempotency-key", out.idempotency_key)
            .header("x-correlation-id", out.correlation_id)
            .header("content-type", out.content_type)
            .body(out.body);
        let res = match req.send().await {
            Ok(r) => r,
            Err(e) => {
                return SendResult::Retryable {
                    status: None,
                    error: describe(&e),
                    retry_after: None,
                };
            }
        };
        let status = res.status();
        let retry_after = retry_after(res.headers());
        // Read the answer to the end so the connection goes back to the pool.
        let text = res.text().await.unwrap_or_default();
        let code = Some(status.as_u16());
        if status.is_success() {
            return SendResult::Delivered { status: code };
        }
        let error = format!(
            "{status}: {}",
            text.chars().take(ERROR_BODY_CHARS).collect::<String>().trim()
        );
        if is_retryable(status) {
            SendResult::Retryable {
                status: code,
                error,
                retry_after,
            }
        } else {
            SendResult::Permanent { status: code, error }
        }
    }
}

impl Sink for HttpSink {
    fn send(&self, out: Outbound) -> BoxFuture<'_, SendResult> {
        self.send_once(out).boxed()
    }
}

fn parse_keys(cfg: &SinkConfig) -> Result<HttpSinkConfig, Vec<ConnectorProblem>> {
    serde_path_to_error::deserialize(serde_yaml_ng::Value::Mapping(cfg.transport.clone())).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        vec![(path, e.into_inner().to_string())]
    })
}

fn is_retryable(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 425 | 429) || status.is_server_error()
}

/// `Retry-After` as seconds or an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let delta = at.signed_duration_since(chrono::Utc::now());
    Some(delta.to_std().unwrap_or(Duration::ZERO))
}

fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    let mut msg = format!("{kind}: {e}");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(&format!(": {s}"));
        source = s.source();
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_follows_the_contract() {
        for code in [408, 425, 429, 500, 502, 503, 504] {
            assert!(is_retryable(StatusCode::from_u16(code).unwrap()), "{code}");
        }
        for code in [400, 401, 403, 404, 409, 422, 301] {
            assert!(!is_retryable(StatusCode::from_u16(code).unwrap()), "{code}");
        }
    }

    #[test]
    fn retry_after_in_seconds_and_dates() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(RETRY_AFTER, HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"));
        assert_eq!(retry_after(&h), Some(Duration::ZERO));
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h), None);
    }
}
