//! The store's story, run on whichever backend `TEST_DATABASE_URL` names; CI
//! runs it on SQLite and on PostgreSQL.

#![expect(clippy::unwrap_used, reason = "a failing test panics")]

use jiff::Timestamp;
use obcan_core::citizen::PersonName;
use obcan_core::identity::{Assertion, Loa, ProviderId, Subject};
use obcan_store::NewSession;
use obcan_store::testing::TestDatabase;

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + seconds).unwrap()
}

fn assertion(subject: &str, given: &str) -> Assertion {
    Assertion {
        provider: ProviderId::parse("demo").unwrap(),
        subject: Subject::parse(subject).unwrap(),
        name: PersonName::new(given, "Dvořáková").unwrap(),
        birth_date: Some("1984-03-07".parse().unwrap()),
        address: None,
        email: None,
        loa: Loa::Substantial,
    }
}

#[tokio::test]
async fn first_login_creates_the_account_and_later_logins_find_it() {
    let db = TestDatabase::create().await.unwrap();
    let citizens = db.store.citizens();

    let first = citizens
        .log_in(&assertion("p-1", "Jana"), at(0))
        .await
        .unwrap();
    assert_eq!(first.name.to_string(), "Jana Dvořáková");
    assert_eq!(first.birth_date, Some("1984-03-07".parse().unwrap()));

    // The provider now states a new given name: same account, refreshed name.
    let again = citizens
        .log_in(&assertion("p-1", "Janička"), at(10))
        .await
        .unwrap();
    assert_eq!(again.id, first.id);
    assert_eq!(again.name.given(), "Janička");

    let other = citizens
        .log_in(&assertion("p-2", "Jana"), at(20))
        .await
        .unwrap();
    assert_ne!(other.id, first.id);
    assert_eq!(
        citizens.get(&first.id).await.unwrap().unwrap().name.given(),
        "Janička"
    );
}

#[tokio::test]
async fn concurrent_first_logins_of_one_person_make_one_account() {
    let db = TestDatabase::create().await.unwrap();
    let person = assertion("p-race", "Eva");
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let store = db.store.clone();
        let person = person.clone();
        tasks.push(tokio::spawn(async move {
            store.citizens().log_in(&person, at(0)).await
        }));
    }
    let mut ids = Vec::new();
    for task in tasks {
        ids.push(task.await.unwrap().unwrap().id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "one account for one person");
}

#[tokio::test]
async fn sessions_live_until_they_expire_and_login_replaces_them() {
    let db = TestDatabase::create().await.unwrap();
    let citizen = db
        .store
        .citizens()
        .log_in(&assertion("p-3", "Petr"), at(0))
        .await
        .unwrap();
    let sessions = db.store.sessions();

    let anonymous = NewSession {
        id_hash: "anon",
        citizen: None,
        created_at: at(0),
        expires_at: at(100),
        client: obcan_store::Client::default(),
        provider_logout: None,
    };
    sessions.insert(&anonymous).await.unwrap();
    let found = sessions.find("anon", at(50)).await.unwrap().unwrap();
    assert_eq!(found.citizen, None);
    assert!(
        sessions.find("anon", at(100)).await.unwrap().is_none(),
        "expired"
    );

    let logged_in = NewSession {
        id_hash: "logged",
        citizen: Some((citizen.id, Loa::Substantial, "demo")),
        created_at: at(50),
        expires_at: at(200),
        client: obcan_store::Client::default(),
        provider_logout: None,
    };
    sessions.replace(Some("anon"), &logged_in).await.unwrap();
    assert!(
        sessions.find("anon", at(60)).await.unwrap().is_none(),
        "old id is gone"
    );
    let found = sessions.find("logged", at(60)).await.unwrap().unwrap();
    assert_eq!(found.citizen, Some((citizen.id, Loa::Substantial)));
    assert_eq!(found.times.created_at, at(50));

    sessions.touch("logged", at(150), at(300)).await.unwrap();
    let found = sessions.find("logged", at(250)).await.unwrap().unwrap();
    assert_eq!(found.times.last_seen_at, at(150));

    assert_eq!(sessions.delete_expired(at(300)).await.unwrap(), 1);
    assert!(sessions.find("logged", at(250)).await.unwrap().is_none());
}

#[tokio::test]
async fn a_duplicate_session_id_is_refused_and_changes_nothing() {
    let db = TestDatabase::create().await.unwrap();
    let sessions = db.store.sessions();
    let first = NewSession {
        id_hash: "same",
        citizen: None,
        created_at: at(0),
        expires_at: at(100),
        client: obcan_store::Client::default(),
        provider_logout: None,
    };
    sessions.insert(&first).await.unwrap();
    let second = NewSession {
        id_hash: "same",
        citizen: None,
        created_at: at(5),
        expires_at: at(500),
        client: obcan_store::Client::default(),
        provider_logout: None,
    };
    assert!(sessions.replace(Some("other"), &second).await.is_err());
    let found = sessions.find("same", at(1)).await.unwrap().unwrap();
    assert_eq!(found.times.created_at, at(0));
}

#[tokio::test]
async fn migrations_are_idempotent_and_the_database_answers() {
    let db = TestDatabase::create().await.unwrap();
    db.store.migrate().await.unwrap();
    db.store.ping().await.unwrap();
}

#[test]
fn every_migration_exists_for_both_backends() {
    let names = |backend: &str| {
        let mut names: Vec<String> = std::fs::read_dir(format!(
            "{}/migrations/{backend}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
        names.sort();
        names
    };
    assert_eq!(names("sqlite"), names("postgres"));
}

#[tokio::test]
async fn foreign_keys_are_enforced() {
    let db = TestDatabase::create().await.unwrap();
    let orphan = NewSession {
        id_hash: "orphan",
        citizen: Some((obcan_core::citizen::CitizenId::random(), Loa::Low, "demo")),
        created_at: at(0),
        expires_at: at(100),
        client: obcan_store::Client::default(),
        provider_logout: None,
    };
    assert!(
        db.store.sessions().insert(&orphan).await.is_err(),
        "no such citizen"
    );
    assert!(
        db.store
            .sessions()
            .find("orphan", at(1))
            .await
            .unwrap()
            .is_none(),
        "nothing half-written"
    );
}

#[tokio::test]
async fn sqlite_writes_go_through_the_write_ahead_log() {
    let db = TestDatabase::create().await.unwrap();
    let Some(path) = db.url.strip_prefix("sqlite://") else {
        return; // PostgreSQL has its own WAL, always on.
    };
    let file = path.split('?').next().unwrap();
    db.store
        .citizens()
        .log_in(&assertion("p-wal", "Eva"), at(0))
        .await
        .unwrap();
    assert!(
        std::path::Path::new(&format!("{file}-wal")).exists(),
        "journal_mode = WAL"
    );
}

#[tokio::test]
async fn a_login_attempt_is_taken_once_by_its_own_session_only() {
    let db = TestDatabase::create().await.unwrap();
    let attempts = db.store.login_attempts();
    let attempt = obcan_store::LoginAttempt {
        state_hash: "state".into(),
        session_hash: "session".into(),
        provider: "mojeid".into(),
        nonce: "nonce".into(),
        pkce_verifier: "verifier".into(),
        next_path: "/dashboard".into(),
        expires_at: at(600),
        link_to: None,
    };
    attempts.insert(&attempt).await.unwrap();
    assert!(
        attempts
            .take("state", "other-session", "mojeid", at(1))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        attempts
            .take("state", "session", "bankid", at(1))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        attempts
            .take("state", "session", "mojeid", at(600))
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    let pending = attempts
        .take("state", "session", "mojeid", at(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(pending.nonce, "nonce");
    assert_eq!(pending.next_path, "/dashboard");
    assert!(
        attempts
            .take("state", "session", "mojeid", at(2))
            .await
            .unwrap()
            .is_none(),
        "used up"
    );
}

#[tokio::test]
async fn a_provider_answer_is_recorded_once_for_a_live_attempt() {
    let db = TestDatabase::create().await.unwrap();
    let attempts = db.store.login_attempts();
    let attempt = obcan_store::LoginAttempt {
        state_hash: "relay".into(),
        session_hash: "session".into(),
        provider: "nia".into(),
        nonce: "_request".into(),
        pkce_verifier: String::new(),
        next_path: "/dashboard".into(),
        expires_at: at(600),
        link_to: None,
    };
    attempts.insert(&attempt).await.unwrap();
    let record = |state, provider, now| attempts.record_answer(state, provider, "answer", now);
    assert!(
        !record("other", "nia", at(1)).await.unwrap(),
        "unknown state"
    );
    assert!(
        !record("relay", "mojeid", at(1)).await.unwrap(),
        "other provider"
    );
    assert!(!record("relay", "nia", at(600)).await.unwrap(), "expired");
    assert!(record("relay", "nia", at(1)).await.unwrap());
    assert!(!record("relay", "nia", at(2)).await.unwrap(), "a replay");
    let pending = attempts
        .take("relay", "session", "nia", at(3))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(pending.provider_answer.as_deref(), Some("answer"));
    assert_eq!(pending.nonce, "_request");
}

mod audit {
    use obcan_core::audit::{Action, Actor, AuditEvent};
    use obcan_core::citizen::CitizenId;
    use obcan_store::{AuditHead, AuditStamp};

    use super::*;

    async fn raw(db: &TestDatabase) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&db.url).await.unwrap()
    }

    /// A log of five entries, and a raw connection to tamper with it.
    async fn five_entries() -> (TestDatabase, sqlx::AnyPool) {
        let db = TestDatabase::create().await.unwrap();
        let citizen = CitizenId::random();
        for i in 0..5 {
            let event = AuditEvent::new(at(i), Actor::Citizen(citizen), Action::Login)
                .about_citizen(citizen)
                .with("provider", format!("p{i}"))
                .from_ip(Some("192.0.2.1".into()));
            assert_eq!(db.store.audit().append(&event).await.unwrap(), i + 1);
        }
        let pool = raw(&db).await;
        (db, pool)
    }

    async fn break_at(db: &TestDatabase) -> i64 {
        db.store.audit().verify().await.unwrap().unwrap_err().seq
    }

    #[tokio::test]
    async fn an_intact_chain_verifies_and_reads_back() {
        let (db, _) = five_entries().await;
        assert_eq!(db.store.audit().verify().await.unwrap(), Ok(5));
        let subject = db
            .store
            .audit()
            .about("citizen:none", &["login"], 10)
            .await
            .unwrap();
        assert!(subject.is_empty());
    }

    #[tokio::test]
    async fn a_changed_entry_is_found() {
        let (db, pool) = five_entries().await;
        sqlx::query("UPDATE audit_log SET detail = '{\"provider\":\"forged\"}' WHERE seq = 3")
            .execute(&pool)
            .await
            .unwrap();
        assert_eq!(break_at(&db).await, 3);
    }

    #[tokio::test]
    async fn a_deleted_entry_is_found() {
        let (db, pool) = five_entries().await;
        sqlx::query("DELETE FROM audit_log WHERE seq = 2")
            .execute(&pool)
            .await
            .unwrap();
        assert_eq!(break_at(&db).await, 3);
    }

    #[tokio::test]
    async fn an_inserted_entry_is_found() {
        let (db, pool) = five_entries().await;
        // Room for an entry between 2 and 3, with a plausible hash.
        for seq in (3..=5).rev() {
            sqlx::query(&format!(
                "UPDATE audit_log SET seq = {} WHERE seq = {seq}",
                seq + 1
            ))
            .execute(&pool)
            .await
            .unwrap();
        }
        sqlx::query(
            "INSERT INTO audit_log (seq, at, actor, action, subject, detail, ip, prev_hash, hash) \
             SELECT 3, at, actor, action, subject, detail, ip, hash, hash FROM audit_log WHERE seq = 2",
        )
        .execute(&pool)
        .await
        .unwrap();
        assert_eq!(break_at(&db).await, 3);
    }

    #[tokio::test]
    async fn reordered_entries_are_found() {
        let (db, pool) = five_entries().await;
        sqlx::query("UPDATE audit_log SET seq = -1 WHERE seq = 2")
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query("UPDATE audit_log SET seq = 2 WHERE seq = 4")
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query("UPDATE audit_log SET seq = 4 WHERE seq = -1")
            .execute(&pool)
            .await
            .unwrap();
        assert_eq!(break_at(&db).await, 2);
    }

    /// A stamp of `head` as the binary keeps it; the store never reads the
    /// token, so any bytes do.
    fn stamp_of(head: &AuditHead) -> AuditStamp {
        AuditStamp {
            seq: head.seq,
            hash: head.hash.clone(),
            token: vec![0x30, 0x00, 0xff, 0x80, 0x00],
            gen_time: at(100 + head.seq),
            serial: format!("{:02x}", head.seq),
            stamped_at: at(101 + head.seq),
        }
    }

    async fn stamp_head(db: &TestDatabase) -> AuditStamp {
        let head = db.store.audit().head().await.unwrap().unwrap();
        let stamp = stamp_of(&head);
        assert!(db.store.audit().save_stamp(&stamp).await.unwrap());
        stamp
    }

    #[tokio::test]
    async fn stamps_are_kept_once_per_entry_and_page_in_order() {
        let db = TestDatabase::create().await.unwrap();
        let audit = db.store.audit();
        assert_eq!(audit.head().await.unwrap(), None);
        assert_eq!(audit.last_stamp().await.unwrap(), None);
        let citizen = CitizenId::random();
        let mut stamped = Vec::new();
        for i in 0..5 {
            let event = AuditEvent::new(at(i), Actor::Citizen(citizen), Action::Login);
            audit.append(&event).await.unwrap();
            if i % 2 == 0 {
                stamped.push(stamp_head(&db).await);
            }
        }
        let head = audit.head().await.unwrap().unwrap();
        assert_eq!(head.seq, 5);
        assert_eq!(head.digest().unwrap().len(), 32);
        assert_eq!(stamped.last().unwrap().hash, head.hash);
        // A second stamp of an entry (another node's) leaves the first.
        let mut again = stamp_of(&head);
        again.serial = "ff".into();
        assert!(!audit.save_stamp(&again).await.unwrap());

        assert_eq!(audit.stamps(None, 2).await.unwrap(), stamped[..2]);
        assert_eq!(audit.stamps(Some(3), 2).await.unwrap(), stamped[2..]);
        assert!(audit.stamps(Some(5), 2).await.unwrap().is_empty());
        assert_eq!(audit.last_stamp().await.unwrap().as_ref(), stamped.last());

        let mut tokens_checked = std::sync::Mutex::new(Vec::new());
        let verified = audit
            .verify_with(&|stamp: &AuditStamp| {
                tokens_checked.lock().unwrap().push(stamp.seq);
                Ok(())
            })
            .await
            .unwrap()
            .unwrap();
        assert_eq!(verified.entries, 5);
        assert_eq!(verified.stamps, 3);
        assert_eq!(verified.last_stamp.as_ref(), stamped.last());
        assert_eq!(tokens_checked.get_mut().unwrap(), &[1, 3, 5]);
        assert_eq!(audit.verify().await.unwrap(), Ok(5));
    }

    #[tokio::test]
    async fn removing_the_last_entries_is_found_through_a_stamp() {
        let (db, pool) = five_entries().await;
        sqlx::query("DELETE FROM audit_log WHERE seq >= 4")
            .execute(&pool)
            .await
            .unwrap();
        // The chain alone cannot tell.
        assert_eq!(db.store.audit().verify().await.unwrap(), Ok(3));

        let (db, pool) = five_entries().await;
        stamp_head(&db).await;
        sqlx::query("DELETE FROM audit_log WHERE seq >= 4")
            .execute(&pool)
            .await
            .unwrap();
        let found = db.store.audit().verify().await.unwrap().unwrap_err();
        assert_eq!(found.seq, 5);
        assert!(found.problem.contains("ends at entry 3"), "{found}");

        sqlx::query("DELETE FROM audit_log")
            .execute(&pool)
            .await
            .unwrap();
        let found = db.store.audit().verify().await.unwrap().unwrap_err();
        assert_eq!(found.seq, 5);
        assert!(found.problem.contains("the log is empty"), "{found}");
    }

    #[tokio::test]
    async fn a_log_rewritten_whole_is_found_through_a_stamp() {
        let (db, pool) = five_entries().await;
        stamp_head(&db).await;
        // Rewritten through the portal's own code, so every hash is right,
        // and one entry longer.
        sqlx::query("DELETE FROM audit_log")
            .execute(&pool)
            .await
            .unwrap();
        for i in 0..6 {
            let event = AuditEvent::new(at(i), Actor::System, Action::Login).with("forged", "yes");
            db.store.audit().append(&event).await.unwrap();
        }
        let found = db.store.audit().verify().await.unwrap().unwrap_err();
        assert_eq!(found.seq, 5);
        assert!(found.problem.contains("rewritten"), "{found}");
    }

    #[tokio::test]
    async fn a_changed_stamp_is_found() {
        let (db, pool) = five_entries().await;
        stamp_head(&db).await;
        sqlx::query("UPDATE audit_stamps SET hash = $1")
            .bind("ab".repeat(32))
            .execute(&pool)
            .await
            .unwrap();
        assert_eq!(break_at(&db).await, 5);

        let (db, _) = five_entries().await;
        stamp_head(&db).await;
        let found = db
            .store
            .audit()
            .verify_with(&|stamp: &AuditStamp| Err(format!("token of entry {} refused", stamp.seq)))
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(found.seq, 5);
        assert!(
            found.problem.contains("token of entry 5 refused"),
            "{found}"
        );
        assert!(found.problem.contains("serial 05"), "{found}");
    }

    #[tokio::test]
    async fn a_stamp_of_no_entry_is_found() {
        let (db, _) = five_entries().await;
        let mut stamp = stamp_of(&db.store.audit().head().await.unwrap().unwrap());
        stamp.seq = 0;
        db.store.audit().save_stamp(&stamp).await.unwrap();
        assert_eq!(break_at(&db).await, 0);
    }
}

mod staff {
    use obcan_core::audit::{Action, Actor, AuditEvent};
    use obcan_core::citizen::{CitizenId, PersonName};
    use obcan_core::credential::{LOCKOUT, PasswordHash, TotpSecret};
    use obcan_core::registration::{DocumentNumberTail, DocumentType};
    use obcan_core::staff::{AgendaId, DepartmentId, Label, LoginName, Role, StaffId};
    use obcan_store::{
        AlreadyExists, CounterRegistration, Enrolment, GrantChange, NewStaff, NewStaffSession,
    };

    use super::*;

    fn event(action: Action) -> AuditEvent {
        AuditEvent::new(at(0), Actor::System, action)
    }

    async fn create(db: &TestDatabase, login: &str, roles: &[Role]) -> StaffId {
        let id = StaffId::random();
        let hash = PasswordHash::from_stored("$argon2id$stand-in".into());
        let new = NewStaff {
            id,
            login: &LoginName::parse(login).unwrap(),
            display_name: &Label::parse("Jana Nováková").unwrap(),
            initial_password: Some(&hash),
            roles,
        };
        db.store
            .staff()
            .create(&new, at(0), &event(Action::StaffCreated))
            .await
            .unwrap()
            .unwrap();
        id
    }

    #[tokio::test]
    async fn a_duplicate_login_writes_nothing_not_even_its_audit_entry() {
        let db = TestDatabase::create().await.unwrap();
        create(&db, "jana", &[Role::Official]).await;
        let new = NewStaff {
            id: StaffId::random(),
            login: &LoginName::parse("jana").unwrap(),
            display_name: &Label::parse("Jiná Jana").unwrap(),
            initial_password: None,
            roles: &[Role::Administrator],
        };
        let again = db
            .store
            .staff()
            .create(&new, at(1), &event(Action::StaffCreated))
            .await
            .unwrap();
        assert_eq!(again, Err(AlreadyExists));
        assert_eq!(db.store.staff().list().await.unwrap().len(), 1);
        assert_eq!(db.store.audit().verify().await.unwrap(), Ok(1));
    }

    #[tokio::test]
    async fn grants_change_once_each_with_their_audit_entry() {
        let db = TestDatabase::create().await.unwrap();
        let id = create(&db, "jana", &[]).await;
        let department = DepartmentId::random();
        let agenda = AgendaId::random();
        let organisation = db.store.organisation();
        organisation
            .create_department(
                department,
                &Label::parse("Odbor").unwrap(),
                at(0),
                &event(Action::DepartmentCreated),
            )
            .await
            .unwrap()
            .unwrap();
        organisation
            .create_agenda(
                agenda,
                department,
                &Label::parse("Agenda").unwrap(),
                None,
                at(0),
                &event(Action::AgendaCreated),
            )
            .await
            .unwrap()
            .unwrap();
        let staff = db.store.staff();
        for change in [
            GrantChange::GrantRole(Role::Official),
            GrantChange::AddAgenda(agenda),
            GrantChange::AddDepartment(department),
        ] {
            assert!(
                staff
                    .change_grants(id, change, at(1), &event(Action::RoleGranted))
                    .await
                    .unwrap()
            );
            assert!(
                !staff
                    .change_grants(id, change, at(2), &event(Action::RoleGranted))
                    .await
                    .unwrap(),
                "{change:?} twice"
            );
        }
        let grants = staff.active_grants(id).await.unwrap().unwrap();
        assert!(grants.has(Role::Official));
        assert!(grants.scope.covers(agenda, department));
        assert!(
            staff
                .change_grants(
                    id,
                    GrantChange::RemoveAgenda(agenda),
                    at(3),
                    &event(Action::ScopeRevoked)
                )
                .await
                .unwrap()
        );
        assert!(
            !staff
                .change_grants(
                    id,
                    GrantChange::RevokeRole(Role::Auditor),
                    at(3),
                    &event(Action::RoleRevoked)
                )
                .await
                .unwrap()
        );
        // Created, department, agenda, three changes, one removal.
        assert_eq!(db.store.audit().verify().await.unwrap(), Ok(7));
    }

    #[tokio::test]
    async fn disabling_ends_the_staff_members_sessions() {
        let db = TestDatabase::create().await.unwrap();
        let id = create(&db, "jana", &[Role::Auditor]).await;
        let session = NewStaffSession {
            id_hash: "staff-session",
            staff: id,
            provider: "local",
            created_at: at(0),
            expires_at: at(1000),
        };
        db.store
            .sessions()
            .replace_with_staff(None, &session)
            .await
            .unwrap();
        let found = db
            .store
            .sessions()
            .find("staff-session", at(1))
            .await
            .unwrap()
            .unwrap();
        assert_eq!((found.staff, found.citizen), (Some(id), None));
        assert!(
            db.store
                .staff()
                .set_disabled(id, true, at(2), &event(Action::StaffDisabled))
                .await
                .unwrap()
        );
        assert!(
            !db.store
                .staff()
                .set_disabled(id, true, at(3), &event(Action::StaffDisabled))
                .await
                .unwrap()
        );
        assert!(
            db.store
                .sessions()
                .find("staff-session", at(4))
                .await
                .unwrap()
                .is_none()
        );
        assert!(db.store.staff().active_grants(id).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn failures_lock_the_credential_and_a_step_is_used_once() {
        let db = TestDatabase::create().await.unwrap();
        let id = create(&db, "jana", &[]).await;
        let member = db.store.staff().get(id).await.unwrap().unwrap();
        let credentials = db.store.credentials();
        let credential = &member.credential_id;
        for _ in 1..LOCKOUT.failures_per_lock {
            assert_eq!(
                credentials
                    .record_failure(credential, at(10), &LOCKOUT)
                    .await
                    .unwrap(),
                None
            );
        }
        let until = credentials
            .record_failure(credential, at(10), &LOCKOUT)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(until, at(10 + 15 * 60));
        let stored = credentials.get(credential).await.unwrap().unwrap();
        assert!(stored.is_locked(at(10 + 15 * 60 - 1)));
        assert!(!stored.is_locked(until));

        assert!(credentials.use_totp_step(credential, 100).await.unwrap());
        assert!(
            !credentials.use_totp_step(credential, 100).await.unwrap(),
            "replay"
        );
        assert!(
            !credentials.use_totp_step(credential, 99).await.unwrap(),
            "older"
        );
        assert!(credentials.use_totp_step(credential, 101).await.unwrap());
    }

    #[tokio::test]
    async fn the_address_throttle_counts_within_its_window() {
        let db = TestDatabase::create().await.unwrap();
        let throttle = db.store.login_throttle();
        let window = LOCKOUT.address_window;
        for _ in 0..3 {
            throttle
                .record_failure("192.0.2.1", at(0), window)
                .await
                .unwrap();
        }
        assert_eq!(
            throttle
                .failures("192.0.2.1", at(60), window)
                .await
                .unwrap(),
            3
        );
        assert_eq!(
            throttle
                .failures("192.0.2.2", at(60), window)
                .await
                .unwrap(),
            0
        );
        let later = at(window.as_secs());
        assert_eq!(
            throttle.failures("192.0.2.1", later, window).await.unwrap(),
            0
        );
        throttle
            .record_failure("192.0.2.1", later, window)
            .await
            .unwrap();
        assert_eq!(
            throttle.failures("192.0.2.1", later, window).await.unwrap(),
            1,
            "a new window"
        );
    }

    #[tokio::test]
    async fn registration_is_all_or_nothing_and_activation_uses_the_code_once() {
        let db = TestDatabase::create().await.unwrap();
        let official = create(&db, "prepazka", &[Role::Official]).await;
        let name = PersonName::new("Božena", "Němcová").unwrap();
        let login = LoginName::parse("bozena").unwrap();
        let tail = DocumentNumberTail::of("123456789").unwrap();
        let registration = |citizen| CounterRegistration {
            citizen,
            name: &name,
            birth_date: "1950-02-04".parse().unwrap(),
            login: &login,
            document_type: DocumentType::IdCard,
            document_tail: &tail,
            verified_by: official,
            activation_code_hash: "code-hash",
            activation_expires_at: at(100),
        };
        let accounts = db.store.local_accounts();
        let citizen = CitizenId::random();
        accounts
            .register(
                &registration(citizen),
                at(0),
                &event(Action::CitizenRegistered),
            )
            .await
            .unwrap()
            .unwrap();
        let again = accounts
            .register(
                &registration(CitizenId::random()),
                at(1),
                &event(Action::CitizenRegistered),
            )
            .await
            .unwrap();
        assert_eq!(again, Err(AlreadyExists));
        assert_eq!(
            db.store.citizens().count().await.unwrap(),
            1,
            "no second citizen"
        );

        assert!(
            accounts
                .by_activation_code("code-hash", at(100))
                .await
                .unwrap()
                .is_none(),
            "expired"
        );
        let account = accounts
            .by_activation_code("code-hash", at(50))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(account.citizen, citizen);
        assert!(!account.activated);

        let secret = TotpSecret::generate().unwrap();
        db.store
            .credentials()
            .set_pending_totp(&account.credential_id, &secret, at(0))
            .await
            .unwrap();
        let hash = PasswordHash::from_stored("$argon2id$chosen".into());
        let enrolment = Enrolment {
            password: &hash,
            secret: &secret,
            step: 7,
        };
        let activated_event = event(Action::CitizenActivated);
        let activate =
            |now| accounts.activate(&account, "code-hash", enrolment, now, &activated_event);
        assert!(!activate(at(100)).await.unwrap(), "expired");
        assert!(activate(at(60)).await.unwrap());
        assert!(!activate(at(61)).await.unwrap(), "used");
        let activated = accounts.by_login(&login).await.unwrap().unwrap();
        assert!(activated.activated);
        let credential = db
            .store
            .credentials()
            .get(&activated.credential_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(credential.totp_secret, Some(secret));
        assert!(!credential.needs_setup());
        assert!(
            !db.store
                .credentials()
                .use_totp_step(&activated.credential_id, 7)
                .await
                .unwrap(),
            "the enrolment's code is used"
        );
    }
}

mod contacts {
    use obcan_core::audit::{Action, Actor, AuditEvent};
    use obcan_core::citizen::CitizenId;
    use obcan_core::contact::{
        CodeKey, ContactKind, ContactValue, TooEarly, VERIFICATION, VerificationCode,
    };
    use obcan_store::{VerifyEvents, VerifyOutcome};

    use super::*;

    fn events(citizen: CitizenId) -> VerifyEvents {
        let event = |action| AuditEvent::new(at(0), Actor::Citizen(citizen), action);
        VerifyEvents {
            verified: event(Action::ContactVerified),
            failed: event(Action::ContactVerificationFailed),
        }
    }

    fn code(digits: &str) -> VerificationCode {
        VerificationCode::parse(digits).unwrap()
    }

    async fn actions(db: &TestDatabase) -> Vec<String> {
        let mut entries = db.store.audit().page(None, None, None, 100).await.unwrap();
        entries.reverse();
        entries.into_iter().map(|entry| entry.action).collect()
    }

    /// A citizen with a code for `value` sent at `sent`.
    async fn sent(
        db: &TestDatabase,
        citizen: CitizenId,
        value: &ContactValue,
        digits: &str,
        sent: i64,
    ) -> Result<(), TooEarly> {
        let key = CodeKey::new(b"test key");
        let event = AuditEvent::new(
            at(sent),
            Actor::Citizen(citizen),
            Action::ContactVerificationSent,
        );
        db.store
            .contacts()
            .record_sent(
                citizen,
                value,
                &key.seal(&code(digits)).unwrap(),
                VERIFICATION,
                at(sent),
                &event,
            )
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_right_code_moves_the_value_to_verified_and_ends_the_verification() {
        let db = TestDatabase::create().await.unwrap();
        let citizen = db
            .store
            .citizens()
            .log_in(&assertion("contacts-1", "Jana"), at(0))
            .await
            .unwrap()
            .id;
        let email = ContactValue::parse(ContactKind::Email, "jana@example.cz").unwrap();
        sent(&db, citizen, &email, "123456", 0).await.unwrap();
        let contacts = db.store.contacts();
        let book = contacts.book(citizen).await.unwrap();
        assert!(book.email.is_none());
        let pending = book.pending_email.unwrap();
        assert_eq!(pending.value, email);
        assert_eq!(pending.attempts_left, 5);
        assert_eq!(pending.expires_at, at(15 * 60));
        assert!(!pending.code.hash.contains("123456"));

        let key = CodeKey::new(b"test key");
        let events = events(citizen);
        let verify = async |digits: &str, now| {
            contacts
                .verify(
                    citizen,
                    ContactKind::Email,
                    &code(digits),
                    &key,
                    at(now),
                    &events,
                )
                .await
                .unwrap()
        };
        assert_eq!(
            verify("654321", 10).await,
            VerifyOutcome::WrongCode { attempts_left: 4 }
        );
        assert_eq!(
            verify("123456", 20).await,
            VerifyOutcome::Verified(email.clone())
        );
        let book = contacts.book(citizen).await.unwrap();
        assert_eq!(book.email.unwrap().value, email);
        assert!(book.pending_email.is_none());
        assert_eq!(
            verify("123456", 30).await,
            VerifyOutcome::NoPending,
            "used once"
        );
        assert_eq!(
            actions(&db).await,
            [
                "contact_verification_sent",
                "contact_verification_failed",
                "contact_verified"
            ]
        );
    }

    #[tokio::test]
    async fn attempts_run_out_codes_expire_and_new_codes_wait_a_minute() {
        let db = TestDatabase::create().await.unwrap();
        let citizen = db
            .store
            .citizens()
            .log_in(&assertion("contacts-2", "Petr"), at(0))
            .await
            .unwrap()
            .id;
        let phone = ContactValue::parse(ContactKind::Phone, "603 123 456").unwrap();
        sent(&db, citizen, &phone, "111111", 0).await.unwrap();
        assert_eq!(
            sent(&db, citizen, &phone, "222222", 59).await,
            Err(TooEarly {
                wait: jiff::SignedDuration::from_secs(1)
            })
        );
        let key = CodeKey::new(b"test key");
        let contacts = db.store.contacts();
        let events = events(citizen);
        for left in (0..5).rev() {
            let outcome = contacts
                .verify(
                    citizen,
                    ContactKind::Phone,
                    &code("999999"),
                    &key,
                    at(100),
                    &events,
                )
                .await
                .unwrap();
            assert_eq!(
                outcome,
                VerifyOutcome::WrongCode {
                    attempts_left: left
                }
            );
        }
        let outcome = contacts
            .verify(
                citizen,
                ContactKind::Phone,
                &code("111111"),
                &key,
                at(101),
                &events,
            )
            .await
            .unwrap();
        assert_eq!(
            outcome,
            VerifyOutcome::NoAttemptsLeft,
            "even the right code"
        );

        // A new code brings the attempts back, and lives 15 minutes.
        sent(&db, citizen, &phone, "333333", 120).await.unwrap();
        let outcome = contacts
            .verify(
                citizen,
                ContactKind::Phone,
                &code("333333"),
                &key,
                at(120 + 15 * 60),
                &events,
            )
            .await
            .unwrap();
        assert_eq!(outcome, VerifyOutcome::Expired);
        assert!(contacts.book(citizen).await.unwrap().phone.is_none());
        assert_eq!(contacts.delete_expired(at(10_000)).await.unwrap(), 1);
        assert_eq!(contacts.book(citizen).await.unwrap(), Default::default());
    }

    #[tokio::test]
    async fn one_citizens_code_does_nothing_for_another() {
        let db = TestDatabase::create().await.unwrap();
        let jana = db
            .store
            .citizens()
            .log_in(&assertion("contacts-3", "Jana"), at(0))
            .await
            .unwrap()
            .id;
        let petr = db
            .store
            .citizens()
            .log_in(&assertion("contacts-4", "Petr"), at(0))
            .await
            .unwrap()
            .id;
        let email = ContactValue::parse(ContactKind::Email, "jana@example.cz").unwrap();
        sent(&db, jana, &email, "123456", 0).await.unwrap();
        let outcome = db
            .store
            .contacts()
            .verify(
                petr,
                ContactKind::Email,
                &code("123456"),
                &CodeKey::new(b"test key"),
                at(1),
                &events(petr),
            )
            .await
            .unwrap();
        assert_eq!(outcome, VerifyOutcome::NoPending);
        assert!(
            db.store
                .contacts()
                .book(petr)
                .await
                .unwrap()
                .email
                .is_none()
        );
        assert_eq!(
            db.store
                .contacts()
                .book(jana)
                .await
                .unwrap()
                .pending_email
                .unwrap()
                .attempts_left,
            5
        );
    }

    #[tokio::test]
    async fn removing_deletes_the_contact_and_its_verification_with_one_entry() {
        let db = TestDatabase::create().await.unwrap();
        let citizen = db
            .store
            .citizens()
            .log_in(&assertion("contacts-5", "Jana"), at(0))
            .await
            .unwrap()
            .id;
        let email = ContactValue::parse(ContactKind::Email, "jana@example.cz").unwrap();
        sent(&db, citizen, &email, "123456", 0).await.unwrap();
        let key = CodeKey::new(b"test key");
        let contacts = db.store.contacts();
        contacts
            .verify(
                citizen,
                ContactKind::Email,
                &code("123456"),
                &key,
                at(1),
                &events(citizen),
            )
            .await
            .unwrap();
        let other = ContactValue::parse(ContactKind::Email, "jana@jinde.cz").unwrap();
        sent(&db, citizen, &other, "654321", 100).await.unwrap();
        let removed = AuditEvent::new(at(200), Actor::Citizen(citizen), Action::ContactRemoved);
        assert!(
            contacts
                .remove(citizen, ContactKind::Email, &removed)
                .await
                .unwrap()
        );
        assert_eq!(contacts.book(citizen).await.unwrap(), Default::default());
        assert!(
            !contacts
                .remove(citizen, ContactKind::Email, &removed)
                .await
                .unwrap()
        );
        assert_eq!(
            actions(&db)
                .await
                .iter()
                .filter(|action| *action == "contact_removed")
                .count(),
            1,
            "nothing removed, nothing recorded"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_appends_share_commits_and_keep_one_chain() {
    use obcan_core::audit::{Action, Actor, AuditEvent};

    let db = TestDatabase::create().await.unwrap();
    let appends = (0..200).map(|n| {
        let store = db.store.clone();
        tokio::spawn(async move {
            let event = AuditEvent::new(at(n), Actor::System, Action::RegisterRead)
                .with("n", n.to_string());
            store.audit().append(&event).await.unwrap()
        })
    });
    let mut seqs = Vec::new();
    for append in appends.collect::<Vec<_>>() {
        seqs.push(append.await.unwrap());
    }
    seqs.sort_unstable();
    assert_eq!(
        seqs,
        (1..=200).collect::<Vec<i64>>(),
        "each append its own entry"
    );
    assert_eq!(db.store.audit().verify().await.unwrap(), Ok(200));
}
