//! Register connectors: where the portal reads what the public registers hold
//! about a person. `demo` serves a synthetic data set; `http` speaks the JSON
//! contract of `docs/api/registers.openapi.yaml` to an office's gateway.

pub mod demo;
pub mod http;

use obcan_core::registers::{ContactDetails, PersonMatch, RegisterRef, Section, SectionData};

/// The configured source of register data.
#[derive(Debug)]
pub enum RegisterConnector {
    Demo(demo::DemoRegisters),
    Http(http::HttpRegisters),
}

/// Whether the register took the contact details it was told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactUpdate {
    Accepted,
    /// The register keeps no contact details, or its gateway cannot pass them on.
    Unsupported,
}

/// Why a connector gave no data. Every case is shown to the citizen as "the
/// register is not available now", with the last known data if there is any.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegisterError {
    #[error("the register did not answer in time")]
    Timeout,
    /// Connection refused, reset, or a 5xx status.
    #[error("the register is unavailable: {0}")]
    Unavailable(String),
    /// Too many failures in a row: calls are not even tried until the
    /// breaker's cool-down has passed.
    #[error("the register is not called for now after repeated failures")]
    CircuitOpen,
    /// The answer broke the contract: a missing field, a wrong type, an
    /// unknown value, an unexpected status.
    #[error("the register's answer breaks the contract: {0}")]
    Malformed(String),
    #[error("the register's answer is larger than {limit} bytes")]
    TooLarge { limit: usize },
    /// The person asked about is not (or no longer) in the register.
    #[error("the register does not know this person")]
    UnknownPerson,
}

impl RegisterConnector {
    /// What the operator's configuration calls this connector.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Demo(_) => "demo",
            Self::Http(_) => "http",
        }
    }

    /// The register's identifier of the person an identity provider
    /// described, if the register finds exactly one.
    pub async fn find_person(
        &self,
        how: &PersonMatch,
    ) -> Result<Option<RegisterRef>, RegisterError> {
        match self {
            Self::Demo(demo) => Ok(demo.find_person(how)),
            Self::Http(http) => http.find_person(how).await,
        }
    }

    /// One section of what the registers hold about a person.
    pub async fn fetch(
        &self,
        person: &RegisterRef,
        section: Section,
    ) -> Result<SectionData, RegisterError> {
        match self {
            Self::Demo(demo) => demo.fetch(person, section),
            Self::Http(http) => http.fetch(person, section).await,
        }
    }

    /// Tells the register the contact details the citizen verified.
    pub async fn update_contacts(
        &self,
        person: &RegisterRef,
        contacts: &ContactDetails,
    ) -> Result<ContactUpdate, RegisterError> {
        match self {
            Self::Demo(demo) => demo.update_contacts(person, contacts),
            Self::Http(http) => http.update_contacts(person, contacts).await,
        }
    }
}
