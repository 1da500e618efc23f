//! The form catalogue and each form's page: open to everyone, in both
//! languages, found by words with or without diacritics.

use axum::http::StatusCode;

use crate::support::TestApp;

#[tokio::test]
async fn the_catalogue_groups_forms_by_life_situation_and_finds_them_by_words() {
    let mut app = TestApp::new().await;
    let page = app.get("/forms").await;
    assert_eq!(page.status, StatusCode::OK);
    for (situation, form) in [
        (
            "Poplatky a odpady",
            "/forms/osvobozeni-od-poplatku-za-odpad",
        ),
        ("Domácí zvířata", "/forms/prihlaseni-psa"),
        (
            "Doprava a řidičské průkazy",
            "/forms/ridicsky-prukaz-konec-platnosti",
        ),
        ("Veřejný prostor", "/forms/hlaseni-zavady"),
        ("Informace a úřad", "/forms/zadost-o-informace"),
    ] {
        assert!(page.body.contains(situation), "{situation}");
        assert!(page.body.contains(form), "{form}");
    }

    let found = app.get("/forms?q=ridicsky+prukaz").await;
    assert!(
        found
            .body
            .contains("/forms/ridicsky-prukaz-konec-platnosti")
    );
    assert!(!found.body.contains("/forms/prihlaseni-psa"));
    assert!(
        found.body.contains("value=\"ridicsky prukaz\""),
        "the query is kept"
    );

    let nothing = app.get("/forms?q=%3Cscript%3Eparkovani").await;
    assert_eq!(nothing.status, StatusCode::OK);
    assert!(nothing.body.contains("Žádný formulář neodpovídá hledání."));
    assert!(nothing.body.contains("parkovani"), "the query is kept");
    assert!(!nothing.body.contains("<script>parkovani"), "and escaped");

    app.get("/lang/en").await;
    let english = app.get("/forms?q=dog").await;
    assert!(
        english.body.contains("Registering a dog"),
        "{}",
        english.body
    );
}

#[tokio::test]
async fn a_forms_page_says_what_it_asks_and_needs() {
    let mut app = TestApp::new().await;
    let page = app.get("/forms/zadost-o-informace").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.element_text("form-deadline").as_deref(),
        Some("15 dní")
    );
    assert_eq!(page.element_text("form-loa").as_deref(), Some("nízká"));
    assert!(page.body.contains("Požadované informace (povinné)"));

    let dog = app.get("/forms/prihlaseni-psa").await;
    assert!(dog.body.contains("Přihlašovaní psi – lze uvést víckrát"));
    assert!(dog.body.contains("Číslo čipu (povinné)"));

    for missing in [
        "/forms/neexistuje",
        "/forms/..%2Fetc",
        "/forms/PRIHLASENI-PSA",
    ] {
        assert_eq!(
            app.get(missing).await.status,
            StatusCode::NOT_FOUND,
            "{missing}"
        );
    }
}
