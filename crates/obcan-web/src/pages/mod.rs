//! Server-rendered pages, one module per area. Every page is rendered inside
//! the same frame (header, navigation, language switch, footer): [`Chrome`].

pub(crate) mod accessibility;
pub(crate) mod account;
pub(crate) mod activation;
pub(crate) mod contacts;
pub(crate) mod dashboard;
pub(crate) mod documents;
pub(crate) mod forms;
pub(crate) mod handover;
pub(crate) mod home;
pub(crate) mod language;
pub(crate) mod login;
pub(crate) mod my_data;
pub(crate) mod office;
pub(crate) mod oidc;
pub(crate) mod password_login;
pub(crate) mod qr;
pub(crate) mod saml;
pub(crate) mod submissions;
pub(crate) mod tiles;

use askama::Template;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use obcan_core::language::Language;
use serde::de::DeserializeOwned;

use crate::assets;
use crate::error::WebError;
use crate::i18n::{Texts, texts};
use crate::session::Visitor;
use crate::state::AppState;

/// Which item of the main navigation a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    Home,
    Dashboard,
    MyData,
    Documents,
    Forms,
    Submissions,
    Account,
    Login,
    Office,
    Other,
}

#[derive(Debug)]
pub(crate) struct LanguageLink {
    pub tag: &'static str,
    pub name: &'static str,
    pub href: String,
    pub current: bool,
}

/// Everything the frame around a page needs.
#[derive(Debug)]
pub(crate) struct Chrome {
    pub t: &'static Texts,
    pub lang: &'static str,
    pub site_name: String,
    pub css_url: String,
    pub theme_url: String,
    pub logo_url: String,
    pub section: Section,
    pub languages: Vec<LanguageLink>,
    pub signed_in: bool,
    /// A staff member is logged in: the header leads to the back office.
    pub office: bool,
    /// Present when the visitor has a session: the token every form posts back.
    pub csrf: Option<String>,
    pub demo: bool,
    pub contact_address: Vec<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
}

impl Chrome {
    pub(crate) fn new(
        state: &AppState,
        visitor: &Visitor,
        path: &str,
        section: Section,
    ) -> Result<Self, WebError> {
        let csrf = match &visitor.session {
            Some(session) => Some(crate::middleware::csrf::token_for(state, &session.token)?),
            None => None,
        };
        let mut chrome = Self::anonymous(state, visitor.language, path, section);
        chrome.signed_in = visitor
            .session
            .as_ref()
            .is_some_and(|s| s.citizen.is_some());
        chrome.office = visitor.session.as_ref().is_some_and(|s| s.staff.is_some());
        chrome.csrf = csrf;
        Ok(chrome)
    }

    /// The frame without anything from the session: for error pages, which
    /// must render even when the session cannot be read.
    pub(crate) fn anonymous(
        state: &AppState,
        language: Language,
        path: &str,
        section: Section,
    ) -> Self {
        let branding = &state.settings.branding;
        let site_name = match (language, &branding.name_en) {
            (Language::English, Some(name)) => name.clone(),
            _ => branding.name.clone(),
        };
        let languages = Language::ALL
            .into_iter()
            .map(|other| LanguageLink {
                tag: other.tag(),
                name: other.native_name(),
                href: language::switch_url(other, path),
                current: other == language,
            })
            .collect();
        Self {
            t: texts(language),
            lang: language.tag(),
            site_name,
            css_url: assets::url("obcan.css"),
            theme_url: state.branding_files.theme_url.clone(),
            logo_url: state.branding_files.logo_url.clone(),
            section,
            languages,
            signed_in: false,
            office: false,
            csrf: None,
            demo: state.settings.demo_identity,
            contact_address: branding.contact.address.clone(),
            contact_email: branding.contact.email.clone(),
            contact_phone: branding.contact.phone.clone(),
        }
    }

    pub(crate) fn is(&self, section: Section) -> bool {
        self.section == section
    }

    /// A `tel:` target: the number without spaces.
    pub(crate) fn tel(&self, phone: &str) -> String {
        phone.chars().filter(|c| !c.is_whitespace()).collect()
    }
}

/// A time as people here read it: Czech local time.
pub(crate) fn local_time(at: jiff::Timestamp) -> String {
    let zone = obcan_core::time::office_zone();
    at.to_zoned(zone).strftime("%-d. %-m. %Y %H:%M").to_string()
}

/// Renders a page template into an HTML response.
pub(crate) fn render(template: &impl Template) -> Result<Response, WebError> {
    render_with_status(StatusCode::OK, template)
}

pub(crate) fn render_with_status(
    status: StatusCode,
    template: &impl Template,
) -> Result<Response, WebError> {
    let html = template
        .render()
        .map_err(|e| WebError::Internal(format!("template: {e}")))?;
    Ok((status, Html(html)).into_response())
}

/// A form body that, when malformed, answers with the 400 page naming the
/// problem instead of axum's plain-text rejection.
#[derive(Debug)]
pub(crate) struct ValidForm<T>(pub T);

impl<T, S> FromRequest<S> for ValidForm<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request(request: Request, state: &S) -> Result<Self, WebError> {
        match axum::Form::<T>::from_request(request, state).await {
            Ok(axum::Form(value)) => Ok(Self(value)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(WebError::PayloadTooLarge)
            }
            Err(rejection) => Err(WebError::BadRequest(rejection.body_text())),
        }
    }
}

/// A small text field, whole; a bad request if longer than `max` bytes.
pub(crate) async fn text_field(
    field: &mut axum::extract::multipart::Field<'_>,
    max: usize,
) -> Result<String, WebError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|error| WebError::BadRequest(error.body_text()))?
    {
        if bytes.len() + chunk.len() > max {
            return Err(WebError::BadRequest("a text field is too long".into()));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| WebError::BadRequest("a text field is not UTF-8".into()))
}

/// A query string that, when malformed, answers with the 400 page.
#[derive(Debug)]
pub(crate) struct ValidQuery<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for ValidQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, WebError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| Self(value))
            .map_err(|rejection| WebError::BadRequest(rejection.body_text()))
    }
}

/// A path on this site to return to after an action; anything else (another
/// host, a scheme, `//evil`) falls back to `fallback`, so it cannot be used
/// as an open redirect.
pub(crate) fn local_path<'a>(candidate: Option<&'a str>, fallback: &'a str) -> &'a str {
    match candidate {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.chars().any(|c| c.is_control()) =>
        {
            path
        }
        _ => fallback,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path(Some("/dashboard"), "/"), "/dashboard");
        assert_eq!(local_path(Some("/a?b=c"), "/"), "/a?b=c");
        assert_eq!(local_path(Some("//evil.example"), "/"), "/");
        assert_eq!(local_path(Some("/\\evil.example"), "/"), "/");
        assert_eq!(local_path(Some("https://evil.example"), "/"), "/");
        assert_eq!(local_path(Some("/a\nb"), "/"), "/");
        assert_eq!(local_path(None, "/"), "/");
    }
}
