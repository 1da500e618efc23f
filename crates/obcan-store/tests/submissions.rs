//! Filing on the store: a draft becomes one submission, whatever the
//! retries, with its own file under the form's class, its content sealed and
//! hashed, and it outlives the citizen's account as the office's record.

#![expect(clippy::unwrap_used, reason = "a failing test panics")]

use jiff::Timestamp;
use obcan_core::audit::{Action, Actor, AuditEvent};
use obcan_core::citizen::CitizenId;
use obcan_core::forms::{Answers, BUILT_IN, DraftId, FormDefinition, Value};
use obcan_core::submissions::{SubmissionState, TimelineKind};
use obcan_store::testing::TestDatabase;
use obcan_store::{Filed, Receipt, Store};
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

async fn file(store: &Store, citizen: &CitizenId, draft: DraftId, seconds: i64) -> Option<Filed> {
    store
        .submissions()
        .submit(citizen, draft, &dog_form(), &content(), at(seconds), None)
        .await
        .unwrap()
}

fn receipt(filed: Option<Filed>) -> Receipt {
    match filed.unwrap() {
        Filed::New(receipt) | Filed::Already(receipt) => receipt,
    }
}

#[tokio::test]
async fn a_draft_is_filed_once_with_its_receipt() {
    let db = TestDatabase::create().await.unwrap();
    let store = &db.store;
    let jana = citizen(store, "filing-jana").await;
    let petr = citizen(store, "filing-petr").await;
    let id = draft(store, &jana).await;

    // Not anyone else's to file.
    assert_eq!(file(store, &petr, id, 5).await, None);
    assert_eq!(file(store, &jana, DraftId::random(), 5).await, None);

    let Some(Filed::New(first)) = file(store, &jana, id, 10).await else {
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
        Some(Filed::Already(first.clone()))
    );
    assert_eq!(file(store, &petr, id, 20).await, None);

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
    let (a, b) = (a.unwrap(), b.unwrap());
    let new = [&a, &b]
        .iter()
        .filter(|f| matches!(f, Filed::New(_)))
        .count();
    assert_eq!(new, 1, "{a:?} {b:?}");
    assert_eq!(receipt(Some(a)), receipt(Some(b)));
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
