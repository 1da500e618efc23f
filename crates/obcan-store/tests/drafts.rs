//! Citizens' drafts on the store: each citizen finds only their own, the
//! answers are sealed, and the drafts go with the account.

#![expect(clippy::unwrap_used, reason = "a failing test panics")]

use jiff::Timestamp;
use obcan_core::audit::{Action, Actor, AuditEvent};
use obcan_core::citizen::CitizenId;
use obcan_core::forms::{Answers, DraftId, FormId, Value};
use obcan_store::Store;
use obcan_store::testing::TestDatabase;
use sqlx::Row as _;

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + seconds).unwrap()
}

async fn citizen(store: &Store, subject: &str) -> CitizenId {
    obcan_store::testing::citizen(store, subject, at(0))
        .await
        .unwrap()
}

const SECRET: &str = "Pes Alík, čip 203164000123456";

fn answers(name: &str) -> Answers {
    let mut answers = Answers::default();
    answers.set("jmeno", Value::One(name.to_owned()));
    let mut dog = Answers::default();
    dog.set("jmeno_psa", Value::One(SECRET.to_owned()));
    answers.set("psi", Value::Items(vec![dog]));
    answers
}

#[tokio::test]
async fn a_draft_is_begun_saved_listed_and_deleted_by_its_citizen_only() {
    let db = TestDatabase::create().await.unwrap();
    let store = &db.store;
    let jana = citizen(store, "drafts-jana").await;
    let petr = citizen(store, "drafts-petr").await;
    let dog = FormId::parse("prihlaseni-psa").unwrap();
    let drafts = store.drafts();

    let id = drafts
        .begin(&jana, &dog, 1, &answers("Jana"), at(10))
        .await
        .unwrap();
    let other = drafts
        .begin(
            &jana,
            &FormId::parse("hlaseni-zavady").unwrap(),
            3,
            &Answers::default(),
            at(20),
        )
        .await
        .unwrap();
    let draft = drafts.get(&jana, id).await.unwrap().unwrap();
    assert_eq!((draft.step, draft.form_version), (0, 1));
    assert_eq!(draft.answers, answers("Jana"));
    assert_eq!(draft.form, dog);

    // Another citizen neither finds, saves nor deletes it.
    assert_eq!(drafts.get(&petr, id).await.unwrap(), None);
    assert!(
        !drafts
            .save(&petr, id, 1, 1, &Answers::default(), at(30))
            .await
            .unwrap()
    );
    assert!(!drafts.delete(&petr, id).await.unwrap());
    assert!(drafts.list(&petr).await.unwrap().is_empty());
    assert_eq!(drafts.get(&jana, DraftId::random()).await.unwrap(), None);

    assert!(
        drafts
            .save(&jana, id, 2, 1, &answers("Jana N."), at(40))
            .await
            .unwrap()
    );
    let saved = drafts.get(&jana, id).await.unwrap().unwrap();
    assert_eq!((saved.step, saved.form_version), (1, 2));
    assert_eq!(saved.answers.one("jmeno"), Some("Jana N."));
    assert_eq!((saved.created_at, saved.updated_at), (at(10), at(40)));

    let listed: Vec<DraftId> = drafts
        .list(&jana)
        .await
        .unwrap()
        .iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(listed, [id, other], "the latest saved first");

    assert!(drafts.delete(&jana, other).await.unwrap());
    assert!(!drafts.delete(&jana, other).await.unwrap());
    assert_eq!(drafts.list(&jana).await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_answers_are_sealed_and_go_with_the_account() {
    let db = TestDatabase::create().await.unwrap();
    let store = &db.store;
    let jana = citizen(store, "drafts-sealed").await;
    let dog = FormId::parse("prihlaseni-psa").unwrap();
    let id = store
        .drafts()
        .begin(&jana, &dog, 1, &answers("Jana"), at(10))
        .await
        .unwrap();

    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    let row = sqlx::query("SELECT answers FROM submission_drafts WHERE id = $1")
        .bind(id.to_string())
        .fetch_one(&pool)
        .await
        .unwrap();
    let sealed: Vec<u8> = row.try_get("answers").unwrap();
    let needle = "203164000123456".as_bytes();
    assert!(!sealed.windows(needle.len()).any(|window| window == needle));

    let event = AuditEvent::new(at(50), Actor::Citizen(jana), Action::AccountDeleted);
    assert!(
        store
            .citizens()
            .delete_account(&jana, &event)
            .await
            .unwrap()
    );
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM submission_drafts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(left, 0);
}
