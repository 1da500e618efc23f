//! Webhooks to the office's records management: `POST` of an event's JSON
//! body to the client's address with `Obcan-Event-Id` (the same on every
//! attempt, for the receiver to deduplicate) and `Obcan-Signature`
//! (`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, see
//! `obcan_core::integration::WebhookSecret::sign`). Any 2xx status is a
//! delivery; anything else, or no answer within the time limit, a failure
//! to retry. Neither the secret nor the body reaches an error.

use std::time::Duration;

use obcan_core::integration::{WebhookSecret, WebhookUrl};

pub const EVENT_ID_HEADER: &str = "obcan-event-id";
pub const SIGNATURE_HEADER: &str = "obcan-signature";

/// Why an attempt did not deliver.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    #[error("the receiver answered HTTP {0}")]
    Status(u16),
    #[error("no answer within {0} s")]
    Timeout(u64),
    #[error("cannot reach the receiver: {0}")]
    Unreachable(String),
}

/// One webhook to send.
#[derive(Debug, Clone, Copy)]
pub struct Webhook<'a> {
    pub event_id: &'a str,
    pub url: &'a WebhookUrl,
    pub secret: &'a WebhookSecret,
    pub body: &'a str,
}

#[derive(Debug, Clone)]
pub struct WebhookSender {
    client: reqwest::Client,
    timeout: Duration,
}

impl WebhookSender {
    pub fn new(timeout: Duration) -> Result<Self, DeliveryError> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            // A redirect would send the signed event somewhere the office
            // did not name.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("obcan-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| DeliveryError::Unreachable(crate::error_chain(&e)))?;
        Ok(Self { client, timeout })
    }

    /// Sends the webhook, signed at `now` (Unix seconds).
    pub async fn send(&self, webhook: &Webhook<'_>, now: i64) -> Result<(), DeliveryError> {
        let signature = webhook.secret.sign(now, webhook.body.as_bytes());
        let response = self
            .client
            .post(webhook.url.as_str())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(EVENT_ID_HEADER, webhook.event_id)
            .header(SIGNATURE_HEADER, signature)
            .body(webhook.body.to_owned())
            .send()
            .await
            .map_err(|error| {
                if error.is_timeout() {
                    DeliveryError::Timeout(self.timeout.as_secs())
                } else {
                    // Without the URL, which could carry a receiver's token in its query.
                    DeliveryError::Unreachable(crate::error_chain(&error.without_url()))
                }
            })?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(DeliveryError::Status(status.as_u16()))
        }
    }
}
