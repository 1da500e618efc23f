//! Citizens registered at the counter: their local login, the one-time code
//! that activates it, and the record of who checked their identity document.

use jiff::Timestamp;
use jiff::civil::Date;
use obcan_core::audit::AuditEvent;
use obcan_core::citizen::{CitizenId, PersonName};
use obcan_core::registration::{DocumentNumberTail, DocumentType};
use obcan_core::staff::{LoginName, StaffId};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::append_in;
use crate::citizens::Person;
use crate::credentials::{Enrolment, insert_in, set_up_in, timestamp};
use crate::documents::owner_of;
use crate::error::{AlreadyExists, is_unique_violation};
use crate::vault::Vault;
use crate::{Store, StoreError};

/// The provider name of local logins in `identity_links` and sessions.
pub const LOCAL_PROVIDER: &str = "local";

/// What an official records when registering someone at the counter.
#[derive(Debug, Clone)]
pub struct CounterRegistration<'a> {
    pub citizen: CitizenId,
    pub name: &'a PersonName,
    pub birth_date: Date,
    pub login: &'a LoginName,
    pub document_type: DocumentType,
    pub document_tail: &'a DocumentNumberTail,
    pub verified_by: StaffId,
    /// SHA-256 of the activation code; the code itself is only printed.
    pub activation_code_hash: &'a str,
    pub activation_expires_at: Timestamp,
}

/// A citizen's local account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalAccount {
    pub citizen: CitizenId,
    pub login: LoginName,
    pub credential_id: String,
    pub activated: bool,
}

#[derive(Debug)]
pub struct LocalAccounts<'a> {
    store: &'a Store,
}

const COLUMNS: &str = "citizen_id, login, credential_id, activated_at";

impl<'a> LocalAccounts<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    /// Creates the citizen, their local login and its link, and the audit
    /// entry, all or nothing. A login name already taken changes nothing.
    pub async fn register(
        &self,
        registration: &CounterRegistration<'_>,
        now: Timestamp,
        event: &AuditEvent,
    ) -> Result<Result<(), AlreadyExists>, StoreError> {
        let r = registration;
        let citizen = r.citizen.to_string();
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        let key = Vault::new(self.store)
            .data_key_in(&mut tx, &owner_of(&citizen), now)
            .await?;
        let person = Person::seal(&key, &citizen, r.name, Some(r.birth_date))?;
        sqlx::query(
            "INSERT INTO citizens (id, given_name, family_name, birth_date, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&citizen)
        .bind(person.given)
        .bind(person.family)
        .bind(person.birth_date)
        .bind(now.as_second())
        .execute(&mut *tx)
        .await?;
        let credential_id = insert_in(&mut tx, None, now).await?;
        let inserted = sqlx::query(
            "INSERT INTO local_accounts (citizen_id, login, credential_id, document_type, \
             document_last4, verified_by, verified_at, activation_code_hash, \
             activation_expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&citizen)
        .bind(r.login.as_str())
        .bind(&credential_id)
        .bind(r.document_type.as_str())
        .bind(r.document_tail.as_str())
        .bind(r.verified_by.to_string())
        .bind(now.as_second())
        .bind(r.activation_code_hash)
        .bind(r.activation_expires_at.as_second())
        .execute(&mut *tx)
        .await;
        match inserted {
            Err(error) if is_unique_violation(&error) => return Ok(Err(AlreadyExists)),
            other => other?,
        };
        sqlx::query(
            "INSERT INTO identity_links (provider, subject, citizen_id, linked_at, last_login_at) \
             VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(LOCAL_PROVIDER)
        .bind(r.login.as_str())
        .bind(&citizen)
        .bind(now.as_second())
        .execute(&mut *tx)
        .await?;
        append_in(&mut tx, self.store.backend, event).await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// The account an activation code belongs to, if the code is unused and
    /// unexpired.
    pub async fn by_activation_code(
        &self,
        code_hash: &str,
        now: Timestamp,
    ) -> Result<Option<LocalAccount>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM local_accounts \
             WHERE activation_code_hash = $1 AND activation_expires_at > $2"
        ))
        .bind(code_hash)
        .bind(now.as_second())
        .fetch_optional(&self.store.pool)
        .await?;
        row.as_ref().map(account_from_row).transpose()
    }

    pub async fn by_login(&self, login: &LoginName) -> Result<Option<LocalAccount>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM local_accounts WHERE login = $1"
        ))
        .bind(login.as_str())
        .fetch_optional(&self.store.pool)
        .await?;
        row.as_ref().map(account_from_row).transpose()
    }

    pub async fn get(&self, citizen: CitizenId) -> Result<Option<LocalAccount>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM local_accounts WHERE citizen_id = $1"
        ))
        .bind(citizen.to_string())
        .fetch_optional(&self.store.pool)
        .await?;
        row.as_ref().map(account_from_row).transpose()
    }

    /// Uses up the activation code and sets the chosen password and second
    /// factor, with the audit entry, all or nothing. False when the code was
    /// used or expired meanwhile, or the pending second factor changed.
    pub async fn activate(
        &self,
        account: &LocalAccount,
        code_hash: &str,
        enrolment: Enrolment<'_>,
        now: Timestamp,
        event: &AuditEvent,
    ) -> Result<bool, StoreError> {
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        let used = sqlx::query(
            "UPDATE local_accounts SET activation_code_hash = NULL, activated_at = $1 \
             WHERE citizen_id = $2 AND activation_code_hash = $3 AND activation_expires_at > $1",
        )
        .bind(now.as_second())
        .bind(account.citizen.to_string())
        .bind(code_hash)
        .execute(&mut *tx)
        .await?;
        if used.rows_affected() == 0
            || !set_up_in(self.store, &mut tx, &account.credential_id, enrolment).await?
        {
            return Ok(false);
        }
        append_in(&mut tx, self.store.backend, event).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Whether any citizen has a local account: the login page offers the
    /// local login only then.
    pub async fn any(&self) -> Result<bool, StoreError> {
        let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM local_accounts LIMIT 1")
            .fetch_optional(&self.store.pool)
            .await?;
        Ok(found.is_some())
    }
}

fn account_from_row(row: &AnyRow) -> Result<LocalAccount, StoreError> {
    let id: String = row.try_get("citizen_id")?;
    let corrupt =
        |e: &dyn std::fmt::Display| StoreError::Corrupt(format!("local account {id}: {e}"));
    Ok(LocalAccount {
        citizen: CitizenId::parse(&id).map_err(|e| corrupt(&e))?,
        login: LoginName::parse(&row.try_get::<String, _>("login")?).map_err(|e| corrupt(&e))?,
        credential_id: row.try_get("credential_id")?,
        activated: row
            .try_get::<Option<i64>, _>("activated_at")?
            .map(timestamp)
            .transpose()?
            .is_some(),
    })
}
