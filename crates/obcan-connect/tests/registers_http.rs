//! The HTTP register connector against its published contract
//! (docs/api/registers.openapi.yaml): a register gateway started inside each
//! test serves the fixtures of tests/register-server/ — which the contract
//! check holds to the same document — and every way an answer can go wrong.

#![expect(clippy::unwrap_used, reason = "a failing test panics")]
#![expect(clippy::panic, reason = "a failing test panics")]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use obcan_connect::registers::http::{HttpRegisters, HttpSettings};
use obcan_connect::registers::{ContactUpdate, RegisterError};
use obcan_connect::testing::RefusingPort;
use obcan_core::registers::{ContactDetails, PersonMatch, RegisterRef, Section, SectionData};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

// ---------------------------------------------------------------------------
// The fixtures

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/../../tests/register-server/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn fixture_file(section: Section) -> &'static str {
    match section {
        Section::Personal => "personal-data.json",
        Section::Documents => "identity-documents.json",
        Section::Driver => "driver.json",
        Section::Vehicles => "vehicles.json",
        Section::TradeLicences => "trade-licences.json",
        Section::DataUsage => "data-usage.json",
    }
}

/// The path segment of a section, as the contract names it.
fn segment(section: Section) -> &'static str {
    fixture_file(section).trim_end_matches(".json")
}

/// The person the fixtures describe, as the match answer names them.
fn matched() -> RegisterRef {
    RegisterRef::parse(fixture("match.json")["reference"].as_str().unwrap()).unwrap()
}

/// The same reference as it must appear in a path: one segment, its `/`
/// percent-encoded.
const MATCHED_IN_PATH: &str = "rob%2FZ7Kx3mQ9pL2vR8wT1";

/// A person the gateway knows who is not in the driver register.
const WITHOUT_LICENCE: &str = "rob:N0Licence";

/// What a section's data looks like on the wire.
fn wire(data: &SectionData) -> Value {
    match data {
        SectionData::Personal(personal) => serde_json::to_value(personal).unwrap(),
        SectionData::Documents(documents) => json!({ "documents": documents }),
        SectionData::Driver(driver) => json!({ "driver": driver }),
        SectionData::Vehicles(vehicles) => json!({ "vehicles": vehicles }),
        SectionData::TradeLicences(licences) => json!({ "trade_licences": licences }),
        SectionData::DataUsage(entries) => json!({ "entries": entries }),
    }
}

// ---------------------------------------------------------------------------
// The gateway

/// A request as the gateway received it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    /// The path as sent, still percent-encoded.
    path: String,
    authorization: Option<String>,
    content_type: Option<String>,
    body: Vec<u8>,
}

impl Seen {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// What the gateway answers one request.
enum Answer {
    Json(StatusCode, Value),
    Status(StatusCode),
    Bytes(&'static str, Vec<u8>),
    After(Duration, Box<Answer>),
}

impl Answer {
    fn ok(body: Value) -> Self {
        Self::Json(StatusCode::OK, body)
    }

    async fn into_response(self) -> Response {
        match self {
            Self::Json(status, body) => (status, axum::Json(body)).into_response(),
            Self::Status(status) => status.into_response(),
            Self::Bytes(content_type, body) => {
                ([(header::CONTENT_TYPE, content_type)], body).into_response()
            }
            Self::After(delay, answer) => {
                tokio::time::sleep(delay).await;
                Box::pin(answer.into_response()).await
            }
        }
    }
}

#[derive(Clone, Default)]
struct Requests(Arc<Mutex<Vec<Seen>>>);

impl Requests {
    fn count(&self) -> usize {
        self.0.lock().unwrap().len()
    }

    fn all(&self) -> Vec<Seen> {
        self.0.lock().unwrap().clone()
    }
}

/// Starts a gateway on a free port that answers the n-th request (from 0)
/// with `script(n, request)`; its base URL has a path, as real ones do.
async fn gateway(
    script: impl Fn(usize, &Seen) -> Answer + Send + Sync + 'static,
) -> (url::Url, Requests) {
    let requests = Requests::default();
    let script = Arc::new(script);
    let recorded = requests.clone();
    let app = Router::new().fallback(move |request: Request| {
        let script = Arc::clone(&script);
        let recorded = recorded.clone();
        async move {
            let (parts, body) = request.into_parts();
            let header_text = |name| {
                parts
                    .headers
                    .get(name)
                    .and_then(|value: &HeaderValue| value.to_str().ok())
                    .map(str::to_owned)
            };
            let seen = Seen {
                method: parts.method.to_string(),
                path: parts.uri.path().to_owned(),
                authorization: header_text(header::AUTHORIZATION),
                content_type: header_text(header::CONTENT_TYPE),
                body: axum::body::to_bytes(body, usize::MAX)
                    .await
                    .unwrap()
                    .to_vec(),
            };
            let answer = {
                let mut all = recorded.0.lock().unwrap();
                all.push(seen.clone());
                script(all.len() - 1, &seen)
            };
            answer.into_response().await
        }
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{address}/v1").parse().unwrap(), requests)
}

/// The contract, served from the fixtures.
fn per_contract(_: usize, request: &Seen) -> Answer {
    let path = request.path.strip_prefix("/v1/persons/").unwrap_or("");
    let segments: Vec<&str> = path.split('/').collect();
    match (request.method.as_str(), segments.as_slice()) {
        ("POST", ["match"]) => {
            let asked = request.json();
            if asked == fixture("match-request-identifier.json")
                || asked == fixture("match-request-name.json")
            {
                Answer::ok(fixture("match.json"))
            } else if asked["identifier"] == "CZ/CZ/ambiguous" {
                Answer::Status(StatusCode::CONFLICT)
            } else {
                Answer::Status(StatusCode::NOT_FOUND)
            }
        }
        ("PUT", [MATCHED_IN_PATH, "contacts"]) => Answer::Status(StatusCode::NO_CONTENT),
        ("GET", [WITHOUT_LICENCE, "driver"]) => Answer::ok(fixture("driver-none.json")),
        ("GET", [MATCHED_IN_PATH, section]) => Section::ALL
            .into_iter()
            .find(|known| segment(*known) == *section)
            .map_or(Answer::Status(StatusCode::NOT_FOUND), |known| {
                Answer::ok(fixture(fixture_file(known)))
            }),
        _ => Answer::Status(StatusCode::NOT_FOUND),
    }
}

/// A gateway below the HTTP framework, for answers it would not send: a
/// body streamed without a length, or one that stops coming.
async fn raw_gateway(head: String, body: Vec<u8>, then_wait: Duration) -> url::Url {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            let head = head.clone();
            let body = body.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0_u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                }
                // The client may hang up early (too large): that is its right.
                let _ = socket.write_all(head.as_bytes()).await;
                let _ = socket.write_all(&body).await;
                tokio::time::sleep(then_wait).await;
            });
        }
    });
    format!("http://{address}/v1").parse().unwrap()
}

/// `body` in HTTP/1.1 chunks of 1000 bytes, without a Content-Length.
fn chunked(body: &[u8]) -> (String, Vec<u8>) {
    let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                transfer-encoding: chunked\r\nconnection: close\r\n\r\n"
        .to_owned();
    let mut wire = Vec::new();
    for chunk in body.chunks(1000) {
        wire.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        wire.extend_from_slice(chunk);
        wire.extend_from_slice(b"\r\n");
    }
    wire.extend_from_slice(b"0\r\n\r\n");
    (head, wire)
}

// ---------------------------------------------------------------------------
// The connector

/// Generous limits, so that a slow machine fails no test by chance; each
/// test narrows what it is about.
fn settings(base_url: url::Url) -> HttpSettings {
    HttpSettings {
        base_url,
        token: None,
        timeout: Duration::from_secs(5),
        retries: 0,
        failure_threshold: 100,
        cool_down: Duration::from_secs(60),
        max_answer_bytes: 1024 * 1024,
    }
}

fn connector(settings: HttpSettings) -> HttpRegisters {
    HttpRegisters::new(settings).unwrap()
}

fn by_identifier(identifier: &str) -> PersonMatch {
    PersonMatch::Identifier {
        identifier: identifier.to_owned(),
    }
}

fn malformed(result: Result<SectionData, RegisterError>) -> String {
    match result {
        Err(RegisterError::Malformed(reason)) => reason,
        other => panic!("expected a malformed answer, got {other:?}"),
    }
}

/// Personal data in the fixtures that must never reach an error or the log.
const PERSONAL: [&str; 4] = ["Procházka", "1979-05-14", "Z7Kx3mQ9pL2vR8wT1", "Palackého"];

fn assert_nothing_personal(text: &str) {
    for value in PERSONAL {
        assert!(!text.contains(value), "{value:?} leaked into {text:?}");
    }
}

// ---------------------------------------------------------------------------
// Good answers

#[tokio::test]
async fn every_section_is_read_exactly_as_the_contract_writes_it() {
    let (url, requests) = gateway(per_contract).await;
    let registers = connector(settings(url));

    let person = registers
        .find_person(&by_identifier("CZ/CZ/5f2a9c1e-7b3d-4e8a-9c6f-1d2e3f4a5b6c"))
        .await
        .unwrap();
    assert_eq!(person, Some(matched()));

    for section in Section::ALL {
        let data = registers.fetch(&matched(), section).await.unwrap();
        assert_eq!(data.section(), section);
        assert_eq!(wire(&data), fixture(fixture_file(section)), "{section:?}");
    }

    let seen = requests.all();
    assert_eq!(seen.len(), 1 + Section::ALL.len());
    assert_eq!(seen[1].method, "GET");
    assert_eq!(
        seen[1].path,
        format!("/v1/persons/{MATCHED_IN_PATH}/personal-data")
    );
    assert!(seen.iter().all(|request| request.authorization.is_none()));
}

#[tokio::test]
async fn a_match_is_sent_as_the_contract_writes_it() {
    let (url, requests) = gateway(per_contract).await;
    let registers = connector(settings(url));
    let request = fixture("match-request-name.json");
    let by_name: PersonMatch = serde_json::from_value(request.clone()).unwrap();

    assert_eq!(
        registers.find_person(&by_name).await.unwrap(),
        Some(matched())
    );
    let seen = &requests.all()[0];
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.path, "/v1/persons/match");
    assert_eq!(seen.content_type.as_deref(), Some("application/json"));
    assert_eq!(seen.json(), request);
}

#[tokio::test]
async fn nobody_or_several_found_is_no_match() {
    let (url, requests) = gateway(per_contract).await;
    let registers = connector(HttpSettings {
        retries: 2,
        ..settings(url)
    });
    let nobody = registers
        .find_person(&by_identifier("CZ/CZ/unknown"))
        .await
        .unwrap();
    assert_eq!(nobody, None);
    let several = registers
        .find_person(&by_identifier("CZ/CZ/ambiguous"))
        .await
        .unwrap();
    assert_eq!(several, None);
    // Both are answers, not failures: nothing is repeated.
    assert_eq!(requests.count(), 2);
}

#[tokio::test]
async fn a_person_without_a_driver_record_gets_none() {
    let (url, _) = gateway(per_contract).await;
    let registers = connector(settings(url));
    let person = RegisterRef::parse(WITHOUT_LICENCE).unwrap();
    let data = registers.fetch(&person, Section::Driver).await.unwrap();
    assert_eq!(data, SectionData::Driver(None));
}

#[tokio::test]
async fn unknown_fields_are_ignored() {
    let (url, _) = gateway(|_, request| {
        let mut answer = fixture(if request.path.ends_with("personal-data") {
            "personal-data.json"
        } else {
            "vehicles.json"
        });
        answer["nationality_code"] = json!("CZE");
        answer["_links"] = json!({ "self": { "href": "/v2/persons/x" } });
        if let Some(vehicle) = answer.pointer_mut("/vehicles/0") {
            vehicle["colour"] = json!("modrá");
            vehicle["emission_class"] = json!({ "euro": 6 });
        }
        Answer::ok(answer)
    })
    .await;
    let registers = connector(settings(url));
    for section in [Section::Personal, Section::Vehicles] {
        let data = registers.fetch(&matched(), section).await.unwrap();
        assert_eq!(wire(&data), fixture(fixture_file(section)));
    }
}

#[tokio::test]
async fn the_data_usage_log_comes_out_newest_first_whatever_the_order() {
    let (url, _) = gateway(|_, _| {
        let mut log = fixture("data-usage.json");
        log["entries"].as_array_mut().unwrap().reverse();
        Answer::ok(log)
    })
    .await;
    let registers = connector(settings(url));
    let data = registers
        .fetch(&matched(), Section::DataUsage)
        .await
        .unwrap();
    assert_eq!(wire(&data), fixture("data-usage.json"));
}

// ---------------------------------------------------------------------------
// Malformed answers: refused, never repeated, and told without their content

async fn fetch_answer(
    section: Section,
    answer: impl Fn() -> Answer + Send + Sync + 'static,
) -> (String, usize) {
    let (url, requests) = gateway(move |_, _| answer()).await;
    let registers = connector(HttpSettings {
        retries: 2,
        ..settings(url)
    });
    let reason = malformed(registers.fetch(&matched(), section).await);
    assert_nothing_personal(&reason);
    (reason, requests.count())
}

fn edited(name: &str, edit: impl Fn(&mut Value)) -> impl Fn() -> Answer + Send + Sync + 'static {
    let mut value = fixture(name);
    edit(&mut value);
    move || Answer::ok(value.clone())
}

#[tokio::test]
async fn a_missing_field_is_malformed() {
    let answer = edited("personal-data.json", |person| {
        person.as_object_mut().unwrap().remove("birth_date");
    });
    let (reason, attempts) = fetch_answer(Section::Personal, answer).await;
    assert_eq!(reason, "missing field `birth_date`");
    assert_eq!(attempts, 1);
}

#[tokio::test]
async fn a_missing_driver_key_is_malformed_not_no_record() {
    let (reason, attempts) = fetch_answer(Section::Driver, || Answer::ok(json!({}))).await;
    assert_eq!(reason, "missing field `driver`");
    assert_eq!(attempts, 1);
}

#[tokio::test]
async fn a_wrong_type_is_malformed() {
    let answer = edited("driver.json", |driver| {
        driver["driver"]["points"] = json!("five");
    });
    let (reason, attempts) = fetch_answer(Section::Driver, answer).await;
    assert!(reason.starts_with("driver.points: wrong type"), "{reason}");
    assert_eq!(attempts, 1);
}

#[tokio::test]
async fn an_unknown_enum_value_is_malformed() {
    let answer = edited("vehicles.json", |vehicles| {
        vehicles["vehicles"][1]["relation"] = json!("lessee");
    });
    let (reason, attempts) = fetch_answer(Section::Vehicles, answer).await;
    assert_eq!(reason, "vehicles[1].relation: unknown value");
    assert_eq!(attempts, 1);
}

#[tokio::test]
async fn a_value_breaking_its_rule_is_malformed() {
    let answer = edited("trade-licences.json", |licences| {
        licences["trade_licences"][0]["ico"] = json!("74125894");
    });
    let (reason, _) = fetch_answer(Section::TradeLicences, answer).await;
    assert!(
        reason.starts_with("trade_licences[0].ico: not an IČO"),
        "{reason}"
    );
}

#[tokio::test]
async fn a_body_that_is_not_json_is_malformed() {
    let (reason, attempts) = fetch_answer(Section::Personal, || {
        Answer::Bytes(
            "text/html",
            "<html><body>Procházka Tomáš, 1979-05-14</body></html>"
                .as_bytes()
                .to_vec(),
        )
    })
    .await;
    assert!(reason.starts_with("not JSON"), "{reason}");
    assert_eq!(attempts, 1);
}

#[tokio::test]
async fn an_unexpected_status_is_malformed() {
    let (reason, attempts) = fetch_answer(Section::Personal, || {
        Answer::Status(StatusCode::MOVED_PERMANENTLY)
    })
    .await;
    assert_eq!(reason, "unexpected HTTP status 301");
    assert_eq!(attempts, 1);
}

// ---------------------------------------------------------------------------
// Size

const SMALL_LIMIT: usize = 4096;

/// The personal data fixture grown past the small limit by a field the
/// connector would otherwise ignore.
fn oversized() -> Vec<u8> {
    let mut person = fixture("personal-data.json");
    person["padding"] = json!("x".repeat(2 * SMALL_LIMIT));
    serde_json::to_vec(&person).unwrap()
}

#[tokio::test]
async fn an_answer_announced_too_large_is_refused() {
    let (url, requests) = gateway(|_, _| Answer::Bytes("application/json", oversized())).await;
    let registers = connector(HttpSettings {
        max_answer_bytes: SMALL_LIMIT,
        retries: 2,
        ..settings(url)
    });
    let result = registers.fetch(&matched(), Section::Personal).await;
    assert_eq!(result, Err(RegisterError::TooLarge { limit: SMALL_LIMIT }));
    assert_eq!(requests.count(), 1);
}

#[tokio::test]
async fn an_answer_streamed_too_large_is_refused() {
    let (head, body) = chunked(&oversized());
    let url = raw_gateway(head, body, Duration::ZERO).await;
    let registers = connector(HttpSettings {
        max_answer_bytes: SMALL_LIMIT,
        ..settings(url)
    });
    let result = registers.fetch(&matched(), Section::Personal).await;
    assert_eq!(result, Err(RegisterError::TooLarge { limit: SMALL_LIMIT }));
}

#[tokio::test]
async fn a_streamed_answer_within_the_limit_is_read() {
    let (head, body) = chunked(&serde_json::to_vec(&fixture("personal-data.json")).unwrap());
    let url = raw_gateway(head, body, Duration::ZERO).await;
    let registers = connector(HttpSettings {
        max_answer_bytes: SMALL_LIMIT,
        ..settings(url)
    });
    let data = registers
        .fetch(&matched(), Section::Personal)
        .await
        .unwrap();
    assert_eq!(wire(&data), fixture("personal-data.json"));
}

// ---------------------------------------------------------------------------
// Time, transient failures and retries

const SHORT_TIMEOUT: Duration = Duration::from_millis(300);
/// Far beyond the timeout, so that only the timeout can end the call.
const NEVER: Duration = Duration::from_secs(30);

#[tokio::test]
async fn a_slow_answer_times_out_and_is_tried_again() {
    let (url, requests) =
        gateway(|_, _| Answer::After(NEVER, Box::new(Answer::ok(fixture("personal-data.json")))))
            .await;
    let registers = connector(HttpSettings {
        timeout: SHORT_TIMEOUT,
        retries: 1,
        ..settings(url)
    });
    let started = Instant::now();
    let result = registers.fetch(&matched(), Section::Personal).await;
    assert_eq!(result, Err(RegisterError::Timeout));
    assert_eq!(requests.count(), 2);
    assert!(started.elapsed() < NEVER / 2, "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_body_that_stops_coming_times_out() {
    let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                content-length: 1000\r\n\r\n"
        .to_owned();
    let url = raw_gateway(head, b"{\"given_name\":".to_vec(), NEVER).await;
    let registers = connector(HttpSettings {
        timeout: SHORT_TIMEOUT,
        ..settings(url)
    });
    let result = registers.fetch(&matched(), Section::Personal).await;
    assert_eq!(result, Err(RegisterError::Timeout));
}

#[tokio::test]
async fn a_server_error_is_tried_again_and_the_retry_succeeds() {
    let (url, requests) = gateway(|n, _| match n {
        0 => Answer::Status(StatusCode::INTERNAL_SERVER_ERROR),
        _ => Answer::ok(fixture("vehicles.json")),
    })
    .await;
    let registers = connector(HttpSettings {
        retries: 1,
        ..settings(url)
    });
    let data = registers
        .fetch(&matched(), Section::Vehicles)
        .await
        .unwrap();
    assert_eq!(wire(&data), fixture("vehicles.json"));
    assert_eq!(requests.count(), 2);
}

#[tokio::test]
async fn a_match_is_tried_again_after_a_server_error() {
    let (url, requests) = gateway(|n, request| match n {
        0 => Answer::Status(StatusCode::BAD_GATEWAY),
        _ => per_contract(n, request),
    })
    .await;
    let registers = connector(HttpSettings {
        retries: 1,
        ..settings(url)
    });
    let how = serde_json::from_value(fixture("match-request-identifier.json")).unwrap();
    assert_eq!(registers.find_person(&how).await.unwrap(), Some(matched()));
    assert_eq!(requests.count(), 2);
}

#[tokio::test]
async fn a_gateway_always_unavailable_is_tried_retries_plus_one_times() {
    let (url, requests) = gateway(|_, _| Answer::Status(StatusCode::SERVICE_UNAVAILABLE)).await;
    let registers = connector(HttpSettings {
        retries: 2,
        ..settings(url)
    });
    let result = registers.fetch(&matched(), Section::Documents).await;
    match result {
        Err(RegisterError::Unavailable(reason)) => assert!(reason.contains("503"), "{reason}"),
        other => panic!("expected unavailable, got {other:?}"),
    }
    assert_eq!(requests.count(), 3);
}

#[tokio::test]
async fn a_refused_connection_is_unavailable() {
    let closed = RefusingPort::bind().unwrap();
    let registers = connector(HttpSettings {
        retries: 1,
        ..settings(format!("http://{}/v1", closed.address).parse().unwrap())
    });
    match registers.fetch(&matched(), Section::Personal).await {
        Err(RegisterError::Unavailable(reason)) => {
            assert!(reason.contains("could not connect"), "{reason}");
            assert_nothing_personal(&reason);
        }
        other => panic!("expected unavailable, got {other:?}"),
    }
}

#[tokio::test]
async fn an_unknown_person_is_told_at_once() {
    let (url, requests) = gateway(per_contract).await;
    let registers = connector(HttpSettings {
        retries: 2,
        ..settings(url)
    });
    let stranger = RegisterRef::parse("rob/nobody").unwrap();
    let result = registers.fetch(&stranger, Section::Personal).await;
    assert_eq!(result, Err(RegisterError::UnknownPerson));
    let contacts = ContactDetails {
        email: None,
        phone: None,
    };
    let result = registers.update_contacts(&stranger, &contacts).await;
    assert_eq!(result, Err(RegisterError::UnknownPerson));
    assert_eq!(requests.count(), 2);
}

// ---------------------------------------------------------------------------
// Credentials

const TOKEN: &str = "gw-token-7c1f0e9b2d";

fn requiring_token(n: usize, request: &Seen) -> Answer {
    if request.authorization.as_deref() == Some(&format!("Bearer {TOKEN}")) {
        per_contract(n, request)
    } else {
        Answer::Status(StatusCode::UNAUTHORIZED)
    }
}

#[tokio::test]
async fn the_bearer_token_is_sent_with_every_call() {
    let (url, requests) = gateway(requiring_token).await;
    let registers = connector(HttpSettings {
        token: Some(TOKEN.to_owned()),
        ..settings(url)
    });
    let how = serde_json::from_value(fixture("match-request-identifier.json")).unwrap();
    assert_eq!(registers.find_person(&how).await.unwrap(), Some(matched()));
    registers
        .fetch(&matched(), Section::Personal)
        .await
        .unwrap();
    let contacts = serde_json::from_value(fixture("contacts-request.json")).unwrap();
    registers
        .update_contacts(&matched(), &contacts)
        .await
        .unwrap();
    assert_eq!(requests.count(), 3);
    assert!(!format!("{registers:?}").contains(TOKEN));
}

#[tokio::test]
async fn refused_credentials_are_unavailable_and_not_repeated() {
    for status in [StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN] {
        let (url, requests) = gateway(move |_, _| Answer::Status(status)).await;
        let registers = connector(HttpSettings {
            token: Some("wrong".to_owned()),
            retries: 2,
            ..settings(url)
        });
        match registers.fetch(&matched(), Section::Personal).await {
            Err(RegisterError::Unavailable(reason)) => {
                assert!(
                    reason.contains("refused the portal's credentials"),
                    "{reason}"
                );
                assert!(reason.contains(status.as_str()), "{reason}");
            }
            other => panic!("expected unavailable, got {other:?}"),
        }
        assert_eq!(requests.count(), 1);
    }
}

// ---------------------------------------------------------------------------
// Contact details

#[tokio::test]
async fn contact_details_are_sent_as_the_contract_writes_them() {
    let (url, requests) = gateway(per_contract).await;
    let registers = connector(settings(url));
    let request = fixture("contacts-request.json");
    let contacts: ContactDetails = serde_json::from_value(request.clone()).unwrap();
    let result = registers.update_contacts(&matched(), &contacts).await;
    assert_eq!(result, Ok(ContactUpdate::Accepted));
    let seen = &requests.all()[0];
    assert_eq!(seen.method, "PUT");
    assert_eq!(seen.path, format!("/v1/persons/{MATCHED_IN_PATH}/contacts"));
    assert_eq!(seen.json(), request);
}

#[tokio::test]
async fn a_register_without_contact_details_says_so() {
    let (url, _) = gateway(|_, _| Answer::Status(StatusCode::NOT_IMPLEMENTED)).await;
    let registers = connector(settings(url));
    let contacts = serde_json::from_value(fixture("contacts-request.json")).unwrap();
    let result = registers.update_contacts(&matched(), &contacts).await;
    assert_eq!(result, Ok(ContactUpdate::Unsupported));
}

#[tokio::test]
async fn contact_details_are_never_sent_twice() {
    let (url, requests) = gateway(|_, _| Answer::Status(StatusCode::SERVICE_UNAVAILABLE)).await;
    let registers = connector(HttpSettings {
        retries: 3,
        ..settings(url)
    });
    let contacts = serde_json::from_value(fixture("contacts-request.json")).unwrap();
    let result = registers.update_contacts(&matched(), &contacts).await;
    assert!(
        matches!(result, Err(RegisterError::Unavailable(_))),
        "{result:?}"
    );
    assert_eq!(requests.count(), 1);
}

// ---------------------------------------------------------------------------
// The circuit breaker

/// Long enough that no slow machine lets it pass between two calls made one
/// after the other; waits after it have the same margin again.
const COOL_DOWN: Duration = Duration::from_secs(1);

#[tokio::test]
async fn the_breaker_opens_after_failures_in_a_row_and_closes_after_the_cool_down() {
    let healthy = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let gateway_health = Arc::clone(&healthy);
    let (url, requests) = gateway(move |n, request| {
        if gateway_health.load(std::sync::atomic::Ordering::SeqCst) {
            per_contract(n, request)
        } else {
            Answer::Status(StatusCode::SERVICE_UNAVAILABLE)
        }
    })
    .await;
    let registers = connector(HttpSettings {
        failure_threshold: 3,
        cool_down: COOL_DOWN,
        ..settings(url)
    });
    let person = matched();
    let fetch = || registers.fetch(&person, Section::Personal);

    for _ in 0..3 {
        assert!(matches!(fetch().await, Err(RegisterError::Unavailable(_))));
    }
    assert_eq!(fetch().await, Err(RegisterError::CircuitOpen));
    assert_eq!(requests.count(), 3, "an open breaker calls nobody");

    // After the cool-down one trial goes through; it fails, so the breaker
    // opens again at once.
    tokio::time::sleep(2 * COOL_DOWN).await;
    assert!(matches!(fetch().await, Err(RegisterError::Unavailable(_))));
    assert_eq!(fetch().await, Err(RegisterError::CircuitOpen));
    assert_eq!(requests.count(), 4);

    // The gateway recovers: the next trial succeeds and closes the breaker.
    healthy.store(true, std::sync::atomic::Ordering::SeqCst);
    tokio::time::sleep(2 * COOL_DOWN).await;
    assert!(fetch().await.is_ok());
    assert!(fetch().await.is_ok());
    assert_eq!(requests.count(), 6);
}

#[tokio::test]
async fn malformed_answers_open_the_breaker_too() {
    let (url, requests) = gateway(|_, _| Answer::ok(json!({ "documents": "none" }))).await;
    let registers = connector(HttpSettings {
        failure_threshold: 2,
        cool_down: COOL_DOWN,
        ..settings(url)
    });
    for _ in 0..2 {
        let result = registers.fetch(&matched(), Section::Documents).await;
        assert!(
            matches!(result, Err(RegisterError::Malformed(_))),
            "{result:?}"
        );
    }
    let result = registers.fetch(&matched(), Section::Documents).await;
    assert_eq!(result, Err(RegisterError::CircuitOpen));
    assert_eq!(requests.count(), 2);
}

#[tokio::test]
async fn answers_that_are_not_failures_keep_the_breaker_closed() {
    let (url, requests) = gateway(|n, request| match n % 5 {
        0 | 1 => Answer::Status(StatusCode::NOT_FOUND),
        2 => Answer::Status(StatusCode::UNAUTHORIZED),
        3 => Answer::Status(StatusCode::FORBIDDEN),
        _ => per_contract(n, request),
    })
    .await;
    let registers = connector(HttpSettings {
        failure_threshold: 2,
        cool_down: COOL_DOWN,
        ..settings(url)
    });
    for _ in 0..10 {
        let result = registers.fetch(&matched(), Section::Personal).await;
        assert_ne!(result, Err(RegisterError::CircuitOpen));
    }
    assert_eq!(requests.count(), 10);
}

// ---------------------------------------------------------------------------
// The log

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn failures_are_logged_without_the_token_or_personal_data() {
    let log = Captured::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let (url, _) = gateway(|n, _| {
        let mut person = fixture("personal-data.json");
        match n {
            0 => {
                person.as_object_mut().unwrap().remove("birth_date");
                Answer::ok(person)
            }
            1 => {
                person["marital_status"] = json!("Procházka");
                Answer::ok(person)
            }
            2 => Answer::Bytes("text/plain", "Palackého 1234/15".as_bytes().to_vec()),
            3 => Answer::Status(StatusCode::CONFLICT),
            _ => Answer::Status(StatusCode::INTERNAL_SERVER_ERROR),
        }
    })
    .await;
    let registers = connector(HttpSettings {
        token: Some(TOKEN.to_owned()),
        ..settings(url)
    });
    for _ in 0..3 {
        let result = registers.fetch(&matched(), Section::Personal).await;
        assert!(
            matches!(result, Err(RegisterError::Malformed(_))),
            "{result:?}"
        );
    }
    let how = serde_json::from_value(fixture("match-request-name.json")).unwrap();
    assert_eq!(registers.find_person(&how).await, Ok(None));
    let result = registers.fetch(&matched(), Section::Driver).await;
    assert!(
        matches!(result, Err(RegisterError::Unavailable(_))),
        "{result:?}"
    );

    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert_eq!(
        text.matches("register gateway call failed").count(),
        4,
        "{text}"
    );
    assert!(text.contains("kind=\"malformed\""), "{text}");
    assert!(text.contains("section=\"personal-data\""), "{text}");
    assert!(text.contains("kind=\"server_error\""), "{text}");
    assert!(text.contains("status=500"), "{text}");
    assert!(text.contains("more than one person"), "{text}");
    assert!(!text.contains(TOKEN), "{text}");
    assert_nothing_personal(&text);
    assert!(!text.contains("Tomáš"), "{text}");
}
