//! `/api/v1/records/…`: the office's records management (spisová služba)
//! reads the submissions of its agendas and pushes back their číslo
//! jednací and state (docs/api/records.openapi.yaml). A client proves
//! itself with its bearer token; a submission outside its agendas does not
//! exist for it. Every read of a submission's content or documents is
//! audited with the client as the actor.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::Timestamp;
use obcan_core::audit::{Action, Actor, AuditEvent};
use obcan_core::documents::DocumentId;
use obcan_core::integration::{BearerToken, PushedState, RegistrationNumber};
use obcan_core::staff::AgendaKey;
use obcan_core::submissions::{Message, MessageError, SubmissionId, SubmissionState};
use obcan_store::{
    Idempotent, IntegrationClient, Pushed, Receipt, Registered, Registration, StateChange,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use super::Problem;
use crate::client_ip::ClientIp;
use crate::pages::office::filed_download;
use crate::routes::Access;
use crate::state::AppState;

/// Submissions in one page of the registration queue, unless asked for fewer.
const PAGE: u32 = 50;
const MAX_PAGE: u32 = 200;
/// The longest `Idempotency-Key` taken.
const MAX_KEY: usize = 200;

/// The records-management client a request's bearer token belongs to.
#[derive(Debug)]
pub(crate) struct RecordsClient(pub IntegrationClient);

fn unauthorized(kind: &str, title: &'static str) -> Problem {
    Problem::new(StatusCode::UNAUTHORIZED, kind, title).bearer()
}

impl FromRequestParts<AppState> for RecordsClient {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        // Only on routes the table declares for clients: fail closed.
        if parts.extensions.get::<Access>() != Some(&Access::RecordsClient) {
            return Err(Problem::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Forbidden",
            ));
        }
        let presented = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| {
                let (scheme, token) = value.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
            })
            .ok_or_else(|| unauthorized("token-required", "A bearer token is required"))?;
        let invalid = || unauthorized("invalid-token", "The token is not valid");
        let token = BearerToken::parse(presented).ok_or_else(invalid)?;
        let hash = token.sha256();
        let holder = state
            .store
            .integration()
            .by_token(&hash)
            .await
            .map_err(|error| Problem::from(crate::error::WebError::from(error)))?
            .ok_or_else(invalid)?;
        let kept = hex(&hash);
        if !bool::from(kept.as_bytes().ct_eq(holder.token_sha256.as_bytes())) {
            return Err(invalid());
        }
        if holder.client.revoked_at.is_some() {
            return Err(unauthorized("token-revoked", "The token was revoked"));
        }
        Ok(Self(holder.client))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn not_found() -> Problem {
    Problem::new(StatusCode::NOT_FOUND, "not-found", "No such submission")
}

fn store_problem(error: obcan_store::StoreError) -> Problem {
    Problem::from(crate::error::WebError::from(error))
}

/// A request's JSON body, or a 400/415 problem that says what is wrong.
fn json_body<T: DeserializeOwned>(headers: &HeaderMap, body: &Bytes) -> Result<T, Problem> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(str::trim)
        .is_some_and(|media| media == "application/json" || media.ends_with("+json"));
    if !json {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "The body must be JSON",
        )
        .detail("send Content-Type: application/json"));
    }
    serde_json::from_slice(body).map_err(|error| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "bad-json",
            "The body is not valid JSON for this request",
        )
        .detail(error.to_string())
    })
}

#[derive(Debug, Serialize)]
struct ReceiptJson {
    id: String,
    reference: String,
    form: String,
    submitted_at: Timestamp,
    content_sha256: String,
    deadline: String,
    state: &'static str,
    href: String,
}

fn href(id: SubmissionId) -> String {
    format!("/api/v1/records/submissions/{id}")
}

impl From<&Receipt> for ReceiptJson {
    fn from(receipt: &Receipt) -> Self {
        Self {
            id: receipt.id.to_string(),
            reference: receipt.reference.clone(),
            form: receipt.form.as_str().to_owned(),
            submitted_at: receipt.submitted_at,
            content_sha256: receipt.content_sha256.clone(),
            deadline: receipt.deadline_on.to_string(),
            state: receipt.state.as_str(),
            href: href(receipt.id),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct PageQuery {
    cursor: Option<String>,
    limit: Option<u32>,
}

#[derive(Debug, Serialize)]
struct QueuePage {
    submissions: Vec<ReceiptJson>,
    /// Where the next page starts; none on the last.
    next_cursor: Option<String>,
}

/// Where a page ends: opaque to the client.
fn cursor_of(receipt: &Receipt) -> String {
    URL_SAFE_NO_PAD.encode(format!(
        "{}:{}",
        receipt.submitted_at.as_second(),
        receipt.id
    ))
}

fn parse_cursor(cursor: &str) -> Option<(Timestamp, SubmissionId)> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    let (at, id) = text.split_once(':')?;
    Some((
        Timestamp::from_second(at.parse().ok()?).ok()?,
        SubmissionId::parse(id)?,
    ))
}

/// The submissions of the client's agendas without a číslo jednací, the
/// oldest first.
pub(crate) async fn unregistered(
    State(state): State<AppState>,
    RecordsClient(client): RecordsClient,
    query: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let bad = |detail: &str| {
        Problem::new(StatusCode::BAD_REQUEST, "bad-request", "Bad request")
            .detail(detail)
            .into_response()
    };
    let Ok(Query(query)) = query else {
        return bad("limit is a whole number from 1 to 200");
    };
    let limit = query.limit.unwrap_or(PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return bad("limit is a whole number from 1 to 200");
    }
    let after = match query.cursor.as_deref() {
        Some(cursor) => match parse_cursor(cursor) {
            Some(after) => Some(after),
            None => return bad("the cursor is not one this API gave"),
        },
        None => None,
    };
    let receipts = match state
        .store
        .integration()
        .unregistered(client.id, after, limit)
        .await
    {
        Ok(receipts) => receipts,
        Err(error) => return store_problem(error).into_response(),
    };
    let full = receipts.len() == limit as usize;
    let next_cursor = receipts.last().filter(|_| full).map(cursor_of);
    Json(QueuePage {
        submissions: receipts.iter().map(ReceiptJson::from).collect(),
        next_cursor,
    })
    .into_response()
}

#[derive(Debug, Serialize)]
struct RegistrationJson {
    number: String,
    registered_at: Timestamp,
}

impl From<&Registration> for RegistrationJson {
    fn from(registration: &Registration) -> Self {
        Self {
            number: registration.number.to_string(),
            registered_at: registration.registered_at,
        }
    }
}

#[derive(Debug, Serialize)]
struct DocumentJson {
    id: String,
    name: String,
    size: u64,
    sha256: String,
    media_type: String,
    filed_at: Timestamp,
    href: String,
}

#[derive(Debug, Serialize)]
struct EventJson {
    at: Timestamp,
    kind: &'static str,
    /// The state it moved the submission to, if it moved it.
    state: Option<&'static str>,
    text: Option<String>,
    actor: String,
}

#[derive(Debug, Serialize)]
struct SubmissionJson {
    #[serde(flatten)]
    receipt: ReceiptJson,
    registration: Option<RegistrationJson>,
    answers: obcan_core::forms::Answers,
    documents: Vec<DocumentJson>,
    timeline: Vec<EventJson>,
}

/// The submission and its agenda, if that is one of the client's.
async fn in_agendas(
    state: &AppState,
    client: &IntegrationClient,
    id: &str,
) -> Result<(SubmissionId, AgendaKey), Problem> {
    let id = SubmissionId::parse(id).ok_or_else(not_found)?;
    state
        .store
        .integration()
        .agenda_of(client.id, id)
        .await
        .map_err(store_problem)?
        .filter(|agenda| client.serves(agenda))
        .map(|agenda| (id, agenda))
        .ok_or_else(not_found)
}

fn actor(client: &IntegrationClient) -> Actor {
    Actor::Integration(client.id.uuid())
}

/// One submission: its receipt, číslo jednací, the citizen's answers, the
/// documents of its file and the whole timeline. Audited.
pub(crate) async fn submission(
    State(state): State<AppState>,
    RecordsClient(client): RecordsClient,
    ip: ClientIp,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let (id, _) = in_agendas(&state, &client, &id).await?;
    let store = &state.store;
    let worked = store
        .submissions()
        .for_office(id)
        .await
        .map_err(store_problem)?
        .filter(|worked| client.serves(&worked.agenda))
        .ok_or_else(not_found)?;
    let registration = store
        .integration()
        .registration(id)
        .await
        .map_err(store_problem)?;
    let documents = store
        .records()
        .documents(worked.file)
        .await
        .map_err(store_problem)?;
    let event = AuditEvent::new(state.now(), actor(&client), Action::SubmissionRead)
        .about_record_file(worked.file)
        .with("submission", id.to_string())
        .with("reference", worked.receipt.reference.clone())
        .from_ip(ip.text());
    store.audit().append(&event).await.map_err(store_problem)?;
    let base = href(id);
    Ok(Json(SubmissionJson {
        receipt: ReceiptJson::from(&worked.receipt),
        registration: registration.as_ref().map(RegistrationJson::from),
        documents: documents
            .iter()
            .map(|document| DocumentJson {
                id: document.id.to_string(),
                name: document.name.as_str().to_owned(),
                size: document.size,
                sha256: document.sha256_hex(),
                media_type: document.media_type.clone(),
                filed_at: document.filed_at,
                href: format!("{base}/documents/{}", document.id),
            })
            .collect(),
        timeline: worked
            .timeline
            .into_iter()
            .map(|entry| EventJson {
                at: entry.at,
                kind: entry.kind.as_str(),
                state: entry.state.map(SubmissionState::as_str),
                text: entry.text,
                actor: entry.actor,
            })
            .collect(),
        answers: worked.content,
    })
    .into_response())
}

/// A document of the submission's file, as filed. Audited.
pub(crate) async fn document(
    State(state): State<AppState>,
    RecordsClient(client): RecordsClient,
    ip: ClientIp,
    Path((id, document)): Path<(String, String)>,
) -> Result<Response, Problem> {
    let (id, agenda) = in_agendas(&state, &client, &id).await?;
    let document = DocumentId::parse(&document)
        .ok_or_else(|| Problem::new(StatusCode::NOT_FOUND, "not-found", "No such document"))?;
    let file = state
        .store
        .submissions()
        .file_in(id, &agenda)
        .await
        .map_err(store_problem)?
        .ok_or_else(not_found)?;
    let event = AuditEvent::new(state.now(), actor(&client), Action::RecordDocumentRead)
        .about_record_file(file)
        .with("submission", id.to_string())
        .from_ip(ip.text());
    filed_download(&state, file, document, event)
        .await
        .map_err(|error| match error {
            crate::error::WebError::NotFound => {
                Problem::new(StatusCode::NOT_FOUND, "not-found", "No such document")
            }
            other => Problem::from(other),
        })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistrationBody {
    number: String,
}

/// Gives the submission its číslo jednací: 201 the first time, 200 when it
/// is the number it has, 409 when it has another.
pub(crate) async fn register(
    State(state): State<AppState>,
    RecordsClient(client): RecordsClient,
    ip: ClientIp,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    let (id, _) = in_agendas(&state, &client, &id).await?;
    let body: RegistrationBody = json_body(&headers, &body)?;
    let number = RegistrationNumber::parse(&body.number).ok_or_else(|| {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-number",
            "The číslo jednací is not valid",
        )
        .detail("1 to 64 characters, without control characters")
    })?;
    let registered = state
        .store
        .integration()
        .register(client.id, id, &number, state.now(), ip.text())
        .await
        .map_err(store_problem)?;
    match registered {
        Registered::New(registration) => Ok((
            StatusCode::CREATED,
            Json(RegistrationJson::from(&registration)),
        )
            .into_response()),
        Registered::Same(registration) => {
            Ok(Json(RegistrationJson::from(&registration)).into_response())
        }
        Registered::Conflict(registration) => Err(Problem::new(
            StatusCode::CONFLICT,
            "already-registered",
            "The submission has another číslo jednací",
        )
        .detail(format!("it is registered as {}", registration.number))),
        Registered::NotFound => Err(not_found()),
    }
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct StateChangeBody {
    state: PushedState,
    #[serde(default)]
    message: Option<String>,
}

#[derive(Debug, Serialize)]
struct StateJson {
    id: String,
    state: &'static str,
}

/// The request's `Idempotency-Key`: required, printable ASCII.
fn idempotency_key(headers: &HeaderMap) -> Result<String, Problem> {
    let key = headers
        .get("idempotency-key")
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .unwrap_or_default();
    let valid = (1..=MAX_KEY).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic());
    if valid {
        Ok(key.to_owned())
    } else {
        Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "idempotency-key-required",
            "An Idempotency-Key header is required",
        )
        .detail("1 to 200 printable ASCII characters, new for each change"))
    }
}

/// Moves the submission to another state, under the office's workflow
/// rules; once per `Idempotency-Key`.
pub(crate) async fn push_state(
    State(state): State<AppState>,
    RecordsClient(client): RecordsClient,
    ip: ClientIp,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    let (id, _) = in_agendas(&state, &client, &id).await?;
    let key = idempotency_key(&headers)?;
    let body: StateChangeBody = json_body(&headers, &body)?;
    let message = match body.message.as_deref().map(Message::parse) {
        None | Some(Err(MessageError::Empty)) => None,
        Some(Ok(message)) => Some(message),
        Some(Err(MessageError::Invalid)) => {
            return Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-message",
                "The message is not valid",
            )
            .detail(format!(
                "at most {} characters, no control characters but line ends and tabs",
                Message::MAX_CHARS
            )));
        }
    };
    if message.is_none() && body.state.needs_message() {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "message-required",
            "This state needs a message to the citizen",
        )
        .detail("say what the citizen is to send or do"));
    }
    // What a retry must repeat: the submission and the change, as read.
    let canonical = serde_json::json!({
        "submission": id.to_string(),
        "state": body.state,
        "message": message.as_ref().map(Message::as_str),
    });
    let request_sha256 = hex(&Sha256::digest(canonical.to_string().as_bytes()));
    let pushed = state
        .store
        .integration()
        .push_state(
            &StateChange {
                client: client.id,
                submission: id,
                to: body.state,
                message: message.as_ref(),
                request: Idempotent {
                    key: &key,
                    request_sha256: &request_sha256,
                },
            },
            state.now(),
            ip.text(),
        )
        .await
        .map_err(store_problem)?;
    let answer = |now: SubmissionState| {
        Json(StateJson {
            id: id.to_string(),
            state: now.as_str(),
        })
    };
    match pushed {
        Pushed::Done(now) => Ok(answer(now).into_response()),
        Pushed::Replayed(now) => {
            let mut response = answer(now).into_response();
            response
                .headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            Ok(response)
        }
        Pushed::KeyReused => Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency-key-reused",
            "The Idempotency-Key was used for another request",
        )
        .detail("use a new key for each change")),
        Pushed::NotNow(now) => Err(Problem::new(
            StatusCode::CONFLICT,
            "transition-not-allowed",
            "The submission cannot move to this state now",
        )
        .detail(format!(
            "a submission in the state {} cannot move to {}",
            now.as_str(),
            serde_json::to_value(body.state)
                .ok()
                .and_then(|value| value.as_str().map(str::to_owned))
                .unwrap_or_default()
        ))),
        Pushed::NotFound => Err(not_found()),
    }
}
