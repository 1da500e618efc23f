//! The form catalogue: the forms grouped by life situation and found by
//! words, and each form's page, which says what it asks and needs.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use obcan_core::forms::{Field, FieldKind, FormDefinition};
use serde::Deserialize;

use crate::error::WebError;
use crate::pages::{Chrome, Section, ValidQuery, render};
use crate::session::Visitor;
use crate::state::AppState;

const PATH: &str = "/forms";

#[derive(Debug)]
struct FormLink {
    id: String,
    title: String,
    summary: String,
}

#[derive(Debug)]
struct Group {
    id: &'static str,
    name: &'static str,
    forms: Vec<FormLink>,
}

#[derive(Template)]
#[template(path = "forms.html")]
struct CataloguePage {
    chrome: Chrome,
    query: String,
    groups: Vec<Group>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct CatalogueQuery {
    #[serde(default)]
    q: String,
}

pub(crate) async fn catalogue(
    State(state): State<AppState>,
    visitor: Visitor,
    ValidQuery(query): ValidQuery<CatalogueQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&state, &visitor, PATH, Section::Forms)?;
    let language = visitor.language;
    // A query is a few words; more is not a search.
    let typed: String = query.q.chars().take(200).collect();
    let groups = state
        .settings
        .forms
        .search(&typed, language)
        .into_iter()
        .map(|(situation, forms)| Group {
            id: situation.as_str(),
            name: chrome.t.forms.situation(situation),
            forms: forms
                .into_iter()
                .map(|form| FormLink {
                    id: form.id.to_string(),
                    title: form.title.get(language).to_owned(),
                    summary: form.summary.get(language).to_owned(),
                })
                .collect(),
        })
        .collect();
    render(&CataloguePage {
        chrome,
        query: typed,
        groups,
    })
}

/// A field as the form's page lists it.
#[derive(Debug)]
struct FieldLine {
    label: String,
    required: bool,
    attachment: bool,
    /// A group's fields.
    inner: Vec<FieldLine>,
}

#[derive(Debug)]
struct StepOutline {
    title: String,
    fields: Vec<FieldLine>,
}

#[derive(Template)]
#[template(path = "form_info.html")]
struct InfoPage {
    chrome: Chrome,
    id: String,
    /// For a visitor not logged in: log in, then back here.
    login_href: String,
    title: String,
    summary: String,
    situation: &'static str,
    loa: &'static str,
    deadline: String,
    steps: Vec<StepOutline>,
}

pub(crate) async fn info(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let form: &FormDefinition = state.settings.forms.get(&id).ok_or(WebError::NotFound)?;
    let path = format!("{PATH}/{}", form.id);
    let chrome = Chrome::new(&state, &visitor, &path, Section::Forms)?;
    let language = visitor.language;
    let t = chrome.t;
    let line = |field: &Field| FieldLine {
        label: field.label.get(language).to_owned(),
        required: field.required,
        attachment: matches!(field.kind, FieldKind::Attachment { .. }),
        inner: Vec::new(),
    };
    let steps = form
        .steps
        .iter()
        .map(|step| StepOutline {
            title: step.title.get(language).to_owned(),
            fields: step
                .fields
                .iter()
                .map(|field| match &field.kind {
                    FieldKind::Group { fields, .. } => FieldLine {
                        inner: fields.iter().map(line).collect(),
                        ..line(field)
                    },
                    _ => line(field),
                })
                .collect(),
        })
        .collect();
    render(&InfoPage {
        id: form.id.to_string(),
        login_href: crate::pages::login::login_url(&path),
        title: form.title.get(language).to_owned(),
        summary: form.summary.get(language).to_owned(),
        situation: t.forms.situation(form.life_situation),
        loa: t.loa(form.loa),
        deadline: t.days(i32::from(form.deadline_days)),
        steps,
        chrome,
    })
}
