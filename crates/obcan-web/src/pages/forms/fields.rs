//! A form's fields as the pages show them: inputs with what the citizen
//! typed and what is wrong with it, and answers as the review and the
//! submission's page read them.

use std::collections::HashMap;

use jiff::civil::Date;
use obcan_core::forms::{
    Answers, Bound, ChoiceOption, Condition, Field, FieldError, FieldKind, FormDefinition, Problem,
    Value,
};
use obcan_core::language::Language;

use crate::i18n::{FormTexts, Texts};
use crate::pages::documents::human_size;

/// One of the citizen's documents, offered as an attachment.
#[derive(Debug, Clone)]
pub(crate) struct Offered {
    pub id: String,
    pub label: String,
}

/// What a step's fields are rendered with.
pub(crate) struct Rendering<'a> {
    pub form: &'a FormDefinition,
    pub step: usize,
    pub answers: &'a Answers,
    pub errors: &'a [FieldError],
    pub t: &'static Texts,
    pub language: Language,
    /// The citizen's documents, or none when their login may not use them.
    pub documents: Option<&'a [Offered]>,
    /// Files uploaded at an attachment input and refused: the input's name
    /// and why.
    pub refused_files: &'a [(String, String)],
}

#[derive(Debug)]
pub(crate) struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
    /// The input's id.
    pub id: String,
}

#[derive(Debug)]
pub(crate) struct Item {
    pub legend: String,
    pub fields: Vec<FieldView>,
    /// The remove button's value.
    pub remove: String,
}

/// A field's input, or for a group, its items.
#[derive(Debug)]
pub(crate) struct FieldView {
    pub kind: &'static str,
    pub name: String,
    pub id: String,
    pub label: String,
    pub required: bool,
    pub hint: Option<String>,
    pub error: Option<String>,
    pub value: String,
    pub choices: Vec<Choice>,
    /// For an attachment: no documents may be offered at this login.
    pub documents_withheld: bool,
    pub items: Vec<Item>,
    /// For a group: the add button's value, while more items are allowed.
    pub add: Option<String>,
    pub input_type: &'static str,
    pub inputmode: &'static str,
    pub autocomplete: &'static str,
}

impl FieldView {
    /// Whether it, or an item of its group, has a file input.
    pub(crate) fn takes_files(&self) -> bool {
        (self.kind == "attachment" && !self.documents_withheld)
            || self
                .items
                .iter()
                .any(|item| item.fields.iter().any(Self::takes_files))
    }

    pub(crate) fn describedby(&self) -> String {
        let mut ids = Vec::new();
        if self.hint.is_some() {
            ids.push(format!("{}-hint", self.id));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.id));
        }
        ids.join(" ")
    }
}

/// An error as the summary at the top of a page lists it.
#[derive(Debug)]
pub(crate) struct ErrorLink {
    pub target: String,
    pub text: String,
}

/// The id of an input's element, from its name: `psi.0.cip` → `f-psi-0-cip`.
pub(crate) fn input_id(name: &str) -> String {
    format!("f-{}", name.replace('.', "-"))
}

impl Rendering<'_> {
    pub(crate) fn fields(&self) -> Vec<FieldView> {
        let Some(step) = self.form.steps.get(self.step) else {
            return Vec::new();
        };
        step.fields
            .iter()
            .filter(|field| self.shown(field, &step.fields))
            .map(|field| self.field(field, field.id.as_str(), self.answers, &step.fields))
            .collect()
    }

    /// The summary of the errors, each linking to its input.
    pub(crate) fn error_links(&self) -> Vec<ErrorLink> {
        let link = |name: &str, text: String| ErrorLink {
            target: format!("#{}", input_id(name)),
            text: format!("{}: {text}", label_of(self.form, name, self.language)),
        };
        self.errors
            .iter()
            .map(|error| link(&error.field, self.problem(&error.field, &error.problem)))
            .chain(
                self.refused_files
                    .iter()
                    .map(|(name, why)| link(name, why.clone())),
            )
            .collect()
    }

    /// A field is left out when an earlier step's answer hides it; one that
    /// depends on this step's answers is shown, saying when it applies, as
    /// the page works without scripts.
    fn shown(&self, field: &Field, step_fields: &[Field]) -> bool {
        match &field.visible_when {
            None => true,
            Some(condition) if on_step(condition, step_fields) => true,
            Some(_) => self.form.visible(field, self.answers),
        }
    }

    fn field(&self, field: &Field, name: &str, answers: &Answers, step: &[Field]) -> FieldView {
        let t = &self.t.forms;
        let id = input_id(name);
        let own = field.id.as_str();
        let mut hints: Vec<String> = field
            .help
            .as_ref()
            .map(|help| help.get(self.language).to_owned())
            .into_iter()
            .collect();
        if let Some(condition) = &field.visible_when
            && on_step(condition, step)
        {
            hints.push(self.condition_note(condition));
        }
        let (input_type, inputmode, autocomplete, kind_hint) = input_traits(field, t);
        hints.extend(kind_hint.map(str::to_owned));
        let value = match (answers.get(own), &field.kind) {
            (Some(Value::One(value)), FieldKind::Date { .. }) => value.parse::<Date>().map_or_else(
                |_| value.clone(),
                |day| day.strftime("%-d. %-m. %Y").to_string(),
            ),
            (Some(Value::One(value)), _) => value.clone(),
            _ => String::new(),
        };
        let chosen = answers.many(own);
        let one = answers.one(own);
        let choice = |index: usize, value: &str, label: String, checked: bool| Choice {
            value: value.to_owned(),
            label,
            checked,
            id: format!("{id}-{index}"),
        };
        let options = |options: &[ChoiceOption], multi: bool| -> Vec<Choice> {
            options
                .iter()
                .enumerate()
                .map(|(index, option)| {
                    let checked = if multi {
                        chosen.contains(&option.value)
                    } else {
                        one == Some(option.value.as_str())
                    };
                    choice(
                        index,
                        &option.value,
                        option.label.get(self.language).to_owned(),
                        checked,
                    )
                })
                .collect()
        };
        let mut view = FieldView {
            kind: field.kind.name(),
            name: name.to_owned(),
            label: field.label.get(self.language).to_owned(),
            required: field.required,
            hint: (!hints.is_empty()).then(|| hints.join(" ")),
            error: self
                .errors
                .iter()
                .find(|error| error.field == name)
                .map(|error| self.problem(name, &error.problem))
                .or_else(|| {
                    self.refused_files
                        .iter()
                        .find(|(refused, _)| refused == name)
                        .map(|(_, why)| why.clone())
                }),
            value,
            choices: Vec::new(),
            documents_withheld: false,
            items: Vec::new(),
            add: None,
            input_type,
            inputmode,
            autocomplete,
            id: id.clone(),
        };
        match &field.kind {
            FieldKind::Choice { options: list } => view.choices = options(list, false),
            FieldKind::MultiChoice { options: list, .. } => view.choices = options(list, true),
            FieldKind::Attachment { .. } => match self.documents {
                Some(documents) => {
                    view.choices = documents
                        .iter()
                        .enumerate()
                        .map(|(index, document)| {
                            choice(
                                index,
                                &document.id,
                                document.label.clone(),
                                chosen.contains(&document.id),
                            )
                        })
                        .collect();
                }
                None => view.documents_withheld = true,
            },
            FieldKind::Group {
                fields,
                min_items,
                max_items,
                item_label,
            } => {
                let items = answers.items(own);
                let count = items.len().max(*min_items).max(1);
                let empty = Answers::default();
                view.items = (0..count)
                    .map(|index| {
                        let item = items.get(index).unwrap_or(&empty);
                        Item {
                            legend: format!("{} {}", item_label.get(self.language), index + 1),
                            fields: fields
                                .iter()
                                .map(|inner| {
                                    let inner_name = format!("{name}.{index}.{}", inner.id);
                                    self.field(inner, &inner_name, item, fields)
                                })
                                .collect(),
                            remove: format!("remove:{name}.{index}"),
                        }
                    })
                    .collect();
                if count < *max_items {
                    view.add = Some(format!("add:{name}"));
                }
            }
            _ => {}
        }
        view
    }

    fn condition_note(&self, condition: &Condition) -> String {
        let t = &self.t.forms;
        match condition {
            Condition::Checked { field } => {
                let label = label_of(self.form, field.as_str(), self.language);
                t.only_when_checked.replace("{}", &label)
            }
            Condition::AnyOf { field, values } => {
                let labels: Vec<String> = match self.form.field(field.as_str()).map(|f| &f.kind) {
                    Some(
                        FieldKind::Choice { options } | FieldKind::MultiChoice { options, .. },
                    ) => options
                        .iter()
                        .filter(|option| values.contains(&option.value))
                        .map(|option| format!("„{}“", option.label.get(self.language)))
                        .collect(),
                    _ => values.clone(),
                };
                t.only_when_chosen.replace("{}", &labels.join(", "))
            }
        }
    }

    /// What is wrong, in the citizen's language.
    pub(crate) fn problem(&self, name: &str, problem: &Problem) -> String {
        let p = &self.t.forms.problems;
        let n = |text: &str, n: usize| text.replace("{}", &n.to_string());
        let date = |day: &Date| self.t.date(*day, self.language);
        match problem {
            Problem::Required => p.required.to_owned(),
            Problem::TooShort { min } => n(p.too_short, *min),
            Problem::TooLong { max } => n(p.too_long, *max),
            Problem::ControlCharacter => p.control_character.to_owned(),
            Problem::Pattern => field_at(self.form, name)
                .and_then(|field| match &field.kind {
                    FieldKind::Text {
                        pattern: Some(pattern),
                        ..
                    } => Some(pattern.hint.get(self.language).to_owned()),
                    _ => None,
                })
                .unwrap_or_else(|| p.pattern.to_owned()),
            Problem::NotANumber => p.not_a_number.to_owned(),
            Problem::NotAnAmount => p.not_an_amount.to_owned(),
            Problem::BelowMin(bound) => p.below_min.replace("{}", &bound_text(*bound)),
            Problem::AboveMax(bound) => p.above_max.replace("{}", &bound_text(*bound)),
            Problem::NotADate => p.not_a_date.to_owned(),
            Problem::TooEarly(day) => p.too_early.replace("{}", &date(day)),
            Problem::TooLate(day) => p.too_late.replace("{}", &date(day)),
            Problem::NotAnOption => p.not_an_option.to_owned(),
            Problem::TooFewChoices { min } => n(p.too_few_choices, *min),
            Problem::TooManyChoices { max } => n(p.too_many_choices, *max),
            Problem::NotAnEmail => p.not_an_email.to_owned(),
            Problem::NotAPhone => p.not_a_phone.to_owned(),
            Problem::NotAnAddress => p.not_an_address.to_owned(),
            Problem::NotABirthNumber => p.not_a_birth_number.to_owned(),
            Problem::NotAnIco => p.not_an_ico.to_owned(),
            Problem::NotAnIban => p.not_an_iban.to_owned(),
            Problem::NotALocation => p.not_a_location.to_owned(),
            Problem::OutsideTheCountry => p.outside_the_country.to_owned(),
            Problem::NotADocument => p.not_a_document.to_owned(),
            Problem::FileTooLarge { max } => p
                .file_too_large
                .replace("{}", &human_size(*max, self.language)),
            Problem::TooManyFiles { max } => n(p.too_many_files, *max),
            Problem::TooFewItems { min } => n(p.too_few_items, *min),
            Problem::TooManyItems { max } => n(p.too_many_items, *max),
        }
    }
}

/// Whether a condition refers to a field of these (a step's) fields.
fn on_step(condition: &Condition, fields: &[Field]) -> bool {
    let (Condition::Checked { field } | Condition::AnyOf { field, .. }) = condition;
    fields.iter().any(|f| f.id == *field)
}

/// The input type, input mode, autocomplete token and a hint of the format
/// for a field's kind.
fn input_traits(
    field: &Field,
    t: &'static FormTexts,
) -> (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
) {
    let autocomplete = match field.prefill {
        Some(obcan_core::forms::Prefill::FullName) => "name",
        Some(obcan_core::forms::Prefill::BirthDate) => "bday",
        Some(obcan_core::forms::Prefill::Address) => "street-address",
        Some(obcan_core::forms::Prefill::Email) => "email",
        Some(obcan_core::forms::Prefill::Phone) => "tel",
        _ => "off",
    };
    match field.kind {
        FieldKind::Number { .. } => ("text", "numeric", autocomplete, None),
        FieldKind::Money { .. } => ("text", "decimal", autocomplete, Some(t.money_hint)),
        FieldKind::Date { .. } => ("text", "text", autocomplete, Some(t.date_hint)),
        FieldKind::Email => ("email", "email", autocomplete, None),
        FieldKind::Phone => ("tel", "tel", autocomplete, None),
        FieldKind::BirthNumber => ("text", "numeric", autocomplete, Some(t.birth_number_hint)),
        FieldKind::Ico => ("text", "numeric", autocomplete, None),
        _ => ("text", "text", autocomplete, None),
    }
}

fn bound_text(bound: Bound) -> String {
    match bound {
        Bound::Number(number) => number.to_string(),
        Bound::Money(haler) if haler % 100 == 0 => format!("{} Kč", haler / 100),
        Bound::Money(haler) => format!("{},{:02} Kč", haler / 100, haler % 100),
    }
}

/// The field an input's name (`id` or `group.N.id`) belongs to.
fn field_at<'a>(form: &'a FormDefinition, name: &str) -> Option<&'a Field> {
    let mut parts = name.split('.');
    let top = form.field(parts.next()?)?;
    match (parts.next(), parts.next(), &top.kind) {
        (Some(_), Some(inner), FieldKind::Group { fields, .. }) => {
            fields.iter().find(|field| field.id.as_str() == inner)
        }
        _ => Some(top),
    }
}

/// An input's label, with the group's item for an item's field.
pub(crate) fn label_of(form: &FormDefinition, name: &str, language: Language) -> String {
    let mut parts = name.split('.');
    let top = parts.next().and_then(|id| form.field(id));
    match (top, parts.next(), field_at(form, name)) {
        (
            Some(Field {
                kind: FieldKind::Group { item_label, .. },
                ..
            }),
            Some(index),
            Some(inner),
        ) => {
            let number = index.parse::<usize>().map_or(1, |index| index + 1);
            format!(
                "{} {number} – {}",
                item_label.get(language),
                inner.label.get(language)
            )
        }
        (_, _, Some(field)) => field.label.get(language).to_owned(),
        _ => name.to_owned(),
    }
}

/// One answer as the review and the submission's page show it.
#[derive(Debug)]
pub(crate) struct AnswerLine {
    pub label: String,
    pub text: String,
    /// A group's items, each with its lines.
    pub items: Vec<(String, Vec<AnswerLine>)>,
}

/// The visible answers of a step, as text; `documents` names the citizen's
/// documents by id.
pub(crate) fn answer_lines(
    form: &FormDefinition,
    step: usize,
    answers: &Answers,
    documents: &HashMap<String, String>,
    t: &'static Texts,
    language: Language,
) -> Vec<AnswerLine> {
    let Some(step) = form.steps.get(step) else {
        return Vec::new();
    };
    step.fields
        .iter()
        .filter(|field| form.visible(field, answers))
        .map(|field| line(field, answers, documents, t, language))
        .collect()
}

fn line(
    field: &Field,
    answers: &Answers,
    documents: &HashMap<String, String>,
    t: &'static Texts,
    language: Language,
) -> AnswerLine {
    let own = field.id.as_str();
    let option = |options: &[ChoiceOption], value: &str| {
        options
            .iter()
            .find(|option| option.value == value)
            .map_or_else(
                || value.to_owned(),
                |option| option.label.get(language).to_owned(),
            )
    };
    let mut items = Vec::new();
    let text = match &field.kind {
        FieldKind::Group {
            fields, item_label, ..
        } => {
            items = answers
                .items(own)
                .iter()
                .enumerate()
                .map(|(index, item)| {
                    let lines = fields
                        .iter()
                        .map(|inner| line(inner, item, documents, t, language))
                        .collect();
                    (format!("{} {}", item_label.get(language), index + 1), lines)
                })
                .collect();
            String::new()
        }
        FieldKind::Choice { options } => answers
            .one(own)
            .map(|value| option(options, value))
            .unwrap_or_default(),
        FieldKind::MultiChoice { options, .. } => answers
            .many(own)
            .iter()
            .map(|value| option(options, value))
            .collect::<Vec<_>>()
            .join(", "),
        FieldKind::Checkbox => answers
            .one(own)
            .map(|_| t.forms.yes.to_owned())
            .unwrap_or_default(),
        FieldKind::Attachment { .. } => answers
            .many(own)
            .iter()
            .map(|id| documents.get(id).cloned().unwrap_or_else(|| id.clone()))
            .collect::<Vec<_>>()
            .join(", "),
        FieldKind::Date { .. } => answers
            .one(own)
            .map(|value| {
                value
                    .parse::<Date>()
                    .map_or_else(|_| value.to_owned(), |day| t.date(day, language))
            })
            .unwrap_or_default(),
        FieldKind::Money { .. } => answers
            .one(own)
            .map(|value| match language {
                Language::Czech => format!("{} Kč", value.replace('.', ",")),
                Language::English => format!("CZK {value}"),
            })
            .unwrap_or_default(),
        _ => answers.one(own).unwrap_or_default().to_owned(),
    };
    AnswerLine {
        label: field.label.get(language).to_owned(),
        text: if text.is_empty() && items.is_empty() {
            t.forms.not_answered.to_owned()
        } else {
            text
        },
        items,
    }
}
