//! Integration with the office's records management (spisová služba):
//! the clients an administrator lets in, what they may push (a číslo
//! jednací, a state change), the events the portal tells them of, and how
//! those are signed and retried.

use std::fmt;
use std::net::IpAddr;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac as _};
use jiff::SignedDuration;
use sha2::{Digest as _, Sha256};

use crate::submissions::{OfficeStep, SubmissionState, TimelineKind};

/// Identifies an integration client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientId(uuid::Uuid);

uuid_id!(ClientId);

impl ClientId {
    pub fn uuid(self) -> uuid::Uuid {
        self.0
    }
}

/// Why a secret could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the system's random source failed: {0}")]
pub struct RandomnessFailed(String);

fn random_bytes<const N: usize>() -> Result<[u8; N], RandomnessFailed> {
    let mut bytes = [0; N];
    getrandom::fill(&mut bytes).map_err(|e| RandomnessFailed(e.to_string()))?;
    Ok(bytes)
}

/// A client's bearer token: 32 random bytes in base64url (43 characters).
/// Shown once when the client is created; the portal keeps its SHA-256.
#[derive(Clone, PartialEq, Eq)]
pub struct BearerToken(String);

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BearerToken([redacted])")
    }
}

impl BearerToken {
    pub fn generate() -> Result<Self, RandomnessFailed> {
        Ok(Self(URL_SAFE_NO_PAD.encode(random_bytes::<32>()?)))
    }

    /// What a request carries after `Bearer `; none if it cannot be a token.
    pub fn parse(raw: &str) -> Option<Self> {
        let well_formed = raw.len() == 43
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        well_formed.then(|| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The SHA-256 the portal keeps: a stolen copy of the database lets
    /// nobody in.
    pub fn sha256(&self) -> [u8; 32] {
        Sha256::digest(self.0.as_bytes()).into()
    }
}

/// The secret webhooks are signed with: 32 random bytes, handed to the
/// client as `whsec_` and base64url. Kept sealed under the master key.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret([u8; 32]);

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret([redacted])")
    }
}

impl WebhookSecret {
    const PREFIX: &'static str = "whsec_";

    pub fn generate() -> Result<Self, RandomnessFailed> {
        random_bytes::<32>().map(Self)
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        bytes.try_into().ok().map(Self)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// As the administrator hands it to the records system.
    pub fn to_text(&self) -> String {
        format!("{}{}", Self::PREFIX, URL_SAFE_NO_PAD.encode(self.0))
    }

    pub fn parse(text: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD
            .decode(text.strip_prefix(Self::PREFIX)?)
            .ok()?;
        Self::from_bytes(&bytes)
    }

    /// The `Obcan-Signature` header of a webhook sent at `t` (Unix seconds):
    /// `t=<t>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. The time inside the
    /// signed text lets a receiver refuse old replays.
    pub fn sign(&self, t: i64, body: &[u8]) -> String {
        format!("t={t},v1={}", hex(&self.mac(t, body)))
    }

    /// Whether `header` is this secret's signature of `body` (in constant
    /// time), and the time it names.
    pub fn verify(&self, header: &str, body: &[u8]) -> Option<i64> {
        let mut t = None;
        let mut v1 = None;
        for part in header.split(',') {
            match part.trim().split_once('=') {
                Some(("t", value)) => t = value.parse::<i64>().ok(),
                Some(("v1", value)) => v1 = unhex(value),
                _ => {}
            }
        }
        let (t, v1) = (t?, v1?);
        let mut mac = self.keyed();
        mac.update(format!("{t}.").as_bytes());
        mac.update(body);
        mac.verify_slice(&v1).ok().map(|()| t)
    }

    fn keyed(&self) -> Hmac<Sha256> {
        // HMAC pads a key shorter than its block with zeros (RFC 2104), so
        // this is the HMAC of the 32-byte secret, without a fallible call.
        let mut block = [0u8; 64];
        block[..32].copy_from_slice(&self.0);
        <Hmac<Sha256> as hmac::digest::KeyInit>::new(&block.into())
    }

    fn mac(&self, t: i64, body: &[u8]) -> [u8; 32] {
        let mut mac = self.keyed();
        mac.update(format!("{t}.").as_bytes());
        mac.update(body);
        mac.finalize().into_bytes().into()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Where a client's webhooks go: `https://`, or `http://` to this machine
/// only (a receiver under test, or a local relay); no credentials in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvalidWebhookUrl {
    #[error("not an absolute URL")]
    Malformed,
    #[error("https is required (http only to this machine)")]
    NotHttps,
    #[error("no user name or password in the URL")]
    Credentials,
}

impl WebhookUrl {
    pub const MAX: usize = 2000;

    pub fn parse(raw: &str) -> Result<Self, InvalidWebhookUrl> {
        let raw = raw.trim();
        if raw.len() > Self::MAX {
            return Err(InvalidWebhookUrl::Malformed);
        }
        let url = url::Url::parse(raw).map_err(|_| InvalidWebhookUrl::Malformed)?;
        let host = url.host().ok_or(InvalidWebhookUrl::Malformed)?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(InvalidWebhookUrl::Credentials);
        }
        let loopback = match host {
            url::Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
            url::Host::Ipv4(ip) => IpAddr::V4(ip).is_loopback(),
            url::Host::Ipv6(ip) => IpAddr::V6(ip).is_loopback(),
        };
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            _ => return Err(InvalidWebhookUrl::NotHttps),
        }
        Ok(Self(url.into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The office's reference of a submission in its records (číslo jednací),
/// e.g. `MUVZ/1234/2026`: as the records system writes it, trimmed, at
/// most [`RegistrationNumber::MAX`] characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationNumber(String);

impl RegistrationNumber {
    pub const MAX: usize = 64;

    pub fn parse(raw: &str) -> Option<Self> {
        let number = raw.trim();
        let valid = !number.is_empty()
            && number.chars().count() <= Self::MAX
            && !number.chars().any(char::is_control);
        valid.then(|| Self(number.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RegistrationNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A state the records system moves a submission to. Each is an official's
/// step, under the same workflow rules as the office's pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PushedState {
    InProgress,
    /// Waiting for the citizen: needs a message saying what for.
    Waiting,
    Resolved,
    Rejected,
}

impl PushedState {
    pub const fn step(self) -> OfficeStep {
        match self {
            Self::InProgress => OfficeStep::TakeUp,
            Self::Waiting => OfficeStep::AskForMore,
            Self::Resolved => OfficeStep::Resolve,
            Self::Rejected => OfficeStep::Reject,
        }
    }

    pub const fn needs_message(self) -> bool {
        matches!(self, Self::Waiting)
    }
}

/// What a webhook tells a client. Stored by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    /// A citizen filed a submission to one of the client's agendas.
    Filed,
    /// The office (or a client) moved it to another state.
    StateChanged,
    /// The citizen answered the office on it.
    Replied,
    /// The citizen withdrew it.
    Withdrawn,
}

impl EventType {
    pub const ALL: [Self; 4] = [
        Self::Filed,
        Self::StateChanged,
        Self::Replied,
        Self::Withdrawn,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Filed => "submission.filed",
            Self::StateChanged => "submission.state_changed",
            Self::Replied => "submission.replied",
            Self::Withdrawn => "submission.withdrawn",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }

    /// The event a step of the timeline makes, if clients hear of it: a
    /// note that leaves the state as it is makes none.
    pub fn of_step(kind: TimelineKind, from: SubmissionState, to: SubmissionState) -> Option<Self> {
        match kind {
            TimelineKind::Received => Some(Self::Filed),
            TimelineKind::Replied => Some(Self::Replied),
            TimelineKind::Withdrawn => Some(Self::Withdrawn),
            _ if from != to => Some(Self::StateChanged),
            _ => None,
        }
    }
}

/// How webhooks are retried: after the first failure wait `first`, then
/// twice as long each time up to `longest`; give up after `attempts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub first: SignedDuration,
    pub longest: SignedDuration,
    pub attempts: u32,
}

impl RetryPolicy {
    /// 30 s, 1 min, 2 min … capped at 1 h, for 12 attempts (about 5 hours
    /// and a half in all): a receiver down for a morning misses nothing.
    pub const DEFAULT: Self = Self {
        first: SignedDuration::from_secs(30),
        longest: SignedDuration::from_secs(3600),
        attempts: 12,
    };

    /// How long to wait after the `attempt`-th attempt (1-based) failed;
    /// none once it was the last.
    pub fn wait_after(&self, attempt: u32) -> Option<SignedDuration> {
        if attempt >= self.attempts {
            return None;
        }
        let doublings = attempt.saturating_sub(1).min(30);
        let factor = 1_i32 << doublings;
        Some(
            self.first
                .checked_mul(factor)
                .unwrap_or(self.longest)
                .min(self.longest),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_43_base64url_characters_and_only_its_hash_is_kept() {
        let token = BearerToken::generate().unwrap();
        assert_eq!(token.as_str().len(), 43);
        assert_eq!(BearerToken::parse(token.as_str()), Some(token.clone()));
        assert_ne!(BearerToken::generate().unwrap(), token);
        assert_eq!(BearerToken::parse("short"), None);
        assert_eq!(BearerToken::parse(&"a+".repeat(21)), None);
        assert!(!format!("{token:?}").contains(token.as_str()));
    }

    #[test]
    fn a_signature_verifies_only_with_its_secret_time_and_body() {
        let secret = WebhookSecret::generate().unwrap();
        assert_eq!(
            WebhookSecret::parse(&secret.to_text()),
            Some(secret.clone())
        );
        let header = secret.sign(1_800_000_000, b"{\"a\":1}");
        assert!(header.starts_with("t=1800000000,v1="));
        assert_eq!(header.len(), "t=1800000000,v1=".len() + 64);
        assert_eq!(secret.verify(&header, b"{\"a\":1}"), Some(1_800_000_000));
        assert_eq!(secret.verify(&header, b"{\"a\":2}"), None);
        let moved = header.replace("t=1800000000", "t=1800000001");
        assert_eq!(secret.verify(&moved, b"{\"a\":1}"), None);
        let other = WebhookSecret::generate().unwrap();
        assert_eq!(other.verify(&header, b"{\"a\":1}"), None);
        assert_eq!(secret.verify("t=1,v1=zz", b""), None);
    }

    #[test]
    fn webhooks_go_over_https_or_to_this_machine() {
        assert!(WebhookUrl::parse("https://spisovka.vzorov.cz/hooks/obcan").is_ok());
        assert!(WebhookUrl::parse("http://127.0.0.1:9000/hook").is_ok());
        assert!(WebhookUrl::parse("http://[::1]:9000/hook").is_ok());
        assert!(WebhookUrl::parse("http://localhost/hook").is_ok());
        assert_eq!(
            WebhookUrl::parse("http://spisovka.vzorov.cz/hook"),
            Err(InvalidWebhookUrl::NotHttps)
        );
        assert_eq!(
            WebhookUrl::parse("http://10.0.0.1/hook"),
            Err(InvalidWebhookUrl::NotHttps)
        );
        assert_eq!(
            WebhookUrl::parse("ftp://127.0.0.1/"),
            Err(InvalidWebhookUrl::NotHttps)
        );
        assert_eq!(
            WebhookUrl::parse("https://u:p@host/"),
            Err(InvalidWebhookUrl::Credentials)
        );
        assert_eq!(
            WebhookUrl::parse("/relative"),
            Err(InvalidWebhookUrl::Malformed)
        );
    }

    #[test]
    fn a_registration_number_is_trimmed_printable_text() {
        assert_eq!(
            RegistrationNumber::parse("  MUVZ/1234/2026 ")
                .unwrap()
                .as_str(),
            "MUVZ/1234/2026"
        );
        assert_eq!(RegistrationNumber::parse("   "), None);
        assert_eq!(RegistrationNumber::parse("a\nb"), None);
        assert!(RegistrationNumber::parse(&"č".repeat(64)).is_some());
        assert_eq!(RegistrationNumber::parse(&"č".repeat(65)), None);
    }

    #[test]
    fn retries_double_up_to_the_cap_and_stop_at_the_limit() {
        let policy = RetryPolicy::DEFAULT;
        let waits: Vec<_> = (1..=13)
            .map(|n| policy.wait_after(n).map(|d| d.as_secs()))
            .collect();
        assert_eq!(
            waits,
            [
                Some(30),
                Some(60),
                Some(120),
                Some(240),
                Some(480),
                Some(960),
                Some(1920),
                Some(3600),
                Some(3600),
                Some(3600),
                Some(3600),
                None,
                None
            ]
        );
    }

    #[test]
    fn steps_become_events_when_clients_care() {
        use SubmissionState::*;
        assert_eq!(
            EventType::of_step(TimelineKind::TakenUp, Received, InProgress),
            Some(EventType::StateChanged)
        );
        assert_eq!(
            EventType::of_step(TimelineKind::Note, Waiting, Waiting),
            None
        );
        assert_eq!(
            EventType::of_step(TimelineKind::Replied, Waiting, InProgress),
            Some(EventType::Replied)
        );
        assert_eq!(
            EventType::of_step(TimelineKind::Withdrawn, Received, Withdrawn),
            Some(EventType::Withdrawn)
        );
        for kind in EventType::ALL {
            assert_eq!(EventType::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(PushedState::Waiting.step(), OfficeStep::AskForMore);
        assert!(PushedState::Waiting.needs_message());
        assert!(!PushedState::Resolved.needs_message());
    }
}
