//! Citizen accounts and the means of identity linked to them.

use jiff::Timestamp;
use jiff::civil::Date;
use obcan_core::audit::AuditEvent;
use obcan_core::citizen::{Citizen, CitizenId, PersonName};
use obcan_core::identity::Assertion;
use sqlx::Row;

use crate::audit::append_in;
use crate::documents::owner_of;
use crate::vault::{DataKey, Vault, open_field};
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

        let id = match existing {
            Some(row) => {
                let id: String = row.try_get("citizen_id")?;
                let person = Person::sealed(self.store, &mut tx, &id, assertion, now).await?;
                sqlx::query(
                    "UPDATE citizens SET given_name = $1, family_name = $2, \
                     birth_date = COALESCE($3, birth_date) WHERE id = $4",
                )
                .bind(person.given)
                .bind(person.family)
                .bind(person.birth_date)
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
                let person = Person::sealed(self.store, &mut tx, &id, assertion, now).await?;
                sqlx::query(
                    "INSERT INTO citizens (id, given_name, family_name, birth_date, created_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&id)
                .bind(person.given)
                .bind(person.family)
                .bind(person.birth_date)
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
        record_facts(self.store, &mut tx, &id, assertion, now).await?;
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
        let Some(row) = row else { return Ok(None) };
        let key = Vault::new(self.store).existing(&owner_of(id)).await?;
        let id = id.to_string();
        let open = |column: &str| -> Result<Option<String>, StoreError> {
            row.try_get::<Option<String>, _>(column)?
                .map(|stored| open_field(key.as_ref(), &place(column, &id), &stored))
                .transpose()
        };
        let (given, family) = (open("given_name")?, open("family_name")?);
        let birth_date = open("birth_date")?;
        Some((|| {
            let given = given.unwrap_or_default();
            let family = family.unwrap_or_default();
            Ok(Citizen {
                id: CitizenId::parse(&id).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                name: PersonName::new(&given, &family)
                    .map_err(|e| StoreError::Corrupt(format!("citizen {id}: {e}")))?,
                birth_date: birth_date
                    .map(|raw| raw.parse::<Date>())
                    .transpose()
                    .map_err(|e| StoreError::Corrupt(format!("citizen {id}: {e}")))?,
            })
        })())
        .transpose()
    }

    /// Deletes the account and everything kept about the person, with
    /// `event` in the audit log. Its data key is destroyed in the same
    /// transaction, so whatever was sealed under it (documents in the blob
    /// store and its backups included) can no longer be opened; the blobs
    /// themselves are queued for removal and removed after. False if there
    /// was no such account.
    pub async fn delete_account(
        &self,
        citizen: &CitizenId,
        event: &AuditEvent,
    ) -> Result<bool, StoreError> {
        let id = citizen.to_string();
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        sqlx::query(
            "INSERT INTO blob_removals (blob, queued_at) \
             SELECT blob, $1 FROM documents WHERE citizen_id = $2",
        )
        .bind(event.at.as_second())
        .bind(&id)
        .execute(&mut *tx)
        .await?;
        let credential: Option<String> =
            sqlx::query_scalar("SELECT credential_id FROM local_accounts WHERE citizen_id = $1")
                .bind(&id)
                .fetch_optional(&mut *tx)
                .await?;
        Vault::destroy_in(&mut tx, &owner_of(citizen)).await?;
        let deleted = sqlx::query("DELETE FROM citizens WHERE id = $1")
            .bind(&id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if deleted == 0 {
            return Ok(false);
        }
        // The local login's credential outlives the row that named it otherwise.
        if let Some(credential) = credential {
            sqlx::query("DELETE FROM credentials WHERE id = $1")
                .bind(&credential)
                .execute(&mut *tx)
                .await?;
            Vault::destroy_in(&mut tx, &crate::credentials::owner(&credential)).await?;
        }
        append_in(&mut tx, self.store.backend, event).await?;
        tx.commit().await?;
        if let Err(error) = self.store.documents().remove_queued_blobs().await {
            tracing::warn!(%error, "the deleted account's objects stay queued for removal");
        }
        Ok(true)
    }

    /// How many accounts there are.
    pub async fn count(&self) -> Result<u64, StoreError> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM citizens")
            .fetch_one(&self.store.pool)
            .await?;
        u64::try_from(count).map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    /// What identity providers have said about the citizen, fact by fact.
    pub async fn profile(&self, citizen: &CitizenId) -> Result<Vec<ProfileFact>, StoreError> {
        let rows = sqlx::query(
            "SELECT fact, value, source, stated_at FROM profile_facts WHERE citizen_id = $1",
        )
        .bind(citizen.to_string())
        .fetch_all(&self.store.pool)
        .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let key = Vault::new(self.store).existing(&owner_of(citizen)).await?;
        let id = citizen.to_string();
        let mut facts = rows
            .iter()
            .map(|row| {
                let fact: String = row.try_get("fact")?;
                Ok(ProfileFact {
                    fact: Fact::ALL
                        .into_iter()
                        .find(|known| known.as_str() == fact)
                        .ok_or_else(|| {
                            StoreError::Corrupt(format!("unknown profile fact {fact}"))
                        })?,
                    value: open_field(
                        key.as_ref(),
                        &fact_place(&fact, &id),
                        &row.try_get::<String, _>("value")?,
                    )?,
                    source: row.try_get("source")?,
                    stated_at: Timestamp::from_second(row.try_get("stated_at")?)
                        .map_err(|e| StoreError::Corrupt(format!("stated_at: {e}")))?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        facts.sort_by_key(|fact| fact.fact);
        Ok(facts)
    }

    /// The means of identity linked to an account, in the order they were linked.
    pub async fn means(&self, citizen: &CitizenId) -> Result<Vec<LinkedMeans>, StoreError> {
        let rows = sqlx::query(
            "SELECT provider, subject, linked_at, last_login_at FROM identity_links \
             WHERE citizen_id = $1 ORDER BY linked_at, provider",
        )
        .bind(citizen.to_string())
        .fetch_all(&self.store.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let time = |column: &str| -> Result<Timestamp, StoreError> {
                    Timestamp::from_second(row.try_get(column)?)
                        .map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))
                };
                Ok(LinkedMeans {
                    provider: row.try_get("provider")?,
                    subject: row.try_get("subject")?,
                    linked_at: time("linked_at")?,
                    last_login_at: time("last_login_at")?,
                })
            })
            .collect()
    }

    /// Links the means of `assertion` to an account, unless it belongs to
    /// another one already.
    pub async fn link(
        &self,
        citizen: &CitizenId,
        assertion: &Assertion,
        now: Timestamp,
    ) -> Result<LinkOutcome, StoreError> {
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        let owner: Option<String> = sqlx::query_scalar(
            "SELECT citizen_id FROM identity_links WHERE provider = $1 AND subject = $2",
        )
        .bind(assertion.provider.as_str())
        .bind(assertion.subject.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let outcome = match owner {
            Some(owner) if owner == citizen.to_string() => LinkOutcome::AlreadyLinked,
            Some(_) => LinkOutcome::LinkedToAnotherAccount,
            None => {
                sqlx::query(
                    "INSERT INTO identity_links \
                     (provider, subject, citizen_id, linked_at, last_login_at) \
                     VALUES ($1, $2, $3, $4, $4)",
                )
                .bind(assertion.provider.as_str())
                .bind(assertion.subject.as_str())
                .bind(citizen.to_string())
                .bind(now.as_second())
                .execute(&mut *tx)
                .await?;
                record_facts(self.store, &mut tx, &citizen.to_string(), assertion, now).await?;
                LinkOutcome::Linked
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }

    /// Removes a means from an account, but never its last one: an account
    /// nobody can log in to would be lost.
    pub async fn unlink(
        &self,
        citizen: &CitizenId,
        provider: &str,
        subject: &str,
    ) -> Result<UnlinkOutcome, StoreError> {
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        let count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM identity_links WHERE citizen_id = $1")
                .bind(citizen.to_string())
                .fetch_one(&mut *tx)
                .await?;
        if count <= 1 {
            return Ok(UnlinkOutcome::LastMeans);
        }
        let done = sqlx::query(
            "DELETE FROM identity_links WHERE citizen_id = $1 AND provider = $2 AND subject = $3",
        )
        .bind(citizen.to_string())
        .bind(provider)
        .bind(subject)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(if done.rows_affected() == 1 {
            UnlinkOutcome::Unlinked
        } else {
            UnlinkOutcome::NotLinked
        })
    }
}

/// A person's name and birth date, sealed for the `citizens` row.
pub(crate) struct Person {
    pub(crate) given: String,
    pub(crate) family: String,
    pub(crate) birth_date: Option<String>,
}

impl Person {
    async fn sealed(
        store: &Store,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        citizen: &str,
        assertion: &Assertion,
        now: Timestamp,
    ) -> Result<Self, StoreError> {
        let key = Vault::new(store)
            .data_key_in(tx, &owner_of(&citizen), now)
            .await?;
        Self::seal(&key, citizen, &assertion.name, assertion.birth_date)
    }

    pub(crate) fn seal(
        key: &DataKey,
        citizen: &str,
        name: &PersonName,
        birth_date: Option<Date>,
    ) -> Result<Self, StoreError> {
        Ok(Self {
            given: key.seal_field(&place("given_name", citizen), name.given())?,
            family: key.seal_field(&place("family_name", citizen), name.family())?,
            birth_date: birth_date
                .map(|date| key.seal_field(&place("birth_date", citizen), &date.to_string()))
                .transpose()?,
        })
    }
}

fn place(column: &str, citizen: &str) -> String {
    format!("citizens.{column}:{citizen}")
}

fn fact_place(fact: &str, citizen: &str) -> String {
    format!("profile_facts.{fact}:{citizen}")
}

/// Keeps what the assertion states about the person, with its source and
/// time, sealed under the citizen's data key.
async fn record_facts(
    store: &Store,
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    citizen: &str,
    assertion: &Assertion,
    now: Timestamp,
) -> Result<(), StoreError> {
    let key = Vault::new(store)
        .data_key_in(tx, &owner_of(&citizen), now)
        .await?;
    let facts = [
        (Fact::Name, Some(assertion.name.to_string())),
        (
            Fact::BirthDate,
            assertion.birth_date.map(|date| date.to_string()),
        ),
        (
            Fact::Address,
            assertion.address.as_ref().map(|a| a.as_str().to_owned()),
        ),
        (
            Fact::Email,
            assertion.email.as_ref().map(|e| e.as_str().to_owned()),
        ),
    ];
    for (fact, value) in facts {
        let Some(value) = value else { continue };
        sqlx::query(
            "INSERT INTO profile_facts (citizen_id, fact, value, source, stated_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (citizen_id, fact) DO UPDATE \
             SET value = excluded.value, source = excluded.source, stated_at = excluded.stated_at",
        )
        .bind(citizen)
        .bind(fact.as_str())
        .bind(key.seal_field(&fact_place(fact.as_str(), citizen), &value)?)
        .bind(assertion.provider.as_str())
        .bind(now.as_second())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// A fact about a person that identity providers state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fact {
    Name,
    BirthDate,
    Address,
    Email,
}

impl Fact {
    pub const ALL: [Self; 4] = [Self::Name, Self::BirthDate, Self::Address, Self::Email];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::BirthDate => "birth_date",
            Self::Address => "address",
            Self::Email => "email",
        }
    }
}

/// One fact, who stated it and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileFact {
    pub fact: Fact,
    pub value: String,
    pub source: String,
    pub stated_at: Timestamp,
}

/// A means of identity linked to an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedMeans {
    pub provider: String,
    pub subject: String,
    pub linked_at: Timestamp,
    pub last_login_at: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkOutcome {
    Linked,
    AlreadyLinked,
    /// The means logs in to someone else's account; it stays there.
    LinkedToAnotherAccount,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnlinkOutcome {
    Unlinked,
    /// Not done: it is the account's only means.
    LastMeans,
    NotLinked,
}
