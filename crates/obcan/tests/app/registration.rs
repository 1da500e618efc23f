//! Registration at the counter, activation and the citizen's local login.

use axum::http::StatusCode;
use obcan_core::staff::Role;

use crate::support::{TestApp, TestResponse};

const CITIZEN_PASSWORD: &str = "my own long password";

fn registration(login: &str) -> Vec<(&str, &str)> {
    vec![
        ("given_name", "Božena"),
        ("family_name", "Němcová"),
        ("birth_date", "1950-02-04"),
        ("login", login),
        ("document_type", "id_card"),
        ("document_number", "123 456 789"),
        ("identity_checked", "on"),
    ]
}

/// An official at the counter registers `login`; the receipt's code.
async fn register(app: &mut TestApp, login: &str) -> String {
    let receipt = app
        .post_form("/office/register", "/office/register", &registration(login))
        .await;
    assert_eq!(receipt.status, StatusCode::OK, "{}", receipt.body);
    assert!(receipt.body.contains("Potvrzení o zřízení účtu"));
    receipt.element_text("receipt-code").unwrap()
}

/// The citizen activates with `code`: the setup page after the code.
async fn enter_code(citizen: &mut TestApp, code: &str) -> TestResponse {
    citizen
        .post_form("/activate", "/activate", &[("code", code)])
        .await
}

/// Activation to the end; the secret of the citizen's app.
async fn activate(citizen: &mut TestApp, code: &str) -> obcan_core::credential::TotpSecret {
    let setup = enter_code(citizen, code).await;
    assert_eq!(setup.status, StatusCode::OK, "{}", setup.body);
    let secret = setup.totp_secret().unwrap();
    let totp = secret.code(citizen.state.now()).unwrap();
    let token = setup.csrf_token().unwrap();
    let done = citizen
        .post_raw(
            "/activate/setup",
            &[
                ("_csrf", &token),
                ("code", code),
                ("password", CITIZEN_PASSWORD),
                ("confirmation", CITIZEN_PASSWORD),
                ("totp", &totp),
            ],
        )
        .await;
    assert_eq!(done.location(), "/login/local?activated=1", "{}", done.body);
    secret
}

async fn local_login(citizen: &mut TestApp, login: &str, password: &str) -> TestResponse {
    citizen
        .post_form(
            "/login/local",
            "/login/local",
            &[("login", login), ("password", password)],
        )
        .await
}

#[tokio::test]
async fn registered_at_the_counter_activated_at_home_logged_in_at_low() {
    let mut official = TestApp::new().await;
    let (official_id, _) = official
        .logged_in_staff("prepazka", &[Role::Official])
        .await;
    let mut citizen = TestApp::on_store(official.state.store.clone(), |_| {});
    assert!(
        !citizen.get("/login").await.body.contains("/login/local"),
        "no local accounts yet"
    );
    let code = register(&mut official, "bozena").await;
    assert_eq!(code.len(), 14, "{code}");

    let login_page = citizen.get("/login").await;
    assert!(login_page.body.contains("Účet zřízený na úřadě"));
    let secret = activate(&mut citizen, &code).await;
    let page = citizen.get("/login/local?activated=1").await;
    assert!(page.body.contains("Účet je aktivován"));

    citizen.advance(30);
    let response = local_login(&mut citizen, "bozena", CITIZEN_PASSWORD).await;
    assert_eq!(response.location(), "/login/local/code");
    let totp = secret.code(citizen.state.now()).unwrap();
    let done = citizen
        .post_form("/login/local/code", "/login/local/code", &[("code", &totp)])
        .await;
    assert_eq!(done.location(), "/dashboard");
    let dashboard = citizen.get("/dashboard").await;
    assert!(dashboard.body.contains("Dobrý den, Božena Němcová"));
    assert!(dashboard.body.contains("nízká"), "LoA low");
    assert_eq!(
        citizen.get("/office").await.status,
        StatusCode::SEE_OTHER,
        "a citizen session is not a staff session"
    );

    // Only the document's type and last four characters, with who checked it.
    let pool = {
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&official.db.as_ref().unwrap().url)
            .await
            .unwrap()
    };
    let row: (String, String, String) =
        sqlx::query_as("SELECT document_type, document_last4, verified_by FROM local_accounts")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        row,
        ("id_card".into(), "6789".into(), official_id.to_string())
    );
    let stored: Vec<(Option<String>,)> =
        sqlx::query_as("SELECT activation_code_hash FROM local_accounts")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(stored, vec![(None,)], "the code is used up");

    let actions = official.audit_actions().await;
    for expected in ["citizen_registered", "citizen_activated", "login"] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} in {actions:?}"
        );
    }
}

#[tokio::test]
async fn a_used_code_does_not_activate_again() {
    let mut official = TestApp::new().await;
    official
        .logged_in_staff("prepazka", &[Role::Official])
        .await;
    let code = register(&mut official, "bozena").await;
    let mut citizen = TestApp::on_store(official.state.store.clone(), |_| {});
    activate(&mut citizen, &code).await;
    let again = enter_code(&mut citizen, &code).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("Aktivační kód neplatí"));
    assert!(again.body.contains(&code), "what was typed is kept");
}

#[tokio::test]
async fn an_expired_code_does_not_activate() {
    let mut official = TestApp::new().await;
    official
        .logged_in_staff("prepazka", &[Role::Official])
        .await;
    let code = register(&mut official, "bozena").await;
    let mut citizen = TestApp::on_store(official.state.store.clone(), |_| {});
    citizen.advance(14 * 24 * 3600 - 60);
    assert_eq!(enter_code(&mut citizen, &code).await.status, StatusCode::OK);
    citizen.advance(60);
    let expired = enter_code(&mut citizen, &code).await;
    assert_eq!(expired.status, StatusCode::UNPROCESSABLE_ENTITY);
    let garbled = enter_code(&mut citizen, "not a code").await;
    assert_eq!(garbled.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn activation_refuses_weak_passwords_and_wrong_codes_and_creates_nothing() {
    let mut official = TestApp::new().await;
    official
        .logged_in_staff("prepazka", &[Role::Official])
        .await;
    let code = register(&mut official, "bozena").await;
    let mut citizen = TestApp::on_store(official.state.store.clone(), |_| {});
    let setup = enter_code(&mut citizen, &code).await;
    let secret = setup.totp_secret().unwrap();
    let totp = secret.code(citizen.state.now()).unwrap();
    for (password, confirmation, totp, message) in [
        ("short", "short", totp.as_str(), "kratší než 12"),
        (
            "bozena likes cats",
            "bozena likes cats",
            totp.as_str(),
            "přihlašovací jméno",
        ),
        (
            CITIZEN_PASSWORD,
            CITIZEN_PASSWORD,
            "999999",
            "Kód z aplikace nesouhlasí",
        ),
    ] {
        let token = citizen.get("/activate").await.csrf_token().unwrap();
        let response = citizen
            .post_raw(
                "/activate/setup",
                &[
                    ("_csrf", &token),
                    ("code", &code),
                    ("password", password),
                    ("confirmation", confirmation),
                    ("totp", totp),
                ],
            )
            .await;
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{message}"
        );
        assert!(response.body.contains(message), "{message}");
        assert!(!response.body.contains(password));
        assert_eq!(response.totp_secret(), Some(secret.clone()));
    }
    let refused = local_login(&mut citizen, "bozena", CITIZEN_PASSWORD).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not activated"
    );
    // The code still works after all that.
    activate(&mut citizen, &code).await;
}

#[tokio::test]
async fn bad_registrations_say_what_to_fix_keep_what_was_typed_and_write_nothing() {
    let mut official = TestApp::new().await;
    official
        .logged_in_staff("prepazka", &[Role::Official])
        .await;
    let response = official
        .post_form(
            "/office/register",
            "/office/register",
            &[
                ("given_name", "Jan"),
                ("family_name", ""),
                ("birth_date", "2999-01-01"),
                ("login", "Jan Novák"),
                ("document_type", "id_card"),
                ("document_number", "12"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    for message in [
        "Vyplňte jméno i příjmení",
        "Datum narození není platné",
        "Přihlašovací jméno má 3 až 64 znaků",
        "Číslo dokladu má 6 až 12",
        "jen po osobním ověření totožnosti",
    ] {
        assert!(response.body.contains(message), "{message}");
    }
    assert!(response.body.contains("value=\"Jan Novák\""));
    assert!(response.body.contains("value=\"2999-01-01\""));
    assert_eq!(official.state.store.citizens().count().await.unwrap(), 0);

    register(&mut official, "bozena").await;
    let duplicate = official
        .post_form(
            "/office/register",
            "/office/register",
            &registration("bozena"),
        )
        .await;
    assert_eq!(duplicate.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(duplicate.body.contains("už existuje"));
    assert_eq!(
        official.state.store.citizens().count().await.unwrap(),
        1,
        "no half-written second citizen"
    );
}

#[tokio::test]
async fn only_officials_register_citizens() {
    let mut app = TestApp::new().await;
    app.logged_in_staff("auditor", &[Role::Auditor]).await;
    assert_eq!(
        app.get("/office/register").await.status,
        StatusCode::FORBIDDEN
    );
    let token = app.get("/office").await.csrf_token().unwrap();
    let mut fields = registration("bozena");
    fields.push(("_csrf", &token));
    let response = app.post_raw("/office/register", &fields).await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(app.state.store.citizens().count().await.unwrap(), 0);
}

#[tokio::test]
async fn a_citizens_local_account_locks_after_repeated_failures() {
    let mut official = TestApp::new().await;
    official
        .logged_in_staff("prepazka", &[Role::Official])
        .await;
    let code = register(&mut official, "bozena").await;
    let mut citizen = TestApp::on_store(official.state.store.clone(), |_| {});
    let secret = activate(&mut citizen, &code).await;
    for _ in 0..5 {
        let wrong = local_login(&mut citizen, "bozena", "not my password").await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let locked = local_login(&mut citizen, "bozena", CITIZEN_PASSWORD).await;
    assert_eq!(locked.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        official
            .audit_actions()
            .await
            .contains(&"citizen_locked".to_owned())
    );
    citizen.advance(15 * 60);
    let open = local_login(&mut citizen, "bozena", CITIZEN_PASSWORD).await;
    assert_eq!(open.location(), "/login/local/code");
    let totp = secret.code(citizen.state.now()).unwrap();
    let done = citizen
        .post_form("/login/local/code", "/login/local/code", &[("code", &totp)])
        .await;
    assert_eq!(done.location(), "/dashboard");
}

#[tokio::test]
async fn a_staff_password_does_not_open_the_citizen_login_nor_the_other_way_round() {
    let mut app = TestApp::new().await;
    let (_, initial) = app.staff("bozena", &[Role::Official]).await;
    let citizen_side = local_login(&mut app, "bozena", &initial).await;
    assert_eq!(citizen_side.status, StatusCode::UNPROCESSABLE_ENTITY);
}
