//! A fresh, migrated, isolated database per test, on the backend that
//! `TEST_DATABASE_URL` names (SQLite in a temporary folder when it is unset),
//! and, for tests of S3 storage, an S3-compatible server of the test's own.
//!
//! For PostgreSQL, `TEST_DATABASE_URL` points at a database the tests may use
//! to create others; each test gets its own database with a random name,
//! dropped when the test ends, so that a cluster kept between runs does not
//! fill the disk.

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use object_store::ObjectStore;
use sqlx::{Connection, Executor};
use tokio::io::{AsyncBufReadExt as _, BufReader};

use crate::blobs::{BlobError, BlobStore, S3Settings};
use crate::{MasterKey, PoolSettings, Store, StoreError};

#[derive(Debug)]
pub struct TestDatabase {
    pub store: Store,
    pub url: String,
    /// The master key the store was opened with.
    pub master_key: MasterKey,
    /// Holds the SQLite file (on SQLite) and the blob store, for the test's duration.
    pub folder: tempfile::TempDir,
    /// On PostgreSQL: the database to drop when the test ends, and the
    /// database to connect to for it.
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    pub async fn create() -> Result<Self, StoreError> {
        let base = std::env::var("TEST_DATABASE_URL").unwrap_or_default();
        let folder = tempfile::tempdir().map_err(StoreError::Location)?;
        let (url, postgres) = if base.starts_with("postgres") {
            let (url, name) = create_postgres_database(&base).await?;
            (url, Some((base, name)))
        } else {
            let file = folder.path().join("obcan.db");
            (format!("sqlite://{}?mode=rwc", file.display()), None)
        };
        let master_key = MasterKey::generate()?;
        let store = Store::open(&url, PoolSettings::default())?
            .with_master_key(master_key.clone())
            .with_blobs(BlobStore::local(folder.path().join("blobs"))?);
        store.migrate().await?;
        store.vault().unlock().await?;
        Ok(Self {
            store,
            url,
            master_key,
            folder,
            postgres,
        })
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((base, name)) = self.postgres.take() else {
            return;
        };
        // The test's runtime may be ending; a thread with a runtime of its
        // own drops the database, and the test waits for it, so that no
        // database outlives its test. FORCE ends the pool's connections.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|error| error.to_string())?;
            runtime.block_on(async {
                let mut admin = sqlx::PgConnection::connect(&base)
                    .await
                    .map_err(|error| error.to_string())?;
                admin
                    .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                    .await
                    .map_err(|error| error.to_string())?;
                admin.close().await.map_err(|error| error.to_string())
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            tracing::warn!(?dropped, "a test database was not dropped");
        }
    }
}

/// A citizen, Jana Dvořáková, who logged in through the demo provider as
/// `subject` at `now`.
pub async fn citizen(
    store: &Store,
    subject: &str,
    now: jiff::Timestamp,
) -> Result<obcan_core::citizen::CitizenId, StoreError> {
    use obcan_core::citizen::PersonName;
    use obcan_core::identity::{Assertion, Loa, ProviderId, Subject};
    let invalid = |what: &str| StoreError::Corrupt(format!("a test citizen's {what}"));
    let assertion = Assertion {
        provider: ProviderId::parse("demo").map_err(|_| invalid("provider"))?,
        subject: Subject::parse(subject).map_err(|_| invalid("subject"))?,
        name: PersonName::new("Jana", "Dvořáková").map_err(|_| invalid("name"))?,
        birth_date: None,
        address: None,
        email: None,
        loa: Loa::Substantial,
    };
    Ok(store.citizens().log_in(&assertion, now).await?.id)
}

/// Creates a database of a random name; its URL and name.
async fn create_postgres_database(base: &str) -> Result<(String, String), StoreError> {
    let name = format!("obcan_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(base).await?;
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await?;
    admin.close().await?;
    let (server, _database) = base.rsplit_once('/').unwrap_or((base, ""));
    Ok((format!("{server}/{name}"), name))
}

/// An S3-compatible object store for one test: moto's server
/// (`tests/s3-server`) on loopback, at a free port it picks itself, with one
/// empty bucket. Each test starts its own, so tests may run in parallel and
/// in separate processes; the server is killed when this is dropped.
#[derive(Debug)]
pub struct TestS3 {
    pub settings: S3Settings,
    _server: tokio::process::Child,
}

const S3_SERVER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/s3-server");

/// Generous: the machines are shared, and several tests may start a server at once.
const S3_START_TIMEOUT: Duration = Duration::from_secs(60);

impl TestS3 {
    /// Starts the server and returns once the bucket exists; an error (never
    /// a skip) if the server's packages are not installed.
    pub async fn start() -> Result<Self, std::io::Error> {
        let python = std::path::Path::new(S3_SERVER).join(".venv/bin/python");
        if !python.exists() {
            return Err(std::io::Error::other(
                "the S3 test server is not installed: run tests/s3-server/setup first \
                 (scripts/test does)",
            ));
        }
        let bucket = "obcan-test";
        let mut server = tokio::process::Command::new(python)
            .arg("server.py")
            .arg(bucket)
            .current_dir(S3_SERVER)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            // Quiet unless something goes wrong; then the test's output shows why.
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()?;
        let stdout = server
            .stdout
            .take()
            .ok_or_else(|| std::io::Error::other("the S3 server's output is not piped"))?;
        let mut lines = BufReader::new(stdout).lines();
        let ready = async {
            while let Some(line) = lines.next_line().await? {
                if let Some(port) = line.strip_prefix("ready ") {
                    return port.trim().parse::<u16>().map_err(std::io::Error::other);
                }
            }
            Err(std::io::Error::other(
                "the S3 server stopped before it was ready (its error is above)",
            ))
        };
        let port = tokio::time::timeout(S3_START_TIMEOUT, ready)
            .await
            .map_err(|_| {
                std::io::Error::other(format!(
                    "the S3 server is not ready after {} s",
                    S3_START_TIMEOUT.as_secs()
                ))
            })??;
        Ok(Self {
            settings: S3Settings {
                endpoint: format!("http://127.0.0.1:{port}"),
                bucket: bucket.to_owned(),
                region: "us-east-1".to_owned(),
                // Moto accepts any credentials; these are what tests/s3-server uses.
                access_key_id: "test".to_owned(),
                secret_access_key: "test".to_owned(),
            },
            _server: server,
        })
    }

    /// A blob store in the bucket, as the portal would open it.
    pub fn blobs(&self) -> Result<BlobStore, BlobError> {
        BlobStore::s3(&self.settings)
    }

    /// The bucket itself, for a test to look at (or tamper with) what is stored.
    pub fn bucket(&self) -> Result<Arc<dyn ObjectStore>, BlobError> {
        match self.blobs()? {
            BlobStore::S3(store) => Ok(store),
            BlobStore::Local(_) => Err(BlobError::Failed("not an S3 store".to_owned())),
        }
    }
}

/// A document of `bytes`, a PDF named `name`, uploaded by the citizen at
/// `now` into their storage.
pub async fn document(
    store: &Store,
    citizen: &obcan_core::citizen::CitizenId,
    name: &str,
    bytes: &[u8],
    now: jiff::Timestamp,
) -> Result<obcan_core::documents::DocumentId, StoreError> {
    use obcan_core::audit::{Action, Actor, AuditEvent};
    use obcan_core::documents::{DocumentId, DocumentName, Origin, Quota};
    let documents = store.documents();
    let mut upload = documents.begin_upload(citizen, now).await?;
    upload.write(bytes).await?;
    let content = upload.finish().await?;
    let id = DocumentId::random();
    let document = crate::NewDocument {
        id,
        name: DocumentName::parse(name)
            .map_err(|_| StoreError::Corrupt(format!("a test document's name {name:?}")))?,
        folder: None,
        media_type: "application/pdf".into(),
        origin: Origin::Uploaded,
    };
    let event =
        AuditEvent::new(now, Actor::Citizen(*citizen), Action::DocumentUploaded).about_document(id);
    documents
        .record(citizen, document, content, Quota::default(), &event)
        .await?
        .map_err(|_| StoreError::Corrupt("a test document over the quota".into()))?;
    Ok(id)
}

/// Everything `content` serves.
pub async fn read_all(mut content: crate::Content) -> Result<Vec<u8>, StoreError> {
    use futures_util::StreamExt as _;
    let mut bytes = Vec::new();
    while let Some(chunk) = content.stream.next().await {
        match chunk {
            Ok(chunk) => bytes.extend_from_slice(&chunk),
            Err(crate::ContentError::Damaged(damage)) => return Err(damage.into()),
            Err(crate::ContentError::Blob(error)) => return Err(error.into()),
        }
    }
    Ok(bytes)
}

/// A records-management client serving `agendas`, created by the system
/// at `now`, with webhooks to `webhook_url` if given: its id, token and
/// signing secret, as the administrator's page shows them once.
pub async fn integration_client(
    store: &Store,
    name: &str,
    agendas: &[&str],
    webhook_url: Option<&str>,
    now: jiff::Timestamp,
) -> Result<
    (
        obcan_core::integration::ClientId,
        obcan_core::integration::BearerToken,
        obcan_core::integration::WebhookSecret,
    ),
    StoreError,
> {
    use obcan_core::audit::{Action, Actor, AuditEvent};
    use obcan_core::integration::{BearerToken, ClientId, WebhookSecret, WebhookUrl};
    use obcan_core::staff::{AgendaKey, Label};
    let invalid = |what: &str| StoreError::Corrupt(format!("a test client's {what}"));
    let randomness =
        |e: obcan_core::integration::RandomnessFailed| StoreError::Corrupt(e.to_string());
    let id = ClientId::random();
    let name = Label::parse(name).map_err(|_| invalid("name"))?;
    let agendas = agendas
        .iter()
        .map(|key| AgendaKey::parse(key).ok_or_else(|| invalid("agenda")))
        .collect::<Result<Vec<_>, _>>()?;
    let url = webhook_url
        .map(|url| WebhookUrl::parse(url).map_err(|_| invalid("webhook URL")))
        .transpose()?;
    let token = BearerToken::generate().map_err(randomness)?;
    let secret = WebhookSecret::generate().map_err(randomness)?;
    let event = AuditEvent::new(now, Actor::System, Action::IntegrationClientCreated)
        .about_integration_client(id);
    let client = crate::NewClient {
        id,
        name: &name,
        agendas: &agendas,
        webhook_url: url.as_ref(),
        token: &token,
        secret: &secret,
    };
    store
        .integration()
        .create(&client, &Actor::System, now, &event)
        .await?;
    Ok((id, token, secret))
}

/// A submission of `form` with `content`, filed by the citizen at `now`
/// from a draft begun a second before.
pub async fn filed(
    store: &Store,
    citizen: &obcan_core::citizen::CitizenId,
    form: &obcan_core::forms::FormDefinition,
    content: &obcan_core::forms::Answers,
    now: jiff::Timestamp,
) -> Result<crate::Receipt, StoreError> {
    let draft = store
        .drafts()
        .begin(citizen, &form.id, form.version, content, now)
        .await?;
    let filing = crate::Filing {
        citizen,
        draft,
        form,
        content,
        attachments: &[],
    };
    match store.submissions().submit(&filing, now, None).await? {
        crate::Filed::New(receipt) | crate::Filed::Already(receipt) => Ok(receipt),
        other => Err(StoreError::Corrupt(format!("a test filing: {other:?}"))),
    }
}
