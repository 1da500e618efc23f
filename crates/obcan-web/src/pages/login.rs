//! Logging in and out. Today the demo identity provider; NIA and OpenID
//! Connect providers join the same page as they are configured.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use obcan_connect::identity::demo;
use serde::Deserialize;

use super::{Chrome, Section, ValidForm, ValidQuery, local_path, render};
use crate::error::WebError;
use crate::session::{self, Visitor, with_cookie};
use crate::state::AppState;

const AFTER_LOGIN: &str = "/dashboard";

/// Where to send someone who must log in first, and bring them back after.
pub(crate) fn login_url(back_to: &str) -> String {
    format!(
        "/login?{}",
        serde_urlencoded::to_string([("next", back_to)]).unwrap_or_default()
    )
}

#[derive(Debug, Deserialize)]
pub(crate) struct Next {
    next: Option<String>,
}

/// A button on a login page that leads to an outside provider.
#[derive(Debug)]
pub(crate) struct ProviderLink {
    pub label: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    providers: Vec<ProviderLink>,
    /// Offered once the office has registered someone at the counter.
    local_href: Option<String>,
    demo_href: Option<String>,
}

pub(crate) async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    ValidQuery(query): ValidQuery<Next>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&state, &visitor, "/login", Section::Login)?;
    let next =
        serde_urlencoded::to_string([("next", local_path(query.next.as_deref(), AFTER_LOGIN))])
            .unwrap_or_default();
    let providers = state
        .settings
        .logins
        .iter()
        .map(|login| ProviderLink {
            label: login.label(visitor.language).to_owned(),
            href: format!("{}?{next}", login.start_path()),
        })
        .collect();
    let local_href = state
        .store
        .local_accounts()
        .any()
        .await?
        .then(|| format!("/login/local?{next}"));
    let demo_href = state
        .settings
        .demo_identity
        .then(|| format!("/login/demo?{next}"));
    render(&LoginPage {
        chrome,
        providers,
        local_href,
        demo_href,
    })
}

#[derive(Debug)]
struct PersonaView {
    subject: &'static str,
    name: String,
    born: String,
    address: &'static str,
}

#[derive(Template)]
#[template(path = "login_demo.html")]
struct DemoLoginPage {
    chrome: Chrome,
    csrf: String,
    next: String,
    personas: Vec<PersonaView>,
}

pub(crate) async fn demo_page(
    State(state): State<AppState>,
    visitor: Visitor,
    ValidQuery(query): ValidQuery<Next>,
) -> Result<Response, WebError> {
    if !state.settings.demo_identity {
        return Err(WebError::NotFound);
    }
    // The form needs a session to bind its CSRF token to, even before login.
    let (token, cookie) = session::ensure(&state, &visitor).await?;
    let chrome = Chrome::new(&state, &visitor, "/login/demo", Section::Login)?;
    let personas = demo::PERSONAS
        .iter()
        .map(|persona| PersonaView {
            subject: persona.subject,
            name: format!("{} {}", persona.given_name, persona.family_name),
            born: chrome.t.date(persona.birth_date, visitor.language),
            address: persona.address,
        })
        .collect();
    let page = DemoLoginPage {
        csrf: crate::middleware::csrf::token_for(&state, &token)?,
        next: local_path(query.next.as_deref(), AFTER_LOGIN).to_owned(),
        chrome,
        personas,
    };
    Ok(with_cookie(render(&page)?, cookie))
}

#[derive(Debug, Deserialize)]
pub(crate) struct DemoLogin {
    subject: String,
    next: Option<String>,
}

pub(crate) async fn demo_submit(
    State(state): State<AppState>,
    visitor: Visitor,
    ValidForm(form): ValidForm<DemoLogin>,
) -> Result<Response, WebError> {
    if !state.settings.demo_identity {
        return Err(WebError::NotFound);
    }
    let assertion = demo::authenticate(&form.subject).map_err(|e| {
        tracing::warn!(reason = %e, "demo login refused");
        WebError::BadRequest(e.to_string())
    })?;
    let cookie = session::log_in(&state, &visitor, &assertion).await?;
    let target = local_path(form.next.as_deref(), AFTER_LOGIN);
    Ok(with_cookie(
        Redirect::to(target).into_response(),
        Some(cookie),
    ))
}

pub(crate) async fn logout(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, WebError> {
    let cookie = session::log_out(&state, &visitor).await?;
    Ok(with_cookie(
        (StatusCode::SEE_OTHER, [("location", "/")]).into_response(),
        Some(cookie),
    ))
}
