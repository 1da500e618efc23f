//! Citizens' documents: sealed content in the blob store, the record of each
//! in the database (its name and folder sealed too), the quota, and the
//! integrity check.
//!
//! An upload is written to the blob store first and recorded after; the
//! record is what makes a document exist, so an upload that fails or is
//! refused leaves nothing visible, and its blob is removed.

use futures_util::StreamExt as _;
use jiff::Timestamp;
use obcan_core::audit::AuditEvent;
use obcan_core::citizen::CitizenId;
use obcan_core::documents::{DocumentId, DocumentName, FolderName, Origin, Quota};
use sha2::{Digest, Sha256};
use sqlx::Row as _;
use sqlx::{Any, Transaction};

use crate::audit::append_in;
use crate::blobs::{BlobError, BlobStore, BlobWriter};
use crate::vault::{BlobOpener, BlobSealer, DamagedBlob, DataKey, Vault, hex};
use crate::{Store, StoreError};

/// A document as the citizen's list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub id: DocumentId,
    pub name: DocumentName,
    pub folder: Option<FolderName>,
    pub media_type: String,
    pub size: u64,
    pub origin: Origin,
    pub stored_at: Timestamp,
    /// When the integrity check last found the object changed or missing.
    pub damaged_at: Option<Timestamp>,
}

/// The data key's owner name for a citizen.
pub fn owner_of(citizen: &impl std::fmt::Display) -> String {
    format!("citizen:{citizen}")
}

#[derive(Debug, Clone, Copy)]
pub struct Documents<'a> {
    store: &'a Store,
}

impl Store {
    pub fn documents(&self) -> Documents<'_> {
        Documents { store: self }
    }
}

/// Content sealed and written to the blob store, not yet a document.
#[derive(Debug)]
pub struct StoredContent {
    pub(crate) blob: String,
    pub(crate) size: u64,
    pub(crate) blob_size: u64,
    pub(crate) blob_sha256: String,
    /// The SHA-256 of the content, when the upload was asked to take it.
    pub(crate) content_sha256: Option<[u8; 32]>,
}

impl StoredContent {
    pub fn size(&self) -> u64 {
        self.size
    }
}

/// A document to record, once its content is stored.
#[derive(Debug)]
pub struct NewDocument {
    pub id: DocumentId,
    pub name: DocumentName,
    pub folder: Option<FolderName>,
    pub media_type: String,
    pub origin: Origin,
}

/// The document does not fit the citizen's quota; nothing was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverQuota;

/// Content being written: sealed chunk by chunk, hashed as sealed.
#[derive(Debug)]
pub struct Upload {
    blob: String,
    writer: BlobWriter,
    sealer: BlobSealer,
    sealed: Vec<u8>,
    hasher: Sha256,
    /// Of the content; only records need it (for the archival package).
    content_hasher: Option<Sha256>,
    size: u64,
    blob_size: u64,
}

/// The bytes a citizen's documents take. PostgreSQL sums a BIGINT as a
/// NUMERIC, which the `Any` driver cannot decode: hence the cast.
const USAGE: &str = "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) AS used \
                     FROM documents WHERE citizen_id = $1";

/// Sealed bytes gathered before a write to the blob store.
const WRITE_BATCH: usize = 1 << 20;

impl Upload {
    /// Takes the next bytes of the content.
    pub async fn write(&mut self, bytes: &[u8]) -> Result<(), StoreError> {
        self.size += bytes.len() as u64;
        if let Some(hasher) = &mut self.content_hasher {
            hasher.update(bytes);
        }
        self.sealer.update(bytes, &mut self.sealed)?;
        if self.sealed.len() >= WRITE_BATCH {
            self.flush().await?;
        }
        Ok(())
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    async fn flush(&mut self) -> Result<(), StoreError> {
        self.hasher.update(&self.sealed);
        self.blob_size += self.sealed.len() as u64;
        self.writer.write(&self.sealed).await?;
        self.sealed.clear();
        Ok(())
    }

    /// Seals the end and makes the content durable in the blob store.
    pub async fn finish(self) -> Result<StoredContent, StoreError> {
        let Self {
            blob,
            mut writer,
            sealer,
            mut sealed,
            mut hasher,
            content_hasher,
            size,
            blob_size,
        } = self;
        sealer.finish(&mut sealed)?;
        hasher.update(&sealed);
        let written = writer.write(&sealed).await;
        if let Err(error) = written {
            writer.abort().await;
            return Err(error.into());
        }
        writer.commit().await?;
        Ok(StoredContent {
            blob,
            size,
            blob_size: blob_size + sealed.len() as u64,
            blob_sha256: hex(&hasher.finalize()),
            content_sha256: content_hasher.map(|hasher| hasher.finalize().into()),
        })
    }

    /// Abandons the upload; nothing of it stays.
    pub async fn abort(self) {
        self.writer.abort().await;
    }
}

impl Documents<'_> {
    fn blobs(&self) -> Result<&BlobStore, StoreError> {
        self.store.blobs.as_ref().ok_or(StoreError::NoBlobStore)
    }

    pub(crate) async fn key(
        &self,
        citizen: &CitizenId,
        now: Timestamp,
    ) -> Result<DataKey, StoreError> {
        Vault::new(self.store)
            .data_key(&owner_of(citizen), now)
            .await
    }

    /// Bytes the citizen's documents take, as counted against the quota.
    pub async fn usage(&self, citizen: &CitizenId) -> Result<u64, StoreError> {
        let row = sqlx::query(USAGE)
            .bind(citizen.to_string())
            .fetch_one(&self.store.pool)
            .await?;
        Ok(u64::try_from(row.try_get::<i64, _>("used")?).unwrap_or_default())
    }

    /// Starts writing content for `citizen`; the caller either finishes and
    /// records it or aborts it.
    pub async fn begin_upload(
        &self,
        citizen: &CitizenId,
        now: Timestamp,
    ) -> Result<Upload, StoreError> {
        let key = self.key(citizen, now).await?;
        self.begin_sealed(&key, false).await
    }

    /// Starts writing content sealed under `key`, taking the content's
    /// SHA-256 too if asked.
    pub(crate) async fn begin_sealed(
        &self,
        key: &DataKey,
        hash_content: bool,
    ) -> Result<Upload, StoreError> {
        let blob = uuid::Uuid::new_v4().simple().to_string();
        let mut sealed = Vec::with_capacity(WRITE_BATCH + crate::vault::SEALED_CHUNK_LEN);
        let sealer = BlobSealer::new(key, &blob, &mut sealed)?;
        let writer = self.blobs()?.create(&blob).await?;
        Ok(Upload {
            blob,
            writer,
            sealer,
            sealed,
            hasher: Sha256::new(),
            content_hasher: hash_content.then(Sha256::new),
            size: 0,
            blob_size: 0,
        })
    }

    /// Writes `content` again, sealed under `key`; taking its SHA-256 too
    /// if asked.
    pub(crate) async fn reseal(
        &self,
        mut content: Content,
        key: &DataKey,
        hash_content: bool,
    ) -> Result<StoredContent, StoreError> {
        let mut upload = self.begin_sealed(key, hash_content).await?;
        while let Some(chunk) = content.stream.next().await {
            let written = match chunk {
                Ok(bytes) => upload.write(&bytes).await,
                Err(ContentError::Damaged(damage)) => Err(damage.into()),
                Err(ContentError::Blob(error)) => Err(error.into()),
            };
            if let Err(error) = written {
                upload.abort().await;
                return Err(error);
            }
        }
        upload.finish().await
    }

    /// Records stored content as a document, with `event` in the audit log,
    /// if it still fits the quota; otherwise removes the content.
    pub async fn record(
        &self,
        citizen: &CitizenId,
        document: NewDocument,
        content: StoredContent,
        quota: Quota,
        event: &AuditEvent,
    ) -> Result<Result<(), OverQuota>, StoreError> {
        let recorded = self
            .try_record(citizen, &document, &content, quota, event)
            .await;
        if !matches!(recorded, Ok(Ok(()))) {
            self.remove_blob(&content.blob).await;
        }
        recorded
    }

    async fn try_record(
        &self,
        citizen: &CitizenId,
        document: &NewDocument,
        content: &StoredContent,
        quota: Quota,
        event: &AuditEvent,
    ) -> Result<Result<(), OverQuota>, StoreError> {
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        // Counted inside the write transaction, so two uploads at once
        // cannot both take the last free space.
        let row = sqlx::query(USAGE)
            .bind(citizen.to_string())
            .fetch_one(&mut *tx)
            .await?;
        let used = u64::try_from(row.try_get::<i64, _>("used")?).unwrap_or_default();
        if !quota.allows(used, content.size) {
            return Ok(Err(OverQuota));
        }
        insert_in(&mut tx, self.store, citizen, document, content, event.at).await?;
        append_in(&mut tx, self.store.backend, event).await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// The citizen's documents, newest first.
    pub async fn list(&self, citizen: &CitizenId) -> Result<Vec<Document>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, folder, media_type, size, origin, sender, stored_at, damaged_at \
             FROM documents WHERE citizen_id = $1 ORDER BY stored_at DESC, id",
        )
        .bind(citizen.to_string())
        .fetch_all(&self.store.pool)
        .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let Some(key) = Vault::new(self.store).existing(&owner_of(citizen)).await? else {
            return Err(StoreError::Corrupt(format!(
                "documents of {citizen} without a data key"
            )));
        };
        rows.iter().map(|row| document(&key, row)).collect()
    }

    /// One of the citizen's documents; none if it is not theirs.
    pub async fn get(
        &self,
        citizen: &CitizenId,
        id: DocumentId,
    ) -> Result<Option<Document>, StoreError> {
        let row = sqlx::query(
            "SELECT id, name, folder, media_type, size, origin, sender, stored_at, damaged_at \
             FROM documents WHERE citizen_id = $1 AND id = $2",
        )
        .bind(citizen.to_string())
        .bind(id.to_string())
        .fetch_optional(&self.store.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let Some(key) = Vault::new(self.store).existing(&owner_of(citizen)).await? else {
            return Ok(None);
        };
        document(&key, &row).map(Some)
    }

    /// The document's content, opened as it is read. The first chunk is
    /// checked before this returns, so a damaged object is refused before any
    /// byte is sent; damage further on ends the stream with an error.
    pub async fn content(
        &self,
        citizen: &CitizenId,
        id: DocumentId,
    ) -> Result<Option<Content>, StoreError> {
        let row = sqlx::query("SELECT blob FROM documents WHERE citizen_id = $1 AND id = $2")
            .bind(citizen.to_string())
            .bind(id.to_string())
            .fetch_optional(&self.store.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let blob: String = row.try_get("blob")?;
        let Some(key) = Vault::new(self.store).existing(&owner_of(citizen)).await? else {
            return Ok(None);
        };
        self.open_blob(key, &blob).await.map(Some)
    }

    /// A blob's content, opened with `key` as it is read; see [`Self::content`].
    pub(crate) async fn open_blob(&self, key: DataKey, blob: &str) -> Result<Content, StoreError> {
        let stream = self
            .blobs()?
            .read(blob)
            .await
            .map_err(|error| match error {
                BlobError::Missing(_) => StoreError::Damaged(DamagedBlob),
                other => other.into(),
            })?;
        let mut opening = Opening {
            stream,
            opener: Some(BlobOpener::new(key, blob)),
        };
        // The first plaintext is opened here, to refuse damage before a byte is sent.
        let first = match opening.next().await {
            Some(Err(ContentError::Damaged(damage))) => return Err(damage.into()),
            Some(Err(ContentError::Blob(error))) => return Err(error.into()),
            first => first,
        };
        let rest = futures_util::stream::unfold(opening, |mut opening| async move {
            opening.next().await.map(|next| (next, opening))
        });
        Ok(Content {
            stream: futures_util::stream::iter(first).chain(rest).boxed(),
        })
    }

    /// Renames a document the citizen uploaded, recording `event`; false if
    /// it is not theirs to change.
    pub async fn rename(
        &self,
        citizen: &CitizenId,
        id: DocumentId,
        name: &DocumentName,
        event: &AuditEvent,
    ) -> Result<bool, StoreError> {
        self.change(citizen, id, "name", Some(name.as_str()), event)
            .await
    }

    /// Files a document in `folder` (or takes it out of any).
    pub async fn move_to(
        &self,
        citizen: &CitizenId,
        id: DocumentId,
        folder: Option<&FolderName>,
        event: &AuditEvent,
    ) -> Result<bool, StoreError> {
        self.change(citizen, id, "folder", folder.map(FolderName::as_str), event)
            .await
    }

    async fn change(
        &self,
        citizen: &CitizenId,
        id: DocumentId,
        column: &'static str,
        value: Option<&str>,
        event: &AuditEvent,
    ) -> Result<bool, StoreError> {
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        let key = Vault::new(self.store)
            .data_key_in(&mut tx, &owner_of(citizen), event.at)
            .await?;
        let id = id.to_string();
        let sealed = value
            .map(|value| key.seal_text(&place(column, &id), value))
            .transpose()?;
        // The column is one of two constants, never input.
        let sql = format!(
            "UPDATE documents SET {column} = $1 \
             WHERE citizen_id = $2 AND id = $3 AND origin = 'upload'"
        );
        let changed = sqlx::query(&sql)
            .bind(sealed)
            .bind(citizen.to_string())
            .bind(&id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed == 0 {
            return Ok(false);
        }
        append_in(&mut tx, self.store.backend, event).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Deletes a document the citizen uploaded, and then its content.
    pub async fn delete(
        &self,
        citizen: &CitizenId,
        id: DocumentId,
        event: &AuditEvent,
    ) -> Result<bool, StoreError> {
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        let row = sqlx::query(
            "DELETE FROM documents WHERE citizen_id = $1 AND id = $2 AND origin = 'upload' \
             RETURNING blob",
        )
        .bind(citizen.to_string())
        .bind(id.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else { return Ok(false) };
        let blob: String = row.try_get("blob")?;
        queue_blob_removal(&mut tx, &blob, event.at).await?;
        append_in(&mut tx, self.store.backend, event).await?;
        tx.commit().await?;
        self.remove_blob(&blob).await;
        Ok(true)
    }

    /// Removes stored content that will not be recorded.
    pub async fn discard(&self, content: StoredContent) {
        self.remove_blob(&content.blob).await;
    }

    /// Removes a blob; if that fails now, it stays queued for a later try.
    pub(crate) async fn remove_blob(&self, blob: &str) {
        let removed = match self.blobs() {
            Ok(blobs) => blobs.delete(blob).await.map_err(StoreError::from),
            Err(error) => Err(error),
        };
        let result = match removed {
            Ok(()) => sqlx::query("DELETE FROM blob_removals WHERE blob = $1")
                .bind(blob)
                .execute(&self.store.pool)
                .await
                .map(drop)
                .map_err(StoreError::from),
            Err(error) => Err(error),
        };
        if let Err(error) = result {
            tracing::warn!(%error, blob, "cannot remove a stored object now; it stays queued");
        }
    }

    /// Removes the blobs whose removal is queued (after a failure, or an
    /// account deletion); the number removed.
    pub async fn remove_queued_blobs(&self) -> Result<u64, StoreError> {
        let rows = sqlx::query("SELECT blob FROM blob_removals ORDER BY queued_at LIMIT 1000")
            .fetch_all(&self.store.pool)
            .await?;
        let mut removed = 0;
        for row in &rows {
            let blob: String = row.try_get("blob")?;
            self.blobs()?.delete(&blob).await?;
            sqlx::query("DELETE FROM blob_removals WHERE blob = $1")
                .bind(&blob)
                .execute(&self.store.pool)
                .await?;
            removed += 1;
        }
        Ok(removed)
    }

    /// Re-reads objects in order of their last check, oldest first, at most
    /// `limit`; each is hashed as stored and compared with the hash taken at
    /// upload. Needs no key: the check is of the sealed bytes.
    /// Citizens' documents and the office's filed documents alike.
    pub async fn check(&self, limit: u32, now: Timestamp) -> Result<CheckReport, StoreError> {
        let rows = sqlx::query(
            "SELECT 'documents' AS kept_in, id, 'citizen:' || citizen_id AS owner, blob, \
             blob_size, blob_sha256, COALESCE(checked_at, 0) AS checked FROM documents \
             UNION ALL \
             SELECT 'record_documents', id, 'record-file:' || file_id, blob, \
             blob_size, blob_sha256, COALESCE(checked_at, 0) FROM record_documents \
             ORDER BY checked, id LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.store.pool)
        .await?;
        let mut report = CheckReport::default();
        for row in &rows {
            let id: String = row.try_get("id")?;
            let blob: String = row.try_get("blob")?;
            let expected: String = row.try_get("blob_sha256")?;
            let expected_size: i64 = row.try_get("blob_size")?;
            let problem = match self.hash_blob(&blob).await {
                Ok((size, hash)) if hash == expected && to_i64(size) == expected_size => None,
                Ok(_) => Some(Problem::Changed),
                Err(BlobError::Missing(_)) => Some(Problem::Missing),
                Err(error) => return Err(error.into()),
            };
            report.checked += 1;
            let table = match row.try_get::<String, _>("kept_in")?.as_str() {
                "documents" => "documents",
                _ => "record_documents",
            };
            // The table is one of two constants, never input.
            let sql = format!(
                "UPDATE {table} SET checked_at = $1, \
                 damaged_at = CASE WHEN $2 THEN COALESCE(damaged_at, $1) ELSE NULL END \
                 WHERE id = $3"
            );
            sqlx::query(&sql)
                .bind(now.as_second())
                .bind(problem.is_some())
                .bind(&id)
                .execute(&self.store.pool)
                .await?;
            if let Some(problem) = problem {
                report.damaged.push(DamagedDocument {
                    document: id,
                    owner: row.try_get("owner")?,
                    problem,
                });
            }
        }
        Ok(report)
    }

    async fn hash_blob(&self, blob: &str) -> Result<(u64, String), BlobError> {
        let blobs = self.blobs().map_err(|e| BlobError::Failed(e.to_string()))?;
        let mut stream = blobs.read(blob).await?;
        let mut hasher = Sha256::new();
        let mut size = 0;
        while let Some(bytes) = stream.next().await {
            let bytes = bytes?;
            size += bytes.len() as u64;
            hasher.update(&bytes);
        }
        Ok((size, hex(&hasher.finalize())))
    }

    /// How many documents are stored, citizens' and filed, for the
    /// integrity check's pace.
    pub async fn count(&self) -> Result<u64, StoreError> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM documents) \
             + (SELECT COUNT(*) FROM record_documents) AS n",
        )
        .fetch_one(&self.store.pool)
        .await?;
        Ok(u64::try_from(row.try_get::<i64, _>("n")?).unwrap_or_default())
    }
}

/// A blob being read and opened, chunk by chunk.
struct Opening {
    stream: crate::blobs::BlobStream,
    /// None once the blob ended or broke off.
    opener: Option<BlobOpener>,
}

impl Opening {
    /// The next plaintext, none at the end; an error ends it.
    async fn next(&mut self) -> Option<Result<bytes::Bytes, ContentError>> {
        let opener = self.opener.as_mut()?;
        let mut out = Vec::new();
        let opened = loop {
            match self.stream.next().await {
                Some(Ok(bytes)) => match opener.update(&bytes, &mut out) {
                    Ok(()) if out.is_empty() => continue,
                    Ok(()) => return Some(Ok(out.into())),
                    Err(damage) => break Err(ContentError::Damaged(damage)),
                },
                Some(Err(error)) => break Err(ContentError::Blob(error)),
                None => {
                    let last = self.opener.take()?;
                    break last
                        .finish(&mut out)
                        .map(|()| out.into())
                        .map_err(ContentError::Damaged);
                }
            }
        };
        self.opener = None;
        Some(opened)
    }
}

/// A document's content as it is read and opened.
pub struct Content {
    pub stream: futures_util::stream::BoxStream<'static, Result<bytes::Bytes, ContentError>>,
}

impl std::fmt::Debug for Content {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Content").finish_non_exhaustive()
    }
}

/// Why reading content stopped part way.
#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    #[error(transparent)]
    Damaged(DamagedBlob),
    #[error(transparent)]
    Blob(BlobError),
}

/// What an integrity check found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CheckReport {
    pub checked: u64,
    pub damaged: Vec<DamagedDocument>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DamagedDocument {
    pub document: String,
    /// Whose it is: `citizen:<id>` or `record-file:<id>`.
    pub owner: String,
    pub problem: Problem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    Missing,
    Changed,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Missing => "the stored object is missing",
            Self::Changed => "the stored object's SHA-256 differs from the one taken at upload",
        })
    }
}

pub(crate) async fn queue_blob_removal(
    tx: &mut Transaction<'static, Any>,
    blob: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO blob_removals (blob, queued_at) VALUES ($1, $2)")
        .bind(blob)
        .bind(at.as_second())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Enters stored content as the citizen's document, sealed under their key.
pub(crate) async fn insert_in(
    tx: &mut Transaction<'static, Any>,
    store: &Store,
    citizen: &CitizenId,
    document: &NewDocument,
    content: &StoredContent,
    at: Timestamp,
) -> Result<(), StoreError> {
    let key = Vault::new(store)
        .data_key_in(tx, &owner_of(citizen), at)
        .await?;
    let id = document.id.to_string();
    let (origin, sender) = match &document.origin {
        Origin::Uploaded => ("upload", None),
        Origin::Office { sender } => ("office", Some(sender.as_str())),
    };
    sqlx::query(
        "INSERT INTO documents (id, citizen_id, name, folder, media_type, size, origin, \
         sender, blob, blob_size, blob_sha256, stored_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&id)
    .bind(citizen.to_string())
    .bind(key.seal_text(&place("name", &id), document.name.as_str())?)
    .bind(
        document
            .folder
            .as_ref()
            .map(|folder| key.seal_text(&place("folder", &id), folder.as_str()))
            .transpose()?,
    )
    .bind(&document.media_type)
    .bind(to_i64(content.size))
    .bind(origin)
    .bind(sender)
    .bind(&content.blob)
    .bind(to_i64(content.blob_size))
    .bind(&content.blob_sha256)
    .bind(at.as_second())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn place(column: &str, id: &str) -> String {
    format!("documents.{column}:{id}")
}

pub(crate) fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn document(key: &DataKey, row: &sqlx::any::AnyRow) -> Result<Document, StoreError> {
    let id: String = row.try_get("id")?;
    let corrupt = |what: &str| StoreError::Corrupt(format!("document {id}: {what}"));
    let name: Vec<u8> = row.try_get("name")?;
    let folder: Option<Vec<u8>> = row.try_get("folder")?;
    let origin: String = row.try_get("origin")?;
    let sender: Option<String> = row.try_get("sender")?;
    let at = |column: &str| -> Result<Option<Timestamp>, StoreError> {
        row.try_get::<Option<i64>, _>(column)?
            .map(|second| Timestamp::from_second(second).map_err(|_| corrupt(column)))
            .transpose()
    };
    Ok(Document {
        id: DocumentId::parse(&id).ok_or_else(|| corrupt("id"))?,
        name: DocumentName::parse(&key.open_text(&place("name", &id), &name)?)
            .map_err(|_| corrupt("name"))?,
        folder: folder
            .map(|sealed| {
                FolderName::parse(&key.open_text(&place("folder", &id), &sealed)?)
                    .map_err(|_| corrupt("folder"))
            })
            .transpose()?,
        media_type: row.try_get("media_type")?,
        size: u64::try_from(row.try_get::<i64, _>("size")?).map_err(|_| corrupt("size"))?,
        origin: match (origin.as_str(), sender) {
            ("office", Some(sender)) => Origin::Office { sender },
            ("upload", _) => Origin::Uploaded,
            _ => return Err(corrupt("origin")),
        },
        stored_at: at("stored_at")?.ok_or_else(|| corrupt("stored_at"))?,
        damaged_at: at("damaged_at")?,
    })
}
