//! The languages the portal speaks. Czech first; English complete.

use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Language {
    #[default]
    Czech,
    English,
}

impl Language {
    pub const ALL: [Self; 2] = [Self::Czech, Self::English];

    /// BCP 47 tag, as used in `<html lang>` and in URLs.
    pub const fn tag(self) -> &'static str {
        match self {
            Self::Czech => "cs",
            Self::English => "en",
        }
    }

    /// The language's own name for itself, for the language switch.
    pub const fn native_name(self) -> &'static str {
        match self {
            Self::Czech => "Čeština",
            Self::English => "English",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported language {0:?}")]
pub struct UnsupportedLanguage(String);

impl FromStr for Language {
    type Err = UnsupportedLanguage;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "cs" => Ok(Self::Czech),
            "en" => Ok(Self::English),
            other => Err(UnsupportedLanguage(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_round_trip() {
        for language in Language::ALL {
            assert_eq!(language.tag().parse::<Language>(), Ok(language));
        }
        assert!("de".parse::<Language>().is_err());
        assert_eq!(Language::default(), Language::Czech);
    }
}
