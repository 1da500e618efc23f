//! CSRF protection for every state-changing request, in one place.
//!
//! The token is an HMAC of the session token under the instance's key, so it
//! needs no storage and changes at every login. A request must carry it in the
//! `X-CSRF-Token` header or in the `_csrf` form field; a browser's
//! `Sec-Fetch-Site` must also say the request came from this site.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::error::WebError;
use crate::session::{SessionToken, session_token};
use crate::state::AppState;

pub(crate) const FIELD: &str = "_csrf";
const HEADER: &str = "x-csrf-token";

pub(crate) fn token_for(state: &AppState, session: &SessionToken) -> Result<String, WebError> {
    let mut mac = Hmac::<Sha256>::new_from_slice(state.settings.session_key.bytes())
        .map_err(|e| WebError::Internal(format!("session key: {e}")))?;
    mac.update(b"obcan csrf v1\0");
    mac.update(session.as_str().as_bytes());
    Ok(URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
}

pub(crate) async fn verify(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, WebError> {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return Ok(next.run(request).await);
    }
    if !same_site(request.headers()) {
        return Err(WebError::CsrfRejected);
    }
    let session = session_token(request.headers(), state.settings.secure_cookies)
        .ok_or(WebError::CsrfRejected)?;
    let expected = token_for(&state, &session)?;

    let (parts, body) = request.into_parts();
    let (provided, body) = match parts.headers.get(HEADER).and_then(|v| v.to_str().ok()) {
        Some(header) => (Some(header.to_owned()), body),
        None if is_urlencoded_form(&parts.headers) => {
            let bytes = to_bytes(body, state.settings.body_limit)
                .await
                .map_err(|_| WebError::PayloadTooLarge)?;
            let field = form_field(&bytes, FIELD);
            (field, Body::from(bytes))
        }
        None => (None, body),
    };
    let valid =
        provided.is_some_and(|token| bool::from(token.as_bytes().ct_eq(expected.as_bytes())));
    if !valid {
        return Err(WebError::CsrfRejected);
    }
    Ok(next.run(Request::from_parts(parts, body)).await)
}

/// Browsers say where a request came from; anything but this site is refused.
/// Clients that send no such header (scripts, old browsers) still need the token.
fn same_site(headers: &HeaderMap) -> bool {
    headers
        .get("sec-fetch-site")
        .and_then(|value| value.to_str().ok())
        .is_none_or(|site| matches!(site, "same-origin" | "none"))
}

fn is_urlencoded_form(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"))
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find_map(|(key, value)| (key == name).then_some(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_token_among_other_fields() {
        assert_eq!(
            form_field(b"a=1&_csrf=abc%2Bd&b=2", FIELD),
            Some("abc+d".into())
        );
        assert_eq!(form_field(b"a=1", FIELD), None);
        assert_eq!(form_field(b"%%%", FIELD), None);
    }

    #[test]
    fn cross_site_requests_are_refused() {
        let mut headers = HeaderMap::new();
        assert!(same_site(&headers));
        headers.insert("sec-fetch-site", "same-origin".parse().unwrap());
        assert!(same_site(&headers));
        headers.insert("sec-fetch-site", "cross-site".parse().unwrap());
        assert!(!same_site(&headers));
        headers.insert("sec-fetch-site", "same-site".parse().unwrap());
        assert!(!same_site(&headers));
    }
}
