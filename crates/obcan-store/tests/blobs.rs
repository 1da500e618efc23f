//! The blob store's contract, held against both backends: a local directory
//! and an S3-compatible store (moto's server from tests/s3-server, one per
//! test). And the documents service on each: content comes back as it was
//! uploaded, damage in storage is found and never served, and no plaintext
//! reaches storage. The database is whichever `TEST_DATABASE_URL` names.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failing test panics"
)]

use std::collections::HashSet;
use std::time::{Duration, Instant};

use futures_util::{StreamExt as _, TryStreamExt as _};
use jiff::Timestamp;
use obcan_core::audit::{Action, Actor, AuditEvent};
use obcan_core::citizen::{CitizenId, PersonName};
use obcan_core::documents::{DocumentId, DocumentName, Origin, Quota};
use obcan_core::identity::{Assertion, Loa, ProviderId, Subject};
use obcan_store::blobs::{BlobError, BlobStore, S3Settings};
use obcan_store::testing::{TestDatabase, TestS3};
use obcan_store::vault::{BLOB_HEADER_LEN, CHUNK_LEN, sealed_len};
use obcan_store::{ContentError, NewDocument, Problem, Store, StoreError};

const MIB: usize = 1 << 20;

/// Where the objects under test live, and a way around the blob store to see
/// and change what is stored, as an operator (or an attacker) could.
enum Backend {
    Local(tempfile::TempDir),
    S3(Box<TestS3>),
}

impl Backend {
    fn local() -> Self {
        Self::Local(tempfile::tempdir().unwrap())
    }

    async fn s3() -> Self {
        let s3 = TestS3::start().await;
        Self::S3(Box::new(s3.unwrap_or_else(|error| panic!("{error}"))))
    }

    fn blobs(&self) -> BlobStore {
        match self {
            Self::Local(root) => BlobStore::local(root.path()).unwrap(),
            Self::S3(s3) => s3.blobs().unwrap(),
        }
    }

    /// The key of every file or object stored, uploads under way included
    /// where the backend shows them (files in `incoming/`; S3 lists only
    /// completed objects), sorted.
    async fn stored(&self) -> Vec<String> {
        let mut keys = match self {
            Self::Local(root) => {
                let mut files = Vec::new();
                walk(root.path(), root.path(), &mut files);
                files
            }
            Self::S3(s3) => s3
                .bucket()
                .unwrap()
                .list(None)
                .map_ok(|object| object.location.to_string())
                .try_collect()
                .await
                .unwrap(),
        };
        keys.sort();
        keys
    }

    async fn raw(&self, key: &str) -> Vec<u8> {
        match self {
            Self::Local(root) => std::fs::read(root.path().join(key)).unwrap(),
            Self::S3(s3) => {
                let bucket = s3.bucket().unwrap();
                let found = bucket.get(&key.into()).await.unwrap();
                found.bytes().await.unwrap().to_vec()
            }
        }
    }

    /// For S3, how many parts an object was uploaded in: a multipart
    /// upload's ETag ends in "-<parts>".
    async fn parts(&self, key: &str) -> Option<usize> {
        match self {
            Self::Local(_) => None,
            Self::S3(s3) => {
                let object = s3.bucket().unwrap().head(&key.into()).await.unwrap();
                let etag = object.e_tag.unwrap();
                let (_, parts) = etag.trim_matches('"').rsplit_once('-').unwrap();
                Some(parts.parse().unwrap())
            }
        }
    }

    async fn overwrite(&self, key: &str, bytes: Vec<u8>) {
        match self {
            Self::Local(root) => std::fs::write(root.path().join(key), bytes).unwrap(),
            Self::S3(s3) => {
                let bucket = s3.bucket().unwrap();
                bucket.put(&key.into(), bytes.into()).await.unwrap();
            }
        }
    }

    async fn remove(&self, key: &str) {
        match self {
            Self::Local(root) => std::fs::remove_file(root.path().join(key)).unwrap(),
            Self::S3(s3) => s3.bucket().unwrap().delete(&key.into()).await.unwrap(),
        }
    }
}

fn walk(root: &std::path::Path, dir: &std::path::Path, files: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(root, &path, files);
        } else {
            let key = path.strip_prefix(root).unwrap().to_str().unwrap();
            files.push(key.to_owned());
        }
    }
}

/// Each contract case as two tests, `<case>::local` and `<case>::s3`.
macro_rules! on_both_backends {
    ($($case:ident),* $(,)?) => {$(
        mod $case {
            #[tokio::test]
            async fn local() {
                super::$case(super::Backend::local()).await;
            }

            #[tokio::test]
            async fn s3() {
                super::$case(super::Backend::s3().await).await;
            }
        }
    )*};
}

on_both_backends!(
    written_in_pieces_reads_back_whole,
    invisible_until_committed_and_gone_once_aborted,
    deleting_is_idempotent_and_reading_the_missing_says_so,
    documents_come_back_as_uploaded_and_damage_is_never_served,
    no_plaintext_of_a_document_reaches_storage,
);

/// Bytes that differ at every offset, so a piece lost, doubled or swapped shows.
fn pattern(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            // xorshift64
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect()
}

async fn read_all(blobs: &BlobStore, name: &str) -> Result<Vec<u8>, BlobError> {
    let mut stream = blobs.read(name).await?;
    let mut all = Vec::new();
    while let Some(bytes) = stream.next().await {
        all.extend_from_slice(&bytes?);
    }
    Ok(all)
}

fn is_missing(read: &Result<Vec<u8>, BlobError>) -> bool {
    matches!(read, Err(BlobError::Missing(_)))
}

async fn written_in_pieces_reads_back_whole(backend: Backend) {
    let blobs = backend.blobs();
    // Over 10 MiB, so that S3 takes it as several parts (5 MiB at least each),
    // in pieces that are smaller, larger and not aligned with a part.
    let pieces = [1, 1000, 64 * 1024, 3 * MIB, 7 * MIB + 3, 0, 2 * MIB + 17, 5];
    let content = pattern(pieces.iter().sum(), 1);
    let mut writer = blobs.create("whole").await.unwrap();
    let mut rest = &content[..];
    for size in pieces {
        let (piece, tail) = rest.split_at(size);
        writer.write(piece).await.unwrap();
        rest = tail;
    }
    writer.commit().await.unwrap();

    let read = read_all(&blobs, "whole").await.unwrap();
    assert_eq!(read.len(), content.len());
    assert!(read == content, "the object reads back as written");
    let stored = backend.stored().await;
    assert_eq!(
        stored.len(),
        1,
        "one object and nothing left over: {stored:?}"
    );
    assert!(backend.raw(&stored[0]).await == content, "stored as given");
    if let Some(parts) = backend.parts(&stored[0]).await {
        assert_eq!(parts, 3, "5 MiB, 5 MiB and the rest");
    }
}

async fn invisible_until_committed_and_gone_once_aborted(backend: Backend) {
    let blobs = backend.blobs();

    // Long enough that S3 has parts of it uploaded before the abort.
    let mut writer = blobs.create("abandoned").await.unwrap();
    for piece in pattern(12 * MIB, 2).chunks(MIB) {
        writer.write(piece).await.unwrap();
    }
    assert!(is_missing(&read_all(&blobs, "abandoned").await));
    writer.abort().await;
    assert!(is_missing(&read_all(&blobs, "abandoned").await));
    assert_eq!(backend.stored().await, Vec::<String>::new());

    let mut writer = blobs.create("committed").await.unwrap();
    writer.write(b"not yet").await.unwrap();
    assert!(is_missing(&read_all(&blobs, "committed").await));
    writer.commit().await.unwrap();
    assert_eq!(read_all(&blobs, "committed").await.unwrap(), b"not yet");
}

async fn deleting_is_idempotent_and_reading_the_missing_says_so(backend: Backend) {
    let blobs = backend.blobs();
    assert!(is_missing(&read_all(&blobs, "never-written").await));
    blobs.delete("never-written").await.unwrap();

    let mut writer = blobs.create("doomed").await.unwrap();
    writer.write(b"short-lived").await.unwrap();
    writer.commit().await.unwrap();
    blobs.delete("doomed").await.unwrap();
    assert!(is_missing(&read_all(&blobs, "doomed").await));
    blobs.delete("doomed").await.unwrap();
    assert_eq!(backend.stored().await, Vec::<String>::new());
}

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + seconds).unwrap()
}

/// A database of the test's own whose documents live in `backend`, and a citizen.
async fn documents_on(backend: &Backend) -> (TestDatabase, Store, CitizenId) {
    let db = TestDatabase::create().await.unwrap();
    let store = db.store.clone().with_blobs(backend.blobs());
    let assertion = Assertion {
        provider: ProviderId::parse("demo").unwrap(),
        subject: Subject::parse("blobs-1").unwrap(),
        name: PersonName::new("Jana", "Dvořáková").unwrap(),
        birth_date: None,
        address: None,
        email: None,
        loa: Loa::Substantial,
    };
    let citizen = store.citizens().log_in(&assertion, at(0)).await.unwrap();
    (db, store, citizen.id)
}

async fn upload(store: &Store, citizen: CitizenId, content: &[u8], now: Timestamp) -> DocumentId {
    let documents = store.documents();
    let mut upload = documents.begin_upload(&citizen, now).await.unwrap();
    for piece in content.chunks(100_000) {
        upload.write(piece).await.unwrap();
    }
    let stored = upload.finish().await.unwrap();
    assert_eq!(stored.size(), content.len() as u64);
    let id = DocumentId::random();
    let event =
        AuditEvent::new(now, Actor::Citizen(citizen), Action::DocumentUploaded).about_document(id);
    let document = NewDocument {
        id,
        name: DocumentName::parse("rozhodnutí.pdf").unwrap(),
        folder: None,
        media_type: "application/pdf".to_owned(),
        origin: Origin::Uploaded,
    };
    documents
        .record(&citizen, document, stored, Quota::new(1 << 30), &event)
        .await
        .unwrap()
        .unwrap();
    id
}

/// What `content` serves until the end or the first error, and that error.
async fn serve(
    store: &Store,
    citizen: CitizenId,
    id: DocumentId,
) -> Result<(Vec<u8>, Option<ContentError>), StoreError> {
    let content = store.documents().content(&citizen, id).await?;
    let mut stream = content.expect("the citizen's document").stream;
    let mut served = Vec::new();
    while let Some(bytes) = stream.next().await {
        match bytes {
            Ok(bytes) => served.extend_from_slice(&bytes),
            Err(error) => return Ok((served, Some(error))),
        }
    }
    Ok((served, None))
}

async fn problems(store: &Store, now: Timestamp) -> Vec<Problem> {
    let report = store.documents().check(10, now).await.unwrap();
    assert_eq!(report.checked, 1);
    report.damaged.iter().map(|damage| damage.problem).collect()
}

async fn documents_come_back_as_uploaded_and_damage_is_never_served(backend: Backend) {
    let (_db, store, citizen) = documents_on(&backend).await;
    // A few MiB and a part of a chunk: several write batches of the upload.
    let content = pattern(3 * MIB + 1234, 3);
    let id = upload(&store, citizen, &content, at(1)).await;
    let (served, failed) = serve(&store, citizen, id).await.unwrap();
    assert!(failed.is_none());
    assert!(served == content, "the document comes back as uploaded");
    assert_eq!(problems(&store, at(2)).await, []);

    let stored = backend.stored().await;
    assert_eq!(stored.len(), 1, "one object for one document: {stored:?}");
    let key = &stored[0];
    let sealed = backend.raw(key).await;

    // A bit flipped in the first chunk: refused before a byte is served.
    let mut changed = sealed.clone();
    changed[BLOB_HEADER_LEN + 10] ^= 1;
    backend.overwrite(key, changed).await;
    assert_eq!(problems(&store, at(3)).await, [Problem::Changed]);
    match serve(&store, citizen, id).await {
        Err(StoreError::Damaged(_)) => {}
        other => panic!("a damaged first chunk is refused, not {other:?}"),
    }

    // Further on: what is served before the damage is the document's own,
    // and then the stream fails rather than serving changed bytes.
    let mut changed = sealed.clone();
    changed[sealed.len() / 2] ^= 1;
    backend.overwrite(key, changed).await;
    assert_eq!(problems(&store, at(4)).await, [Problem::Changed]);
    let (served, failed) = serve(&store, citizen, id).await.unwrap();
    assert!(
        matches!(failed, Some(ContentError::Damaged(_))),
        "{failed:?}"
    );
    assert!(served.len() < content.len() && content.starts_with(&served));

    // Cut short by a whole chunk: found, and never served as if complete.
    backend
        .overwrite(key, sealed[..sealed.len() - CHUNK_LEN].to_vec())
        .await;
    assert_eq!(problems(&store, at(5)).await, [Problem::Changed]);
    let (served, failed) = serve(&store, citizen, id).await.unwrap();
    assert!(
        matches!(failed, Some(ContentError::Damaged(_))),
        "{failed:?}"
    );
    assert!(served.len() < content.len() && content.starts_with(&served));

    // Restored from a backup: whole again.
    backend.overwrite(key, sealed).await;
    assert_eq!(problems(&store, at(6)).await, []);
    let (served, failed) = serve(&store, citizen, id).await.unwrap();
    assert!(failed.is_none() && served == content);

    // Gone.
    backend.remove(key).await;
    assert_eq!(problems(&store, at(7)).await, [Problem::Missing]);
    match serve(&store, citizen, id).await {
        Err(StoreError::Damaged(_)) => {}
        other => panic!("a missing object is refused as damaged, not {other:?}"),
    }
}

async fn no_plaintext_of_a_document_reaches_storage(backend: Backend) {
    let (_db, store, citizen) = documents_on(&backend).await;
    // Distinctive and never repeating, several chunks long.
    let mut text = String::new();
    for line in 0.. {
        if text.len() > 5 * CHUNK_LEN {
            break;
        }
        text.push_str(&format!(
            "Rozhodnutí č. OB-{line:06}/2026: Jana Dvořáková, Lipová {line}, 602 00 Brno.\n"
        ));
    }
    let id = upload(&store, citizen, text.as_bytes(), at(1)).await;
    let (served, _) = serve(&store, citizen, id).await.unwrap();
    assert!(served == text.as_bytes());

    let stored = backend.stored().await;
    assert_eq!(stored.len(), 1, "{stored:?}");
    let raw = backend.raw(&stored[0]).await;
    assert_eq!(raw.len() as u64, sealed_len(text.len() as u64));
    let windows: HashSet<&[u8]> = raw.windows(16).collect();
    let found = text
        .as_bytes()
        .windows(16)
        .position(|window| windows.contains(window));
    assert_eq!(
        found, None,
        "16 bytes of the plaintext are in the stored object"
    );
}

/// An S3 endpoint where nothing listens: every operation fails as
/// `Unavailable`, after the client's retries, and soon enough for a page to
/// say so (a few seconds here; 30 s would be too long).
#[tokio::test]
async fn an_unreachable_s3_fails_quickly() {
    // Bound but not listening: connections are refused, and no other process
    // can take the port while the test runs.
    let closed = tokio::net::TcpSocket::new_v4().unwrap();
    closed.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let port = closed.local_addr().unwrap().port();
    let blobs = BlobStore::s3(&S3Settings {
        endpoint: format!("http://127.0.0.1:{port}"),
        bucket: "obcan-test".to_owned(),
        region: "us-east-1".to_owned(),
        access_key_id: "test".to_owned(),
        secret_access_key: "test".to_owned(),
    })
    .unwrap();

    let started = Instant::now();
    let created = blobs.create("unreachable").await;
    let took = started.elapsed();
    assert!(
        matches!(created, Err(BlobError::Unavailable(_))),
        "{:?}",
        created.err()
    );
    assert!(took < Duration::from_secs(30), "create took {took:?}");

    let started = Instant::now();
    let read = read_all(&blobs, "unreachable").await;
    let took = started.elapsed();
    assert!(matches!(read, Err(BlobError::Unavailable(_))), "{read:?}");
    assert!(took < Duration::from_secs(30), "read took {took:?}");

    let started = Instant::now();
    let deleted = blobs.delete("unreachable").await;
    let took = started.elapsed();
    assert!(
        matches!(deleted, Err(BlobError::Unavailable(_))),
        "{deleted:?}"
    );
    assert!(took < Duration::from_secs(30), "delete took {took:?}");
}
