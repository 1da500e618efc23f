//! The contact details a citizen keeps in the portal (an e-mail address and a
//! telephone number) and the rules of proving them: a six-digit code sent
//! there, valid for 15 minutes and for 5 attempts, a new one at most once a
//! minute. A code is kept only as an HMAC-SHA-256 under the instance key over
//! a random per-code salt, and compared in constant time.

use std::fmt;

use hmac::{Hmac, Mac};
use jiff::{SignedDuration, Timestamp};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::citizen::{EmailAddress, InvalidContact, PhoneNumber};

/// Which contact detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ContactKind {
    Email,
    Phone,
}

impl ContactKind {
    pub const ALL: [Self; 2] = [Self::Email, Self::Phone];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Phone => "phone",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }
}

impl fmt::Display for ContactKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A valid e-mail address or telephone number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactValue {
    Email(EmailAddress),
    Phone(PhoneNumber),
}

impl ContactValue {
    /// Reads `raw` as a value of `kind`.
    pub fn parse(kind: ContactKind, raw: &str) -> Result<Self, InvalidContact> {
        match kind {
            ContactKind::Email => EmailAddress::parse(raw).map(Self::Email),
            ContactKind::Phone => PhoneNumber::parse(raw).map(Self::Phone),
        }
    }

    pub fn kind(&self) -> ContactKind {
        match self {
            Self::Email(_) => ContactKind::Email,
            Self::Phone(_) => ContactKind::Phone,
        }
    }

    /// The canonical form, as stored.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Email(email) => email.as_str(),
            Self::Phone(phone) => phone.as_str(),
        }
    }

    /// As people read it.
    pub fn display(&self) -> String {
        match self {
            Self::Email(email) => email.as_str().to_owned(),
            Self::Phone(phone) => phone.grouped(),
        }
    }
}

/// The limits of a verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerificationPolicy {
    /// How long a code is valid after it is sent.
    pub lifetime: SignedDuration,
    /// Wrong codes tolerated before a new code must be sent.
    pub attempts: u32,
    /// The shortest time between two codes sent for one kind of contact.
    pub resend_after: SignedDuration,
}

pub const VERIFICATION: VerificationPolicy = VerificationPolicy {
    lifetime: SignedDuration::from_mins(15),
    attempts: 5,
    resend_after: SignedDuration::from_secs(60),
};

/// A code may not be sent yet: the last one went out too recently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a new code can be sent in {} s", .wait.as_secs())]
pub struct TooEarly {
    pub wait: SignedDuration,
}

impl VerificationPolicy {
    /// Whether a new code may be sent now, the last having been sent at `last_sent`.
    pub fn may_send(self, last_sent: Option<Timestamp>, now: Timestamp) -> Result<(), TooEarly> {
        let Some(last_sent) = last_sent else {
            return Ok(());
        };
        let wait = self.resend_after - now.duration_since(last_sent);
        if wait.is_positive() {
            // Whole seconds, rounded up, so that "in 0 s" is never said.
            let seconds = wait.as_secs() + i64::from(wait.subsec_nanos() > 0);
            Err(TooEarly {
                wait: SignedDuration::from_secs(seconds),
            })
        } else {
            Ok(())
        }
    }

    /// When a code sent at `sent_at` stops being valid.
    pub fn expires_at(self, sent_at: Timestamp) -> Timestamp {
        sent_at.checked_add(self.lifetime).unwrap_or(Timestamp::MAX)
    }
}

/// Where a verification stands, apart from the code typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PendingState {
    /// A code may be tried.
    Open,
    Expired,
    /// Every attempt was used up by wrong codes.
    Exhausted,
}

/// A verification's state at `now`: expiry first, because an expired code
/// is refused however many attempts were left.
pub fn pending_state(expires_at: Timestamp, attempts_left: u32, now: Timestamp) -> PendingState {
    if now >= expires_at {
        PendingState::Expired
    } else if attempts_left == 0 {
        PendingState::Exhausted
    } else {
        PendingState::Open
    }
}

#[derive(Debug, thiserror::Error)]
#[error("no randomness: {0}")]
pub struct RandomnessError(String);

/// A six-digit verification code. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct VerificationCode(String);

impl fmt::Debug for VerificationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VerificationCode([redacted])")
    }
}

const CODE_DIGITS: usize = 6;

impl VerificationCode {
    /// A uniformly random code from the operating system's generator.
    pub fn generate() -> Result<Self, RandomnessError> {
        // Values at or above the largest multiple of a million below 2^32
        // are drawn again, so that every code is exactly as likely.
        const LIMIT: u32 = u32::MAX - u32::MAX % 1_000_000;
        loop {
            let mut bytes = [0u8; 4];
            getrandom::fill(&mut bytes).map_err(|e| RandomnessError(e.to_string()))?;
            let value = u32::from_le_bytes(bytes);
            if value < LIMIT {
                return Ok(Self(format!("{:06}", value % 1_000_000)));
            }
        }
    }

    /// What someone typed: spaces are ignored, anything but six digits refused.
    pub fn parse(raw: &str) -> Option<Self> {
        let code: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        (code.len() == CODE_DIGITS && code.bytes().all(|b| b.is_ascii_digit()))
            .then_some(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A code as stored: a random salt and the HMAC of the code under the
/// instance key, both hex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCode {
    pub salt: String,
    pub hash: String,
}

/// The instance key codes are hashed under; its `Debug` never shows it.
#[derive(Clone)]
pub struct CodeKey(Vec<u8>);

impl fmt::Debug for CodeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CodeKey([redacted])")
    }
}

impl CodeKey {
    pub fn new(bytes: &[u8]) -> Self {
        Self(bytes.to_vec())
    }

    /// The key for codes, derived from the instance key so that it serves
    /// no other purpose.
    pub fn derive(instance_key: &[u8]) -> Self {
        let derived = Hmac::<Sha256>::new_from_slice(instance_key)
            .map(|mut mac| {
                mac.update(b"obcan contact verification codes");
                mac.finalize().into_bytes().to_vec()
            })
            .unwrap_or_default();
        Self(derived)
    }

    /// Keeps `code` as a new salt and its hash.
    pub fn seal(&self, code: &VerificationCode) -> Result<StoredCode, RandomnessError> {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| RandomnessError(e.to_string()))?;
        let salt = hex(&salt);
        let hash = hex(&self.mac(&salt, code.as_str()));
        Ok(StoredCode { salt, hash })
    }

    /// Whether `typed` is the code that was sealed, compared in constant time.
    pub fn matches(&self, stored: &StoredCode, typed: &VerificationCode) -> bool {
        let expected = hex(&self.mac(&stored.salt, typed.as_str()));
        expected.as_bytes().ct_eq(stored.hash.as_bytes()).into()
    }

    fn mac(&self, salt: &str, code: &str) -> Vec<u8> {
        // HMAC takes a key of any length; an empty one still hashes.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.0) else {
            return Vec::new();
        };
        mac.update(salt.as_bytes());
        mac.update(b":");
        mac.update(code.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + seconds).unwrap()
    }

    #[test]
    fn codes_are_six_random_digits() {
        let codes: Vec<String> = (0..50)
            .map(|_| VerificationCode::generate().unwrap().as_str().to_owned())
            .collect();
        for code in &codes {
            assert_eq!(code.len(), 6);
            assert!(code.bytes().all(|b| b.is_ascii_digit()), "{code}");
        }
        let distinct: std::collections::BTreeSet<_> = codes.iter().collect();
        assert!(distinct.len() > 45, "codes repeat: {codes:?}");
    }

    #[test]
    fn typed_codes_must_be_six_digits() {
        assert_eq!(
            VerificationCode::parse(" 123 456 ").unwrap().as_str(),
            "123456"
        );
        for bad in ["", "12345", "1234567", "12345a", "１２３４５６"] {
            assert!(VerificationCode::parse(bad).is_none(), "{bad:?}");
        }
        let code = VerificationCode::parse("123456").unwrap();
        assert!(!format!("{code:?}").contains("123456"));
    }

    #[test]
    fn a_sealed_code_matches_only_itself_under_the_same_key() {
        let key = CodeKey::new(b"instance key of at least 32 bytes!!");
        let code = VerificationCode::parse("042042").unwrap();
        let stored = key.seal(&code).unwrap();
        assert!(!stored.hash.contains("042042"));
        assert!(key.matches(&stored, &code));
        assert!(!key.matches(&stored, &VerificationCode::parse("042043").unwrap()));
        assert!(!CodeKey::new(b"another key").matches(&stored, &code));
        // The salt is per code: the same code seals differently each time.
        assert_ne!(key.seal(&code).unwrap().hash, stored.hash);
    }

    #[test]
    fn a_new_code_waits_a_minute_after_the_last() {
        assert_eq!(VERIFICATION.may_send(None, at(0)), Ok(()));
        assert_eq!(
            VERIFICATION.may_send(Some(at(0)), at(1)),
            Err(TooEarly {
                wait: SignedDuration::from_secs(59)
            })
        );
        assert_eq!(
            VERIFICATION.may_send(Some(at(0)), at(59)),
            Err(TooEarly {
                wait: SignedDuration::from_secs(1)
            })
        );
        assert_eq!(VERIFICATION.may_send(Some(at(0)), at(60)), Ok(()));
    }

    #[test]
    fn a_code_expires_after_fifteen_minutes_and_five_wrong_attempts() {
        let expires = VERIFICATION.expires_at(at(0));
        assert_eq!(expires, at(15 * 60));
        assert_eq!(
            pending_state(expires, 5, at(15 * 60 - 1)),
            PendingState::Open
        );
        assert_eq!(pending_state(expires, 1, at(0)), PendingState::Open);
        assert_eq!(pending_state(expires, 0, at(0)), PendingState::Exhausted);
        assert_eq!(
            pending_state(expires, 5, at(15 * 60)),
            PendingState::Expired
        );
        assert_eq!(
            pending_state(expires, 0, at(16 * 60)),
            PendingState::Expired
        );
    }

    #[test]
    fn contact_values_parse_by_kind() {
        let email = ContactValue::parse(ContactKind::Email, " jana@example.cz ").unwrap();
        assert_eq!(email.kind(), ContactKind::Email);
        assert_eq!(email.as_str(), "jana@example.cz");
        let phone = ContactValue::parse(ContactKind::Phone, "603 123 456").unwrap();
        assert_eq!(phone.as_str(), "+420603123456");
        assert_eq!(phone.display(), "+420 603 123 456");
        assert!(ContactValue::parse(ContactKind::Phone, "jana@example.cz").is_err());
        assert_eq!(ContactKind::parse("phone"), Some(ContactKind::Phone));
        assert_eq!(ContactKind::parse("fax"), None);
    }
}
