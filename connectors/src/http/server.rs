//! The one HTTP server of a hub: inbound sources, management API, `/healthz`, `/metrics`.

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::routing::{get, post};
use channelhub_core::Hub;
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::net::TcpListener;

use super::{api, source};

/// The router of a hub.
pub fn router(hub: Arc<Hub>, metrics: Option<PrometheusHandle>) -> Router {
    let max_body = hub.config().ingest.max_body.0;
    let inbound = Router::new()
        .route("/in/{source}", post(source::receive))
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(Arc::new(source::SourceState {
            hub: Arc::clone(&hub),
            replay: super::auth::ReplayGuard::default(),
        }));
    let admin = Router::new()
        .route("/messages", get(api::messages))
        .route("/messages/{id}", get(api::message))
        .route("/deliveries", get(api::deliveries))
        .route("/deliveries/{id}/replay", post(api::replay))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&hub),
            api::require_admin,
        ))
        .with_state(Arc::clone(&hub));
    let metrics = Arc::new(metrics);
    Router::new()
        .route(
            "/healthz",
            get(|| async { axum::Json(serde_json::json!({"status": "ok"})) }),
        )
        .route("/metrics", get(render_metrics).with_state(metrics))
        .nest("/api/v1", admin)
        .merge(inbound)
}

async fn render_metrics(State(handle): State<Arc<Option<PrometheusHandle>>>) -> String {
    handle
        .as_ref()
        .as_ref()
        .map(PrometheusHandle::render)
        .unwrap_or_default()
}

/// Serves until `shutdown` resolves, then stops accepting and finishes in-flight requests.
///
/// # Errors
/// The listener fails.
pub async fn serve(
    listener: TcpListener,
    hub: Arc<Hub>,
    metrics: Option<PrometheusHandle>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(hub, metrics))
        .with_graceful_shutdown(shutdown)
        .await
}
