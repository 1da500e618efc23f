//! Sends the webhook outbox to the office's records management: every node
//! that serves runs a round now and then, claiming due webhooks one at a
//! time with a lease, sending each signed, and marking it delivered or
//! failed (retried later by the policy, or given up).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use jiff::SignedDuration;
use obcan_connect::webhooks::{Webhook, WebhookSender};
use obcan_core::integration::RetryPolicy;
use obcan_store::StoreError;
use obcan_web::AppState;

use crate::config::WebhooksConfig;

/// Webhooks sent in one round at most, so that a long backlog does not
/// keep a round from ending.
const ROUND: usize = 100;

#[derive(Debug)]
pub struct Delivery {
    sender: WebhookSender,
    policy: RetryPolicy,
    /// Longer than an attempt can take, so that no other node takes a
    /// webhook while it is being sent.
    lease: SignedDuration,
}

/// What a round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub delivered: usize,
    pub failed: usize,
}

impl Delivery {
    pub fn new(config: &WebhooksConfig) -> anyhow::Result<Self> {
        let timeout = Duration::from_secs(config.timeout_seconds);
        let seconds =
            |value: u64| SignedDuration::from_secs(i64::try_from(value).unwrap_or(i64::MAX));
        Ok(Self {
            sender: WebhookSender::new(timeout).context("cannot set up the webhook sender")?,
            policy: RetryPolicy {
                first: seconds(config.first_retry_seconds),
                longest: seconds(config.longest_retry_seconds),
                attempts: config.max_attempts,
            },
            lease: seconds(config.timeout_seconds.saturating_mul(2).saturating_add(30)),
        })
    }

    /// Sends what is due now, one webhook at a time.
    pub async fn round(&self, state: &AppState) -> Result<Round, StoreError> {
        let outbox = state.store.webhook_outbox();
        let mut round = Round::default();
        while round.delivered + round.failed < ROUND {
            let Some(claimed) = outbox.claim(state.now(), self.lease, 1).await?.pop() else {
                break;
            };
            let webhook = Webhook {
                event_id: &claimed.id,
                url: &claimed.url,
                secret: &claimed.secret,
                body: &claimed.body,
            };
            match self.sender.send(&webhook, state.now().as_second()).await {
                Ok(()) => {
                    outbox.delivered(&claimed, state.now()).await?;
                    round.delivered += 1;
                }
                Err(error) => {
                    tracing::warn!(
                        event = %claimed.id,
                        client = %claimed.client,
                        attempt = claimed.attempt,
                        %error,
                        "a webhook was not delivered"
                    );
                    outbox
                        .failed(&claimed, state.now(), &error.to_string(), &self.policy)
                        .await?;
                    round.failed += 1;
                }
            }
        }
        Ok(round)
    }
}

/// Runs a round every `every` until `shutdown` resolves.
pub async fn deliver_periodically(
    state: AppState,
    delivery: Arc<Delivery>,
    every: Duration,
    shutdown: impl Future<Output = ()>,
) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            _ = ticks.tick() => {
                if let Err(error) = delivery.round(&state).await {
                    tracing::warn!(%error, "cannot send webhooks now");
                }
            }
        }
    }
}
