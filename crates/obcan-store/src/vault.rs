//! Envelope encryption of personal data.
//!
//! Each citizen has a random 256-bit data key; the database keeps it only
//! wrapped (AES-256-GCM) by the instance's master key, which never enters
//! the database. Personal values are sealed under their owner's data key,
//! bound to where they are kept (table, column, row), so a sealed value
//! copied elsewhere does not open. Deleting a data key makes everything
//! sealed under it unreadable, in every backup of the blob store too
//! (crypto-shredding). Rotating the master key re-wraps the data keys and
//! leaves content as it is.
//!
//! Documents are sealed in chunks by [`BlobSealer`]/[`BlobOpener`]: a key
//! per object (HKDF of the data key, a random salt and the object's name)
//! and the STREAM construction (a counter and a last-chunk flag in each
//! nonce), so chunks cannot be reordered, dropped or cut off at the end
//! unnoticed, and a file of any size passes through a fixed buffer.

use aes_gcm::aead::stream::{DecryptorBE32, EncryptorBE32};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hkdf::Hkdf;
use jiff::Timestamp;
use sha2::{Digest, Sha256};
use sqlx::{Any, Row, Transaction};
use zeroize::Zeroizing;

use crate::{Store, StoreError};

const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// The instance's key-encryption key. It lives in a key file or the
/// environment, never in the database; its `id` is kept beside each data key
/// to tell at start whether this is the key they were wrapped with.
#[derive(Clone)]
pub struct MasterKey {
    key: Zeroizing<[u8; KEY_LEN]>,
    id: String,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MasterKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// Why a master key could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a master key is 32 random bytes written in base64 (44 characters)")]
pub struct MalformedMasterKey;

impl MasterKey {
    pub fn generate() -> Result<Self, StoreError> {
        let mut key = Zeroizing::new([0; KEY_LEN]);
        fill_random(key.as_mut())?;
        Ok(Self::from_bytes(key))
    }

    /// Reads the base64 text of a key file or environment variable.
    pub fn from_base64(text: &str) -> Result<Self, MalformedMasterKey> {
        let decoded = Zeroizing::new(
            STANDARD
                .decode(text.trim())
                .map_err(|_| MalformedMasterKey)?,
        );
        let mut key = Zeroizing::new([0; KEY_LEN]);
        if decoded.len() != KEY_LEN {
            return Err(MalformedMasterKey);
        }
        key.copy_from_slice(&decoded);
        Ok(Self::from_bytes(key))
    }

    pub fn to_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(STANDARD.encode(self.key.as_ref()))
    }

    /// Names the key without revealing it: a hash under a label of its own.
    pub fn id(&self) -> &str {
        &self.id
    }

    fn from_bytes(key: Zeroizing<[u8; KEY_LEN]>) -> Self {
        let digest = Sha256::new()
            .chain_update(b"obcan master key id v1\0")
            .chain_update(key.as_ref())
            .finalize();
        let id = format!("mk-{}", hex(&digest[..8]));
        Self { key, id }
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(self.key.as_ref()))
    }
}

/// A citizen's data key, unwrapped; zeroed when dropped.
pub struct DataKey(Zeroizing<[u8; KEY_LEN]>);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(..)")
    }
}

impl DataKey {
    /// Seals a personal value kept at `place` (e.g. `citizens.given_name:<id>`).
    pub fn seal(&self, place: &str, plain: &[u8]) -> Result<Vec<u8>, StoreError> {
        seal_with(&self.cipher(), place, plain)
    }

    /// Opens what [`Self::seal`] sealed at the same `place`.
    pub fn open(&self, place: &str, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, StoreError> {
        open_with(&self.cipher(), place, sealed)
    }

    pub fn seal_text(&self, place: &str, plain: &str) -> Result<Vec<u8>, StoreError> {
        self.seal(place, plain.as_bytes())
    }

    pub fn open_text(&self, place: &str, sealed: &[u8]) -> Result<String, StoreError> {
        let plain = self.open(place, sealed)?;
        String::from_utf8(plain.to_vec())
            .map_err(|_| StoreError::Corrupt(format!("{place}: not UTF-8 once opened")))
    }

    /// Seals a value kept in a text column, as base64 behind a marker.
    pub fn seal_field(&self, place: &str, plain: &str) -> Result<String, StoreError> {
        Ok(format!(
            "{SEALED_FIELD}{}",
            STANDARD.encode(self.seal(place, plain.as_bytes())?)
        ))
    }

    /// Opens what [`Self::seal_field`] sealed. A value without the marker
    /// was written before sealing existed and is returned as it is.
    pub fn open_field(&self, place: &str, stored: &str) -> Result<String, StoreError> {
        let Some(encoded) = stored.strip_prefix(SEALED_FIELD) else {
            return Ok(stored.to_owned());
        };
        let sealed = STANDARD
            .decode(encoded)
            .map_err(|_| StoreError::Corrupt(format!("{place}: sealed value is not base64")))?;
        self.open_text(place, &sealed)
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(self.0.as_ref()))
    }
}

/// Marks a sealed value in a text column.
const SEALED_FIELD: &str = "sealed:v1:";

/// Opens a text column's value with its owner's key, if the owner has one:
/// values written before sealing existed have neither marker nor key.
pub(crate) fn open_field(
    key: Option<&DataKey>,
    place: &str,
    stored: &str,
) -> Result<String, StoreError> {
    match key {
        Some(key) => key.open_field(place, stored),
        None if stored.starts_with(SEALED_FIELD) => Err(StoreError::Corrupt(format!(
            "{place}: sealed, but its owner has no data key"
        ))),
        None => Ok(stored.to_owned()),
    }
}

/// Opens a binary column's value like [`open_field`]: sealed values start
/// with their version byte, which no file kept before sealing began with.
pub(crate) fn open_bytes(
    key: Option<&DataKey>,
    place: &str,
    stored: Vec<u8>,
) -> Result<Vec<u8>, StoreError> {
    match (stored.first(), key) {
        (Some(&SEALED_V1), Some(key)) => Ok(key.open(place, &stored)?.to_vec()),
        (Some(&SEALED_V1), None) => Err(StoreError::Corrupt(format!(
            "{place}: sealed, but its owner has no data key"
        ))),
        _ => Ok(stored),
    }
}

/// Sealed values: a version byte, the nonce, then ciphertext and tag.
const SEALED_V1: u8 = 1;

fn seal_with(cipher: &Aes256Gcm, place: &str, plain: &[u8]) -> Result<Vec<u8>, StoreError> {
    let mut nonce = [0; NONCE_LEN];
    fill_random(&mut nonce)?;
    let aad = [&[SEALED_V1], place.as_bytes()].concat();
    let sealed = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plain,
                aad: &aad,
            },
        )
        .map_err(|_| StoreError::Corrupt(format!("{place}: cannot seal")))?;
    Ok([&[SEALED_V1][..], &nonce, &sealed].concat())
}

fn open_with(
    cipher: &Aes256Gcm,
    place: &str,
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, StoreError> {
    let broken = || StoreError::Corrupt(format!("{place}: sealed value does not open"));
    let (version, rest) = sealed.split_first().ok_or_else(broken)?;
    if *version != SEALED_V1 || rest.len() < NONCE_LEN + TAG_LEN {
        return Err(broken());
    }
    let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
    let aad = [&[SEALED_V1], place.as_bytes()].concat();
    cipher
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad: &aad,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| broken())
}

/// The data keys, in the database, wrapped by the master key.
#[derive(Debug)]
pub struct Vault<'a> {
    store: &'a Store,
}

/// Where the check value lives: a known text sealed by the master key, which
/// opens only under the right key even before any data key exists.
const CHECK_PLACE: &str = "vault.check";
const CHECK_TEXT: &[u8] = b"obcan vault";

impl<'a> Vault<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    fn master(&self) -> Result<&MasterKey, StoreError> {
        self.store
            .master_key
            .as_deref()
            .ok_or(StoreError::NoMasterKey)
    }

    /// Checks at start that the configured master key is the one this
    /// database's data keys were wrapped with; a fresh database adopts it.
    pub async fn unlock(&self) -> Result<(), StoreError> {
        let master = self.master()?;
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        let row = sqlx::query("SELECT master_key_id, check_value FROM vault_check WHERE id = 1")
            .fetch_optional(&mut *tx)
            .await?;
        match row {
            Some(row) => {
                let id: String = row.try_get("master_key_id")?;
                let check: Vec<u8> = row.try_get("check_value")?;
                let opens = open_with(&master.cipher(), CHECK_PLACE, &check)
                    .is_ok_and(|plain| plain.as_slice() == CHECK_TEXT);
                if id != master.id() || !opens {
                    return Err(StoreError::WrongMasterKey {
                        expected: id,
                        given: master.id().to_owned(),
                    });
                }
            }
            None => {
                let check = seal_with(&master.cipher(), CHECK_PLACE, CHECK_TEXT)?;
                sqlx::query(
                    "INSERT INTO vault_check (id, master_key_id, check_value) VALUES (1, $1, $2)",
                )
                .bind(master.id())
                .bind(check)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// `owner`'s data key, created on first use.
    pub async fn data_key(&self, owner: &str, now: Timestamp) -> Result<DataKey, StoreError> {
        if let Some(key) = self.existing(owner).await? {
            return Ok(key);
        }
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        let key = self.data_key_in(&mut tx, owner, now).await?;
        tx.commit().await?;
        Ok(key)
    }

    /// `owner`'s data key if it has one: none after the account was deleted.
    pub async fn existing(&self, owner: &str) -> Result<Option<DataKey>, StoreError> {
        let row = sqlx::query("SELECT master_key_id, wrapped FROM data_keys WHERE owner = $1")
            .bind(owner)
            .fetch_optional(&self.store.pool)
            .await?;
        row.map(|row| self.unwrap_row(owner, &row)).transpose()
    }

    /// Like [`Self::data_key`], inside the caller's write transaction.
    pub(crate) async fn data_key_in(
        &self,
        tx: &mut Transaction<'static, Any>,
        owner: &str,
        now: Timestamp,
    ) -> Result<DataKey, StoreError> {
        let row = sqlx::query("SELECT master_key_id, wrapped FROM data_keys WHERE owner = $1")
            .bind(owner)
            .fetch_optional(&mut **tx)
            .await?;
        if let Some(row) = row {
            return self.unwrap_row(owner, &row);
        }
        let master = self.master()?;
        let mut key = Zeroizing::new([0; KEY_LEN]);
        fill_random(key.as_mut())?;
        let wrapped = seal_with(&master.cipher(), &wrap_place(owner), key.as_ref())?;
        sqlx::query(
            "INSERT INTO data_keys (owner, master_key_id, wrapped, created_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(owner)
        .bind(master.id())
        .bind(wrapped)
        .bind(now.as_second())
        .execute(&mut **tx)
        .await?;
        Ok(DataKey(key))
    }

    /// Destroys `owner`'s data key inside the caller's transaction: from then
    /// on, nothing sealed under it can be opened.
    pub(crate) async fn destroy_in(
        tx: &mut Transaction<'static, Any>,
        owner: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM data_keys WHERE owner = $1")
            .bind(owner)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    fn unwrap_row(&self, owner: &str, row: &sqlx::any::AnyRow) -> Result<DataKey, StoreError> {
        let master = self.master()?;
        let id: String = row.try_get("master_key_id")?;
        if id != master.id() {
            return Err(StoreError::WrongMasterKey {
                expected: id,
                given: master.id().to_owned(),
            });
        }
        let wrapped: Vec<u8> = row.try_get("wrapped")?;
        let plain = open_with(&master.cipher(), &wrap_place(owner), &wrapped)?;
        let mut key = Zeroizing::new([0; KEY_LEN]);
        if plain.len() != KEY_LEN {
            return Err(StoreError::Corrupt(format!(
                "data key of {owner}: wrong length"
            )));
        }
        key.copy_from_slice(&plain);
        Ok(DataKey(key))
    }

    /// Re-wraps every data key under `new`, in one transaction: the database
    /// is under either the old key or the new one, never half of each. The
    /// content sealed under the data keys is not touched.
    pub async fn rotate(&self, new: &MasterKey) -> Result<u64, StoreError> {
        const PAGE: i64 = 1000;
        let mut tx = self.store.backend.begin_write(&self.store.pool).await?;
        let mut rotated = 0;
        let mut after = String::new();
        loop {
            let rows = sqlx::query(
                "SELECT owner, master_key_id, wrapped FROM data_keys \
                 WHERE owner > $1 ORDER BY owner LIMIT $2",
            )
            .bind(&after)
            .bind(PAGE)
            .fetch_all(&mut *tx)
            .await?;
            for row in &rows {
                let owner: String = row.try_get("owner")?;
                let key = self.unwrap_row(&owner, row)?;
                let wrapped = seal_with(&new.cipher(), &wrap_place(&owner), key.0.as_ref())?;
                sqlx::query(
                    "UPDATE data_keys SET master_key_id = $1, wrapped = $2 WHERE owner = $3",
                )
                .bind(new.id())
                .bind(wrapped)
                .bind(&owner)
                .execute(&mut *tx)
                .await?;
                rotated += 1;
                after = owner;
            }
            if (rows.len() as i64) < PAGE {
                break;
            }
        }
        let check = seal_with(&new.cipher(), CHECK_PLACE, CHECK_TEXT)?;
        sqlx::query("UPDATE vault_check SET master_key_id = $1, check_value = $2 WHERE id = 1")
            .bind(new.id())
            .bind(check)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(rotated)
    }
}

fn wrap_place(owner: &str) -> String {
    format!("data_keys.wrapped:{owner}")
}

/// Plaintext bytes per sealed chunk of a blob.
pub const CHUNK_LEN: usize = 64 * 1024;
const BLOB_MAGIC: &[u8; 8] = b"OBCNBLB1";
const SALT_LEN: usize = 32;
/// What precedes the chunks: the magic and the object's salt.
pub const BLOB_HEADER_LEN: usize = BLOB_MAGIC.len() + SALT_LEN;
/// A sealed chunk: the plaintext and its tag.
pub const SEALED_CHUNK_LEN: usize = CHUNK_LEN + TAG_LEN;

/// The size a blob of `plain` bytes has once sealed.
pub fn sealed_len(plain: u64) -> u64 {
    // The last chunk may be full; only an empty blob has an empty one.
    let chunks = plain.div_ceil(CHUNK_LEN as u64).max(1);
    BLOB_HEADER_LEN as u64 + plain + chunks * TAG_LEN as u64
}

fn object_cipher(key: &DataKey, salt: &[u8], object: &str) -> Result<Aes256Gcm, StoreError> {
    let mut okm = Zeroizing::new([0; KEY_LEN]);
    Hkdf::<Sha256>::new(Some(salt), key.0.as_ref())
        .expand_multi_info(&[b"obcan blob v1\0", object.as_bytes()], okm.as_mut())
        .map_err(|_| StoreError::Corrupt("blob key derivation".to_owned()))?;
    Ok(Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(okm.as_ref())))
}

/// Why a sealed blob did not open: it was changed, cut short or is not ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the stored object is damaged: it does not open under its key")]
pub struct DamagedBlob;

/// Seals a blob chunk by chunk as its bytes arrive; holds at most one chunk.
pub struct BlobSealer {
    stream: EncryptorBE32<Aes256Gcm>,
    pending: Vec<u8>,
}

impl std::fmt::Debug for BlobSealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobSealer").finish_non_exhaustive()
    }
}

impl BlobSealer {
    /// Starts sealing object `object`; `out` receives the header.
    pub fn new(key: &DataKey, object: &str, out: &mut Vec<u8>) -> Result<Self, StoreError> {
        let mut salt = [0; SALT_LEN];
        fill_random(&mut salt)?;
        let cipher = object_cipher(key, &salt, object)?;
        out.extend_from_slice(BLOB_MAGIC);
        out.extend_from_slice(&salt);
        Ok(Self {
            // The key is the object's own, so a fixed nonce prefix never repeats.
            stream: EncryptorBE32::from_aead(cipher, &Default::default()),
            pending: Vec::with_capacity(CHUNK_LEN),
        })
    }

    /// Takes the next plaintext bytes; `out` receives every chunk completed.
    pub fn update(&mut self, mut input: &[u8], out: &mut Vec<u8>) -> Result<(), StoreError> {
        while !input.is_empty() {
            // A full chunk is sealed only once more bytes follow, since the
            // last chunk is sealed differently.
            if self.pending.len() == CHUNK_LEN {
                self.seal_pending(out)?;
            }
            let take = (CHUNK_LEN - self.pending.len()).min(input.len());
            self.pending.extend_from_slice(&input[..take]);
            input = &input[take..];
        }
        Ok(())
    }

    fn seal_pending(&mut self, out: &mut Vec<u8>) -> Result<(), StoreError> {
        let start = out.len();
        out.extend_from_slice(&self.pending);
        let mut chunk = out.split_off(start);
        self.stream
            .encrypt_next_in_place(b"", &mut chunk)
            .map_err(|_| StoreError::Corrupt("cannot seal a chunk".to_owned()))?;
        out.extend_from_slice(&chunk);
        self.pending.clear();
        Ok(())
    }

    /// Seals the last chunk into `out`.
    pub fn finish(self, out: &mut Vec<u8>) -> Result<(), StoreError> {
        let mut chunk = self.pending;
        self.stream
            .encrypt_last_in_place(b"", &mut chunk)
            .map_err(|_| StoreError::Corrupt("cannot seal the last chunk".to_owned()))?;
        out.extend_from_slice(&chunk);
        Ok(())
    }
}

/// Opens a sealed blob as its bytes arrive; no plaintext leaves it before
/// its chunk's tag was checked.
pub struct BlobOpener {
    state: OpenerState,
    buffer: Vec<u8>,
}

enum OpenerState {
    Header { key: DataKey, object: String },
    Chunks(Box<DecryptorBE32<Aes256Gcm>>),
}

impl std::fmt::Debug for BlobOpener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobOpener").finish_non_exhaustive()
    }
}

impl BlobOpener {
    pub fn new(key: DataKey, object: &str) -> Self {
        Self {
            state: OpenerState::Header {
                key,
                object: object.to_owned(),
            },
            buffer: Vec::with_capacity(SEALED_CHUNK_LEN + BLOB_HEADER_LEN),
        }
    }

    /// Takes the next sealed bytes; `out` receives the plaintext of every
    /// chunk completed, except the last, which only `finish` can tell.
    pub fn update(&mut self, mut input: &[u8], out: &mut Vec<u8>) -> Result<(), DamagedBlob> {
        while !input.is_empty() {
            let wanted = match self.state {
                OpenerState::Header { .. } => BLOB_HEADER_LEN,
                // One byte beyond a chunk shows it is not the last.
                OpenerState::Chunks(_) => SEALED_CHUNK_LEN + 1,
            };
            let take = wanted.saturating_sub(self.buffer.len()).min(input.len());
            self.buffer.extend_from_slice(&input[..take]);
            input = &input[take..];
            if self.buffer.len() < wanted {
                continue;
            }
            match &mut self.state {
                OpenerState::Header { key, object } => {
                    if &self.buffer[..BLOB_MAGIC.len()] != BLOB_MAGIC {
                        return Err(DamagedBlob);
                    }
                    let cipher = object_cipher(key, &self.buffer[BLOB_MAGIC.len()..], object)
                        .map_err(|_| DamagedBlob)?;
                    self.state = OpenerState::Chunks(Box::new(DecryptorBE32::from_aead(
                        cipher,
                        &Default::default(),
                    )));
                    self.buffer.clear();
                }
                OpenerState::Chunks(stream) => {
                    let rest = self.buffer.split_off(SEALED_CHUNK_LEN);
                    let mut chunk = std::mem::replace(&mut self.buffer, rest);
                    stream
                        .decrypt_next_in_place(b"", &mut chunk)
                        .map_err(|_| DamagedBlob)?;
                    out.extend_from_slice(&chunk);
                }
            }
        }
        Ok(())
    }

    /// Opens the last chunk; fails if the blob was cut short.
    pub fn finish(self, out: &mut Vec<u8>) -> Result<(), DamagedBlob> {
        let OpenerState::Chunks(stream) = self.state else {
            return Err(DamagedBlob);
        };
        let mut chunk = self.buffer;
        stream
            .decrypt_last_in_place(b"", &mut chunk)
            .map_err(|_| DamagedBlob)?;
        out.extend_from_slice(&chunk);
        Ok(())
    }
}

pub(crate) fn fill_random(bytes: &mut [u8]) -> Result<(), StoreError> {
    getrandom::fill(bytes)
        .map_err(|e| StoreError::Corrupt(format!("the system's random source failed: {e}")))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> DataKey {
        DataKey(Zeroizing::new([9; KEY_LEN]))
    }

    fn seal(plain: &[u8], pieces: usize) -> Vec<u8> {
        let mut out = Vec::new();
        let mut sealer = BlobSealer::new(&key(), "obj", &mut out).unwrap();
        for piece in plain.chunks(pieces.max(1)) {
            sealer.update(piece, &mut out).unwrap();
        }
        sealer.finish(&mut out).unwrap();
        out
    }

    fn open(sealed: &[u8], object: &str, pieces: usize) -> Result<Vec<u8>, DamagedBlob> {
        let mut out = Vec::new();
        let mut opener = BlobOpener::new(key(), object);
        for piece in sealed.chunks(pieces.max(1)) {
            opener.update(piece, &mut out)?;
        }
        opener.finish(&mut out)?;
        Ok(out)
    }

    #[test]
    fn blobs_of_every_size_round_trip_in_any_pieces() {
        for len in [0, 1, CHUNK_LEN - 1, CHUNK_LEN, CHUNK_LEN + 1, 3 * CHUNK_LEN] {
            let plain: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            for pieces in [1000, 7919, CHUNK_LEN, 1 << 20] {
                let sealed = seal(&plain, pieces);
                assert_eq!(sealed.len() as u64, sealed_len(len as u64), "len {len}");
                assert_eq!(open(&sealed, "obj", pieces * 3 + 1).unwrap(), plain);
            }
        }
    }

    #[test]
    fn a_changed_cut_or_moved_blob_does_not_open() {
        let plain = vec![7; 2 * CHUNK_LEN + 100];
        let sealed = seal(&plain, 4096);
        let mut flipped = sealed.clone();
        flipped[BLOB_HEADER_LEN + CHUNK_LEN + 5] ^= 1;
        assert_eq!(open(&flipped, "obj", 4096), Err(DamagedBlob));
        // Cut exactly at a chunk border: the cut chunk was not sealed as last.
        let cut = &sealed[..BLOB_HEADER_LEN + 2 * SEALED_CHUNK_LEN];
        assert_eq!(open(cut, "obj", 4096), Err(DamagedBlob));
        assert_eq!(open(&sealed[..10], "obj", 4096), Err(DamagedBlob));
        // Another object's name derives another key.
        assert_eq!(open(&sealed, "other", 4096), Err(DamagedBlob));
        // Swapped chunks.
        let mut swapped = sealed.clone();
        let (a, b) = (BLOB_HEADER_LEN, BLOB_HEADER_LEN + SEALED_CHUNK_LEN);
        let first = sealed[a..b].to_vec();
        swapped[a..b].copy_from_slice(&sealed[b..b + SEALED_CHUNK_LEN]);
        swapped[b..b + SEALED_CHUNK_LEN].copy_from_slice(&first);
        assert_eq!(open(&swapped, "obj", 4096), Err(DamagedBlob));
    }

    #[test]
    fn sealed_values_open_only_where_they_were_sealed() {
        let sealed = key().seal_text("citizens.given_name:1", "Jana").unwrap();
        assert_eq!(
            key().open_text("citizens.given_name:1", &sealed).unwrap(),
            "Jana"
        );
        assert!(key().open_text("citizens.given_name:2", &sealed).is_err());
        assert!(!sealed.windows(4).any(|w| w == b"Jana"));
    }

    #[test]
    fn master_keys_read_back_and_are_named_without_being_shown() {
        let key = MasterKey::generate().unwrap();
        let again = MasterKey::from_base64(&key.to_base64()).unwrap();
        assert_eq!(again.id(), key.id());
        assert!(!format!("{key:?}").contains(key.to_base64().as_str()));
        assert_eq!(
            MasterKey::from_base64("c2hvcnQ=").err(),
            Some(MalformedMasterKey)
        );
        assert_eq!(
            MasterKey::from_base64("not base64!").err(),
            Some(MalformedMasterKey)
        );
    }
}
