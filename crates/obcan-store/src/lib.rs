//! Obcan's persistence.
//!
//! One query code path serves SQLite and PostgreSQL: queries go through sqlx's
//! `Any` driver with portable SQL, and whatever differs between the two lives
//! in [`dialect`]. Each capability has its own module of queries.

mod audit;
pub mod blobs;
mod citizens;
mod contacts;
mod credentials;
pub mod dialect;
mod documents;
mod drafts;
mod error;
mod integration;
mod local_accounts;
mod login_attempts;
mod organisation;
mod pending_logins;
mod records;
mod registers;
mod sessions;
mod staff;
mod submissions;
#[cfg(feature = "testing")]
pub mod testing;
mod throttle;
pub mod vault;

use std::time::Duration;

use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;

pub use audit::{AuditEntry, AuditHead, AuditLog, AuditStamp, ChainBreak, VerifiedLog};
pub use citizens::{Citizens, Fact, LinkOutcome, LinkedMeans, ProfileFact, UnlinkOutcome};
pub use contacts::{
    ContactBook, Contacts, PendingVerification, VerifiedContact, VerifyEvents, VerifyOutcome,
};
pub use credentials::{Credential, Credentials, Enrolment};
pub use dialect::Backend;
pub use documents::{
    CheckReport, Content, ContentError, DamagedDocument, Document, Documents, NewDocument,
    OverQuota, Problem, StoredContent, Upload, owner_of,
};
pub use drafts::{Draft, DraftSummary, Drafts};
pub use error::{AlreadyExists, StoreError};
pub use integration::outbox::{Claimed, Outbox, OutboxEntry};
pub use integration::{
    Idempotent, Integration, IntegrationClient, NewClient, Pushed, Registered, Registration,
    StateChange, TokenHolder,
};
pub use local_accounts::{CounterRegistration, LOCAL_PROVIDER, LocalAccount, LocalAccounts};
pub use login_attempts::{LoginAttempt, LoginAttempts, PendingLogin};
pub use organisation::{Agenda, Department, Organisation};
pub use pending_logins::{PendingLogins, PendingSecondFactor};
pub use records::{
    Acting, FiledDocument, ItemOutcome, LegalHold, NewFile, NewFiledDocument, Proposal,
    ProposalItem, ProposalSummary, RecordFile, Records, Refused,
};
pub use registers::{CachedSection, Extract, ExtractSummary, RegisterData, RegisterLink};
pub use sessions::{
    Client, EndedSession, NewSession, NewStaffSession, SessionRecord, SessionSummary, Sessions,
};
pub use staff::{GrantChange, NewStaff, StaffDirectory, StaffMember};
pub use submissions::{
    AssigneeFilter, Decision, FILED_THROUGH_PORTAL, Filed, Filing, QueueFilter, QueuePage, Queued,
    Receipt, Replied, Reply, StateFilter, StepRefused, Submission, Submissions, TimelineEntry,
    Withdrawal, Worked,
};
pub use throttle::LoginThrottle;
pub use vault::{MasterKey, Vault};

/// How the connection pool behaves.
#[derive(Debug, Clone, Copy)]
pub struct PoolSettings {
    pub max_connections: u32,
    /// How long a request waits for a connection before the database counts
    /// as unavailable. Short, so that pages fail fast with a clear 503.
    pub acquire_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(3),
        }
    }
}

/// A handle to the database; cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    audit_queue: std::sync::Arc<audit::AppendQueue>,
    master_key: Option<std::sync::Arc<MasterKey>>,
    blobs: Option<blobs::BlobStore>,
}

/// Connections in the pool right now, for metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    pub open: u32,
    pub idle: u32,
}

impl Store {
    /// Opens a pool for `url` (`sqlite://…` or `postgres://…`). Connections are
    /// made lazily, so the portal starts (and reports itself not ready) while
    /// the database is still down.
    pub fn open(url: &str, settings: PoolSettings) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        backend.prepare(url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(settings.max_connections)
            .acquire_timeout(settings.acquire_timeout)
            .after_connect(move |conn, _meta| Box::pin(backend.configure_connection(conn)))
            .connect_lazy(url)
            .map_err(StoreError::from)?;
        Ok(Self {
            pool,
            backend,
            audit_queue: std::sync::Arc::default(),
            master_key: None,
            blobs: None,
        })
    }

    /// Personal data is sealed under data keys wrapped by `key`; call
    /// [`Vault::unlock`] once at start to check it is the right one.
    pub fn with_master_key(mut self, key: MasterKey) -> Self {
        self.master_key = Some(std::sync::Arc::new(key));
        self
    }

    /// Where document content is kept.
    pub fn with_blobs(mut self, blobs: blobs::BlobStore) -> Self {
        self.blobs = Some(blobs);
        self
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies the embedded migrations of this backend that are not applied yet.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        self.backend
            .migrator()
            .run(&self.pool)
            .await
            .map_err(StoreError::Migration)
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub fn pool_stats(&self) -> PoolStats {
        let idle = u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX);
        PoolStats {
            open: self.pool.size(),
            idle,
        }
    }

    pub fn vault(&self) -> Vault<'_> {
        Vault::new(self)
    }

    pub fn audit(&self) -> AuditLog<'_> {
        AuditLog::new(self)
    }

    pub fn citizens(&self) -> Citizens<'_> {
        Citizens::new(self)
    }

    pub fn contacts(&self) -> Contacts<'_> {
        Contacts::new(self)
    }

    pub fn sessions(&self) -> Sessions<'_> {
        Sessions::new(self)
    }

    pub fn login_attempts(&self) -> LoginAttempts<'_> {
        LoginAttempts::new(self)
    }

    pub fn credentials(&self) -> Credentials<'_> {
        Credentials::new(self)
    }

    pub fn staff(&self) -> StaffDirectory<'_> {
        StaffDirectory::new(self)
    }

    pub fn organisation(&self) -> Organisation<'_> {
        Organisation::new(self)
    }

    pub fn local_accounts(&self) -> LocalAccounts<'_> {
        LocalAccounts::new(self)
    }

    pub fn login_throttle(&self) -> LoginThrottle<'_> {
        LoginThrottle::new(self)
    }

    pub fn pending_logins(&self) -> PendingLogins<'_> {
        PendingLogins::new(self)
    }

    /// Waits for open connections to finish and closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
