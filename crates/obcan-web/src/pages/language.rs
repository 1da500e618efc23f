//! The language switch. A link, not a form: it only sets the visitor's own
//! preference cookie, changes nothing on the server, and so needs no CSRF token.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use obcan_core::language::Language;
use serde::Deserialize;

use super::{ValidQuery, local_path};
use crate::error::WebError;
use crate::session::{language_cookie, with_cookie};
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub(crate) struct Switch {
    next: Option<String>,
}

pub(crate) fn switch_url(language: Language, back_to: &str) -> String {
    let next = serde_urlencoded::to_string([("next", back_to)]).unwrap_or_default();
    format!("/lang/{}?{next}", language.tag())
}

pub(crate) async fn switch(
    State(state): State<AppState>,
    Path(tag): Path<String>,
    ValidQuery(switch): ValidQuery<Switch>,
) -> Result<Response, WebError> {
    let language: Language = tag.parse().map_err(|_| WebError::NotFound)?;
    let target = local_path(switch.next.as_deref(), "/");
    let cookie = language_cookie(language, state.settings.secure_cookies)?;
    Ok(with_cookie(
        Redirect::to(target).into_response(),
        Some(cookie),
    ))
}
