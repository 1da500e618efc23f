//! Obcan's outside world: identity providers, register connectors, the mail
//! and SMS gateways messages to citizens leave through, and the RFC 3161
//! time-stamping authority that vouches for the audit log; payment gateways
//! as they are built. Each speaks the real protocol of its counterpart.

pub mod identity;
pub mod mail;
pub mod messaging;
pub mod outbox;
pub mod registers;
pub mod sms;
#[cfg(feature = "testing")]
pub mod testing;
pub mod timestamp;
pub mod webhooks;

/// An error with its causes, for the log.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
