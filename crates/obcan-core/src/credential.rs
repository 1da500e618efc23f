//! Local credentials, for staff and for citizens registered at the counter:
//! a password kept only as an argon2id hash, and a TOTP second factor.
//!
//! TOTP is RFC 6238 as every authenticator app speaks it (HMAC-SHA-1, six
//! digits, 30-second steps), accepting one step of clock drift either way. The
//! caller stores the step a code matched and refuses any step not after it,
//! so that a code seen over someone's shoulder cannot be used again.

use std::fmt;
use std::sync::LazyLock;

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use hmac::{Hmac, Mac};
use jiff::{SignedDuration, Timestamp};
use sha1::Sha1;
use subtle::ConstantTimeEq;

use crate::staff::LoginName;

/// OWASP's argon2id recommendation: 19 MiB of memory, two passes, one lane.
const ARGON2_MEMORY_KIB: u32 = 19 * 1024;
const ARGON2_PASSES: u32 = 2;
const ARGON2_LANES: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    #[error("password hashing failed: {0}")]
    Hashing(String),
    #[error("no randomness: {0}")]
    Randomness(String),
}

fn argon2() -> Result<Argon2<'static>, CredentialError> {
    let params = Params::new(ARGON2_MEMORY_KIB, ARGON2_PASSES, ARGON2_LANES, None)
        .map_err(|e| CredentialError::Hashing(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// A password someone chose, checked against the rules before it is hashed.
/// Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword([redacted])")
    }
}

impl NewPassword {
    /// Long enough to resist guessing offline (NIST SP 800-63B asks at least
    /// 8; a back office deserves more), and not the login name in disguise.
    pub const MIN_CHARS: usize = 12;
    pub const MAX_BYTES: usize = 256;

    pub fn parse(raw: &str, confirmation: &str, login: &LoginName) -> Result<Self, WeakPassword> {
        if raw != confirmation {
            return Err(WeakPassword::Mismatch);
        }
        if raw.chars().count() < Self::MIN_CHARS {
            return Err(WeakPassword::TooShort);
        }
        if raw.len() > Self::MAX_BYTES {
            return Err(WeakPassword::TooLong);
        }
        if raw.to_lowercase().contains(login.as_str()) {
            return Err(WeakPassword::ContainsLogin);
        }
        let mut distinct: Vec<char> = raw.chars().collect();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() < 5 {
            return Err(WeakPassword::Repetitive);
        }
        Ok(Self(raw.to_owned()))
    }

    /// The argon2id hash in PHC form, salted at random. Slow on purpose:
    /// callers run it off the async runtime.
    pub fn hash(&self) -> Result<PasswordHash, CredentialError> {
        hash(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WeakPassword {
    #[error("the two passwords differ")]
    Mismatch,
    #[error("the password is shorter than {} characters", NewPassword::MIN_CHARS)]
    TooShort,
    #[error("the password is longer than {} bytes", NewPassword::MAX_BYTES)]
    TooLong,
    #[error("the password contains the login name")]
    ContainsLogin,
    #[error("the password repeats too few characters")]
    Repetitive,
}

/// An argon2id hash in PHC string form (`$argon2id$v=19$m=…`), the only
/// thing ever stored of a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// A hash as stored; it is checked when a password is verified against it.
    pub fn from_stored(phc: String) -> Self {
        Self(phc)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `password` is the one hashed. Slow on purpose, like hashing.
    pub fn verify(&self, password: &str) -> bool {
        argon2().is_ok_and(|argon2| {
            argon2
                .verify_password(password.as_bytes(), self.0.as_str())
                .is_ok()
        })
    }
}

fn hash(password: &str) -> Result<PasswordHash, CredentialError> {
    let hash = argon2()?
        .hash_password(password.as_bytes())
        .map_err(|e| CredentialError::Hashing(e.to_string()))?;
    Ok(PasswordHash(hash.to_string()))
}

/// Verifies a password against a hash that cannot match, taking as long as
/// a real verification: an unknown login name must not answer faster than a
/// known one, or the timing would tell which names exist.
pub fn verify_nothing(password: &str) {
    static DECOY: LazyLock<Option<PasswordHash>> = LazyLock::new(|| hash("decoy").ok());
    if let Some(decoy) = DECOY.as_ref() {
        decoy.verify(password);
    }
}

/// When failed logins lock a local account, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Consecutive failures (wrong password or wrong code) that lock an account.
    pub failures_per_lock: i64,
    /// The first lock; each further one without a successful login between
    /// lasts twice as long as the one before, up to `longest_lock`.
    pub first_lock: SignedDuration,
    pub longest_lock: SignedDuration,
    /// Failed local logins from one client address within `address_window`
    /// after which that address is refused until the window ends, whichever
    /// accounts it tried: this stops guessing across many accounts.
    pub failures_per_address: i64,
    pub address_window: SignedDuration,
}

pub const LOCKOUT: LockoutPolicy = LockoutPolicy {
    failures_per_lock: 5,
    first_lock: SignedDuration::from_mins(15),
    longest_lock: SignedDuration::from_hours(24),
    failures_per_address: 30,
    address_window: SignedDuration::from_mins(15),
};

impl LockoutPolicy {
    /// How long the lock after `earlier_locks` previous ones lasts.
    pub fn lock_duration(&self, earlier_locks: i64) -> SignedDuration {
        let factor = 1i32
            .checked_shl(u32::try_from(earlier_locks.clamp(0, 16)).unwrap_or(16))
            .unwrap_or(i32::MAX);
        self.first_lock
            .checked_mul(factor)
            .unwrap_or(self.longest_lock)
            .min(self.longest_lock)
    }
}

/// Letters and digits nobody confuses when reading them aloud or off paper:
/// no 0/O, 1/I/L.
const UNAMBIGUOUS: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

fn random_text(length: usize) -> Result<String, CredentialError> {
    let mut bytes = vec![0u8; length];
    getrandom::fill(&mut bytes).map_err(|e| CredentialError::Randomness(e.to_string()))?;
    // 256 is not a multiple of the alphabet's size; the bias is a fraction
    // of a bit over the whole text, irrelevant for a one-time secret.
    Ok(bytes
        .iter()
        .map(|b| char::from(UNAMBIGUOUS[usize::from(*b) % UNAMBIGUOUS.len()]))
        .collect())
}

/// A password an administrator hands over (or the bootstrap command prints);
/// it must be changed at the first login.
#[derive(Clone, PartialEq, Eq)]
pub struct InitialPassword(String);

impl fmt::Debug for InitialPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("InitialPassword([redacted])")
    }
}

impl InitialPassword {
    /// 20 characters of a 31-letter alphabet: about 99 bits.
    pub fn generate() -> Result<Self, CredentialError> {
        random_text(20).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> Result<PasswordHash, CredentialError> {
        hash(&self.0)
    }
}

/// The one-time code a citizen registered at the counter activates their
/// account with: `ABCD-EFGH-JKMN`, about 59 bits, printed on the receipt.
#[derive(Clone, PartialEq, Eq)]
pub struct ActivationCode(String);

impl fmt::Debug for ActivationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ActivationCode([redacted])")
    }
}

impl ActivationCode {
    const LENGTH: usize = 12;

    pub fn generate() -> Result<Self, CredentialError> {
        random_text(Self::LENGTH).map(Self)
    }

    /// What someone typed: case, spaces and dashes do not matter.
    pub fn parse(raw: &str) -> Option<Self> {
        let code: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        (code.len() == Self::LENGTH && code.bytes().all(|b| UNAMBIGUOUS.contains(&b)))
            .then_some(Self(code))
    }

    /// The canonical form, which is what gets hashed.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// In groups of four, for reading off paper.
    pub fn grouped(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        chars
            .chunks(4)
            .map(|group| group.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("-")
    }
}

/// A TOTP shared secret: 160 random bits (RFC 4226's recommendation), kept
/// as RFC 4648 base32, the form authenticator apps take.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret([redacted])")
    }
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
/// Seconds per TOTP step.
const STEP: i64 = 30;
/// Steps of clock drift accepted either way.
const DRIFT: i64 = 1;

impl TotpSecret {
    pub fn generate() -> Result<Self, CredentialError> {
        let mut bytes = vec![0u8; 20];
        getrandom::fill(&mut bytes).map_err(|e| CredentialError::Randomness(e.to_string()))?;
        Ok(Self(bytes))
    }

    /// Base32 without padding, as stored and as shown for typing in.
    pub fn base32(&self) -> String {
        let mut out = String::new();
        for chunk in self.0.chunks(5) {
            let mut buffer = [0u8; 5];
            buffer[..chunk.len()].copy_from_slice(chunk);
            let bits = buffer
                .iter()
                .fold(0u64, |acc, byte| (acc << 8) | u64::from(*byte));
            let symbols = (chunk.len() * 8).div_ceil(5);
            for i in 0..symbols {
                let index = (bits >> (35 - 5 * i)) & 0x1f;
                out.push(char::from(BASE32[usize::try_from(index).unwrap_or(0)]));
            }
        }
        out
    }

    /// Reads a stored secret back.
    pub fn from_base32(text: &str) -> Option<Self> {
        let mut bytes = Vec::new();
        let (mut buffer, mut bits) = (0u32, 0u32);
        for symbol in text.bytes() {
            let value = BASE32.iter().position(|b| *b == symbol)?;
            buffer = (buffer << 5) | u32::try_from(value).ok()?;
            bits += 5;
            if bits >= 8 {
                bits -= 8;
                bytes.push(u8::try_from((buffer >> bits) & 0xff).ok()?);
            }
        }
        (!bytes.is_empty()).then_some(Self(bytes))
    }

    /// The `otpauth://` URI an authenticator app reads from the QR code.
    pub fn otpauth_uri(&self, issuer: &str, account: &str) -> String {
        let encode = |text: &str| -> String {
            text.bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                        char::from(b).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect()
        };
        format!(
            "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits=6&period={STEP}",
            encode(issuer),
            encode(account),
            self.base32(),
            encode(issuer)
        )
    }

    /// The code for a step.
    fn code_at(&self, step: i64) -> Option<u32> {
        let mut mac = Hmac::<Sha1>::new_from_slice(&self.0).ok()?;
        mac.update(&step.to_be_bytes());
        let digest = mac.finalize().into_bytes();
        let offset = usize::from(digest.get(19)? & 0x0f);
        let window: [u8; 4] = digest.get(offset..offset + 4)?.try_into().ok()?;
        Some((u32::from_be_bytes(window) & 0x7fff_ffff) % 1_000_000)
    }

    /// The step a six-digit code matches at `now`, within the drift allowed;
    /// `None` if it matches none. The caller refuses a step already used.
    pub fn verify(&self, code: &str, now: Timestamp) -> Option<i64> {
        let code = code.trim();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let current = now.as_second().div_euclid(STEP);
        (current - DRIFT..=current + DRIFT).find(|step| {
            self.code_at(*step).is_some_and(|expected| {
                bool::from(format!("{expected:06}").as_bytes().ct_eq(code.as_bytes()))
            })
        })
    }

    /// The code for `now`; for tests and for people who script their login.
    pub fn code(&self, now: Timestamp) -> Option<String> {
        self.code_at(now.as_second().div_euclid(STEP))
            .map(|code| format!("{code:06}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login() -> LoginName {
        LoginName::parse("jana.novakova").unwrap()
    }

    #[test]
    fn each_lock_lasts_twice_the_last_up_to_a_day() {
        let minutes = |locks| LOCKOUT.lock_duration(locks).as_mins();
        assert_eq!(minutes(0), 15);
        assert_eq!(minutes(1), 30);
        assert_eq!(minutes(2), 60);
        assert_eq!(minutes(6), 960);
        assert_eq!(minutes(7), 24 * 60);
        assert_eq!(minutes(60), 24 * 60);
    }

    #[test]
    fn passwords_must_be_long_matching_and_not_the_login() {
        let ok = "correct horse battery";
        assert!(NewPassword::parse(ok, ok, &login()).is_ok());
        assert_eq!(
            NewPassword::parse(ok, "other", &login()),
            Err(WeakPassword::Mismatch)
        );
        assert_eq!(
            NewPassword::parse("short", "short", &login()),
            Err(WeakPassword::TooShort)
        );
        let with_login = "Jana.Novakova2024!";
        assert_eq!(
            NewPassword::parse(with_login, with_login, &login()),
            Err(WeakPassword::ContainsLogin)
        );
        let repetitive = "abababababababab";
        assert_eq!(
            NewPassword::parse(repetitive, repetitive, &login()),
            Err(WeakPassword::Repetitive)
        );
        let long = "x".repeat(257);
        assert_eq!(
            NewPassword::parse(&long, &long, &login()),
            Err(WeakPassword::TooLong)
        );
    }

    #[test]
    fn a_password_verifies_against_its_argon2id_hash_only() {
        let password =
            NewPassword::parse("correct horse battery", "correct horse battery", &login()).unwrap();
        let hash = password.hash().unwrap();
        assert!(hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(hash.verify("correct horse battery"));
        assert!(!hash.verify("correct horse batterY"));
        assert!(!PasswordHash::from_stored("garbage".into()).verify("x"));
        assert_ne!(hash, password.hash().unwrap(), "salted");
    }

    #[test]
    fn generated_secrets_use_the_unambiguous_alphabet() {
        let initial = InitialPassword::generate().unwrap();
        assert_eq!(initial.as_str().len(), 20);
        let code = ActivationCode::generate().unwrap();
        let grouped = code.grouped();
        assert_eq!(grouped.len(), 14);
        assert_eq!(ActivationCode::parse(&grouped), Some(code.clone()));
        assert_eq!(
            ActivationCode::parse(&format!(" {} ", grouped.to_lowercase())),
            Some(code)
        );
        assert_eq!(ActivationCode::parse("ABCD-EFGH-IJK0"), None, "I and 0");
        assert_eq!(ActivationCode::parse("ABCD"), None);
    }

    /// RFC 6238, appendix B, the SHA-1 rows (eight digits there, six here).
    #[test]
    fn totp_matches_the_rfc_6238_test_vectors() {
        let secret = TotpSecret(b"12345678901234567890".to_vec());
        for (time, eight_digits) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
        ] {
            let now = Timestamp::from_second(time).unwrap();
            assert_eq!(secret.code(now).unwrap(), eight_digits[2..], "at {time}");
            assert_eq!(secret.verify(&eight_digits[2..], now), Some(time / 30));
        }
    }

    #[test]
    fn totp_accepts_one_step_of_drift_and_nothing_else() {
        let secret = TotpSecret::generate().unwrap();
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let step = now.as_second() / 30;
        let at = |seconds: i64| Timestamp::from_second(seconds).unwrap();
        let previous = secret.code(at(now.as_second() - 30)).unwrap();
        let next = secret.code(at(now.as_second() + 30)).unwrap();
        let stale = secret.code(at(now.as_second() - 60)).unwrap();
        assert_eq!(secret.verify(&previous, now), Some(step - 1));
        assert_eq!(secret.verify(&next, now), Some(step + 1));
        assert_eq!(secret.verify(&stale, now), None);
        assert_eq!(secret.verify("12345", now), None);
        assert_eq!(secret.verify("abcdef", now), None);
    }

    #[test]
    fn totp_secrets_round_trip_through_base32() {
        let secret = TotpSecret(b"12345678901234567890".to_vec());
        assert_eq!(secret.base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(TotpSecret::from_base32(&secret.base32()), Some(secret));
        assert_eq!(TotpSecret::from_base32("not base32!"), None);
        let uri = TotpSecret::generate()
            .unwrap()
            .otpauth_uri("Město Vzorov", "jana.novakova");
        assert!(uri.starts_with("otpauth://totp/M%C4%9Bsto%20Vzorov:jana.novakova?secret="));
    }
}
