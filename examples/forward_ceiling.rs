//! The forward-only ceiling as a process of its own, for outside-in load tools (wrk): accepts
//! `POST /in/{anything}` with 202 and forwards the body to `TARGET` with reqwest, nothing else —
//! no decoding, mapping, validation or store. Any store-and-forward hub on this HTTP stack does
//! at least this much per order, so its rate bounds what the hub can reach on a machine.
//!
//! `cargo run --release --example forward_ceiling -- 127.0.0.1:8090 http://127.0.0.1:9000/sink`

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Clone)]
struct Forward {
    http: reqwest::Client,
    to: Arc<str>,
}

async fn accept(State(f): State<Forward>, body: Bytes) -> (StatusCode, &'static str) {
    tokio::spawn(async move {
        if let Err(e) = f.http.post(&*f.to).body(body).send().await {
            eprintln!("forward failed: {e}");
        }
    });
    (StatusCode::ACCEPTED, r#"{"ok":true}"#)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(listen), Some(to)) = (args.next(), args.next()) else {
        anyhow::bail!("usage: forward_ceiling LISTEN_ADDR TARGET_URL");
    };
    let state = Forward {
        http: reqwest::Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(64)
            .build()?,
        to: to.into(),
    };
    let app = Router::new().route("/in/{source}", post(accept)).with_state(state);
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
