//! Filling a form in: a draft begun with what the portal knows of the
//! citizen, step by step with every answer checked where it was typed and
//! kept as typed, a review of everything, and the filing, whose receipt is
//! the submission's page.
//!
//! The draft is saved on every post, so leaving and coming back loses
//! nothing; its id is also what makes filing idempotent: a second submit of
//! the same draft (a double click, a retry) finds the first filing.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use obcan_core::forms::{
    Answers, DraftId, FieldError, FieldKind, FormDefinition, Prefill, Problem, Value,
};
use obcan_core::identity::Loa;
use obcan_core::language::Language;
use obcan_core::registers::{Section as RegisterSection, SectionData};
use obcan_store::{Draft, Fact, Filed, Filing};

use super::fields::{AnswerLine, ErrorLink, FieldView, Offered, Rendering, answer_lines, input_id};
use crate::authz::SignedInCitizen;
use crate::error::WebError;
use crate::i18n::Texts;
use crate::pages::documents::human_size;
use crate::pages::{Chrome, Section, ValidForm, render_with_status};
use crate::registers;
use crate::state::AppState;

/// The least level of assurance at which a form offers the citizen's
/// stored documents as attachments: what the documents pages need.
const DOCUMENTS_LOA: Loa = Loa::Substantial;

fn draft_path(form: &FormDefinition, draft: DraftId) -> String {
    format!("/forms/{}/drafts/{draft}", form.id)
}

fn step_path(form: &FormDefinition, draft: DraftId, step: usize) -> String {
    if step >= form.steps.len() {
        format!("{}/review", draft_path(form, draft))
    } else {
        format!("{}/steps/{step}", draft_path(form, draft))
    }
}

fn form_of<'a>(state: &'a AppState, id: &str) -> Result<&'a FormDefinition, WebError> {
    state.settings.forms.get(id).ok_or(WebError::NotFound)
}

/// Begins a draft, prefilled, and goes to its first step.
pub(crate) async fn start(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let form = form_of(&state, &id)?;
    let answers = prefill(&state, &citizen, form).await?;
    let draft = state
        .store
        .drafts()
        .begin(&citizen.id, &form.id, form.version, &answers, state.now())
        .await?;
    Ok(Redirect::to(&step_path(form, draft, 0)).into_response())
}

/// The first answers, from the citizen's profile, their verified contacts
/// and, for a form that asks, the driver register (whose read is audited).
async fn prefill(
    state: &AppState,
    citizen: &SignedInCitizen,
    form: &FormDefinition,
) -> Result<Answers, WebError> {
    let wanted: Vec<(&str, Prefill)> = form
        .fields()
        .filter_map(|(_, field)| field.prefill.map(|from| (field.id.as_str(), from)))
        .collect();
    let mut answers = Answers::default();
    if wanted.is_empty() {
        return Ok(answers);
    }
    let person = state.store.citizens().get(&citizen.id).await?;
    let facts = state.store.citizens().profile(&citizen.id).await?;
    let fact = |wanted: Fact| {
        facts
            .iter()
            .find(|fact| fact.fact == wanted)
            .map(|fact| fact.value.clone())
    };
    let contacts = state.store.contacts().book(citizen.id).await?;
    let asks_register = wanted
        .iter()
        .any(|(_, from)| matches!(from, Prefill::LicenceNumber | Prefill::LicenceValidUntil));
    let licence = if asks_register && citizen.loa >= state.settings.registers.min_loa {
        let mut reading = registers::read(state, citizen, &[RegisterSection::Driver]).await?;
        match reading
            .take(RegisterSection::Driver)
            .and_then(|shown| shown.data().cloned())
        {
            Some(SectionData::Driver(Some(record))) => record.licence,
            _ => None,
        }
    } else {
        None
    };
    for (id, from) in wanted {
        let value = match from {
            Prefill::FullName => person.as_ref().map(|person| person.name.to_string()),
            Prefill::BirthDate => person
                .as_ref()
                .and_then(|person| person.birth_date)
                .map(|day| day.to_string()),
            Prefill::Address => fact(Fact::Address),
            Prefill::Email => contacts
                .email
                .as_ref()
                .map(|email| email.value.as_str().to_owned())
                .or_else(|| fact(Fact::Email)),
            Prefill::Phone => contacts
                .phone
                .as_ref()
                .map(|phone| phone.value.as_str().to_owned()),
            Prefill::LicenceNumber => licence.as_ref().map(|l| l.number.to_string()),
            Prefill::LicenceValidUntil => licence.as_ref().map(|l| l.valid_until.to_string()),
        };
        if let Some(value) = value {
            answers.set(id, Value::One(value));
        }
    }
    Ok(answers)
}

/// The citizen's draft of this form, its answers brought to the form's
/// current version; whether that dropped answers the form no longer asks.
async fn open(
    state: &AppState,
    citizen: &SignedInCitizen,
    form: &FormDefinition,
    draft: &str,
) -> Result<(Draft, bool), WebError> {
    let id = DraftId::parse(draft).ok_or(WebError::NotFound)?;
    let mut draft = state
        .store
        .drafts()
        .get(&citizen.id, id)
        .await?
        .filter(|draft| draft.form == form.id)
        .ok_or(WebError::NotFound)?;
    let changed = draft.form_version != form.version;
    if changed {
        draft.answers.drop_unknown(form);
        draft.step = draft.step.min(form.steps.len());
    }
    Ok((draft, changed))
}

/// The citizen's documents by id, with a label naming them and their size,
/// when their login may use them.
async fn documents_of(
    state: &AppState,
    citizen: &SignedInCitizen,
) -> Result<Option<Vec<(Offered, u64)>>, WebError> {
    if citizen.loa < DOCUMENTS_LOA {
        return Ok(None);
    }
    let language = citizen.visitor.language;
    let documents = state.store.documents().list(&citizen.id).await?;
    Ok(Some(
        documents
            .into_iter()
            .map(|document| {
                let offered = Offered {
                    id: document.id.to_string(),
                    label: format!(
                        "{} ({})",
                        document.name.as_str(),
                        human_size(document.size, language)
                    ),
                };
                (offered, document.size)
            })
            .collect(),
    ))
}

/// What is wrong with the attached documents of a step (or of all): not the
/// citizen's, or too large.
fn attachment_errors(
    form: &FormDefinition,
    step: Option<usize>,
    answers: &Answers,
    documents: Option<&[(Offered, u64)]>,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for attached in form.attached(step, answers) {
        for document in &attached.documents {
            let id = document.to_string();
            let problem = match documents
                .unwrap_or_default()
                .iter()
                .find(|(offered, _)| offered.id == id)
            {
                None => Some(Problem::NotADocument),
                Some((_, size)) if *size > attached.max_size => Some(Problem::FileTooLarge {
                    max: attached.max_size,
                }),
                Some(_) => None,
            };
            if let Some(problem) = problem {
                errors.push(FieldError {
                    field: attached.field.clone(),
                    problem,
                });
                break;
            }
        }
    }
    errors
}

#[derive(Debug)]
struct StepLink {
    title: String,
    href: Option<String>,
    current: bool,
}

#[derive(Template)]
#[template(path = "form_step.html")]
struct StepPage {
    chrome: Chrome,
    csrf: String,
    form_title: String,
    step_title: String,
    progress: String,
    steps: Vec<StepLink>,
    action: String,
    changed: bool,
    errors: Vec<ErrorLink>,
    fields: Vec<FieldView>,
    has_groups: bool,
    first: bool,
    delete_action: String,
}

fn progress(
    form: &FormDefinition,
    draft: &Draft,
    current: usize,
    t: &'static Texts,
    lang: Language,
) -> Vec<StepLink> {
    let review = t.forms.review_title;
    form.steps
        .iter()
        .map(|step| step.title.get(lang).to_owned())
        .chain(std::iter::once(review.to_owned()))
        .enumerate()
        .map(|(index, title)| StepLink {
            title,
            href: (index <= draft.step && index != current)
                .then(|| step_path(form, draft.id, index)),
            current: index == current,
        })
        .collect()
}

#[expect(
    clippy::too_many_arguments,
    reason = "a page is made of these; a struct would only name them again"
)]
async fn show_step(
    state: &AppState,
    citizen: &SignedInCitizen,
    form: &FormDefinition,
    draft: &Draft,
    step: usize,
    errors: &[FieldError],
    changed: bool,
    status: StatusCode,
) -> Result<Response, WebError> {
    let language = citizen.visitor.language;
    let path = step_path(form, draft.id, step);
    let chrome = Chrome::new(state, &citizen.visitor, &path, Section::Forms)?;
    let t = chrome.t;
    let documents = documents_of(state, citizen).await?;
    let offered: Option<Vec<Offered>> =
        documents.map(|documents| documents.into_iter().map(|(offered, _)| offered).collect());
    let rendering = Rendering {
        form,
        step,
        answers: &draft.answers,
        errors,
        t,
        language,
        documents: offered.as_deref(),
    };
    let fields = rendering.fields();
    let page = StepPage {
        csrf: chrome.csrf.clone().unwrap_or_default(),
        form_title: form.title.get(language).to_owned(),
        step_title: form
            .steps
            .get(step)
            .map(|s| s.title.get(language).to_owned())
            .unwrap_or_default(),
        progress: t
            .forms
            .step_of
            .replace("{n}", &(step + 1).to_string())
            .replace("{total}", &form.steps.len().to_string()),
        steps: progress(form, draft, step, t, language),
        action: path,
        changed,
        errors: rendering.error_links(),
        has_groups: fields.iter().any(|field| !field.items.is_empty()),
        fields,
        first: step == 0,
        delete_action: format!("{}/delete", draft_path(form, draft.id)),
        chrome,
    };
    render_with_status(status, &page)
}

/// Goes back to where the citizen left the draft.
pub(crate) async fn resume(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
    Path((id, draft)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let form = form_of(&state, &id)?;
    let (draft, _) = open(&state, &citizen, form, &draft).await?;
    Ok(Redirect::to(&step_path(form, draft.id, draft.step)).into_response())
}

pub(crate) async fn step_page(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
    Path((id, draft, step)): Path<(String, String, usize)>,
) -> Result<Response, WebError> {
    let form = form_of(&state, &id)?;
    let (draft, changed) = open(&state, &citizen, form, &draft).await?;
    if step > draft.step || step >= form.steps.len() {
        // Steps are taken in order; the review has its own address.
        return Ok(Redirect::to(&step_path(form, draft.id, draft.step)).into_response());
    }
    show_step(
        &state,
        &citizen,
        form,
        &draft,
        step,
        &[],
        changed,
        StatusCode::OK,
    )
    .await
}

/// What a step's buttons ask.
enum Action {
    Next,
    Back,
    Save,
    Add(String),
    Remove(String, usize),
}

fn action(posted: &[(String, String)]) -> Result<Action, WebError> {
    let chosen = posted
        .iter()
        .find(|(name, _)| name == "_action")
        .map_or("next", |(_, value)| value.as_str());
    let unknown = || WebError::BadRequest(format!("unknown action {chosen:?}"));
    Ok(match chosen {
        "next" => Action::Next,
        "back" => Action::Back,
        "save" => Action::Save,
        other => match other.split_once(':') {
            Some(("add", group)) => Action::Add(group.to_owned()),
            Some(("remove", item)) => {
                let (group, index) = item.rsplit_once('.').ok_or_else(unknown)?;
                Action::Remove(group.to_owned(), index.parse().map_err(|_| unknown())?)
            }
            _ => return Err(unknown()),
        },
    })
}

pub(crate) async fn step_submit(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
    Path((id, draft, step)): Path<(String, String, usize)>,
    ValidForm(posted): ValidForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = form_of(&state, &id)?;
    let (mut draft, changed) = open(&state, &citizen, form, &draft).await?;
    if step > draft.step || step >= form.steps.len() {
        return Ok(Redirect::to(&step_path(form, draft.id, draft.step)).into_response());
    }
    let action = action(&posted)?;
    let today = today(&state);
    let mut errors = form
        .read_step(step, &posted, &mut draft.answers, today)
        .map_err(|forged| WebError::BadRequest(forged.to_string()))?;
    let documents = documents_of(&state, &citizen).await?;
    errors.extend(attachment_errors(
        form,
        Some(step),
        &draft.answers,
        documents.as_deref(),
    ));
    let reached = match action {
        Action::Next if errors.is_empty() => draft.step.max(step + 1),
        _ => draft.step,
    };
    let rerender = match &action {
        Action::Add(group) => {
            change_items(form, &mut draft.answers, group, |items, max| {
                if items.len() < max {
                    items.push(Answers::default());
                }
            })?;
            true
        }
        Action::Remove(group, index) => {
            change_items(form, &mut draft.answers, group, |items, _| {
                if *index < items.len() {
                    items.remove(*index);
                }
            })?;
            true
        }
        _ => false,
    };
    let saved = state
        .store
        .drafts()
        .save(
            &citizen.id,
            draft.id,
            form.version,
            reached,
            &draft.answers,
            state.now(),
        )
        .await?;
    if !saved {
        return Err(WebError::NotFound);
    }
    draft.step = reached;
    if rerender {
        return show_step(
            &state,
            &citizen,
            form,
            &draft,
            step,
            &[],
            changed,
            StatusCode::OK,
        )
        .await;
    }
    match action {
        Action::Save => {
            Ok(Redirect::to(&format!("/submissions?saved={}", draft.id)).into_response())
        }
        Action::Back => {
            Ok(Redirect::to(&step_path(form, draft.id, step.saturating_sub(1))).into_response())
        }
        _ if !errors.is_empty() => {
            show_step(
                &state,
                &citizen,
                form,
                &draft,
                step,
                &errors,
                changed,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        _ => Ok(Redirect::to(&step_path(form, draft.id, step + 1)).into_response()),
    }
}

/// Changes a group's items, as its add and remove buttons ask.
fn change_items(
    form: &FormDefinition,
    answers: &mut Answers,
    group: &str,
    change: impl FnOnce(&mut Vec<Answers>, usize),
) -> Result<(), WebError> {
    let Some(FieldKind::Group { max_items, .. }) = form.field(group).map(|field| &field.kind)
    else {
        return Err(WebError::BadRequest(format!("no group {group:?}")));
    };
    let mut items = answers.items(group).to_vec();
    change(&mut items, *max_items);
    answers.set(group, Value::Items(items));
    Ok(())
}

fn today(state: &AppState) -> Date {
    state.now().to_zoned(obcan_core::time::office_zone()).date()
}

#[derive(Debug)]
struct ReviewStep {
    title: String,
    change: String,
    lines: Vec<AnswerLine>,
}

#[derive(Template)]
#[template(path = "form_review.html")]
struct ReviewPage {
    chrome: Chrome,
    csrf: String,
    form_title: String,
    steps: Vec<StepLink>,
    changed: bool,
    errors: Vec<ErrorLink>,
    review: Vec<ReviewStep>,
    submit_action: String,
    delete_action: String,
    deadline: String,
}

pub(crate) async fn review(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
    Path((id, draft)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let form = form_of(&state, &id)?;
    let (draft, changed) = open(&state, &citizen, form, &draft).await?;
    show_review(&state, &citizen, form, &draft, changed, StatusCode::OK).await
}

async fn show_review(
    state: &AppState,
    citizen: &SignedInCitizen,
    form: &FormDefinition,
    draft: &Draft,
    changed: bool,
    status: StatusCode,
) -> Result<Response, WebError> {
    if draft.step < form.steps.len() {
        return Ok(Redirect::to(&step_path(form, draft.id, draft.step)).into_response());
    }
    let language = citizen.visitor.language;
    let path = step_path(form, draft.id, form.steps.len());
    let chrome = Chrome::new(state, &citizen.visitor, &path, Section::Forms)?;
    let t = chrome.t;
    let documents = documents_of(state, citizen).await?;
    let errors = problems(form, &draft.answers, documents.as_deref(), today(state));
    let names: HashMap<String, String> = documents
        .iter()
        .flatten()
        .map(|(offered, _)| (offered.id.clone(), offered.label.clone()))
        .collect();
    let review = form
        .steps
        .iter()
        .enumerate()
        .map(|(index, step)| ReviewStep {
            title: step.title.get(language).to_owned(),
            change: step_path(form, draft.id, index),
            lines: answer_lines(form, index, &draft.answers, &names, t, language),
        })
        .collect();
    let rendering = Rendering {
        form,
        step: 0,
        answers: &draft.answers,
        errors: &errors,
        t,
        language,
        documents: None,
    };
    let error_links = errors
        .iter()
        .zip(rendering.error_links())
        .map(|(error, link)| ErrorLink {
            target: format!(
                "{}#{}",
                step_path(form, draft.id, step_of(form, &error.field)),
                input_id(&error.field)
            ),
            text: link.text,
        })
        .collect();
    render_with_status(
        status,
        &ReviewPage {
            csrf: chrome.csrf.clone().unwrap_or_default(),
            form_title: form.title.get(language).to_owned(),
            steps: progress(form, draft, form.steps.len(), t, language),
            changed,
            errors: error_links,
            review,
            submit_action: format!("{}/submit", draft_path(form, draft.id)),
            delete_action: format!("{}/delete", draft_path(form, draft.id)),
            deadline: t.days(i32::from(form.deadline_days)),
            chrome,
        },
    )
}

/// Everything that still keeps the draft from being filed.
fn problems(
    form: &FormDefinition,
    answers: &Answers,
    documents: Option<&[(Offered, u64)]>,
    today: Date,
) -> Vec<FieldError> {
    let mut errors = form.content(answers, today).err().unwrap_or_default();
    errors.extend(attachment_errors(form, None, answers, documents));
    errors
}

/// The step an input's field is on.
fn step_of(form: &FormDefinition, name: &str) -> usize {
    let top = name.split('.').next().unwrap_or_default();
    form.fields()
        .find(|(_, field)| field.id.as_str() == top)
        .map_or(0, |(step, _)| step)
}

/// Files the draft. A draft filed before (a double click, a retry) leads to
/// its submission.
pub(crate) async fn submit(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
    Path((id, draft)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let form = form_of(&state, &id)?;
    let draft_id = DraftId::parse(&draft).ok_or(WebError::NotFound)?;
    let submissions = state.store.submissions();
    if let Some(receipt) = submissions.filed_from(&citizen.id, draft_id).await? {
        return Ok(Redirect::to(&format!("/submissions/{}", receipt.id)).into_response());
    }
    let (draft, changed) = open(&state, &citizen, form, &draft).await?;
    let documents = documents_of(&state, &citizen).await?;
    let today = today(&state);
    let content = match form.content(&draft.answers, today) {
        Ok(content)
            if attachment_errors(form, None, &draft.answers, documents.as_deref()).is_empty() =>
        {
            content
        }
        _ => {
            return show_review(
                &state,
                &citizen,
                form,
                &draft,
                changed,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let attachments: Vec<_> = form
        .attached(None, &content)
        .into_iter()
        .flat_map(|attached| attached.documents)
        .collect();
    let filing = Filing {
        citizen: &citizen.id,
        draft: draft.id,
        form,
        content: &content,
        attachments: &attachments,
    };
    match submissions
        .submit(&filing, state.now(), citizen.visitor.client.ip.clone())
        .await?
    {
        Filed::New(receipt) => {
            Ok(Redirect::to(&format!("/submissions/{}?filed=1", receipt.id)).into_response())
        }
        Filed::Already(receipt) => {
            Ok(Redirect::to(&format!("/submissions/{}", receipt.id)).into_response())
        }
        Filed::NoDraft => Err(WebError::NotFound),
        // Deleted in the meantime: the review says which.
        Filed::AttachmentGone(_) => {
            show_review(
                &state,
                &citizen,
                form,
                &draft,
                changed,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

pub(crate) async fn delete(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
    Path((id, draft)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let form = form_of(&state, &id)?;
    let (draft, _) = open(&state, &citizen, form, &draft).await?;
    state.store.drafts().delete(&citizen.id, draft.id).await?;
    Ok(Redirect::to("/submissions?done=draft_deleted").into_response())
}
