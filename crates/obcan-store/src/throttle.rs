//! Failed local logins per client address, so that guessing across many
//! accounts from one place is stopped too, not only guessing one account.

use jiff::{SignedDuration, Timestamp};
use sqlx::Row;

use crate::{Store, StoreError};

#[derive(Debug)]
pub struct LoginThrottle<'a> {
    store: &'a Store,
}

impl<'a> LoginThrottle<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    /// Failures from `ip` in the window that is current at `now`.
    pub async fn failures(
        &self,
        ip: &str,
        now: Timestamp,
        window: SignedDuration,
    ) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT window_start, failures FROM login_throttle WHERE ip = $1")
            .bind(ip)
            .fetch_optional(&self.store.pool)
            .await?;
        let Some(row) = row else {
            return Ok(0);
        };
        let start: i64 = row.try_get("window_start")?;
        if now.as_second() - start >= window.as_secs() {
            return Ok(0);
        }
        Ok(row.try_get("failures")?)
    }

    /// Counts a failure from `ip`; a window that has ended starts anew.
    pub async fn record_failure(
        &self,
        ip: &str,
        now: Timestamp,
        window: SignedDuration,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO login_throttle (ip, window_start, failures) VALUES ($1, $2, 1) \
             ON CONFLICT (ip) DO UPDATE SET \
             failures = CASE WHEN $2 - login_throttle.window_start >= $3 THEN 1 \
                        ELSE login_throttle.failures + 1 END, \
             window_start = CASE WHEN $2 - login_throttle.window_start >= $3 THEN $2 \
                        ELSE login_throttle.window_start END",
        )
        .bind(ip)
        .bind(now.as_second())
        .bind(window.as_secs())
        .execute(&self.store.pool)
        .await?;
        Ok(())
    }

    /// Forgets windows that ended before `now`.
    pub async fn delete_expired(
        &self,
        now: Timestamp,
        window: SignedDuration,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM login_throttle WHERE window_start <= $1")
            .bind(now.as_second() - window.as_secs())
            .execute(&self.store.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
