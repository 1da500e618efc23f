//! The authorization matrix: every route of the portal, as every kind of
//! visitor, against the access the route table declares. A new route enters
//! this test by existing; a path parameter without a sample value fails it.
//! Who may use a staff route is written out here, independently of the
//! policy module that the handlers ask. The records management's routes
//! admit its bearer token only, and only to its agendas' submissions.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use jiff::Timestamp;
use obcan_core::audit::{Action, Actor, AuditEvent};
use obcan_core::citizen::PersonName;
use obcan_core::identity::{Assertion, Loa, ProviderId, Subject};
use obcan_core::staff::{AgendaId, DepartmentId, Label, Role};
use obcan_store::{GrantChange, NewSession, NewStaffSession};
use obcan_web::{Access, StaffAccess, routes};
use sha2::{Digest, Sha256};

use crate::support::TestApp;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Visitor {
    Anonymous,
    Citizen(Loa),
    /// A staff member with this one role; an official's scope is one agenda.
    Staff(Role),
    /// The office's records management, by the bearer token of a client
    /// serving the official's agenda; no session.
    Client,
}

/// The office's structure every matrix portal has: one department with the
/// official's agenda and another agenda, and a colleague to administer.
struct Office {
    agenda: AgendaId,
    colleague: String,
    /// The bearer token of the records client serving the official's agenda.
    token: String,
}

async fn office(app: &TestApp) -> Office {
    let now = app.state.now();
    let event = |action| AuditEvent::new(now, Actor::System, action);
    let organisation = app.state.store.organisation();
    let department = DepartmentId::random();
    organisation
        .create_department(
            department,
            &Label::parse("Odbor").unwrap(),
            now,
            &event(Action::DepartmentCreated),
        )
        .await
        .unwrap()
        .unwrap();
    let agenda = AgendaId::random();
    for (id, name, key) in [
        (agenda, "Moje agenda", "poplatek-ze-psu"),
        (AgendaId::random(), "Cizí agenda", "mistni-poplatky"),
    ] {
        organisation
            .create_agenda(
                id,
                department,
                &Label::parse(name).unwrap(),
                obcan_core::staff::AgendaKey::parse(key).as_ref(),
                now,
                &event(Action::AgendaCreated),
            )
            .await
            .unwrap()
            .unwrap();
    }
    let (colleague, _) = app.staff("matrix.colleague", &[]).await;
    let (_, token, _) = obcan_store::testing::integration_client(
        &app.state.store,
        "Spisová služba",
        &["poplatek-ze-psu"],
        None,
        now,
    )
    .await
    .unwrap();
    Office {
        agenda,
        colleague: colleague.to_string(),
        token: token.as_str().to_owned(),
    }
}

/// Who the visitor is in the database, so that their session can be
/// planted again before each request (a route may end it: `/logout`).
#[derive(Debug, Clone, Copy)]
enum Seat {
    Anonymous,
    Citizen(obcan_core::citizen::CitizenId, Loa),
    Staff(obcan_core::staff::StaffId),
}

/// Gives the visitor their session: stored directly, as a login stores it.
async fn sit(app: &mut TestApp, seat: Seat) {
    let far = Timestamp::from_second(4_000_000_000).unwrap();
    let now = app.state.now();
    let token = format!("{:x<43}", "matrix-seat-");
    let id_hash: String = Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let sessions = app.state.store.sessions();
    match seat {
        Seat::Anonymous => {
            app.cookies.clear();
            app.get("/login/demo").await;
            return;
        }
        Seat::Citizen(id, loa) => {
            let session = NewSession {
                id_hash: &id_hash,
                citizen: Some((id, loa, "matrix")),
                created_at: now,
                expires_at: far,
                client: obcan_store::Client::default(),
                provider_logout: None,
            };
            sessions.replace(Some(&id_hash), &session).await.unwrap();
        }
        Seat::Staff(id) => {
            let session = NewStaffSession {
                id_hash: &id_hash,
                staff: id,
                provider: "local",
                created_at: now,
                expires_at: far,
            };
            sessions
                .replace_with_staff(Some(&id_hash), &session)
                .await
                .unwrap();
        }
    }
    app.cookies.insert("obcan_session".into(), token);
}

/// A visitor of this kind in a portal with an office (see `office`).
async fn as_visitor(visitor: Visitor) -> (TestApp, Office, Seat) {
    let mut app = TestApp::with_config(|config| {
        config.http.public_url = "http://portal.test".into();
        // A provider that never answers: its routes exist, its logins fail.
        config.identity.oidc = vec![obcan::config::OidcProviderConfig {
            id: "test".into(),
            preset: obcan::config::OidcPreset::Generic,
            label: "Test".into(),
            label_en: String::new(),
            issuer: "http://127.0.0.1:1".into(),
            client_id: "obcan".into(),
            client_secret: obcan::config::Secret::new("secret"),
            scopes: Vec::new(),
            default_loa: None,
            acr_loa: Default::default(),
            discovery_url: String::new(),
            decryption_key: Default::default(),
            min_loa: None,
            sector: Default::default(),
            register_match: None,
            timeout_seconds: 1,
        }];
        config.staff.oidc = config.identity.oidc.clone();
        config.identity.saml = vec![crate::support::saml_provider(
            "http://127.0.0.1:1/metadata",
            Loa::Substantial,
        )];
    })
    .await;
    let office = office(&app).await;
    let seat = match visitor {
        Visitor::Anonymous | Visitor::Client => Seat::Anonymous,
        Visitor::Staff(role) => {
            let (id, _) = app.staff(&format!("matrix.{role}"), &[role]).await;
            if role == Role::Official {
                let event = AuditEvent::new(app.state.now(), Actor::System, Action::ScopeGranted);
                app.state
                    .store
                    .staff()
                    .change_grants(
                        id,
                        GrantChange::AddAgenda(office.agenda),
                        app.state.now(),
                        &event,
                    )
                    .await
                    .unwrap();
            }
            Seat::Staff(id)
        }
        Visitor::Citizen(loa) => {
            let assertion = Assertion {
                provider: ProviderId::parse("matrix").unwrap(),
                subject: Subject::parse(&format!("matrix-{loa}")).unwrap(),
                name: PersonName::new("Matice", "Oprávnění").unwrap(),
                birth_date: None,
                address: None,
                email: None,
                loa,
            };
            let citizen = app
                .state
                .store
                .citizens()
                .log_in(&assertion, app.state.now())
                .await
                .unwrap();
            Seat::Citizen(citizen.id, loa)
        }
    };
    sit(&mut app, seat).await;
    (app, office, seat)
}

/// A concrete address for a route pattern.
async fn sample_path(app: &mut TestApp, office: &Office, pattern: &str) -> String {
    let home = app.get("/").await.body;
    let linked = |prefix: &str| {
        let start = home.find(prefix).unwrap();
        home[start..start + home[start..].find('"').unwrap()].to_owned()
    };
    match pattern {
        "/login/oidc/{provider}" => "/login/oidc/test".into(),
        "/login/oidc/{provider}/callback" => "/login/oidc/test/callback?code=c&state=s".into(),
        "/login/saml/{provider}" => "/login/saml/nia".into(),
        "/login/saml/{provider}/metadata" => "/login/saml/nia/metadata".into(),
        "/login/saml/{provider}/acs" => "/login/saml/nia/acs".into(),
        "/login/saml/{provider}/finish" => "/login/saml/nia/finish?RelayState=r".into(),
        "/login/saml/{provider}/slo" => "/login/saml/nia/slo".into(),
        "/lang/{tag}" => "/lang/en?next=%2F".into(),
        "/api/v1/{document}" => "/api/v1/openapi.yaml".into(),
        // Nobody's submission and document.
        pattern if pattern.starts_with("/api/v1/records/") => pattern
            .replace("{id}", "00000000-0000-4000-8000-000000000000")
            .replace("{document}", "00000000-0000-4000-8000-000000000000"),
        // Nobody's extract: the route's access is what is tested here.
        "/me/extracts/{id}" => "/me/extracts/00000000-0000-4000-8000-000000000000".into(),
        pattern if pattern.starts_with("/documents/{id}") => {
            pattern.replace("{id}", "00000000-0000-4000-8000-000000000000")
        }
        "/forms/{id}" => "/forms/prihlaseni-psa".into(),
        // A form that needs a substantial login; nobody's draft.
        pattern if pattern.starts_with("/forms/{id}/") => pattern
            .replace("{id}", "prihlaseni-psa")
            .replace("{draft}", "00000000-0000-4000-8000-000000000000")
            .replace("{step}", "0"),
        // Nobody's submission.
        pattern if pattern.starts_with("/submissions/{id}") => {
            pattern.replace("{id}", "00000000-0000-4000-8000-000000000000")
        }
        "/assets/{file}" => linked("/assets/obcan."),
        "/branding/{file}" => linked("/branding/theme."),
        "/office/login/oidc/{provider}" => "/office/login/oidc/test".into(),
        "/office/login/oidc/{provider}/callback" => {
            "/office/login/oidc/test/callback?code=c&state=s".into()
        }
        "/office/agendas/{agenda}" => format!("/office/agendas/{}", office.agenda),
        // Nobody's submission, in the official's agenda.
        pattern if pattern.starts_with("/office/agendas/{agenda}/") => pattern
            .replace("{agenda}", &office.agenda.to_string())
            .replace("{id}", "00000000-0000-4000-8000-000000000000")
            .replace("{document}", "00000000-0000-4000-8000-000000000000"),
        // No such file or proposal: the route's access is what is tested here.
        pattern if pattern.starts_with("/office/records/") => pattern
            .replace("{id}", "00000000-0000-4000-8000-000000000000")
            .replace("{document}", "00000000-0000-4000-8000-000000000000"),
        // No such client: the route's access is what is tested here.
        pattern if pattern.starts_with("/office/organisation/integrations/{id}") => {
            pattern.replace("{id}", "00000000-0000-4000-8000-000000000000")
        }
        pattern if pattern.starts_with("/office/staff/{id}") => {
            pattern.replace("{id}", &office.colleague)
        }
        pattern if pattern.contains('{') => {
            panic!("the authorization matrix needs a sample value for {pattern}")
        }
        pattern => pattern.into(),
    }
}

/// Passed authorization: neither sent to log in nor refused as forbidden
/// (nor, by the API, as unauthenticated).
fn admitted(status: StatusCode, location: &str) -> bool {
    !(status == StatusCode::FORBIDDEN
        || status == StatusCode::UNAUTHORIZED
        || (status == StatusCode::SEE_OTHER
            && (location.starts_with("/login?") || location.starts_with("/office/login?"))))
}

/// Who may use a route, written out for each kind of visitor.
fn may_use(access: Access, visitor: Visitor) -> bool {
    match (access, visitor) {
        (Access::Public | Access::IdentityProviderPost, _) => true,
        (Access::RecordsClient, visitor) => visitor == Visitor::Client,
        (Access::Citizen(needed), Visitor::Citizen(loa)) => loa >= needed,
        // The default configuration's `registers.min_loa`.
        (Access::RegisterData, Visitor::Citizen(loa)) => loa >= Loa::Substantial,
        // The sample form, "prihlaseni-psa", needs a substantial login.
        (Access::Form, Visitor::Citizen(loa)) => loa >= Loa::Substantial,
        (
            Access::Citizen(_) | Access::RegisterData | Access::Form,
            Visitor::Anonymous | Visitor::Staff(_) | Visitor::Client,
        ) => false,
        (Access::Staff(needed), Visitor::Staff(role)) => match needed {
            StaffAccess::Office => true,
            StaffAccess::ManageStaff
            | StaffAccess::ChangeGrants
            | StaffAccess::ManageOrganisation => role == Role::Administrator,
            StaffAccess::ReadAudit => role == Role::Auditor,
            StaffAccess::ManageRecords => role == Role::RecordsManager,
            StaffAccess::RegisterCitizens | StaffAccess::WorkAgenda => role == Role::Official,
        },
        (Access::Staff(_), Visitor::Anonymous | Visitor::Citizen(_) | Visitor::Client) => false,
    }
}

#[tokio::test]
async fn every_route_admits_exactly_whom_the_table_says() {
    let visitors = [
        Visitor::Anonymous,
        Visitor::Citizen(Loa::Low),
        Visitor::Citizen(Loa::Substantial),
        Visitor::Citizen(Loa::High),
        Visitor::Staff(Role::Administrator),
        Visitor::Staff(Role::Official),
        Visitor::Staff(Role::Auditor),
        Visitor::Staff(Role::RecordsManager),
        Visitor::Client,
    ];
    let mut checked = 0;
    for visitor in visitors {
        let (mut app, office, seat) = as_visitor(visitor).await;
        for route in routes() {
            sit(&mut app, seat).await;
            let path = sample_path(&mut app, &office, route.path).await;
            let token = app.get("/login/demo").await.csrf_token().unwrap();
            let mut request = app.builder(route.method.clone(), &path);
            if route.method != Method::GET {
                request = request.header("x-csrf-token", token);
            }
            if visitor == Visitor::Client {
                request = request.header("authorization", format!("Bearer {}", office.token));
            }
            let response = app.request(request.body(Body::empty()).unwrap()).await;
            assert_eq!(
                admitted(response.status, response.location()),
                may_use(route.access, visitor),
                "{} {} as {visitor:?}: {} {}",
                route.method,
                route.path,
                response.status,
                response.location()
            );
            checked += 1;
        }
    }
    assert_eq!(checked, routes().len() * visitors.len());
}

#[tokio::test]
async fn citizen_routes_send_the_anonymous_to_login_and_back() {
    for route in routes().into_iter().filter(|route| {
        matches!(
            route.access,
            Access::Citizen(_) | Access::RegisterData | Access::Form
        )
    }) {
        if route.path.starts_with("/api/") {
            // The API answers 401 instead: see my_data.rs.
            continue;
        }
        let (mut app, office, _) = as_visitor(Visitor::Anonymous).await;
        let path = sample_path(&mut app, &office, route.path).await;
        let token = app.get("/login/demo").await.csrf_token().unwrap();
        let request = app
            .builder(route.method.clone(), &path)
            .header("x-csrf-token", token)
            .body(Body::empty())
            .unwrap();
        let response = app.request(request).await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", route.path);
        let next = serde_urlencoded::to_string([("next", path.as_str())]).unwrap();
        assert_eq!(
            response.location(),
            format!("/login?{next}"),
            "{}",
            route.path
        );
    }
}

#[tokio::test]
async fn staff_routes_send_the_anonymous_and_citizens_to_the_office_login_and_back() {
    for visitor in [Visitor::Anonymous, Visitor::Citizen(Loa::High)] {
        let (mut app, office, _) = as_visitor(visitor).await;
        for route in routes()
            .into_iter()
            .filter(|route| matches!(route.access, Access::Staff(_)) && route.method == Method::GET)
        {
            let path = sample_path(&mut app, &office, route.path).await;
            let response = app.get(&path).await;
            let next = serde_urlencoded::to_string([("next", path.as_str())]).unwrap();
            assert_eq!(
                response.location(),
                format!("/office/login?{next}"),
                "{} as {visitor:?}",
                route.path
            );
        }
    }
}

#[tokio::test]
async fn a_records_client_sees_only_its_own_agendas_submissions() {
    use obcan_core::forms::{Answers, BUILT_IN, FormDefinition};
    let (mut app, office, _) = as_visitor(Visitor::Anonymous).await;
    let store = app.state.store.clone();
    let now = app.state.now();
    // A submission to the other agenda, whose own client sees it.
    let (_, own_token, _) = obcan_store::testing::integration_client(
        &store,
        "Spisová služba poplatků",
        &["mistni-poplatky"],
        None,
        now,
    )
    .await
    .unwrap();
    let citizen = obcan_store::testing::citizen(&store, "matrix-filer", now)
        .await
        .unwrap();
    let form = BUILT_IN
        .iter()
        .map(|(_, text)| FormDefinition::parse(text).unwrap())
        .find(|form| form.agenda.as_str() == "mistni-poplatky")
        .unwrap();
    let receipt = obcan_store::testing::filed(&store, &citizen, &form, &Answers::default(), now)
        .await
        .unwrap();
    let records_routes: Vec<_> = routes()
        .into_iter()
        .filter(|route| route.access == Access::RecordsClient)
        .collect();
    assert_eq!(records_routes.len(), 5);
    for (token, own) in [
        (&office.token, false),
        (&own_token.as_str().to_owned(), true),
    ] {
        for route in &records_routes {
            let path = route
                .path
                .replace("{id}", &receipt.id.to_string())
                .replace("{document}", "00000000-0000-4000-8000-000000000000");
            let request = app
                .builder(route.method.clone(), &path)
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/json")
                .header("idempotency-key", "matrix")
                .body(Body::from(r#"{"number":"MATRIX/1","state":"in_progress"}"#))
                .unwrap();
            let response = app.request(request).await;
            let unregistered = route.path.ends_with("/unregistered");
            if own || unregistered {
                assert_ne!(response.status, StatusCode::UNAUTHORIZED, "{}", route.path);
            } else {
                assert_eq!(
                    response.status,
                    StatusCode::NOT_FOUND,
                    "another agenda's submission through {} {}: {}",
                    route.method,
                    route.path,
                    response.body
                );
                assert_eq!(
                    response.header("content-type"),
                    Some("application/problem+json")
                );
            }
            if unregistered {
                assert_eq!(
                    response.body.contains(&receipt.id.to_string()),
                    own,
                    "{}",
                    response.body
                );
            }
        }
    }
}
