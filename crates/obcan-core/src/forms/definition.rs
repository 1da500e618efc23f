//! A form's definition: read from TOML into raw shapes, then checked whole
//! into the types the portal uses, or refused with the place of the problem.

use std::collections::HashMap;
use std::fmt;

use jiff::civil::Date;
use serde::Deserialize;

use crate::identity::Loa;
use crate::language::Language;
use crate::records::FilingPlan;
use crate::staff::AgendaKey;

/// Text in Czech and English; a definition needs both.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub cs: String,
    pub en: String,
}

impl Text {
    pub fn get(&self, language: Language) -> &str {
        match language {
            Language::Czech => &self.cs,
            Language::English => &self.en,
        }
    }
}

/// A form's identifier: lower-case letters, digits and hyphens, as in its
/// address (`/forms/prihlaseni-psa`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FormId(String);

impl FormId {
    pub const MAX: usize = 64;

    pub fn parse(raw: &str) -> Option<Self> {
        crate::is_key(raw, Self::MAX).then(|| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FormId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A field's identifier, unique in its form: a lower-case letter, then
/// lower-case letters, digits and underscores. It names the field's input,
/// so it never holds the `.` that joins a group's item to its fields.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldId(String);

impl FieldId {
    pub const MAX: usize = 40;

    pub fn parse(raw: &str) -> Option<Self> {
        let mut bytes = raw.bytes();
        let valid = (1..=Self::MAX).contains(&raw.len())
            && bytes.next().is_some_and(|b| b.is_ascii_lowercase())
            && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        valid.then(|| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FieldId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The life situations (životní situace) the catalogue groups forms by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LifeSituation {
    FeesAndWaste,
    Animals,
    Driving,
    PublicSpace,
    Information,
    Family,
    Housing,
    Business,
    Other,
}

impl LifeSituation {
    pub const ALL: [Self; 9] = [
        Self::FeesAndWaste,
        Self::Animals,
        Self::Driving,
        Self::PublicSpace,
        Self::Information,
        Self::Family,
        Self::Housing,
        Self::Business,
        Self::Other,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::FeesAndWaste => "fees_and_waste",
            Self::Animals => "animals",
            Self::Driving => "driving",
            Self::PublicSpace => "public_space",
            Self::Information => "information",
            Self::Family => "family",
            Self::Housing => "housing",
            Self::Business => "business",
            Self::Other => "other",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|situation| situation.as_str() == raw)
    }
}

/// A checked form definition.
#[derive(Debug, Clone, PartialEq)]
pub struct FormDefinition {
    pub id: FormId,
    /// Raised by the operator on every change; a draft remembers the
    /// version it was begun on.
    pub version: u32,
    pub title: Text,
    /// One or two sentences for the catalogue.
    pub summary: Text,
    pub life_situation: LifeSituation,
    /// Words the catalogue search finds the form by, besides its title.
    pub keywords: Vec<String>,
    /// The agenda that receives the submissions.
    pub agenda: AgendaKey,
    /// The level of assurance of the login the form needs.
    pub loa: Loa,
    /// The statutory time to settle a submission, in days.
    pub deadline_days: u16,
    /// The mark of the filing plan's class its submissions are filed under.
    pub record_class: &'static str,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub title: Text,
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub id: FieldId,
    pub label: Text,
    pub help: Option<Text>,
    pub required: bool,
    pub kind: FieldKind,
    /// Shown (and checked, and filed) only when this holds.
    pub visible_when: Option<Condition>,
    pub prefill: Option<Prefill>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    Text {
        min_length: usize,
        max_length: usize,
        pattern: Option<Pattern>,
    },
    LongText {
        max_length: usize,
    },
    /// A whole number.
    Number {
        min: Option<i64>,
        max: Option<i64>,
    },
    /// An amount in CZK with up to two decimals; the bounds in haléře.
    Money {
        min: Option<i64>,
        max: Option<i64>,
    },
    Date {
        not_before: Option<DateBound>,
        not_after: Option<DateBound>,
    },
    Choice {
        options: Vec<ChoiceOption>,
    },
    MultiChoice {
        options: Vec<ChoiceOption>,
        min: usize,
        max: usize,
    },
    /// A single box to tick, e.g. a consent.
    Checkbox,
    Email,
    Phone,
    /// A postal address on one line.
    Address,
    BirthNumber,
    Ico,
    Iban,
    /// A place given by its coordinates (WGS 84, in the Czech Republic).
    Location,
    /// Documents from the citizen's storage, uploaded there or chosen.
    Attachment {
        max_files: usize,
        /// Of each file, in bytes.
        max_size: u64,
    },
    /// The same fields once per item, e.g. one per child.
    Group {
        fields: Vec<Field>,
        min_items: usize,
        max_items: usize,
        item_label: Text,
    },
}

impl FieldKind {
    /// The kind's name, as definitions write it.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Text { .. } => "text",
            Self::LongText { .. } => "long_text",
            Self::Number { .. } => "number",
            Self::Money { .. } => "money",
            Self::Date { .. } => "date",
            Self::Choice { .. } => "choice",
            Self::MultiChoice { .. } => "multi_choice",
            Self::Checkbox => "checkbox",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Address => "address",
            Self::BirthNumber => "birth_number",
            Self::Ico => "ico",
            Self::Iban => "iban",
            Self::Location => "location",
            Self::Attachment { .. } => "attachment",
            Self::Group { .. } => "group",
        }
    }
}

/// A regular expression a text answer must match whole, and what to tell
/// the citizen when it does not.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub(super) regex: regex::Regex,
    pub hint: Text,
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.regex.as_str() == other.regex.as_str() && self.hint == other.hint
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateBound {
    /// The day the answer is checked.
    Today,
    Day(Date),
}

impl DateBound {
    pub fn on(self, today: Date) -> Date {
        match self {
            Self::Today => today,
            Self::Day(day) => day,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChoiceOption {
    pub value: String,
    pub label: Text,
}

/// When a field is shown, by an earlier top-level answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// A choice is one of these values; a multi-choice holds one of them.
    AnyOf { field: FieldId, values: Vec<String> },
    /// A checkbox is ticked.
    Checked { field: FieldId },
}

/// Where a field's first value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefill {
    FullName,
    BirthDate,
    Address,
    Email,
    Phone,
    /// The driving licence's number, from the driver register.
    LicenceNumber,
    /// The driving licence's end of validity, from the driver register.
    LicenceValidUntil,
}

impl Prefill {
    const ALL: [(&'static str, Self); 7] = [
        ("profile.full_name", Self::FullName),
        ("profile.birth_date", Self::BirthDate),
        ("profile.address", Self::Address),
        ("profile.email", Self::Email),
        ("profile.phone", Self::Phone),
        ("drivers.licence_number", Self::LicenceNumber),
        ("drivers.licence_valid_until", Self::LicenceValidUntil),
    ];

    /// Whether the value fits a field of this kind.
    fn fits(self, kind: &FieldKind) -> bool {
        match self {
            Self::FullName | Self::LicenceNumber => matches!(kind, FieldKind::Text { .. }),
            Self::BirthDate | Self::LicenceValidUntil => matches!(kind, FieldKind::Date { .. }),
            Self::Address => matches!(kind, FieldKind::Address),
            Self::Email => matches!(kind, FieldKind::Email),
            Self::Phone => matches!(kind, FieldKind::Phone),
        }
    }
}

/// Where a definition is wrong, and how.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {problem}")]
pub struct DefinitionError {
    /// E.g. `steps[1].fields[2] (jmeno_psa)`, or `id` for the whole form.
    pub at: String,
    pub problem: String,
}

fn refuse<T>(at: &str, problem: impl Into<String>) -> Result<T, DefinitionError> {
    Err(DefinitionError {
        at: at.to_owned(),
        problem: problem.into(),
    })
}

const DEFAULT_DEADLINE_DAYS: u16 = 30;
const DEFAULT_TEXT_LENGTH: usize = 200;
const MAX_TEXT_LENGTH: usize = 2_000;
const DEFAULT_LONG_TEXT_LENGTH: usize = 5_000;
const MAX_LONG_TEXT_LENGTH: usize = 50_000;
const DEFAULT_MAX_FILES: usize = 5;
const MAX_FILES: usize = 20;
const DEFAULT_FILE_MIB: u64 = 10;
const MAX_FILE_MIB: u64 = 100;
const MAX_GROUP_ITEMS: usize = 50;
const MAX_OPTIONS: usize = 100;

// The file as written; every key is known, so a typo is an error, not a
// silently ignored line.

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawForm {
    id: String,
    version: u32,
    title: Text,
    summary: Text,
    life_situation: String,
    #[serde(default)]
    keywords: Vec<String>,
    agenda: String,
    loa: String,
    deadline_days: Option<u16>,
    record_class: String,
    steps: Vec<RawStep>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    title: Text,
    fields: Vec<RawField>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    id: String,
    kind: String,
    label: Text,
    help: Option<Text>,
    #[serde(default)]
    required: bool,
    visible_when: Option<RawCondition>,
    prefill: Option<String>,
    min_length: Option<usize>,
    max_length: Option<usize>,
    pattern: Option<String>,
    pattern_hint: Option<Text>,
    min: Option<i64>,
    max: Option<i64>,
    not_before: Option<String>,
    not_after: Option<String>,
    options: Option<Vec<RawOption>>,
    max_files: Option<usize>,
    max_size_mib: Option<u64>,
    fields: Option<Vec<RawField>>,
    min_items: Option<usize>,
    max_items: Option<usize>,
    item_label: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOption {
    value: String,
    cs: String,
    en: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCondition {
    field: String,
    equals: Option<String>,
    any_of: Option<Vec<String>>,
    checked: Option<bool>,
}

impl FormDefinition {
    /// Reads and checks a definition written in TOML.
    pub fn parse(toml_text: &str) -> Result<Self, DefinitionError> {
        let raw: RawForm = toml::from_str(toml_text).map_err(|error| DefinitionError {
            at: error
                .span()
                .map(|span| {
                    let line = toml_text[..span.start].matches('\n').count() + 1;
                    format!("line {line}")
                })
                .unwrap_or_else(|| "the file".to_owned()),
            problem: error.message().to_owned(),
        })?;
        Checker::default().form(raw)
    }

    /// Every top-level field in order, with its step.
    pub fn fields(&self) -> impl Iterator<Item = (usize, &Field)> {
        self.steps
            .iter()
            .enumerate()
            .flat_map(|(index, step)| step.fields.iter().map(move |field| (index, field)))
    }

    /// A top-level field by its id.
    pub fn field(&self, id: &str) -> Option<&Field> {
        self.fields()
            .map(|(_, field)| field)
            .find(|field| field.id.as_str() == id)
    }
}

/// Checks a raw definition; remembers the top-level fields seen so far, for
/// the conditions that refer to them.
#[derive(Default)]
struct Checker {
    /// Every field id of the form, groups' fields too.
    ids: HashMap<String, String>,
    /// Top-level fields seen so far and their kinds, for conditions.
    earlier: HashMap<String, FieldKind>,
}

impl Checker {
    fn form(mut self, raw: RawForm) -> Result<FormDefinition, DefinitionError> {
        let id = FormId::parse(&raw.id).map_or_else(
            || refuse("id", "lower-case letters, digits and hyphens, at most 64"),
            Ok,
        )?;
        if raw.version == 0 {
            return refuse("version", "starts at 1");
        }
        text("title", &raw.title)?;
        text("summary", &raw.summary)?;
        let life_situation = LifeSituation::parse(&raw.life_situation).map_or_else(
            || {
                let known: Vec<&str> = LifeSituation::ALL.iter().map(|s| s.as_str()).collect();
                refuse(
                    "life_situation",
                    format!("{:?} is none of {}", raw.life_situation, known.join(", ")),
                )
            },
            Ok,
        )?;
        if raw.keywords.iter().any(|k| k.trim().is_empty()) {
            return refuse("keywords", "a keyword is empty");
        }
        let Some(agenda) = AgendaKey::parse(&raw.agenda) else {
            return refuse(
                "agenda",
                "the agenda's key: lower-case letters, digits and hyphens",
            );
        };
        let loa = raw
            .loa
            .parse::<Loa>()
            .map_or_else(|_| refuse("loa", "one of low, substantial, high"), Ok)?;
        let deadline_days = raw.deadline_days.unwrap_or(DEFAULT_DEADLINE_DAYS);
        if deadline_days == 0 {
            return refuse("deadline_days", "at least 1");
        }
        let Some(record_class) = FilingPlan::PORTAL
            .class(&raw.record_class)
            .map(|class| class.mark)
        else {
            let marks: Vec<&str> = FilingPlan::PORTAL
                .classes()
                .map(|class| class.mark)
                .collect();
            return refuse(
                "record_class",
                format!("{:?} is none of {}", raw.record_class, marks.join(", ")),
            );
        };
        if raw.steps.is_empty() {
            return refuse("steps", "a form needs at least one step");
        }
        let mut steps = Vec::with_capacity(raw.steps.len());
        for (s, step) in raw.steps.into_iter().enumerate() {
            let at = format!("steps[{s}]");
            text(&format!("{at}.title"), &step.title)?;
            if step.fields.is_empty() {
                return refuse(&at, "a step needs at least one field");
            }
            let mut fields = Vec::with_capacity(step.fields.len());
            for (f, field) in step.fields.into_iter().enumerate() {
                let at = format!("{at}.fields[{f}] ({})", field.id);
                let field = self.field(&at, field, false)?;
                self.earlier
                    .insert(field.id.as_str().to_owned(), field.kind.clone());
                fields.push(field);
            }
            steps.push(Step {
                title: step.title,
                fields,
            });
        }
        Ok(FormDefinition {
            id,
            version: raw.version,
            title: raw.title,
            summary: raw.summary,
            life_situation,
            keywords: raw.keywords,
            agenda,
            loa,
            deadline_days,
            record_class,
            steps,
        })
    }

    fn field(
        &mut self,
        at: &str,
        mut raw: RawField,
        in_group: bool,
    ) -> Result<Field, DefinitionError> {
        let Some(id) = FieldId::parse(&raw.id) else {
            return refuse(
                at,
                "the id: a lower-case letter, then lower-case letters, digits and underscores, \
                 at most 40",
            );
        };
        if let Some(first) = self.ids.insert(raw.id.clone(), at.to_owned()) {
            return refuse(at, format!("the id is used already, at {first}"));
        }
        text(&format!("{at}.label"), &raw.label)?;
        if let Some(help) = &raw.help {
            text(&format!("{at}.help"), help)?;
        }
        let visible_when = raw
            .visible_when
            .as_ref()
            .map(|condition| self.condition(at, condition))
            .transpose()?;
        let kind = self.kind(at, &mut raw, in_group)?;
        if raw.required && matches!(kind, FieldKind::Group { .. }) {
            return refuse(at, "a group is not required; give it min_items instead");
        }
        let prefill = match &raw.prefill {
            None => None,
            Some(source) => {
                let Some((_, prefill)) = Prefill::ALL.iter().find(|(name, _)| name == source)
                else {
                    let known: Vec<&str> = Prefill::ALL.iter().map(|(name, _)| *name).collect();
                    return refuse(
                        at,
                        format!("prefill {source:?} is none of {}", known.join(", ")),
                    );
                };
                if !prefill.fits(&kind) {
                    return refuse(
                        at,
                        format!("prefill {source:?} does not fit a {} field", kind.name()),
                    );
                }
                Some(*prefill)
            }
        };
        Ok(Field {
            id,
            label: raw.label,
            help: raw.help,
            required: raw.required,
            kind,
            visible_when,
            prefill,
        })
    }

    fn kind(
        &mut self,
        at: &str,
        raw: &mut RawField,
        in_group: bool,
    ) -> Result<FieldKind, DefinitionError> {
        // Which of the kind-specific keys each kind takes; any other given
        // is refused, so that a misplaced key is not silently ignored.
        let allowed: &[&str] = match raw.kind.as_str() {
            "text" => &["min_length", "max_length", "pattern", "pattern_hint"],
            "long_text" => &["max_length"],
            "number" | "money" => &["min", "max"],
            "date" => &["not_before", "not_after"],
            "choice" => &["options"],
            "multi_choice" => &["options", "min", "max"],
            "attachment" => &["max_files", "max_size_mib"],
            "group" => &["fields", "min_items", "max_items", "item_label"],
            "checkbox" | "email" | "phone" | "address" | "birth_number" | "ico" | "iban"
            | "location" => &[],
            other => {
                return refuse(
                    at,
                    format!(
                        "kind {other:?} is none of text, long_text, number, money, date, choice, \
                         multi_choice, checkbox, email, phone, address, birth_number, ico, iban, \
                         location, attachment, group"
                    ),
                );
            }
        };
        let given = [
            ("min_length", raw.min_length.is_some()),
            ("max_length", raw.max_length.is_some()),
            ("pattern", raw.pattern.is_some()),
            ("pattern_hint", raw.pattern_hint.is_some()),
            ("min", raw.min.is_some()),
            ("max", raw.max.is_some()),
            ("not_before", raw.not_before.is_some()),
            ("not_after", raw.not_after.is_some()),
            ("options", raw.options.is_some()),
            ("max_files", raw.max_files.is_some()),
            ("max_size_mib", raw.max_size_mib.is_some()),
            ("fields", raw.fields.is_some()),
            ("min_items", raw.min_items.is_some()),
            ("max_items", raw.max_items.is_some()),
            ("item_label", raw.item_label.is_some()),
        ];
        if let Some((key, _)) = given
            .iter()
            .find(|(key, is_given)| *is_given && !allowed.contains(key))
        {
            return refuse(at, format!("{key} does not apply to a {} field", raw.kind));
        }
        let bounds = |min: Option<i64>, max: Option<i64>| match (min, max) {
            (Some(min), Some(max)) if min > max => refuse(at, "min is above max"),
            _ => Ok(()),
        };
        Ok(match raw.kind.as_str() {
            "text" => {
                let max_length = raw.max_length.unwrap_or(DEFAULT_TEXT_LENGTH);
                let min_length = raw.min_length.unwrap_or(0);
                if !(1..=MAX_TEXT_LENGTH).contains(&max_length) || min_length > max_length {
                    return refuse(
                        at,
                        format!("lengths: 0 ≤ min_length ≤ max_length ≤ {MAX_TEXT_LENGTH}"),
                    );
                }
                let pattern = match (&raw.pattern, &raw.pattern_hint) {
                    (None, None) => None,
                    (Some(source), Some(hint)) => {
                        text(&format!("{at}.pattern_hint"), hint)?;
                        let regex = regex::RegexBuilder::new(&format!("^(?:{source})$"))
                            .size_limit(1 << 20)
                            .build()
                            .map_err(|error| DefinitionError {
                                at: format!("{at}.pattern"),
                                problem: error.to_string(),
                            })?;
                        Some(Pattern {
                            regex,
                            hint: hint.clone(),
                        })
                    }
                    _ => {
                        return refuse(
                            at,
                            "a pattern needs its pattern_hint, and the other way round",
                        );
                    }
                };
                FieldKind::Text {
                    min_length,
                    max_length,
                    pattern,
                }
            }
            "long_text" => {
                let max_length = raw.max_length.unwrap_or(DEFAULT_LONG_TEXT_LENGTH);
                if !(1..=MAX_LONG_TEXT_LENGTH).contains(&max_length) {
                    return refuse(at, format!("max_length: 1 to {MAX_LONG_TEXT_LENGTH}"));
                }
                FieldKind::LongText { max_length }
            }
            "number" => {
                bounds(raw.min, raw.max)?;
                FieldKind::Number {
                    min: raw.min,
                    max: raw.max,
                }
            }
            "money" => {
                bounds(raw.min, raw.max)?;
                let haler = |crowns: Option<i64>| match crowns {
                    Some(crowns) => crowns
                        .checked_mul(100)
                        .map(Some)
                        .map_or_else(|| refuse(at, "the bound is out of range"), Ok),
                    None => Ok(None),
                };
                FieldKind::Money {
                    min: haler(raw.min)?,
                    max: haler(raw.max)?,
                }
            }
            "date" => {
                let bound = |key: &str,
                             raw: &Option<String>|
                 -> Result<Option<DateBound>, DefinitionError> {
                    match raw.as_deref() {
                        None => Ok(None),
                        Some("today") => Ok(Some(DateBound::Today)),
                        Some(day) => day
                            .parse()
                            .map(|day| Some(DateBound::Day(day)))
                            .map_or_else(
                                |_: jiff::Error| {
                                    refuse(at, format!("{key}: \"today\" or a date, YYYY-MM-DD"))
                                },
                                Ok,
                            ),
                    }
                };
                FieldKind::Date {
                    not_before: bound("not_before", &raw.not_before)?,
                    not_after: bound("not_after", &raw.not_after)?,
                }
            }
            "choice" => FieldKind::Choice {
                options: options(at, raw.options.as_deref())?,
            },
            "multi_choice" => {
                let options = options(at, raw.options.as_deref())?;
                let count = |bound: Option<i64>, default: usize| match bound {
                    None => Ok(default),
                    Some(n) => usize::try_from(n)
                        .map_or_else(|_| refuse(at, "min and max count choices, from 0"), Ok),
                };
                let min = count(raw.min, 0)?;
                let max = count(raw.max, options.len())?;
                if min > max || max > options.len() || max == 0 {
                    return refuse(
                        at,
                        "0 ≤ min ≤ max ≤ the number of options, and max at least 1",
                    );
                }
                FieldKind::MultiChoice { options, min, max }
            }
            "checkbox" => FieldKind::Checkbox,
            "email" => FieldKind::Email,
            "phone" => FieldKind::Phone,
            "address" => FieldKind::Address,
            "birth_number" => FieldKind::BirthNumber,
            "ico" => FieldKind::Ico,
            "iban" => FieldKind::Iban,
            "location" => FieldKind::Location,
            "attachment" => {
                let max_files = raw.max_files.unwrap_or(DEFAULT_MAX_FILES);
                let max_mib = raw.max_size_mib.unwrap_or(DEFAULT_FILE_MIB);
                if !(1..=MAX_FILES).contains(&max_files) {
                    return refuse(at, format!("max_files: 1 to {MAX_FILES}"));
                }
                if !(1..=MAX_FILE_MIB).contains(&max_mib) {
                    return refuse(at, format!("max_size_mib: 1 to {MAX_FILE_MIB}"));
                }
                FieldKind::Attachment {
                    max_files,
                    max_size: max_mib << 20,
                }
            }
            "group" => {
                if in_group {
                    return refuse(at, "a group cannot hold another group");
                }
                let Some(item_label) = &raw.item_label else {
                    return refuse(at, "a group needs its item_label");
                };
                text(&format!("{at}.item_label"), item_label)?;
                let min_items = raw.min_items.unwrap_or(0);
                let max_items = raw.max_items.unwrap_or(10);
                if min_items > max_items || !(1..=MAX_GROUP_ITEMS).contains(&max_items) {
                    return refuse(at, format!("0 ≤ min_items ≤ max_items ≤ {MAX_GROUP_ITEMS}"));
                }
                let item_label = item_label.clone();
                let inner = raw.fields.take().unwrap_or_default();
                if inner.is_empty() {
                    return refuse(at, "a group needs its fields");
                }
                let mut fields = Vec::with_capacity(inner.len());
                for (i, field) in inner.into_iter().enumerate() {
                    let inner_at = format!("{at}.fields[{i}] ({})", field.id);
                    fields.push(self.field(&inner_at, field, true)?);
                }
                FieldKind::Group {
                    fields,
                    min_items,
                    max_items,
                    item_label,
                }
            }
            _ => return refuse(at, "unknown kind"),
        })
    }

    fn condition(&self, at: &str, raw: &RawCondition) -> Result<Condition, DefinitionError> {
        let at = format!("{at}.visible_when");
        let Some(kind) = self.earlier.get(&raw.field) else {
            return refuse(
                &at,
                format!(
                    "{:?} is not a field outside a group before this one",
                    raw.field
                ),
            );
        };
        let field = FieldId::parse(&raw.field).map_or_else(|| refuse(&at, "not a field id"), Ok)?;
        match (kind, &raw.equals, &raw.any_of, raw.checked) {
            (FieldKind::Checkbox, None, None, Some(true)) => Ok(Condition::Checked { field }),
            (
                FieldKind::Choice { options } | FieldKind::MultiChoice { options, .. },
                equals,
                any_of,
                None,
            ) if equals.is_some() != any_of.is_some() => {
                let values: Vec<String> = equals
                    .iter()
                    .cloned()
                    .chain(any_of.iter().flatten().cloned())
                    .collect();
                if values.is_empty() {
                    return refuse(&at, "any_of needs at least one value");
                }
                if let Some(unknown) = values
                    .iter()
                    .find(|value| !options.iter().any(|o| &o.value == *value))
                {
                    return refuse(
                        &at,
                        format!("{unknown:?} is not an option of {}", raw.field),
                    );
                }
                Ok(Condition::AnyOf { field, values })
            }
            _ => refuse(
                &at,
                "give `checked = true` for a checkbox, or `equals` or `any_of` for a choice",
            ),
        }
    }
}

fn options(at: &str, raw: Option<&[RawOption]>) -> Result<Vec<ChoiceOption>, DefinitionError> {
    let raw = raw.unwrap_or_default();
    if !(2..=MAX_OPTIONS).contains(&raw.len()) {
        return refuse(at, format!("a choice needs 2 to {MAX_OPTIONS} options"));
    }
    let mut options: Vec<ChoiceOption> = Vec::with_capacity(raw.len());
    for (i, option) in raw.iter().enumerate() {
        let option_at = format!("{at}.options[{i}]");
        if FieldId::parse(&option.value).is_none() && FormId::parse(&option.value).is_none() {
            return refuse(
                &option_at,
                "the value: lower-case letters, digits, hyphens and underscores",
            );
        }
        if options.iter().any(|o| o.value == option.value) {
            return refuse(
                &option_at,
                format!("the value {:?} is used already", option.value),
            );
        }
        let label = Text {
            cs: option.cs.clone(),
            en: option.en.clone(),
        };
        text(&option_at, &label)?;
        options.push(ChoiceOption {
            value: option.value.clone(),
            label,
        });
    }
    Ok(options)
}

/// Both languages given, neither empty, no control characters but line
/// breaks.
fn text(at: &str, text: &Text) -> Result<(), DefinitionError> {
    for (language, value) in [("cs", &text.cs), ("en", &text.en)] {
        if value.trim().is_empty() {
            return refuse(at, format!("the {language} text is empty"));
        }
        if value.chars().any(|c| c.is_control() && c != '\n') {
            return refuse(at, format!("the {language} text holds a control character"));
        }
    }
    Ok(())
}
