//! The inbound webhook: `POST /in/{source}`. Checks the partner's credentials, hands the body
//! to the pipeline, and answers only after the commit: 202 (new) or 200 (duplicate).

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use channelhub_core::Hub;
use channelhub_core::hub::ConnectorProblem;
use channelhub_core::pipeline::{InboundRequest, IngestError};
use serde_json::json;

use super::auth::{self, AuthFailure, ReplayGuard};
use super::error::ApiError;

/// The longest accepted `Idempotency-Key` and `X-Correlation-Id`.
const MAX_KEY_LEN: usize = 255;

/// The HTTP source has no keys of its own beyond the common ones.
///
/// # Errors
/// Every unknown key.
pub fn check_config(transport: &serde_yaml_ng::Mapping) -> Result<(), Vec<ConnectorProblem>> {
    let problems: Vec<ConnectorProblem> = transport
        .keys()
        .map(|k| {
            let k = k.as_str().unwrap_or("?").to_string();
            (
                k.clone(),
                format!("unknown key `{k}`; an http source takes type, partner, format, mapping, kind"),
            )
        })
        .collect();
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

/// Shared state of the inbound handler.
pub struct SourceState {
    pub hub: Arc<Hub>,
    pub(crate) replay: ReplayGuard,
}

pub(crate) async fn receive(
    State(state): State<Arc<SourceState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    match handle(&state, &name, &headers, body).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn handle(
    state: &SourceState,
    name: &str,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let hub = &state.hub;
    let src = hub.source(name).filter(|s| s.r#type == "http").ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_source",
            format!("no http source `{name}`"),
        )
    })?;
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!("body exceeds the limit of {} bytes", hub.config().ingest.max_body.0),
            )
        } else {
            ApiError::new(StatusCode::BAD_REQUEST, "unreadable_body", e.body_text())
        }
    })?;
    let partner = hub
        .partner(&src.partner)
        .ok_or_else(|| ApiError::unauthorized("source has no partner"))?;
    if let Err(failure) = auth::check(&partner.auth, headers, &body, &state.replay) {
        // A valid credential of another partner is a 403: known, but not allowed here.
        if let Some(token) = auth::bearer(headers) {
            let other = hub
                .config()
                .partners
                .iter()
                .find(|(_, p)| auth::token_matches(token, &p.auth.bearer));
            if let Some((other, _)) = other {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "forbidden",
                    format!("partner `{other}` may not send to source `{name}`"),
                ));
            }
        }
        return Err(ApiError::unauthorized(match failure {
            AuthFailure::Missing => {
                "credentials required: Authorization: Bearer <token> or a signed request".to_string()
            }
            AuthFailure::Invalid(why) => why.to_string(),
        }));
    }
    let header = |n: &str| -> Result<Option<String>, ApiError> {
        match headers.get(n) {
            None => Ok(None),
            Some(v) => {
                let v = v
                    .to_str()
                    .ok()
                    .map(str::trim)
                    .filter(|v| !v.is_empty() && v.len() <= MAX_KEY_LEN);
                v.map(|v| Some(v.to_string())).ok_or_else(|| {
                    ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "bad_header",
                        format!("{n} must be 1 to {MAX_KEY_LEN} visible ASCII characters"),
                    )
                })
            }
        }
    };
    let req = InboundRequest {
        body,
        idempotency_key: header("idempotency-key")?,
        correlation_id: header("x-correlation-id")?,
    };
    match hub.ingest(name, req).await {
        Ok(a) => {
            let status = if a.duplicate {
                StatusCode::OK
            } else {
                StatusCode::ACCEPTED
            };
            let mut body = json!({"message_id": a.message_id, "message_ids": a.message_ids, "duplicate": a.duplicate});
            // Sets of an interchange refused while others were accepted.
            if !a.rejected.is_empty() {
                body["rejected"] = json!(a.rejected);
            }
            Ok((status, Json(body)).into_response())
        }
        Err(e) => Err(ingest_error(&e)),
    }
}

fn ingest_error(e: &IngestError) -> ApiError {
    let status = match e {
        IngestError::UnknownSource(_) => StatusCode::NOT_FOUND,
        IngestError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        IngestError::Decode(_) => StatusCode::BAD_REQUEST,
        IngestError::Mapping(_) | IngestError::Schema(_) => StatusCode::UNPROCESSABLE_ENTITY,
        IngestError::ShuttingDown | IngestError::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
    };
    ApiError {
        status,
        code: e.code(),
        message: e.to_string(),
        path: e.path(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_refused() {
        let mut m = serde_yaml_ng::Mapping::new();
        assert!(check_config(&m).is_ok());
        m.insert("url".into(), "x".into());
        assert_eq!(check_config(&m).unwrap_err()[0].0, "url");
    }
}
