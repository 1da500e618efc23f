//! One agenda's work, for the officials whose scope covers it: the queue of
//! the submissions its forms bring (those still open first, by deadline,
//! the near ones marked; filtered by state, assignee, overdue and
//! reference), and each submission with its content, its whole timeline
//! and the steps an official takes on it: take it up, ask the citizen for
//! more, resolve, reject, note, give it to a colleague. Every read of a
//! submission's content and every step is audited.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use obcan_core::audit::{Action, Actor, AuditEvent};
use obcan_core::documents::DocumentId;
use obcan_core::integration::ClientId;
use obcan_core::language::Language;
use obcan_core::policy::{Permission, permits};
use obcan_core::records::RecordFileId;
use obcan_core::staff::{AgendaId, StaffId};
use obcan_core::submissions::{
    Message, MessageError, OfficeStep, SubmissionId, SubmissionState, TimelineKind,
};
use obcan_store::{
    Agenda, AssigneeFilter, Decision, NewFiledDocument, QueueFilter, StateFilter, StepRefused,
    StoredContent, TimelineEntry,
};
use serde::Deserialize;

use super::{UploadRefused, acting, filed_download, upload_into};
use crate::authz::{SignedInStaff, need};
use crate::client_ip::ClientIp;
use crate::error::WebError;
use crate::i18n::Texts;
use crate::pages::documents::human_size;
use crate::pages::forms::fields::{AnswerLine, answer_lines};
use crate::pages::forms::title_of;
use crate::pages::submissions::registration_number;
use crate::pages::text_field;
use crate::pages::{
    Chrome, Section, ValidForm, ValidQuery, local_time, render, render_with_status,
};
use crate::state::AppState;

/// Days before its deadline from which a submission is marked as due soon.
const DUE_SOON_DAYS: i64 = 5;

/// The most submissions the queue shows at once.
const QUEUE_PAGE: u32 = 200;

/// The longest reference one searches for.
const REFERENCE_SEARCH_MAX: usize = 40;

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

/// The active officials who may work the agenda, by name: those a
/// submission can be given to.
async fn colleagues(state: &AppState, agenda: &Agenda) -> Result<Vec<(StaffId, String)>, WebError> {
    let work = Permission::WorkAgenda {
        agenda: agenda.id,
        department: agenda.department,
    };
    let mut colleagues: Vec<_> = state
        .store
        .staff()
        .list()
        .await?
        .into_iter()
        .filter(|member| !member.disabled && permits(&member.grants(), work))
        .map(|member| (member.id, member.display_name.to_string()))
        .collect();
    colleagues.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(colleagues)
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
    path: String,
    name: String,
    department: String,
    key: Option<String>,
    queue: Vec<QueueRow>,
    /// The filter as the official set it, to draw its form again.
    query: QueueQuery,
    filtered: bool,
    /// Every state, with the office's word for it.
    states: Vec<(&'static str, &'static str)>,
    colleagues: Vec<(String, String)>,
    invalid_filter: bool,
    more: Option<String>,
}

fn urgency_text(t: &'static Texts, urgency: Option<&'static str>) -> &'static str {
    match urgency {
        Some("overdue") => t.office.deadline_overdue,
        Some("soon") => t.office.deadline_soon,
        _ => "",
    }
}

/// The queue's filter as the form sends it; empty values filter nothing.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct QueueQuery {
    state: String,
    assignee: String,
    overdue: Option<String>,
    reference: String,
}

impl QueueQuery {
    /// The store's filter; an unknown value is left out, and says so.
    fn filter(
        &self,
        me: StaffId,
        colleagues: &[(StaffId, String)],
        today: Date,
    ) -> (QueueFilter, bool) {
        let mut invalid = false;
        let state = match self.state.as_str() {
            "" => StateFilter::Any,
            "open" => StateFilter::Open,
            raw => SubmissionState::parse(raw).map_or_else(
                || {
                    invalid = true;
                    StateFilter::Any
                },
                StateFilter::Is,
            ),
        };
        let assignee = match self.assignee.as_str() {
            "" => AssigneeFilter::Anyone,
            "me" => AssigneeFilter::Is(me),
            "nobody" => AssigneeFilter::Nobody,
            raw => match StaffId::parse(raw) {
                Ok(id) if colleagues.iter().any(|(colleague, _)| *colleague == id) => {
                    AssigneeFilter::Is(id)
                }
                _ => {
                    invalid = true;
                    AssigneeFilter::Anyone
                }
            },
        };
        let reference = self.reference.trim();
        let reference = if reference.chars().count() > REFERENCE_SEARCH_MAX
            || reference.chars().any(char::is_control)
        {
            invalid = true;
            None
        } else {
            Some(reference.to_owned()).filter(|reference| !reference.is_empty())
        };
        let filter = QueueFilter {
            state,
            assignee,
            overdue_on: self.overdue.is_some().then_some(today),
            reference,
        };
        (filter, invalid)
    }
}

pub(crate) async fn page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    staff: Official,
    ValidQuery(query): ValidQuery<QueueQuery>,
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
    let colleagues = colleagues(&state, &agenda).await?;
    let today = today(&state);
    let (filter, invalid_filter) = query.filter(staff.grants.id, &colleagues, today);
    let page = match &agenda.key {
        Some(key) => Some(
            state
                .store
                .submissions()
                .queue(key, &filter, QUEUE_PAGE)
                .await?,
        ),
        None => None,
    };
    let (queued, more) = page.map_or((Vec::new(), false), |page| (page.queued, page.more));
    let assigned = queued.iter().filter_map(|q| q.assigned_to).collect();
    let names = names(&state, assigned).await?;
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
        name: agenda.name.to_string(),
        department,
        key: agenda.key.map(|key| key.to_string()),
        queue,
        filtered: filter != QueueFilter::default(),
        states: SubmissionState::ALL
            .into_iter()
            .map(|state| (state.as_str(), t.office.state(state)))
            .collect(),
        colleagues: colleagues
            .into_iter()
            .map(|(id, name)| (id.to_string(), name))
            .collect(),
        invalid_filter,
        more: more.then(|| t.office.queue_more.replace("{n}", &QUEUE_PAGE.to_string())),
        query,
        path,
        chrome,
    })
}

#[derive(Debug)]
struct EntryRow {
    at: String,
    text: &'static str,
    by: String,
    /// Whom it was given to, for an assignment.
    assignee: Option<String>,
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
    /// Its číslo jednací, once the records system gave it one.
    registration: Option<String>,
    content: Vec<(String, Vec<AnswerLine>)>,
    /// What it came with and what the citizen sent later, from its file.
    documents: Vec<DocumentRow>,
    timeline: Vec<EntryRow>,
    /// The steps open now, with their buttons' labels.
    steps: Vec<(&'static str, &'static str)>,
    action: String,
    typed: String,
    error: Option<String>,
    /// Those it may be given to, while it is open.
    colleagues: Vec<(String, String)>,
    assign_action: String,
    assign_error: Option<&'static str>,
}

/// What went wrong with the official's last post, to show on the page.
#[derive(Debug)]
enum Refusal {
    None,
    /// A step, with the text as they typed it.
    Step {
        typed: String,
        problem: String,
    },
    Assign(&'static str),
}

pub(crate) async fn submission(
    State(state): State<AppState>,
    Path((agenda, id)): Path<(String, String)>,
    staff: Official,
    ip: ClientIp,
) -> Result<Response, WebError> {
    show(&state, &staff, &ip, &agenda, &id, Refusal::None).await
}

/// The submission's page; reading its content is audited.
async fn show(
    state: &AppState,
    staff: &Official,
    ip: &ClientIp,
    agenda: &str,
    id: &str,
    refusal: Refusal,
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
        .flat_map(|entry| [staff_of(entry), entry.assignee])
        .flatten()
        .chain(worked.assigned_to)
        .collect();
    let names = names(state, staff_ids).await?;
    let name_of = |id: Option<StaffId>| {
        id.and_then(|id| names.get(&id).cloned())
            .unwrap_or_default()
    };
    let clients = client_names(state, &worked.timeline).await?;
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
            by: match (staff_of(entry), client_of(entry)) {
                (Some(id), _) => name_of(Some(id)),
                (None, Some(client)) => match clients.get(&client) {
                    Some(name) => format!("{}: {name}", t.office.by_records_system),
                    None => t.office.by_records_system.to_owned(),
                },
                (None, None) => t.office.by_citizen.to_owned(),
            },
            assignee: (entry.kind == TimelineKind::Assigned).then(|| name_of(entry.assignee)),
            message: entry.text.clone(),
            note: entry.kind == TimelineKind::Note,
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
    let colleagues = if receipt.state.is_settled() {
        Vec::new()
    } else {
        colleagues(state, &agenda)
            .await?
            .into_iter()
            .filter(|(id, _)| Some(*id) != worked.assigned_to)
            .map(|(id, name)| (id.to_string(), name))
            .collect()
    };
    let (typed, error, assign_error) = match refusal {
        Refusal::None => (String::new(), None, None),
        Refusal::Step { typed, problem } => (typed, Some(problem), None),
        Refusal::Assign(problem) => (String::new(), None, Some(problem)),
    };
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
        registration: registration_number(state, receipt.id).await?,
        content,
        documents,
        timeline,
        steps,
        action: format!("{path}/steps"),
        assign_action: format!("{path}/assign"),
        colleagues,
        typed,
        error,
        assign_error,
        agenda_href,
        chrome,
    };
    let status = if page.error.is_some() || page.assign_error.is_some() {
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

/// The records-management client that made a timeline entry, if one did.
fn client_of(entry: &TimelineEntry) -> Option<ClientId> {
    entry
        .actor
        .strip_prefix("integration:")
        .and_then(ClientId::parse)
}

/// The names of the records-management clients, if the timeline has an
/// entry by one.
async fn client_names(
    state: &AppState,
    timeline: &[TimelineEntry],
) -> Result<HashMap<ClientId, String>, WebError> {
    if !timeline.iter().any(|entry| client_of(entry).is_some()) {
        return Ok(HashMap::new());
    }
    let clients = state.store.integration().clients().await?;
    Ok(clients
        .into_iter()
        .map(|client| (client.id, client.name.as_str().to_owned()))
        .collect())
}

/// What the step's form sent: a multipart body, since it may carry a
/// document. The document comes before the button that names the step, so
/// it is stored (under the file's key) before the step is known.
#[derive(Debug, Default)]
struct StepPost {
    step: String,
    text: String,
    document: Option<(NewFiledDocument, StoredContent)>,
    /// Why the document was refused.
    refused: Option<String>,
}

/// The most bytes a step's text field may hold: its characters, each of up
/// to four bytes, and line ends sent as CRLF.
const STEP_TEXT_MAX_BYTES: usize = Message::MAX_CHARS * 5;

/// Reads the step's form into `post`, the document stored as it streams.
async fn read_step(
    state: &AppState,
    multipart: &mut Multipart,
    file: RecordFileId,
    language: Language,
    post: &mut StepPost,
) -> Result<(), WebError> {
    let t = crate::i18n::texts(language);
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|error| WebError::BadRequest(error.body_text()))?
    {
        match field.name() {
            // Checked by the CSRF layer before the handler runs.
            Some("_csrf") => {}
            Some("step") => post.step = text_field(&mut field, 64).await?,
            Some("text") => post.text = text_field(&mut field, STEP_TEXT_MAX_BYTES).await?,
            Some("document") if post.document.is_none() && post.refused.is_none() => {
                let typed = field.file_name().unwrap_or_default().to_owned();
                if typed.is_empty() {
                    continue;
                }
                match upload_into(state, &mut field, file, &typed, language).await? {
                    Ok(uploaded) => post.document = Some(uploaded),
                    Err(UploadRefused::File(_)) => {
                        post.refused = Some(t.office.document_file_closed.to_owned());
                    }
                    Err(UploadRefused::Document(reason)) => post.refused = Some(reason),
                }
            }
            other => {
                return Err(WebError::BadRequest(format!("no field {other:?} here")));
            }
        }
    }
    Ok(())
}

pub(crate) async fn work(
    State(state): State<AppState>,
    Path((agenda_id, id)): Path<(String, String)>,
    staff: Official,
    ip: ClientIp,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let agenda = agenda_of(&state, &staff, &agenda_id).await?;
    let language = staff.visitor.language;
    let t = crate::i18n::texts(language);
    let submission = SubmissionId::parse(&id).ok_or(WebError::NotFound)?;
    // An agenda without a key receives no submissions.
    let key = agenda.key.as_ref().ok_or(WebError::NotFound)?;
    let submissions = state.store.submissions();
    let file = submissions
        .file_in(submission, key)
        .await?
        .ok_or(WebError::NotFound)?;
    let mut post = StepPost::default();
    let read = read_step(&state, &mut multipart, file, language, &mut post).await;
    let StepPost {
        step,
        text,
        document,
        refused,
    } = post;
    let (filed, content) = document.map_or((None, None), |(filed, content)| {
        (Some(filed), Some(content))
    });
    let discard = |content: Option<StoredContent>| async {
        if let Some(content) = content {
            state.store.documents().discard(content).await;
        }
    };
    let step = match (read, OfficeStep::parse(&step)) {
        (Ok(()), Some(parsed)) => parsed,
        (read, _) => {
            discard(content).await;
            read?;
            return Err(WebError::BadRequest(format!("no step {step:?}")));
        }
    };
    let message = match Message::parse(&text) {
        Ok(message) => Ok(Some(message)),
        Err(MessageError::Empty) if !step.needs_text() => Ok(None),
        Err(MessageError::Empty) => Err(t.office.step_text_required.to_owned()),
        Err(MessageError::Invalid) => Err(t.office.step_text_invalid.to_owned()),
    };
    let problem = match (message, refused) {
        (Ok(message), None) => {
            let sender = format!("{} – {}", state.settings.branding.name, agenda.name);
            let decision = filed
                .as_ref()
                .zip(content)
                .map(|(document, content)| Decision {
                    document,
                    content,
                    sender: &sender,
                });
            let acting = acting(&state, &staff, &ip);
            let taken = submissions
                .work(submission, key, step, message.as_ref(), decision, &acting)
                .await?;
            match taken {
                Ok(_) => {
                    let page = format!("/office/agendas/{}/submissions/{submission}", agenda.id);
                    return Ok(Redirect::to(&page).into_response());
                }
                Err(StepRefused::NotNow(_)) => t.office.step_not_now.to_owned(),
                Err(StepRefused::NoDocumentWith(_)) => t.office.document_not_with_step.to_owned(),
                Err(StepRefused::FileNotOpen) => t.office.document_file_closed.to_owned(),
                Err(StepRefused::NotFound) => return Err(WebError::NotFound),
            }
        }
        (_, Some(problem)) | (Err(problem), None) => {
            discard(content).await;
            problem
        }
    };
    let refusal = Refusal::Step {
        typed: text,
        problem,
    };
    show(&state, &staff, &ip, &agenda_id, &id, refusal).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct AssignForm {
    to: String,
}

/// Gives the submission to a colleague who works the agenda.
pub(crate) async fn assign(
    State(state): State<AppState>,
    Path((agenda_id, id)): Path<(String, String)>,
    staff: Official,
    ip: ClientIp,
    ValidForm(form): ValidForm<AssignForm>,
) -> Result<Response, WebError> {
    let agenda = agenda_of(&state, &staff, &agenda_id).await?;
    let t = crate::i18n::texts(staff.visitor.language);
    let submission = SubmissionId::parse(&id).ok_or(WebError::NotFound)?;
    let key = agenda.key.as_ref().ok_or(WebError::NotFound)?;
    let to = StaffId::parse(&form.to)
        .map_err(|_| WebError::BadRequest(format!("no staff member {:?}", form.to)))?;
    let problem = if colleagues(&state, &agenda)
        .await?
        .iter()
        .any(|(colleague, _)| *colleague == to)
    {
        match state
            .store
            .submissions()
            .assign(submission, key, to, &acting(&state, &staff, &ip))
            .await?
        {
            Ok(_) => {
                let page = format!("/office/agendas/{}/submissions/{submission}", agenda.id);
                return Ok(Redirect::to(&page).into_response());
            }
            Err(StepRefused::NotNow(_)) => t.office.step_not_now,
            Err(
                StepRefused::NotFound | StepRefused::NoDocumentWith(_) | StepRefused::FileNotOpen,
            ) => return Err(WebError::NotFound),
        }
    } else {
        t.office.assign_refused
    };
    show(
        &state,
        &staff,
        &ip,
        &agenda_id,
        &id,
        Refusal::Assign(problem),
    )
    .await
}
