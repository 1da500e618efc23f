//! Register data per citizen: which register person the account is, the last
//! answer of each section, and the extracts issued.

use jiff::Timestamp;
use obcan_core::audit::AuditEvent;
use obcan_core::citizen::CitizenId;
use obcan_core::registers::{RegisterRef, Section, SectionData};
use sqlx::Row as _;

use crate::audit::append_in;
use crate::documents::owner_of;
use crate::vault::{DataKey, Vault, open_bytes, open_field};
use crate::{Store, StoreError};

/// Register data of citizens.
#[derive(Debug, Clone, Copy)]
pub struct RegisterData<'a> {
    store: &'a Store,
}

/// The register person an account was matched to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterLink {
    pub reference: RegisterRef,
    /// The identity provider whose login found the person.
    pub matched_by: String,
    pub matched_at: Timestamp,
}

/// A section's last answer and when the register gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedSection {
    pub data: SectionData,
    pub fetched_at: Timestamp,
}

/// An extract the citizen asked for, without its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractSummary {
    pub id: uuid::Uuid,
    pub kind: String,
    pub issued_at: Timestamp,
    pub content_sha256: String,
    pub file_sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extract {
    pub summary: ExtractSummary,
    pub pdf: Vec<u8>,
}

impl Store {
    pub fn register_data(&self) -> RegisterData<'_> {
        RegisterData { store: self }
    }
}

impl RegisterData<'_> {
    pub async fn link(&self, citizen: &CitizenId) -> Result<Option<RegisterLink>, StoreError> {
        let row = sqlx::query(
            "SELECT reference, matched_by, matched_at FROM register_links WHERE citizen_id = $1",
        )
        .bind(citizen.to_string())
        .fetch_optional(&self.store.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let key = self.key(citizen).await?;
        let reference = open_field(
            key.as_ref(),
            &place("register_links.reference", citizen),
            &row.try_get::<String, _>("reference")?,
        )?;
        Ok(Some(RegisterLink {
            reference: RegisterRef::parse(&reference)
                .map_err(|e| StoreError::Corrupt(format!("register reference: {e}")))?,
            matched_by: row.try_get("matched_by")?,
            matched_at: timestamp(row.try_get("matched_at")?)?,
        }))
    }

    /// Records the account's register person, forgetting what was kept
    /// about any earlier one, and audits the match.
    pub async fn set_link(
        &self,
        citizen: &CitizenId,
        link: &RegisterLink,
        event: &AuditEvent,
    ) -> Result<(), StoreError> {
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        let key = Vault::new(self.store)
            .data_key_in(&mut tx, &owner_of(citizen), event.at)
            .await?;
        sqlx::query("DELETE FROM register_cache WHERE citizen_id = $1")
            .bind(citizen.to_string())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO register_links (citizen_id, reference, matched_by, matched_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (citizen_id) DO UPDATE \
             SET reference = excluded.reference, matched_by = excluded.matched_by, \
             matched_at = excluded.matched_at",
        )
        .bind(citizen.to_string())
        .bind(key.seal_field(
            &place("register_links.reference", citizen),
            link.reference.as_str(),
        )?)
        .bind(&link.matched_by)
        .bind(link.matched_at.as_second())
        .execute(&mut *tx)
        .await?;
        append_in(&mut tx, self.store.backend, event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Drops the match and everything kept through it: the register no
    /// longer knows the person it named.
    pub async fn unlink(&self, citizen: &CitizenId) -> Result<(), StoreError> {
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        for table in ["register_cache", "register_links"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE citizen_id = $1"))
                .bind(citizen.to_string())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The kept answers of these sections, those that there are.
    pub async fn cached(
        &self,
        citizen: &CitizenId,
        sections: &[Section],
    ) -> Result<Vec<CachedSection>, StoreError> {
        if sections.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> =
            (0..sections.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT section, payload, fetched_at FROM register_cache \
             WHERE citizen_id = $1 AND section IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql).bind(citizen.to_string());
        for section in sections {
            query = query.bind(section.as_str());
        }
        let rows = query.fetch_all(&self.store.pool).await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let key = self.key(citizen).await?;
        rows.iter()
            .map(|row| {
                let section: String = row.try_get("section")?;
                let payload = open_field(
                    key.as_ref(),
                    &place(&format!("register_cache.{section}"), citizen),
                    &row.try_get::<String, _>("payload")?,
                )?;
                let data: SectionData = serde_json::from_str(&payload)
                    .map_err(|e| StoreError::Corrupt(format!("register cache: {e}")))?;
                Ok(CachedSection {
                    data,
                    fetched_at: timestamp(row.try_get("fetched_at")?)?,
                })
            })
            .collect()
    }

    /// Keeps a section's fresh answer in place of the last one.
    pub async fn keep(
        &self,
        citizen: &CitizenId,
        data: &SectionData,
        fetched_at: Timestamp,
    ) -> Result<(), StoreError> {
        let payload = serde_json::to_string(data)
            .map_err(|e| StoreError::Corrupt(format!("register cache: {e}")))?;
        let key = Vault::new(self.store)
            .data_key(&owner_of(citizen), fetched_at)
            .await?;
        let section = data.section().as_str();
        let payload = key.seal_field(
            &place(&format!("register_cache.{section}"), citizen),
            &payload,
        )?;
        sqlx::query(
            "INSERT INTO register_cache (citizen_id, section, payload, fetched_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (citizen_id, section) DO UPDATE \
             SET payload = excluded.payload, fetched_at = excluded.fetched_at",
        )
        .bind(citizen.to_string())
        .bind(data.section().as_str())
        .bind(payload)
        .bind(fetched_at.as_second())
        .execute(&self.store.pool)
        .await?;
        Ok(())
    }

    /// Makes a section's kept answer stale, so the next read asks the
    /// register; the answer stays as a fallback.
    pub async fn expire(&self, citizen: &CitizenId, section: Section) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE register_cache SET fetched_at = 0 WHERE citizen_id = $1 AND section = $2",
        )
        .bind(citizen.to_string())
        .bind(section.as_str())
        .execute(&self.store.pool)
        .await?;
        Ok(())
    }

    /// Stores an issued extract with its audit event, both or neither.
    pub async fn save_extract(
        &self,
        citizen: &CitizenId,
        extract: &Extract,
        event: &AuditEvent,
    ) -> Result<(), StoreError> {
        let summary = &extract.summary;
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        let key = Vault::new(self.store)
            .data_key_in(&mut tx, &owner_of(citizen), event.at)
            .await?;
        let pdf = key.seal(&extract_place(summary.id, citizen), &extract.pdf)?;
        sqlx::query(
            "INSERT INTO register_extracts \
             (id, citizen_id, kind, issued_at, content_sha256, file_sha256, pdf) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(summary.id.to_string())
        .bind(citizen.to_string())
        .bind(&summary.kind)
        .bind(summary.issued_at.as_second())
        .bind(&summary.content_sha256)
        .bind(&summary.file_sha256)
        .bind(pdf)
        .execute(&mut *tx)
        .await?;
        append_in(&mut tx, self.store.backend, event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The citizen's extracts, newest first.
    pub async fn extracts(&self, citizen: &CitizenId) -> Result<Vec<ExtractSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, kind, issued_at, content_sha256, file_sha256 FROM register_extracts \
             WHERE citizen_id = $1 ORDER BY issued_at DESC, id",
        )
        .bind(citizen.to_string())
        .fetch_all(&self.store.pool)
        .await?;
        rows.iter().map(extract_summary).collect()
    }

    /// One of the citizen's extracts; another citizen's is not found.
    pub async fn extract(
        &self,
        citizen: &CitizenId,
        id: uuid::Uuid,
    ) -> Result<Option<Extract>, StoreError> {
        let row = sqlx::query(
            "SELECT id, kind, issued_at, content_sha256, file_sha256, pdf FROM register_extracts \
             WHERE citizen_id = $1 AND id = $2",
        )
        .bind(citizen.to_string())
        .bind(id.to_string())
        .fetch_optional(&self.store.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let key = self.key(citizen).await?;
        Ok(Some(Extract {
            summary: extract_summary(&row)?,
            pdf: open_bytes(
                key.as_ref(),
                &extract_place(id, citizen),
                row.try_get("pdf")?,
            )?,
        }))
    }

    async fn key(&self, citizen: &CitizenId) -> Result<Option<DataKey>, StoreError> {
        Vault::new(self.store).existing(&owner_of(citizen)).await
    }
}

fn place(what: &str, citizen: &CitizenId) -> String {
    format!("{what}:{citizen}")
}

fn extract_place(id: uuid::Uuid, citizen: &CitizenId) -> String {
    place(&format!("register_extracts.pdf.{id}"), citizen)
}

fn extract_summary(row: &sqlx::any::AnyRow) -> Result<ExtractSummary, StoreError> {
    let id: String = row.try_get("id")?;
    Ok(ExtractSummary {
        id: uuid::Uuid::parse_str(&id)
            .map_err(|e| StoreError::Corrupt(format!("extract id: {e}")))?,
        kind: row.try_get("kind")?,
        issued_at: timestamp(row.try_get("issued_at")?)?,
        content_sha256: row.try_get("content_sha256")?,
        file_sha256: row.try_get("file_sha256")?,
    })
}

fn timestamp(seconds: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_second(seconds).map_err(|e| StoreError::Corrupt(format!("time: {e}")))
}
