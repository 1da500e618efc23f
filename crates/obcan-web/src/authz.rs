//! Authorization as extractors: a handler states what it needs by the type it
//! asks for; how much (the level of assurance) comes from the route table,
//! whose entry the router attaches to each route; the decision itself is
//! made by `obcan_core::policy`.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use obcan_core::citizen::CitizenId;
use obcan_core::identity::Loa;
use obcan_core::policy::{Decision, Permission, Principal, Requirement, decide};
use obcan_core::staff::StaffGrants;

use crate::error::WebError;
use crate::pages::login::{login_url, step_up_url};
use crate::pages::office::login::office_login_url;
use crate::routes::Access;
use crate::session::Visitor;
use crate::state::AppState;

/// A logged-in citizen, at any level of assurance.
#[derive(Debug, Clone)]
pub(crate) struct SignedInCitizen {
    pub id: CitizenId,
    pub loa: Loa,
    pub visitor: Visitor,
}

#[derive(Debug)]
pub(crate) enum Refusal {
    Login(String),
    Error(WebError),
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Self::Login(url) => Redirect::to(&url).into_response(),
            Self::Error(error) => error.into_response(),
        }
    }
}

/// What the route table requires of a citizen on this route. A citizen
/// extractor on a route declared otherwise is a programming error, which
/// fails closed: it asks for the highest level.
fn citizen_requirement(parts: &Parts, state: &AppState) -> Requirement {
    let min_loa = match parts.extensions.get::<Access>() {
        Some(Access::Citizen(loa)) => *loa,
        Some(Access::RegisterData) => state.settings.registers.min_loa,
        Some(Access::Form) => form_loa(parts.uri.path(), state),
        _ => Loa::High,
    };
    Requirement::Citizen { min_loa }
}

/// The level of assurance the form a `/forms/{id}/…` path names needs;
/// for a form that does not exist, any login (the handler answers 404).
fn form_loa(path: &str, state: &AppState) -> Loa {
    path.strip_prefix("/forms/")
        .and_then(|rest| rest.split('/').next())
        .and_then(|id| state.settings.forms.get(id))
        .map_or(Loa::Low, |form| form.loa)
}

/// Why a request did not pass as a citizen's.
#[derive(Debug)]
pub(crate) enum CitizenRefusal {
    /// Not logged in as a citizen.
    LogIn,
    /// Logged in, but at a lower level of assurance than the route needs.
    StepUp(Loa),
    Error(WebError),
}

impl SignedInCitizen {
    /// The policy's decision about this request, shared by the pages (which
    /// redirect to the login) and the API (which answers with a problem).
    pub(crate) async fn decide(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, CitizenRefusal> {
        let visitor = Visitor::from_request_parts(parts, state)
            .await
            .map_err(CitizenRefusal::Error)?;
        let principal = visitor.principal();
        match (
            decide(&principal, citizen_requirement(parts, state)),
            principal,
        ) {
            (Decision::Allow, Principal::Citizen { id, loa }) => Ok(Self { id, loa, visitor }),
            (Decision::StepUpRequired { needed }, _) => Err(CitizenRefusal::StepUp(needed)),
            _ => Err(CitizenRefusal::LogIn),
        }
    }
}

impl FromRequestParts<AppState> for SignedInCitizen {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Refusal> {
        let back_to = parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path(), |path| path.as_str())
            .to_owned();
        Self::decide(parts, state)
            .await
            .map_err(|refusal| match refusal {
                CitizenRefusal::LogIn => Refusal::Login(login_url(&back_to)),
                CitizenRefusal::StepUp(needed) => Refusal::Login(step_up_url(&back_to, needed)),
                CitizenRefusal::Error(error) => Refusal::Error(error),
            })
    }
}

/// What a back-office handler needs, stated as a type: `SignedInStaff<need::ReadAudit>`.
pub(crate) trait StaffNeed {
    const PERMISSION: Permission;
}

pub(crate) mod need {
    use super::{Permission, StaffNeed};

    macro_rules! needs {
        ($($name:ident),*) => {$(
            #[derive(Debug, Clone, Copy)]
            pub(crate) struct $name;

            impl StaffNeed for $name {
                const PERMISSION: Permission = Permission::$name;
            }
        )*};
    }

    needs!(
        Office,
        ManageStaff,
        ManageOrganisation,
        ReadAudit,
        RegisterCitizens,
        ManageRecords,
        WorkAgendas
    );
}

/// A logged-in staff member whom the policy grants `N`'s permission.
#[derive(Debug, Clone)]
pub(crate) struct SignedInStaff<N> {
    pub grants: StaffGrants,
    pub visitor: Visitor,
    need: PhantomData<N>,
}

impl<N> SignedInStaff<N> {
    /// Whether the policy allows this staff member a further, specific
    /// permission (one agenda, one colleague's grants).
    pub(crate) fn may(&self, permission: Permission) -> bool {
        decide(
            &Principal::Staff(self.grants.clone()),
            Requirement::Staff(permission),
        ) == Decision::Allow
    }

    pub(crate) fn require(&self, permission: Permission) -> Result<(), WebError> {
        if self.may(permission) {
            Ok(())
        } else {
            Err(WebError::Forbidden)
        }
    }
}

impl<N: StaffNeed + Send + Sync> FromRequestParts<AppState> for SignedInStaff<N> {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Refusal> {
        let visitor = Visitor::from_request_parts(parts, state)
            .await
            .map_err(Refusal::Error)?;
        let principal = visitor.principal();
        match (
            decide(&principal, Requirement::Staff(N::PERMISSION)),
            principal,
        ) {
            (Decision::Allow, Principal::Staff(grants)) => Ok(Self {
                grants,
                visitor,
                need: PhantomData,
            }),
            (Decision::Forbidden, _) => Err(Refusal::Error(WebError::Forbidden)),
            _ => Err(Refusal::Login(office_login_url(parts.uri.path()))),
        }
    }
}
