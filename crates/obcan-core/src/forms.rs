//! Forms as data: what a citizen fills in to file a submission (podání).
//!
//! A form is a versioned definition in TOML — the operator adds one as a
//! file, without rebuilding; [`BUILT_IN`] are the examples the portal comes
//! with. [`FormDefinition::parse`] checks a definition whole and names the
//! place of the first problem ("steps[1].fields[2] (jmeno_psa): …"), so a
//! bad file is refused at start, never half-used.
//!
//! A definition has steps of fields; a field has a kind (text, number,
//! money, date, choice, birth number, IBAN, attachment, a repeating group…),
//! the checks of its kind, Czech and English texts, may be shown only when
//! an earlier answer says so, and may be prefilled from the citizen's profile
//! or the registers. [`Answers`] keep what the citizen typed, right or
//! wrong, so nothing is lost; [`FormDefinition::read_step`] takes a posted
//! step and says what to fix, field by field; [`FormDefinition::content`]
//! gives what is filed: the visible answers, each normalised.

mod answers;
mod catalog;
mod definition;

pub use answers::{Answers, Attached, Bound, CHECKED, FieldError, Forged, Problem, Value};
pub use catalog::{Catalog, LoadError, fold};
pub use definition::{
    ChoiceOption, Condition, DateBound, DefinitionError, Field, FieldId, FieldKind, FormDefinition,
    FormId, LifeSituation, Pattern, Prefill, Step, Text,
};

/// Identifies a citizen's draft; random, so it reveals nothing. Filing the
/// draft files it once: a second submit of the same draft finds what the
/// first filed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DraftId(uuid::Uuid);

uuid_id!(DraftId);

/// The example forms built into the portal: their file names and contents.
pub const BUILT_IN: [(&str, &str); 5] = [
    (
        "osvobozeni-od-poplatku-za-odpad.toml",
        include_str!("forms/builtin/osvobozeni-od-poplatku-za-odpad.toml"),
    ),
    (
        "prihlaseni-psa.toml",
        include_str!("forms/builtin/prihlaseni-psa.toml"),
    ),
    (
        "zadost-o-informace.toml",
        include_str!("forms/builtin/zadost-o-informace.toml"),
    ),
    (
        "hlaseni-zavady.toml",
        include_str!("forms/builtin/hlaseni-zavady.toml"),
    ),
    (
        "ridicsky-prukaz-konec-platnosti.toml",
        include_str!("forms/builtin/ridicsky-prukaz-konec-platnosti.toml"),
    ),
];

#[cfg(test)]
mod tests;
