//! The pages of a local login, for staff (`/office/login…`) and for citizens
//! registered at the counter (`/login/local…`): the password form, the code
//! form and, at a staff member's first login, setting a password and enrolling
//! the second factor. The rules themselves live in `crate::local_login`.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use obcan_core::audit::{Action, AuditEvent};
use obcan_core::identity::{Assertion, Loa, ProviderId, Subject};
use obcan_store::{Enrolment, LOCAL_PROVIDER};
use serde::Deserialize;

use super::login::ProviderLink;
use super::{Chrome, Section, ValidForm, ValidQuery, local_path, render, render_with_status};
use crate::client_ip::ClientIp;
use crate::error::WebError;
use crate::local_login::{self, Account, Found, Kind, SetupProblem, Stage};
use crate::middleware::csrf;
use crate::pages::qr;
use crate::session::{self, Visitor, with_cookie};
use crate::state::AppState;

/// One kind of local login: where its pages are and where it leads.
#[derive(Debug, Clone, Copy)]
struct Flow {
    kind: Kind,
    /// The password form; the code form is at `<base>/code`, setup at `<base>/setup`.
    base: &'static str,
    after: &'static str,
    section: Section,
}

const STAFF: Flow = Flow {
    kind: Kind::Staff,
    base: "/office/login",
    after: "/office",
    section: Section::Office,
};

const CITIZEN: Flow = Flow {
    kind: Kind::Citizen,
    base: "/login/local",
    after: "/dashboard",
    section: Section::Login,
};

#[derive(Template)]
#[template(path = "local_login.html")]
struct PasswordPage {
    chrome: Chrome,
    title: &'static str,
    lead: &'static str,
    action: &'static str,
    csrf: String,
    next: String,
    login: String,
    refused: bool,
    notice: Option<&'static str>,
    providers: Vec<ProviderLink>,
    activate: bool,
}

#[derive(Debug, Deserialize)]
pub(crate) struct PageQuery {
    next: Option<String>,
    activated: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct PasswordForm {
    login: String,
    password: String,
    next: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct CodeForm {
    code: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct SetupForm {
    password: String,
    confirmation: String,
    totp: String,
}

pub(crate) async fn staff_page(
    state: State<AppState>,
    visitor: Visitor,
    query: ValidQuery<PageQuery>,
) -> Result<Response, WebError> {
    password_page(state, visitor, query, STAFF).await
}

pub(crate) async fn citizen_page(
    state: State<AppState>,
    visitor: Visitor,
    query: ValidQuery<PageQuery>,
) -> Result<Response, WebError> {
    password_page(state, visitor, query, CITIZEN).await
}

pub(crate) async fn staff_submit(
    state: State<AppState>,
    visitor: Visitor,
    ip: ClientIp,
    form: ValidForm<PasswordForm>,
) -> Result<Response, WebError> {
    password_submit(state, visitor, ip, form, STAFF).await
}

pub(crate) async fn citizen_submit(
    state: State<AppState>,
    visitor: Visitor,
    ip: ClientIp,
    form: ValidForm<PasswordForm>,
) -> Result<Response, WebError> {
    password_submit(state, visitor, ip, form, CITIZEN).await
}

pub(crate) async fn staff_code_page(
    state: State<AppState>,
    visitor: Visitor,
) -> Result<Response, WebError> {
    code_page(state, visitor, STAFF).await
}

pub(crate) async fn citizen_code_page(
    state: State<AppState>,
    visitor: Visitor,
) -> Result<Response, WebError> {
    code_page(state, visitor, CITIZEN).await
}

pub(crate) async fn staff_code_submit(
    state: State<AppState>,
    visitor: Visitor,
    ip: ClientIp,
    form: ValidForm<CodeForm>,
) -> Result<Response, WebError> {
    code_submit(state, visitor, ip, form, STAFF).await
}

pub(crate) async fn citizen_code_submit(
    state: State<AppState>,
    visitor: Visitor,
    ip: ClientIp,
    form: ValidForm<CodeForm>,
) -> Result<Response, WebError> {
    code_submit(state, visitor, ip, form, CITIZEN).await
}

async fn password_page(
    State(state): State<AppState>,
    visitor: Visitor,
    ValidQuery(query): ValidQuery<PageQuery>,
    flow: Flow,
) -> Result<Response, WebError> {
    let next = local_path(query.next.as_deref(), flow.after).to_owned();
    let notice = query
        .activated
        .is_some()
        .then(|| crate::i18n::texts(visitor.language).local.activated);
    password_form(&state, &visitor, flow, next, String::new(), false, notice).await
}

async fn password_form(
    state: &AppState,
    visitor: &Visitor,
    flow: Flow,
    next: String,
    login: String,
    refused: bool,
    notice: Option<&'static str>,
) -> Result<Response, WebError> {
    // The form needs a session to bind its CSRF token to, even before login.
    let (token, cookie) = session::ensure(state, visitor).await?;
    let chrome = Chrome::new(state, visitor, flow.base, flow.section)?;
    let t = chrome.t;
    let (title, lead) = match flow.kind {
        Kind::Staff => (t.office.login_title, t.office.login_lead),
        Kind::Citizen => (t.local.citizen_title, t.local.citizen_lead),
    };
    let providers = match flow.kind {
        Kind::Staff => {
            let query = serde_urlencoded::to_string([("next", next.as_str())]).unwrap_or_default();
            state
                .settings
                .office_logins
                .iter()
                .map(|login| ProviderLink {
                    label: login.label(visitor.language).to_owned(),
                    href: format!("/office/login/oidc/{}?{query}", login.id()),
                })
                .collect()
        }
        Kind::Citizen => Vec::new(),
    };
    let page = PasswordPage {
        csrf: csrf::token_for(state, &token)?,
        title,
        lead,
        action: flow.base,
        next,
        login,
        refused,
        notice,
        providers,
        activate: flow.kind == Kind::Citizen,
        chrome,
    };
    let status = if refused {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(with_cookie(render_with_status(status, &page)?, cookie))
}

async fn password_submit(
    State(state): State<AppState>,
    visitor: Visitor,
    ip: ClientIp,
    ValidForm(form): ValidForm<PasswordForm>,
    flow: Flow,
) -> Result<Response, WebError> {
    let next = local_path(form.next.as_deref(), flow.after).to_owned();
    let checked =
        local_login::check_password(&state, flow.kind, &ip, &form.login, &form.password).await?;
    let Some(found) = checked else {
        return password_form(&state, &visitor, flow, next, form.login, true, None).await;
    };
    let stage = local_login::begin_second_factor(&state, &visitor, &found, &next).await?;
    let target = match stage {
        Stage::Code => format!("{}/code", flow.base),
        Stage::Setup => format!("{}/setup", flow.base),
    };
    Ok(Redirect::to(&target).into_response())
}

#[derive(Template)]
#[template(path = "local_code.html")]
struct CodePage {
    chrome: Chrome,
    action: String,
    csrf: String,
    refused: bool,
}

/// The login waiting in this session for `stage`, or where to go instead.
async fn pending_at(
    state: &AppState,
    visitor: &Visitor,
    flow: Flow,
    stage: Stage,
) -> Result<Result<local_login::Pending, Response>, WebError> {
    match local_login::pending(state, visitor, flow.kind).await? {
        Some(pending) if pending.stage == stage => Ok(Ok(pending)),
        _ => Ok(Err(Redirect::to(flow.base).into_response())),
    }
}

async fn code_page(
    State(state): State<AppState>,
    visitor: Visitor,
    flow: Flow,
) -> Result<Response, WebError> {
    if let Err(elsewhere) = pending_at(&state, &visitor, flow, Stage::Code).await? {
        return Ok(elsewhere);
    }
    code_form(&state, &visitor, flow, false)
}

fn code_form(
    state: &AppState,
    visitor: &Visitor,
    flow: Flow,
    refused: bool,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(state, visitor, flow.base, flow.section)?;
    let page = CodePage {
        csrf: chrome.csrf.clone().unwrap_or_default(),
        action: format!("{}/code", flow.base),
        refused,
        chrome,
    };
    if refused {
        render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    } else {
        render(&page)
    }
}

async fn code_submit(
    State(state): State<AppState>,
    visitor: Visitor,
    ip: ClientIp,
    ValidForm(form): ValidForm<CodeForm>,
    flow: Flow,
) -> Result<Response, WebError> {
    let pending = match pending_at(&state, &visitor, flow, Stage::Code).await? {
        Ok(pending) => pending,
        Err(elsewhere) => return Ok(elsewhere),
    };
    if !local_login::check_code(&state, &ip, &pending.found, &form.code).await? {
        return code_form(&state, &visitor, flow, true);
    }
    complete(
        &state,
        &visitor,
        &ip,
        flow,
        &pending.found,
        &pending.next_path,
    )
    .await
}

/// The person passed both factors: a fresh session of their kind.
async fn complete(
    state: &AppState,
    visitor: &Visitor,
    ip: &ClientIp,
    flow: Flow,
    found: &Found,
    next: &str,
) -> Result<Response, WebError> {
    let cookie = match found.account {
        Account::Staff(id) => session::log_in_staff(state, visitor, id, LOCAL_PROVIDER).await?,
        Account::Citizen(id) => {
            let citizen = state
                .store
                .citizens()
                .get(&id)
                .await?
                .ok_or(WebError::Forbidden)?;
            let assertion = Assertion {
                provider: ProviderId::parse(LOCAL_PROVIDER)
                    .map_err(|e| WebError::Internal(e.to_string()))?,
                subject: Subject::parse(found.login.as_str())
                    .map_err(|e| WebError::Internal(e.to_string()))?,
                name: citizen.name,
                birth_date: citizen.birth_date,
                address: None,
                email: None,
                // A password and an app, after a document checked at the counter.
                loa: Loa::Low,
            };
            session::log_in(state, visitor, &assertion, None).await?
        }
    };
    let event = AuditEvent::new(state.now(), found.account.actor(), flow.kind.succeeded())
        .with("provider", LOCAL_PROVIDER)
        .from_ip(ip.text());
    state
        .store
        .audit()
        .append(&found.account.about(event))
        .await?;
    let target = local_path(Some(next), flow.after);
    Ok(with_cookie(
        Redirect::to(target).into_response(),
        Some(cookie),
    ))
}

/// The form to choose a password and enrol a second factor: at a staff
/// member's first login here, and at a citizen's activation.
#[derive(Template)]
#[template(path = "local_setup.html")]
pub(crate) struct SetupPage {
    pub chrome: Chrome,
    pub title: &'static str,
    pub lead: &'static str,
    pub action: &'static str,
    pub csrf: String,
    /// Fields to post back as they are (the activation code).
    pub hidden: Vec<(&'static str, String)>,
    pub errors: Vec<&'static str>,
    pub secret: String,
    pub qr_data_uri: String,
    pub submit: &'static str,
}

impl SetupPage {
    /// The page for `secret`, for `account` at this portal.
    pub(crate) fn new(
        state: &AppState,
        chrome: Chrome,
        csrf: String,
        secret: &obcan_core::credential::TotpSecret,
        account: &str,
    ) -> Result<Self, WebError> {
        let t = chrome.t;
        let uri = secret.otpauth_uri(&state.settings.branding.name, account);
        Ok(Self {
            title: t.local.setup_title,
            lead: t.local.setup_lead,
            action: "",
            csrf,
            hidden: Vec::new(),
            errors: Vec::new(),
            secret: grouped(&secret.base32()),
            qr_data_uri: qr::svg_data_uri(&uri)?,
            submit: t.local.submit_setup,
            chrome,
        })
    }

    pub(crate) fn problem(&mut self, problem: SetupProblem) {
        let t = self.chrome.t;
        self.errors.push(match problem {
            SetupProblem::Password(weak) => t.weak_password(weak),
            SetupProblem::Code => t.local.setup_code_refused,
        });
    }

    pub(crate) fn respond(&self) -> Result<Response, WebError> {
        if self.errors.is_empty() {
            render(self)
        } else {
            render_with_status(StatusCode::UNPROCESSABLE_ENTITY, self)
        }
    }
}

/// A secret in groups of four, for typing it in.
fn grouped(text: &str) -> String {
    text.as_bytes()
        .chunks(4)
        .map(|group| String::from_utf8_lossy(group).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

pub(crate) async fn staff_setup_page(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, WebError> {
    let pending = match pending_at(&state, &visitor, STAFF, Stage::Setup).await? {
        Ok(pending) => pending,
        Err(elsewhere) => return Ok(elsewhere),
    };
    staff_setup_form(&state, &visitor, &pending.found, None).await
}

async fn staff_setup_form(
    state: &AppState,
    visitor: &Visitor,
    found: &Found,
    problem: Option<SetupProblem>,
) -> Result<Response, WebError> {
    let secret = local_login::enrolment_secret(state, &found.credential).await?;
    let chrome = Chrome::new(state, visitor, STAFF.base, STAFF.section)?;
    let csrf = chrome.csrf.clone().unwrap_or_default();
    let mut page = SetupPage::new(state, chrome, csrf, &secret, found.login.as_str())?;
    page.action = "/office/login/setup";
    if let Some(problem) = problem {
        page.problem(problem);
    }
    page.respond()
}

pub(crate) async fn staff_setup_submit(
    State(state): State<AppState>,
    visitor: Visitor,
    ip: ClientIp,
    ValidForm(form): ValidForm<SetupForm>,
) -> Result<Response, WebError> {
    let pending = match pending_at(&state, &visitor, STAFF, Stage::Setup).await? {
        Ok(pending) => pending,
        Err(elsewhere) => return Ok(elsewhere),
    };
    let found = &pending.found;
    let secret = local_login::enrolment_secret(&state, &found.credential).await?;
    let checked = local_login::check_setup(
        &state,
        found,
        &secret,
        &form.password,
        &form.confirmation,
        &form.totp,
    )
    .await?;
    let (hash, step) = match checked {
        Ok(done) => done,
        Err(problem) => return staff_setup_form(&state, &visitor, found, Some(problem)).await,
    };
    let event = AuditEvent::new(state.now(), found.account.actor(), Action::CredentialsSet)
        .from_ip(ip.text());
    let event = found.account.about(event);
    let set = state
        .store
        .credentials()
        .set_up(
            &found.credential.id,
            Enrolment {
                password: &hash,
                secret: &secret,
                step,
            },
            &event,
        )
        .await?;
    if !set {
        return staff_setup_form(&state, &visitor, found, Some(SetupProblem::Code)).await;
    }
    complete(&state, &visitor, &ip, STAFF, found, &pending.next_path).await
}
