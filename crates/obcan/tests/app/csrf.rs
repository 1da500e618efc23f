//! Every state-changing request needs the CSRF token of its own session.

use axum::body::Body;
use axum::http::{Method, StatusCode};

use crate::support::{JANA, TestApp};

#[tokio::test]
async fn a_post_without_a_session_or_token_is_refused_with_the_403_page() {
    let mut app = TestApp::new().await;
    let response = app.post_raw("/login/demo", &[("subject", JANA)]).await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert!(response.body.contains("Platnost formuláře vypršela"));
}

#[tokio::test]
async fn a_post_with_a_wrong_token_is_refused_and_changes_nothing() {
    let mut app = TestApp::new().await;
    app.get("/login/demo").await;
    let response = app
        .post_raw("/login/demo", &[("_csrf", "forged"), ("subject", JANA)])
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("/dashboard").await.status,
        StatusCode::SEE_OTHER,
        "not logged in"
    );
}

#[tokio::test]
async fn a_token_from_another_session_is_refused() {
    let mut attacker = TestApp::new().await;
    let their_token = attacker.get("/login/demo").await.csrf_token().unwrap();

    let mut victim = TestApp::on_store(attacker.state.store.clone(), |_| {});
    victim.log_in_as(JANA).await;
    let response = victim.post_raw("/logout", &[("_csrf", &their_token)]).await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(
        victim.get("/dashboard").await.status,
        StatusCode::OK,
        "still logged in"
    );
}

#[tokio::test]
async fn the_token_changes_at_login() {
    let mut app = TestApp::new().await;
    let before = app.get("/login/demo").await.csrf_token().unwrap();
    app.log_in_as(JANA).await;
    let response = app.post_raw("/logout", &[("_csrf", &before)]).await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_cross_site_post_is_refused_even_with_the_token() {
    let mut app = TestApp::new().await;
    app.log_in_as(JANA).await;
    let token = app.get("/dashboard").await.csrf_token().unwrap();
    let request = app
        .builder(Method::POST, "/logout")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .body(Body::from(format!("_csrf={token}")))
        .unwrap();
    assert_eq!(app.request(request).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/dashboard").await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_token_may_come_in_a_header() {
    let mut app = TestApp::new().await;
    app.log_in_as(JANA).await;
    let token = app.get("/dashboard").await.csrf_token().unwrap();
    let request = app
        .builder(Method::POST, "/logout")
        .header("x-csrf-token", token)
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.request(request).await.status, StatusCode::SEE_OTHER);
}
