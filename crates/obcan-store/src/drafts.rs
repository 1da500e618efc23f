//! Citizens' unfinished forms: the answers so far and the step reached,
//! sealed under the citizen's data key, so they go with the account.
//! Every call names the citizen, and a draft is found only by its own
//! citizen.

use jiff::Timestamp;
use obcan_core::citizen::CitizenId;
use obcan_core::forms::{Answers, DraftId, FormId};
use sqlx::Row as _;

use crate::documents::owner_of;
use crate::vault::Vault;
use crate::{Store, StoreError};

/// A draft with its answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub id: DraftId,
    pub form: FormId,
    /// The version of the form the draft was last saved on.
    pub form_version: u32,
    /// The step the citizen is on; one past the last is the review.
    pub step: usize,
    pub answers: Answers,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A draft as the citizen's list shows it, without opening its answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftSummary {
    pub id: DraftId,
    pub form: FormId,
    pub form_version: u32,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, Copy)]
pub struct Drafts<'a> {
    store: &'a Store,
}

impl Store {
    pub fn drafts(&self) -> Drafts<'_> {
        Drafts { store: self }
    }
}

fn place(id: &str) -> String {
    format!("submission_drafts.answers:{id}")
}

impl Drafts<'_> {
    /// Begins a draft of a form, with what is prefilled.
    pub async fn begin(
        &self,
        citizen: &CitizenId,
        form: &FormId,
        form_version: u32,
        answers: &Answers,
        now: Timestamp,
    ) -> Result<DraftId, StoreError> {
        let id = DraftId::random();
        let raw_id = id.to_string();
        let key = Vault::new(self.store)
            .data_key(&owner_of(citizen), now)
            .await?;
        sqlx::query(
            "INSERT INTO submission_drafts (id, citizen_id, form_id, form_version, step, answers, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, 0, $5, $6, $6)",
        )
        .bind(&raw_id)
        .bind(citizen.to_string())
        .bind(form.as_str())
        .bind(i64::from(form_version))
        .bind(key.seal(&place(&raw_id), &serialise(answers)?)?)
        .bind(now.as_second())
        .execute(&self.store.pool)
        .await?;
        Ok(id)
    }

    /// The citizen's draft; none if there is no such draft of theirs.
    pub async fn get(&self, citizen: &CitizenId, id: DraftId) -> Result<Option<Draft>, StoreError> {
        let raw_id = id.to_string();
        let row = sqlx::query(
            "SELECT form_id, form_version, step, answers, created_at, updated_at \
             FROM submission_drafts WHERE id = $1 AND citizen_id = $2",
        )
        .bind(&raw_id)
        .bind(citizen.to_string())
        .fetch_optional(&self.store.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let corrupt = |what: &str| StoreError::Corrupt(format!("draft {raw_id}: {what}"));
        let key = Vault::new(self.store)
            .existing(&owner_of(citizen))
            .await?
            .ok_or_else(|| corrupt("no data key"))?;
        let sealed: Vec<u8> = row.try_get("answers")?;
        let answers = serde_json::from_slice(&key.open(&place(&raw_id), &sealed)?)
            .map_err(|_| corrupt("answers"))?;
        Ok(Some(Draft {
            id,
            form: form_id(&row).ok_or_else(|| corrupt("form"))?,
            form_version: version(&row).ok_or_else(|| corrupt("form_version"))?,
            step: usize::try_from(row.try_get::<i64, _>("step")?).map_err(|_| corrupt("step"))?,
            answers,
            created_at: second(&row, "created_at").ok_or_else(|| corrupt("created_at"))?,
            updated_at: second(&row, "updated_at").ok_or_else(|| corrupt("updated_at"))?,
        }))
    }

    /// Saves the answers and the step reached, on the form's current
    /// version; false if there is no such draft of the citizen's.
    pub async fn save(
        &self,
        citizen: &CitizenId,
        id: DraftId,
        form_version: u32,
        step: usize,
        answers: &Answers,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let raw_id = id.to_string();
        let Some(key) = Vault::new(self.store).existing(&owner_of(citizen)).await? else {
            return Ok(false);
        };
        let step = i64::try_from(step).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let saved = sqlx::query(
            "UPDATE submission_drafts SET form_version = $1, step = $2, answers = $3, \
             updated_at = $4 WHERE id = $5 AND citizen_id = $6",
        )
        .bind(i64::from(form_version))
        .bind(step)
        .bind(key.seal(&place(&raw_id), &serialise(answers)?)?)
        .bind(now.as_second())
        .bind(&raw_id)
        .bind(citizen.to_string())
        .execute(&self.store.pool)
        .await?
        .rows_affected();
        Ok(saved == 1)
    }

    /// The citizen's drafts, the latest saved first.
    pub async fn list(&self, citizen: &CitizenId) -> Result<Vec<DraftSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, form_id, form_version, updated_at FROM submission_drafts \
             WHERE citizen_id = $1 ORDER BY updated_at DESC, id",
        )
        .bind(citizen.to_string())
        .fetch_all(&self.store.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let raw_id: String = row.try_get("id")?;
                let corrupt = |what: &str| StoreError::Corrupt(format!("draft {raw_id}: {what}"));
                Ok(DraftSummary {
                    id: DraftId::parse(&raw_id).ok_or_else(|| corrupt("id"))?,
                    form: form_id(row).ok_or_else(|| corrupt("form"))?,
                    form_version: version(row).ok_or_else(|| corrupt("form_version"))?,
                    updated_at: second(row, "updated_at").ok_or_else(|| corrupt("updated_at"))?,
                })
            })
            .collect()
    }

    /// Deletes the citizen's draft; false if there was none.
    pub async fn delete(&self, citizen: &CitizenId, id: DraftId) -> Result<bool, StoreError> {
        let deleted =
            sqlx::query("DELETE FROM submission_drafts WHERE id = $1 AND citizen_id = $2")
                .bind(id.to_string())
                .bind(citizen.to_string())
                .execute(&self.store.pool)
                .await?
                .rows_affected();
        Ok(deleted == 1)
    }
}

fn serialise(answers: &Answers) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(answers).map_err(|e| StoreError::Corrupt(format!("answers: {e}")))
}

fn form_id(row: &sqlx::any::AnyRow) -> Option<FormId> {
    FormId::parse(&row.try_get::<String, _>("form_id").ok()?)
}

fn version(row: &sqlx::any::AnyRow) -> Option<u32> {
    u32::try_from(row.try_get::<i64, _>("form_version").ok()?).ok()
}

fn second(row: &sqlx::any::AnyRow, column: &str) -> Option<Timestamp> {
    Timestamp::from_second(row.try_get::<i64, _>(column).ok()?).ok()
}
