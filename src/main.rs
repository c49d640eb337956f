//! The `channelhub` binary: argument parsing, config loading, wiring and exit codes. The logic
//! lives in the library crates.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use channelhub_connectors::Registry;
use channelhub_core::config;
use channelhub_core::hub::{Hub, Plan};
use channelhub_core::mapping::Mapping;
use channelhub_core::model::{Kind, Schemas};
use channelhub_formats::{CsvEncoding, DecodeOptions, EncodeOptions, Format};
use clap::{Parser, Subcommand};

mod fake_sink;

/// mimalloc instead of the system allocator: the hub allocates many small, short-lived values
/// per document across threads, where glibc's allocator measurably costs throughput.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// channelhub: a connector hub for distribution supply chains.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the hub until SIGINT or SIGTERM.
    Run {
        /// Config file.
        #[arg(long, default_value = "config/hub.yaml")]
        config: PathBuf,
    },
    /// Validate a config: keys, references, mappings, conditions, schemas. Exit 1 on any problem.
    Check {
        /// Config file.
        #[arg(long, default_value = "config/hub.yaml")]
        config: PathBuf,
    },
    /// Run one mapping on a file (stdin without INPUT) and print the resulting JSON.
    Map {
        /// The VRL mapping file.
        mapping: PathBuf,
        /// Input file; stdin when absent.
        input: Option<PathBuf>,
        /// Input format; by default taken from the input's extension, else json.
        #[arg(long)]
        format: Option<Format>,
        /// Validate the result against this canonical kind's schema.
        #[arg(long)]
        validate: Option<String>,
    },
    /// Run mapping fixture tests (default: mappings/); show a diff and exit 1 on failure.
    Test {
        /// Mapping files or folders.
        paths: Vec<PathBuf>,
    },
    /// Decode a partner file to the document tree (JSON) that mappings read.
    Decode {
        /// Input file; stdin when absent.
        input: Option<PathBuf>,
        /// Input format.
        #[arg(long)]
        format: Format,
        /// Character encoding of CSV input: utf-8, gbk, gb18030, big5.
        #[arg(long, value_parser = parse_encoding)]
        encoding: Option<CsvEncoding>,
        /// Make envelope count and control-number mismatches (X12, EDIFACT) errors.
        #[arg(long)]
        strict: bool,
    },
    /// Encode a document tree (JSON) in a partner format.
    Encode {
        /// Input file (JSON tree); stdin when absent.
        input: Option<PathBuf>,
        /// Output format.
        #[arg(long)]
        format: Format,
        /// Character encoding of CSV output: utf-8, gbk, gb18030, big5.
        #[arg(long, value_parser = parse_encoding)]
        encoding: Option<CsvEncoding>,
    },
    /// A fake partner for demos: prints every request it receives and answers with --status.
    FakeSink {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:9001")]
        listen: std::net::SocketAddr,
        /// Status to answer with.
        #[arg(long, default_value_t = 200)]
        status: u16,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        // The reader went away (`channelhub map ... | head -1`): nothing is left to tell it, and
        // that is not a failure of the command (ripgrep and coreutils exit quietly too).
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Whether `e` is, at its root, a write to a pipe whose reader has closed it.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|c| c.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}

/// Writes `text` and a newline to stdout. Unlike `println!`, which panics when the reader has
/// closed the pipe (Rust ignores SIGPIPE), a closed pipe comes back as an error for `main`.
fn out(text: impl std::fmt::Display) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{text}")?;
    stdout.flush()
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Run { config } => runtime()?.block_on(run_hub(&config)),
        Command::Check { config } => check(&config),
        Command::Map {
            mapping,
            input,
            format,
            validate,
        } => map(&mapping, input.as_deref(), format, validate.as_deref()),
        Command::Test { paths } => test(paths),
        Command::Decode {
            input,
            format,
            encoding,
            strict,
        } => {
            let bytes = read_input(input.as_deref())?;
            let mut opts = DecodeOptions {
                strict,
                ..DecodeOptions::default()
            };
            if let Some(e) = encoding {
                opts.csv.encoding = e;
            }
            match channelhub_formats::decode(format, &bytes, &opts) {
                Ok(doc) => {
                    out(serde_json::to_string_pretty(&doc)?)?;
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("{}: {e}", display(input.as_deref()));
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        Command::Encode {
            input,
            format,
            encoding,
        } => {
            let bytes = read_input(input.as_deref())?;
            let doc: serde_json::Value =
                serde_json::from_slice(&bytes).with_context(|| format!("{}: not JSON", display(input.as_deref())))?;
            let mut opts = EncodeOptions::default();
            if let Some(e) = encoding {
                opts.csv.encoding = e;
            }
            let out = channelhub_formats::encode(format, &doc, &opts)?;
            let mut stdout = std::io::stdout().lock();
            std::io::Write::write_all(&mut stdout, &out)?;
            std::io::Write::flush(&mut stdout)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::FakeSink { listen, status } => runtime()?.block_on(fake_sink::run(listen, status)),
    }
}

fn parse_encoding(s: &str) -> Result<CsvEncoding, String> {
    serde_json::from_value(serde_json::Value::String(s.to_ascii_lowercase()))
        .map_err(|_| format!("unknown encoding `{s}`; known: utf-8, gbk, gb18030, big5"))
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}

/// Loads and builds the config, printing every problem.
fn plan(path: &Path) -> Option<Plan> {
    let built = config::load_file(path).and_then(|c| Plan::build(c, &Registry));
    match built {
        Ok(p) => Some(p),
        Err(errors) => {
            for e in &errors.0 {
                eprintln!("{e}");
            }
            eprintln!("{} problem(s) in {}", errors.0.len(), path.display());
            None
        }
    }
}

fn check(path: &Path) -> Result<ExitCode> {
    match plan(path) {
        Some(p) => {
            out(format_args!(
                "{}: ok ({} sources, {} sinks, {} routes, {} kinds)",
                path.display(),
                p.config.sources.len(),
                p.config.sinks.len(),
                p.config.routes.len(),
                Kind::names().len()
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        None => Ok(ExitCode::FAILURE),
    }
}

async fn run_hub(path: &Path) -> Result<ExitCode> {
    init_logging();
    let metrics = match channelhub_connectors::telemetry::install() {
        Ok(h) => Some(h),
        Err(e) => {
            tracing::warn!(error = %e, "metrics disabled");
            None
        }
    };
    let Some(plan) = plan(path) else {
        return Ok(ExitCode::FAILURE);
    };
    let listen = plan.config.listen;
    let (hub, running) = Hub::start(plan).await.context("cannot open the store")?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    tracing::info!(%listen, "channelhub listening");
    channelhub_connectors::http::serve(listener, std::sync::Arc::clone(&hub), metrics, shutdown_signal()).await?;
    tracing::info!("stopped accepting; finishing in-flight work");
    hub.shutdown(running).await;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "cannot listen for SIGTERM; only SIGINT stops the hub");
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = term.recv() => {},
    }
}

fn read_input(input: Option<&Path>) -> Result<Vec<u8>> {
    match input {
        Some(p) => std::fs::read(p).with_context(|| format!("cannot read {}", p.display())),
        None => {
            let mut buf = Vec::new();
            std::io::stdin().read_to_end(&mut buf)?;
            Ok(buf)
        }
    }
}

fn display(input: Option<&Path>) -> String {
    input.map_or_else(|| "<stdin>".to_string(), |p| p.display().to_string())
}

fn map(mapping: &Path, input: Option<&Path>, format: Option<Format>, validate: Option<&str>) -> Result<ExitCode> {
    let m = Mapping::compile_file(mapping)?;
    let kind = match validate {
        Some(k) => {
            Some(Kind::by_name(k).with_context(|| format!("unknown kind `{k}`; known: {}", Kind::names().join(", ")))?)
        }
        None => None,
    };
    let format = format
        .or_else(|| {
            input
                .and_then(|p| p.extension())
                .and_then(|e| e.to_str())
                .and_then(|e| e.parse().ok())
        })
        .unwrap_or(Format::Json);
    let bytes = read_input(input)?;
    // Decoded as a source with this mapping would: with the XML arrays the mapping declares.
    let opts = DecodeOptions {
        xml_repeated: m.xml_repeated().to_vec(),
        ..DecodeOptions::default()
    };
    let doc = match channelhub_formats::decode(format, &bytes, &opts) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{}: {e}", display(input));
            return Ok(ExitCode::FAILURE);
        }
    };
    let out = match m.run_json(doc) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return Ok(ExitCode::FAILURE);
        }
    };
    self::out(serde_json::to_string_pretty(&out)?)?;
    if let Some(kind) = kind
        && let Err(e) = channelhub_core::fixtures::validate_output(&Schemas::compile(), kind, &out)
    {
        for v in &e.violations {
            eprintln!("{}: {}", if v.path.is_empty() { "/" } else { &v.path }, v.message);
        }
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn test(paths: Vec<PathBuf>) -> Result<ExitCode> {
    let paths = if paths.is_empty() {
        vec![PathBuf::from("mappings")]
    } else {
        paths
    };
    let results = channelhub_core::fixtures::run_all(&paths)?;
    if results.is_empty() {
        bail!(
            "no mappings found under {}",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let mut failed = 0;
    for r in &results {
        match &r.failure {
            None => out(format_args!("ok   {} [{}]", r.mapping.display(), r.case))?,
            Some(f) => {
                failed += 1;
                out(format_args!("FAIL {} [{}]\n{f}", r.mapping.display(), r.case))?;
            }
        }
    }
    out(format_args!("{} passed, {failed} failed", results.len() - failed))?;
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
