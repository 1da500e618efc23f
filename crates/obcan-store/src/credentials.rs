//! Local credentials: the password hash, the TOTP second factor and the
//! counters that lock an account after repeated failures. Shared by staff and
//! by citizens registered at the counter.

use jiff::Timestamp;
use obcan_core::audit::AuditEvent;
use obcan_core::credential::{LockoutPolicy, PasswordHash, TotpSecret};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::audit::append_in;
use crate::vault::{DataKey, Vault, open_field};
use crate::{Store, StoreError};

/// One account's credentials as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    pub id: String,
    pub password_hash: Option<PasswordHash>,
    /// Set by an administrator's reset or at creation: the next login must
    /// choose a new password and enrol a new second factor.
    pub must_change_password: bool,
    pub totp_secret: Option<TotpSecret>,
    pub totp_pending_secret: Option<TotpSecret>,
    pub locked_until: Option<Timestamp>,
}

impl Credential {
    pub fn is_locked(&self, now: Timestamp) -> bool {
        self.locked_until.is_some_and(|until| until > now)
    }

    /// Whether the next login must set a password and a second factor first.
    pub fn needs_setup(&self) -> bool {
        self.must_change_password || self.totp_secret.is_none()
    }
}

/// A chosen password and the second factor enrolled with it: the pending
/// secret whose code matched at `step`.
#[derive(Debug, Clone, Copy)]
pub struct Enrolment<'a> {
    pub password: &'a PasswordHash,
    pub secret: &'a TotpSecret,
    pub step: i64,
}

#[derive(Debug)]
pub struct Credentials<'a> {
    store: &'a Store,
}

const COLUMNS: &str = "id, password_hash, must_change_password, totp_secret, \
                       totp_pending_secret, locked_until";

impl<'a> Credentials<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    pub async fn get(&self, id: &str) -> Result<Option<Credential>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM credentials WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.store.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let key = Vault::new(self.store).existing(&owner(id)).await?;
        credential_from_row(&row, key.as_ref()).map(Some)
    }

    /// Counts a failed attempt. Returns when the account is now locked until,
    /// if this failure locked it.
    pub async fn record_failure(
        &self,
        id: &str,
        now: Timestamp,
        policy: &LockoutPolicy,
    ) -> Result<Option<Timestamp>, StoreError> {
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        let row = sqlx::query("SELECT failed_logins, lockouts FROM credentials WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let failures = row.try_get::<i64, _>("failed_logins")? + 1;
        let lockouts: i64 = row.try_get("lockouts")?;
        let locked_until = if failures >= policy.failures_per_lock {
            let until = now
                .checked_add(policy.lock_duration(lockouts))
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            sqlx::query(
                "UPDATE credentials SET failed_logins = 0, lockouts = lockouts + 1, \
                 locked_until = $1 WHERE id = $2",
            )
            .bind(until.as_second())
            .bind(id)
            .execute(&mut *tx)
            .await?;
            Some(until)
        } else {
            sqlx::query("UPDATE credentials SET failed_logins = $1 WHERE id = $2")
                .bind(failures)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            None
        };
        tx.commit().await?;
        Ok(locked_until)
    }

    /// After a complete login: failures are forgiven and locks start short again.
    pub async fn record_success(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE credentials SET failed_logins = 0, lockouts = 0, locked_until = NULL \
             WHERE id = $1",
        )
        .bind(id)
        .execute(&self.store.pool)
        .await?;
        Ok(())
    }

    /// Uses up a TOTP step: false when this step or a later one was used
    /// already, i.e. the code is replayed.
    pub async fn use_totp_step(&self, id: &str, step: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE credentials SET totp_last_step = $1 \
             WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
        )
        .bind(step)
        .bind(id)
        .execute(&self.store.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Keeps a newly generated second factor until a code from it proves the
    /// person's app has it; sealed, as the enrolled one is.
    pub async fn set_pending_totp(
        &self,
        id: &str,
        secret: &TotpSecret,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let key = Vault::new(self.store).data_key(&owner(id), now).await?;
        sqlx::query("UPDATE credentials SET totp_pending_secret = $1 WHERE id = $2")
            .bind(key.seal_field(&totp_place(id), &secret.base32())?)
            .bind(id)
            .execute(&self.store.pool)
            .await?;
        Ok(())
    }

    /// Sets the chosen password and enrols the pending second factor, with
    /// the audit entry, in one transaction. False when the pending secret is
    /// no longer the one enrolled (set up twice at once); nothing is written then.
    pub async fn set_up(
        &self,
        id: &str,
        enrolment: Enrolment<'_>,
        event: &AuditEvent,
    ) -> Result<bool, StoreError> {
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        let done = set_up_in(self.store, &mut tx, id, enrolment).await?;
        if done {
            append_in(&mut tx, self.store.backend, event).await?;
            tx.commit().await?;
        }
        Ok(done)
    }
}

pub(crate) async fn set_up_in(
    store: &Store,
    tx: &mut Transaction<'static, Any>,
    id: &str,
    enrolment: Enrolment<'_>,
) -> Result<bool, StoreError> {
    // The pending secret is sealed: compare it opened, then enrol the very
    // value read, so that a secret set up again meanwhile is not enrolled.
    let pending: Option<String> =
        sqlx::query_scalar("SELECT totp_pending_secret FROM credentials WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?
            .flatten();
    let Some(pending) = pending else {
        return Ok(false);
    };
    let key = Vault::new(store).existing(&owner(id)).await?;
    if open_field(key.as_ref(), &totp_place(id), &pending)? != enrolment.secret.base32() {
        return Ok(false);
    }
    let done = sqlx::query(
        "UPDATE credentials SET password_hash = $1, must_change_password = 0, \
         totp_secret = totp_pending_secret, totp_pending_secret = NULL, totp_last_step = $2, \
         failed_logins = 0, lockouts = 0, locked_until = NULL \
         WHERE id = $3 AND totp_pending_secret = $4",
    )
    .bind(enrolment.password.as_str())
    .bind(enrolment.step)
    .bind(id)
    .bind(pending)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A new credential row: an initial password (or none yet) that must be
/// changed, and no second factor. Returns its id.
pub(crate) async fn insert_in(
    tx: &mut Transaction<'static, Any>,
    password: Option<&PasswordHash>,
    now: Timestamp,
) -> Result<String, StoreError> {
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO credentials (id, password_hash, must_change_password, created_at) \
         VALUES ($1, $2, 1, $3)",
    )
    .bind(&id)
    .bind(password.map(PasswordHash::as_str))
    .bind(now.as_second())
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Back to an initial password: the second factor is dropped and must be
/// enrolled again, and any lock is lifted.
pub(crate) async fn reset_in(
    tx: &mut Transaction<'static, Any>,
    id: &str,
    password: &PasswordHash,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE credentials SET password_hash = $1, must_change_password = 1, \
         totp_secret = NULL, totp_pending_secret = NULL, totp_last_step = NULL, \
         failed_logins = 0, lockouts = 0, locked_until = NULL WHERE id = $2",
    )
    .bind(password.as_str())
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The data key that seals a credential's second factor.
pub(crate) fn owner(credential: &str) -> String {
    format!("credential:{credential}")
}

/// Both the pending and the enrolled secret are sealed here, so that
/// enrolling copies the sealed value as it is.
fn totp_place(credential: &str) -> String {
    format!("credentials.totp:{credential}")
}

fn credential_from_row(row: &AnyRow, key: Option<&DataKey>) -> Result<Credential, StoreError> {
    let id: String = row.try_get("id")?;
    let secret = |column: &str| -> Result<Option<TotpSecret>, StoreError> {
        row.try_get::<Option<String>, _>(column)?
            .map(|stored| {
                let text = open_field(key, &totp_place(&id), &stored)?;
                TotpSecret::from_base32(&text)
                    .ok_or_else(|| StoreError::Corrupt(format!("credential {id}: {column}")))
            })
            .transpose()
    };
    Ok(Credential {
        password_hash: row
            .try_get::<Option<String>, _>("password_hash")?
            .map(PasswordHash::from_stored),
        must_change_password: row.try_get::<i64, _>("must_change_password")? != 0,
        totp_secret: secret("totp_secret")?,
        totp_pending_secret: secret("totp_pending_secret")?,
        locked_until: row
            .try_get::<Option<i64>, _>("locked_until")?
            .map(timestamp)
            .transpose()?,
        id,
    })
}

pub(crate) fn timestamp(seconds: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_second(seconds).map_err(|e| StoreError::Corrupt(e.to_string()))
}
