//! Levels of assurance and the facts an identity provider asserts about a person.

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::citizen::{EmailAddress, PersonName, PostalAddress};

/// Level of assurance of an electronic identification (eIDAS, as used by NIA).
///
/// Ordered: `Low < Substantial < High`, so a route that needs `Substantial`
/// accepts any session at that level or above.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Loa {
    Low,
    Substantial,
    High,
}

impl Loa {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Substantial => "substantial",
            Self::High => "high",
        }
    }
}

impl fmt::Display for Loa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown level of assurance {0:?} (expected low, substantial or high)")]
pub struct UnknownLoa(String);

impl FromStr for Loa {
    type Err = UnknownLoa;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "low" => Ok(Self::Low),
            "substantial" => Ok(Self::Substantial),
            "high" => Ok(Self::High),
            other => Err(UnknownLoa(other.to_owned())),
        }
    }
}

/// Which means of identity a login came through, e.g. `demo`, `nia`, `mojeid`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProviderId(String);

impl ProviderId {
    /// Provider ids appear in URLs and the database: lowercase ASCII, digits and `-`.
    pub fn parse(raw: &str) -> Result<Self, InvalidIdentifier> {
        let valid = !raw.is_empty()
            && raw.len() <= 32
            && raw
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidIdentifier::Provider(raw.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The provider's stable identifier of a person (NIA's per-service pseudonym, an OIDC `sub`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Subject(String);

impl Subject {
    pub fn parse(raw: &str) -> Result<Self, InvalidIdentifier> {
        let valid = !raw.is_empty() && raw.len() <= 255 && !raw.chars().any(char::is_control);
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidIdentifier::Subject)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidIdentifier {
    #[error("invalid identity provider id {0:?}")]
    Provider(String),
    #[error("invalid subject identifier: empty, too long or with control characters")]
    Subject,
}

/// What an identity provider asserts after a successful login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assertion {
    pub provider: ProviderId,
    pub subject: Subject,
    pub name: PersonName,
    pub birth_date: Option<Date>,
    pub address: Option<PostalAddress>,
    pub email: Option<EmailAddress>,
    pub loa: Loa,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loa_orders_by_strength() {
        assert!(Loa::Low < Loa::Substantial);
        assert!(Loa::Substantial < Loa::High);
    }

    #[test]
    fn loa_round_trips_through_text() {
        for loa in [Loa::Low, Loa::Substantial, Loa::High] {
            assert_eq!(loa.as_str().parse::<Loa>(), Ok(loa));
        }
        assert!("medium".parse::<Loa>().is_err());
    }

    #[test]
    fn provider_ids_are_url_safe() {
        assert!(ProviderId::parse("bank-id").is_ok());
        assert!(ProviderId::parse("").is_err());
        assert!(ProviderId::parse("Nia").is_err());
        assert!(ProviderId::parse("a/b").is_err());
    }

    #[test]
    fn subjects_reject_control_characters() {
        assert!(Subject::parse("CZ/CZ/1234-abcd").is_ok());
        assert!(Subject::parse("a\nb").is_err());
        assert!(Subject::parse(&"x".repeat(256)).is_err());
    }
}
