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

    /// The state the citizen's reply leaves the submission in: one waiting
    /// for them goes back to the office; none once it is settled.
    pub const fn after_reply(self) -> Option<Self> {
        match self {
            Self::Waiting => Some(Self::InProgress),
            state if state.is_settled() => None,
            state => Some(state),
        }
    }
}

/// A message to or from the office, or an official's note: trimmed, line
/// ends as `\n`, not empty, at most [`Message::MAX_CHARS`] characters and
/// no control characters but line ends and tabs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    #[error("the message is empty")]
    Empty,
    #[error("the message is too long or has control characters")]
    Invalid,
}

impl Message {
    pub const MAX_CHARS: usize = 5_000;

    pub fn parse(raw: &str) -> Result<Self, MessageError> {
        let text = raw.trim().replace("\r\n", "\n");
        if text.is_empty() {
            return Err(MessageError::Empty);
        }
        let control = text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t');
        if control || text.chars().count() > Self::MAX_CHARS {
            return Err(MessageError::Invalid);
        }
        Ok(Self(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How many of their documents a citizen may send with one reply, and how
/// large each may be.
pub const REPLY_MAX_DOCUMENTS: usize = 5;
pub const REPLY_MAX_DOCUMENT_BYTES: u64 = 20 << 20;

/// What happened, as the timeline shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimelineKind {
    /// Filed by the citizen and received by the portal.
    Received,
    /// Withdrawn by the citizen.
    Withdrawn,
    /// An official took it up.
    TakenUp,
    /// The office asks the citizen for more (documents, details).
    MoreAsked,
    /// The citizen answered the office, perhaps with documents.
    Replied,
    Resolved,
    Rejected,
    /// An internal note of the office's; the citizen does not see it.
    Note,
    /// An official gave it to a colleague (or to themselves) to work.
    Assigned,
}

impl TimelineKind {
    pub const ALL: [Self; 9] = [
        Self::Received,
        Self::Withdrawn,
        Self::TakenUp,
        Self::MoreAsked,
        Self::Replied,
        Self::Resolved,
        Self::Rejected,
        Self::Note,
        Self::Assigned,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Withdrawn => "withdrawn",
            Self::TakenUp => "taken_up",
            Self::MoreAsked => "more_asked",
            Self::Replied => "replied",
            Self::Resolved => "resolved",
            Self::Rejected => "rejected",
            Self::Note => "note",
            Self::Assigned => "assigned",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }
}

/// A step an official takes on a submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OfficeStep {
    /// Takes the submission up: the official works it from now.
    TakeUp,
    /// Asks the citizen for more; the submission waits for them.
    AskForMore,
    Resolve,
    Reject,
    /// An internal note; the state stays.
    Note,
}

impl OfficeStep {
    pub const ALL: [Self; 5] = [
        Self::TakeUp,
        Self::AskForMore,
        Self::Resolve,
        Self::Reject,
        Self::Note,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::TakeUp => "take_up",
            Self::AskForMore => "ask_for_more",
            Self::Resolve => "resolve",
            Self::Reject => "reject",
            Self::Note => "note",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|step| step.as_str() == raw)
    }

    /// What the timeline records.
    pub const fn kind(self) -> TimelineKind {
        match self {
            Self::TakeUp => TimelineKind::TakenUp,
            Self::AskForMore => TimelineKind::MoreAsked,
            Self::Resolve => TimelineKind::Resolved,
            Self::Reject => TimelineKind::Rejected,
            Self::Note => TimelineKind::Note,
        }
    }

    /// Whether the step needs a text: a message to the citizen, or the note.
    pub const fn needs_text(self) -> bool {
        !matches!(self, Self::TakeUp)
    }

    /// Whether the step may send the citizen a document: one that asks
    /// for more or decides.
    pub const fn sends_documents(self) -> bool {
        matches!(self, Self::AskForMore | Self::Resolve | Self::Reject)
    }

    /// Whether the citizen sees the step in their timeline.
    pub const fn for_citizen(self) -> bool {
        !matches!(self, Self::Note)
    }

    /// The state the step leaves a submission in, from `from`; none if the
    /// step may not be taken there.
    pub const fn from(self, from: SubmissionState) -> Option<SubmissionState> {
        use SubmissionState::{InProgress, Received, Rejected, Resolved, Waiting};
        if from.is_settled() {
            return None;
        }
        match (self, from) {
            (Self::TakeUp, Received | Waiting) => Some(InProgress),
            (Self::AskForMore, InProgress) => Some(Waiting),
            (Self::Resolve, _) => Some(Resolved),
            (Self::Reject, _) => Some(Rejected),
            (Self::Note, state) => Some(state),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workflow_moves_only_forward_and_stops_when_settled() {
        use SubmissionState::*;
        assert_eq!(OfficeStep::TakeUp.from(Received), Some(InProgress));
        assert_eq!(OfficeStep::TakeUp.from(InProgress), None);
        assert_eq!(OfficeStep::AskForMore.from(Received), None);
        assert_eq!(OfficeStep::AskForMore.from(InProgress), Some(Waiting));
        assert_eq!(OfficeStep::TakeUp.from(Waiting), Some(InProgress));
        assert_eq!(OfficeStep::Resolve.from(Waiting), Some(Resolved));
        assert_eq!(OfficeStep::Reject.from(Received), Some(Rejected));
        assert_eq!(OfficeStep::Note.from(Waiting), Some(Waiting));
        for settled in [Resolved, Rejected, Withdrawn] {
            for step in OfficeStep::ALL {
                assert_eq!(step.from(settled), None, "{step:?} from {settled:?}");
            }
        }
        assert_eq!(Waiting.after_reply(), Some(InProgress));
        assert_eq!(Received.after_reply(), Some(Received));
        assert_eq!(InProgress.after_reply(), Some(InProgress));
        for settled in [Resolved, Rejected, Withdrawn] {
            assert_eq!(settled.after_reply(), None);
        }
        for step in OfficeStep::ALL {
            assert_eq!(OfficeStep::parse(step.as_str()), Some(step));
        }
        for kind in TimelineKind::ALL {
            assert_eq!(TimelineKind::parse(kind.as_str()), Some(kind));
        }
    }

    #[test]
    fn a_message_is_trimmed_text_of_bounded_length() {
        let message = Message::parse("  Lampa svítí.\r\nDěkujeme.\t ").unwrap();
        assert_eq!(message.as_str(), "Lampa svítí.\nDěkujeme.");
        assert_eq!(Message::parse(" \n\t "), Err(MessageError::Empty));
        assert_eq!(Message::parse("a\u{0}b"), Err(MessageError::Invalid));
        assert_eq!(Message::parse("a\u{1b}[31m"), Err(MessageError::Invalid));
        let longest = "ž".repeat(Message::MAX_CHARS);
        assert!(Message::parse(&longest).is_ok());
        assert_eq!(
            Message::parse(&format!("{longest}ž")),
            Err(MessageError::Invalid)
        );
    }
}
