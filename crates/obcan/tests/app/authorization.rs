//! The authorization matrix: every route of the portal, as every kind of
//! visitor, against the access the route table declares. A new route enters
//! this test by existing; a path parameter without a sample value fails it.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use jiff::Timestamp;
use obcan_core::citizen::PersonName;
use obcan_core::identity::{Assertion, Loa, ProviderId, Subject};
use obcan_store::NewSession;
use obcan_web::{Access, routes};
use sha2::{Digest, Sha256};

use crate::support::TestApp;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Visitor {
    Anonymous,
    Citizen(Loa),
}

/// A visitor of this kind: a session cookie, logged in at `loa` if a citizen.
async fn as_visitor(visitor: Visitor) -> TestApp {
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
            timeout_seconds: 1,
        }];
        config.identity.saml = vec![crate::support::saml_provider(
            "http://127.0.0.1:1/metadata",
            Loa::Substantial,
        )];
    })
    .await;
    match visitor {
        Visitor::Anonymous => {
            app.get("/login/demo").await;
        }
        Visitor::Citizen(loa) => {
            let now = Timestamp::from_second(2_000_000_000).unwrap();
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
                .log_in(&assertion, now)
                .await
                .unwrap();
            let token = format!("{:x<43}", format!("matrix-{loa}-"));
            let id_hash: String = Sha256::digest(token.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            let far = Timestamp::from_second(4_000_000_000).unwrap();
            let session = NewSession {
                id_hash: &id_hash,
                citizen: Some((citizen.id, loa, "matrix")),
                created_at: Timestamp::try_from(std::time::SystemTime::now()).unwrap(),
                expires_at: far,
                client: obcan_store::Client::default(),
                provider_logout: None,
            };
            app.state.store.sessions().insert(&session).await.unwrap();
            app.cookies.insert("obcan_session".into(), token);
        }
    }
    app
}

/// A concrete address for a route pattern.
async fn sample_path(app: &mut TestApp, pattern: &str) -> String {
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
        "/assets/{file}" => linked("/assets/obcan."),
        "/branding/{file}" => linked("/branding/theme."),
        pattern if pattern.contains('{') => {
            panic!("the authorization matrix needs a sample value for {pattern}")
        }
        pattern => pattern.into(),
    }
}

/// Passed authorization: neither sent to log in nor refused as forbidden.
fn admitted(status: StatusCode, location: &str) -> bool {
    !(status == StatusCode::FORBIDDEN
        || (status == StatusCode::SEE_OTHER && location.starts_with("/login?")))
}

#[tokio::test]
async fn every_route_admits_exactly_whom_the_table_says() {
    let visitors = [
        Visitor::Anonymous,
        Visitor::Citizen(Loa::Low),
        Visitor::Citizen(Loa::Substantial),
        Visitor::Citizen(Loa::High),
    ];
    let mut checked = 0;
    for route in routes() {
        for visitor in visitors {
            let mut app = as_visitor(visitor).await;
            let path = sample_path(&mut app, route.path).await;
            let token = app.get("/login/demo").await.csrf_token().unwrap();
            let mut request = app.builder(route.method.clone(), &path);
            if route.method != Method::GET {
                request = request.header("x-csrf-token", token);
            }
            let response = app.request(request.body(Body::empty()).unwrap()).await;
            let expected = match (route.access, visitor) {
                (Access::Public | Access::IdentityProviderPost, _) => true,
                (Access::Citizen(_), Visitor::Anonymous) => false,
                (Access::Citizen(needed), Visitor::Citizen(loa)) => loa >= needed,
            };
            assert_eq!(
                admitted(response.status, response.location()),
                expected,
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
    for route in routes()
        .into_iter()
        .filter(|route| matches!(route.access, Access::Citizen(_)))
    {
        let mut app = as_visitor(Visitor::Anonymous).await;
        let path = sample_path(&mut app, route.path).await;
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
