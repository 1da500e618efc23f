//! Forms: the catalogue, each form's page, and filling one in.

mod catalogue;
pub(crate) mod fields;
pub(crate) mod fill;

pub(crate) use catalogue::{catalogue, info};

/// A form's title by its id, or the id when the operator has since removed
/// the form: what lists of drafts and submissions name them by.
pub(crate) fn title_of(
    state: &crate::state::AppState,
    form: &str,
    language: obcan_core::language::Language,
) -> String {
    state.settings.forms.get(form).map_or_else(
        || form.to_owned(),
        |form| form.title.get(language).to_owned(),
    )
}
