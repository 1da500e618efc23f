//! Registration at the counter: an official who has checked a person's
//! identity document creates a local account for someone without an eID.
//! Of the document only its type and the last four characters of its number
//! are kept, with who checked it and when. The citizen gets a one-time
//! activation code, printed on a receipt and kept only as its hash.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use jiff::civil::Date;
use obcan_core::audit::{Action, Actor, AuditEvent};
use obcan_core::citizen::{CitizenId, PersonName};
use obcan_core::credential::ActivationCode;
use obcan_core::registration::{DocumentNumberTail, DocumentType};
use obcan_core::staff::LoginName;
use obcan_store::CounterRegistration;
use serde::Deserialize;

use crate::authz::{SignedInStaff, need};
use crate::client_ip::ClientIp;
use crate::error::WebError;
use crate::pages::{Chrome, Section, ValidForm, render, render_with_status};
use crate::session::sha256_hex;
use crate::state::AppState;

type Official = SignedInStaff<need::RegisterCitizens>;

const PATH: &str = "/office/register";
/// How long the citizen has to activate the account.
const ACTIVATION_LIFETIME: jiff::SignedDuration = jiff::SignedDuration::from_hours(14 * 24);

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RegistrationForm {
    #[serde(default)]
    given_name: String,
    #[serde(default)]
    family_name: String,
    #[serde(default)]
    birth_date: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    document_type: String,
    #[serde(default)]
    document_number: String,
    identity_checked: Option<String>,
}

#[derive(Debug)]
struct DocumentChoice {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

#[derive(Template)]
#[template(path = "office_register.html")]
struct RegisterPage {
    chrome: Chrome,
    csrf: String,
    errors: Vec<&'static str>,
    form: RegistrationForm,
    documents: Vec<DocumentChoice>,
}

fn form_page(
    state: &AppState,
    official: &Official,
    form: RegistrationForm,
    errors: Vec<&'static str>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(state, &official.visitor, PATH, Section::Office)?;
    let t = chrome.t;
    let documents = DocumentType::ALL
        .into_iter()
        .map(|kind| DocumentChoice {
            value: kind.as_str(),
            label: t.document(kind),
            selected: kind.as_str() == form.document_type,
        })
        .collect();
    let page = RegisterPage {
        csrf: chrome.csrf.clone().unwrap_or_default(),
        errors,
        form,
        documents,
        chrome,
    };
    if page.errors.is_empty() {
        render(&page)
    } else {
        render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    }
}

pub(crate) async fn page(
    State(state): State<AppState>,
    official: Official,
) -> Result<Response, WebError> {
    form_page(&state, &official, RegistrationForm::default(), Vec::new())
}

#[derive(Template)]
#[template(path = "office_receipt.html")]
struct ReceiptPage {
    chrome: Chrome,
    name: String,
    login: String,
    code: String,
    valid_until: String,
    address: String,
}

/// The registration's values once they are all valid, or every problem found.
struct Valid {
    name: PersonName,
    birth_date: Date,
    login: LoginName,
    document_type: DocumentType,
    document_tail: DocumentNumberTail,
}

fn validate(
    form: &RegistrationForm,
    today: Date,
    t: &crate::i18n::Texts,
) -> Result<Valid, Vec<&'static str>> {
    let name = PersonName::new(&form.given_name, &form.family_name);
    let birth_date = form
        .birth_date
        .trim()
        .parse::<Date>()
        .ok()
        .filter(|date| *date < today && date.year() >= 1900);
    let login = LoginName::parse(&form.login);
    let document_type = form.document_type.parse::<DocumentType>();
    let document_tail = DocumentNumberTail::of(&form.document_number);
    match (name, birth_date, login, document_type, document_tail) {
        (Ok(name), Some(birth_date), Ok(login), Ok(document_type), Ok(document_tail))
            if form.identity_checked.is_some() =>
        {
            Ok(Valid {
                name,
                birth_date,
                login,
                document_type,
                document_tail,
            })
        }
        (name, birth_date, login, document_type, document_tail) => {
            let problems = [
                (name.is_err(), t.office.invalid_name),
                (birth_date.is_none(), t.office.invalid_birth_date),
                (login.is_err(), t.office.invalid_login),
                (
                    document_type.is_err() || document_tail.is_err(),
                    t.office.invalid_document,
                ),
                (form.identity_checked.is_none(), t.office.unchecked_identity),
            ];
            Err(problems
                .into_iter()
                .filter(|(wrong, _)| *wrong)
                .map(|(_, text)| text)
                .collect())
        }
    }
}

pub(crate) async fn submit(
    State(state): State<AppState>,
    official: Official,
    ip: ClientIp,
    ValidForm(form): ValidForm<RegistrationForm>,
) -> Result<Response, WebError> {
    let now = state.now();
    let zone = obcan_core::time::office_zone();
    let today = now.to_zoned(zone.clone()).date();
    let chrome_texts = crate::i18n::texts(official.visitor.language);
    let valid = match validate(&form, today, chrome_texts) {
        Ok(valid) => valid,
        Err(errors) => return form_page(&state, &official, form, errors),
    };
    let code = ActivationCode::generate().map_err(|e| WebError::Internal(e.to_string()))?;
    let code_hash = sha256_hex(code.as_str());
    let expires_at = now
        .checked_add(ACTIVATION_LIFETIME)
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let citizen = CitizenId::random();
    let registration = CounterRegistration {
        citizen,
        name: &valid.name,
        birth_date: valid.birth_date,
        login: &valid.login,
        document_type: valid.document_type,
        document_tail: &valid.document_tail,
        verified_by: official.grants.id,
        activation_code_hash: &code_hash,
        activation_expires_at: expires_at,
    };
    let event = AuditEvent::new(
        now,
        Actor::Staff(official.grants.id.uuid()),
        Action::CitizenRegistered,
    )
    .about_citizen(citizen)
    .with("login", valid.login.as_str())
    .with("document_type", valid.document_type.as_str())
    .from_ip(ip.text());
    let registered = state
        .store
        .local_accounts()
        .register(&registration, now, &event)
        .await?;
    if registered.is_err() {
        return form_page(
            &state,
            &official,
            form,
            vec![chrome_texts.office.login_taken],
        );
    }
    let chrome = Chrome::new(&state, &official.visitor, PATH, Section::Office)?;
    let valid_until = chrome
        .t
        .date(expires_at.to_zoned(zone).date(), official.visitor.language);
    render(&ReceiptPage {
        chrome,
        name: valid.name.to_string(),
        login: valid.login.to_string(),
        code: code.grouped(),
        valid_until,
        address: format!(
            "{}/activate",
            state.settings.public_url.trim_end_matches('/')
        ),
    })
}
