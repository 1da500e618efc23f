//! One agenda's work, for the officials whose scope covers it: the queue of
//! the submissions its forms bring (those still open first, by deadline,
//! the near ones marked), and each submission with its content, its whole
//! timeline and the steps an official takes on it: take it up, ask the
//! citizen for more, resolve, reject, note. Every read of a submission's
//! content and every step is audited.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use obcan_core::audit::{Action, Actor, AuditEvent};
use obcan_core::documents::DocumentId;
use obcan_core::policy::Permission;
use obcan_core::staff::{AgendaId, StaffId};
use obcan_core::submissions::{Message, MessageError, OfficeStep, SubmissionId, SubmissionState};
use obcan_store::{Agenda, StepRefused, TimelineEntry};
use serde::Deserialize;

use super::{acting, filed_download};
use crate::authz::{SignedInStaff, need};
use crate::client_ip::ClientIp;
use crate::error::WebError;
use crate::i18n::Texts;
use crate::pages::documents::human_size;
use crate::pages::forms::fields::{AnswerLine, answer_lines};
use crate::pages::forms::title_of;
use crate::pages::{Chrome, Section, ValidForm, local_time, render, render_with_status};
use crate::state::AppState;

/// Days before its deadline from which a submission is marked as due soon.
const DUE_SOON_DAYS: i64 = 5;

type Official = SignedInStaff<need::WorkAgendas>;

/// The agenda, if it is within the official's scope.
async fn agenda_of(state: &AppState, staff: &Official, id: &str) -> Result<Agenda, WebError> {
    let id = AgendaId::parse(id).map_err(|_| WebError::NotFound)?;
    let agenda = state
        .store
        .organisation()
        .agenda(id)
        .await?
        .ok_or(WebError::NotFound)?;
    staff.require(Permission::WorkAgenda {
        agenda: agenda.id,
        department: agenda.department,
    })?;
    Ok(agenda)
}

fn today(state: &AppState) -> Date {
    state.now().to_zoned(obcan_core::time::office_zone()).date()
}

/// How near a deadline is: `overdue`, `soon` or `later`; none once settled.
fn urgency(deadline: Date, state: SubmissionState, today: Date) -> Option<&'static str> {
    if state.is_settled() {
        return None;
    }
    let days = (deadline - today).get_days();
    Some(if days < 0 {
        "overdue"
    } else if i64::from(days) <= DUE_SOON_DAYS {
        "soon"
    } else {
        "later"
    })
}

/// Names of staff members, each looked up once.
async fn names(state: &AppState, ids: Vec<StaffId>) -> Result<HashMap<StaffId, String>, WebError> {
    let mut names = HashMap::new();
    for id in ids {
        if names.contains_key(&id) {
            continue;
        }
        if let Some(member) = state.store.staff().get(id).await? {
            names.insert(id, member.display_name.to_string());
        }
    }
    Ok(names)
}

#[derive(Debug)]
struct QueueRow {
    href: String,
    reference: String,
    title: String,
    submitted: String,
    deadline: String,
    urgency: Option<&'static str>,
    urgency_text: &'static str,
    state: &'static str,
    assigned: String,
}

#[derive(Template)]
#[template(path = "office_agenda.html")]
struct AgendaPage {
    chrome: Chrome,
    name: String,
    department: String,
    key: Option<String>,
    queue: Vec<QueueRow>,
}

fn urgency_text(t: &'static Texts, urgency: Option<&'static str>) -> &'static str {
    match urgency {
        Some("overdue") => t.office.deadline_overdue,
        Some("soon") => t.office.deadline_soon,
        _ => "",
    }
}

pub(crate) async fn page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    staff: Official,
) -> Result<Response, WebError> {
    let agenda = agenda_of(&state, &staff, &id).await?;
    let organisation = state.store.organisation();
    let department = organisation
        .department(agenda.department)
        .await?
        .map(|department| department.name.to_string())
        .unwrap_or_default();
    let path = format!("/office/agendas/{}", agenda.id);
    let chrome = Chrome::new(&state, &staff.visitor, &path, Section::Office)?;
    let t = chrome.t;
    let language = staff.visitor.language;
    let queued = match &agenda.key {
        Some(key) => state.store.submissions().queue(key).await?,
        None => Vec::new(),
    };
    let assigned = queued.iter().filter_map(|q| q.assigned_to).collect();
    let names = names(&state, assigned).await?;
    let today = today(&state);
    let queue = queued
        .into_iter()
        .map(|queued| {
            let receipt = queued.receipt;
            let urgency = urgency(receipt.deadline_on, receipt.state, today);
            QueueRow {
                href: format!("{path}/submissions/{}", receipt.id),
                title: title_of(&state, receipt.form.as_str(), language),
                submitted: local_time(receipt.submitted_at),
                deadline: t.date(receipt.deadline_on, language),
                urgency,
                urgency_text: urgency_text(t, urgency),
                state: t.office.state(receipt.state),
                assigned: queued
                    .assigned_to
                    .and_then(|id| names.get(&id).cloned())
                    .unwrap_or_default(),
                reference: receipt.reference,
            }
        })
        .collect();
    render(&AgendaPage {
        chrome,
        name: agenda.name.to_string(),
        department,
        key: agenda.key.map(|key| key.to_string()),
        queue,
    })
}

#[derive(Debug)]
struct EntryRow {
    at: String,
    text: &'static str,
    by: String,
    message: Option<String>,
    note: bool,
}

#[derive(Debug)]
struct DocumentRow {
    name: String,
    size: String,
    filed: String,
    href: String,
}

#[derive(Template)]
#[template(path = "office_submission.html")]
struct SubmissionPage {
    chrome: Chrome,
    csrf: String,
    agenda_href: String,
    agenda_name: String,
    title: String,
    reference: String,
    submitted: String,
    deadline: String,
    urgency: Option<&'static str>,
    urgency_text: &'static str,
    state: &'static str,
    state_id: &'static str,
    assigned: String,
    content: Vec<(String, Vec<AnswerLine>)>,
    /// What it came with and what the citizen sent later, from its file.
    documents: Vec<DocumentRow>,
    timeline: Vec<EntryRow>,
    /// The steps open now, with their buttons' labels.
    steps: Vec<(&'static str, &'static str)>,
    action: String,
    typed: String,
    error: Option<&'static str>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct StepForm {
    step: String,
    #[serde(default)]
    text: String,
}

pub(crate) async fn submission(
    State(state): State<AppState>,
    Path((agenda, id)): Path<(String, String)>,
    staff: Official,
    ip: ClientIp,
) -> Result<Response, WebError> {
    show(&state, &staff, &ip, &agenda, &id, String::new(), None).await
}

/// The submission's page; reading its content is audited.
async fn show(
    state: &AppState,
    staff: &Official,
    ip: &ClientIp,
    agenda: &str,
    id: &str,
    typed: String,
    error: Option<&'static str>,
) -> Result<Response, WebError> {
    let agenda = agenda_of(state, staff, agenda).await?;
    let id = SubmissionId::parse(id).ok_or(WebError::NotFound)?;
    let worked = state
        .store
        .submissions()
        .for_office(id)
        .await?
        // Only through the agenda it came to.
        .filter(|worked| Some(&worked.agenda) == agenda.key.as_ref())
        .ok_or(WebError::NotFound)?;
    let receipt = &worked.receipt;
    let event = AuditEvent::new(
        state.now(),
        Actor::Staff(staff.grants.id.uuid()),
        Action::SubmissionRead,
    )
    .about_record_file(worked.file)
    .with("submission", receipt.id.to_string())
    .with("reference", receipt.reference.clone())
    .from_ip(ip.text());
    state.store.audit().append(&event).await?;

    let agenda_href = format!("/office/agendas/{}", agenda.id);
    let path = format!("{agenda_href}/submissions/{}", receipt.id);
    let chrome = Chrome::new(state, &staff.visitor, &path, Section::Office)?;
    let t = chrome.t;
    let language = staff.visitor.language;
    let form = state.settings.forms.get(receipt.form.as_str());
    let staff_ids = worked
        .timeline
        .iter()
        .filter_map(staff_of)
        .chain(worked.assigned_to)
        .collect();
    let names = names(state, staff_ids).await?;
    let name_of = |id: Option<StaffId>| {
        id.and_then(|id| names.get(&id).cloned())
            .unwrap_or_default()
    };
    let no_names = HashMap::new();
    let content = form.map_or_else(Vec::new, |form| {
        form.steps
            .iter()
            .enumerate()
            .map(|(index, step)| {
                (
                    step.title.get(language).to_owned(),
                    answer_lines(form, index, &worked.content, &no_names, t, language),
                )
            })
            .collect()
    });
    let timeline = worked
        .timeline
        .iter()
        .map(|entry| EntryRow {
            at: local_time(entry.at),
            text: t.submissions.event(entry.kind),
            by: match staff_of(entry) {
                Some(id) => name_of(Some(id)),
                None => t.office.by_citizen.to_owned(),
            },
            message: entry.text.clone(),
            note: entry.kind == obcan_core::submissions::TimelineKind::Note,
        })
        .collect();
    let documents = state
        .store
        .records()
        .documents(worked.file)
        .await?
        .into_iter()
        .map(|document| DocumentRow {
            href: format!("{path}/documents/{}", document.id),
            name: document.name.as_str().to_owned(),
            size: human_size(document.size, language),
            filed: local_time(document.filed_at),
        })
        .collect();
    let urgency = urgency(receipt.deadline_on, receipt.state, today(state));
    let steps = OfficeStep::ALL
        .into_iter()
        .filter(|step| step.from(receipt.state).is_some())
        .map(|step| (step.as_str(), t.office.step(step)))
        .collect();
    let page = SubmissionPage {
        csrf: chrome.csrf.clone().unwrap_or_default(),
        agenda_name: agenda.name.to_string(),
        title: title_of(state, receipt.form.as_str(), language),
        reference: receipt.reference.clone(),
        submitted: local_time(receipt.submitted_at),
        deadline: t.date(receipt.deadline_on, language),
        urgency,
        urgency_text: urgency_text(t, urgency),
        state: t.office.state(receipt.state),
        state_id: receipt.state.as_str(),
        assigned: name_of(worked.assigned_to),
        content,
        documents,
        timeline,
        steps,
        action: format!("{path}/steps"),
        typed,
        error,
        agenda_href,
        chrome,
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render_with_status(status, &page)
}

/// A document of the submission's file, as it was filed; reading it is
/// audited like any read of a file's document.
pub(crate) async fn document(
    State(state): State<AppState>,
    Path((agenda, id, document)): Path<(String, String, String)>,
    staff: Official,
    ip: ClientIp,
) -> Result<Response, WebError> {
    let agenda = agenda_of(&state, &staff, &agenda).await?;
    let id = SubmissionId::parse(&id).ok_or(WebError::NotFound)?;
    let document = DocumentId::parse(&document).ok_or(WebError::NotFound)?;
    let key = agenda.key.as_ref().ok_or(WebError::NotFound)?;
    let file = state
        .store
        .submissions()
        .file_in(id, key)
        .await?
        .ok_or(WebError::NotFound)?;
    let event = acting(&state, &staff, &ip)
        .event(Action::RecordDocumentRead, file)
        .with("submission", id.to_string());
    filed_download(&state, file, document, event).await
}

fn staff_of(entry: &TimelineEntry) -> Option<StaffId> {
    entry
        .actor
        .strip_prefix("staff:")
        .and_then(|id| StaffId::parse(id).ok())
}

pub(crate) async fn work(
    State(state): State<AppState>,
    Path((agenda_id, id)): Path<(String, String)>,
    staff: Official,
    ip: ClientIp,
    ValidForm(form): ValidForm<StepForm>,
) -> Result<Response, WebError> {
    let agenda = agenda_of(&state, &staff, &agenda_id).await?;
    let t = crate::i18n::texts(staff.visitor.language);
    let step = OfficeStep::parse(&form.step)
        .ok_or_else(|| WebError::BadRequest(format!("no step {:?}", form.step)))?;
    let submission = SubmissionId::parse(&id).ok_or(WebError::NotFound)?;
    // An agenda without a key receives no submissions.
    let key = agenda.key.as_ref().ok_or(WebError::NotFound)?;
    let text = match Message::parse(&form.text) {
        Ok(message) => Ok(Some(message)),
        Err(MessageError::Empty) if !step.needs_text() => Ok(None),
        Err(MessageError::Empty) => Err(t.office.step_text_required),
        Err(MessageError::Invalid) => Err(t.office.step_text_invalid),
    };
    let problem = match text {
        Ok(text) => match state
            .store
            .submissions()
            .work(
                submission,
                key,
                step,
                text.as_ref(),
                &acting(&state, &staff, &ip),
            )
            .await?
        {
            Ok(_) => {
                let page = format!("/office/agendas/{}/submissions/{submission}", agenda.id);
                return Ok(Redirect::to(&page).into_response());
            }
            Err(StepRefused::NotNow(_)) => t.office.step_not_now,
            Err(StepRefused::NotFound) => return Err(WebError::NotFound),
        },
        Err(problem) => problem,
    };
    show(
        &state,
        &staff,
        &ip,
        &agenda_id,
        &id,
        form.text,
        Some(problem),
    )
    .await
}
