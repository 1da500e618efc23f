//! What the public registers know about a person, as the portal shows it:
//! the population register (ROB), identity documents, the driver and vehicle
//! registers, the trade register, and the log of who used the person's data.
//!
//! These types are also the wire format of the register connector contract
//! (`docs/api/registers.openapi.yaml`): every validated value deserializes
//! through its constructor, so a malformed answer is refused at the edge.

use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// The register's own identifier of a person, as the connector returns it
/// from a match (for ROB, an agenda identifier, AIFO). Opaque to the portal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegisterRef(String);

impl RegisterRef {
    pub fn parse(raw: &str) -> Result<Self, InvalidRegisterValue> {
        checked(
            raw,
            1..=128,
            |b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/' | b':'),
            InvalidRegisterValue::Reference,
        )
        .map(Self)
    }
}

/// How a citizen account is matched to a person of the registers. On the
/// wire: `{"by": "identifier", "identifier": "…"}` or `{"by":
/// "name_and_birth_date", "given_name": …, "family_name": …, "birth_date": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum PersonMatch {
    /// The identity provider's identifier of the person (NIA's PersonIdentifier).
    Identifier { identifier: String },
    /// The provider's verified name and birth date (bank identity, mojeID).
    NameAndBirthDate {
        given_name: String,
        family_name: String,
        birth_date: Date,
    },
}

/// Which facts of a login a register may match the person by; configured
/// per identity provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchRule {
    /// The provider's identifier of the person is the register's (NIA).
    Identifier,
    /// The provider's verified name and birth date (bank identity, mojeID).
    NameAndBirthDate,
    /// Logins at this provider are never matched to register data.
    Never,
}

/// A short text from a register (a name, a place, a reason): present, one
/// line, of bounded length.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegisterText(String);

const MAX_TEXT: usize = 500;

impl RegisterText {
    pub fn parse(raw: &str) -> Result<Self, InvalidRegisterValue> {
        let text = raw.trim();
        if text.is_empty() || text.chars().count() > MAX_TEXT || text.chars().any(char::is_control)
        {
            return Err(InvalidRegisterValue::Text);
        }
        Ok(Self(text.to_owned()))
    }
}

/// The population register's entry of a person (ROB).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalData {
    pub given_name: RegisterText,
    pub family_name: RegisterText,
    pub birth_date: Date,
    pub birth_place: RegisterText,
    pub citizenship: RegisterText,
    pub address: RegisterText,
    /// Where the person asked to be written to, if elsewhere than the address.
    pub delivery_address: Option<RegisterText>,
    pub marital_status: MaritalStatus,
    /// The identifier of the person's data box, if they have one.
    pub data_box: Option<RegisterText>,
    /// Contact details the person gave the register, if the register keeps any.
    pub email: Option<RegisterText>,
    pub phone: Option<RegisterText>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaritalStatus {
    Single,
    Married,
    Divorced,
    Widowed,
    RegisteredPartnership,
}

/// A document proving identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityDocument {
    pub kind: DocumentKind,
    pub number: DocumentNumber,
    pub issued_on: Date,
    pub valid_until: Date,
    pub issued_by: RegisterText,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    IdCard,
    Passport,
}

/// A document's number: 6 to 12 capital letters and digits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DocumentNumber(String);

impl DocumentNumber {
    pub fn parse(raw: &str) -> Result<Self, InvalidRegisterValue> {
        checked(
            raw,
            6..=12,
            capital_or_digit,
            InvalidRegisterValue::DocumentNumber,
        )
        .map(Self)
    }
}

/// How far a dated thing (a document, a technical inspection) is from its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    Valid {
        days_left: i32,
    },
    /// Within [`EXPIRY_WARNING_DAYS`] of the end, or ending today (0 days left).
    ExpiresSoon {
        days_left: i32,
    },
    Expired {
        days_ago: i32,
    },
}

/// The national portal's first reminder comes 30 days before the end.
pub const EXPIRY_WARNING_DAYS: i32 = 30;

impl Validity {
    /// The state on `today` of something valid up to and including `last_day`.
    pub fn on(today: Date, last_day: Date) -> Self {
        let days_left = (last_day - today).get_days();
        match days_left {
            days if days < 0 => Self::Expired { days_ago: -days },
            days if days <= EXPIRY_WARNING_DAYS => Self::ExpiresSoon { days_left: days },
            days => Self::Valid { days_left: days },
        }
    }

    pub fn needs_attention(self) -> bool {
        !matches!(self, Self::Valid { .. })
    }
}

impl IdentityDocument {
    pub fn validity(&self, today: Date) -> Validity {
        Validity::on(today, self.valid_until)
    }
}

/// The most points a driver's account holds: at 12 the licence is lost.
pub const MAX_POINTS: u8 = 12;

/// The state of a driver's points account, 0 to 12.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Points(u8);

impl Points {
    pub fn new(points: u8) -> Result<Self, InvalidRegisterValue> {
        if points <= MAX_POINTS {
            Ok(Self(points))
        } else {
            Err(InvalidRegisterValue::Points)
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

/// The driver register's entry of a person (centrální registr řidičů).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriverRecord {
    pub licence: Option<DrivingLicence>,
    pub groups: Vec<LicenceGroup>,
    pub professional_competence: Option<ProfessionalCompetence>,
    pub points: Points,
    /// When the points last changed; none if they never have.
    pub points_changed_on: Option<Date>,
    pub offences: Vec<Offence>,
    pub bans: Vec<DrivingBan>,
    /// Why the person lost their licence, each time they did.
    pub losses: Vec<LicenceLoss>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrivingLicence {
    pub number: DocumentNumber,
    pub issued_on: Date,
    pub valid_until: Date,
    pub issued_by: RegisterText,
}

impl DrivingLicence {
    pub fn validity(&self, today: Date) -> Validity {
        Validity::on(today, self.valid_until)
    }
}

/// A group of vehicles a licence entitles to drive (Act 361/2000, § 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VehicleGroup {
    AM,
    A1,
    A2,
    A,
    B1,
    B,
    BE,
    C1,
    C1E,
    C,
    CE,
    D1,
    D1E,
    D,
    DE,
    T,
}

impl VehicleGroup {
    pub const fn code(self) -> &'static str {
        match self {
            Self::AM => "AM",
            Self::A1 => "A1",
            Self::A2 => "A2",
            Self::A => "A",
            Self::B1 => "B1",
            Self::B => "B",
            Self::BE => "BE",
            Self::C1 => "C1",
            Self::C1E => "C1E",
            Self::C => "C",
            Self::CE => "CE",
            Self::D1 => "D1",
            Self::D1E => "D1E",
            Self::D => "D",
            Self::DE => "DE",
            Self::T => "T",
        }
    }
}

impl fmt::Display for VehicleGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenceGroup {
    pub group: VehicleGroup,
    pub since: Date,
    /// Groups C and D are granted for a time; the others for life.
    pub until: Option<Date>,
}

/// The professional driver's certificate (profesní osvědčení).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfessionalCompetence {
    pub number: DocumentNumber,
    pub groups: Vec<VehicleGroup>,
    pub valid_until: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offence {
    pub committed_on: Date,
    pub description: RegisterText,
    pub points: Points,
    pub decided_by: RegisterText,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrivingBan {
    pub from: Date,
    /// None for a ban without an end date.
    pub until: Option<Date>,
    pub reason: RegisterText,
    pub imposed_by: RegisterText,
}

impl DrivingBan {
    pub fn in_force(&self, today: Date) -> bool {
        self.from <= today && self.until.is_none_or(|until| today <= until)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenceLoss {
    pub on: Date,
    pub reason: RegisterText,
}

/// A vehicle registered to the person as owner or operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vehicle {
    pub plate: RegistrationPlate,
    pub vin: Vin,
    pub make: RegisterText,
    pub model: RegisterText,
    /// The EU vehicle category, e.g. M1, N1, L3e.
    pub category: RegisterText,
    pub first_registered_on: Date,
    pub relation: VehicleRelation,
    /// The last day of the valid technical inspection; none for vehicles
    /// that need none.
    pub inspection_valid_until: Option<Date>,
}

impl Vehicle {
    pub fn inspection(&self, today: Date) -> Option<Validity> {
        self.inspection_valid_until
            .map(|last_day| Validity::on(today, last_day))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VehicleRelation {
    Owner,
    Operator,
    OwnerAndOperator,
}

/// A registration plate: 2 to 8 capital letters and digits, as the register
/// writes it (without spaces).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegistrationPlate(String);

impl RegistrationPlate {
    pub fn parse(raw: &str) -> Result<Self, InvalidRegisterValue> {
        checked(raw, 2..=8, capital_or_digit, InvalidRegisterValue::Plate).map(Self)
    }
}

/// A vehicle identification number (ISO 3779): 17 characters, digits and
/// capital letters other than I, O and Q.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Vin(String);

impl Vin {
    pub fn parse(raw: &str) -> Result<Self, InvalidRegisterValue> {
        checked(
            raw,
            17..=17,
            |b| capital_or_digit(b) && !matches!(b, b'I' | b'O' | b'Q'),
            InvalidRegisterValue::Vin,
        )
        .map(Self)
    }
}

/// A business identification number (IČO): eight digits, the last a
/// modulo-11 check digit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Ico(String);

impl Ico {
    pub fn parse(raw: &str) -> Result<Self, InvalidRegisterValue> {
        let digits: Vec<u32> = raw.chars().filter_map(|c| c.to_digit(10)).collect();
        if raw.len() != 8 || digits.len() != 8 {
            return Err(InvalidRegisterValue::Ico);
        }
        if digits[7] != Self::check_digit(&digits[..7]) {
            return Err(InvalidRegisterValue::Ico);
        }
        Ok(Self(raw.to_owned()))
    }

    /// The check digit of the first seven digits.
    pub fn check_digit(first_seven: &[u32]) -> u32 {
        let sum: u32 = first_seven
            .iter()
            .zip((2..=8).rev())
            .map(|(digit, weight)| digit * weight)
            .sum();
        (11 - sum % 11) % 10
    }
}

/// A trade licence (živnostenské oprávnění) from the trade register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TradeLicence {
    pub ico: Ico,
    pub subject: RegisterText,
    pub kind: TradeKind,
    pub since: Date,
    pub state: TradeState,
    /// The day a suspension or the licence ends, when it is set.
    pub until: Option<Date>,
    pub trade_office: RegisterText,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TradeKind {
    Free,
    Vocational,
    Bound,
    Licensed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TradeState {
    Active,
    Suspended,
    Ended,
}

/// One use of the person's data by an authority, as the population
/// register's log records it ("who used my data").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataUsage {
    pub at: jiff::Timestamp,
    pub authority: RegisterText,
    /// The agenda's code from the register of rights and duties, e.g. A121.
    pub agenda_code: AgendaCode,
    pub agenda: RegisterText,
    pub purpose: RegisterText,
    /// Which register the data came from.
    pub register: RegisterText,
}

/// An agenda code of the register of rights and duties: "A" and 1 to 5 digits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AgendaCode(String);

impl AgendaCode {
    pub fn parse(raw: &str) -> Result<Self, InvalidRegisterValue> {
        let valid = raw.strip_prefix('A').is_some_and(|digits| {
            (1..=5).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
        });
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidRegisterValue::AgendaCode)
        }
    }
}

/// One part of what the registers hold about a person; the portal fetches,
/// caches, audits and shows each on its own, so one register being down
/// leaves the others readable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Personal,
    Documents,
    Driver,
    Vehicles,
    TradeLicences,
    DataUsage,
}

impl Section {
    pub const ALL: [Self; 6] = [
        Self::Personal,
        Self::Documents,
        Self::Driver,
        Self::Vehicles,
        Self::TradeLicences,
        Self::DataUsage,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Personal => "personal",
            Self::Documents => "documents",
            Self::Driver => "driver",
            Self::Vehicles => "vehicles",
            Self::TradeLicences => "trade_licences",
            Self::DataUsage => "data_usage",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|section| section.as_str() == raw)
    }
}

/// The data of one section, as a connector answers and the cache keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "section", content = "data", rename_all = "snake_case")]
pub enum SectionData {
    Personal(PersonalData),
    Documents(Vec<IdentityDocument>),
    /// None: the person is not in the driver register.
    Driver(Option<DriverRecord>),
    Vehicles(Vec<Vehicle>),
    TradeLicences(Vec<TradeLicence>),
    /// Newest first.
    DataUsage(Vec<DataUsage>),
}

impl SectionData {
    pub fn section(&self) -> Section {
        match self {
            Self::Personal(_) => Section::Personal,
            Self::Documents(_) => Section::Documents,
            Self::Driver(_) => Section::Driver,
            Self::Vehicles(_) => Section::Vehicles,
            Self::TradeLicences(_) => Section::TradeLicences,
            Self::DataUsage(_) => Section::DataUsage,
        }
    }
}

/// The contact details a citizen verified in the portal, which a connector
/// passes on to the register where it can.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactDetails {
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvalidRegisterValue {
    #[error("not a register reference: 1 to 128 letters, digits or -_.:/")]
    Reference,
    #[error("a register text must be one line of 1 to {MAX_TEXT} characters")]
    Text,
    #[error("not a document number: 6 to 12 capital letters and digits")]
    DocumentNumber,
    #[error("points must be between 0 and {MAX_POINTS}")]
    Points,
    #[error("not a registration plate: 2 to 8 capital letters and digits")]
    Plate,
    #[error("not a VIN: 17 digits and capital letters other than I, O, Q")]
    Vin,
    #[error("not an IČO: eight digits with a valid check digit")]
    Ico,
    #[error("not an agenda code: A and 1 to 5 digits")]
    AgendaCode,
}

/// `raw`, owned, if its length is in `lengths` and every byte is `allowed`.
fn checked(
    raw: &str,
    lengths: std::ops::RangeInclusive<usize>,
    allowed: impl Fn(u8) -> bool,
    error: InvalidRegisterValue,
) -> Result<String, InvalidRegisterValue> {
    if lengths.contains(&raw.len()) && raw.bytes().all(allowed) {
        Ok(raw.to_owned())
    } else {
        Err(error)
    }
}

fn capital_or_digit(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}

macro_rules! string_newtype {
    ($($name:ident),*) => {$(
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidRegisterValue;

            fn try_from(raw: String) -> Result<Self, Self::Error> {
                Self::parse(&raw)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}

string_newtype!(
    RegisterRef,
    RegisterText,
    DocumentNumber,
    RegistrationPlate,
    Vin,
    Ico,
    AgendaCode
);

impl TryFrom<u8> for Points {
    type Error = InvalidRegisterValue;

    fn try_from(points: u8) -> Result<Self, Self::Error> {
        Self::new(points)
    }
}

impl From<Points> for u8 {
    fn from(points: Points) -> u8 {
        points.0
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn validity_counts_days_to_the_last_valid_day() {
        let today = date(2026, 11, 22);
        assert_eq!(
            Validity::on(today, date(2027, 11, 22)),
            Validity::Valid { days_left: 365 }
        );
        assert_eq!(
            Validity::on(today, date(2026, 12, 22)),
            Validity::ExpiresSoon { days_left: 30 }
        );
        assert_eq!(
            Validity::on(today, date(2026, 12, 23)),
            Validity::Valid { days_left: 31 }
        );
        assert_eq!(
            Validity::on(today, today),
            Validity::ExpiresSoon { days_left: 0 }
        );
        assert_eq!(
            Validity::on(today, date(2026, 11, 21)),
            Validity::Expired { days_ago: 1 }
        );
    }

    #[test]
    fn ico_check_digit_is_verified() {
        // The Ministry of the Interior's IČO.
        assert!(Ico::parse("00007064").is_ok());
        assert!(Ico::parse("25596641").is_ok());
        assert_eq!(Ico::parse("25596642"), Err(InvalidRegisterValue::Ico));
        assert_eq!(Ico::parse("2559664"), Err(InvalidRegisterValue::Ico));
        assert_eq!(Ico::parse("2559664x"), Err(InvalidRegisterValue::Ico));
    }

    #[test]
    fn values_from_the_wire_are_validated() {
        assert!(serde_json::from_str::<Points>("12").is_ok());
        assert!(serde_json::from_str::<Points>("13").is_err());
        assert!(serde_json::from_str::<Vin>("\"TMBJJ7NE8J0123456\"").is_ok());
        assert!(serde_json::from_str::<Vin>("\"TMBJJ7NE8J012345O\"").is_err());
        assert!(serde_json::from_str::<RegisterText>("\"  \"").is_err());
        assert!(serde_json::from_str::<RegisterText>("\"a\\nb\"").is_err());
        assert!(serde_json::from_str::<AgendaCode>("\"A121\"").is_ok());
        assert!(serde_json::from_str::<AgendaCode>("\"B121\"").is_err());
        assert!(serde_json::from_str::<VehicleGroup>("\"C1E\"").is_ok());
        assert!(serde_json::from_str::<VehicleGroup>("\"Z\"").is_err());
        assert!(serde_json::from_str::<DocumentKind>("\"driving_licence\"").is_err());
    }

    #[test]
    fn a_ban_is_in_force_between_its_days() {
        let ban = DrivingBan {
            from: date(2026, 1, 1),
            until: Some(date(2026, 12, 31)),
            reason: RegisterText::parse("Rozhodnutí správního orgánu").unwrap(),
            imposed_by: RegisterText::parse("Městský úřad Vzorov").unwrap(),
        };
        assert!(!ban.in_force(date(2025, 12, 31)));
        assert!(ban.in_force(date(2026, 12, 31)));
        assert!(!ban.in_force(date(2027, 1, 1)));
    }
}
