//! The JSON-over-HTTP register connector: speaks the contract of
//! `docs/api/registers.openapi.yaml` to an office's register gateway.
//!
//! Every attempt has a time limit, connecting included; read-only calls are
//! tried again after a timeout, a connection failure or a 5xx; a circuit
//! breaker stops calling a gateway that keeps failing. Answers are size-capped
//! and decoded through the domain types, so a malformed one is refused here.
//! The log names the call, the kind of failure and the status — never the
//! token, the person's reference or anything from an answer.

mod breaker;

use std::fmt;
use std::time::{Duration, Instant};

use obcan_core::registers::{
    ContactDetails, DataUsage, DriverRecord, IdentityDocument, InvalidRegisterValue, PersonMatch,
    PersonalData, RegisterRef, Section, SectionData, TradeLicence, Vehicle,
};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use self::breaker::Breaker;
use super::{ContactUpdate, RegisterError};
use crate::error_chain;

/// How to reach an office's register gateway.
#[derive(Clone)]
pub struct HttpSettings {
    /// The gateway's base URL, e.g. `https://registers.vzorov.example/v1`.
    pub base_url: url::Url,
    /// Sent as `Authorization: Bearer …`; never logged.
    pub token: Option<String>,
    /// For one attempt, connection included.
    pub timeout: Duration,
    /// Further attempts after a timeout, a connection failure or a 5xx.
    pub retries: u32,
    /// Failures in a row that open the circuit breaker.
    pub failure_threshold: u32,
    /// How long an open breaker refuses calls before letting one through.
    pub cool_down: Duration,
    /// Largest answer accepted, in bytes.
    pub max_answer_bytes: usize,
}

impl fmt::Debug for HttpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpSettings")
            .field("base_url", &self.base_url.as_str())
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .field("failure_threshold", &self.failure_threshold)
            .field("cool_down", &self.cool_down)
            .field("max_answer_bytes", &self.max_answer_bytes)
            .finish()
    }
}

/// The first pause before trying again; it doubles with each attempt.
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const LONGEST_BACKOFF: Duration = Duration::from_secs(1);

#[derive(Debug)]
pub struct HttpRegisters {
    settings: HttpSettings,
    client: reqwest::Client,
    breaker: Breaker,
}

impl HttpRegisters {
    pub fn new(settings: HttpSettings) -> Result<Self, RegisterError> {
        let mut base_url = settings.base_url.clone();
        if !matches!(base_url.scheme(), "http" | "https") || base_url.path_segments_mut().is_err() {
            return Err(RegisterError::Unavailable(
                "the register gateway's URL must be an http:// or https:// address".to_owned(),
            ));
        }
        let client = reqwest::Client::builder()
            // A redirect is not part of the contract, and following one
            // could carry the token elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(settings.timeout)
            .build()
            .map_err(|e| RegisterError::Unavailable(error_chain(&e)))?;
        let breaker = Breaker::new(settings.failure_threshold, settings.cool_down);
        Ok(Self {
            settings,
            client,
            breaker,
        })
    }

    /// `POST /persons/match`: the person's reference if the register finds
    /// exactly one; none if it finds nobody or several.
    pub async fn find_person(
        &self,
        how: &PersonMatch,
    ) -> Result<Option<RegisterRef>, RegisterError> {
        #[derive(Deserialize)]
        struct Matched {
            reference: RegisterRef,
        }

        let body = encode(how)?;
        let url = self.url(&["persons", "match"]);
        self.call(
            Call::Match,
            || {
                self.client
                    .post(url.clone())
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.clone())
            },
            |status, body| match status {
                StatusCode::OK => Ok(Some(decode::<Matched>(body)?.reference)),
                StatusCode::NOT_FOUND => Ok(None),
                StatusCode::CONFLICT => {
                    tracing::warn!(
                        section = Call::Match.name(),
                        status = status.as_u16(),
                        "the register found more than one person for a login; none is used"
                    );
                    Ok(None)
                }
                other => Err(Failure::from_status(other)),
            },
        )
        .await
    }

    /// `GET /persons/{reference}/{section}`.
    pub async fn fetch(
        &self,
        person: &RegisterRef,
        section: Section,
    ) -> Result<SectionData, RegisterError> {
        let url = self.url(&["persons", person.as_str(), section_path(section)]);
        self.call(
            Call::Section(section),
            || self.client.get(url.clone()),
            |status, body| match status {
                StatusCode::OK => decode_section(section, body).map(Some),
                StatusCode::NOT_FOUND => Ok(None),
                other => Err(Failure::from_status(other)),
            },
        )
        .await?
        .ok_or(RegisterError::UnknownPerson)
    }

    /// `PUT /persons/{reference}/contacts`. Never repeated: the gateway may
    /// have acted on an attempt whose answer was lost.
    pub async fn update_contacts(
        &self,
        person: &RegisterRef,
        contacts: &ContactDetails,
    ) -> Result<ContactUpdate, RegisterError> {
        let body = encode(contacts)?;
        let url = self.url(&["persons", person.as_str(), "contacts"]);
        self.call(
            Call::Contacts,
            || {
                self.client
                    .put(url.clone())
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.clone())
            },
            |status, _| match status {
                status if status.is_success() => Ok(Some(ContactUpdate::Accepted)),
                StatusCode::NOT_IMPLEMENTED => Ok(Some(ContactUpdate::Unsupported)),
                StatusCode::NOT_FOUND => Ok(None),
                other => Err(Failure::from_status(other)),
            },
        )
        .await?
        .ok_or(RegisterError::UnknownPerson)
    }

    /// The base URL with `segments` appended, each percent-encoded whole (a
    /// `/` inside a reference stays inside its segment).
    fn url(&self, segments: &[&str]) -> url::Url {
        let mut url = self.settings.base_url.clone();
        // `new` has checked that the base URL has a path to extend.
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// One call through the breaker, with its attempts. `interpret` reads a
    /// status and, for 200, the answer's body.
    async fn call<T>(
        &self,
        call: Call,
        request: impl Fn() -> reqwest::RequestBuilder,
        interpret: impl Fn(StatusCode, &[u8]) -> Result<T, Failure>,
    ) -> Result<T, RegisterError> {
        let pass = self
            .breaker
            .admit(Instant::now())
            .map_err(|_| RegisterError::CircuitOpen)?;
        // A trial after the cool-down is one attempt: a gateway that is
        // still down should not hold the caller for every retry.
        let attempts = if call.read_only() && !pass.is_trial() {
            self.settings.retries.saturating_add(1)
        } else {
            1
        };
        let mut attempt = 1;
        let outcome = loop {
            let result = self
                .exchange(request())
                .await
                .and_then(|(status, body)| interpret(status, &body));
            match result {
                Ok(value) => break Ok(value),
                Err(failure) => {
                    failure.log(call, attempt, attempts);
                    if failure.kind.transient() && attempt < attempts {
                        tokio::time::sleep(backoff(attempt)).await;
                        attempt += 1;
                    } else {
                        break Err(failure);
                    }
                }
            }
        };
        let gateway_failed = outcome
            .as_ref()
            .is_err_and(|failure| failure.kind.counts_against_gateway());
        pass.settle(gateway_failed, Instant::now());
        outcome.map_err(|failure| failure.error)
    }

    /// One attempt: the status, and the body of a 200 answer (the only one
    /// whose body the contract gives a meaning), within the time limit.
    async fn exchange(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<(StatusCode, Vec<u8>), Failure> {
        let request = match &self.settings.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        };
        let limit = self.settings.max_answer_bytes;
        let attempt = async {
            let mut response = request
                .header(ACCEPT, "application/json")
                .send()
                .await
                .map_err(Failure::from_transport)?;
            let status = response.status();
            if status != StatusCode::OK {
                return Ok((status, Vec::new()));
            }
            if response
                .content_length()
                .is_some_and(|length| length > limit as u64)
            {
                return Err(Failure::too_large(status, limit));
            }
            let mut body = Vec::new();
            // The announced length may be absent or false: count what comes.
            while let Some(chunk) = response.chunk().await.map_err(Failure::from_transport)? {
                if body.len().saturating_add(chunk.len()) > limit {
                    return Err(Failure::too_large(status, limit));
                }
                body.extend_from_slice(&chunk);
            }
            Ok((status, body))
        };
        tokio::time::timeout(self.settings.timeout, attempt)
            .await
            .unwrap_or_else(|_| Err(Failure::timeout()))
    }
}

/// What the portal asks a gateway, for the log and the retry rule.
#[derive(Debug, Clone, Copy)]
enum Call {
    Match,
    Section(Section),
    Contacts,
}

impl Call {
    fn name(self) -> &'static str {
        match self {
            Self::Match => "match",
            Self::Section(section) => section_path(section),
            Self::Contacts => "contacts",
        }
    }

    /// Only calls that change nothing may be repeated.
    fn read_only(self) -> bool {
        !matches!(self, Self::Contacts)
    }
}

/// The path segment of a section in the contract.
fn section_path(section: Section) -> &'static str {
    match section {
        Section::Personal => "personal-data",
        Section::Documents => "identity-documents",
        Section::Driver => "driver",
        Section::Vehicles => "vehicles",
        Section::TradeLicences => "trade-licences",
        Section::DataUsage => "data-usage",
    }
}

fn backoff(attempt: u32) -> Duration {
    let doublings = attempt.saturating_sub(1).min(4);
    FIRST_BACKOFF
        .saturating_mul(1 << doublings)
        .min(LONGEST_BACKOFF)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FailureKind {
    Timeout,
    Connection,
    ServerError,
    /// 401 or 403: the gateway works but will not serve the portal.
    CredentialsRefused,
    Malformed,
    TooLarge,
}

impl FailureKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Timeout => "timeout",
            Self::Connection => "connection",
            Self::ServerError => "server_error",
            Self::CredentialsRefused => "credentials_refused",
            Self::Malformed => "malformed",
            Self::TooLarge => "too_large",
        }
    }

    /// Worth another attempt: the next one may well succeed.
    fn transient(self) -> bool {
        matches!(self, Self::Timeout | Self::Connection | Self::ServerError)
    }

    /// Counts towards opening the breaker: the gateway itself is failing.
    /// Refused credentials are the portal's configuration, which waiting
    /// does not mend.
    fn counts_against_gateway(self) -> bool {
        !matches!(self, Self::CredentialsRefused)
    }
}

/// Why one attempt gave no answer the portal can use.
#[derive(Debug)]
struct Failure {
    kind: FailureKind,
    status: Option<u16>,
    error: RegisterError,
}

impl Failure {
    fn from_status(status: StatusCode) -> Self {
        let code = status.as_u16();
        let (kind, error) = match code {
            401 | 403 => (
                FailureKind::CredentialsRefused,
                RegisterError::Unavailable(format!(
                    "the register gateway refused the portal's credentials (HTTP {code}): \
                     check registers.token"
                )),
            ),
            500..=599 => (
                FailureKind::ServerError,
                RegisterError::Unavailable(format!("the register gateway answered HTTP {code}")),
            ),
            _ => (
                FailureKind::Malformed,
                RegisterError::Malformed(format!("unexpected HTTP status {code}")),
            ),
        };
        Self {
            kind,
            status: Some(code),
            error,
        }
    }

    fn from_transport(error: reqwest::Error) -> Self {
        // The URL holds the person's reference: keep it out of the message.
        let error = error.without_url();
        if error.is_timeout() {
            return Self::timeout();
        }
        let what = if error.is_connect() {
            "could not connect to the register gateway"
        } else {
            "the connection to the register gateway failed"
        };
        Self {
            kind: FailureKind::Connection,
            status: None,
            error: RegisterError::Unavailable(format!("{what}: {}", error_chain(&error))),
        }
    }

    fn timeout() -> Self {
        Self {
            kind: FailureKind::Timeout,
            status: None,
            error: RegisterError::Timeout,
        }
    }

    fn too_large(status: StatusCode, limit: usize) -> Self {
        Self {
            kind: FailureKind::TooLarge,
            status: Some(status.as_u16()),
            error: RegisterError::TooLarge { limit },
        }
    }

    fn malformed(reason: String) -> Self {
        Self {
            kind: FailureKind::Malformed,
            status: Some(StatusCode::OK.as_u16()),
            error: RegisterError::Malformed(reason),
        }
    }

    fn log(&self, call: Call, attempt: u32, attempts: u32) {
        tracing::warn!(
            section = call.name(),
            kind = self.kind.as_str(),
            status = self.status,
            attempt,
            attempts,
            error = %self.error,
            "register gateway call failed"
        );
    }
}

fn encode(value: &impl serde::Serialize) -> Result<Vec<u8>, RegisterError> {
    serde_json::to_vec(value)
        .map_err(|e| RegisterError::Malformed(format!("could not encode the request: {e}")))
}

/// Decodes an answer through the domain types. The reason names the field
/// and what is wrong with it, but never the value: answers are personal data.
fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, Failure> {
    let mut json = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut json).map_err(|e| {
        let path = e.path().to_string();
        let reason = describe(e.inner());
        Failure::malformed(if path == "." {
            reason
        } else {
            format!("{path}: {reason}")
        })
    })?;
    json.end()
        .map_err(|_| Failure::malformed("more than one JSON value".to_owned()))?;
    Ok(value)
}

/// What is wrong, in words that carry nothing of the answer's content.
fn describe(error: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match error.classify() {
        Category::Syntax | Category::Eof | Category::Io => format!(
            "not JSON (line {}, column {})",
            error.line(),
            error.column()
        ),
        Category::Data => {
            let message = error.to_string();
            let field_named = |prefix: &str| {
                message
                    .strip_prefix(prefix)
                    .and_then(|rest| rest.split_once('`'))
                    .map(|(field, _)| format!("{prefix}{field}`"))
            };
            if let Some(missing) = field_named("missing field `") {
                missing
            } else if let Some(duplicate) = field_named("duplicate field `") {
                duplicate
            } else if message.starts_with("unknown variant") {
                "unknown value".to_owned()
            } else if message.starts_with("invalid type") {
                // "invalid type: <the value>, expected <a type>": keep the type.
                match message.rsplit_once(", expected ") {
                    Some((_, expected)) => {
                        let expected = expected.split(" at line ").next().unwrap_or(expected);
                        format!("wrong type, expected {expected}")
                    }
                    None => "wrong type".to_owned(),
                }
            } else if let Some(own) = VALUE_RULES
                .iter()
                .map(ToString::to_string)
                .find(|rule| message.starts_with(rule.as_str()))
            {
                own
            } else {
                "invalid value".to_owned()
            }
        }
    }
}

/// The domain's own reasons for refusing a value, which name no value.
const VALUE_RULES: [InvalidRegisterValue; 8] = [
    InvalidRegisterValue::Reference,
    InvalidRegisterValue::Text,
    InvalidRegisterValue::DocumentNumber,
    InvalidRegisterValue::Points,
    InvalidRegisterValue::Plate,
    InvalidRegisterValue::Vin,
    InvalidRegisterValue::Ico,
    InvalidRegisterValue::AgendaCode,
];

#[derive(Deserialize)]
struct Documents {
    documents: Vec<IdentityDocument>,
}

#[derive(Deserialize)]
struct Driver {
    // Present and null when the person is not in the driver register; a
    // missing key is a broken answer, not "no record".
    #[serde(deserialize_with = "Option::deserialize")]
    driver: Option<DriverRecord>,
}

#[derive(Deserialize)]
struct Vehicles {
    vehicles: Vec<Vehicle>,
}

#[derive(Deserialize)]
struct TradeLicences {
    trade_licences: Vec<TradeLicence>,
}

#[derive(Deserialize)]
struct DataUsageLog {
    entries: Vec<DataUsage>,
}

fn decode_section(section: Section, body: &[u8]) -> Result<SectionData, Failure> {
    Ok(match section {
        Section::Personal => SectionData::Personal(decode::<PersonalData>(body)?),
        Section::Documents => SectionData::Documents(decode::<Documents>(body)?.documents),
        Section::Driver => SectionData::Driver(decode::<Driver>(body)?.driver),
        Section::Vehicles => SectionData::Vehicles(decode::<Vehicles>(body)?.vehicles),
        Section::TradeLicences => {
            SectionData::TradeLicences(decode::<TradeLicences>(body)?.trade_licences)
        }
        Section::DataUsage => {
            let mut entries = decode::<DataUsageLog>(body)?.entries;
            // The contract asks for newest first; the portal relies on it,
            // so it does not trust it.
            entries.sort_by_key(|entry| std::cmp::Reverse(entry.at));
            SectionData::DataUsage(entries)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(body: &str) -> String {
        match decode::<PersonalData>(body.as_bytes()) {
            Err(Failure {
                error: RegisterError::Malformed(reason),
                ..
            }) => reason,
            other => panic!("expected a malformed answer, got {other:?}"),
        }
    }

    const PERSON: &str = r#"{"given_name":"Jana","family_name":"Nováková",
        "birth_date":"1984-03-12","birth_place":"Brno","citizenship":"Česká republika",
        "address":"Náměstí Míru 1, 123 45 Vzorov","delivery_address":null,
        "marital_status":"married","data_box":null,"email":null,"phone":null}"#;

    #[test]
    fn reasons_name_the_field_but_never_the_value() {
        assert!(decode::<PersonalData>(PERSON.as_bytes()).is_ok());
        let wrong_type = reason(&PERSON.replace(r#""Brno""#, "[\"Brno-sever\"]"));
        assert_eq!(wrong_type, "birth_place: wrong type, expected a string");
        let missing = reason(&PERSON.replace(r#""birth_date":"1984-03-12","#, ""));
        assert_eq!(missing, "missing field `birth_date`");
        let unknown = reason(&PERSON.replace("married", "engaged-to-Novak"));
        assert_eq!(unknown, "marital_status: unknown value");
        let own_rule = reason(&PERSON.replace("Brno", "Brno\\u0007"));
        assert_eq!(
            own_rule,
            format!("birth_place: {}", InvalidRegisterValue::Text)
        );
        let bad_date = reason(&PERSON.replace("1984-03-12", "1984-02-31"));
        assert_eq!(bad_date, "birth_date: invalid value");
        let not_json = reason("<html>Nováková</html>");
        assert!(not_json.starts_with("not JSON"), "{not_json}");
        assert_eq!(
            reason(&format!("{PERSON} {{}}")),
            "more than one JSON value"
        );
    }

    #[test]
    fn the_driver_key_must_be_present() {
        let none = decode_section(Section::Driver, br#"{"driver":null}"#).unwrap();
        assert_eq!(none, SectionData::Driver(None));
        assert!(decode_section(Section::Driver, b"{}").is_err());
    }

    #[test]
    fn backoff_doubles_up_to_a_second() {
        assert_eq!(backoff(1), Duration::from_millis(100));
        assert_eq!(backoff(2), Duration::from_millis(200));
        assert_eq!(backoff(4), Duration::from_millis(800));
        assert_eq!(backoff(30), Duration::from_secs(1));
    }
}
