//! The citizen's account page: means of login, sessions, history.

use axum::http::StatusCode;
use obcan_core::citizen::PersonName;
use obcan_core::identity::{Assertion, Loa, ProviderId, Subject};

use crate::support::{JANA, PETR, TestApp};

#[tokio::test]
async fn the_account_page_shows_means_sessions_and_history() {
    let mut app = TestApp::new().await;
    app.log_in_as(JANA).await;
    let page = app.get("/account").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Ukázková identita"), "the demo means");
    assert!(
        page.body.contains("<dd>Jana Dvořáková <span"),
        "the name, with its source"
    );
    assert!(
        page.body.contains("<dd>7. 3. 1984 <span"),
        "the date of birth"
    );
    assert!(
        page.body.contains("<dd>Lipová 12, 123 45 Vzorov <span"),
        "the address"
    );
    assert!(
        page.body.contains("toto přihlášení"),
        "this session is marked"
    );
    assert!(
        page.body.contains("<strong>Přihlášení</strong>"),
        "the login is in the history"
    );
    assert!(
        page.body.contains("Jediný způsob přihlášení nelze odebrat"),
        "the only means cannot be removed"
    );
    assert!(!page.body.contains("action=\"/account/means/unlink\""));
}

#[tokio::test]
async fn the_last_means_cannot_be_unlinked_even_by_a_forged_form() {
    let mut app = TestApp::new().await;
    app.log_in_as(JANA).await;
    let response = app
        .post_form(
            "/account",
            "/account/means/unlink",
            &[("provider", "demo"), ("subject", JANA)],
        )
        .await;
    assert_eq!(response.location(), "/account?done=last");
    let page = app.get("/account?done=last").await;
    assert!(
        page.body
            .contains("Jediný způsob přihlášení nelze odebrat.")
    );
    assert!(page.body.contains("Ukázková identita"), "still linked");
}

#[tokio::test]
async fn a_means_of_another_account_cannot_be_unlinked() {
    let mut app = TestApp::new().await;
    app.log_in_as(PETR).await;
    app.post_form("/dashboard", "/logout", &[]).await;
    app.log_in_as(JANA).await;
    // Give Jana a second means, so that the rule of the last one does not apply.
    let now = jiff::Timestamp::from_second(2_000_000_000).unwrap();
    let as_jana = |provider: &str, subject: &str| Assertion {
        provider: ProviderId::parse(provider).unwrap(),
        subject: Subject::parse(subject).unwrap(),
        name: PersonName::new("Jana", "Dvořáková").unwrap(),
        birth_date: None,
        address: None,
        email: None,
        loa: Loa::Low,
    };
    let citizens = app.state.store.citizens();
    let jana = citizens.log_in(&as_jana("demo", JANA), now).await.unwrap();
    citizens
        .link(&jana.id, &as_jana("mojeid", "jana-mojeid"), now)
        .await
        .unwrap();

    let response = app
        .post_form(
            "/account",
            "/account/means/unlink",
            &[("provider", "demo"), ("subject", PETR)],
        )
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.get("/dashboard").await.status, StatusCode::OK);
}

#[tokio::test]
async fn logging_out_elsewhere_ends_every_other_session_of_the_citizen() {
    let mut laptop = TestApp::new().await;
    laptop.log_in_as(JANA).await;
    let mut phone = TestApp::on_store(laptop.state.store.clone(), |_| {});
    phone.log_in_as(JANA).await;
    let mut someone_else = TestApp::on_store(laptop.state.store.clone(), |_| {});
    someone_else.log_in_as(PETR).await;

    let page = laptop.get("/account").await;
    assert!(page.body.contains("Odhlásit všechna ostatní přihlášení"));
    let response = laptop
        .post_form("/account", "/account/sessions/end-others", &[])
        .await;
    assert_eq!(response.location(), "/account?done=ended");

    assert_eq!(
        laptop.get("/dashboard").await.status,
        StatusCode::OK,
        "this one stays"
    );
    assert_eq!(
        phone.get("/dashboard").await.status,
        StatusCode::SEE_OTHER,
        "the other one ended"
    );
    assert_eq!(
        someone_else.get("/dashboard").await.status,
        StatusCode::OK,
        "not Petr's"
    );
    let page = laptop.get("/account?done=ended").await;
    assert!(page.body.contains("Ostatní přihlášení byla ukončena."));
    assert!(
        page.body.contains("Odhlášena ostatní přihlášení"),
        "in the history"
    );
    assert!(!page.body.contains("Odhlásit všechna ostatní přihlášení"));
}

#[tokio::test]
async fn account_changes_and_logins_are_in_the_audit_log() {
    let mut app = TestApp::new().await;
    app.log_in_as(JANA).await;
    app.post_form("/account", "/account/sessions/end-others", &[])
        .await;
    app.post_form("/dashboard", "/logout", &[]).await;
    assert_eq!(app.state.store.audit().verify().await.unwrap(), Ok(3));
}

#[tokio::test]
async fn an_unknown_notice_is_a_bad_request_not_an_error() {
    let mut app = TestApp::new().await;
    app.log_in_as(JANA).await;
    let response = app.get("/account?done=%3Cscript%3E").await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
}
