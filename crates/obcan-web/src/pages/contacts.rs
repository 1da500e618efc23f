//! The citizen's contact details kept by the portal: an e-mail address and a
//! telephone number, each proved by a six-digit code sent there (SMTP, the
//! SMS gateway, or in the demo the demo outbox, whose code the page then
//! shows). Once a value is verified or removed, the register is told.
//!
//! Every outcome short of success (bad input, a wrong, expired or used-up
//! code, a code asked for too soon, a message that could not be sent) is the
//! page again with the problem at its field and what was typed kept.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use obcan_connect::messaging::{SendError, VerificationMessage};
use obcan_connect::outbox::DemoOutbox;
use obcan_core::audit::{Action, Actor, AuditEvent};
use obcan_core::citizen::CitizenId;
use obcan_core::contact::{
    CodeKey, ContactKind, ContactValue, PendingState, VERIFICATION, VerificationCode,
};
use obcan_core::registers::ContactDetails;
use obcan_store::{ContactBook, VerifyEvents, VerifyOutcome};
use serde::Deserialize;

use super::local_time;
use super::{Chrome, Section, ValidForm, ValidQuery, render_with_status};
use crate::authz::SignedInCitizen;
use crate::error::WebError;
use crate::i18n::ContactTexts;
use crate::state::AppState;

const PATH: &str = "/me/contacts";

/// What the page says after an action, by the `done` it was sent back with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Done {
    SentEmail,
    SentPhone,
    VerifiedEmail,
    VerifiedPhone,
    RemovedEmail,
    RemovedPhone,
}

impl Done {
    fn text(self, t: &'static ContactTexts) -> &'static str {
        match self {
            Self::SentEmail => t.done_sent_email,
            Self::SentPhone => t.done_sent_phone,
            Self::VerifiedEmail => t.done_verified_email,
            Self::VerifiedPhone => t.done_verified_phone,
            Self::RemovedEmail => t.done_removed_email,
            Self::RemovedPhone => t.done_removed_phone,
        }
    }
}

/// Where on the page a problem belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    /// The new e-mail address or telephone number.
    Value,
    /// The verification code.
    Code,
}

/// A problem to show at a field, with what the person typed there.
#[derive(Debug)]
struct Problem {
    kind: ContactKind,
    field: Field,
    text: String,
    typed: String,
    status: StatusCode,
}

impl Problem {
    fn new(kind: ContactKind, field: Field, text: impl Into<String>, typed: &str) -> Self {
        Self {
            kind,
            field,
            text: text.into(),
            typed: typed.to_owned(),
            status: StatusCode::UNPROCESSABLE_ENTITY,
        }
    }
}

#[derive(Debug)]
struct VerifiedView {
    value: String,
    at: String,
}

#[derive(Debug)]
struct PendingView {
    value: String,
    until: String,
    /// Why the code cannot be used any more, if it cannot.
    state_note: Option<&'static str>,
    /// In the demo, the code the outbox holds.
    demo_code: Option<String>,
}

#[derive(Debug)]
struct SectionView {
    kind: &'static str,
    title: &'static str,
    none: &'static str,
    verified: Option<VerifiedView>,
    pending: Option<PendingView>,
    offered: bool,
    new_label: &'static str,
    hint: &'static str,
    input_type: &'static str,
    typed: String,
    value_error: Option<String>,
    value_describedby: String,
    typed_code: String,
    code_error: Option<String>,
    code_describedby: String,
}

#[derive(Debug)]
struct ErrorLink {
    text: String,
    target: String,
}

#[derive(Template)]
#[template(path = "contacts.html")]
struct ContactsPage {
    chrome: Chrome,
    csrf: String,
    notice: Option<&'static str>,
    errors: Vec<ErrorLink>,
    sections: Vec<SectionView>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct PageQuery {
    done: Option<Done>,
}

pub(crate) async fn page(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
    ValidQuery(query): ValidQuery<PageQuery>,
) -> Result<Response, WebError> {
    let t = &crate::i18n::texts(citizen.visitor.language).contacts;
    show(&state, &citizen, query.done.map(|done| done.text(t)), None).await
}

/// The page, with a notice after an action or a problem to fix.
async fn show(
    state: &AppState,
    citizen: &SignedInCitizen,
    notice: Option<&'static str>,
    problem: Option<Problem>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(state, &citizen.visitor, PATH, Section::Account)?;
    let t = &chrome.t.contacts;
    let book = state.store.contacts().book(citizen.id).await?;
    let now = state.now();
    let mut sections = Vec::new();
    for kind in ContactKind::ALL {
        sections.push(section(state, citizen.id, &book, kind, problem.as_ref(), now, t).await);
    }
    let errors = problem
        .iter()
        .map(|problem| {
            let offered = offered(state, problem.kind);
            ErrorLink {
                text: problem.text.clone(),
                target: match (problem.field, offered) {
                    (Field::Code, _) => format!("{}-code", problem.kind),
                    (Field::Value, true) => problem.kind.to_string(),
                    (Field::Value, false) => format!("{}-heading", problem.kind),
                },
            }
        })
        .collect();
    let status = problem.as_ref().map_or(StatusCode::OK, |p| p.status);
    render_with_status(
        status,
        &ContactsPage {
            csrf: chrome.csrf.clone().unwrap_or_default(),
            notice,
            errors,
            sections,
            chrome,
        },
    )
}

async fn section(
    state: &AppState,
    citizen: CitizenId,
    book: &ContactBook,
    kind: ContactKind,
    problem: Option<&Problem>,
    now: Timestamp,
    t: &'static ContactTexts,
) -> SectionView {
    let problem = problem.filter(|problem| problem.kind == kind);
    let at = |field| problem.filter(|problem| problem.field == field);
    let value_error = at(Field::Value).map(|problem| problem.text.clone());
    let code_error = at(Field::Code).map(|problem| problem.text.clone());
    let describedby = |base: String, error: &Option<String>| match error {
        Some(_) => format!("{base}-hint {base}-error"),
        None => format!("{base}-hint"),
    };
    let mut pending = None;
    if let Some(waiting) = book.pending(kind) {
        let demo_code = match demo_outbox(state, kind) {
            Some(outbox) => outbox
                .read(&outbox_reference(waiting.sent_at, kind, citizen))
                .await
                .map(|message| message.code),
            None => None,
        };
        pending = Some(PendingView {
            value: waiting.value.display(),
            until: local_time(waiting.expires_at),
            state_note: match waiting.state(now) {
                PendingState::Open => None,
                PendingState::Expired => Some(t.expired),
                PendingState::Exhausted => Some(t.no_attempts),
            },
            demo_code,
        });
    }
    let (title, none, new_label, hint, input_type) = match kind {
        ContactKind::Email => (
            t.email_title,
            t.no_email,
            t.new_email,
            t.email_hint,
            "email",
        ),
        ContactKind::Phone => (t.phone_title, t.no_phone, t.new_phone, t.phone_hint, "tel"),
    };
    SectionView {
        kind: kind.as_str(),
        title,
        none,
        verified: book.verified(kind).map(|contact| VerifiedView {
            value: contact.value.display(),
            at: local_time(contact.verified_at),
        }),
        pending,
        offered: offered(state, kind),
        new_label,
        hint,
        input_type,
        typed: at(Field::Value)
            .map(|problem| problem.typed.clone())
            .unwrap_or_default(),
        value_describedby: describedby(kind.to_string(), &value_error),
        value_error,
        typed_code: at(Field::Code)
            .map(|problem| problem.typed.clone())
            .unwrap_or_default(),
        code_describedby: describedby(format!("{kind}-code"), &code_error),
        code_error,
    }
}

/// Whether the portal can send codes for `kind`: e-mail always, telephone
/// numbers only through an SMS gateway or in the demo.
fn offered(state: &AppState, kind: ContactKind) -> bool {
    kind == ContactKind::Email || state.settings.contacts.sms.is_some()
}

fn demo_outbox(state: &AppState, kind: ContactKind) -> Option<&DemoOutbox> {
    let contacts = &state.settings.contacts;
    match kind {
        ContactKind::Email => contacts.email.demo_outbox(),
        ContactKind::Phone => contacts.sms.as_ref().and_then(|sms| sms.demo_outbox()),
    }
}

/// The demo outbox's name for the code sent at `sent_at`: the pending
/// verification says when, so the page finds it again.
fn outbox_reference(sent_at: Timestamp, kind: ContactKind, citizen: CitizenId) -> String {
    format!("{}-{kind}-{citizen}", sent_at.as_second())
}

fn code_key(state: &AppState) -> CodeKey {
    CodeKey::derive(state.settings.session_key.bytes())
}

#[derive(Debug, Deserialize)]
pub(crate) struct EmailForm {
    #[serde(default)]
    email: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct PhoneForm {
    #[serde(default)]
    phone: String,
}

pub(crate) async fn start_email(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
    ValidForm(form): ValidForm<EmailForm>,
) -> Result<Response, WebError> {
    start(&state, &citizen, ContactKind::Email, &form.email).await
}

pub(crate) async fn start_phone(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
    ValidForm(form): ValidForm<PhoneForm>,
) -> Result<Response, WebError> {
    start(&state, &citizen, ContactKind::Phone, &form.phone).await
}

/// Sends a code to a new value typed by the citizen.
async fn start(
    state: &AppState,
    citizen: &SignedInCitizen,
    kind: ContactKind,
    typed: &str,
) -> Result<Response, WebError> {
    let t = &crate::i18n::texts(citizen.visitor.language).contacts;
    let problem = |text: &str| Problem::new(kind, Field::Value, text, typed);
    if !offered(state, kind) {
        return show(state, citizen, None, Some(problem(t.not_offered))).await;
    }
    let value = match ContactValue::parse(kind, typed) {
        Ok(value) => value,
        Err(_) => {
            let text = match kind {
                ContactKind::Email => t.invalid_email,
                ContactKind::Phone => t.invalid_phone,
            };
            return show(state, citizen, None, Some(problem(text))).await;
        }
    };
    let book = state.store.contacts().book(citizen.id).await?;
    if book
        .verified(kind)
        .is_some_and(|verified| verified.value == value)
    {
        return show(state, citizen, None, Some(problem(t.already_verified))).await;
    }
    send_code(state, citizen, &book, value, Field::Value, typed).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct KindForm {
    #[serde(default)]
    kind: String,
}

fn kind_of(raw: &str) -> Result<ContactKind, WebError> {
    ContactKind::parse(raw).ok_or_else(|| WebError::BadRequest(format!("{raw:?}: not a contact")))
}

/// Sends a new code to the value under verification.
pub(crate) async fn resend(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
    ValidForm(form): ValidForm<KindForm>,
) -> Result<Response, WebError> {
    let kind = kind_of(&form.kind)?;
    let t = &crate::i18n::texts(citizen.visitor.language).contacts;
    let book = state.store.contacts().book(citizen.id).await?;
    let Some(pending) = book.pending(kind) else {
        let problem = Problem::new(kind, Field::Value, t.no_pending, "");
        return show(&state, &citizen, None, Some(problem)).await;
    };
    let value = pending.value.clone();
    send_code(&state, &citizen, &book, value, Field::Code, "").await
}

/// Sends a code to `value` and records it, unless one went out too
/// recently. A message that cannot be sent writes nothing.
async fn send_code(
    state: &AppState,
    citizen: &SignedInCitizen,
    book: &ContactBook,
    value: ContactValue,
    field: Field,
    typed: &str,
) -> Result<Response, WebError> {
    let t = &crate::i18n::texts(citizen.visitor.language).contacts;
    let kind = value.kind();
    let now = state.now();
    let too_early = |wait: jiff::SignedDuration| {
        let text = t
            .too_early
            .replace("{seconds}", &wait.as_secs().to_string());
        Problem::new(kind, field, text, typed)
    };
    if let Err(early) = VERIFICATION.may_send(book.pending(kind).map(|p| p.sent_at), now) {
        return show(state, citizen, None, Some(too_early(early.wait))).await;
    }
    let internal = |e: obcan_core::contact::RandomnessError| WebError::Internal(e.to_string());
    let code = VerificationCode::generate().map_err(internal)?;
    let sealed = code_key(state).seal(&code).map_err(internal)?;
    let reference = outbox_reference(now, kind, citizen.id);
    let message = VerificationMessage {
        site: &state.settings.branding.name,
        code: &code,
        valid_for: VERIFICATION.lifetime,
        reference: &reference,
    };
    let contacts = &state.settings.contacts;
    let sent = match (&value, &contacts.sms) {
        (ContactValue::Email(email), _) => contacts.email.send_code(email, &message).await,
        (ContactValue::Phone(phone), Some(sms)) => sms.send_code(phone, &message).await,
        (ContactValue::Phone(_), None) => Err(SendError::Refused("no SMS gateway".into())),
    };
    if let Err(error) = sent {
        tracing::warn!(%error, citizen = %citizen.id, %kind, "verification code not sent");
        let mut problem = Problem::new(kind, field, t.send_failed, typed);
        problem.status = StatusCode::SERVICE_UNAVAILABLE;
        return show(state, citizen, None, Some(problem)).await;
    }
    let event = event(state, citizen, Action::ContactVerificationSent, kind);
    let recorded = state
        .store
        .contacts()
        .record_sent(citizen.id, &value, &sealed, VERIFICATION, now, &event)
        .await?;
    match recorded {
        Ok(()) => Ok(Redirect::to(&format!("{PATH}?done=sent-{kind}#{kind}-code")).into_response()),
        Err(early) => show(state, citizen, None, Some(too_early(early.wait))).await,
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct VerifyForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    code: String,
}

/// Takes the code the citizen typed.
pub(crate) async fn verify(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
    ValidForm(form): ValidForm<VerifyForm>,
) -> Result<Response, WebError> {
    let kind = kind_of(&form.kind)?;
    let t = &crate::i18n::texts(citizen.visitor.language).contacts;
    let problem = |text: &str| Some(Problem::new(kind, Field::Code, text, &form.code));
    let Some(code) = VerificationCode::parse(&form.code) else {
        return show(&state, &citizen, None, problem(t.code_malformed)).await;
    };
    let events = VerifyEvents {
        verified: event(&state, &citizen, Action::ContactVerified, kind),
        failed: event(&state, &citizen, Action::ContactVerificationFailed, kind),
    };
    let outcome = state
        .store
        .contacts()
        .verify(
            citizen.id,
            kind,
            &code,
            &code_key(&state),
            state.now(),
            &events,
        )
        .await?;
    let text = match outcome {
        VerifyOutcome::Verified(_) => {
            tell_register(&state, citizen.id).await;
            return Ok(Redirect::to(&format!("{PATH}?done=verified-{kind}")).into_response());
        }
        VerifyOutcome::WrongCode { attempts_left: 0 } | VerifyOutcome::NoAttemptsLeft => {
            t.no_attempts.to_owned()
        }
        VerifyOutcome::WrongCode { attempts_left } => t
            .wrong_code
            .replace("{attempts}", &attempts_left.to_string()),
        VerifyOutcome::Expired => t.expired.to_owned(),
        VerifyOutcome::NoPending => {
            let problem = Problem::new(kind, Field::Value, t.no_pending, "");
            return show(&state, &citizen, None, Some(problem)).await;
        }
    };
    show(&state, &citizen, None, problem(&text)).await
}

/// Removes a verified value, and any verification of its kind under way.
pub(crate) async fn remove(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
    ValidForm(form): ValidForm<KindForm>,
) -> Result<Response, WebError> {
    let kind = kind_of(&form.kind)?;
    let had_verified = state
        .store
        .contacts()
        .book(citizen.id)
        .await?
        .verified(kind)
        .is_some();
    let event = event(&state, &citizen, Action::ContactRemoved, kind);
    let removed = state
        .store
        .contacts()
        .remove(citizen.id, kind, &event)
        .await?;
    if !removed {
        return Ok(Redirect::to(PATH).into_response());
    }
    if had_verified {
        tell_register(&state, citizen.id).await;
    }
    Ok(Redirect::to(&format!("{PATH}?done=removed-{kind}")).into_response())
}

fn event(
    state: &AppState,
    citizen: &SignedInCitizen,
    action: Action,
    kind: ContactKind,
) -> AuditEvent {
    AuditEvent::new(state.now(), Actor::Citizen(citizen.id), action)
        .about_citizen(citizen.id)
        .with("kind", kind.as_str())
        .from_ip(citizen.visitor.client.ip.clone())
}

/// Tells the register the citizen's verified contacts as they now are. The
/// change is committed already: nothing here can undo or fail it.
async fn tell_register(state: &AppState, citizen: CitizenId) {
    let book = match state.store.contacts().book(citizen).await {
        Ok(book) => book,
        Err(error) => {
            tracing::warn!(%error, %citizen, "contacts not passed on to the register");
            return;
        }
    };
    let value = |contact: Option<obcan_store::VerifiedContact>| {
        contact.map(|contact| contact.value.as_str().to_owned())
    };
    let details = ContactDetails {
        email: value(book.email),
        phone: value(book.phone),
    };
    crate::registers::tell_contacts(state, citizen, &details).await;
}
