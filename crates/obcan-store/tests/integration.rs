//! The records management's side of the store: the webhook outbox written
//! in the transaction of each change (and not when it fails), claimed with
//! a lease by one sender at a time, retried with backoff and given up; the
//! číslo jednací given once; state changes once per idempotency key.

#![expect(clippy::unwrap_used, reason = "a failing test panics")]

use jiff::{SignedDuration, Timestamp};
use obcan_core::forms::{Answers, BUILT_IN, FormDefinition, Value};
use obcan_core::integration::{ClientId, EventType, PushedState, RegistrationNumber, RetryPolicy};
use obcan_core::staff::{AgendaKey, StaffId};
use obcan_core::submissions::{Message, OfficeStep, SubmissionState};
use obcan_store::testing::{TestDatabase, filed, integration_client};
use obcan_store::{
    Acting, Backend, Idempotent, OutboxEntry, Pushed, Receipt, Registered, StateChange, Store,
};

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(1_799_996_400 + seconds).unwrap()
}

const DOGS: &str = "poplatek-ze-psu";

fn dog_form() -> FormDefinition {
    FormDefinition::parse(BUILT_IN[1].1).unwrap()
}

fn content() -> Answers {
    let mut answers = Answers::default();
    answers.set("jmeno", Value::One("Jana Dvořáková".into()));
    answers
}

async fn file_dog(store: &Store, subject: &str, seconds: i64) -> Receipt {
    let citizen = obcan_store::testing::citizen(store, subject, at(0))
        .await
        .unwrap();
    filed(store, &citizen, &dog_form(), &content(), at(seconds))
        .await
        .unwrap()
}

async fn outbox(store: &Store, client: ClientId) -> Vec<OutboxEntry> {
    store.webhook_outbox().of_client(client).await.unwrap()
}

fn acting(seconds: i64) -> Acting {
    Acting {
        by: StaffId::random(),
        at: at(seconds),
        ip: None,
    }
}

#[tokio::test]
async fn each_change_writes_its_webhooks_for_the_clients_that_hear_of_it() {
    let db = TestDatabase::create().await.unwrap();
    let store = &db.store;
    let hook = Some("https://spisovka.vzorov.example/hooks");
    let (records, _, _) = integration_client(store, "Spisovka", &[DOGS], hook, at(0))
        .await
        .unwrap();
    let (elsewhere, _, _) =
        integration_client(store, "Jiná agenda", &["informace-106"], hook, at(0))
            .await
            .unwrap();
    let (silent, _, _) = integration_client(store, "Bez webhooku", &[DOGS], None, at(0))
        .await
        .unwrap();
    let (revoked, _, _) = integration_client(store, "Odvolaný", &[DOGS], hook, at(0))
        .await
        .unwrap();
    let event = obcan_core::audit::AuditEvent::new(
        at(1),
        obcan_core::audit::Actor::System,
        obcan_core::audit::Action::IntegrationClientRevoked,
    );
    assert!(
        store
            .integration()
            .revoke(revoked, at(1), &event)
            .await
            .unwrap()
    );

    let receipt = file_dog(store, "outbox-jana", 10).await;
    let key = AgendaKey::parse(DOGS).unwrap();
    let submissions = store.submissions();
    submissions
        .work(
            receipt.id,
            &key,
            OfficeStep::TakeUp,
            None,
            None,
            &acting(20),
        )
        .await
        .unwrap()
        .unwrap();
    let note = Message::parse("Ověřit čip.").unwrap();
    submissions
        .work(
            receipt.id,
            &key,
            OfficeStep::Note,
            Some(&note),
            None,
            &acting(30),
        )
        .await
        .unwrap()
        .unwrap();

    let written = outbox(store, records).await;
    let kinds: Vec<_> = written.iter().map(|entry| entry.event).collect();
    assert_eq!(
        kinds,
        [EventType::Filed, EventType::StateChanged],
        "no webhook for a note"
    );
    let body: serde_json::Value = serde_json::from_str(&written[1].body).unwrap();
    assert_eq!(body["id"], written[1].id.as_str());
    assert_eq!(body["type"], "submission.state_changed");
    assert_eq!(body["occurred_at"], at(20).to_string());
    assert_eq!(body["submission"]["id"], receipt.id.to_string());
    assert_eq!(body["submission"]["reference"], receipt.reference.as_str());
    assert_eq!(body["submission"]["state"], "in_progress");
    assert!(!written[0].body.contains("Jana"), "nothing personal");
    assert!(written.iter().all(|entry| entry.attempts == 0
        && entry.delivered_at.is_none()
        && entry.next_attempt_at <= at(20)));
    for other in [elsewhere, silent, revoked] {
        assert!(outbox(store, other).await.is_empty(), "{other}");
    }
}

/// Makes every audit append fail, as a database refusing the change would.
async fn break_audit(db: &TestDatabase, broken: bool) {
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    let statements: &[&str] = match (db.store.backend(), broken) {
        (Backend::Sqlite, true) => &["CREATE TRIGGER test_audit_down BEFORE INSERT ON audit_log \
             BEGIN SELECT RAISE(ABORT, 'audit down'); END"],
        (Backend::Sqlite, false) => &["DROP TRIGGER test_audit_down"],
        (Backend::Postgres, true) => &[
            "CREATE FUNCTION test_audit_down() RETURNS trigger AS $$ \
             BEGIN RAISE EXCEPTION 'audit down'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER test_audit_down BEFORE INSERT ON audit_log \
             FOR EACH ROW EXECUTE FUNCTION test_audit_down()",
        ],
        (Backend::Postgres, false) => &["DROP TRIGGER test_audit_down ON audit_log"],
    };
    for statement in statements {
        sqlx::query(statement).execute(&pool).await.unwrap();
    }
    pool.close().await;
}

#[tokio::test]
async fn a_change_that_does_not_commit_leaves_no_webhook() {
    let db = TestDatabase::create().await.unwrap();
    let store = &db.store;
    let (records, _, _) = integration_client(
        store,
        "Spisovka",
        &[DOGS],
        Some("https://spisovka.example/h"),
        at(0),
    )
    .await
    .unwrap();
    let receipt = file_dog(store, "rollback-jana", 10).await;
    assert_eq!(outbox(store, records).await.len(), 1);

    break_audit(&db, true).await;
    let key = AgendaKey::parse(DOGS).unwrap();
    let failed = store
        .submissions()
        .work(
            receipt.id,
            &key,
            OfficeStep::TakeUp,
            None,
            None,
            &acting(20),
        )
        .await;
    assert!(failed.is_err(), "the audit refused it");
    let citizen = obcan_store::testing::citizen(store, "rollback-petr", at(0))
        .await
        .unwrap();
    assert!(
        filed(store, &citizen, &dog_form(), &content(), at(25))
            .await
            .is_err()
    );
    assert_eq!(
        outbox(store, records).await.len(),
        1,
        "nothing more was written"
    );
    break_audit(&db, false).await;

    let worked = store
        .submissions()
        .for_office(receipt.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(worked.receipt.state, SubmissionState::Received);
    store
        .submissions()
        .work(
            receipt.id,
            &key,
            OfficeStep::TakeUp,
            None,
            None,
            &acting(30),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(outbox(store, records).await.len(), 2);
}

#[tokio::test]
async fn one_sender_holds_a_webhook_until_its_lease_runs_out() {
    let db = TestDatabase::create().await.unwrap();
    let store = &db.store;
    let (records, _, secret) = integration_client(
        store,
        "Spisovka",
        &[DOGS],
        Some("https://spisovka.example/h"),
        at(0),
    )
    .await
    .unwrap();
    file_dog(store, "lease-jana", 10).await;
    let outbox_ = store.webhook_outbox();
    let lease = SignedDuration::from_secs(60);

    assert!(
        outbox_.claim(at(9), lease, 10).await.unwrap().is_empty(),
        "not yet due"
    );
    let mut first = outbox_.claim(at(10), lease, 10).await.unwrap();
    assert_eq!(first.len(), 1);
    let first = first.pop().unwrap();
    assert_eq!(first.attempt, 1);
    assert_eq!(first.client, records);
    assert_eq!(first.secret, secret);
    assert_eq!(first.url.as_str(), "https://spisovka.example/h");
    // Another node at the same moment, or before the lease ends, gets nothing.
    assert!(outbox_.claim(at(10), lease, 10).await.unwrap().is_empty());
    assert!(outbox_.claim(at(69), lease, 10).await.unwrap().is_empty());

    // The first sender went quiet; once its lease ran out, another takes it.
    let second = outbox_
        .claim(at(70), lease, 10)
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(second.id, first.id, "the same event");
    assert_eq!(second.attempt, 2);
    assert!(
        !outbox_.delivered(&first, at(71)).await.unwrap(),
        "the first sender's lease is gone"
    );
    assert!(outbox_.delivered(&second, at(72)).await.unwrap());
    let rows = outbox(store, records).await;
    assert_eq!(rows[0].delivered_at, Some(at(72)));
    assert_eq!(rows[0].lease_until, None);
    assert!(outbox_.claim(at(1000), lease, 10).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_failing_webhook_is_retried_later_and_later_then_given_up() {
    let db = TestDatabase::create().await.unwrap();
    let store = &db.store;
    let (records, _, _) = integration_client(
        store,
        "Spisovka",
        &[DOGS],
        Some("https://spisovka.example/h"),
        at(0),
    )
    .await
    .unwrap();
    file_dog(store, "backoff-jana", 0).await;
    let outbox_ = store.webhook_outbox();
    let lease = SignedDuration::from_secs(60);
    let policy = RetryPolicy {
        first: SignedDuration::from_secs(30),
        longest: SignedDuration::from_secs(100),
        attempts: 4,
    };
    let mut now = 0;
    for (attempt, wait) in [(1, 30), (2, 60), (3, 100)] {
        let claimed = outbox_
            .claim(at(now), lease, 1)
            .await
            .unwrap()
            .pop()
            .unwrap();
        assert_eq!(claimed.attempt, attempt);
        outbox_
            .failed(&claimed, at(now), "the receiver answered HTTP 503", &policy)
            .await
            .unwrap();
        let row = &outbox(store, records).await[0];
        assert_eq!(row.next_attempt_at, at(now + wait), "attempt {attempt}");
        assert_eq!(
            row.last_error.as_deref(),
            Some("the receiver answered HTTP 503")
        );
        assert!(row.failed_at.is_none());
        assert!(
            outbox_
                .claim(at(now + wait - 1), lease, 1)
                .await
                .unwrap()
                .is_empty(),
            "not before its time"
        );
        now += wait;
    }
    let last = outbox_
        .claim(at(now), lease, 1)
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(last.attempt, 4);
    outbox_
        .failed(&last, at(now), "no answer within 10 s", &policy)
        .await
        .unwrap();
    let row = &outbox(store, records).await[0];
    assert_eq!(row.failed_at, Some(at(now)));
    assert_eq!(row.attempts, 4);
    assert_eq!(row.last_error.as_deref(), Some("no answer within 10 s"));
    assert!(
        outbox_
            .claim(at(now + 100_000), lease, 1)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn revoking_a_client_gives_up_its_webhooks_and_destroys_its_secret() {
    let db = TestDatabase::create().await.unwrap();
    let store = &db.store;
    let (records, _, _) = integration_client(
        store,
        "Spisovka",
        &[DOGS],
        Some("https://spisovka.example/h"),
        at(0),
    )
    .await
    .unwrap();
    file_dog(store, "revoke-jana", 10).await;
    let event = obcan_core::audit::AuditEvent::new(
        at(20),
        obcan_core::audit::Actor::System,
        obcan_core::audit::Action::IntegrationClientRevoked,
    );
    assert!(
        store
            .integration()
            .revoke(records, at(20), &event)
            .await
            .unwrap()
    );
    assert!(
        !store
            .integration()
            .revoke(records, at(21), &event)
            .await
            .unwrap(),
        "once"
    );
    let rows = outbox(store, records).await;
    assert_eq!(rows[0].failed_at, Some(at(20)));
    assert!(
        store
            .integration()
            .webhook_secret(records)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .webhook_outbox()
            .claim(at(30), SignedDuration::from_secs(60), 10)
            .await
            .unwrap()
            .is_empty()
    );
    file_dog(store, "revoke-petr", 40).await;
    assert_eq!(outbox(store, records).await.len(), 1, "no more webhooks");
}

#[tokio::test]
async fn a_registration_number_is_given_once_and_a_state_change_once_per_key() {
    let db = TestDatabase::create().await.unwrap();
    let store = &db.store;
    let (records, _, _) = integration_client(store, "Spisovka", &[DOGS], None, at(0))
        .await
        .unwrap();
    let (other, _, _) = integration_client(store, "Jiná", &["informace-106"], None, at(0))
        .await
        .unwrap();
    let first = file_dog(store, "register-jana", 10).await;
    let second = file_dog(store, "register-petr", 10).await;
    let integration = store.integration();
    let queue = integration.unregistered(records, None, 10).await.unwrap();
    let mut expected = vec![first.id, second.id];
    expected.sort_by_key(ToString::to_string);
    assert_eq!(
        queue.iter().map(|r| r.id).collect::<Vec<_>>(),
        expected,
        "by time, then id"
    );
    let page = integration.unregistered(records, None, 1).await.unwrap();
    let rest = integration
        .unregistered(records, Some((page[0].submitted_at, page[0].id)), 10)
        .await
        .unwrap();
    assert_eq!(rest.len(), 1);
    assert_ne!(rest[0].id, page[0].id);
    assert!(
        integration
            .unregistered(other, None, 10)
            .await
            .unwrap()
            .is_empty()
    );

    let number = RegistrationNumber::parse("MUVZ/1/2027").unwrap();
    assert_eq!(
        integration
            .register(other, first.id, &number, at(20), None)
            .await
            .unwrap(),
        Registered::NotFound
    );
    let Registered::New(registration) = integration
        .register(records, first.id, &number, at(20), None)
        .await
        .unwrap()
    else {
        panic!("registered")
    };
    assert_eq!(registration.registered_at, at(20));
    assert_eq!(
        integration
            .register(records, first.id, &number, at(30), None)
            .await
            .unwrap(),
        Registered::Same(registration.clone())
    );
    let another = RegistrationNumber::parse("MUVZ/2/2027").unwrap();
    assert_eq!(
        integration
            .register(records, first.id, &another, at(30), None)
            .await
            .unwrap(),
        Registered::Conflict(registration)
    );
    let queue = integration.unregistered(records, None, 10).await.unwrap();
    assert_eq!(queue.iter().map(|r| r.id).collect::<Vec<_>>(), [second.id]);

    let request = Idempotent {
        key: "k-1",
        request_sha256: "aa",
    };
    let push = |submission, to, request, seconds| async move {
        let change = StateChange {
            client: records,
            submission,
            to,
            message: None,
            request,
        };
        integration.push_state(&change, at(seconds), None).await
    };
    assert_eq!(
        push(first.id, PushedState::InProgress, request, 40)
            .await
            .unwrap(),
        Pushed::Done(SubmissionState::InProgress)
    );
    assert_eq!(
        push(first.id, PushedState::InProgress, request, 41)
            .await
            .unwrap(),
        Pushed::Replayed(SubmissionState::InProgress)
    );
    let reused = Idempotent {
        key: "k-1",
        request_sha256: "bb",
    };
    assert_eq!(
        push(second.id, PushedState::Resolved, reused, 42)
            .await
            .unwrap(),
        Pushed::KeyReused
    );
    let again = Idempotent {
        key: "k-2",
        request_sha256: "cc",
    };
    assert_eq!(
        push(first.id, PushedState::InProgress, again, 43)
            .await
            .unwrap(),
        Pushed::NotNow(SubmissionState::InProgress)
    );
    let worked = store
        .submissions()
        .for_office(first.id)
        .await
        .unwrap()
        .unwrap();
    let steps: Vec<_> = worked.timeline.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        steps,
        ["received", "taken_up"],
        "one step, whatever the retries"
    );
    assert_eq!(worked.timeline[1].actor, format!("integration:{records}"));
    let second_now = store
        .submissions()
        .for_office(second.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(second_now.receipt.state, SubmissionState::Received);
}
