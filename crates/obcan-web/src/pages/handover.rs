//! Hand-over pages: a form that takes the person to an identity provider
//! with a message for it (a signed SAML request, a logout request). It
//! submits itself where JavaScript runs, and has a button where it does not.
//! Its CSP lets that one form leave the site, to the provider's origin only.

use askama::Template;
use axum::http::header::CONTENT_SECURITY_POLICY;
use axum::response::Response;

use super::{Chrome, Section, render};
use crate::assets;
use crate::error::WebError;
use crate::middleware::security_headers::csp_posting_to;

#[derive(Template)]
#[template(path = "handover.html")]
pub(crate) struct HandoverPage {
    pub chrome: Chrome,
    pub title: &'static str,
    pub lead: &'static str,
    pub button: String,
    /// `post`, or `get` for a provider that takes its parameters in the URL.
    pub method: &'static str,
    pub destination: String,
    pub fields: Vec<(String, String)>,
}

impl HandoverPage {
    fn script_url(&self) -> String {
        assets::url("autosubmit.js")
    }

    /// The page's response, allowed to submit its form to the provider.
    pub(crate) fn respond(self) -> Result<Response, WebError> {
        let origin = url::Url::parse(&self.destination)
            .map_err(|e| {
                WebError::LoginUnavailable(format!("provider endpoint {:?}: {e}", self.destination))
            })?
            .origin()
            .ascii_serialization();
        let csp = csp_posting_to(&origin)?;
        let mut response = render(&self)?;
        response.headers_mut().insert(CONTENT_SECURITY_POLICY, csp);
        Ok(response)
    }

    /// A GET form's fields from a URL's query; the form's action is the URL
    /// without it (browsers replace an action's query with the fields).
    pub(crate) fn get_form(url: &str) -> Result<(String, Vec<(String, String)>), WebError> {
        let mut parsed = url::Url::parse(url)
            .map_err(|e| WebError::Internal(format!("provider endpoint {url:?}: {e}")))?;
        let fields = parsed
            .query_pairs()
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
            .collect();
        parsed.set_query(None);
        Ok((parsed.to_string(), fields))
    }
}
