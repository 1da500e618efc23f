//! Login through an OpenID provider: send the person there, and take them back.
//!
//! What the return must match (state, nonce, PKCE verifier) stays on the
//! server, bound to the session that started the login and usable once. A
//! return that matches nothing, or that the provider marks as an error,
//! creates nothing and ends on the "login did not succeed" page.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use obcan_connect::identity::oidc::{OidcError, OidcProvider};
use obcan_store::LoginAttempt;
use serde::Deserialize;

use super::{ValidQuery, local_path};
use crate::error::WebError;
use crate::session::{self, Visitor, sha256_hex, with_cookie};
use crate::state::AppState;

/// How long a person may take at the provider.
const ATTEMPT_LIFETIME: jiff::SignedDuration = jiff::SignedDuration::from_mins(10);

#[derive(Debug, Deserialize)]
pub(crate) struct Start {
    next: Option<String>,
}

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

pub(crate) fn login_error(error: OidcError) -> WebError {
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
    ValidQuery(query): ValidQuery<Start>,
) -> Result<Response, WebError> {
    let login = provider(&state, &id)?;
    let (token, cookie) = session::ensure(&state, &visitor).await?;
    let started = login
        .start(&redirect_uri(&state, &id))
        .await
        .map_err(login_error)?;
    let attempt = LoginAttempt {
        state_hash: sha256_hex(&started.state),
        session_hash: token.id_hash(),
        provider: id,
        nonce: started.nonce,
        pkce_verifier: started.pkce_verifier,
        next_path: local_path(query.next.as_deref(), "/dashboard").to_owned(),
        expires_at: state
            .now()
            .checked_add(ATTEMPT_LIFETIME)
            .map_err(|e| WebError::Internal(e.to_string()))?,
    };
    state.store.login_attempts().insert(&attempt).await?;
    Ok(with_cookie(
        Redirect::to(&started.authorization_url).into_response(),
        cookie,
    ))
}

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
    let login = provider(&state, &id)?;
    if let Some(error) = callback.error {
        let description = callback.error_description.unwrap_or_default();
        return Err(WebError::LoginFailed(format!(
            "{id} answered {error}: {description}"
        )));
    }
    let (Some(code), Some(returned_state)) = (callback.code, callback.state) else {
        return Err(WebError::LoginFailed(format!(
            "{id}: return without code or state"
        )));
    };
    let session = visitor.session.as_ref().ok_or_else(|| {
        WebError::LoginFailed(format!("{id}: return without the session that started it"))
    })?;
    let pending = state
        .store
        .login_attempts()
        .take(
            &sha256_hex(&returned_state),
            &session.token.id_hash(),
            &id,
            state.now(),
        )
        .await?
        .ok_or_else(|| {
            WebError::LoginFailed(format!("{id}: unknown, expired, reused or foreign state"))
        })?;
    let assertion = login
        .finish(
            &redirect_uri(&state, &id),
            &code,
            &pending.nonce,
            &pending.pkce_verifier,
        )
        .await
        .map_err(login_error)?;
    let cookie = session::log_in(&state, &visitor, &assertion).await?;
    let target = local_path(Some(&pending.next_path), "/dashboard");
    Ok(with_cookie(
        Redirect::to(target).into_response(),
        Some(cookie),
    ))
}
