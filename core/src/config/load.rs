//! Reading a config file: expand the environment, parse YAML, then parse every named entry on
//! its own so that all problems are reported at once, each with its config path.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde_yaml_ng::{Mapping, Value};

use super::error::{ConfigError, ConfigErrors};
use super::expand_env;
use super::raw::{
    Config, DispatcherConfig, EncodeConfig, IngestConfig, PartnerConfig, RouteConfig, SINK_KEYS, SOURCE_KEYS,
    SinkCommon, SinkConfig, SourceCommon, SourceConfig, TopLevel,
};

/// A parsed config and the problems found while parsing (which make it unusable when present).
pub type Loaded = Result<Config, ConfigErrors>;

/// Reads and parses `path`, expanding variables from the process environment.
///
/// # Errors
/// Every problem found, each with the file and config path.
pub fn load_file(path: &Path) -> Loaded {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigErrors(vec![ConfigError::new(path, "", format!("cannot read config: {e}"))]))?;
    load_str(path, &text, |name| std::env::var(name).ok())
}

/// Parses config `text` as if read from `path`.
///
/// # Errors
/// Every problem found, each with the file and config path.
pub fn load_str(path: &Path, text: &str, env: impl Fn(&str) -> Option<String>) -> Loaded {
    let file = path.to_path_buf();
    let err = |p: &str, m: String| ConfigError::new(&file, p, m);
    let expanded = expand_env(text, env).map_err(|es| ConfigErrors(es.into_iter().map(|m| err("", m)).collect()))?;
    let value: Value =
        serde_yaml_ng::from_str(&expanded).map_err(|e| ConfigErrors(vec![err("", format!("not valid YAML: {e}"))]))?;
    let top: TopLevel = parse(value, "").map_err(|(p, m)| ConfigErrors(vec![err(&p, m)]))?;

    let base_dir = path.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let base_dir = if base_dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        base_dir
    };
    let mut errors = ConfigErrors::default();
    let mut collect = |r: Result<(), (String, String)>| {
        if let Err((p, m)) = r {
            errors.push(err(&p, m));
        }
    };

    let mut partners = BTreeMap::new();
    for (name, v) in top.partners {
        let at = format!("partners.{name}");
        collect(parse::<PartnerConfig>(v, &at).map(|p| {
            partners.insert(name, p);
        }));
    }
    let mut sources = BTreeMap::new();
    for (name, v) in top.sources {
        let at = format!("sources.{name}");
        collect(split(v, SOURCE_KEYS, &at).and_then(|(common, transport)| {
            let c: SourceCommon = parse(Value::Mapping(common), &at)?;
            sources.insert(
                name,
                SourceConfig {
                    r#type: c.r#type,
                    partner: c.partner,
                    format: c.format,
                    mapping: base_dir.join(c.mapping),
                    kind: c.kind,
                    decode: c.decode,
                    ack: c.ack,
                    transport,
                },
            );
            Ok(())
        }));
    }
    let mut sinks = BTreeMap::new();
    for (name, v) in top.sinks {
        let at = format!("sinks.{name}");
        collect(split(v, SINK_KEYS, &at).and_then(|(common, transport)| {
            let c: SinkCommon = parse(Value::Mapping(common), &at)?;
            if c.concurrency == 0 {
                return Err((format!("{at}.concurrency"), "must be at least 1".into()));
            }
            if c.retry.max_attempts == 0 {
                return Err((format!("{at}.retry.max_attempts"), "must be at least 1".into()));
            }
            sinks.insert(
                name,
                SinkConfig {
                    r#type: c.r#type,
                    format: c.format,
                    partner: c.partner,
                    mapping: c.mapping.map(|m| base_dir.join(m)),
                    timeout: c.timeout,
                    ordered: c.ordered,
                    concurrency: c.concurrency,
                    retry: c.retry,
                    encode: EncodeConfig {
                        xml_order: c.encode.xml_order.map(|p| base_dir.join(p)),
                        ..c.encode
                    },
                    transport,
                },
            );
            Ok(())
        }));
    }
    let mut routes = Vec::new();
    for (i, v) in top.routes.into_iter().enumerate() {
        collect(parse::<RouteConfig>(v, &format!("routes[{i}]")).map(|r| routes.push(r)));
    }
    let ingest = match top.ingest {
        Some(v) => parse::<IngestConfig>(v, "ingest").unwrap_or_else(|e| {
            collect(Err(e));
            IngestConfig::default()
        }),
        None => IngestConfig::default(),
    };
    let dispatcher = match top.dispatcher {
        Some(v) => parse::<DispatcherConfig>(v, "dispatcher").unwrap_or_else(|e| {
            collect(Err(e));
            DispatcherConfig::default()
        }),
        None => DispatcherConfig::default(),
    };
    let store = resolve_store(&top.store, &base_dir);
    errors.into_result(Config {
        file,
        base_dir,
        listen: top.listen,
        store,
        admin_tokens: top.admin_tokens,
        partners,
        sources,
        sinks,
        routes,
        ingest,
        dispatcher,
    })
}

/// `sqlite://relative/path.db` resolves against the config folder; other URLs stay as written.
fn resolve_store(url: &str, base: &Path) -> String {
    match url.strip_prefix("sqlite://") {
        Some(rest) if !rest.starts_with('/') && !rest.starts_with(':') => {
            let (path, query) = rest.split_once('?').map_or((rest, None), |(p, q)| (p, Some(q)));
            let full = base.join(path);
            match query {
                Some(q) => format!("sqlite://{}?{q}", full.display()),
                None => format!("sqlite://{}", full.display()),
            }
        }
        _ => url.to_string(),
    }
}

/// Deserializes `v`, turning an error into (config path, message).
fn parse<T: DeserializeOwned>(v: Value, at: &str) -> Result<T, (String, String)> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        let inner = e.path().to_string();
        let path = match (at.is_empty(), inner.as_str()) {
            (_, ".") => at.to_string(),
            (true, p) => p.to_string(),
            (false, p) if p.starts_with('[') => format!("{at}{p}"),
            (false, p) => format!("{at}.{p}"),
        };
        (path, e.into_inner().to_string())
    })
}

/// Splits an entry's mapping into the common keys and the transport-specific rest.
fn split(v: Value, common: &[&str], at: &str) -> Result<(Mapping, Mapping), (String, String)> {
    let Value::Mapping(map) = v else {
        return Err((at.to_string(), "expected a mapping of keys".to_string()));
    };
    let (mut c, mut t) = (Mapping::new(), Mapping::new());
    for (k, v) in map {
        if k.as_str().is_some_and(|k| common.contains(&k)) {
            c.insert(k, v);
        } else {
            t.insert(k, v);
        }
    }
    Ok((c, t))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
listen: 127.0.0.1:9999
store: sqlite://data/hub.db
admin_tokens: ["${ADMIN:-admin}"]
partners:
  erp: {auth: {bearer: ["t"]}}
sources:
  erp-orders: {type: http, partner: erp, format: json, mapping: m/order.vrl, kind: order}
sinks:
  wms: {type: http, url: "http://127.0.0.1:1/x", retry: {max_attempts: 3, initial_backoff: 100ms, max_backoff: 1s}}
routes:
  - {name: r, from: [erp-orders], to: [wms]}
"#;

    fn load(text: &str) -> Loaded {
        load_str(Path::new("conf/hub.yaml"), text, |_| None)
    }

    #[test]
    fn parses_and_resolves_paths() {
        let c = load(GOOD).unwrap();
        assert_eq!(c.store, "sqlite://conf/data/hub.db");
        assert_eq!(c.sources["erp-orders"].mapping, Path::new("conf/m/order.vrl"));
        assert_eq!(c.sinks["wms"].retry.max_attempts, 3);
        assert!(c.sinks["wms"].transport.contains_key("url"));
    }

    #[test]
    fn collects_every_problem_with_its_path() {
        let text = GOOD
            .replace("max_attempts: 3", "max_attempts: ten")
            .replace("format: json", "format: yaml")
            .replace("to: [wms]}", "to: [wms], sometimes: true}");
        let errs = load(&text).unwrap_err().0;
        let paths: Vec<&str> = errs.iter().map(|e| e.path.as_str()).collect();
        assert!(paths.contains(&"sinks.wms.retry.max_attempts"), "{errs:?}");
        assert!(paths.iter().any(|p| p.starts_with("sources.erp-orders")), "{errs:?}");
        assert!(paths.iter().any(|p| p.starts_with("routes[0]")), "{errs:?}");
        assert!(errs.iter().all(|e| e.file == Path::new("conf/hub.yaml")));
    }

    #[test]
    fn unknown_top_level_key_is_refused() {
        let errs = load(&format!("{GOOD}\nsinkz: {{}}\n")).unwrap_err();
        assert!(errs.to_string().contains("sinkz"), "{errs}");
    }
}
