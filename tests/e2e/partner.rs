//! A fake partner: a small axum server on `127.0.0.1:0` that records every request it receives
//! and answers each path the way a test tells it to (accept, fail N times, reject until fixed,
//! rate-limit once, stall).

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use tokio::task::JoinHandle;

/// How the fake answers requests to one path. Counters are kept per path and `Idempotency-Key`,
/// so "fail twice" means twice for each delivery, which is what a flaky receiver looks like to
/// the hub's retry logic.
#[derive(Debug, Clone)]
pub enum Behavior {
    /// Answer 200.
    Ok,
    /// Answer `status` to the first `times` requests per Idempotency-Key, then 200.
    FailTimes { status: u16, times: u32 },
    /// Answer `status` until [`FakePartner::accept`] is called for the path, then 200.
    RejectUntilAccepted { status: u16 },
    /// Answer 429 with `Retry-After: <secs>` to the first request per Idempotency-Key, then 200.
    RateLimitOnce { retry_after_secs: u64 },
    /// Hold the first `times` requests per Idempotency-Key for `stall` before answering 200
    /// (long enough for the hub's timeout to give up on them), then answer 200 at once.
    StallTimes { times: u32, stall: Duration },
}

/// One request as the fake received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// When the request (headers and body) had arrived.
    pub at: Instant,
    /// The status the fake answered with (for a stalled request: the one it answers after the
    /// stall, by which time the hub has usually given up).
    pub status: u16,
}

impl Received {
    /// The value of a header, if present and valid UTF-8.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `Idempotency-Key` header, or "" when missing (the tests assert on its presence).
    pub fn idempotency_key(&self) -> &str {
        self.header("idempotency-key").unwrap_or("")
    }

    /// The body parsed as JSON, or `Value::Null` when it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The `order_number` of a canonical order body, if any.
    pub fn order_number(&self) -> Option<String> {
        self.json()
            .get("order_number")
            .and_then(Value::as_str)
            .map(str::to_owned)
    }
}

#[derive(Default)]
struct PartnerState {
    behaviors: HashMap<String, Behavior>,
    accepted: HashSet<String>,
    seen: HashMap<(String, String), u32>,
    log: Vec<Received>,
}

/// A running fake partner; stops when dropped.
pub struct FakePartner {
    addr: SocketAddr,
    state: Arc<Mutex<PartnerState>>,
    server: JoinHandle<()>,
}

impl FakePartner {
    /// Starts a fake partner on a free loopback port; every path answers 200 until told otherwise.
    pub async fn start() -> Self {
        let state = Arc::new(Mutex::new(PartnerState::default()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind fake partner");
        let addr = listener.local_addr().expect("fake partner address");
        let app = Router::new().fallback(handle).with_state(state.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("fake partner serves");
        });
        Self { addr, state, server }
    }

    /// The full URL of `path` on this fake.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Sets how `path` answers from now on.
    pub fn behave(&self, path: &str, behavior: Behavior) {
        self.lock().behaviors.insert(path.to_owned(), behavior);
    }

    /// Makes a `RejectUntilAccepted` path answer 200 from now on.
    pub fn accept(&self, path: &str) {
        self.lock().accepted.insert(path.to_owned());
    }

    /// Every request received on `path`, in arrival order.
    pub fn requests(&self, path: &str) -> Vec<Received> {
        self.lock().log.iter().filter(|r| r.path == path).cloned().collect()
    }

    /// The requests on `path` whose body is a canonical order with `order_number`.
    pub fn requests_for(&self, path: &str, order_number: &str) -> Vec<Received> {
        self.requests(path)
            .into_iter()
            .filter(|r| r.order_number().as_deref() == Some(order_number))
            .collect()
    }

    fn lock(&self) -> MutexGuard<'_, PartnerState> {
        // A panic while holding the lock only happens in a failing test; keep the data readable.
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Drop for FakePartner {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// What to do with one request once its behavior has been looked up.
enum Answer {
    Status(u16),
    RetryAfter(u64),
    StallThen(Duration),
}

async fn handle(State(state): State<Arc<Mutex<PartnerState>>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let path = parts.uri.path().to_owned();
    let key = parts
        .headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let answer = {
        let mut s = state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let seen = {
            let n = s.seen.entry((path.clone(), key)).or_insert(0);
            *n += 1;
            *n - 1
        };
        let answer = match s.behaviors.get(&path).cloned().unwrap_or(Behavior::Ok) {
            Behavior::Ok => Answer::Status(200),
            Behavior::FailTimes { status, times } if seen < times => Answer::Status(status),
            Behavior::FailTimes { .. } => Answer::Status(200),
            Behavior::RejectUntilAccepted { status } => {
                Answer::Status(if s.accepted.contains(&path) { 200 } else { status })
            }
            Behavior::RateLimitOnce { retry_after_secs } if seen < 1 => Answer::RetryAfter(retry_after_secs),
            Behavior::RateLimitOnce { .. } => Answer::Status(200),
            Behavior::StallTimes { times, stall } if seen < times => Answer::StallThen(stall),
            Behavior::StallTimes { .. } => Answer::Status(200),
        };
        let status = match answer {
            Answer::Status(code) => code,
            Answer::RetryAfter(_) => 429,
            Answer::StallThen(_) => 200,
        };
        s.log.push(Received {
            path,
            headers: parts.headers,
            body,
            at: Instant::now(),
            status,
        });
        answer
    };
    match answer {
        Answer::Status(code) => reply(code),
        Answer::RetryAfter(secs) => {
            let mut response = reply(429);
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from_str(&secs.to_string()).expect("digits are a header value"),
            );
            response
        }
        Answer::StallThen(stall) => {
            tokio::time::sleep(stall).await;
            reply(200)
        }
    }
}

fn reply(code: u16) -> Response {
    let status = StatusCode::from_u16(code).expect("fake partner status is valid");
    let body = if status.is_success() {
        r#"{"ok":true}"#
    } else {
        r#"{"error":"fake partner refused"}"#
    };
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}
