//! The office's records management as a client of the portal: the clients
//! (their token's SHA-256, agendas, webhook address and sealed signing
//! secret), what they read of the submissions of their agendas, and what
//! they push: the číslo jednací and state changes, each in one transaction
//! with its timeline entry, its audit entry and the webhooks it makes.
//! The webhooks themselves are in [`outbox`].

pub mod outbox;

use jiff::Timestamp;
use obcan_core::audit::{Action, Actor, AuditEvent};
use obcan_core::integration::{
    BearerToken, ClientId, PushedState, RegistrationNumber, WebhookSecret, WebhookUrl,
};
use obcan_core::staff::{AgendaKey, Label};
use obcan_core::submissions::{Message, SubmissionId, SubmissionState};
use sqlx::Row as _;
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};

use crate::audit::append_in;
use crate::error::is_unique_violation;
use crate::records::owner_of;
use crate::submissions::{Entry, RECEIPT_COLUMNS, Stepped, Whose, receipt_from};
use crate::vault::{Vault, hex};
use crate::{Receipt, Store, StoreError};

/// A records-management client as the administrator sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrationClient {
    pub id: ClientId,
    pub name: Label,
    /// The agendas whose submissions it reads and works, by key.
    pub agendas: Vec<AgendaKey>,
    pub webhook_url: Option<WebhookUrl>,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

impl IntegrationClient {
    pub fn serves(&self, agenda: &AgendaKey) -> bool {
        self.agendas.contains(agenda)
    }
}

/// A client to let in; the caller shows the token and secret once.
#[derive(Debug, Clone, Copy)]
pub struct NewClient<'a> {
    pub id: ClientId,
    pub name: &'a Label,
    pub agendas: &'a [AgendaKey],
    pub webhook_url: Option<&'a WebhookUrl>,
    pub token: &'a BearerToken,
    pub secret: &'a WebhookSecret,
}

/// The client a token belongs to, with the token's SHA-256 as kept, for the
/// caller to compare in constant time.
#[derive(Debug, Clone)]
pub struct TokenHolder {
    pub client: IntegrationClient,
    pub token_sha256: String,
}

/// A submission's číslo jednací.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub number: RegistrationNumber,
    pub client: ClientId,
    pub registered_at: Timestamp,
}

/// What pushing a číslo jednací did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registered {
    New(Registration),
    /// It had this number already; nothing changed.
    Same(Registration),
    /// It has another number, which stays.
    Conflict(Registration),
    /// No such submission in the client's agendas.
    NotFound,
}

/// A state change with the `Idempotency-Key` it came with and the SHA-256
/// of the request, which a retry must repeat.
#[derive(Debug, Clone, Copy)]
pub struct Idempotent<'a> {
    pub key: &'a str,
    pub request_sha256: &'a str,
}

/// A state change the records system pushes.
#[derive(Debug, Clone, Copy)]
pub struct StateChange<'a> {
    pub client: ClientId,
    pub submission: SubmissionId,
    pub to: PushedState,
    /// To the citizen.
    pub message: Option<&'a Message>,
    pub request: Idempotent<'a>,
}

/// What pushing a state change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pushed {
    /// Taken: the state the submission is in now.
    Done(SubmissionState),
    /// The key was used for this same request: its answer, nothing written.
    Replayed(SubmissionState),
    /// The key was used for another request; nothing written.
    KeyReused,
    /// Not from the state the submission is in now.
    NotNow(SubmissionState),
    /// No such submission in the client's agendas.
    NotFound,
}

#[derive(Debug, Clone, Copy)]
pub struct Integration<'a> {
    store: &'a Store,
}

impl Store {
    pub fn integration(&self) -> Integration<'_> {
        Integration { store: self }
    }
}

/// The data key the client's webhook secret is sealed under; destroyed
/// when it is revoked.
fn secret_owner(id: ClientId) -> String {
    format!("integration:{id}")
}

fn secret_place(id: ClientId) -> String {
    format!("integration_clients.webhook_secret:{id}")
}

const CLIENT_COLUMNS: &str = "id, name, webhook_url, created_at, revoked_at";

impl Integration<'_> {
    /// Lets a client in: its token's SHA-256, its agendas, its webhook
    /// address and secret (sealed), and the audit entry, in one transaction.
    pub async fn create(
        &self,
        client: &NewClient<'_>,
        created_by: &Actor,
        now: Timestamp,
        event: &AuditEvent,
    ) -> Result<(), StoreError> {
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        let key = Vault::new(self.store)
            .data_key_in(&mut tx, &secret_owner(client.id), now)
            .await?;
        let sealed = key.seal(&secret_place(client.id), client.secret.as_bytes())?;
        sqlx::query(
            "INSERT INTO integration_clients (id, name, token_sha256, webhook_url, \
             webhook_secret, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(client.id.to_string())
        .bind(client.name.as_str())
        .bind(hex(&client.token.sha256()))
        .bind(client.webhook_url.map(WebhookUrl::as_str))
        .bind(sealed)
        .bind(now.as_second())
        .bind(created_by.to_string())
        .execute(&mut *tx)
        .await?;
        for agenda in client.agendas {
            sqlx::query(
                "INSERT INTO integration_client_agendas (client_id, agenda) VALUES ($1, $2) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(client.id.to_string())
            .bind(agenda.as_str())
            .execute(&mut *tx)
            .await?;
        }
        append_in(&mut tx, self.store.backend, event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Revokes the client: its token lets nobody in from now, its signing
    /// secret is destroyed with its data key, and the webhooks not yet sent
    /// are given up. False if it was revoked before (or never existed).
    pub async fn revoke(
        &self,
        id: ClientId,
        now: Timestamp,
        event: &AuditEvent,
    ) -> Result<bool, StoreError> {
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        let revoked = sqlx::query(
            "UPDATE integration_clients SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(now.as_second())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if revoked != 1 {
            return Ok(false);
        }
        Vault::destroy_in(&mut tx, &secret_owner(id)).await?;
        sqlx::query(
            "UPDATE webhook_outbox SET failed_at = $1, last_error = 'the client was revoked', \
             lease_owner = NULL, lease_until = NULL \
             WHERE client_id = $2 AND delivered_at IS NULL AND failed_at IS NULL",
        )
        .bind(now.as_second())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
        append_in(&mut tx, self.store.backend, event).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Every client, the newest first.
    pub async fn clients(&self) -> Result<Vec<IntegrationClient>, StoreError> {
        let sql = format!(
            "SELECT {CLIENT_COLUMNS} FROM integration_clients ORDER BY created_at DESC, id"
        );
        let rows = sqlx::query(&sql).fetch_all(&self.store.pool).await?;
        let mut clients = Vec::with_capacity(rows.len());
        for row in &rows {
            clients.push(self.client_from(row).await?);
        }
        Ok(clients)
    }

    pub async fn client(&self, id: ClientId) -> Result<Option<IntegrationClient>, StoreError> {
        let sql = format!("SELECT {CLIENT_COLUMNS} FROM integration_clients WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id.to_string())
            .fetch_optional(&self.store.pool)
            .await?;
        match row {
            Some(row) => Ok(Some(self.client_from(&row).await?)),
            None => Ok(None),
        }
    }

    /// The client whose token has this SHA-256, revoked or not.
    pub async fn by_token(
        &self,
        token_sha256: &[u8; 32],
    ) -> Result<Option<TokenHolder>, StoreError> {
        let sql = format!(
            "SELECT {CLIENT_COLUMNS}, token_sha256 FROM integration_clients WHERE token_sha256 = $1"
        );
        let row = sqlx::query(&sql)
            .bind(hex(token_sha256))
            .fetch_optional(&self.store.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(TokenHolder {
            client: self.client_from(&row).await?,
            token_sha256: row.try_get("token_sha256")?,
        }))
    }

    async fn client_from(&self, row: &AnyRow) -> Result<IntegrationClient, StoreError> {
        let raw: String = row.try_get("id")?;
        let corrupt = |what: &str| StoreError::Corrupt(format!("integration client {raw}: {what}"));
        let id = ClientId::parse(&raw).ok_or_else(|| corrupt("id"))?;
        let agendas = sqlx::query(
            "SELECT agenda FROM integration_client_agendas WHERE client_id = $1 ORDER BY agenda",
        )
        .bind(&raw)
        .fetch_all(&self.store.pool)
        .await?
        .iter()
        .map(|row| {
            AgendaKey::parse(&row.try_get::<String, _>("agenda")?).ok_or_else(|| corrupt("agenda"))
        })
        .collect::<Result<_, StoreError>>()?;
        Ok(IntegrationClient {
            id,
            name: Label::parse(&row.try_get::<String, _>("name")?).map_err(|_| corrupt("name"))?,
            agendas,
            webhook_url: row
                .try_get::<Option<String>, _>("webhook_url")?
                .map(|url| WebhookUrl::parse(&url).map_err(|_| corrupt("webhook_url")))
                .transpose()?,
            created_at: Timestamp::from_second(row.try_get("created_at")?)
                .map_err(|_| corrupt("created_at"))?,
            revoked_at: row
                .try_get::<Option<i64>, _>("revoked_at")?
                .map(|at| Timestamp::from_second(at).map_err(|_| corrupt("revoked_at")))
                .transpose()?,
        })
    }

    /// The client's webhook secret; none once it was revoked.
    pub async fn webhook_secret(&self, id: ClientId) -> Result<Option<WebhookSecret>, StoreError> {
        let row = sqlx::query(
            "SELECT webhook_secret FROM integration_clients WHERE id = $1 AND revoked_at IS NULL",
        )
        .bind(id.to_string())
        .fetch_optional(&self.store.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let Some(key) = Vault::new(self.store).existing(&secret_owner(id)).await? else {
            return Ok(None);
        };
        let sealed: Vec<u8> = row.try_get("webhook_secret")?;
        let plain = key.open(&secret_place(id), &sealed)?;
        WebhookSecret::from_bytes(&plain)
            .map(Some)
            .ok_or_else(|| StoreError::Corrupt(format!("integration client {id}: secret")))
    }

    /// The submissions of the client's agendas without a číslo jednací,
    /// the oldest first, after `after` (the last one of the previous page).
    pub async fn unregistered(
        &self,
        client: ClientId,
        after: Option<(Timestamp, SubmissionId)>,
        limit: u32,
    ) -> Result<Vec<Receipt>, StoreError> {
        let sql = format!(
            "SELECT {RECEIPT_COLUMNS} FROM submissions s \
             JOIN integration_client_agendas a ON a.agenda = s.agenda AND a.client_id = $1 \
             WHERE NOT EXISTS (SELECT 1 FROM submission_registrations r WHERE r.submission_id = s.id) \
             AND (s.submitted_at > $2 OR (s.submitted_at = $2 AND s.id > $3)) \
             ORDER BY s.submitted_at, s.id LIMIT $4"
        );
        let (at, id) = after.map_or((i64::MIN, String::new()), |(at, id)| {
            (at.as_second(), id.to_string())
        });
        let rows = sqlx::query(&sql)
            .bind(client.to_string())
            .bind(at)
            .bind(id)
            .bind(i64::from(limit))
            .fetch_all(&self.store.pool)
            .await?;
        rows.iter().map(receipt_from).collect()
    }

    /// The agenda of the submission, if it is one of the client's.
    pub async fn agenda_of(
        &self,
        client: ClientId,
        id: SubmissionId,
    ) -> Result<Option<AgendaKey>, StoreError> {
        let row = sqlx::query(
            "SELECT s.agenda FROM submissions s \
             JOIN integration_client_agendas a ON a.agenda = s.agenda AND a.client_id = $2 \
             WHERE s.id = $1",
        )
        .bind(id.to_string())
        .bind(client.to_string())
        .fetch_optional(&self.store.pool)
        .await?;
        row.map(|row| {
            let raw: String = row.try_get("agenda")?;
            AgendaKey::parse(&raw)
                .ok_or_else(|| StoreError::Corrupt(format!("submission {id}: agenda {raw:?}")))
        })
        .transpose()
    }

    /// The submission's číslo jednací, if it has one.
    pub async fn registration(&self, id: SubmissionId) -> Result<Option<Registration>, StoreError> {
        let row = sqlx::query(
            "SELECT number, client_id, registered_at FROM submission_registrations \
             WHERE submission_id = $1",
        )
        .bind(id.to_string())
        .fetch_optional(&self.store.pool)
        .await?;
        row.as_ref().map(registration_from).transpose()
    }

    /// Gives the submission its číslo jednací, once: the same number again
    /// changes nothing, another one is refused.
    pub async fn register(
        &self,
        client: ClientId,
        id: SubmissionId,
        number: &RegistrationNumber,
        at: Timestamp,
        ip: Option<String>,
    ) -> Result<Registered, StoreError> {
        let Some(agenda) = self.agenda_of(client, id).await? else {
            return Ok(Registered::NotFound);
        };
        let raw_id = id.to_string();
        let (mut tx, found) = self
            .store
            .submissions()
            .begin_step(&raw_id, Whose::Agenda(&agenda))
            .await?;
        let Some(Stepped {
            reference, file, ..
        }) = found
        else {
            return Ok(Registered::NotFound);
        };
        let before = sqlx::query(
            "SELECT number, client_id, registered_at FROM submission_registrations \
             WHERE submission_id = $1",
        )
        .bind(&raw_id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = before {
            let before = registration_from(&row)?;
            return Ok(if before.number == *number {
                Registered::Same(before)
            } else {
                Registered::Conflict(before)
            });
        }
        sqlx::query(
            "INSERT INTO submission_registrations (submission_id, number, client_id, \
             registered_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&raw_id)
        .bind(number.as_str())
        .bind(client.to_string())
        .bind(at.as_second())
        .execute(&mut *tx)
        .await?;
        let event = AuditEvent::new(
            at,
            Actor::Integration(client.uuid()),
            Action::SubmissionRegistered,
        )
        .about_record_file(file)
        .with("submission", raw_id)
        .with("reference", reference)
        .with("number", number.as_str())
        .from_ip(ip);
        append_in(&mut tx, self.store.backend, &event).await?;
        tx.commit().await?;
        Ok(Registered::New(Registration {
            number: number.clone(),
            client,
            registered_at: at,
        }))
    }

    /// Moves the submission as the records system says, under the office's
    /// workflow rules, with its message sealed like an official's; once per
    /// `Idempotency-Key`.
    pub async fn push_state(
        &self,
        change: &StateChange<'_>,
        at: Timestamp,
        ip: Option<String>,
    ) -> Result<Pushed, StoreError> {
        let StateChange {
            client,
            submission: id,
            to,
            message,
            request,
        } = *change;
        let Some(agenda) = self.agenda_of(client, id).await? else {
            return Ok(Pushed::NotFound);
        };
        let raw_id = id.to_string();
        // The submission's row is held first, so that a retry racing the
        // first request waits for it and then finds its key.
        let (mut tx, found) = self
            .store
            .submissions()
            .begin_step(&raw_id, Whose::Agenda(&agenda))
            .await?;
        if let Some(earlier) = earlier_request(&mut tx, client, request).await? {
            return Ok(earlier);
        }
        let Some(Stepped {
            state: from,
            reference,
            file,
        }) = found
        else {
            return Ok(Pushed::NotFound);
        };
        let step = to.step();
        let Some(state) = step.from(from) else {
            return Ok(Pushed::NotNow(from));
        };
        let key = match message {
            Some(_) => Some(
                Vault::new(self.store)
                    .data_key_in(&mut tx, &owner_of(file), at)
                    .await?,
            ),
            None => None,
        };
        let entry = Entry {
            kind: step.kind(),
            actor: &Actor::Integration(client.uuid()).to_string(),
            from,
            to: state,
            text: key.as_ref().zip(message.map(Message::as_str)),
            for_citizen: step.for_citizen(),
            assign: None,
        };
        entry.write(&mut tx, &raw_id, at).await?;
        let event = AuditEvent::new(
            at,
            Actor::Integration(client.uuid()),
            Action::SubmissionWorked,
        )
        .about_record_file(file)
        .with("submission", raw_id.clone())
        .with("reference", reference)
        .with("step", step.as_str())
        .with("state", state.as_str())
        .from_ip(ip);
        append_in(&mut tx, self.store.backend, &event).await?;
        let recorded = sqlx::query(
            "INSERT INTO integration_requests (client_id, idempotency_key, request_sha256, \
             submission_id, state, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(client.to_string())
        .bind(request.key)
        .bind(request.request_sha256)
        .bind(&raw_id)
        .bind(state.as_str())
        .bind(at.as_second())
        .execute(&mut *tx)
        .await;
        match recorded {
            // The same key for another submission, at the same moment: the
            // first to commit wins; this one writes nothing.
            Err(error) if is_unique_violation(&error) => {
                drop(tx);
                let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
                let earlier = earlier_request(&mut tx, client, request).await?;
                return Ok(earlier.unwrap_or(Pushed::KeyReused));
            }
            other => other?,
        };
        tx.commit().await?;
        Ok(Pushed::Done(state))
    }
}

/// What an earlier request with the same key answered, if there was one.
async fn earlier_request(
    tx: &mut Transaction<'static, Any>,
    client: ClientId,
    request: Idempotent<'_>,
) -> Result<Option<Pushed>, StoreError> {
    let row = sqlx::query(
        "SELECT request_sha256, state FROM integration_requests \
         WHERE client_id = $1 AND idempotency_key = $2",
    )
    .bind(client.to_string())
    .bind(request.key)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let hash: String = row.try_get("request_sha256")?;
    if hash != request.request_sha256 {
        return Ok(Some(Pushed::KeyReused));
    }
    let state: String = row.try_get("state")?;
    SubmissionState::parse(&state)
        .map(|state| Some(Pushed::Replayed(state)))
        .ok_or_else(|| StoreError::Corrupt(format!("integration request: state {state:?}")))
}

fn registration_from(row: &AnyRow) -> Result<Registration, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("submission registration: {what}"));
    Ok(Registration {
        number: RegistrationNumber::parse(&row.try_get::<String, _>("number")?)
            .ok_or_else(|| corrupt("number"))?,
        client: ClientId::parse(&row.try_get::<String, _>("client_id")?)
            .ok_or_else(|| corrupt("client_id"))?,
        registered_at: Timestamp::from_second(row.try_get("registered_at")?)
            .map_err(|_| corrupt("registered_at"))?,
    })
}
