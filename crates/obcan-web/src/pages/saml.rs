//! Login through a SAML identity provider (NIA): hand the person over with a
//! signed request, take the signed and encrypted answer back.
//!
//! The answer arrives as a cross-site POST, which carries no SameSite
//! cookie, so it cannot be matched to the session that started the login
//! right away. The assertion consumer service therefore only files the
//! answer, unread, under the login attempt its `RelayState` names (once), and
//! sends the browser on to a same-site GET that carries the session cookie.
//! There the attempt is taken by the session that started it, and only then
//! is the answer verified and the person logged in. An answer replayed, or
//! posted into another person's browser, finds nothing to finish.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use obcan_connect::identity::saml::{SamlError, SamlProvider};
use obcan_store::LoginAttempt;
use serde::Deserialize;

use super::{Chrome, Section, ValidForm, ValidQuery, local_path, render};
use crate::assets;
use crate::error::WebError;
use crate::middleware::security_headers::csp_posting_to;
use crate::session::{self, Visitor, sha256_hex, with_cookie};
use crate::state::AppState;

/// How long a person may take at the identity provider.
const ATTEMPT_LIFETIME: jiff::SignedDuration = jiff::SignedDuration::from_mins(15);

fn provider<'a>(state: &'a AppState, id: &str) -> Result<&'a SamlProvider, WebError> {
    state
        .settings
        .saml(id)
        .map(AsRef::as_ref)
        .ok_or(WebError::NotFound)
}

fn login_error(error: SamlError) -> WebError {
    match error {
        SamlError::Unreachable(_) => WebError::LoginUnavailable(error.to_string()),
        SamlError::Settings(_) => WebError::Internal(error.to_string()),
        SamlError::Response(_) | SamlError::Missing(_) => WebError::LoginFailed(error.to_string()),
    }
}

/// The portal's SAML metadata for this provider, which its operator registers.
pub(crate) async fn metadata(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let xml = provider(&state, &id)?
        .metadata_xml()
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(([(CONTENT_TYPE, "application/samlmetadata+xml")], xml).into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct Start {
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "login_handover.html")]
struct HandoverPage {
    chrome: Chrome,
    destination: String,
    fields: Vec<(&'static str, String)>,
    provider_label: String,
    script_url: String,
}

fn random_token() -> Result<String, WebError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| WebError::Internal(format!("no randomness: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// The origin (scheme, host and port) of a URL, for the page's CSP.
fn origin(url: &str) -> Result<String, WebError> {
    let parsed = url::Url::parse(url)
        .map_err(|e| WebError::LoginUnavailable(format!("sign-on endpoint {url:?}: {e}")))?;
    Ok(parsed.origin().ascii_serialization())
}

pub(crate) async fn start(
    State(state): State<AppState>,
    Path(id): Path<String>,
    visitor: Visitor,
    ValidQuery(query): ValidQuery<Start>,
) -> Result<Response, WebError> {
    let saml = provider(&state, &id)?;
    let (token, cookie) = session::ensure(&state, &visitor).await?;
    let request = saml.start().await.map_err(login_error)?;
    let relay_state = random_token()?;
    let attempt = LoginAttempt {
        state_hash: sha256_hex(&relay_state),
        session_hash: token.id_hash(),
        provider: id.clone(),
        nonce: request.request_id,
        pkce_verifier: String::new(),
        next_path: local_path(query.next.as_deref(), "/dashboard").to_owned(),
        expires_at: state
            .now()
            .checked_add(ATTEMPT_LIFETIME)
            .map_err(|e| WebError::Internal(e.to_string()))?,
    };
    state.store.login_attempts().insert(&attempt).await?;
    let label = state
        .settings
        .logins
        .iter()
        .find(|login| login.id() == id)
        .map(|login| login.label(visitor.language).to_owned())
        .unwrap_or_default();
    let csp = csp_posting_to(&origin(&request.destination)?)?;
    let page = HandoverPage {
        chrome: Chrome::new(&state, &visitor, "/login", Section::Login)?,
        destination: request.destination,
        fields: vec![
            ("SAMLRequest", request.saml_request),
            ("RelayState", relay_state),
        ],
        provider_label: label,
        script_url: assets::url("autosubmit.js"),
    };
    let mut response = with_cookie(render(&page)?, cookie);
    response.headers_mut().insert(CONTENT_SECURITY_POLICY, csp);
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub(crate) struct Answer {
    #[serde(rename = "SAMLResponse")]
    saml_response: Option<String>,
    #[serde(rename = "RelayState")]
    relay_state: Option<String>,
}

/// The assertion consumer service: files the answer for the session that
/// started the login to finish.
pub(crate) async fn acs(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ValidForm(answer): ValidForm<Answer>,
) -> Result<Response, WebError> {
    provider(&state, &id)?;
    let (Some(saml_response), Some(relay_state)) = (answer.saml_response, answer.relay_state)
    else {
        return Err(WebError::LoginFailed(format!(
            "{id}: answer without SAMLResponse or RelayState"
        )));
    };
    let recorded = state
        .store
        .login_attempts()
        .record_answer(&sha256_hex(&relay_state), &id, &saml_response, state.now())
        .await?;
    if !recorded {
        return Err(WebError::LoginFailed(format!(
            "{id}: answer for an unknown, expired or already answered login"
        )));
    }
    let finish = format!(
        "/login/saml/{id}/finish?{}",
        serde_urlencoded::to_string([("RelayState", &relay_state)]).unwrap_or_default()
    );
    Ok(Redirect::to(&finish).into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct Finish {
    #[serde(rename = "RelayState")]
    relay_state: Option<String>,
}

pub(crate) async fn finish(
    State(state): State<AppState>,
    Path(id): Path<String>,
    visitor: Visitor,
    ValidQuery(query): ValidQuery<Finish>,
) -> Result<Response, WebError> {
    let saml = provider(&state, &id)?;
    let relay_state = query
        .relay_state
        .ok_or_else(|| WebError::LoginFailed(format!("{id}: finish without RelayState")))?;
    let session = visitor.session.as_ref().ok_or_else(|| {
        WebError::LoginFailed(format!("{id}: return without the session that started it"))
    })?;
    let pending = state
        .store
        .login_attempts()
        .take(
            &sha256_hex(&relay_state),
            &session.token.id_hash(),
            &id,
            state.now(),
        )
        .await?
        .ok_or_else(|| {
            WebError::LoginFailed(format!("{id}: unknown, expired, reused or foreign login"))
        })?;
    let answer = pending
        .provider_answer
        .ok_or_else(|| WebError::LoginFailed(format!("{id}: finish before any answer")))?;
    let assertion = saml
        .finish(&answer, &pending.nonce)
        .await
        .map_err(login_error)?;
    let cookie = session::log_in(&state, &visitor, &assertion).await?;
    let target = local_path(Some(&pending.next_path), "/dashboard");
    Ok(with_cookie(
        Redirect::to(target).into_response(),
        Some(cookie),
    ))
}
