//! The portal end to end, in-process: every route through the whole router on
//! a fresh database of the backend `TEST_DATABASE_URL` names.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::result_large_err,
    clippy::panic,
    reason = "a failing test panics; figment's test jail returns its large error type"
)]

mod support;

mod account;
mod audit_verify;
mod authorization;
mod availability;
mod cli;
mod config;
mod contacts;
mod crash;
mod csrf;
mod documents;
mod forms;
mod login;
mod my_data;
mod nia_oidc;
mod oidc;
mod pages;
mod protection;
mod records;
mod records_api;
mod registration;
mod saml;
mod staff;
mod submissions;
