//! Identity providers: who a person is, and how sure we are.

pub mod demo;
pub mod nia_oidc;
pub mod oidc;
pub mod saml;

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
