//! Filing on the store: a draft becomes one submission, whatever the
//! retries, with its own file under the form's class, its content sealed and
//! hashed, and it outlives the citizen's account as the office's record.

#![expect(clippy::unwrap_used, clippy::panic, reason = "a failing test panics")]

use jiff::Timestamp;
use obcan_core::audit::{Action, Actor, AuditEvent};
use obcan_core::citizen::CitizenId;
use obcan_core::documents::DocumentId;
use obcan_core::forms::{Answers, BUILT_IN, DraftId, FormDefinition, Value};
use obcan_core::staff::StaffId;
use obcan_core::submissions::{OfficeStep, SubmissionState, TimelineKind};
use obcan_store::testing::TestDatabase;
use obcan_store::{
    Acting, AssigneeFilter, Filed, Filing, QueueFilter, QueuePage, Receipt, StateFilter,
    StepRefused, Store,
};
use sha2::{Digest as _, Sha256};
use sqlx::Row as _;

fn at(seconds: i64) -> Timestamp {
    // 2027-01-15T08:00:00Z
    Timestamp::from_second(1_799_996_400 + seconds).unwrap()
}

async fn citizen(store: &Store, subject: &str) -> CitizenId {
    obcan_store::testing::citizen(store, subject, at(0))
        .await
        .unwrap()
}

fn dog_form() -> FormDefinition {
    FormDefinition::parse(BUILT_IN[1].1).unwrap()
}

const CHIP: &str = "203164000123456";

fn content() -> Answers {
    let mut answers = Answers::default();
    answers.set("jmeno", Value::One("Jana Dvořáková".into()));
    let mut dog = Answers::default();
    dog.set("cip", Value::One(CHIP.into()));
    answers.set("psi", Value::Items(vec![dog]));
    answers
}

async fn draft(store: &Store, citizen: &CitizenId) -> DraftId {
    let form = dog_form();
    store
        .drafts()
        .begin(citizen, &form.id, form.version, &content(), at(1))
        .await
        .unwrap()
}

async fn file_with(
    store: &Store,
    citizen: &CitizenId,
    draft: DraftId,
    attachments: &[DocumentId],
    seconds: i64,
) -> Filed {
    let form = dog_form();
    let filing = Filing {
        citizen,
        draft,
        form: &form,
        content: &content(),
        attachments,
    };
    store
        .submissions()
        .submit(&filing, at(seconds), None)
        .await
        .unwrap()
}

async fn file(store: &Store, citizen: &CitizenId, draft: DraftId, seconds: i64) -> Filed {
    file_with(store, citizen, draft, &[], seconds).await
}

fn receipt(filed: Filed) -> Receipt {
    match filed {
        Filed::New(receipt) | Filed::Already(receipt) => receipt,
        other => panic!("not filed: {other:?}"),
    }
}

/// The blobs the local blob store holds.
fn blob_count(db: &TestDatabase) -> usize {
    walk(&db.folder.path().join("blobs"))
}

fn walk(path: &std::path::Path) -> usize {
    std::fs::read_dir(path).map_or(0, |entries| {
        entries
            .map(|entry| entry.unwrap().path())
            .map(|path| if path.is_dir() { walk(&path) } else { 1 })
            .sum()
    })
}

#[tokio::test]
async fn a_draft_is_filed_once_with_its_receipt() {
    let db = TestDatabase::create().await.unwrap();
    let store = &db.store;
    let jana = citizen(store, "filing-jana").await;
    let petr = citizen(store, "filing-petr").await;
    let id = draft(store, &jana).await;

    // Not anyone else's to file.
    assert_eq!(file(store, &petr, id, 5).await, Filed::NoDraft);
    assert_eq!(
        file(store, &jana, DraftId::random(), 5).await,
        Filed::NoDraft
    );

    let Filed::New(first) = file(store, &jana, id, 10).await else {
        panic!("a new submission")
    };
    assert_eq!(first.reference, "PO-1/2027");
    assert_eq!(first.state, SubmissionState::Received);
    assert_eq!(first.deadline_on.to_string(), "2027-02-14", "30 days");
    let expected = Sha256::digest(serde_json::to_vec(&content()).unwrap());
    let expected: String = expected.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(first.content_sha256, expected);
    assert!(
        store.drafts().get(&jana, id).await.unwrap().is_none(),
        "the draft is gone"
    );

    // A retry finds the first filing.
    assert_eq!(
        file(store, &jana, id, 20).await,
        Filed::Already(first.clone())
    );
    assert_eq!(file(store, &petr, id, 20).await, Filed::NoDraft);

    let mine = store.submissions().list_of(&jana).await.unwrap();
    assert_eq!(mine, std::slice::from_ref(&first));
    assert!(store.submissions().list_of(&petr).await.unwrap().is_empty());
    assert_eq!(
        store.submissions().get_of(&petr, first.id).await.unwrap(),
        None
    );
    let submission = store
        .submissions()
        .get_of(&jana, first.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(submission.content, content());
    assert_eq!(submission.timeline.len(), 1);
    assert_eq!(submission.timeline[0].kind, TimelineKind::Received);

    // Its own file, under the form's class, opened by the portal.
    let files = store.records().list(None).await.unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].class_mark, "1.3");
    assert_eq!(files[0].opened_by, obcan_store::FILED_THROUGH_PORTAL);
    assert_eq!(
        files[0].title.as_ref().unwrap().as_str(),
        "Přihlášení psa PO-1/2027"
    );
    let second = draft(store, &jana).await;
    assert_eq!(
        receipt(file(store, &jana, second, 30).await).reference,
        "PO-2/2027"
    );

    let actions: Vec<String> = store
        .audit()
        .page(None, None, None, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|entry| entry.action)
        .collect();
    assert_eq!(
        actions.iter().filter(|a| *a == "submission_filed").count(),
        2
    );
}

#[tokio::test]
async fn filing_the_same_draft_at_once_files_it_once() {
    let db = TestDatabase::create().await.unwrap();
    let store = &db.store;
    let jana = citizen(store, "filing-twice").await;
    let id = draft(store, &jana).await;
    let (a, b) = tokio::join!(file(store, &jana, id, 10), file(store, &jana, id, 10));
    let new = [&a, &b]
        .iter()
        .filter(|f| matches!(f, Filed::New(_)))
        .count();
    assert_eq!(new, 1, "{a:?} {b:?}");
    assert_eq!(receipt(a), receipt(b));
    assert_eq!(store.submissions().list_of(&jana).await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_content_is_sealed_and_outlives_the_account() {
    let db = TestDatabase::create().await.unwrap();
    let store = &db.store;
    let jana = citizen(store, "filing-deleted").await;
    let id = draft(store, &jana).await;
    let filed = receipt(file(store, &jana, id, 10).await);

    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    let sealed: Vec<u8> = sqlx::query("SELECT content FROM submissions")
        .fetch_one(&pool)
        .await
        .unwrap()
        .try_get("content")
        .unwrap();
    assert!(!sealed.windows(CHIP.len()).any(|w| w == CHIP.as_bytes()));

    let event = AuditEvent::new(at(50), Actor::Citizen(jana), Action::AccountDeleted);
    assert!(
        store
            .citizens()
            .delete_account(&jana, &event)
            .await
            .unwrap()
    );
    let row = sqlx::query("SELECT citizen_id, reference FROM submissions")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        row.try_get::<Option<String>, _>("citizen_id").unwrap(),
        None
    );
    assert_eq!(
        row.try_get::<String, _>("reference").unwrap(),
        filed.reference
    );
    assert_eq!(
        store.records().list(None).await.unwrap().len(),
        1,
        "the file stays"
    );
}

#[tokio::test]
async fn attached_documents_are_copied_into_the_submissions_file() {
    let db = TestDatabase::create().await.unwrap();
    let store = &db.store;
    let jana = citizen(store, "filing-attachments").await;
    let pension = b"%PDF-1.7 rozhodnuti o duchodu".repeat(5000);
    let attached = obcan_store::testing::document(store, &jana, "duchod.pdf", &pension, at(2))
        .await
        .unwrap();
    let id = draft(store, &jana).await;

    // A document that is gone refuses the filing whole: no file, no copy,
    // the draft stays.
    let blobs = blob_count(&db);
    let gone = DocumentId::random();
    assert_eq!(
        file_with(store, &jana, id, &[attached, gone], 10).await,
        Filed::AttachmentGone(gone)
    );
    assert!(store.records().list(None).await.unwrap().is_empty());
    assert_eq!(blob_count(&db), blobs, "the copy made is removed");
    assert!(store.drafts().get(&jana, id).await.unwrap().is_some());

    let filed = receipt(file_with(store, &jana, id, &[attached], 20).await);
    let file = store.records().list(None).await.unwrap().remove(0);
    let documents = store.records().documents(file.id).await.unwrap();
    assert_eq!(documents.len(), 1);
    assert_eq!(documents[0].name.as_str(), "duchod.pdf");
    assert_eq!(documents[0].filed_by, obcan_store::FILED_THROUGH_PORTAL);
    assert_eq!(
        documents[0].sha256_hex(),
        format!("{:x}", Sha256::digest(&pension))
    );
    let copy = store
        .records()
        .content(file.id, documents[0].id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(obcan_store::testing::read_all(copy).await.unwrap(), pension);
    assert_eq!(blob_count(&db), blobs + 1);

    // The citizen's own document stays theirs, and a retry copies nothing.
    assert!(
        store
            .documents()
            .get(&jana, attached)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        file_with(store, &jana, id, &[attached], 30).await,
        Filed::Already(filed)
    );
    assert_eq!(blob_count(&db), blobs + 1);
}

#[tokio::test]
async fn the_queue_filters_by_state_assignee_deadline_and_reference() {
    let db = TestDatabase::create().await.unwrap();
    let store = &db.store;
    let jana = citizen(store, "queue-jana").await;
    let mut filed = Vec::new();
    for seconds in [10, 20, 30] {
        let id = draft(store, &jana).await;
        filed.push(receipt(file(store, &jana, id, seconds).await));
    }
    let agenda = dog_form().agenda;
    let key = &agenda;
    let submissions = store.submissions();
    let references = |page: QueuePage| {
        page.queued
            .into_iter()
            .map(|queued| queued.receipt.reference)
            .collect::<Vec<_>>()
    };
    let queue = move |filter: QueueFilter| async move {
        references(submissions.queue(key, &filter, 10).await.unwrap())
    };
    let [first, second, third] = [0, 1, 2].map(|i| filed[i].reference.clone());
    assert_eq!(
        queue(QueueFilter::default()).await,
        [first.as_str(), second.as_str(), third.as_str()]
    );

    // Given to a colleague: in the timeline for the office only, and the
    // audit log.
    let colleague = StaffId::random();
    let acting = Acting {
        by: StaffId::random(),
        at: at(40),
        ip: None,
    };
    assert_eq!(
        submissions
            .assign(filed[1].id, key, colleague, &acting)
            .await
            .unwrap(),
        Ok(SubmissionState::Received)
    );
    let worked = submissions.for_office(filed[1].id).await.unwrap().unwrap();
    assert_eq!(worked.assigned_to, Some(colleague));
    let last = worked.timeline.last().unwrap();
    assert_eq!(
        (last.kind, last.assignee),
        (TimelineKind::Assigned, Some(colleague))
    );
    let citizens = submissions
        .get_of(&jana, filed[1].id)
        .await
        .unwrap()
        .unwrap();
    assert!(
        citizens
            .timeline
            .iter()
            .all(|entry| entry.kind != TimelineKind::Assigned)
    );
    let assigned = |assignee| QueueFilter {
        assignee,
        ..QueueFilter::default()
    };
    assert_eq!(
        queue(assigned(AssigneeFilter::Is(colleague))).await,
        [second.as_str()]
    );
    assert_eq!(
        queue(assigned(AssigneeFilter::Nobody)).await,
        [first.as_str(), third.as_str()]
    );

    // A settled one goes last, is no longer open, and is not given to anyone.
    submissions
        .work(filed[0].id, key, OfficeStep::Resolve, None, None, &acting)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        submissions
            .assign(filed[0].id, key, colleague, &acting)
            .await
            .unwrap(),
        Err(StepRefused::NotNow(SubmissionState::Resolved))
    );
    let other = obcan_core::staff::AgendaKey::parse("jina-agenda").unwrap();
    assert_eq!(
        submissions
            .assign(filed[2].id, &other, colleague, &acting)
            .await
            .unwrap(),
        Err(StepRefused::NotFound)
    );
    let in_state = |state| QueueFilter {
        state,
        ..QueueFilter::default()
    };
    assert_eq!(
        queue(QueueFilter::default()).await,
        [second.as_str(), third.as_str(), first.as_str()]
    );
    assert_eq!(
        queue(in_state(StateFilter::Open)).await,
        [second.as_str(), third.as_str()]
    );
    assert_eq!(
        queue(in_state(StateFilter::Is(SubmissionState::Resolved))).await,
        [first.as_str()]
    );

    // Overdue: open, and the deadline passed before the day.
    let deadline = filed[0].deadline_on;
    let overdue_on = |day| QueueFilter {
        overdue_on: Some(day),
        ..QueueFilter::default()
    };
    assert!(queue(overdue_on(deadline)).await.is_empty());
    assert_eq!(
        queue(overdue_on(deadline.tomorrow().unwrap())).await,
        [second.as_str(), third.as_str()]
    );

    // The reference, in any case; LIKE's wildcards are taken literally.
    let searched = |text: &str| QueueFilter {
        reference: Some(text.to_owned()),
        ..QueueFilter::default()
    };
    assert_eq!(
        queue(searched(&second.to_lowercase())).await,
        [second.as_str()]
    );
    assert!(queue(searched("%")).await.is_empty());
    assert!(queue(searched("_")).await.is_empty());

    // A page says whether more matched.
    let page = submissions
        .queue(key, &QueueFilter::default(), 2)
        .await
        .unwrap();
    assert!(page.more);
    assert_eq!(references(page), [second.as_str(), third.as_str()]);
}
