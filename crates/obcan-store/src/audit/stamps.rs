//! Time stamps of the audit log's head, as stored: which entry a stamp
//! covers, that entry's hash, and the authority's token over it. Asking an
//! authority and checking its tokens is the binary's business (through
//! obcan-connect); the store keeps the tokens and holds them to the chain.

use std::fmt;

use jiff::Timestamp;
use sqlx::Row;

use super::AuditLog;
use crate::StoreError;

/// The newest entry of the log: what the next time stamp covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditHead {
    pub seq: i64,
    /// SHA-256, lowercase hex.
    pub hash: String,
}

impl AuditHead {
    /// The hash as the 32 bytes a time-stamping authority signs.
    pub fn digest(&self) -> Result<[u8; 32], StoreError> {
        digest_of(&self.hash).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "audit log entry {}: its hash is not SHA-256 hex",
                self.seq
            ))
        })
    }
}

/// A time stamp of entry `seq`: the authority's token over the entry's hash.
#[derive(Clone, PartialEq, Eq)]
pub struct AuditStamp {
    pub seq: i64,
    /// The entry's hash when it was stamped, lowercase hex: what the token covers.
    pub hash: String,
    /// The token (a CMS ContentInfo), DER, as the authority issued it.
    pub token: Vec<u8>,
    /// When the authority says it saw the hash (whole seconds).
    pub gen_time: Timestamp,
    /// The authority's serial number of the token, hex.
    pub serial: String,
    /// When the portal received it.
    pub stamped_at: Timestamp,
}

impl AuditStamp {
    /// The stamped hash as bytes; none when the stored text is not SHA-256 hex.
    pub fn digest(&self) -> Option<[u8; 32]> {
        digest_of(&self.hash)
    }
}

impl fmt::Debug for AuditStamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuditStamp")
            .field("seq", &self.seq)
            .field("hash", &self.hash)
            .field("token_bytes", &self.token.len())
            .field("gen_time", &self.gen_time)
            .field("serial", &self.serial)
            .field("stamped_at", &self.stamped_at)
            .finish()
    }
}

/// 64 hex digits as 32 bytes.
fn digest_of(hash: &str) -> Option<[u8; 32]> {
    let bytes = hash.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let nibble = |b: u8| char::from(b).to_digit(16);
    let mut digest = [0u8; 32];
    for (byte, pair) in digest.iter_mut().zip(bytes.chunks_exact(2)) {
        let (high, low) = (nibble(*pair.first()?)?, nibble(*pair.get(1)?)?);
        *byte = u8::try_from(high * 16 + low).ok()?;
    }
    Some(digest)
}

const COLUMNS: &str = "seq, hash, token, gen_time, serial, stamped_at";

impl AuditLog<'_> {
    /// The newest entry; none while the log is empty.
    pub async fn head(&self) -> Result<Option<AuditHead>, StoreError> {
        let row = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&self.store.pool)
            .await?;
        row.map(|row| {
            Ok(AuditHead {
                seq: row.try_get("seq")?,
                hash: row.try_get("hash")?,
            })
        })
        .transpose()
    }

    /// The stored hash of entry `seq`; none when there is no such entry.
    pub async fn entry_hash(&self, seq: i64) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT hash FROM audit_log WHERE seq = $1")
            .bind(seq)
            .fetch_optional(&self.store.pool)
            .await?;
        Ok(row.map(|row| row.try_get("hash")).transpose()?)
    }

    /// Keeps a time stamp; false when one of the same entry is kept already
    /// (another node was quicker), which stays as it is.
    pub async fn save_stamp(&self, stamp: &AuditStamp) -> Result<bool, StoreError> {
        let saved = sqlx::query(&format!(
            "INSERT INTO audit_stamps ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (seq) DO NOTHING"
        ))
        .bind(stamp.seq)
        .bind(&stamp.hash)
        .bind(&stamp.token)
        .bind(stamp.gen_time.as_second())
        .bind(&stamp.serial)
        .bind(stamp.stamped_at.as_second())
        .execute(&self.store.pool)
        .await?;
        Ok(saved.rows_affected() == 1)
    }

    /// The time stamps of entries after `after` (a sequence number), oldest
    /// entry first, at most `limit`: to page through them all.
    pub async fn stamps(
        &self,
        after: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditStamp>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM audit_stamps WHERE seq > $1 ORDER BY seq LIMIT $2"
        ))
        .bind(after.unwrap_or(i64::MIN))
        .bind(i64::from(limit))
        .fetch_all(&self.store.pool)
        .await?;
        rows.iter().map(stamp).collect()
    }

    /// The time stamp of the newest entry that has one.
    pub async fn last_stamp(&self) -> Result<Option<AuditStamp>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM audit_stamps ORDER BY seq DESC LIMIT 1"
        ))
        .fetch_optional(&self.store.pool)
        .await?;
        row.as_ref().map(stamp).transpose()
    }
}

/// Reads the time stamps in order, a page at a time, for `verify`'s walk.
#[derive(Debug)]
pub(super) struct StampCursor<'a> {
    log: &'a AuditLog<'a>,
    page: std::vec::IntoIter<AuditStamp>,
    after: Option<i64>,
    exhausted: bool,
    next: Option<AuditStamp>,
}

impl<'a> StampCursor<'a> {
    const PAGE: u32 = 200;

    pub(super) fn new(log: &'a AuditLog<'a>) -> Self {
        Self {
            log,
            page: Vec::new().into_iter(),
            after: None,
            exhausted: false,
            next: None,
        }
    }

    /// The next stamp, without taking it.
    pub(super) async fn peek(&mut self) -> Result<Option<&AuditStamp>, StoreError> {
        if self.next.is_none() {
            self.next = self.page.next();
            if self.next.is_none() && !self.exhausted {
                let page = self.log.stamps(self.after, Self::PAGE).await?;
                self.exhausted = page.len() < Self::PAGE as usize;
                self.after = page.last().map(|stamp| stamp.seq).or(self.after);
                self.page = page.into_iter();
                self.next = self.page.next();
            }
        }
        Ok(self.next.as_ref())
    }

    /// Takes the stamp `peek` showed.
    pub(super) fn take(&mut self) -> Option<AuditStamp> {
        self.next.take()
    }
}

fn stamp(row: &sqlx::any::AnyRow) -> Result<AuditStamp, StoreError> {
    let seq: i64 = row.try_get("seq")?;
    let time = |column: &str| {
        Timestamp::from_second(row.try_get(column)?)
            .map_err(|e| StoreError::Corrupt(format!("time stamp of audit log entry {seq}: {e}")))
    };
    Ok(AuditStamp {
        seq,
        hash: row.try_get("hash")?,
        token: row.try_get("token")?,
        gen_time: time("gen_time")?,
        serial: row.try_get("serial")?,
        stamped_at: time("stamped_at")?,
    })
}

#[cfg(test)]
mod tests {
    use super::digest_of;

    #[test]
    fn a_digest_is_64_hex_digits() {
        let hex = "00ff10".repeat(10) + "abcd";
        let digest = digest_of(&hex).unwrap();
        assert_eq!(digest[..3], [0x00, 0xff, 0x10]);
        assert_eq!(digest[30..], [0xab, 0xcd]);
        assert_eq!(digest_of(&hex[..62]), None);
        assert_eq!(digest_of(&hex.replace('a', "g")), None);
        assert_eq!(digest_of(&"+f".repeat(32)), None);
    }
}
