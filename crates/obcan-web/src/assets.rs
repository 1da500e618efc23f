//! Static files built into the binary under content-hashed names, so that
//! browsers may cache them for a year without ever seeing a stale one.

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use crate::error::WebError;

#[derive(Debug)]
pub(crate) struct Asset {
    /// The name templates use, e.g. `obcan.css`.
    pub logical: &'static str,
    /// The name it is served under, e.g. `obcan.8813b3116543.css`.
    pub file: &'static str,
    pub bytes: &'static [u8],
}

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

pub(crate) const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The URL of an embedded asset, by its logical name. A name that is not in
/// the manifest is a programming error caught by the test that renders every
/// page; it yields a URL that answers 404 rather than a panic.
pub(crate) fn url(logical: &str) -> String {
    EMBEDDED
        .iter()
        .find(|asset| asset.logical == logical)
        .map_or_else(
            || format!("/assets/missing/{logical}"),
            |asset| format!("/assets/{}", asset.file),
        )
}

pub(crate) async fn serve(Path(file): Path<String>) -> Result<Response, WebError> {
    let asset = EMBEDDED
        .iter()
        .find(|asset| asset.file == file)
        .ok_or(WebError::NotFound)?;
    Ok((
        [
            (CONTENT_TYPE, content_type(asset.file)),
            (CACHE_CONTROL, IMMUTABLE),
        ],
        asset.bytes,
    )
        .into_response())
}

pub(crate) fn content_type(file: &str) -> &'static str {
    match file.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("woff2") => "font/woff2",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("js") => "text/javascript; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_logical_name_used_by_templates_is_embedded() {
        for name in ["obcan.css", "coat-of-arms.svg", "icon-my-data.svg"] {
            assert!(
                url(name).starts_with("/assets/") && !url(name).contains("missing"),
                "{name}"
            );
        }
    }

    #[test]
    fn served_names_carry_a_content_hash() {
        for asset in EMBEDDED {
            let parts: Vec<&str> = asset.file.split('.').collect();
            assert!(parts.len() >= 3, "{}", asset.file);
            assert_eq!(parts[parts.len() - 2].len(), 12, "{}", asset.file);
        }
    }
}
