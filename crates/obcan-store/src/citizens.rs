//! Citizen accounts and the means of identity linked to them.

use jiff::Timestamp;
use jiff::civil::Date;
use obcan_core::citizen::{Citizen, CitizenId, PersonName};
use obcan_core::identity::Assertion;
use sqlx::Row;

use crate::{Store, StoreError};

#[derive(Debug)]
pub struct Citizens<'a> {
    store: &'a Store,
}

impl<'a> Citizens<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    /// The account behind a successful login: found by the linked means of
    /// identity, or created with that link at the first login. The name is
    /// refreshed from the identity provider each time.
    pub async fn log_in(
        &self,
        assertion: &Assertion,
        now: Timestamp,
    ) -> Result<Citizen, StoreError> {
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        let existing = sqlx::query(
            "SELECT citizen_id FROM identity_links WHERE provider = $1 AND subject = $2",
        )
        .bind(assertion.provider.as_str())
        .bind(assertion.subject.as_str())
        .fetch_optional(&mut *tx)
        .await?;

        let birth_date = assertion.birth_date.map(|date| date.to_string());
        let id = match existing {
            Some(row) => {
                let id: String = row.try_get("citizen_id")?;
                sqlx::query(
                    "UPDATE citizens SET given_name = $1, family_name = $2, \
                     birth_date = COALESCE($3, birth_date) WHERE id = $4",
                )
                .bind(assertion.name.given())
                .bind(assertion.name.family())
                .bind(birth_date)
                .bind(&id)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "UPDATE identity_links SET last_login_at = $1 \
                     WHERE provider = $2 AND subject = $3",
                )
                .bind(now.as_second())
                .bind(assertion.provider.as_str())
                .bind(assertion.subject.as_str())
                .execute(&mut *tx)
                .await?;
                id
            }
            None => {
                let id = CitizenId::random().to_string();
                sqlx::query(
                    "INSERT INTO citizens (id, given_name, family_name, birth_date, created_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&id)
                .bind(assertion.name.given())
                .bind(assertion.name.family())
                .bind(birth_date)
                .bind(now.as_second())
                .execute(&mut *tx)
                .await?;
                let linked = sqlx::query(
                    "INSERT INTO identity_links \
                     (provider, subject, citizen_id, linked_at, last_login_at) \
                     VALUES ($1, $2, $3, $4, $4) ON CONFLICT (provider, subject) DO NOTHING",
                )
                .bind(assertion.provider.as_str())
                .bind(assertion.subject.as_str())
                .bind(&id)
                .bind(now.as_second())
                .execute(&mut *tx)
                .await?;
                if linked.rows_affected() == 0 {
                    // The same person's first login raced on another node and won;
                    // drop ours and use theirs.
                    tx.rollback().await?;
                    return Box::pin(self.log_in(assertion, now)).await;
                }
                id
            }
        };
        tx.commit().await?;
        self.get(&CitizenId::parse(&id).map_err(|e| StoreError::Corrupt(e.to_string()))?)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("citizen {id} vanished after login")))
    }

    pub async fn get(&self, id: &CitizenId) -> Result<Option<Citizen>, StoreError> {
        let row = sqlx::query(
            "SELECT id, given_name, family_name, birth_date FROM citizens WHERE id = $1",
        )
        .bind(id.to_string())
        .fetch_optional(&self.store.pool)
        .await?;
        row.map(|row| {
            let given: String = row.try_get("given_name")?;
            let family: String = row.try_get("family_name")?;
            let birth_date: Option<String> = row.try_get("birth_date")?;
            let id: String = row.try_get("id")?;
            Ok(Citizen {
                id: CitizenId::parse(&id).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                name: PersonName::new(&given, &family)
                    .map_err(|e| StoreError::Corrupt(format!("citizen {id}: {e}")))?,
                birth_date: birth_date
                    .map(|raw| raw.parse::<Date>())
                    .transpose()
                    .map_err(|e| StoreError::Corrupt(format!("citizen {id}: {e}")))?,
            })
        })
        .transpose()
    }

    /// How many accounts there are.
    pub async fn count(&self) -> Result<u64, StoreError> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM citizens")
            .fetch_one(&self.store.pool)
            .await?;
        u64::try_from(count).map_err(|e| StoreError::Corrupt(e.to_string()))
    }
}
