//! The portal's capabilities, as the citizen's dashboard presents them.

/// One area of the portal a citizen can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Capability {
    MyData,
    Submissions,
    Documents,
    Payments,
    Notifications,
    NoticeBoard,
    Visits,
    Participation,
}

impl Capability {
    /// In the order the dashboard shows them: the most used first.
    pub const ALL: [Self; 8] = [
        Self::MyData,
        Self::Submissions,
        Self::Documents,
        Self::Payments,
        Self::Notifications,
        Self::NoticeBoard,
        Self::Visits,
        Self::Participation,
    ];

    /// Where the capability lives, once it is built. `None` while it is not,
    /// so the dashboard says so instead of linking to nothing.
    pub const fn path(self) -> Option<&'static str> {
        match self {
            Self::MyData => Some("/me"),
            Self::Documents => Some("/documents"),
            Self::Submissions
            | Self::Payments
            | Self::Notifications
            | Self::NoticeBoard
            | Self::Visits
            | Self::Participation => None,
        }
    }
}
