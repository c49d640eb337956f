//! The management API (`/api/v1`, admin bearer token): message search and history, dead
//! deliveries, replay.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use channelhub_core::Hub;
use channelhub_core::store::{DeliveryFilter, MessageFilter};
use serde::Deserialize;
use serde_json::json;

use super::auth;
use super::error::ApiError;

const DEFAULT_LIMIT: u64 = 50;
const MAX_LIMIT: u64 = 1000;

/// Refuses requests without a valid admin token.
pub(crate) async fn require_admin(State(hub): State<Arc<Hub>>, req: Request, next: Next) -> Response {
    match auth::bearer(req.headers()) {
        Some(t) if auth::token_matches(t, hub.admin_tokens()) => next.run(req).await,
        Some(_) => ApiError::unauthorized("invalid admin token").into_response(),
        None => ApiError::unauthorized("admin token required: Authorization: Bearer <token>").into_response(),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct MessageQuery {
    key: Option<String>,
    kind: Option<String>,
    source: Option<String>,
    status: Option<String>,
    ack: Option<String>,
    limit: Option<u64>,
}

pub(crate) async fn messages(State(hub): State<Arc<Hub>>, Query(q): Query<MessageQuery>) -> Result<Response, ApiError> {
    let filter = MessageFilter {
        key: q.key.filter(|s| !s.is_empty()),
        kind: q.kind.filter(|s| !s.is_empty()),
        source: q.source.filter(|s| !s.is_empty()),
        status: q.status.filter(|s| !s.is_empty()),
        ack: q.ack.filter(|s| !s.is_empty()),
        limit: q.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT),
    };
    let found = hub
        .store()
        .search_messages(&filter)
        .await
        .map_err(|e| ApiError::unavailable(e.to_string()))?;
    Ok(Json(json!({ "messages": found })).into_response())
}

pub(crate) async fn message(State(hub): State<Arc<Hub>>, Path(id): Path<String>) -> Result<Response, ApiError> {
    match hub
        .store()
        .message_detail(&id)
        .await
        .map_err(|e| ApiError::unavailable(e.to_string()))?
    {
        Some(detail) => Ok(Json(detail).into_response()),
        None => Err(ApiError::not_found(format!("no message `{id}`"))),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct DeliveryQuery {
    status: Option<String>,
    sink: Option<String>,
    /// Acknowledgement status: `awaited`, `acknowledged`, `rejected`, `overdue`, ...
    ack: Option<String>,
    limit: Option<u64>,
}

pub(crate) async fn deliveries(
    State(hub): State<Arc<Hub>>,
    Query(q): Query<DeliveryQuery>,
) -> Result<Response, ApiError> {
    let filter = DeliveryFilter {
        status: q.status.filter(|s| !s.is_empty()),
        sink: q.sink.filter(|s| !s.is_empty()),
        ack: q.ack.filter(|s| !s.is_empty()),
        limit: q.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT),
    };
    let found = hub
        .store()
        .list_deliveries(&filter)
        .await
        .map_err(|e| ApiError::unavailable(e.to_string()))?;
    Ok(Json(json!({ "deliveries": found })).into_response())
}

pub(crate) async fn replay(State(hub): State<Arc<Hub>>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let store = hub.store();
    match store
        .replay(&id)
        .await
        .map_err(|e| ApiError::unavailable(e.to_string()))?
    {
        None => Err(ApiError::not_found(format!("no delivery `{id}`"))),
        Some(false) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "not_dead",
            format!("delivery `{id}` is not dead; only dead deliveries are replayed"),
        )),
        Some(true) => {
            if let Ok(Some(sink)) = store.delivery_sink(&id).await {
                hub.wake(&sink);
            }
            tracing::info!(delivery_id = %id, "replay requested");
            Ok((StatusCode::ACCEPTED, Json(json!({"id": id, "status": "pending"}))).into_response())
        }
    }
}
