//! The demo register: a synthetic, deterministic data set of the residents of
//! Vzorov, generated from a seed.

use jiff::civil::Date;
use obcan_core::registers::{ContactDetails, PersonMatch, RegisterRef, Section, SectionData};

use super::{ContactUpdate, RegisterError};

#[derive(Debug, Clone)]
pub struct DemoRegisters {
    seed: u64,
    /// The day the data set's dates are relative to.
    anchor: Date,
}

impl DemoRegisters {
    pub fn new(seed: u64, anchor: Date) -> Self {
        Self { seed, anchor }
    }

    pub fn find_person(&self, how: &PersonMatch) -> Option<RegisterRef> {
        let _ = (how, self.seed, self.anchor);
        None
    }

    pub fn fetch(
        &self,
        person: &RegisterRef,
        section: Section,
    ) -> Result<SectionData, RegisterError> {
        let _ = (person, section);
        Err(RegisterError::UnknownPerson)
    }

    pub fn update_contacts(
        &self,
        person: &RegisterRef,
        contacts: &ContactDetails,
    ) -> Result<ContactUpdate, RegisterError> {
        let _ = (person, contacts);
        Ok(ContactUpdate::Accepted)
    }
}
