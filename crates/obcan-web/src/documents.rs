//! Taking documents into a citizen's storage, and keeping them intact.
//!
//! An upload streams from the request through the format check and the
//! sealing into the blob store; memory holds a chunk at a time, whatever the
//! file's size. The quota is checked before the first byte is written and as
//! the bytes come, and once more when the document is recorded. A file that
//! fails any check is dropped whole: nothing of it stays visible.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::multipart::Field;
use jiff::Timestamp;
use obcan_core::audit::{Action, Actor, AuditEvent};
use obcan_core::citizen::CitizenId;
use obcan_core::documents::{DocumentId, DocumentName, FolderName, InvalidName, Origin, Quota};
use obcan_formats::content_check::{ContentCheck, Detected, Refusal};
use obcan_store::{DamagedDocument, NewDocument, Store, StoreError, Upload};

use crate::error::WebError;
use crate::state::AppState;

/// Marks a response that streams a stored document: sent as it is, never
/// compressed (most documents are compressed already, and the declared
/// length is the document's).
#[derive(Debug, Clone, Copy)]
pub(crate) struct StoredContent;

/// The compression layer's rule: anything but stored content.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NotStoredContent;

impl tower_http::compression::Predicate for NotStoredContent {
    fn should_compress<B>(&self, response: &axum::http::Response<B>) -> bool
    where
        B: axum::body::HttpBody,
    {
        response.extensions().get::<StoredContent>().is_none()
    }
}

/// The storage settings the web layer applies.
#[derive(Debug, Clone, Copy)]
pub struct DocumentSettings {
    pub quota: Quota,
    /// Objects the background integrity check re-reads each round.
    pub check_batch: u32,
    /// Time between rounds; `None` turns the background check off.
    pub check_every: Option<Duration>,
}

/// Chunks waiting for the format check; bounds what one upload holds.
const CHECK_QUEUE: usize = 16;

/// Why one uploaded file was not stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refused {
    NoFile,
    Name(InvalidName),
    Format(Refusal),
    /// The file did not fit; `remaining` bytes were free.
    OverQuota {
        remaining: u64,
    },
    /// The browser stopped sending part way.
    Interrupted,
}

impl Refused {
    /// The reason as the audit log records it.
    fn code(&self) -> &'static str {
        match self {
            Self::NoFile => "no_file",
            Self::Name(_) => "name",
            Self::Format(_) => "format",
            Self::OverQuota { .. } => "over_quota",
            Self::Interrupted => "interrupted",
        }
    }
}

/// What became of one file of an upload.
#[derive(Debug)]
pub(crate) struct Intake {
    /// The file's name as the browser sent it.
    pub typed: String,
    /// The document it became.
    pub outcome: Result<DocumentId, Refused>,
}

/// The citizen and request an upload belongs to.
#[derive(Debug, Clone)]
pub(crate) struct Uploader {
    pub citizen: CitizenId,
    pub ip: Option<String>,
}

impl Uploader {
    fn event(&self, at: Timestamp, action: Action) -> AuditEvent {
        AuditEvent::new(at, Actor::Citizen(self.citizen), action)
            .about_citizen(self.citizen)
            .from_ip(self.ip.clone())
    }
}

/// Takes one file field of an upload into storage.
pub(crate) async fn take_file(
    state: &AppState,
    uploader: &Uploader,
    mut field: Field<'_>,
    folder: Option<&FolderName>,
) -> Result<Intake, WebError> {
    let typed = field.file_name().unwrap_or_default().to_owned();
    let refuse = |reason: Refused| Intake {
        typed: typed.clone(),
        outcome: Err(reason),
    };
    if typed.is_empty() {
        return Ok(refuse(Refused::NoFile));
    }
    let name = match DocumentName::parse(&typed) {
        Ok(name) => name,
        Err(invalid) => return Ok(audited(state, uploader, refuse(Refused::Name(invalid))).await?),
    };
    let quota = state.settings.documents.quota;
    let documents = state.store.documents();
    let used = documents.usage(&uploader.citizen).await?;
    let upload = documents
        .begin_upload(&uploader.citizen, state.now())
        .await?;
    let (detected, content) =
        match check_into(&mut field, upload, &name, Some((quota, used))).await? {
            Ok(checked) => checked,
            Err(refused) => return Ok(audited(state, uploader, refuse(refused)).await?),
        };
    let name = name.with_extension(detected.extension());
    let id = DocumentId::random();
    let event = uploader
        .event(state.now(), Action::DocumentUploaded)
        .about_document(id)
        .with("size", content.size().to_string())
        .with("media_type", detected.media_type());
    let document = NewDocument {
        id,
        name,
        folder: folder.cloned(),
        media_type: detected.media_type().to_owned(),
        origin: Origin::Uploaded,
    };
    let recorded = documents
        .record(&uploader.citizen, document, content, quota, &event)
        .await?;
    Ok(match recorded {
        Ok(()) => Intake {
            typed,
            outcome: Ok(id),
        },
        Err(_) => {
            let remaining = quota.remaining(documents.usage(&uploader.citizen).await?);
            audited(state, uploader, refuse(Refused::OverQuota { remaining })).await?
        }
    })
}

/// Streams a file field through the format check into `upload`, within
/// the room left of a quota if there is one (`quota`, bytes `used`): the
/// format found and the stored content, or why the file was refused, in
/// which case nothing of it stays.
pub(crate) async fn check_into(
    field: &mut Field<'_>,
    mut upload: Upload,
    name: &DocumentName,
    room: Option<(Quota, u64)>,
) -> Result<Result<(Detected, obcan_store::StoredContent), Refused>, WebError> {
    // The format check runs on a thread of its own, beside the sealing and
    // writing here: a large upload keeps two cores busy instead of one.
    let (to_check, chunks) = tokio::sync::mpsc::channel::<Bytes>(CHECK_QUEUE);
    let checker = tokio::task::spawn_blocking(move || {
        let mut chunks = chunks;
        let mut check = ContentCheck::new();
        while let Some(chunk) = chunks.blocking_recv() {
            check.update(&chunk);
        }
        check
    });
    let streamed = stream_into(field, &mut upload, &to_check, room).await;
    drop(to_check);
    let check = checker
        .await
        .map_err(|e| WebError::Internal(format!("the format check stopped: {e}")));
    let verdict = match (streamed, check) {
        (Ok(None), Ok(check)) => check.finish(name.as_str()).map_err(Refused::Format),
        (Ok(Some(refused)), _) => Err(refused),
        (Err(error), _) | (Ok(None), Err(error)) => {
            upload.abort().await;
            return Err(error);
        }
    };
    match verdict {
        Ok(detected) => Ok(Ok((detected, upload.finish().await?))),
        Err(refused) => {
            upload.abort().await;
            Ok(Err(refused))
        }
    }
}

/// Streams the field's bytes through the check into the upload; a refusal
/// if the quota runs out or the browser stops sending.
async fn stream_into(
    field: &mut Field<'_>,
    upload: &mut Upload,
    check: &tokio::sync::mpsc::Sender<Bytes>,
    room: Option<(Quota, u64)>,
) -> Result<Option<Refused>, WebError> {
    loop {
        let bytes = match field.chunk().await {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return Ok(None),
            Err(_) => return Ok(Some(Refused::Interrupted)),
        };
        let size = upload.size() + bytes.len() as u64;
        if let Some((quota, used)) = room
            && !quota.allows(used, size)
        {
            return Ok(Some(Refused::OverQuota {
                remaining: quota.remaining(used),
            }));
        }
        check
            .send(bytes.clone())
            .await
            .map_err(|_| WebError::Internal("the format check stopped".to_owned()))?;
        upload.write(&bytes).await?;
    }
}

/// Records a refused upload in the audit log (without the file's name,
/// which is the citizen's personal data) and passes it on.
async fn audited(
    state: &AppState,
    uploader: &Uploader,
    intake: Intake,
) -> Result<Intake, StoreError> {
    if let Err(reason) = &intake.outcome
        && *reason != Refused::NoFile
    {
        let event = uploader
            .event(state.now(), Action::DocumentRefused)
            .with("reason", reason.code());
        state.store.audit().append(&event).await?;
    }
    Ok(intake)
}

/// Reports damaged objects: an error in the log for the operators' alerts,
/// and an audit entry for each.
pub async fn report_damage(
    store: &Store,
    damaged: &[DamagedDocument],
    now: Timestamp,
) -> Result<(), StoreError> {
    for damage in damaged {
        tracing::error!(
            document = %damage.document,
            problem = %damage.problem,
            "integrity check: a stored document is damaged; restore it from a backup"
        );
        let event = AuditEvent::new(now, Actor::System, Action::StorageDamaged)
            .with("document", damage.document.clone())
            .with("problem", damage.problem.to_string());
        store.audit().append(&event).await?;
    }
    Ok(())
}

/// The background integrity check: each round re-reads the objects checked
/// longest ago, so the whole store is covered at a steady pace; until
/// `shutdown` resolves.
pub async fn check_integrity(state: AppState, shutdown: impl Future<Output = ()>) {
    let settings = state.settings.documents;
    let Some(every) = settings.check_every else {
        return;
    };
    let mut rounds = tokio::time::interval(every);
    rounds.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            _ = rounds.tick() => {
                let now = state.now();
                let documents = state.store.documents();
                let checked = documents.check(settings.check_batch, now).await;
                let result = match checked {
                    Ok(report) => report_damage(&state.store, &report.damaged, now).await,
                    Err(error) => Err(error),
                };
                if let Err(error) = result {
                    tracing::warn!(%error, "integrity check round failed");
                }
                if let Err(error) = documents.remove_queued_blobs().await {
                    tracing::warn!(%error, "cannot remove queued objects");
                }
            }
        }
    }
}
