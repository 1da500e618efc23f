//! A filing outlives the server's death. The real `obcan serve`, on a fresh
//! database of the backend `TEST_DATABASE_URL` names, files Jana's problem
//! reports, each with a 1 MiB photograph from her documents, many at once
//! over HTTP, and is killed with SIGKILL in the middle, round after round:
//! once a random number of receipts has come back, or after a random
//! moment. After every kill the portal is started again and the store
//! must hold every submission whose receipt came back, with the content
//! the receipt's SHA-256 names and the photograph byte for byte; every
//! draft is filed at most once, and one whose filing was cut off is filed
//! by sending it again. A last round without a kill files the rest. A
//! draft a busy server refused (503, nothing filed) is sent again too.

use std::collections::{HashMap, HashSet};
use std::process::Stdio;
use std::time::Duration;

use jiff::Timestamp;
use obcan_core::citizen::CitizenId;
use obcan_core::documents::DocumentId;
use obcan_core::forms::{Answers, BUILT_IN, DraftId, FormDefinition, Value};
use obcan_core::submissions::SubmissionId;
use obcan_store::testing::{self, TestDatabase};
use sha2::{Digest as _, Sha256};
use tokio::io::AsyncBufReadExt as _;
use tokio::sync::mpsc;

const OBCAN: &str = env!("CARGO_BIN_EXE_obcan");
const FORM: &str = "hlaseni-zavady";
const JANA: &str = "CZ/CZ/demo-0001";
const KILLS: usize = 8;
/// New drafts each round, besides those a kill left unfiled.
const DRAFTS_PER_ROUND: usize = 6;
const PHOTO_BYTES: usize = 1 << 20;
/// How often the last round sends again what a busy server refused.
const BUSY_RESENDS: usize = 5;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_returned_receipt_outlives_sigkill() {
    let db = TestDatabase::create().await.unwrap();
    let mut random = Random::seeded();
    let mut server = Server::start(&db).await;
    let mut client = Client::log_in(&server.base).await;
    let jana = client.citizen(&db).await;
    let photo = random.bytes(PHOTO_BYTES);
    let photo_id = testing::document(&db.store, &jana, "lampa.pdf", &photo, now())
        .await
        .unwrap();
    let form = problem_report();

    let mut drafts: HashMap<DraftId, Answers> = HashMap::new();
    let mut receipts: HashMap<DraftId, SubmissionId> = HashMap::new();
    let mut cut_off = 0;
    let mut whole = HashSet::new();
    for round in 0..=KILLS {
        for _ in 0..DRAFTS_PER_ROUND {
            let answers = report(drafts.len(), photo_id);
            let draft = db
                .store
                .drafts()
                .begin(&jana, &form.id, form.version, &answers, now())
                .await
                .unwrap();
            drafts.insert(draft, answers);
        }
        let pending: Vec<DraftId> = drafts
            .keys()
            .filter(|draft| !receipts.contains_key(draft))
            .copied()
            .collect();
        let kill = (round < KILLS).then(|| {
            if round % 2 == 0 {
                Kill::AfterReceipts(random.below(pending.len() - 1) + 1)
            } else {
                Kill::After(Duration::from_millis(random.below(2000) as u64))
            }
        });
        let (mut returned, mut busy) = client.file_all(&mut server, &pending, kill).await;
        let refused_busy = busy.len();
        if kill.is_some() {
            server.kill().await;
            cut_off += pending.len() - returned.len() - busy.len();
        } else {
            // A busy server (the database did not answer in time on a loaded
            // machine) says 503 and files nothing; such a draft is sent
            // again, as the citizen's browser would.
            for _ in 0..BUSY_RESENDS {
                if busy.is_empty() {
                    break;
                }
                let (more, still_busy) = client.file_all(&mut server, &busy, None).await;
                returned.extend(more);
                busy = still_busy;
            }
            assert_eq!(
                returned.len(),
                pending.len(),
                "without a kill all are filed"
            );
        }
        for (draft, id) in returned {
            assert_eq!(receipts.insert(draft, id), None, "one receipt per draft");
        }

        let filed = check(&db, &jana, &drafts, &receipts, &photo, &mut whole).await;
        eprintln!(
            "round {round}: {kill:?}; {} sent, {} refused as busy; {} receipts and {filed} \
             filed in all",
            pending.len(),
            refused_busy,
            receipts.len()
        );
        if round < KILLS {
            server = Server::start(&db).await;
            client.base.clone_from(&server.base);
        }
    }
    assert!(cut_off > 0, "the kills cut filings off");
    assert_eq!(receipts.len(), drafts.len());
    server.kill().await;
}

/// What the store holds now that the server is dead: every returned
/// receipt's submission whole, no draft filed twice, and nothing filed that
/// is not whole; how many are filed. A photograph read back whole once (`whole`) is not read
/// again.
async fn check(
    db: &TestDatabase,
    jana: &CitizenId,
    drafts: &HashMap<DraftId, Answers>,
    receipts: &HashMap<DraftId, SubmissionId>,
    photo: &[u8],
    whole: &mut HashSet<SubmissionId>,
) -> usize {
    let submissions = db.store.submissions();
    let mut filed = 0;
    for (draft, answers) in drafts {
        let Some(receipt) = submissions.filed_from(jana, *draft).await.unwrap() else {
            assert!(
                !receipts.contains_key(draft),
                "receipt of {draft} returned but not filed"
            );
            let kept = db.store.drafts().get(jana, *draft).await.unwrap();
            assert!(kept.is_some(), "draft {draft} neither filed nor kept");
            continue;
        };
        filed += 1;
        if let Some(returned) = receipts.get(draft) {
            assert_eq!(receipt.id, *returned, "draft {draft} filed as returned");
        }
        let submission = submissions.get_of(jana, receipt.id).await.unwrap().unwrap();
        let content = serde_json::to_vec(&submission.content).unwrap();
        assert_eq!(hex(&Sha256::digest(&content)), receipt.content_sha256);
        assert_eq!(
            &submission.content, answers,
            "draft {draft} filed as written"
        );
        assert!(db.store.drafts().get(jana, *draft).await.unwrap().is_none());

        let file = submissions
            .for_office(receipt.id)
            .await
            .unwrap()
            .unwrap()
            .file;
        let records = db.store.records();
        let documents = records.documents(file).await.unwrap();
        assert_eq!(
            documents.len(),
            1,
            "submission {} has its photograph",
            receipt.id
        );
        assert_eq!(documents[0].sha256_hex(), hex(&Sha256::digest(photo)));
        if whole.insert(receipt.id) {
            let content = records
                .content(file, documents[0].id)
                .await
                .unwrap()
                .unwrap();
            assert!(
                testing::read_all(content).await.unwrap() == photo,
                "photograph of {} intact",
                receipt.id
            );
        }
    }
    let listed = submissions.list_of(jana).await.unwrap();
    assert_eq!(listed.len(), filed, "no draft filed twice");
    filed
}

#[derive(Debug, Clone, Copy)]
enum Kill {
    AfterReceipts(usize),
    After(Duration),
}

/// `obcan serve` as an operator runs it, on the test's database, storage
/// and master key, on a port of its choosing.
struct Server {
    child: tokio::process::Child,
    base: String,
}

impl Server {
    async fn start(db: &TestDatabase) -> Self {
        let mut command = tokio::process::Command::new(OBCAN);
        for (name, _) in std::env::vars() {
            if name.starts_with("OBCAN_") || name == "RUST_LOG" {
                command.env_remove(name);
            }
        }
        let mut child = command
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("OBCAN_DATABASE_URL", &db.url)
            .env("OBCAN_STORAGE_PATH", db.folder.path())
            .env(
                "OBCAN_SECRETS_MASTER_KEY",
                db.master_key.to_base64().as_str(),
            )
            .env("OBCAN_LOG_FORMAT", "json")
            .env("OBCAN_LOG_LEVEL", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut log = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
        let address = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = log.next_line().await.unwrap() {
                let entry: serde_json::Value = serde_json::from_str(&line).unwrap();
                if let Some(address) = entry["address"].as_str() {
                    return address.to_owned();
                }
            }
            panic!("obcan serve ended before it served");
        })
        .await
        .unwrap();
        // Its log is read on, so that a full pipe never stalls it.
        tokio::spawn(async move { while let Ok(Some(_)) = log.next_line().await {} });
        Self {
            child,
            base: format!("http://{address}"),
        }
    }

    /// SIGKILL: no shutdown, no flush, nothing finished.
    fn kill_now(&mut self) {
        self.child.start_kill().unwrap();
    }

    /// Killed, if it is not yet, and gone.
    async fn kill(&mut self) {
        if self.child.try_wait().unwrap().is_none() {
            self.kill_now();
        }
        self.child.wait().await.unwrap();
    }
}

/// A browser of Jana's: her session cookie and a page's CSRF token.
struct Client {
    http: reqwest::Client,
    base: String,
    session: String,
}

impl Client {
    async fn log_in(base: &str) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let page = http.get(format!("{base}/login/demo")).send().await.unwrap();
        let pre = session_of(&page).unwrap();
        let token = csrf_token(&page.text().await.unwrap());
        let logged_in = http
            .post(format!("{base}/login/demo"))
            .header("cookie", format!("obcan_session={pre}"))
            .form(&[("_csrf", token.as_str()), ("subject", JANA)])
            .send()
            .await
            .unwrap();
        assert_eq!(logged_in.status(), 303);
        Self {
            session: session_of(&logged_in).unwrap(),
            http,
            base: base.to_owned(),
        }
    }

    /// The citizen the session is Jana's as.
    async fn citizen(&self, db: &TestDatabase) -> CitizenId {
        let hash = hex(&Sha256::digest(self.session.as_bytes()));
        let session = db.store.sessions().find(&hash, now()).await.unwrap();
        session.unwrap().citizen.unwrap().0
    }

    /// Sends every draft at once; the receipts that came back (each its
    /// 303 to the submission) until the server was killed as `kill` says,
    /// and the drafts a busy server refused (503).
    async fn file_all(
        &self,
        server: &mut Server,
        drafts: &[DraftId],
        kill: Option<Kill>,
    ) -> (Vec<(DraftId, SubmissionId)>, Vec<DraftId>) {
        let dashboard = self.get("/dashboard").await;
        assert_eq!(dashboard.status(), 200);
        let token = csrf_token(&dashboard.text().await.unwrap());
        let (sent, mut outcomes) = mpsc::unbounded_channel();
        for draft in drafts.iter().copied() {
            let request = self
                .http
                .post(format!("{}/forms/{FORM}/drafts/{draft}/submit", self.base))
                .header("cookie", format!("obcan_session={}", self.session))
                .form(&[("_csrf", token.as_str())]);
            let sent = sent.clone();
            tokio::spawn(async move {
                let outcome = request.send().await.ok().map(|response| {
                    let location = response.headers().get("location").cloned();
                    (response.status(), location)
                });
                let _ = sent.send((draft, outcome));
            });
        }
        drop(sent);

        let deadline = match kill {
            Some(Kill::After(after)) => tokio::time::Instant::now() + after,
            _ => tokio::time::Instant::now() + Duration::from_secs(3600),
        };
        let mut killed = false;
        let mut returned = Vec::new();
        let mut busy = Vec::new();
        loop {
            let outcome = tokio::select! {
                outcome = outcomes.recv() => outcome,
                () = tokio::time::sleep_until(deadline), if !killed => {
                    killed = true;
                    server.kill_now();
                    continue;
                }
            };
            let Some((draft, outcome)) = outcome else {
                break;
            };
            // A request the kill cut off has no answer; any answer is a receipt.
            let Some((status, location)) = outcome else {
                continue;
            };
            if status == 503 {
                busy.push(draft);
                continue;
            }
            assert_eq!(status, 303, "draft {draft} answered {status}");
            let location = location.unwrap();
            let path = location.to_str().unwrap();
            let id = path
                .strip_prefix("/submissions/")
                .map(|rest| rest.trim_end_matches("?filed=1"))
                .and_then(SubmissionId::parse)
                .unwrap_or_else(|| panic!("draft {draft} led to {path}"));
            returned.push((draft, id));
            if matches!(kill, Some(Kill::AfterReceipts(n)) if n == returned.len()) && !killed {
                killed = true;
                server.kill_now();
            }
        }
        (returned, busy)
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .header("cookie", format!("obcan_session={}", self.session))
            .send()
            .await
            .unwrap()
    }
}

fn session_of(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|cookie| cookie.strip_prefix("obcan_session="))
        .and_then(|rest| rest.split(';').next())
        .map(str::to_owned)
}

fn csrf_token(page: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let start = page.find(marker).unwrap() + marker.len();
    let end = page[start..].find('"').unwrap();
    page[start..start + end].to_owned()
}

fn problem_report() -> FormDefinition {
    let (_, text) = BUILT_IN
        .iter()
        .find(|(name, _)| name.trim_end_matches(".toml") == FORM)
        .unwrap();
    FormDefinition::parse(text).unwrap()
}

/// A complete report, different for each `n`, attaching the photograph.
fn report(n: usize, photo: DocumentId) -> Answers {
    let mut answers = Answers::default();
    answers.set("druh", Value::One("osvetleni".into()));
    answers.set("popis", Value::One(format!("Lampa číslo {n} nesvítí.")));
    answers.set("misto", Value::One(format!("Školní {n}")));
    answers.set("fotografie", Value::Many(vec![photo.to_string()]));
    answers
}

fn now() -> Timestamp {
    Timestamp::try_from(std::time::SystemTime::now()).unwrap()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// xorshift64*: the kills' timing, from a seed printed for a rerun
/// (`CRASH_SEED=<n>`).
struct Random(u64);

impl Random {
    fn seeded() -> Self {
        let seed = std::env::var("CRASH_SEED")
            .ok()
            .and_then(|seed| seed.parse().ok())
            .unwrap_or_else(|| u64::from(now().subsec_nanosecond().unsigned_abs()) | 1);
        eprintln!("CRASH_SEED={seed}");
        Self(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}
