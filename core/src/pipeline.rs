//! The inbound half of the flow: decode, map, validate, route, then commit the message and its
//! deliveries in a group-committed transaction; the caller hears "accepted" only after the commit.
//! Refusals are committed too (status `rejected`, with the error), so every input has a history.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use channelhub_formats::{DecodeOptions, Format};
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};
use tracing::{Instrument, debug, warn};
use uuid::Uuid;
use vrl::value::Value as VrlValue;

use crate::ack::{Refusal, SetAt};
use crate::dispatcher::Dispatcher;
use crate::mapping::{Mapping, MappingError, to_json};
use crate::model::{Kind, SchemaError};
use crate::store::{AckReceipt, Claimed, Committed, MessageStatus, NewDelivery, NewMessage, Store, StoreError};

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
    /// The sink that functional acknowledgements (X12 997, EDIFACT CONTRL) go to, when configured.
    pub ack_sink: Option<String>,
    /// Also send application advices (X12 824, EDIFACT APERAK) for documents refused for their content.
    pub advice: bool,
    /// The sinks that deliver to this source's partner: a 997 or CONTRL it sends is matched
    /// against their interchanges.
    pub partner_sinks: Vec<String>,
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
    /// The transaction sets or messages of an interchange that were refused while others were
    /// accepted: each refusal as answered for a refused input (`code`, `message`, `path`), with
    /// the set's control number (`set`) and its group's (`group`). Each is kept as a rejected
    /// message of the input.
    pub rejected: Vec<Value>,
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
                    kind: m.kind.clone(),
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
            acknowledges: Vec::new(),
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
            Ok(Processed { followers, refused }) => {
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
                            rejected: Vec::new(),
                        })
                    }
                    _ => {
                        metrics::counter!("channelhub_accepted_total", "source" => source).increment(1);
                        let message_ids: Vec<Uuid> = answers
                            .iter()
                            .zip(&accepted_ids(&refused, answers.len()))
                            .filter(|(_, keep)| **keep)
                            .map(|(a, _)| match a {
                                Committed::New(id) | Committed::Duplicate(id) => *id,
                            })
                            .collect();
                        Ok(Accepted {
                            message_id: message_ids.first().copied().unwrap_or_default(),
                            message_ids,
                            duplicate: false,
                            rejected: refused.into_iter().map(|r| r.record).collect(),
                        })
                    }
                }
            }
            Err(refused) => {
                let Refused {
                    error: err,
                    business_key,
                    followers,
                } = *refused;
                metrics::counter!("channelhub_rejected_total", "source" => source, "reason" => err.code()).increment(1);
                debug!(message_id = %msg.id, correlation_id = %msg.correlation_id, error = %err, "refused");
                msg.error = Some(err.record().to_string());
                msg.business_key = business_key;
                let mut unit = Vec::with_capacity(1 + followers.len());
                unit.push(msg);
                unit.extend(followers);
                // The refusal is recorded (with the acknowledgements telling the partner); if
                // even that fails, the partner still hears why the document was refused.
                if let Err(e) = self.committer.commit(unit).await {
                    warn!(error = %e, "could not record a refusal");
                }
                Err(err)
            }
        }
    }

    /// Decode, map, validate, route: fills in `msg` and makes the other messages of the input,
    /// or says why not.
    ///
    /// An X12 or EDIFACT interchange is taken one transaction set (or message) at a time: each
    /// is mapped and validated on its own, so a bad one is refused while the others are
    /// accepted. A mapping that returns an array makes one message per element. `msg` (which
    /// carries the input and its idempotency key) becomes the first accepted document; the
    /// others, the refused sets, what a partner's 997 or CONTRL in the input acknowledged, and
    /// the hub's own acknowledgements to the partner follow it, linked to it. Only when nothing
    /// at all is accepted is the input refused (still with the acknowledgements that say so).
    fn process(&self, src: &SourceRuntime, body: &Bytes, msg: &mut NewMessage) -> Result<Processed, Box<Refused>> {
        let now = chrono::Utc::now();
        let decoded = match channelhub_formats::decode(src.format, body, &src.decode) {
            Ok(decoded) => decoded,
            Err(e) => {
                let acks = self.refusal_acks(src, body, &e, &now, msg);
                return Err(Box::new(Refused {
                    error: IngestError::Decode(e),
                    business_key: None,
                    followers: acks,
                }));
            }
        };
        let edi = matches!(src.format, Format::X12 | Format::Edifact);
        let receipts = if edi {
            crate::ack::receipts(src.format, &decoded)
        } else {
            Vec::new()
        };
        let sets = if edi {
            crate::ack::split_sets(src.format, &decoded)
        } else {
            Vec::new()
        };
        let (units, tree): (Vec<(Option<SetAt>, Value)>, Option<Value>) = if sets.is_empty() && receipts.is_empty() {
            (vec![(None, decoded)], None)
        } else {
            (sets.into_iter().map(|(at, v)| (Some(at), v)).collect(), Some(decoded))
        };

        let mut documents: Vec<(VrlValue, Value)> = Vec::new();
        let mut refusals: Vec<(Option<SetAt>, IngestError, Option<String>)> = Vec::new();
        for (at, unit) in units {
            match self.map_unit(src, unit) {
                Ok(docs) => documents.extend(docs),
                Err(refused) => refusals.push((at, refused.error, refused.business_key)),
            }
        }

        // The hub's answers to the partner, from the interchange as received.
        let mut acks = Vec::new();
        if let (Some(tree), Some(sink)) = (&tree, &src.ack_sink) {
            let refused: HashMap<SetAt, Refusal> = refusals
                .iter()
                .filter_map(|(at, e, _)| Some(((*at)?, refusal_of(e, src.mapping.name()))))
                .collect();
            acks = answers(src.format, src.advice, sink, tree, &refused, false, &now);
        }

        if documents.is_empty() && receipts.is_empty() {
            let mut refusals = refusals.into_iter();
            let Some((_, error, business_key)) = refusals.next() else {
                return Err(Box::new(Refused {
                    error: IngestError::Mapping(MappingError::NotAnObject {
                        name: src.mapping.name().to_string(),
                        got: "nothing: the interchange holds no transaction set or message",
                    }),
                    business_key: None,
                    followers: acks.into_iter().map(|a| a.into_message(msg, self.is_ordered)).collect(),
                }));
            };
            let mut followers: Vec<NewMessage> = refusals.map(|(_, e, key)| refused_message(msg, &e, key)).collect();
            followers.extend(acks.into_iter().map(|a| a.into_message(msg, self.is_ordered)));
            return Err(Box::new(Refused {
                error,
                business_key,
                followers,
            }));
        }

        let mut followers: Vec<NewMessage> = Vec::with_capacity(documents.len() + refusals.len() + acks.len());
        let mut first = true;
        let mut target = |followers: &mut Vec<NewMessage>, msg: &mut NewMessage| -> usize {
            if std::mem::take(&mut first) {
                usize::MAX
            } else {
                followers.push(NewMessage {
                    id: Uuid::now_v7(),
                    idempotency_key: None,
                    raw: Bytes::new(),
                    deliveries: Vec::new(),
                    ..msg.clone()
                });
                followers.len() - 1
            }
        };
        for (mut mapped, doc) in documents {
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
            let i = target(&mut followers, msg);
            let m = if i == usize::MAX { &mut *msg } else { &mut followers[i] };
            m.business_key = src.kind.business_key(&doc);
            m.document = Some(doc.to_string());
            m.routes = Some(serde_json::to_string(&decisions).unwrap_or_else(|_| "[]".into()));
            m.status = status;
            m.deliveries = deliveries;
        }
        if !receipts.is_empty() {
            // What the partner's acknowledgements say about the interchanges sent to it: one
            // message, recorded on the matching deliveries when it commits.
            let kind = if src.format == Format::X12 {
                "x12_997"
            } else {
                "edifact_contrl"
            };
            let i = target(&mut followers, msg);
            let m = if i == usize::MAX { &mut *msg } else { &mut followers[i] };
            m.kind = Some(kind.into());
            m.schema_version = None;
            m.business_key = Some(format!(
                "{kind}:{}",
                receipts
                    .iter()
                    .map(|r| r.control_number.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            ));
            m.document = Some(
                json!({"acknowledges": receipts.iter().map(|r| json!({
                    "control_number": r.control_number, "status": r.status, "detail": r.detail,
                })).collect::<Vec<_>>()})
                .to_string(),
            );
            m.routes = Some(json!([{"route": "acknowledgement", "matched": true, "to": []}]).to_string());
            m.status = MessageStatus::Unrouted;
            m.acknowledges = receipts
                .into_iter()
                .map(|r| AckReceipt {
                    control_number: r.control_number,
                    sinks: src.partner_sinks.clone(),
                    status: r.status.to_owned(),
                    detail: r.detail,
                })
                .collect();
        }
        let mut refused = Vec::with_capacity(refusals.len());
        for (at, e, key) in refusals {
            let mut record = e.record();
            if let (Some(at), Some(tree)) = (at, &tree)
                && let Some(set) = crate::ack::set_reference(tree, at)
            {
                record["set"] = json!(set);
                if let Some(group) = crate::ack::group_reference(tree, at) {
                    record["group"] = json!(group);
                }
            }
            let m = refused_message(msg, &e, key);
            refused.push(RefusedSet {
                index: 1 + followers.len(),
                record,
            });
            followers.push(m);
        }
        followers.extend(acks.into_iter().map(|a| a.into_message(msg, self.is_ordered)));
        Ok(Processed { followers, refused })
    }

    /// Runs the mapping on one unit (an input, or one set of an interchange) and validates
    /// every document it made. On refusal, the business key of the document when it has one.
    fn map_unit(&self, src: &SourceRuntime, unit: Value) -> Result<Documents, Box<Refused>> {
        let refused = |error, business_key| {
            Box::new(Refused {
                error,
                business_key,
                followers: Vec::new(),
            })
        };
        let mapped = src
            .mapping
            .run(VrlValue::from(unit))
            .map_err(|e| refused(IngestError::Mapping(e), None))?;
        let not_object = |got| {
            refused(
                IngestError::Mapping(MappingError::NotAnObject {
                    name: src.mapping.name().to_string(),
                    got,
                }),
                None,
            )
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
            if let Err(mut e) = self.schemas.validate(src.kind, &doc) {
                if split {
                    for v in &mut e.violations {
                        v.path = format!("/{i}{}", v.path);
                    }
                }
                return Err(refused(IngestError::Schema(e), src.kind.business_key(&doc)));
            }
            documents.push((mapped, doc));
        }
        Ok(documents)
    }

    /// The acknowledgements of an input the decoder refused, when the source sends them and
    /// its envelope can be read: the faulty set rejected, naming the segment and element.
    fn refusal_acks(
        &self,
        src: &SourceRuntime,
        body: &Bytes,
        error: &channelhub_formats::DecodeError,
        now: &chrono::DateTime<chrono::Utc>,
        msg: &NewMessage,
    ) -> Vec<NewMessage> {
        let Some(sink) = &src.ack_sink else { return Vec::new() };
        let Some((tree, located)) = crate::ack::envelope(src.format, body, error) else {
            return Vec::new();
        };
        let refused: HashMap<SetAt, Refusal> = located.into_iter().collect();
        // No application advice: the content was never reached.
        answers(src.format, false, sink, &tree, &refused, true, now)
            .into_iter()
            .map(|a| a.into_message(msg, self.is_ordered))
            .collect()
    }
}

/// The validated documents a mapping made: the VRL value (for routing) and its JSON.
type Documents = Vec<(VrlValue, Value)>;

/// What an input became, besides its first message.
struct Processed {
    followers: Vec<NewMessage>,
    /// The sets refused while others were accepted, for the answer.
    refused: Vec<RefusedSet>,
}

/// A refused input: the error answered, the business key of the refused document when known,
/// and what is committed with the refusal (other refused sets, acknowledgements).
struct Refused {
    error: IngestError,
    business_key: Option<String>,
    followers: Vec<NewMessage>,
}

/// One refused set of an accepted interchange: its index among the committed messages and the
/// refusal as answered.
struct RefusedSet {
    index: usize,
    record: Value,
}

/// Which of the `n` committed messages are accepted documents (not refused sets).
fn accepted_ids(refused: &[RefusedSet], n: usize) -> Vec<bool> {
    let mut keep = vec![true; n];
    for r in refused {
        if let Some(k) = keep.get_mut(r.index) {
            *k = false;
        }
    }
    keep
}

/// The record of one refused set, linked to the input's first message.
fn refused_message(msg: &NewMessage, error: &IngestError, business_key: Option<String>) -> NewMessage {
    NewMessage {
        id: Uuid::now_v7(),
        idempotency_key: None,
        raw: Bytes::new(),
        status: MessageStatus::Rejected,
        business_key,
        document: None,
        routes: None,
        error: Some(error.record().to_string()),
        deliveries: Vec::new(),
        acknowledges: Vec::new(),
        ..msg.clone()
    }
}

/// The acknowledgement terms of a refusal of content. The partner reads the reason: the
/// mapping is named by its file name, not by where it lives on the hub's machine.
fn refusal_of(e: &IngestError, mapping: &str) -> Refusal {
    let missing = match e {
        IngestError::Schema(s) => s.violations.first().is_some_and(|v| v.message.contains("required")),
        _ => false,
    };
    let reason = match (e, e.path()) {
        (_, Some(path)) => format!("{e} at {path}"),
        _ => e.to_string(),
    };
    let file = std::path::Path::new(mapping)
        .file_name()
        .map_or_else(|| mapping.to_owned(), |f| f.to_string_lossy().into_owned());
    Refusal::content(reason.replace(mapping, &file), missing)
}

/// One acknowledgement to send: the sink, its kind and its interchange tree.
struct Answer {
    sink: String,
    kind: &'static str,
    tree: Value,
}

impl Answer {
    /// The acknowledgement as one more message of the input: own history and delivery.
    fn into_message(self, msg: &NewMessage, is_ordered: &(dyn Fn(&str) -> bool + Sync)) -> NewMessage {
        let first = &self.tree["interchanges"][0];
        let to = first
            .get("receiver_id")
            .or_else(|| first.get("recipient_id"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        NewMessage {
            id: Uuid::now_v7(),
            idempotency_key: None,
            raw: Bytes::new(),
            kind: Some(self.kind.into()),
            business_key: Some(format!("{}:{to}", self.kind)),
            schema_version: None,
            document: Some(self.tree.to_string()),
            error: None,
            routes: Some(json!([{"route": "ack", "matched": true, "to": [self.sink]}]).to_string()),
            status: MessageStatus::Accepted,
            deliveries: vec![NewDelivery {
                id: Uuid::now_v7(),
                ordered: is_ordered(&self.sink),
                sink: self.sink,
                lease: None,
            }],
            acknowledges: Vec::new(),
            ..msg.clone()
        }
    }
}

/// The functional acknowledgements of `tree` (and application advices when the source asks
/// for them) going to `sink`.
fn answers(
    format: Format,
    advice: bool,
    sink: &str,
    tree: &Value,
    refused: &HashMap<SetAt, Refusal>,
    input_refused: bool,
    now: &chrono::DateTime<chrono::Utc>,
) -> Vec<Answer> {
    let (yymmdd, ccyymmdd, hhmm) = (
        now.format("%y%m%d").to_string(),
        now.format("%Y%m%d").to_string(),
        now.format("%H%M").to_string(),
    );
    let answer = |kind, tree| Answer {
        sink: sink.to_owned(),
        kind,
        tree,
    };
    let mut out = Vec::new();
    match format {
        Format::X12 => {
            let now = (yymmdd.as_str(), ccyymmdd.as_str(), hhmm.as_str());
            out.extend(crate::ack::functional_ack(tree, refused, input_refused, now).map(|t| answer("x12_997", t)));
            if advice {
                out.extend(crate::ack::application_advice(tree, refused, now).map(|t| answer("x12_824", t)));
            }
        }
        Format::Edifact => {
            let now = (yymmdd.as_str(), hhmm.as_str());
            out.extend(
                crate::ack::contrl(tree, refused, input_refused, now)
                    .into_iter()
                    .map(|t| answer("edifact_contrl", t)),
            );
            if advice {
                out.extend(
                    crate::ack::aperak(tree, refused, now)
                        .into_iter()
                        .map(|t| answer("edifact_aperak", t)),
                );
            }
        }
        _ => {}
    }
    out
}
