//! One agenda's page, for the officials whose scope covers it. Its work
//! (submission queues) arrives with submissions; the page already holds an
//! official to their scope.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use obcan_core::policy::Permission;
use obcan_core::staff::AgendaId;

use crate::authz::{SignedInStaff, need};
use crate::error::WebError;
use crate::pages::{Chrome, Section, render};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "office_agenda.html")]
struct AgendaPage {
    chrome: Chrome,
    name: String,
    department: String,
}

pub(crate) async fn page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    staff: SignedInStaff<need::WorkAgendas>,
) -> Result<Response, WebError> {
    let id = AgendaId::parse(&id).map_err(|_| WebError::NotFound)?;
    let organisation = state.store.organisation();
    let agenda = organisation.agenda(id).await?.ok_or(WebError::NotFound)?;
    staff.require(Permission::WorkAgenda {
        agenda: agenda.id,
        department: agenda.department,
    })?;
    let department = organisation
        .department(agenda.department)
        .await?
        .map(|department| department.name.to_string())
        .unwrap_or_default();
    let path = format!("/office/agendas/{id}");
    render(&AgendaPage {
        chrome: Chrome::new(&state, &staff.visitor, &path, Section::Office)?,
        name: agenda.name.to_string(),
        department,
    })
}
