//! The demo register: a synthetic, deterministic data set of the residents of
//! Vzorov, generated from a seed.
//!
//! Each person is generated on demand from their number alone, section by
//! section, so a fetch takes microseconds and the data set needs no storage.
//! The same seed always gives the same people; all dates are relative to the
//! anchor (the day the portal started), so documents expire, inspections fall
//! due and bans end in the same proportions whatever the day. Persons 1 to 6
//! are the demo personas (see `personas`).

mod documents;
mod driver;
mod personal;
mod personas;
mod profile;
mod rng;
mod tables;
#[cfg(test)]
mod tests;
mod trades;
mod usage;
mod vehicles;

use jiff::Span;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use obcan_core::registers::{
    ContactDetails, InvalidRegisterValue, PersonMatch, RegisterRef, RegisterText, Section,
    SectionData,
};

use super::{ContactUpdate, RegisterError};

/// How many residents the register knows.
pub const POPULATION: u32 = 1_200;

/// The identity provider's identifiers of the residents (NIA's form), as the
/// demo identity provider gives them: `CZ/CZ/demo-0001` and on.
const IDENTIFIER_PREFIX: &str = "CZ/CZ/demo-";
/// The register's own references: `VZ-000001` and on.
const REFERENCE_PREFIX: &str = "VZ-";

#[derive(Debug, Clone)]
pub struct DemoRegisters {
    context: Context,
}

/// What every generator needs to know.
#[derive(Debug, Clone)]
struct Context {
    seed: u64,
    /// The day the data set's dates are relative to.
    anchor: Date,
    /// The office's time zone, for the times of the data usage log.
    zone: TimeZone,
}

/// A generator's result. A generator bug is reported as a malformed answer,
/// never a panic.
type Gen<T> = Result<T, RegisterError>;

impl DemoRegisters {
    pub fn new(seed: u64, anchor: Date) -> Self {
        Self {
            context: Context {
                seed,
                anchor,
                zone: obcan_core::time::office_zone(),
            },
        }
    }

    pub fn find_person(&self, how: &PersonMatch) -> Option<RegisterRef> {
        let index = match how {
            PersonMatch::Identifier { identifier } => {
                parse_number(identifier, IDENTIFIER_PREFIX, 4)
            }
            PersonMatch::NameAndBirthDate {
                given_name,
                family_name,
                birth_date,
            } => self.find_by_name(given_name, family_name, *birth_date),
        }?;
        RegisterRef::parse(&format!("{REFERENCE_PREFIX}{index:06}")).ok()
    }

    fn find_by_name(&self, given_name: &str, family_name: &str, birth_date: Date) -> Option<u32> {
        let residents =
            (1..=POPULATION).filter_map(|index| profile::resident(&self.context, index).ok());
        only_match(residents, given_name, family_name, birth_date)
    }

    pub fn fetch(
        &self,
        person: &RegisterRef,
        section: Section,
    ) -> Result<SectionData, RegisterError> {
        let index = parse_number(person.as_str(), REFERENCE_PREFIX, 6)
            .ok_or(RegisterError::UnknownPerson)?;
        let context = &self.context;
        let resident = profile::resident(context, index)?;
        let profile = profile::profile(context, &resident);
        Ok(match section {
            Section::Personal => {
                SectionData::Personal(personal::personal(context, &resident, &profile)?)
            }
            Section::Documents => {
                SectionData::Documents(documents::documents(context, &resident, &profile)?)
            }
            Section::Driver => SectionData::Driver(driver::driver(context, &resident, &profile)?),
            Section::Vehicles => {
                SectionData::Vehicles(vehicles::vehicles(context, &resident, &profile)?)
            }
            Section::TradeLicences => {
                SectionData::TradeLicences(trades::trade_licences(context, &resident, &profile)?)
            }
            Section::DataUsage => {
                SectionData::DataUsage(usage::data_usage(context, &resident, &profile)?)
            }
        })
    }

    /// The demo register takes the verified contact details; its data set,
    /// generated from the seed, stays as it is.
    pub fn update_contacts(
        &self,
        person: &RegisterRef,
        contacts: &ContactDetails,
    ) -> Result<ContactUpdate, RegisterError> {
        let _ = contacts;
        parse_number(person.as_str(), REFERENCE_PREFIX, 6).ok_or(RegisterError::UnknownPerson)?;
        Ok(ContactUpdate::Accepted)
    }
}

/// The number of the only resident with this name (trimmed, in any case)
/// and birth date; none if there is none or more than one.
fn only_match(
    residents: impl IntoIterator<Item = profile::Resident>,
    given_name: &str,
    family_name: &str,
    birth_date: Date,
) -> Option<u32> {
    let given_name = given_name.trim().to_lowercase();
    let family_name = family_name.trim().to_lowercase();
    let mut found = None;
    for resident in residents {
        // The birth date first: it rules out nearly everyone without allocating.
        let same = resident.birth_date == birth_date
            && resident.given_name.to_lowercase() == given_name
            && resident.family_name.to_lowercase() == family_name;
        if same {
            if found.is_some() {
                return None;
            }
            found = Some(resident.index);
        }
    }
    found
}

/// A resident's number from an identifier written as the prefix and the
/// number with at least `width` digits; only the canonical form counts.
fn parse_number(raw: &str, prefix: &str, width: usize) -> Option<u32> {
    let digits = raw.strip_prefix(prefix)?;
    if digits.len() < width || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let number: u32 = digits.parse().ok()?;
    let canonical = format!("{number:0width$}") == digits;
    (canonical && (1..=POPULATION).contains(&number)).then_some(number)
}

fn malformed(what: impl std::fmt::Display) -> RegisterError {
    RegisterError::Malformed(format!("demo data: {what}"))
}

fn invalid(error: InvalidRegisterValue) -> RegisterError {
    malformed(error)
}

fn text(raw: &str) -> Gen<RegisterText> {
    RegisterText::parse(raw).map_err(invalid)
}

fn shifted(day: Date, span: Result<Span, jiff::Error>) -> Gen<Date> {
    span.and_then(|span| day.checked_add(span))
        .map_err(malformed)
}

fn days_after(day: Date, days: i64) -> Gen<Date> {
    shifted(day, Span::new().try_days(days))
}

fn days_before(day: Date, days: i64) -> Gen<Date> {
    shifted(day, Span::new().try_days(-days))
}

fn years_after(day: Date, years: i64) -> Gen<Date> {
    shifted(day, Span::new().try_years(years))
}

fn years_before(day: Date, years: i64) -> Gen<Date> {
    shifted(day, Span::new().try_years(-years))
}

fn months_after(day: Date, months: i64) -> Gen<Date> {
    shifted(day, Span::new().try_months(months))
}

/// Whole days from one day to a later one (0 if it is not later).
fn days_between(from: Date, to: Date) -> i64 {
    i64::from((to - from).get_days()).max(0)
}
