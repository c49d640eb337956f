//! Test support: generate a hub config in a temporary folder, run the real `channelhub` binary on
//! a free port, stop it gracefully or with kill -9, talk to its inbound and management APIs, and
//! wait on conditions with a deadline.

use std::fmt::Write as _;
use std::fs;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use tempfile::TempDir;

/// The hub binary under test.
pub const HUB_BIN: &str = env!("CARGO_BIN_EXE_channelhub");
/// The partner token the generated config gives the ERP.
pub const ERP_TOKEN: &str = "erp-token-1";
/// The admin token the generated config accepts on `/api/v1`.
pub const ADMIN_TOKEN: &str = "admin-secret-1";
/// The one HTTP source of the generated config.
pub const SOURCE: &str = "erp-orders";
/// The partner that owns [`SOURCE`].
pub const PARTNER: &str = "yonyou-erp";

/// The Yonyou-style sales order used as the input fixture.
pub const ORDER_JSON: &str = include_str!("../fixtures/order-1.json");
/// The VRL mapping from the Yonyou order to the canonical order.
pub const ORDER_MAPPING: &str = include_str!("../fixtures/order-in.vrl");
/// The order number of [`ORDER_JSON`].
pub const ORDER_NO: &str = "SO20261125-0007";

/// How long a condition may take before a test gives up on it.
pub const DEADLINE: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------------------------------------
// Orders

/// The fixture order as a JSON tree.
pub fn order() -> Value {
    serde_json::from_str(ORDER_JSON).expect("fixture order is JSON")
}

/// The fixture order with another order number.
pub fn order_numbered(number: &str) -> Value {
    let mut doc = order();
    doc["cSOCode"] = json!(number);
    doc
}

/// A distinct order for load: its own number and a total that tells versions apart.
pub fn order_version(number: &str, total: &str) -> Value {
    let mut doc = order_numbered(number);
    doc["iSumMoney"] = json!(total);
    doc
}

// ---------------------------------------------------------------------------------------------
// Stores

/// Where the hub under test keeps its state.
#[derive(Debug, Clone)]
pub enum Store {
    /// An SQLite file in the hub's temporary folder.
    Sqlite,
    /// A PostgreSQL database (created fresh for the test by [`TestDatabase`]).
    Postgres(String),
}

impl Store {
    fn url(&self, dir: &Path) -> String {
        match self {
            Store::Sqlite => format!("sqlite://{}/data/hub.db", dir.display()),
            Store::Postgres(url) => url.clone(),
        }
    }
}

/// A fresh PostgreSQL database for one test, dropped (best effort) when the guard is dropped.
pub struct TestDatabase {
    server_url: String,
    name: String,
    url: String,
}

impl TestDatabase {
    /// Creates `ch_<uuid>` on the server of `TEST_DATABASE_URL`; `None` (after saying so on
    /// stderr) when the variable is unset, so the test can return.
    pub async fn create() -> Option<Self> {
        use sea_orm::ConnectionTrait as _;
        let Ok(server_url) = std::env::var("TEST_DATABASE_URL") else {
            eprintln!("skipped: TEST_DATABASE_URL not set");
            return None;
        };
        let name = format!("ch_{}", uuid::Uuid::new_v4().simple());
        let conn = sea_orm::Database::connect(&server_url)
            .await
            .expect("connect to TEST_DATABASE_URL");
        conn.execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create test database");
        let _ = conn.close().await;
        let mut url = reqwest::Url::parse(&server_url).expect("TEST_DATABASE_URL is a URL");
        url.set_path(&format!("/{name}"));
        Some(Self {
            server_url,
            name,
            url: url.to_string(),
        })
    }

    /// The store setting that points a hub at this database.
    pub fn store(&self) -> Store {
        Store::Postgres(self.url.clone())
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // Drop runs inside the test's runtime, which cannot block on a future; a separate thread
        // with its own small runtime does the clean-up. Failures only leave a database behind.
        let server_url = self.server_url.clone();
        let name = self.name.clone();
        let cleanup = std::thread::spawn(move || {
            use sea_orm::ConnectionTrait as _;
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            rt.block_on(async {
                if let Ok(conn) = sea_orm::Database::connect(&server_url).await {
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = conn.execute_unprepared(&sql).await;
                    let _ = conn.close().await;
                }
            });
        });
        let _ = cleanup.join();
    }
}

// ---------------------------------------------------------------------------------------------
// Config

/// One HTTP sink of a generated config.
#[derive(Debug, Clone)]
pub struct SinkSpec {
    pub name: String,
    pub url: String,
    pub ordered: bool,
    pub max_attempts: u32,
    pub timeout: String,
    /// More YAML keys for the sink, as written under it (`format`, `mapping`, `encode`, ...).
    pub extra: Vec<String>,
}

impl SinkSpec {
    /// Adds `key: value` (YAML, one line) to the sink; `format` replaces the default `json`.
    pub fn with(mut self, key: &str, value: &str) -> Self {
        self.extra.push(format!("{key}: {value}"));
        self
    }

    /// An unordered sink with 5 attempts, 100 ms to 1 s backoff and a 5 s timeout.
    pub fn new(name: &str, url: String) -> Self {
        Self {
            name: name.to_owned(),
            url,
            ordered: false,
            max_attempts: 5,
            timeout: "5s".to_owned(),
            extra: Vec::new(),
        }
    }

    pub fn ordered(mut self) -> Self {
        self.ordered = true;
        self
    }

    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n;
        self
    }

    pub fn timeout(mut self, timeout: &str) -> Self {
        timeout.clone_into(&mut self.timeout);
        self
    }
}

/// One route of a generated config, always from [`SOURCE`].
#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub name: String,
    pub when: Option<String>,
    pub to: Vec<String>,
}

impl RouteSpec {
    pub fn new(name: &str, to: &[&str]) -> Self {
        Self {
            name: name.to_owned(),
            when: None,
            to: to.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    pub fn when(mut self, condition: &str) -> Self {
        self.when = Some(condition.to_owned());
        self
    }
}

/// The variable part of a generated config: one Yonyou order source, these sinks and routes.
#[derive(Debug, Clone, Default)]
pub struct HubSpec {
    pub sinks: Vec<SinkSpec>,
    pub routes: Vec<RouteSpec>,
    /// The source's VRL mapping, when not the Yonyou order mapping.
    pub mapping: Option<String>,
    /// The source's format, when not `json`.
    pub source_format: Option<String>,
    /// More YAML keys for the source (`decode: {...}`).
    pub source_extra: Vec<String>,
    /// Files written into the hub's folder before it starts (name, text).
    pub files: Vec<(String, String)>,
    /// More YAML keys for the partner (`interchange: {...}`).
    pub partner_extra: Vec<String>,
}

impl HubSpec {
    pub fn mapping(mut self, vrl: &str) -> Self {
        self.mapping = Some(vrl.to_owned());
        self
    }

    /// Writes `text` as `name` in the hub's folder (config paths are relative to it).
    pub fn file(mut self, name: &str, text: &str) -> Self {
        self.files.push((name.to_owned(), text.to_owned()));
        self
    }

    /// The source reads `format` with these extra keys (YAML lines under the source).
    pub fn source(mut self, format: &str, extra: &[&str]) -> Self {
        self.source_format = Some(format.to_owned());
        self.source_extra = extra.iter().map(|e| (*e).to_owned()).collect();
        self
    }

    /// The partner gets these extra keys (YAML lines under it).
    pub fn partner(mut self, extra: &[&str]) -> Self {
        self.partner_extra = extra.iter().map(|e| (*e).to_owned()).collect();
        self
    }

    pub fn sink(mut self, sink: SinkSpec) -> Self {
        self.sinks.push(sink);
        self
    }

    pub fn route(mut self, route: RouteSpec) -> Self {
        self.routes.push(route);
        self
    }

    /// The YAML text of the config; paths are absolute so the hub's working folder is irrelevant.
    pub fn render(&self, port: u16, store: &str, dir: &Path) -> String {
        let mapping = dir.join("order-in.vrl");
        let mut y = format!(
            "listen: 127.0.0.1:{port}\n\
             store: {store}\n\
             admin_tokens: [\"{ADMIN_TOKEN}\"]\n\
             partners:\n  {PARTNER}:\n    auth:\n      bearer: [\"{ERP_TOKEN}\"]\n{}\
             sources:\n  {SOURCE}:\n    type: http\n    partner: {PARTNER}\n    format: {}\n    \
             mapping: {}\n    kind: order\n",
            self.partner_extra
                .iter()
                .map(|e| format!("    {e}\n"))
                .collect::<String>(),
            self.source_format.as_deref().unwrap_or("json"),
            mapping.display()
        );
        for e in &self.source_extra {
            let _ = writeln!(y, "    {e}");
        }
        y.push_str("sinks:\n");
        for s in &self.sinks {
            let format = if s.extra.iter().any(|e| e.starts_with("format:")) {
                ""
            } else {
                "    format: json\n"
            };
            let _ = write!(
                y,
                "  {}:\n    type: http\n    url: {}\n{format}    timeout: {}\n    \
                 ordered: {}\n    retry: {{max_attempts: {}, initial_backoff: 100ms, max_backoff: 1s}}\n",
                s.name, s.url, s.timeout, s.ordered, s.max_attempts
            );
            for e in &s.extra {
                let _ = writeln!(y, "    {e}");
            }
        }
        y.push_str("routes:\n");
        for r in &self.routes {
            let _ = writeln!(y, "  - name: {}\n    from: [{SOURCE}]", r.name);
            if let Some(when) = &r.when {
                let _ = writeln!(y, "    when: '{}'", when.replace('\'', "''"));
            }
            let _ = writeln!(y, "    to: [{}]", r.to.join(", "));
        }
        y
    }
}

/// A free loopback port (bound and released; the hub binds it right after).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// A temporary folder holding a hub's config, mapping, SQLite file and logs.
pub struct Workdir {
    dir: TempDir,
}

impl Workdir {
    pub fn new() -> Arc<Self> {
        let dir = tempfile::Builder::new()
            .prefix("channelhub-e2e-")
            .tempdir()
            .expect("temporary folder");
        fs::create_dir_all(dir.path().join("data")).expect("data folder");
        fs::write(dir.path().join("order-in.vrl"), ORDER_MAPPING).expect("write mapping");
        Arc::new(Self { dir })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `text` as `name` in the folder and returns its absolute path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path().join(name);
        fs::write(&path, text).expect("write file in workdir");
        path
    }
}

/// The output of `channelhub check`.
pub struct CheckOutput {
    pub code: Option<i32>,
    pub output: String,
}

/// Runs `channelhub check --config PATH`.
pub fn check(config: &Path) -> CheckOutput {
    let out = Command::new(HUB_BIN)
        .args(["check", "--config"])
        .arg(config)
        .current_dir(config.parent().expect("config has a folder"))
        .output()
        .expect("run channelhub check");
    CheckOutput {
        code: out.status.code(),
        output: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// The hub process

/// A running (or stopped) `channelhub run` process with its own config.
pub struct Hub {
    pub workdir: Arc<Workdir>,
    pub config: PathBuf,
    pub port: u16,
    log: PathBuf,
    child: Option<Child>,
    client: reqwest::Client,
}

impl Hub {
    /// Writes a config for `spec` on `store` into a new temporary folder and starts the hub.
    pub async fn start(spec: &HubSpec, store: &Store) -> Self {
        Self::start_in(Workdir::new(), "hub", spec, store).await
    }

    /// Starts another hub process sharing `self`'s folder and store settings (for several
    /// instances on one PostgreSQL database), on its own port.
    pub async fn start_sibling(&self, name: &str, spec: &HubSpec, store: &Store) -> Self {
        Self::start_in(self.workdir.clone(), name, spec, store).await
    }

    async fn start_in(workdir: Arc<Workdir>, name: &str, spec: &HubSpec, store: &Store) -> Self {
        let port = free_port();
        let text = spec.render(port, &store.url(workdir.path()), workdir.path());
        let config = workdir.write(&format!("{name}.yaml"), &text);
        if let Some(vrl) = &spec.mapping {
            workdir.write("order-in.vrl", vrl);
        }
        for (name, text) in &spec.files {
            workdir.write(name, text);
        }
        let log = workdir.path().join(format!("{name}.log"));
        let mut hub = Self {
            workdir,
            config,
            port,
            log,
            child: None,
            client: client(),
        };
        hub.launch().await;
        hub
    }

    /// Starts the process (again) on the same config and waits until `/healthz` answers 200.
    pub async fn launch(&mut self) {
        assert!(self.child.is_none(), "hub already running");
        let log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("open hub log");
        let child = Command::new(HUB_BIN)
            .args(["run", "--config"])
            .arg(&self.config)
            .current_dir(self.workdir.path())
            .env("RUST_LOG", std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into()))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("clone log handle"))
            .stderr(log)
            .spawn()
            .expect("spawn channelhub run");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = self.client.get(self.url("/healthz")).send().await
                && r.status() == StatusCode::OK
            {
                return;
            }
            if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
                self.child = None;
                panic!("hub exited with {status} before /healthz answered\n{}", self.log_tail());
            }
            assert!(
                Instant::now() < deadline,
                "hub did not answer /healthz within 30 s\n{}",
                self.log_tail()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Kills the hub with SIGKILL (no chance to clean up) and reaps it.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Sends SIGTERM and waits up to 15 s for the exit status (`None` when it did not exit, in
    /// which case it is killed).
    pub async fn terminate(&mut self) -> Option<ExitStatus> {
        let mut child = self.child.take()?;
        let sent = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("run kill -TERM");
        assert!(sent.success(), "kill -TERM failed");
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = child.try_wait() {
                return Some(status);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        None
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The last few KiB of the hub's log, for failure messages.
    pub fn log_tail(&self) -> String {
        let text = fs::read(&self.log).unwrap_or_default();
        let start = text.len().saturating_sub(6000);
        String::from_utf8_lossy(&text[start..]).into_owned()
    }

    /// Posts `doc` to the source as the ERP partner.
    pub async fn post_order(&self, doc: &Value, key: Option<&str>) -> Reply {
        let body = serde_json::to_vec(doc).expect("serialize order");
        let mut headers = vec![("authorization", format!("Bearer {ERP_TOKEN}"))];
        if let Some(key) = key {
            headers.push(("idempotency-key", key.to_owned()));
        }
        self.post_raw(&format!("/in/{SOURCE}"), body, &headers).await
    }

    /// Posts raw bytes with the given headers (a JSON content type is added).
    pub async fn post_raw(&self, path: &str, body: Vec<u8>, headers: &[(&str, String)]) -> Reply {
        let mut request = self
            .client
            .post(self.url(path))
            .header("content-type", "application/json")
            .body(body);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        Reply::from(request.send().await.expect("hub answers the POST")).await
    }

    /// GET on the management API with the admin token.
    pub async fn admin_get(&self, path: &str) -> Reply {
        let request = self.client.get(self.url(path)).bearer_auth(ADMIN_TOKEN);
        Reply::from(request.send().await.expect("hub answers the GET")).await
    }

    /// POST on the management API with the admin token.
    pub async fn admin_post(&self, path: &str) -> Reply {
        let request = self.client.post(self.url(path)).bearer_auth(ADMIN_TOKEN);
        Reply::from(request.send().await.expect("hub answers the POST")).await
    }

    /// The message detail (`GET /api/v1/messages/{id}`), asserting 200.
    pub async fn message(&self, id: &str) -> Value {
        let reply = self.admin_get(&format!("/api/v1/messages/{id}")).await;
        assert_eq!(reply.status, 200, "message detail: {}", reply.text);
        reply.json
    }

    /// Waits until every delivery of message `id` has reached `status`; returns the detail.
    pub async fn wait_deliveries(&self, id: &str, status: &str) -> Value {
        let detail = eventually(DEADLINE, || async {
            let detail = self.message(id).await;
            let deliveries = detail["deliveries"].as_array()?;
            (!deliveries.is_empty() && deliveries.iter().all(|d| d["status"] == status)).then_some(detail)
        })
        .await;
        match detail {
            Some(detail) => detail,
            None => panic!(
                "deliveries of {id} did not all become {status}: {:#}",
                self.message(id).await
            ),
        }
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("---- hub log ({}) ----\n{}", self.config.display(), self.log_tail());
        }
        self.kill9();
    }
}

/// An HTTP client for the hub; no proxy, short timeouts so a hung hub fails the test.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("reqwest client")
}

/// A status with its body, parsed as JSON when it is JSON.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub text: String,
    pub json: Value,
}

impl Reply {
    async fn from(response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Self { status, text, json }
    }

    /// The `message_id` of an accepted message.
    pub fn message_id(&self) -> String {
        self.json["message_id"]
            .as_str()
            .unwrap_or_else(|| panic!("no message_id in {} {}", self.status, self.text))
            .to_owned()
    }

    /// Asserts a `{"error": {"code", "message", ...}}` body with `status`; returns the error.
    pub fn expect_error(&self, status: u16) -> &Value {
        assert_eq!(self.status, status, "unexpected answer: {}", self.text);
        let error = &self.json["error"];
        assert!(
            error["code"].as_str().is_some_and(|c| !c.is_empty()),
            "error without a code: {}",
            self.text
        );
        assert!(
            error["message"].as_str().is_some_and(|m| !m.is_empty()),
            "error without a message: {}",
            self.text
        );
        error
    }
}

// ---------------------------------------------------------------------------------------------
// Waiting

/// Polls `probe` until it yields `Some`, or `None` once `deadline` has passed.
pub async fn eventually<T, F, Fut>(deadline: Duration, mut probe: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let until = Instant::now() + deadline;
    loop {
        if let Some(v) = probe().await {
            return Some(v);
        }
        if Instant::now() >= until {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
