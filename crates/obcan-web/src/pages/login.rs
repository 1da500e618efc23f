//! Logging in and out. Today the demo identity provider; NIA and OpenID
//! Connect providers join the same page as they are configured.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use obcan_connect::identity::demo;
use serde::Deserialize;

use obcan_core::citizen::CitizenId;
use obcan_core::identity::{Assertion, Loa};
use obcan_store::PendingLogin;

use super::{Chrome, Section, ValidForm, ValidQuery, account, local_path, oidc, render, saml};
use crate::error::WebError;
use crate::session::{self, Visitor, sha256_hex, with_cookie};
use crate::state::AppState;

const AFTER_LOGIN: &str = "/dashboard";

/// Where to send someone who must log in first, and bring them back after.
pub(crate) fn login_url(back_to: &str) -> String {
    format!(
        "/login?{}",
        serde_urlencoded::to_string([("next", back_to)]).unwrap_or_default()
    )
}

/// Where to send someone logged in too weakly for a page: to log in with a
/// means that reaches `needed`, then back.
pub(crate) fn step_up_url(back_to: &str, needed: Loa) -> String {
    format!(
        "/login?{}",
        serde_urlencoded::to_string([("next", back_to), ("loa", needed.as_str())])
            .unwrap_or_default()
    )
}

#[derive(Debug, Deserialize)]
pub(crate) struct Next {
    next: Option<String>,
    /// The level a page asked for, when a weaker login was turned away.
    loa: Option<Loa>,
}

/// The query of a login's start at an outside provider.
#[derive(Debug, Deserialize)]
pub(crate) struct Start {
    next: Option<String>,
    /// Present when a logged-in citizen links another means to their account.
    link: Option<String>,
}

impl Start {
    pub(crate) fn next_path(&self) -> &str {
        local_path(self.next.as_deref(), AFTER_LOGIN)
    }

    /// The account to link the means to, if this start is a link.
    pub(crate) fn link_to(&self, visitor: &Visitor) -> Option<CitizenId> {
        self.link.as_ref()?;
        visitor.session.as_ref()?.citizen.map(|(id, _)| id)
    }
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
    /// The level the page the visitor came from needs, in words.
    step_up: Option<&'static str>,
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
        step_up: query.loa.map(|loa| chrome.t.loa(loa)),
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
    let cookie = session::log_in(&state, &visitor, &assertion, None).await?;
    let target = local_path(form.next.as_deref(), AFTER_LOGIN);
    Ok(with_cookie(
        Redirect::to(target).into_response(),
        Some(cookie),
    ))
}

/// Ends the session here, then, where the provider of its login supports
/// it, there too. A provider that fails to log the person out never keeps
/// them logged in here.
pub(crate) async fn logout(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, WebError> {
    let (cookie, ended) = session::log_out(&state, &visitor).await?;
    let at_provider = match ended.as_ref().and_then(|ended| {
        Some((
            ended.provider.as_deref()?,
            ended.provider_logout.as_deref()?,
        ))
    }) {
        Some((provider, logout)) => logout_at_provider(&state, &visitor, provider, logout)
            .await
            .unwrap_or_else(|error| {
                tracing::warn!(%error, provider, "logout at the identity provider failed");
                None
            }),
        None => None,
    };
    let response = at_provider.unwrap_or_else(|| Redirect::to("/").into_response());
    Ok(with_cookie(response, Some(cookie)))
}

/// The way to the provider's own logout, for a session that came from one
/// that supports it.
async fn logout_at_provider(
    state: &AppState,
    visitor: &Visitor,
    provider: &str,
    logout: &str,
) -> Result<Option<Response>, WebError> {
    if state.settings.saml(provider).is_some() {
        saml::single_logout(state, visitor, provider, logout).await
    } else {
        oidc::single_logout(state, visitor, provider, logout).await
    }
}

/// Where a login at an outside provider ends: a new session, or, when it was
/// started from the account page, another means linked to the account.
pub(crate) async fn complete(
    state: &AppState,
    visitor: &Visitor,
    pending: &PendingLogin,
    assertion: &Assertion,
    provider_logout: Option<&str>,
) -> Result<Response, WebError> {
    if let Some(citizen) = pending.link_to {
        return account::link_means(state, visitor, citizen, assertion).await;
    }
    let cookie = session::log_in(state, visitor, assertion, provider_logout).await?;
    let target = local_path(Some(&pending.next_path), AFTER_LOGIN);
    Ok(with_cookie(
        Redirect::to(target).into_response(),
        Some(cookie),
    ))
}

/// The login attempt a provider's return names by `returned_state`, if this
/// session started it and it is still open; taken, so that it serves once.
pub(crate) async fn take_attempt(
    state: &AppState,
    visitor: &Visitor,
    provider: &str,
    returned_state: &str,
) -> Result<PendingLogin, WebError> {
    let session = visitor.session.as_ref().ok_or_else(|| {
        WebError::LoginFailed(format!(
            "{provider}: return without the session that started it"
        ))
    })?;
    state
        .store
        .login_attempts()
        .take(
            &sha256_hex(returned_state),
            &session.token.id_hash(),
            provider,
            state.now(),
        )
        .await?
        .ok_or_else(|| {
            WebError::LoginFailed(format!(
                "{provider}: unknown, expired, reused or foreign login"
            ))
        })
}

/// Passes a provider's return through, recording it in the audit log when
/// the login did not succeed.
pub(crate) async fn audit_failure(
    state: &AppState,
    visitor: &Visitor,
    provider: &str,
    result: Result<Response, WebError>,
) -> Result<Response, WebError> {
    if let Err(WebError::LoginFailed(reason)) = &result {
        session::record_failed_login(state, visitor, provider, reason).await?;
    }
    result
}
