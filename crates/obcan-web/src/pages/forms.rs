//! Forms: the catalogue, each form's page, and filling one in.

mod catalogue;
pub(crate) mod fields;
pub(crate) mod fill;

pub(crate) use catalogue::{catalogue, info};
