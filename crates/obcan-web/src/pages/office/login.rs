//! Staff login through the office's own OpenID provider. The password login
//! is in `pages::password_login`.
//!
//! An account at the office's provider is linked to a staff member by an
//! administrator, who enters the account's identifier (`sub`): the portal
//! trusts no claim (e-mail, name) to decide whose account it is. Someone
//! whose account is not linked yet sees their identifier, to hand it over.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use obcan_connect::identity::oidc::OidcProvider;
use obcan_core::audit::{Action, Actor, AuditEvent};
use serde::Deserialize;

use crate::client_ip::ClientIp;
use crate::error::WebError;
use crate::pages::oidc::{Callback, send_to_provider, take_return};
use crate::pages::{Chrome, Section, ValidQuery, local_path, render_with_status};
use crate::session::{self, Visitor, with_cookie};
use crate::state::AppState;

const AFTER_LOGIN: &str = "/office";

/// Where to send someone who must log in as staff first, and bring them back after.
pub(crate) fn office_login_url(back_to: &str) -> String {
    format!(
        "/office/login?{}",
        serde_urlencoded::to_string([("next", back_to)]).unwrap_or_default()
    )
}

fn provider<'a>(state: &'a AppState, id: &str) -> Result<&'a OidcProvider, WebError> {
    state
        .settings
        .office_oidc(id)
        .map(AsRef::as_ref)
        .ok_or(WebError::NotFound)
}

fn redirect_uri(state: &AppState, id: &str) -> String {
    format!(
        "{}/office/login/oidc/{id}/callback",
        state.settings.public_url.trim_end_matches('/')
    )
}

/// Login attempts of staff are kept apart from citizens' at a provider of the same id.
fn attempt_provider(id: &str) -> String {
    format!("office:{id}")
}

#[derive(Debug, Deserialize)]
pub(crate) struct Start {
    next: Option<String>,
}

pub(crate) async fn start(
    State(state): State<AppState>,
    Path(id): Path<String>,
    visitor: Visitor,
    ValidQuery(query): ValidQuery<Start>,
) -> Result<Response, WebError> {
    let login = provider(&state, &id)?;
    let next_path = local_path(query.next.as_deref(), AFTER_LOGIN).to_owned();
    let redirect_uri = redirect_uri(&state, &id);
    send_to_provider(
        &state,
        &visitor,
        login,
        &redirect_uri,
        attempt_provider(&id),
        next_path,
        None,
    )
    .await
}

#[derive(Template)]
#[template(path = "office_unlinked.html")]
struct UnlinkedPage {
    chrome: Chrome,
    provider: String,
    subject: String,
}

pub(crate) async fn callback(
    State(state): State<AppState>,
    Path(id): Path<String>,
    visitor: Visitor,
    ip: ClientIp,
    ValidQuery(callback): ValidQuery<Callback>,
) -> Result<Response, WebError> {
    let login = provider(&state, &id)?;
    let redirect_uri = redirect_uri(&state, &id);
    let (pending, logged_in) = take_return(
        &state,
        &visitor,
        login,
        &redirect_uri,
        &attempt_provider(&id),
        callback,
    )
    .await?;
    let subject = logged_in.assertion.subject.as_str();
    let staff = state.store.staff().by_oidc(&id, subject).await?;
    let active = match staff {
        Some(staff) => state
            .store
            .staff()
            .active_grants(staff)
            .await?
            .map(|_| staff),
        None => None,
    };
    let Some(staff) = active else {
        let mut event = AuditEvent::new(state.now(), Actor::Anonymous, Action::StaffLoginFailed)
            .with("provider", id.clone())
            .with("subject", subject)
            .from_ip(ip.text());
        if let Some(staff) = staff {
            event = event.about_staff(staff).with("reason", "staff disabled");
            state.store.audit().append(&event).await?;
            return Err(WebError::LoginFailed(format!(
                "office {id}: staff disabled"
            )));
        }
        state
            .store
            .audit()
            .append(&event.with("reason", "not linked"))
            .await?;
        let page = UnlinkedPage {
            chrome: Chrome::new(&state, &visitor, "/office/login", Section::Office)?,
            provider: id,
            subject: subject.to_owned(),
        };
        return render_with_status(StatusCode::FORBIDDEN, &page);
    };
    let cookie = session::log_in_staff(&state, &visitor, staff, &id).await?;
    let event = AuditEvent::new(state.now(), Actor::Staff(staff.uuid()), Action::StaffLogin)
        .about_staff(staff)
        .with("provider", id)
        .from_ip(ip.text());
    state.store.audit().append(&event).await?;
    let target = local_path(Some(&pending.next_path), AFTER_LOGIN);
    Ok(with_cookie(
        Redirect::to(target).into_response(),
        Some(cookie),
    ))
}
