//! Login through NIA's OpenID Connect profile, against a provider that
//! behaves as NIA does (`tests/oidc-provider/nia.mjs`, started here on
//! loopback): discovery outside `.well-known`, a URN for an issuer,
//! `client_secret_post`, no PKCE, options as scopes, the `claims` parameter,
//! and an ID token without `sub`, signed, then encrypted to the portal.

use axum::http::StatusCode;
use obcan::config::{OidcPreset, OidcProviderConfig, Secret, SpType};
use obcan_core::identity::Loa;

use crate::oidc::{
    PUBLIC_URL, TestProvider, app_with, at_provider, query_parameter, relying_party, start_login,
};
use crate::support::{TestApp, portal_keys};

async fn nia(mode: &str) -> TestProvider {
    let certificate = portal_keys().join("encryption.crt");
    let certificate = certificate.to_str().unwrap();
    TestProvider::run(
        "nia.mjs",
        &[("MODE", mode), ("PORTAL_CERTIFICATE", certificate)],
    )
    .await
}

fn nia_config(provider: &TestProvider) -> OidcProviderConfig {
    OidcProviderConfig {
        id: "test".into(),
        preset: OidcPreset::NiaTest,
        label: "Identita občana".into(),
        label_en: "Citizen identity".into(),
        issuer: String::new(),
        client_id: "obcan".into(),
        client_secret: Secret::new("test-client-secret"),
        scopes: Vec::new(),
        default_loa: None,
        acr_loa: Default::default(),
        discovery_url: provider.address.clone(),
        decryption_key: portal_keys().join("encryption.key"),
        min_loa: None,
        sector: SpType::Public,
        register_match: None,
        timeout_seconds: 5,
    }
}

async fn citizens(app: &TestApp) -> u64 {
    app.state.store.citizens().count().await.unwrap()
}

#[tokio::test]
async fn a_citizen_logs_in_through_nia() {
    let provider = nia("valid").await;
    let mut app = app_with(nia_config(&provider)).await;

    let authorization_url = start_login(&mut app).await;
    assert!(authorization_url.contains("/fpsts/oidc/authorize?"));
    let scope = query_parameter(&authorization_url, "scope").unwrap();
    assert_eq!(scope, "openid loasubstantial publicsector forceauthn");
    let claims = query_parameter(&authorization_url, "claims").unwrap();
    assert!(claims.contains("\"PersonIdentifier\":null"), "{claims}");
    assert_eq!(query_parameter(&authorization_url, "code_challenge"), None);
    assert!(query_parameter(&authorization_url, "nonce").is_some());

    // The provider refuses anything it does not expect (PKCE, Basic
    // authentication, a missing scope or claim) with an error.
    let back = at_provider(&authorization_url, "any").await;
    assert!(!back.contains("error="), "{back}");
    let done = app.get(&back).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/dashboard");
    let dashboard = app.get("/dashboard").await;
    assert!(dashboard.body.contains("Dobrý den, Jana Dvořáková"));
    assert!(dashboard.body.contains("značná"), "LoA from the acr");
    assert_eq!(citizens(&app).await, 1);

    // The same person again: the same account.
    app.post_form("/dashboard", "/logout", &[]).await;
    let again = at_provider(&start_login(&mut app).await, "any").await;
    assert_eq!(app.get(&again).await.status, StatusCode::SEE_OTHER);
    assert_eq!(citizens(&app).await, 1);
}

#[tokio::test]
async fn the_level_asked_for_is_the_configured_minimum() {
    let provider = nia("valid").await;
    let mut config = nia_config(&provider);
    config.min_loa = Some(Loa::High);
    config.sector = SpType::Private;
    let mut app = app_with(config).await;
    let authorization_url = start_login(&mut app).await;
    assert_eq!(
        query_parameter(&authorization_url, "scope").unwrap(),
        "openid loahigh privatesector forceauthn"
    );
    let back = at_provider(&authorization_url, "any").await;
    assert_eq!(app.get(&back).await.status, StatusCode::SEE_OTHER);
    assert!(app.get("/dashboard").await.body.contains("vysoká"));
}

/// Each way NIA's answer can be wrong ends on the "login did not succeed"
/// page and creates nothing.
#[tokio::test]
async fn faulty_answers_are_refused_and_create_nothing() {
    let modes = [
        "wrong_key",
        "bad_tag",
        "wrong_enc",
        "bad_inner_signature",
        "wrong_issuer",
        "expired",
        "wrong_nonce",
        // A signed but unencrypted token is refused from NIA.
        "plain_jws",
        // The person declined to release their data.
        "no_identifier",
    ];
    for mode in modes {
        let provider = nia(mode).await;
        let mut app = app_with(nia_config(&provider)).await;
        let back = at_provider(&start_login(&mut app).await, "any").await;
        let response = app.get(&back).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{mode}");
        assert!(
            response.body.contains("Přihlášení se nezdařilo"),
            "{mode}: {}",
            response.body
        );
        assert!(
            response.body.contains("/login"),
            "{mode}: offers another means"
        );
        assert_eq!(
            app.get("/dashboard").await.status,
            StatusCode::SEE_OTHER,
            "{mode}: not logged in"
        );
        assert_eq!(citizens(&app).await, 0, "{mode}: no account");
    }
}

#[tokio::test]
async fn logout_at_nia_names_the_portal_by_its_client_id() {
    let provider = nia("valid").await;
    let app = app_with(nia_config(&provider)).await;
    let logout = relying_party(&app)
        .logout_url("the-encrypted-id-token", &format!("{PUBLIC_URL}/"), "s")
        .await
        .unwrap()
        .expect("NIA has an end session endpoint");
    assert!(logout.contains("/fpsts/oidc/endsession?"), "{logout}");
    assert_eq!(
        query_parameter(&logout, "client_id").as_deref(),
        Some("obcan")
    );
    assert_eq!(
        query_parameter(&logout, "id_token_hint"),
        None,
        "NIA refuses hints it cannot read"
    );
    assert_eq!(query_parameter(&logout, "state").as_deref(), Some("s"));
}
