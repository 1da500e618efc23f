//! The JSON-over-HTTP register connector (contract: `docs/api/registers.openapi.yaml`).

use std::time::Duration;

use obcan_core::registers::{ContactDetails, PersonMatch, RegisterRef, Section, SectionData};

use super::{ContactUpdate, RegisterError};

/// How to reach an office's register gateway.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// The gateway's base URL, e.g. `https://registry-gw.vzorov.cz/v1`.
    pub base_url: url::Url,
    /// Sent as `Authorization: Bearer …`; never logged.
    pub token: Option<String>,
    /// For one attempt, connection included.
    pub timeout: Duration,
    /// Further attempts after a timeout, a connection failure or a 5xx.
    pub retries: u32,
    /// Failures in a row that open the circuit breaker.
    pub failure_threshold: u32,
    /// How long an open breaker refuses calls before letting one through.
    pub cool_down: Duration,
    /// Largest answer accepted, in bytes.
    pub max_answer_bytes: usize,
}

#[derive(Debug)]
pub struct HttpRegisters {
    settings: HttpSettings,
}

impl HttpRegisters {
    pub fn new(settings: HttpSettings) -> Result<Self, RegisterError> {
        Ok(Self { settings })
    }

    pub async fn find_person(
        &self,
        how: &PersonMatch,
    ) -> Result<Option<RegisterRef>, RegisterError> {
        let _ = (how, &self.settings);
        Err(RegisterError::Unavailable("not built yet".to_owned()))
    }

    pub async fn fetch(
        &self,
        person: &RegisterRef,
        section: Section,
    ) -> Result<SectionData, RegisterError> {
        let _ = (person, section);
        Err(RegisterError::Unavailable("not built yet".to_owned()))
    }

    pub async fn update_contacts(
        &self,
        person: &RegisterRef,
        contacts: &ContactDetails,
    ) -> Result<ContactUpdate, RegisterError> {
        let _ = (person, contacts);
        Ok(ContactUpdate::Unsupported)
    }
}
