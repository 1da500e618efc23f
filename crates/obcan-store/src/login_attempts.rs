//! Logins in progress at outside identity providers.

use jiff::Timestamp;
use obcan_core::citizen::CitizenId;
use sqlx::Row;

use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginAttempt {
    pub state_hash: String,
    /// The session that started the login: only it may finish it.
    pub session_hash: String,
    pub provider: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub next_path: String,
    pub expires_at: Timestamp,
    /// Set when the login is to link another means to this account rather
    /// than to start a session.
    pub link_to: Option<CitizenId>,
}

/// What the return from the provider is checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingLogin {
    pub nonce: String,
    pub pkce_verifier: String,
    pub next_path: String,
    /// What the provider posted back, when it could not be taken at once.
    pub provider_answer: Option<String>,
    pub link_to: Option<CitizenId>,
}

#[derive(Debug)]
pub struct LoginAttempts<'a> {
    store: &'a Store,
}

impl<'a> LoginAttempts<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    pub async fn insert(&self, attempt: &LoginAttempt) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO login_attempts \
             (state_hash, session_hash, provider, nonce, pkce_verifier, next_path, expires_at, \
             link_to) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&attempt.state_hash)
        .bind(&attempt.session_hash)
        .bind(&attempt.provider)
        .bind(&attempt.nonce)
        .bind(&attempt.pkce_verifier)
        .bind(&attempt.next_path)
        .bind(attempt.expires_at.as_second())
        .bind(attempt.link_to.map(|id| id.to_string()))
        .execute(&self.store.pool)
        .await?;
        Ok(())
    }

    /// Takes the attempt this return belongs to, if it exists, is still valid,
    /// and was started by this session at this provider. At most once.
    pub async fn take(
        &self,
        state_hash: &str,
        session_hash: &str,
        provider: &str,
        now: Timestamp,
    ) -> Result<Option<PendingLogin>, StoreError> {
        let row = sqlx::query(
            "DELETE FROM login_attempts \
             WHERE state_hash = $1 AND session_hash = $2 AND provider = $3 AND expires_at > $4 \
             RETURNING nonce, pkce_verifier, next_path, provider_answer, link_to",
        )
        .bind(state_hash)
        .bind(session_hash)
        .bind(provider)
        .bind(now.as_second())
        .fetch_optional(&self.store.pool)
        .await?;
        row.map(|row| {
            Ok(PendingLogin {
                nonce: row.try_get("nonce")?,
                pkce_verifier: row.try_get("pkce_verifier")?,
                next_path: row.try_get("next_path")?,
                provider_answer: row.try_get("provider_answer")?,
                link_to: row
                    .try_get::<Option<String>, _>("link_to")?
                    .map(|id| CitizenId::parse(&id))
                    .transpose()
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            })
        })
        .transpose()
    }

    /// Keeps the provider's answer with the attempt it names, for the
    /// session that started it to take. False when there is no such live
    /// attempt or it already has an answer: a replay or a forgery.
    pub async fn record_answer(
        &self,
        state_hash: &str,
        provider: &str,
        answer: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE login_attempts SET provider_answer = $1 \
             WHERE state_hash = $2 AND provider = $3 AND expires_at > $4 \
             AND provider_answer IS NULL",
        )
        .bind(answer)
        .bind(state_hash)
        .bind(provider)
        .bind(now.as_second())
        .execute(&self.store.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn delete_expired(&self, now: Timestamp) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM login_attempts WHERE expires_at <= $1")
            .bind(now.as_second())
            .execute(&self.store.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
