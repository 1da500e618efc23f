//! Text messages through an HTTP SMS gateway, by the contract of
//! `docs/api/sms-gateway.openapi.yaml`: `POST {url}` with the JSON
//! `{"to": "+420…", "text": "…"}` and `Authorization: Bearer <token>`; any
//! 2xx status means the gateway accepted the message. The token is never logged.

use std::fmt;
use std::time::Duration;

use obcan_core::citizen::PhoneNumber;
use reqwest::StatusCode;
use serde::Serialize;

use crate::messaging::SendError;

#[derive(Clone)]
pub struct SmsSettings {
    /// Where messages are posted, e.g. `https://sms.vzorov.cz/v1/messages`.
    pub url: url::Url,
    /// Sent as `Authorization: Bearer …`; none when empty.
    pub token: Option<String>,
    /// For one message, connection included.
    pub timeout: Duration,
}

impl fmt::Debug for SmsSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmsSettings")
            .field("url", &self.url.as_str())
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .field("timeout", &self.timeout)
            .finish()
    }
}

#[derive(Debug)]
pub struct SmsGateway {
    settings: SmsSettings,
    client: reqwest::Client,
}

#[derive(Serialize)]
struct OutgoingSms<'a> {
    to: &'a str,
    text: &'a str,
}

impl SmsGateway {
    pub fn new(settings: SmsSettings) -> Result<Self, SendError> {
        let client = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            // A gateway that redirects a POST is misconfigured; following it
            // would hand the token to wherever it points.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| SendError::Unavailable(crate::error_chain(&e)))?;
        Ok(Self { settings, client })
    }

    /// Posts one message; `Ok` once the gateway has accepted it.
    pub async fn send(&self, to: &PhoneNumber, text: &str) -> Result<(), SendError> {
        let body = serde_json::to_vec(&OutgoingSms {
            to: to.as_str(),
            text,
        })
        .map_err(|e| SendError::Refused(e.to_string()))?;
        let mut request = self
            .client
            .post(self.settings.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        if let Some(token) = &self.settings.token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.map_err(|error| {
            if error.is_timeout() {
                SendError::Timeout
            } else {
                SendError::Unavailable(crate::error_chain(&error))
            }
        })?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            Err(SendError::Unavailable(format!(
                "the gateway answered {status}"
            )))
        } else {
            Err(SendError::Refused(format!("the gateway answered {status}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_never_shows() {
        let settings = SmsSettings {
            url: "https://sms.vzorov.cz/v1/messages".parse().unwrap(),
            token: Some("sms-token-secret".into()),
            timeout: Duration::from_secs(5),
        };
        let shown = format!("{:?}", SmsGateway::new(settings).unwrap());
        assert!(!shown.contains("sms-token-secret"), "{shown}");
    }
}
