//! Everything that differs between SQLite and PostgreSQL, in one place.
//!
//! Queries elsewhere use the portable subset both understand: `$1` parameters,
//! `ON CONFLICT … DO NOTHING`, `RETURNING`, TEXT and BIGINT columns.

use std::path::Path;

use sqlx::migrate::Migrator;
use sqlx::{Any, AnyConnection, AnyPool, Executor, Transaction};

use crate::StoreError;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(redact_url(url)))
        }
    }

    pub const fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }

    pub(crate) fn migrator(self) -> &'static Migrator {
        match self {
            Self::Sqlite => &SQLITE_MIGRATIONS,
            Self::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// Begins a transaction that will write. SQLite must take the write lock
    /// up front: a deferred transaction that reads first and writes later
    /// fails at once with "database is locked" when another writer got there
    /// between its read and its write, instead of waiting its turn.
    pub(crate) async fn begin_write(
        self,
        pool: &AnyPool,
    ) -> Result<Transaction<'static, Any>, sqlx::Error> {
        match self {
            Self::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await,
            Self::Postgres => pool.begin().await,
        }
    }

    /// Makes sure a SQLite database file can be created: its folder must exist.
    pub(crate) fn prepare(self, url: &str) -> Result<(), StoreError> {
        if self != Self::Sqlite {
            return Ok(());
        }
        let path = sqlite_path(url);
        if path.is_empty() || path == ":memory:" {
            return Ok(());
        }
        match Path::new(path).parent() {
            Some(folder) if !folder.as_os_str().is_empty() => {
                std::fs::create_dir_all(folder).map_err(StoreError::Location)
            }
            _ => Ok(()),
        }
    }

    /// Per-connection settings. SQLite: write-ahead log so readers never wait
    /// for the writer; foreign keys enforced; a full fsync at every commit, so
    /// that what the portal acknowledged survives a power cut; and a busy
    /// timeout instead of failing at once when another connection writes.
    pub(crate) async fn configure_connection(
        self,
        conn: &mut AnyConnection,
    ) -> Result<(), sqlx::Error> {
        if self == Self::Sqlite {
            for pragma in [
                "PRAGMA journal_mode = WAL",
                "PRAGMA foreign_keys = ON",
                "PRAGMA synchronous = FULL",
                "PRAGMA busy_timeout = 5000",
            ] {
                conn.execute(pragma).await?;
            }
        }
        Ok(())
    }
}

/// The file part of a SQLite URL: `sqlite://data/obcan.db?mode=rwc` → `data/obcan.db`.
fn sqlite_path(url: &str) -> &str {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    rest.split('?').next().unwrap_or(rest)
}

/// A database URL with its password replaced, fit for logs and error messages.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((credentials, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match credentials.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_follows_the_url_scheme() {
        assert_eq!(
            Backend::from_url("sqlite://data/obcan.db").unwrap(),
            Backend::Sqlite
        );
        assert_eq!(
            Backend::from_url("postgres://u@h/db").unwrap(),
            Backend::Postgres
        );
        assert_eq!(
            Backend::from_url("postgresql://u@h/db").unwrap(),
            Backend::Postgres
        );
        assert!(Backend::from_url("mysql://u:secret@h/db").is_err());
    }

    #[test]
    fn unsupported_url_error_hides_the_password() {
        let message = Backend::from_url("mysql://u:secret@h/db")
            .unwrap_err()
            .to_string();
        assert!(!message.contains("secret"), "{message}");
    }

    #[test]
    fn sqlite_path_strips_scheme_and_options() {
        assert_eq!(
            sqlite_path("sqlite://data/obcan.db?mode=rwc"),
            "data/obcan.db"
        );
        assert_eq!(sqlite_path("sqlite:/var/lib/obcan.db"), "/var/lib/obcan.db");
    }

    #[test]
    fn redacts_only_the_password() {
        assert_eq!(
            redact_url("postgres://obcan:pw@db:5432/x"),
            "postgres://obcan:***@db:5432/x"
        );
        assert_eq!(redact_url("postgres://obcan@db/x"), "postgres://obcan@db/x");
        assert_eq!(
            redact_url("sqlite://data/obcan.db"),
            "sqlite://data/obcan.db"
        );
    }
}
