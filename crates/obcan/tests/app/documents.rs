//! "Moje dokumenty": uploads through the real multipart form, the format
//! filter, the quota, downloads and previews, folders, the access history,
//! and what is (not) left on disk: no plaintext anywhere, nothing after a
//! refused upload, nothing readable after the account is deleted.

use axum::body::Body;
use axum::http::{Method, StatusCode, header};
use obcan_store::owner_of;

use crate::support::{JANA, PETR, TestApp};

const BOUNDARY: &str = "obcanTestBoundary7MA4YWxkTrZu0gW";

/// A minimal PDF whose text is `text`.
pub(crate) fn pdf(text: &str) -> Vec<u8> {
    format!(
        "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages \
         /Kids [] /Count 0 >>\nendobj\n% {text}\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )
    .into_bytes()
}

/// A 1×1 PNG.
pub(crate) fn png() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&[0, 0, 0, 13]);
    png.extend_from_slice(b"IHDR");
    png.extend_from_slice(&[
        0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89,
    ]);
    png.extend_from_slice(&[0, 0, 0, 0]);
    png.extend_from_slice(b"IEND");
    png.extend_from_slice(&[0xae, 0x42, 0x60, 0x82]);
    png
}

/// The upload form's body: the CSRF token first, as the page's form sends it.
fn multipart(csrf: &str, folder: &str, files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    let mut text_part = |name: &str, value: &str| {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    };
    text_part("_csrf", csrf);
    text_part("folder", folder);
    for (name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; \
                 filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

pub(crate) async fn upload(
    app: &mut TestApp,
    folder: &str,
    files: &[(&str, &[u8])],
) -> crate::support::TestResponse {
    let page = app.get("/documents").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = page.csrf_token().unwrap();
    let body = multipart(&csrf, folder, files);
    let request = app
        .builder(Method::POST, "/documents")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(body))
        .unwrap();
    app.request(request).await
}

async fn document_ids(app: &TestApp) -> Vec<String> {
    let citizen = citizen_id(app).await;
    app.state
        .store
        .documents()
        .list(&citizen)
        .await
        .unwrap()
        .into_iter()
        .map(|document| document.id.to_string())
        .collect()
}

async fn citizen_id(app: &TestApp) -> obcan_core::citizen::CitizenId {
    app.citizen().await
}

/// The text of the list of refused files, tags dropped.
fn refused_list(body: &str) -> String {
    let Some(start) = body.find("id=\"refused\"") else {
        return String::new();
    };
    let list = &body[start..start + body[start..].find("</ul>").unwrap()];
    let mut text = String::new();
    let mut in_tag = false;
    for c in list.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

/// Every file under the portal's blob store.
/// Flips a bit in the middle of a stored object, as a failing disk might.
pub(crate) fn damage(object: &std::path::Path) {
    let mut bytes = std::fs::read(object).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    std::fs::write(object, &bytes).unwrap();
}

pub(crate) fn blob_files(app: &TestApp) -> Vec<std::path::PathBuf> {
    let root = app.db.as_ref().unwrap().folder.path().join("blobs");
    let mut files = Vec::new();
    let mut folders = vec![root];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

#[tokio::test]
async fn a_citizen_keeps_documents_in_folders_and_sees_who_read_them() {
    let mut app = TestApp::new().await;
    app.log_in_as(JANA).await;
    let contract = pdf("Nájemní smlouva");
    let photo = png();
    let stored = upload(
        &mut app,
        "Smlouvy",
        &[("Nájemní smlouva.pdf", &contract), ("fotka", &photo)],
    )
    .await;
    assert_eq!(stored.status, StatusCode::SEE_OTHER, "{}", stored.body);
    assert_eq!(stored.location(), "/documents?folder=Smlouvy&done=uploaded");
    let list = app.get(stored.location()).await;
    assert!(list.body.contains("Nájemní smlouva.pdf"), "{}", list.body);
    // A name without an extension gets the one its content shows.
    assert!(list.body.contains("fotka.png"), "{}", list.body);
    assert!(list.body.contains("Smlouvy (2)"), "{}", list.body);

    let ids = document_ids(&app).await;
    assert_eq!(ids.len(), 2);
    let citizen = citizen_id(&app).await;
    let documents = app.state.store.documents().list(&citizen).await.unwrap();
    let pdf_id = documents
        .iter()
        .find(|d| d.media_type == "application/pdf")
        .unwrap()
        .id
        .to_string();

    let download = app.get(&format!("/documents/{pdf_id}/download")).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.body.as_bytes(), contract.as_slice());
    assert_eq!(download.header("content-type"), Some("application/pdf"));
    let disposition = download.header("content-disposition").unwrap();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains("filename*=UTF-8''N%C3%A1jemn%C3%AD%20smlouva.pdf"),
        "{disposition}"
    );

    let preview = app.get(&format!("/documents/{pdf_id}/preview")).await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(
        preview
            .header("content-disposition")
            .unwrap()
            .starts_with("inline;")
    );
    assert!(
        preview
            .header("content-security-policy")
            .unwrap()
            .contains("frame-ancestors 'self'")
    );

    let renamed = app
        .post_form(
            &format!("/documents/{pdf_id}"),
            &format!("/documents/{pdf_id}/rename"),
            &[("name", "Smlouva 2026.pdf")],
        )
        .await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER);
    // A path is not a name: refused at the field, what was typed kept.
    let refused = app
        .post_form(
            &format!("/documents/{pdf_id}"),
            &format!("/documents/{pdf_id}/rename"),
            &[("name", "../../etc/passwd")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("value=\"../../etc/passwd\""),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("name-error"), "{}", refused.body);
    // A browser's form cannot carry control characters in a file's name; a rename can.
    let control = app
        .post_form(
            &format!("/documents/{pdf_id}"),
            &format!("/documents/{pdf_id}/rename"),
            &[("name", "a\u{7}b.pdf")],
        )
        .await;
    assert_eq!(control.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(control.body.contains("řídicí znaky"), "{}", control.body);

    let moved = app
        .post_form(
            &format!("/documents/{pdf_id}"),
            &format!("/documents/{pdf_id}/folder"),
            &[("folder", "Byt")],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER);
    let detail = app.get(&format!("/documents/{pdf_id}")).await;
    assert!(detail.body.contains("Smlouva 2026.pdf"), "{}", detail.body);
    assert!(detail.body.contains("value=\"Byt\""), "{}", detail.body);
    // The access history: uploaded, downloaded, previewed, changed twice.
    let history = detail.body[detail.body.find("id=\"history\"").unwrap()..].to_owned();
    for what in ["Nahrání", "Stažení", "Náhled", "Změna názvu nebo složky"] {
        assert!(history.contains(what), "{what}: {history}");
    }

    let deleted = app
        .post_form(
            &format!("/documents/{pdf_id}"),
            &format!("/documents/{pdf_id}/delete"),
            &[],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert_eq!(document_ids(&app).await.len(), 1);
    assert_eq!(
        app.get(&format!("/documents/{pdf_id}")).await.status,
        StatusCode::NOT_FOUND
    );
    // The deleted document's object is gone from the blob store.
    let objects = blob_files(&app)
        .into_iter()
        .filter(|path| path.to_string_lossy().contains("/objects/"))
        .count();
    assert_eq!(objects, 1);

    let actions = app.audit_actions().await;
    for action in [
        "document_uploaded",
        "document_read",
        "document_changed",
        "document_deleted",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
    }
}

#[tokio::test]
async fn another_citizen_cannot_reach_a_document() {
    let mut app = TestApp::new().await;
    app.log_in_as(JANA).await;
    upload(&mut app, "", &[("a.pdf", &pdf("Jana"))]).await;
    let id = document_ids(&app).await.remove(0);

    let mut other = TestApp::on_store(app.state.store.clone(), |_| {});
    other.log_in_as(PETR).await;
    for path in [
        format!("/documents/{id}"),
        format!("/documents/{id}/download"),
        format!("/documents/{id}/preview"),
    ] {
        assert_eq!(
            other.get(&path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let delete = other
        .post_form("/documents", &format!("/documents/{id}/delete"), &[])
        .await;
    assert_eq!(delete.status, StatusCode::NOT_FOUND);
    assert_eq!(document_ids(&app).await, vec![id]);
}

#[tokio::test]
async fn refused_uploads_say_why_and_leave_nothing_behind() {
    let mut app = TestApp::with_config(|config| config.storage.quota_mib = 1).await;
    app.log_in_as(JANA).await;
    let windows_program = [b"MZ\x90\x00".as_slice(), &[0; 200]].concat();
    let big = [pdf("big").as_slice(), &vec![b' '; 1_100_000]].concat();
    let cases: [(&str, &[u8], &str); 6] = [
        ("prazdny.pdf", b"", "Soubor je prázdný."),
        ("faktura.pdf", &windows_program, "program"),
        ("obrazek.pdf", &png(), "ale jeho název končí na .pdf"),
        (
            "stranka.txt",
            b"<!doctype html><script>alert(1)</script>",
            "webová stránka",
        ),
        ("velky.pdf", &big, "nevejde do vašeho úložiště"),
        (
            "C:\\dokumenty\\x.pdf",
            &pdf("x"),
            "nesmí obsahovat znaky / ani",
        ),
    ];
    for (name, bytes, reason) in cases {
        let response = upload(&mut app, "", &[(name, bytes)]).await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        let refused = refused_list(&response.body);
        assert!(refused.contains(reason), "{name}: {refused}");
    }
    // No file chosen: the browser sends an empty, nameless part.
    let none = upload(&mut app, "", &[("", b"")]).await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        none.body.contains("Vyberte alespoň jeden soubor."),
        "{}",
        none.body
    );
    // A folder name that is a path: refused, what was typed kept.
    let folder = upload(&mut app, "a/b", &[("a.pdf", &pdf("a"))]).await;
    assert_eq!(folder.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(folder.body.contains("value=\"a/b\""), "{}", folder.body);

    assert!(document_ids(&app).await.is_empty());
    assert!(blob_files(&app).is_empty(), "{:?}", blob_files(&app));
    let actions = app.audit_actions().await;
    assert_eq!(
        actions.iter().filter(|a| *a == "document_refused").count(),
        6,
        "{actions:?}"
    );

    // One good file beside a refused one: the good one is kept.
    let mixed = upload(&mut app, "", &[("ok.pdf", &pdf("ok")), ("x.pdf", b"")]).await;
    assert_eq!(mixed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(mixed.body.contains("Uložené soubory: 1"), "{}", mixed.body);
    assert_eq!(document_ids(&app).await.len(), 1);
}

#[tokio::test]
async fn an_interrupted_upload_leaves_nothing() {
    let mut app = TestApp::new().await;
    app.log_in_as(JANA).await;
    let page = app.get("/documents").await;
    let csrf = page.csrf_token().unwrap();
    let whole = multipart(
        &csrf,
        "",
        &[("a.pdf", &[pdf("a"), vec![b' '; 300_000]].concat())],
    );
    // The connection drops a little way into the file.
    let sent = whole[..whole.len() - 100_000].to_vec();
    let stream = futures_util::stream::iter([
        Ok::<_, std::io::Error>(axum::body::Bytes::from(sent)),
        Err(std::io::Error::other("connection reset")),
    ]);
    let request = app
        .builder(Method::POST, "/documents")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from_stream(stream))
        .unwrap();
    let response = app.request(request).await;
    assert!(!response.status.is_server_error(), "{}", response.status);
    assert!(document_ids(&app).await.is_empty());
    assert!(blob_files(&app).is_empty(), "{:?}", blob_files(&app));
}

#[tokio::test]
async fn a_damaged_object_is_reported_and_never_served() {
    let mut app = TestApp::new().await;
    app.log_in_as(JANA).await;
    upload(
        &mut app,
        "",
        &[("a.pdf", &[pdf("a"), vec![b' '; 200_000]].concat())],
    )
    .await;
    let id = document_ids(&app).await.remove(0);
    let object = blob_files(&app).remove(0);
    damage(&object);

    let report = obcan::verify_storage(&app.state.store, app.state.now())
        .await
        .unwrap();
    assert_eq!(report.checked, 1);
    assert_eq!(report.damaged.len(), 1);
    assert_eq!(report.damaged[0].document, id);
    assert!(
        app.audit_actions()
            .await
            .iter()
            .any(|a| a == "storage_damaged")
    );
    let list = app.get("/documents").await;
    assert!(list.body.contains("Poškozený"), "{}", list.body);

    // The download refuses to pass on bytes that do not open: the damage is
    // in the second chunk, so the response breaks off before it.
    let download = app.get(&format!("/documents/{id}/download")).await;
    assert!(download.body.len() < 200_000);

    // A missing object is refused with a page before any byte is sent.
    std::fs::remove_file(&object).unwrap();
    let download = app.get(&format!("/documents/{id}/download")).await;
    assert_eq!(download.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        download.body.contains("Dokument je poškozený"),
        "{}",
        download.body
    );
}

/// The acceptance test: neither the database nor the blob store
/// holds any plaintext of a document or of profile data; after the account
/// is deleted, nothing can open what is left of its content.
#[tokio::test]
async fn no_plaintext_at_rest_and_nothing_readable_after_deletion() {
    let mut app = TestApp::new().await;
    app.log_in_as(JANA).await;
    let citizen = citizen_id(&app).await;
    let profile = app.state.store.citizens().profile(&citizen).await.unwrap();
    let person = app
        .state
        .store
        .citizens()
        .get(&citizen)
        .await
        .unwrap()
        .unwrap();
    let secret = "Tajný obsah dokumentu: rodné číslo 7552241234, účet 19-2000145399/0800. ";
    let text = secret.repeat(5000);
    let stored = upload(
        &mut app,
        "Soukromé",
        &[("Lékařská zpráva.txt", text.as_bytes())],
    )
    .await;
    assert_eq!(stored.status, StatusCode::SEE_OTHER, "{}", stored.body);

    let mut needles: Vec<String> = vec![
        "rodné číslo 7552241234".into(),
        "Lékařská zpráva".into(),
        "Soukromé".into(),
        person.name.given().into(),
        person.name.family().into(),
    ];
    needles.extend(profile.iter().map(|fact| fact.value.clone()));
    if let Some(date) = person.birth_date {
        needles.push(date.to_string());
    }

    // Everything the database holds, read back through SQL: any backend.
    let dump = database_dump(&app).await;
    // And, on SQLite, the files themselves (main file, write-ahead log).
    let mut raw: Vec<(String, Vec<u8>)> = Vec::new();
    let db = app.db.as_ref().unwrap();
    for entry in std::fs::read_dir(db.folder.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            raw.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    for path in blob_files(&app) {
        raw.push((path.display().to_string(), std::fs::read(&path).unwrap()));
    }
    assert!(raw.iter().any(|(path, _)| path.contains("/objects/")));
    for needle in &needles {
        assert!(
            !dump.contains(needle.as_str()),
            "{needle:?} in the database"
        );
        for (path, bytes) in &raw {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{needle:?} in {path}"
            );
        }
    }

    // Keep the sealed object, as a backup would.
    let object = blob_files(&app)
        .into_iter()
        .find(|path| path.to_string_lossy().contains("/objects/"))
        .unwrap();
    let backup = std::fs::read(&object).unwrap();
    let blob_name = object.file_name().unwrap().to_string_lossy().into_owned();

    let page = app.get("/account/delete").await;
    assert_eq!(page.status, StatusCode::OK);
    let unconfirmed = app
        .post_form("/account/delete", "/account/delete", &[])
        .await;
    assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        app.state
            .store
            .citizens()
            .get(&citizen)
            .await
            .unwrap()
            .is_some()
    );
    let deleted = app
        .post_form("/account/delete", "/account/delete", &[("confirm", "yes")])
        .await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    assert!(deleted.body.contains("account-deleted"));
    assert_eq!(app.get("/documents").await.status, StatusCode::SEE_OTHER);

    let store = &app.state.store;
    assert!(store.citizens().get(&citizen).await.unwrap().is_none());
    assert!(
        store
            .vault()
            .existing(&owner_of(&citizen))
            .await
            .unwrap()
            .is_none()
    );
    assert!(!object.exists(), "the object is removed");
    // No key the portal still holds opens the backed-up object.
    let owners: Vec<String> = sqlx_owners(&app).await;
    for owner in owners {
        let key = store.vault().existing(&owner).await.unwrap().unwrap();
        let mut opener = obcan_store::vault::BlobOpener::new(key, &blob_name);
        let mut out = Vec::new();
        let opened = opener
            .update(&backup, &mut out)
            .and_then(|()| opener.finish(&mut out));
        assert!(
            opened.is_err(),
            "{owner}'s key opens the deleted citizen's document"
        );
    }
    assert!(
        app.audit_actions()
            .await
            .iter()
            .any(|a| a == "account_deleted")
    );
}

/// Every text column of every table, as one string.
async fn database_dump(app: &TestApp) -> String {
    let url = &app.db.as_ref().unwrap().url;
    let tables_sql = if url.starts_with("postgres") {
        "SELECT CAST(table_name AS TEXT) AS name FROM information_schema.tables \
         WHERE table_schema = 'public'"
    } else {
        "SELECT name FROM sqlite_master WHERE type = 'table'"
    };
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(tables_sql)
        .fetch_all(&pool)
        .await
        .unwrap();
    let mut dump = String::new();
    // sqlx's own bookkeeping holds no personal data, and types Any cannot read.
    for table in tables
        .into_iter()
        .filter(|table| !table.starts_with("_sqlx"))
    {
        let rows = sqlx::query(&format!("SELECT * FROM {table}"))
            .fetch_all(&pool)
            .await
            .unwrap();
        for row in &rows {
            use sqlx::{Column as _, Row as _};
            for column in row.columns() {
                let index = column.ordinal();
                if let Ok(Some(text)) = row.try_get::<Option<String>, _>(index) {
                    dump.push_str(&text);
                    dump.push('\n');
                } else if let Ok(Some(bytes)) = row.try_get::<Option<Vec<u8>>, _>(index) {
                    dump.push_str(&String::from_utf8_lossy(&bytes));
                    dump.push('\n');
                }
            }
        }
    }
    pool.close().await;
    dump
}

async fn sqlx_owners(app: &TestApp) -> Vec<String> {
    let pool = sqlx::AnyPool::connect(&app.db.as_ref().unwrap().url)
        .await
        .unwrap();
    let owners = sqlx::query_scalar("SELECT owner FROM data_keys")
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    owners
}

#[tokio::test]
async fn what_the_office_delivered_is_shown_with_its_sender_and_stays_as_it_is() {
    use obcan_core::audit::{Action, Actor, AuditEvent};
    use obcan_core::documents::{DocumentId, DocumentName, Origin, Quota};

    let mut app = TestApp::new().await;
    app.log_in_as(JANA).await;
    let citizen = app.citizen().await;
    let store = app.state.store.clone();
    let documents = store.documents();
    let decision = pdf("Rozhodnutí o přestupku");
    let mut upload = documents
        .begin_upload(&citizen, app.state.now())
        .await
        .unwrap();
    upload.write(&decision).await.unwrap();
    let content = upload.finish().await.unwrap();
    let id = DocumentId::random();
    let event = AuditEvent::new(app.state.now(), Actor::System, Action::DocumentUploaded)
        .about_document(id);
    let document = obcan_store::NewDocument {
        id,
        name: DocumentName::parse("Rozhodnutí.pdf").unwrap(),
        folder: None,
        media_type: "application/pdf".into(),
        origin: Origin::Office {
            sender: "Odbor dopravy".into(),
        },
    };
    documents
        .record(&citizen, document, content, Quota::default(), &event)
        .await
        .unwrap()
        .unwrap();

    let list = app.get("/documents").await;
    assert!(
        list.body.contains("Doručil úřad: Odbor dopravy"),
        "{}",
        list.body
    );
    let detail = app.get(&format!("/documents/{id}")).await;
    assert!(detail.body.contains("id=\"read-only\""), "{}", detail.body);
    assert!(!detail.body.contains("/delete\""), "no delete form");
    let download = app.get(&format!("/documents/{id}/download")).await;
    assert_eq!(download.body.as_bytes(), decision.as_slice());
    for (path, fields) in [
        ("delete", vec![]),
        ("rename", vec![("name", "Moje.pdf")]),
        ("folder", vec![("folder", "Moje")]),
    ] {
        let response = app
            .post_form("/documents", &format!("/documents/{id}/{path}"), &fields)
            .await;
        assert_eq!(response.status, StatusCode::FORBIDDEN, "{path}");
    }
    let still = documents.get(&citizen, id).await.unwrap().unwrap();
    assert_eq!(still.name.as_str(), "Rozhodnutí.pdf");
}

#[tokio::test]
async fn the_quota_holds_while_streaming_when_the_size_is_not_announced() {
    let mut app = TestApp::with_config(|config| config.storage.quota_mib = 1).await;
    app.log_in_as(JANA).await;
    let page = app.get("/documents").await;
    let csrf = page.csrf_token().unwrap();
    let half = [pdf("half").as_slice(), &vec![b' '; 600_000]].concat();
    let body = multipart(&csrf, "", &[("a.pdf", &half), ("b.pdf", &half)]);
    // Sent in pieces, without a Content-Length, as a chunked upload is.
    let pieces: Vec<Result<axum::body::Bytes, std::io::Error>> = body
        .chunks(64 * 1024)
        .map(|piece| Ok(axum::body::Bytes::copy_from_slice(piece)))
        .collect();
    let request = app
        .builder(Method::POST, "/documents")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from_stream(futures_util::stream::iter(pieces)))
        .unwrap();
    let response = app.request(request).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response.body.contains("Uložené soubory: 1"),
        "{}",
        response.body
    );
    let refused = refused_list(&response.body);
    assert!(refused.contains("b.pdf"), "{refused}");
    assert!(refused.contains("nevejde"), "{refused}");
    assert_eq!(document_ids(&app).await.len(), 1);
    let files = blob_files(&app);
    assert_eq!(
        files.len(),
        1,
        "one object, nothing half-written: {files:?}"
    );
}

#[tokio::test]
async fn an_upload_announced_larger_than_the_free_space_is_refused_before_it_is_read() {
    let mut app = TestApp::new().await;
    app.log_in_as(JANA).await;
    let page = app.get("/documents").await;
    let csrf = page.csrf_token().unwrap();
    let body = multipart(&csrf, "", &[("film.pdf", &pdf("five gigabytes"))]);
    let request = app
        .builder(Method::POST, "/documents")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        // What a browser announces for a 5 GB file; only the start is sent here.
        .header(header::CONTENT_LENGTH, (5u64 << 30).to_string())
        .body(Body::from(body))
        .unwrap();
    let response = app.request(request).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused_list(&response.body).contains("nevejde"),
        "{}",
        response.body
    );
    assert_eq!(response.header("connection"), Some("close"));
    assert!(document_ids(&app).await.is_empty());
    assert!(blob_files(&app).is_empty());
}
