//! `TestApp`: the whole portal in-process on a fresh database of the backend
//! `TEST_DATABASE_URL` names, with a cookie jar, CSRF-aware form posts and
//! login as a demo persona.

#![allow(
    dead_code,
    reason = "each test binary uses a different part of the harness"
)]

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt as _;
use obcan::config::{Config, SamlPreset, SamlProviderConfig, SpType};
use obcan_core::credential::TotpSecret;
use obcan_core::identity::Loa;
use obcan_core::registers::MatchRule;
use obcan_core::staff::{LoginName, Role, StaffId};
use obcan_store::testing::TestDatabase;
use obcan_store::{PoolSettings, Store};
use obcan_web::{AppState, Clock};
use tower::ServiceExt as _;

pub const JANA: &str = "CZ/CZ/demo-0001";
pub const PETR: &str = "CZ/CZ/demo-0002";

pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    /// The portal's clock: it stands still until a test moves it.
    pub clock: Clock,
    pub db: Option<TestDatabase>,
    pub cookies: BTreeMap<String, String>,
    /// The client's address as the server would see the connection's peer;
    /// none, as for any in-process request, unless a test sets it.
    pub peer: Option<std::net::SocketAddr>,
    /// The portal's file storage (`storage.path`), e.g. its demo outbox.
    pub files: std::sync::Arc<tempfile::TempDir>,
}

#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    /// The body as it came, for what is not text.
    pub bytes: Vec<u8>,
}

impl TestResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    pub fn location(&self) -> &str {
        self.header("location").unwrap_or_default()
    }

    /// The value of the hidden `_csrf` field of the page's forms.
    pub fn csrf_token(&self) -> Option<String> {
        let start = self.body.find("name=\"_csrf\" value=\"")? + "name=\"_csrf\" value=\"".len();
        let end = self.body[start..].find('"')?;
        Some(self.body[start..start + end].to_owned())
    }
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with_config(|_| {}).await
    }

    /// A portal with the default (demo) configuration changed by `adjust`.
    pub async fn with_config(adjust: impl FnOnce(&mut Config)) -> Self {
        let db = TestDatabase::create().await.expect("test database");
        let store = db.store.clone();
        let mut app = Self::on_store(store, adjust);
        app.db = Some(db);
        app
    }

    /// A portal on an arbitrary store, e.g. one whose database is down.
    pub fn on_store(store: Store, adjust: impl FnOnce(&mut Config)) -> Self {
        let files = tempfile::tempdir().expect("storage folder");
        let mut config = Config::default();
        config.storage.path = files.path().to_owned();
        adjust(&mut config);
        let settings = obcan::web_settings(&config).expect("web settings");
        let now = jiff::Timestamp::try_from(std::time::SystemTime::now()).expect("a sane clock");
        let clock = Clock::manual(now);
        let state = AppState::with_clock(store, settings, clock.clone());
        Self {
            router: obcan_web::router(state.clone()),
            state,
            clock,
            db: None,
            cookies: BTreeMap::new(),
            peer: None,
            files: std::sync::Arc::new(files),
        }
    }

    pub async fn request(&mut self, mut request: Request<Body>) -> TestResponse {
        if let Some(peer) = self.peer {
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(peer));
        }
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible router");
        let status = response.status();
        let headers = response.headers().clone();
        for cookie in headers.get_all(header::SET_COOKIE) {
            let cookie = cookie.to_str().expect("ascii cookie");
            let (pair, attributes) = cookie.split_once(';').unwrap_or((cookie, ""));
            let (name, value) = pair.split_once('=').expect("name=value");
            if attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        TestResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    pub fn builder(&self, method: Method, path: &str) -> axum::http::request::Builder {
        let mut builder = Request::builder().method(method).uri(path);
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            builder = builder.header(header::COOKIE, jar.join("; "));
        }
        builder
    }

    pub async fn get(&mut self, path: &str) -> TestResponse {
        let request = self
            .builder(Method::GET, path)
            .body(Body::empty())
            .expect("request");
        self.request(request).await
    }

    /// Posts a form exactly as it is sent, without adding a CSRF token.
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        let body = serde_urlencoded::to_string(fields).expect("form");
        let request = self
            .builder(Method::POST, path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request");
        self.request(request).await
    }

    /// Loads `form_page`, takes its CSRF token and posts `fields` with it to `path`.
    pub async fn post_form(
        &mut self,
        form_page: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> TestResponse {
        let page = self.get(form_page).await;
        assert_eq!(
            page.status,
            StatusCode::OK,
            "form page {form_page}: {}",
            page.body
        );
        let token = page.csrf_token().expect("the form page has a CSRF token");
        let mut with_token = vec![("_csrf", token.as_str())];
        with_token.extend_from_slice(fields);
        self.post_raw(path, &with_token).await
    }

    /// Like [`Self::post_form`], as a multipart body: the CSRF token
    /// first, then the parts in their order, as a browser sends them.
    pub async fn post_multipart(
        &mut self,
        form_page: &str,
        path: &str,
        parts: &[Part<'_>],
    ) -> TestResponse {
        const BOUNDARY: &str = "obcan-test-boundary";
        let page = self.get(form_page).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let token = page.csrf_token().expect("the form page has a CSRF token");
        let mut body = Vec::new();
        for part in [Part::Text("_csrf", &token)].iter().chain(parts) {
            let (name, file, bytes) = match part {
                Part::Text(name, value) => (name, String::new(), value.as_bytes()),
                Part::File(name, file, bytes) => (
                    name,
                    format!("; filename=\"{file}\"\r\nContent-Type: application/octet-stream"),
                    *bytes,
                ),
            };
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"{file}\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        let request = self
            .builder(Method::POST, path)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(Body::from(body))
            .expect("request");
        self.request(request).await
    }

    pub async fn log_in_as(&mut self, subject: &str) -> TestResponse {
        let response = self
            .post_form("/login/demo", "/login/demo", &[("subject", subject)])
            .await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
        response
    }

    /// The citizen logged in now.
    pub async fn citizen(&self) -> obcan_core::citizen::CitizenId {
        use sha2::Digest as _;
        let hash: String =
            sha2::Sha256::digest(self.session_cookie().expect("logged in").as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
        let session = self
            .state
            .store
            .sessions()
            .find(&hash, self.state.now())
            .await
            .expect("session")
            .expect("a live session");
        session.citizen.expect("a citizen's session").0
    }

    pub fn session_cookie(&self) -> Option<&String> {
        self.cookies.get("obcan_session")
    }

    /// Moves the portal's clock on, past the TOTP step of the last code.
    pub fn advance(&self, seconds: i64) {
        self.clock.advance(jiff::SignedDuration::from_secs(seconds));
    }

    /// A staff member with these roles and an initial password, as the
    /// bootstrap command makes an administrator.
    pub async fn staff(&self, login: &str, roles: &[Role]) -> (StaffId, String) {
        let password = obcan::create_admin(&self.state.store, login, None, self.state.now())
            .await
            .expect("staff member created");
        let member = self
            .state
            .store
            .staff()
            .by_login(&LoginName::parse(login).unwrap())
            .await
            .unwrap()
            .unwrap();
        for role in Role::ALL {
            use obcan_core::audit::{Action, Actor, AuditEvent};
            let (change, action) = if roles.contains(&role) {
                (
                    obcan_store::GrantChange::GrantRole(role),
                    Action::RoleGranted,
                )
            } else {
                (
                    obcan_store::GrantChange::RevokeRole(role),
                    Action::RoleRevoked,
                )
            };
            let event = AuditEvent::new(self.state.now(), Actor::System, action);
            self.state
                .store
                .staff()
                .change_grants(member.id, change, self.state.now(), &event)
                .await
                .unwrap();
        }
        (member.id, password.as_str().to_owned())
    }

    /// A staff member's first login: the initial password, then a new
    /// password and the authenticator app. Returns the app's secret.
    pub async fn first_staff_login(&mut self, login: &str, initial: &str) -> TotpSecret {
        let response = self
            .post_form(
                "/office/login",
                "/office/login",
                &[("login", login), ("password", initial)],
            )
            .await;
        assert_eq!(
            response.location(),
            "/office/login/setup",
            "{}",
            response.body
        );
        let page = self.get("/office/login/setup").await;
        let secret = page.totp_secret().expect("the setup page shows the secret");
        let code = secret.code(self.state.now()).unwrap();
        let response = self
            .post_form(
                "/office/login/setup",
                "/office/login/setup",
                &[
                    ("password", STAFF_PASSWORD),
                    ("confirmation", STAFF_PASSWORD),
                    ("totp", &code),
                ],
            )
            .await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
        assert_eq!(response.location(), "/office");
        secret
    }

    /// Posts the staff login form.
    pub async fn office_password(&mut self, login: &str, password: &str) -> TestResponse {
        self.post_form(
            "/office/login",
            "/office/login",
            &[("login", login), ("password", password)],
        )
        .await
    }

    /// A later login of a staff member whose app has `secret`.
    pub async fn staff_login(&mut self, login: &str, secret: &TotpSecret) -> TestResponse {
        self.advance(30);
        let response = self
            .post_form(
                "/office/login",
                "/office/login",
                &[("login", login), ("password", STAFF_PASSWORD)],
            )
            .await;
        assert_eq!(
            response.location(),
            "/office/login/code",
            "{}",
            response.body
        );
        let code = secret.code(self.state.now()).unwrap();
        self.post_form(
            "/office/login/code",
            "/office/login/code",
            &[("code", &code)],
        )
        .await
    }

    /// A staff member with `roles`, logged in.
    pub async fn logged_in_staff(&mut self, login: &str, roles: &[Role]) -> (StaffId, TotpSecret) {
        let (id, initial) = self.staff(login, roles).await;
        let secret = self.first_staff_login(login, &initial).await;
        (id, secret)
    }

    /// The audit log's actions, oldest first.
    pub async fn audit_actions(&self) -> Vec<String> {
        let mut entries = self
            .state
            .store
            .audit()
            .page(None, None, None, 1000)
            .await
            .unwrap();
        entries.reverse();
        entries.into_iter().map(|entry| entry.action).collect()
    }
}

/// A part of a multipart form: a text field, or a file with its name.
#[derive(Debug, Clone, Copy)]
pub enum Part<'a> {
    Text(&'a str, &'a str),
    File(&'a str, &'a str, &'a [u8]),
}

/// The password staff members choose at their first login in the tests.
pub const STAFF_PASSWORD: &str = "a long office passphrase";

impl TestResponse {
    /// The TOTP secret a setup page shows.
    pub fn totp_secret(&self) -> Option<TotpSecret> {
        let start = self.body.find("id=\"totp-secret\">")? + "id=\"totp-secret\">".len();
        let end = self.body[start..].find('<')?;
        TotpSecret::from_base32(&self.body[start..start + end].replace(' ', ""))
    }

    /// The text of the element with this id, e.g. a code on a receipt.
    pub fn element_text(&self, id: &str) -> Option<String> {
        let marker = format!("id=\"{id}\">");
        let start = self.body.find(&marker)? + marker.len();
        let end = self.body[start..].find('<')?;
        Some(self.body[start..start + end].to_owned())
    }
}

/// The portal's key pairs (signing, encryption), made once per test run
/// with openssl, as an operator would.
pub fn portal_keys() -> &'static std::path::Path {
    static KEYS: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        for name in ["signing", "encryption"] {
            let status = std::process::Command::new("openssl")
                .args([
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                ])
                .args(["-subj", &format!("/CN=obcan test {name}")])
                .arg("-keyout")
                .arg(dir.path().join(format!("{name}.key")))
                .arg("-out")
                .arg(dir.path().join(format!("{name}.crt")))
                .stderr(std::process::Stdio::null())
                .status()
                .expect("openssl");
            assert!(status.success(), "openssl makes a key pair");
        }
        dir
    })
    .path()
}

/// A SAML identity provider `nia` whose metadata is at `idp_metadata_url`.
pub fn saml_provider(idp_metadata_url: &str, min_loa: Loa) -> SamlProviderConfig {
    let keys = portal_keys();
    SamlProviderConfig {
        id: "nia".into(),
        preset: SamlPreset::Generic,
        label: "Identita občana".into(),
        label_en: "Citizen identity".into(),
        idp_metadata_url: idp_metadata_url.into(),
        signing_key: keys.join("signing.key"),
        signing_certificate: keys.join("signing.crt"),
        encryption_key: keys.join("encryption.key"),
        encryption_certificate: keys.join("encryption.crt"),
        min_loa,
        sp_type: SpType::Public,
        register_match: MatchRule::Identifier,
        timeout_seconds: 5,
    }
}

/// A store whose database cannot be reached: nothing listens on port 1.
pub fn unreachable_store() -> Store {
    let settings = PoolSettings {
        max_connections: 2,
        acquire_timeout: std::time::Duration::from_millis(500),
    };
    Store::open("postgres://obcan@127.0.0.1:1/obcan", settings).expect("lazy store")
}
