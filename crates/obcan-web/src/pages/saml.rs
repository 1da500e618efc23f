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

use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Redirect, Response};
use obcan_connect::identity::saml::{IdpSession, SamlError, SamlProvider};
use obcan_store::LoginAttempt;
use serde::Deserialize;

use super::handover::HandoverPage;
use super::{Chrome, Section, ValidForm, ValidQuery, login};
use crate::error::WebError;
use crate::session::{self, Visitor, random_token, sha256_hex, with_cookie};
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

pub(crate) async fn start(
    State(state): State<AppState>,
    Path(id): Path<String>,
    visitor: Visitor,
    ValidQuery(query): ValidQuery<login::Start>,
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
        next_path: query.next_path().to_owned(),
        expires_at: attempt_expiry(&state)?,
        link_to: query.link_to(&visitor),
    };
    state.store.login_attempts().insert(&attempt).await?;
    let label = state
        .settings
        .logins
        .iter()
        .find(|login| login.id() == id)
        .map(|login| login.label(visitor.language).to_owned())
        .unwrap_or_default();
    let chrome = Chrome::new(&state, &visitor, "/login", Section::Login)?;
    let page = HandoverPage {
        method: "post",
        title: chrome.t.login_handover_title,
        lead: chrome.t.login_handover_lead,
        button: format!("{}: {label}", chrome.t.login_handover_continue),
        chrome,
        destination: request.destination,
        fields: vec![
            ("SAMLRequest".to_owned(), request.saml_request),
            ("RelayState".to_owned(), relay_state),
        ],
    };
    Ok(with_cookie(page.respond()?, cookie))
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
    visitor: Visitor,
    ValidForm(answer): ValidForm<Answer>,
) -> Result<Response, WebError> {
    let result = file_answer(&state, &id, answer).await;
    login::audit_failure(&state, &visitor, &id, result).await
}

async fn file_answer(state: &AppState, id: &str, answer: Answer) -> Result<Response, WebError> {
    provider(state, id)?;
    let (Some(saml_response), Some(relay_state)) = (answer.saml_response, answer.relay_state)
    else {
        return Err(WebError::LoginFailed(format!(
            "{id}: answer without SAMLResponse or RelayState"
        )));
    };
    let recorded = state
        .store
        .login_attempts()
        .record_answer(&sha256_hex(&relay_state), id, &saml_response, state.now())
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
    let result = finish_login(&state, &id, &visitor, query).await;
    login::audit_failure(&state, &visitor, &id, result).await
}

async fn finish_login(
    state: &AppState,
    id: &str,
    visitor: &Visitor,
    query: Finish,
) -> Result<Response, WebError> {
    let saml = provider(state, id)?;
    let relay_state = query
        .relay_state
        .ok_or_else(|| WebError::LoginFailed(format!("{id}: finish without RelayState")))?;
    let pending = login::take_attempt(state, visitor, id, &relay_state).await?;
    let answer = pending
        .provider_answer
        .as_deref()
        .ok_or_else(|| WebError::LoginFailed(format!("{id}: finish before any answer")))?;
    let login = saml
        .finish(answer, &pending.nonce)
        .await
        .map_err(login_error)?;
    let logout = login
        .session
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| WebError::Internal(format!("IdP session: {e}")))?;
    login::complete(
        state,
        visitor,
        &pending,
        &login.assertion,
        logout.as_deref(),
    )
    .await
}

/// After the session here has ended: the page that logs the person out at
/// the identity provider too, if the session came from one that can.
pub(crate) async fn single_logout(
    state: &AppState,
    visitor: &Visitor,
    provider_id: &str,
    logout: &str,
) -> Result<Option<Response>, WebError> {
    let Some(saml) = state.settings.saml(provider_id) else {
        return Ok(None);
    };
    let session: IdpSession = serde_json::from_str(logout)
        .map_err(|e| WebError::Internal(format!("stored IdP session: {e}")))?;
    let Some(request) = saml
        .logout(&session, state.now())
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?
    else {
        return Ok(None);
    };
    // Bound to no session: the one it ended is gone, and the answer arrives
    // cross-site anyway. The relay state alone, once, finds it.
    let relay_state = random_token()?;
    let attempt = LoginAttempt {
        state_hash: sha256_hex(&relay_state),
        session_hash: String::new(),
        provider: provider_id.to_owned(),
        nonce: request.request_id,
        pkce_verifier: String::new(),
        next_path: "/".to_owned(),
        expires_at: attempt_expiry(state)?,
        link_to: None,
    };
    state.store.login_attempts().insert(&attempt).await?;
    let chrome = Chrome::anonymous(state, visitor.language, "/", Section::Other);
    let page = HandoverPage {
        method: "post",
        title: chrome.t.logout_handover_title,
        lead: chrome.t.logout_handover_lead,
        button: chrome.t.logout_handover_continue.to_owned(),
        chrome,
        destination: request.destination,
        fields: vec![
            ("SAMLRequest".to_owned(), request.saml_request),
            ("RelayState".to_owned(), relay_state),
        ],
    };
    page.respond().map(Some)
}

/// The identity provider's answer to a logout: checked, then home. Whatever
/// it says, the session here ended before the person was sent there.
pub(crate) async fn slo(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ValidForm(answer): ValidForm<Answer>,
) -> Result<Response, WebError> {
    let saml = provider(&state, &id)?;
    let (Some(saml_response), Some(relay_state)) = (answer.saml_response, answer.relay_state)
    else {
        return Err(WebError::BadRequest(format!(
            "{id}: logout answer without SAMLResponse or RelayState"
        )));
    };
    let pending = state
        .store
        .login_attempts()
        .take(&sha256_hex(&relay_state), "", &id, state.now())
        .await?
        .ok_or_else(|| {
            WebError::BadRequest(format!("{id}: logout answer for no logout of ours"))
        })?;
    if let Err(error) = saml.finish_logout(&saml_response, &pending.nonce).await {
        tracing::warn!(%error, provider = id, "logout at the identity provider not confirmed");
    }
    Ok(Redirect::to("/").into_response())
}

fn attempt_expiry(state: &AppState) -> Result<jiff::Timestamp, WebError> {
    state
        .now()
        .checked_add(ATTEMPT_LIFETIME)
        .map_err(|e| WebError::Internal(e.to_string()))
}
