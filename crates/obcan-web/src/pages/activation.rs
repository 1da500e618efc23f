//! A citizen registered at the counter activates their account: the one-time
//! code from the receipt, then their own password and an authenticator app.
//! Wrong codes count towards the address's throttle like failed logins.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use obcan_core::audit::{Action, Actor, AuditEvent};
use obcan_core::credential::{ActivationCode, LOCKOUT};
use obcan_store::{Enrolment, LOCAL_PROVIDER, LocalAccount};
use serde::Deserialize;

use super::password_login::SetupPage;
use super::{Chrome, Section, ValidForm, render, render_with_status};
use crate::client_ip::ClientIp;
use crate::error::WebError;
use crate::local_login::{self, Account, SetupProblem};
use crate::middleware::csrf;
use crate::session::{self, Visitor, sha256_hex, with_cookie};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "activate.html")]
struct ActivatePage {
    chrome: Chrome,
    csrf: String,
    code: String,
    refused: bool,
}

pub(crate) async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, WebError> {
    code_form(&state, &visitor, String::new(), false).await
}

async fn code_form(
    state: &AppState,
    visitor: &Visitor,
    code: String,
    refused: bool,
) -> Result<Response, WebError> {
    let (token, cookie) = session::ensure(state, visitor).await?;
    let page = ActivatePage {
        chrome: Chrome::new(state, visitor, "/activate", Section::Login)?,
        csrf: csrf::token_for(state, &token)?,
        code,
        refused,
    };
    let response = if refused {
        render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)?
    } else {
        render(&page)?
    };
    Ok(with_cookie(response, cookie))
}

#[derive(Debug, Deserialize)]
pub(crate) struct CodeForm {
    code: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct SetupForm {
    code: String,
    password: String,
    confirmation: String,
    totp: String,
}

/// The account a typed code activates, if it is valid; a wrong code is
/// counted against the address and recorded.
async fn account_for(
    state: &AppState,
    ip: &ClientIp,
    typed: &str,
) -> Result<Option<(LocalAccount, String)>, WebError> {
    let now = state.now();
    let throttle = state.store.login_throttle();
    let throttled = throttle
        .failures(&ip.key(), now, LOCKOUT.address_window)
        .await?
        >= LOCKOUT.failures_per_address;
    let found = match ActivationCode::parse(typed) {
        Some(code) if !throttled => {
            let hash = sha256_hex(code.as_str());
            state
                .store
                .local_accounts()
                .by_activation_code(&hash, now)
                .await?
                .map(|account| (account, hash))
        }
        _ => None,
    };
    if found.is_none() {
        throttle
            .record_failure(&ip.key(), now, LOCKOUT.address_window)
            .await?;
        let reason = if throttled {
            "address throttled"
        } else {
            "invalid activation code"
        };
        let event = AuditEvent::new(now, Actor::Anonymous, Action::LoginFailed)
            .with("provider", LOCAL_PROVIDER)
            .with("reason", reason)
            .from_ip(ip.text());
        state.store.audit().append(&event).await?;
    }
    Ok(found)
}

pub(crate) async fn submit_code(
    State(state): State<AppState>,
    visitor: Visitor,
    ip: ClientIp,
    ValidForm(form): ValidForm<CodeForm>,
) -> Result<Response, WebError> {
    match account_for(&state, &ip, &form.code).await? {
        Some((account, _)) => setup_form(&state, &visitor, &account, &form.code, None).await,
        None => code_form(&state, &visitor, form.code, true).await,
    }
}

async fn setup_form(
    state: &AppState,
    visitor: &Visitor,
    account: &LocalAccount,
    code: &str,
    problem: Option<SetupProblem>,
) -> Result<Response, WebError> {
    let found = local_login::find_account(state, Account::Citizen(account.citizen))
        .await?
        .ok_or(WebError::NotFound)?;
    let secret = local_login::enrolment_secret(state, &found.credential).await?;
    let chrome = Chrome::new(state, visitor, "/activate", Section::Login)?;
    let csrf = chrome.csrf.clone().unwrap_or_default();
    let t = chrome.t;
    let mut page = SetupPage::new(state, chrome, csrf, &secret, account.login.as_str())?;
    page.title = t.local.activate_title;
    page.action = "/activate/setup";
    page.submit = t.local.submit_activate;
    page.hidden = vec![("code", code.trim().to_owned())];
    if let Some(problem) = problem {
        page.problem(problem);
    }
    page.respond()
}

pub(crate) async fn submit_setup(
    State(state): State<AppState>,
    visitor: Visitor,
    ip: ClientIp,
    ValidForm(form): ValidForm<SetupForm>,
) -> Result<Response, WebError> {
    let Some((account, code_hash)) = account_for(&state, &ip, &form.code).await? else {
        return code_form(&state, &visitor, form.code, true).await;
    };
    let found = local_login::find_account(&state, Account::Citizen(account.citizen))
        .await?
        .ok_or(WebError::NotFound)?;
    let secret = local_login::enrolment_secret(&state, &found.credential).await?;
    let checked = local_login::check_setup(
        &state,
        &found,
        &secret,
        &form.password,
        &form.confirmation,
        &form.totp,
    )
    .await?;
    let (hash, step) = match checked {
        Ok(done) => done,
        Err(problem) => {
            return setup_form(&state, &visitor, &account, &form.code, Some(problem)).await;
        }
    };
    let now = state.now();
    let event = AuditEvent::new(
        now,
        Actor::Citizen(account.citizen),
        Action::CitizenActivated,
    )
    .about_citizen(account.citizen)
    .from_ip(ip.text());
    let activated = state
        .store
        .local_accounts()
        .activate(
            &account,
            &code_hash,
            Enrolment {
                password: &hash,
                secret: &secret,
                step,
            },
            now,
            &event,
        )
        .await?;
    if !activated {
        return code_form(&state, &visitor, form.code, true).await;
    }
    Ok(Redirect::to("/login/local?activated=1").into_response())
}
