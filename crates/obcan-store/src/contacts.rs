//! The contact details a citizen proves in the portal: the verified e-mail
//! address and telephone number, and the verification under way for each
//! (the value, the code's salted hash, its expiry, the attempts left).
//! Every change is written with its audit entry in one transaction.

use jiff::Timestamp;
use obcan_core::audit::AuditEvent;
use obcan_core::citizen::CitizenId;
use obcan_core::contact::{
    CodeKey, ContactKind, ContactValue, PendingState, StoredCode, TooEarly, VerificationCode,
    VerificationPolicy, pending_state,
};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::append_in;
use crate::credentials::timestamp;
use crate::documents::owner_of;
use crate::vault::{DataKey, Vault, open_field};
use crate::{Store, StoreError};

/// A contact detail the citizen proved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedContact {
    pub value: ContactValue,
    pub verified_at: Timestamp,
}

/// A verification under way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingVerification {
    pub value: ContactValue,
    pub code: StoredCode,
    pub expires_at: Timestamp,
    pub attempts_left: u32,
    pub sent_at: Timestamp,
}

impl PendingVerification {
    pub fn state(&self, now: Timestamp) -> PendingState {
        pending_state(self.expires_at, self.attempts_left, now)
    }
}

/// A citizen's contact details and verifications, by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactBook {
    pub email: Option<VerifiedContact>,
    pub phone: Option<VerifiedContact>,
    pub pending_email: Option<PendingVerification>,
    pub pending_phone: Option<PendingVerification>,
}

impl ContactBook {
    pub fn verified(&self, kind: ContactKind) -> Option<&VerifiedContact> {
        match kind {
            ContactKind::Email => self.email.as_ref(),
            ContactKind::Phone => self.phone.as_ref(),
        }
    }

    pub fn pending(&self, kind: ContactKind) -> Option<&PendingVerification> {
        match kind {
            ContactKind::Email => self.pending_email.as_ref(),
            ContactKind::Phone => self.pending_phone.as_ref(),
        }
    }
}

/// How a typed code was taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyOutcome {
    /// The value is now the citizen's verified contact.
    Verified(ContactValue),
    /// The code was wrong; this many attempts are left (0: send a new code).
    WrongCode {
        attempts_left: u32,
    },
    Expired,
    /// Wrong codes used up every attempt before.
    NoAttemptsLeft,
    /// The citizen has no verification of this kind under way.
    NoPending,
}

/// The audit entries `verify` writes with each outcome.
#[derive(Debug, Clone)]
pub struct VerifyEvents {
    pub verified: AuditEvent,
    pub failed: AuditEvent,
}

#[derive(Debug)]
pub struct Contacts<'a> {
    store: &'a Store,
}

const PENDING_COLUMNS: &str =
    "kind, value, code_salt, code_hash, expires_at, attempts_left, sent_at";

impl<'a> Contacts<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    /// The citizen's verified contacts and the verifications under way.
    pub async fn book(&self, citizen: CitizenId) -> Result<ContactBook, StoreError> {
        let id = citizen.to_string();
        let key = Vault::new(self.store).existing(&owner_of(&citizen)).await?;
        let key = key.as_ref();
        let mut book = ContactBook::default();
        let rows =
            sqlx::query("SELECT kind, value, verified_at FROM contacts WHERE citizen_id = $1")
                .bind(&id)
                .fetch_all(&self.store.pool)
                .await?;
        for row in &rows {
            let (kind, value) = kind_and_value(row, key, &id)?;
            let contact = VerifiedContact {
                value,
                verified_at: timestamp(row.try_get("verified_at")?)?,
            };
            match kind {
                ContactKind::Email => book.email = Some(contact),
                ContactKind::Phone => book.phone = Some(contact),
            }
        }
        let rows = sqlx::query(&format!(
            "SELECT {PENDING_COLUMNS} FROM contact_verifications WHERE citizen_id = $1"
        ))
        .bind(&id)
        .fetch_all(&self.store.pool)
        .await?;
        for row in &rows {
            let (kind, pending) = pending_from_row(row, key, &id)?;
            match kind {
                ContactKind::Email => book.pending_email = Some(pending),
                ContactKind::Phone => book.pending_phone = Some(pending),
            }
        }
        Ok(book)
    }

    /// Records a code that was just sent to `value`: it replaces any earlier
    /// verification of that kind, with all attempts again. Refused, writing
    /// nothing, when a code of that kind went out less than the policy's
    /// interval ago (a request that raced this one).
    pub async fn record_sent(
        &self,
        citizen: CitizenId,
        value: &ContactValue,
        code: &StoredCode,
        policy: VerificationPolicy,
        now: Timestamp,
        event: &AuditEvent,
    ) -> Result<Result<(), TooEarly>, StoreError> {
        let id = citizen.to_string();
        let kind = value.kind().as_str();
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        let last_sent: Option<i64> = sqlx::query_scalar(
            "SELECT sent_at FROM contact_verifications WHERE citizen_id = $1 AND kind = $2",
        )
        .bind(&id)
        .bind(kind)
        .fetch_optional(&mut *tx)
        .await?;
        if let Err(too_early) = policy.may_send(last_sent.map(timestamp).transpose()?, now) {
            return Ok(Err(too_early));
        }
        let data_key = Vault::new(self.store)
            .data_key_in(&mut tx, &owner_of(&citizen), now)
            .await?;
        sqlx::query(
            "INSERT INTO contact_verifications \
             (citizen_id, kind, value, code_salt, code_hash, expires_at, attempts_left, sent_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (citizen_id, kind) DO UPDATE \
             SET value = excluded.value, code_salt = excluded.code_salt, \
             code_hash = excluded.code_hash, expires_at = excluded.expires_at, \
             attempts_left = excluded.attempts_left, sent_at = excluded.sent_at",
        )
        .bind(&id)
        .bind(kind)
        .bind(data_key.seal_field(&place(value.kind(), &id), value.as_str())?)
        .bind(&code.salt)
        .bind(&code.hash)
        .bind(policy.expires_at(now).as_second())
        .bind(i64::from(policy.attempts))
        .bind(now.as_second())
        .execute(&mut *tx)
        .await?;
        append_in(&mut tx, self.store.backend, event).await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// Takes a typed code for the citizen's verification of `kind`. Each try
    /// uses an attempt first, under the row's lock, so that tries sent at
    /// once cannot get past the limit; the right code then makes the value
    /// the verified contact and ends the verification, all in one transaction
    /// with its audit entry.
    pub async fn verify(
        &self,
        citizen: CitizenId,
        kind: ContactKind,
        typed: &VerificationCode,
        key: &CodeKey,
        now: Timestamp,
        events: &VerifyEvents,
    ) -> Result<VerifyOutcome, StoreError> {
        let id = citizen.to_string();
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        let data_key = Vault::new(self.store)
            .data_key_in(&mut tx, &owner_of(&citizen), now)
            .await?;
        let used = sqlx::query(&format!(
            "UPDATE contact_verifications SET attempts_left = attempts_left - 1 \
             WHERE citizen_id = $1 AND kind = $2 AND attempts_left > 0 AND expires_at > $3 \
             RETURNING {PENDING_COLUMNS}"
        ))
        .bind(&id)
        .bind(kind.as_str())
        .bind(now.as_second())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = used else {
            let row = sqlx::query(&format!(
                "SELECT {PENDING_COLUMNS} FROM contact_verifications \
                 WHERE citizen_id = $1 AND kind = $2"
            ))
            .bind(&id)
            .bind(kind.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            let pending = row
                .as_ref()
                .map(|row| pending_from_row(row, Some(&data_key), &id))
                .transpose()?;
            return Ok(match pending {
                None => VerifyOutcome::NoPending,
                Some((_, pending)) => match pending.state(now) {
                    PendingState::Expired => VerifyOutcome::Expired,
                    // Open cannot be: the update would have found it.
                    PendingState::Exhausted | PendingState::Open => VerifyOutcome::NoAttemptsLeft,
                },
            });
        };
        let (_, pending) = pending_from_row(&row, Some(&data_key), &id)?;
        if !key.matches(&pending.code, typed) {
            append_in(&mut tx, self.store.backend, &events.failed).await?;
            tx.commit().await?;
            return Ok(VerifyOutcome::WrongCode {
                attempts_left: pending.attempts_left,
            });
        }
        sqlx::query(
            "INSERT INTO contacts (citizen_id, kind, value, verified_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (citizen_id, kind) DO UPDATE \
             SET value = excluded.value, verified_at = excluded.verified_at",
        )
        .bind(&id)
        .bind(kind.as_str())
        .bind(data_key.seal_field(&place(kind, &id), pending.value.as_str())?)
        .bind(now.as_second())
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM contact_verifications WHERE citizen_id = $1 AND kind = $2")
            .bind(&id)
            .bind(kind.as_str())
            .execute(&mut *tx)
            .await?;
        append_in(&mut tx, self.store.backend, &events.verified).await?;
        tx.commit().await?;
        Ok(VerifyOutcome::Verified(pending.value))
    }

    /// Removes the citizen's verified contact of `kind` and any verification
    /// of that kind under way, with the audit entry. False if there was
    /// neither, and then nothing is written.
    pub async fn remove(
        &self,
        citizen: CitizenId,
        kind: ContactKind,
        event: &AuditEvent,
    ) -> Result<bool, StoreError> {
        let id = citizen.to_string();
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        let mut removed = 0;
        for table in ["contacts", "contact_verifications"] {
            removed += sqlx::query(&format!(
                "DELETE FROM {table} WHERE citizen_id = $1 AND kind = $2"
            ))
            .bind(&id)
            .bind(kind.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        if removed == 0 {
            return Ok(false);
        }
        append_in(&mut tx, self.store.backend, event).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Deletes verifications that expired before `before`.
    pub async fn delete_expired(&self, before: Timestamp) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM contact_verifications WHERE expires_at < $1")
            .bind(before.as_second())
            .execute(&self.store.pool)
            .await?;
        Ok(done.rows_affected())
    }
}

/// Where a contact value is sealed: the same for a verification under way
/// and the verified contact it becomes.
fn place(kind: ContactKind, citizen: &str) -> String {
    format!("contacts.{kind}:{citizen}")
}

fn kind_and_value(
    row: &AnyRow,
    key: Option<&DataKey>,
    citizen: &str,
) -> Result<(ContactKind, ContactValue), StoreError> {
    let kind: String = row.try_get("kind")?;
    let kind = ContactKind::parse(&kind)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown contact kind {kind:?}")))?;
    let value = open_field(
        key,
        &place(kind, citizen),
        &row.try_get::<String, _>("value")?,
    )?;
    let value = ContactValue::parse(kind, &value)
        .map_err(|e| StoreError::Corrupt(format!("contact {kind}: {e}")))?;
    Ok((kind, value))
}

fn pending_from_row(
    row: &AnyRow,
    key: Option<&DataKey>,
    citizen: &str,
) -> Result<(ContactKind, PendingVerification), StoreError> {
    let (kind, value) = kind_and_value(row, key, citizen)?;
    let attempts_left: i64 = row.try_get("attempts_left")?;
    Ok((
        kind,
        PendingVerification {
            value,
            code: StoredCode {
                salt: row.try_get("code_salt")?,
                hash: row.try_get("code_hash")?,
            },
            expires_at: timestamp(row.try_get("expires_at")?)?,
            attempts_left: u32::try_from(attempts_left.max(0)).unwrap_or(0),
            sent_at: timestamp(row.try_get("sent_at")?)?,
        },
    ))
}
