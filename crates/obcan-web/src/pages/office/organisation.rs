//! The administrator's page of departments and their agendas.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use obcan_core::audit::{Action, Actor, AuditEvent};
use obcan_core::staff::{AgendaId, AgendaKey, DepartmentId, Label};
use obcan_store::Department;
use serde::Deserialize;

use crate::authz::{SignedInStaff, need};
use crate::client_ip::ClientIp;
use crate::error::WebError;
use crate::pages::{Chrome, Section, ValidForm, render, render_with_status};
use crate::state::AppState;

type Admin = SignedInStaff<need::ManageOrganisation>;

const PATH: &str = "/office/organisation";

#[derive(Template)]
#[template(path = "office_organisation.html")]
struct OrganisationPage {
    chrome: Chrome,
    csrf: String,
    departments: Vec<Department>,
    errors: Vec<&'static str>,
    department_name: String,
    agenda_name: String,
    agenda_department: String,
    agenda_key: String,
    /// The keys the forms name.
    form_keys: String,
}

/// What the forms held when they come back with an error.
#[derive(Debug, Default)]
struct Typed {
    department_name: String,
    agenda_name: String,
    agenda_department: String,
    agenda_key: String,
}

async fn page_with(
    state: &AppState,
    admin: &Admin,
    errors: Vec<&'static str>,
    typed: Typed,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(state, &admin.visitor, PATH, Section::Office)?;
    let page = OrganisationPage {
        csrf: chrome.csrf.clone().unwrap_or_default(),
        departments: state.store.organisation().departments().await?,
        errors,
        department_name: typed.department_name,
        agenda_name: typed.agenda_name,
        agenda_department: typed.agenda_department,
        agenda_key: typed.agenda_key,
        form_keys: form_keys(state),
        chrome,
    };
    if page.errors.is_empty() {
        render(&page)
    } else {
        render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    }
}

/// The agenda keys the forms name, each once, for the administrator to give.
fn form_keys(state: &AppState) -> String {
    let mut keys: Vec<&str> = state
        .settings
        .forms
        .all()
        .map(|form| form.agenda.as_str())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys.join(", ")
}

pub(crate) async fn page(
    State(state): State<AppState>,
    admin: Admin,
) -> Result<Response, WebError> {
    page_with(&state, &admin, Vec::new(), Typed::default()).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct DepartmentForm {
    name: String,
}

pub(crate) async fn create_department(
    State(state): State<AppState>,
    admin: Admin,
    ip: ClientIp,
    ValidForm(form): ValidForm<DepartmentForm>,
) -> Result<Response, WebError> {
    let t = crate::i18n::texts(admin.visitor.language);
    let typed = || Typed {
        department_name: form.name.clone(),
        ..Typed::default()
    };
    let Ok(name) = Label::parse(&form.name) else {
        return page_with(&state, &admin, vec![t.office.invalid_name], typed()).await;
    };
    let id = DepartmentId::random();
    let now = state.now();
    let event = AuditEvent::new(
        now,
        Actor::Staff(admin.grants.id.uuid()),
        Action::DepartmentCreated,
    )
    .with("department", id.to_string())
    .with("name", name.as_str())
    .from_ip(ip.text());
    let created = state
        .store
        .organisation()
        .create_department(id, &name, now, &event)
        .await?;
    if created.is_err() {
        return page_with(&state, &admin, vec![t.office.name_taken], typed()).await;
    }
    Ok(Redirect::to(PATH).into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct AgendaForm {
    department: String,
    name: String,
    #[serde(default)]
    key: String,
}

pub(crate) async fn create_agenda(
    State(state): State<AppState>,
    admin: Admin,
    ip: ClientIp,
    ValidForm(form): ValidForm<AgendaForm>,
) -> Result<Response, WebError> {
    let t = crate::i18n::texts(admin.visitor.language);
    let typed = || Typed {
        agenda_name: form.name.clone(),
        agenda_department: form.department.clone(),
        agenda_key: form.key.clone(),
        ..Typed::default()
    };
    let department = match DepartmentId::parse(&form.department) {
        Ok(id) => state.store.organisation().department(id).await?,
        Err(_) => None,
    }
    .ok_or_else(|| WebError::BadRequest(form.department.clone()))?;
    let Ok(name) = Label::parse(&form.name) else {
        return page_with(&state, &admin, vec![t.office.invalid_name], typed()).await;
    };
    let typed_key = form.key.trim();
    let key = match AgendaKey::parse(typed_key) {
        Some(key) => Some(key),
        None if typed_key.is_empty() => None,
        None => return page_with(&state, &admin, vec![t.office.invalid_key], typed()).await,
    };
    let id = AgendaId::random();
    let now = state.now();
    let event = AuditEvent::new(
        now,
        Actor::Staff(admin.grants.id.uuid()),
        Action::AgendaCreated,
    )
    .with("agenda", id.to_string())
    .with("department", department.id.to_string())
    .with("name", name.as_str())
    .with("key", key.as_ref().map_or("", AgendaKey::as_str))
    .from_ip(ip.text());
    let created = state
        .store
        .organisation()
        .create_agenda(id, department.id, &name, key.as_ref(), now, &event)
        .await?;
    if created.is_err() {
        return page_with(&state, &admin, vec![t.office.agenda_taken], typed()).await;
    }
    Ok(Redirect::to(PATH).into_response())
}
