//! Login through a real SAML identity provider (pysaml2's IdP side, in
//! tests/saml-idp, started here on loopback) speaking NIA's eIDAS profile:
//! signed requests, signed responses with encrypted assertions. The portal
//! also listens on loopback, because the IdP reads the portal's metadata
//! from its entity id, as NIA reads it from the registered address.
//!
//! The attacks come from the IdP's `/test/respond`, which answers a real
//! request of the portal's in a chosen faulty way.

use std::process::Stdio;
use std::time::Duration;

use axum::http::StatusCode;
use obcan_core::identity::Loa;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::support::{TestApp, saml_provider};

struct TestIdp {
    url: String,
    _dir: tempfile::TempDir,
    _process: Child,
}

impl TestIdp {
    async fn start() -> Self {
        let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/saml-idp");
        let python = format!("{folder}/.venv/bin/python");
        assert!(
            std::path::Path::new(&python).exists(),
            "run tests/saml-idp/setup first (scripts/test does)"
        );
        for _ in 0..5 {
            let dir = tempfile::tempdir().unwrap();
            let port = free_port();
            let mut process = Command::new(&python)
                .arg("idp.py")
                .current_dir(folder)
                .env("PORT", port.to_string())
                .env("IDP_DIR", dir.path())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .kill_on_drop(true)
                .spawn()
                .unwrap();
            let mut lines = BufReader::new(process.stdout.take().unwrap()).lines();
            let ready = tokio::time::timeout(Duration::from_secs(20), async {
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(url) = line.strip_prefix("ready ") {
                        return Some(url.to_owned());
                    }
                }
                None // exited without listening: the port was taken
            })
            .await
            .expect("the IdP starts within 20 s");
            if let Some(url) = ready {
                tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
                return Self {
                    url,
                    _dir: dir,
                    _process: process,
                };
            }
        }
        panic!("the test SAML IdP did not start");
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Portal {
    app: TestApp,
    url: String,
}

/// The portal, configured for the IdP, listening on loopback.
async fn portal(idp: &TestIdp, min_loa: Loa) -> Portal {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let provider = saml_provider(&format!("{}/metadata", idp.url), min_loa);
    let app = TestApp::with_config(|config| {
        config.http.public_url = url.clone();
        config.identity.saml = vec![provider];
    })
    .await;
    let router = app.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await });
    Portal { app, url }
}

/// The hidden fields and action of the first form on a page.
fn form(page: &str) -> (String, Vec<(String, String)>) {
    let action = attribute(page, "action=\"").expect("a form");
    let fields = page
        .split("<input")
        .skip(1)
        .filter_map(|input| Some((attribute(input, "name=\"")?, attribute(input, "value=\"")?)))
        .collect();
    (action, fields)
}

fn attribute(html: &str, prefix: &str) -> Option<String> {
    let start = html.find(prefix)? + prefix.len();
    let end = html[start..].find('"')?;
    Some(unescape(&html[start..start + end]))
}

/// Undoes HTML escaping of an attribute value.
fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let end = rest[at..].find(';').map(|e| at + e).unwrap();
        let entity = &rest[at + 1..end];
        let decoded = match entity {
            "amp" => '&',
            "quot" => '"',
            "lt" => '<',
            "gt" => '>',
            "apos" => '\'',
            hex if hex.starts_with("#x") => {
                char::from_u32(u32::from_str_radix(&hex[2..], 16).unwrap()).unwrap()
            }
            dec => char::from_u32(dec[1..].parse().unwrap()).unwrap(),
        };
        out.push(decoded);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
        .unwrap_or_else(|| panic!("no field {name}"))
}

/// Starts a login at the portal: the hand-over page's form, for the IdP.
async fn start_login(portal: &mut Portal) -> Vec<(String, String)> {
    let page = portal.app.get("/login/saml/nia?next=%2Fdashboard").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let (_, fields) = form(&page.body);
    fields
}

/// The IdP's answer to the portal's request, built as `mode` says.
async fn answer(
    idp: &TestIdp,
    request: &[(String, String)],
    person: &str,
    mode: &str,
) -> (String, String) {
    let mut fields = request.to_vec();
    fields.push(("person".into(), person.into()));
    fields.push(("mode".into(), mode.into()));
    let response = reqwest::Client::new()
        .post(format!("{}/test/respond", idp.url))
        .form(&fields)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body = response.text().await.unwrap();
    assert_eq!(status, 200, "{mode}: {body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    (
        json["SAMLResponse"].as_str().unwrap().to_owned(),
        json["RelayState"].as_str().unwrap().to_owned(),
    )
}

/// Posts the answer to the assertion consumer service as the IdP's page
/// does: cross-site, so without the portal's cookies; then follows the
/// portal's redirect in the person's own browser.
async fn deliver(
    portal: &mut Portal,
    saml_response: &str,
    relay_state: &str,
) -> crate::support::TestResponse {
    let cookies = std::mem::take(&mut portal.app.cookies);
    let posted = portal
        .app
        .post_raw(
            "/login/saml/nia/acs",
            &[("SAMLResponse", saml_response), ("RelayState", relay_state)],
        )
        .await;
    portal.app.cookies = cookies;
    if posted.status != StatusCode::SEE_OTHER {
        return posted;
    }
    let finish = posted.location().to_owned();
    assert!(finish.starts_with("/login/saml/nia/finish?"), "{finish}");
    portal.app.get(&finish).await
}

async fn citizens(portal: &Portal) -> u64 {
    portal.app.state.store.citizens().count().await.unwrap()
}

#[tokio::test]
async fn the_portal_publishes_its_metadata_with_both_certificates() {
    let idp = TestIdp::start().await;
    let mut portal = portal(&idp, Loa::Substantial).await;
    let response = portal.app.get("/login/saml/nia/metadata").await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(
        response.header("content-type"),
        Some("application/samlmetadata+xml")
    );
    let xml = response.body;
    assert!(xml.contains(&format!(
        "entityID=\"{}/login/saml/nia/metadata\"",
        portal.url
    )));
    assert!(xml.contains("use=\"signing\""));
    assert!(xml.contains("use=\"encryption\""));
    assert!(xml.contains(&format!("Location=\"{}/login/saml/nia/acs\"", portal.url)));
    assert!(xml.contains("AuthnRequestsSigned=\"true\""));
}

#[tokio::test]
async fn a_citizen_logs_in_through_the_idp_login_page() {
    let idp = TestIdp::start().await;
    let mut portal = portal(&idp, Loa::Substantial).await;

    let login_page = portal.app.get("/login").await;
    assert!(login_page.body.contains("Identita občana"));
    assert!(
        login_page
            .body
            .contains("/login/saml/nia?next=%2Fdashboard")
    );

    let page = portal.app.get("/login/saml/nia?next=%2Fdashboard").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csp = page.header("content-security-policy").unwrap();
    assert!(
        csp.contains(&format!("form-action 'self' {}", idp.url)),
        "{csp}"
    );
    let (action, fields) = form(&page.body);
    assert_eq!(action, format!("{}/sso", idp.url));

    // The person's browser at the IdP: its login page, then its hand-back form.
    let browser = reqwest::Client::new();
    let login = browser.post(&action).form(&fields).send().await.unwrap();
    assert_eq!(login.status(), 200, "the IdP accepts the signed request");
    let (login_action, mut login_fields) = form(&login.text().await.unwrap());
    login_fields.retain(|(name, _)| name != "person");
    login_fields.push(("person".into(), "jana".into()));
    let login_action = reqwest::Url::parse(&idp.url)
        .unwrap()
        .join(&login_action)
        .unwrap();
    let back = browser
        .post(login_action)
        .form(&login_fields)
        .send()
        .await
        .unwrap();
    let (acs, back_fields) = form(&back.text().await.unwrap());
    assert_eq!(acs, format!("{}/login/saml/nia/acs", portal.url));

    let done = deliver(
        &mut portal,
        field(&back_fields, "SAMLResponse"),
        field(&back_fields, "RelayState"),
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/dashboard");
    let dashboard = portal.app.get("/dashboard").await;
    assert!(
        dashboard.body.contains("Dobrý den, Jana Dvořáková"),
        "{}",
        dashboard.body
    );
    assert!(dashboard.body.contains("značná"), "LoA substantial");
    let account = portal.app.get("/account").await;
    assert!(
        account.body.contains("<dd>7. 3. 1984 <span"),
        "{}",
        account.body
    );
    assert!(
        account.body.contains("Náměstí Míru 12"),
        "the address from NIA"
    );
    assert!(account.body.contains("@"), "the e-mail from NIA");
}

#[tokio::test]
async fn a_replayed_answer_is_refused() {
    let idp = TestIdp::start().await;
    let mut portal = portal(&idp, Loa::Substantial).await;
    let request = start_login(&mut portal).await;
    let (saml_response, relay_state) = answer(&idp, &request, "jana", "valid").await;
    let first = deliver(&mut portal, &saml_response, &relay_state).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    portal.app.post_form("/dashboard", "/logout", &[]).await;

    let replay = deliver(&mut portal, &saml_response, &relay_state).await;
    assert_eq!(replay.status, StatusCode::BAD_REQUEST);
    assert!(replay.body.contains("Přihlášení se nezdařilo"));
    // Nor with a fresh login's relay state: the answer names the old request.
    let fresh = start_login(&mut portal).await;
    let replay = deliver(&mut portal, &saml_response, field(&fresh, "RelayState")).await;
    assert_eq!(replay.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        portal.app.get("/dashboard").await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn an_answer_finished_in_another_browser_is_refused() {
    let idp = TestIdp::start().await;
    let mut attacker = portal(&idp, Loa::Substantial).await;
    let request = start_login(&mut attacker).await;
    let (saml_response, relay_state) = answer(&idp, &request, "petr", "valid").await;
    // The victim's browser is made to post the attacker's answer (login CSRF).
    attacker.app.cookies.clear();
    attacker.app.get("/login").await;
    let response = deliver(&mut attacker, &saml_response, &relay_state).await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(citizens(&attacker).await, 0);
}

#[tokio::test]
async fn every_faulty_or_forged_answer_ends_on_the_failure_page_and_creates_nothing() {
    let idp = TestIdp::start().await;
    let mut portal = portal(&idp, Loa::Substantial).await;
    for mode in [
        "unsigned",
        "tampered",
        "wrong_key",
        "expired",
        "not_yet_valid",
        "wrong_audience",
        "wrong_recipient",
        "wrong_in_response_to",
        "wrong_issuer",
        "unencrypted",
        "error_status",
        "xsw_wrap_response",
        "xsw_sibling_assertion",
        "xsw_same_id",
        "xsw_evil_encrypted",
    ] {
        let request = start_login(&mut portal).await;
        let (saml_response, relay_state) = answer(&idp, &request, "jana", mode).await;
        let response = deliver(&mut portal, &saml_response, &relay_state).await;
        assert_eq!(
            response.status,
            StatusCode::BAD_REQUEST,
            "{mode}: {}",
            response.body
        );
        assert!(response.body.contains("Přihlášení se nezdařilo"), "{mode}");
        assert!(
            response.body.contains("href=\"/login\""),
            "{mode}: offers another means"
        );
        assert_eq!(citizens(&portal).await, 0, "{mode} created an account");
    }
    assert_eq!(
        portal.app.get("/dashboard").await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_person_below_the_required_level_cannot_log_in() {
    let idp = TestIdp::start().await;
    let mut portal = portal(&idp, Loa::Substantial).await;
    let request = start_login(&mut portal).await;
    let (saml_response, relay_state) = answer(&idp, &request, "lenka", "valid").await;
    let response = deliver(&mut portal, &saml_response, &relay_state).await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(citizens(&portal).await, 0);
}

#[tokio::test]
async fn malformed_posts_to_the_assertion_consumer_get_the_failure_page() {
    let idp = TestIdp::start().await;
    let mut portal = portal(&idp, Loa::Substantial).await;
    for (saml_response, known_relay_state) in [
        ("", false),
        ("not base64!", true),
        ("PHhtbD48L3htbD4=", true), // <xml></xml>
        ("/w==", true),             // not UTF-8
    ] {
        let request = start_login(&mut portal).await;
        let relay = if known_relay_state {
            field(&request, "RelayState")
        } else {
            ""
        };
        let response = deliver(&mut portal, saml_response, relay).await;
        assert_eq!(
            response.status,
            StatusCode::BAD_REQUEST,
            "{saml_response:?}"
        );
        assert!(response.body.contains("Přihlášení se nezdařilo"));
    }
    let missing = portal.app.post_raw("/login/saml/nia/acs", &[]).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn an_unreachable_idp_gets_the_unavailable_page() {
    let provider = saml_provider("http://127.0.0.1:1/metadata", Loa::Substantial);
    let mut app = TestApp::with_config(|config| {
        config.http.public_url = "http://portal.test".into();
        config.identity.saml = vec![provider];
    })
    .await;
    let response = app.get("/login/saml/nia").await;
    assert_eq!(response.status, StatusCode::BAD_GATEWAY);
    assert!(response.body.contains("neodpovídá"));
}

/// Logs in through the IdP as `person`.
async fn log_in(portal: &mut Portal, idp: &TestIdp, person: &str) {
    let request = start_login(portal).await;
    let (saml_response, relay_state) = answer(idp, &request, person, "valid").await;
    let done = deliver(portal, &saml_response, &relay_state).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
}

#[tokio::test]
async fn logging_out_ends_the_session_here_and_then_at_the_idp() {
    let idp = TestIdp::start().await;
    let mut portal = portal(&idp, Loa::Substantial).await;
    log_in(&mut portal, &idp, "jana").await;

    let page = portal.app.post_form("/dashboard", "/logout", &[]).await;
    assert_eq!(page.status, StatusCode::OK, "the hand-over to the IdP");
    assert!(page.body.contains("Odhlášení u poskytovatele identity"));
    assert_eq!(
        portal.app.get("/dashboard").await.status,
        StatusCode::SEE_OTHER,
        "logged out here already"
    );
    let (action, fields) = form(&page.body);
    assert_eq!(action, format!("{}/slo", idp.url));

    let response = reqwest::Client::new()
        .post(format!("{}/test/logout", idp.url))
        .form(&fields)
        .send()
        .await
        .unwrap();
    let body = response.text().await.unwrap();
    let json: serde_json::Value = serde_json::from_str(&body).expect(&body);
    assert_eq!(
        json["slo_url"],
        format!("{}/login/saml/nia/slo", portal.url)
    );
    let answer = [
        ("SAMLResponse", json["SAMLResponse"].as_str().unwrap()),
        ("RelayState", json["RelayState"].as_str().unwrap()),
    ];
    let cookies = std::mem::take(&mut portal.app.cookies);
    let back = portal.app.post_raw("/login/saml/nia/slo", &answer).await;
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    assert_eq!(back.location(), "/");
    let replay = portal.app.post_raw("/login/saml/nia/slo", &answer).await;
    assert_eq!(replay.status, StatusCode::BAD_REQUEST, "once only");
    portal.app.cookies = cookies;
}

#[tokio::test]
async fn a_citizen_links_nia_to_the_account_and_then_logs_in_with_it() {
    let idp = TestIdp::start().await;
    let mut portal = portal(&idp, Loa::Substantial).await;
    portal.app.log_in_as(crate::support::JANA).await;

    let account = portal.app.get("/account").await;
    assert!(account.body.contains("href=\"/login/saml/nia?link=1&"));
    let page = portal
        .app
        .get("/login/saml/nia?link=1&next=%2Faccount")
        .await;
    let (_, request) = form(&page.body);
    let (saml_response, relay_state) = answer(&idp, &request, "jana", "valid").await;
    let linked = deliver(&mut portal, &saml_response, &relay_state).await;
    assert_eq!(linked.location(), "/account?done=linked", "{}", linked.body);
    let account = portal.app.get("/account?done=linked").await;
    assert!(account.body.contains("Identita občana"), "NIA is listed");
    assert!(
        account.body.contains("Připojen způsob přihlášení"),
        "in the history"
    );
    assert!(
        account.body.contains("action=\"/account/means/unlink\""),
        "two means: either can go"
    );

    // The same NIA identity, from another browser: the same account.
    let mut other = TestApp::on_store(portal.app.state.store.clone(), |config| {
        config.http.public_url = portal.url.clone();
        config.identity.saml = vec![saml_provider(
            &format!("{}/metadata", idp.url),
            Loa::Substantial,
        )];
    });
    std::mem::swap(&mut portal.app, &mut other);
    log_in(&mut portal, &idp, "jana").await;
    assert_eq!(citizens(&portal).await, 1);
}

#[tokio::test]
async fn a_means_of_another_account_is_not_linked() {
    let idp = TestIdp::start().await;
    let mut portal = portal(&idp, Loa::Substantial).await;
    log_in(&mut portal, &idp, "petr").await;
    portal.app.post_form("/dashboard", "/logout", &[]).await;
    portal.app.cookies.clear();
    portal.app.log_in_as(crate::support::JANA).await;

    let page = portal
        .app
        .get("/login/saml/nia?link=1&next=%2Faccount")
        .await;
    let (_, request) = form(&page.body);
    let (saml_response, relay_state) = answer(&idp, &request, "petr", "valid").await;
    let refused = deliver(&mut portal, &saml_response, &relay_state).await;
    assert_eq!(refused.location(), "/account?done=taken");
    let account = portal.app.get("/account?done=taken").await;
    assert!(account.body.contains("jinému účtu"));
    assert!(
        !account.body.contains("action=\"/account/means/unlink\""),
        "Jana still has one means"
    );
}

#[tokio::test]
async fn failed_logins_are_in_the_audit_log() {
    let idp = TestIdp::start().await;
    let mut portal = portal(&idp, Loa::Substantial).await;
    let request = start_login(&mut portal).await;
    let (saml_response, relay_state) = answer(&idp, &request, "jana", "tampered").await;
    deliver(&mut portal, &saml_response, &relay_state).await;
    assert_eq!(
        portal.app.state.store.audit().verify().await.unwrap(),
        Ok(1)
    );
}
