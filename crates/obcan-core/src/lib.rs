//! Obcan's domain: validated values and the rules that use them.
//!
//! Nothing here performs I/O; the store, the connectors and the web layer all
//! depend on this crate and never the other way round.

pub mod audit;
pub mod capability;
pub mod citizen;
pub mod contact;
pub mod credential;
pub mod documents;
pub mod forms;
pub mod identifiers;
pub mod identity;
pub mod language;
pub mod policy;
pub mod records;
pub mod registers;
pub mod registration;
pub mod session;
pub mod staff;
pub mod submissions;
pub mod time;
