//! The administrator's pages about staff: the list, a new account, and one
//! member's roles, scope, status, password reset and links to the office's
//! OpenID provider. Every change is written with its audit entry in one
//! transaction; nobody changes their own account here (the policy says so).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use obcan_core::audit::{Action, Actor, AuditEvent};
use obcan_core::credential::InitialPassword;
use obcan_core::identity::Subject;
use obcan_core::policy::Permission;
use obcan_core::staff::{AgendaId, DepartmentId, Label, LoginName, Role, StaffId};
use obcan_store::{Department, GrantChange, NewStaff, StaffMember};
use serde::Deserialize;

use crate::authz::{SignedInStaff, need};
use crate::client_ip::ClientIp;
use crate::error::WebError;
use crate::local_login::blocking;
use crate::pages::{Chrome, Section, ValidForm, render, render_with_status};
use crate::state::AppState;

type Admin = SignedInStaff<need::ManageStaff>;

#[derive(Debug)]
struct Row {
    id: StaffId,
    login: String,
    name: String,
    roles: Vec<&'static str>,
    disabled: bool,
}

#[derive(Template)]
#[template(path = "office_staff_list.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
}

pub(crate) async fn list(
    State(state): State<AppState>,
    admin: Admin,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&state, &admin.visitor, "/office/staff", Section::Office)?;
    let t = chrome.t;
    let rows = state
        .store
        .staff()
        .list()
        .await?
        .into_iter()
        .map(|member| Row {
            id: member.id,
            login: member.login.to_string(),
            name: member.display_name.to_string(),
            roles: member.roles.iter().map(|role| t.role(*role)).collect(),
            disabled: member.disabled,
        })
        .collect();
    render(&ListPage { chrome, rows })
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct NewForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    display_name: String,
    administrator: Option<String>,
    official: Option<String>,
    auditor: Option<String>,
    records_manager: Option<String>,
}

impl NewForm {
    fn roles(&self) -> Vec<Role> {
        [
            (Role::Administrator, &self.administrator),
            (Role::Official, &self.official),
            (Role::Auditor, &self.auditor),
            (Role::RecordsManager, &self.records_manager),
        ]
        .into_iter()
        .filter(|(_, checked)| checked.is_some())
        .map(|(role, _)| role)
        .collect()
    }
}

#[derive(Debug)]
struct RoleChoice {
    value: &'static str,
    label: &'static str,
    checked: bool,
}

#[derive(Template)]
#[template(path = "office_staff_new.html")]
struct NewPage {
    chrome: Chrome,
    csrf: String,
    errors: Vec<&'static str>,
    login: String,
    display_name: String,
    roles: Vec<RoleChoice>,
}

fn new_form(
    state: &AppState,
    admin: &Admin,
    form: &NewForm,
    errors: Vec<&'static str>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(state, &admin.visitor, "/office/staff/new", Section::Office)?;
    let t = chrome.t;
    let chosen = form.roles();
    let page = NewPage {
        csrf: chrome.csrf.clone().unwrap_or_default(),
        errors,
        login: form.login.clone(),
        display_name: form.display_name.clone(),
        roles: Role::ALL
            .into_iter()
            .map(|role| RoleChoice {
                value: role.as_str(),
                label: t.role(role),
                checked: chosen.contains(&role),
            })
            .collect(),
        chrome,
    };
    if page.errors.is_empty() {
        render(&page)
    } else {
        render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    }
}

pub(crate) async fn new_page(
    State(state): State<AppState>,
    admin: Admin,
) -> Result<Response, WebError> {
    new_form(&state, &admin, &NewForm::default(), Vec::new())
}

/// The initial password, shown once: after creating an account or resetting it.
#[derive(Template)]
#[template(path = "office_staff_secret.html")]
struct SecretPage {
    chrome: Chrome,
    title: &'static str,
    login: String,
    password: String,
    back: String,
}

fn secret_page(
    state: &AppState,
    admin: &Admin,
    title: &'static str,
    member: (StaffId, &LoginName),
    password: &InitialPassword,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(state, &admin.visitor, "/office/staff", Section::Office)?;
    render(&SecretPage {
        chrome,
        title,
        login: member.1.to_string(),
        password: password.as_str().to_owned(),
        back: format!("/office/staff/{}", member.0),
    })
}

pub(crate) async fn create(
    State(state): State<AppState>,
    admin: Admin,
    ip: ClientIp,
    ValidForm(form): ValidForm<NewForm>,
) -> Result<Response, WebError> {
    let t = crate::i18n::texts(admin.visitor.language);
    let login = LoginName::parse(&form.login);
    let name = Label::parse(&form.display_name);
    let (Ok(login), Ok(name)) = (&login, &name) else {
        let mut errors = Vec::new();
        if login.is_err() {
            errors.push(t.office.invalid_login);
        }
        if name.is_err() {
            errors.push(t.office.invalid_name);
        }
        return new_form(&state, &admin, &form, errors);
    };
    let password = InitialPassword::generate().map_err(|e| WebError::Internal(e.to_string()))?;
    let hash = {
        let password = password.clone();
        blocking(move || password.hash())
            .await?
            .map_err(|e| WebError::Internal(e.to_string()))?
    };
    let roles = form.roles();
    let id = StaffId::random();
    let now = state.now();
    let roles_text: Vec<&str> = roles.iter().map(|role| role.as_str()).collect();
    let event = AuditEvent::new(now, actor(&admin), Action::StaffCreated)
        .about_staff(id)
        .with("login", login.as_str())
        .with("roles", roles_text.join(","))
        .from_ip(ip.text());
    let new = NewStaff {
        id,
        login,
        display_name: name,
        initial_password: Some(&hash),
        roles: &roles,
    };
    if state
        .store
        .staff()
        .create(&new, now, &event)
        .await?
        .is_err()
    {
        return new_form(&state, &admin, &form, vec![t.office.login_taken]);
    }
    secret_page(
        &state,
        &admin,
        t.office.staff_created_title,
        (id, login),
        &password,
    )
}

fn actor(admin: &Admin) -> Actor {
    Actor::Staff(admin.grants.id.uuid())
}

/// One of the member's departments or agendas, with the form value that removes it.
#[derive(Debug)]
struct ScopeItem {
    label: String,
    change: &'static str,
    value: String,
}

/// A department or agenda that may be added to the scope.
#[derive(Debug)]
struct ScopeOption {
    label: String,
    value: String,
}

#[derive(Debug)]
struct RoleRow {
    value: &'static str,
    label: &'static str,
    granted: bool,
}

#[derive(Template)]
#[template(path = "office_staff_detail.html")]
struct DetailPage {
    chrome: Chrome,
    csrf: String,
    id: StaffId,
    login: String,
    name: String,
    disabled: bool,
    editable: bool,
    roles: Vec<RoleRow>,
    scope: Vec<ScopeItem>,
    options: Vec<ScopeOption>,
    links: Vec<(String, String)>,
    providers: Vec<String>,
    errors: Vec<&'static str>,
    subject: String,
}

async fn member(state: &AppState, id: &str) -> Result<StaffMember, WebError> {
    let id = StaffId::parse(id).map_err(|_| WebError::NotFound)?;
    state.store.staff().get(id).await?.ok_or(WebError::NotFound)
}

pub(crate) async fn detail(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let member = member(&state, &id).await?;
    detail_page(&state, &admin, &member, Vec::new(), String::new()).await
}

async fn detail_page(
    state: &AppState,
    admin: &Admin,
    member: &StaffMember,
    errors: Vec<&'static str>,
    subject: String,
) -> Result<Response, WebError> {
    let path = format!("/office/staff/{}", member.id);
    let chrome = Chrome::new(state, &admin.visitor, &path, Section::Office)?;
    let t = chrome.t;
    let departments = state.store.organisation().departments().await?;
    let (scope, options) = scope_of(member, &departments, t.office.department);
    let page = DetailPage {
        csrf: chrome.csrf.clone().unwrap_or_default(),
        id: member.id,
        login: member.login.to_string(),
        name: member.display_name.to_string(),
        disabled: member.disabled,
        editable: admin.may(Permission::ChangeGrantsOf(member.id)),
        roles: Role::ALL
            .into_iter()
            .map(|role| RoleRow {
                value: role.as_str(),
                label: t.role(role),
                granted: member.roles.contains(&role),
            })
            .collect(),
        scope,
        options,
        links: state.store.staff().oidc_links(member.id).await?,
        providers: state
            .settings
            .office_logins
            .iter()
            .map(|login| login.id().to_owned())
            .collect(),
        errors,
        subject,
        chrome,
    };
    if page.errors.is_empty() {
        render(&page)
    } else {
        render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    }
}

/// What the member's scope holds, and what could be added to it.
fn scope_of(
    member: &StaffMember,
    departments: &[Department],
    department_word: &str,
) -> (Vec<ScopeItem>, Vec<ScopeOption>) {
    let mut scope = Vec::new();
    let mut options = Vec::new();
    for department in departments {
        let label = format!("{department_word}: {}", department.name);
        if member.scope.departments.contains(&department.id) {
            scope.push(ScopeItem {
                label,
                change: "remove-department",
                value: department.id.to_string(),
            });
        } else {
            options.push(ScopeOption {
                label,
                value: format!("department:{}", department.id),
            });
        }
        for agenda in &department.agendas {
            let label = format!("{} – {}", department.name, agenda.name);
            if member.scope.agendas.contains(&agenda.id) {
                scope.push(ScopeItem {
                    label,
                    change: "remove-agenda",
                    value: agenda.id.to_string(),
                });
            } else {
                options.push(ScopeOption {
                    label,
                    value: format!("agenda:{}", agenda.id),
                });
            }
        }
    }
    (scope, options)
}

#[derive(Debug, Deserialize)]
pub(crate) struct GrantForm {
    change: String,
    value: String,
}

/// The change a form asks for, or why it cannot be one.
fn grant_change(form: &GrantForm) -> Result<GrantChange, WebError> {
    let bad = || WebError::BadRequest(format!("{} {}", form.change, form.value));
    let role = || form.value.parse::<Role>().map_err(|_| bad());
    let department = |raw: &str| DepartmentId::parse(raw).map_err(|_| bad());
    let agenda = |raw: &str| AgendaId::parse(raw).map_err(|_| bad());
    Ok(match form.change.as_str() {
        "grant-role" => GrantChange::GrantRole(role()?),
        "revoke-role" => GrantChange::RevokeRole(role()?),
        "add-scope" => match form.value.split_once(':') {
            Some(("department", id)) => GrantChange::AddDepartment(department(id)?),
            Some(("agenda", id)) => GrantChange::AddAgenda(agenda(id)?),
            _ => return Err(bad()),
        },
        "remove-department" => GrantChange::RemoveDepartment(department(&form.value)?),
        "remove-agenda" => GrantChange::RemoveAgenda(agenda(&form.value)?),
        _ => return Err(bad()),
    })
}

pub(crate) async fn change_grants(
    State(state): State<AppState>,
    admin: Admin,
    ip: ClientIp,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<GrantForm>,
) -> Result<Response, WebError> {
    let member = member(&state, &id).await?;
    admin.require(Permission::ChangeGrantsOf(member.id))?;
    let change = grant_change(&form)?;
    let organisation = state.store.organisation();
    let (action, key, value) = match change {
        GrantChange::GrantRole(role) => (Action::RoleGranted, "role", role.to_string()),
        GrantChange::RevokeRole(role) => (Action::RoleRevoked, "role", role.to_string()),
        GrantChange::AddDepartment(id) | GrantChange::RemoveDepartment(id) => {
            organisation
                .department(id)
                .await?
                .ok_or_else(|| WebError::BadRequest(id.to_string()))?;
            let action = if matches!(change, GrantChange::AddDepartment(_)) {
                Action::ScopeGranted
            } else {
                Action::ScopeRevoked
            };
            (action, "department", id.to_string())
        }
        GrantChange::AddAgenda(id) | GrantChange::RemoveAgenda(id) => {
            organisation
                .agenda(id)
                .await?
                .ok_or_else(|| WebError::BadRequest(id.to_string()))?;
            let action = if matches!(change, GrantChange::AddAgenda(_)) {
                Action::ScopeGranted
            } else {
                Action::ScopeRevoked
            };
            (action, "agenda", id.to_string())
        }
    };
    let now = state.now();
    let event = AuditEvent::new(now, actor(&admin), action)
        .about_staff(member.id)
        .with(key, value)
        .from_ip(ip.text());
    state
        .store
        .staff()
        .change_grants(member.id, change, now, &event)
        .await?;
    Ok(Redirect::to(&format!("/office/staff/{}", member.id)).into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct StatusForm {
    disabled: String,
}

pub(crate) async fn change_status(
    State(state): State<AppState>,
    admin: Admin,
    ip: ClientIp,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<StatusForm>,
) -> Result<Response, WebError> {
    let member = member(&state, &id).await?;
    admin.require(Permission::ChangeGrantsOf(member.id))?;
    let disabled = match form.disabled.as_str() {
        "true" => true,
        "false" => false,
        other => return Err(WebError::BadRequest(other.to_owned())),
    };
    let now = state.now();
    let action = if disabled {
        Action::StaffDisabled
    } else {
        Action::StaffEnabled
    };
    let event = AuditEvent::new(now, actor(&admin), action)
        .about_staff(member.id)
        .from_ip(ip.text());
    state
        .store
        .staff()
        .set_disabled(member.id, disabled, now, &event)
        .await?;
    Ok(Redirect::to(&format!("/office/staff/{}", member.id)).into_response())
}

pub(crate) async fn reset_password(
    State(state): State<AppState>,
    admin: Admin,
    ip: ClientIp,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let member = member(&state, &id).await?;
    admin.require(Permission::ChangeGrantsOf(member.id))?;
    let password = InitialPassword::generate().map_err(|e| WebError::Internal(e.to_string()))?;
    let hash = {
        let password = password.clone();
        blocking(move || password.hash())
            .await?
            .map_err(|e| WebError::Internal(e.to_string()))?
    };
    let event = AuditEvent::new(state.now(), actor(&admin), Action::StaffPasswordReset)
        .about_staff(member.id)
        .from_ip(ip.text());
    if !state
        .store
        .staff()
        .reset_password(member.id, &hash, &event)
        .await?
    {
        return Err(WebError::NotFound);
    }
    let t = crate::i18n::texts(admin.visitor.language);
    secret_page(
        &state,
        &admin,
        t.office.password_reset_title,
        (member.id, &member.login),
        &password,
    )
}

#[derive(Debug, Deserialize)]
pub(crate) struct LinkForm {
    provider: String,
    subject: String,
}

pub(crate) async fn link_oidc(
    State(state): State<AppState>,
    admin: Admin,
    ip: ClientIp,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<LinkForm>,
) -> Result<Response, WebError> {
    let member = member(&state, &id).await?;
    admin.require(Permission::ChangeGrantsOf(member.id))?;
    let t = crate::i18n::texts(admin.visitor.language);
    if state.settings.office_oidc(&form.provider).is_none() {
        return Err(WebError::BadRequest(form.provider));
    }
    let Ok(subject) = Subject::parse(form.subject.trim()) else {
        return detail_page(
            &state,
            &admin,
            &member,
            vec![t.office.oidc_subject_invalid],
            form.subject,
        )
        .await;
    };
    let now = state.now();
    let event = AuditEvent::new(now, actor(&admin), Action::StaffOidcLinked)
        .about_staff(member.id)
        .with("provider", form.provider.clone())
        .with("subject", subject.as_str())
        .from_ip(ip.text());
    let linked = state
        .store
        .staff()
        .link_oidc(member.id, &form.provider, subject.as_str(), now, &event)
        .await?;
    if linked.is_err() {
        return detail_page(
            &state,
            &admin,
            &member,
            vec![t.office.oidc_subject_taken],
            form.subject,
        )
        .await;
    }
    Ok(Redirect::to(&format!("/office/staff/{}", member.id)).into_response())
}
