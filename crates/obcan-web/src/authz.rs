//! Authorization as extractors: a handler states what it needs by the type it
//! asks for, and the decision itself is made by `obcan_core::policy`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use obcan_core::citizen::CitizenId;
use obcan_core::identity::Loa;
use obcan_core::policy::{Decision, Principal, Requirement, decide};

use crate::error::WebError;
use crate::pages::login::login_url;
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

impl FromRequestParts<AppState> for SignedInCitizen {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Refusal> {
        let visitor = Visitor::from_request_parts(parts, state)
            .await
            .map_err(Refusal::Error)?;
        let principal = visitor.principal();
        match (
            decide(principal, Requirement::Citizen { min_loa: Loa::Low }),
            principal,
        ) {
            (Decision::Allow, Principal::Citizen { id, loa }) => Ok(Self { id, loa, visitor }),
            // Step-up joins login once there are means stronger than others.
            _ => Err(Refusal::Login(login_url(parts.uri.path()))),
        }
    }
}
