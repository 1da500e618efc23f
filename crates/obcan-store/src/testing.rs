//! A fresh, migrated, isolated database per test, on the backend that
//! `TEST_DATABASE_URL` names (SQLite in a temporary folder when it is unset).
//!
//! For PostgreSQL, `TEST_DATABASE_URL` points at a database the tests may use
//! to create others; each test gets its own database with a random name.

use sqlx::{Connection, Executor};

use crate::blobs::BlobStore;
use crate::{MasterKey, PoolSettings, Store, StoreError};

#[derive(Debug)]
pub struct TestDatabase {
    pub store: Store,
    pub url: String,
    /// The master key the store was opened with.
    pub master_key: MasterKey,
    /// Holds the SQLite file (on SQLite) and the blob store, for the test's duration.
    pub folder: tempfile::TempDir,
}

impl TestDatabase {
    pub async fn create() -> Result<Self, StoreError> {
        let base = std::env::var("TEST_DATABASE_URL").unwrap_or_default();
        let folder = tempfile::tempdir().map_err(StoreError::Location)?;
        let url = if base.starts_with("postgres") {
            create_postgres_database(&base).await?
        } else {
            format!(
                "sqlite://{}?mode=rwc",
                folder.path().join("obcan.db").display()
            )
        };
        let master_key = MasterKey::generate()?;
        let store = Store::open(&url, PoolSettings::default())?
            .with_master_key(master_key.clone())
            .with_blobs(BlobStore::local(folder.path().join("blobs"))?);
        store.migrate().await?;
        store.vault().unlock().await?;
        Ok(Self {
            store,
            url,
            master_key,
            folder,
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
