//! Obcan's outside world: identity providers today; register connectors,
//! mail and SMS gateways, time-stamp authorities and payment gateways as they
//! are built. Each speaks the real protocol of its counterpart.

pub mod identity;
pub mod registers;
