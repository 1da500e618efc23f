//! The records manager's pages: the office's files under the filing plan
//! (open, file documents, close, legal hold), the disposal procedure (the
//! system's proposal, approved or rejected here).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use obcan_core::audit::Action;
use obcan_core::documents::DocumentId;
use obcan_core::records::{
    FileState, FileTitle, FilingPlan, HoldReason, Outcome, ProposalId, ProposalState, RecordFileId,
    RetentionSign,
};
use obcan_store::{ItemOutcome, NewFile, ProposalSummary, RecordFile, Refused};
use serde::Deserialize;

use super::super::documents::human_size;
use super::{UploadRefused, acting, filed_download, upload_into};
use crate::authz::{SignedInStaff, need};
use crate::client_ip::ClientIp;
use crate::error::WebError;
use crate::i18n::{RecordTexts, Texts};
use crate::pages::{Chrome, Section, ValidForm, ValidQuery, local_time, render_with_status};
use crate::state::AppState;

mod export;

pub(crate) use export::export;

type Manager = SignedInStaff<need::ManageRecords>;

const PATH: &str = "/office/records";

fn today(state: &AppState) -> jiff::civil::Date {
    state.now().to_zoned(obcan_core::time::office_zone()).date()
}

fn state_label(state: FileState, t: &RecordTexts) -> &'static str {
    match state {
        FileState::Open => t.state_open,
        FileState::Closed => t.state_closed,
        FileState::Archived => t.state_archived,
        FileState::Destroyed => t.state_destroyed,
    }
}

/// A file as a table row or the head of its page.
#[derive(Debug)]
struct FileView {
    id: String,
    reference: String,
    title: String,
    class: String,
    regime: String,
    state: &'static str,
    opened: String,
    closed: String,
    disposal_from: String,
    hold: Option<(String, String)>,
}

fn file_view(file: &RecordFile, t: &'static Texts) -> FileView {
    FileView {
        id: file.id.to_string(),
        reference: file.reference.clone(),
        title: file
            .title
            .as_ref()
            .map(|title| title.as_str().to_owned())
            .unwrap_or_default(),
        class: format!("{} {}", file.class_mark, file.class_title),
        regime: format!("{}/{}", file.sign, file.years),
        state: state_label(file.state, &t.records),
        opened: local_time(file.opened_at),
        closed: file.closed_at.map(local_time).unwrap_or_default(),
        disposal_from: file
            .disposal_from
            .map(|day| t.date_short(day))
            .unwrap_or_default(),
        hold: file
            .hold
            .as_ref()
            .map(|hold| (hold.reason.as_str().to_owned(), local_time(hold.at))),
    }
}

/// 422 when the page comes back with errors.
fn status_for<E>(errors: &[E]) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

fn file_id(raw: &str) -> Result<RecordFileId, WebError> {
    RecordFileId::parse(raw).ok_or(WebError::NotFound)
}

fn done_text(done: Option<&str>, t: &'static RecordTexts) -> Option<&'static str> {
    Some(match done? {
        "created" => t.done_created,
        "filed" => t.done_filed,
        "closed" => t.done_closed,
        "held" => t.done_held,
        "released" => t.done_released,
        "proposed" => t.done_proposed,
        "nothing-due" => t.nothing_due,
        "approved" => t.done_approved,
        "rejected" => t.done_rejected,
        _ => return None,
    })
}

#[derive(Debug, Deserialize)]
pub(crate) struct ListQuery {
    state: Option<String>,
    done: Option<String>,
}

#[derive(Debug)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "office_records.html")]
struct ListPage {
    chrome: Chrome,
    csrf: String,
    notice: Option<&'static str>,
    errors: Vec<&'static str>,
    states: Vec<Choice>,
    files: Vec<FileView>,
    classes: Vec<Choice>,
    typed_title: String,
}

pub(crate) async fn list(
    State(state): State<AppState>,
    manager: Manager,
    ValidQuery(query): ValidQuery<ListQuery>,
) -> Result<Response, WebError> {
    let filter = query.state.as_deref().and_then(FileState::parse);
    let t = crate::i18n::texts(manager.visitor.language);
    let notice = done_text(query.done.as_deref(), &t.records);
    list_page(
        &state,
        &manager,
        filter,
        notice,
        Vec::new(),
        &OpenForm::default(),
    )
    .await
}

async fn list_page(
    state: &AppState,
    manager: &Manager,
    filter: Option<FileState>,
    notice: Option<&'static str>,
    errors: Vec<&'static str>,
    typed: &OpenForm,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(state, &manager.visitor, PATH, Section::Office)?;
    let t = chrome.t;
    let files = state.store.records().list(filter).await?;
    let status = status_for(&errors);
    let page = ListPage {
        csrf: chrome.csrf.clone().unwrap_or_default(),
        notice,
        errors,
        states: FileState::ALL
            .into_iter()
            .map(|option| Choice {
                value: option.as_str().to_owned(),
                label: state_label(option, &t.records).to_owned(),
                selected: filter == Some(option),
            })
            .collect(),
        files: files.iter().map(|file| file_view(file, t)).collect(),
        classes: FilingPlan::PORTAL
            .classes()
            .map(|class| Choice {
                value: class.mark.to_owned(),
                label: format!(
                    "{} {} ({}/{})",
                    class.mark, class.title, class.sign, class.years
                ),
                selected: typed.class == class.mark,
            })
            .collect(),
        typed_title: typed.title.clone(),
        chrome,
    };
    render_with_status(status, &page)
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct OpenForm {
    #[serde(default)]
    class: String,
    #[serde(default)]
    title: String,
}

pub(crate) async fn open(
    State(state): State<AppState>,
    manager: Manager,
    ip: ClientIp,
    ValidForm(form): ValidForm<OpenForm>,
) -> Result<Response, WebError> {
    let t = &crate::i18n::texts(manager.visitor.language).records;
    let title = FileTitle::parse(&form.title);
    let class = FilingPlan::PORTAL.class(&form.class);
    let (Ok(title), Some(class)) = (title.clone(), class) else {
        let mut errors = Vec::new();
        if class.is_none() {
            errors.push(t.invalid_class);
        }
        if title.is_err() {
            errors.push(t.invalid_title);
        }
        return list_page(&state, &manager, None, None, errors, &form).await;
    };
    let id = RecordFileId::random();
    let file = NewFile { id, title, class };
    state
        .store
        .records()
        .open(&file, &acting(&state, &manager, &ip))
        .await?;
    Ok(Redirect::to(&format!("{PATH}/{id}?done=created")).into_response())
}

#[derive(Debug)]
struct DocumentRow {
    id: String,
    name: String,
    size: String,
    filed: String,
    sha256: String,
    damaged: bool,
}

#[derive(Template)]
#[template(path = "office_record.html")]
struct DetailPage {
    chrome: Chrome,
    csrf: String,
    notice: Option<&'static str>,
    errors: Vec<String>,
    file: FileView,
    documents: Vec<DocumentRow>,
    typed_reason: String,
    open: bool,
    may_hold: bool,
    archived: bool,
    destroyed: bool,
    /// What the export makes, when the file can be exported.
    export_lead: Option<&'static str>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct DetailQuery {
    done: Option<String>,
}

pub(crate) async fn detail(
    State(state): State<AppState>,
    manager: Manager,
    Path(id): Path<String>,
    ValidQuery(query): ValidQuery<DetailQuery>,
) -> Result<Response, WebError> {
    let t = crate::i18n::texts(manager.visitor.language);
    let notice = done_text(query.done.as_deref(), &t.records);
    detail_page(&state, &manager, file_id(&id)?, notice, Vec::new(), "").await
}

async fn detail_page(
    state: &AppState,
    manager: &Manager,
    id: RecordFileId,
    notice: Option<&'static str>,
    errors: Vec<String>,
    typed_reason: &str,
) -> Result<Response, WebError> {
    let records = state.store.records();
    let file = records.get(id).await?.ok_or(WebError::NotFound)?;
    let path = format!("{PATH}/{id}");
    let chrome = Chrome::new(state, &manager.visitor, &path, Section::Office)?;
    let t = chrome.t;
    let language = manager.visitor.language;
    let documents = records
        .documents(id)
        .await?
        .into_iter()
        .map(|document| DocumentRow {
            id: document.id.to_string(),
            name: document.name.as_str().to_owned(),
            size: human_size(document.size, language),
            filed: local_time(document.filed_at),
            sha256: document.sha256_hex(),
            damaged: document.damaged_at.is_some(),
        })
        .collect();
    let status = status_for(&errors);
    let live = matches!(file.state, FileState::Open | FileState::Closed);
    let page = DetailPage {
        csrf: chrome.csrf.clone().unwrap_or_default(),
        notice,
        errors,
        documents,
        typed_reason: typed_reason.to_owned(),
        open: file.state == FileState::Open,
        may_hold: live,
        archived: file.state == FileState::Archived,
        destroyed: file.state == FileState::Destroyed,
        export_lead: match file.state {
            FileState::Closed => Some(t.records.export_lead_closed),
            FileState::Archived => Some(t.records.export_lead_archived),
            FileState::Open | FileState::Destroyed => None,
        },
        file: file_view(&file, t),
        chrome,
    };
    render_with_status(status, &page)
}

/// The message for a step the store refused.
fn refused_text(refused: &Refused, t: &'static RecordTexts) -> String {
    match refused {
        Refused::FileIs(_) => t.not_open.to_owned(),
        Refused::Empty => t.empty_close.to_owned(),
        Refused::AlreadyHeld => t.already_held.to_owned(),
        Refused::NotHeld => t.not_held.to_owned(),
        Refused::AlreadyDecided => t.already_decided.to_owned(),
        Refused::DecisionMissing(reference) => format!("{} {reference}", t.decision_missing),
        Refused::NoSuchFile | Refused::NoSuchProposal => t.state_changed.to_owned(),
    }
}

pub(crate) async fn file_document(
    State(state): State<AppState>,
    manager: Manager,
    ip: ClientIp,
    Path(id): Path<String>,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let id = file_id(&id)?;
    let texts = crate::i18n::texts(manager.visitor.language);
    let language = manager.visitor.language;
    let records = state.store.records();
    let refuse = |error: String| detail_page(&state, &manager, id, None, vec![error], "");
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|error| WebError::BadRequest(error.body_text()))?
    {
        if field.name() != Some("file") {
            continue;
        }
        let typed = field.file_name().unwrap_or_default().to_owned();
        if typed.is_empty() {
            break;
        }
        let (document, content) =
            match upload_into(&state, &mut field, id, &typed, language).await? {
                Ok(uploaded) => uploaded,
                Err(UploadRefused::File(Refused::NoSuchFile)) => return Err(WebError::NotFound),
                Err(UploadRefused::File(refused)) => {
                    return refuse(refused_text(&refused, &texts.records)).await;
                }
                Err(UploadRefused::Document(reason)) => return refuse(reason).await,
            };
        let acting = acting(&state, &manager, &ip);
        return match records
            .file_document(id, &document, content, &acting)
            .await?
        {
            Ok(()) => Ok(Redirect::to(&format!("{PATH}/{id}?done=filed")).into_response()),
            Err(refused) => refuse(refused_text(&refused, &texts.records)).await,
        };
    }
    refuse(texts.documents.refused_no_file.to_owned()).await
}

pub(crate) async fn download(
    State(state): State<AppState>,
    manager: Manager,
    ip: ClientIp,
    Path((id, document)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let id = file_id(&id)?;
    let document = DocumentId::parse(&document).ok_or(WebError::NotFound)?;
    let event = acting(&state, &manager, &ip).event(Action::RecordDocumentRead, id);
    filed_download(&state, id, document, event).await
}

pub(crate) async fn close(
    State(state): State<AppState>,
    manager: Manager,
    ip: ClientIp,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = file_id(&id)?;
    let closed = state
        .store
        .records()
        .close(id, today(&state), &acting(&state, &manager, &ip))
        .await?;
    after_step(&state, &manager, id, closed.map(drop), "closed", "").await
}

#[derive(Debug, Deserialize)]
pub(crate) struct HoldForm {
    #[serde(default)]
    reason: String,
}

pub(crate) async fn place_hold(
    State(state): State<AppState>,
    manager: Manager,
    ip: ClientIp,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<HoldForm>,
) -> Result<Response, WebError> {
    let id = file_id(&id)?;
    let Ok(reason) = HoldReason::parse(&form.reason) else {
        let t = &crate::i18n::texts(manager.visitor.language).records;
        let errors = vec![t.invalid_reason.to_owned()];
        return detail_page(&state, &manager, id, None, errors, &form.reason).await;
    };
    let held = state
        .store
        .records()
        .place_hold(id, &reason, &acting(&state, &manager, &ip))
        .await?;
    after_step(&state, &manager, id, held, "held", &form.reason).await
}

pub(crate) async fn release_hold(
    State(state): State<AppState>,
    manager: Manager,
    ip: ClientIp,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = file_id(&id)?;
    let released = state
        .store
        .records()
        .release_hold(id, &acting(&state, &manager, &ip))
        .await?;
    after_step(&state, &manager, id, released, "released", "").await
}

/// Back to the file's page: with a notice when the step was taken, with the
/// reason when not.
async fn after_step(
    state: &AppState,
    manager: &Manager,
    id: RecordFileId,
    result: Result<(), Refused>,
    done: &str,
    typed_reason: &str,
) -> Result<Response, WebError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("{PATH}/{id}?done={done}")).into_response()),
        Err(Refused::NoSuchFile) => Err(WebError::NotFound),
        Err(refused) => {
            let t = &crate::i18n::texts(manager.visitor.language).records;
            let errors = vec![refused_text(&refused, t)];
            detail_page(state, manager, id, None, errors, typed_reason).await
        }
    }
}

#[derive(Debug)]
struct ProposalRow {
    id: String,
    proposed: String,
    state: &'static str,
    files: u64,
    decided: String,
}

fn proposal_row(summary: &ProposalSummary, t: &'static RecordTexts) -> ProposalRow {
    ProposalRow {
        id: summary.id.to_string(),
        proposed: local_time(summary.proposed_at),
        state: match summary.state {
            ProposalState::Proposed => t.proposal_proposed,
            ProposalState::Approved => t.proposal_approved,
            ProposalState::Rejected => t.proposal_rejected,
        },
        files: summary.files,
        decided: summary.decided_at.map(local_time).unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "office_disposal.html")]
struct DisposalPage {
    chrome: Chrome,
    csrf: String,
    notice: Option<&'static str>,
    due: Vec<FileView>,
    proposals: Vec<ProposalRow>,
}

pub(crate) async fn disposal(
    State(state): State<AppState>,
    manager: Manager,
    ValidQuery(query): ValidQuery<DetailQuery>,
) -> Result<Response, WebError> {
    let records = state.store.records();
    let due = records.due(today(&state)).await?;
    let proposals = records.proposals().await?;
    let chrome = Chrome::new(
        &state,
        &manager.visitor,
        "/office/records/disposal",
        Section::Office,
    )?;
    let t = chrome.t;
    render_with_status(
        StatusCode::OK,
        &DisposalPage {
            csrf: chrome.csrf.clone().unwrap_or_default(),
            notice: done_text(query.done.as_deref(), &t.records),
            due: due.iter().map(|file| file_view(file, t)).collect(),
            proposals: proposals
                .iter()
                .map(|summary| proposal_row(summary, &t.records))
                .collect(),
            chrome,
        },
    )
}

pub(crate) async fn propose(
    State(state): State<AppState>,
    _manager: Manager,
) -> Result<Response, WebError> {
    let proposed = state
        .store
        .records()
        .propose_disposal(today(&state), state.now())
        .await?;
    Ok(match proposed {
        Some((id, _)) => Redirect::to(&format!("{PATH}/disposal/{id}?done=proposed")),
        None => Redirect::to(&format!("{PATH}/disposal?done=nothing-due")),
    }
    .into_response())
}

#[derive(Debug)]
struct ItemRow {
    file: FileView,
    /// Signed "V" in a proposal awaiting its decision.
    needs_decision: bool,
    chosen: String,
    outcome: &'static str,
}

#[derive(Template)]
#[template(path = "office_proposal.html")]
struct ProposalPage {
    chrome: Chrome,
    csrf: String,
    notice: Option<&'static str>,
    errors: Vec<String>,
    proposal: ProposalRow,
    pending: bool,
    items: Vec<ItemRow>,
}

pub(crate) async fn proposal(
    State(state): State<AppState>,
    manager: Manager,
    Path(id): Path<String>,
    ValidQuery(query): ValidQuery<DetailQuery>,
) -> Result<Response, WebError> {
    let id = ProposalId::parse(&id).ok_or(WebError::NotFound)?;
    let t = crate::i18n::texts(manager.visitor.language);
    let notice = done_text(query.done.as_deref(), &t.records);
    proposal_page(&state, &manager, id, notice, Vec::new(), &HashMap::new()).await
}

async fn proposal_page(
    state: &AppState,
    manager: &Manager,
    id: ProposalId,
    notice: Option<&'static str>,
    errors: Vec<String>,
    chosen: &HashMap<RecordFileId, Outcome>,
) -> Result<Response, WebError> {
    let proposal = state
        .store
        .records()
        .proposal(id)
        .await?
        .ok_or(WebError::NotFound)?;
    let path = format!("{PATH}/disposal/{id}");
    let chrome = Chrome::new(state, &manager.visitor, &path, Section::Office)?;
    let t = chrome.t;
    let pending = proposal.summary.state == ProposalState::Proposed;
    let outcome_label = |outcome: Option<ItemOutcome>| match outcome {
        Some(ItemOutcome::Done(Outcome::Archive)) => t.records.outcome_archive,
        Some(ItemOutcome::Done(Outcome::Destroy)) => t.records.outcome_destroy,
        Some(ItemOutcome::Held) => t.records.outcome_held,
        None => "",
    };
    let items = proposal
        .items
        .iter()
        .map(|item| ItemRow {
            needs_decision: pending && item.file.sign == RetentionSign::V,
            chosen: chosen
                .get(&item.file.id)
                .map(|outcome| outcome.as_str().to_owned())
                .unwrap_or_default(),
            outcome: outcome_label(item.outcome.or_else(|| {
                pending
                    .then(|| item.file.sign.default_outcome())
                    .flatten()
                    .map(ItemOutcome::Done)
            })),
            file: file_view(&item.file, t),
        })
        .collect();
    let status = status_for(&errors);
    let page = ProposalPage {
        csrf: chrome.csrf.clone().unwrap_or_default(),
        notice,
        errors,
        proposal: proposal_row(&proposal.summary, &t.records),
        pending,
        items,
        chrome,
    };
    render_with_status(status, &page)
}

pub(crate) async fn approve(
    State(state): State<AppState>,
    manager: Manager,
    ip: ClientIp,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let id = ProposalId::parse(&id).ok_or(WebError::NotFound)?;
    // `decision-<file id>` = `archive` | `destroy`, for the files signed "V".
    let decisions: HashMap<RecordFileId, Outcome> = form
        .iter()
        .filter_map(|(name, value)| {
            let file = RecordFileId::parse(name.strip_prefix("decision-")?)?;
            Some((file, Outcome::parse(value)?))
        })
        .collect();
    let approved = state
        .store
        .records()
        .approve(id, &decisions, &acting(&state, &manager, &ip))
        .await?;
    decided(&state, &manager, id, approved, "approved", &decisions).await
}

pub(crate) async fn reject(
    State(state): State<AppState>,
    manager: Manager,
    ip: ClientIp,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = ProposalId::parse(&id).ok_or(WebError::NotFound)?;
    let rejected = state
        .store
        .records()
        .reject(id, &acting(&state, &manager, &ip))
        .await?;
    decided(&state, &manager, id, rejected, "rejected", &HashMap::new()).await
}

async fn decided(
    state: &AppState,
    manager: &Manager,
    id: ProposalId,
    result: Result<(), Refused>,
    done: &str,
    chosen: &HashMap<RecordFileId, Outcome>,
) -> Result<Response, WebError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("{PATH}/disposal/{id}?done={done}")).into_response()),
        Err(Refused::NoSuchProposal) => Err(WebError::NotFound),
        Err(refused) => {
            let t = &crate::i18n::texts(manager.visitor.language).records;
            let errors = vec![refused_text(&refused, t)];
            proposal_page(state, manager, id, None, errors, chosen).await
        }
    }
}
