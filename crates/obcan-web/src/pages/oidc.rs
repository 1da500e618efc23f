//! Login through an OpenID provider: send the person there, and take them back.
//!
//! What the return must match (state, nonce, PKCE verifier) stays on the
//! server, bound to the session that started the login and usable once. A
//! return that matches nothing, or that the provider marks as an error,
//! creates nothing and ends on the "login did not succeed" page.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use obcan_connect::identity::oidc::{LoggedIn, OidcError, OidcProvider};
use obcan_core::citizen::CitizenId;
use obcan_store::{LoginAttempt, PendingLogin};
use serde::Deserialize;

use super::handover::HandoverPage;
use super::{Chrome, Section, ValidQuery, login};
use crate::error::WebError;
use crate::session::{self, Visitor, random_token, sha256_hex, with_cookie};
use crate::state::AppState;

/// How long a person may take at the provider.
const ATTEMPT_LIFETIME: jiff::SignedDuration = jiff::SignedDuration::from_mins(10);

fn provider<'a>(state: &'a AppState, id: &str) -> Result<&'a OidcProvider, WebError> {
    state
        .settings
        .oidc(id)
        .map(AsRef::as_ref)
        .ok_or(WebError::NotFound)
}

fn redirect_uri(state: &AppState, id: &str) -> String {
    format!(
        "{}/login/oidc/{id}/callback",
        state.settings.public_url.trim_end_matches('/')
    )
}

fn login_error(error: OidcError) -> WebError {
    match error {
        OidcError::Unreachable(_) => WebError::LoginUnavailable(error.to_string()),
        OidcError::Settings(_) => WebError::Internal(error.to_string()),
        OidcError::Token(_) | OidcError::IdToken(_) | OidcError::Missing(_) => {
            WebError::LoginFailed(error.to_string())
        }
    }
}

pub(crate) async fn start(
    State(state): State<AppState>,
    Path(id): Path<String>,
    visitor: Visitor,
    ValidQuery(query): ValidQuery<login::Start>,
) -> Result<Response, WebError> {
    let login = provider(&state, &id)?;
    let next_path = query.next_path().to_owned();
    let link_to = query.link_to(&visitor);
    let redirect_uri = redirect_uri(&state, &id);
    send_to_provider(
        &state,
        &visitor,
        login,
        &redirect_uri,
        id,
        next_path,
        link_to,
    )
    .await
}

/// Sends the visitor to `login` to authenticate: a login attempt, bound to
/// the visitor's session under `attempt_provider`, and the redirect there.
pub(crate) async fn send_to_provider(
    state: &AppState,
    visitor: &Visitor,
    login: &OidcProvider,
    redirect_uri: &str,
    attempt_provider: String,
    next_path: String,
    link_to: Option<CitizenId>,
) -> Result<Response, WebError> {
    let (token, cookie) = session::ensure(state, visitor).await?;
    let started = login.start(redirect_uri).await.map_err(login_error)?;
    let attempt = LoginAttempt {
        state_hash: sha256_hex(&started.state),
        session_hash: token.id_hash(),
        provider: attempt_provider,
        nonce: started.nonce,
        pkce_verifier: started.pkce_verifier,
        next_path,
        expires_at: state
            .now()
            .checked_add(ATTEMPT_LIFETIME)
            .map_err(|e| WebError::Internal(e.to_string()))?,
        link_to,
    };
    state.store.login_attempts().insert(&attempt).await?;
    Ok(with_cookie(
        Redirect::to(&started.authorization_url).into_response(),
        cookie,
    ))
}

/// What a provider sends the person back with.
#[derive(Debug, Deserialize)]
pub(crate) struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

pub(crate) async fn callback(
    State(state): State<AppState>,
    Path(id): Path<String>,
    visitor: Visitor,
    ValidQuery(callback): ValidQuery<Callback>,
) -> Result<Response, WebError> {
    let result = finish(&state, &id, &visitor, callback).await;
    login::audit_failure(&state, &visitor, &id, result).await
}

async fn finish(
    state: &AppState,
    id: &str,
    visitor: &Visitor,
    callback: Callback,
) -> Result<Response, WebError> {
    let login = provider(state, id)?;
    let (pending, logged_in) = take_return(
        state,
        visitor,
        login,
        &redirect_uri(state, id),
        id,
        callback,
    )
    .await?;
    // The ID token stays with the session: logging out at the provider names it.
    login::complete(
        state,
        visitor,
        &pending,
        &logged_in.assertion,
        Some(&logged_in.id_token),
    )
    .await
}

/// The person a provider's return names, checked against the login attempt
/// this session started under `attempt_provider` (taken, so once only).
pub(crate) async fn take_return(
    state: &AppState,
    visitor: &Visitor,
    login: &OidcProvider,
    redirect_uri: &str,
    attempt_provider: &str,
    callback: Callback,
) -> Result<(PendingLogin, LoggedIn), WebError> {
    if let Some(error) = callback.error {
        let description = callback.error_description.unwrap_or_default();
        return Err(WebError::LoginFailed(format!(
            "{attempt_provider} answered {error}: {description}"
        )));
    }
    let (Some(code), Some(returned_state)) = (callback.code, callback.state) else {
        return Err(WebError::LoginFailed(format!(
            "{attempt_provider}: return without code or state"
        )));
    };
    let pending = login::take_attempt(state, visitor, attempt_provider, &returned_state).await?;
    let logged_in = login
        .finish(redirect_uri, &code, &pending.nonce, &pending.pkce_verifier)
        .await
        .map_err(login_error)?;
    Ok((pending, logged_in))
}

/// After the session here has ended: to the provider's end-session endpoint
/// (RP-initiated logout), which sends the person back to the home page.
pub(crate) async fn single_logout(
    state: &AppState,
    visitor: &Visitor,
    id: &str,
    id_token: &str,
) -> Result<Option<Response>, WebError> {
    let Some(login) = state.settings.oidc(id) else {
        return Ok(None);
    };
    let home = format!("{}/", state.settings.public_url.trim_end_matches('/'));
    let url = login
        .logout_url(id_token, &home, &random_token()?)
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let Some(url) = url else {
        return Ok(None);
    };
    // A page of ours rather than a redirect: the logout form's redirect to
    // another origin would be held to the form-action of the page it came from.
    let (destination, fields) = HandoverPage::get_form(&url)?;
    let chrome = Chrome::anonymous(state, visitor.language, "/", Section::Other);
    HandoverPage {
        title: chrome.t.logout_handover_title,
        lead: chrome.t.logout_handover_lead,
        button: chrome.t.logout_handover_continue.to_owned(),
        chrome,
        method: "get",
        destination,
        fields,
    }
    .respond()
    .map(Some)
}
