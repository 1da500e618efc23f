//! Staff members, their roles and scope, and their links to the office's own
//! OpenID provider. Every change is written together with its audit entry.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use obcan_core::audit::AuditEvent;
use obcan_core::credential::PasswordHash;
use obcan_core::staff::{
    AgendaId, DepartmentId, Label, LoginName, Role, Scope, StaffGrants, StaffId,
};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::audit::append_in;
use crate::credentials::{insert_in, reset_in, timestamp};
use crate::error::{AlreadyExists, is_unique_violation};
use crate::{Store, StoreError};

/// A staff member as the administrator's pages show them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    pub id: StaffId,
    pub login: LoginName,
    pub display_name: Label,
    pub credential_id: String,
    pub disabled: bool,
    pub created_at: Timestamp,
    pub roles: BTreeSet<Role>,
    pub scope: Scope,
}

impl StaffMember {
    pub fn grants(&self) -> StaffGrants {
        StaffGrants {
            id: self.id,
            roles: self.roles.clone(),
            scope: self.scope.clone(),
        }
    }
}

/// A staff member to create.
#[derive(Debug, Clone)]
pub struct NewStaff<'a> {
    pub id: StaffId,
    pub login: &'a LoginName,
    pub display_name: &'a Label,
    /// The initial password, to be changed at the first login; `None` for
    /// someone who logs in only through the office's OpenID provider.
    pub initial_password: Option<&'a PasswordHash>,
    pub roles: &'a [Role],
}

/// A change to one staff member's grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantChange {
    GrantRole(Role),
    RevokeRole(Role),
    AddDepartment(DepartmentId),
    RemoveDepartment(DepartmentId),
    AddAgenda(AgendaId),
    RemoveAgenda(AgendaId),
}

#[derive(Debug)]
pub struct StaffDirectory<'a> {
    store: &'a Store,
}

const COLUMNS: &str = "id, login, display_name, credential_id, disabled_at, created_at";

impl<'a> StaffDirectory<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    /// Creates the staff member with their roles, and the audit entry.
    pub async fn create(
        &self,
        new: &NewStaff<'_>,
        now: Timestamp,
        event: &AuditEvent,
    ) -> Result<Result<(), AlreadyExists>, StoreError> {
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        let credential_id = insert_in(&mut tx, new.initial_password, now).await?;
        let inserted = sqlx::query(
            "INSERT INTO staff (id, login, display_name, credential_id, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(new.id.to_string())
        .bind(new.login.as_str())
        .bind(new.display_name.as_str())
        .bind(&credential_id)
        .bind(now.as_second())
        .execute(&mut *tx)
        .await;
        match inserted {
            Err(error) if is_unique_violation(&error) => return Ok(Err(AlreadyExists)),
            other => other?,
        };
        for role in new.roles {
            sqlx::query("INSERT INTO staff_roles (staff_id, role, granted_at) VALUES ($1, $2, $3)")
                .bind(new.id.to_string())
                .bind(role.as_str())
                .bind(now.as_second())
                .execute(&mut *tx)
                .await?;
        }
        append_in(&mut tx, self.store.backend, event).await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    pub async fn get(&self, id: StaffId) -> Result<Option<StaffMember>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM staff WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(&self.store.pool)
            .await?;
        match row {
            Some(row) => Ok(Some(self.with_grants(member_from_row(&row)?).await?)),
            None => Ok(None),
        }
    }

    pub async fn by_login(&self, login: &LoginName) -> Result<Option<StaffMember>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM staff WHERE login = $1"))
            .bind(login.as_str())
            .fetch_optional(&self.store.pool)
            .await?;
        match row {
            Some(row) => Ok(Some(self.with_grants(member_from_row(&row)?).await?)),
            None => Ok(None),
        }
    }

    /// What the policy needs of an active staff member; `None` when they are
    /// disabled or gone, so that their session counts for nothing.
    pub async fn active_grants(&self, id: StaffId) -> Result<Option<StaffGrants>, StoreError> {
        Ok(self
            .get(id)
            .await?
            .filter(|member| !member.disabled)
            .map(|member| member.grants()))
    }

    /// Everyone, by login name, with their roles and scopes.
    pub async fn list(&self) -> Result<Vec<StaffMember>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM staff ORDER BY login"))
            .fetch_all(&self.store.pool)
            .await?;
        let mut members: Vec<StaffMember> =
            rows.iter().map(member_from_row).collect::<Result<_, _>>()?;
        let mut index: BTreeMap<String, usize> = BTreeMap::new();
        for (i, member) in members.iter().enumerate() {
            index.insert(member.id.to_string(), i);
        }
        for row in sqlx::query("SELECT staff_id, role FROM staff_roles")
            .fetch_all(&self.store.pool)
            .await?
        {
            let staff_id: String = row.try_get("staff_id")?;
            if let Some(member) = index.get(&staff_id).and_then(|i| members.get_mut(*i)) {
                member
                    .roles
                    .insert(role(&row.try_get::<String, _>("role")?)?);
            }
        }
        let corrupt = |e: obcan_core::staff::InvalidId| StoreError::Corrupt(e.to_string());
        for row in sqlx::query("SELECT staff_id, department_id FROM staff_departments")
            .fetch_all(&self.store.pool)
            .await?
        {
            let staff_id: String = row.try_get("staff_id")?;
            if let Some(member) = index.get(&staff_id).and_then(|i| members.get_mut(*i)) {
                let raw: String = row.try_get("department_id")?;
                member
                    .scope
                    .departments
                    .insert(DepartmentId::parse(&raw).map_err(corrupt)?);
            }
        }
        for row in sqlx::query("SELECT staff_id, agenda_id FROM staff_agendas")
            .fetch_all(&self.store.pool)
            .await?
        {
            let staff_id: String = row.try_get("staff_id")?;
            if let Some(member) = index.get(&staff_id).and_then(|i| members.get_mut(*i)) {
                let raw: String = row.try_get("agenda_id")?;
                member
                    .scope
                    .agendas
                    .insert(AgendaId::parse(&raw).map_err(corrupt)?);
            }
        }
        Ok(members)
    }

    async fn with_grants(&self, mut member: StaffMember) -> Result<StaffMember, StoreError> {
        let id = member.id.to_string();
        for row in sqlx::query("SELECT role FROM staff_roles WHERE staff_id = $1")
            .bind(&id)
            .fetch_all(&self.store.pool)
            .await?
        {
            member
                .roles
                .insert(role(&row.try_get::<String, _>("role")?)?);
        }
        for row in sqlx::query("SELECT department_id FROM staff_departments WHERE staff_id = $1")
            .bind(&id)
            .fetch_all(&self.store.pool)
            .await?
        {
            let raw: String = row.try_get("department_id")?;
            member
                .scope
                .departments
                .insert(DepartmentId::parse(&raw).map_err(|e| StoreError::Corrupt(e.to_string()))?);
        }
        for row in sqlx::query("SELECT agenda_id FROM staff_agendas WHERE staff_id = $1")
            .bind(&id)
            .fetch_all(&self.store.pool)
            .await?
        {
            let raw: String = row.try_get("agenda_id")?;
            member
                .scope
                .agendas
                .insert(AgendaId::parse(&raw).map_err(|e| StoreError::Corrupt(e.to_string()))?);
        }
        Ok(member)
    }

    /// Applies a change of grants with its audit entry. False when it changes
    /// nothing (the role was already granted, the agenda already removed…);
    /// no audit entry is written then.
    pub async fn change_grants(
        &self,
        id: StaffId,
        change: GrantChange,
        now: Timestamp,
        event: &AuditEvent,
    ) -> Result<bool, StoreError> {
        let staff = id.to_string();
        let query = match change {
            GrantChange::GrantRole(role) => sqlx::query(
                "INSERT INTO staff_roles (staff_id, role, granted_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (staff_id, role) DO NOTHING",
            )
            .bind(staff)
            .bind(role.as_str())
            .bind(now.as_second()),
            GrantChange::RevokeRole(role) => {
                sqlx::query("DELETE FROM staff_roles WHERE staff_id = $1 AND role = $2")
                    .bind(staff)
                    .bind(role.as_str())
            }
            GrantChange::AddDepartment(department) => sqlx::query(
                "INSERT INTO staff_departments (staff_id, department_id) VALUES ($1, $2) \
                 ON CONFLICT (staff_id, department_id) DO NOTHING",
            )
            .bind(staff)
            .bind(department.to_string()),
            GrantChange::RemoveDepartment(department) => sqlx::query(
                "DELETE FROM staff_departments WHERE staff_id = $1 AND department_id = $2",
            )
            .bind(staff)
            .bind(department.to_string()),
            GrantChange::AddAgenda(agenda) => sqlx::query(
                "INSERT INTO staff_agendas (staff_id, agenda_id) VALUES ($1, $2) \
                 ON CONFLICT (staff_id, agenda_id) DO NOTHING",
            )
            .bind(staff)
            .bind(agenda.to_string()),
            GrantChange::RemoveAgenda(agenda) => {
                sqlx::query("DELETE FROM staff_agendas WHERE staff_id = $1 AND agenda_id = $2")
                    .bind(staff)
                    .bind(agenda.to_string())
            }
        };
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        let done = query.execute(&mut *tx).await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        append_in(&mut tx, self.store.backend, event).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Disables (ending their sessions at once) or enables a staff member,
    /// with the audit entry. False when they already were.
    pub async fn set_disabled(
        &self,
        id: StaffId,
        disabled: bool,
        now: Timestamp,
        event: &AuditEvent,
    ) -> Result<bool, StoreError> {
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        let done = if disabled {
            sqlx::query("UPDATE staff SET disabled_at = $1 WHERE id = $2 AND disabled_at IS NULL")
                .bind(now.as_second())
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?
        } else {
            sqlx::query(
                "UPDATE staff SET disabled_at = NULL WHERE id = $1 AND disabled_at IS NOT NULL",
            )
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?
        };
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        if disabled {
            end_sessions_in(&mut tx, id).await?;
        }
        append_in(&mut tx, self.store.backend, event).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Gives the staff member a new initial password, to be changed at the
    /// next login with a new second factor; their sessions end.
    pub async fn reset_password(
        &self,
        id: StaffId,
        initial_password: &PasswordHash,
        event: &AuditEvent,
    ) -> Result<bool, StoreError> {
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        let row = sqlx::query("SELECT credential_id FROM staff WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            return Ok(false);
        };
        let credential_id: String = row.try_get("credential_id")?;
        reset_in(&mut tx, &credential_id, initial_password).await?;
        end_sessions_in(&mut tx, id).await?;
        append_in(&mut tx, self.store.backend, event).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Links an account at the office's OpenID provider to a staff member.
    pub async fn link_oidc(
        &self,
        id: StaffId,
        provider: &str,
        subject: &str,
        now: Timestamp,
        event: &AuditEvent,
    ) -> Result<Result<(), AlreadyExists>, StoreError> {
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        let inserted = sqlx::query(
            "INSERT INTO staff_oidc_links (provider, subject, staff_id, linked_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(provider)
        .bind(subject)
        .bind(id.to_string())
        .bind(now.as_second())
        .execute(&mut *tx)
        .await;
        match inserted {
            Err(error) if is_unique_violation(&error) => return Ok(Err(AlreadyExists)),
            other => other?,
        };
        append_in(&mut tx, self.store.backend, event).await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// The staff member an account at the office's OpenID provider is linked to.
    pub async fn by_oidc(
        &self,
        provider: &str,
        subject: &str,
    ) -> Result<Option<StaffId>, StoreError> {
        let raw: Option<String> = sqlx::query_scalar(
            "SELECT staff_id FROM staff_oidc_links WHERE provider = $1 AND subject = $2",
        )
        .bind(provider)
        .bind(subject)
        .fetch_optional(&self.store.pool)
        .await?;
        raw.map(|raw| StaffId::parse(&raw).map_err(|e| StoreError::Corrupt(e.to_string())))
            .transpose()
    }

    /// The accounts at OpenID providers linked to a staff member: (provider, subject).
    pub async fn oidc_links(&self, id: StaffId) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT provider, subject FROM staff_oidc_links WHERE staff_id = $1 \
             ORDER BY provider, subject",
        )
        .bind(id.to_string())
        .fetch_all(&self.store.pool)
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("provider")?, row.try_get("subject")?)))
            .collect()
    }
}

async fn end_sessions_in(
    tx: &mut Transaction<'static, Any>,
    id: StaffId,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE staff_id = $1")
        .bind(id.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn role(raw: &str) -> Result<Role, StoreError> {
    raw.parse()
        .map_err(|e: obcan_core::staff::UnknownRole| StoreError::Corrupt(e.to_string()))
}

fn member_from_row(row: &AnyRow) -> Result<StaffMember, StoreError> {
    let id: String = row.try_get("id")?;
    let corrupt = |e: &dyn std::fmt::Display| StoreError::Corrupt(format!("staff {id}: {e}"));
    Ok(StaffMember {
        id: StaffId::parse(&id).map_err(|e| corrupt(&e))?,
        login: LoginName::parse(&row.try_get::<String, _>("login")?).map_err(|e| corrupt(&e))?,
        display_name: Label::parse(&row.try_get::<String, _>("display_name")?)
            .map_err(|e| corrupt(&e))?,
        credential_id: row.try_get("credential_id")?,
        disabled: row.try_get::<Option<i64>, _>("disabled_at")?.is_some(),
        created_at: timestamp(row.try_get("created_at")?)?,
        roles: BTreeSet::new(),
        scope: Scope::default(),
    })
}
