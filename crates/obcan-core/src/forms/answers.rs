//! A citizen's answers to a form: read from a posted step, checked field by
//! field, and normalised for filing.
//!
//! The inputs are named by the field's id; a group's by the group, the
//! item's number and the field (`deti.0.jmeno`). Names starting with `_`
//! belong to the page (its token, its buttons) and are left to it; any
//! other name the step does not have is a forged post and refused whole.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::definition::{Condition, Field, FieldKind, FormDefinition};
use crate::citizen::{EmailAddress, PhoneNumber, PostalAddress};
use crate::documents::DocumentId;
use crate::identifiers::{BirthNumber, Iban};
use crate::registers::Ico;

/// Answers by field id: as typed while wrong, so nothing is lost, and
/// normalised once right.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Answers(BTreeMap<String, Value>);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    One(String),
    /// A multi-choice's values, or an attachment's documents.
    Many(Vec<String>),
    /// A group's items.
    Items(Vec<Answers>),
}

/// The value a ticked checkbox posts and keeps.
pub const CHECKED: &str = "yes";

/// The most characters any one input may post: far above every length a
/// definition allows, so only a forged post meets it.
const MAX_POSTED: usize = 100_000;

impl Answers {
    pub fn get(&self, id: &str) -> Option<&Value> {
        self.0.get(id)
    }

    pub fn one(&self, id: &str) -> Option<&str> {
        match self.0.get(id) {
            Some(Value::One(value)) => Some(value),
            _ => None,
        }
    }

    pub fn many(&self, id: &str) -> &[String] {
        match self.0.get(id) {
            Some(Value::Many(values)) => values,
            _ => &[],
        }
    }

    pub fn items(&self, id: &str) -> &[Answers] {
        match self.0.get(id) {
            Some(Value::Items(items)) => items,
            _ => &[],
        }
    }

    pub fn set(&mut self, id: &str, value: Value) {
        self.0.insert(id.to_owned(), value);
    }

    pub fn remove(&mut self, id: &str) {
        self.0.remove(id);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The answers a changed definition no longer has a field for, which
    /// are dropped (a draft begun on an older version stays usable); their
    /// ids, for telling the citizen.
    pub fn drop_unknown(&mut self, definition: &FormDefinition) -> Vec<String> {
        let dropped: Vec<String> = self
            .0
            .keys()
            .filter(|id| definition.field(id).is_none())
            .cloned()
            .collect();
        for id in &dropped {
            self.0.remove(id);
        }
        dropped
    }
}

/// What is wrong with one answer; `field` is its input's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub problem: Problem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Required,
    TooShort {
        min: usize,
    },
    TooLong {
        max: usize,
    },
    /// A line break or another control character where none may be.
    ControlCharacter,
    /// The field's pattern did not match; its hint says what is wanted.
    Pattern,
    NotANumber,
    NotAnAmount,
    BelowMin(Bound),
    AboveMax(Bound),
    NotADate,
    TooEarly(Date),
    TooLate(Date),
    NotAnOption,
    TooFewChoices {
        min: usize,
    },
    TooManyChoices {
        max: usize,
    },
    NotAnEmail,
    NotAPhone,
    NotAnAddress,
    NotABirthNumber,
    NotAnIco,
    NotAnIban,
    NotALocation,
    /// Coordinates that are not in the Czech Republic.
    OutsideTheCountry,
    NotADocument,
    /// A document larger than the field takes, in bytes.
    FileTooLarge {
        max: u64,
    },
    TooManyFiles {
        max: usize,
    },
    TooFewItems {
        min: usize,
    },
    TooManyItems {
        max: usize,
    },
}

/// The documents one attachment input names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attached {
    /// The input's name.
    pub field: String,
    pub documents: Vec<DocumentId>,
    /// Of each document, in bytes.
    pub max_size: u64,
}

/// A bound a number or an amount broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    Number(i64),
    /// In haléře.
    Money(i64),
}

/// A post with an input the form does not have on this step, or with
/// several values where one is expected: not what the page sends.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the form has no input {name:?} on this step, or not with several values")]
pub struct Forged {
    pub name: String,
}

impl FormDefinition {
    /// Takes a posted step into `answers` and says what is wrong with it;
    /// the valid answers are normalised, the wrong ones kept as typed.
    pub fn read_step(
        &self,
        step: usize,
        posted: &[(String, String)],
        answers: &mut Answers,
        today: Date,
    ) -> Result<Vec<FieldError>, Forged> {
        let Some(fields) = self.steps.get(step).map(|step| &step.fields) else {
            return Ok(Vec::new());
        };
        let mut posted_values: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (name, value) in posted {
            if name.starts_with('_') {
                continue;
            }
            if value.len() > MAX_POSTED || input_named(fields, name).is_none() {
                return Err(Forged { name: name.clone() });
            }
            posted_values.entry(name).or_default().push(value);
        }
        for field in fields {
            let value = taken(field, field.id.as_str(), &posted_values)?;
            match value {
                Some(value) => answers.set(field.id.as_str(), value),
                None => answers.remove(field.id.as_str()),
            }
        }
        let (checked, errors) = self.check_fields(fields, answers, today);
        for (id, value) in checked.0 {
            answers.set(&id, value);
        }
        Ok(errors)
    }

    /// What is filed: the visible answers of every step, normalised; or
    /// everything still wrong.
    pub fn content(&self, answers: &Answers, today: Date) -> Result<Answers, Vec<FieldError>> {
        let mut content = Answers::default();
        let mut errors = Vec::new();
        for step in &self.steps {
            let (checked, step_errors) = self.check_fields(&step.fields, answers, today);
            content.0.extend(checked.0);
            errors.extend(step_errors);
        }
        if errors.is_empty() {
            Ok(content)
        } else {
            Err(errors)
        }
    }

    /// The documents the visible attachment fields name, of one step or of
    /// every step: whether they are the citizen's, and not too large, is
    /// for the caller to check against their storage.
    pub fn attached(&self, step: Option<usize>, answers: &Answers) -> Vec<Attached> {
        let steps = match step {
            Some(step) => self.steps.get(step..=step).unwrap_or_default(),
            None => &self.steps,
        };
        let mut attached = Vec::new();
        for field in steps.iter().flat_map(|step| &step.fields) {
            if !self.visible(field, answers) {
                continue;
            }
            let name = field.id.as_str();
            match &field.kind {
                FieldKind::Attachment { max_size, .. } => {
                    attached.push(Attached {
                        field: name.to_owned(),
                        documents: documents_in(answers.many(name)),
                        max_size: *max_size,
                    });
                }
                FieldKind::Group { fields, .. } => {
                    for (index, item) in answers.items(name).iter().enumerate() {
                        for inner in fields.iter().filter(|inner| self.visible(inner, answers)) {
                            if let FieldKind::Attachment { max_size, .. } = &inner.kind {
                                attached.push(Attached {
                                    field: format!("{name}.{index}.{}", inner.id),
                                    documents: documents_in(item.many(inner.id.as_str())),
                                    max_size: *max_size,
                                });
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        attached
    }

    /// Whether `name` is the input of an attachment field on this step:
    /// where a file may be uploaded.
    pub fn takes_files(&self, step: usize, name: &str) -> bool {
        self.steps
            .get(step)
            .and_then(|step| input_named(&step.fields, name))
            .is_some_and(|field| matches!(field.kind, FieldKind::Attachment { .. }))
    }

    /// Whether a field is shown, given the answers so far.
    pub fn visible(&self, field: &Field, answers: &Answers) -> bool {
        match &field.visible_when {
            None => true,
            Some(Condition::Checked { field }) => answers.one(field.as_str()) == Some(CHECKED),
            Some(Condition::AnyOf { field, values }) => match answers.get(field.as_str()) {
                Some(Value::One(value)) => values.contains(value),
                Some(Value::Many(chosen)) => chosen.iter().any(|value| values.contains(value)),
                _ => false,
            },
        }
    }

    /// The visible fields' valid answers, normalised, and the errors of the
    /// others; hidden fields are neither checked nor kept.
    fn check_fields(
        &self,
        fields: &[Field],
        answers: &Answers,
        today: Date,
    ) -> (Answers, Vec<FieldError>) {
        let mut checked = Answers::default();
        let mut errors = Vec::new();
        for field in fields {
            if !self.visible(field, answers) {
                continue;
            }
            let name = field.id.as_str();
            match check(field, name, answers.get(name), &mut errors, today, |f| {
                self.visible(f, answers)
            }) {
                Ok(Some(value)) => checked.set(name, value),
                Ok(None) => {}
                Err(problem) => errors.push(FieldError {
                    field: name.to_owned(),
                    problem,
                }),
            }
        }
        (checked, errors)
    }
}

/// Whether `name` is an input of these fields: a field's id, or a group's
/// `group.N.field` within its most items.
/// The field whose input `name` is: a field's id, or `group.index.id`
/// within a group's items.
fn input_named<'a>(fields: &'a [Field], name: &str) -> Option<&'a Field> {
    let mut parts = name.splitn(3, '.');
    let (first, second, third) = (parts.next()?, parts.next(), parts.next());
    let field = fields.iter().find(|field| field.id.as_str() == first)?;
    match (&field.kind, second, third) {
        (FieldKind::Group { .. }, None, None) => None,
        (
            FieldKind::Group {
                fields: inner,
                max_items,
                ..
            },
            Some(index),
            Some(inner_name),
        ) => {
            let in_range = index.parse::<usize>().is_ok_and(|index| index < *max_items)
                && !index.starts_with('+');
            in_range
                .then(|| inner.iter().find(|field| field.id.as_str() == inner_name))
                .flatten()
        }
        (_, None, None) => Some(field),
        _ => None,
    }
}

/// The posted value of one field (`name` is its input's name); none when
/// nothing was given.
fn taken(
    field: &Field,
    name: &str,
    posted: &BTreeMap<&str, Vec<&str>>,
) -> Result<Option<Value>, Forged> {
    let values = posted.get(name).map(Vec::as_slice).unwrap_or_default();
    match &field.kind {
        FieldKind::MultiChoice { .. } | FieldKind::Attachment { .. } => {
            let values: Vec<String> = values
                .iter()
                .filter(|value| !value.is_empty())
                .map(|value| (*value).to_owned())
                .collect();
            Ok((!values.is_empty()).then_some(Value::Many(values)))
        }
        FieldKind::Group { fields, .. } => {
            let prefix = format!("{name}.");
            let count = posted
                .keys()
                .filter_map(|key| key.strip_prefix(&prefix))
                .filter_map(|rest| rest.split('.').next()?.parse::<usize>().ok())
                .max()
                .map_or(0, |last| last + 1);
            let mut items = Vec::with_capacity(count);
            for index in 0..count {
                let mut item = Answers::default();
                for inner in fields {
                    let inner_name = format!("{name}.{index}.{}", inner.id);
                    if let Some(value) = taken(inner, &inner_name, posted)? {
                        item.set(inner.id.as_str(), value);
                    }
                }
                items.push(item);
            }
            Ok((count > 0).then_some(Value::Items(items)))
        }
        _ => match values {
            [] => Ok(None),
            [value] if value.trim().is_empty() => Ok(None),
            [value] => Ok(Some(Value::One((*value).to_owned()))),
            _ => Err(Forged {
                name: name.to_owned(),
            }),
        },
    }
}

/// Checks one answer; `Ok(None)` when it is rightly left out. A group's
/// items' errors go to `errors` under their own names.
fn check(
    field: &Field,
    name: &str,
    value: Option<&Value>,
    errors: &mut Vec<FieldError>,
    today: Date,
    visible: impl Fn(&Field) -> bool + Copy,
) -> Result<Option<Value>, Problem> {
    if let FieldKind::Group {
        fields,
        min_items,
        max_items,
        ..
    } = &field.kind
    {
        let items = match value {
            Some(Value::Items(items)) => items.as_slice(),
            _ => &[],
        };
        if items.len() < *min_items {
            return Err(Problem::TooFewItems { min: *min_items });
        }
        if items.len() > *max_items {
            return Err(Problem::TooManyItems { max: *max_items });
        }
        let mut checked_items = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let mut checked = Answers::default();
            for inner in fields.iter().filter(|inner| visible(inner)) {
                let inner_name = format!("{name}.{index}.{}", inner.id);
                match check(
                    inner,
                    &inner_name,
                    item.get(inner.id.as_str()),
                    errors,
                    today,
                    visible,
                ) {
                    Ok(Some(value)) => checked.set(inner.id.as_str(), value),
                    Ok(None) => {}
                    Err(problem) => errors.push(FieldError {
                        field: inner_name,
                        problem,
                    }),
                }
            }
            checked_items.push(checked);
        }
        return Ok((!checked_items.is_empty()).then_some(Value::Items(checked_items)));
    }
    let values: &[String] = match value {
        None => &[],
        Some(Value::One(value)) => std::slice::from_ref(value),
        Some(Value::Many(values)) => values,
        Some(Value::Items(_)) => return Err(Problem::NotAnOption),
    };
    if values.iter().all(|value| value.trim().is_empty()) {
        return if field.required {
            Err(Problem::Required)
        } else {
            Ok(None)
        };
    }
    let one = || values.first().map(|value| value.trim()).unwrap_or_default();
    let normalised = match &field.kind {
        FieldKind::Text {
            min_length,
            max_length,
            pattern,
        } => {
            let text = one();
            if text.chars().any(char::is_control) {
                return Err(Problem::ControlCharacter);
            }
            length(text, *min_length, *max_length)?;
            if let Some(pattern) = pattern
                && !pattern.regex.is_match(text)
            {
                return Err(Problem::Pattern);
            }
            text.to_owned()
        }
        FieldKind::LongText { max_length } => {
            let text = one().replace("\r\n", "\n");
            if text
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t')
            {
                return Err(Problem::ControlCharacter);
            }
            length(&text, 0, *max_length)?;
            text
        }
        FieldKind::Number { min, max } => {
            let compact: String = one().chars().filter(|c| !is_space(*c)).collect();
            let number: i64 = compact.parse().map_err(|_| Problem::NotANumber)?;
            within(number, *min, *max, Bound::Number)?;
            number.to_string()
        }
        FieldKind::Money { min, max } => {
            let haler = parse_money(one()).ok_or(Problem::NotAnAmount)?;
            within(haler, *min, *max, Bound::Money)?;
            format!("{}.{:02}", haler / 100, haler % 100)
        }
        FieldKind::Date {
            not_before,
            not_after,
        } => {
            let day = parse_date(one()).ok_or(Problem::NotADate)?;
            if let Some(bound) = not_before.map(|bound| bound.on(today))
                && day < bound
            {
                return Err(Problem::TooEarly(bound));
            }
            if let Some(bound) = not_after.map(|bound| bound.on(today))
                && day > bound
            {
                return Err(Problem::TooLate(bound));
            }
            day.to_string()
        }
        FieldKind::Choice { options } => {
            let value = one();
            if !options.iter().any(|option| option.value == value) {
                return Err(Problem::NotAnOption);
            }
            value.to_owned()
        }
        FieldKind::MultiChoice { options, min, max } => {
            // In the definition's order, each once.
            let chosen: Vec<String> = options
                .iter()
                .filter(|option| values.contains(&option.value))
                .map(|option| option.value.clone())
                .collect();
            if values
                .iter()
                .any(|value| !options.iter().any(|o| &o.value == value))
            {
                return Err(Problem::NotAnOption);
            }
            if chosen.len() < *min {
                return Err(Problem::TooFewChoices { min: *min });
            }
            if chosen.len() > *max {
                return Err(Problem::TooManyChoices { max: *max });
            }
            return Ok(Some(Value::Many(chosen)));
        }
        FieldKind::Checkbox => {
            if one() != CHECKED {
                return Err(Problem::NotAnOption);
            }
            CHECKED.to_owned()
        }
        FieldKind::Email => EmailAddress::parse(one())
            .map_err(|_| Problem::NotAnEmail)?
            .as_str()
            .to_owned(),
        FieldKind::Phone => PhoneNumber::parse(one())
            .map_err(|_| Problem::NotAPhone)?
            .as_str()
            .to_owned(),
        FieldKind::Address => PostalAddress::parse(one())
            .map_err(|_| Problem::NotAnAddress)?
            .as_str()
            .to_owned(),
        FieldKind::BirthNumber => BirthNumber::parse(one())
            .map_err(|_| Problem::NotABirthNumber)?
            .as_str()
            .to_owned(),
        FieldKind::Ico => {
            let compact: String = one().chars().filter(|c| !is_space(*c)).collect();
            Ico::parse(&compact)
                .map_err(|_| Problem::NotAnIco)?
                .as_str()
                .to_owned()
        }
        FieldKind::Iban => Iban::parse(one())
            .map_err(|_| Problem::NotAnIban)?
            .as_str()
            .to_owned(),
        FieldKind::Location => {
            let (latitude, longitude) = parse_location(one()).ok_or(Problem::NotALocation)?;
            // The Czech Republic's extent, with a margin for its borders.
            if !(48.5..=51.1).contains(&latitude) || !(12.0..=18.9).contains(&longitude) {
                return Err(Problem::OutsideTheCountry);
            }
            format!("{latitude:.6}, {longitude:.6}")
        }
        FieldKind::Attachment { max_files, .. } => {
            if values.len() > *max_files {
                return Err(Problem::TooManyFiles { max: *max_files });
            }
            let mut documents: Vec<String> = Vec::with_capacity(values.len());
            for value in values {
                let id = DocumentId::parse(value.trim()).ok_or(Problem::NotADocument)?;
                let id = id.to_string();
                if !documents.contains(&id) {
                    documents.push(id);
                }
            }
            return Ok(Some(Value::Many(documents)));
        }
        FieldKind::Group { .. } => return Err(Problem::NotAnOption),
    };
    Ok(Some(Value::One(normalised)))
}

/// The well-formed document ids among an attachment's values.
fn documents_in(values: &[String]) -> Vec<DocumentId> {
    values
        .iter()
        .filter_map(|value| DocumentId::parse(value))
        .collect()
}

fn length(text: &str, min: usize, max: usize) -> Result<(), Problem> {
    let count = text.chars().count();
    if count < min {
        Err(Problem::TooShort { min })
    } else if count > max {
        Err(Problem::TooLong { max })
    } else {
        Ok(())
    }
}

fn within(
    value: i64,
    min: Option<i64>,
    max: Option<i64>,
    bound: fn(i64) -> Bound,
) -> Result<(), Problem> {
    if let Some(min) = min
        && value < min
    {
        return Err(Problem::BelowMin(bound(min)));
    }
    if let Some(max) = max
        && value > max
    {
        return Err(Problem::AboveMax(bound(max)));
    }
    Ok(())
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{a0}'
}

/// "1 500", "1500,50", "1500.5", "1 500 Kč" → haléře; never negative.
fn parse_money(raw: &str) -> Option<i64> {
    let compact: String = raw.chars().filter(|c| !is_space(*c)).collect();
    let compact = compact
        .strip_suffix("Kč")
        .or_else(|| compact.strip_suffix(",-"))
        .unwrap_or(&compact);
    let (crowns, haler) = match compact.split_once([',', '.']) {
        Some((crowns, haler)) => (crowns, haler),
        None => (compact, ""),
    };
    let digits = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    if !digits(crowns) || !(haler.is_empty() || digits(haler) && haler.len() <= 2) {
        return None;
    }
    let crowns: i64 = crowns.parse().ok()?;
    let haler: i64 = match haler.len() {
        0 => 0,
        1 => haler.parse::<i64>().ok()? * 10,
        _ => haler.parse().ok()?,
    };
    crowns.checked_mul(100)?.checked_add(haler)
}

/// "2026-01-31" (what a date input posts) or "31. 1. 2026" (what people
/// type).
fn parse_date(raw: &str) -> Option<Date> {
    if let Ok(day) = raw.parse::<Date>() {
        return Some(day);
    }
    let parts: Vec<&str> = raw.split('.').map(str::trim).collect();
    let [day, month, year] = parts.as_slice() else {
        return None;
    };
    if year.len() != 4 {
        return None;
    }
    Date::new(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?).ok()
}

/// "50.0875, 14.4213" or "50.0875 14.4213": latitude, then longitude.
fn parse_location(raw: &str) -> Option<(f64, f64)> {
    let (latitude, longitude) = raw
        .split_once(',')
        .or_else(|| raw.trim().split_once(char::is_whitespace))?;
    let number = |text: &str| -> Option<f64> {
        let text = text.trim();
        let shaped = !text.is_empty()
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-');
        shaped
            .then(|| text.parse().ok())
            .flatten()
            .filter(|n: &f64| n.is_finite())
    };
    Some((number(latitude)?, number(longitude)?))
}
