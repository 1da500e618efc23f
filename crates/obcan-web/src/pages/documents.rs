//! "Moje dokumenty": the citizen's document storage. Upload (several files
//! at once; a plain form, with progress shown when JavaScript is on),
//! folders, rename, delete, download, preview of PDF and images, the quota,
//! and each document's access history. What the office delivered is shown
//! with its sender and cannot be changed.

use askama::Template;
use axum::body::{Body, to_bytes};
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use futures_util::TryStreamExt as _;
use obcan_core::audit::{Action, Actor, AuditEvent};
use obcan_core::documents::{DocumentId, DocumentName, FolderName, InvalidName, Origin};
use obcan_formats::content_check::{FileKind, Refusal, Unsupported};
use obcan_store::Document;
use serde::Deserialize;

use super::{Chrome, Section, ValidForm, ValidQuery, local_time, render_with_status, text_field};
use crate::authz::SignedInCitizen;
use crate::documents::{Intake, Refused, Uploader, take_file};
use crate::error::WebError;
use crate::i18n::{DocumentTexts, Texts};
use crate::state::AppState;
use obcan_core::language::Language;

const PATH: &str = "/documents";
/// What a multipart form adds around its files, at most: the boundaries,
/// part headers and the other fields.
const FORM_OVERHEAD: u64 = 64 * 1024;
/// Entries of a document's access history shown.
const HISTORY: u32 = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Done {
    Uploaded,
    Deleted,
    Renamed,
    Moved,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ListQuery {
    folder: Option<String>,
    done: Option<Done>,
}

#[derive(Debug)]
struct Row {
    id: String,
    name: String,
    folder: String,
    kind: String,
    size: String,
    stored: String,
    office: Option<String>,
    damaged: bool,
}

#[derive(Debug)]
struct FolderLink {
    name: String,
    href: String,
    count: usize,
    current: bool,
}

#[derive(Debug)]
struct Usage {
    used: String,
    limit: String,
    percent: u8,
    full: bool,
}

/// A file of the last upload that was not stored, and why.
#[derive(Debug)]
struct RefusedView {
    name: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "documents.html")]
struct ListPage {
    chrome: Chrome,
    csrf: String,
    notice: Option<String>,
    refused: Vec<RefusedView>,
    usage: Usage,
    folders: Vec<FolderLink>,
    all_href: &'static str,
    all_current: bool,
    all_count: usize,
    rows: Vec<Row>,
    folder_names: Vec<String>,
    typed_folder: String,
    folder_error: Option<String>,
    accepted: String,
    upload_script: String,
}

pub(crate) async fn list(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
    ValidQuery(query): ValidQuery<ListQuery>,
) -> Result<Response, WebError> {
    let t = &crate::i18n::texts(citizen.visitor.language).documents;
    let notice = query.done.map(|done| {
        match done {
            Done::Uploaded => t.done_uploaded,
            Done::Deleted => t.done_deleted,
            Done::Renamed => t.done_renamed,
            Done::Moved => t.done_moved,
        }
        .to_owned()
    });
    let folder = query.folder.filter(|folder| !folder.is_empty());
    show_list(
        &state,
        &citizen,
        folder.as_deref(),
        notice,
        Vec::new(),
        None,
    )
    .await
}

/// The list, with what the last action left to say.
async fn show_list(
    state: &AppState,
    citizen: &SignedInCitizen,
    folder: Option<&str>,
    notice: Option<String>,
    refused: Vec<RefusedView>,
    folder_problem: Option<(String, String)>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(state, &citizen.visitor, PATH, Section::Documents)?;
    let language = citizen.visitor.language;
    let documents = state.store.documents().list(&citizen.id).await?;
    let used: u64 = documents.iter().map(|document| document.size).sum();
    let quota = state.settings.documents.quota;
    let mut folder_names: Vec<String> = documents
        .iter()
        .filter_map(|document| document.folder.as_ref().map(|f| f.as_str().to_owned()))
        .collect();
    folder_names.sort();
    folder_names.dedup();
    let folders = folder_names
        .iter()
        .map(|name| FolderLink {
            href: format!("{PATH}?folder={}", url_encode(name)),
            count: documents
                .iter()
                .filter(|d| d.folder.as_ref().is_some_and(|f| f.as_str() == name))
                .count(),
            current: folder == Some(name.as_str()),
            name: name.clone(),
        })
        .collect();
    let rows = documents
        .iter()
        .filter(|document| {
            folder.is_none_or(|wanted| {
                document
                    .folder
                    .as_ref()
                    .is_some_and(|f| f.as_str() == wanted)
            })
        })
        .map(|document| row(document, chrome.t, language))
        .collect();
    let (typed_folder, folder_error) = match folder_problem {
        Some((typed, error)) => (typed, Some(error)),
        None => (folder.unwrap_or_default().to_owned(), None),
    };
    let status = if refused.is_empty() && folder_error.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ListPage {
        csrf: chrome.csrf.clone().unwrap_or_default(),
        notice,
        refused,
        usage: Usage {
            used: human_size(used, language),
            limit: human_size(quota.limit(), language),
            percent: quota.percent_used(used),
            full: quota.remaining(used) == 0,
        },
        folders,
        all_href: PATH,
        all_current: folder.is_none(),
        all_count: documents.len(),
        rows,
        folder_names,
        typed_folder,
        folder_error,
        accepted: FileKind::ALL
            .iter()
            .map(|kind| kind.extension().to_uppercase())
            .collect::<Vec<_>>()
            .join(", "),
        upload_script: crate::assets::url("upload.js"),
        chrome,
    };
    render_with_status(status, &page)
}

fn row(document: &Document, t: &'static Texts, language: Language) -> Row {
    Row {
        id: document.id.to_string(),
        name: document.name.to_string(),
        folder: document
            .folder
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        kind: kind_label(&document.media_type, t),
        size: human_size(document.size, language),
        stored: local_time(document.stored_at),
        office: match &document.origin {
            Origin::Office { sender } => Some(sender.clone()),
            Origin::Uploaded => None,
        },
        damaged: document.damaged_at.is_some(),
    }
}

/// Takes an upload: the `_csrf` field first (the CSRF check reads it), then
/// `folder`, then the files.
pub(crate) async fn upload(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
    headers: axum::http::HeaderMap,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let t = &crate::i18n::texts(citizen.visitor.language).documents;
    let language = citizen.visitor.language;
    // What cannot fit is refused before a byte of it is read.
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    let quota = state.settings.documents.quota;
    let remaining = quota.remaining(state.store.documents().usage(&citizen.id).await?);
    if announced.is_some_and(|length| length > remaining.saturating_add(FORM_OVERHEAD)) {
        let event = AuditEvent::new(
            state.now(),
            Actor::Citizen(citizen.id),
            Action::DocumentRefused,
        )
        .about_citizen(citizen.id)
        .with("reason", "over_quota")
        .from_ip(citizen.visitor.client.ip.clone());
        state.store.audit().append(&event).await?;
        let refused = vec![RefusedView {
            name: String::new(),
            reason: refusal_text(&Refused::OverQuota { remaining }, t, language),
        }];
        let mut response = show_list(&state, &citizen, None, None, refused, None).await?;
        // The rest of the body is not read: the connection cannot be reused.
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return Ok(response);
    }
    let uploader = Uploader {
        citizen: citizen.id,
        ip: citizen.visitor.client.ip.clone(),
    };
    let mut folder: Option<FolderName> = None;
    let mut intakes: Vec<Intake> = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            // The browser stopped sending, or sent something that is not a form.
            Err(_) if !intakes.is_empty() => break,
            Err(error) => return Err(WebError::BadRequest(error.body_text())),
        };
        match field.name() {
            Some("folder") => {
                let typed = field.text().await.unwrap_or_default();
                if typed.trim().is_empty() {
                    continue;
                }
                match FolderName::parse(&typed) {
                    Ok(name) => folder = Some(name),
                    Err(invalid) => {
                        let error = format!("{}: {}", t.folder_label, name_problem(invalid, t));
                        return show_list(
                            &state,
                            &citizen,
                            None,
                            None,
                            Vec::new(),
                            Some((typed, error)),
                        )
                        .await;
                    }
                }
            }
            Some("files") => {
                let intake = take_file(&state, &uploader, field, folder.as_ref()).await?;
                let full = matches!(intake.outcome, Err(Refused::OverQuota { .. }));
                intakes.push(intake);
                if full {
                    // Whatever follows would not fit either.
                    break;
                }
            }
            _ => {}
        }
    }
    let stored = intakes
        .iter()
        .filter(|intake| intake.outcome.is_ok())
        .count();
    let refused: Vec<RefusedView> = intakes
        .into_iter()
        .filter_map(|intake| match intake.outcome {
            Err(reason) => Some(RefusedView {
                name: intake.typed,
                reason: refusal_text(&reason, t, language),
            }),
            Ok(_) => None,
        })
        .collect();
    if refused.is_empty() && stored > 0 {
        let back = match &folder {
            Some(folder) => format!(
                "{PATH}?folder={}&done=uploaded",
                url_encode(folder.as_str())
            ),
            None => format!("{PATH}?done=uploaded"),
        };
        return Ok(Redirect::to(&back).into_response());
    }
    let refused = if refused.is_empty() {
        vec![RefusedView {
            name: String::new(),
            reason: t.refused_no_file.to_owned(),
        }]
    } else {
        refused
    };
    let notice = (stored > 0).then(|| format!("{} {stored}", t.done_uploaded_some));
    show_list(
        &state,
        &citizen,
        folder.as_ref().map(FolderName::as_str),
        notice,
        refused,
        None,
    )
    .await
}

/// A post of a form that may carry files for the citizen's documents.
#[derive(Debug, Default)]
pub(crate) struct PostWithFiles {
    /// Its fields; each file stored is among them as its input's name with
    /// the new document's id, as if chosen from the citizen's documents.
    pub fields: Vec<(String, String)>,
    /// Each file refused: its input's name, and its name and why.
    pub refused: Vec<(String, String)>,
    /// Whether a file was stored.
    pub stored: bool,
}

/// Reads a form's post: urlencoded (within the form limit), or multipart,
/// whose files at the inputs `takes_files` accepts are taken into the
/// citizen's documents, checked and audited as any upload. A file at any
/// other input is a forged post.
pub(crate) async fn read_post_with_files(
    state: &AppState,
    citizen: &SignedInCitizen,
    request: Request,
    takes_files: impl Fn(&str) -> bool,
) -> Result<PostWithFiles, WebError> {
    let limit = state.settings.body_limit;
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("multipart/form-data"));
    if !multipart {
        let bytes = to_bytes(request.into_body(), limit)
            .await
            .map_err(|_| WebError::PayloadTooLarge)?;
        let fields = serde_urlencoded::from_bytes(&bytes)
            .map_err(|error| WebError::BadRequest(error.to_string()))?;
        return Ok(PostWithFiles {
            fields,
            ..PostWithFiles::default()
        });
    }
    let mut multipart = Multipart::from_request(request, state)
        .await
        .map_err(|rejection| WebError::BadRequest(rejection.body_text()))?;
    let language = citizen.visitor.language;
    let t = &crate::i18n::texts(language).documents;
    let uploader = Uploader {
        citizen: citizen.id,
        ip: citizen.visitor.client.ip.clone(),
    };
    let mut post = PostWithFiles::default();
    let mut text_room = limit;
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|error| WebError::BadRequest(error.body_text()))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if field.file_name().is_none() {
            let value = text_field(&mut field, text_room).await?;
            text_room = text_room.saturating_sub(value.len());
            post.fields.push((name, value));
            continue;
        }
        if !takes_files(&name) {
            return Err(WebError::BadRequest(format!(
                "no file is taken at {name:?}"
            )));
        }
        let intake = take_file(state, &uploader, field, None).await?;
        match intake.outcome {
            Ok(document) => {
                post.fields.push((name, document.to_string()));
                post.stored = true;
            }
            // No file was chosen at the input.
            Err(Refused::NoFile) => {}
            Err(refused) => {
                let why = refusal_text(&refused, t, language);
                post.refused
                    .push((name, format!("{} – {why}", intake.typed)));
            }
        }
    }
    Ok(post)
}

pub(crate) fn refusal_text(
    reason: &Refused,
    t: &'static DocumentTexts,
    language: Language,
) -> String {
    match reason {
        Refused::NoFile => t.refused_no_file.to_owned(),
        Refused::Name(invalid) => name_problem(*invalid, t).to_owned(),
        Refused::OverQuota { remaining } => {
            format!(
                "{} {}.",
                t.refused_over_quota,
                human_size(*remaining, language)
            )
        }
        Refused::Interrupted => t.refused_interrupted.to_owned(),
        Refused::Format(refusal) => format_problem(refusal, t),
    }
}

fn format_problem(refusal: &Refusal, t: &'static DocumentTexts) -> String {
    match refusal {
        Refusal::Empty => t.refused_empty.to_owned(),
        Refusal::UnknownType => t.refused_unknown_type.to_owned(),
        Refusal::ExtensionMismatch {
            detected,
            extension,
        } => format!(
            "{} {} {} .{extension}. {}",
            t.refused_mismatch_1,
            detected.extension().to_uppercase(),
            t.refused_mismatch_2,
            t.refused_mismatch_3
        ),
        Refusal::ForbiddenExtension { extension } => {
            format!("{} .{extension}.", t.refused_forbidden_extension)
        }
        Refusal::Executable(_) => t.refused_executable.to_owned(),
        Refusal::Script(_) => t.refused_script.to_owned(),
        Refusal::PdfActiveContent(_) => t.refused_pdf_active.to_owned(),
        Refusal::Macros => t.refused_macros.to_owned(),
        Refusal::Encrypted => t.refused_encrypted.to_owned(),
        Refusal::Unsupported(Unsupported::LegacyOffice) => t.refused_legacy_office.to_owned(),
        Refusal::Unsupported(Unsupported::DiskImage) => t.refused_disk_image.to_owned(),
        Refusal::Unsupported(format) => format!("{} ({format}).", t.refused_archive),
        Refusal::NestedArchive { entry } => format!("{} {entry}", t.refused_nested_archive),
        Refusal::ArchivedProgram { entry } => format!("{} {entry}", t.refused_archived_program),
        Refusal::CompressionBomb => t.refused_archive_bomb.to_owned(),
        Refusal::Polyglot(_) => t.refused_polyglot.to_owned(),
        Refusal::Malformed => t.refused_malformed.to_owned(),
    }
}

fn name_problem(invalid: InvalidName, t: &'static DocumentTexts) -> &'static str {
    match invalid {
        InvalidName::Empty => t.name_empty,
        InvalidName::TooLong => t.name_too_long,
        InvalidName::PathSeparator => t.name_separator,
        InvalidName::ControlCharacter => t.name_control,
        InvalidName::OnlyDots => t.name_dots,
    }
}

// ------------------------------------------------------------ one document

#[derive(Debug)]
struct HistoryRow {
    when: String,
    what: &'static str,
    who: String,
    address: String,
}

#[derive(Template)]
#[template(path = "document.html")]
struct DetailPage {
    chrome: Chrome,
    csrf: String,
    notice: Option<&'static str>,
    document: Row,
    read_only: bool,
    preview: Option<&'static str>,
    folder_names: Vec<String>,
    typed_name: String,
    name_error: Option<String>,
    typed_folder: String,
    folder_error: Option<String>,
    history: Vec<HistoryRow>,
}

fn document_id(raw: &str) -> Result<DocumentId, WebError> {
    DocumentId::parse(raw).ok_or(WebError::NotFound)
}

#[derive(Debug, Deserialize)]
pub(crate) struct DetailQuery {
    done: Option<Done>,
}

pub(crate) async fn detail(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
    Path(id): Path<String>,
    ValidQuery(query): ValidQuery<DetailQuery>,
) -> Result<Response, WebError> {
    let t = &crate::i18n::texts(citizen.visitor.language).documents;
    let notice = query.done.and_then(|done| match done {
        Done::Renamed => Some(t.done_renamed),
        Done::Moved => Some(t.done_moved),
        // Said on the list, which those lead back to.
        Done::Uploaded | Done::Deleted => None,
    });
    show_detail(&state, &citizen, document_id(&id)?, notice, None, None).await
}

/// A problem with a typed value: what was typed and what is wrong.
type Typed = (String, String);

async fn show_detail(
    state: &AppState,
    citizen: &SignedInCitizen,
    id: DocumentId,
    notice: Option<&'static str>,
    name_problem: Option<Typed>,
    folder_problem: Option<Typed>,
) -> Result<Response, WebError> {
    let documents = state.store.documents();
    let document = documents
        .get(&citizen.id, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let chrome = Chrome::new(state, &citizen.visitor, PATH, Section::Documents)?;
    let t = chrome.t;
    let mut folder_names: Vec<String> = documents
        .list(&citizen.id)
        .await?
        .into_iter()
        .filter_map(|document| document.folder.map(|folder| folder.to_string()))
        .collect();
    folder_names.sort();
    folder_names.dedup();
    let history = state
        .store
        .audit()
        .about(
            &format!("document:{id}"),
            &[
                Action::DocumentUploaded.as_str(),
                Action::DocumentRead.as_str(),
                Action::DocumentChanged.as_str(),
            ],
            HISTORY,
        )
        .await?
        .into_iter()
        .map(|entry| HistoryRow {
            when: local_time(entry.at),
            what: match (
                entry.action.as_str(),
                entry.detail.get("how").map(String::as_str),
            ) {
                ("document_uploaded", _) => t.documents.event_uploaded,
                ("document_read", Some("preview")) => t.documents.event_previewed,
                ("document_read", _) => t.documents.event_downloaded,
                _ => t.documents.event_changed,
            },
            who: if entry.actor == Actor::Citizen(citizen.id).to_string() {
                t.documents.by_you.to_owned()
            } else if entry.actor.starts_with("staff:") {
                t.documents.by_office.to_owned()
            } else {
                t.documents.by_system.to_owned()
            },
            address: entry.ip.unwrap_or_default(),
        })
        .collect();
    let status = if name_problem.is_some() || folder_problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let (typed_name, name_error) = match name_problem {
        Some((typed, error)) => (typed, Some(error)),
        None => (document.name.to_string(), None),
    };
    let (typed_folder, folder_error) = match folder_problem {
        Some((typed, error)) => (typed, Some(error)),
        None => (
            document
                .folder
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            None,
        ),
    };
    let page = DetailPage {
        csrf: chrome.csrf.clone().unwrap_or_default(),
        notice,
        read_only: document.origin.is_read_only(),
        preview: previewable(&document.media_type),
        document: row(&document, t, citizen.visitor.language),
        folder_names,
        typed_name,
        name_error,
        typed_folder,
        folder_error,
        history,
        chrome,
    };
    render_with_status(status, &page)
}

/// How the detail page shows the document inline, if at all.
fn previewable(media_type: &str) -> Option<&'static str> {
    match media_type {
        "application/pdf" => Some("pdf"),
        "image/png" | "image/jpeg" | "image/gif" | "image/webp" => Some("image"),
        _ => None,
    }
}

pub(crate) async fn download(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    serve(&state, &citizen, document_id(&id)?, false).await
}

pub(crate) async fn preview(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    serve(&state, &citizen, document_id(&id)?, true).await
}

/// Sends the content, opened as it streams; audited before the first byte.
async fn serve(
    state: &AppState,
    citizen: &SignedInCitizen,
    id: DocumentId,
    inline: bool,
) -> Result<Response, WebError> {
    let documents = state.store.documents();
    let document = documents
        .get(&citizen.id, id)
        .await?
        .ok_or(WebError::NotFound)?;
    if inline && previewable(&document.media_type).is_none() {
        return Err(WebError::NotFound);
    }
    let content = documents
        .content(&citizen.id, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let event = AuditEvent::new(
        state.now(),
        Actor::Citizen(citizen.id),
        Action::DocumentRead,
    )
    .about_document(id)
    .with("how", if inline { "preview" } else { "download" })
    .from_ip(citizen.visitor.client.ip.clone());
    state.store.audit().append(&event).await?;
    let disposition = if inline { "inline" } else { "attachment" };
    let mut response = stored_content_response(
        content,
        &document.media_type,
        document.size,
        &content_disposition(disposition, document.name.as_str()),
    )?;
    let headers = response.headers_mut();
    if inline {
        // Shown in a frame of the detail page, and nowhere else; an image
        // gets a sandbox too (the PDF viewer does not run in one).
        let policy = if document.media_type == "application/pdf" {
            "default-src 'none'; frame-ancestors 'self'"
        } else {
            "default-src 'none'; img-src 'self'; frame-ancestors 'self'; sandbox"
        };
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(policy),
        );
        headers.insert(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("SAMEORIGIN"),
        );
    }
    Ok(response)
}

/// Stored content as a response that streams it as it opens: never
/// compressed, never cached, with its type, length and disposition.
pub(crate) fn stored_content_response(
    content: obcan_store::Content,
    media_type: &str,
    size: u64,
    disposition: &str,
) -> Result<Response, WebError> {
    let stream = content.stream.map_err(|error| {
        tracing::error!(%error, "stored content broke off while being sent");
        std::io::Error::other(error.to_string())
    });
    private_download(
        Body::from_stream(stream),
        media_type,
        Some(size),
        disposition,
    )
}

/// A download of personal data: never cached, never compressed again (the
/// stored formats are compressed already, or stored as they are); its size
/// when known in advance.
pub(crate) fn private_download(
    body: Body,
    media_type: &str,
    size: Option<u64>,
    disposition: &str,
) -> Result<Response, WebError> {
    let mut response = body.into_response();
    response
        .extensions_mut()
        .insert(crate::documents::StoredContent);
    let headers = response.headers_mut();
    let header = |value: &str| {
        HeaderValue::from_str(value).map_err(|e| WebError::Internal(format!("header: {e}")))
    };
    headers.insert(header::CONTENT_TYPE, header(media_type)?);
    if let Some(size) = size {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    headers.insert(header::CONTENT_DISPOSITION, header(disposition)?);
    Ok(response)
}

/// `attachment; filename="…"; filename*=UTF-8''…` (RFC 6266): an ASCII
/// fallback and the exact name, percent-encoded.
pub(crate) fn content_disposition(kind: &str, name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "{kind}; filename=\"{fallback}\"; filename*=UTF-8''{}",
        url_encode(name)
    )
}

/// Percent-encodes all but RFC 3986's unreserved characters.
fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[derive(Debug, Deserialize)]
pub(crate) struct RenameForm {
    #[serde(default)]
    name: String,
}

pub(crate) async fn rename(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<RenameForm>,
) -> Result<Response, WebError> {
    let id = document_id(&id)?;
    let t = &crate::i18n::texts(citizen.visitor.language).documents;
    let name = match DocumentName::parse(&form.name) {
        Ok(name) => name,
        Err(invalid) => {
            let problem = (form.name, name_problem(invalid, t).to_owned());
            return show_detail(&state, &citizen, id, None, Some(problem), None).await;
        }
    };
    let event = change_event(&state, &citizen, id, "rename");
    if !state
        .store
        .documents()
        .rename(&citizen.id, id, &name, &event)
        .await?
    {
        return Err(WebError::Forbidden);
    }
    Ok(Redirect::to(&format!("{PATH}/{id}?done=renamed")).into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct FolderForm {
    #[serde(default)]
    folder: String,
}

pub(crate) async fn move_to_folder(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<FolderForm>,
) -> Result<Response, WebError> {
    let id = document_id(&id)?;
    let t = &crate::i18n::texts(citizen.visitor.language).documents;
    let folder = if form.folder.trim().is_empty() {
        None
    } else {
        match FolderName::parse(&form.folder) {
            Ok(folder) => Some(folder),
            Err(invalid) => {
                let problem = (form.folder, name_problem(invalid, t).to_owned());
                return show_detail(&state, &citizen, id, None, None, Some(problem)).await;
            }
        }
    };
    let event = change_event(&state, &citizen, id, "folder");
    if !state
        .store
        .documents()
        .move_to(&citizen.id, id, folder.as_ref(), &event)
        .await?
    {
        return Err(WebError::Forbidden);
    }
    Ok(Redirect::to(&format!("{PATH}/{id}?done=moved")).into_response())
}

pub(crate) async fn delete(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = document_id(&id)?;
    let event = AuditEvent::new(
        state.now(),
        Actor::Citizen(citizen.id),
        Action::DocumentDeleted,
    )
    .about_document(id)
    .from_ip(citizen.visitor.client.ip.clone());
    if !state
        .store
        .documents()
        .delete(&citizen.id, id, &event)
        .await?
    {
        // Not theirs, gone already, or the office's record.
        return match state.store.documents().get(&citizen.id, id).await? {
            Some(_) => Err(WebError::Forbidden),
            None => Err(WebError::NotFound),
        };
    }
    Ok(Redirect::to(&format!("{PATH}?done=deleted")).into_response())
}

fn change_event(
    state: &AppState,
    citizen: &SignedInCitizen,
    id: DocumentId,
    change: &'static str,
) -> AuditEvent {
    AuditEvent::new(
        state.now(),
        Actor::Citizen(citizen.id),
        Action::DocumentChanged,
    )
    .about_document(id)
    .with("change", change)
    .from_ip(citizen.visitor.client.ip.clone())
}

/// The type as people name it: "PDF", "DOCX"…
fn kind_label(media_type: &str, t: &'static Texts) -> String {
    FileKind::ALL
        .iter()
        .find(|kind| kind.media_type() == media_type)
        .map_or_else(
            || t.documents.kind_other.to_owned(),
            |kind| kind.extension().to_uppercase(),
        )
}

/// "1,5 MB" in Czech, "1.5 MB" in English: units of 1024, named as file
/// managers name them, one decimal below ten.
pub(crate) fn human_size(bytes: u64, language: Language) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    let text = if value < 10.0 && value.fract() >= 0.05 {
        format!("{value:.1}")
    } else {
        format!("{value:.0}")
    };
    let text = match language {
        Language::Czech => text.replace('.', ","),
        Language::English => text,
    };
    format!("{text} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_expect() {
        assert_eq!(human_size(0, Language::Czech), "0 B");
        assert_eq!(human_size(1 << 30, Language::Czech), "1 GB");
        assert_eq!(human_size(1_572_864, Language::Czech), "1,5 MB");
        assert_eq!(human_size(1_572_864, Language::English), "1.5 MB");
        assert_eq!(human_size(300 * 1024, Language::English), "300 kB");
    }

    #[test]
    fn file_names_survive_the_disposition_header() {
        assert_eq!(
            content_disposition("attachment", "Smlouva č. 1 \"A\".pdf"),
            "attachment; filename=\"Smlouva _. 1 _A_.pdf\"; filename*=UTF-8''Smlouva%20%C4%8D.%201%20%22A%22.pdf"
        );
    }
}
