//! Filing a submission as a citizen: a form begun with what the portal
//! knows, filled step by step with every mistake shown at its field and
//! nothing typed lost, reviewed, filed once whatever the retries, and
//! followed on "Moje podání" with its receipt (page and PDF) until it is
//! withdrawn.

use axum::http::StatusCode;
use obcan_core::forms::{Answers, Value};

use obcan_core::audit::{Action, Actor, AuditEvent};
use obcan_core::credential::TotpSecret;
use obcan_core::staff::{AgendaId, AgendaKey, DepartmentId, Label, LoginName, Role, StaffId};
use obcan_store::GrantChange;

use crate::support::{JANA, PETR, Part, TestApp, TestResponse};

const LICENCE: &str = "/forms/ridicsky-prukaz-konec-platnosti";
const PROBLEM: &str = "/forms/hlaseni-zavady";
const DOGS: &str = "/forms/prihlaseni-psa";

/// A valid birth number for Jana (born 7 March 1984).
const JANA_BIRTH_NUMBER: &str = "845307/1000";

/// Begins a draft of the form; its address.
async fn begin(app: &mut TestApp, form: &str) -> String {
    let started = app.post_form(form, &format!("{form}/drafts"), &[]).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let step = started.location().to_owned();
    assert!(step.ends_with("/steps/0"), "{step}");
    step.trim_end_matches("/steps/0").to_owned()
}

/// Posts a step's answers with the page's token.
async fn post_step(
    app: &mut TestApp,
    draft: &str,
    step: usize,
    fields: &[(&str, &str)],
) -> TestResponse {
    let path = format!("{draft}/steps/{step}");
    app.post_form(&path, &path, fields).await
}

/// The value an input was rendered with.
fn value_of(page: &TestResponse, id: &str) -> Option<String> {
    let marker = format!("id=\"{id}\"");
    let start = page.body.find(&marker)?;
    let rest = &page.body[start..];
    let value = rest.find("value=\"")? + "value=\"".len();
    let end = rest[value..].find('"')?;
    Some(rest[value..value + end].to_owned())
}

#[tokio::test]
async fn the_driving_licence_application_is_prefilled_checked_and_filed_once() {
    let mut app = TestApp::new().await;
    app.log_in_as(JANA).await;
    let draft = begin(&mut app, LICENCE).await;

    // Prefilled from the profile.
    let first = app.get(&format!("{draft}/steps/0")).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(
        value_of(&first, "f-jmeno").as_deref(),
        Some("Jana Dvořáková")
    );
    assert_eq!(
        value_of(&first, "f-datum_narozeni").as_deref(),
        Some("7. 3. 1984")
    );
    assert_eq!(
        value_of(&first, "f-adresa").as_deref(),
        Some("Lipová 12, 123 45 Vzorov")
    );
    assert!(first.body.contains("Krok 1 z 3"));

    // A wrong birth number is explained at its field; everything is kept.
    let wrong = post_step(
        &mut app,
        &draft,
        0,
        &[
            ("jmeno", "Jana Dvořáková"),
            ("datum_narozeni", "7. 3. 1984"),
            ("rodne_cislo", "845307/1001"),
            ("adresa", ""),
        ],
    )
    .await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        wrong.body
    );
    assert!(wrong.body.contains("Toto není platné rodné číslo."));
    assert!(wrong.body.contains("Toto pole je povinné."));
    assert!(
        wrong.body.contains("href=\"#f-rodne_cislo\""),
        "the summary links to the field"
    );
    assert_eq!(
        value_of(&wrong, "f-rodne_cislo").as_deref(),
        Some("845307/1001")
    );
    assert!(
        wrong
            .body
            .contains("aria-describedby=\"f-rodne_cislo-hint f-rodne_cislo-error\"")
    );
    // Kept in the draft too: the step shows it again.
    let again = app.get(&format!("{draft}/steps/0")).await;
    assert_eq!(
        value_of(&again, "f-rodne_cislo").as_deref(),
        Some("845307/1001")
    );
    // A later step cannot be skipped to.
    let skipped = app.get(&format!("{draft}/steps/2")).await;
    assert_eq!(skipped.location(), format!("{draft}/steps/0"));

    let right = post_step(
        &mut app,
        &draft,
        0,
        &[
            ("jmeno", "Jana Dvořáková"),
            ("datum_narozeni", "7. 3. 1984"),
            ("rodne_cislo", JANA_BIRTH_NUMBER),
            ("adresa", "Lipová 12, 123 45 Vzorov"),
        ],
    )
    .await;
    assert_eq!(
        right.location(),
        format!("{draft}/steps/1"),
        "{}",
        right.body
    );

    // Prefilled from the driver register.
    let licence = app.get(&format!("{draft}/steps/1")).await;
    let number = value_of(&licence, "f-cislo_prukazu").unwrap();
    assert!(!number.is_empty(), "the register's licence number");
    let valid_until = value_of(&licence, "f-platnost_do").unwrap();
    assert!(!valid_until.is_empty());

    // A value that is not an option is the citizen's mistake, not a crash.
    let no_option = post_step(
        &mut app,
        &draft,
        1,
        &[
            ("cislo_prukazu", &number),
            ("platnost_do", &valid_until),
            ("prevzeti", "na_mesici"),
        ],
    )
    .await;
    assert_eq!(no_option.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        no_option
            .body
            .contains("Vyberte jednu z nabízených možností.")
    );
    let collected = post_step(
        &mut app,
        &draft,
        1,
        &[
            ("cislo_prukazu", &number),
            ("platnost_do", &valid_until),
            ("prevzeti", "odbor_dopravy"),
        ],
    )
    .await;
    assert_eq!(collected.location(), format!("{draft}/steps/2"));
    let declared = post_step(
        &mut app,
        &draft,
        2,
        &[("fotografie_z_registru", "yes"), ("zpusobilost", "yes")],
    )
    .await;
    assert_eq!(declared.location(), format!("{draft}/review"));

    let review = app.get(&format!("{draft}/review")).await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.body);
    for shown in [
        "Jana Dvořáková",
        "7. března 1984",
        JANA_BIRTH_NUMBER,
        "Městský úřad Vzorov, odbor dopravy, Náměstí Míru 1",
        number.as_str(),
    ] {
        assert!(review.body.contains(shown), "{shown}");
    }

    let filed = app
        .post_form(&format!("{draft}/review"), &format!("{draft}/submit"), &[])
        .await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    let receipt_path = filed.location().trim_end_matches("?filed=1").to_owned();
    assert!(filed.location().ends_with("?filed=1"));
    let receipt = app.get(filed.location()).await;
    assert!(receipt.body.contains("Úřad vaše podání přijal"));
    let reference = receipt.element_text("receipt-reference").unwrap();
    assert!(reference.starts_with("PO-1/"), "{reference}");
    let sha256 = receipt.element_text("receipt-sha256").unwrap();
    assert_eq!(sha256.len(), 64);
    assert!(receipt.body.contains("Podání přijato"));
    assert!(
        receipt.body.contains(JANA_BIRTH_NUMBER),
        "the content is shown"
    );

    // A second click on "send" (the draft is gone) leads to the same submission.
    let token = receipt.csrf_token().unwrap();
    let twice = app
        .post_raw(&format!("{draft}/submit"), &[("_csrf", &token)])
        .await;
    assert_eq!(twice.location(), receipt_path);
    let citizen = app.citizen().await;
    assert_eq!(
        app.state
            .store
            .submissions()
            .list_of(&citizen)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        app.audit_actions()
            .await
            .iter()
            .filter(|action| *action == "submission_filed")
            .count(),
        1
    );

    let mine = app.get("/submissions").await;
    assert!(mine.body.contains(&reference));
    assert!(mine.body.contains("Nový řidičský průkaz – končí platnost"));

    let pdf = app.get(&format!("{receipt_path}/receipt")).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.header("content-type"), Some("application/pdf"));
    assert!(pdf.body.starts_with("%PDF-"));

    // Nobody else's.
    app.log_in_as(PETR).await;
    assert_eq!(app.get(&receipt_path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&format!("{receipt_path}/receipt")).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(!app.get("/submissions").await.body.contains(&reference));
}

#[tokio::test]
async fn a_draft_is_the_citizens_own_and_a_forged_post_is_refused() {
    let mut app = TestApp::new().await;
    app.log_in_as(JANA).await;
    let draft = begin(&mut app, PROBLEM).await;

    let forged = post_step(&mut app, &draft, 0, &[("is_admin", "yes")]).await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST);
    let forged = post_step(&mut app, &draft, 0, &[("popis", "a"), ("popis", "b")]).await;
    assert_eq!(
        forged.status,
        StatusCode::BAD_REQUEST,
        "one value per input"
    );
    let unknown_button = post_step(&mut app, &draft, 0, &[("_action", "launch")]).await;
    assert_eq!(unknown_button.status, StatusCode::BAD_REQUEST);

    // Another form's address, or another citizen's draft, is not found.
    let other_form = draft.replace("hlaseni-zavady", "prihlaseni-psa");
    assert_eq!(
        app.get(&format!("{other_form}/steps/0")).await.status,
        StatusCode::NOT_FOUND
    );
    app.log_in_as(PETR).await;
    assert_eq!(
        app.get(&format!("{draft}/steps/0")).await.status,
        StatusCode::NOT_FOUND
    );
    let token = app.get("/submissions").await.csrf_token().unwrap();
    let stolen = app
        .post_raw(&format!("{draft}/submit"), &[("_csrf", &token)])
        .await;
    assert_eq!(stolen.status, StatusCode::NOT_FOUND);
    let deleted = app
        .post_raw(&format!("{draft}/delete"), &[("_csrf", &token)])
        .await;
    assert_eq!(deleted.status, StatusCode::NOT_FOUND);

    // Saved for later, resumed where it was left, and deleted by its citizen.
    app.log_in_as(JANA).await;
    let saved = post_step(
        &mut app,
        &draft,
        0,
        &[("_action", "save"), ("popis", "Lampa u školy nesvítí.")],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let list = app.get(saved.location()).await;
    assert!(list.body.contains("Rozpracovaný formulář je uložen."));
    assert!(list.body.contains(&draft));
    let resumed = app.get(&draft).await;
    assert_eq!(resumed.location(), format!("{draft}/steps/0"));
    let step = app.get(resumed.location()).await;
    assert!(step.body.contains("Lampa u školy nesvítí."));
    let gone = app
        .post_form(&format!("{draft}/steps/0"), &format!("{draft}/delete"), &[])
        .await;
    assert_eq!(gone.location(), "/submissions?done=draft_deleted");
    assert!(!app.get("/submissions").await.body.contains(&draft));
}

#[tokio::test]
async fn the_problem_report_files_its_photograph_into_the_submissions_file() {
    let mut app = TestApp::new().await;
    app.log_in_as(PETR).await;
    let petrs =
        crate::documents::upload(&mut app, "", &[("cizi.png", &crate::documents::png())]).await;
    assert_eq!(petrs.status, StatusCode::SEE_OTHER);
    let petr = app.citizen().await;
    let petrs_photo = app.state.store.documents().list(&petr).await.unwrap()[0].id;

    app.log_in_as(JANA).await;
    let uploaded =
        crate::documents::upload(&mut app, "", &[("lampa.png", &crate::documents::png())]).await;
    assert_eq!(uploaded.status, StatusCode::SEE_OTHER);
    let jana = app.citizen().await;
    let photo = app.state.store.documents().list(&jana).await.unwrap()[0].id;

    let draft = begin(&mut app, PROBLEM).await;
    let step = app.get(&format!("{draft}/steps/0")).await;
    assert!(step.body.contains("lampa.png"), "her documents are offered");
    assert!(!step.body.contains("cizi.png"));
    let answers = |photo: &str| -> Vec<(&str, String)> {
        vec![
            ("druh", "osvetleni".into()),
            ("popis", "Lampa u školy nesvítí.".into()),
            ("misto", "Školní 418".into()),
            ("souradnice", "49.1951, 16.6068".into()),
            ("fotografie", photo.into()),
        ]
    };
    let someone_elses = answers(&petrs_photo.to_string());
    let borrowed: Vec<(&str, &str)> = someone_elses
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect();
    let refused = post_step(&mut app, &draft, 0, &borrowed).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("Vyberte dokument ze svých dokumentů.")
    );
    assert_eq!(value_of(&refused, "f-misto").as_deref(), Some("Školní 418"));

    let own = answers(&photo.to_string());
    let borrowed: Vec<(&str, &str)> = own
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect();
    let next = post_step(&mut app, &draft, 0, &borrowed).await;
    assert_eq!(next.location(), format!("{draft}/steps/1"), "{}", next.body);
    let contact = post_step(&mut app, &draft, 1, &[("email", "")]).await;
    assert_eq!(contact.location(), format!("{draft}/review"));
    let review = app.get(&format!("{draft}/review")).await;
    assert!(review.body.contains("lampa.png"));
    let filed = app
        .post_form(&format!("{draft}/review"), &format!("{draft}/submit"), &[])
        .await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);

    let file = app
        .state
        .store
        .records()
        .list(None)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(file.class_mark, "1.4");
    let documents = app.state.store.records().documents(file.id).await.unwrap();
    assert_eq!(documents.len(), 1);
    assert_eq!(documents[0].name.as_str(), "lampa.png");
    assert_eq!(documents[0].size, crate::documents::png().len() as u64);
}

#[tokio::test]
async fn a_photograph_uploaded_at_the_step_is_attached_and_kept_in_my_documents() {
    let mut app = TestApp::new().await;
    app.log_in_as(JANA).await;
    let draft = begin(&mut app, PROBLEM).await;
    let step = format!("{draft}/steps/0");
    let page = app.get(&step).await;
    assert!(page.body.contains("enctype=\"multipart/form-data\""));
    assert!(page.body.contains("id=\"f-fotografie-upload\""));
    let png = crate::documents::png();
    let answers = [
        Part::Text("druh", "osvetleni"),
        Part::Text("popis", "Lampa u školy nesvítí."),
        Part::Text("misto", "Školní 418"),
        Part::Text("souradnice", "49.1951, 16.6068"),
    ];
    let with = |file| -> Vec<Part<'_>> { answers.iter().copied().chain([file]).collect() };
    let jana = app.citizen().await;

    // A program is refused at its field, the answers kept, nothing stored,
    // whichever button was pressed.
    let program = [b"MZ\x90\x00".as_slice(), &[0; 200]].concat();
    for button in [None, Some("save")] {
        let mut parts = with(Part::File("fotografie", "lampa.exe", &program));
        parts.extend(button.map(|value| Part::Text("_action", value)));
        let refused = app.post_multipart(&step, &step, &parts).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{button:?}"
        );
        assert!(
            refused
                .element_text("f-fotografie-error")
                .is_some_and(|error| error.starts_with("lampa.exe – ")),
            "{}",
            refused.body
        );
        assert_eq!(value_of(&refused, "f-misto").as_deref(), Some("Školní 418"));
    }
    assert!(
        app.state
            .store
            .documents()
            .list(&jana)
            .await
            .unwrap()
            .is_empty()
    );
    // A file where the step takes none is a forged post.
    let forged = app
        .post_multipart(&step, &step, &with(Part::File("popis", "lampa.png", &png)))
        .await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST);
    // No file chosen: the empty file input is no answer.
    let empty = app
        .post_multipart(&step, &step, &with(Part::File("fotografie", "", b"")))
        .await;
    assert_eq!(
        empty.location(),
        format!("{draft}/steps/1"),
        "{}",
        empty.body
    );

    let next = app
        .post_multipart(
            &step,
            &step,
            &with(Part::File("fotografie", "lampa.png", &png)),
        )
        .await;
    assert_eq!(next.location(), format!("{draft}/steps/1"), "{}", next.body);
    let stored = app.state.store.documents().list(&jana).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].name.as_str(), "lampa.png");
    assert!(
        app.audit_actions()
            .await
            .contains(&"document_uploaded".to_owned())
    );
    // Back on the step, it is among her documents, chosen.
    let again = app.get(&step).await;
    assert!(
        again
            .body
            .contains(&format!("value=\"{}\" checked", stored[0].id))
    );

    let contact = post_step(&mut app, &draft, 1, &[("email", "")]).await;
    assert_eq!(contact.location(), format!("{draft}/review"));
    let filed = app
        .post_form(&format!("{draft}/review"), &format!("{draft}/submit"), &[])
        .await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    let file = app
        .state
        .store
        .records()
        .list(None)
        .await
        .unwrap()
        .remove(0);
    let documents = app.state.store.records().documents(file.id).await.unwrap();
    assert_eq!(documents.len(), 1);
    assert_eq!(documents[0].name.as_str(), "lampa.png");
}

#[tokio::test]
async fn a_group_grows_and_shrinks_and_a_changed_form_keeps_the_draft_usable() {
    let mut app = TestApp::new().await;
    app.log_in_as(JANA).await;
    let draft = begin(&mut app, DOGS).await;
    let owner = post_step(
        &mut app,
        &draft,
        0,
        &[
            ("jmeno", "Jana Dvořáková"),
            ("adresa", "Lipová 12, 123 45 Vzorov"),
            ("telefon", ""),
            ("sazba", "zakladni"),
        ],
    )
    .await;
    assert_eq!(
        owner.location(),
        format!("{draft}/steps/1"),
        "{}",
        owner.body
    );
    let dogs = app.get(&format!("{draft}/steps/1")).await;
    assert!(dogs.body.contains("name=\"psi.0.jmeno_psa\""));
    assert!(!dogs.body.contains("name=\"psi.1.jmeno_psa\""));

    let added = post_step(
        &mut app,
        &draft,
        1,
        &[("_action", "add:psi"), ("psi.0.jmeno_psa", "Rex")],
    )
    .await;
    assert_eq!(added.status, StatusCode::OK);
    assert!(added.body.contains("name=\"psi.1.jmeno_psa\""));
    assert_eq!(
        value_of(&added, "f-psi-0-jmeno_psa").as_deref(),
        Some("Rex")
    );
    assert!(
        !added.body.contains("Toto pole je povinné."),
        "no errors while adding"
    );
    let removed = post_step(
        &mut app,
        &draft,
        1,
        &[
            ("_action", "remove:psi.0"),
            ("psi.0.jmeno_psa", "Rex"),
            ("psi.1.jmeno_psa", "Alík"),
        ],
    )
    .await;
    assert_eq!(
        value_of(&removed, "f-psi-0-jmeno_psa").as_deref(),
        Some("Alík")
    );
    assert!(!removed.body.contains("name=\"psi.1.jmeno_psa\""));
    let incomplete = post_step(&mut app, &draft, 1, &[("psi.0.jmeno_psa", "Alík")]).await;
    assert_eq!(incomplete.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        incomplete.body.contains("Pes 1 – "),
        "the error names the item"
    );

    // The operator changed the form: an answer it no longer asks is dropped,
    // the rest stays, and the citizen is told.
    let jana = app.citizen().await;
    let mut answers = Answers::default();
    answers.set("jmeno", Value::One("Jana Dvořáková".into()));
    answers.set("stara_otazka", Value::One("už se neptáme".into()));
    let old = app
        .state
        .store
        .drafts()
        .begin(
            &jana,
            &obcan_core::forms::FormId::parse("prihlaseni-psa").unwrap(),
            0,
            &answers,
            app.state.now(),
        )
        .await
        .unwrap();
    let old_draft = format!("{DOGS}/drafts/{old}");
    let changed = app.get(&format!("{old_draft}/steps/0")).await;
    assert_eq!(changed.status, StatusCode::OK);
    assert!(changed.body.contains("Úřad mezitím formulář upravil."));
    assert_eq!(
        value_of(&changed, "f-jmeno").as_deref(),
        Some("Jana Dvořáková")
    );
    assert!(!changed.body.contains("už se neptáme"));
}

/// Files a request for information as the citizen logged in; the
/// submission's address.
async fn file_information_request(app: &mut TestApp) -> String {
    let draft = begin(app, "/forms/zadost-o-informace").await;
    let step = app.get(&format!("{draft}/steps/0")).await;
    let prefilled = |id: &str| value_of(&step, id).unwrap_or_default();
    let (name, born, address) = (
        prefilled("f-jmeno"),
        prefilled("f-datum_narozeni"),
        prefilled("f-adresa"),
    );
    let applicant = post_step(
        app,
        &draft,
        0,
        &[
            ("jmeno", &name),
            ("datum_narozeni", &born),
            ("adresa", &address),
        ],
    )
    .await;
    assert_eq!(
        applicant.location(),
        format!("{draft}/steps/1"),
        "{}",
        applicant.body
    );
    let request = post_step(
        app,
        &draft,
        1,
        &[
            ("predmet", "Rozpočet města"),
            ("zadost", "Prosím o rozpočet města na rok 2026."),
            ("zpusob", "portal"),
        ],
    )
    .await;
    assert_eq!(
        request.location(),
        format!("{draft}/review"),
        "{}",
        request.body
    );
    let filed = app
        .post_form(&format!("{draft}/review"), &format!("{draft}/submit"), &[])
        .await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    filed.location().trim_end_matches("?filed=1").to_owned()
}

#[tokio::test]
async fn a_submission_is_withdrawn_once_and_only_when_confirmed() {
    let mut app = TestApp::new().await;
    app.log_in_as(JANA).await;
    let submission = file_information_request(&mut app).await;

    let unconfirmed = app
        .post_form(&submission, &format!("{submission}/withdraw"), &[])
        .await;
    assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unconfirmed
            .body
            .contains("Potvrďte prosím, že chcete podání vzít zpět.")
    );
    let withdrawn = app
        .post_form(
            &submission,
            &format!("{submission}/withdraw"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(withdrawn.location(), format!("{submission}?done=withdrawn"));
    let page = app.get(withdrawn.location()).await;
    assert_eq!(
        page.element_text("submission-state").as_deref(),
        Some("Vzato zpět")
    );
    assert!(page.body.contains("Podání vzato zpět"));
    assert!(
        !page.body.contains("id=\"withdraw\""),
        "no second withdrawal offered"
    );
    let again = app
        .post_form(
            &submission,
            &format!("{submission}/withdraw"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("vzít ho zpět nelze"));
    assert!(
        app.audit_actions()
            .await
            .contains(&"submission_withdrawn".to_owned())
    );
}

/// An agenda receiving the forms that name `key`, in a department of its own.
pub async fn agenda(app: &TestApp, name: &str, key: &str) -> AgendaId {
    let now = app.state.now();
    let event = |action| AuditEvent::new(now, Actor::System, action);
    let organisation = app.state.store.organisation();
    let department = DepartmentId::random();
    organisation
        .create_department(
            department,
            &Label::parse(&format!("Odbor {name}")).unwrap(),
            now,
            &event(Action::DepartmentCreated),
        )
        .await
        .unwrap()
        .unwrap();
    let id = AgendaId::random();
    organisation
        .create_agenda(
            id,
            department,
            &Label::parse(name).unwrap(),
            AgendaKey::parse(key).as_ref(),
            now,
            &event(Action::AgendaCreated),
        )
        .await
        .unwrap()
        .unwrap();
    id
}

async fn staff_id(app: &TestApp, login: &str) -> StaffId {
    let login = LoginName::parse(login).unwrap();
    let staff = app.state.store.staff();
    staff.by_login(&login).await.unwrap().unwrap().id
}

/// A new official whose scope is `agenda`, logged in; their app's secret.
pub async fn official_of(app: &mut TestApp, login: &str, agenda: AgendaId) -> TotpSecret {
    let (id, secret) = app.logged_in_staff(login, &[Role::Official]).await;
    let event = AuditEvent::new(app.state.now(), Actor::System, Action::ScopeGranted);
    app.state
        .store
        .staff()
        .change_grants(id, GrantChange::AddAgenda(agenda), app.state.now(), &event)
        .await
        .unwrap();
    secret
}

#[tokio::test]
async fn an_official_works_a_submission_of_their_agenda_and_the_citizen_sees_the_outcome() {
    let mut app = TestApp::new().await;
    let information = agenda(&app, "Informace", "informace-106").await;
    let dogs = agenda(&app, "Poplatek ze psů", "poplatek-ze-psu").await;
    app.log_in_as(JANA).await;
    let citizens_page = file_information_request(&mut app).await;
    let id = citizens_page.trim_start_matches("/submissions/").to_owned();

    // An official of another agenda sees neither the queue nor the submission.
    official_of(&mut app, "jiny.urednik", dogs).await;
    let queue = format!("/office/agendas/{information}");
    assert_eq!(app.get(&queue).await.status, StatusCode::FORBIDDEN);
    let elsewhere = format!("/office/agendas/{dogs}/submissions/{id}");
    assert_eq!(app.get(&elsewhere).await.status, StatusCode::NOT_FOUND);
    assert!(
        !app.get(&format!("/office/agendas/{dogs}"))
            .await
            .body
            .contains("PO-1/")
    );

    official_of(&mut app, "urednik", information).await;
    let listed = app.get(&queue).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    assert!(listed.body.contains("PO-1/"));
    assert!(listed.body.contains("Žádost o informace"));
    let page = format!("{queue}/submissions/{id}");
    let opened = app.get(&page).await;
    assert!(opened.body.contains("Prosím o rozpočet města na rok 2026."));
    assert!(
        app.audit_actions()
            .await
            .contains(&"submission_read".to_owned())
    );

    // A message is needed where the citizen is told; what was typed stays.
    let steps = format!("{page}/steps");
    let silent = app
        .post_multipart(
            &page,
            &steps,
            &[Part::Text("step", "resolve"), Part::Text("text", "  ")],
        )
        .await;
    assert_eq!(silent.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(silent.body.contains("Napište text"));
    let forged = app
        .post_multipart(&page, &steps, &[Part::Text("step", "delete_everything")])
        .await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST);

    let taken = app
        .post_multipart(&page, &steps, &[Part::Text("step", "take_up")])
        .await;
    assert_eq!(taken.location(), page);
    let taken = app.get(&page).await;
    assert_eq!(
        taken.element_text("submission-state").as_deref(),
        Some("Vyřizuje se")
    );
    let noted = app
        .post_multipart(
            &page,
            &steps,
            &[
                Part::Text("step", "note"),
                Part::Text("text", "Ověřit u ekonomického odboru."),
            ],
        )
        .await;
    assert_eq!(noted.status, StatusCode::SEE_OTHER);
    let resolved = app
        .post_multipart(
            &page,
            &steps,
            &[
                Part::Text("step", "resolve"),
                Part::Text("text", "Rozpočet najdete na úřední desce."),
            ],
        )
        .await;
    assert_eq!(resolved.status, StatusCode::SEE_OTHER);
    let settled = app.get(&page).await;
    assert_eq!(
        settled.element_text("submission-state").as_deref(),
        Some("Vyřízeno")
    );
    assert!(
        !settled.body.contains("id=\"step-resolve\""),
        "nothing more to do"
    );
    let late = app
        .post_multipart(
            &page,
            &steps,
            &[Part::Text("step", "reject"), Part::Text("text", "Ne.")],
        )
        .await;
    assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        late.body
            .contains("už v současném stavu podání udělat nelze")
    );
    let actions = app.audit_actions().await;
    assert_eq!(
        actions
            .iter()
            .filter(|action| *action == "submission_worked")
            .count(),
        3
    );

    // The citizen sees the outcome and the message, never the note.
    app.log_in_as(JANA).await;
    let outcome = app.get(&citizens_page).await;
    assert_eq!(
        outcome.element_text("submission-state").as_deref(),
        Some("Vyřízeno")
    );
    assert!(outcome.body.contains("Úřad podání převzal k vyřízení"));
    assert!(outcome.body.contains("Rozpočet najdete na úřední desce."));
    assert!(!outcome.body.contains("Ověřit u ekonomického odboru."));
    assert!(!outcome.body.contains("id=\"withdraw\""));

    // The dashboard's inbox tells her too, newest first, without the note.
    let dashboard = app.get("/dashboard").await;
    let inbox = &dashboard.body[dashboard.body.find("id=\"inbox\"").unwrap()..];
    let resolved = inbox.find("Podání vyřízeno").unwrap();
    let taken_up = inbox.find("Úřad podání převzal k vyřízení").unwrap();
    assert!(resolved < taken_up, "newest first");
    assert!(inbox.contains("Rozpočet najdete na úřední desce."));
    assert!(!inbox.contains("Ověřit u ekonomického odboru."));
    assert!(inbox.contains(&citizens_page));
}

/// The markup of the list with this id.
fn list<'a>(page: &'a TestResponse, id: &str) -> &'a str {
    let start = page.body.find(&format!("id=\"{id}\"")).unwrap();
    let end = start + page.body[start..].find("</ul>").unwrap();
    &page.body[start..end]
}

/// The id of the citizen's only document named `name`.
async fn document_named(app: &TestApp, name: &str) -> String {
    let citizen = app.citizen().await;
    let documents = app.state.store.documents().list(&citizen).await.unwrap();
    let found = documents.iter().find(|d| d.name.as_str() == name).unwrap();
    found.id.to_string()
}

#[tokio::test]
async fn the_citizen_answers_the_office_with_documents_and_the_office_reads_them() {
    let mut app = TestApp::new().await;
    let information = agenda(&app, "Informace", "informace-106").await;
    let dogs = agenda(&app, "Poplatek ze psů", "poplatek-ze-psu").await;
    app.log_in_as(PETR).await;
    let png = crate::documents::png();
    crate::documents::upload(&mut app, "", &[("cizi.png", &png)]).await;
    let petrs = document_named(&app, "cizi.png").await;
    app.log_in_as(JANA).await;
    crate::documents::upload(&mut app, "", &[("plna-moc.png", &png)]).await;
    let power = document_named(&app, "plna-moc.png").await;
    let citizens_page = file_information_request(&mut app).await;
    let id = citizens_page.trim_start_matches("/submissions/").to_owned();

    official_of(&mut app, "jiny.urednik", dogs).await;
    let secret = official_of(&mut app, "urednik", information).await;
    let page = format!("/office/agendas/{information}/submissions/{id}");
    let steps = format!("{page}/steps");
    app.post_multipart(&page, &steps, &[Part::Text("step", "take_up")])
        .await;
    let asked = app
        .post_multipart(
            &page,
            &steps,
            &[
                Part::Text("step", "ask_for_more"),
                Part::Text("text", "Doložte prosím plnou moc."),
            ],
        )
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);

    app.log_in_as(JANA).await;
    let waiting = app.get(&citizens_page).await;
    assert_eq!(
        waiting.element_text("submission-state").as_deref(),
        Some("Čeká na vás")
    );
    assert!(waiting.body.contains("id=\"waiting\""));
    assert!(waiting.body.contains("Doložte prosím plnou moc."));
    assert!(
        waiting.body.contains("plna-moc.png"),
        "her documents are offered"
    );
    assert!(!waiting.body.contains("cizi.png"));

    // What is wrong is said at its field; what she typed and chose stays.
    let reply = format!("{citizens_page}/reply");
    let empty = app
        .post_form(
            &citizens_page,
            &reply,
            &[("message", " "), ("documents", &power)],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("Napište zprávu úřadu."));
    assert!(empty.body.contains(&format!("value=\"{power}\" checked")));
    let message = ("message", "Plnou moc přikládám.");
    let borrowed = app
        .post_form(&citizens_page, &reply, &[message, ("documents", &petrs)])
        .await;
    assert_eq!(borrowed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(borrowed.body.contains("už v Mých dokumentech není"));
    assert!(borrowed.body.contains(">Plnou moc přikládám.</textarea>"));
    let six: Vec<String> = (0..6)
        .map(|_| obcan_core::documents::DocumentId::random().to_string())
        .collect();
    let mut many = vec![message];
    many.extend(six.iter().map(|id| ("documents", id.as_str())));
    let too_many = app.post_form(&citizens_page, &reply, &many).await;
    assert_eq!(too_many.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_many.body.contains("nejvýše 5 dokumentů"));
    for forged in [
        vec![message, ("documents", "../../etc/passwd")],
        vec![message, ("state", "resolved")],
        vec![message, message],
    ] {
        let refused = app.post_form(&citizens_page, &reply, &forged).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{forged:?}");
    }
    assert!(
        !app.audit_actions()
            .await
            .contains(&"submission_replied".to_owned()),
        "nothing was sent"
    );

    // A file uploaded with the reply: a program is refused at the
    // documents, the message kept, nothing sent; a file at another input
    // is a forged post.
    let program = [b"MZ\x90\x00".as_slice(), &[0; 200]].concat();
    let refused = app
        .post_multipart(
            &citizens_page,
            &reply,
            &[
                Part::Text("message", "Plnou moc přikládám."),
                Part::File("documents", "plna-moc.exe", &program),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("role=\"alert\">plna-moc.exe – Programy a skripty nelze ukládat"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains(">Plnou moc přikládám.</textarea>"));
    let misplaced = app
        .post_multipart(
            &citizens_page,
            &reply,
            &[Part::File("message", "dopis.png", &png)],
        )
        .await;
    assert_eq!(misplaced.status, StatusCode::BAD_REQUEST);
    assert!(
        !app.audit_actions()
            .await
            .contains(&"submission_replied".to_owned()),
        "nothing was sent"
    );

    let sent = app
        .post_multipart(
            &citizens_page,
            &reply,
            &[
                Part::Text("message", "Plnou moc přikládám."),
                Part::Text("documents", &power),
                Part::File("documents", "podpis.png", &png),
            ],
        )
        .await;
    assert_eq!(sent.location(), format!("{citizens_page}?done=replied"));
    let after = app.get(sent.location()).await;
    assert!(after.body.contains("Vaše odpověď je odeslána úřadu."));
    assert_eq!(
        after.element_text("submission-state").as_deref(),
        Some("Vyřizuje se"),
        "back with the office"
    );
    assert!(after.body.contains("Odpověď občana"));
    assert!(list(&after, "attachments").contains("plna-moc.png"));
    assert!(list(&after, "attachments").contains("podpis.png"));
    // The uploaded file stays in her documents too.
    document_named(&app, "podpis.png").await;
    assert!(
        app.audit_actions()
            .await
            .contains(&"submission_replied".to_owned())
    );

    // Petr cannot write on her submission.
    app.log_in_as(PETR).await;
    let stolen = app.post_form("/submissions", &reply, &[message]).await;
    assert_eq!(stolen.status, StatusCode::NOT_FOUND);

    // The official reads the reply and downloads the document as sent.
    app.staff_login("urednik", &secret).await;
    let worked = app.get(&page).await;
    assert!(worked.body.contains("Plnou moc přikládám."));
    let documents = list(&worked, "documents");
    assert!(documents.contains("plna-moc.png"), "{documents}");
    let start = worked.body.find(&format!("{page}/documents/")).unwrap();
    let href = &worked.body[start..start + worked.body[start..].find('"').unwrap()];
    let downloaded = app.get(href).await;
    assert_eq!(downloaded.status, StatusCode::OK);
    assert_eq!(downloaded.bytes, png);
    assert!(
        app.audit_actions()
            .await
            .contains(&"record_document_read".to_owned())
    );
    let elsewhere = href.replace(&information.to_string(), &dogs.to_string());
    assert_eq!(app.get(&elsewhere).await.status, StatusCode::FORBIDDEN);
    let unknown = format!("{page}/documents/{petrs}");
    assert_eq!(app.get(&unknown).await.status, StatusCode::NOT_FOUND);

    // Once resolved, it takes no more replies.
    app.post_multipart(
        &page,
        &steps,
        &[Part::Text("step", "resolve"), Part::Text("text", "Hotovo.")],
    )
    .await;
    app.log_in_as(JANA).await;
    let settled = app.get(&citizens_page).await;
    assert!(!settled.body.contains("id=\"reply\""));
    let late = app
        .post_form(&citizens_page, &reply, &[("message", "Ještě něco.")])
        .await;
    assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(late.body.contains("odpověď k němu poslat nelze"));
}

#[tokio::test]
async fn an_official_gives_a_submission_to_a_colleague_and_finds_it_in_the_queue() {
    let mut app = TestApp::new().await;
    let information = agenda(&app, "Informace", "informace-106").await;
    let dogs = agenda(&app, "Poplatek ze psů", "poplatek-ze-psu").await;
    app.log_in_as(JANA).await;
    let first = file_information_request(&mut app).await;
    let second = file_information_request(&mut app).await;
    let id_of = |page: &str| page.trim_start_matches("/submissions/").to_owned();
    let (first, second) = (id_of(&first), id_of(&second));

    // Two officials of the agenda, and one of another that cannot be given it.
    official_of(&mut app, "jina.agenda", dogs).await;
    official_of(&mut app, "kolegyne", information).await;
    let secret = official_of(&mut app, "urednik", information).await;
    let (colleague, outsider) = (
        staff_id(&app, "kolegyne").await,
        staff_id(&app, "jina.agenda").await,
    );

    let queue = format!("/office/agendas/{information}");
    let page = format!("{queue}/submissions/{second}");
    let opened = app.get(&page).await;
    assert!(
        opened
            .body
            .contains(&format!("<option value=\"{colleague}\">kolegyne")),
        "{}",
        opened.body
    );
    assert!(!opened.body.contains(&outsider.to_string()));
    let assign = format!("{page}/assign");
    let refused = app
        .post_form(&page, &assign, &[("to", &outsider.to_string())])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("v této agendě nepracuje"));
    let forged = app.post_form(&page, &assign, &[("to", "nikdo")]).await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST);
    let given = app
        .post_form(&page, &assign, &[("to", &colleague.to_string())])
        .await;
    assert_eq!(given.location(), page);
    let given = app.get(&page).await;
    assert!(given.body.contains("Přiděleno: kolegyne"), "{}", given.body);
    assert!(
        app.audit_actions()
            .await
            .contains(&"submission_worked".to_owned())
    );
    // The citizen is not told who works it.
    app.log_in_as(JANA).await;
    let citizens = app.get(&format!("/submissions/{second}")).await;
    assert!(!citizens.body.contains("kolegyne"));

    // The queue, filtered: by assignee, state, deadline and reference.
    app.staff_login("urednik", &secret).await;
    let shows = |page: &TestResponse, id: &str| page.body.contains(&format!("/submissions/{id}\""));
    let theirs = app.get(&format!("{queue}?assignee={colleague}")).await;
    assert!(shows(&theirs, &second) && !shows(&theirs, &first));
    let nobodys = app.get(&format!("{queue}?assignee=nobody")).await;
    assert!(shows(&nobodys, &first) && !shows(&nobodys, &second));
    assert!(!shows(
        &app.get(&format!("{queue}?assignee=me")).await,
        &first
    ));
    assert!(shows(
        &app.get(&format!("{queue}?state=open")).await,
        &first
    ));
    assert!(!shows(
        &app.get(&format!("{queue}?state=resolved")).await,
        &first
    ));
    let overdue = app.get(&format!("{queue}?overdue=yes")).await;
    assert!(overdue.body.contains("Filtru neodpovídá žádné podání."));
    let listed = app.get(&queue).await.body;
    let link = format!("/submissions/{second}\">");
    let reference = listed
        .split(&link)
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap();
    let found = app
        .get(&format!(
            "{queue}?{}",
            &format!("reference={}", reference.to_lowercase())
        ))
        .await;
    assert!(
        shows(&found, &second) && !shows(&found, &first),
        "{reference}"
    );

    // A value not offered is left out, and the official is told.
    let unknown = app
        .get(&format!("{queue}?state=lost&assignee={outsider}"))
        .await;
    assert_eq!(unknown.status, StatusCode::OK);
    assert!(unknown.body.contains("neplatnou hodnotu"));
    assert!(shows(&unknown, &first) && shows(&unknown, &second));
}

#[tokio::test]
async fn the_decision_is_filed_and_delivered_into_the_citizens_documents() {
    let mut app = TestApp::new().await;
    let information = agenda(&app, "Informace", "informace-106").await;
    app.log_in_as(JANA).await;
    let citizens_page = file_information_request(&mut app).await;
    let jana = app.citizen().await;
    let id = citizens_page.trim_start_matches("/submissions/").to_owned();
    official_of(&mut app, "urednik", information).await;
    let page = format!("/office/agendas/{information}/submissions/{id}");
    let steps = format!("{page}/steps");
    let decision = crate::documents::pdf("Rozhodnutí o poskytnutí informace");
    let blobs = crate::documents::blob_files(&app).len();
    let store = app.state.store.clone();
    let citizens_documents = || async { store.documents().list(&jana).await.unwrap() };
    assert!(citizens_documents().await.is_empty());

    // Refused, with nothing kept: a document with a step that does not
    // send one, a document of a disallowed kind, a missing message.
    let noted = app
        .post_multipart(
            &page,
            &steps,
            &[
                Part::Text("text", "Interní poznámka."),
                Part::File("document", "rozhodnuti.pdf", &decision),
                Part::Text("step", "note"),
            ],
        )
        .await;
    assert_eq!(noted.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        noted.body.contains("Dokument lze poslat jen s"),
        "{}",
        noted.body
    );
    assert!(noted.body.contains("Interní poznámka."), "the text is kept");
    let program = app
        .post_multipart(
            &page,
            &steps,
            &[
                Part::Text("text", "Vyřízeno."),
                Part::File("document", "rozhodnuti.exe", b"MZ\x90\x00 not a decision"),
                Part::Text("step", "resolve"),
            ],
        )
        .await;
    assert_eq!(program.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(program.body.contains("Vyřízeno."));
    let silent = app
        .post_multipart(
            &page,
            &steps,
            &[
                Part::Text("text", " "),
                Part::File("document", "rozhodnuti.pdf", &decision),
                Part::Text("step", "resolve"),
            ],
        )
        .await;
    assert_eq!(silent.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(silent.body.contains("Napište text"));
    assert_eq!(
        crate::documents::blob_files(&app).len(),
        blobs,
        "nothing kept"
    );
    let opened = app.get(&page).await;
    assert_eq!(
        opened.element_text("submission-state").as_deref(),
        Some("Přijato")
    );

    // Resolved with the decision: in the file, and in Jana's documents as
    // the office's, under the same id.
    let resolved = app
        .post_multipart(
            &page,
            &steps,
            &[
                Part::Text("text", "Informaci poskytujeme v příloze."),
                Part::File("document", "rozhodnuti.pdf", &decision),
                Part::Text("step", "resolve"),
            ],
        )
        .await;
    assert_eq!(resolved.location(), page, "{}", resolved.body);
    let resolved = app.get(&page).await;
    assert!(
        resolved.body.contains("rozhodnuti.pdf"),
        "listed in the file"
    );
    let delivered = citizens_documents().await;
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].name.as_str(), "rozhodnuti.pdf");
    assert_eq!(
        delivered[0].origin,
        obcan_core::documents::Origin::Office {
            sender: "Město Vzorov – Informace".into()
        }
    );
    assert_eq!(
        crate::documents::blob_files(&app).len(),
        blobs + 2,
        "one under the file's key, one under Jana's"
    );
    let audit = store.audit();
    let logged = audit.page(None, Some("submission_worked"), None, 10).await;
    let logged = logged.unwrap();
    let document = delivered[0].id.to_string();
    assert_eq!(logged[0].detail.get("document"), Some(&document));
    assert_eq!(
        logged[0].detail.get("step").map(String::as_str),
        Some("resolve")
    );

    // Jana reads it in her documents and sees it with her submission.
    app.log_in_as(JANA).await;
    let download = app
        .get(&format!("/documents/{}/download", delivered[0].id))
        .await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.body.as_bytes(), decision.as_slice());
    let submission = app.get(&citizens_page).await;
    assert!(submission.body.contains(&format!(
        "<a href=\"/documents/{document}\">rozhodnuti.pdf</a>"
    )));
    assert!(submission.body.contains("Informaci poskytujeme v příloze."));
}
