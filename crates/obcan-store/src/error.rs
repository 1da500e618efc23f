//! The store's one error type. The web layer maps `Unavailable` to 503 and
//! everything else to a logged 500.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached right now; retrying later may work.
    #[error("the database is unavailable: {0}")]
    Unavailable(#[source] sqlx::Error),
    #[error("unsupported database URL {0:?}: expected sqlite://… or postgres://…")]
    UnsupportedUrl(String),
    #[error("cannot prepare the database location: {0}")]
    Location(#[source] std::io::Error),
    #[error("database migration failed: {0}")]
    Migration(#[source] sqlx::migrate::MigrateError),
    /// A stored value that the domain rejects: the data was changed outside the portal.
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Query(#[source] sqlx::Error),
    #[error("no master key is configured")]
    NoMasterKey,
    /// Refused at start: opening data keys with another key would fail later,
    /// one request at a time.
    #[error(
        "the master key {given} is not the key this database's data keys are wrapped with \
         ({expected}); configure that key, or rotate to a new one with `obcan keys rotate`"
    )]
    WrongMasterKey { expected: String, given: String },
    #[error("no blob store is configured")]
    NoBlobStore,
    #[error(transparent)]
    Blob(#[from] crate::blobs::BlobError),
    /// A stored object does not open under its key: it was changed or cut short.
    #[error(transparent)]
    Damaged(#[from] crate::vault::DamagedBlob),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        if is_unavailable(&error) {
            Self::Unavailable(error)
        } else {
            Self::Query(error)
        }
    }
}

fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        // PostgreSQL: connection exceptions (08…), operator intervention (57…),
        // and "cannot connect now"; SQLite: busy or locked beyond the timeout.
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            code.starts_with("08") || code.starts_with("57") || code == "5" || code == "6"
        }),
        _ => false,
    }
}

/// A record with the same unique key (a login name, a department's name…)
/// exists already; nothing was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("already exists")]
pub struct AlreadyExists;

/// Whether `error` is a violated unique constraint: the caller's `AlreadyExists`.
pub(crate) fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}
