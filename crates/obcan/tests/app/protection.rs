//! Security headers, cookie flags, body limits and metrics.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use obcan::config::Mode;

use crate::support::{JANA, TestApp};

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let mut app = TestApp::new().await;
    for path in ["/", "/no-such-page", "/login/demo", "/healthz"] {
        let response = app.get(path).await;
        let csp = response.header("content-security-policy").unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert_eq!(
            response.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            response.header("referrer-policy"),
            Some("strict-origin-when-cross-origin")
        );
        assert!(response.header("x-request-id").is_some(), "{path}");
        assert!(
            response.header("strict-transport-security").is_none(),
            "no HSTS in the demo"
        );
    }
    assert_eq!(app.get("/").await.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn production_sends_hsts_and_secure_host_only_cookies() {
    let mut app = TestApp::with_config(|config| {
        config.mode = Mode::Production;
        config.http.secure_cookies = true;
    })
    .await;
    let page = app.get("/login/demo").await;
    assert!(
        page.header("strict-transport-security")
            .unwrap()
            .contains("max-age=")
    );
    let cookie = page.header("set-cookie").unwrap();
    assert!(cookie.starts_with("__Host-obcan_session="), "{cookie}");
    for flag in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(cookie.contains(flag), "{flag} in {cookie}");
    }
}

#[tokio::test]
async fn the_demo_session_cookie_is_http_only_and_lax() {
    let mut app = TestApp::new().await;
    let cookie = app
        .get("/login/demo")
        .await
        .header("set-cookie")
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("obcan_session="));
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    assert!(!cookie.contains("Secure"), "plain HTTP on localhost");
}

#[tokio::test]
async fn an_oversized_body_gets_the_413_page() {
    let mut app = TestApp::with_config(|config| config.http.body_limit_bytes = 4096).await;
    let token = app.get("/login/demo").await.csrf_token().unwrap();
    let big = "x".repeat(10_000);
    let response = app
        .post_raw("/login/demo", &[("_csrf", &token), ("subject", &big)])
        .await;
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(response.body.contains("Příliš velký požadavek"));

    // Also when the token comes in a header and the body is left to the handler.
    let request = app
        .builder(Method::POST, "/login/demo")
        .header("x-csrf-token", &token)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(format!("subject={big}")))
        .unwrap();
    assert_eq!(
        app.request(request).await.status,
        StatusCode::PAYLOAD_TOO_LARGE
    );
}

#[tokio::test]
async fn metrics_count_requests_per_route_pattern() {
    let mut app = TestApp::new().await;
    app.log_in_as(JANA).await;
    app.get("/dashboard").await;
    app.get("/no-such-page").await;
    let metrics = app.get("/metrics").await;
    assert_eq!(metrics.status, StatusCode::OK);
    let body = metrics.body;
    assert!(
        body.contains(
            r#"obcan_http_requests_total{method="GET",route="/dashboard",status="200"} 1"#
        ),
        "{body}"
    );
    assert!(body.contains(r#"route="unmatched",status="404""#), "{body}");
    assert!(body.contains("obcan_http_request_duration_seconds_bucket"));
    assert!(body.contains("obcan_db_pool_connections"));
}
