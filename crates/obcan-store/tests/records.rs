//! The office's records on the store: filing, closing, legal hold, the
//! system's disposal proposal and its approval, and write-once archived
//! files, enforced by the schema as well as by the program.

#![expect(clippy::unwrap_used, reason = "a failing test panics")]

use std::collections::HashMap;

use futures_util::StreamExt as _;
use jiff::Timestamp;
use jiff::civil::Date;
use obcan_core::audit::Action;
use obcan_core::documents::{DocumentId, DocumentName};
use obcan_core::records::{
    FileState, FileTitle, FilingPlan, HoldReason, Outcome, ProposalState, RecordFileId,
};
use obcan_core::staff::StaffId;
use obcan_store::testing::TestDatabase;
use obcan_store::{Acting, ItemOutcome, NewFile, NewFiledDocument, Refused, Store};

fn acting(seconds: i64) -> Acting {
    Acting {
        by: StaffId::random(),
        at: Timestamp::from_second(1_780_000_000 + seconds).unwrap(),
        ip: Some("192.0.2.7".into()),
    }
}

async fn open(store: &Store, class: &str, title: &str) -> (RecordFileId, String) {
    let id = RecordFileId::random();
    let file = NewFile {
        id,
        title: FileTitle::parse(title).unwrap(),
        class: FilingPlan::PORTAL.class(class).unwrap(),
    };
    let reference = store.records().open(&file, &acting(0)).await.unwrap();
    (id, reference)
}

async fn file_document(
    store: &Store,
    file: RecordFileId,
    name: &str,
    content: &[u8],
) -> DocumentId {
    let mut upload = store.records().begin_filing(file).await.unwrap().unwrap();
    upload.write(content).await.unwrap();
    let content = upload.finish().await.unwrap();
    let id = DocumentId::random();
    let document = NewFiledDocument {
        id,
        name: DocumentName::parse(name).unwrap(),
        media_type: "application/pdf".into(),
    };
    store
        .records()
        .file_document(file, &document, content, &acting(1))
        .await
        .unwrap()
        .unwrap();
    id
}

async fn read(store: &Store, file: RecordFileId, document: DocumentId) -> Vec<u8> {
    let mut content = store
        .records()
        .content(file, document)
        .await
        .unwrap()
        .unwrap();
    let mut bytes = Vec::new();
    while let Some(chunk) = content.stream.next().await {
        bytes.extend_from_slice(&chunk.unwrap());
    }
    bytes
}

fn blob_files(db: &TestDatabase) -> usize {
    walk(&db.folder.path().join("blobs").join("objects"))
}

fn walk(folder: &std::path::Path) -> usize {
    std::fs::read_dir(folder).map_or(0, |entries| {
        entries
            .map(|entry| entry.unwrap().path())
            .map(|path| if path.is_dir() { walk(&path) } else { 1 })
            .sum()
    })
}

fn day(year: i16, month: i8, day: i8) -> Date {
    Date::new(year, month, day).unwrap()
}

#[tokio::test]
async fn a_file_is_numbered_filed_into_read_and_closed_once() {
    let db = TestDatabase::create().await.unwrap();
    let store = &db.store;
    let (first, reference) = open(store, "1.3", "Přihlášení psa Alík").await;
    let (_, second) = open(store, "1.3", "Přihlášení psa Rex").await;
    let year = jiff::Zoned::new(acting(0).at, jiff::tz::TimeZone::UTC).year();
    assert_eq!(reference, format!("SP-1/{year}"));
    assert_eq!(second, format!("SP-2/{year}"));

    let records = store.records();
    assert_eq!(
        records
            .close(first, day(2026, 5, 1), &acting(2))
            .await
            .unwrap(),
        Err(Refused::Empty)
    );
    let content = b"%PDF-1.7 rozhodnuti".repeat(5000);
    let document = file_document(store, first, "Rozhodnutí.pdf", &content).await;
    assert_eq!(read(store, first, document).await, content);
    let filed = records.documents(first).await.unwrap();
    assert_eq!(filed.len(), 1);
    assert_eq!(filed[0].name.as_str(), "Rozhodnutí.pdf");
    assert_eq!(filed[0].size, content.len() as u64);
    let digest: [u8; 32] = <sha2::Sha256 as sha2::Digest>::digest(&content).into();
    assert_eq!(filed[0].sha256, digest);

    // Class 1.3 keeps 5 years from the 1st January after closing.
    let due = records
        .close(first, day(2026, 5, 1), &acting(2))
        .await
        .unwrap();
    assert_eq!(due, Ok(day(2032, 1, 1)));
    let file = records.get(first).await.unwrap().unwrap();
    assert_eq!(file.state, FileState::Closed);
    assert_eq!(file.disposal_from, Some(day(2032, 1, 1)));
    assert_eq!(
        records
            .close(first, day(2026, 5, 1), &acting(3))
            .await
            .unwrap(),
        Err(Refused::FileIs(FileState::Closed))
    );
    // Nothing more goes into a closed file.
    assert!(matches!(
        records.begin_filing(first).await.unwrap(),
        Err(Refused::FileIs(FileState::Closed))
    ));
    assert!(matches!(
        records.begin_filing(RecordFileId::random()).await.unwrap(),
        Err(Refused::NoSuchFile)
    ));

    // The integrity check covers filed documents as well.
    let report = store.documents().check(100, acting(4).at).await.unwrap();
    assert_eq!(report.checked, 1);
    assert!(report.damaged.is_empty());
}

#[tokio::test]
async fn a_file_filed_into_after_it_closed_keeps_nothing_of_the_upload() {
    let db = TestDatabase::create().await.unwrap();
    let store = &db.store;
    let (file, _) = open(store, "1.4", "Rozbitá lavička").await;
    file_document(store, file, "foto.pdf", b"%PDF-1.7 one").await;
    let mut upload = store.records().begin_filing(file).await.unwrap().unwrap();
    upload.write(b"%PDF-1.7 two").await.unwrap();
    let content = upload.finish().await.unwrap();
    store
        .records()
        .close(file, day(2026, 1, 2), &acting(2))
        .await
        .unwrap()
        .unwrap();
    let late = NewFiledDocument {
        id: DocumentId::random(),
        name: DocumentName::parse("pozde.pdf").unwrap(),
        media_type: "application/pdf".into(),
    };
    let filed = store
        .records()
        .file_document(file, &late, content, &acting(3))
        .await;
    assert_eq!(filed.unwrap(), Err(Refused::FileIs(FileState::Closed)));
    assert_eq!(store.records().documents(file).await.unwrap().len(), 1);
    assert_eq!(blob_files(&db), 1);
}

#[tokio::test]
async fn disposal_archives_a_destroys_s_asks_for_v_and_skips_what_is_held() {
    let db = TestDatabase::create().await.unwrap();
    let store = &db.store;
    let records = store.records();
    let closed_on = day(2020, 6, 30);
    let mut files = HashMap::new();
    for (class, title) in [
        ("2.2", "Petice za chodník"),
        ("1.4", "Hlášení: díra v silnici"),
        ("1.1", "Žádost o informace"),
        ("1.3", "Pes pod zákazem"),
    ] {
        let (id, _) = open(store, class, title).await;
        let document = file_document(store, id, "podani.pdf", title.as_bytes()).await;
        records
            .close(id, closed_on, &acting(2))
            .await
            .unwrap()
            .unwrap();
        files.insert(class, (id, document));
    }
    let (petition, petition_document) = files["2.2"];
    let (report, _) = files["1.4"];
    let (request, _) = files["1.1"];
    let (dog, _) = files["1.3"];
    // 1.4 keeps 2 years, 1.1 and 1.3 and 2.2 keep 5: from 2023 and 2026.
    assert!(records.due(day(2022, 12, 31)).await.unwrap().is_empty());
    assert_eq!(
        records
            .propose_disposal(day(2022, 12, 31), acting(3).at)
            .await
            .unwrap(),
        None
    );
    let due: Vec<_> = records
        .due(day(2026, 1, 1))
        .await
        .unwrap()
        .iter()
        .map(|f| f.id)
        .collect();
    assert_eq!(due.len(), 4);

    // A legal hold keeps a file out of the proposal.
    let reason = HoldReason::parse("Soudní spor 12 C 34/2026").unwrap();
    records
        .place_hold(dog, &reason, &acting(4))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        records.place_hold(dog, &reason, &acting(4)).await.unwrap(),
        Err(Refused::AlreadyHeld)
    );
    let held = records.get(dog).await.unwrap().unwrap().hold.unwrap();
    assert_eq!(held.reason, reason);

    let (proposal, count) = records
        .propose_disposal(day(2026, 1, 1), acting(5).at)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(count, 3);
    // Files awaiting a decision are not proposed twice.
    assert_eq!(
        records
            .propose_disposal(day(2026, 1, 1), acting(5).at)
            .await
            .unwrap(),
        None
    );

    // Held after it was proposed: the approval leaves it.
    records
        .place_hold(report, &reason, &acting(6))
        .await
        .unwrap()
        .unwrap();

    // "V" needs a decision.
    let approval = records
        .approve(proposal, &HashMap::new(), &acting(7))
        .await
        .unwrap();
    assert!(matches!(approval, Err(Refused::DecisionMissing(_))));
    assert_eq!(
        records
            .proposal(proposal)
            .await
            .unwrap()
            .unwrap()
            .summary
            .state,
        ProposalState::Proposed
    );
    let blobs_before = blob_files(&db);
    let decisions = HashMap::from([(request, Outcome::Destroy)]);
    records
        .approve(proposal, &decisions, &acting(8))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        records
            .approve(proposal, &decisions, &acting(8))
            .await
            .unwrap(),
        Err(Refused::AlreadyDecided)
    );

    let outcomes: HashMap<_, _> = records
        .proposal(proposal)
        .await
        .unwrap()
        .unwrap()
        .items
        .into_iter()
        .map(|item| (item.file.id, item.outcome))
        .collect();
    assert_eq!(
        outcomes[&petition],
        Some(ItemOutcome::Done(Outcome::Archive))
    );
    assert_eq!(
        outcomes[&request],
        Some(ItemOutcome::Done(Outcome::Destroy))
    );
    assert_eq!(outcomes[&report], Some(ItemOutcome::Held));

    let archived = records.get(petition).await.unwrap().unwrap();
    assert_eq!(archived.state, FileState::Archived);
    assert_eq!(
        read(store, petition, petition_document).await,
        "Petice za chodník".as_bytes()
    );
    // An archived file takes no hold and no document.
    assert_eq!(
        records
            .place_hold(petition, &reason, &acting(9))
            .await
            .unwrap(),
        Err(Refused::FileIs(FileState::Archived))
    );

    let destroyed = records.get(request).await.unwrap().unwrap();
    assert_eq!(destroyed.state, FileState::Destroyed);
    assert_eq!(destroyed.title, None);
    assert!(destroyed.reference.starts_with("SP-"));
    assert!(records.documents(request).await.unwrap().is_empty());
    let key = store
        .vault()
        .existing(&format!("record-file:{request}"))
        .await
        .unwrap();
    assert!(key.is_none(), "the destroyed file's data key is gone");
    assert_eq!(blob_files(&db), blobs_before - 1);

    let held = records.get(report).await.unwrap().unwrap();
    assert_eq!(held.state, FileState::Closed);
    // Released, it is proposed again.
    records
        .release_hold(report, &acting(10))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        records.release_hold(report, &acting(10)).await.unwrap(),
        Err(Refused::NotHeld)
    );
    let (again, count) = records
        .propose_disposal(day(2026, 1, 2), acting(11).at)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(count, 1);
    records.reject(again, &acting(12)).await.unwrap().unwrap();
    assert_eq!(
        records.reject(again, &acting(12)).await.unwrap(),
        Err(Refused::AlreadyDecided)
    );

    let actions: Vec<String> = store
        .audit()
        .page(None, None, None, 200)
        .await
        .unwrap()
        .iter()
        .map(|entry| entry.action.clone())
        .collect();
    for action in [
        Action::RecordFileOpened,
        Action::RecordDocumentFiled,
        Action::RecordFileClosed,
        Action::LegalHoldPlaced,
        Action::LegalHoldReleased,
        Action::DisposalProposed,
        Action::DisposalApproved,
        Action::DisposalRejected,
        Action::RecordFileArchived,
        Action::RecordFileDestroyed,
    ] {
        assert!(
            actions.iter().any(|a| a == action.as_str()),
            "{action} is in the audit log"
        );
    }
}

#[tokio::test]
async fn the_schema_refuses_changes_to_what_is_write_once() {
    let db = TestDatabase::create().await.unwrap();
    let store = &db.store;
    let records = store.records();
    let (archived, _) = open(store, "2.2", "Petice").await;
    let (open_file, _) = open(store, "1.3", "Pes").await;
    for file in [archived, open_file] {
        file_document(store, file, "a.pdf", b"%PDF-1.7").await;
    }
    records
        .close(archived, day(2019, 1, 1), &acting(2))
        .await
        .unwrap()
        .unwrap();
    let (proposal, _) = records
        .propose_disposal(day(2026, 1, 1), acting(3).at)
        .await
        .unwrap()
        .unwrap();
    records
        .approve(proposal, &HashMap::new(), &acting(4))
        .await
        .unwrap()
        .unwrap();

    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    for (sql, file) in [
        // An archived file changes in nothing, and neither do its documents.
        (
            "UPDATE record_files SET state = 'closed' WHERE id = $1",
            archived,
        ),
        (
            "UPDATE record_files SET class_mark = '9.9' WHERE id = $1",
            archived,
        ),
        ("DELETE FROM record_documents WHERE file_id = $1", archived),
        ("DELETE FROM record_files WHERE id = $1", archived),
        // No filed document changes, even in an open file, nor leaves it.
        (
            "UPDATE record_documents SET size = 1 WHERE file_id = $1",
            open_file,
        ),
        (
            "UPDATE record_documents SET blob_sha256 = 'x' WHERE file_id = $1",
            open_file,
        ),
        ("DELETE FROM record_documents WHERE file_id = $1", open_file),
        ("DELETE FROM record_files WHERE id = $1", open_file),
    ] {
        let result = sqlx::query(sql).bind(file.to_string()).execute(&pool).await;
        assert!(result.is_err(), "{sql} must be refused");
    }
    // The integrity check's marks are not the document.
    sqlx::query("UPDATE record_documents SET checked_at = 1 WHERE file_id = $1")
        .bind(archived.to_string())
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        records.get(archived).await.unwrap().unwrap().state,
        FileState::Archived
    );
    assert_eq!(records.documents(archived).await.unwrap().len(), 1);
}
