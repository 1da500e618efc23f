//! A citizen's account and the validated values that describe a person.

use std::fmt;

use jiff::civil::Date;

/// Identifies a citizen account. Random, so it reveals nothing and is safe to
/// generate on any node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CitizenId(uuid::Uuid);

impl CitizenId {
    pub fn random() -> Self {
        Self(uuid::Uuid::new_v4())
    }

    pub fn parse(raw: &str) -> Result<Self, InvalidCitizenId> {
        uuid::Uuid::parse_str(raw)
            .map(Self)
            .map_err(|_| InvalidCitizenId)
    }
}

impl fmt::Display for CitizenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a citizen id")]
pub struct InvalidCitizenId;

/// A person's given and family name, as an identity provider or register states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName {
    given: String,
    family: String,
}

/// Longest name part accepted; the population register allows far less.
const MAX_NAME_PART: usize = 100;

impl PersonName {
    pub fn new(given: &str, family: &str) -> Result<Self, InvalidName> {
        Ok(Self {
            given: name_part(given)?,
            family: name_part(family)?,
        })
    }

    pub fn given(&self) -> &str {
        &self.given
    }

    pub fn family(&self) -> &str {
        &self.family
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.given, self.family)
    }
}

/// An e-mail address as an identity provider states it: checked for shape
/// only (one `@`, a dotted domain, no spaces); whether it reaches the person
/// is for a confirmation code to find out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<Self, InvalidContact> {
        let raw = raw.trim();
        let valid = raw.len() <= 254
            && !raw.chars().any(|c| c.is_whitespace() || c.is_control())
            && raw.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            });
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidContact::Email)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A telephone number in E.164 form (`+420603123456`). Czech numbers may be
/// typed as people write them: `603 123 456`, `+420 603 123 456` or
/// `00420 603-123-456`; another country's number needs its `+` prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumber(String);

const CZECH_PREFIX: &str = "420";

impl PhoneNumber {
    pub fn parse(raw: &str) -> Result<Self, InvalidContact> {
        let raw = raw.trim();
        // Separators people type between groups; nothing else is tolerated.
        let compact: String = raw
            .chars()
            .filter(|c| !matches!(c, ' ' | '\u{a0}' | '-' | '.' | '/' | '(' | ')'))
            .collect();
        let international = compact
            .strip_prefix('+')
            .or_else(|| compact.strip_prefix("00"));
        let digits = match international {
            Some(digits) => digits.to_owned(),
            None if compact.len() == 9 => format!("{CZECH_PREFIX}{compact}"),
            None => return Err(InvalidContact::Phone),
        };
        // E.164: a country code that does not start with 0, at most 15
        // digits in all; the shortest national numbers in use have 8 in all.
        let valid = (8..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if !valid {
            return Err(InvalidContact::Phone);
        }
        // Czech numbers have nine digits, and none starts with 0 or 1.
        if let Some(national) = digits.strip_prefix(CZECH_PREFIX)
            && (national.len() != 9 || national.starts_with(['0', '1']))
        {
            return Err(InvalidContact::Phone);
        }
        Ok(Self(format!("+{digits}")))
    }

    /// The E.164 form, as stored and as gateways take it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// As people read it: a Czech number in groups of three
    /// (`+420 603 123 456`), others as stored.
    pub fn grouped(&self) -> String {
        match self.0.strip_prefix("+420") {
            Some(national) if national.len() == 9 => format!(
                "+420 {} {} {}",
                &national[..3],
                &national[3..6],
                &national[6..]
            ),
            _ => self.0.clone(),
        }
    }
}

/// A postal address on one line, e.g. "Lipová 12, 123 45 Vzorov".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostalAddress(String);

impl PostalAddress {
    pub fn parse(raw: &str) -> Result<Self, InvalidContact> {
        let line = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() || line.chars().count() > 300 || line.chars().any(char::is_control) {
            return Err(InvalidContact::Address);
        }
        Ok(Self(line))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidContact {
    #[error("not an e-mail address")]
    Email,
    #[error("not a telephone number: nine digits, or + and the country code")]
    Phone,
    #[error("not a postal address: empty, too long or with control characters")]
    Address,
}

fn name_part(raw: &str) -> Result<String, InvalidName> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(InvalidName::Empty);
    }
    if trimmed.chars().count() > MAX_NAME_PART {
        return Err(InvalidName::TooLong);
    }
    if trimmed.chars().any(char::is_control) {
        return Err(InvalidName::ControlCharacter);
    }
    Ok(trimmed.to_owned())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvalidName {
    #[error("a name part is empty")]
    Empty,
    #[error("a name part is longer than {MAX_NAME_PART} characters")]
    TooLong,
    #[error("a name part contains a control character")]
    ControlCharacter,
}

/// A citizen account as the portal keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citizen {
    pub id: CitizenId,
    pub name: PersonName,
    pub birth_date: Option<Date>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_validated() {
        let name = PersonName::new("  Jana ", "Nováková").unwrap();
        assert_eq!(name.to_string(), "Jana Nováková");
        assert_eq!(PersonName::new("", "X"), Err(InvalidName::Empty));
        assert_eq!(
            PersonName::new("A\u{0}", "X"),
            Err(InvalidName::ControlCharacter)
        );
        assert_eq!(
            PersonName::new(&"a".repeat(101), "X"),
            Err(InvalidName::TooLong)
        );
    }

    #[test]
    fn citizen_ids_round_trip() {
        let id = CitizenId::random();
        assert_eq!(CitizenId::parse(&id.to_string()), Ok(id));
        assert!(CitizenId::parse("not-an-id").is_err());
    }

    #[test]
    fn email_addresses_are_checked_for_shape() {
        assert!(EmailAddress::parse(" jana@example.cz ").is_ok());
        for bad in [
            "",
            "jana",
            "@example.cz",
            "jana@",
            "jana@cz",
            "ja na@example.cz",
            "a@b@c.cz",
            "jana@.cz",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn czech_phone_numbers_are_normalised_to_e164() {
        for typed in [
            "603 123 456",
            "603123456",
            "+420 603 123 456",
            "+420603123456",
            "00420 603-123-456",
            " (+420) 603.123.456 ",
        ] {
            let phone = PhoneNumber::parse(typed).unwrap();
            assert_eq!(phone.as_str(), "+420603123456", "{typed:?}");
            assert_eq!(phone.grouped(), "+420 603 123 456");
        }
        let slovak = PhoneNumber::parse("+421 905 123 456").unwrap();
        assert_eq!(slovak.as_str(), "+421905123456");
        assert_eq!(slovak.grouped(), "+421905123456");
    }

    #[test]
    fn garbage_is_not_a_phone_number() {
        for bad in [
            "",
            "   ",
            "603 123 45",
            "603 123 4567",
            "+420 603 123 45",
            "+420 103 123 456",
            "003 123 456",
            "+0420603123456",
            "+1234567",
            "+1234567890123456",
            "603a123456",
            "603_123_456",
            "+420 603 123 456 ext 1",
            "phone",
            "++420603123456",
        ] {
            assert_eq!(
                PhoneNumber::parse(bad),
                Err(InvalidContact::Phone),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn postal_addresses_are_one_line() {
        let address = PostalAddress::parse("Lipová 12,\n  123 45 Vzorov")
            .unwrap_or_else(|_| PostalAddress(String::new()));
        assert_eq!(address.as_str(), "Lipová 12, 123 45 Vzorov");
        assert!(PostalAddress::parse("   ").is_err());
    }
}
