//! The demo identity provider of the embedded default: synthetic residents of
//! the fictional town of Vzorov, one click each. Production mode refuses it.

use jiff::civil::{Date, date};
use obcan_core::citizen::{PersonName, PostalAddress};
use obcan_core::identity::{Assertion, Loa, ProviderId, Subject};

/// A synthetic person one can log in as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoPersona {
    /// Stable, so that logging in twice reaches the same account.
    pub subject: &'static str,
    pub given_name: &'static str,
    pub family_name: &'static str,
    pub birth_date: Date,
    pub address: &'static str,
}

pub const PROVIDER: &str = "demo";

/// What the national identity would give for these persons. Every demo login
/// is at LoA "substantial", like eObčanka or NIA ID.
pub const LOA: Loa = Loa::Substantial;

pub const PERSONAS: [DemoPersona; 6] = [
    DemoPersona {
        subject: "CZ/CZ/demo-0001",
        given_name: "Jana",
        family_name: "Dvořáková",
        birth_date: date(1984, 3, 7),
        address: "Lipová 12, 123 45 Vzorov",
    },
    DemoPersona {
        subject: "CZ/CZ/demo-0002",
        given_name: "Petr",
        family_name: "Novák",
        birth_date: date(1956, 11, 21),
        address: "Náměstí Míru 3, 123 45 Vzorov",
    },
    DemoPersona {
        subject: "CZ/CZ/demo-0003",
        given_name: "Tereza",
        family_name: "Svobodová",
        birth_date: date(2001, 5, 30),
        address: "Školní 418, 123 45 Vzorov",
    },
    DemoPersona {
        subject: "CZ/CZ/demo-0004",
        given_name: "Karel",
        family_name: "Procházka",
        birth_date: date(1972, 8, 14),
        address: "Za Mlýnem 7, 123 46 Vzorov-Podhradí",
    },
    DemoPersona {
        subject: "CZ/CZ/demo-0005",
        given_name: "Marie",
        family_name: "Černá",
        birth_date: date(1939, 1, 2),
        address: "Zahradní 95, 123 45 Vzorov",
    },
    DemoPersona {
        subject: "CZ/CZ/demo-0006",
        given_name: "Lukáš",
        family_name: "Veselý",
        birth_date: date(1990, 12, 24),
        address: "Nádražní 1021, 123 45 Vzorov",
    },
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no demo person with subject {0:?}")]
pub struct UnknownPersona(pub String);

/// Logs in as the demo person with this subject.
pub fn authenticate(subject: &str) -> Result<Assertion, UnknownPersona> {
    let persona = PERSONAS
        .iter()
        .find(|persona| persona.subject == subject)
        .ok_or_else(|| UnknownPersona(subject.to_owned()))?;
    // The personas are constants, validated by the test below; a failure here
    // would be a broken constant, reported like an unknown persona.
    let unknown = || UnknownPersona(subject.to_owned());
    Ok(Assertion {
        provider: ProviderId::parse(PROVIDER).map_err(|_| unknown())?,
        subject: Subject::parse(persona.subject).map_err(|_| unknown())?,
        name: PersonName::new(persona.given_name, persona.family_name).map_err(|_| unknown())?,
        birth_date: Some(persona.birth_date),
        address: PostalAddress::parse(persona.address).ok(),
        email: None,
        loa: LOA,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_persona_can_log_in_at_substantial() {
        for persona in PERSONAS {
            let assertion = authenticate(persona.subject).unwrap();
            assert_eq!(assertion.subject.as_str(), persona.subject);
            assert_eq!(assertion.loa, Loa::Substantial);
            assert_eq!(assertion.provider.as_str(), PROVIDER);
        }
    }

    #[test]
    fn unknown_subject_is_refused() {
        assert_eq!(
            authenticate("CZ/CZ/nobody"),
            Err(UnknownPersona("CZ/CZ/nobody".into()))
        );
    }
}
