//! The web layer's one error type and how each case reaches the visitor: an
//! error page in their language with the right status, never internals.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use obcan_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not found")]
    NotFound,
    /// The request is malformed; the text names the problem for the visitor.
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("forbidden")]
    Forbidden,
    #[error("missing or invalid CSRF token")]
    CsrfRejected,
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("database unavailable: {0}")]
    Unavailable(#[source] StoreError),
    /// A login at an identity provider did not succeed: the person's return
    /// was refused, or the provider said no. The reason goes to the log only.
    #[error("login failed: {0}")]
    LoginFailed(String),
    /// The identity provider could not be reached.
    #[error("identity provider unavailable: {0}")]
    LoginUnavailable(String),
    /// A stored document does not open or is missing: never served as it is.
    #[error("stored document damaged: {0}")]
    DamagedDocument(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for WebError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(_)
            | StoreError::Blob(obcan_store::blobs::BlobError::Unavailable(_)) => {
                Self::Unavailable(error)
            }
            StoreError::Damaged(_)
            | StoreError::Blob(obcan_store::blobs::BlobError::Missing(_)) => {
                Self::DamagedDocument(error.to_string())
            }
            other => Self::Internal(other.to_string()),
        }
    }
}

/// Which error page to render; carried in the response's extensions from the
/// handler to the error page middleware, which knows the visitor's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ErrorPage {
    BadRequest(String),
    Forbidden,
    Csrf,
    NotFound,
    MethodNotAllowed,
    PayloadTooLarge,
    Internal,
    DamagedDocument,
    Unavailable,
    LoginFailed,
    LoginUnavailable,
}

impl ErrorPage {
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Forbidden | Self::Csrf => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Internal | Self::DamagedDocument => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::LoginFailed => StatusCode::BAD_REQUEST,
            Self::LoginUnavailable => StatusCode::BAD_GATEWAY,
        }
    }

    /// For error statuses produced outside our handlers (body limit, method
    /// router, panic catcher).
    pub(crate) fn for_status(status: StatusCode) -> Self {
        match status {
            StatusCode::NOT_FOUND => Self::NotFound,
            StatusCode::FORBIDDEN => Self::Forbidden,
            StatusCode::METHOD_NOT_ALLOWED => Self::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => Self::PayloadTooLarge,
            StatusCode::SERVICE_UNAVAILABLE => Self::Unavailable,
            status if status.is_client_error() => Self::BadRequest(String::new()),
            _ => Self::Internal,
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let page = match self {
            Self::NotFound => ErrorPage::NotFound,
            Self::BadRequest(detail) => ErrorPage::BadRequest(detail),
            Self::Forbidden => ErrorPage::Forbidden,
            Self::CsrfRejected => {
                tracing::warn!("rejected a state-changing request without a valid CSRF token");
                ErrorPage::Csrf
            }
            Self::PayloadTooLarge => ErrorPage::PayloadTooLarge,
            Self::Unavailable(error) => {
                tracing::error!(%error, "database unavailable");
                ErrorPage::Unavailable
            }
            Self::LoginFailed(reason) => {
                tracing::warn!(%reason, "login failed");
                ErrorPage::LoginFailed
            }
            Self::LoginUnavailable(reason) => {
                tracing::error!(%reason, "identity provider unavailable");
                ErrorPage::LoginUnavailable
            }
            Self::DamagedDocument(detail) => {
                tracing::error!(error = %detail, "a stored document is damaged");
                ErrorPage::DamagedDocument
            }
            Self::Internal(detail) => {
                tracing::error!(error = %detail, "internal error");
                ErrorPage::Internal
            }
        };
        let mut response = page.status().into_response();
        response.extensions_mut().insert(page);
        response
    }
}

/// A panic in a handler becomes a logged 500 page, never a dropped connection.
pub(crate) fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<&str>()
        .map(ToString::to_string)
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    WebError::Internal(format!("panic: {message}")).into_response()
}
