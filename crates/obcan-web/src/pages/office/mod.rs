//! The back office: the staff home, and one module per area. Every handler
//! asks for `SignedInStaff<need::…>`, so the policy decides before it runs;
//! what depends on the record at hand (one agenda, one colleague) it asks
//! the policy again through `SignedInStaff::require`.

pub(crate) mod agenda;
pub(crate) mod audit;
pub(crate) mod integrations;
pub(crate) mod login;
pub(crate) mod organisation;
pub(crate) mod records;
pub(crate) mod registration;
pub(crate) mod staff;

use askama::Template;
use axum::extract::State;
use axum::extract::multipart::Field;
use axum::response::Response;
use obcan_core::audit::AuditEvent;
use obcan_core::documents::{DocumentId, DocumentName};
use obcan_core::language::Language;
use obcan_core::policy::Permission;
use obcan_core::records::RecordFileId;
use obcan_store::{Acting, Agenda, NewFiledDocument, StoredContent};

use super::documents::{content_disposition, refusal_text, stored_content_response};
use super::{Chrome, Section, render};
use crate::authz::{SignedInStaff, need};
use crate::client_ip::ClientIp;
use crate::documents::{Refused, check_into};
use crate::error::WebError;
use crate::state::AppState;

/// The staff member acting now, as the store's audited steps record them.
fn acting<N>(state: &AppState, staff: &SignedInStaff<N>, ip: &ClientIp) -> Acting {
    Acting {
        by: staff.grants.id,
        at: state.now(),
        ip: ip.text(),
    }
}

/// Why a document uploaded into a file was not stored.
#[derive(Debug)]
enum UploadRefused {
    /// The file takes no documents now.
    File(obcan_store::Refused),
    /// The document itself: its name, kind or size, as the user reads it.
    Document(String),
}

/// A document uploaded into an open file: its name and content checked,
/// stored under the file's key as it streams; the caller files it or
/// discards it.
async fn upload_into(
    state: &AppState,
    field: &mut Field<'_>,
    file: RecordFileId,
    name: &str,
    language: Language,
) -> Result<Result<(NewFiledDocument, StoredContent), UploadRefused>, WebError> {
    let t = &crate::i18n::texts(language).documents;
    let name = match DocumentName::parse(name) {
        Ok(name) => name,
        Err(invalid) => {
            let reason = Refused::Name(invalid);
            return Ok(Err(UploadRefused::Document(refusal_text(
                &reason, t, language,
            ))));
        }
    };
    let upload = match state.store.records().begin_filing(file).await? {
        Ok(upload) => upload,
        Err(refused) => return Ok(Err(UploadRefused::File(refused))),
    };
    // One document is at most as large as a citizen's whole storage.
    let largest = Some((state.settings.documents.quota, 0));
    Ok(match check_into(field, upload, &name, largest).await? {
        Ok((detected, content)) => {
            let document = NewFiledDocument {
                id: DocumentId::random(),
                name: name.with_extension(detected.extension()),
                media_type: detected.media_type().to_owned(),
            };
            Ok((document, content))
        }
        Err(reason) => Err(UploadRefused::Document(refusal_text(&reason, t, language))),
    })
}

/// A file's document as it was filed, its read audited as `event` says.
pub(crate) async fn filed_download(
    state: &AppState,
    file: RecordFileId,
    document: DocumentId,
    event: AuditEvent,
) -> Result<Response, WebError> {
    let records = state.store.records();
    let filed = records
        .documents(file)
        .await?
        .into_iter()
        .find(|filed| filed.id == document)
        .ok_or(WebError::NotFound)?;
    let content = records
        .content(file, document)
        .await?
        .ok_or(WebError::NotFound)?;
    state
        .store
        .audit()
        .append(&event.with("document", document.to_string()))
        .await?;
    stored_content_response(
        content,
        &filed.media_type,
        filed.size,
        &content_disposition("attachment", filed.name.as_str()),
    )
}

/// A link on the staff home.
#[derive(Debug)]
struct Task {
    href: &'static str,
    label: &'static str,
}

#[derive(Template)]
#[template(path = "office_home.html")]
struct HomePage {
    chrome: Chrome,
    name: String,
    roles: Vec<&'static str>,
    tasks: Vec<Task>,
    official: bool,
    agendas: Vec<Agenda>,
}

pub(crate) async fn home(
    State(state): State<AppState>,
    staff: SignedInStaff<need::Office>,
) -> Result<Response, WebError> {
    let member = state
        .store
        .staff()
        .get(staff.grants.id)
        .await?
        .ok_or(WebError::Forbidden)?;
    let chrome = Chrome::new(&state, &staff.visitor, "/office", Section::Office)?;
    let t = chrome.t;
    let tasks = [
        (
            Permission::ManageStaff,
            "/office/staff",
            t.office.staff_title,
        ),
        (
            Permission::ManageOrganisation,
            "/office/organisation",
            t.office.organisation_title,
        ),
        (
            Permission::RegisterCitizens,
            "/office/register",
            t.office.register_title,
        ),
        (Permission::ReadAudit, "/office/audit", t.office.audit_title),
        (
            Permission::ManageRecords,
            "/office/records",
            t.records.title,
        ),
    ]
    .into_iter()
    .filter(|(permission, _, _)| staff.may(*permission))
    .map(|(_, href, label)| Task { href, label })
    .collect();
    let official = staff.may(Permission::WorkAgendas);
    let agendas = if official {
        agendas_of(&state, &staff).await?
    } else {
        Vec::new()
    };
    render(&HomePage {
        name: member.display_name.to_string(),
        roles: member.roles.iter().map(|role| t.role(*role)).collect(),
        tasks,
        official,
        agendas,
        chrome,
    })
}

/// The agendas a staff member may work, by department and name.
async fn agendas_of<N>(
    state: &AppState,
    staff: &SignedInStaff<N>,
) -> Result<Vec<Agenda>, WebError> {
    Ok(state
        .store
        .organisation()
        .departments()
        .await?
        .into_iter()
        .flat_map(|department| department.agendas)
        .filter(|agenda| {
            staff.may(Permission::WorkAgenda {
                agenda: agenda.id,
                department: agenda.department,
            })
        })
        .collect())
}
