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
        None => match multipart_boundary(&parts.headers) {
            Some(boundary) => first_part_token(body, &boundary).await?,
            None => (None, body),
        },
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

fn multipart_boundary(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(CONTENT_TYPE)?.to_str().ok()?;
    if !value.starts_with("multipart/form-data") {
        return None;
    }
    value.split(';').find_map(|parameter| {
        let boundary = parameter.trim().strip_prefix("boundary=")?;
        Some(boundary.trim_matches('"').to_owned())
    })
}

/// The most of a multipart body read to find the token in its first part.
const MULTIPART_PREFIX: usize = 4096;

/// Reads a multipart body only as far as its first part, which a form of
/// the portal's makes the `_csrf` field; the body goes on whole, the bytes
/// read put back in front. A file is never buffered.
async fn first_part_token(body: Body, boundary: &str) -> Result<(Option<String>, Body), WebError> {
    use futures_util::StreamExt as _;
    let mut stream = body.into_data_stream();
    let mut prefix: Vec<u8> = Vec::new();
    let mut token = None;
    while prefix.len() < MULTIPART_PREFIX {
        match stream.next().await {
            Some(Ok(bytes)) => prefix.extend_from_slice(&bytes),
            Some(Err(_)) => return Err(WebError::BadRequest(String::new())),
            None => break,
        }
        if let Some(found) = token_in_first_part(&prefix, boundary) {
            token = found;
            break;
        }
    }
    let prefix =
        futures_util::stream::once(
            async move { Ok::<_, axum::Error>(axum::body::Bytes::from(prefix)) },
        );
    Ok((token, Body::from_stream(prefix.chain(stream))))
}

/// `Some(token)` when the first part is the `_csrf` field and complete,
/// `Some(None)` when the first part is something else, `None` while more
/// bytes are needed to tell.
fn token_in_first_part(prefix: &[u8], boundary: &str) -> Option<Option<String>> {
    let delimiter = format!("--{boundary}\r\n");
    let rest = prefix.strip_prefix(delimiter.as_bytes())?;
    let headers_end = find(rest, b"\r\n\r\n")?;
    let headers = std::str::from_utf8(&rest[..headers_end]).ok()?;
    let named_csrf = headers.lines().any(|line| {
        line.to_ascii_lowercase()
            .starts_with("content-disposition:")
            && line.contains(&format!("; name=\"{FIELD}\""))
    });
    if !named_csrf {
        return Some(None);
    }
    let value = &rest[headers_end + 4..];
    let end = find(value, format!("\r\n--{boundary}").as_bytes())?;
    Some(std::str::from_utf8(&value[..end]).ok().map(str::to_owned))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
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
    fn finds_the_token_in_a_multipart_body_s_first_part() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\nabc+d\r\n--XyZ\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.pdf\"\r\n\r\n%PDF";
        assert_eq!(token_in_first_part(body, "XyZ"), Some(Some("abc+d".into())));
        // Not yet all there: more bytes are needed.
        assert_eq!(token_in_first_part(&body[..40], "XyZ"), None);
        // A first part that is not the token.
        let other =
            b"--XyZ\r\nContent-Disposition: form-data; name=\"files\"; filename=\"_csrf\"\r\n\r\n";
        assert_eq!(token_in_first_part(other, "XyZ"), Some(None));
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            "multipart/form-data; boundary=\"XyZ\"".parse().unwrap(),
        );
        assert_eq!(multipart_boundary(&headers), Some("XyZ".into()));
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
