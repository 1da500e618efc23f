//! A citizen's documents in the portal's storage: what identifies and names
//! them, where they came from, and the storage quota.

use std::fmt;

/// Identifies a stored document. Random, so it reveals nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DocumentId(uuid::Uuid);

uuid_id!(DocumentId);

/// Why a document's or folder's name was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvalidName {
    #[error("the name is empty")]
    Empty,
    #[error("the name is longer than {MAX_NAME_CHARS} characters")]
    TooLong,
    /// `/` or `\`: a name is never a path.
    #[error("the name contains a path separator")]
    PathSeparator,
    #[error("the name contains a control character")]
    ControlCharacter,
    /// `.` and `..` mean directories everywhere a file might be saved.
    #[error("the name is only dots")]
    OnlyDots,
}

/// Longest document or folder name, in characters (what file systems allow).
pub const MAX_NAME_CHARS: usize = 255;

fn checked_name(raw: &str) -> Result<String, InvalidName> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(InvalidName::Empty);
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(InvalidName::TooLong);
    }
    if name.contains(['/', '\\']) {
        return Err(InvalidName::PathSeparator);
    }
    if name.chars().any(char::is_control) {
        return Err(InvalidName::ControlCharacter);
    }
    if name.chars().all(|c| c == '.') {
        return Err(InvalidName::OnlyDots);
    }
    Ok(name.to_owned())
}

/// A document's file name as the citizen sees it: one name, never a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentName(String);

impl DocumentName {
    pub fn parse(raw: &str) -> Result<Self, InvalidName> {
        checked_name(raw).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The extension after the last dot, lower-case; none for "README" or ".profile".
    pub fn extension(&self) -> Option<String> {
        let (stem, extension) = self.0.rsplit_once('.')?;
        (!stem.is_empty() && !extension.is_empty()).then(|| extension.to_lowercase())
    }

    /// This name with `extension` added, unless it already ends in it.
    pub fn with_extension(self, extension: &str) -> Self {
        if self.extension().as_deref() == Some(extension) {
            self
        } else {
            Self(format!("{}.{extension}", self.0))
        }
    }
}

impl fmt::Display for DocumentName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A folder the citizen files documents in; one level, no nesting.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FolderName(String);

impl FolderName {
    pub fn parse(raw: &str) -> Result<Self, InvalidName> {
        checked_name(raw).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FolderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a document came from. What the office delivered is the office's
/// record: the citizen may read and download it, never change it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Uploaded,
    /// Delivered by the office, e.g. a decision; the label names who sent it.
    Office {
        sender: String,
    },
}

impl Origin {
    pub fn is_read_only(&self) -> bool {
        matches!(self, Self::Office { .. })
    }
}

/// How much a citizen may store, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    limit: u64,
}

/// What the national portal gives each citizen.
pub const DEFAULT_QUOTA_BYTES: u64 = 1 << 30;

impl Quota {
    pub fn new(limit: u64) -> Self {
        Self { limit }
    }

    pub fn limit(self) -> u64 {
        self.limit
    }

    /// What is left when `used` bytes are stored.
    pub fn remaining(self, used: u64) -> u64 {
        self.limit.saturating_sub(used)
    }

    /// Whether `more` bytes still fit beside `used`.
    pub fn allows(self, used: u64, more: u64) -> bool {
        used.checked_add(more)
            .is_some_and(|total| total <= self.limit)
    }

    /// The share used, in whole per cent (0–100), for the usage bar.
    pub fn percent_used(self, used: u64) -> u8 {
        if self.limit == 0 {
            return 100;
        }
        let percent = u128::from(used.min(self.limit)) * 100 / u128::from(self.limit);
        u8::try_from(percent).unwrap_or(100)
    }
}

impl Default for Quota {
    fn default() -> Self {
        Self::new(DEFAULT_QUOTA_BYTES)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_single_printable_names() {
        assert_eq!(
            DocumentName::parse("  Smlouva o nájmu.pdf ").map(|n| n.0),
            Ok("Smlouva o nájmu.pdf".to_owned())
        );
        assert_eq!(DocumentName::parse(" "), Err(InvalidName::Empty));
        assert_eq!(
            DocumentName::parse("../etc/passwd"),
            Err(InvalidName::PathSeparator)
        );
        assert_eq!(
            DocumentName::parse("C:\\x.pdf"),
            Err(InvalidName::PathSeparator)
        );
        assert_eq!(
            DocumentName::parse("a\u{0}b.pdf"),
            Err(InvalidName::ControlCharacter)
        );
        assert_eq!(
            DocumentName::parse("a\u{202e}b"),
            Ok(DocumentName("a\u{202e}b".into()))
        );
        assert_eq!(DocumentName::parse(".."), Err(InvalidName::OnlyDots));
        assert_eq!(
            DocumentName::parse(&"é".repeat(256)),
            Err(InvalidName::TooLong)
        );
        assert!(DocumentName::parse(&"é".repeat(255)).is_ok());
    }

    #[test]
    fn extensions_are_after_the_last_dot() {
        let name = |raw| DocumentName::parse(raw).unwrap();
        assert_eq!(name("a.tar.GZ").extension().as_deref(), Some("gz"));
        assert_eq!(name("README").extension(), None);
        assert_eq!(name(".profile").extension(), None);
        assert_eq!(name("scan").with_extension("pdf").as_str(), "scan.pdf");
        assert_eq!(name("scan.pdf").with_extension("pdf").as_str(), "scan.pdf");
    }

    #[test]
    fn the_quota_counts_without_overflow() {
        let quota = Quota::new(1000);
        assert!(quota.allows(400, 600));
        assert!(!quota.allows(400, 601));
        assert!(!quota.allows(u64::MAX, 1));
        assert_eq!(quota.remaining(1200), 0);
        assert_eq!(quota.percent_used(250), 25);
        assert_eq!(quota.percent_used(5000), 100);
        assert_eq!(Quota::new(0).percent_used(0), 100);
    }
}
