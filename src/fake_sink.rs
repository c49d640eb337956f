//! `channelhub fake-sink`: a partner stand-in for the walk-through that prints what it gets.

use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::{Context, Result};
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, Uri};

pub async fn run(listen: SocketAddr, status: u16) -> Result<ExitCode> {
    let status = StatusCode::from_u16(status).context("--status must be an HTTP status code")?;
    let app = axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: Bytes| async move {
        let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("-").to_string();
        println!(
            "{uri} idempotency-key={} correlation-id={} -> {}\n{}\n",
            h("idempotency-key"),
            h("x-correlation-id"),
            status.as_u16(),
            String::from_utf8_lossy(&body)
        );
        status
    });
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    println!("fake sink on http://{listen}, answering {}", status.as_u16());
    axum::serve(listener, app).await?;
    Ok(ExitCode::SUCCESS)
}
