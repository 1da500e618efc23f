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
use axum::extract::{Path, Request, State};
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
use crate::pages::documents::{human_size, read_post_with_files};
use crate::pages::{Chrome, Section, render_with_status};
use crate::registers;
use crate::state::AppState;

/// The least level of assurance at which a form offers the citizen's
/// stored documents as attachments: what the documents pages need.
pub(crate) const DOCUMENTS_LOA: Loa = Loa::Substantial;

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

/// A citizen's draft of a form, opened for a page, with their documents
/// (when their login may attach them) listed once for the request.
struct Filling<'a> {
    state: &'a AppState,
    citizen: &'a SignedInCitizen,
    form: &'a FormDefinition,
    draft: Draft,
    /// The form changed since the draft was saved.
    changed: bool,
    /// The citizen's documents, each with its size.
    documents: Option<Vec<(Offered, u64)>>,
    /// Files uploaded with the step and refused: the input and why.
    refused_files: Vec<(String, String)>,
}

impl<'a> Filling<'a> {
    async fn open(
        state: &'a AppState,
        citizen: &'a SignedInCitizen,
        form: &str,
        draft: &str,
    ) -> Result<Self, WebError> {
        let form = form_of(state, form)?;
        let (draft, changed) = open(state, citizen, form, draft).await?;
        Ok(Self {
            documents: documents_of(state, citizen).await?,
            refused_files: Vec::new(),
            state,
            citizen,
            form,
            draft,
            changed,
        })
    }

    /// What is wrong with the attached documents of a step (or of all): not
    /// the citizen's, or too large.
    fn attachment_errors(&self, step: Option<usize>) -> Vec<FieldError> {
        let documents = self.documents.as_deref().unwrap_or_default();
        let mut errors = Vec::new();
        for attached in self.form.attached(step, &self.draft.answers) {
            for document in &attached.documents {
                let id = document.to_string();
                let problem = match documents.iter().find(|(offered, _)| offered.id == id) {
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

    /// Where a step's (or the review's) page is.
    fn path(&self, step: usize) -> String {
        step_path(self.form, self.draft.id, step)
    }

    fn redirect(&self, step: usize) -> Response {
        Redirect::to(&self.path(step)).into_response()
    }
}

/// The citizen's documents by id, with a label naming them and their size,
/// when their login may use them.
pub(crate) async fn documents_of(
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
    /// It has a file input: the form is sent as multipart.
    takes_files: bool,
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

impl Filling<'_> {
    fn show_step(
        &self,
        step: usize,
        errors: &[FieldError],
        status: StatusCode,
    ) -> Result<Response, WebError> {
        let Self { form, draft, .. } = self;
        let language = self.citizen.visitor.language;
        let path = self.path(step);
        let chrome = Chrome::new(self.state, &self.citizen.visitor, &path, Section::Forms)?;
        let t = chrome.t;
        let offered: Option<Vec<Offered>> = self.documents.as_ref().map(|documents| {
            documents
                .iter()
                .map(|(offered, _)| offered.clone())
                .collect()
        });
        let rendering = Rendering {
            form,
            step,
            answers: &draft.answers,
            errors,
            t,
            language,
            documents: offered.as_deref(),
            refused_files: &self.refused_files,
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
            changed: self.changed,
            errors: rendering.error_links(),
            has_groups: fields.iter().any(|field| !field.items.is_empty()),
            takes_files: fields.iter().any(FieldView::takes_files),
            fields,
            first: step == 0,
            delete_action: format!("{}/delete", draft_path(form, draft.id)),
            chrome,
        };
        render_with_status(status, &page)
    }
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
    let filling = Filling::open(&state, &citizen, &id, &draft).await?;
    if step > filling.draft.step || step >= filling.form.steps.len() {
        // Steps are taken in order; the review has its own address.
        return Ok(filling.redirect(filling.draft.step));
    }
    filling.show_step(step, &[], StatusCode::OK)
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

impl Filling<'_> {
    /// What the step's form sent: urlencoded, or multipart on a step with
    /// a file input, whose files are attached as if chosen from the
    /// citizen's documents; a refused one is kept in `refused_files`.
    async fn read_post(
        &mut self,
        step: usize,
        request: Request,
    ) -> Result<Vec<(String, String)>, WebError> {
        let may_attach = self.documents.is_some();
        let form = self.form;
        let post = read_post_with_files(self.state, self.citizen, request, |name| {
            may_attach && form.takes_files(step, name)
        })
        .await?;
        if post.stored {
            self.documents = documents_of(self.state, self.citizen).await?;
        }
        self.refused_files = post.refused;
        Ok(post.fields)
    }
}

pub(crate) async fn step_submit(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
    Path((id, draft, step)): Path<(String, String, usize)>,
    request: Request,
) -> Result<Response, WebError> {
    let mut filling = Filling::open(&state, &citizen, &id, &draft).await?;
    let form = filling.form;
    if step > filling.draft.step || step >= form.steps.len() {
        return Ok(filling.redirect(filling.draft.step));
    }
    let posted = filling.read_post(step, request).await?;
    let action = action(&posted)?;
    let answers = &mut filling.draft.answers;
    let mut errors = form
        .read_step(step, &posted, answers, today(&state))
        .map_err(|forged| WebError::BadRequest(forged.to_string()))?;
    let rerender = match &action {
        Action::Add(group) => {
            change_items(form, answers, group, |items, max| {
                if items.len() < max {
                    items.push(Answers::default());
                }
            })?;
            true
        }
        Action::Remove(group, index) => {
            change_items(form, answers, group, |items, _| {
                if *index < items.len() {
                    items.remove(*index);
                }
            })?;
            true
        }
        _ => false,
    };
    errors.extend(filling.attachment_errors(Some(step)));
    // A refused file holds the citizen on the step, whatever they pressed.
    let files_refused = !filling.refused_files.is_empty();
    let reached = match action {
        Action::Next if errors.is_empty() && !files_refused => filling.draft.step.max(step + 1),
        _ => filling.draft.step,
    };
    let saved = state
        .store
        .drafts()
        .save(
            &citizen.id,
            filling.draft.id,
            form.version,
            reached,
            &filling.draft.answers,
            state.now(),
        )
        .await?;
    if !saved {
        return Err(WebError::NotFound);
    }
    filling.draft.step = reached;
    if rerender && !files_refused {
        return filling.show_step(step, &[], StatusCode::OK);
    }
    match action {
        _ if files_refused => filling.show_step(step, &errors, StatusCode::UNPROCESSABLE_ENTITY),
        Action::Save => {
            Ok(Redirect::to(&format!("/submissions?saved={}", filling.draft.id)).into_response())
        }
        Action::Back => Ok(filling.redirect(step.saturating_sub(1))),
        _ if !errors.is_empty() => {
            filling.show_step(step, &errors, StatusCode::UNPROCESSABLE_ENTITY)
        }
        _ => Ok(filling.redirect(step + 1)),
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
    Filling::open(&state, &citizen, &id, &draft)
        .await?
        .show_review(StatusCode::OK)
}

impl Filling<'_> {
    /// Everything that still keeps the draft from being filed.
    fn problems(&self) -> Vec<FieldError> {
        let mut errors = self
            .form
            .content(&self.draft.answers, today(self.state))
            .err()
            .unwrap_or_default();
        errors.extend(self.attachment_errors(None));
        errors
    }

    fn show_review(&self, status: StatusCode) -> Result<Response, WebError> {
        let Self { form, draft, .. } = self;
        if draft.step < form.steps.len() {
            return Ok(self.redirect(draft.step));
        }
        let language = self.citizen.visitor.language;
        let path = self.path(form.steps.len());
        let chrome = Chrome::new(self.state, &self.citizen.visitor, &path, Section::Forms)?;
        let t = chrome.t;
        let errors = self.problems();
        let names: HashMap<String, String> = self
            .documents
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
                change: self.path(index),
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
            refused_files: &[],
        };
        let error_links = errors
            .iter()
            .zip(rendering.error_links())
            .map(|(error, link)| ErrorLink {
                target: format!(
                    "{}#{}",
                    self.path(step_of(form, &error.field)),
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
                changed: self.changed,
                errors: error_links,
                review,
                submit_action: format!("{}/submit", draft_path(form, draft.id)),
                delete_action: format!("{}/delete", draft_path(form, draft.id)),
                deadline: t.days(i32::from(form.deadline_days)),
                chrome,
            },
        )
    }
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
    let filling = Filling::open(&state, &citizen, &id, &draft).await?;
    let content = match filling.form.content(&filling.draft.answers, today(&state)) {
        Ok(content) if filling.attachment_errors(None).is_empty() => content,
        _ => return filling.show_review(StatusCode::UNPROCESSABLE_ENTITY),
    };
    let attachments: Vec<_> = form
        .attached(None, &content)
        .into_iter()
        .flat_map(|attached| attached.documents)
        .collect();
    let filing = Filing {
        citizen: &citizen.id,
        draft: filling.draft.id,
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
        Filed::AttachmentGone(_) => filling.show_review(StatusCode::UNPROCESSABLE_ENTITY),
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
