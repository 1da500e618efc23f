//! The JSON API (`/api/v1`), for the mobile app and integrators. It shares the
//! pages' authorization (the route table and `obcan_core::policy`) and their
//! reading of register data; errors are RFC 9457 problem documents.

pub(crate) mod me;
pub(crate) mod records;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::authz::{CitizenRefusal, SignedInCitizen};
use crate::error::WebError;
use crate::state::AppState;

/// The API's descriptions (the citizen's, the records management's), and
/// the register contract the first refers to.
pub(crate) const DOCUMENTS: [(&str, &str); 3] = [
    (
        "openapi.yaml",
        include_str!("../../../../docs/api/obcan.openapi.yaml"),
    ),
    (
        "records.openapi.yaml",
        include_str!("../../../../docs/api/records.openapi.yaml"),
    ),
    (
        "registers.openapi.yaml",
        include_str!("../../../../docs/api/registers.openapi.yaml"),
    ),
];

/// Serves the OpenAPI documents.
pub(crate) async fn document(Path(name): Path<String>) -> Response {
    match DOCUMENTS.iter().find(|(file, _)| *file == name) {
        Some((_, text)) => (
            [(header::CONTENT_TYPE, "application/yaml; charset=utf-8")],
            *text,
        )
            .into_response(),
        None => {
            Problem::new(StatusCode::NOT_FOUND, "not-found", "No such document").into_response()
        }
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize)]
pub(crate) struct Problem {
    #[serde(rename = "type")]
    kind: String,
    title: &'static str,
    status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    /// For `step-up-required`: the level of assurance to log in with.
    #[serde(skip_serializing_if = "Option::is_none")]
    required_loa: Option<&'static str>,
    /// How to authenticate, for a 401: by the session cookie unless said.
    #[serde(skip)]
    challenge: &'static str,
}

impl Problem {
    pub(crate) fn new(status: StatusCode, kind: &str, title: &'static str) -> Self {
        Self {
            kind: format!("/api/v1/problems/{kind}"),
            title,
            status: status.as_u16(),
            detail: None,
            required_loa: None,
            challenge: "Cookie",
        }
    }

    /// A 401 that asks for a bearer token (the records management's API).
    #[must_use]
    pub(crate) fn bearer(mut self) -> Self {
        self.challenge = "Bearer realm=\"records\"";
        self
    }

    #[must_use]
    pub(crate) fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, axum::Json(&self)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(self.challenge),
            );
        }
        response
    }
}

impl From<WebError> for Problem {
    fn from(error: WebError) -> Self {
        match error {
            WebError::BadRequest(detail) => {
                Self::new(StatusCode::BAD_REQUEST, "bad-request", "Bad request").detail(detail)
            }
            WebError::NotFound => Self::new(StatusCode::NOT_FOUND, "not-found", "Not found"),
            WebError::Forbidden | WebError::CsrfRejected => {
                Self::new(StatusCode::FORBIDDEN, "forbidden", "Forbidden")
            }
            WebError::Unavailable(error) => {
                tracing::error!(%error, "database unavailable");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "Service unavailable",
                )
            }
            other => {
                tracing::error!(error = %other, "API request failed");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Internal error",
                )
            }
        }
    }
}

/// A logged-in citizen, for the API: refusals are problems, not redirects.
#[derive(Debug)]
pub(crate) struct ApiCitizen(pub SignedInCitizen);

impl FromRequestParts<AppState> for ApiCitizen {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        SignedInCitizen::decide(parts, state)
            .await
            .map(Self)
            .map_err(|refusal| match refusal {
                CitizenRefusal::LogIn => {
                    Problem::new(StatusCode::UNAUTHORIZED, "login-required", "Log in first")
                }
                CitizenRefusal::StepUp(needed) => {
                    let mut problem = Problem::new(
                        StatusCode::FORBIDDEN,
                        "step-up-required",
                        "A higher level of assurance is needed",
                    );
                    problem.required_loa = Some(needed.as_str());
                    problem
                }
                CitizenRefusal::Error(error) => error.into(),
            })
    }
}
