//! The webhook outbox. A change to a submission writes one row per active
//! client with a webhook serving its agenda, in the change's own
//! transaction: the event exists exactly when the change does. Senders on
//! any node claim due rows with a lease (a conditional update, so one node
//! sends a row at a time), then mark them delivered, or failed with the
//! next attempt pushed back, until the retry policy gives up.

use jiff::{SignedDuration, Timestamp};
use obcan_core::integration::{ClientId, EventType, RetryPolicy, WebhookSecret, WebhookUrl};
use sqlx::Row as _;
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};

use crate::{Store, StoreError};

/// Writes the event `event` of submission `raw_id` for every client that
/// hears of it, inside the transaction making the change. The body is the
/// submission as it is after the change, and names nothing personal.
pub(crate) async fn enqueue_in(
    tx: &mut Transaction<'static, Any>,
    raw_id: &str,
    event: EventType,
    at: Timestamp,
) -> Result<(), StoreError> {
    let rows = sqlx::query(
        "SELECT c.id AS client_id, s.reference, s.state FROM submissions s \
         JOIN integration_client_agendas a ON a.agenda = s.agenda \
         JOIN integration_clients c ON c.id = a.client_id \
         WHERE s.id = $1 AND c.revoked_at IS NULL AND c.webhook_url IS NOT NULL \
         ORDER BY c.id",
    )
    .bind(raw_id)
    .fetch_all(&mut **tx)
    .await?;
    for row in &rows {
        let client: String = row.try_get("client_id")?;
        let id = uuid::Uuid::new_v4().to_string();
        let body = serde_json::json!({
            "id": id,
            "type": event.as_str(),
            "occurred_at": at.to_string(),
            "submission": {
                "id": raw_id,
                "reference": row.try_get::<String, _>("reference")?,
                "state": row.try_get::<String, _>("state")?,
            },
        })
        .to_string();
        sqlx::query(
            "INSERT INTO webhook_outbox (id, client_id, event_type, submission_id, body, \
             created_at, attempts, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, 0, $6)",
        )
        .bind(&id)
        .bind(&client)
        .bind(event.as_str())
        .bind(raw_id)
        .bind(&body)
        .bind(at.as_second())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// A webhook claimed for sending: the lease is this sender's until
/// `lease_until`.
#[derive(Debug)]
pub struct Claimed {
    /// The event's id, the same on every attempt.
    pub id: String,
    pub client: ClientId,
    pub url: WebhookUrl,
    pub secret: WebhookSecret,
    pub body: String,
    /// This attempt's number, from 1.
    pub attempt: u32,
    lease: String,
}

/// One row of the outbox, as tests and operators look at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub id: String,
    pub client: ClientId,
    pub event: EventType,
    pub submission: String,
    pub body: String,
    pub attempts: u32,
    pub next_attempt_at: Timestamp,
    pub lease_until: Option<Timestamp>,
    pub delivered_at: Option<Timestamp>,
    pub failed_at: Option<Timestamp>,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, Copy)]
pub struct Outbox<'a> {
    store: &'a Store,
}

impl Store {
    pub fn webhook_outbox(&self) -> Outbox<'_> {
        Outbox { store: self }
    }
}

/// A row is due when it is neither delivered nor given up, its time has
/// come and nobody holds a lease on it.
const DUE: &str = "delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 \
                   AND (lease_until IS NULL OR lease_until <= $1)";

impl Outbox<'_> {
    /// Claims up to `limit` due webhooks for `lease`, the oldest first.
    /// Each is taken by a conditional update, so of several nodes claiming
    /// at once exactly one gets it; the attempt is counted as it is taken,
    /// so a node that dies mid-send still used it up.
    pub async fn claim(
        &self,
        now: Timestamp,
        lease: SignedDuration,
        limit: u32,
    ) -> Result<Vec<Claimed>, StoreError> {
        let candidates = sqlx::query(&format!(
            "SELECT id FROM webhook_outbox WHERE {DUE} ORDER BY next_attempt_at, created_at LIMIT $2"
        ))
        .bind(now.as_second())
        .bind(i64::from(limit))
        .fetch_all(&self.store.pool)
        .await?;
        let until = now
            .checked_add(lease)
            .map_err(|e| StoreError::Corrupt(format!("lease: {e}")))?;
        let mut claimed = Vec::new();
        for candidate in &candidates {
            let id: String = candidate.try_get("id")?;
            let lease = uuid::Uuid::new_v4().to_string();
            let row = sqlx::query(&format!(
                "UPDATE webhook_outbox SET lease_owner = $2, lease_until = $3, \
                 attempts = attempts + 1 WHERE id = $4 AND {DUE} \
                 RETURNING client_id, body, attempts"
            ))
            .bind(now.as_second())
            .bind(&lease)
            .bind(until.as_second())
            .bind(&id)
            .fetch_optional(&self.store.pool)
            .await?;
            let Some(row) = row else { continue };
            let raw_client: String = row.try_get("client_id")?;
            let client = ClientId::parse(&raw_client)
                .ok_or_else(|| StoreError::Corrupt(format!("webhook {id}: client_id")))?;
            let integration = self.store.integration();
            let url = integration
                .client(client)
                .await?
                .and_then(|client| client.webhook_url);
            let secret = integration.webhook_secret(client).await?;
            let (Some(url), Some(secret)) = (url, secret) else {
                // Revoked, or its webhook address removed, since it was
                // written: nothing to send it with.
                self.give_up(&id, &lease, now, "the client no longer takes webhooks")
                    .await?;
                continue;
            };
            claimed.push(Claimed {
                id,
                client,
                url,
                secret,
                body: row.try_get("body")?,
                attempt: u32::try_from(row.try_get::<i64, _>("attempts")?).unwrap_or(u32::MAX),
                lease,
            });
        }
        Ok(claimed)
    }

    /// The receiver took it. False if the lease had passed to another
    /// sender meanwhile (which will send it again: receivers deduplicate by
    /// the event's id).
    pub async fn delivered(&self, claimed: &Claimed, at: Timestamp) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE webhook_outbox SET delivered_at = $1, lease_owner = NULL, lease_until = NULL, \
             last_error = NULL WHERE id = $2 AND lease_owner = $3",
        )
        .bind(at.as_second())
        .bind(&claimed.id)
        .bind(&claimed.lease)
        .execute(&self.store.pool)
        .await?
        .rows_affected();
        Ok(done == 1)
    }

    /// The attempt failed with `error` (a status or a transport error,
    /// never a secret): it is tried again after the policy's wait, or
    /// given up after its last attempt.
    pub async fn failed(
        &self,
        claimed: &Claimed,
        at: Timestamp,
        error: &str,
        policy: &RetryPolicy,
    ) -> Result<(), StoreError> {
        let error: String = error.chars().take(500).collect();
        match policy.wait_after(claimed.attempt) {
            Some(wait) => {
                let next = at
                    .checked_add(wait)
                    .map_err(|e| StoreError::Corrupt(format!("retry: {e}")))?;
                sqlx::query(
                    "UPDATE webhook_outbox SET next_attempt_at = $1, last_error = $2, \
                     lease_owner = NULL, lease_until = NULL WHERE id = $3 AND lease_owner = $4",
                )
                .bind(next.as_second())
                .bind(&error)
                .bind(&claimed.id)
                .bind(&claimed.lease)
                .execute(&self.store.pool)
                .await?;
                Ok(())
            }
            None => self.give_up(&claimed.id, &claimed.lease, at, &error).await,
        }
    }

    async fn give_up(
        &self,
        id: &str,
        lease: &str,
        at: Timestamp,
        error: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE webhook_outbox SET failed_at = $1, last_error = $2, lease_owner = NULL, \
             lease_until = NULL WHERE id = $3 AND lease_owner = $4",
        )
        .bind(at.as_second())
        .bind(error)
        .bind(id)
        .bind(lease)
        .execute(&self.store.pool)
        .await?;
        Ok(())
    }

    /// The client's webhooks, the oldest first.
    pub async fn of_client(&self, client: ClientId) -> Result<Vec<OutboxEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, client_id, event_type, submission_id, body, attempts, next_attempt_at, \
             lease_until, delivered_at, failed_at, last_error FROM webhook_outbox \
             WHERE client_id = $1 ORDER BY created_at, id",
        )
        .bind(client.to_string())
        .fetch_all(&self.store.pool)
        .await?;
        rows.iter().map(entry_from).collect()
    }
}

fn entry_from(row: &AnyRow) -> Result<OutboxEntry, StoreError> {
    let id: String = row.try_get("id")?;
    let corrupt = |what: &str| StoreError::Corrupt(format!("webhook {id}: {what}"));
    let time = |column: &str| -> Result<Option<Timestamp>, StoreError> {
        row.try_get::<Option<i64>, _>(column)?
            .map(|at| Timestamp::from_second(at).map_err(|_| corrupt(column)))
            .transpose()
    };
    Ok(OutboxEntry {
        client: ClientId::parse(&row.try_get::<String, _>("client_id")?)
            .ok_or_else(|| corrupt("client_id"))?,
        event: EventType::parse(&row.try_get::<String, _>("event_type")?)
            .ok_or_else(|| corrupt("event_type"))?,
        submission: row.try_get("submission_id")?,
        body: row.try_get("body")?,
        attempts: u32::try_from(row.try_get::<i64, _>("attempts")?).unwrap_or(u32::MAX),
        next_attempt_at: time("next_attempt_at")?.ok_or_else(|| corrupt("next_attempt_at"))?,
        lease_until: time("lease_until")?,
        delivered_at: time("delivered_at")?,
        failed_at: time("failed_at")?,
        last_error: row.try_get("last_error")?,
        id,
    })
}
