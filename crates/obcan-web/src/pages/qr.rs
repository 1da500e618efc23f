//! QR codes, rendered on the server as SVG: enrolling an authenticator app
//! needs no JavaScript.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use qrcode::QrCode;
use qrcode::render::svg;

use crate::error::WebError;

/// The QR code of `text` as a `data:` URI for an `<img>`, which the content
/// security policy allows where it allows no inline markup of other kinds.
pub(crate) fn svg_data_uri(text: &str) -> Result<String, WebError> {
    let code = QrCode::new(text.as_bytes()).map_err(|e| WebError::Internal(format!("QR: {e}")))?;
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Ok(format!(
        "data:image/svg+xml;base64,{}",
        STANDARD.encode(image)
    ))
}
