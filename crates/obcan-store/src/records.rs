//! The office's records: files and their filed documents, legal holds, and
//! disposal proposals with their approval.
//!
//! Each file has its own data key (`record-file:<id>`): its title, hold
//! reason and documents (names, content hashes, content) are sealed under
//! it, and destroying a file in disposal destroys the key with the rows, so
//! nothing of its content stays readable in backups either. Archived files
//! and filed documents are write-once; the schema's triggers refuse changes
//! too, whatever writes to the database.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::Date;
use obcan_core::audit::{Action, Actor, AuditEvent};
use obcan_core::documents::{DocumentId, DocumentName};
use obcan_core::records::{
    FileState, FileTitle, HoldReason, Outcome, ProposalId, ProposalState, RecordClass,
    RecordFileId, RetentionSign, disposal_from,
};
use obcan_core::staff::StaffId;
use sqlx::{Any, Row as _, Transaction};

use crate::audit::append_in;
use crate::documents::{Content, StoredContent, Upload, queue_blob_removal, to_i64};
use crate::vault::{DataKey, Vault, hex};
use crate::{Store, StoreError};

/// Who acts on the records, when and from where; each step is audited as theirs.
#[derive(Debug, Clone)]
pub struct Acting {
    pub by: StaffId,
    pub at: Timestamp,
    pub ip: Option<String>,
}

impl Acting {
    /// The audit event of this step on `file`.
    pub fn event(&self, action: Action, file: RecordFileId) -> AuditEvent {
        AuditEvent::new(self.at, Actor::Staff(self.by.uuid()), action)
            .about_record_file(file)
            .from_ip(self.ip.clone())
    }
}

/// A file as the records pages show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordFile {
    pub id: RecordFileId,
    /// The file reference (spisová značka), e.g. "SP-17/2026".
    pub reference: String,
    /// None once the file is destroyed.
    pub title: Option<FileTitle>,
    pub class_mark: String,
    pub class_title: String,
    pub sign: RetentionSign,
    pub years: u16,
    pub state: FileState,
    pub opened_at: Timestamp,
    /// Staff ids, as text.
    pub opened_by: String,
    pub closed_at: Option<Timestamp>,
    pub closed_by: Option<String>,
    pub disposal_from: Option<Date>,
    pub hold: Option<LegalHold>,
    pub disposed_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegalHold {
    pub reason: HoldReason,
    pub at: Timestamp,
    pub by: String,
}

/// A document filed into a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiledDocument {
    pub id: DocumentId,
    pub name: DocumentName,
    pub media_type: String,
    pub size: u64,
    /// Of the content.
    pub sha256: [u8; 32],
    pub filed_at: Timestamp,
    pub filed_by: String,
    pub damaged_at: Option<Timestamp>,
}

impl FiledDocument {
    /// The content's SHA-256 in lowercase hexadecimal.
    pub fn sha256_hex(&self) -> String {
        hex(&self.sha256)
    }
}

/// A file to open.
#[derive(Debug)]
pub struct NewFile<'a> {
    pub id: RecordFileId,
    pub title: FileTitle,
    pub class: &'a RecordClass,
}

/// A document to file, once its content is stored.
#[derive(Debug)]
pub struct NewFiledDocument {
    pub id: DocumentId,
    pub name: DocumentName,
    pub media_type: String,
}

/// Why a step on the records was not taken; nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("no such file")]
    NoSuchFile,
    #[error("no such proposal")]
    NoSuchProposal,
    #[error("the file is {}", .0.as_str())]
    FileIs(FileState),
    #[error("a file without documents cannot be closed")]
    Empty,
    #[error("the file is already on hold")]
    AlreadyHeld,
    #[error("the file is not on hold")]
    NotHeld,
    #[error("the proposal has already been decided")]
    AlreadyDecided,
    /// A file signed "V" needs the approval to say what becomes of it.
    #[error("no decision for file {0}")]
    DecisionMissing(String),
}

/// A disposal proposal as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalSummary {
    pub id: ProposalId,
    pub proposed_at: Timestamp,
    pub state: ProposalState,
    pub decided_at: Option<Timestamp>,
    pub decided_by: Option<String>,
    pub files: u64,
}

/// A proposal with its files and, once approved, what became of each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub summary: ProposalSummary,
    pub items: Vec<ProposalItem>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalItem {
    pub file: RecordFile,
    pub outcome: Option<ItemOutcome>,
}

/// What an approval did to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemOutcome {
    Done(Outcome),
    /// Put on hold after it was proposed: left closed, to be proposed again.
    Held,
}

impl ItemOutcome {
    fn as_str(self) -> &'static str {
        match self {
            Self::Done(outcome) => outcome.as_str(),
            Self::Held => "held",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        match raw {
            "held" => Some(Self::Held),
            other => Outcome::parse(other).map(Self::Done),
        }
    }
}

/// The data key's owner name for a file.
/// Decides a proposal still awaiting its decision; false if it was not.
async fn decide_in(
    tx: &mut Transaction<'static, Any>,
    id: ProposalId,
    state: ProposalState,
    acting: &Acting,
) -> Result<bool, StoreError> {
    let decided = sqlx::query(
        "UPDATE disposal_proposals SET state = $1, decided_at = $2, decided_by = $3 \
         WHERE id = $4 AND state = 'proposed'",
    )
    .bind(state.as_str())
    .bind(acting.at.as_second())
    .bind(acting.by.to_string())
    .bind(id.to_string())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(decided == 1)
}

/// Opens a file within the caller's transaction, by `opened_by` (a staff
/// member's id, or what else opened it); its reference, "SP-<n>/<year>".
pub(crate) async fn open_in(
    store: &Store,
    tx: &mut Transaction<'static, Any>,
    file: &NewFile<'_>,
    opened_by: &str,
    at: Timestamp,
) -> Result<String, StoreError> {
    let year = i64::from(at.to_zoned(jiff::tz::TimeZone::UTC).year());
    let number: i64 = sqlx::query(
        "INSERT INTO record_counters (year, last) VALUES ($1, 1) \
         ON CONFLICT (year) DO UPDATE SET last = record_counters.last + 1 RETURNING last",
    )
    .bind(year)
    .fetch_one(&mut **tx)
    .await?
    .try_get("last")?;
    let reference = format!("SP-{number}/{year}");
    let id = file.id.to_string();
    let key = Vault::new(store)
        .data_key_in(tx, &owner_of(file.id), at)
        .await?;
    sqlx::query(
        "INSERT INTO record_files (id, reference, title, class_mark, class_title, sign, \
         years, state, opened_at, opened_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9)",
    )
    .bind(&id)
    .bind(&reference)
    .bind(key.seal_text(&place("title", &id), file.title.as_str())?)
    .bind(file.class.mark)
    .bind(file.class.title)
    .bind(file.class.sign.as_str())
    .bind(i64::from(file.class.years))
    .bind(at.as_second())
    .bind(opened_by)
    .execute(&mut **tx)
    .await?;
    Ok(reference)
}

/// Enters written content into a file as its document, within the
/// caller's transaction; `key` is the file's.
pub(crate) async fn insert_document_in(
    tx: &mut Transaction<'static, Any>,
    key: &DataKey,
    file: RecordFileId,
    document: &NewFiledDocument,
    content: &StoredContent,
    at: Timestamp,
    filed_by: &str,
) -> Result<(), StoreError> {
    let Some(sha256) = content.content_sha256 else {
        return Err(StoreError::Corrupt(
            "filed content was written without its hash".into(),
        ));
    };
    let id = document.id.to_string();
    sqlx::query(
        "INSERT INTO record_documents (id, file_id, name, media_type, size, sha256, blob, \
         blob_size, blob_sha256, filed_at, filed_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&id)
    .bind(file.to_string())
    .bind(key.seal_text(&place("name", &id), document.name.as_str())?)
    .bind(&document.media_type)
    .bind(to_i64(content.size))
    .bind(key.seal(&place("sha256", &id), &sha256)?)
    .bind(&content.blob)
    .bind(to_i64(content.blob_size))
    .bind(&content.blob_sha256)
    .bind(at.as_second())
    .bind(filed_by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(crate) fn owner_of(file: RecordFileId) -> String {
    format!("record-file:{file}")
}

fn place(column: &str, id: &str) -> String {
    format!("record.{column}:{id}")
}

const FILE_COLUMNS: &str = "id, reference, title, class_mark, class_title, sign, years, state, \
    opened_at, opened_by, closed_at, closed_by, disposal_from, hold_reason, hold_at, hold_by, \
    disposed_at";

#[derive(Debug, Clone, Copy)]
pub struct Records<'a> {
    store: &'a Store,
}

impl Store {
    pub fn records(&self) -> Records<'_> {
        Records { store: self }
    }
}

impl Records<'_> {
    /// Opens a file under a class of the filing plan; its reference is the
    /// next number of the year.
    pub async fn open(&self, file: &NewFile<'_>, acting: &Acting) -> Result<String, StoreError> {
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        let reference =
            open_in(self.store, &mut tx, file, &acting.by.to_string(), acting.at).await?;
        let event = acting
            .event(Action::RecordFileOpened, file.id)
            .with("reference", reference.clone())
            .with("class", file.class.mark);
        append_in(&mut tx, self.store.backend, &event).await?;
        tx.commit().await?;
        Ok(reference)
    }

    /// Files in a state (all if none), the most recently opened first.
    pub async fn list(&self, state: Option<FileState>) -> Result<Vec<RecordFile>, StoreError> {
        let order = "ORDER BY opened_at DESC, id";
        let rows = match state {
            Some(state) => {
                sqlx::query(&format!(
                    "SELECT {FILE_COLUMNS} FROM record_files WHERE state = $1 {order}"
                ))
                .bind(state.as_str())
                .fetch_all(&self.store.pool)
                .await?
            }
            None => {
                sqlx::query(&format!("SELECT {FILE_COLUMNS} FROM record_files {order}"))
                    .fetch_all(&self.store.pool)
                    .await?
            }
        };
        self.files(&rows).await
    }

    async fn files(&self, rows: &[sqlx::any::AnyRow]) -> Result<Vec<RecordFile>, StoreError> {
        let mut files = Vec::with_capacity(rows.len());
        for row in rows {
            files.push(self.file_from(row).await?);
        }
        Ok(files)
    }

    pub async fn get(&self, id: RecordFileId) -> Result<Option<RecordFile>, StoreError> {
        let sql = format!("SELECT {FILE_COLUMNS} FROM record_files WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id.to_string())
            .fetch_optional(&self.store.pool)
            .await?;
        match row {
            Some(row) => self.file_from(&row).await.map(Some),
            None => Ok(None),
        }
    }

    async fn file_from(&self, row: &sqlx::any::AnyRow) -> Result<RecordFile, StoreError> {
        let raw_id: String = row.try_get("id")?;
        let corrupt = |what: &str| StoreError::Corrupt(format!("record file {raw_id}: {what}"));
        let id = RecordFileId::parse(&raw_id).ok_or_else(|| corrupt("id"))?;
        let title: Option<Vec<u8>> = row.try_get("title")?;
        let hold_reason: Option<Vec<u8>> = row.try_get("hold_reason")?;
        // A destroyed file has no key and nothing sealed left.
        let key = match (&title, &hold_reason) {
            (None, None) => None,
            _ => Some(
                Vault::new(self.store)
                    .existing(&owner_of(id))
                    .await?
                    .ok_or_else(|| corrupt("no data key"))?,
            ),
        };
        let open = |column: &str, sealed: Option<Vec<u8>>| -> Result<Option<String>, StoreError> {
            match (sealed, &key) {
                (Some(sealed), Some(key)) => {
                    key.open_text(&place(column, &raw_id), &sealed).map(Some)
                }
                _ => Ok(None),
            }
        };
        let at = |column: &str| -> Result<Option<Timestamp>, StoreError> {
            row.try_get::<Option<i64>, _>(column)?
                .map(|second| Timestamp::from_second(second).map_err(|_| corrupt(column)))
                .transpose()
        };
        let hold = match (open("hold_reason", hold_reason)?, at("hold_at")?) {
            (Some(reason), Some(held_at)) => Some(LegalHold {
                reason: HoldReason::parse(&reason).map_err(|_| corrupt("hold_reason"))?,
                at: held_at,
                by: row
                    .try_get::<Option<String>, _>("hold_by")?
                    .unwrap_or_default(),
            }),
            _ => None,
        };
        Ok(RecordFile {
            id,
            reference: row.try_get("reference")?,
            title: open("title", title)?
                .map(|title| FileTitle::parse(&title).map_err(|_| corrupt("title")))
                .transpose()?,
            class_mark: row.try_get("class_mark")?,
            class_title: row.try_get("class_title")?,
            sign: row
                .try_get::<String, _>("sign")?
                .parse()
                .map_err(|_| corrupt("sign"))?,
            years: u16::try_from(row.try_get::<i64, _>("years")?).map_err(|_| corrupt("years"))?,
            state: FileState::parse(&row.try_get::<String, _>("state")?)
                .ok_or_else(|| corrupt("state"))?,
            opened_at: at("opened_at")?.ok_or_else(|| corrupt("opened_at"))?,
            opened_by: row.try_get("opened_by")?,
            closed_at: at("closed_at")?,
            closed_by: row.try_get("closed_by")?,
            disposal_from: row
                .try_get::<Option<String>, _>("disposal_from")?
                .map(|day| day.parse().map_err(|_| corrupt("disposal_from")))
                .transpose()?,
            hold,
            disposed_at: at("disposed_at")?,
        })
    }

    /// The file's documents, in the order they were filed.
    pub async fn documents(&self, file: RecordFileId) -> Result<Vec<FiledDocument>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, media_type, size, sha256, filed_at, filed_by, damaged_at \
             FROM record_documents WHERE file_id = $1 ORDER BY filed_at, id",
        )
        .bind(file.to_string())
        .fetch_all(&self.store.pool)
        .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let key = self.existing_key(file).await?;
        rows.iter().map(|row| filed_document(&key, row)).collect()
    }

    async fn existing_key(&self, file: RecordFileId) -> Result<DataKey, StoreError> {
        Vault::new(self.store)
            .existing(&owner_of(file))
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("record file {file}: no data key")))
    }

    /// Starts writing a document's content for an open file; the caller
    /// either finishes and files it or aborts it.
    pub async fn begin_filing(
        &self,
        file: RecordFileId,
    ) -> Result<Result<Upload, Refused>, StoreError> {
        if let Err(refused) = open_file(state_in(&self.store.pool, file).await?) {
            return Ok(Err(refused));
        }
        let key = self.existing_key(file).await?;
        self.store
            .documents()
            .begin_sealed(&key, true)
            .await
            .map(Ok)
    }

    /// Files stored content into an open file; if the file is no longer
    /// open, or anything fails, the content is removed.
    pub async fn file_document(
        &self,
        file: RecordFileId,
        document: &NewFiledDocument,
        content: StoredContent,
        acting: &Acting,
    ) -> Result<Result<(), Refused>, StoreError> {
        let filed = self.try_file(file, document, &content, acting).await;
        if !matches!(filed, Ok(Ok(()))) {
            self.store.documents().remove_blob(&content.blob).await;
        }
        filed
    }

    async fn try_file(
        &self,
        file: RecordFileId,
        document: &NewFiledDocument,
        content: &StoredContent,
        acting: &Acting,
    ) -> Result<Result<(), Refused>, StoreError> {
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        if let Err(refused) = open_file(state_in(&mut *tx, file).await?) {
            return Ok(Err(refused));
        }
        let key = Vault::new(self.store)
            .data_key_in(&mut tx, &owner_of(file), acting.at)
            .await?;
        let by = acting.by.to_string();
        insert_document_in(&mut tx, &key, file, document, content, acting.at, &by).await?;
        let event = acting
            .event(Action::RecordDocumentFiled, file)
            .with("document", document.id.to_string());
        append_in(&mut tx, self.store.backend, &event).await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// A filed document's content, opened as it is read; none if the
    /// document is not in the file.
    pub async fn content(
        &self,
        file: RecordFileId,
        document: DocumentId,
    ) -> Result<Option<Content>, StoreError> {
        let row = sqlx::query("SELECT blob FROM record_documents WHERE file_id = $1 AND id = $2")
            .bind(file.to_string())
            .bind(document.to_string())
            .fetch_optional(&self.store.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let blob: String = row.try_get("blob")?;
        let key = self.existing_key(file).await?;
        self.store.documents().open_blob(key, &blob).await.map(Some)
    }

    /// Closes an open file with at least one document; its retention period
    /// runs from the 1st January after `today`.
    pub async fn close(
        &self,
        file: RecordFileId,
        today: Date,
        acting: &Acting,
    ) -> Result<Result<Date, Refused>, StoreError> {
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        let row = sqlx::query(
            "SELECT f.state, f.years, \
             (SELECT COUNT(*) FROM record_documents d WHERE d.file_id = f.id) AS documents \
             FROM record_files f WHERE f.id = $1",
        )
        .bind(file.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(Err(Refused::NoSuchFile));
        };
        let state: String = row.try_get("state")?;
        if state != FileState::Open.as_str() {
            return Ok(Err(Refused::FileIs(
                FileState::parse(&state).unwrap_or(FileState::Closed),
            )));
        }
        if row.try_get::<i64, _>("documents")? == 0 {
            return Ok(Err(Refused::Empty));
        }
        let years = u16::try_from(row.try_get::<i64, _>("years")?).unwrap_or(u16::MAX);
        let disposal_from = disposal_from(today, years);
        sqlx::query(
            "UPDATE record_files SET state = 'closed', closed_at = $1, closed_by = $2, \
             disposal_from = $3 WHERE id = $4",
        )
        .bind(acting.at.as_second())
        .bind(acting.by.to_string())
        .bind(disposal_from.to_string())
        .bind(file.to_string())
        .execute(&mut *tx)
        .await?;
        let event = acting
            .event(Action::RecordFileClosed, file)
            .with("disposal_from", disposal_from.to_string());
        append_in(&mut tx, self.store.backend, &event).await?;
        tx.commit().await?;
        Ok(Ok(disposal_from))
    }

    /// Puts an open or closed file on legal hold: no disposal until released.
    pub async fn place_hold(
        &self,
        file: RecordFileId,
        reason: &HoldReason,
        acting: &Acting,
    ) -> Result<Result<(), Refused>, StoreError> {
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        match held_in(&mut tx, file).await? {
            Ok(false) => {}
            Ok(true) => return Ok(Err(Refused::AlreadyHeld)),
            Err(refused) => return Ok(Err(refused)),
        }
        let key = Vault::new(self.store)
            .data_key_in(&mut tx, &owner_of(file), acting.at)
            .await?;
        let id = file.to_string();
        sqlx::query(
            "UPDATE record_files SET hold_reason = $1, hold_at = $2, hold_by = $3 WHERE id = $4",
        )
        .bind(key.seal_text(&place("hold_reason", &id), reason.as_str())?)
        .bind(acting.at.as_second())
        .bind(acting.by.to_string())
        .bind(&id)
        .execute(&mut *tx)
        .await?;
        append_in(
            &mut tx,
            self.store.backend,
            &acting.event(Action::LegalHoldPlaced, file),
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    pub async fn release_hold(
        &self,
        file: RecordFileId,
        acting: &Acting,
    ) -> Result<Result<(), Refused>, StoreError> {
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        match held_in(&mut tx, file).await? {
            Ok(true) => {}
            Ok(false) => return Ok(Err(Refused::NotHeld)),
            Err(refused) => return Ok(Err(refused)),
        }
        sqlx::query(
            "UPDATE record_files SET hold_reason = NULL, hold_at = NULL, hold_by = NULL \
             WHERE id = $1",
        )
        .bind(file.to_string())
        .execute(&mut *tx)
        .await?;
        append_in(
            &mut tx,
            self.store.backend,
            &acting.event(Action::LegalHoldReleased, file),
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// Closed files whose retention period has passed by `today`, not on
    /// hold and not in a proposal awaiting its decision.
    pub async fn due(&self, today: Date) -> Result<Vec<RecordFile>, StoreError> {
        let sql = format!(
            "SELECT {FILE_COLUMNS} FROM record_files f WHERE {DUE} ORDER BY disposal_from, reference"
        );
        let rows = sqlx::query(&sql)
            .bind(today.to_string())
            .fetch_all(&self.store.pool)
            .await?;
        self.files(&rows).await
    }

    /// The system's proposal: every file due by `today` goes into a new
    /// proposal for a records manager to approve. None if nothing is due.
    pub async fn propose_disposal(
        &self,
        today: Date,
        at: Timestamp,
    ) -> Result<Option<(ProposalId, u64)>, StoreError> {
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        let sql = format!("SELECT id FROM record_files f WHERE {DUE}");
        let files: Vec<String> = sqlx::query(&sql)
            .bind(today.to_string())
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|row| row.try_get("id"))
            .collect::<Result<_, _>>()?;
        if files.is_empty() {
            return Ok(None);
        }
        let proposal = ProposalId::random();
        sqlx::query(
            "INSERT INTO disposal_proposals (id, proposed_at, state) VALUES ($1, $2, 'proposed')",
        )
        .bind(proposal.to_string())
        .bind(at.as_second())
        .execute(&mut *tx)
        .await?;
        for file in &files {
            sqlx::query("INSERT INTO disposal_items (proposal_id, file_id) VALUES ($1, $2)")
                .bind(proposal.to_string())
                .bind(file)
                .execute(&mut *tx)
                .await?;
        }
        let count = files.len() as u64;
        let event = AuditEvent::new(at, Actor::System, Action::DisposalProposed)
            .with("proposal", proposal.to_string())
            .with("files", count.to_string());
        append_in(&mut tx, self.store.backend, &event).await?;
        tx.commit().await?;
        Ok(Some((proposal, count)))
    }

    /// Every proposal, the newest first.
    pub async fn proposals(&self) -> Result<Vec<ProposalSummary>, StoreError> {
        let sql = format!(
            "{PROPOSAL_SELECT} GROUP BY p.id, p.proposed_at, p.state, p.decided_at, p.decided_by ORDER BY p.proposed_at DESC, p.id"
        );
        let rows = sqlx::query(&sql).fetch_all(&self.store.pool).await?;
        rows.iter().map(proposal_summary).collect()
    }

    pub async fn proposal(&self, id: ProposalId) -> Result<Option<Proposal>, StoreError> {
        let sql = format!(
            "{PROPOSAL_SELECT} WHERE p.id = $1 \
             GROUP BY p.id, p.proposed_at, p.state, p.decided_at, p.decided_by"
        );
        let row = sqlx::query(&sql)
            .bind(id.to_string())
            .fetch_optional(&self.store.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let summary = proposal_summary(&row)?;
        let columns = FILE_COLUMNS
            .split(", ")
            .map(|column| format!("f.{column}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {columns}, i.outcome FROM disposal_items i \
             JOIN record_files f ON f.id = i.file_id \
             WHERE i.proposal_id = $1 ORDER BY f.disposal_from, f.reference"
        );
        let rows = sqlx::query(&sql)
            .bind(id.to_string())
            .fetch_all(&self.store.pool)
            .await?;
        let mut items = Vec::with_capacity(rows.len());
        for row in &rows {
            let outcome: Option<String> = row.try_get("outcome")?;
            items.push(ProposalItem {
                file: self.file_from(row).await?,
                outcome: outcome
                    .map(|raw| {
                        ItemOutcome::parse(&raw).ok_or_else(|| {
                            StoreError::Corrupt(format!("proposal {id}: outcome {raw:?}"))
                        })
                    })
                    .transpose()?,
            });
        }
        Ok(Some(Proposal { summary, items }))
    }

    /// Approves a proposal and carries it out, in one transaction: each file
    /// is archived or destroyed as its sign says, or as `decisions` says for
    /// a "V"; a file put on hold meanwhile is left as it is. Destroyed
    /// files' content is removed from the blob store after the commit.
    pub async fn approve(
        &self,
        id: ProposalId,
        decisions: &HashMap<RecordFileId, Outcome>,
        acting: &Acting,
    ) -> Result<Result<(), Refused>, StoreError> {
        let Some(proposal) = self.proposal(id).await? else {
            return Ok(Err(Refused::NoSuchProposal));
        };
        let mut plan = Vec::with_capacity(proposal.items.len());
        for item in &proposal.items {
            let decided = decisions.get(&item.file.id).copied();
            match item.file.sign.default_outcome().or(decided) {
                Some(outcome) => plan.push((item.file.id, outcome)),
                None => return Ok(Err(Refused::DecisionMissing(item.file.reference.clone()))),
            }
        }
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        if !decide_in(&mut tx, id, ProposalState::Approved, acting).await? {
            return Ok(Err(Refused::AlreadyDecided));
        }
        let mut removed_blobs = Vec::new();
        for (file, outcome) in plan {
            let row = sqlx::query("SELECT state, hold_at FROM record_files WHERE id = $1")
                .bind(file.to_string())
                .fetch_one(&mut *tx)
                .await?;
            let held = row.try_get::<Option<i64>, _>("hold_at")?.is_some();
            let closed = row.try_get::<String, _>("state")? == FileState::Closed.as_str();
            let done = if held || !closed {
                ItemOutcome::Held
            } else {
                match outcome {
                    Outcome::Archive => self.archive_in(&mut tx, file, id, acting).await?,
                    Outcome::Destroy => {
                        removed_blobs.extend(self.destroy_in(&mut tx, file, id, acting).await?);
                    }
                }
                ItemOutcome::Done(outcome)
            };
            sqlx::query(
                "UPDATE disposal_items SET outcome = $1 WHERE proposal_id = $2 AND file_id = $3",
            )
            .bind(done.as_str())
            .bind(id.to_string())
            .bind(file.to_string())
            .execute(&mut *tx)
            .await?;
        }
        let event = AuditEvent::new(
            acting.at,
            Actor::Staff(acting.by.uuid()),
            Action::DisposalApproved,
        )
        .with("proposal", id.to_string())
        .from_ip(acting.ip.clone());
        append_in(&mut tx, self.store.backend, &event).await?;
        tx.commit().await?;
        let documents = self.store.documents();
        for blob in &removed_blobs {
            documents.remove_blob(blob).await;
        }
        Ok(Ok(()))
    }

    async fn archive_in(
        &self,
        tx: &mut Transaction<'static, Any>,
        file: RecordFileId,
        proposal: ProposalId,
        acting: &Acting,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE record_files SET state = 'archived', disposed_at = $1, proposal_id = $2 \
             WHERE id = $3",
        )
        .bind(acting.at.as_second())
        .bind(proposal.to_string())
        .bind(file.to_string())
        .execute(&mut **tx)
        .await?;
        append_in(
            tx,
            self.store.backend,
            &acting.event(Action::RecordFileArchived, file),
        )
        .await?;
        Ok(())
    }

    /// Destroys a file's documents and its data key, keeping the file's
    /// reference, class and dates; the blobs to remove after the commit.
    async fn destroy_in(
        &self,
        tx: &mut Transaction<'static, Any>,
        file: RecordFileId,
        proposal: ProposalId,
        acting: &Acting,
    ) -> Result<Vec<String>, StoreError> {
        let blobs: Vec<String> =
            sqlx::query("DELETE FROM record_documents WHERE file_id = $1 RETURNING blob")
                .bind(file.to_string())
                .fetch_all(&mut **tx)
                .await?
                .iter()
                .map(|row| row.try_get("blob"))
                .collect::<Result<_, _>>()?;
        for blob in &blobs {
            queue_blob_removal(tx, blob, acting.at).await?;
        }
        Vault::destroy_in(tx, &owner_of(file)).await?;
        sqlx::query(
            "UPDATE record_files SET state = 'destroyed', title = NULL, hold_reason = NULL, \
             disposed_at = $1, proposal_id = $2 WHERE id = $3",
        )
        .bind(acting.at.as_second())
        .bind(proposal.to_string())
        .bind(file.to_string())
        .execute(&mut **tx)
        .await?;
        let event = acting
            .event(Action::RecordFileDestroyed, file)
            .with("documents", blobs.len().to_string());
        append_in(tx, self.store.backend, &event).await?;
        Ok(blobs)
    }

    /// Rejects a proposal; its files are proposed again next time.
    pub async fn reject(
        &self,
        id: ProposalId,
        acting: &Acting,
    ) -> Result<Result<(), Refused>, StoreError> {
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        if !decide_in(&mut tx, id, ProposalState::Rejected, acting).await? {
            let exists = sqlx::query("SELECT 1 FROM disposal_proposals WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(&mut *tx)
                .await?
                .is_some();
            return Ok(Err(if exists {
                Refused::AlreadyDecided
            } else {
                Refused::NoSuchProposal
            }));
        }
        let event = AuditEvent::new(
            acting.at,
            Actor::Staff(acting.by.uuid()),
            Action::DisposalRejected,
        )
        .with("proposal", id.to_string())
        .from_ip(acting.ip.clone());
        append_in(&mut tx, self.store.backend, &event).await?;
        tx.commit().await?;
        Ok(Ok(()))
    }
}

/// Closed, due by `$1`, not on hold, not awaiting a decision.
const DUE: &str = "f.state = 'closed' AND f.disposal_from <= $1 AND f.hold_at IS NULL \
    AND NOT EXISTS (SELECT 1 FROM disposal_items i \
    JOIN disposal_proposals p ON p.id = i.proposal_id \
    WHERE i.file_id = f.id AND p.state = 'proposed')";

const PROPOSAL_SELECT: &str = "SELECT p.id, p.proposed_at, p.state, p.decided_at, p.decided_by, \
    COUNT(i.file_id) AS files FROM disposal_proposals p \
    LEFT JOIN disposal_items i ON i.proposal_id = p.id";

async fn state_in<'c>(
    executor: impl sqlx::Executor<'c, Database = Any>,
    file: RecordFileId,
) -> Result<Option<FileState>, StoreError> {
    let row = sqlx::query("SELECT state FROM record_files WHERE id = $1")
        .bind(file.to_string())
        .fetch_optional(executor)
        .await?;
    row.map(|row| {
        let state: String = row.try_get("state")?;
        FileState::parse(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("record file {file}: state")))
    })
    .transpose()
}

/// Whether the file is open to documents, in the transaction.
pub(crate) async fn is_open_in(
    tx: &mut Transaction<'static, Any>,
    file: RecordFileId,
) -> Result<bool, StoreError> {
    Ok(open_file(state_in(&mut **tx, file).await?).is_ok())
}

/// Documents are filed only into an open file.
fn open_file(state: Option<FileState>) -> Result<(), Refused> {
    match state {
        None => Err(Refused::NoSuchFile),
        Some(FileState::Open) => Ok(()),
        Some(state) => Err(Refused::FileIs(state)),
    }
}

/// Whether a file is on hold; holds change only on open and closed files.
async fn held_in(
    tx: &mut Transaction<'static, Any>,
    file: RecordFileId,
) -> Result<Result<bool, Refused>, StoreError> {
    let row = sqlx::query("SELECT state, hold_at FROM record_files WHERE id = $1")
        .bind(file.to_string())
        .fetch_optional(&mut **tx)
        .await?;
    let Some(row) = row else {
        return Ok(Err(Refused::NoSuchFile));
    };
    let state: String = row.try_get("state")?;
    Ok(match FileState::parse(&state) {
        Some(FileState::Open | FileState::Closed) => {
            Ok(row.try_get::<Option<i64>, _>("hold_at")?.is_some())
        }
        Some(other) => Err(Refused::FileIs(other)),
        None => Err(Refused::NoSuchFile),
    })
}

fn proposal_summary(row: &sqlx::any::AnyRow) -> Result<ProposalSummary, StoreError> {
    let raw_id: String = row.try_get("id")?;
    let corrupt = |what: &str| StoreError::Corrupt(format!("proposal {raw_id}: {what}"));
    let at = |column: &str| -> Result<Option<Timestamp>, StoreError> {
        row.try_get::<Option<i64>, _>(column)?
            .map(|second| Timestamp::from_second(second).map_err(|_| corrupt(column)))
            .transpose()
    };
    Ok(ProposalSummary {
        id: ProposalId::parse(&raw_id).ok_or_else(|| corrupt("id"))?,
        proposed_at: at("proposed_at")?.ok_or_else(|| corrupt("proposed_at"))?,
        state: ProposalState::parse(&row.try_get::<String, _>("state")?)
            .ok_or_else(|| corrupt("state"))?,
        decided_at: at("decided_at")?,
        decided_by: row.try_get("decided_by")?,
        files: u64::try_from(row.try_get::<i64, _>("files")?).unwrap_or_default(),
    })
}

fn filed_document(key: &DataKey, row: &sqlx::any::AnyRow) -> Result<FiledDocument, StoreError> {
    let id: String = row.try_get("id")?;
    let corrupt = |what: &str| StoreError::Corrupt(format!("filed document {id}: {what}"));
    let at = |column: &str| -> Result<Option<Timestamp>, StoreError> {
        row.try_get::<Option<i64>, _>(column)?
            .map(|second| Timestamp::from_second(second).map_err(|_| corrupt(column)))
            .transpose()
    };
    let name: Vec<u8> = row.try_get("name")?;
    let sha256: Vec<u8> = row.try_get("sha256")?;
    Ok(FiledDocument {
        id: DocumentId::parse(&id).ok_or_else(|| corrupt("id"))?,
        name: DocumentName::parse(&key.open_text(&place("name", &id), &name)?)
            .map_err(|_| corrupt("name"))?,
        media_type: row.try_get("media_type")?,
        size: u64::try_from(row.try_get::<i64, _>("size")?).map_err(|_| corrupt("size"))?,
        sha256: key
            .open(&place("sha256", &id), &sha256)?
            .as_slice()
            .try_into()
            .map_err(|_| corrupt("sha256"))?,
        filed_at: at("filed_at")?.ok_or_else(|| corrupt("filed_at"))?,
        filed_by: row.try_get("filed_by")?,
        damaged_at: at("damaged_at")?,
    })
}
