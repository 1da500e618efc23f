//! The office's structure: departments and the agendas each one handles.

use jiff::Timestamp;
use obcan_core::audit::AuditEvent;
use obcan_core::staff::{AgendaId, AgendaKey, DepartmentId, Label};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::append_in;
use crate::error::{AlreadyExists, is_unique_violation};
use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agenda {
    pub id: AgendaId,
    pub department: DepartmentId,
    pub name: Label,
    /// How forms name it: their submissions come to its queue.
    pub key: Option<AgendaKey>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Department {
    pub id: DepartmentId,
    pub name: Label,
    /// By name.
    pub agendas: Vec<Agenda>,
}

#[derive(Debug)]
pub struct Organisation<'a> {
    store: &'a Store,
}

impl<'a> Organisation<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    pub async fn create_department(
        &self,
        id: DepartmentId,
        name: &Label,
        now: Timestamp,
        event: &AuditEvent,
    ) -> Result<Result<(), AlreadyExists>, StoreError> {
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        let inserted =
            sqlx::query("INSERT INTO departments (id, name, created_at) VALUES ($1, $2, $3)")
                .bind(id.to_string())
                .bind(name.as_str())
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

    /// Adds an agenda to an existing department (the caller checked it exists).
    pub async fn create_agenda(
        &self,
        id: AgendaId,
        department: DepartmentId,
        name: &Label,
        key: Option<&AgendaKey>,
        now: Timestamp,
        event: &AuditEvent,
    ) -> Result<Result<(), AlreadyExists>, StoreError> {
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        let inserted = sqlx::query(
            "INSERT INTO agendas (id, department_id, name, form_key, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id.to_string())
        .bind(department.to_string())
        .bind(name.as_str())
        .bind(key.map(AgendaKey::as_str))
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

    /// Every department with its agendas, by name.
    pub async fn departments(&self) -> Result<Vec<Department>, StoreError> {
        let mut departments: Vec<Department> =
            sqlx::query("SELECT id, name FROM departments ORDER BY name")
                .fetch_all(&self.store.pool)
                .await?
                .iter()
                .map(|row| {
                    Ok(Department {
                        id: parse_id(row, "id", DepartmentId::parse)?,
                        name: label(row)?,
                        agendas: Vec::new(),
                    })
                })
                .collect::<Result<_, StoreError>>()?;
        for agenda in self.agendas().await? {
            if let Some(department) = departments.iter_mut().find(|d| d.id == agenda.department) {
                department.agendas.push(agenda);
            }
        }
        Ok(departments)
    }

    pub async fn department(&self, id: DepartmentId) -> Result<Option<Department>, StoreError> {
        Ok(self.departments().await?.into_iter().find(|d| d.id == id))
    }

    pub async fn agenda(&self, id: AgendaId) -> Result<Option<Agenda>, StoreError> {
        let row =
            sqlx::query("SELECT id, department_id, name, form_key FROM agendas WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(&self.store.pool)
                .await?;
        row.as_ref().map(agenda_from_row).transpose()
    }

    async fn agendas(&self) -> Result<Vec<Agenda>, StoreError> {
        sqlx::query("SELECT id, department_id, name, form_key FROM agendas ORDER BY name")
            .fetch_all(&self.store.pool)
            .await?
            .iter()
            .map(agenda_from_row)
            .collect()
    }
}

fn agenda_from_row(row: &AnyRow) -> Result<Agenda, StoreError> {
    Ok(Agenda {
        id: parse_id(row, "id", AgendaId::parse)?,
        department: parse_id(row, "department_id", DepartmentId::parse)?,
        name: label(row)?,
        key: row
            .try_get::<Option<String>, _>("form_key")?
            .map(|key| {
                AgendaKey::parse(&key)
                    .ok_or_else(|| StoreError::Corrupt(format!("agenda key {key:?}")))
            })
            .transpose()?,
    })
}

fn label(row: &AnyRow) -> Result<Label, StoreError> {
    Label::parse(&row.try_get::<String, _>("name")?).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn parse_id<T, E: std::fmt::Display>(
    row: &AnyRow,
    column: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<T, StoreError> {
    parse(&row.try_get::<String, _>(column)?).map_err(|e| StoreError::Corrupt(e.to_string()))
}
