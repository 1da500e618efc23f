//! Time stamps of the audit log's head: asking the configured authority
//! (the background round and `obcan audit stamp`), and verifying the log with
//! its stamps' tokens (`obcan audit verify`). The store keeps the stamps and
//! holds them to the chain; obcan-connect speaks RFC 3161; this joins them.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use jiff::Timestamp;
use obcan_connect::timestamp::{
    TimestampAuthority, TimestampError, TimestampSettings, TrustAnchors, verify_token,
};
use obcan_store::{AuditStamp, ChainBreak, Store, StoreError, VerifiedLog};
use obcan_web::AppState;

use crate::config::Config;

/// The configured time-stamping authority; none without `audit.tsa_url`.
pub fn authority(config: &Config) -> anyhow::Result<Option<TimestampAuthority>> {
    let audit = &config.audit;
    if audit.tsa_url.is_empty() {
        return Ok(None);
    }
    let credentials = (!audit.tsa_username.is_empty()).then(|| {
        (
            audit.tsa_username.clone(),
            audit.tsa_password.expose().to_owned(),
        )
    });
    let authority = TimestampAuthority::new(TimestampSettings {
        url: audit.tsa_url.parse().context("audit.tsa_url")?,
        timeout: Duration::from_millis(audit.tsa_timeout_ms),
        credentials,
        trusted_ca_pem: read_ca(config)?,
    })
    .context("audit")?;
    Ok(Some(authority))
}

/// The certificates stamps' tokens are verified against; none without
/// `audit.tsa_ca_file`.
pub fn trust_anchors(config: &Config) -> anyhow::Result<Option<TrustAnchors>> {
    if config.audit.tsa_ca_file.as_os_str().is_empty() {
        return Ok(None);
    }
    let anchors = TrustAnchors::from_pem(read_ca(config)?.as_bytes())
        .with_context(|| format!("audit.tsa_ca_file {}", config.audit.tsa_ca_file.display()))?;
    Ok(Some(anchors))
}

fn read_ca(config: &Config) -> anyhow::Result<String> {
    let file = &config.audit.tsa_ca_file;
    std::fs::read_to_string(file)
        .with_context(|| format!("audit.tsa_ca_file: cannot read {}", file.display()))
}

/// What became of a request to stamp the head.
#[derive(Debug)]
pub enum Stamped {
    /// There is nothing to stamp yet.
    EmptyLog,
    /// The newest entry has its stamp already; nothing was asked.
    Already(AuditStamp),
    /// The newest entry was stamped now, and the stamp kept.
    New(AuditStamp),
}

#[derive(Debug, thiserror::Error)]
pub enum StampError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Authority(#[from] TimestampError),
    /// The log no longer reaches, or no longer matches, its last stamp.
    #[error(
        "the audit log does not match its last time stamp ({0}); run `obcan audit verify` \
         and restore the log from a backup"
    )]
    Mismatch(String),
}

impl StampError {
    /// Worth trying again next round.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Store(error) => matches!(error, StoreError::Unavailable(_)),
            Self::Authority(error) => error.is_transient(),
            Self::Mismatch(_) => false,
        }
    }
}

/// Has the log's newest entry stamped, unless it is stamped already, and
/// keeps the stamp. Each new stamp is also logged (entry, hash, time,
/// serial), so that a copy lives outside the database.
pub async fn stamp_head(
    store: &Store,
    authority: &TimestampAuthority,
    now: Timestamp,
) -> Result<Stamped, StampError> {
    let audit = store.audit();
    let Some(head) = audit.head().await? else {
        return Ok(Stamped::EmptyLog);
    };
    if let Some(last) = audit.last_stamp().await? {
        // Stamping a log that lost what was stamped would hide nothing, but
        // each round says so, long before anyone runs `obcan audit verify`.
        match audit.entry_hash(last.seq).await? {
            None => {
                return Err(StampError::Mismatch(format!(
                    "entry {} is stamped, but the log ends at entry {}",
                    last.seq, head.seq
                )));
            }
            Some(hash) if hash != last.hash => {
                return Err(StampError::Mismatch(format!(
                    "entry {} has another hash than the one stamped",
                    last.seq
                )));
            }
            Some(_) if last.seq == head.seq => return Ok(Stamped::Already(last)),
            Some(_) => {}
        }
    }
    let token = authority.stamp(&head.digest()?).await?;
    let stamp = AuditStamp {
        seq: head.seq,
        hash: head.hash,
        token: token.der,
        gen_time: token.gen_time,
        serial: token.serial,
        stamped_at: now,
    };
    if !audit.save_stamp(&stamp).await? {
        // Another node stamped the same entry first; its stamp stays.
        return Ok(match audit.last_stamp().await? {
            Some(kept) => Stamped::Already(kept),
            None => Stamped::Already(stamp),
        });
    }
    tracing::info!(
        seq = stamp.seq,
        hash = %stamp.hash,
        gen_time = %stamp.gen_time,
        serial = %stamp.serial,
        "audit log time-stamped"
    );
    Ok(Stamped::New(stamp))
}

/// The background round: every `every`, stamps the head if the log has
/// grown since its last stamp; until `shutdown` resolves. Failures are
/// logged and tried again next round; they never stop the portal.
pub async fn stamp_periodically(
    state: AppState,
    authority: Arc<TimestampAuthority>,
    every: Duration,
    shutdown: impl Future<Output = ()>,
) {
    let mut rounds = tokio::time::interval(every);
    rounds.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            _ = rounds.tick() => {
                // A slow authority must not hold up the shutdown.
                let stamped = tokio::select! {
                    () = &mut shutdown => return,
                    stamped = stamp_head(&state.store, &authority, state.now()) => stamped,
                };
                match stamped {
                    Ok(_) => {}
                    Err(error) if error.is_transient() => {
                        tracing::warn!(%error, "cannot time-stamp the audit log now; trying again next round");
                    }
                    Err(error) => {
                        tracing::error!(%error, "cannot time-stamp the audit log; trying again next round");
                    }
                }
            }
        }
    }
}

/// Walks the chain and holds every stamp to it; with `trusted`, each
/// stamp's token is verified too, offline: over the stamped hash, by an
/// authority chaining to `trusted`, and saying what was recorded of it.
pub async fn verify_log(
    store: &Store,
    trusted: Option<&TrustAnchors>,
) -> Result<Result<VerifiedLog, ChainBreak>, StoreError> {
    let Some(trusted) = trusted else {
        return store.audit().verify_with(&|_: &AuditStamp| Ok(())).await;
    };
    store
        .audit()
        .verify_with(&|stamp: &AuditStamp| check_token(stamp, trusted))
        .await
}

fn check_token(stamp: &AuditStamp, trusted: &TrustAnchors) -> Result<(), String> {
    let digest = stamp
        .digest()
        .ok_or_else(|| "the stamped hash is not SHA-256 hex".to_owned())?;
    let verified = verify_token(&stamp.token, &digest, trusted).map_err(|error| match error {
        TimestampError::UntrustedSigner(_) => {
            format!("{error} (is audit.tsa_ca_file the authority's CA?)")
        }
        _ => error.to_string(),
    })?;
    if verified.gen_time.as_second() != stamp.gen_time.as_second()
        || verified.serial != stamp.serial
    {
        return Err(format!(
            "the token was made at {} with serial {}, not as recorded",
            verified.gen_time, verified.serial
        ));
    }
    Ok(())
}
