//! The back office: the staff home, and one module per area. Every handler
//! asks for `SignedInStaff<need::…>`, so the policy decides before it runs;
//! what depends on the record at hand (one agenda, one colleague) it asks
//! the policy again through `SignedInStaff::require`.

pub(crate) mod agenda;
pub(crate) mod audit;
pub(crate) mod login;
pub(crate) mod organisation;
pub(crate) mod records;
pub(crate) mod registration;
pub(crate) mod staff;

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use obcan_core::policy::Permission;
use obcan_store::Agenda;

use super::{Chrome, Section, render};
use crate::authz::{SignedInStaff, need};
use crate::error::WebError;
use crate::state::AppState;

/// A link on the staff home.
#[derive(Debug)]
struct Task {
    href: &'static str,
    label: &'static str,
}

#[derive(Template)]
#[template(path = "office_home.html")]
struct HomePage {
    chrome: Chrome,
    name: String,
    roles: Vec<&'static str>,
    tasks: Vec<Task>,
    official: bool,
    agendas: Vec<Agenda>,
}

pub(crate) async fn home(
    State(state): State<AppState>,
    staff: SignedInStaff<need::Office>,
) -> Result<Response, WebError> {
    let member = state
        .store
        .staff()
        .get(staff.grants.id)
        .await?
        .ok_or(WebError::Forbidden)?;
    let chrome = Chrome::new(&state, &staff.visitor, "/office", Section::Office)?;
    let t = chrome.t;
    let tasks = [
        (
            Permission::ManageStaff,
            "/office/staff",
            t.office.staff_title,
        ),
        (
            Permission::ManageOrganisation,
            "/office/organisation",
            t.office.organisation_title,
        ),
        (
            Permission::RegisterCitizens,
            "/office/register",
            t.office.register_title,
        ),
        (Permission::ReadAudit, "/office/audit", t.office.audit_title),
        (
            Permission::ManageRecords,
            "/office/records",
            t.records.title,
        ),
    ]
    .into_iter()
    .filter(|(permission, _, _)| staff.may(*permission))
    .map(|(_, href, label)| Task { href, label })
    .collect();
    let official = staff.may(Permission::WorkAgendas);
    let agendas = if official {
        agendas_of(&state, &staff).await?
    } else {
        Vec::new()
    };
    render(&HomePage {
        name: member.display_name.to_string(),
        roles: member.roles.iter().map(|role| t.role(*role)).collect(),
        tasks,
        official,
        agendas,
        chrome,
    })
}

/// The agendas a staff member may work, by department and name.
async fn agendas_of<N>(
    state: &AppState,
    staff: &SignedInStaff<N>,
) -> Result<Vec<Agenda>, WebError> {
    Ok(state
        .store
        .organisation()
        .departments()
        .await?
        .into_iter()
        .flat_map(|department| department.agendas)
        .filter(|agenda| {
            staff.may(Permission::WorkAgenda {
                agenda: agenda.id,
                department: agenda.department,
            })
        })
        .collect())
}
