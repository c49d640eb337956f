//! Building the hub from its configuration (every problem collected, nothing started), and the
//! running hub: store, group committer, dispatcher.

use std::collections::HashMap;
use std::sync::Arc;

use channelhub_formats::{DecodeOptions, EncodeOptions, Format};
use secrecy::SecretString;
use tokio::task::JoinHandle;

use crate::config::{Config, ConfigError, ConfigErrors, PartnerConfig, SinkConfig, SourceConfig, suggest};
use crate::dispatcher::{Dispatcher, Sink, SinkRuntime};
use crate::mapping::{Condition, Mapping};
use crate::model::{Kind, Schemas};
use crate::pipeline::{Accepted, Committer, InboundRequest, IngestError, Pipeline, SourceRuntime};
use crate::routing::{Route, Router};
use crate::store::{Store, StoreError, StoreGuard, StoreUrl};

/// A problem in a connector's own config keys: (path below the entry, message).
pub type ConnectorProblem = (String, String);

/// What the connectors crate provides to the hub: transports by `type`.
pub trait Connectors {
    /// The source types known (`http`, ...).
    fn source_types(&self) -> &[&'static str];
    /// Checks a source's transport-specific keys.
    ///
    /// # Errors
    /// Every problem, with its key.
    fn check_source(&self, name: &str, cfg: &SourceConfig) -> Result<(), Vec<ConnectorProblem>>;
    /// Builds a sink from its config.
    ///
    /// # Errors
    /// Every problem, with its key.
    fn build_sink(&self, name: &str, cfg: &SinkConfig) -> Result<Arc<dyn Sink>, Vec<ConnectorProblem>>;
}

/// A checked configuration, compiled and ready to start.
pub struct Plan {
    pub config: Config,
    pub store_url: StoreUrl,
    sources: HashMap<String, Arc<SourceRuntime>>,
    sinks: Vec<SinkRuntime>,
    router: Router,
    schemas: Schemas,
}

impl Plan {
    /// Checks the config, compiles every mapping and condition, builds every sink.
    ///
    /// # Errors
    /// Every problem found.
    pub fn build(config: Config, connectors: &dyn Connectors) -> Result<Plan, ConfigErrors> {
        let file = config.file.clone();
        let mut errors = ConfigErrors::default();
        let mut err = |path: String, msg: String| errors.push(ConfigError::new(&file, path, msg));

        let store_url = match config.store.parse::<StoreUrl>() {
            Ok(u) => Some(u),
            Err(e) => {
                err("store".into(), e);
                None
            }
        };
        if config.admin_tokens.is_empty() {
            err(
                "admin_tokens".into(),
                "at least one admin token is needed for the management API".into(),
            );
        }

        let mut sources = HashMap::new();
        for (name, s) in &config.sources {
            let at = format!("sources.{name}");
            if !connectors.source_types().contains(&s.r#type.as_str()) {
                err(
                    format!("{at}.type"),
                    format!(
                        "unknown source type `{}`; known: {}",
                        s.r#type,
                        connectors.source_types().join(", ")
                    ),
                );
                continue;
            }
            if !config.partners.contains_key(&s.partner) {
                err(
                    format!("{at}.partner"),
                    format!(
                        "unknown partner `{}`{}",
                        s.partner,
                        suggest(&s.partner, config.partners.keys().map(String::as_str))
                    ),
                );
            }
            if let Err(problems) = connectors.check_source(name, s) {
                for (p, m) in problems {
                    err(join(&at, &p), m);
                }
            }
            let kind = Kind::by_name(&s.kind);
            if kind.is_none() {
                err(
                    format!("{at}.kind"),
                    format!("unknown kind `{}`; known: {}", s.kind, Kind::names().join(", ")),
                );
            }
            let mapping = match Mapping::compile_file(&s.mapping) {
                Ok(m) => Some(m),
                Err(e) => {
                    err(format!("{at}.mapping"), e.to_string());
                    None
                }
            };
            if let Some(ack) = &s.ack {
                match config.sinks.get(&ack.sink) {
                    None => err(
                        format!("{at}.ack.sink"),
                        format!(
                            "unknown sink `{}`{}",
                            ack.sink,
                            suggest(&ack.sink, config.sinks.keys().map(String::as_str))
                        ),
                    ),
                    Some(_) if !matches!(s.format, Format::X12 | Format::Edifact) => err(
                        format!("{at}.ack"),
                        format!(
                            "acknowledgements are sent for X12 (997) and EDIFACT (CONTRL) sources; this source reads {}",
                            s.format
                        ),
                    ),
                    Some(sink) if sink.format != s.format || sink.mapping.is_some() => err(
                        format!("{at}.ack.sink"),
                        format!(
                            "sink `{}` must have format {} and no mapping to carry the acknowledgements",
                            ack.sink, s.format
                        ),
                    ),
                    Some(_) => {}
                }
            }
            if let (Some(kind), Some(mapping)) = (kind, mapping) {
                // XML arrays: what the mapping declares, plus what the source adds.
                let mut xml_repeated = mapping.xml_repeated().to_vec();
                for name in &s.decode.xml_repeated {
                    if !xml_repeated.contains(name) {
                        xml_repeated.push(name.clone());
                    }
                }
                sources.insert(
                    name.clone(),
                    Arc::new(SourceRuntime {
                        name: name.clone(),
                        partner: s.partner.clone(),
                        r#type: s.r#type.clone(),
                        format: s.format,
                        kind,
                        mapping,
                        decode: DecodeOptions {
                            max_depth: config.ingest.max_depth,
                            max_size: config.ingest.max_body.0,
                            xml_repeated,
                            strict: s.decode.strict,
                            ..DecodeOptions::default()
                        },
                        ack_sink: s.ack.as_ref().map(|a| a.sink.clone()),
                        advice: s.ack.as_ref().is_some_and(|a| a.advice),
                        partner_sinks: sinks_of(&config, &s.partner),
                        transport: s.transport.clone(),
                    }),
                );
            }
        }

        let mut sinks = Vec::new();
        for (name, s) in &config.sinks {
            let at = format!("sinks.{name}");
            let mapping = match &s.mapping {
                None => None,
                Some(path) => match Mapping::compile_file(path) {
                    Ok(m) => Some(m),
                    Err(e) => {
                        err(format!("{at}.mapping"), e.to_string());
                        continue;
                    }
                },
            };
            let encode = match encode_options(s) {
                Ok(encode) => encode,
                Err((path, message)) => {
                    err(format!("{at}.{path}"), message);
                    continue;
                }
            };
            let interchange = match &s.partner {
                None => None,
                Some(p) => match config.partners.get(p) {
                    None => {
                        err(
                            format!("{at}.partner"),
                            format!(
                                "unknown partner `{p}`{}",
                                suggest(p, config.partners.keys().map(String::as_str))
                            ),
                        );
                        continue;
                    }
                    Some(partner) => partner.interchange.clone(),
                },
            };
            // One counter per partner, so that two sinks to one partner never repeat a number.
            let counter = s
                .partner
                .as_ref()
                .map_or_else(|| name.clone(), |p| format!("partner:{p}"));
            match connectors.build_sink(name, s) {
                Ok(sink) => sinks.push(SinkRuntime {
                    counter,
                    interchange,
                    name: name.clone(),
                    sink,
                    format: s.format,
                    encode,
                    mapping,
                    timeout: s.timeout.0,
                    ordered: s.ordered,
                    concurrency: s.concurrency,
                    retry: s.retry.into(),
                }),
                Err(problems) => {
                    for (p, m) in problems {
                        err(join(&at, &p), m);
                    }
                }
            }
        }

        let mut routes = Vec::new();
        for (i, r) in config.routes.iter().enumerate() {
            let at = format!("routes[{i}]");
            for (j, f) in r.from.iter().enumerate() {
                if !config.sources.contains_key(f) {
                    err(
                        format!("{at}.from[{j}]"),
                        format!(
                            "unknown source `{f}`{}",
                            suggest(f, config.sources.keys().map(String::as_str))
                        ),
                    );
                }
            }
            for (j, t) in r.to.iter().enumerate() {
                if !config.sinks.contains_key(t) {
                    err(
                        format!("{at}.to[{j}]"),
                        format!(
                            "unknown sink `{t}`{}",
                            suggest(t, config.sinks.keys().map(String::as_str))
                        ),
                    );
                }
            }
            let when = match &r.when {
                None => None,
                Some(src) => match Condition::compile(&format!("{at}.when"), src) {
                    Ok(c) => Some(c),
                    Err(e) => {
                        err(format!("{at}.when"), e.to_string());
                        None
                    }
                },
            };
            routes.push(Route {
                name: r.name.clone(),
                from: r.from.clone(),
                when,
                to: r.to.clone(),
            });
        }

        let plan = store_url.map(|store_url| Plan {
            store_url,
            sources,
            sinks,
            router: Router::new(routes),
            schemas: Schemas::compile(),
            config,
        });
        match plan {
            Some(p) if errors.is_empty() => Ok(p),
            _ => Err(errors),
        }
    }
}

/// The running hub.
pub struct Hub {
    config: Config,
    sources: HashMap<String, Arc<SourceRuntime>>,
    router: Router,
    schemas: Schemas,
    store: Store,
    committer: Committer,
    dispatcher: Arc<Dispatcher>,
}

/// Background tasks of a running hub, for shutdown.
pub struct Running {
    committer: JoinHandle<()>,
    reporter: JoinHandle<()>,
    ack_watchers: Vec<JoinHandle<()>>,
    dispatcher: Vec<JoinHandle<()>>,
    _guard: StoreGuard,
}

impl Hub {
    /// Opens the store and starts the committer and the dispatcher.
    ///
    /// # Errors
    /// The store cannot be opened or migrated.
    pub async fn start(plan: Plan) -> Result<(Arc<Hub>, Running), StoreError> {
        let (store, guard) = Store::open(&plan.store_url).await?;
        let owner = format!("{}-{}", hostname(), uuid::Uuid::now_v7());
        let dispatcher = Dispatcher::new(store.clone(), owner, plan.config.dispatcher.clone(), plan.sinks);
        let (committer, committer_task) = Committer::start(
            store.clone(),
            plan.config.ingest.batch_max.max(1),
            plan.config.ingest.batch_wait.0,
            Arc::clone(&dispatcher),
        );
        let handles = dispatcher.start();
        let sink_names: Vec<String> = plan.config.sinks.keys().cloned().collect();
        let reporter = tokio::spawn(report_queue_depth(store.clone(), sink_names));
        let ack_watchers = plan
            .config
            .partners
            .iter()
            .filter_map(|(name, p)| {
                let window = p.interchange.as_ref()?.ack_window?.0;
                let sinks = sinks_of(&plan.config, name);
                Some(tokio::spawn(watch_acks(store.clone(), name.clone(), sinks, window)))
            })
            .collect();
        let hub = Arc::new(Hub {
            config: plan.config,
            sources: plan.sources,
            router: plan.router,
            schemas: plan.schemas,
            store,
            committer,
            dispatcher,
        });
        Ok((
            hub,
            Running {
                committer: committer_task,
                reporter,
                ack_watchers,
                dispatcher: handles,
                _guard: guard,
            },
        ))
    }

    /// Runs one inbound document through the pipeline.
    ///
    /// # Errors
    /// Why it was refused.
    pub async fn ingest(&self, source: &str, req: InboundRequest) -> Result<Accepted, IngestError> {
        let src = self
            .sources
            .get(source)
            .ok_or_else(|| IngestError::UnknownSource(source.to_string()))?;
        if req.body.len() > self.config.ingest.max_body.0 {
            return Err(IngestError::TooLarge {
                size: req.body.len(),
                limit: self.config.ingest.max_body.0,
            });
        }
        let is_ordered = |s: &str| self.dispatcher.is_ordered(s);
        Pipeline {
            committer: &self.committer,
            schemas: &self.schemas,
            router: &self.router,
            is_ordered: &is_ordered,
        }
        .ingest(src, req)
        .await
    }

    /// A source by name.
    #[must_use]
    pub fn source(&self, name: &str) -> Option<&Arc<SourceRuntime>> {
        self.sources.get(name)
    }

    /// A partner's config (credentials) by name.
    #[must_use]
    pub fn partner(&self, name: &str) -> Option<&PartnerConfig> {
        self.config.partners.get(name)
    }

    /// Bearer tokens of the management API.
    #[must_use]
    pub fn admin_tokens(&self) -> &[SecretString] {
        &self.config.admin_tokens
    }

    /// The configuration the hub runs with.
    #[must_use]
    pub fn config(&self) -> &Config {
        &self.config
    }

    #[must_use]
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Wakes a sink's worker (after a replay).
    pub fn wake(&self, sink: &str) {
        self.dispatcher.wake(sink);
    }

    /// Graceful stop, after the listeners have stopped accepting: pending commits finish,
    /// in-flight sends finish within the grace period, the rest stays pending.
    pub async fn shutdown(self: Arc<Self>, running: Running) {
        let Running {
            committer,
            reporter,
            ack_watchers,
            dispatcher,
            _guard,
        } = running;
        reporter.abort();
        for w in ack_watchers {
            w.abort();
        }
        let d = Arc::clone(&self.dispatcher);
        // Dropping the hub's committer sender ends the committer once queued batches commit.
        drop(self);
        let _ = tokio::time::timeout(std::time::Duration::from_secs(10), committer).await;
        d.shutdown(dispatcher).await;
    }
}

/// Publishes the pending deliveries per sink as `channelhub_queue_depth` every few seconds.
async fn report_queue_depth(store: Store, sinks: Vec<String>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
    loop {
        tick.tick().await;
        if let Ok(depths) = store.queue_depth().await {
            for sink in &sinks {
                let n = depths.iter().find(|(s, _)| s == sink).map_or(0, |(_, n)| *n);
                #[allow(clippy::cast_precision_loss)]
                metrics::gauge!("channelhub_queue_depth", "sink" => sink.clone()).set(n as f64);
            }
        }
    }
}

/// Flags the interchanges sent to `partner` (through `sinks`) that were not acknowledged within
/// `window` as `overdue`: a warning and `channelhub_ack_overdue_total` for each, and they are
/// found with `GET /api/v1/deliveries?ack=overdue`. Checked every quarter window (at most 30 s).
async fn watch_acks(store: Store, partner: String, sinks: Vec<String>, window: std::time::Duration) {
    let every = (window / 4).clamp(
        std::time::Duration::from_millis(100),
        std::time::Duration::from_secs(30),
    );
    let mut tick = tokio::time::interval(every);
    let window_us = i64::try_from(window.as_micros()).unwrap_or(i64::MAX);
    loop {
        tick.tick().await;
        let cutoff = crate::time::now_micros().saturating_sub(window_us);
        match store.flag_overdue(&sinks, cutoff).await {
            Ok(flagged) => {
                for (delivery, key) in &flagged {
                    tracing::warn!(%partner, %delivery, business_key = key.as_deref().unwrap_or(""),
                        "no functional acknowledgement within the partner's ack_window");
                }
                metrics::counter!("channelhub_ack_overdue_total", "partner" => partner.clone())
                    .increment(flagged.len() as u64);
            }
            Err(e) => tracing::warn!(%partner, error = %e, "cannot check for overdue acknowledgements"),
        }
    }
}

/// The sinks that deliver to `partner` (`sinks.NAME.partner`).
fn sinks_of(config: &Config, partner: &str) -> Vec<String> {
    config
        .sinks
        .iter()
        .filter(|(_, s)| s.partner.as_deref() == Some(partner))
        .map(|(n, _)| n.clone())
        .collect()
}

/// `at.p`, or `at` when `p` is empty.
fn join(at: &str, p: &str) -> String {
    if p.is_empty() {
        at.to_string()
    } else {
        format!("{at}.{p}")
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname").map_or_else(|_| "hub".to_string(), |h| h.trim().to_string())
}

/// A sink's encoder options from its `encode:` block. XML order rules come from
/// `encode.xml_order`, or else from `<mapping>.xml-order` beside the sink's mapping when that
/// file exists (shipped mappings carry one, as their schemas fix element order).
fn encode_options(s: &crate::config::SinkConfig) -> Result<EncodeOptions, (String, String)> {
    let order_file = match (&s.encode.xml_order, &s.mapping) {
        (Some(path), _) => Some((path.clone(), "encode.xml_order")),
        (None, Some(mapping)) => Some((mapping.with_extension("xml-order"), "mapping")).filter(|(p, _)| p.is_file()),
        (None, None) => None,
    };
    let xml_order = match order_file {
        None => Vec::new(),
        Some((path, key)) => {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| (key.to_owned(), format!("cannot read {}: {e}", path.display())))?;
            channelhub_formats::parse_xml_order(&text)
                .map_err(|e| (key.to_owned(), format!("{}: {e}", path.display())))?
        }
    };
    Ok(EncodeOptions {
        pretty: s.encode.pretty,
        xml_namespaces: s
            .encode
            .xml_namespaces
            .iter()
            .map(|(p, u)| (p.clone(), u.clone()))
            .collect(),
        xml_doctype: s.encode.xml_doctype.clone(),
        xml_order,
        ..EncodeOptions::default()
    })
}
