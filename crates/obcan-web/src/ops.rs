//! Endpoints for the operator's monitoring: liveness and readiness.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;

use crate::state::AppState;

/// The process is up and answering.
pub(crate) async fn healthz() -> impl IntoResponse {
    "ok\n"
}

/// The node can serve: its database answers. A load balancer stops sending
/// traffic while this fails and resumes when it passes again.
pub(crate) async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready\n"),
        Err(error) => {
            tracing::warn!(%error, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
        }
    }
}
