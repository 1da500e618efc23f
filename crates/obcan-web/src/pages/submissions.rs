//! "Moje podání": the citizen's drafts and submissions, each submission
//! with its receipt (page and PDF), where it stands and what happened to
//! it, and withdrawing it while it is not decided.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use obcan_core::forms::FormDefinition;
use obcan_core::language::Language;
use obcan_core::submissions::SubmissionId;
use obcan_formats::pdf;
use obcan_store::{Receipt, Submission, Withdrawal};
use serde::Deserialize;

use super::forms::fields::{AnswerLine, answer_lines};
use super::forms::title_of;
use super::{Chrome, Section, ValidForm, ValidQuery, local_time, render, render_with_status};
use crate::authz::SignedInCitizen;
use crate::error::WebError;
use crate::i18n::Texts;
use crate::pages::documents::private_download;
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
    title: String,
    receipt: ReceiptView,
    state_id: &'static str,
    timeline: Vec<TimelineRow>,
    /// None when the login is below the form's level: `content_step_up` leads up.
    content: Option<Vec<(String, Vec<AnswerLine>)>>,
    content_step_up: String,
    withdrawable: bool,
    withdraw_error: Option<&'static str>,
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
    let notice = match query.done.as_deref() {
        Some("withdrawn") => Some(
            crate::i18n::texts(citizen.visitor.language)
                .submissions
                .withdrawn,
        ),
        _ => None,
    };
    show_detail(
        &state,
        &citizen,
        &submission,
        query.filed.is_some(),
        notice,
        None,
    )
}

fn show_detail(
    state: &AppState,
    citizen: &SignedInCitizen,
    submission: &Submission,
    filed: bool,
    notice: Option<&'static str>,
    withdraw_error: Option<&'static str>,
) -> Result<Response, WebError> {
    let language = citizen.visitor.language;
    let receipt = &submission.receipt;
    let path = format!("{PATH}/{}", receipt.id);
    let chrome = Chrome::new(state, &citizen.visitor, &path, Section::Submissions)?;
    let t = chrome.t;
    let form = state.settings.forms.get(receipt.form.as_str());
    let page = DetailPage {
        csrf: chrome.csrf.clone().unwrap_or_default(),
        filed,
        notice,
        title: title_of(state, receipt.form.as_str(), language),
        receipt: ReceiptView::new(receipt, t, language),
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
        withdrawable: !receipt.state.is_settled(),
        withdraw_error,
        chrome,
    };
    let status = if withdraw_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render_with_status(status, &page)
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
        return show_detail(
            &state,
            &citizen,
            &submission,
            false,
            None,
            Some(t.submissions.withdraw_unconfirmed),
        );
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
        Withdrawal::Settled(_) => show_detail(
            &state,
            &citizen,
            &submission,
            false,
            None,
            Some(t.submissions.withdraw_settled),
        ),
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
