//! Security and personal-data events, as the audit log records them.

use std::collections::BTreeMap;
use std::fmt;

use jiff::Timestamp;
use uuid::Uuid;

use crate::citizen::CitizenId;
use crate::documents::DocumentId;
use crate::staff::StaffId;

/// Who did it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// Someone not logged in, e.g. a failed login.
    Anonymous,
    /// The portal itself: a scheduled job, a command-line tool.
    System,
    Citizen(CitizenId),
    Staff(Uuid),
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Anonymous => f.write_str("anonymous"),
            Self::System => f.write_str("system"),
            Self::Citizen(id) => write!(f, "citizen:{id}"),
            Self::Staff(id) => write!(f, "staff:{id}"),
        }
    }
}

/// What happened. Stored by name; names are never reused for something else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Login,
    LoginFailed,
    Logout,
    MeansLinked,
    MeansUnlinked,
    SessionsEnded,
    StaffLogin,
    StaffLoginFailed,
    StaffLocked,
    StaffCreated,
    StaffDisabled,
    StaffEnabled,
    StaffPasswordReset,
    StaffOidcLinked,
    RoleGranted,
    RoleRevoked,
    ScopeGranted,
    ScopeRevoked,
    DepartmentCreated,
    AgendaCreated,
    CredentialsSet,
    CitizenRegistered,
    CitizenActivated,
    CitizenLocked,
    /// A citizen account was matched to a person of the registers.
    RegisterMatched,
    /// Register data of a citizen was read (shown or served by the API).
    RegisterRead,
    RegisterExtractIssued,
    /// A verification code went to a new e-mail address or telephone number.
    ContactVerificationSent,
    /// A wrong verification code was typed.
    ContactVerificationFailed,
    ContactVerified,
    ContactRemoved,
    /// A document was stored in a citizen's storage.
    DocumentUploaded,
    /// A document's content was downloaded or previewed.
    DocumentRead,
    /// A document was renamed or moved to another folder.
    DocumentChanged,
    DocumentDeleted,
    /// An upload was refused (format, quota, name); nothing was stored.
    DocumentRefused,
    /// The integrity check found a stored object missing or changed.
    StorageDamaged,
    /// A citizen deleted their account; its data key was destroyed with it.
    AccountDeleted,
    /// Every data key was wrapped anew under a new master key.
    MasterKeyRotated,
}

impl Action {
    /// Every action, for the audit log's filter.
    pub const ALL: [Self; 39] = [
        Self::Login,
        Self::LoginFailed,
        Self::Logout,
        Self::MeansLinked,
        Self::MeansUnlinked,
        Self::SessionsEnded,
        Self::StaffLogin,
        Self::StaffLoginFailed,
        Self::StaffLocked,
        Self::StaffCreated,
        Self::StaffDisabled,
        Self::StaffEnabled,
        Self::StaffPasswordReset,
        Self::StaffOidcLinked,
        Self::RoleGranted,
        Self::RoleRevoked,
        Self::ScopeGranted,
        Self::ScopeRevoked,
        Self::DepartmentCreated,
        Self::AgendaCreated,
        Self::CredentialsSet,
        Self::CitizenRegistered,
        Self::CitizenActivated,
        Self::CitizenLocked,
        Self::RegisterMatched,
        Self::RegisterRead,
        Self::RegisterExtractIssued,
        Self::ContactVerificationSent,
        Self::ContactVerificationFailed,
        Self::ContactVerified,
        Self::ContactRemoved,
        Self::DocumentUploaded,
        Self::DocumentRead,
        Self::DocumentChanged,
        Self::DocumentDeleted,
        Self::DocumentRefused,
        Self::StorageDamaged,
        Self::AccountDeleted,
        Self::MasterKeyRotated,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Login => "login",
            Self::LoginFailed => "login_failed",
            Self::Logout => "logout",
            Self::MeansLinked => "means_linked",
            Self::MeansUnlinked => "means_unlinked",
            Self::SessionsEnded => "sessions_ended",
            Self::StaffLogin => "staff_login",
            Self::StaffLoginFailed => "staff_login_failed",
            Self::StaffLocked => "staff_locked",
            Self::StaffCreated => "staff_created",
            Self::StaffDisabled => "staff_disabled",
            Self::StaffEnabled => "staff_enabled",
            Self::StaffPasswordReset => "staff_password_reset",
            Self::StaffOidcLinked => "staff_oidc_linked",
            Self::RoleGranted => "role_granted",
            Self::RoleRevoked => "role_revoked",
            Self::ScopeGranted => "scope_granted",
            Self::ScopeRevoked => "scope_revoked",
            Self::DepartmentCreated => "department_created",
            Self::AgendaCreated => "agenda_created",
            Self::CredentialsSet => "credentials_set",
            Self::CitizenRegistered => "citizen_registered",
            Self::CitizenActivated => "citizen_activated",
            Self::CitizenLocked => "citizen_locked",
            Self::RegisterMatched => "register_matched",
            Self::RegisterRead => "register_read",
            Self::RegisterExtractIssued => "register_extract_issued",
            Self::ContactVerificationSent => "contact_verification_sent",
            Self::ContactVerificationFailed => "contact_verification_failed",
            Self::ContactVerified => "contact_verified",
            Self::ContactRemoved => "contact_removed",
            Self::DocumentUploaded => "document_uploaded",
            Self::DocumentRead => "document_read",
            Self::DocumentChanged => "document_changed",
            Self::DocumentDeleted => "document_deleted",
            Self::DocumentRefused => "document_refused",
            Self::StorageDamaged => "storage_damaged",
            Self::AccountDeleted => "account_deleted",
            Self::MasterKeyRotated => "master_key_rotated",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One entry of the audit log, before it is chained to the others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub at: Timestamp,
    pub actor: Actor,
    pub action: Action,
    /// Whose data or account it concerns, if anyone's, e.g. `citizen:<id>`.
    pub subject: Option<String>,
    /// Facts that explain the event (provider, reason, …); never secrets.
    pub detail: BTreeMap<&'static str, String>,
    /// The client's address, when the event comes from a request.
    pub ip: Option<String>,
}

impl AuditEvent {
    pub fn new(at: Timestamp, actor: Actor, action: Action) -> Self {
        Self {
            at,
            actor,
            action,
            subject: None,
            detail: BTreeMap::new(),
            ip: None,
        }
    }

    #[must_use]
    pub fn about_citizen(mut self, id: CitizenId) -> Self {
        self.subject = Some(format!("citizen:{id}"));
        self
    }

    /// About one stored document: its access history is what has it as subject.
    #[must_use]
    pub fn about_document(mut self, id: DocumentId) -> Self {
        self.subject = Some(format!("document:{id}"));
        self
    }

    #[must_use]
    pub fn about_staff(mut self, id: StaffId) -> Self {
        self.subject = Some(format!("staff:{id}"));
        self
    }

    #[must_use]
    pub fn with(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.detail.insert(key, value.into());
        self
    }

    #[must_use]
    pub fn from_ip(mut self, ip: Option<String>) -> Self {
        self.ip = ip;
        self
    }
}
