use axum::http::StatusCode;

use crate::support::TestApp;

#[tokio::test]
async fn home_page_is_czech_by_default_and_names_the_instance() {
    let mut app = TestApp::new().await;
    let home = app.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("<html lang=\"cs\">"));
    assert!(home.body.contains("Město Vzorov"));
    assert!(home.body.contains("Přihlásit se"));
    assert!(home.body.contains("Prohlášení o přístupnosti"));
    assert!(home.body.contains("podatelna@vzorov.example"));
    assert!(home.body.contains("href=\"tel:+420123456789\""));
}

#[tokio::test]
async fn language_switch_sets_a_cookie_and_returns_to_the_page() {
    let mut app = TestApp::new().await;
    let switch = app.get("/lang/en?next=%2Faccessibility").await;
    assert_eq!(switch.status, StatusCode::SEE_OTHER);
    assert_eq!(switch.location(), "/accessibility");
    let page = app.get("/accessibility").await;
    assert!(page.body.contains("<html lang=\"en\">"));
    assert!(page.body.contains("Accessibility statement"));
    assert!(page.body.contains("Town of Vzorov"));

    app.get("/lang/cs?next=%2F").await;
    assert!(app.get("/").await.body.contains("<html lang=\"cs\">"));
}

#[tokio::test]
async fn language_switch_never_redirects_off_site() {
    let mut app = TestApp::new().await;
    for next in [
        "%2F%2Fevil.example",
        "https%3A%2F%2Fevil.example",
        "%2F%5Cevil.example",
    ] {
        let switch = app.get(&format!("/lang/en?next={next}")).await;
        assert_eq!(switch.location(), "/", "next={next}");
    }
    assert_eq!(
        app.get("/lang/de?next=%2F").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn unknown_route_renders_the_404_page_in_the_visitors_language() {
    let mut app = TestApp::new().await;
    let missing = app.get("/no/such/page").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains("Stránka nenalezena"));
    assert!(
        missing
            .header("content-type")
            .unwrap()
            .starts_with("text/html")
    );

    app.get("/lang/en?next=%2F").await;
    assert!(
        app.get("/no/such/page")
            .await
            .body
            .contains("Page not found")
    );
}

#[tokio::test]
async fn wrong_method_renders_the_405_page() {
    let mut app = TestApp::new().await;
    let response = app.post_raw("/accessibility", &[]).await;
    // Refused before the method is even considered: no session, no CSRF token.
    assert_eq!(response.status, StatusCode::FORBIDDEN);

    app.get("/login/demo").await;
    let token = app.get("/login/demo").await.csrf_token().unwrap();
    let response = app.post_raw("/accessibility", &[("_csrf", &token)]).await;
    assert_eq!(response.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(response.body.contains("Nepodporovaná akce"));
    assert!(response.header("allow").unwrap().contains("GET"));
}

#[tokio::test]
async fn malformed_query_renders_the_400_page_naming_the_problem() {
    let mut app = TestApp::new().await;
    let response = app.get("/login?next=%2Fa&next=%2Fb").await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert!(response.body.contains("Požadavek nelze zpracovat"));
    assert!(
        response.body.contains("duplicate field `next`"),
        "{}",
        response.body
    );
}

#[tokio::test]
async fn assets_are_served_with_hashed_names_and_long_caching() {
    let mut app = TestApp::new().await;
    let home = app.get("/").await;
    let start = home.body.find("/assets/obcan.").unwrap();
    let end = start + home.body[start..].find('"').unwrap();
    let css = app.get(&home.body[start..end]).await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert_eq!(
        css.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert!(css.body.contains(".gov-button"));
    assert!(css.body.contains("@font-face"));

    assert_eq!(
        app.get("/assets/obcan.000000000000.css").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn html_is_compressed_for_clients_that_accept_it() {
    let mut app = TestApp::new().await;
    let request = app
        .builder(axum::http::Method::GET, "/")
        .header("accept-encoding", "gzip")
        .body(axum::body::Body::empty())
        .unwrap();
    let response = app.request(request).await;
    assert_eq!(response.header("content-encoding"), Some("gzip"));
}

#[tokio::test]
async fn branding_comes_from_the_configuration() {
    let folder = tempfile::tempdir().unwrap();
    let logo = folder.path().join("znak.svg");
    std::fs::write(&logo, "<svg xmlns=\"http://www.w3.org/2000/svg\"/>").unwrap();
    let mut app = TestApp::with_config(|config| {
        config.branding.name = "Obec Horní Dolní".into();
        config.branding.name_en = String::new();
        config.branding.primary_color = "#7a1f2b".into();
        config.branding.logo = logo.display().to_string();
    })
    .await;
    let home = app.get("/").await;
    assert!(home.body.contains("Obec Horní Dolní"));

    let theme_start = home.body.find("/branding/theme.").unwrap();
    let theme_end = theme_start + home.body[theme_start..].find('"').unwrap();
    let theme = app.get(&home.body[theme_start..theme_end]).await;
    assert!(theme.body.contains("--obcan-brand: #7a1f2b"));

    let logo_start = home.body.find("/branding/logo.").unwrap();
    let logo_end = logo_start + home.body[logo_start..].find('"').unwrap();
    let served = app.get(&home.body[logo_start..logo_end]).await;
    assert_eq!(served.header("content-type"), Some("image/svg+xml"));

    app.get("/lang/en?next=%2F").await;
    assert!(
        app.get("/").await.body.contains("Obec Horní Dolní"),
        "no English name: the Czech one"
    );
}

#[tokio::test]
async fn error_pages_keep_a_logged_in_citizens_frame() {
    let mut app = TestApp::new().await;
    app.log_in_as(crate::support::JANA).await;
    for (path, status) in [
        ("/no-such-page", StatusCode::NOT_FOUND),
        ("/account?done=nonsense", StatusCode::BAD_REQUEST),
    ] {
        let page = app.get(path).await;
        assert_eq!(page.status, status, "{path}");
        assert!(
            page.body.contains("Odhlásit se"),
            "{path}: the logout button"
        );
        assert!(
            page.body.contains("href=\"/account\""),
            "{path}: the account link"
        );
        assert!(
            !page.body.contains(">Přihlásit se<"),
            "{path}: no login link"
        );
    }
}
