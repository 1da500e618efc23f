//! Filed submissions. Filing turns a citizen's draft into the office's
//! record in one transaction: the draft goes, a file (spis) is opened under
//! the form's class, the content is sealed under the file's data key with
//! its SHA-256 kept for the receipt, the timeline begins, and the audit log
//! says so. Only then is the receipt shown; filing the same draft again
//! finds what the first filing made. The documents a submission attaches
//! are copied into its file, sealed under the file's key, before that
//! transaction, and removed again if it does not commit.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::Date;
use obcan_core::audit::{Action, Actor, AuditEvent};
use obcan_core::citizen::CitizenId;
use obcan_core::documents::{DocumentId, Origin};
use obcan_core::forms::{Answers, DraftId, FormDefinition, FormId};
use obcan_core::integration::EventType;
use obcan_core::records::{FileTitle, FilingPlan, RecordFileId};
use obcan_core::staff::{AgendaKey, StaffId};
use obcan_core::submissions::{Message, OfficeStep, SubmissionId, SubmissionState, TimelineKind};
use sha2::{Digest as _, Sha256};
use sqlx::Row as _;
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};

use crate::audit::append_in;
use crate::documents::{NewDocument, StoredContent, insert_in};
use crate::integration::outbox;
use crate::records::{
    Acting, NewFile, NewFiledDocument, insert_document_in, is_open_in as records_open_in, open_in,
    owner_of,
};
use crate::vault::{DataKey, Vault, hex};
use crate::{Store, StoreError};

/// Who opened a submission's file: the portal's electronic filing office,
/// on the citizen's filing.
pub const FILED_THROUGH_PORTAL: &str = "portal";

/// What the receipt shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub id: SubmissionId,
    /// "PO-<n>/<year>".
    pub reference: String,
    pub form: FormId,
    pub submitted_at: Timestamp,
    /// SHA-256 (hex) of the content as filed.
    pub content_sha256: String,
    pub deadline_on: Date,
    pub state: SubmissionState,
}

/// What is filed: the citizen's draft, checked, with the documents it
/// attaches.
#[derive(Debug, Clone, Copy)]
pub struct Filing<'a> {
    pub citizen: &'a CitizenId,
    pub draft: DraftId,
    pub form: &'a FormDefinition,
    /// The draft's answers as checked for filing.
    pub content: &'a Answers,
    /// The citizen's documents the answers attach.
    pub attachments: &'a [DocumentId],
}

/// What filing a draft did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filed {
    New(Receipt),
    /// The draft was filed before (a double click, a retry): its receipt.
    Already(Receipt),
    /// The citizen has no such draft and filed none from it.
    NoDraft,
    /// An attached document is no longer in the citizen's storage; nothing
    /// was filed.
    AttachmentGone(DocumentId),
}

/// What withdrawing a submission did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Withdrawal {
    Done,
    /// Decided or withdrawn before: it stays so.
    Settled(SubmissionState),
    /// The citizen has no such submission.
    NotFound,
}

/// The citizen's answer to the office on one of their submissions, with
/// their documents it sends along.
#[derive(Debug, Clone, Copy)]
pub struct Reply<'a> {
    pub citizen: &'a CitizenId,
    pub submission: SubmissionId,
    pub message: &'a Message,
    pub attachments: &'a [DocumentId],
}

/// What replying did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replied {
    /// Sent; the state the submission is in now.
    Done(SubmissionState),
    /// Decided or withdrawn: it takes no more replies.
    Settled(SubmissionState),
    /// The citizen has no such submission.
    NotFound,
    /// A document is no longer in the citizen's storage; nothing was sent.
    AttachmentGone(DocumentId),
}

/// An entry of a submission's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEntry {
    pub at: Timestamp,
    pub kind: TimelineKind,
    /// The state it left the submission in, if it moved it.
    pub state: Option<SubmissionState>,
    /// The message (the office's or the citizen's) or the note.
    pub text: Option<String>,
    /// `citizen`, `staff:<id>` or `system`.
    pub actor: String,
    /// Whom it gave the submission to, if it assigned it.
    pub assignee: Option<StaffId>,
}

/// News from the office about one of the citizen's submissions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeNews {
    pub submission: SubmissionId,
    pub reference: String,
    pub form: FormId,
    pub at: Timestamp,
    pub kind: TimelineKind,
    /// The office's message, if it wrote one.
    pub message: Option<String>,
}

/// A submission in an agenda's queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    pub receipt: Receipt,
    /// The official working it, if one took it up.
    pub assigned_to: Option<StaffId>,
}

/// Which of an agenda's submissions its queue shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueFilter {
    pub state: StateFilter,
    pub assignee: AssigneeFilter,
    /// Only those still open whose deadline passed before this day.
    pub overdue_on: Option<Date>,
    /// Only those whose reference contains this, in any case.
    pub reference: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StateFilter {
    #[default]
    Any,
    /// Not yet resolved, rejected or withdrawn.
    Open,
    Is(SubmissionState),
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AssigneeFilter {
    #[default]
    Anyone,
    Nobody,
    Is(StaffId),
}

/// A page of an agenda's queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuePage {
    pub queued: Vec<Queued>,
    /// Whether more matched than the page holds.
    pub more: bool,
}

/// A submission as the office works it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Worked {
    pub receipt: Receipt,
    pub agenda: AgendaKey,
    pub file: RecordFileId,
    pub assigned_to: Option<StaffId>,
    pub content: Answers,
    /// Every entry, the office's notes too.
    pub timeline: Vec<TimelineEntry>,
}

/// A citizen's document copied under a file's key, to be entered in it.
type Copied = (NewFiledDocument, StoredContent);

struct Opened {
    receipt: Receipt,
    file: RecordFileId,
    key: DataKey,
    content: Answers,
}

/// Why an official's step was not taken; nothing changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepRefused {
    /// Not from the state the submission is in now.
    NotNow(SubmissionState),
    /// No such submission in the agenda.
    NotFound,
    /// A document goes only with a message to the citizen that asks for
    /// more or decides.
    NoDocumentWith(OfficeStep),
    /// The submission's file is no longer open to documents.
    FileNotOpen,
}

/// A document the official sends with a step, e.g. the decision: written
/// under the submission file's key (`Records::begin_filing`). It is entered
/// in the file and delivered, as a copy under the citizen's key, into
/// their documents, both under its id.
#[derive(Debug)]
pub struct Decision<'a> {
    pub document: &'a NewFiledDocument,
    pub content: StoredContent,
    /// Who the citizen's documents say sent it.
    pub sender: &'a str,
}

/// A submission as its citizen sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub receipt: Receipt,
    /// Its file, which holds the documents it came with and was sent later.
    pub file: RecordFileId,
    pub content: Answers,
    pub timeline: Vec<TimelineEntry>,
}

#[derive(Debug, Clone, Copy)]
pub struct Submissions<'a> {
    store: &'a Store,
}

impl Store {
    pub fn submissions(&self) -> Submissions<'_> {
        Submissions { store: self }
    }
}

/// The columns a receipt is read from, as a literal for `concat!`.
macro_rules! receipt_columns {
    () => {
        "id, reference, form_id, submitted_at, content_sha256, deadline_on, state"
    };
}

pub(crate) const RECEIPT_COLUMNS: &str = receipt_columns!();

const FILED_FROM: &str = concat!(
    "SELECT ",
    receipt_columns!(),
    " FROM submissions WHERE draft_id = $1 AND citizen_id = $2"
);

fn place(id: &str) -> String {
    format!("submissions.content:{id}")
}

impl Submissions<'_> {
    /// Files the citizen's draft with its checked `content` and copies of
    /// the citizen's documents it names, which go into the submission's
    /// file. Filing again what was filed finds the first filing.
    pub async fn submit(
        &self,
        filing: &Filing<'_>,
        now: Timestamp,
        ip: Option<String>,
    ) -> Result<Filed, StoreError> {
        let exists =
            sqlx::query("SELECT 1 FROM submission_drafts WHERE id = $1 AND citizen_id = $2")
                .bind(filing.draft.to_string())
                .bind(filing.citizen.to_string())
                .fetch_optional(&self.store.pool)
                .await?
                .is_some();
        if !exists {
            return self.filed_before(filing).await;
        }
        // The copies are sealed under the new file's key before the file
        // is entered, so the key is made first; a filing that does not go
        // through destroys it with the copies.
        let file = RecordFileId::random();
        let key = Vault::new(self.store)
            .data_key(&owner_of(file), now)
            .await?;
        let outcome = match self
            .copy_all(filing.citizen, filing.attachments, &key)
            .await
        {
            Ok(Ok(copies)) => {
                let entered = self.enter(filing, file, &key, &copies, now, ip).await;
                if !matches!(entered, Ok(Filed::New(_))) {
                    self.remove_copies(&copies).await;
                }
                entered.map(Some)
            }
            Ok(Err(gone)) => Ok(Some(Filed::AttachmentGone(gone))),
            Err(error) => Err(error),
        };
        if !matches!(outcome, Ok(Some(Filed::New(_)))) {
            let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
            Vault::destroy_in(&mut tx, &owner_of(file)).await?;
            tx.commit().await?;
        }
        match outcome? {
            Some(filed) => Ok(filed),
            None => self.filed_before(filing).await,
        }
    }

    async fn filed_before(&self, filing: &Filing<'_>) -> Result<Filed, StoreError> {
        let before = self.filed_from(filing.citizen, filing.draft).await?;
        Ok(before.map_or(Filed::NoDraft, Filed::Already))
    }

    /// The receipt of the citizen's submission filed from `draft`, if any.
    pub async fn filed_from(
        &self,
        citizen: &CitizenId,
        draft: DraftId,
    ) -> Result<Option<Receipt>, StoreError> {
        let row = sqlx::query(FILED_FROM)
            .bind(draft.to_string())
            .bind(citizen.to_string())
            .fetch_optional(&self.store.pool)
            .await?;
        row.as_ref().map(receipt_from).transpose()
    }

    /// Copies the citizen's `documents` under `key`; the first that is gone
    /// instead, with no copies left behind.
    async fn copy_all(
        &self,
        citizen: &CitizenId,
        documents: &[DocumentId],
        key: &DataKey,
    ) -> Result<Result<Vec<Copied>, DocumentId>, StoreError> {
        let mut copies = Vec::with_capacity(documents.len());
        for document in documents {
            let copied = self.copy(citizen, *document, key).await;
            if !matches!(copied, Ok(Some(_))) {
                self.remove_copies(&copies).await;
            }
            match copied? {
                Some(copy) => copies.push(copy),
                None => return Ok(Err(*document)),
            }
        }
        Ok(Ok(copies))
    }

    async fn remove_copies(&self, copies: &[Copied]) {
        for (_, content) in copies {
            self.store.documents().remove_blob(&content.blob).await;
        }
    }

    /// Copies one of the citizen's documents under `key`; none if it is gone.
    async fn copy(
        &self,
        citizen: &CitizenId,
        document: DocumentId,
        key: &DataKey,
    ) -> Result<Option<Copied>, StoreError> {
        let documents = self.store.documents();
        let (Some(found), Some(content)) = (
            documents.get(citizen, document).await?,
            documents.content(citizen, document).await?,
        ) else {
            return Ok(None);
        };
        let copy = NewFiledDocument {
            id: DocumentId::random(),
            name: found.name,
            media_type: found.media_type,
        };
        Ok(Some((copy, documents.reseal(content, key, true).await?)))
    }

    /// Enters the filing in one transaction: the draft is taken (which is
    /// what claims it: a concurrent filing of the same draft waits, then
    /// finds it gone), the file opened with the copies, the submission and
    /// its timeline begun, and the audit log told.
    async fn enter(
        &self,
        filing: &Filing<'_>,
        file: RecordFileId,
        key: &DataKey,
        copies: &[Copied],
        now: Timestamp,
        ip: Option<String>,
    ) -> Result<Filed, StoreError> {
        let Filing {
            citizen,
            draft,
            form,
            content,
            ..
        } = *filing;
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        let taken = sqlx::query("DELETE FROM submission_drafts WHERE id = $1 AND citizen_id = $2")
            .bind(draft.to_string())
            .bind(citizen.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if taken != 1 {
            let before = sqlx::query(FILED_FROM)
                .bind(draft.to_string())
                .bind(citizen.to_string())
                .fetch_optional(&mut *tx)
                .await?;
            let before = before.as_ref().map(receipt_from).transpose()?;
            tx.commit().await?;
            return Ok(before.map_or(Filed::NoDraft, Filed::Already));
        }

        let office_zone = obcan_core::time::office_zone();
        let year = i64::from(now.to_zoned(office_zone.clone()).year());
        let number: i64 = sqlx::query(
            "INSERT INTO submission_counters (year, last) VALUES ($1, 1) \
             ON CONFLICT (year) DO UPDATE SET last = submission_counters.last + 1 RETURNING last",
        )
        .bind(year)
        .fetch_one(&mut *tx)
        .await?
        .try_get("last")?;
        let reference = format!("PO-{number}/{year}");

        let class = FilingPlan::PORTAL
            .class(form.record_class)
            .ok_or_else(|| StoreError::Corrupt(format!("form {}: no class", form.id)))?;
        let new_file = NewFile {
            id: file,
            title: FileTitle::parse(&format!("{} {reference}", form.title.cs))
                .map_err(|e| StoreError::Corrupt(format!("form {}: title: {e}", form.id)))?,
            class,
        };
        open_in(self.store, &mut tx, &new_file, FILED_THROUGH_PORTAL, now).await?;
        enter_copies(&mut tx, key, file, copies, now).await?;

        let id = SubmissionId::random();
        let raw_id = id.to_string();
        let bytes = serde_json::to_vec(content)
            .map_err(|e| StoreError::Corrupt(format!("submission content: {e}")))?;
        let content_sha256 = hex(&Sha256::digest(&bytes));
        let deadline_on = now
            .to_zoned(office_zone)
            .date()
            .checked_add(jiff::Span::new().days(i64::from(form.deadline_days)))
            .map_err(|e| StoreError::Corrupt(format!("deadline: {e}")))?;
        sqlx::query(
            "INSERT INTO submissions (id, reference, draft_id, citizen_id, form_id, form_version, \
             agenda, record_file_id, content, content_sha256, submitted_at, deadline_on, state, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $11)",
        )
        .bind(&raw_id)
        .bind(&reference)
        .bind(draft.to_string())
        .bind(citizen.to_string())
        .bind(form.id.as_str())
        .bind(i64::from(form.version))
        .bind(form.agenda.as_str())
        .bind(file.to_string())
        .bind(key.seal(&place(&raw_id), &bytes)?)
        .bind(&content_sha256)
        .bind(now.as_second())
        .bind(deadline_on.to_string())
        .bind(SubmissionState::Received.as_str())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO submission_events (submission_id, seq, at, kind, actor, state, \
             for_citizen) VALUES ($1, 1, $2, $3, 'citizen', $4, 1)",
        )
        .bind(&raw_id)
        .bind(now.as_second())
        .bind(TimelineKind::Received.as_str())
        .bind(SubmissionState::Received.as_str())
        .execute(&mut *tx)
        .await?;
        outbox::enqueue_in(&mut tx, &raw_id, EventType::Filed, now).await?;
        let event = AuditEvent::new(now, Actor::Citizen(*citizen), Action::SubmissionFiled)
            .about_record_file(file)
            .with("submission", raw_id)
            .with("reference", reference.clone())
            .with("form", form.id.as_str())
            .with("attachments", copies.len().to_string())
            .from_ip(ip);
        append_in(&mut tx, self.store.backend, &event).await?;
        tx.commit().await?;
        Ok(Filed::New(Receipt {
            id,
            reference,
            form: form.id.clone(),
            submitted_at: now,
            content_sha256,
            deadline_on,
            state: SubmissionState::Received,
        }))
    }

    /// Sends the citizen's reply to the office: the message goes into the
    /// timeline, sealed under the file's key, and copies of the documents
    /// into the file, as at filing; a submission waiting for the citizen
    /// goes back to the office. A settled one takes no reply.
    pub async fn reply(
        &self,
        reply: &Reply<'_>,
        now: Timestamp,
        ip: Option<String>,
    ) -> Result<Replied, StoreError> {
        let raw_id = reply.submission.to_string();
        let row = sqlx::query(
            "SELECT state, record_file_id FROM submissions WHERE id = $1 AND citizen_id = $2",
        )
        .bind(&raw_id)
        .bind(reply.citizen.to_string())
        .fetch_optional(&self.store.pool)
        .await?;
        let Some(row) = row else {
            return Ok(Replied::NotFound);
        };
        let corrupt = |what: &str| StoreError::Corrupt(format!("submission {raw_id}: {what}"));
        let state = SubmissionState::parse(&row.try_get::<String, _>("state")?)
            .ok_or_else(|| corrupt("state"))?;
        if state.after_reply().is_none() {
            return Ok(Replied::Settled(state));
        }
        let file = RecordFileId::parse(&row.try_get::<String, _>("record_file_id")?)
            .ok_or_else(|| corrupt("record_file_id"))?;
        let key = Vault::new(self.store)
            .existing(&owner_of(file))
            .await?
            .ok_or_else(|| corrupt("the file's data key is gone"))?;
        let copies = match self
            .copy_all(reply.citizen, reply.attachments, &key)
            .await?
        {
            Ok(copies) => copies,
            Err(gone) => return Ok(Replied::AttachmentGone(gone)),
        };
        let sent = self.send_reply(reply, file, &key, &copies, now, ip).await;
        if !matches!(sent, Ok(Replied::Done(_))) {
            self.remove_copies(&copies).await;
        }
        sent
    }

    /// Enters the reply in one transaction, unless the submission was
    /// settled in the meantime.
    async fn send_reply(
        &self,
        reply: &Reply<'_>,
        file: RecordFileId,
        key: &DataKey,
        copies: &[Copied],
        now: Timestamp,
        ip: Option<String>,
    ) -> Result<Replied, StoreError> {
        let raw_id = reply.submission.to_string();
        let (mut tx, found) = self
            .begin_step(&raw_id, Whose::Citizen(reply.citizen))
            .await?;
        let Some(Stepped {
            state: from,
            reference,
            ..
        }) = found
        else {
            return Ok(Replied::NotFound);
        };
        let Some(to) = from.after_reply() else {
            return Ok(Replied::Settled(from));
        };
        let entry = Entry {
            kind: TimelineKind::Replied,
            actor: CITIZEN,
            from,
            to,
            text: Some((key, reply.message.as_str())),
            for_citizen: true,
            assign: None,
        };
        entry.write(&mut tx, &raw_id, now).await?;
        enter_copies(&mut tx, key, file, copies, now).await?;
        let event = AuditEvent::new(
            now,
            Actor::Citizen(*reply.citizen),
            Action::SubmissionReplied,
        )
        .about_record_file(file)
        .with("submission", raw_id)
        .with("reference", reference)
        .with("attachments", copies.len().to_string())
        .from_ip(ip);
        append_in(&mut tx, self.store.backend, &event).await?;
        tx.commit().await?;
        Ok(Replied::Done(to))
    }

    /// Withdraws the citizen's submission, unless it is settled.
    pub async fn withdraw(
        &self,
        citizen: &CitizenId,
        id: SubmissionId,
        now: Timestamp,
        ip: Option<String>,
    ) -> Result<Withdrawal, StoreError> {
        let raw_id = id.to_string();
        let (mut tx, found) = self.begin_step(&raw_id, Whose::Citizen(citizen)).await?;
        let Some(Stepped {
            state,
            reference,
            file,
        }) = found
        else {
            return Ok(Withdrawal::NotFound);
        };
        if state.is_settled() {
            return Ok(Withdrawal::Settled(state));
        }
        let entry = Entry {
            kind: TimelineKind::Withdrawn,
            actor: CITIZEN,
            from: state,
            to: SubmissionState::Withdrawn,
            text: None,
            for_citizen: true,
            assign: None,
        };
        entry.write(&mut tx, &raw_id, now).await?;
        let event = AuditEvent::new(now, Actor::Citizen(*citizen), Action::SubmissionWithdrawn)
            .about_record_file(file)
            .with("submission", raw_id)
            .with("reference", reference)
            .from_ip(ip);
        append_in(&mut tx, self.store.backend, &event).await?;
        tx.commit().await?;
        Ok(Withdrawal::Done)
    }

    /// The submissions of an agenda that pass `filter`, those still open
    /// first, each group by its deadline; at most `limit` of them.
    pub async fn queue(
        &self,
        agenda: &AgendaKey,
        filter: &QueueFilter,
        limit: u32,
    ) -> Result<QueuePage, StoreError> {
        let mut sql =
            format!("SELECT {RECEIPT_COLUMNS}, assigned_to FROM submissions WHERE agenda = $1");
        let mut binds = vec![agenda.as_str().to_owned()];
        let mut bind = |value: String| {
            binds.push(value);
            format!("${}", binds.len())
        };
        match filter.state {
            StateFilter::Any => {}
            StateFilter::Open => sql.push_str(&format!(" AND state NOT IN ({SETTLED})")),
            StateFilter::Is(state) => {
                sql.push_str(&format!(" AND state = {}", bind(state.as_str().to_owned())));
            }
        }
        match filter.assignee {
            AssigneeFilter::Anyone => {}
            AssigneeFilter::Nobody => sql.push_str(" AND assigned_to IS NULL"),
            AssigneeFilter::Is(staff) => {
                sql.push_str(&format!(" AND assigned_to = {}", bind(staff.to_string())));
            }
        }
        if let Some(day) = filter.overdue_on {
            sql.push_str(&format!(
                " AND state NOT IN ({SETTLED}) AND deadline_on < {}",
                bind(day.to_string())
            ));
        }
        if let Some(reference) = &filter.reference {
            let pattern = format!("%{}%", like_escaped(&reference.to_uppercase()));
            sql.push_str(&format!(
                " AND UPPER(reference) LIKE {} ESCAPE '\\'",
                bind(pattern)
            ));
        }
        sql.push_str(&format!(
            " ORDER BY CASE WHEN state IN ({SETTLED}) THEN 1 ELSE 0 END, deadline_on, \
             submitted_at, reference LIMIT {}",
            u64::from(limit) + 1
        ));
        let mut query = sqlx::query(&sql);
        for value in binds {
            query = query.bind(value);
        }
        let rows = query.fetch_all(&self.store.pool).await?;
        let more = rows.len() > limit as usize;
        let queued = rows
            .iter()
            .take(limit as usize)
            .map(|row| {
                Ok(Queued {
                    receipt: receipt_from(row)?,
                    assigned_to: assigned(row)?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(QueuePage { queued, more })
    }

    /// A submission with its content and whole timeline, for the office;
    /// the caller audits the read.
    pub async fn for_office(&self, id: SubmissionId) -> Result<Option<Worked>, StoreError> {
        let sql = format!(
            "SELECT {RECEIPT_COLUMNS}, agenda, record_file_id, assigned_to, content \
             FROM submissions WHERE id = $1"
        );
        let row = sqlx::query(&sql)
            .bind(id.to_string())
            .fetch_optional(&self.store.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let Opened {
            receipt,
            file,
            key,
            content,
        } = self.open(&row).await?;
        Ok(Some(Worked {
            agenda: AgendaKey::parse(&row.try_get::<String, _>("agenda")?)
                .ok_or_else(|| StoreError::Corrupt(format!("submission {}: agenda", receipt.id)))?,
            file,
            assigned_to: assigned(&row)?,
            content,
            timeline: timeline(self.store, &receipt.id.to_string(), &key, false).await?,
            receipt,
        }))
    }

    /// An official's step on a submission of `agenda`, with its message or
    /// note sealed under the file's key and the document it sends, in the
    /// timeline and the audit log; the state it left the submission in.
    /// The document's content is removed unless the step is taken.
    pub async fn work(
        &self,
        id: SubmissionId,
        agenda: &AgendaKey,
        step: OfficeStep,
        text: Option<&Message>,
        decision: Option<Decision<'_>>,
        acting: &Acting,
    ) -> Result<Result<SubmissionState, StepRefused>, StoreError> {
        let Some(decision) = decision else {
            return self.step(id, agenda, step, text, None, acting).await;
        };
        let documents = self.store.documents();
        let delivered = self.deliverable(id, agenda, &decision, acting.at).await;
        let delivered = match delivered {
            Ok(delivered) => delivered,
            Err(error) => {
                documents.remove_blob(&decision.content.blob).await;
                return Err(error);
            }
        };
        let taken = self
            .step(
                id,
                agenda,
                step,
                text,
                Some((&decision, delivered.as_ref())),
                acting,
            )
            .await;
        if !matches!(taken, Ok(Ok(_))) {
            documents.remove_blob(&decision.content.blob).await;
            if let Some((_, copy)) = &delivered {
                documents.remove_blob(&copy.blob).await;
            }
        }
        taken
    }

    /// The decision copied under the key of the citizen who filed the
    /// submission; none if their account is gone.
    async fn deliverable(
        &self,
        id: SubmissionId,
        agenda: &AgendaKey,
        decision: &Decision<'_>,
        at: Timestamp,
    ) -> Result<Option<(CitizenId, StoredContent)>, StoreError> {
        let row = sqlx::query(
            "SELECT citizen_id, record_file_id FROM submissions WHERE id = $1 AND agenda = $2",
        )
        .bind(id.to_string())
        .bind(agenda.as_str())
        .fetch_optional(&self.store.pool)
        .await?;
        let corrupt = |what: &str| StoreError::Corrupt(format!("submission {id}: {what}"));
        let Some(row) = row else { return Ok(None) };
        let Some(citizen) = row.try_get::<Option<String>, _>("citizen_id")? else {
            return Ok(None);
        };
        let citizen = CitizenId::parse(&citizen).map_err(|_| corrupt("citizen_id"))?;
        let file = RecordFileId::parse(&row.try_get::<String, _>("record_file_id")?)
            .ok_or_else(|| corrupt("record_file_id"))?;
        let documents = self.store.documents();
        let file_key = Vault::new(self.store)
            .existing(&owner_of(file))
            .await?
            .ok_or_else(|| corrupt("the file's data key is gone"))?;
        let content = documents
            .open_blob(file_key, &decision.content.blob)
            .await?;
        let key = documents.key(&citizen, at).await?;
        Ok(Some((
            citizen,
            documents.reseal(content, &key, false).await?,
        )))
    }

    async fn step(
        &self,
        id: SubmissionId,
        agenda: &AgendaKey,
        step: OfficeStep,
        text: Option<&Message>,
        decision: Option<(&Decision<'_>, Option<&(CitizenId, StoredContent)>)>,
        acting: &Acting,
    ) -> Result<Result<SubmissionState, StepRefused>, StoreError> {
        let raw_id = id.to_string();
        let (mut tx, found) = self.begin_step(&raw_id, Whose::Agenda(agenda)).await?;
        let Some(Stepped {
            state: from,
            reference,
            file,
        }) = found
        else {
            return Ok(Err(StepRefused::NotFound));
        };
        let Some(to) = step.from(from) else {
            return Ok(Err(StepRefused::NotNow(from)));
        };
        if decision.is_some() {
            if !step.sends_documents() {
                return Ok(Err(StepRefused::NoDocumentWith(step)));
            }
            if !records_open_in(&mut tx, file).await? {
                return Ok(Err(StepRefused::FileNotOpen));
            }
        }
        let key = if text.is_some() || decision.is_some() {
            Some(
                Vault::new(self.store)
                    .data_key_in(&mut tx, &owner_of(file), acting.at)
                    .await?,
            )
        } else {
            None
        };
        let staff = acting.by.to_string();
        let entry = Entry {
            kind: step.kind(),
            actor: &format!("staff:{staff}"),
            from,
            to,
            text: key.as_ref().zip(text.map(Message::as_str)),
            for_citizen: step.for_citizen(),
            assign: (step == OfficeStep::TakeUp).then_some(staff.as_str()),
        };
        entry.write(&mut tx, &raw_id, acting.at).await?;
        let mut event = acting
            .event(Action::SubmissionWorked, file)
            .with("submission", raw_id)
            .with("reference", reference)
            .with("step", step.as_str())
            .with("state", to.as_str());
        if let (Some((decision, delivered)), Some(key)) = (decision, &key) {
            let document = decision.document;
            insert_document_in(
                &mut tx,
                key,
                file,
                document,
                &decision.content,
                acting.at,
                &staff,
            )
            .await?;
            if let Some((citizen, copy)) = delivered {
                let delivered = NewDocument {
                    id: document.id,
                    name: document.name.clone(),
                    folder: None,
                    media_type: document.media_type.clone(),
                    origin: Origin::Office {
                        sender: decision.sender.to_owned(),
                    },
                };
                insert_in(&mut tx, self.store, citizen, &delivered, copy, acting.at).await?;
            }
            event = event.with("document", document.id.to_string());
        }
        append_in(&mut tx, self.store.backend, &event).await?;
        tx.commit().await?;
        Ok(Ok(to))
    }

    /// Gives a submission of `agenda` still open to `to` to work, in the
    /// timeline (for the office only) and the audit log; the state it is in.
    pub async fn assign(
        &self,
        id: SubmissionId,
        agenda: &AgendaKey,
        to: StaffId,
        acting: &Acting,
    ) -> Result<Result<SubmissionState, StepRefused>, StoreError> {
        let raw_id = id.to_string();
        let (mut tx, found) = self.begin_step(&raw_id, Whose::Agenda(agenda)).await?;
        let Some(Stepped {
            state,
            reference,
            file,
        }) = found
        else {
            return Ok(Err(StepRefused::NotFound));
        };
        if state.is_settled() {
            return Ok(Err(StepRefused::NotNow(state)));
        }
        let assignee = to.to_string();
        let entry = Entry {
            kind: TimelineKind::Assigned,
            actor: &format!("staff:{}", acting.by),
            from: state,
            to: state,
            text: None,
            for_citizen: false,
            assign: Some(&assignee),
        };
        entry.write(&mut tx, &raw_id, acting.at).await?;
        let event = acting
            .event(Action::SubmissionWorked, file)
            .with("submission", raw_id)
            .with("reference", reference)
            .with("step", "assign")
            .with("assigned_to", assignee);
        append_in(&mut tx, self.store.backend, &event).await?;
        tx.commit().await?;
        Ok(Ok(state))
    }

    /// Begins a step's transaction holding the submission's row (see
    /// [`lock`]), and reads what the step needs of it, if it is `whose`.
    pub(crate) async fn begin_step(
        &self,
        raw_id: &str,
        whose: Whose<'_>,
    ) -> Result<(Transaction<'static, Any>, Option<Stepped>), StoreError> {
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        lock(&mut tx, raw_id).await?;
        let (sql, owner) = match whose {
            Whose::Citizen(citizen) => (
                "SELECT state, reference, record_file_id FROM submissions \
                 WHERE id = $1 AND citizen_id = $2",
                citizen.to_string(),
            ),
            Whose::Agenda(agenda) => (
                "SELECT state, reference, record_file_id FROM submissions \
                 WHERE id = $1 AND agenda = $2",
                agenda.as_str().to_owned(),
            ),
        };
        let row = sqlx::query(sql)
            .bind(raw_id)
            .bind(owner)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            return Ok((tx, None));
        };
        let corrupt = |what: &str| StoreError::Corrupt(format!("submission {raw_id}: {what}"));
        let stepped = Stepped {
            state: SubmissionState::parse(&row.try_get::<String, _>("state")?)
                .ok_or_else(|| corrupt("state"))?,
            reference: row.try_get("reference")?,
            file: RecordFileId::parse(&row.try_get::<String, _>("record_file_id")?)
                .ok_or_else(|| corrupt("record_file_id"))?,
        };
        Ok((tx, Some(stepped)))
    }

    /// A submission's row opened: its receipt, file, the file's key and the
    /// content.
    async fn open(&self, row: &AnyRow) -> Result<Opened, StoreError> {
        let receipt = receipt_from(row)?;
        let raw_id = receipt.id.to_string();
        let corrupt = |what: &str| StoreError::Corrupt(format!("submission {raw_id}: {what}"));
        let file = RecordFileId::parse(&row.try_get::<String, _>("record_file_id")?)
            .ok_or_else(|| corrupt("record_file_id"))?;
        let key = Vault::new(self.store)
            .existing(&owner_of(file))
            .await?
            .ok_or_else(|| corrupt("the file's data key is gone"))?;
        let sealed: Vec<u8> = row.try_get("content")?;
        let content = serde_json::from_slice(&key.open(&place(&raw_id), &sealed)?)
            .map_err(|_| corrupt("content"))?;
        Ok(Opened {
            receipt,
            file,
            key,
            content,
        })
    }

    /// What the office did on the citizen's submissions and told them, the
    /// latest first: the dashboard's inbox.
    pub async fn inbox(
        &self,
        citizen: &CitizenId,
        limit: u32,
    ) -> Result<Vec<OfficeNews>, StoreError> {
        let rows = sqlx::query(
            "SELECT e.submission_id, e.seq, e.at, e.kind, e.text, s.reference, s.form_id, \
             s.record_file_id FROM submission_events e \
             JOIN submissions s ON s.id = e.submission_id \
             WHERE s.citizen_id = $1 AND e.for_citizen = 1 \
             AND (e.actor LIKE 'staff:%' OR e.actor LIKE 'integration:%') \
             ORDER BY e.at DESC, e.seq DESC LIMIT $2",
        )
        .bind(citizen.to_string())
        .bind(i64::from(limit))
        .fetch_all(&self.store.pool)
        .await?;
        let mut keys: HashMap<String, DataKey> = HashMap::new();
        let mut news = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: String = row.try_get("submission_id")?;
            let corrupt = |what: &str| StoreError::Corrupt(format!("submission {id}: {what}"));
            let seq: i64 = row.try_get("seq")?;
            let message = match row.try_get::<Option<Vec<u8>>, _>("text")? {
                Some(sealed) => {
                    let file: String = row.try_get("record_file_id")?;
                    if !keys.contains_key(&file) {
                        let parsed =
                            RecordFileId::parse(&file).ok_or_else(|| corrupt("record_file_id"))?;
                        let key = Vault::new(self.store)
                            .existing(&owner_of(parsed))
                            .await?
                            .ok_or_else(|| corrupt("the file's data key is gone"))?;
                        keys.insert(file.clone(), key);
                    }
                    let key = keys.get(&file).ok_or_else(|| corrupt("key"))?;
                    Some(key.open_text(&event_place(&id, seq), &sealed)?)
                }
                None => None,
            };
            news.push(OfficeNews {
                submission: SubmissionId::parse(&id).ok_or_else(|| corrupt("id"))?,
                reference: row.try_get("reference")?,
                form: FormId::parse(&row.try_get::<String, _>("form_id")?)
                    .ok_or_else(|| corrupt("form_id"))?,
                at: Timestamp::from_second(row.try_get("at")?).map_err(|_| corrupt("at"))?,
                kind: TimelineKind::parse(&row.try_get::<String, _>("kind")?)
                    .ok_or_else(|| corrupt("kind"))?,
                message,
            });
        }
        Ok(news)
    }

    /// The file of the submission, if it came to `agenda`.
    pub async fn file_in(
        &self,
        id: SubmissionId,
        agenda: &AgendaKey,
    ) -> Result<Option<RecordFileId>, StoreError> {
        let row =
            sqlx::query("SELECT record_file_id FROM submissions WHERE id = $1 AND agenda = $2")
                .bind(id.to_string())
                .bind(agenda.as_str())
                .fetch_optional(&self.store.pool)
                .await?;
        row.map(|row| {
            let raw: String = row.try_get("record_file_id")?;
            RecordFileId::parse(&raw)
                .ok_or_else(|| StoreError::Corrupt(format!("submission {id}: record_file_id")))
        })
        .transpose()
    }

    /// The citizen's submissions, the latest first.
    pub async fn list_of(&self, citizen: &CitizenId) -> Result<Vec<Receipt>, StoreError> {
        let sql = format!(
            "SELECT {RECEIPT_COLUMNS} FROM submissions WHERE citizen_id = $1 \
             ORDER BY submitted_at DESC, reference DESC"
        );
        let rows = sqlx::query(&sql)
            .bind(citizen.to_string())
            .fetch_all(&self.store.pool)
            .await?;
        rows.iter().map(receipt_from).collect()
    }

    /// The citizen's submission with its content and the timeline they
    /// see; none if it is not theirs.
    pub async fn get_of(
        &self,
        citizen: &CitizenId,
        id: SubmissionId,
    ) -> Result<Option<Submission>, StoreError> {
        let sql = format!(
            "SELECT {RECEIPT_COLUMNS}, record_file_id, content FROM submissions \
             WHERE id = $1 AND citizen_id = $2"
        );
        let row = sqlx::query(&sql)
            .bind(id.to_string())
            .bind(citizen.to_string())
            .fetch_optional(&self.store.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let Opened {
            receipt,
            file,
            key,
            content,
        } = self.open(&row).await?;
        let timeline = timeline(self.store, &receipt.id.to_string(), &key, true).await?;
        Ok(Some(Submission {
            receipt,
            file,
            content,
            timeline,
        }))
    }
}

fn assigned(row: &AnyRow) -> Result<Option<StaffId>, StoreError> {
    row.try_get::<Option<String>, _>("assigned_to")?
        .map(|id| {
            StaffId::parse(&id).map_err(|_| StoreError::Corrupt(format!("assigned_to {id:?}")))
        })
        .transpose()
}

/// Enters the citizen's documents copied under the file's key in the file,
/// as filed through the portal.
async fn enter_copies(
    tx: &mut Transaction<'static, Any>,
    key: &DataKey,
    file: RecordFileId,
    copies: &[Copied],
    now: Timestamp,
) -> Result<(), StoreError> {
    for (document, content) in copies {
        insert_document_in(tx, key, file, document, content, now, FILED_THROUGH_PORTAL).await?;
    }
    Ok(())
}

/// Whose a submission must be for a step on it: the citizen's who filed
/// it, or in the agenda it came to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Whose<'a> {
    Citizen(&'a CitizenId),
    Agenda(&'a AgendaKey),
}

/// What a step reads of the submission it is taken on.
pub(crate) struct Stepped {
    pub state: SubmissionState,
    pub reference: String,
    pub file: RecordFileId,
}

/// Who a citizen's entries are by.
const CITIZEN: &str = "citizen";

/// A step on a submission: its timeline entry, and the state it leaves it in.
pub(crate) struct Entry<'a> {
    pub kind: TimelineKind,
    pub actor: &'a str,
    pub from: SubmissionState,
    pub to: SubmissionState,
    /// The message or note, sealed under the file's key.
    pub text: Option<(&'a DataKey, &'a str)>,
    pub for_citizen: bool,
    /// The official it assigns the submission to.
    pub assign: Option<&'a str>,
}

impl Entry<'_> {
    /// Writes the step, and the webhooks it makes for the records system.
    pub(crate) async fn write(
        &self,
        tx: &mut Transaction<'static, Any>,
        raw_id: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE submissions SET state = $1, assigned_to = COALESCE($2, assigned_to), \
             updated_at = $3 WHERE id = $4",
        )
        .bind(self.to.as_str())
        .bind(self.assign)
        .bind(at.as_second())
        .bind(raw_id)
        .execute(&mut **tx)
        .await?;
        let seq = next_seq(tx, raw_id).await?;
        let sealed = self
            .text
            .map(|(key, text)| key.seal_text(&event_place(raw_id, seq), text))
            .transpose()?;
        sqlx::query(
            "INSERT INTO submission_events (submission_id, seq, at, kind, actor, state, text, \
             for_citizen, assignee) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(raw_id)
        .bind(seq)
        .bind(at.as_second())
        .bind(self.kind.as_str())
        .bind(self.actor)
        .bind((self.to != self.from).then_some(self.to.as_str()))
        .bind(sealed)
        .bind(i64::from(self.for_citizen))
        .bind(self.assign)
        .execute(&mut **tx)
        .await?;
        if let Some(event) = EventType::of_step(self.kind, self.from, self.to) {
            outbox::enqueue_in(tx, raw_id, event, at).await?;
        }
        Ok(())
    }
}

/// Takes the submission's row for the transaction before it is read: a
/// concurrent step on PostgreSQL waits here, then reads what this one
/// wrote. (SQLite's write transaction holds the whole database already.)
async fn lock(tx: &mut Transaction<'static, Any>, raw_id: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE submissions SET updated_at = updated_at WHERE id = $1")
        .bind(raw_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The number of the submission's next timeline entry.
async fn next_seq(tx: &mut Transaction<'static, Any>, raw_id: &str) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM submission_events \
         WHERE submission_id = $1",
    )
    .bind(raw_id)
    .fetch_one(&mut **tx)
    .await?
    .try_get("next")?)
}

/// The settled states, as an SQL list.
const SETTLED: &str = "'resolved', 'rejected', 'withdrawn'";

/// `text` with LIKE's wildcards (and the escape, `\\`) taken literally.
fn like_escaped(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

fn event_place(submission: &str, seq: i64) -> String {
    format!("submission_events.text:{submission}:{seq}")
}

/// A submission's timeline, texts opened with the file's key; only what the
/// citizen sees, or everything.
async fn timeline(
    store: &Store,
    id: &str,
    key: &DataKey,
    citizens_only: bool,
) -> Result<Vec<TimelineEntry>, StoreError> {
    let rows = sqlx::query(
        "SELECT seq, at, kind, actor, state, text, assignee FROM submission_events \
         WHERE submission_id = $1 AND for_citizen >= $2 ORDER BY seq",
    )
    .bind(id)
    .bind(i64::from(citizens_only))
    .fetch_all(&store.pool)
    .await?;
    let corrupt = |what: &str| StoreError::Corrupt(format!("submission {id}: {what}"));
    rows.iter()
        .map(|row| {
            let seq: i64 = row.try_get("seq")?;
            Ok(TimelineEntry {
                at: Timestamp::from_second(row.try_get("at")?).map_err(|_| corrupt("at"))?,
                kind: TimelineKind::parse(&row.try_get::<String, _>("kind")?)
                    .ok_or_else(|| corrupt("kind"))?,
                state: row
                    .try_get::<Option<String>, _>("state")?
                    .map(|state| SubmissionState::parse(&state).ok_or_else(|| corrupt("state")))
                    .transpose()?,
                text: row
                    .try_get::<Option<Vec<u8>>, _>("text")?
                    .map(|sealed| key.open_text(&event_place(id, seq), &sealed))
                    .transpose()?,
                actor: row.try_get("actor")?,
                assignee: row
                    .try_get::<Option<String>, _>("assignee")?
                    .map(|id| StaffId::parse(&id).map_err(|_| corrupt("assignee")))
                    .transpose()?,
            })
        })
        .collect()
}

pub(crate) fn receipt_from(row: &AnyRow) -> Result<Receipt, StoreError> {
    let raw_id: String = row.try_get("id")?;
    let corrupt = |what: &str| StoreError::Corrupt(format!("submission {raw_id}: {what}"));
    Ok(Receipt {
        id: SubmissionId::parse(&raw_id).ok_or_else(|| corrupt("id"))?,
        reference: row.try_get("reference")?,
        form: FormId::parse(&row.try_get::<String, _>("form_id")?)
            .ok_or_else(|| corrupt("form_id"))?,
        submitted_at: Timestamp::from_second(row.try_get("submitted_at")?)
            .map_err(|_| corrupt("submitted_at"))?,
        content_sha256: row.try_get("content_sha256")?,
        deadline_on: row
            .try_get::<String, _>("deadline_on")?
            .parse()
            .map_err(|_| corrupt("deadline_on"))?,
        state: SubmissionState::parse(&row.try_get::<String, _>("state")?)
            .ok_or_else(|| corrupt("state"))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_settled_list_names_every_settled_state() {
        let settled: Vec<String> = SubmissionState::ALL
            .into_iter()
            .filter(|state| state.is_settled())
            .map(|state| format!("'{}'", state.as_str()))
            .collect();
        assert_eq!(SETTLED, settled.join(", "));
    }

    #[test]
    fn like_wildcards_are_taken_literally() {
        assert_eq!(like_escaped("PO-1/2026"), "PO-1/2026");
        assert_eq!(like_escaped("50%_a\\b"), "50\\%\\_a\\\\b");
    }
}
