//! "Moje podání": the citizen's drafts and submissions, each submission
//! with its receipt (page and PDF), where it stands and what happened to
//! it, the citizen's replies to the office with documents from My
//! documents, and withdrawing it while it is not decided.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use obcan_core::documents::DocumentId;
use obcan_core::forms::FormDefinition;
use obcan_core::language::Language;
use obcan_core::submissions::{
    Message, MessageError, REPLY_MAX_DOCUMENT_BYTES, REPLY_MAX_DOCUMENTS, SubmissionId,
    SubmissionState,
};
use obcan_formats::pdf;
use obcan_store::{Receipt, Replied, Reply, Submission, Withdrawal};
use serde::Deserialize;

use super::forms::fields::{AnswerLine, answer_lines};
use super::forms::fill::{DOCUMENTS_LOA, documents_of};
use super::forms::title_of;
use super::{Chrome, Section, ValidForm, ValidQuery, local_time, render, render_with_status};
use crate::authz::SignedInCitizen;
use crate::error::WebError;
use crate::i18n::Texts;
use crate::pages::documents::{human_size, private_download, read_post_with_files};
use crate::pages::login::step_up_url;
use crate::state::AppState;

const PATH: &str = "/submissions";

#[derive(Debug)]
struct DraftRow {
    title: String,
    href: String,
    saved: String,
}

#[derive(Debug)]
struct SubmissionRow {
    reference: String,
    title: String,
    href: String,
    submitted: String,
    state: &'static str,
    state_id: &'static str,
}

/// A document of the submission's file.
#[derive(Debug)]
struct Attachment {
    name: String,
    size: String,
    /// Where the citizen reads it in their documents, if the office sent it.
    delivered: Option<String>,
}

#[derive(Template)]
#[template(path = "submissions.html")]
struct ListPage {
    chrome: Chrome,
    notice: Option<&'static str>,
    drafts: Vec<DraftRow>,
    submissions: Vec<SubmissionRow>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ListQuery {
    saved: Option<String>,
    done: Option<String>,
}

pub(crate) async fn list(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
    ValidQuery(query): ValidQuery<ListQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&state, &citizen.visitor, PATH, Section::Submissions)?;
    let t = chrome.t;
    let language = citizen.visitor.language;
    let drafts = state
        .store
        .drafts()
        .list(&citizen.id)
        .await?
        .into_iter()
        .map(|draft| DraftRow {
            title: title_of(&state, draft.form.as_str(), language),
            href: format!("/forms/{}/drafts/{}", draft.form, draft.id),
            saved: local_time(draft.updated_at),
        })
        .collect();
    let submissions = state
        .store
        .submissions()
        .list_of(&citizen.id)
        .await?
        .into_iter()
        .map(|receipt| SubmissionRow {
            title: title_of(&state, receipt.form.as_str(), language),
            href: format!("{PATH}/{}", receipt.id),
            submitted: local_time(receipt.submitted_at),
            state: t.submissions.state(receipt.state),
            state_id: receipt.state.as_str(),
            reference: receipt.reference,
        })
        .collect();
    let notice = match (query.saved.is_some(), query.done.as_deref()) {
        (true, _) => Some(t.submissions.draft_saved),
        (_, Some("draft_deleted")) => Some(t.submissions.draft_deleted),
        _ => None,
    };
    render(&ListPage {
        chrome,
        notice,
        drafts,
        submissions,
    })
}

#[derive(Debug)]
struct TimelineRow {
    at: String,
    text: &'static str,
    /// The office's message.
    message: Option<String>,
}

#[derive(Template)]
#[template(path = "submission.html")]
struct DetailPage {
    chrome: Chrome,
    csrf: String,
    filed: bool,
    notice: Option<&'static str>,
    /// Why what the citizen asked for was refused, when it is not a field's.
    refused: Option<&'static str>,
    title: String,
    receipt: ReceiptView,
    /// Its číslo jednací, once the office's records gave it one.
    registration: Option<String>,
    state_id: &'static str,
    timeline: Vec<TimelineRow>,
    /// None when the login is below the form's level: `content_step_up` leads up.
    content: Option<Vec<(String, Vec<AnswerLine>)>>,
    content_step_up: String,
    /// The documents in its file: what it came with and what was sent later.
    attachments: Vec<Attachment>,
    /// None once it is settled.
    reply: Option<ReplyView>,
    withdrawable: bool,
    withdraw_error: Option<&'static str>,
}

/// The form for writing to the office, as the citizen left it.
#[derive(Debug)]
struct ReplyView {
    waiting: bool,
    message: String,
    message_error: Option<&'static str>,
    /// None when the login may not use My documents.
    documents: Option<Vec<ReplyDocument>>,
    documents_error: Option<String>,
    step_up: String,
}

#[derive(Debug)]
struct ReplyDocument {
    id: String,
    label: String,
    checked: bool,
}

/// What the citizen sent, and what was wrong with it.
#[derive(Debug, Default)]
struct Typed {
    message: String,
    chosen: Vec<String>,
    message_error: Option<&'static str>,
    documents_error: Option<String>,
}

/// What a detail page shows besides the submission.
#[derive(Debug, Default)]
struct Shown {
    filed: bool,
    notice: Option<&'static str>,
    refused: Option<&'static str>,
    withdraw_error: Option<&'static str>,
    typed: Typed,
}

#[derive(Debug)]
struct ReceiptView {
    id: String,
    reference: String,
    submitted: String,
    sha256: String,
    deadline: String,
    state: &'static str,
}

impl ReceiptView {
    fn new(receipt: &Receipt, t: &'static Texts, language: Language) -> Self {
        Self {
            id: receipt.id.to_string(),
            reference: receipt.reference.clone(),
            submitted: local_time(receipt.submitted_at),
            sha256: receipt.content_sha256.clone(),
            deadline: t.date(receipt.deadline_on, language),
            state: t.submissions.state(receipt.state),
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct DetailQuery {
    filed: Option<String>,
    done: Option<String>,
}

/// The citizen's submission; not found if it is not theirs.
async fn submission_of(
    state: &AppState,
    citizen: &SignedInCitizen,
    id: &str,
) -> Result<Submission, WebError> {
    let id = SubmissionId::parse(id).ok_or(WebError::NotFound)?;
    state
        .store
        .submissions()
        .get_of(&citizen.id, id)
        .await?
        .ok_or(WebError::NotFound)
}

/// The submission's answers by step, if the login may read them: at the
/// level the form needs.
fn content_of(
    form: Option<&FormDefinition>,
    submission: &Submission,
    citizen: &SignedInCitizen,
    t: &'static Texts,
) -> Option<Vec<(String, Vec<AnswerLine>)>> {
    let language = citizen.visitor.language;
    let form = form?;
    if citizen.loa < form.loa {
        return None;
    }
    let names = HashMap::new();
    Some(
        form.steps
            .iter()
            .enumerate()
            .map(|(index, step)| {
                (
                    step.title.get(language).to_owned(),
                    answer_lines(form, index, &submission.content, &names, t, language),
                )
            })
            .collect(),
    )
}

pub(crate) async fn detail(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
    Path(id): Path<String>,
    ValidQuery(query): ValidQuery<DetailQuery>,
) -> Result<Response, WebError> {
    let submission = submission_of(&state, &citizen, &id).await?;
    let t = crate::i18n::texts(citizen.visitor.language);
    let notice = match query.done.as_deref() {
        Some("withdrawn") => Some(t.submissions.withdrawn),
        Some("replied") => Some(t.submissions.replied),
        _ => None,
    };
    let shown = Shown {
        filed: query.filed.is_some(),
        notice,
        ..Shown::default()
    };
    show_detail(&state, &citizen, &submission, shown).await
}

async fn show_detail(
    state: &AppState,
    citizen: &SignedInCitizen,
    submission: &Submission,
    shown: Shown,
) -> Result<Response, WebError> {
    let language = citizen.visitor.language;
    let receipt = &submission.receipt;
    let path = format!("{PATH}/{}", receipt.id);
    let chrome = Chrome::new(state, &citizen.visitor, &path, Section::Submissions)?;
    let t = chrome.t;
    let form = state.settings.forms.get(receipt.form.as_str());
    let attachments = state
        .store
        .records()
        .documents(submission.file)
        .await?
        .into_iter()
        .map(|document| Attachment {
            name: document.name.as_str().to_owned(),
            size: human_size(document.size, language),
            // What the office sent was delivered into their documents too,
            // under the same id.
            delivered: (document.filed_by != obcan_store::FILED_THROUGH_PORTAL)
                .then(|| format!("/documents/{}", document.id)),
        })
        .collect();
    let reply = match receipt.state.after_reply() {
        Some(_) => Some(reply_view(state, citizen, receipt.state, &path, shown.typed).await?),
        None => None,
    };
    let unprocessable = shown.refused.is_some()
        || shown.withdraw_error.is_some()
        || reply
            .as_ref()
            .is_some_and(|reply| reply.message_error.is_some() || reply.documents_error.is_some());
    let page = DetailPage {
        csrf: chrome.csrf.clone().unwrap_or_default(),
        filed: shown.filed,
        notice: shown.notice,
        refused: shown.refused,
        title: title_of(state, receipt.form.as_str(), language),
        receipt: ReceiptView::new(receipt, t, language),
        registration: registration_number(state, receipt.id).await?,
        state_id: receipt.state.as_str(),
        timeline: submission
            .timeline
            .iter()
            .map(|entry| TimelineRow {
                at: local_time(entry.at),
                text: t.submissions.event(entry.kind),
                message: entry.text.clone(),
            })
            .collect(),
        content: content_of(form, submission, citizen, t),
        content_step_up: step_up_url(&path, form.map_or(citizen.loa, |form| form.loa)),
        attachments,
        reply,
        withdrawable: !receipt.state.is_settled(),
        withdraw_error: shown.withdraw_error,
        chrome,
    };
    let status = if unprocessable {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render_with_status(status, &page)
}

async fn reply_view(
    state: &AppState,
    citizen: &SignedInCitizen,
    submission: SubmissionState,
    path: &str,
    typed: Typed,
) -> Result<ReplyView, WebError> {
    let documents = documents_of(state, citizen).await?.map(|documents| {
        documents
            .into_iter()
            .map(|(offered, _)| ReplyDocument {
                checked: typed.chosen.contains(&offered.id),
                id: offered.id,
                label: offered.label,
            })
            .collect()
    });
    Ok(ReplyView {
        waiting: submission == SubmissionState::Waiting,
        message: typed.message,
        message_error: typed.message_error,
        documents,
        documents_error: typed.documents_error,
        step_up: step_up_url(path, obcan_core::identity::Loa::Substantial),
    })
}

/// Sends the citizen's message, with copies of the documents they chose,
/// to the office; what was wrong is shown at its field, with what they
/// typed and chose kept.
pub(crate) async fn reply(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, WebError> {
    let submission = submission_of(&state, &citizen, &id).await?;
    let t = &crate::i18n::texts(citizen.visitor.language).submissions;
    // Files come at the documents' input, at a login that is offered them.
    let may_attach = citizen.loa >= DOCUMENTS_LOA;
    let posted = read_post_with_files(&state, &citizen, request, |name| {
        may_attach && name == "documents"
    })
    .await?;
    let mut typed = Typed::default();
    let mut messages = 0;
    for (name, value) in posted.fields {
        match name.as_str() {
            "_csrf" => {}
            "message" => {
                messages += 1;
                typed.message = value;
            }
            "documents" if !typed.chosen.contains(&value) => typed.chosen.push(value),
            "documents" => {}
            _ => return Err(WebError::BadRequest(format!("unexpected field {name:?}"))),
        }
    }
    if messages != 1 {
        return Err(WebError::BadRequest("one message expected".into()));
    }
    let message = Message::parse(&typed.message).map_err(|error| match error {
        MessageError::Empty => t.reply_empty,
        MessageError::Invalid => t.reply_invalid,
    });
    typed.message_error = message.as_ref().err().copied();
    let chosen = chosen_documents(&state, &citizen, &typed.chosen).await?;
    typed.documents_error = match (&chosen, posted.refused.is_empty()) {
        (Err(problem), _) => Some((*problem).to_owned()),
        // A refused file keeps the reply back: it was meant to go with it.
        (Ok(_), false) => Some(
            posted
                .refused
                .iter()
                .map(|(_, why)| why.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        (Ok(_), true) => None,
    };
    let (Ok(message), Ok(attachments), true) = (message, chosen, posted.refused.is_empty()) else {
        return refuse(&state, &citizen, &submission, typed).await;
    };
    let reply = Reply {
        citizen: &citizen.id,
        submission: submission.receipt.id,
        message: &message,
        attachments: &attachments,
    };
    let replied = state
        .store
        .submissions()
        .reply(&reply, state.now(), citizen.visitor.client.ip.clone())
        .await?;
    match replied {
        Replied::Done(_) => Ok(Redirect::to(&format!(
            "{PATH}/{}?done=replied",
            submission.receipt.id
        ))
        .into_response()),
        Replied::Settled(_) => {
            // Settled meanwhile: the page shows the new state.
            let submission = submission_of(&state, &citizen, &id).await?;
            let shown = Shown {
                refused: Some(t.reply_settled),
                ..Shown::default()
            };
            show_detail(&state, &citizen, &submission, shown).await
        }
        Replied::AttachmentGone(_) => {
            typed.documents_error = Some(t.reply_gone.to_owned());
            refuse(&state, &citizen, &submission, typed).await
        }
        Replied::NotFound => Err(WebError::NotFound),
    }
}

async fn refuse(
    state: &AppState,
    citizen: &SignedInCitizen,
    submission: &Submission,
    typed: Typed,
) -> Result<Response, WebError> {
    let shown = Shown {
        typed,
        ..Shown::default()
    };
    show_detail(state, citizen, submission, shown).await
}

/// The citizen's documents chosen for a reply: theirs, few and small
/// enough; the problem to show otherwise. Anything but a document id, or
/// documents at a login that is not offered them, is a forged post.
async fn chosen_documents(
    state: &AppState,
    citizen: &SignedInCitizen,
    chosen: &[String],
) -> Result<Result<Vec<DocumentId>, &'static str>, WebError> {
    let t = &crate::i18n::texts(citizen.visitor.language).submissions;
    if chosen.is_empty() {
        return Ok(Ok(Vec::new()));
    }
    let ids = chosen
        .iter()
        .map(|raw| {
            DocumentId::parse(raw).ok_or_else(|| WebError::BadRequest("not a document".into()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let offered = documents_of(state, citizen)
        .await?
        .ok_or_else(|| WebError::BadRequest("documents at a low login".into()))?;
    if ids.len() > REPLY_MAX_DOCUMENTS {
        return Ok(Err(t.reply_too_many));
    }
    let mut sizes = Vec::with_capacity(ids.len());
    for id in &ids {
        let raw = id.to_string();
        match offered.iter().find(|(document, _)| document.id == raw) {
            Some((_, size)) => sizes.push(*size),
            None => return Ok(Err(t.reply_gone)),
        }
    }
    if sizes.iter().any(|size| *size > REPLY_MAX_DOCUMENT_BYTES) {
        return Ok(Err(t.reply_too_large));
    }
    Ok(Ok(ids))
}

#[derive(Debug, Deserialize)]
pub(crate) struct WithdrawForm {
    #[serde(default)]
    confirm: Option<String>,
}

pub(crate) async fn withdraw(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<WithdrawForm>,
) -> Result<Response, WebError> {
    let submission = submission_of(&state, &citizen, &id).await?;
    let t = crate::i18n::texts(citizen.visitor.language);
    if form.confirm.as_deref() != Some("yes") {
        let shown = Shown {
            withdraw_error: Some(t.submissions.withdraw_unconfirmed),
            ..Shown::default()
        };
        return show_detail(&state, &citizen, &submission, shown).await;
    }
    let withdrawal = state
        .store
        .submissions()
        .withdraw(
            &citizen.id,
            submission.receipt.id,
            state.now(),
            citizen.visitor.client.ip.clone(),
        )
        .await?;
    match withdrawal {
        Withdrawal::Done => Ok(Redirect::to(&format!(
            "{PATH}/{}?done=withdrawn",
            submission.receipt.id
        ))
        .into_response()),
        Withdrawal::Settled(_) => {
            let shown = Shown {
                refused: Some(t.submissions.withdraw_settled),
                ..Shown::default()
            };
            show_detail(&state, &citizen, &submission, shown).await
        }
        Withdrawal::NotFound => Err(WebError::NotFound),
    }
}

/// The receipt as a PDF/A document: what was filed, when, under which
/// reference, and the SHA-256 of the content as filed.
pub(crate) async fn receipt(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let submission = submission_of(&state, &citizen, &id).await?;
    let language = citizen.visitor.language;
    let t = crate::i18n::texts(language);
    let s = &t.submissions;
    let receipt = &submission.receipt;
    let view = ReceiptView::new(receipt, t, language);
    let form = state.settings.forms.get(receipt.form.as_str());
    let portal = state.settings.branding.name.clone();
    let mut blocks = vec![pdf::Block::Table(pdf::Table {
        widths: vec![1.0, 2.0],
        header: None,
        rows: [
            (s.office, portal.clone()),
            (s.form, title_of(&state, receipt.form.as_str(), language)),
            (s.reference, view.reference),
            (s.submitted, view.submitted),
            (s.deadline, view.deadline),
            (s.sha256, view.sha256),
        ]
        .into_iter()
        .map(|(label, value)| vec![label.to_owned(), value])
        .collect(),
    })];
    blocks.push(pdf::Block::Note(s.receipt_note.to_owned()));
    for (step, lines) in content_of(form, &submission, &citizen, t).unwrap_or_default() {
        blocks.push(pdf::Block::Heading(step));
        let mut rows = Vec::new();
        for line in lines {
            if line.items.is_empty() {
                rows.push(vec![line.label, line.text]);
            }
            for (item, inner) in line.items {
                for inner in inner {
                    rows.push(vec![format!("{item} – {}", inner.label), inner.text]);
                }
            }
        }
        if !rows.is_empty() {
            blocks.push(pdf::Block::Table(pdf::Table {
                widths: vec![1.0, 2.0],
                header: None,
                rows,
            }));
        }
    }
    let created = receipt
        .submitted_at
        .to_zoned(obcan_core::time::office_zone());
    let document = pdf::Document {
        title: s.receipt_title.to_owned(),
        language: language.tag().to_owned(),
        author: portal,
        created,
        blocks,
        footer: format!("{} {}", s.receipt_title, receipt.reference),
        page_label: match language {
            Language::Czech => |page, count| format!("Strana {page} z {count}"),
            Language::English => |page, count| format!("Page {page} of {count}"),
        },
    };
    let bytes = pdf::render(&document).map_err(|e| WebError::Internal(format!("receipt: {e}")))?;
    let name = format!("potvrzeni-{}.pdf", receipt.reference.replace('/', "-"));
    let size = u64::try_from(bytes.len()).ok();
    private_download(
        axum::body::Body::from(bytes),
        "application/pdf",
        size,
        &crate::pages::documents::content_disposition("attachment", &name),
    )
}

/// The submission's číslo jednací, once the office's records management
/// gave it one.
pub(crate) async fn registration_number(
    state: &AppState,
    id: SubmissionId,
) -> Result<Option<String>, WebError> {
    let registration = state.store.integration().registration(id).await?;
    Ok(registration.map(|registration| registration.number.to_string()))
}
