//! The configuration as written, after parsing: one struct per block, unknown keys refused.
//! Sources and sinks keep their transport-specific keys (`url`, ...) as a YAML mapping that the
//! connector of their `type` parses: core knows no wire protocol.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;

use channelhub_formats::Format;
use secrecy::SecretString;
use serde::Deserialize;

use super::types::{ByteSize, HumanDuration};

/// The whole hub configuration (`config/hub.yaml`).
#[derive(Debug)]
pub struct Config {
    /// The config file, as given.
    pub file: PathBuf,
    /// The folder relative paths resolve against.
    pub base_dir: PathBuf,
    /// Address of the HTTP listener (inbound sources, management API, `/healthz`, `/metrics`).
    pub listen: SocketAddr,
    /// Store URL: `sqlite://PATH` (relative to the config folder) or `postgres://...`.
    pub store: String,
    /// Bearer tokens accepted by the management API.
    pub admin_tokens: Vec<SecretString>,
    /// Trading partners and how they authenticate.
    pub partners: BTreeMap<String, PartnerConfig>,
    /// Where documents come in.
    pub sources: BTreeMap<String, SourceConfig>,
    /// Where documents go out.
    pub sinks: BTreeMap<String, SinkConfig>,
    /// Which source's documents go to which sinks.
    pub routes: Vec<RouteConfig>,
    /// Ingest tuning (group commit, limits).
    pub ingest: IngestConfig,
    /// Dispatcher tuning (leases, polling, shutdown).
    pub dispatcher: DispatcherConfig,
}

/// The top level as written; blocks with names are parsed entry by entry afterwards so that
/// every entry's problems are reported, not just the first.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TopLevel {
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    #[serde(default = "default_store")]
    pub store: String,
    #[serde(default)]
    pub admin_tokens: Vec<SecretString>,
    #[serde(default)]
    pub partners: BTreeMap<String, serde_yaml_ng::Value>,
    #[serde(default)]
    pub sources: BTreeMap<String, serde_yaml_ng::Value>,
    #[serde(default)]
    pub sinks: BTreeMap<String, serde_yaml_ng::Value>,
    #[serde(default)]
    pub routes: Vec<serde_yaml_ng::Value>,
    #[serde(default)]
    pub ingest: Option<serde_yaml_ng::Value>,
    #[serde(default)]
    pub dispatcher: Option<serde_yaml_ng::Value>,
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8080))
}

fn default_store() -> String {
    "sqlite://data/channelhub.db".to_string()
}

/// A trading partner.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartnerConfig {
    /// How the partner proves who it is on inbound requests.
    #[serde(default)]
    pub auth: AuthConfig,
    /// X12 and EDIFACT: the interchange identities used with this partner, and how long it
    /// has to acknowledge what the hub sends.
    #[serde(default)]
    pub interchange: Option<InterchangeConfig>,
}

/// A partner's EDI identities (`interchange:`): outbound X12 and EDIFACT envelopes the mapping
/// leaves unaddressed get them (X12 ISA05-08 and GS02-03; EDIFACT UNB02-03), and an inbound
/// 997 or CONTRL from the partner is matched against the interchanges its sinks were sent.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InterchangeConfig {
    /// The partner's interchange id (the receiver of what the hub sends).
    pub id: String,
    /// Its qualifier (X12 ISA07, e.g. `ZZ`, `01` DUNS, `14` EAN; EDIFACT UNB03-2, e.g. `14`).
    #[serde(default)]
    pub qualifier: Option<String>,
    /// The hub's own interchange id towards this partner (the sender).
    pub our_id: String,
    /// Its qualifier.
    #[serde(default)]
    pub our_qualifier: Option<String>,
    /// X12 functional group ids (GS02/GS03) when they differ from the interchange ids.
    #[serde(default)]
    pub application_id: Option<String>,
    #[serde(default)]
    pub our_application_id: Option<String>,
    /// Interchanges sent to this partner that have no 997 / CONTRL after this long are flagged
    /// `overdue`. Without it, no acknowledgement is awaited.
    #[serde(default)]
    pub ack_window: Option<HumanDuration>,
}

/// Inbound credentials of a partner: any bearer token listed, and/or a valid HMAC signature.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// Accepted `Authorization: Bearer` tokens (several, so they can be rotated).
    #[serde(default)]
    pub bearer: Vec<SecretString>,
    /// HMAC-SHA256 request signing.
    #[serde(default)]
    pub hmac: Option<HmacConfig>,
}

/// HMAC-SHA256 over `"{timestamp}.{body}"`, hex in `header`, the Unix timestamp in
/// `timestamp_header`, accepted within `tolerance` of the hub's clock.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HmacConfig {
    /// Shared secret.
    pub secret: SecretString,
    /// Header carrying the hex signature (optionally prefixed `sha256=`).
    #[serde(default = "default_sig_header")]
    pub header: String,
    /// Header carrying the Unix timestamp (seconds) that was signed.
    #[serde(default = "default_ts_header")]
    pub timestamp_header: String,
    /// Replay window: how far the timestamp may be from now.
    #[serde(default = "default_tolerance")]
    pub tolerance: HumanDuration,
}

fn default_sig_header() -> String {
    "X-Signature".to_string()
}
fn default_ts_header() -> String {
    "X-Timestamp".to_string()
}
fn default_tolerance() -> HumanDuration {
    HumanDuration(std::time::Duration::from_secs(300))
}

/// A source: where documents come in, how they are decoded and mapped.
#[derive(Debug)]
pub struct SourceConfig {
    /// Transport (`http`).
    pub r#type: String,
    /// The partner that sends on this source.
    pub partner: String,
    /// Wire format of the body.
    pub format: Format,
    /// VRL program mapping the decoded input to a canonical document (resolved path).
    pub mapping: PathBuf,
    /// Canonical kind the mapping must produce.
    pub kind: String,
    /// How the body is decoded beyond its format.
    pub decode: DecodeConfig,
    /// Functional acknowledgements (X12 997, EDIFACT CONTRL) to send back for every input that
    /// could be read as an interchange, accepted or not; application advices on request.
    pub ack: Option<AckConfig>,
    /// Transport-specific keys, parsed by the connector.
    pub transport: serde_yaml_ng::Mapping,
}

/// A source's acknowledgements (`ack:`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AckConfig {
    /// The sink the acknowledgements go to (the partner's endpoint; the source's format, no mapping).
    pub sink: String,
    /// Also send an application advice (X12 824, EDIFACT APERAK) for every document refused
    /// for its content (the mapping or the canonical schema), naming the document and why.
    #[serde(default)]
    pub advice: bool,
}

/// A source's decoding options (`decode:`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecodeConfig {
    /// XML: element local names that are always arrays, so one `InvoiceLine` and three have the
    /// same shape for the mapping.
    #[serde(default)]
    pub xml_repeated: Vec<String>,
    /// X12 and EDIFACT: refuse (400) an interchange whose trailer counts or control numbers
    /// disagree, instead of accepting it with warnings in the tree.
    #[serde(default)]
    pub strict: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SourceCommon {
    pub r#type: String,
    pub partner: String,
    pub format: Format,
    pub mapping: PathBuf,
    pub kind: String,
    #[serde(default)]
    pub decode: DecodeConfig,
    #[serde(default)]
    pub ack: Option<AckConfig>,
}
pub(super) const SOURCE_KEYS: &[&str] = &["type", "partner", "format", "mapping", "kind", "decode", "ack"];

/// A sink: where documents go out, how they are mapped, encoded and retried.
#[derive(Debug)]
pub struct SinkConfig {
    /// Transport (`http`).
    pub r#type: String,
    /// Wire format of the body sent.
    pub format: Format,
    /// The partner this sink delivers to: X12 and EDIFACT interchanges are numbered from the
    /// partner's counter and addressed with its `interchange` ids.
    pub partner: Option<String>,
    /// Optional VRL program mapping the canonical document to the partner's shape.
    pub mapping: Option<PathBuf>,
    /// Upper bound of one send attempt.
    pub timeout: HumanDuration,
    /// Deliver documents with the same business key one at a time, in acceptance order.
    pub ordered: bool,
    /// At most this many sends in flight to this sink.
    pub concurrency: usize,
    /// Retry policy.
    pub retry: RetryConfig,
    /// How the body is encoded beyond its format.
    pub encode: EncodeConfig,
    /// Transport-specific keys, parsed by the connector.
    pub transport: serde_yaml_ng::Mapping,
}

/// A sink's encoding options (`encode:`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncodeConfig {
    /// Indent the output.
    #[serde(default)]
    pub pretty: bool,
    /// XML: namespace declarations on the root element, prefix -> URI (`""` is the default
    /// namespace).
    #[serde(default)]
    pub xml_namespaces: BTreeMap<String, String>,
    /// XML: a document type declaration to write (cXML: `cXML SYSTEM "http://xml.cxml.org/..."`).
    #[serde(default)]
    pub xml_doctype: Option<String>,
    /// XML: a file of child-order rules (`Element: Child1 Child2`). Without it, the file
    /// `<mapping>.xml-order` beside the sink's mapping is used when it exists.
    #[serde(default)]
    pub xml_order: Option<PathBuf>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SinkCommon {
    pub r#type: String,
    #[serde(default = "default_format")]
    pub format: Format,
    #[serde(default)]
    pub partner: Option<String>,
    #[serde(default)]
    pub mapping: Option<PathBuf>,
    #[serde(default = "default_timeout")]
    pub timeout: HumanDuration,
    #[serde(default)]
    pub ordered: bool,
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
    #[serde(default)]
    pub retry: RetryConfig,
    #[serde(default)]
    pub encode: EncodeConfig,
}
pub(super) const SINK_KEYS: &[&str] = &[
    "type",
    "format",
    "partner",
    "mapping",
    "timeout",
    "ordered",
    "concurrency",
    "retry",
    "encode",
];

fn default_format() -> Format {
    Format::Json
}
fn default_timeout() -> HumanDuration {
    HumanDuration(std::time::Duration::from_secs(30))
}
fn default_concurrency() -> usize {
    64
}

/// Exponential backoff with full jitter, persisted as `next_attempt_at`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryConfig {
    /// Attempts in all, the first included; then the delivery is dead.
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    /// Upper bound of the first backoff.
    #[serde(default = "default_initial_backoff")]
    pub initial_backoff: HumanDuration,
    /// Upper bound of any backoff.
    #[serde(default = "default_max_backoff")]
    pub max_backoff: HumanDuration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            max_attempts: default_max_attempts(),
            initial_backoff: default_initial_backoff(),
            max_backoff: default_max_backoff(),
        }
    }
}

fn default_max_attempts() -> u32 {
    10
}
fn default_initial_backoff() -> HumanDuration {
    HumanDuration(std::time::Duration::from_secs(1))
}
fn default_max_backoff() -> HumanDuration {
    HumanDuration(std::time::Duration::from_secs(600))
}

/// A route: documents from `from` that satisfy `when` go to every sink in `to`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteConfig {
    /// Name shown in route decisions.
    pub name: String,
    /// Source names.
    pub from: Vec<String>,
    /// Optional VRL condition on the canonical document.
    #[serde(default)]
    pub when: Option<String>,
    /// Sink names.
    pub to: Vec<String>,
}

/// Ingest tuning.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IngestConfig {
    /// Most messages committed in one transaction (group commit).
    #[serde(default = "default_batch_max")]
    pub batch_max: usize,
    /// Longest a message waits for others to join its transaction. The default, 0, batches
    /// what arrives while the previous commit runs, which under load fills batches by itself.
    #[serde(default = "default_batch_wait")]
    pub batch_wait: HumanDuration,
    /// Largest accepted body; larger gets 413.
    #[serde(default = "default_max_body")]
    pub max_body: ByteSize,
    /// Deepest accepted nesting of a decoded document.
    #[serde(default = "default_max_depth")]
    pub max_depth: usize,
}

impl Default for IngestConfig {
    fn default() -> Self {
        Self {
            batch_max: default_batch_max(),
            batch_wait: default_batch_wait(),
            max_body: default_max_body(),
            max_depth: default_max_depth(),
        }
    }
}

fn default_batch_max() -> usize {
    512
}
fn default_batch_wait() -> HumanDuration {
    HumanDuration(std::time::Duration::ZERO)
}
fn default_max_body() -> ByteSize {
    ByteSize(10 << 20)
}
fn default_max_depth() -> usize {
    64
}

/// Dispatcher tuning.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DispatcherConfig {
    /// How long a claimed delivery stays leased to this instance before another may take it.
    #[serde(default = "default_lease")]
    pub lease: HumanDuration,
    /// How often each sink looks for due deliveries when nothing wakes it.
    #[serde(default = "default_poll")]
    pub poll_interval: HumanDuration,
    /// Most deliveries claimed in one query.
    #[serde(default = "default_claim_batch")]
    pub claim_batch: usize,
    /// How long in-flight sends may finish after SIGTERM.
    #[serde(default = "default_grace")]
    pub shutdown_grace: HumanDuration,
}

impl Default for DispatcherConfig {
    fn default() -> Self {
        Self {
            lease: default_lease(),
            poll_interval: default_poll(),
            claim_batch: default_claim_batch(),
            shutdown_grace: default_grace(),
        }
    }
}

fn default_lease() -> HumanDuration {
    HumanDuration(std::time::Duration::from_secs(60))
}
fn default_poll() -> HumanDuration {
    HumanDuration(std::time::Duration::from_millis(500))
}
fn default_claim_batch() -> usize {
    512
}
fn default_grace() -> HumanDuration {
    HumanDuration(std::time::Duration::from_secs(10))
}
