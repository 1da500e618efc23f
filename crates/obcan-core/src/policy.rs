//! Who may do what. Every access decision is made here, so that handlers ask
//! and never decide on their own.

use crate::citizen::CitizenId;
use crate::identity::Loa;

/// Whoever is making a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal {
    Anonymous,
    Citizen { id: CitizenId, loa: Loa },
}

/// What a route or an action needs from the principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
    /// Anyone, logged in or not.
    Public,
    /// A logged-in citizen whose session reached at least this level.
    Citizen { min_loa: Loa },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Not logged in: send them to log in, then back.
    LoginRequired,
    /// Logged in, but with a means too weak for this: ask for a stronger one.
    StepUpRequired {
        needed: Loa,
    },
}

pub fn decide(principal: Principal, requirement: Requirement) -> Decision {
    match (requirement, principal) {
        (Requirement::Public, _) => Decision::Allow,
        (Requirement::Citizen { .. }, Principal::Anonymous) => Decision::LoginRequired,
        (Requirement::Citizen { min_loa }, Principal::Citizen { loa, .. }) if loa >= min_loa => {
            Decision::Allow
        }
        (Requirement::Citizen { min_loa }, Principal::Citizen { .. }) => {
            Decision::StepUpRequired { needed: min_loa }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn citizen(loa: Loa) -> Principal {
        Principal::Citizen {
            id: CitizenId::random(),
            loa,
        }
    }

    #[test]
    fn public_is_open_to_all() {
        assert_eq!(
            decide(Principal::Anonymous, Requirement::Public),
            Decision::Allow
        );
        assert_eq!(
            decide(citizen(Loa::Low), Requirement::Public),
            Decision::Allow
        );
    }

    #[test]
    fn citizen_routes_need_login_and_enough_assurance() {
        let needs = Requirement::Citizen {
            min_loa: Loa::Substantial,
        };
        assert_eq!(decide(Principal::Anonymous, needs), Decision::LoginRequired);
        assert_eq!(
            decide(citizen(Loa::Low), needs),
            Decision::StepUpRequired {
                needed: Loa::Substantial
            }
        );
        assert_eq!(decide(citizen(Loa::Substantial), needs), Decision::Allow);
        assert_eq!(decide(citizen(Loa::High), needs), Decision::Allow);
    }
}
