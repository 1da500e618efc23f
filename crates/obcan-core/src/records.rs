//! The office's records (spisová služba, as far as the portal keeps them):
//! files (spisy) of documents, filed under a class of the filing plan
//! (spisový plán) that sets their retention; their closing, legal hold and
//! disposal (skartace).
//!
//! The retention period runs from the 1st January after the file is closed
//! (the trigger event); when it has passed, the system proposes the file for
//! disposal and a records manager approves: a file signed "A" is archived
//! (kept, write-once), "S" is destroyed, and for "V" the approval says
//! which. A legal hold keeps a file out of every proposal until released.

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;

/// Identifies a file. Random, so it reveals nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordFileId(uuid::Uuid);

/// Identifies a disposal proposal (skartační návrh).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProposalId(uuid::Uuid);

uuid_id!(RecordFileId, ProposalId);

/// The retention sign (skartační znak).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RetentionSign {
    /// "A": of lasting value; archived.
    A,
    /// "V": the disposal procedure selects: archived or destroyed.
    V,
    /// "S": without lasting value; destroyed.
    S,
}

impl RetentionSign {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::A => "A",
            Self::V => "V",
            Self::S => "S",
        }
    }

    /// What disposal does to a file with this sign, unless the approval
    /// decides (only for "V").
    pub const fn default_outcome(self) -> Option<Outcome> {
        match self {
            Self::A => Some(Outcome::Archive),
            Self::S => Some(Outcome::Destroy),
            Self::V => None,
        }
    }
}

impl fmt::Display for RetentionSign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown retention sign {0:?} (expected A, V or S)")]
pub struct UnknownSign(String);

impl FromStr for RetentionSign {
    type Err = UnknownSign;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "A" => Ok(Self::A),
            "V" => Ok(Self::V),
            "S" => Ok(Self::S),
            _ => Err(UnknownSign(s.to_owned())),
        }
    }
}

/// What disposal does to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Kept for good; from then on nothing of it changes or goes.
    Archive,
    /// Its content destroyed; what remains is the record that it was.
    Destroy,
}

impl Outcome {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Archive => "archive",
            Self::Destroy => "destroy",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Archive, Self::Destroy]
            .into_iter()
            .find(|outcome| outcome.as_str() == raw)
    }
}

/// A class of the filing plan (věcná skupina) a file is filed under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordClass {
    /// The full mark (spisový znak), e.g. "1.2".
    pub mark: &'static str,
    pub title: &'static str,
    pub sign: RetentionSign,
    /// The retention period (skartační lhůta) in years.
    pub years: u16,
}

/// The first day a file closed on `closed_on` may be disposed of: its
/// retention period of `years` runs from the 1st January after the year it
/// was closed in.
pub fn disposal_from(closed_on: Date, years: u16) -> Date {
    let year = i32::from(closed_on.year())
        .saturating_add(1)
        .saturating_add(i32::from(years));
    let year = i16::try_from(year).unwrap_or(i16::MAX).min(9999);
    Date::new(year, 1, 1).unwrap_or(Date::MAX)
}

/// The office's filing plan, as far as the portal's files need it: the
/// classes a file can be filed under. Kept with the program, so every node
/// and every export has the same one; a file keeps the class's mark, sign
/// and period as they were when it was opened.
#[derive(Debug)]
pub struct FilingPlan {
    pub id: &'static str,
    pub name: &'static str,
    /// The day the plan came into force.
    pub valid_from: Date,
    /// The groups (top-level classes), each with the classes below it.
    pub groups: &'static [(&'static str, &'static str, &'static [RecordClass])],
}

impl FilingPlan {
    /// The plan the portal files under: the agendas its forms and the
    /// office's deliveries belong to, with the signs and periods of the
    /// usual municipal filing plans.
    pub const PORTAL: Self = Self {
        id: "obcan-spisovy-plan-2026",
        name: "Spisový plán portálu občana",
        valid_from: Date::constant(2026, 1, 1),
        groups: &[
            (
                "1",
                "Podání občanů",
                &[
                    RecordClass {
                        mark: "1.1",
                        title: "Žádosti o informace podle zákona č. 106/1999 Sb.",
                        sign: RetentionSign::V,
                        years: 5,
                    },
                    RecordClass {
                        mark: "1.2",
                        title: "Místní poplatky",
                        sign: RetentionSign::S,
                        years: 10,
                    },
                    RecordClass {
                        mark: "1.3",
                        title: "Evidence psů",
                        sign: RetentionSign::S,
                        years: 5,
                    },
                    RecordClass {
                        mark: "1.4",
                        title: "Hlášení závad ve veřejném prostoru",
                        sign: RetentionSign::S,
                        years: 2,
                    },
                    RecordClass {
                        mark: "1.5",
                        title: "Řidičské průkazy",
                        sign: RetentionSign::S,
                        years: 10,
                    },
                ],
            ),
            (
                "2",
                "Stížnosti a petice",
                &[
                    RecordClass {
                        mark: "2.1",
                        title: "Stížnosti",
                        sign: RetentionSign::V,
                        years: 5,
                    },
                    RecordClass {
                        mark: "2.2",
                        title: "Petice",
                        sign: RetentionSign::A,
                        years: 5,
                    },
                ],
            ),
            (
                "3",
                "Rozhodnutí a sdělení úřadu",
                &[RecordClass {
                    mark: "3.1",
                    title: "Rozhodnutí doručená do portálu",
                    sign: RetentionSign::A,
                    years: 10,
                }],
            ),
        ],
    };

    pub fn classes(&self) -> impl Iterator<Item = &RecordClass> {
        self.groups
            .iter()
            .flat_map(|(_, _, classes)| classes.iter())
    }

    pub fn class(&self, mark: &str) -> Option<&RecordClass> {
        self.classes().find(|class| class.mark == mark)
    }

    /// The group a class belongs to: its mark and title.
    pub fn group_of(&self, class: &RecordClass) -> Option<(&'static str, &'static str)> {
        self.groups
            .iter()
            .find(|(_, _, classes)| classes.iter().any(|c| c.mark == class.mark))
            .map(|(mark, title, _)| (*mark, *title))
    }
}

/// A file's title (věc): one line people read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileTitle(String);

impl FileTitle {
    pub const MAX: usize = 200;

    pub fn parse(raw: &str) -> Result<Self, InvalidText> {
        checked_line(raw, Self::MAX).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a legal hold is placed (e.g. "soudní spor č. j. 12 C 34/2026").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldReason(String);

impl HoldReason {
    pub const MAX: usize = 500;

    pub fn parse(raw: &str) -> Result<Self, InvalidText> {
        checked_line(raw, Self::MAX).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvalidText {
    #[error("the text is empty")]
    Empty,
    #[error("the text is too long")]
    TooLong,
    #[error("the text contains a control character")]
    ControlCharacter,
}

fn checked_line(raw: &str, max: usize) -> Result<String, InvalidText> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(InvalidText::Empty);
    }
    if text.chars().count() > max {
        return Err(InvalidText::TooLong);
    }
    if text.chars().any(char::is_control) {
        return Err(InvalidText::ControlCharacter);
    }
    Ok(text.to_owned())
}

/// Where a file is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileState {
    /// Documents may be filed into it.
    Open,
    /// Settled; its retention period runs.
    Closed,
    /// Kept for good after disposal; write-once.
    Archived,
    /// Destroyed in disposal; only its reference, class and dates remain.
    Destroyed,
}

impl FileState {
    pub const ALL: [Self; 4] = [Self::Open, Self::Closed, Self::Archived, Self::Destroyed];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
            Self::Archived => "archived",
            Self::Destroyed => "destroyed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == raw)
    }
}

/// Where a disposal proposal is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProposalState {
    /// Waiting for a records manager.
    Proposed,
    /// Approved and carried out.
    Approved,
    /// Rejected; its files are proposed again in a later proposal.
    Rejected,
}

impl ProposalState {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Proposed => "proposed",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Proposed, Self::Approved, Self::Rejected]
            .into_iter()
            .find(|state| state.as_str() == raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_period_runs_from_the_first_of_january_after_closing() {
        let class = FilingPlan::PORTAL.class("1.3").expect("class 1.3");
        assert_eq!(class.years, 5);
        // Closed on the last or the first day of 2026: disposable from 2032.
        for closed in [Date::constant(2026, 1, 1), Date::constant(2026, 12, 31)] {
            assert_eq!(
                disposal_from(closed, class.years),
                Date::constant(2032, 1, 1)
            );
        }
    }

    #[test]
    fn the_plan_has_unique_marks_under_their_groups() {
        let plan = FilingPlan::PORTAL;
        let mut marks: Vec<_> = plan.classes().map(|class| class.mark).collect();
        let count = marks.len();
        marks.sort_unstable();
        marks.dedup();
        assert_eq!(marks.len(), count);
        for class in plan.classes() {
            let (group, _) = plan.group_of(class).expect("a group");
            assert!(
                class.mark.starts_with(&format!("{group}.")),
                "{}",
                class.mark
            );
            assert!(class.years > 0);
        }
    }

    #[test]
    fn signs_decide_the_outcome_except_v() {
        assert_eq!(RetentionSign::A.default_outcome(), Some(Outcome::Archive));
        assert_eq!(RetentionSign::S.default_outcome(), Some(Outcome::Destroy));
        assert_eq!(RetentionSign::V.default_outcome(), None);
        for sign in ["A", "V", "S"] {
            assert_eq!(sign.parse::<RetentionSign>().expect(sign).as_str(), sign);
        }
        assert!("X".parse::<RetentionSign>().is_err());
    }

    #[test]
    fn titles_and_reasons_are_one_bounded_line() {
        assert_eq!(
            FileTitle::parse("  Žádost  ").expect("ok").as_str(),
            "Žádost"
        );
        assert_eq!(FileTitle::parse(" "), Err(InvalidText::Empty));
        assert_eq!(FileTitle::parse("a\nb"), Err(InvalidText::ControlCharacter));
        assert_eq!(
            HoldReason::parse(&"x".repeat(HoldReason::MAX + 1)),
            Err(InvalidText::TooLong)
        );
    }

    #[test]
    fn states_round_trip() {
        for state in FileState::ALL {
            assert_eq!(FileState::parse(state.as_str()), Some(state));
        }
        for outcome in [Outcome::Archive, Outcome::Destroy] {
            assert_eq!(Outcome::parse(outcome.as_str()), Some(outcome));
        }
        assert_eq!(
            ProposalState::parse("approved"),
            Some(ProposalState::Approved)
        );
    }
}
