//! Submissions (podání): what a citizen filed, where it stands, and what
//! happened to it.

/// Identifies a filed submission. Random, so it reveals nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SubmissionId(uuid::Uuid);

uuid_id!(SubmissionId);

/// Where a submission stands: received → in progress → waiting for the
/// citizen → resolved or rejected; withdrawn by the citizen while not yet
/// decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubmissionState {
    Received,
    InProgress,
    /// Waiting for the citizen, e.g. for documents the office asked for.
    Waiting,
    Resolved,
    Rejected,
    Withdrawn,
}

impl SubmissionState {
    pub const ALL: [Self; 6] = [
        Self::Received,
        Self::InProgress,
        Self::Waiting,
        Self::Resolved,
        Self::Rejected,
        Self::Withdrawn,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::InProgress => "in_progress",
            Self::Waiting => "waiting",
            Self::Resolved => "resolved",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == raw)
    }

    /// Decided by the office or withdrawn: nothing moves it any more.
    pub const fn is_settled(self) -> bool {
        matches!(self, Self::Resolved | Self::Rejected | Self::Withdrawn)
    }
}

/// What happened, as the timeline shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimelineKind {
    /// Filed by the citizen and received by the portal.
    Received,
    /// Withdrawn by the citizen.
    Withdrawn,
}

impl TimelineKind {
    pub const ALL: [Self; 2] = [Self::Received, Self::Withdrawn];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }
}
