//! Identity providers: who a person is, and how sure we are.

pub mod demo;
pub mod nia_oidc;
pub mod oidc;
pub mod saml;
