//! "Moje údaje" and `/api/v1/me`: the demo register's people on every page, and
//! the http connector against a register gateway started here, which the
//! tests slow down, break and bring back.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use obcan::config::ConnectorKind;
use obcan_core::identity::Loa;
use serde_json::Value;

use crate::support::{JANA, PETR, TestApp};

const PAGES: [&str; 7] = [
    "/me",
    "/me/personal",
    "/me/documents",
    "/me/driver",
    "/me/vehicles",
    "/me/trade-licences",
    "/me/data-usage",
];

const PERSONAS: [&str; 6] = [
    "CZ/CZ/demo-0001",
    "CZ/CZ/demo-0002",
    "CZ/CZ/demo-0003",
    "CZ/CZ/demo-0004",
    "CZ/CZ/demo-0005",
    "CZ/CZ/demo-0006",
];

#[tokio::test]
async fn every_demo_persona_sees_every_page_of_their_data() {
    let mut app = TestApp::new().await;
    for persona in PERSONAS {
        app.log_in_as(persona).await;
        for page in PAGES {
            let response = app.get(page).await;
            assert_eq!(response.status, StatusCode::OK, "{persona} {page}");
            assert!(
                !response.body.contains("nenašli") && !response.body.contains("nepodařilo načíst"),
                "{persona} {page} shows no data: {}",
                response.body
            );
            assert!(response.body.contains("Stav k"), "{persona} {page}");
        }
    }
}

#[tokio::test]
async fn the_demo_data_shows_states_that_need_attention() {
    let mut app = TestApp::new().await;
    app.log_in_as(JANA).await;
    let personal = app.get("/me/personal").await;
    assert!(personal.body.contains("Dvořáková"));
    assert!(personal.body.contains("Lipová 12"));
    let documents = app.get("/me/documents").await;
    assert!(
        documents.body.contains("Platnost končí za"),
        "Jana's identity card expires within 30 days"
    );
    let overview = app.get("/me").await;
    assert!(overview.body.contains("Vyžaduje pozornost"));

    app.log_in_as(PETR).await;
    let driver = app.get("/me/driver").await;
    assert!(driver.body.contains("Máte platný zákaz řízení."));
    assert!(driver.body.contains("<strong>12</strong>"));
    assert!(driver.body.contains("Dosáhli jste 12 bodů"));
}

#[tokio::test]
async fn the_pages_speak_english_too() {
    let mut app = TestApp::new().await;
    app.log_in_as(JANA).await;
    app.get("/lang/en").await;
    let response = app.get("/me/documents").await;
    assert!(
        response.body.contains("Identity documents"),
        "{}",
        response.body
    );
    assert!(response.body.contains("Expires in"));
}

#[tokio::test]
async fn every_read_is_audited_and_the_match_once() {
    let mut app = TestApp::new().await;
    app.log_in_as(JANA).await;
    app.get("/me").await;
    app.get("/me/driver").await;
    let actions = app.audit_actions().await;
    assert_eq!(
        actions.iter().filter(|a| *a == "register_matched").count(),
        1
    );
    assert_eq!(actions.iter().filter(|a| *a == "register_read").count(), 2);
    let entries = app
        .state
        .store
        .audit()
        .page(None, Some("register_read"), None, 10)
        .await
        .unwrap();
    assert_eq!(entries[0].detail["sections"], "driver");
    assert!(entries[1].detail["sections"].contains("personal"));
    assert_eq!(
        entries[0].subject,
        Some(format!(
            "citizen:{}",
            entries[0].actor.trim_start_matches("citizen:")
        ))
    );
}

#[tokio::test]
async fn register_data_needs_the_configured_level_of_assurance() {
    let mut app = TestApp::with_config(|config| config.registers.min_loa = Loa::High).await;
    app.log_in_as(JANA).await;
    let page = app.get("/me/driver").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/login?next=%2Fme%2Fdriver&loa=high");
    let api = app.get("/api/v1/me/driver").await;
    assert_eq!(api.status, StatusCode::FORBIDDEN);
    let problem: Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(problem["required_loa"], "high");
    assert_eq!(api.header("content-type"), Some("application/problem+json"));
    // Nothing was read, so nothing was audited as read.
    assert!(
        !app.audit_actions()
            .await
            .contains(&"register_read".to_owned())
    );
}

#[tokio::test]
async fn the_api_answers_with_data_and_its_time() {
    let mut app = TestApp::new().await;
    let anonymous = app.get("/api/v1/me/personal-data").await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let problem: Value = serde_json::from_str(&anonymous.body).unwrap();
    assert_eq!(problem["type"], "/api/v1/problems/login-required");

    app.log_in_as(JANA).await;
    let answer: Value =
        serde_json::from_str(&app.get("/api/v1/me/personal-data").await.body).unwrap();
    assert_eq!(answer["data"]["family_name"], "Dvořáková");
    assert_eq!(answer["stale"], false);
    assert!(answer["as_of"].as_str().unwrap().ends_with('Z'));

    let usage: Value =
        serde_json::from_str(&app.get("/api/v1/me/data-usage?per_page=2").await.body).unwrap();
    assert!(usage["data"]["entries"].as_array().unwrap().len() <= 2);
    assert!(usage["data"]["total"].as_u64().is_some());

    let bad = app.get("/api/v1/me/data-usage?from=yesterday").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let bad = app.get("/api/v1/me/data-usage?page=-1").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    let document = app.get("/api/v1/openapi.yaml").await;
    assert_eq!(document.status, StatusCode::OK);
    assert!(document.body.starts_with("openapi: 3.1"));
    assert_eq!(
        app.get("/api/v1/registers.openapi.yaml").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_wrong_filter_is_explained_and_kept() {
    let mut app = TestApp::new().await;
    app.log_in_as(JANA).await;
    let response = app
        .get("/me/data-usage?from=31.2.2026&to=&authority=%C3%BA%C5%99ad")
        .await;
    assert_eq!(response.status, StatusCode::OK);
    assert!(response.body.contains("Zadejte datum jako D. M. RRRR"));
    assert!(response.body.contains("value=\"31.2.2026\""));
    assert!(response.body.contains("aria-invalid=\"true\""));
    assert!(response.body.contains("value=\"úřad\""));

    let reversed = app
        .get("/me/data-usage?from=22.%2011.%202026&to=2026-01-01")
        .await;
    assert!(reversed.body.contains("musí být dřív"));
}

#[tokio::test]
async fn reloading_needs_the_csrf_token() {
    let mut app = TestApp::new().await;
    app.log_in_as(JANA).await;
    let refused = app.post_raw("/me/reload", &[("section", "driver")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let reloaded = app
        .post_form("/me/driver", "/me/reload", &[("section", "driver")])
        .await;
    assert_eq!(reloaded.status, StatusCode::SEE_OTHER);
    assert_eq!(reloaded.location(), "/me/driver");
    let unknown = app
        .post_form(
            "/me/driver",
            "/me/reload",
            &[("section", "criminal_record")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_citizen_sees_only_their_own_data() {
    let mut jana = TestApp::new().await;
    let store = jana.state.store.clone();
    let mut petr = TestApp::on_store(store, |_| {});
    jana.log_in_as(JANA).await;
    petr.log_in_as(PETR).await;
    let jana_page = jana.get("/me/personal").await.body;
    let petr_page = petr.get("/me/personal").await.body;
    assert!(jana_page.contains("Dvořáková") && !jana_page.contains("Novák"));
    assert!(petr_page.contains("Novák") && !petr_page.contains("Dvořáková"));
    let petr_api: Value =
        serde_json::from_str(&petr.get("/api/v1/me/personal-data").await.body).unwrap();
    assert_eq!(petr_api["data"]["family_name"], "Novák");
}

// ------------------------------------------------- the http connector

/// How the test gateway behaves right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Up,
    /// Every call fails with 500.
    Down,
    /// Answers after longer than the portal waits.
    Slow,
    /// Knows nobody.
    Empty,
    /// Answers what breaks the contract.
    Broken,
}

struct Gateway {
    url: String,
    mode: Arc<Mutex<Mode>>,
}

impl Gateway {
    async fn start() -> Self {
        let mode = Arc::new(Mutex::new(Mode::Up));
        let shared = Arc::clone(&mode);
        let app = Router::new().fallback(move |request: Request| {
            let mode = *shared.lock().unwrap();
            async move { answer(mode, request.uri().path()).await }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, mode }
    }

    fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }
}

async fn answer(mode: Mode, path: &str) -> Response {
    match mode {
        Mode::Down => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        Mode::Slow => tokio::time::sleep(Duration::from_secs(3)).await,
        Mode::Empty => return StatusCode::NOT_FOUND.into_response(),
        Mode::Broken if !path.ends_with("/match") => {
            return (
                [("content-type", "application/json")],
                r#"{"given_name": 5}"#,
            )
                .into_response();
        }
        Mode::Up | Mode::Broken => {}
    }
    // The fixture of a section is named after the path's last segment.
    let file = path.rsplit('/').next().unwrap_or_default();
    let folder = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/register-server/fixtures"
    );
    match std::fs::read_to_string(format!("{folder}/{file}.json")) {
        Ok(body) => ([("content-type", "application/json")], body).into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn on_gateway(gateway: &Gateway) -> TestApp {
    let url = gateway.url.clone();
    TestApp::with_config(move |config| {
        config.registers.connector = ConnectorKind::Http;
        config.registers.url = url;
        config.registers.timeout_ms = 500;
        config.registers.retries = 0;
        config.registers.failure_threshold = 1000;
    })
    .await
}

#[tokio::test]
async fn the_pages_show_what_the_gateway_answers() {
    let gateway = Gateway::start().await;
    let mut app = on_gateway(&gateway).await;
    app.log_in_as(JANA).await;
    for page in PAGES {
        let response = app.get(page).await;
        assert_eq!(response.status, StatusCode::OK, "{page}");
        assert!(
            response.body.contains("Stav k"),
            "{page}: {}",
            response.body
        );
    }
    assert!(app.get("/me/personal").await.body.contains("Procházka"));
    assert!(app.get("/me/driver").await.body.contains("EK123456"));
}

#[tokio::test]
async fn when_the_gateway_fails_the_last_known_data_is_shown_with_its_time() {
    let gateway = Gateway::start().await;
    let mut app = on_gateway(&gateway).await;
    app.log_in_as(JANA).await;
    assert!(app.get("/me/personal").await.body.contains("Procházka"));

    // Within the cache time the register is not asked at all.
    gateway.set(Mode::Down);
    let cached = app.get("/me/personal").await;
    assert!(cached.body.contains("Procházka"));
    assert!(!cached.body.contains("neodpovídá"));

    // After it, the failure shows the last answer with its time, not an error.
    app.advance(16 * 60);
    for mode in [Mode::Down, Mode::Slow, Mode::Broken] {
        gateway.set(mode);
        let stale = app.get("/me/personal").await;
        assert_eq!(stale.status, StatusCode::OK, "{mode:?}");
        assert!(stale.body.contains("Procházka"), "{mode:?}");
        assert!(
            stale
                .body
                .contains("Registr teď neodpovídá. Zobrazujeme poslední známé údaje"),
            "{mode:?}: {}",
            stale.body
        );
        let api: Value =
            serde_json::from_str(&app.get("/api/v1/me/personal-data").await.body).unwrap();
        assert_eq!(api["stale"], true, "{mode:?}");
    }

    // A section never read has nothing to fall back on: a clear message.
    gateway.set(Mode::Down);
    let missing = app.get("/me/vehicles").await;
    assert_eq!(missing.status, StatusCode::OK);
    assert!(missing.body.contains("nepodařilo načíst"));
    assert_eq!(
        app.get("/api/v1/me/vehicles").await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );

    // Back up: fresh data, no warning.
    gateway.set(Mode::Up);
    let fresh = app.get("/me/vehicles").await;
    assert!(!fresh.body.contains("nepodařilo načíst"));
    assert!(fresh.body.contains("Stav k"));
}

#[tokio::test]
async fn nobody_found_and_nobody_to_ask_are_told_apart() {
    let gateway = Gateway::start().await;
    let mut app = on_gateway(&gateway).await;
    app.log_in_as(JANA).await;
    gateway.set(Mode::Empty);
    let page = app.get("/me").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("nenašli"), "{}", page.body);
    let api = app.get("/api/v1/me/driver").await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);

    gateway.set(Mode::Down);
    let page = app.get("/me").await;
    assert!(
        page.body.contains("Registry teď neodpovídají"),
        "{}",
        page.body
    );
    assert!(
        !app.audit_actions()
            .await
            .contains(&"register_read".to_owned()),
        "nothing was read"
    );
}

#[tokio::test]
async fn an_extract_of_points_is_issued_kept_and_only_for_its_citizen() {
    let mut jana = TestApp::new().await;
    jana.log_in_as(JANA).await;
    let issued = jana
        .post_form("/me/driver", "/me/driver/extract", &[])
        .await;
    assert_eq!(issued.status, StatusCode::SEE_OTHER);
    assert_eq!(issued.location(), "/me/driver?extract=ready#extracts");
    let page = jana.get("/me/driver?extract=ready").await;
    assert!(page.body.contains("Výpis je připraven ke stažení."));
    let start = page.body.find("/me/extracts/").unwrap();
    let href = page.body[start..start + page.body[start..].find('"').unwrap()].to_owned();

    let pdf = jana.get(&href).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.header("content-type"), Some("application/pdf"));
    assert!(
        pdf.header("content-disposition")
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(pdf.header("cache-control"), Some("private, no-store"));
    assert!(pdf.body.starts_with("%PDF-"));
    let actions = jana.audit_actions().await;
    assert!(actions.contains(&"register_extract_issued".to_owned()));

    // Another citizen cannot download it, even knowing its address.
    let mut petr = TestApp::on_store(jana.state.store.clone(), |_| {});
    petr.log_in_as(PETR).await;
    assert_eq!(petr.get(&href).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        petr.get("/me/extracts/not-a-uuid").await.status,
        StatusCode::NOT_FOUND
    );
    assert!(!petr.get("/me/driver").await.body.contains(&href));
}

#[tokio::test]
async fn no_extract_is_issued_from_stale_data() {
    let gateway = Gateway::start().await;
    let mut app = on_gateway(&gateway).await;
    app.log_in_as(JANA).await;
    app.get("/me/driver").await;
    app.advance(16 * 60);
    gateway.set(Mode::Down);
    let refused = app.post_form("/me/driver", "/me/driver/extract", &[]).await;
    assert_eq!(refused.location(), "/me/driver?extract=unavailable#points");
    assert!(
        app.get("/me/driver?extract=unavailable")
            .await
            .body
            .contains("Výpis teď nelze vydat")
    );
    assert!(
        !app.audit_actions()
            .await
            .contains(&"register_extract_issued".to_owned())
    );
}
