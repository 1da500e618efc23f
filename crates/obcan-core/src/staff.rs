//! The office's people and structure: staff members, their roles, and the
//! departments and agendas an official's work is scoped to.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

/// Identifies a staff member. Random, like citizen ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StaffId(uuid::Uuid);

/// Identifies a department (odbor).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DepartmentId(uuid::Uuid);

/// Identifies an agenda (a kind of the office's work, e.g. "trade licensing").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AgendaId(uuid::Uuid);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid identifier")]
pub struct InvalidId;

macro_rules! uuid_id {
    ($($name:ident),*) => {$(
        impl $name {
            pub fn random() -> Self {
                Self(uuid::Uuid::new_v4())
            }

            pub fn parse(raw: &str) -> Result<Self, InvalidId> {
                uuid::Uuid::parse_str(raw).map(Self).map_err(|_| InvalidId)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }
    )*};
}

uuid_id!(StaffId, DepartmentId, AgendaId);

impl StaffId {
    /// The id as the audit log's `Actor::Staff` carries it.
    pub fn uuid(self) -> uuid::Uuid {
        self.0
    }
}

/// A login name for a local account, staff or citizen: what a person types,
/// so short, lowercase and unambiguous (`jana.novakova`, `novak-1956`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LoginName(String);

impl LoginName {
    pub const MIN: usize = 3;
    pub const MAX: usize = 64;

    /// Trims and lowercases; then lowercase ASCII letters, digits and `.`, `-`, `_`,
    /// starting with a letter or digit.
    pub fn parse(raw: &str) -> Result<Self, InvalidLoginName> {
        let name = raw.trim().to_ascii_lowercase();
        if name.len() < Self::MIN || name.len() > Self::MAX {
            return Err(InvalidLoginName::Length);
        }
        let allowed = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b".-_".contains(&b);
        let starts_well = name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        if !starts_well || !name.bytes().all(allowed) {
            return Err(InvalidLoginName::Characters);
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LoginName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvalidLoginName {
    #[error("a login name has {min} to {max} characters", min = LoginName::MIN, max = LoginName::MAX)]
    Length,
    #[error("a login name has lowercase letters without accents, digits, '.', '-' and '_'")]
    Characters,
}

/// The short key by which forms name the agenda that receives their
/// submissions, e.g. `ridicske-prukazy`: lower-case letters, digits and
/// hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AgendaKey(String);

impl AgendaKey {
    pub const MAX: usize = 64;

    pub fn parse(raw: &str) -> Option<Self> {
        crate::is_key(raw, Self::MAX).then(|| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AgendaKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The name of a department, an agenda or a staff member as people read it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Label(String);

impl Label {
    pub const MAX: usize = 120;

    pub fn parse(raw: &str) -> Result<Self, InvalidLabel> {
        let label = raw.trim();
        if label.is_empty() {
            return Err(InvalidLabel::Empty);
        }
        if label.chars().count() > Self::MAX {
            return Err(InvalidLabel::TooLong);
        }
        if label.chars().any(char::is_control) {
            return Err(InvalidLabel::ControlCharacter);
        }
        Ok(Self(label.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvalidLabel {
    #[error("the name is empty")]
    Empty,
    #[error("the name is longer than {} characters", Label::MAX)]
    TooLong,
    #[error("the name contains a control character")]
    ControlCharacter,
}

/// What a staff member is for. Roles add up; none implies another, so that
/// e.g. the administrator who grants roles cannot read the audit log of their
/// own grants unless also made an auditor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Manages staff, roles, departments and agendas.
    Administrator,
    /// Works the agendas in their scope and registers citizens at the counter.
    Official,
    /// Reads the audit log; changes nothing.
    Auditor,
    /// Keeps the office's records (správce spisovny): files, legal holds,
    /// and the approval of disposal.
    RecordsManager,
}

impl Role {
    pub const ALL: [Self; 4] = [
        Self::Administrator,
        Self::Official,
        Self::Auditor,
        Self::RecordsManager,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Administrator => "administrator",
            Self::Official => "official",
            Self::Auditor => "auditor",
            Self::RecordsManager => "records_manager",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?} (expected administrator, official, auditor or records_manager)")]
pub struct UnknownRole(String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|role| role.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

/// Where an official may work: whole departments, and single agendas.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub departments: BTreeSet<DepartmentId>,
    pub agendas: BTreeSet<AgendaId>,
}

impl Scope {
    /// Whether the agenda, which belongs to `department`, is in this scope.
    pub fn covers(&self, agenda: AgendaId, department: DepartmentId) -> bool {
        self.agendas.contains(&agenda) || self.departments.contains(&department)
    }
}

/// A staff member as the policy sees them: what they are, where they work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffGrants {
    pub id: StaffId,
    pub roles: BTreeSet<Role>,
    pub scope: Scope,
}

impl StaffGrants {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_names_are_normalised_and_checked() {
        assert_eq!(
            LoginName::parse("  Jana.Novakova ").unwrap().as_str(),
            "jana.novakova"
        );
        assert_eq!(LoginName::parse("ab"), Err(InvalidLoginName::Length));
        assert_eq!(
            LoginName::parse(&"a".repeat(65)),
            Err(InvalidLoginName::Length)
        );
        assert_eq!(
            LoginName::parse("nováková"),
            Err(InvalidLoginName::Characters)
        );
        assert_eq!(
            LoginName::parse(".hidden"),
            Err(InvalidLoginName::Characters)
        );
        assert_eq!(LoginName::parse("a b c"), Err(InvalidLoginName::Characters));
    }

    #[test]
    fn labels_are_trimmed_and_bounded() {
        assert_eq!(
            Label::parse(" Odbor dopravy ").unwrap().as_str(),
            "Odbor dopravy"
        );
        assert_eq!(Label::parse("  "), Err(InvalidLabel::Empty));
        assert_eq!(Label::parse(&"x".repeat(121)), Err(InvalidLabel::TooLong));
        assert_eq!(Label::parse("a\u{7}"), Err(InvalidLabel::ControlCharacter));
    }

    #[test]
    fn roles_round_trip_through_text() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn a_scope_covers_its_agendas_and_its_departments_agendas() {
        let (transport, trade) = (DepartmentId::random(), DepartmentId::random());
        let (licences, vehicles) = (AgendaId::random(), AgendaId::random());
        let scope = Scope {
            departments: BTreeSet::from([transport]),
            agendas: BTreeSet::from([licences]),
        };
        assert!(scope.covers(licences, trade), "named agenda");
        assert!(
            scope.covers(vehicles, transport),
            "agenda of a named department"
        );
        assert!(!scope.covers(vehicles, trade));
        assert!(!Scope::default().covers(licences, transport));
    }
}
