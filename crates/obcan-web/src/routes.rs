//! Every route of the portal, with who may use it.
//!
//! The handlers enforce access through their extractors (`SignedInCitizen`
//! and `SignedInStaff` ask `obcan_core::policy`); this table states it, the router is built
//! from it, and the authorization matrix test checks every entry against
//! every kind of visitor. A route cannot be added without saying who may use it.

use axum::http::Method;
use axum::routing::{MethodRouter, get, post, put};
use obcan_core::identity::Loa;
use obcan_core::policy::Permission;

use crate::middleware::metrics;
use crate::pages::forms::fill;
use crate::pages::office::{
    agenda, audit, integrations, organisation, records, registration, staff,
};
use crate::pages::{
    accessibility, account, activation, contacts, dashboard, documents, forms, home, language,
    login, my_data, office, oidc, password_login, saml, submissions,
};
use crate::state::AppState;
use crate::{api, assets, branding, ops};

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, logged in or not.
    Public,
    /// A logged-in citizen whose login reached at least this level of assurance.
    Citizen(Loa),
    /// A logged-in citizen at the level of assurance the operator set for
    /// data from the public registers (`registers.min_loa`).
    RegisterData,
    /// A logged-in citizen at the level of assurance the form named by the
    /// path (`/forms/{id}/…`) needs.
    Form,
    /// Anyone, carrying a message from an outside identity provider. Such
    /// posts arrive cross-site, without the CSRF token; what protects them is
    /// that the message names a login attempt of the portal's, usable once.
    IdentityProviderPost,
    /// A logged-in staff member with this permission.
    Staff(StaffAccess),
    /// The office's records management, by its bearer token (not a
    /// session), in the agendas it serves. Browsers never send the token by
    /// themselves, so these routes need no CSRF token.
    RecordsClient,
}

impl Access {
    /// Whether the route's state-changing requests must carry the CSRF
    /// token: all but those whose credentials a browser does not send.
    pub fn needs_csrf(self) -> bool {
        !matches!(self, Self::IdentityProviderPost | Self::RecordsClient)
    }
}

/// What a back-office route needs of a staff member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffAccess {
    /// Any active staff member.
    Office,
    ManageStaff,
    /// An administrator, about a colleague other than themselves.
    ChangeGrants,
    ManageOrganisation,
    ReadAudit,
    RegisterCitizens,
    /// A records manager: files, legal holds, disposal, export.
    ManageRecords,
    /// An official, in an agenda within their scope.
    WorkAgenda,
}

impl StaffAccess {
    /// The permission the route's extractor asks the policy for; the two
    /// that concern one record are asked again about it in the handler.
    pub fn permission(self) -> Permission {
        match self {
            Self::Office => Permission::Office,
            Self::ManageStaff | Self::ChangeGrants => Permission::ManageStaff,
            Self::ManageOrganisation => Permission::ManageOrganisation,
            Self::ReadAudit => Permission::ReadAudit,
            Self::RegisterCitizens => Permission::RegisterCitizens,
            Self::ManageRecords => Permission::ManageRecords,
            Self::WorkAgenda => Permission::WorkAgendas,
        }
    }
}

#[derive(Debug, Clone)]
pub struct RouteInfo {
    pub method: Method,
    /// The axum path pattern, e.g. `/login/oidc/{provider}`.
    pub path: &'static str,
    pub access: Access,
    pub body: Body,
}

/// How large a request body a route takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    /// Forms and small posts: `http.body_limit_bytes`.
    Form,
    /// File uploads: the citizen's free space, or for the office's records
    /// the largest document (the quota's size), which the handler enforces.
    Upload,
}

// One route a line, so that the table reads as one.
#[rustfmt::skip]
pub(crate) fn table() -> Vec<(RouteInfo, MethodRouter<AppState>)> {
    use Access::{Citizen, Form, IdentityProviderPost, Public, RecordsClient, RegisterData, Staff};
    const DOCUMENTS: Access = Citizen(Loa::Substantial);
    const SUBMISSIONS: Access = Citizen(Loa::Low);
    use StaffAccess::{ChangeGrants, ManageOrganisation, ManageRecords, ManageStaff, Office, ReadAudit, RegisterCitizens, WorkAgenda};
    const RECORDS: Access = Staff(ManageRecords);
    let route = |method: Method, path, access, handler| (RouteInfo { method, path, access, body: Body::Form }, handler);
    let upload = |path, access, handler| (RouteInfo { method: Method::POST, path, access, body: Body::Upload }, handler);
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
        route(Method::GET,  "/login/local",                    Public,            get(password_login::citizen_page)),
        route(Method::POST, "/login/local",                    Public,            post(password_login::citizen_submit)),
        route(Method::GET,  "/login/local/code",               Public,            get(password_login::citizen_code_page)),
        route(Method::POST, "/login/local/code",               Public,            post(password_login::citizen_code_submit)),
        route(Method::GET,  "/activate",                       Public,            get(activation::page)),
        route(Method::POST, "/activate",                       Public,            post(activation::submit_code)),
        route(Method::POST, "/activate/setup",                 Public,            post(activation::submit_setup)),
        // Logging out without a session does nothing, harmlessly.
        route(Method::POST, "/logout",                         Public,            post(login::logout)),
        route(Method::GET,  "/dashboard",                      Citizen(Loa::Low), get(dashboard::page)),
        route(Method::GET,  "/me",                             RegisterData,      get(my_data::overview)),
        route(Method::GET,  "/me/personal",                    RegisterData,      get(my_data::personal)),
        route(Method::GET,  "/me/documents",                   RegisterData,      get(my_data::documents)),
        route(Method::GET,  "/me/driver",                      RegisterData,      get(my_data::driver)),
        route(Method::POST, "/me/driver/extract",              RegisterData,      post(my_data::request_extract)),
        route(Method::GET,  "/me/extracts/{id}",               RegisterData,      get(my_data::download_extract)),
        route(Method::GET,  "/me/vehicles",                    RegisterData,      get(my_data::vehicles)),
        route(Method::GET,  "/me/trade-licences",              RegisterData,      get(my_data::trade_licences)),
        route(Method::GET,  "/me/data-usage",                  RegisterData,      get(my_data::data_usage)),
        route(Method::POST, "/me/reload",                      RegisterData,      post(my_data::reload)),
        route(Method::GET,  "/documents",                      DOCUMENTS,         get(documents::list)),
        upload(             "/documents",                      DOCUMENTS,         post(documents::upload)),
        route(Method::GET,  "/documents/{id}",                 DOCUMENTS,         get(documents::detail)),
        route(Method::GET,  "/documents/{id}/download",        DOCUMENTS,         get(documents::download)),
        route(Method::GET,  "/documents/{id}/preview",         DOCUMENTS,         get(documents::preview)),
        route(Method::POST, "/documents/{id}/rename",          DOCUMENTS,         post(documents::rename)),
        route(Method::POST, "/documents/{id}/folder",          DOCUMENTS,         post(documents::move_to_folder)),
        route(Method::POST, "/documents/{id}/delete",          DOCUMENTS,         post(documents::delete)),
        route(Method::GET,  "/api/v1/me/personal-data",        RegisterData,      get(api::me::personal_data)),
        route(Method::GET,  "/api/v1/me/identity-documents",   RegisterData,      get(api::me::identity_documents)),
        route(Method::GET,  "/api/v1/me/driver",               RegisterData,      get(api::me::driver)),
        route(Method::GET,  "/api/v1/me/vehicles",             RegisterData,      get(api::me::vehicles)),
        route(Method::GET,  "/api/v1/me/trade-licences",       RegisterData,      get(api::me::trade_licences)),
        route(Method::GET,  "/api/v1/me/data-usage",           RegisterData,      get(api::me::data_usage)),
        route(Method::GET,  "/api/v1/{document}",              Public,            get(api::document)),
        route(Method::GET,  "/api/v1/records/unregistered",    RecordsClient,     get(api::records::unregistered)),
        route(Method::GET,  "/api/v1/records/submissions/{id}", RecordsClient,    get(api::records::submission)),
        route(Method::GET,  "/api/v1/records/submissions/{id}/documents/{document}", RecordsClient, get(api::records::document)),
        route(Method::PUT,  "/api/v1/records/submissions/{id}/registration", RecordsClient, put(api::records::register)),
        route(Method::POST, "/api/v1/records/submissions/{id}/state-changes", RecordsClient, post(api::records::push_state)),
        route(Method::GET,  "/account",                        Citizen(Loa::Low), get(account::page)),
        route(Method::POST, "/account/means/unlink",           Citizen(Loa::Low), post(account::unlink)),
        route(Method::POST, "/account/sessions/end-others",    Citizen(Loa::Low), post(account::end_other_sessions)),
        route(Method::GET,  "/account/delete",                 Citizen(Loa::Low), get(account::delete_page)),
        route(Method::POST, "/account/delete",                 Citizen(Loa::Low), post(account::delete)),
        route(Method::GET,  "/me/contacts",                    Citizen(Loa::Low), get(contacts::page)),
        route(Method::POST, "/me/contacts/email",              Citizen(Loa::Low), post(contacts::start_email)),
        route(Method::POST, "/me/contacts/phone",              Citizen(Loa::Low), post(contacts::start_phone)),
        route(Method::POST, "/me/contacts/verify",             Citizen(Loa::Low), post(contacts::verify)),
        route(Method::POST, "/me/contacts/resend",             Citizen(Loa::Low), post(contacts::resend)),
        route(Method::POST, "/me/contacts/remove",             Citizen(Loa::Low), post(contacts::remove)),
        route(Method::GET,  "/office/login",                   Public,            get(password_login::staff_page)),
        route(Method::POST, "/office/login",                   Public,            post(password_login::staff_submit)),
        route(Method::GET,  "/office/login/code",              Public,            get(password_login::staff_code_page)),
        route(Method::POST, "/office/login/code",              Public,            post(password_login::staff_code_submit)),
        route(Method::GET,  "/office/login/setup",             Public,            get(password_login::staff_setup_page)),
        route(Method::POST, "/office/login/setup",             Public,            post(password_login::staff_setup_submit)),
        route(Method::GET,  "/office/login/oidc/{provider}",   Public,            get(office::login::start)),
        route(Method::GET,  "/office/login/oidc/{provider}/callback", Public,     get(office::login::callback)),
        route(Method::GET,  "/office",                         Staff(Office),     get(office::home)),
        route(Method::GET,  "/office/staff",                   Staff(ManageStaff), get(staff::list)),
        route(Method::GET,  "/office/staff/new",               Staff(ManageStaff), get(staff::new_page)),
        route(Method::POST, "/office/staff/new",               Staff(ManageStaff), post(staff::create)),
        route(Method::GET,  "/office/staff/{id}",              Staff(ManageStaff), get(staff::detail)),
        route(Method::POST, "/office/staff/{id}/grants",       Staff(ChangeGrants), post(staff::change_grants)),
        route(Method::POST, "/office/staff/{id}/status",       Staff(ChangeGrants), post(staff::change_status)),
        route(Method::POST, "/office/staff/{id}/password",     Staff(ChangeGrants), post(staff::reset_password)),
        route(Method::POST, "/office/staff/{id}/oidc",         Staff(ChangeGrants), post(staff::link_oidc)),
        route(Method::GET,  "/office/organisation",            Staff(ManageOrganisation), get(organisation::page)),
        route(Method::POST, "/office/organisation/departments", Staff(ManageOrganisation), post(organisation::create_department)),
        route(Method::POST, "/office/organisation/agendas",    Staff(ManageOrganisation), post(organisation::create_agenda)),
        route(Method::GET,  "/office/organisation/integrations", Staff(ManageOrganisation), get(integrations::page)),
        route(Method::POST, "/office/organisation/integrations", Staff(ManageOrganisation), post(integrations::create)),
        route(Method::POST, "/office/organisation/integrations/{id}/revoke", Staff(ManageOrganisation), post(integrations::revoke)),
        route(Method::GET,  "/office/audit",                   Staff(ReadAudit),  get(audit::page)),
        route(Method::GET,  "/office/register",                Staff(RegisterCitizens), get(registration::page)),
        route(Method::POST, "/office/register",                Staff(RegisterCitizens), post(registration::submit)),
        route(Method::GET,  "/office/agendas/{agenda}",        Staff(WorkAgenda), get(agenda::page)),
        route(Method::GET,  "/office/agendas/{agenda}/submissions/{id}", Staff(WorkAgenda), get(agenda::submission)),
        upload(             "/office/agendas/{agenda}/submissions/{id}/steps", Staff(WorkAgenda), post(agenda::work)),
        route(Method::GET,  "/office/agendas/{agenda}/submissions/{id}/documents/{document}", Staff(WorkAgenda), get(agenda::document)),
        route(Method::POST, "/office/agendas/{agenda}/submissions/{id}/assign", Staff(WorkAgenda), post(agenda::assign)),
        route(Method::GET,  "/office/records",                 RECORDS,           get(records::list)),
        route(Method::POST, "/office/records",                 RECORDS,           post(records::open)),
        route(Method::GET,  "/office/records/disposal",        RECORDS,           get(records::disposal)),
        route(Method::POST, "/office/records/disposal",        RECORDS,           post(records::propose)),
        route(Method::GET,  "/office/records/disposal/{id}",   RECORDS,           get(records::proposal)),
        route(Method::POST, "/office/records/disposal/{id}/approve", RECORDS,     post(records::approve)),
        route(Method::POST, "/office/records/disposal/{id}/reject", RECORDS,      post(records::reject)),
        route(Method::GET,  "/office/records/{id}",            RECORDS,           get(records::detail)),
        upload(             "/office/records/{id}/documents",  RECORDS,           post(records::file_document)),
        route(Method::GET,  "/office/records/{id}/documents/{document}", RECORDS, get(records::download)),
        route(Method::GET,  "/office/records/{id}/export",     RECORDS,           get(records::export)),
        route(Method::POST, "/office/records/{id}/close",      RECORDS,           post(records::close)),
        route(Method::POST, "/office/records/{id}/hold",       RECORDS,           post(records::place_hold)),
        route(Method::POST, "/office/records/{id}/release",    RECORDS,           post(records::release_hold)),
        route(Method::GET,  "/lang/{tag}",                     Public,            get(language::switch)),
        route(Method::GET,  "/accessibility",                  Public,            get(accessibility::page)),
        route(Method::GET,  "/forms",                          Public,            get(forms::catalogue)),
        route(Method::GET,  "/forms/{id}",                     Public,            get(forms::info)),
        route(Method::POST, "/forms/{id}/drafts",              Form,              post(fill::start)),
        route(Method::GET,  "/forms/{id}/drafts/{draft}",      Form,              get(fill::resume)),
        route(Method::GET,  "/forms/{id}/drafts/{draft}/steps/{step}", Form,      get(fill::step_page)),
        upload(             "/forms/{id}/drafts/{draft}/steps/{step}", Form,      post(fill::step_submit)),
        route(Method::GET,  "/forms/{id}/drafts/{draft}/review", Form,            get(fill::review)),
        route(Method::POST, "/forms/{id}/drafts/{draft}/submit", Form,            post(fill::submit)),
        route(Method::POST, "/forms/{id}/drafts/{draft}/delete", Form,            post(fill::delete)),
        route(Method::GET,  "/submissions",                    SUBMISSIONS,       get(submissions::list)),
        route(Method::GET,  "/submissions/{id}",               SUBMISSIONS,       get(submissions::detail)),
        route(Method::GET,  "/submissions/{id}/receipt",       SUBMISSIONS,       get(submissions::receipt)),
        route(Method::POST, "/submissions/{id}/withdraw",      SUBMISSIONS,       post(submissions::withdraw)),
        upload(             "/submissions/{id}/reply",         SUBMISSIONS,       post(submissions::reply)),
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
