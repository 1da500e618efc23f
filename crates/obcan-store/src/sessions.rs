//! Login sessions, kept server-side. The store sees only the SHA-256 of a
//! session token, never the token itself.

use jiff::Timestamp;
use obcan_core::citizen::CitizenId;
use obcan_core::identity::Loa;
use obcan_core::session::SessionTimes;
use obcan_core::staff::StaffId;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Store, StoreError};

/// A session to be stored. Anonymous sessions carry no citizen; they exist so
/// that a form shown before login can be protected against CSRF.
#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub citizen: Option<(CitizenId, Loa, &'a str)>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub client: Client<'a>,
    /// What logging out at the identity provider will need, if it can.
    pub provider_logout: Option<&'a str>,
}

/// Where a session is used from, as the citizen's list of sessions shows it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Client<'a> {
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

/// A citizen's session as their list of sessions shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSummary {
    pub id_hash: String,
    pub provider: Option<String>,
    pub loa: Option<Loa>,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// ... and what is left of a session once it has been ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndedSession {
    pub provider: Option<String>,
    pub provider_logout: Option<String>,
}

/// A staff member's session: never a citizen's too.
#[derive(Debug, Clone)]
pub struct NewStaffSession<'a> {
    pub id_hash: &'a str,
    pub staff: StaffId,
    /// `local`, or the office's OpenID provider.
    pub provider: &'a str,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub citizen: Option<(CitizenId, Loa)>,
    pub staff: Option<StaffId>,
    pub times: SessionTimes,
}

#[derive(Debug)]
pub struct Sessions<'a> {
    store: &'a Store,
}

impl<'a> Sessions<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    pub async fn insert(&self, session: &NewSession<'_>) -> Result<(), StoreError> {
        self.replace(None, session).await
    }

    /// Replaces a session by a new one in one transaction: at login the old
    /// (anonymous) id stops working the moment the new one exists.
    pub async fn replace(
        &self,
        old_id_hash: Option<&str>,
        new: &NewSession<'_>,
    ) -> Result<(), StoreError> {
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        if let Some(old) = old_id_hash {
            sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
                .bind(old)
                .execute(&mut *tx)
                .await?;
        }
        let (citizen, loa, provider) = match new.citizen {
            Some((id, loa, provider)) => (Some(id.to_string()), Some(loa.as_str()), Some(provider)),
            None => (None, None, None),
        };
        sqlx::query(
            "INSERT INTO sessions (id_hash, citizen_id, loa, provider, created_at, last_seen_at, \
             expires_at, ip, user_agent, provider_logout) \
             VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, $9)",
        )
        .bind(new.id_hash)
        .bind(citizen)
        .bind(loa)
        .bind(provider)
        .bind(new.created_at.as_second())
        .bind(new.expires_at.as_second())
        .bind(new.client.ip)
        .bind(new.client.user_agent.map(|agent| truncate(agent, 300)))
        .bind(new.provider_logout)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Like [`Self::replace`], for a staff member's login.
    pub async fn replace_with_staff(
        &self,
        old_id_hash: Option<&str>,
        new: &NewStaffSession<'_>,
    ) -> Result<(), StoreError> {
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        if let Some(old) = old_id_hash {
            sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
                .bind(old)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO sessions \
             (id_hash, staff_id, provider, created_at, last_seen_at, expires_at) \
             VALUES ($1, $2, $3, $4, $4, $5)",
        )
        .bind(new.id_hash)
        .bind(new.staff.to_string())
        .bind(new.provider)
        .bind(new.created_at.as_second())
        .bind(new.expires_at.as_second())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The session with this id, unless it has already expired.
    pub async fn find(
        &self,
        id_hash: &str,
        now: Timestamp,
    ) -> Result<Option<SessionRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT citizen_id, loa, staff_id, created_at, last_seen_at FROM sessions \
             WHERE id_hash = $1 AND expires_at > $2",
        )
        .bind(id_hash)
        .bind(now.as_second())
        .fetch_optional(&self.store.pool)
        .await?;
        row.as_ref().map(session_from_row).transpose()
    }

    pub async fn touch(
        &self,
        id_hash: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE id_hash = $3")
            .bind(now.as_second())
            .bind(expires_at.as_second())
            .bind(id_hash)
            .execute(&self.store.pool)
            .await?;
        Ok(())
    }

    /// Ends a session; what logging out at its provider needs, if it existed.
    pub async fn delete(&self, id_hash: &str) -> Result<Option<EndedSession>, StoreError> {
        let row = sqlx::query(
            "DELETE FROM sessions WHERE id_hash = $1 RETURNING provider, provider_logout",
        )
        .bind(id_hash)
        .fetch_optional(&self.store.pool)
        .await?;
        row.map(|row| {
            Ok(EndedSession {
                provider: row.try_get("provider")?,
                provider_logout: row.try_get("provider_logout")?,
            })
        })
        .transpose()
    }

    /// A citizen's live sessions, the most recently used first.
    pub async fn of_citizen(
        &self,
        citizen: &CitizenId,
        now: Timestamp,
    ) -> Result<Vec<SessionSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT id_hash, provider, loa, created_at, last_seen_at, ip, user_agent \
             FROM sessions WHERE citizen_id = $1 AND expires_at > $2 \
             ORDER BY last_seen_at DESC, created_at DESC",
        )
        .bind(citizen.to_string())
        .bind(now.as_second())
        .fetch_all(&self.store.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let loa: Option<String> = row.try_get("loa")?;
                Ok(SessionSummary {
                    id_hash: row.try_get("id_hash")?,
                    provider: row.try_get("provider")?,
                    loa: loa
                        .map(|loa| loa.parse::<Loa>())
                        .transpose()
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    created_at: timestamp(row, "created_at")?,
                    last_seen_at: timestamp(row, "last_seen_at")?,
                    ip: row.try_get("ip")?,
                    user_agent: row.try_get("user_agent")?,
                })
            })
            .collect()
    }

    /// Ends all of a citizen's sessions but `keep`; returns how many.
    pub async fn delete_others(&self, citizen: &CitizenId, keep: &str) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE citizen_id = $1 AND id_hash <> $2")
            .bind(citizen.to_string())
            .bind(keep)
            .execute(&self.store.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// Removes sessions that can no longer be used; returns how many.
    pub async fn delete_expired(&self, now: Timestamp) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now.as_second())
            .execute(&self.store.pool)
            .await?;
        Ok(done.rows_affected())
    }
}

fn session_from_row(row: &AnyRow) -> Result<SessionRecord, StoreError> {
    let citizen: Option<String> = row.try_get("citizen_id")?;
    let loa: Option<String> = row.try_get("loa")?;
    let citizen = match (citizen, loa) {
        (Some(id), Some(loa)) => Some((
            CitizenId::parse(&id).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            loa.parse::<Loa>()
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        )),
        (None, None) => None,
        _ => {
            return Err(StoreError::Corrupt(
                "session with a citizen but no LoA".into(),
            ));
        }
    };
    let staff = row
        .try_get::<Option<String>, _>("staff_id")?
        .map(|id| StaffId::parse(&id).map_err(|e| StoreError::Corrupt(e.to_string())))
        .transpose()?;
    Ok(SessionRecord {
        citizen,
        staff,
        times: SessionTimes {
            created_at: timestamp(row, "created_at")?,
            last_seen_at: timestamp(row, "last_seen_at")?,
        },
    })
}

fn timestamp(row: &AnyRow, column: &str) -> Result<Timestamp, StoreError> {
    let seconds: i64 = row.try_get(column)?;
    Timestamp::from_second(seconds).map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))
}

/// At most `max` bytes of `text`, cut at a character boundary.
fn truncate(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}
