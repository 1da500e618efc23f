//! Registration at the counter: an official checks a person's identity
//! document and creates a local account for someone without an eID.

use std::fmt;
use std::str::FromStr;

/// The identity document an official checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentType {
    /// Občanský průkaz.
    IdCard,
    Passport,
    /// Povolení k pobytu, for foreigners.
    ResidencePermit,
}

impl DocumentType {
    pub const ALL: [Self; 3] = [Self::IdCard, Self::Passport, Self::ResidencePermit];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::IdCard => "id_card",
            Self::Passport => "passport",
            Self::ResidencePermit => "residence_permit",
        }
    }
}

impl fmt::Display for DocumentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown document type {0:?}")]
pub struct UnknownDocumentType(String);

impl FromStr for DocumentType {
    type Err = UnknownDocumentType;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s)
            .ok_or_else(|| UnknownDocumentType(s.to_owned()))
    }
}

/// What is kept of a checked document's number: its last four characters,
/// enough to tell which document it was, too little to be one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentNumberTail(String);

impl DocumentNumberTail {
    /// From the whole number as typed; Czech document numbers have 8 or 9
    /// characters, foreign ones up to 12, letters and digits only.
    pub fn of(number: &str) -> Result<Self, InvalidDocumentNumber> {
        let number: String = number
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if !(6..=12).contains(&number.len()) || !number.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(InvalidDocumentNumber);
        }
        Ok(Self(number[number.len() - 4..].to_owned()))
    }

    /// A tail as stored.
    pub fn from_stored(tail: String) -> Self {
        Self(tail)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a document number has 6 to 12 letters and digits")]
pub struct InvalidDocumentNumber;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_last_four_characters_are_kept() {
        assert_eq!(
            DocumentNumberTail::of("123 456 789").unwrap().as_str(),
            "6789"
        );
        assert_eq!(DocumentNumberTail::of("ab12cd34").unwrap().as_str(), "CD34");
        assert!(DocumentNumberTail::of("12345").is_err());
        assert!(DocumentNumberTail::of("1234-5678").is_err());
    }

    #[test]
    fn document_types_round_trip_through_text() {
        for kind in DocumentType::ALL {
            assert_eq!(kind.as_str().parse::<DocumentType>(), Ok(kind));
        }
        assert!("driving_licence".parse::<DocumentType>().is_err());
    }
}
