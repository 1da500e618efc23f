//! Every route of the portal, with who may use it.
//!
//! The handlers enforce access through their extractors (`SignedInCitizen`
//! asks `obcan_core::policy`); this table states it, the router is built
//! from it, and the authorization matrix test checks every entry against
//! every kind of visitor. A route cannot be added without saying who may use it.

use axum::http::Method;
use axum::routing::{MethodRouter, get, post};
use obcan_core::identity::Loa;

use crate::middleware::metrics;
use crate::pages::{accessibility, account, dashboard, home, language, login, oidc, saml};
use crate::state::AppState;
use crate::{assets, branding, ops};

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, logged in or not.
    Public,
    /// A logged-in citizen whose login reached at least this level of assurance.
    Citizen(Loa),
    /// Anyone, carrying a message from an outside identity provider. Such
    /// posts arrive cross-site, without the CSRF token; what protects them is
    /// that the message names a login attempt of the portal's, usable once.
    IdentityProviderPost,
}

#[derive(Debug, Clone)]
pub struct RouteInfo {
    pub method: Method,
    /// The axum path pattern, e.g. `/login/oidc/{provider}`.
    pub path: &'static str,
    pub access: Access,
}

// One route a line, so that the table reads as one.
#[rustfmt::skip]
pub(crate) fn table() -> Vec<(RouteInfo, MethodRouter<AppState>)> {
    use Access::{Citizen, IdentityProviderPost, Public};
    let route = |method: Method, path, access, handler| (RouteInfo { method, path, access }, handler);
    vec![
        route(Method::GET,  "/",                               Public,            get(home::page)),
        route(Method::GET,  "/login",                          Public,            get(login::page)),
        route(Method::GET,  "/login/demo",                     Public,            get(login::demo_page)),
        route(Method::POST, "/login/demo",                     Public,            post(login::demo_submit)),
        route(Method::GET,  "/login/oidc/{provider}",          Public,            get(oidc::start)),
        route(Method::GET,  "/login/oidc/{provider}/callback", Public,            get(oidc::callback)),
        route(Method::GET,  "/login/saml/{provider}",          Public,            get(saml::start)),
        route(Method::GET,  "/login/saml/{provider}/metadata", Public,            get(saml::metadata)),
        route(Method::POST, "/login/saml/{provider}/acs",      IdentityProviderPost, post(saml::acs)),
        route(Method::GET,  "/login/saml/{provider}/finish",   Public,            get(saml::finish)),
        route(Method::POST, "/login/saml/{provider}/slo",      IdentityProviderPost, post(saml::slo)),
        // Logging out without a session does nothing, harmlessly.
        route(Method::POST, "/logout",                         Public,            post(login::logout)),
        route(Method::GET,  "/dashboard",                      Citizen(Loa::Low), get(dashboard::page)),
        route(Method::GET,  "/account",                        Citizen(Loa::Low), get(account::page)),
        route(Method::POST, "/account/means/unlink",           Citizen(Loa::Low), post(account::unlink)),
        route(Method::POST, "/account/sessions/end-others",    Citizen(Loa::Low), post(account::end_other_sessions)),
        route(Method::GET,  "/lang/{tag}",                     Public,            get(language::switch)),
        route(Method::GET,  "/accessibility",                  Public,            get(accessibility::page)),
        route(Method::GET,  "/assets/{file}",                  Public,            get(assets::serve)),
        route(Method::GET,  "/branding/{file}",                Public,            get(branding::serve)),
        route(Method::GET,  "/healthz",                        Public,            get(ops::healthz)),
        route(Method::GET,  "/readyz",                         Public,            get(ops::readyz)),
        route(Method::GET,  "/metrics",                        Public,            get(metrics::export)),
    ]
}

/// The route table, for tests and documentation.
pub fn routes() -> Vec<RouteInfo> {
    table().into_iter().map(|(info, _)| info).collect()
}
