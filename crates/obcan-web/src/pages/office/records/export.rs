//! The archival export of a closed or archived file: the NSESSS SIP
//! (`mets.xml`, then each document under `komponenty/`) as one ZIP,
//! streamed while each document is decrypted, so that no file of any size
//! is held whole.
//!
//! A closed file goes to the disposal procedure, an archived one to the
//! archive; the package's label says which. Documents filed in these pages
//! are the office's own as far as the portal knows (it does not know who
//! sent them), with the official who filed them as their author.

use std::collections::HashMap;

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::response::Response;
use futures_util::StreamExt as _;
use jiff::Timestamp;
use jiff::civil::Date;
use obcan_core::audit::Action;
use obcan_core::documents::DocumentId;
use obcan_core::records::{FileState, FilingPlan, RecordFileId};
use obcan_core::staff::StaffId;
use obcan_formats::nsesss_sip::{
    self, Checksum, Component, ComponentRole, Document, Event, EventKind, FileRecord, Identifier,
    KeepingForm, Official, Origin, Originator, Package, PlanClass, Purpose, RetentionRegime, Sip,
};
use obcan_formats::zip_stream::ZipStream;
use obcan_store::{FILED_THROUGH_PORTAL, FiledDocument, RecordFile};
use tokio::sync::mpsc;

use super::super::acting;
use super::{Manager, detail_page, file_id};
use crate::client_ip::ClientIp;
use crate::error::WebError;
use crate::pages::documents::{content_disposition, private_download};
use crate::state::AppState;

/// The records system, as the package names it.
const RECORDS_SYSTEM: &str = "Obcan – evidence spisů";
/// What starts every file's retention period.
const TRIGGER_EVENT: &str = "uzavření spisu";
/// Who opens a submission's file: the portal's electronic filing office.
const FILING_OFFICE: (&str, &str) = ("Elektronická podatelna", "podatelna");
/// The position of someone who holds no role (any more).
const NO_ROLE: &str = "pracovník úřadu";
/// `Event::by` and `Official::unit` are at most this long.
const SHORT_TEXT: usize = 100;
/// Chunks in flight between the package's writer and the response.
const CHUNKS_IN_FLIGHT: usize = 4;

pub(crate) async fn export(
    State(state): State<AppState>,
    manager: Manager,
    ip: ClientIp,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = file_id(&id)?;
    let records = state.store.records();
    let file = records.get(id).await?.ok_or(WebError::NotFound)?;
    let t = &crate::i18n::texts(manager.visitor.language).records;
    let refuse = |error: String| detail_page(&state, &manager, id, None, vec![error], "");
    let purpose = match file.state {
        FileState::Closed => Purpose::DisposalProcedure,
        FileState::Archived => Purpose::Archive,
        FileState::Open | FileState::Destroyed => {
            return refuse(t.export_not_closed.to_owned()).await;
        }
    };
    let documents = records.documents(id).await?;
    if let Some(damaged) = documents.iter().find(|d| d.damaged_at.is_some()) {
        return refuse(format!("{} {}", t.export_damaged, damaged.name.as_str())).await;
    }

    let acting = acting(&state, &manager, &ip);
    let export_id = uuid::Uuid::new_v4();
    let package = Packaging::new(&state, export_id, acting.at)
        .package(purpose, &file, &documents, manager.grants.id)
        .await?;
    let sip = nsesss_sip::build(&package).map_err(|error| {
        WebError::Internal(format!("the archival package of record file {id}: {error}"))
    })?;
    let event = acting
        .event(Action::RecordFileExported, id)
        .with("export", export_id.to_string())
        .with("package", sip.objid.clone());
    state.store.audit().append(&event).await?;

    let (sender, receiver) = mpsc::channel(CHUNKS_IN_FLIGHT);
    let order = documents.iter().map(|document| document.id).collect();
    let modified = acting
        .at
        .to_zoned(obcan_core::time::office_zone())
        .datetime();
    tokio::spawn(send_package(
        state.clone(),
        id,
        order,
        sip,
        modified,
        sender,
    ));
    let body = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|chunk| (chunk, receiver))
    });
    let name = format!("SIP-{}.zip", file.reference.replace('/', "-"));
    private_download(
        Body::from_stream(body),
        "application/zip",
        None,
        &content_disposition("attachment", &name),
    )
}

type Chunk = Result<Bytes, std::io::Error>;

/// Writes the package into the channel; a failure part way breaks the
/// response off, so that nobody takes a cut package for a whole one.
async fn send_package(
    state: AppState,
    file: RecordFileId,
    documents: Vec<DocumentId>,
    sip: Sip,
    modified: jiff::civil::DateTime,
    sender: mpsc::Sender<Chunk>,
) {
    match write_package(&state, file, &documents, &sip, modified, &sender).await {
        Ok(()) | Err(Stopped::Gone) => {}
        Err(Stopped::Failed(error)) => {
            tracing::error!(%file, %error, "the archival package broke off while being sent");
            // The receiver may be gone too; then nobody is left to tell.
            let _ = sender.send(Err(std::io::Error::other(error))).await;
        }
    }
}

enum Stopped {
    /// The client went away.
    Gone,
    Failed(String),
}

async fn write_package(
    state: &AppState,
    file: RecordFileId,
    documents: &[DocumentId],
    sip: &Sip,
    modified: jiff::civil::DateTime,
    sender: &mpsc::Sender<Chunk>,
) -> Result<(), Stopped> {
    let send =
        |bytes: Bytes| async move { sender.send(Ok(bytes)).await.map_err(|_| Stopped::Gone) };
    let failed = |error: &dyn std::fmt::Display| Stopped::Failed(error.to_string());
    let mut zip = ZipStream::new(modified);
    // mets.xml first: see `zip_stream`.
    let (mut entry, header) = zip.begin(Sip::METS_PATH).map_err(|e| failed(&e))?;
    entry.update(sip.mets_xml.as_bytes());
    send(header.into()).await?;
    send(Bytes::copy_from_slice(sip.mets_xml.as_bytes())).await?;
    send(zip.end(entry).into()).await?;
    for packaged in &sip.components {
        let document = documents
            .get(packaged.document)
            .copied()
            .ok_or_else(|| failed(&"a component of no document"))?;
        let mut content = state
            .store
            .records()
            .content(file, document)
            .await
            .map_err(|e| failed(&e))?
            .ok_or_else(|| failed(&format!("document {document} is gone")))?;
        let (mut entry, header) = zip.begin(&packaged.path).map_err(|e| failed(&e))?;
        send(header.into()).await?;
        while let Some(chunk) = content.stream.next().await {
            let chunk = chunk.map_err(|e| failed(&e))?;
            entry.update(&chunk);
            send(chunk).await?;
        }
        send(zip.end(entry).into()).await?;
    }
    send(zip.finish().into()).await
}

/// Makes the package's description from what the store keeps.
struct Packaging<'a> {
    state: &'a AppState,
    export_id: uuid::Uuid,
    now: Timestamp,
    /// The identifiers' source: this records system at this office.
    source: String,
    officials: HashMap<String, Official>,
}

impl<'a> Packaging<'a> {
    fn new(state: &'a AppState, export_id: uuid::Uuid, now: Timestamp) -> Self {
        Self {
            state,
            export_id,
            now,
            source: format!("Obcan.{}", state.settings.branding.ico.as_str()),
            officials: HashMap::new(),
        }
    }

    fn id(&self, value: &str) -> Result<Identifier, WebError> {
        Identifier::new(value, &self.source).map_err(invalid)
    }

    async fn package(
        mut self,
        purpose: Purpose,
        file: &RecordFile,
        documents: &[FiledDocument],
        exporter: StaffId,
    ) -> Result<Package, WebError> {
        let corrupt = |what: &str| WebError::Internal(format!("record file {}: {what}", file.id));
        let (Some(closed_at), Some(closed_by)) = (file.closed_at, &file.closed_by) else {
            return Err(corrupt("closed with no time or official"));
        };
        let title = file.title.as_ref().ok_or_else(|| corrupt("no title"))?;
        let creator = self.official(&exporter.to_string()).await?;
        let handled_by = self.official(closed_by).await?;
        let mut packaged = Vec::with_capacity(documents.len());
        for (n, document) in documents.iter().enumerate() {
            packaged.push(self.document(file, n + 1, document).await?);
        }
        let branding = &self.state.settings.branding;
        let address = branding.contact.address.join(", ");
        let mut events = vec![
            self.event(file.opened_at, &file.opened_by, EventKind::Created)
                .await?,
            self.event(closed_at, closed_by, EventKind::Closed).await?,
        ];
        let mut exported = self
            .event(self.now, &exporter.to_string(), EventKind::Exported)
            .await?;
        exported.note = Some(format!("export {}", self.export_id));
        events.push(exported);
        Ok(Package {
            purpose,
            export_id: self.id(&format!("export-{}", self.export_id))?,
            created_at: self.now,
            originator: Originator {
                name: branding.name.clone(),
                ico: branding.ico.clone(),
                address: if address.is_empty() {
                    branding.name.clone()
                } else {
                    address
                },
                records_system: RECORDS_SYSTEM.to_owned(),
            },
            creator,
            filing_plan: self.filing_plan(file)?,
            file: FileRecord {
                id: self.id(&file.id.to_string())?,
                reference: file.reference.clone(),
                title: title.as_str().to_owned(),
                opened_on: day(file.opened_at),
                closed_on: day(closed_at),
                handled_by,
                retention: RetentionRegime {
                    id: self.id(&format!("sr-{}", file.class_mark))?,
                    name: file.class_title.clone(),
                    reason: format!(
                        "{}, věcná skupina {}",
                        FilingPlan::PORTAL.name,
                        file.class_mark
                    ),
                    sign: file.sign,
                    years: file.years,
                    trigger_event: TRIGGER_EVENT.to_owned(),
                },
                trigger_year: day(closed_at).year(),
                access_restriction: None,
                documents: packaged,
                events,
            },
        })
    }

    /// The classes from the top of the plan down to the file's: its group,
    /// when the plan still has it, then its own.
    fn filing_plan(&self, file: &RecordFile) -> Result<nsesss_sip::FilingPlan, WebError> {
        let plan = &FilingPlan::PORTAL;
        let mut classes = Vec::with_capacity(2);
        let mut own_mark = file.class_mark.as_str();
        if let Some((group_mark, simple)) = file.class_mark.rsplit_once('.')
            && let Some((_, group_title, _)) = plan.groups.iter().find(|g| g.0 == group_mark)
        {
            classes.push(PlanClass {
                id: self.id(&format!("vs-{group_mark}"))?,
                mark: group_mark.to_owned(),
                title: (*group_title).to_owned(),
                opened_on: plan.valid_from,
            });
            own_mark = simple;
        }
        classes.push(PlanClass {
            id: self.id(&format!("vs-{}", file.class_mark))?,
            mark: own_mark.to_owned(),
            title: file.class_title.clone(),
            opened_on: plan.valid_from,
        });
        Ok(nsesss_sip::FilingPlan {
            id: self.id(plan.id)?,
            name: plan.name.to_owned(),
            valid_from: plan.valid_from,
            mark_separator: '.',
            classes,
        })
    }

    async fn document(
        &mut self,
        file: &RecordFile,
        number: usize,
        document: &FiledDocument,
    ) -> Result<Document, WebError> {
        let name = document.name.as_str();
        Ok(Document {
            id: self.id(&document.id.to_string())?,
            reference: format!("{}-{number}", file.reference),
            title: name.to_owned(),
            origin: Origin::Own {
                created_on: day(document.filed_at),
                author: self.official(&document.filed_by).await?,
                sent: None,
            },
            components: vec![Component {
                id: self.id(&format!("komponenta-{}", document.id))?,
                file_name: name.to_owned(),
                role: ComponentRole::MainDocument,
                form: KeepingForm::Original,
                media_type: document.media_type.clone(),
                size: document.size,
                created_at: document.filed_at,
                checksum: Checksum::sha256(document.sha256),
            }],
            events: vec![
                self.event(document.filed_at, &document.filed_by, EventKind::Created)
                    .await?,
                self.event(
                    document.filed_at,
                    &document.filed_by,
                    EventKind::InsertedIntoFile,
                )
                .await?,
            ],
        })
    }

    async fn event(&mut self, at: Timestamp, by: &str, kind: EventKind) -> Result<Event, WebError> {
        let official = self.official(by).await?;
        Ok(Event {
            at,
            by: clip(&format!("{}, {}", official.name, official.position)),
            kind,
            note: None,
        })
    }

    /// A staff member, given by their id as the store keeps it: their name,
    /// the office as their unit, their roles as their position; or the
    /// portal's filing office.
    async fn official(&mut self, staff_id: &str) -> Result<Official, WebError> {
        if let Some(known) = self.officials.get(staff_id) {
            return Ok(known.clone());
        }
        if staff_id == FILED_THROUGH_PORTAL {
            // A submission's file, opened by the portal's filing office.
            return Ok(Official {
                id: Identifier::new(staff_id, &self.source).map_err(invalid)?,
                name: FILING_OFFICE.0.to_owned(),
                unit: clip(&self.state.settings.branding.name),
                position: FILING_OFFICE.1.to_owned(),
            });
        }
        let unknown = || WebError::Internal(format!("staff member {staff_id} is not known"));
        let id = StaffId::parse(staff_id).map_err(|_| unknown())?;
        let member = self
            .state
            .store
            .staff()
            .get(id)
            .await?
            .ok_or_else(unknown)?;
        let czech = crate::i18n::texts(obcan_core::language::Language::Czech);
        let roles: Vec<&str> = member.roles.iter().map(|role| czech.role(*role)).collect();
        let official = Official {
            id: Identifier::new(staff_id, &self.source).map_err(invalid)?,
            name: member.display_name.to_string(),
            unit: clip(&self.state.settings.branding.name),
            position: if roles.is_empty() {
                NO_ROLE.to_owned()
            } else {
                clip(&roles.join(", "))
            },
        };
        self.officials.insert(staff_id.to_owned(), official.clone());
        Ok(official)
    }
}

/// The day in the office's time zone.
fn day(at: Timestamp) -> Date {
    at.to_zoned(obcan_core::time::office_zone()).date()
}

fn clip(text: &str) -> String {
    text.chars().take(SHORT_TEXT).collect()
}

/// The store gave something the package refuses: its data is not as it
/// should be.
fn invalid(error: nsesss_sip::SipError) -> WebError {
    WebError::Internal(format!("the archival package: {error}"))
}
