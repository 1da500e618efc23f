//! The instance's identity: its name, coat of arms, colour and contact, from
//! the configuration. The colour and logo are served as files of their own,
//! because the content security policy allows no inline styles.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use obcan_core::registers::Ico;
use sha2::{Digest, Sha256};

use crate::assets;
use crate::error::WebError;
use crate::state::AppState;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branding {
    pub name: String,
    /// The name in English, when it differs.
    pub name_en: Option<String>,
    pub logo: Option<Logo>,
    pub primary_color: Option<Color>,
    /// Names the office as the originator of its records.
    pub ico: Ico,
    pub contact: Contact,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Contact {
    pub address: Vec<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// An operator's coat of arms or logo, loaded at start.
#[derive(Clone, PartialEq, Eq)]
pub struct Logo {
    pub bytes: Arc<[u8]>,
    pub extension: &'static str,
}

impl std::fmt::Debug for Logo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Logo({} bytes of {})", self.bytes.len(), self.extension)
    }
}

impl Logo {
    /// Accepts SVG, PNG and JPEG, recognised by content.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, InvalidBranding> {
        let head = &bytes[..bytes.len().min(512)];
        let extension = if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            "png"
        } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            "jpg"
        } else if String::from_utf8_lossy(head).contains("<svg") {
            "svg"
        } else {
            return Err(InvalidBranding::LogoFormat);
        };
        Ok(Self {
            bytes: bytes.into(),
            extension,
        })
    }
}

/// A colour as `#rrggbb`, dark enough that white text on it is readable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Color([u8; 3]);

/// WCAG 2.1 AA for normal text.
const MIN_CONTRAST_WITH_WHITE: f64 = 4.5;

impl Color {
    pub fn parse(raw: &str) -> Result<Self, InvalidBranding> {
        let hex = raw.strip_prefix('#').ok_or(InvalidBranding::ColorSyntax)?;
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(InvalidBranding::ColorSyntax);
        }
        let channel = |i: usize| {
            hex.get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .ok_or(InvalidBranding::ColorSyntax)
        };
        let color = Self([channel(0)?, channel(2)?, channel(4)?]);
        let contrast = color.contrast_with_white();
        if contrast < MIN_CONTRAST_WITH_WHITE {
            return Err(InvalidBranding::ColorContrast(contrast));
        }
        Ok(color)
    }

    /// The WCAG contrast ratio of white text on this colour.
    fn contrast_with_white(self) -> f64 {
        let linear = |channel: u8| {
            let c = f64::from(channel) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let [r, g, b] = self.0;
        let luminance = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
        1.05 / (luminance + 0.05)
    }
}

impl std::fmt::Display for Color {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let [r, g, b] = self.0;
        write!(f, "#{r:02x}{g:02x}{b:02x}")
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InvalidBranding {
    #[error("expected a colour like #2362a2")]
    ColorSyntax,
    #[error(
        "white text on this colour has a contrast of {0:.2}:1; WCAG 2.1 AA needs at least 4.5:1, so choose a darker colour"
    )]
    ColorContrast(f64),
    #[error("the logo must be an SVG, PNG or JPEG image")]
    LogoFormat,
}

/// The branding files, with content-hashed names, prepared once at start.
#[derive(Debug)]
pub(crate) struct BrandingFiles {
    pub theme_url: String,
    pub logo_url: String,
    theme: (String, String),
    logo: Option<(String, Logo)>,
}

impl BrandingFiles {
    pub(crate) fn new(branding: &Branding) -> Self {
        let css = match branding.primary_color {
            Some(color) => format!(":root {{ --obcan-brand: {color}; }}\n"),
            None => String::from("/* the design system's primary colour */\n"),
        };
        let theme_file = format!("theme.{}.css", short_hash(css.as_bytes()));
        let logo = branding.logo.clone().map(|logo| {
            (
                format!("logo.{}.{}", short_hash(&logo.bytes), logo.extension),
                logo,
            )
        });
        Self {
            theme_url: format!("/branding/{theme_file}"),
            logo_url: logo.as_ref().map_or_else(
                || assets::url("coat-of-arms.svg"),
                |(file, _)| format!("/branding/{file}"),
            ),
            theme: (theme_file, css),
            logo,
        }
    }
}

fn short_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub(crate) async fn serve(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, WebError> {
    let files = &state.branding_files;
    if file == files.theme.0 {
        let headers = [
            (CONTENT_TYPE, "text/css; charset=utf-8"),
            (CACHE_CONTROL, assets::IMMUTABLE),
        ];
        return Ok((headers, files.theme.1.clone()).into_response());
    }
    match &files.logo {
        Some((name, logo)) if *name == file => {
            let headers = [
                (CONTENT_TYPE, assets::content_type(name)),
                (CACHE_CONTROL, assets::IMMUTABLE),
            ];
            Ok((headers, logo.bytes.to_vec()).into_response())
        }
        _ => Err(WebError::NotFound),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_must_be_hex_and_readable_with_white_text() {
        assert_eq!(Color::parse("#2362a2").unwrap().to_string(), "#2362a2");
        assert_eq!(Color::parse("2362a2"), Err(InvalidBranding::ColorSyntax));
        assert_eq!(Color::parse("#23g2a2"), Err(InvalidBranding::ColorSyntax));
        assert!(matches!(
            Color::parse("#ffff00"),
            Err(InvalidBranding::ColorContrast(_))
        ));
        assert!(Color::parse("#000000").is_ok());
    }

    #[test]
    fn logos_are_recognised_by_content() {
        assert_eq!(
            Logo::from_bytes(b"<svg xmlns='x'/>".to_vec())
                .unwrap()
                .extension,
            "svg"
        );
        assert_eq!(
            Logo::from_bytes(b"\x89PNG\r\n\x1a\nrest".to_vec())
                .unwrap()
                .extension,
            "png"
        );
        assert_eq!(
            Logo::from_bytes(b"MZ\x90\0".to_vec()),
            Err(InvalidBranding::LogoFormat)
        );
    }
}
