//! Security and personal-data events, as the audit log records them.

use std::collections::BTreeMap;
use std::fmt;

use jiff::Timestamp;
use uuid::Uuid;

use crate::citizen::CitizenId;
use crate::documents::DocumentId;
use crate::records::RecordFileId;
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
    /// A records-management client of the office, by its token.
    Integration(Uuid),
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Anonymous => f.write_str("anonymous"),
            Self::System => f.write_str("system"),
            Self::Citizen(id) => write!(f, "citizen:{id}"),
            Self::Staff(id) => write!(f, "staff:{id}"),
            Self::Integration(id) => write!(f, "integration:{id}"),
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
    /// A file (spis) was opened in the office's records.
    RecordFileOpened,
    /// A document was filed into a file.
    RecordDocumentFiled,
    /// A filed document's content was downloaded.
    RecordDocumentRead,
    /// A file was closed; its retention period runs.
    RecordFileClosed,
    /// A legal hold keeps a file out of disposal.
    LegalHoldPlaced,
    LegalHoldReleased,
    /// The system proposed files whose retention has passed for disposal.
    DisposalProposed,
    DisposalApproved,
    DisposalRejected,
    /// Disposal kept a file for good; it is write-once from then.
    RecordFileArchived,
    /// Disposal destroyed a file's content and its data key.
    RecordFileDestroyed,
    /// A file left the portal as an archival package (SIP).
    RecordFileExported,
    /// A citizen filed a submission.
    SubmissionFiled,
    /// A citizen withdrew their submission before it was decided.
    SubmissionWithdrawn,
    /// A citizen answered the office on their submission, perhaps with
    /// documents.
    SubmissionReplied,
    /// An official read a submission's content.
    SubmissionRead,
    /// An official took a step on a submission (took it up, asked for
    /// more, resolved, rejected, noted).
    SubmissionWorked,
    /// An administrator let a records-management client in.
    IntegrationClientCreated,
    /// An administrator revoked a client's token; its webhooks stop.
    IntegrationClientRevoked,
    /// The records system gave a submission its číslo jednací.
    SubmissionRegistered,
}

impl Action {
    /// Every action, for the audit log's filter.
    pub const ALL: [Self; 59] = [
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
        Self::RecordFileOpened,
        Self::RecordDocumentFiled,
        Self::RecordDocumentRead,
        Self::RecordFileClosed,
        Self::LegalHoldPlaced,
        Self::LegalHoldReleased,
        Self::DisposalProposed,
        Self::DisposalApproved,
        Self::DisposalRejected,
        Self::RecordFileArchived,
        Self::RecordFileDestroyed,
        Self::RecordFileExported,
        Self::SubmissionFiled,
        Self::SubmissionWithdrawn,
        Self::SubmissionReplied,
        Self::SubmissionRead,
        Self::SubmissionWorked,
        Self::IntegrationClientCreated,
        Self::IntegrationClientRevoked,
        Self::SubmissionRegistered,
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
            Self::RecordFileOpened => "record_file_opened",
            Self::RecordDocumentFiled => "record_document_filed",
            Self::RecordDocumentRead => "record_document_read",
            Self::RecordFileClosed => "record_file_closed",
            Self::LegalHoldPlaced => "legal_hold_placed",
            Self::LegalHoldReleased => "legal_hold_released",
            Self::DisposalProposed => "disposal_proposed",
            Self::DisposalApproved => "disposal_approved",
            Self::DisposalRejected => "disposal_rejected",
            Self::RecordFileArchived => "record_file_archived",
            Self::RecordFileDestroyed => "record_file_destroyed",
            Self::RecordFileExported => "record_file_exported",
            Self::SubmissionFiled => "submission_filed",
            Self::SubmissionWithdrawn => "submission_withdrawn",
            Self::SubmissionReplied => "submission_replied",
            Self::SubmissionRead => "submission_read",
            Self::SubmissionWorked => "submission_worked",
            Self::IntegrationClientCreated => "integration_client_created",
            Self::IntegrationClientRevoked => "integration_client_revoked",
            Self::SubmissionRegistered => "submission_registered",
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

    /// About one file of the office's records.
    #[must_use]
    pub fn about_record_file(mut self, id: RecordFileId) -> Self {
        self.subject = Some(format!("record-file:{id}"));
        self
    }

    /// About one records-management client.
    #[must_use]
    pub fn about_integration_client(mut self, id: crate::integration::ClientId) -> Self {
        self.subject = Some(format!("integration:{id}"));
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
