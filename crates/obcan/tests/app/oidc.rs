//! Login through a real OpenID provider (npm `oidc-provider`, started here on
//! loopback): the portal's side runs in-process, the person's browser is a
//! cookie-keeping HTTP client that fills in the provider's login and consent.

use std::process::Stdio;
use std::time::Duration;

use axum::http::StatusCode;
use obcan::config::{OidcPreset, OidcProviderConfig, Secret};
use obcan_connect::identity::oidc::OidcProvider;
use obcan_web::Means;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::support::TestApp;

pub const PUBLIC_URL: &str = "http://portal.test";
pub const REDIRECT_URI: &str = "http://portal.test/login/oidc/test/callback";
/// Where the real provider lets RP-initiated logout return: the site's root.
const POST_LOGOUT_REDIRECT_URI: &str = "http://portal.test/";
/// The citizens' and the staff's return addresses, as the provider knows them.
const PROVIDER_REDIRECT_URIS: &str = "http://portal.test/login/oidc/test/callback,http://portal.test/office/login/oidc/test/callback";

pub struct TestProvider {
    /// What the provider announced when ready: its issuer, or where its
    /// discovery document is when that is not under the issuer.
    pub address: String,
    _process: Child,
}

impl TestProvider {
    /// The real provider.
    async fn start() -> Self {
        Self::run("provider.mjs", &[]).await
    }

    /// The faulty one, tampering as `mode` says.
    async fn tampering(mode: &str) -> Self {
        Self::run("tampering.mjs", &[("MODE", mode)]).await
    }

    pub async fn run(script: &str, env: &[(&str, &str)]) -> Self {
        let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/oidc-provider");
        assert!(
            std::path::Path::new(folder)
                .join("node_modules/oidc-provider")
                .is_dir(),
            "run `npm ci` in tests/oidc-provider first (scripts/test does)"
        );
        // A free port is only free until someone takes it: tests run in
        // parallel, so a port taken in between means a new port, not a failure.
        for _ in 0..5 {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let mut process = Command::new("node")
                .arg(script)
                .envs(env.iter().copied())
                .current_dir(folder)
                .env("PORT", port.to_string())
                .env("CLIENT_ID", "obcan")
                .env("CLIENT_SECRET", "test-client-secret")
                .env("REDIRECT_URI", PROVIDER_REDIRECT_URIS)
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .kill_on_drop(true)
                .spawn()
                .unwrap();
            let mut lines = BufReader::new(process.stdout.take().unwrap()).lines();
            let ready = tokio::time::timeout(Duration::from_secs(20), async {
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(address) = line.strip_prefix("ready ") {
                        return Some(address.to_owned());
                    }
                }
                None // exited without listening: the port was taken
            })
            .await
            .expect("the provider starts within 20 s");
            if let Some(address) = ready {
                // Keep reading: a closed pipe would kill the provider at its next line.
                tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
                return Self {
                    address,
                    _process: process,
                };
            }
        }
        panic!("the test OpenID provider did not start");
    }

    fn config(&self) -> OidcProviderConfig {
        provider_config(&self.address)
    }
}

fn provider_config(issuer: &str) -> OidcProviderConfig {
    OidcProviderConfig {
        id: "test".into(),
        preset: OidcPreset::Generic,
        label: "Testovací identita".into(),
        label_en: "Test identity".into(),
        issuer: issuer.into(),
        client_id: "obcan".into(),
        client_secret: Secret::new("test-client-secret"),
        scopes: vec!["openid".into(), "profile".into(), "email".into()],
        default_loa: None,
        acr_loa: Default::default(),
        discovery_url: String::new(),
        decryption_key: Default::default(),
        min_loa: None,
        sector: Default::default(),
        register_match: None,
        timeout_seconds: 5,
    }
}

pub async fn app_with(provider: OidcProviderConfig) -> TestApp {
    TestApp::with_config(|config| {
        config.http.public_url = PUBLIC_URL.into();
        config.identity.oidc = vec![provider];
    })
    .await
}

/// The person's browser at the provider: follows redirects and submits the
/// provider's forms (login as `account`, then consent) until the provider
/// sends them back to the portal; returns that address's path and query.
pub async fn at_provider(authorization_url: &str, account: &str) -> String {
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut response = browser.get(authorization_url).send().await.unwrap();
    for _ in 0..10 {
        if let Some(location) = response.headers().get("location") {
            let location = response
                .url()
                .join(location.to_str().unwrap())
                .unwrap()
                .to_string();
            if let Some(back) = location.strip_prefix(PUBLIC_URL) {
                return back.to_owned();
            }
            response = browser.get(&location).send().await.unwrap();
            continue;
        }
        let page = response.text().await.unwrap();
        let action = attribute(&page, "action=\"").expect("an interaction form");
        let mut fields: Vec<(String, String)> = Vec::new();
        for input in page.split("<input").skip(1) {
            if let (Some(name), Some(value)) =
                (attribute(input, "name=\""), attribute(input, "value=\""))
            {
                fields.push((name, value));
            }
        }
        if page.contains("name=\"login\"") {
            fields.push(("login".into(), account.into()));
            fields.push(("password".into(), "any".into()));
        }
        response = browser.post(&action).form(&fields).send().await.unwrap();
    }
    panic!("the provider never sent the person back");
}

fn attribute(html: &str, prefix: &str) -> Option<String> {
    let start = html.find(prefix)? + prefix.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}

pub async fn start_login(app: &mut TestApp) -> String {
    let start = app.get("/login/oidc/test?next=%2Fdashboard").await;
    assert_eq!(start.status, StatusCode::SEE_OTHER, "{}", start.body);
    start.location().to_owned()
}

#[tokio::test]
async fn a_citizen_logs_in_through_the_provider() {
    let provider = TestProvider::start().await;
    let mut app = app_with(provider.config()).await;

    let login_page = app.get("/login").await;
    assert!(login_page.body.contains("Testovací identita"));
    assert!(
        login_page
            .body
            .contains("/login/oidc/test?next=%2Fdashboard")
    );

    let authorization_url = start_login(&mut app).await;
    assert!(authorization_url.starts_with(&provider.address));
    assert!(
        authorization_url.contains("code_challenge_method=S256"),
        "PKCE"
    );
    assert!(authorization_url.contains("nonce="));
    assert!(
        authorization_url.contains("prompt=login"),
        "authenticated every time"
    );

    let back = at_provider(&authorization_url, "jana").await;
    let done = app.get(&back).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/dashboard");
    let dashboard = app.get("/dashboard").await;
    assert!(dashboard.body.contains("Dobrý den, Jana Dvořáková"));
    assert!(
        dashboard.body.contains("nízká"),
        "a generic provider asserts LoA low"
    );

    // Logging out ends the session here, then hands the person over to the
    // provider's end-session endpoint, naming the login and the way back.
    let logout = app.post_form("/dashboard", "/logout", &[]).await;
    assert_eq!(logout.status, StatusCode::OK, "the hand-over page");
    assert_eq!(
        app.get("/dashboard").await.status,
        StatusCode::SEE_OTHER,
        "logged out here"
    );
    let action = attribute(&logout.body, "action=\"").unwrap();
    assert!(action.starts_with(&provider.address), "{action}");
    assert!(logout.body.contains("name=\"id_token_hint\""));
    assert!(logout.body.contains("method=\"get\""));
    let csp = logout.header("content-security-policy").unwrap();
    assert!(
        csp.contains(&format!("form-action 'self' {}", provider.address)),
        "{csp}"
    );

    // The same person again: the same account.
    let again = at_provider(&start_login(&mut app).await, "jana").await;
    assert_eq!(app.get(&again).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_replayed_return_is_refused() {
    let provider = TestProvider::start().await;
    let mut app = app_with(provider.config()).await;
    let back = at_provider(&start_login(&mut app).await, "jana").await;
    assert_eq!(app.get(&back).await.status, StatusCode::SEE_OTHER);
    app.post_form("/dashboard", "/logout", &[]).await;

    let replay = app.get(&back).await;
    assert_eq!(replay.status, StatusCode::BAD_REQUEST);
    assert!(replay.body.contains("Přihlášení se nezdařilo"));
    assert_eq!(
        app.get("/dashboard").await.status,
        StatusCode::SEE_OTHER,
        "not logged in"
    );
}

#[tokio::test]
async fn a_return_into_another_browser_is_refused() {
    let provider = TestProvider::start().await;
    let mut victim = app_with(provider.config()).await;
    // An attacker's own login, finished in the victim's browser (login CSRF).
    let mut attacker = TestApp::on_store(victim.state.store.clone(), |config| {
        config.http.public_url = PUBLIC_URL.into();
        config.identity.oidc = vec![provider.config()];
    });
    let back = at_provider(&start_login(&mut attacker).await, "petr").await;
    victim.get("/login/demo").await;
    let response = victim.get(&back).await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(victim.get("/dashboard").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn missing_or_mismatched_state_is_refused_and_creates_nothing() {
    let provider = TestProvider::start().await;
    let mut app = app_with(provider.config()).await;
    let back = at_provider(&start_login(&mut app).await, "jana").await;
    let (path, query) = back.split_once('?').unwrap();
    let without_state: Vec<&str> = query
        .split('&')
        .filter(|p| !p.starts_with("state="))
        .collect();
    let forged: Vec<String> = query
        .split('&')
        .map(|p| {
            if p.starts_with("state=") {
                "state=forged".to_owned()
            } else {
                p.to_owned()
            }
        })
        .collect();
    for attempt in [
        format!("{path}?{}", without_state.join("&")),
        format!("{path}?{}", forged.join("&")),
    ] {
        let response = app.get(&attempt).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{attempt}");
        assert!(response.body.contains("/login"), "offers another means");
    }
    assert_eq!(app.get("/dashboard").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_code_returned_with_another_logins_state_fails_pkce_and_nonce() {
    let provider = TestProvider::start().await;
    let mut app = app_with(provider.config()).await;
    let first = start_login(&mut app).await;
    let second = start_login(&mut app).await;
    let back_first = at_provider(&first, "jana").await;
    let back_second = at_provider(&second, "jana").await;
    // The first login's code with the second login's state.
    let parameter = |back: &str, name: &str| {
        let query = back.split_once('?').unwrap().1;
        query
            .split('&')
            .find(|pair| pair.starts_with(&format!("{name}=")))
            .unwrap()
            .to_owned()
    };
    let mixed = format!(
        "/login/oidc/test/callback?{}&{}",
        parameter(&back_first, "code"),
        parameter(&back_second, "state")
    );
    let response = app.get(&mixed).await;
    assert_eq!(
        response.status,
        StatusCode::BAD_REQUEST,
        "{}",
        response.body
    );
    assert_eq!(app.get("/dashboard").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_error_from_the_provider_ends_on_the_login_failed_page() {
    let provider = TestProvider::start().await;
    let mut app = app_with(provider.config()).await;
    start_login(&mut app).await;
    let response = app
        .get("/login/oidc/test/callback?error=access_denied&error_description=cancelled&state=x")
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert!(response.body.contains("Přihlášení se nezdařilo"));
    assert!(
        !response.body.contains("access_denied"),
        "the reason is logged, not shown"
    );
}

#[tokio::test]
async fn a_person_without_a_name_cannot_log_in() {
    let provider = TestProvider::start().await;
    let mut app = app_with(provider.config()).await;
    let back = at_provider(&start_login(&mut app).await, "nameless").await;
    let response = app.get(&back).await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.get("/dashboard").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_provider_that_is_down_gets_a_clear_page() {
    // Nothing listens on port 1.
    let mut app = app_with(provider_config("http://127.0.0.1:1")).await;
    let response = app.get("/login/oidc/test").await;
    assert_eq!(response.status, StatusCode::BAD_GATEWAY);
    assert!(
        response
            .body
            .contains("Poskytovatel identity teď neodpovídá")
    );
    assert_eq!(
        app.get("/login/oidc/nobody").await.status,
        StatusCode::NOT_FOUND
    );
}

/// Each way an answer can be wrong ends on the "login did not succeed" page
/// (or, for a provider that does not answer, "not answering"), and creates nothing.
#[tokio::test]
async fn tampered_answers_are_refused_and_create_nothing() {
    let cases = [
        ("bad-signature", StatusCode::BAD_REQUEST),
        ("wrong-issuer", StatusCode::BAD_REQUEST),
        ("wrong-audience", StatusCode::BAD_REQUEST),
        ("expired", StatusCode::BAD_REQUEST),
        ("wrong-nonce", StatusCode::BAD_REQUEST),
        ("unsigned", StatusCode::BAD_REQUEST),
        ("no-id-token", StatusCode::BAD_REQUEST),
        ("token-error", StatusCode::BAD_REQUEST),
        ("slow", StatusCode::BAD_GATEWAY),
        // The controls: the same provider, untampered, logs in; also when it
        // has rotated its signing key since the portal fetched its keys.
        ("valid", StatusCode::SEE_OTHER),
        ("rotated", StatusCode::SEE_OTHER),
    ];
    for (mode, expected) in cases {
        let provider = TestProvider::tampering(mode).await;
        let mut config = provider.config();
        config.timeout_seconds = 2;
        let mut app = app_with(config).await;
        let authorization_url = start_login(&mut app).await;
        let back = at_provider(&authorization_url, "any").await;
        let response = app.get(&back).await;
        assert_eq!(response.status, expected, "{mode}: {}", response.body);
        let dashboard = app.get("/dashboard").await.status;
        if expected == StatusCode::SEE_OTHER {
            assert_eq!(dashboard, StatusCode::OK, "{mode}");
        } else {
            assert_eq!(dashboard, StatusCode::SEE_OTHER, "{mode}: not logged in");
            assert!(
                response.body.contains("/login"),
                "{mode}: offers another means"
            );
        }
    }
}

/// The relying party the portal built for the provider `test`.
pub fn relying_party(app: &TestApp) -> &OidcProvider {
    app.state
        .settings
        .logins
        .iter()
        .find_map(|login| match &login.means {
            Means::Oidc(provider) if provider.id().as_str() == "test" => Some(provider.as_ref()),
            _ => None,
        })
        .expect("the provider test is configured")
}

/// The parameter `name` of a URL's query, decoded.
pub fn query_parameter(url: &str, name: &str) -> Option<String> {
    reqwest::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

#[tokio::test]
async fn logout_at_the_provider_names_the_login_and_where_to_return() {
    let provider = TestProvider::start().await;
    let app = app_with(provider.config()).await;
    let relying_party = relying_party(&app);
    let start = relying_party.start(REDIRECT_URI).await.unwrap();
    let back = at_provider(&start.authorization_url, "jana").await;
    let code = query_parameter(&format!("{PUBLIC_URL}{back}"), "code").unwrap();
    let logged_in = relying_party
        .finish(REDIRECT_URI, &code, &start.nonce, &start.pkce_verifier)
        .await
        .unwrap();
    assert_eq!(logged_in.assertion.name.to_string(), "Jana Dvořáková");

    let logout = relying_party
        .logout_url(
            &logged_in.id_token,
            POST_LOGOUT_REDIRECT_URI,
            "logout-state",
        )
        .await
        .unwrap()
        .expect("the provider supports RP-initiated logout");
    assert!(logout.starts_with(&provider.address), "{logout}");
    let parameter = |name| query_parameter(&logout, name);
    assert_eq!(parameter("id_token_hint"), Some(logged_in.id_token.clone()));
    assert_eq!(parameter("client_id").as_deref(), Some("obcan"));
    assert_eq!(
        parameter("post_logout_redirect_uri").as_deref(),
        Some(POST_LOGOUT_REDIRECT_URI)
    );
    assert_eq!(parameter("state").as_deref(), Some("logout-state"));

    // The provider accepts it: it asks the person to confirm, where a hint
    // or return address it did not issue or register gets an error.
    let confirmation = reqwest::get(&logout).await.unwrap();
    assert_eq!(confirmation.status(), StatusCode::OK);
    let page = confirmation.text().await.unwrap();
    assert!(page.contains("logout"), "{page}");
    let foreign = logout.replace("portal.test", "elsewhere.test");
    assert_eq!(
        reqwest::get(&foreign).await.unwrap().status(),
        StatusCode::BAD_REQUEST
    );

    assert!(
        relying_party
            .logout_url("not a token", POST_LOGOUT_REDIRECT_URI, "s")
            .await
            .is_err(),
        "a hint that is no ID token"
    );
}

#[tokio::test]
async fn a_provider_without_an_end_session_endpoint_has_no_logout_address() {
    let provider = TestProvider::tampering("valid").await;
    let app = app_with(provider.config()).await;
    let logout = relying_party(&app)
        .logout_url("any", POST_LOGOUT_REDIRECT_URI, "s")
        .await
        .unwrap();
    assert_eq!(logout, None);
}

/// Staff log in through the office's own provider once an administrator has
/// linked their account there; until then they see its identifier.
#[tokio::test]
async fn staff_log_in_through_the_offices_provider_once_linked() {
    let provider = TestProvider::start().await;
    let mut app = TestApp::with_config(|config| {
        config.http.public_url = PUBLIC_URL.into();
        config.staff.oidc = vec![provider.config()];
    })
    .await;
    let (clerk, _) = app
        .staff("clerk", &[obcan_core::staff::Role::Official])
        .await;

    let login_page = app.get("/office/login").await;
    assert!(
        login_page
            .body
            .contains("href=\"/office/login/oidc/test?next=%2Foffice\"")
    );
    let start = app.get("/office/login/oidc/test?next=%2Foffice").await;
    let back = at_provider(start.location(), "jana").await;
    assert!(
        back.starts_with("/office/login/oidc/test/callback?"),
        "{back}"
    );
    let unlinked = app.get(&back).await;
    assert_eq!(unlinked.status, StatusCode::FORBIDDEN);
    assert!(unlinked.body.contains("Účet zatím není propojen"));
    let subject = unlinked
        .body
        .split("<code class=\"obcan-secret\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap()
        .to_owned();
    assert_eq!(
        app.get("/office").await.status,
        StatusCode::SEE_OTHER,
        "not logged in"
    );

    let mut admin = TestApp::on_store(app.state.store.clone(), |config| {
        config.http.public_url = PUBLIC_URL.into();
        config.staff.oidc = vec![provider.config()];
    });
    admin
        .logged_in_staff("admin", &[obcan_core::staff::Role::Administrator])
        .await;
    let page = format!("/office/staff/{clerk}");
    let linked = admin
        .post_form(
            &page,
            &format!("{page}/oidc"),
            &[("provider", "test"), ("subject", &subject)],
        )
        .await;
    assert_eq!(linked.location(), page, "{}", linked.body);
    assert!(admin.get(&page).await.body.contains(&subject));
    let twice = admin
        .post_form(
            &page,
            &format!("{page}/oidc"),
            &[("provider", "test"), ("subject", &subject)],
        )
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);

    let start = app.get("/office/login/oidc/test?next=%2Foffice").await;
    let back = at_provider(start.location(), "jana").await;
    let done = app.get(&back).await;
    assert_eq!(done.location(), "/office", "{}", done.body);
    let home = app.get("/office").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("clerk"));
    let actions = app.audit_actions().await;
    for expected in ["staff_login_failed", "staff_oidc_linked", "staff_login"] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} in {actions:?}"
        );
    }
}
