//! The records manager's pages end to end: a file opened under the filing
//! plan, documents filed through the real multipart form, closing, a legal
//! hold, and years later the system's disposal proposal approved here, which
//! archives one file and destroys another; with the bad input of each step.

use axum::body::Body;
use axum::http::{Method, StatusCode, header};
use http_body_util::BodyExt as _;
use obcan_core::staff::Role;
use obcan_formats::testing::{unzip, validate_mets};
use sha2::{Digest as _, Sha256};
use tower::ServiceExt as _;

use crate::documents::pdf;
use crate::support::{TestApp, TestResponse};

const BOUNDARY: &str = "obcanRecordsBoundary3kQ9";
const YEAR: i64 = 366 * 24 * 3600;

async fn file_document(app: &mut TestApp, file: &str, name: &str, bytes: &[u8]) -> TestResponse {
    let page = app.get(file).await;
    let csrf = page.csrf_token().unwrap();
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let request = app
        .builder(Method::POST, &format!("{file}/documents"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(body))
        .unwrap();
    app.request(request).await
}

/// Exports a file and reads the package as an archive would: its
/// `mets.xml`, valid against the schemas, and its other entries.
async fn export(app: &mut TestApp, file: &str) -> (String, Vec<(String, Vec<u8>)>) {
    let exported = app.get(&format!("{file}/export")).await;
    assert_eq!(exported.status, StatusCode::OK, "{}", exported.body);
    assert_eq!(exported.header("content-type"), Some("application/zip"));
    let disposition = exported.header("content-disposition").unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"SIP-SP-"),
        "{disposition}"
    );
    let mut entries = unzip(&exported.bytes).unwrap();
    let (name, mets) = entries.remove(0);
    assert_eq!(name, "mets.xml", "mets.xml comes first");
    let mets = String::from_utf8(mets).unwrap();
    if let Err(report) = validate_mets(&mets) {
        panic!("{report}\n{mets}");
    }
    (mets, entries)
}

/// Opens a file and returns its page's path.
async fn open_file(app: &mut TestApp, class: &str, title: &str) -> String {
    let opened = app
        .post_form(
            "/office/records",
            "/office/records",
            &[("class", class), ("title", title)],
        )
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    let location = opened.location();
    location[..location.find('?').unwrap()].to_owned()
}

#[tokio::test]
async fn a_file_goes_from_opening_through_hold_to_disposal() {
    let mut app = TestApp::new().await;
    let (_, secret) = app
        .logged_in_staff("spisovna", &[Role::RecordsManager])
        .await;

    // Bad input keeps what was typed and says what is wrong.
    let refused = app
        .post_form(
            "/office/records",
            "/office/records",
            &[("class", "9.9"), ("title", "Stížnost na hluk\u{7}")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("Vyberte spisový znak ze spisového plánu.")
    );
    assert!(refused.body.contains("Vyplňte věc spisu"));
    assert!(refused.body.contains("Stížnost na hluk"));

    let petition = open_file(&mut app, "2.2", "Petice za přechod u školy").await;
    let request = open_file(&mut app, "1.1", "Žádost o rozpočet 2026").await;
    let report = open_file(&mut app, "1.4", "Rozbitá lampa v Lipové").await;
    let page = app.get(&format!("{petition}?done=created")).await;
    assert!(page.body.contains("Spis byl založen."));
    assert_eq!(
        page.element_text("file-title").as_deref(),
        Some("Petice za přechod u školy")
    );
    assert!(
        page.element_text("file-reference")
            .unwrap()
            .starts_with("SP-")
    );

    // Closing an empty file is refused; a program is not filed.
    let empty = app
        .post_form(&petition, &format!("{petition}/close"), &[])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("Prázdný spis nelze uzavřít"));
    let program = file_document(&mut app, &petition, "petice.pdf", b"MZ\x90\x00program").await;
    assert_eq!(program.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        app.get(&petition)
            .await
            .body
            .contains("Ve spisu zatím nejsou dokumenty.")
    );

    let content = pdf("Petice, 312 podpisů");
    for file in [&petition, &request, &report] {
        let filed = file_document(&mut app, file, "podání.pdf", &content).await;
        assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    }
    // A minute later, so that the documents' order is the order of filing.
    app.advance(60);
    let attachment = pdf("Podpisové archy");
    let filed = file_document(&mut app, &petition, "archy/1.pdf", &attachment).await;
    assert_eq!(
        filed.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a path is no name"
    );
    let filed = file_document(&mut app, &petition, "Podpisové archy.pdf", &attachment).await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);

    // An open file is not exported.
    let open = app.get(&format!("{petition}/export")).await;
    assert_eq!(open.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        open.body
            .contains("Exportovat lze jen uzavřený nebo archivovaný spis.")
    );
    let page = app.get(&petition).await;
    assert!(page.body.contains("podání.pdf"));
    let link = {
        let start = page.body.find(&format!("{petition}/documents/")).unwrap();
        page.body[start..start + page.body[start..].find('"').unwrap()].to_owned()
    };
    let download = app.get(&link).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.body.as_bytes(), content.as_slice());

    for file in [&petition, &request, &report] {
        let closed = app.post_form(file, &format!("{file}/close"), &[]).await;
        assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
    }
    let closed = app.get(&petition).await;
    assert_eq!(
        closed.element_text("file-state").as_deref(),
        Some("uzavřený")
    );

    // The closed file leaves for the disposal procedure as a SIP: its
    // documents byte for byte, each with its checksum in mets.xml.
    let (mets, components) = export(&mut app, &petition).await;
    assert!(mets.contains(r#"LABEL="Datový balíček pro provedení skartačního řízení""#));
    assert!(mets.contains("<nsesss:Nazev>Petice za přechod u školy</nsesss:Nazev>"));
    assert!(
        mets.contains("<mets:note>00012343</mets:note>"),
        "the office's IČO"
    );
    assert!(mets.contains("<nsesss:SkartacniZnak>A</nsesss:SkartacniZnak>"));
    assert!(mets.contains("<nsesss:PlneUrcenySpisovyZnak>2.2</nsesss:PlneUrcenySpisovyZnak>"));
    let names: Vec<&str> = components.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "komponenty/1_podani.pdf",
            "komponenty/2_Podpisove_archy.pdf"
        ]
    );
    for ((name, bytes), original) in components.iter().zip([&content, &attachment]) {
        assert_eq!(bytes, original, "{name}");
        let sha256: String = Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert!(mets.contains(&format!(r#"CHECKSUM="{sha256}""#)), "{name}");
    }

    let late = file_document(&mut app, &petition, "pozdě.pdf", &content).await;
    assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(late.body.contains("Spis už není otevřený."));

    // A hold needs its reason; the typed text is kept.
    let no_reason = app
        .post_form(&report, &format!("{report}/hold"), &[("reason", " ")])
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.body.contains("Vyplňte důvod blokace"));
    let held = app
        .post_form(
            &report,
            &format!("{report}/hold"),
            &[("reason", "Soudní spor 12 C 34/2026")],
        )
        .await;
    assert_eq!(held.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get(&report)
            .await
            .element_text("hold-reason")
            .as_deref(),
        Some("Soudní spor 12 C 34/2026")
    );

    // Nothing is due yet.
    let nothing = app
        .post_form("/office/records/disposal", "/office/records/disposal", &[])
        .await;
    assert_eq!(
        nothing.location(),
        "/office/records/disposal?done=nothing-due"
    );

    // Seven years on, the petition (A/5) and the request (V/5) are due; the
    // held report (S/2) is not.
    app.advance(7 * YEAR);
    app.staff_login("spisovna", &secret).await;
    let disposal = app.get("/office/records/disposal").await;
    assert!(disposal.body.contains("Petice za přechod u školy"));
    assert!(!disposal.body.contains("Rozbitá lampa v Lipové"));
    let proposed = app
        .post_form("/office/records/disposal", "/office/records/disposal", &[])
        .await;
    assert_eq!(proposed.status, StatusCode::SEE_OTHER);
    let proposal = proposed.location()[..proposed.location().find('?').unwrap()].to_owned();

    // The "V" file needs a decision; without one nothing happens.
    let undecided = app
        .post_form(&proposal, &format!("{proposal}/approve"), &[])
        .await;
    assert_eq!(undecided.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(undecided.body.contains("U spisu se znakem V rozhodněte"));
    assert_eq!(
        app.get(&petition)
            .await
            .element_text("file-state")
            .as_deref(),
        Some("uzavřený")
    );

    let request_id = request.rsplit('/').next().unwrap();
    let decision = format!("decision-{request_id}");
    let approved = app
        .post_form(
            &proposal,
            &format!("{proposal}/approve"),
            &[(decision.as_str(), "destroy")],
        )
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.body);
    let page = app.get(approved.location()).await;
    assert!(page.body.contains("Návrh byl schválen a proveden."));

    let archived = app.get(&petition).await;
    assert_eq!(
        archived.element_text("file-state").as_deref(),
        Some("archivovaný")
    );
    assert!(archived.body.contains("nic z něj nelze změnit"));
    assert_eq!(app.get(&link).await.status, StatusCode::OK);
    let (mets, components) = export(&mut app, &petition).await;
    assert!(
        mets.contains(
            r#"LABEL="Datový balíček pro předávání dokumentů a jejich metadat do archivu""#
        )
    );
    assert_eq!(components.len(), 2);

    let destroyed = app.get(&request).await;
    assert_eq!(
        destroyed.element_text("file-state").as_deref(),
        Some("skartovaný")
    );
    assert!(!destroyed.body.contains("Žádost o rozpočet 2026"));
    let gone = app.get(&format!("{request}/export")).await;
    assert_eq!(gone.status, StatusCode::UNPROCESSABLE_ENTITY);

    // An archived file takes no hold; a decided proposal is not decided again.
    let hold = app
        .post_raw(
            &format!("{petition}/hold"),
            &[
                ("_csrf", archived.csrf_token().unwrap().as_str()),
                ("reason", "pozdě"),
            ],
        )
        .await;
    assert_eq!(hold.status, StatusCode::UNPROCESSABLE_ENTITY);
    let again = app
        .post_form(&proposal, &format!("{proposal}/reject"), &[])
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("Návrh už byl rozhodnut."));

    let actions = app.audit_actions().await;
    for action in [
        "record_file_opened",
        "record_document_filed",
        "record_document_read",
        "record_file_closed",
        "legal_hold_placed",
        "disposal_proposed",
        "disposal_approved",
        "record_file_archived",
        "record_file_destroyed",
        "record_file_exported",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action}");
    }
}

#[tokio::test]
async fn a_file_with_a_damaged_document_is_not_exported() {
    let mut app = TestApp::new().await;
    app.logged_in_staff("spisovna", &[Role::RecordsManager])
        .await;
    let file = open_file(&mut app, "1.3", "Přihlášení psa Alík").await;
    let content = [pdf("Alík"), vec![b' '; 200_000]].concat();
    let filed = file_document(&mut app, &file, "přihláška.pdf", &content).await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    let export_link = format!("{file}/export");
    assert!(!app.get(&file).await.body.contains(&export_link));
    let closed = app.post_form(&file, &format!("{file}/close"), &[]).await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
    assert!(app.get(&file).await.body.contains(&export_link));

    // An object gone since the last integrity round: mets.xml may have left
    // already, so the package breaks off rather than end as a whole ZIP.
    let object = crate::documents::blob_files(&app).remove(0);
    let kept = std::fs::read(&object).unwrap();
    std::fs::remove_file(&object).unwrap();
    let request = app
        .builder(Method::GET, &export_link)
        .body(Body::empty())
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.into_body().collect().await.is_err());
    std::fs::write(&object, &kept).unwrap();

    crate::documents::damage(&object);
    let report = obcan::verify_storage(&app.state.store, app.state.now())
        .await
        .unwrap();
    assert_eq!(report.damaged.len(), 1);

    let refused = app.get(&export_link).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("neprošel kontrolou integrity"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("přihláška.pdf"));
    // The export that broke off was begun, and is audited; the refused one
    // was not.
    let exports = app
        .audit_actions()
        .await
        .iter()
        .filter(|a| *a == "record_file_exported")
        .count();
    assert_eq!(exports, 1);
}

/// A submission's file is opened by the portal's filing office, not by
/// a staff member; its package says so.
#[tokio::test]
async fn a_submissions_file_is_exported_with_the_filing_office_as_opener() {
    use obcan_core::forms::{Answers, BUILT_IN, FormDefinition, Value};

    let mut app = TestApp::new().await;
    app.log_in_as(crate::support::JANA).await;
    let citizen = app.citizen().await;
    let form = FormDefinition::parse(BUILT_IN[3].1).unwrap();
    let mut content = Answers::default();
    content.set("popis", Value::One("Lampa nesvítí.".into()));
    let store = &app.state.store;
    let draft = store
        .drafts()
        .begin(&citizen, &form.id, form.version, &content, app.state.now())
        .await
        .unwrap();
    let filing = obcan_store::Filing {
        citizen: &citizen,
        draft,
        form: &form,
        content: &content,
        attachments: &[],
    };
    let filed = store
        .submissions()
        .submit(&filing, app.state.now(), None)
        .await
        .unwrap();
    assert!(matches!(filed, obcan_store::Filed::New(_)), "{filed:?}");
    let file = store.records().list(None).await.unwrap().remove(0);
    assert_eq!(file.class_mark, "1.4");

    app.logged_in_staff("spisovna", &[Role::RecordsManager])
        .await;
    let path = format!("/office/records/{}", file.id);
    let filed = file_document(&mut app, &path, "hlaseni.pdf", &pdf("Hlášení")).await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    let closed = app.post_form(&path, &format!("{path}/close"), &[]).await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
    let (mets, components) = export(&mut app, &path).await;
    assert_eq!(components.len(), 1);
    assert!(
        mets.contains("Hlášení závady ve veřejném prostoru PO-1/"),
        "{mets}"
    );
    assert!(mets.contains("Elektronická podatelna, podatelna"), "{mets}");
}

#[tokio::test]
async fn the_records_are_the_records_managers_only() {
    let mut app = TestApp::new().await;
    app.logged_in_staff("urednik", &[Role::Official]).await;
    assert_eq!(
        app.get("/office/records").await.status,
        StatusCode::FORBIDDEN
    );
    let home = app.get("/office").await;
    assert!(!home.body.contains("/office/records"));
}
