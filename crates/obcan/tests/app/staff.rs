//! The back office: staff login with a second factor, its bad paths, lockout,
//! and the administrator's, auditor's and official's pages.

use axum::http::StatusCode;
use obcan_core::staff::{AgendaId, DepartmentId, Role};

use crate::support::{STAFF_PASSWORD, TestApp};

#[tokio::test]
async fn first_login_sets_a_password_and_a_second_factor_then_logins_ask_for_the_code() {
    let mut app = TestApp::new().await;
    let (id, initial) = app.staff("jana.novakova", &[Role::Administrator]).await;
    let secret = app.first_staff_login("jana.novakova", &initial).await;

    let home = app.get("/office").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    assert!(home.body.contains("Pracoviště úřadu"));
    assert!(home.body.contains("správce"));
    assert!(home.body.contains("href=\"/office/staff\""));
    assert!(
        !home.body.contains("href=\"/office/audit\""),
        "not an auditor"
    );

    app.post_form("/office", "/logout", &[]).await;
    assert_eq!(app.get("/office").await.status, StatusCode::SEE_OTHER);

    // The initial password is spent: the chosen one and a fresh code log in.
    let refused = app.office_password("jana.novakova", &initial).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let response = app.staff_login("jana.novakova", &secret).await;
    assert_eq!(response.location(), "/office");
    assert_eq!(app.get("/office").await.status, StatusCode::OK);

    let actions = app.audit_actions().await;
    for expected in [
        "staff_created",
        "credentials_set",
        "staff_login",
        "staff_login_failed",
    ] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} in {actions:?}"
        );
    }
    let logins = app
        .state
        .store
        .audit()
        .about(&format!("staff:{id}"), &["staff_login"], 10)
        .await
        .unwrap();
    assert_eq!(logins.len(), 2);
    assert_eq!(
        app.state.store.audit().verify().await.unwrap().map(|_| ()),
        Ok(())
    );
}

#[tokio::test]
async fn a_staff_session_is_not_a_citizen_session() {
    let mut app = TestApp::new().await;
    app.logged_in_staff("petr.svoboda", &[Role::Official]).await;
    let dashboard = app.get("/dashboard").await;
    assert_eq!(dashboard.status, StatusCode::SEE_OTHER);
    assert!(dashboard.location().starts_with("/login?"));
    let home = app.get("/").await;
    assert!(
        home.body.contains("href=\"/office\""),
        "the header leads to the office"
    );
    assert!(home.body.contains("Odhlásit se"));
}

#[tokio::test]
async fn wrong_passwords_unknown_names_and_locked_accounts_get_the_same_answer() {
    let mut app = TestApp::new().await;
    let (_, initial) = app.staff("eva.mala", &[Role::Auditor]).await;
    let unknown = app.office_password("nikdo", "whatever").await;
    let wrong = app.office_password("eva.mala", "wrong").await;
    for response in [&unknown, &wrong] {
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(response.body.contains("nesouhlasí"), "{}", response.body);
        assert!(
            !response.body.contains("value=\"wrong\""),
            "the password is not kept"
        );
    }
    assert!(
        wrong.body.contains("value=\"eva.mala\""),
        "the login name is kept"
    );

    // Four more wrong passwords lock the account…
    for _ in 0..4 {
        app.office_password("eva.mala", "wrong").await;
    }
    let locked = app.office_password("eva.mala", &initial).await;
    assert_eq!(
        locked.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "even the right password"
    );
    assert_eq!(locked.body.matches("nesouhlasí").count(), 1);
    let actions = app.audit_actions().await;
    assert_eq!(actions.iter().filter(|a| *a == "staff_locked").count(), 1);

    // …for 15 minutes, after which the right password works again.
    app.advance(14 * 60);
    let still = app.office_password("eva.mala", &initial).await;
    assert_eq!(still.status, StatusCode::UNPROCESSABLE_ENTITY);
    app.advance(60);
    let again = app.office_password("eva.mala", &initial).await;
    assert_eq!(again.location(), "/office/login/setup");
}

#[tokio::test]
async fn the_second_lock_lasts_twice_as_long() {
    let mut app = TestApp::new().await;
    let (_, initial) = app.staff("karel.dlouhy", &[]).await;
    for lock in 1..=2 {
        for _ in 0..5 {
            app.office_password("karel.dlouhy", "wrong").await;
        }
        let minutes = 15 * lock;
        app.advance((minutes - 1) * 60);
        let locked = app.office_password("karel.dlouhy", &initial).await;
        assert_eq!(
            locked.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "lock {lock}"
        );
        app.advance(60);
    }
    let open = app.office_password("karel.dlouhy", &initial).await;
    assert_eq!(open.location(), "/office/login/setup");
}

#[tokio::test]
async fn many_failures_from_one_address_stop_guessing_across_accounts() {
    let mut app = TestApp::new().await;
    let (_, initial) = app.staff("olga.nova", &[]).await;
    for i in 0..30 {
        let login = format!("guess{i}");
        app.office_password(&login, "x").await;
    }
    let throttled = app.office_password("olga.nova", &initial).await;
    assert_eq!(throttled.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut elsewhere = TestApp::on_store(app.state.store.clone(), |_| {});
    elsewhere.peer = Some("198.51.100.1:5000".parse().unwrap());
    let other_address = elsewhere.office_password("olga.nova", &initial).await;
    assert_eq!(
        other_address.location(),
        "/office/login/setup",
        "only that address"
    );
    app.advance(15 * 60);
    let open = app.office_password("olga.nova", &initial).await;
    assert_eq!(open.location(), "/office/login/setup");
}

#[tokio::test]
async fn a_wrong_or_replayed_code_is_refused_and_counts_as_a_failure() {
    let mut app = TestApp::new().await;
    let (_, initial) = app.staff("ivan.kral", &[]).await;
    let secret = app.first_staff_login("ivan.kral", &initial).await;
    app.post_form("/office", "/logout", &[]).await;

    // The code used at setup, in the same 30 seconds: a replay.
    let response = app.office_password("ivan.kral", STAFF_PASSWORD).await;
    assert_eq!(response.location(), "/office/login/code");
    let used = secret.code(app.state.now()).unwrap();
    let replay = app
        .post_form(
            "/office/login/code",
            "/office/login/code",
            &[("code", &used)],
        )
        .await;
    assert_eq!(replay.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(replay.body.contains("už byl použit"));
    let wrong = app
        .post_form(
            "/office/login/code",
            "/office/login/code",
            &[("code", "000000")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.get("/office").await.status,
        StatusCode::SEE_OTHER,
        "not logged in"
    );
    let actions = app.audit_actions().await;
    assert!(
        actions
            .iter()
            .filter(|a| *a == "staff_login_failed")
            .count()
            >= 2
    );

    // The next step's code works.
    app.advance(30);
    let code = secret.code(app.state.now()).unwrap();
    let done = app
        .post_form(
            "/office/login/code",
            "/office/login/code",
            &[("code", &code)],
        )
        .await;
    assert_eq!(done.location(), "/office");
}

#[tokio::test]
async fn the_code_page_needs_the_password_first() {
    let mut app = TestApp::new().await;
    app.get("/office/login").await;
    let page = app.get("/office/login/code").await;
    assert_eq!(page.location(), "/office/login");
    let token = app.get("/office/login").await.csrf_token().unwrap();
    let post = app
        .post_raw(
            "/office/login/code",
            &[("_csrf", &token), ("code", "123456")],
        )
        .await;
    assert_eq!(post.location(), "/office/login");
    assert_eq!(
        app.get("/office/login/setup").await.location(),
        "/office/login"
    );
}

#[tokio::test]
async fn setup_refuses_weak_passwords_and_wrong_codes_and_keeps_the_secret() {
    let mut app = TestApp::new().await;
    let (_, initial) = app.staff("zuzana.b", &[]).await;
    app.office_password("zuzana.b", &initial).await;
    let page = app.get("/office/login/setup").await;
    let secret = page.totp_secret().unwrap();
    let code = secret.code(app.state.now()).unwrap();
    for (password, confirmation, totp, message) in [
        ("short", "short", code.as_str(), "kratší než 12"),
        (
            "a long passphrase",
            "another passphrase",
            code.as_str(),
            "neshodují",
        ),
        (
            "zuzana.b is my name",
            "zuzana.b is my name",
            code.as_str(),
            "přihlašovací jméno",
        ),
        (
            STAFF_PASSWORD,
            STAFF_PASSWORD,
            "000000",
            "Kód z aplikace nesouhlasí",
        ),
    ] {
        let response = app
            .post_form(
                "/office/login/setup",
                "/office/login/setup",
                &[
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
        assert!(
            response.body.contains(message),
            "{message}: {}",
            response.body
        );
        assert!(!response.body.contains(password), "no password comes back");
        assert_eq!(
            response.totp_secret(),
            Some(secret.clone()),
            "the same secret again"
        );
    }
    let done = app
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
    assert_eq!(done.location(), "/office");
}

#[tokio::test]
async fn a_disabled_staff_member_is_logged_out_at_once_and_cannot_log_in() {
    let mut admin = TestApp::new().await;
    admin.logged_in_staff("admin", &[Role::Administrator]).await;
    let mut clerk = TestApp::on_store(admin.state.store.clone(), |_| {});
    let (clerk_id, secret) = clerk.logged_in_staff("clerk", &[Role::Official]).await;
    assert_eq!(clerk.get("/office").await.status, StatusCode::OK);

    let page = format!("/office/staff/{clerk_id}");
    let response = admin
        .post_form(&page, &format!("{page}/status"), &[("disabled", "true")])
        .await;
    assert_eq!(response.location(), page);
    assert!(admin.get(&page).await.body.contains("zablokovaný"));
    assert_eq!(
        clerk.get("/office").await.status,
        StatusCode::SEE_OTHER,
        "session ended"
    );

    clerk.advance(30);
    let refused = clerk.office_password("clerk", STAFF_PASSWORD).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);

    admin
        .post_form(&page, &format!("{page}/status"), &[("disabled", "false")])
        .await;
    assert_eq!(
        clerk.staff_login("clerk", &secret).await.location(),
        "/office"
    );
    let actions = admin.audit_actions().await;
    assert!(actions.contains(&"staff_disabled".to_owned()));
    assert!(actions.contains(&"staff_enabled".to_owned()));
}

#[tokio::test]
async fn an_administrator_creates_staff_and_grants_and_revokes_roles() {
    let mut app = TestApp::new().await;
    app.logged_in_staff("admin", &[Role::Administrator]).await;
    let created = app
        .post_form(
            "/office/staff/new",
            "/office/staff/new",
            &[
                ("login", "Marie.Cerna"),
                ("display_name", "Marie Černá"),
                ("official", "on"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let initial = created.element_text("initial-password").unwrap();
    assert_eq!(initial.len(), 20);

    let list = app.get("/office/staff").await;
    assert!(list.body.contains("marie.cerna"));
    assert!(list.body.contains("Marie Černá"));

    let duplicate = app
        .post_form(
            "/office/staff/new",
            "/office/staff/new",
            &[("login", "marie.cerna"), ("display_name", "Jiná Marie")],
        )
        .await;
    assert_eq!(duplicate.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(duplicate.body.contains("už existuje"));
    assert!(
        duplicate.body.contains("value=\"Jiná Marie\""),
        "what was typed is kept"
    );
    let invalid = app
        .post_form(
            "/office/staff/new",
            "/office/staff/new",
            &[("login", "ž"), ("display_name", " ")],
        )
        .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(invalid.body.contains("Vyplňte jméno"));

    let member = app
        .state
        .store
        .staff()
        .by_login(&obcan_core::staff::LoginName::parse("marie.cerna").unwrap())
        .await
        .unwrap()
        .unwrap();
    let page = format!("/office/staff/{}", member.id);
    let grants = format!("{page}/grants");
    app.post_form(
        &page,
        &grants,
        &[("change", "grant-role"), ("value", "auditor")],
    )
    .await;
    app.post_form(
        &page,
        &grants,
        &[("change", "revoke-role"), ("value", "official")],
    )
    .await;
    let member = app
        .state
        .store
        .staff()
        .get(member.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        member.roles.into_iter().collect::<Vec<_>>(),
        vec![Role::Auditor]
    );

    let bad = app
        .post_form(
            &page,
            &grants,
            &[("change", "grant-role"), ("value", "root")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    let actions = app.audit_actions().await;
    for expected in ["staff_created", "role_granted", "role_revoked"] {
        assert!(actions.iter().any(|a| a == expected), "{expected}");
    }

    // The new colleague's first login with the initial password shown once.
    let mut colleague = TestApp::on_store(app.state.store.clone(), |_| {});
    colleague.first_staff_login("marie.cerna", &initial).await;
}

#[tokio::test]
async fn nobody_raises_their_own_rights() {
    let mut app = TestApp::new().await;
    let (admin, _) = app.logged_in_staff("admin", &[Role::Administrator]).await;
    let page = format!("/office/staff/{admin}");
    let own = app.get(&page).await;
    assert!(own.body.contains("Toto je váš účet"));
    assert!(
        !own.body.contains("/grants"),
        "no forms for one's own account"
    );
    let token = own.csrf_token().unwrap();
    for (path, fields) in [
        (
            "grants",
            vec![("change", "grant-role"), ("value", "auditor")],
        ),
        ("status", vec![("disabled", "true")]),
        ("password", vec![]),
    ] {
        let mut with_token = vec![("_csrf", token.as_str())];
        with_token.extend(fields);
        let response = app.post_raw(&format!("{page}/{path}"), &with_token).await;
        assert_eq!(response.status, StatusCode::FORBIDDEN, "{path}");
    }
    let grants = app
        .state
        .store
        .staff()
        .active_grants(admin)
        .await
        .unwrap()
        .unwrap();
    assert!(!grants.has(Role::Auditor));

    // An official cannot grant anyone anything, nor reach the admin pages.
    let mut official = TestApp::on_store(app.state.store.clone(), |_| {});
    let (official_id, _) = official.logged_in_staff("clerk", &[Role::Official]).await;
    assert_eq!(
        official.get("/office/staff").await.status,
        StatusCode::FORBIDDEN
    );
    let token = official.get("/office").await.csrf_token().unwrap();
    let escalate = official
        .post_raw(
            &format!("/office/staff/{official_id}/grants"),
            &[
                ("_csrf", &token),
                ("change", "grant-role"),
                ("value", "administrator"),
            ],
        )
        .await;
    assert_eq!(escalate.status, StatusCode::FORBIDDEN);
    let grants = app
        .state
        .store
        .staff()
        .active_grants(official_id)
        .await
        .unwrap()
        .unwrap();
    assert!(!grants.has(Role::Administrator));
}

#[tokio::test]
async fn posts_without_the_csrf_token_change_nothing() {
    let mut app = TestApp::new().await;
    app.logged_in_staff("admin", &[Role::Administrator]).await;
    let (clerk, _) = app.staff("clerk", &[]).await;
    for (path, fields) in [
        (
            format!("/office/staff/{clerk}/grants"),
            vec![("change", "grant-role"), ("value", "administrator")],
        ),
        (
            format!("/office/staff/{clerk}/status"),
            vec![("disabled", "true")],
        ),
        (
            "/office/staff/new".to_owned(),
            vec![("login", "eve"), ("display_name", "Eve")],
        ),
        (
            "/office/organisation/departments".to_owned(),
            vec![("name", "Odbor X")],
        ),
    ] {
        let response = app.post_raw(&path, &fields).await;
        assert_eq!(response.status, StatusCode::FORBIDDEN, "{path}");
    }
    let member = app.state.store.staff().get(clerk).await.unwrap().unwrap();
    assert!(member.roles.is_empty() && !member.disabled);
    assert_eq!(app.state.store.staff().list().await.unwrap().len(), 2);
    assert!(
        app.state
            .store
            .organisation()
            .departments()
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn an_administrator_builds_the_organisation_and_scopes_an_official() {
    let mut app = TestApp::new().await;
    app.logged_in_staff("admin", &[Role::Administrator]).await;
    let page = "/office/organisation";
    let response = app
        .post_form(
            page,
            "/office/organisation/departments",
            &[("name", "Odbor dopravy")],
        )
        .await;
    assert_eq!(response.location(), page);
    let duplicate = app
        .post_form(
            page,
            "/office/organisation/departments",
            &[("name", "Odbor dopravy")],
        )
        .await;
    assert_eq!(duplicate.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(duplicate.body.contains("Tento název už existuje"));
    let empty = app
        .post_form(page, "/office/organisation/departments", &[("name", "  ")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);

    let department = app.state.store.organisation().departments().await.unwrap()[0].id;
    for (name, key) in [
        ("Řidičské průkazy", "ridicske-prukazy"),
        ("Registr vozidel", ""),
    ] {
        let response = app
            .post_form(
                page,
                "/office/organisation/agendas",
                &[
                    ("department", &department.to_string()),
                    ("name", name),
                    ("key", key),
                ],
            )
            .await;
        assert_eq!(response.location(), page);
    }
    // The forms' keys are offered; a key is well-formed and given once.
    assert!(
        app.get(page)
            .await
            .body
            .contains("ridicske-prukazy, verejny-prostor")
    );
    for (key, problem) in [
        ("Řidičáky", "Klíč agendy smí obsahovat jen malá písmena"),
        ("ridicske-prukazy", "s tímto klíčem už existuje"),
    ] {
        let refused = app
            .post_form(
                page,
                "/office/organisation/agendas",
                &[
                    ("department", &department.to_string()),
                    ("name", "Jiná agenda"),
                    ("key", key),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains(problem), "{key}");
        assert!(
            refused.body.contains("value=\"Jiná agenda\""),
            "what was typed stays"
        );
    }
    let unknown = app
        .post_form(
            page,
            "/office/organisation/agendas",
            &[
                ("department", &DepartmentId::random().to_string()),
                ("name", "X"),
            ],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    let shown = app.get(page).await;
    assert!(shown.body.contains("Řidičské průkazy"));

    let agendas = &app.state.store.organisation().departments().await.unwrap()[0].agendas;
    let licences = agendas
        .iter()
        .find(|a| a.name.as_str() == "Řidičské průkazy")
        .unwrap()
        .id;
    let vehicles = agendas
        .iter()
        .find(|a| a.name.as_str() == "Registr vozidel")
        .unwrap()
        .id;
    let (clerk, initial) = app.staff("clerk", &[Role::Official]).await;
    let detail = format!("/office/staff/{clerk}");
    app.post_form(
        &detail,
        &format!("{detail}/grants"),
        &[
            ("change", "add-scope"),
            ("value", &format!("agenda:{licences}")),
        ],
    )
    .await;
    let member = app.state.store.staff().get(clerk).await.unwrap().unwrap();
    assert!(member.scope.agendas.contains(&licences));

    // The official reaches their agenda and not the other one.
    let mut official = TestApp::on_store(app.state.store.clone(), |_| {});
    official.first_staff_login("clerk", &initial).await;
    let home = official.get("/office").await;
    assert!(home.body.contains("Řidičské průkazy"));
    assert!(!home.body.contains("Registr vozidel"));
    assert_eq!(
        official
            .get(&format!("/office/agendas/{licences}"))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        official
            .get(&format!("/office/agendas/{vehicles}"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        official
            .get(&format!("/office/agendas/{}", AgendaId::random()))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // The whole department in scope covers both.
    app.post_form(
        &detail,
        &format!("{detail}/grants"),
        &[
            ("change", "add-scope"),
            ("value", &format!("department:{department}")),
        ],
    )
    .await;
    assert_eq!(
        official
            .get(&format!("/office/agendas/{vehicles}"))
            .await
            .status,
        StatusCode::OK,
        "grants are read afresh at every request"
    );
    app.post_form(
        &detail,
        &format!("{detail}/grants"),
        &[
            ("change", "remove-department"),
            ("value", &department.to_string()),
        ],
    )
    .await;
    assert_eq!(
        official
            .get(&format!("/office/agendas/{vehicles}"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_password_reset_makes_the_next_login_set_up_again() {
    let mut app = TestApp::new().await;
    app.logged_in_staff("admin", &[Role::Administrator]).await;
    let mut clerk = TestApp::on_store(app.state.store.clone(), |_| {});
    let (clerk_id, _) = clerk.logged_in_staff("clerk", &[]).await;
    let page = format!("/office/staff/{clerk_id}");
    let reset = app.post_form(&page, &format!("{page}/password"), &[]).await;
    assert_eq!(reset.status, StatusCode::OK);
    let initial = reset.element_text("initial-password").unwrap();
    assert_eq!(
        clerk.get("/office").await.status,
        StatusCode::SEE_OTHER,
        "logged out"
    );
    clerk.advance(30);
    clerk.first_staff_login("clerk", &initial).await;
    assert!(
        app.audit_actions()
            .await
            .contains(&"staff_password_reset".to_owned())
    );
}

#[tokio::test]
async fn only_auditors_read_the_audit_log_filtered_and_paged() {
    let mut app = TestApp::new().await;
    let (auditor, _) = app.logged_in_staff("auditor", &[Role::Auditor]).await;
    let mut stranger = TestApp::on_store(app.state.store.clone(), |_| {});
    stranger.peer = Some("192.0.2.66:40000".parse().unwrap());
    for i in 0..60 {
        stranger
            .post_form(
                "/office/login",
                "/office/login",
                &[("login", &format!("nobody{i}")), ("password", "x")],
            )
            .await;
    }
    let rows = |body: &str| body.matches("<tr>").count() - 1;
    let log = app.get("/office/audit").await;
    assert_eq!(log.status, StatusCode::OK);
    assert!(log.body.contains("Auditní záznam"));
    assert_eq!(rows(&log.body), 50, "a page");
    let older = log
        .body
        .split("href=\"/office/audit?before=")
        .nth(1)
        .unwrap();
    let older = format!(
        "/office/audit?before={}",
        &older[..older.find('"').unwrap()]
    );
    let rest = app.get(&older.replace("&amp;", "&")).await;
    let total = app.state.store.audit().verify().await.unwrap().unwrap();
    assert_eq!(rows(&rest.body) as u64, total - 50);

    let logins = app.get("/office/audit?action=staff_login").await;
    assert_eq!(rows(&logins.body), 1);
    let mine = app
        .get(&format!("/office/audit?actor=staff%3A{auditor}"))
        .await;
    assert!(rows(&mine.body) >= 2, "credentials set and login");
    assert!(!mine.body.contains("nobody"));

    for roles in [[Role::Administrator], [Role::Official]] {
        let mut other = TestApp::on_store(app.state.store.clone(), |_| {});
        other
            .logged_in_staff(&format!("x.{}", roles[0]), &roles)
            .await;
        assert_eq!(
            other.get("/office/audit").await.status,
            StatusCode::FORBIDDEN
        );
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_address_is_throttled_and_audited() {
    let mut app = TestApp::with_config(|config| {
        config.http.trusted_proxies = vec!["10.0.0.1".parse().unwrap()];
    })
    .await;
    app.peer = Some("10.0.0.1:1234".parse().unwrap());
    let page = app.get("/office/login").await;
    let token = page.csrf_token().unwrap();
    let request = app
        .builder(axum::http::Method::POST, "/office/login")
        .header("content-type", "application/x-www-form-urlencoded")
        // The client wrote the first address itself; the proxy added the second.
        .header("x-forwarded-for", "203.0.113.9, 192.0.2.44")
        .body(axum::body::Body::from(format!(
            "_csrf={token}&login=nobody&password=x"
        )))
        .unwrap();
    app.request(request).await;
    let entries = app
        .state
        .store
        .audit()
        .page(None, None, None, 1)
        .await
        .unwrap();
    assert_eq!(entries[0].ip.as_deref(), Some("192.0.2.44"));
}
