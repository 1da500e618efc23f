//! A local login between its password and its second factor: which account
//! gave the right password in this session, and what it must do next. Tied
//! to the session (deleted with it), short-lived, taken once it is finished.

use jiff::Timestamp;
use sqlx::Row;

use crate::{Store, StoreError};

/// What the next step of a local login is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSecondFactor {
    /// `staff:<id>` or `citizen:<id>`.
    pub account: String,
    /// `totp` (enter a code) or `setup` (choose a password, enrol a second factor).
    pub stage: String,
    pub next_path: String,
}

#[derive(Debug)]
pub struct PendingLogins<'a> {
    store: &'a Store,
}

impl<'a> PendingLogins<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    /// Records (or replaces) the session's login in progress.
    pub async fn put(
        &self,
        session_hash: &str,
        pending: &PendingSecondFactor,
        expires_at: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO pending_logins (session_hash, account, stage, next_path, expires_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (session_hash) DO UPDATE SET \
             account = $2, stage = $3, next_path = $4, expires_at = $5",
        )
        .bind(session_hash)
        .bind(&pending.account)
        .bind(&pending.stage)
        .bind(&pending.next_path)
        .bind(expires_at.as_second())
        .execute(&self.store.pool)
        .await?;
        Ok(())
    }

    pub async fn get(
        &self,
        session_hash: &str,
        now: Timestamp,
    ) -> Result<Option<PendingSecondFactor>, StoreError> {
        let row = sqlx::query(
            "SELECT account, stage, next_path FROM pending_logins \
             WHERE session_hash = $1 AND expires_at > $2",
        )
        .bind(session_hash)
        .bind(now.as_second())
        .fetch_optional(&self.store.pool)
        .await?;
        row.map(|row| {
            Ok(PendingSecondFactor {
                account: row.try_get("account")?,
                stage: row.try_get("stage")?,
                next_path: row.try_get("next_path")?,
            })
        })
        .transpose()
    }

    pub async fn delete_expired(&self, now: Timestamp) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM pending_logins WHERE expires_at <= $1")
            .bind(now.as_second())
            .execute(&self.store.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
