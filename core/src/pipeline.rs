//! The inbound half of the flow: decode, map, validate, route, then commit the message and its
//! deliveries in a group-committed transaction; the caller hears "accepted" only after the commit.
//! Refusals are committed too (status `rejected`, with the error), so every input has a history.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use channelhub_formats::{DecodeOptions, Format};
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};
use tracing::{Instrument, debug, warn};
use uuid::Uuid;
use vrl::value::Value as VrlValue;

use crate::dispatcher::Dispatcher;
use crate::mapping::{Mapping, MappingError, to_json};
use crate::model::{Kind, SchemaError};
use crate::store::{Claimed, Committed, MessageStatus, NewDelivery, NewMessage, Store, StoreError};

/// A source as the pipeline runs it.
pub struct SourceRuntime {
    pub name: String,
    pub partner: String,
    pub r#type: String,
    pub format: Format,
    pub kind: Kind,
    pub mapping: Mapping,
    /// Limits and hints for decoding the body.
    pub decode: DecodeOptions,
    /// The sink that X12 functional acknowledgements (997) go to, when configured.
    pub ack_sink: Option<String>,
    /// Transport-specific settings, for the connector.
    pub transport: serde_yaml_ng::Mapping,
}

/// One inbound document as a connector received it.
#[derive(Debug, Clone)]
pub struct InboundRequest {
    pub body: Bytes,
    pub idempotency_key: Option<String>,
    pub correlation_id: Option<String>,
}

/// The answer to an accepted (or repeated) request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The first (or only) message made from the input.
    pub message_id: Uuid,
    /// Every message made from the input, in order: one per document when the mapping split
    /// it (an interchange with several transaction sets, a statement with several entries).
    /// For a duplicate, only the first one's id.
    pub message_ids: Vec<Uuid>,
    /// `true` when the idempotency key was seen before; `message_id` is then the first one's.
    pub duplicate: bool,
}

/// Why an inbound document was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("unknown source `{0}`")]
    UnknownSource(String),
    #[error("body of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    #[error("{0}")]
    Decode(channelhub_formats::DecodeError),
    #[error("{0}")]
    Mapping(MappingError),
    #[error("{0}")]
    Schema(SchemaError),
    #[error("the hub is shutting down")]
    ShuttingDown,
    #[error("{0}")]
    Store(Arc<StoreError>),
}

impl IngestError {
    /// Stable machine-readable code for the error body.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            IngestError::UnknownSource(_) => "unknown_source",
            IngestError::TooLarge { .. } => "too_large",
            IngestError::Decode(_) => "undecodable",
            IngestError::Mapping(_) => "mapping_failed",
            IngestError::Schema(_) => "schema_violation",
            IngestError::ShuttingDown => "shutting_down",
            IngestError::Store(_) => "store_unavailable",
        }
    }

    /// Where in the input or document the problem is, when known.
    #[must_use]
    pub fn path(&self) -> Option<String> {
        match self {
            IngestError::Schema(e) => Some(e.path().to_string()),
            IngestError::Decode(e) => e.path.clone().or_else(|| match (e.line, e.column) {
                (Some(l), Some(c)) => Some(format!("line {l}, column {c}")),
                _ => e.offset.map(|o| format!("byte {o}")),
            }),
            _ => None,
        }
    }

    fn record(&self) -> serde_json::Value {
        let mut v = json!({"code": self.code(), "message": self.to_string()});
        if let Some(p) = self.path() {
            v["path"] = json!(p);
        }
        if let IngestError::Schema(e) = self {
            v["violations"] = json!(e.violations);
        }
        v
    }
}

type Reply = oneshot::Sender<Result<Vec<Committed>, Arc<StoreError>>>;

/// The messages made from one input: committed together, answered together.
type Unit = Vec<NewMessage>;

/// Group commit: messages from concurrent requests are batched into one transaction (bounded
/// size and wait); each request is answered after its batch commits.
pub(crate) struct Committer {
    tx: mpsc::Sender<(Unit, Reply)>,
}

/// After a commit: born-claimed deliveries go straight to the dispatcher, the others wake their
/// sink's claimer. Reservations of duplicates (which stored nothing) are given back.
fn hand_over(dispatcher: &Dispatcher, messages: &[NewMessage], answers: &[Committed]) {
    let mut woken: Vec<&str> = Vec::new();
    for (m, answer) in messages.iter().zip(answers) {
        let stored = matches!(answer, Committed::New(_));
        for d in &m.deliveries {
            match (&d.lease, stored) {
                (Some(lease), true) => dispatcher.hand_over(Claimed {
                    seq: 0,
                    id: d.id,
                    message_id: m.id,
                    sink: d.sink.clone(),
                    business_key: m.business_key.clone(),
                    attempt_count: 0,
                    replay_base: 0,
                    correlation_id: m.correlation_id.clone(),
                    received_at: m.received_at,
                    document: m.document.clone().unwrap_or_default(),
                    lease_until: lease.until,
                }),
                (Some(_), false) => dispatcher.unreserve(&d.sink),
                (None, true) if !woken.contains(&d.sink.as_str()) => {
                    dispatcher.wake(&d.sink);
                    woken.push(&d.sink);
                }
                (None, _) => {}
            }
        }
    }
}

impl Committer {
    /// Starts the committer. New deliveries to unordered sinks are born claimed when the
    /// dispatcher has room, and handed to it after the commit.
    pub(crate) fn start(
        store: Store,
        batch_max: usize,
        batch_wait: Duration,
        dispatcher: Arc<Dispatcher>,
    ) -> (Self, tokio::task::JoinHandle<()>) {
        let (tx, mut rx) = mpsc::channel::<(Unit, Reply)>(batch_max * 8);
        let handle = tokio::spawn(async move {
            let mut batch = Vec::with_capacity(batch_max);
            while rx.recv_many(&mut batch, batch_max).await > 0 {
                if batch.len() < batch_max && !batch_wait.is_zero() {
                    let deadline = tokio::time::Instant::now() + batch_wait;
                    while batch.len() < batch_max {
                        match tokio::time::timeout_at(deadline, rx.recv()).await {
                            Ok(Some(item)) => batch.push(item),
                            _ => break,
                        }
                    }
                }
                let (units, replies): (Vec<Unit>, Vec<Reply>) = batch.drain(..).unzip();
                let sizes: Vec<usize> = units.iter().map(Vec::len).collect();
                let mut messages: Vec<NewMessage> = units.into_iter().flatten().collect();
                for d in messages.iter_mut().flat_map(|m| m.deliveries.iter_mut()) {
                    d.lease = dispatcher.reserve(&d.sink);
                }
                #[allow(clippy::cast_precision_loss)]
                metrics::histogram!("channelhub_commit_batch_size").record(messages.len() as f64);
                match store.commit_batch(&messages).await {
                    Ok(answers) => {
                        hand_over(&dispatcher, &messages, &answers);
                        let mut answers = answers.into_iter();
                        for (reply, size) in replies.into_iter().zip(sizes) {
                            let _ = reply.send(Ok(answers.by_ref().take(size).collect()));
                        }
                    }
                    Err(e) => {
                        warn!(error = %e, n = messages.len(), "commit failed; the batch is refused");
                        for d in messages
                            .iter()
                            .flat_map(|m| &m.deliveries)
                            .filter(|d| d.lease.is_some())
                        {
                            dispatcher.unreserve(&d.sink);
                        }
                        let e = Arc::new(e);
                        for reply in replies {
                            let _ = reply.send(Err(Arc::clone(&e)));
                        }
                    }
                }
            }
        });
        (Self { tx }, handle)
    }

    async fn commit(&self, unit: Unit) -> Result<Vec<Committed>, IngestError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send((unit, reply))
            .await
            .map_err(|_| IngestError::ShuttingDown)?;
        answer
            .await
            .map_err(|_| IngestError::ShuttingDown)?
            .map_err(IngestError::Store)
    }
}

/// Everything the pipeline needs besides the source.
pub(crate) struct Pipeline<'a> {
    pub committer: &'a Committer,
    pub schemas: &'a crate::model::Schemas,
    pub router: &'a crate::routing::Router,
    pub is_ordered: &'a (dyn Fn(&str) -> bool + Sync),
}

impl Pipeline<'_> {
    /// Runs one inbound document through the pipeline and commits the result.
    pub(crate) async fn ingest(&self, src: &SourceRuntime, req: InboundRequest) -> Result<Accepted, IngestError> {
        let t0 = Instant::now();
        let source = src.name.clone();
        metrics::counter!("channelhub_received_total", "source" => source.clone()).increment(1);
        let id = Uuid::now_v7();
        let correlation_id = req.correlation_id.clone().unwrap_or_else(|| id.to_string());
        let span =
            tracing::debug_span!("ingest", source = %src.name, message_id = %id, correlation_id = %correlation_id);
        let msg = NewMessage {
            id,
            input_id: id,
            source: src.name.clone(),
            partner: src.partner.clone(),
            status: MessageStatus::Rejected,
            received_at: crate::time::now_micros(),
            correlation_id,
            idempotency_key: req.idempotency_key.clone(),
            kind: Some(src.kind.name().to_string()),
            business_key: None,
            schema_version: Some(i64::from(src.kind.spec().schema_version)),
            raw: req.body.clone(),
            document: None,
            error: None,
            routes: None,
            deliveries: Vec::new(),
        };
        self.finish(src, &req.body, msg, t0).instrument(span).await
    }

    async fn finish(
        &self,
        src: &SourceRuntime,
        body: &Bytes,
        mut msg: NewMessage,
        t0: Instant,
    ) -> Result<Accepted, IngestError> {
        let source = src.name.clone();
        match self.process(src, body, &mut msg) {
            Ok(followers) => {
                let mut unit = Vec::with_capacity(1 + followers.len());
                unit.push(msg);
                unit.extend(followers);
                let answers = self.committer.commit(unit).await?;
                let elapsed = t0.elapsed().as_secs_f64();
                metrics::histogram!("channelhub_accept_seconds", "source" => source.clone()).record(elapsed);
                match answers.first() {
                    Some(&Committed::Duplicate(message_id)) => {
                        metrics::counter!("channelhub_duplicates_total", "source" => source).increment(1);
                        Ok(Accepted {
                            message_id,
                            message_ids: vec![message_id],
                            duplicate: true,
                        })
                    }
                    _ => {
                        metrics::counter!("channelhub_accepted_total", "source" => source).increment(1);
                        let message_ids: Vec<Uuid> = answers
                            .iter()
                            .map(|a| match a {
                                Committed::New(id) | Committed::Duplicate(id) => *id,
                            })
                            .collect();
                        Ok(Accepted {
                            message_id: message_ids.first().copied().unwrap_or_default(),
                            message_ids,
                            duplicate: false,
                        })
                    }
                }
            }
            Err(err) => {
                metrics::counter!("channelhub_rejected_total", "source" => source, "reason" => err.code()).increment(1);
                debug!(message_id = %msg.id, correlation_id = %msg.correlation_id, error = %err, "refused");
                msg.error = Some(err.record().to_string());
                // The refusal is recorded; if even that fails, the partner still hears why the
                // document was refused.
                if let Err(e) = self.committer.commit(vec![msg]).await {
                    warn!(error = %e, "could not record a refusal");
                }
                Err(err)
            }
        }
    }

    /// Decode, map, validate, route: fills in `msg` or says why not. A mapping that returns an
    /// array makes one message per element: `msg` (which carries the input and its idempotency
    /// key) for the first, and the returned followers, linked to it, for the others. Every
    /// document is validated before anything is filled in, so a refusal records a clean `msg`.
    fn process(&self, src: &SourceRuntime, body: &Bytes, msg: &mut NewMessage) -> Result<Vec<NewMessage>, IngestError> {
        let decoded = channelhub_formats::decode(src.format, body, &src.decode).map_err(IngestError::Decode)?;
        // Acknowledgements are built from the interchange as received, before the mapping.
        let acks: Vec<(&str, &str, Value)> = match &src.ack_sink {
            Some(sink) => {
                let now = chrono::Utc::now();
                let (yymmdd, hhmm) = (now.format("%y%m%d").to_string(), now.format("%H%M").to_string());
                match src.format {
                    Format::X12 => crate::ack::x12_997(&decoded, (&yymmdd, &now.format("%Y%m%d").to_string(), &hhmm))
                        .map(|tree| vec![(sink.as_str(), "x12_997", tree)])
                        .unwrap_or_default(),
                    Format::Edifact => crate::ack::edifact_contrl(&decoded, (&yymmdd, &hhmm))
                        .into_iter()
                        .map(|tree| (sink.as_str(), "edifact_contrl", tree))
                        .collect(),
                    _ => Vec::new(),
                }
            }
            None => Vec::new(),
        };
        let mapped = src.mapping.run(VrlValue::from(decoded)).map_err(IngestError::Mapping)?;
        let not_object = |got| {
            IngestError::Mapping(MappingError::NotAnObject {
                name: src.mapping.name().to_string(),
                got,
            })
        };
        let mapped = match mapped {
            VrlValue::Array(items) if items.is_empty() => return Err(not_object("an empty array (no document)")),
            VrlValue::Array(items) => {
                if let Some(item) = items.iter().find(|item| !matches!(item, VrlValue::Object(_))) {
                    return Err(not_object(crate::mapping::kind_name(item)));
                }
                items
            }
            object => vec![object],
        };
        let split = mapped.len() > 1;
        let mut documents = Vec::with_capacity(mapped.len());
        for (i, mapped) in mapped.into_iter().enumerate() {
            let doc = to_json(&mapped);
            self.schemas.validate(src.kind, &doc).map_err(|mut e| {
                if split {
                    for v in &mut e.violations {
                        v.path = format!("/{i}{}", v.path);
                    }
                }
                IngestError::Schema(e)
            })?;
            documents.push((mapped, doc));
        }

        let mut followers = Vec::with_capacity(documents.len() - 1);
        for (i, (mut mapped, doc)) in documents.into_iter().enumerate() {
            let (decisions, sinks) = self.router.route(&src.name, &mut mapped);
            let deliveries = sinks
                .into_iter()
                .map(|sink| NewDelivery {
                    id: Uuid::now_v7(),
                    ordered: (self.is_ordered)(&sink),
                    sink,
                    lease: None,
                })
                .collect::<Vec<_>>();
            let status = if deliveries.is_empty() {
                MessageStatus::Unrouted
            } else {
                MessageStatus::Accepted
            };
            let target = if i == 0 {
                &mut *msg
            } else {
                followers.push(NewMessage {
                    id: Uuid::now_v7(),
                    idempotency_key: None,
                    raw: Bytes::new(),
                    deliveries: Vec::new(),
                    ..msg.clone()
                });
                followers.last_mut().unwrap_or_else(|| unreachable!())
            };
            target.business_key = src.kind.business_key(&doc);
            target.document = Some(doc.to_string());
            target.routes = Some(serde_json::to_string(&decisions).unwrap_or_else(|_| "[]".into()));
            target.status = status;
            target.deliveries = deliveries;
        }
        // Each acknowledgement is one more message of the input: own history and delivery.
        for (sink, kind, tree) in acks {
            let to = tree["interchanges"][0]
                .get("receiver_id")
                .or_else(|| tree["interchanges"][0].get("recipient_id"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            followers.push(NewMessage {
                id: Uuid::now_v7(),
                idempotency_key: None,
                raw: Bytes::new(),
                kind: Some(kind.into()),
                business_key: Some(format!("{kind}:{to}")),
                schema_version: None,
                document: Some(tree.to_string()),
                routes: Some(json!([{"route": "ack", "matched": true, "to": [sink]}]).to_string()),
                status: MessageStatus::Accepted,
                deliveries: vec![NewDelivery {
                    id: Uuid::now_v7(),
                    ordered: (self.is_ordered)(sink),
                    sink: sink.to_owned(),
                    lease: None,
                }],
                ..msg.clone()
            });
        }
        Ok(followers)
    }
}
