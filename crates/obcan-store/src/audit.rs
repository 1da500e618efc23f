//! The audit log: append-only and hash-chained.
//!
//! Each entry's hash covers its own fields and the previous entry's hash, so
//! `verify` finds any entry changed, removed, inserted or moved. Appends are
//! serialized (SQLite's write lock; a table lock on PostgreSQL) so that two
//! nodes never chain to the same predecessor.
//!
//! The chain alone cannot show that its last entries were removed, or that
//! it was rewritten whole with its hashes recomputed. Time stamps of its head
//! can (`stamps`): `verify` holds each to the entry it names.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use jiff::Timestamp;
use obcan_core::audit::AuditEvent;
use sha2::{Digest, Sha256};
use sqlx::{Any, Row, Transaction};
use tokio::sync::oneshot;

use crate::{Backend, Store, StoreError};

mod stamps;

use stamps::StampCursor;
pub use stamps::{AuditHead, AuditStamp};

/// The most entries written in one transaction.
const MAX_BATCH: usize = 256;

type Waiting = (AuditEvent, oneshot::Sender<Result<i64, BatchFailure>>);

/// Appends waiting to be written. Every append queues its entry, then waits
/// for the writer; the holder of the writer writes all queued entries in one
/// transaction. Under load, one commit (one fsync on SQLite) serves many
/// requests instead of each waiting for its own, and each request still
/// answers only after its entry is durable.
#[derive(Debug, Default)]
pub(crate) struct AppendQueue {
    waiting: Mutex<Vec<Waiting>>,
    writer: tokio::sync::Mutex<()>,
}

impl AppendQueue {
    fn push(&self, event: AuditEvent, sender: oneshot::Sender<Result<i64, BatchFailure>>) {
        self.lock().push((event, sender));
    }

    fn take(&self) -> Vec<Waiting> {
        let mut waiting = self.lock();
        let batch_len = waiting.len().min(MAX_BATCH);
        let rest = waiting.split_off(batch_len);
        std::mem::replace(&mut *waiting, rest)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Waiting>> {
        // A panic while pushing or taking leaves the list whole.
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Why a batch was not written, for each of its appends.
#[derive(Debug, Clone)]
struct BatchFailure {
    unavailable: bool,
    message: String,
}

impl BatchFailure {
    fn into_error(self) -> StoreError {
        let cause = sqlx::Error::Io(std::io::Error::other(self.message));
        if self.unavailable {
            StoreError::Unavailable(cause)
        } else {
            StoreError::Query(cause)
        }
    }
}

/// The `prev_hash` of the first entry.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: Timestamp,
    pub actor: String,
    pub action: String,
    pub subject: Option<String>,
    pub detail: BTreeMap<String, String>,
    pub ip: Option<String>,
}

/// Where and why the chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit log entry {seq}: {problem}")]
pub struct ChainBreak {
    pub seq: i64,
    pub problem: String,
}

#[derive(Debug)]
pub struct AuditLog<'a> {
    store: &'a Store,
}

struct Fields<'a> {
    seq: i64,
    at: i64,
    actor: &'a str,
    action: &'a str,
    subject: Option<&'a str>,
    detail: &'a str,
    ip: Option<&'a str>,
    prev_hash: &'a str,
}

impl Fields<'_> {
    /// SHA-256 over every field, each length-prefixed so that no two
    /// different entries encode alike.
    fn hash(&self) -> String {
        let mut hasher = Sha256::new();
        let mut field = |bytes: &[u8]| {
            hasher.update((bytes.len() as u64).to_be_bytes());
            hasher.update(bytes);
        };
        field(&self.seq.to_be_bytes());
        field(&self.at.to_be_bytes());
        field(self.actor.as_bytes());
        field(self.action.as_bytes());
        field(self.subject.unwrap_or("\0none").as_bytes());
        field(self.detail.as_bytes());
        field(self.ip.unwrap_or("\0none").as_bytes());
        field(self.prev_hash.as_bytes());
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

impl<'a> AuditLog<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    /// Appends one entry and returns its sequence number once it is
    /// committed. Appends that arrive together share one transaction and one
    /// flush to disk (group commit): see [`AppendQueue`].
    pub async fn append(&self, event: &AuditEvent) -> Result<i64, StoreError> {
        let queue = &self.store.audit_queue;
        let (sender, receiver) = oneshot::channel();
        queue.push(event.clone(), sender);
        {
            // Whoever holds the writer writes everything waiting, its own
            // entry included unless an earlier writer took it already.
            let _writer = queue.writer.lock().await;
            let batch = queue.take();
            if !batch.is_empty() {
                // A task of its own, so that a request given up halfway
                // cannot leave the others of its batch without an answer.
                let store = self.store.clone();
                let written = tokio::spawn(async move { store.audit().write(batch).await });
                if let Err(error) = written.await {
                    tracing::error!(%error, "the audit writer stopped");
                }
            }
        }
        match receiver.await {
            Ok(result) => result.map_err(BatchFailure::into_error),
            Err(_) => Err(BatchFailure {
                unavailable: false,
                message: "the audit writer gave no answer".into(),
            }
            .into_error()),
        }
    }

    /// Writes a batch in one transaction and tells each waiting append.
    async fn write(&self, batch: Vec<Waiting>) {
        let outcome = async {
            let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
            let mut seqs = Vec::with_capacity(batch.len());
            for (event, _) in &batch {
                seqs.push(append_in(&mut tx, self.store.backend, event).await?);
            }
            tx.commit().await?;
            Ok::<_, StoreError>(seqs)
        }
        .await;
        match outcome {
            Ok(seqs) => {
                for ((_, sender), seq) in batch.into_iter().zip(seqs) {
                    let _ = sender.send(Ok(seq));
                }
            }
            Err(error) => {
                let failure = BatchFailure {
                    unavailable: matches!(error, StoreError::Unavailable(_)),
                    message: error.to_string(),
                };
                for (_, sender) in batch {
                    let _ = sender.send(Err(failure.clone()));
                }
            }
        }
    }

    /// The newest entries about `subject` with one of `actions`, newest first.
    pub async fn about(
        &self,
        subject: &str,
        actions: &[&str],
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        if actions.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (0..actions.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT seq, at, actor, action, subject, detail, ip FROM audit_log \
             WHERE subject = $1 AND action IN ({}) ORDER BY seq DESC LIMIT {limit}",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql).bind(subject);
        for action in actions {
            query = query.bind(*action);
        }
        let rows = query.fetch_all(&self.store.pool).await?;
        rows.iter().map(entry).collect()
    }

    /// A page of the log, newest first: entries before `before` (a sequence
    /// number), by `actor` and of `action` when they are given.
    pub async fn page(
        &self,
        actor: Option<&str>,
        action: Option<&str>,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let mut conditions = vec!["seq < $1".to_owned()];
        let filters: Vec<(&str, &str)> = [("actor", actor), ("action", action)]
            .into_iter()
            .filter_map(|(column, value)| value.map(|value| (column, value)))
            .collect();
        for (i, (column, _)) in filters.iter().enumerate() {
            conditions.push(format!("{column} = ${}", i + 2));
        }
        let sql = format!(
            "SELECT seq, at, actor, action, subject, detail, ip FROM audit_log \
             WHERE {} ORDER BY seq DESC LIMIT {limit}",
            conditions.join(" AND ")
        );
        let mut query = sqlx::query(&sql).bind(before.unwrap_or(i64::MAX));
        for (_, value) in filters {
            query = query.bind(value);
        }
        let rows = query.fetch_all(&self.store.pool).await?;
        rows.iter().map(entry).collect()
    }

    /// Walks the whole chain and its time stamps, without checking the
    /// stamps' tokens: the number of entries, or the first break.
    pub async fn verify(&self) -> Result<Result<u64, ChainBreak>, StoreError> {
        Ok(self
            .verify_with(&|_: &AuditStamp| Ok(()))
            .await?
            .map(|verified| verified.entries))
    }

    /// Walks the whole chain, a page at a time, and holds every time stamp
    /// to it: the stamped entry must still be there with the stamped hash
    /// (else the log's end was removed, or the log was rewritten), and
    /// `check_token` must accept the stamp's token (the caller verifies it
    /// against the authority's CA; the store knows no cryptography of
    /// time stamps). What holds, or the first break.
    pub async fn verify_with(
        &self,
        check_token: &(dyn Fn(&AuditStamp) -> Result<(), String> + Sync),
    ) -> Result<Result<VerifiedLog, ChainBreak>, StoreError> {
        const PAGE: i64 = 1000;
        let mut stamps = StampCursor::new(self);
        let mut verified = VerifiedLog::default();
        let mut expected_prev = GENESIS.to_owned();
        let mut expected_seq = 1;
        loop {
            let rows = sqlx::query(
                "SELECT seq, at, actor, action, subject, detail, ip, prev_hash, hash \
                 FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2",
            )
            .bind(expected_seq)
            .bind(PAGE)
            .fetch_all(&self.store.pool)
            .await?;
            for row in &rows {
                let seq: i64 = row.try_get("seq")?;
                let broken = |problem: String| Ok(Err(ChainBreak { seq, problem }));
                if seq != expected_seq {
                    return broken(format!(
                        "expected entry {expected_seq} here: an entry is missing or out of order"
                    ));
                }
                let prev_hash: String = row.try_get("prev_hash")?;
                if prev_hash != expected_prev {
                    return broken("does not follow the entry before it".to_owned());
                }
                let actor: String = row.try_get("actor")?;
                let action: String = row.try_get("action")?;
                let subject: Option<String> = row.try_get("subject")?;
                let detail: String = row.try_get("detail")?;
                let ip: Option<String> = row.try_get("ip")?;
                let fields = Fields {
                    seq,
                    at: row.try_get("at")?,
                    actor: &actor,
                    action: &action,
                    subject: subject.as_deref(),
                    detail: &detail,
                    ip: ip.as_deref(),
                    prev_hash: &prev_hash,
                };
                let hash: String = row.try_get("hash")?;
                if fields.hash() != hash {
                    return broken("its contents were changed".to_owned());
                }
                // Stamps of this entry, or of none (sequence numbers below 1).
                while let Some(stamp) = stamps.peek().await? {
                    if stamp.seq > seq {
                        break;
                    }
                    if let Err(problem) = stamp_holds(stamp, seq, &hash, check_token) {
                        return Ok(Err(ChainBreak {
                            seq: stamp.seq,
                            problem,
                        }));
                    }
                    verified.stamps += 1;
                    verified.last_stamp = stamps.take();
                }
                expected_prev = hash;
                expected_seq += 1;
            }
            if (rows.len() as i64) < PAGE {
                break;
            }
        }
        let last = expected_seq - 1;
        // A stamp past the end: the entries it covered, and any after, are gone.
        if let Some(stamp) = stamps.peek().await? {
            let end = if last == 0 {
                "the log is empty".to_owned()
            } else {
                format!("the log ends at entry {last}")
            };
            return Ok(Err(ChainBreak {
                seq: stamp.seq,
                problem: format!(
                    "is missing, but was time-stamped at {}: {end}; entries were removed from \
                     its end",
                    stamp.gen_time
                ),
            }));
        }
        verified.entries = u64::try_from(last).unwrap_or_default();
        Ok(Ok(verified))
    }
}

/// What `verify_with` found to hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifiedLog {
    pub entries: u64,
    pub stamps: u64,
    /// The stamp of the newest stamped entry.
    pub last_stamp: Option<AuditStamp>,
}

/// Whether `stamp` holds against entry `seq`, whose hash is `hash`.
fn stamp_holds(
    stamp: &AuditStamp,
    seq: i64,
    hash: &str,
    check_token: &(dyn Fn(&AuditStamp) -> Result<(), String> + Sync),
) -> Result<(), String> {
    if stamp.seq != seq {
        return Err("a time stamp names this entry, but entries start at 1".to_owned());
    }
    if stamp.hash != hash {
        return Err(format!(
            "is not the entry time-stamped at {}: its hash differs, so the log up to here was \
             rewritten",
            stamp.gen_time
        ));
    }
    check_token(stamp).map_err(|problem| {
        format!(
            "its time stamp of {} (serial {}) does not verify: {problem}",
            stamp.gen_time, stamp.serial
        )
    })
}

/// Appends `event` inside the caller's write transaction, so that a change
/// and the entry recording it are committed together or not at all.
pub(crate) async fn append_in(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    event: &AuditEvent,
) -> Result<i64, StoreError> {
    if backend == Backend::Postgres {
        sqlx::query("LOCK TABLE audit_log IN EXCLUSIVE MODE")
            .execute(&mut **tx)
            .await?;
    }
    let last = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut **tx)
        .await?;
    let (prev_seq, prev_hash) = match last {
        Some(row) => (
            row.try_get::<i64, _>("seq")?,
            row.try_get::<String, _>("hash")?,
        ),
        None => (0, GENESIS.to_owned()),
    };
    let detail = serde_json::to_string(&event.detail)
        .map_err(|e| StoreError::Corrupt(format!("audit detail: {e}")))?;
    let actor = event.actor.to_string();
    let fields = Fields {
        seq: prev_seq + 1,
        at: event.at.as_second(),
        actor: &actor,
        action: event.action.as_str(),
        subject: event.subject.as_deref(),
        detail: &detail,
        ip: event.ip.as_deref(),
        prev_hash: &prev_hash,
    };
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, action, subject, detail, ip, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(fields.seq)
    .bind(fields.at)
    .bind(fields.actor)
    .bind(fields.action)
    .bind(fields.subject)
    .bind(fields.detail)
    .bind(fields.ip)
    .bind(fields.prev_hash)
    .bind(fields.hash())
    .execute(&mut **tx)
    .await?;
    Ok(fields.seq)
}

fn entry(row: &sqlx::any::AnyRow) -> Result<AuditEntry, StoreError> {
    let detail: String = row.try_get("detail")?;
    let seq: i64 = row.try_get("seq")?;
    Ok(AuditEntry {
        seq,
        at: Timestamp::from_second(row.try_get("at")?)
            .map_err(|e| StoreError::Corrupt(format!("audit entry {seq}: {e}")))?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        subject: row.try_get("subject")?,
        detail: serde_json::from_str(&detail)
            .map_err(|e| StoreError::Corrupt(format!("audit entry {seq}: {e}")))?,
        ip: row.try_get("ip")?,
    })
}
