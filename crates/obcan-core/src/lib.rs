//! Obcan's domain: validated values and the rules that use them.
//!
//! Nothing here performs I/O; the store, the connectors and the web layer all
//! depend on this crate and never the other way round.

/// Whether `raw` is a key as forms and agendas are named in addresses and
/// definitions: 1 to `max` lower-case letters, digits and inner hyphens.
fn is_key(raw: &str, max: usize) -> bool {
    (1..=max).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !raw.starts_with('-')
        && !raw.ends_with('-')
}

/// `random`, `parse` (none if not a UUID) and `Display` for newtypes of a
/// random UUID, which identify things without revealing anything.
macro_rules! uuid_id {
    ($($name:ident),*) => {$(
        impl $name {
            pub fn random() -> Self {
                Self(uuid::Uuid::new_v4())
            }

            pub fn parse(raw: &str) -> Option<Self> {
                uuid::Uuid::parse_str(raw).ok().map(Self)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }
    )*};
}

pub mod audit;
pub mod capability;
pub mod citizen;
pub mod contact;
pub mod credential;
pub mod documents;
pub mod forms;
pub mod identifiers;
pub mod identity;
pub mod integration;
pub mod language;
pub mod policy;
pub mod records;
pub mod registers;
pub mod registration;
pub mod session;
pub mod staff;
pub mod submissions;
pub mod time;
