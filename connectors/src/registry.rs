//! The connectors known to this build, by `type`, as the hub's `Connectors`.

use std::sync::Arc;

use channelhub_core::config::{SinkConfig, SourceConfig};
use channelhub_core::dispatcher::Sink;
use channelhub_core::hub::{ConnectorProblem, Connectors};

use crate::http;

/// Every connector of this build.
#[derive(Debug, Default, Clone, Copy)]
pub struct Registry;

impl Connectors for Registry {
    fn source_types(&self) -> &[&'static str] {
        &["http"]
    }

    fn check_source(&self, _name: &str, cfg: &SourceConfig) -> Result<(), Vec<ConnectorProblem>> {
        match cfg.r#type.as_str() {
            "http" => http::source::check_config(&cfg.transport),
            other => Err(vec![(
                "type".into(),
                format!("unknown source type `{other}`; known: http"),
            )]),
        }
    }

    fn build_sink(&self, _name: &str, cfg: &SinkConfig) -> Result<Arc<dyn Sink>, Vec<ConnectorProblem>> {
        match cfg.r#type.as_str() {
            "http" => Ok(Arc::new(http::sink::HttpSink::build(cfg)?)),
            other => Err(vec![(
                "type".into(),
                format!("unknown sink type `{other}`; known: http"),
            )]),
        }
    }
}
