use axum::http::StatusCode;

use crate::support::{JANA, PETR, TestApp};

#[tokio::test]
async fn citizen_pages_send_anonymous_visitors_to_login_and_back() {
    let mut app = TestApp::new().await;
    let dashboard = app.get("/dashboard").await;
    assert_eq!(dashboard.status, StatusCode::SEE_OTHER);
    assert_eq!(dashboard.location(), "/login?next=%2Fdashboard");

    let login = app.get("/login?next=%2Fdashboard").await;
    assert!(login.body.contains("/login/demo?next=%2Fdashboard"));
}

#[tokio::test]
async fn demo_login_is_marked_as_demo_and_lists_personas() {
    let mut app = TestApp::new().await;
    let page = app.get("/login/demo").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Toto není skutečné přihlášení"));
    assert!(page.body.contains("Jana Dvořáková"));
    assert!(page.body.contains("7. března 1984"));
    assert!(
        app.session_cookie().is_some(),
        "the form is bound to an anonymous session"
    );
}

#[tokio::test]
async fn demo_login_reaches_the_dashboard_at_substantial() {
    let mut app = TestApp::new().await;
    let login = app.log_in_as(JANA).await;
    assert_eq!(login.location(), "/dashboard");
    let dashboard = app.get("/dashboard").await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert!(dashboard.body.contains("Dobrý den, Jana Dvořáková"));
    assert!(dashboard.body.contains("značná"));
    assert!(
        dashboard.body.contains("Připravujeme"),
        "unbuilt capabilities say so"
    );
    assert!(dashboard.body.contains("Odhlásit se"));
}

#[tokio::test]
async fn login_issues_a_new_session_id_and_the_old_one_dies() {
    let mut app = TestApp::new().await;
    app.get("/login/demo").await;
    let before = app.session_cookie().cloned().unwrap();
    app.log_in_as(JANA).await;
    let after = app.session_cookie().cloned().unwrap();
    assert_ne!(before, after);

    // Someone who planted or stole the pre-login cookie gains nothing.
    app.cookies.insert("obcan_session".into(), before);
    assert_eq!(app.get("/dashboard").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn login_returns_to_the_requested_local_page_only() {
    let mut app = TestApp::new().await;
    let page = app.get("/login/demo?next=%2Faccessibility").await;
    let token = page.csrf_token().unwrap();
    let response = app
        .post_raw(
            "/login/demo",
            &[
                ("_csrf", &token),
                ("subject", JANA),
                ("next", "/accessibility"),
            ],
        )
        .await;
    assert_eq!(response.location(), "/accessibility");

    let mut app = TestApp::new().await;
    let token = app.get("/login/demo").await.csrf_token().unwrap();
    let response = app
        .post_raw(
            "/login/demo",
            &[
                ("_csrf", &token),
                ("subject", JANA),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(response.location(), "/dashboard");
}

#[tokio::test]
async fn the_same_persona_keeps_one_account_and_others_get_their_own() {
    let mut app = TestApp::new().await;
    app.log_in_as(JANA).await;
    app.post_form("/dashboard", "/logout", &[]).await;
    app.log_in_as(PETR).await;
    assert!(app.get("/dashboard").await.body.contains("Petr Novák"));
    app.post_form("/dashboard", "/logout", &[]).await;
    app.log_in_as(JANA).await;
    assert!(app.get("/dashboard").await.body.contains("Jana Dvořáková"));
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let mut app = TestApp::new().await;
    app.log_in_as(JANA).await;
    let session = app.session_cookie().cloned().unwrap();
    let logout = app.post_form("/dashboard", "/logout", &[]).await;
    assert_eq!(logout.status, StatusCode::SEE_OTHER);
    assert_eq!(logout.location(), "/");
    assert!(app.session_cookie().is_none(), "the cookie is cleared");

    app.cookies.insert("obcan_session".into(), session);
    assert_eq!(
        app.get("/dashboard").await.status,
        StatusCode::SEE_OTHER,
        "and dead on the server"
    );
}

#[tokio::test]
async fn an_expired_session_is_logged_out() {
    let mut app = TestApp::new().await;
    app.log_in_as(JANA).await;
    let far_future = jiff::Timestamp::from_second(4_000_000_000).unwrap();
    app.state
        .store
        .sessions()
        .delete_expired(far_future)
        .await
        .unwrap();
    assert_eq!(app.get("/dashboard").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn unknown_persona_is_a_400_naming_the_problem_and_creates_nothing() {
    let mut app = TestApp::new().await;
    let response = app
        .post_form("/login/demo", "/login/demo", &[("subject", "CZ/CZ/nobody")])
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert!(response.body.contains("CZ/CZ/nobody"));
    assert_eq!(app.get("/dashboard").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn missing_form_field_is_a_400_naming_the_field() {
    let mut app = TestApp::new().await;
    let response = app.post_form("/login/demo", "/login/demo", &[]).await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert!(response.body.contains("subject"), "{}", response.body);
}

#[tokio::test]
async fn demo_identity_can_be_switched_off() {
    let mut app = TestApp::with_config(|config| config.identity.demo = false).await;
    assert_eq!(app.get("/login/demo").await.status, StatusCode::NOT_FOUND);
    let login = app.get("/login").await;
    assert!(!login.body.contains("/login/demo"));
    assert!(login.body.contains("není nastaven žádný způsob přihlášení"));
    assert!(
        !app.get("/").await.body.contains("Ukázková instance"),
        "no demo banner"
    );
}
