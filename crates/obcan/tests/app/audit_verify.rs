//! `obcan audit verify` and `obcan audit stamp`, run as real processes on a
//! real SQLite database: each way of tampering with the log — a changed
//! field, a removed, inserted or moved entry, its end cut off, the whole
//! rewritten with every hash recomputed, a stamp's token changed — makes
//! verify exit non-zero naming the entry. The time stamps come from the test
//! authority of tests/tsa-server/, started on loopback for each test.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use jiff::Timestamp;
use obcan_core::audit::{Action, Actor, AuditEvent};
use obcan_core::citizen::CitizenId;
use obcan_core::staff::StaffId;
use obcan_store::{PoolSettings, Store};
use sha2::{Digest, Sha256};
use sqlx::Row as _;
use tokio::io::AsyncBufReadExt as _;

const OBCAN: &str = env!("CARGO_BIN_EXE_obcan");
const ENTRIES: i64 = 6;

use obcan_connect::testing::TestTsa;

/// An installation in a folder of its own: the database `obcan migrate`
/// made, a log of six entries, a raw connection to tamper with it, and the
/// test authority when the test needs time stamps.
struct Installation {
    folder: tempfile::TempDir,
    store: Store,
    raw: sqlx::AnyPool,
    tsa: Option<TestTsa>,
}

impl Installation {
    async fn new() -> Self {
        let folder = tempfile::tempdir().unwrap();
        let migrated = run(folder.path(), &["migrate"], &[]);
        assert!(migrated.status.success(), "{}", stderr(&migrated));
        let url = format!("sqlite://{}/data/obcan.db", folder.path().display());
        let store = Store::open(&url, PoolSettings::default()).unwrap();
        sqlx::any::install_default_drivers();
        let raw = sqlx::AnyPool::connect(&url).await.unwrap();
        let installation = Self {
            folder,
            store,
            raw,
            tsa: None,
        };
        let citizen = CitizenId::random();
        let staff = StaffId::random();
        let events = [
            AuditEvent::new(at(0), Actor::Citizen(citizen), Action::Login)
                .about_citizen(citizen)
                .with("provider", "demo")
                .from_ip(Some("192.0.2.10".into())),
            AuditEvent::new(at(60), Actor::Staff(staff.uuid()), Action::RoleGranted)
                .about_staff(staff)
                .with("role", "auditor"),
            AuditEvent::new(at(120), Actor::System, Action::MasterKeyRotated)
                .with("data_keys", "12"),
            AuditEvent::new(at(180), Actor::Anonymous, Action::LoginFailed)
                .with("reason", "wrong password")
                .from_ip(Some("198.51.100.7".into())),
            AuditEvent::new(at(240), Actor::Citizen(citizen), Action::RegisterRead)
                .about_citizen(citizen)
                .with("sections", "personal,driver"),
            AuditEvent::new(at(300), Actor::Citizen(citizen), Action::Logout)
                .about_citizen(citizen),
        ];
        for event in &events {
            installation.store.audit().append(event).await.unwrap();
        }
        installation
    }

    /// With the test authority, and the log's newest entry stamped by it.
    async fn stamped() -> Self {
        let mut installation = Self::new().await;
        installation.tsa = Some(TestTsa::start(&[]).unwrap());
        let stamped = installation.obcan(&["audit", "stamp"]);
        assert!(stamped.status.success(), "{}", stderr(&stamped));
        assert!(
            stdout(&stamped).starts_with(&format!("entry {ENTRIES} time-stamped at ")),
            "{}",
            stdout(&stamped)
        );
        installation
    }

    fn tsa(&self) -> &TestTsa {
        self.tsa.as_ref().unwrap()
    }

    /// Runs `obcan` with the authority configured, if there is one.
    fn obcan(&self, args: &[&str]) -> Output {
        match &self.tsa {
            Some(tsa) => self.obcan_with(args, &tsa.url(""), &tsa.ca_file),
            None => run(self.folder.path(), args, &[]),
        }
    }

    fn obcan_with(&self, args: &[&str], tsa_url: &str, ca_file: &Path) -> Output {
        let ca_file = ca_file.to_str().unwrap();
        run(
            self.folder.path(),
            args,
            &[
                ("OBCAN_AUDIT_TSA_URL", tsa_url),
                ("OBCAN_AUDIT_TSA_CA_FILE", ca_file),
            ],
        )
    }

    /// `obcan audit verify` succeeds; what it said.
    fn verifies(&self) -> String {
        let output = self.obcan(&["audit", "verify"]);
        assert!(
            output.status.success(),
            "{}{}",
            stdout(&output),
            stderr(&output)
        );
        stdout(&output)
    }

    /// `obcan audit verify` fails, naming `entry`; what it said.
    fn fails_at(&self, entry: i64) -> String {
        let output = self.obcan(&["audit", "verify"]);
        let said = stderr(&output);
        assert!(!output.status.success(), "verified: {}", stdout(&output));
        assert!(
            said.contains(&format!(
                "the audit log was tampered with: audit log entry {entry}: "
            )),
            "expected entry {entry} to be named: {said}"
        );
        said
    }

    async fn execute(&self, sql: &str) {
        sqlx::query(sql).execute(&self.raw).await.unwrap();
    }

    async fn rows(&self) -> Vec<Entry> {
        sqlx::query(
            "SELECT seq, at, actor, action, subject, detail, ip, prev_hash, hash \
             FROM audit_log ORDER BY seq",
        )
        .fetch_all(&self.raw)
        .await
        .unwrap()
        .iter()
        .map(|row| Entry {
            seq: row.get("seq"),
            at: row.get("at"),
            actor: row.get("actor"),
            action: row.get("action"),
            subject: row.get("subject"),
            detail: row.get("detail"),
            ip: row.get("ip"),
            prev_hash: row.get("prev_hash"),
            hash: row.get("hash"),
        })
        .collect()
    }

    /// Replaces the whole log with `entries`, as they are.
    async fn replace_log(&self, entries: &[Entry]) {
        let mut tx = self.raw.begin().await.unwrap();
        sqlx::query("DELETE FROM audit_log")
            .execute(&mut *tx)
            .await
            .unwrap();
        for entry in entries {
            sqlx::query(
                "INSERT INTO audit_log (seq, at, actor, action, subject, detail, ip, prev_hash, hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(entry.seq)
            .bind(entry.at)
            .bind(&entry.actor)
            .bind(&entry.action)
            .bind(&entry.subject)
            .bind(&entry.detail)
            .bind(&entry.ip)
            .bind(&entry.prev_hash)
            .bind(&entry.hash)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
    }

    async fn token(&self, seq: i64) -> Vec<u8> {
        sqlx::query("SELECT token FROM audit_stamps WHERE seq = $1")
            .bind(seq)
            .fetch_one(&self.raw)
            .await
            .unwrap()
            .get("token")
    }

    async fn set_token(&self, seq: i64, token: &[u8]) {
        sqlx::query("UPDATE audit_stamps SET token = $1 WHERE seq = $2")
            .bind(token.to_vec())
            .bind(seq)
            .execute(&self.raw)
            .await
            .unwrap();
    }
}

/// An entry as stored, to forge with.
#[derive(Debug, Clone, PartialEq)]
struct Entry {
    seq: i64,
    at: i64,
    actor: String,
    action: String,
    subject: Option<String>,
    detail: String,
    ip: Option<String>,
    prev_hash: String,
    hash: String,
}

impl Entry {
    /// The hash the portal gives an entry (obcan-store's audit.rs): SHA-256
    /// over each field, length-prefixed, the previous entry's hash last.
    fn computed_hash(&self) -> String {
        let mut hasher = Sha256::new();
        let mut field = |bytes: &[u8]| {
            hasher.update((bytes.len() as u64).to_be_bytes());
            hasher.update(bytes);
        };
        field(&self.seq.to_be_bytes());
        field(&self.at.to_be_bytes());
        field(self.actor.as_bytes());
        field(self.action.as_bytes());
        field(self.subject.as_deref().unwrap_or("\0none").as_bytes());
        field(self.detail.as_bytes());
        field(self.ip.as_deref().unwrap_or("\0none").as_bytes());
        field(self.prev_hash.as_bytes());
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// Numbers the entries from 1 and chains each to the one before, every hash
/// recomputed: a forgery the chain alone cannot tell from the real log.
fn rechain(entries: &mut [Entry]) {
    let mut prev = "0".repeat(64);
    for (entry, seq) in entries.iter_mut().zip(1..) {
        entry.seq = seq;
        entry.prev_hash = prev;
        entry.hash = entry.computed_hash();
        prev = entry.hash.clone();
    }
}

fn forged(after: &Entry) -> Entry {
    let mut entry = Entry {
        seq: after.seq + 1,
        at: after.at + 1,
        actor: "system".into(),
        action: "role_revoked".into(),
        subject: None,
        detail: "{\"role\":\"auditor\"}".into(),
        ip: None,
        prev_hash: after.hash.clone(),
        hash: String::new(),
    };
    entry.hash = entry.computed_hash();
    entry
}

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + seconds).unwrap()
}

fn run(folder: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(OBCAN)
        .args(args)
        .current_dir(folder)
        .env_remove("OBCAN_DATABASE_URL")
        .env_remove("OBCAN_AUDIT_TSA_URL")
        .env_remove("OBCAN_AUDIT_TSA_CA_FILE")
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

// ---------------------------------------------------------------------------
// The chain

#[tokio::test]
async fn an_untouched_log_verifies() {
    let log = Installation::new().await;
    assert_eq!(
        log.verifies(),
        "audit log intact: 6 entries; no time stamps\n"
    );
    // The forgeries below hash as the portal does.
    for entry in log.rows().await {
        assert_eq!(entry.computed_hash(), entry.hash, "entry {}", entry.seq);
    }
}

#[tokio::test]
async fn a_changed_field_is_found_and_named() {
    let log = Installation::new().await;
    let original = log.rows().await;
    let forged_hash = format!("hash = '{}'", "ab".repeat(32));
    for (change, entry) in [
        ("actor = 'system'", 1),
        ("detail = '{\"role\":\"administrator\"}'", 2),
        ("at = at - 3600", 3),
        ("ip = '203.0.113.99'", 4),
        ("ip = NULL", 1),
        ("subject = NULL", 5),
        ("action = 'logout'", 4),
        (forged_hash.as_str(), 5),
        (forged_hash.as_str(), 6),
    ] {
        log.execute(&format!(
            "UPDATE audit_log SET {change} WHERE seq = {entry}"
        ))
        .await;
        let said = log.fails_at(entry);
        assert!(
            said.contains("its contents were changed"),
            "{change}: {said}"
        );
        log.replace_log(&original).await;
    }
    log.execute("UPDATE audit_log SET prev_hash = hash WHERE seq = 3")
        .await;
    assert!(
        log.fails_at(3)
            .contains("does not follow the entry before it")
    );
    log.replace_log(&original).await;

    // A hash recomputed to match a change breaks the next entry's link.
    let mut entries = original.clone();
    entries[2].detail = "{\"data_keys\":\"0\"}".into();
    entries[2].hash = entries[2].computed_hash();
    log.replace_log(&entries).await;
    assert!(
        log.fails_at(4)
            .contains("does not follow the entry before it")
    );
    log.replace_log(&original).await;
    log.verifies();
}

#[tokio::test]
async fn a_deleted_entry_is_found_and_named() {
    let log = Installation::new().await;
    log.execute("DELETE FROM audit_log WHERE seq = 3").await;
    assert!(log.fails_at(4).contains("expected entry 3 here"));
    log.execute("DELETE FROM audit_log WHERE seq = 1").await;
    assert!(log.fails_at(2).contains("expected entry 1 here"));
}

#[tokio::test]
async fn a_forged_entry_is_found_and_named() {
    let log = Installation::new().await;
    let original = log.rows().await;

    // Its own hash right, chained to entry 3, with the rest moved up unchanged.
    let mut entries = original.clone();
    entries.insert(3, forged(&original[2]));
    for entry in &mut entries[4..] {
        entry.seq += 1;
    }
    log.replace_log(&entries).await;
    assert!(log.fails_at(5).contains("does not follow"));

    // Appended after the last entry, but chained to the one before it.
    let mut entries = original.clone();
    let mut fork = forged(&original[4]);
    fork.seq = ENTRIES + 1;
    fork.hash = fork.computed_hash();
    entries.push(fork);
    log.replace_log(&entries).await;
    assert!(log.fails_at(7).contains("does not follow"));

    // Hash and chain right, at a number taken already: in place of entry 4.
    let mut entries = original.clone();
    entries[3] = forged(&original[2]);
    log.replace_log(&entries).await;
    assert!(log.fails_at(5).contains("does not follow"));
}

#[tokio::test]
async fn reordered_entries_are_found_and_named() {
    let log = Installation::new().await;
    let original = log.rows().await;

    // Entries 2 and 4 exchange their numbers, each keeping its hashes.
    log.execute("UPDATE audit_log SET seq = -2 WHERE seq = 2")
        .await;
    log.execute("UPDATE audit_log SET seq = 2 WHERE seq = 4")
        .await;
    log.execute("UPDATE audit_log SET seq = 4 WHERE seq = -2")
        .await;
    assert!(log.fails_at(2).contains("does not follow"));
    log.replace_log(&original).await;

    // Entries 2 and 4 exchange what they say, each keeping its number and hashes.
    let mut entries = original.clone();
    for (to, from) in [(1, 3), (3, 1)] {
        let source = &original[from];
        let entry = &mut entries[to];
        entry.at = source.at;
        entry.actor = source.actor.clone();
        entry.action = source.action.clone();
        entry.subject = source.subject.clone();
        entry.detail = source.detail.clone();
        entry.ip = source.ip.clone();
    }
    log.replace_log(&entries).await;
    assert!(log.fails_at(2).contains("its contents were changed"));
}

#[tokio::test]
async fn without_a_time_stamp_a_cut_off_end_goes_unnoticed() {
    // What the stamps are for: the chain alone holds after its end is gone.
    let log = Installation::new().await;
    log.execute("DELETE FROM audit_log WHERE seq > 4").await;
    assert_eq!(
        log.verifies(),
        "audit log intact: 4 entries; no time stamps\n"
    );
}

// ---------------------------------------------------------------------------
// Time stamps

#[tokio::test]
async fn stamps_cover_the_newest_entry_and_verify() {
    let log = Installation::stamped().await;
    let said = log.verifies();
    let gen_time = log
        .store
        .audit()
        .last_stamp()
        .await
        .unwrap()
        .unwrap()
        .gen_time;
    assert_eq!(
        said,
        format!(
            "audit log intact: 6 entries; 1 time stamp, the last at {gen_time} covering entry 6\n"
        )
    );

    // Nothing new: nothing asked.
    let again = log.obcan(&["audit", "stamp"]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stdout(&again).starts_with("entry 6, the newest, is time-stamped already: at "),
        "{}",
        stdout(&again)
    );

    // Entries after the last stamp are held by the chain alone until the next.
    for i in 0..2 {
        let event = AuditEvent::new(at(400 + i), Actor::System, Action::DepartmentCreated);
        log.store.audit().append(&event).await.unwrap();
    }
    assert!(
        log.verifies()
            .contains("8 entries; 1 time stamp, the last at")
    );
    let stamped = log.obcan(&["audit", "stamp"]);
    assert!(stdout(&stamped).starts_with("entry 8 time-stamped at "));
    assert!(
        log.verifies()
            .contains("8 entries; 2 time stamps, the last at")
    );
    assert!(log.verifies().ends_with(" covering entry 8\n"));

    // Without the CA, everything but the tokens is checked, and it says so.
    let unchecked = run(log.folder.path(), &["audit", "verify"], &[]);
    assert!(unchecked.status.success(), "{}", stderr(&unchecked));
    assert!(
        stdout(&unchecked)
            .ends_with("the time stamps' tokens were not verified: set audit.tsa_ca_file\n"),
        "{}",
        stdout(&unchecked)
    );
}

#[tokio::test]
async fn a_cut_off_end_is_found_through_the_stamp() {
    let log = Installation::stamped().await;
    log.execute("DELETE FROM audit_log WHERE seq > 4").await;
    let said = log.fails_at(6);
    assert!(said.contains("the log ends at entry 4"), "{said}");
    assert!(said.contains("entries were removed from its end"), "{said}");

    // Cut off and continued: new entries in the numbers of the removed ones.
    let event = AuditEvent::new(at(400), Actor::System, Action::DepartmentCreated);
    for _ in 0..3 {
        log.store.audit().append(&event).await.unwrap();
    }
    assert!(log.fails_at(6).contains("rewritten"));

    // Nor does the background stamping paper over it.
    let stamp = log.obcan(&["audit", "stamp"]);
    assert!(!stamp.status.success());
    assert!(stderr(&stamp).contains("does not match its last time stamp"));
}

#[tokio::test]
async fn a_log_rewritten_whole_is_found_through_the_stamp() {
    let log = Installation::stamped().await;
    let original = log.rows().await;

    // One field changed, every hash after it recomputed.
    let mut entries = original.clone();
    entries[1].detail = "{\"role\":\"administrator\"}".into();
    rechain(&mut entries);
    log.replace_log(&entries).await;
    assert!(log.fails_at(6).contains("rewritten"));

    // An entry inserted, and the rest renumbered and chained anew.
    let mut entries = original.clone();
    entries.insert(3, forged(&original[2]));
    rechain(&mut entries);
    log.replace_log(&entries).await;
    assert!(log.fails_at(6).contains("rewritten"));

    // An entry removed, and the rest chained anew: the stamped entry is gone.
    let mut entries = original.clone();
    entries.remove(2);
    rechain(&mut entries);
    log.replace_log(&entries).await;
    assert!(log.fails_at(6).contains("the log ends at entry 5"));

    // Two entries swapped, and chained anew.
    let mut entries = original.clone();
    entries.swap(1, 3);
    rechain(&mut entries);
    log.replace_log(&entries).await;
    assert!(log.fails_at(6).contains("rewritten"));

    // A stamp's recorded hash changed to the rewritten head's: the token
    // still covers the real one.
    log.execute(&format!(
        "UPDATE audit_stamps SET hash = '{}' WHERE seq = 6",
        entries[5].hash
    ))
    .await;
    assert!(
        log.fails_at(6)
            .contains("the time stamp is over another digest")
    );

    log.replace_log(&original).await;
    log.execute(&format!(
        "UPDATE audit_stamps SET hash = '{}' WHERE seq = 6",
        original[5].hash
    ))
    .await;
    log.verifies();
}

#[tokio::test]
async fn a_tampered_token_is_found_and_named() {
    let log = Installation::stamped().await;
    let token = log.token(6).await;

    // A bit flipped in the signature at the token's end.
    let mut flipped = token.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x01;
    log.set_token(6, &flipped).await;
    assert!(log.fails_at(6).contains("does not verify"));

    // Cut short.
    log.set_token(6, &token[..token.len() / 2]).await;
    assert!(log.fails_at(6).contains("does not verify"));

    // Another stamp's token: over another entry's hash.
    let event = AuditEvent::new(at(400), Actor::System, Action::DepartmentCreated);
    log.store.audit().append(&event).await.unwrap();
    assert!(log.obcan(&["audit", "stamp"]).status.success());
    log.set_token(6, &log.token(7).await).await;
    assert!(log.fails_at(6).contains("over another digest"));

    // The token whole, but the recorded time moved.
    log.set_token(6, &token).await;
    log.verifies();
    log.execute("UPDATE audit_stamps SET gen_time = gen_time - 86400 WHERE seq = 6")
        .await;
    assert!(log.fails_at(6).contains("not as recorded"));
    log.execute("UPDATE audit_stamps SET gen_time = gen_time + 86400 WHERE seq = 6")
        .await;
    log.verifies();

    // Tokens from an authority of another CA are not believed.
    let tsa = log.tsa();
    let untrusted = log.obcan_with(&["audit", "verify"], &tsa.url(""), &tsa.other_ca_file());
    assert!(!untrusted.status.success());
    assert!(
        stderr(&untrusted).contains("audit log entry 6: ")
            && stderr(&untrusted).contains("is audit.tsa_ca_file the authority's CA?"),
        "{}",
        stderr(&untrusted)
    );
}

#[tokio::test]
async fn stamping_fails_loudly_and_keeps_nothing() {
    let mut log = Installation::new().await;
    let unconfigured = log.obcan(&["audit", "stamp"]);
    assert!(!unconfigured.status.success());
    assert!(stderr(&unconfigured).contains("set audit.tsa_url and audit.tsa_ca_file"));

    log.tsa = Some(TestTsa::start(&[]).unwrap());
    let tsa = log.tsa();
    for (mode, problem) in [
        ("/error", "HTTP 500"),
        ("/untrusted", "not trusted"),
        ("/other-digest", "over another digest"),
        ("/garbage", "malformed"),
    ] {
        let failed = log.obcan_with(&["audit", "stamp"], &tsa.url(mode), &tsa.ca_file);
        assert!(!failed.status.success(), "{mode}");
        assert!(
            stderr(&failed).contains(problem),
            "{mode}: {}",
            stderr(&failed)
        );
    }
    let missing_ca = log.obcan_with(
        &["audit", "stamp"],
        &tsa.url(""),
        &log.folder.path().join("no-such-ca.pem"),
    );
    assert!(!missing_ca.status.success());
    assert!(stderr(&missing_ca).contains("audit.tsa_ca_file"));
    assert_eq!(log.store.audit().last_stamp().await.unwrap(), None);
    assert!(log.verifies().contains("no time stamps"));
}

/// The server stamps the log in the background, and an authority that fails
/// is logged and tried again, never stopping the portal.
#[tokio::test]
async fn the_portal_stamps_the_log_while_it_serves() {
    let mut log = Installation::new().await;
    log.tsa = Some(TestTsa::start(&[]).unwrap());
    let tsa = log.tsa();
    let serve = |tsa_url: String| {
        let mut server = tokio::process::Command::new(OBCAN)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .current_dir(log.folder.path())
            .env_remove("OBCAN_DATABASE_URL")
            .env("OBCAN_LOG_FORMAT", "json")
            .env("OBCAN_AUDIT_TSA_URL", tsa_url)
            .env("OBCAN_AUDIT_TSA_CA_FILE", &tsa.ca_file)
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let logs = tokio::io::BufReader::new(server.stderr.take().unwrap()).lines();
        (server, logs)
    };

    let (mut failing, mut logs) = serve(tsa.url("/error"));
    let mut address = None;
    loop {
        let line = next_line(&mut logs).await;
        if let Some(start) = line.find("\"address\":\"") {
            let rest = &line[start + 11..];
            address = Some(rest[..rest.find('"').unwrap()].to_owned());
        }
        if line.contains("cannot time-stamp the audit log now") {
            assert!(line.contains("HTTP 500"), "{line}");
            break;
        }
    }
    let health = reqwest::get(format!("http://{}/healthz", address.unwrap()))
        .await
        .unwrap();
    assert!(health.status().is_success());
    failing.kill().await.unwrap();
    assert_eq!(log.store.audit().last_stamp().await.unwrap(), None);

    let (mut stamping, mut logs) = serve(tsa.url(""));
    loop {
        let line = next_line(&mut logs).await;
        if line.contains("audit log time-stamped") {
            assert!(line.contains("\"seq\":6"), "{line}");
            break;
        }
    }
    stamping.kill().await.unwrap();
    let stamp = log.store.audit().last_stamp().await.unwrap().unwrap();
    assert_eq!(stamp.seq, ENTRIES);
    assert!(log.verifies().ends_with("covering entry 6\n"));
}

type Logs = tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStderr>>;

async fn next_line(logs: &mut Logs) -> String {
    tokio::time::timeout(Duration::from_secs(30), logs.next_line())
        .await
        .expect("a log line in time")
        .unwrap()
        .expect("a log line")
}
