//! One worker per sink claims due deliveries and sends them with bounded concurrency; one
//! writer records finished attempts in batches and wakes the sinks whose next deliveries may now
//! be due (the next version of a key on an ordered sink).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use channelhub_formats::{EncodeOptions, Format};
use tokio::sync::{Notify, Semaphore, mpsc, watch};
use tokio::task::JoinHandle;
use tracing::{Instrument, debug, debug_span, warn};

use super::{Outbound, RetryPolicy, SendResult, Sink, envelope};
use crate::config::DispatcherConfig;
use crate::mapping::Mapping;
use crate::store::{Claimed, Lease, Outcome, OutcomeRecord, Store};
use crate::time::now_micros;

/// Most outcomes recorded in one transaction.
const OUTCOME_BATCH: usize = 2048;
/// Longest an outcome waits for others to share its transaction. It delays only the next
/// version of a key on an ordered sink, never an acknowledgement to a partner.
const OUTCOME_WAIT: Duration = Duration::from_millis(20);

/// A sink as the dispatcher runs it.
pub struct SinkRuntime {
    pub name: String,
    pub sink: Arc<dyn Sink>,
    pub format: Format,
    /// Encoder options (XML namespaces, element order, doctype; pretty output).
    pub encode: EncodeOptions,
    pub mapping: Option<Mapping>,
    pub timeout: Duration,
    pub ordered: bool,
    pub concurrency: usize,
    pub retry: RetryPolicy,
    /// X12 and EDIFACT: the control-number counter (the partner's, or the sink's own).
    pub counter: String,
    /// The partner's EDI identities, for envelopes the mapping leaves unaddressed.
    pub interchange: Option<crate::config::InterchangeConfig>,
}

struct SinkState {
    rt: SinkRuntime,
    /// Wakes the claimer: deliveries were committed unclaimed, or the queue ran low.
    wake: Notify,
    permits: Arc<Semaphore>,
    /// Deliveries leased by this process and not finished: queued or in flight.
    held: AtomicUsize,
    queue: mpsc::UnboundedSender<Claimed>,
}

impl SinkState {
    /// Below this many held deliveries the claimer claims more.
    fn low_water(&self) -> usize {
        self.rt.concurrency
    }

    /// The most deliveries this process holds for the sink.
    fn high_water(&self) -> usize {
        self.rt.concurrency * 4
    }
}

/// The dispatcher of one hub process.
pub struct Dispatcher {
    store: Store,
    owner: Arc<str>,
    cfg: DispatcherConfig,
    sinks: HashMap<String, Arc<SinkState>>,
    queues: std::sync::Mutex<Vec<(Arc<SinkState>, mpsc::UnboundedReceiver<Claimed>)>>,
    outcomes: mpsc::UnboundedSender<OutcomeRecordFor>,
    outcomes_rx: std::sync::Mutex<Option<mpsc::UnboundedReceiver<OutcomeRecordFor>>>,
    stop: watch::Sender<bool>,
    finish: Notify,
}

struct OutcomeRecordFor {
    sink: Arc<SinkState>,
    record: OutcomeRecord,
}

impl Dispatcher {
    /// A dispatcher for `sinks`, leasing as `owner` (unique per process).
    #[must_use]
    pub fn new(store: Store, owner: String, cfg: DispatcherConfig, sinks: Vec<SinkRuntime>) -> Arc<Self> {
        let (tx, rx) = mpsc::unbounded_channel();
        let mut queues = Vec::new();
        let sinks = sinks
            .into_iter()
            .map(|rt| {
                let permits = Arc::new(Semaphore::new(rt.concurrency));
                let (queue, queue_rx) = mpsc::unbounded_channel();
                let state = Arc::new(SinkState {
                    rt,
                    wake: Notify::new(),
                    permits,
                    held: AtomicUsize::new(0),
                    queue,
                });
                queues.push((Arc::clone(&state), queue_rx));
                (state.rt.name.clone(), state)
            })
            .collect();
        Arc::new(Self {
            store,
            owner: owner.into(),
            cfg,
            sinks,
            queues: std::sync::Mutex::new(queues),
            outcomes: tx,
            outcomes_rx: std::sync::Mutex::new(Some(rx)),
            stop: watch::channel(false).0,
            finish: Notify::new(),
        })
    }

    /// Whether `sink` keeps per-key order.
    #[must_use]
    pub fn is_ordered(&self, sink: &str) -> bool {
        self.sinks.get(sink).is_some_and(|s| s.rt.ordered)
    }

    /// Tells a sink's claimer that deliveries were committed without a lease.
    pub fn wake(&self, sink: &str) {
        if let Some(s) = self.sinks.get(sink) {
            s.wake.notify_one();
        }
    }

    /// A lease for a new delivery to an unordered `sink` when this process has room for it:
    /// the delivery is then born claimed and handed over after its commit, with no claim query.
    /// Ordered sinks always go through the claim, which knows the other pending versions.
    #[must_use]
    pub fn reserve(&self, sink: &str) -> Option<Lease> {
        let s = self.sinks.get(sink)?;
        if s.rt.ordered || *self.stop.borrow() {
            return None;
        }
        let high = s.high_water();
        s.held
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |h| (h < high).then_some(h + 1))
            .ok()?;
        Some(Lease {
            owner: Arc::clone(&self.owner),
            until: now_micros() + self.lease_micros(s),
        })
    }

    /// Gives back a reservation whose commit failed.
    pub fn unreserve(&self, sink: &str) {
        if let Some(s) = self.sinks.get(sink) {
            s.held.fetch_sub(1, Ordering::AcqRel);
        }
    }

    /// Hands over a committed, born-claimed delivery for sending.
    pub fn hand_over(&self, c: Claimed) {
        if let Some(s) = self.sinks.get(&c.sink) {
            let _ = s.queue.send(c);
        }
    }

    fn lease_micros(&self, s: &SinkState) -> i64 {
        i64::try_from((self.cfg.lease.0 + s.rt.timeout).as_micros()).unwrap_or(i64::MAX)
    }

    /// Starts the claimers, the senders and the outcome writer.
    ///
    /// # Panics
    /// If called twice.
    pub fn start(self: &Arc<Self>) -> Vec<JoinHandle<()>> {
        let rx = self
            .outcomes_rx
            .lock()
            .expect("not poisoned")
            .take()
            .expect("dispatcher started once");
        let mut handles = vec![tokio::spawn(Arc::clone(self).write_outcomes(rx))];
        for (s, queue) in self.queues.lock().expect("not poisoned").drain(..) {
            handles.push(tokio::spawn(Arc::clone(self).run_claimer(Arc::clone(&s))));
            handles.push(tokio::spawn(Arc::clone(self).run_sender(s, queue)));
        }
        handles
    }

    /// Stops claiming, lets in-flight sends finish within the grace period, records their
    /// outcomes and releases what is still leased (it stays pending for the next start).
    pub async fn shutdown(self: &Arc<Self>, handles: Vec<JoinHandle<()>>) {
        let _ = self.stop.send(true);
        let grace = self.cfg.shutdown_grace.0;
        let deadline = tokio::time::Instant::now() + grace;
        for s in self.sinks.values() {
            let all = u32::try_from(s.rt.concurrency).unwrap_or(u32::MAX);
            if tokio::time::timeout_at(deadline, s.permits.acquire_many(all))
                .await
                .is_err()
            {
                warn!(sink = %s.rt.name, "in-flight sends still running at shutdown; they stay pending");
            }
        }
        // Every finished send has queued its outcome before giving its permit back: let the
        // writer drain the queue and stop.
        self.finish.notify_one();
        for h in handles {
            let _ = tokio::time::timeout(Duration::from_secs(5), h).await;
        }
        if let Err(e) = self.store.release_leases(&self.owner).await {
            warn!(error = %e, "could not release leases; they expire by themselves");
        }
    }

    /// Claims due deliveries whenever the sink holds fewer than its low water mark.
    async fn run_claimer(self: Arc<Self>, s: Arc<SinkState>) {
        let mut stop = self.stop.subscribe();
        loop {
            if *stop.borrow() {
                return;
            }
            let held = s.held.load(Ordering::Acquire);
            if held >= s.low_water() {
                tokio::select! {
                    () = s.wake.notified() => {},
                    _ = stop.changed() => return,
                }
                continue;
            }
            let room = s.high_water() - held;
            let until = now_micros() + self.lease_micros(&s);
            let claimed = match self
                .store
                .claim(&s.rt.name, &self.owner, until, room.min(self.cfg.claim_batch))
                .await
            {
                Ok(c) => c,
                Err(e) => {
                    warn!(sink = %s.rt.name, error = %e, "claim failed; retrying");
                    tokio::select! {
                        () = tokio::time::sleep(self.cfg.poll_interval.0) => {},
                        _ = stop.changed() => return,
                    }
                    continue;
                }
            };
            if claimed.is_empty() {
                let wait = match self.store.next_due(&s.rt.name).await {
                    Ok(Some(due)) => Duration::from_micros(u64::try_from(due - now_micros()).unwrap_or(0))
                        .min(self.cfg.poll_interval.0),
                    _ => self.cfg.poll_interval.0,
                };
                tokio::select! {
                    () = s.wake.notified() => {},
                    () = tokio::time::sleep(wait.max(Duration::from_millis(1))) => {},
                    _ = stop.changed() => return,
                }
                continue;
            }
            metrics::counter!("channelhub_claimed_total", "sink" => s.rt.name.clone()).increment(claimed.len() as u64);
            s.held.fetch_add(claimed.len(), Ordering::AcqRel);
            for c in claimed {
                let _ = s.queue.send(c);
            }
        }
    }

    /// Sends what the sink holds, at most `concurrency` at a time.
    async fn run_sender(self: Arc<Self>, s: Arc<SinkState>, mut queue: mpsc::UnboundedReceiver<Claimed>) {
        let mut stop = self.stop.subscribe();
        loop {
            let c = tokio::select! {
                c = queue.recv() => match c { Some(c) => c, None => return },
                _ = stop.changed() => return,
            };
            let permit = tokio::select! {
                p = Arc::clone(&s.permits).acquire_owned() => match p { Ok(p) => p, Err(_) => return },
                _ = stop.changed() => return,
            };
            // A delivery whose lease ran out while it waited may already be someone else's:
            // leave it to the claim (it is still pending) rather than risk sending it twice.
            if c.lease_until <= now_micros() + 1_000_000 {
                self.finished(&s);
                continue;
            }
            // Debug level: at the default `info` a span per delivery would be formatted for nothing.
            // The warnings below carry the ids themselves.
            let span = debug_span!("deliver", sink = %s.rt.name, delivery_id = %c.id, message_id = %c.message_id, correlation_id = %c.correlation_id);
            let me = Arc::clone(&self);
            let state = Arc::clone(&s);
            tokio::spawn(
                async move {
                    let record = me.attempt(&state, &c).await;
                    let _ = me.outcomes.send(OutcomeRecordFor {
                        sink: Arc::clone(&state),
                        record,
                    });
                    me.finished(&state);
                    drop(permit);
                }
                .instrument(span),
            );
        }
    }

    /// One held delivery is done; wake the claimer when the sink runs low.
    fn finished(&self, s: &SinkState) {
        let before = s.held.fetch_sub(1, Ordering::AcqRel);
        if before == s.low_water() {
            s.wake.notify_one();
        }
    }

    /// One attempt: map, encode, send (bounded by the timeout), decide the outcome.
    async fn attempt(&self, s: &SinkState, c: &Claimed) -> OutcomeRecord {
        let started_at = now_micros();
        let t0 = Instant::now();
        let attempt = c.attempt_count + 1;
        // X12 and EDIFACT interchanges get their control number from the store (the same one on
        // every attempt); a store failure is worth a retry.
        let control = if envelope::numbered(s.rt.format) {
            // The partner acknowledges what it is sent, except acknowledgements themselves.
            let await_ack = s.rt.interchange.as_ref().is_some_and(|i| i.ack_window.is_some())
                && !c.kind.as_deref().is_some_and(crate::ack::is_ack_kind);
            self.store
                .control_number(&s.rt.counter, &c.id.to_string(), await_ack)
                .await
                .map(Some)
        } else {
            Ok(None)
        };
        let prepared = match control {
            Ok(n) => prepare(&s.rt, c, n).map_err(|error| SendResult::Permanent { status: None, error }),
            Err(e) => Err(SendResult::Retryable {
                status: None,
                error: format!("cannot assign a control number: {e}"),
                retry_after: None,
            }),
        };
        let result = match prepared {
            Err(refused) => refused,
            Ok(out) => match tokio::time::timeout(s.rt.timeout, s.rt.sink.send(out)).await {
                Ok(r) => r,
                Err(_) => SendResult::Retryable {
                    status: None,
                    error: format!("timed out after {}", humantime::format_duration(s.rt.timeout)),
                    retry_after: None,
                },
            },
        };
        let duration = t0.elapsed();
        let sink = s.rt.name.clone();
        metrics::histogram!("channelhub_attempt_seconds", "sink" => sink.clone()).record(duration.as_secs_f64());
        let made = u32::try_from(attempt - c.replay_base).unwrap_or(u32::MAX);
        let (outcome, status, error) = match result {
            SendResult::Delivered { status } => {
                metrics::counter!("channelhub_delivered_total", "sink" => sink.clone()).increment(1);
                #[allow(clippy::cast_precision_loss)]
                let latency = (now_micros() - c.received_at).max(0) as f64 / 1e6;
                metrics::histogram!("channelhub_accept_to_delivered_seconds", "sink" => sink).record(latency);
                (Outcome::Delivered, status, None)
            }
            SendResult::Retryable {
                status,
                error,
                retry_after,
            } if !s.rt.retry.exhausted(made) => {
                metrics::counter!("channelhub_retried_total", "sink" => sink).increment(1);
                let delay = s.rt.retry.delay(made, retry_after);
                debug!(attempt, ?delay, %error, "retrying later");
                let next = now_micros() + i64::try_from(delay.as_micros()).unwrap_or(i64::MAX);
                (Outcome::Retry { next_attempt_at: next }, status, Some(error))
            }
            SendResult::Retryable { status, error, .. } => {
                metrics::counter!("channelhub_dead_total", "sink" => sink).increment(1);
                warn!(sink = %s.rt.name, delivery_id = %c.id, message_id = %c.message_id, correlation_id = %c.correlation_id, attempt, %error, "attempts exhausted; delivery is dead");
                (
                    Outcome::Dead,
                    status,
                    Some(format!("{error} (attempt {made} of {})", s.rt.retry.max_attempts)),
                )
            }
            SendResult::Permanent { status, error } => {
                metrics::counter!("channelhub_dead_total", "sink" => sink).increment(1);
                warn!(sink = %s.rt.name, delivery_id = %c.id, message_id = %c.message_id, correlation_id = %c.correlation_id, attempt, %error, "permanent failure; delivery is dead");
                (Outcome::Dead, status, Some(error))
            }
        };
        OutcomeRecord {
            delivery_id: c.id,
            attempt,
            started_at,
            duration_us: i64::try_from(duration.as_micros()).unwrap_or(i64::MAX),
            outcome,
            status_code: status.map(i64::from),
            error,
        }
    }

    async fn write_outcomes(self: Arc<Self>, mut rx: mpsc::UnboundedReceiver<OutcomeRecordFor>) {
        let mut buf = Vec::new();
        loop {
            let mut last = tokio::select! {
                biased;
                n = rx.recv_many(&mut buf, OUTCOME_BATCH) => n == 0,
                () = self.finish.notified() => {
                    while let Ok(r) = rx.try_recv() {
                        buf.push(r);
                    }
                    true
                }
            };
            // Gather more for a short while: every outcome transaction holds the store's one
            // SQLite connection that ingest commits wait for, so fewer and larger is better.
            let deadline = tokio::time::Instant::now() + OUTCOME_WAIT;
            while !last && buf.len() < OUTCOME_BATCH {
                tokio::select! {
                    biased;
                    n = rx.recv_many(&mut buf, OUTCOME_BATCH) => last = n == 0,
                    () = tokio::time::sleep_until(deadline) => break,
                    () = self.finish.notified() => {
                        while let Ok(r) = rx.try_recv() {
                            buf.push(r);
                        }
                        last = true;
                    }
                }
            }
            self.flush(&mut buf).await;
            if last {
                return;
            }
        }
    }

    /// Records a batch of outcomes, retrying while the store is unavailable (the leases keep
    /// the deliveries from being sent twice meanwhile), then wakes ordered sinks.
    async fn flush(&self, buf: &mut Vec<OutcomeRecordFor>) {
        if buf.is_empty() {
            return;
        }
        let records: Vec<OutcomeRecord> = buf.iter().map(|r| r.record.clone()).collect();
        let mut backoff = Duration::from_millis(50);
        loop {
            match self.store.record_outcomes(&records).await {
                Ok(()) => break,
                Err(e) if *self.stop.borrow() && backoff > Duration::from_secs(2) => {
                    warn!(error = %e, n = records.len(), "giving up recording outcomes at shutdown; the deliveries stay pending and are sent again");
                    break;
                }
                Err(e) => {
                    warn!(error = %e, n = records.len(), "recording outcomes failed; retrying");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                }
            }
        }
        let mut woken = HashSet::new();
        for r in buf.drain(..) {
            if r.sink.rt.ordered && woken.insert(r.sink.rt.name.clone()) {
                r.sink.wake.notify_one();
            }
        }
    }
}

/// The body for one delivery: the canonical JSON as stored when the sink wants it as is,
/// otherwise the outbound mapping's result encoded in the sink's format.
fn prepare(rt: &SinkRuntime, c: &Claimed, control_number: Option<i64>) -> Result<Outbound, String> {
    let body = if rt.mapping.is_none() && rt.format == Format::Json {
        Bytes::from(c.document.clone().into_bytes())
    } else {
        let doc: serde_json::Value =
            serde_json::from_str(&c.document).map_err(|e| format!("stored document unreadable: {e}"))?;
        let mut doc = match &rt.mapping {
            Some(m) => m.run_json(doc).map_err(|e| e.to_string())?,
            None => doc,
        };
        if let Some(n) = control_number {
            envelope::prepare_interchange(rt.format, &mut doc, n, rt.interchange.as_ref(), &chrono::Utc::now())?;
        }
        Bytes::from(channelhub_formats::encode(rt.format, &doc, &rt.encode).map_err(|e| e.to_string())?)
    };
    Ok(Outbound {
        delivery_id: c.id,
        idempotency_key: c.id.to_string(),
        correlation_id: c.correlation_id.clone(),
        business_key: c.business_key.clone(),
        content_type: rt.format.content_type(),
        body,
    })
}
