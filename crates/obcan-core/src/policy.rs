//! Who may do what. Every access decision is made here, so that handlers ask
//! and never decide on their own.

use crate::citizen::CitizenId;
use crate::identity::Loa;
use crate::staff::{AgendaId, DepartmentId, Role, StaffGrants, StaffId};

/// Whoever is making a request. A staff member is never a citizen at the same
/// time: the two log in separately and get separate sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    Anonymous,
    Citizen { id: CitizenId, loa: Loa },
    Staff(StaffGrants),
}

/// What a staff member may do in the back office.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// The back office at all: any active staff member.
    Office,
    /// Create and disable staff; see who has which roles.
    ManageStaff,
    /// Grant and revoke this staff member's roles and scope: an administrator,
    /// and never for themselves, so nobody raises their own rights.
    ChangeGrantsOf(StaffId),
    ManageOrganisation,
    ReadAudit,
    RegisterCitizens,
    /// The office's records: files, legal holds, disposal and archival export.
    ManageRecords,
    /// The agendas' work in general: the pages that lead to one agenda.
    WorkAgendas,
    /// The work of one agenda, which belongs to `department`.
    WorkAgenda {
        agenda: AgendaId,
        department: DepartmentId,
    },
}

/// What a route or an action needs from the principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
    /// Anyone, logged in or not.
    Public,
    /// A logged-in citizen whose session reached at least this level.
    Citizen { min_loa: Loa },
    /// A logged-in staff member with this permission.
    Staff(Permission),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Not logged in as a citizen: send them to log in, then back.
    LoginRequired,
    /// Not logged in as staff: send them to the office's login, then back.
    StaffLoginRequired,
    /// Logged in, but with a means too weak for this: ask for a stronger one.
    StepUpRequired {
        needed: Loa,
    },
    /// Logged in as staff, without the rights for this.
    Forbidden,
}

pub fn decide(principal: &Principal, requirement: Requirement) -> Decision {
    match (requirement, principal) {
        (Requirement::Public, _) => Decision::Allow,
        (Requirement::Citizen { min_loa }, Principal::Citizen { loa, .. }) => {
            if *loa >= min_loa {
                Decision::Allow
            } else {
                Decision::StepUpRequired { needed: min_loa }
            }
        }
        (Requirement::Citizen { .. }, Principal::Anonymous | Principal::Staff(_)) => {
            Decision::LoginRequired
        }
        (Requirement::Staff(permission), Principal::Staff(staff)) => {
            if permits(staff, permission) {
                Decision::Allow
            } else {
                Decision::Forbidden
            }
        }
        (Requirement::Staff(_), Principal::Anonymous | Principal::Citizen { .. }) => {
            Decision::StaffLoginRequired
        }
    }
}

/// Whether the staff member's grants give the permission.
pub fn permits(staff: &StaffGrants, permission: Permission) -> bool {
    match permission {
        Permission::Office => true,
        Permission::ManageStaff | Permission::ManageOrganisation => staff.has(Role::Administrator),
        Permission::ChangeGrantsOf(target) => staff.has(Role::Administrator) && target != staff.id,
        Permission::ReadAudit => staff.has(Role::Auditor),
        Permission::ManageRecords => staff.has(Role::RecordsManager),
        Permission::RegisterCitizens | Permission::WorkAgendas => staff.has(Role::Official),
        Permission::WorkAgenda { agenda, department } => {
            staff.has(Role::Official) && staff.scope.covers(agenda, department)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::staff::Scope;

    fn citizen(loa: Loa) -> Principal {
        Principal::Citizen {
            id: CitizenId::random(),
            loa,
        }
    }

    fn staff(roles: &[Role], scope: Scope) -> StaffGrants {
        StaffGrants {
            id: StaffId::random(),
            roles: roles.iter().copied().collect(),
            scope,
        }
    }

    #[test]
    fn public_is_open_to_all() {
        for principal in [
            Principal::Anonymous,
            citizen(Loa::Low),
            Principal::Staff(staff(&[], Scope::default())),
        ] {
            assert_eq!(decide(&principal, Requirement::Public), Decision::Allow);
        }
    }

    #[test]
    fn citizen_routes_need_login_and_enough_assurance() {
        let needs = Requirement::Citizen {
            min_loa: Loa::Substantial,
        };
        assert_eq!(
            decide(&Principal::Anonymous, needs),
            Decision::LoginRequired
        );
        assert_eq!(
            decide(&citizen(Loa::Low), needs),
            Decision::StepUpRequired {
                needed: Loa::Substantial
            }
        );
        assert_eq!(decide(&citizen(Loa::Substantial), needs), Decision::Allow);
        assert_eq!(decide(&citizen(Loa::High), needs), Decision::Allow);
    }

    #[test]
    fn a_staff_session_is_never_a_citizen_session() {
        let administrator = Principal::Staff(staff(&Role::ALL, Scope::default()));
        let needs = Requirement::Citizen { min_loa: Loa::Low };
        assert_eq!(decide(&administrator, needs), Decision::LoginRequired);
    }

    #[test]
    fn staff_routes_send_everyone_else_to_the_office_login() {
        let needs = Requirement::Staff(Permission::Office);
        assert_eq!(
            decide(&Principal::Anonymous, needs),
            Decision::StaffLoginRequired
        );
        assert_eq!(
            decide(&citizen(Loa::High), needs),
            Decision::StaffLoginRequired
        );
        let nobody = Principal::Staff(staff(&[], Scope::default()));
        assert_eq!(decide(&nobody, needs), Decision::Allow, "any staff member");
    }

    #[test]
    fn each_role_grants_its_own_permissions_only() {
        let (department, agenda) = (DepartmentId::random(), AgendaId::random());
        let work = Permission::WorkAgenda { agenda, department };
        let scope = Scope {
            departments: BTreeSet::new(),
            agendas: BTreeSet::from([agenda]),
        };
        let cases = [
            (Role::Administrator, Permission::ManageStaff, true),
            (Role::Administrator, Permission::ManageOrganisation, true),
            (Role::Administrator, Permission::ReadAudit, false),
            (Role::Administrator, Permission::RegisterCitizens, false),
            (Role::Administrator, work, false),
            (Role::Official, Permission::ManageStaff, false),
            (Role::Official, Permission::ManageOrganisation, false),
            (Role::Official, Permission::ReadAudit, false),
            (Role::Official, Permission::RegisterCitizens, true),
            (Role::Official, Permission::WorkAgendas, true),
            (Role::Auditor, Permission::WorkAgendas, false),
            (Role::Official, work, true),
            (Role::Auditor, Permission::ManageStaff, false),
            (Role::Auditor, Permission::ReadAudit, true),
            (Role::Auditor, Permission::RegisterCitizens, false),
            (Role::Auditor, work, false),
            (Role::RecordsManager, Permission::ManageRecords, true),
            (Role::RecordsManager, Permission::WorkAgendas, false),
            (Role::RecordsManager, Permission::ReadAudit, false),
            (Role::Official, Permission::ManageRecords, false),
            (Role::Administrator, Permission::ManageRecords, false),
            (Role::Auditor, Permission::ManageRecords, false),
        ];
        for (role, permission, allowed) in cases {
            let principal = Principal::Staff(staff(&[role], scope.clone()));
            let expected = if allowed {
                Decision::Allow
            } else {
                Decision::Forbidden
            };
            assert_eq!(
                decide(&principal, Requirement::Staff(permission)),
                expected,
                "{role} → {permission:?}"
            );
        }
    }

    #[test]
    fn an_official_works_only_the_agendas_in_scope() {
        let (transport, trade) = (DepartmentId::random(), DepartmentId::random());
        let (mine, other) = (AgendaId::random(), AgendaId::random());
        let official = Principal::Staff(staff(
            &[Role::Official],
            Scope {
                departments: BTreeSet::new(),
                agendas: BTreeSet::from([mine]),
            },
        ));
        let work =
            |agenda, department| Requirement::Staff(Permission::WorkAgenda { agenda, department });
        assert_eq!(decide(&official, work(mine, transport)), Decision::Allow);
        assert_eq!(
            decide(&official, work(other, transport)),
            Decision::Forbidden
        );
        assert_eq!(decide(&official, work(other, trade)), Decision::Forbidden);
    }

    #[test]
    fn nobody_changes_their_own_grants() {
        let administrator = staff(&[Role::Administrator], Scope::default());
        let own = Requirement::Staff(Permission::ChangeGrantsOf(administrator.id));
        let other = Requirement::Staff(Permission::ChangeGrantsOf(StaffId::random()));
        let principal = Principal::Staff(administrator);
        assert_eq!(decide(&principal, own), Decision::Forbidden);
        assert_eq!(decide(&principal, other), Decision::Allow);
        let auditor = Principal::Staff(staff(&[Role::Auditor], Scope::default()));
        assert_eq!(decide(&auditor, other), Decision::Forbidden);
    }
}
