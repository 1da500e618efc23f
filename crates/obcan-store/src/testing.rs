//! A fresh, migrated, isolated database per test, on the backend that
//! `TEST_DATABASE_URL` names (SQLite in a temporary folder when it is unset).
//!
//! For PostgreSQL, `TEST_DATABASE_URL` points at a database the tests may use
//! to create others; each test gets its own database with a random name.

use sqlx::{Connection, Executor};

use crate::{PoolSettings, Store, StoreError};

#[derive(Debug)]
pub struct TestDatabase {
    pub store: Store,
    pub url: String,
    // Keeps the SQLite file's folder alive for the test's duration.
    _folder: Option<tempfile::TempDir>,
}

impl TestDatabase {
    pub async fn create() -> Result<Self, StoreError> {
        let base = std::env::var("TEST_DATABASE_URL").unwrap_or_default();
        let (url, folder) = if base.starts_with("postgres") {
            (create_postgres_database(&base).await?, None)
        } else {
            let folder = tempfile::tempdir().map_err(StoreError::Location)?;
            let url = format!(
                "sqlite://{}?mode=rwc",
                folder.path().join("obcan.db").display()
            );
            (url, Some(folder))
        };
        let store = Store::open(&url, PoolSettings::default())?;
        store.migrate().await?;
        Ok(Self {
            store,
            url,
            _folder: folder,
        })
    }
}

async fn create_postgres_database(base: &str) -> Result<String, StoreError> {
    let name = format!("obcan_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(base).await?;
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await?;
    admin.close().await?;
    let (server, _database) = base.rsplit_once('/').unwrap_or((base, ""));
    Ok(format!("{server}/{name}"))
}
