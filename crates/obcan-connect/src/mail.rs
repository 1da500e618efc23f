//! E-mail through the office's SMTP server: plain-text messages, over
//! implicit TLS, STARTTLS or (on a trusted network only) no encryption,
//! with optional authentication. The password is never logged.

use std::fmt;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use obcan_core::citizen::EmailAddress;

use crate::messaging::SendError;

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailSecurity {
    /// No encryption: only for a relay on the same host or a trusted network.
    None,
    /// Plain connection upgraded with STARTTLS, which must succeed (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
}

#[derive(Clone)]
pub struct MailSettings {
    pub host: String,
    pub port: u16,
    pub security: MailSecurity,
    /// Login and password, if the server wants them.
    pub credentials: Option<(String, String)>,
    /// The sender, e.g. `Město Vzorov <portal@vzorov.cz>`.
    pub from: String,
    /// The name the portal greets the server with (EHLO), e.g. its host name.
    pub hello_name: Option<String>,
    /// For the whole exchange with the server, connection included.
    pub timeout: Duration,
}

impl fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field(
                "credentials",
                &self
                    .credentials
                    .as_ref()
                    .map(|(user, _)| (user, "[redacted]")),
            )
            .field("from", &self.from)
            .field("hello_name", &self.hello_name)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// A sender address that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a sender address ({0}): expected name@domain or Name <name@domain>")]
pub struct InvalidSender(String);

/// Checks a sender address, e.g. for the configuration.
pub fn parse_sender(from: &str) -> Result<(), InvalidSender> {
    from.parse::<Mailbox>()
        .map(|_| ())
        .map_err(|e| InvalidSender(e.to_string()))
}

/// A connection recipe for the SMTP server; each message opens its own.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    timeout: Duration,
    server: String,
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer")
            .field("server", &self.server)
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

/// A setting the mailer cannot be built with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailSetupError {
    #[error(transparent)]
    Sender(#[from] InvalidSender),
    #[error("cannot set up TLS for {host}: {message}")]
    Tls { host: String, message: String },
}

impl Mailer {
    pub fn new(settings: MailSettings) -> Result<Self, MailSetupError> {
        let from = settings
            .from
            .parse::<Mailbox>()
            .map_err(|e| InvalidSender(e.to_string()))?;
        let tls_error = |e: lettre::transport::smtp::Error| MailSetupError::Tls {
            host: settings.host.clone(),
            message: e.to_string(),
        };
        let mut builder = match settings.security {
            MailSecurity::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host.as_str())
            }
            MailSecurity::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&settings.host)
                    .map_err(tls_error)?
            }
            MailSecurity::Tls => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(&settings.host).map_err(tls_error)?
            }
        }
        .port(settings.port)
        .timeout(Some(settings.timeout));
        if let Some((user, password)) = settings.credentials {
            builder = builder.credentials(Credentials::new(user, password));
        }
        if let Some(name) = settings.hello_name {
            builder = builder.hello_name(ClientId::Domain(name));
        }
        Ok(Self {
            transport: builder.build(),
            from,
            timeout: settings.timeout,
            server: format!("{}:{}", settings.host, settings.port),
        })
    }

    /// Sends a plain-text message; `Ok` once the server has accepted it.
    pub async fn send(
        &self,
        to: &EmailAddress,
        subject: &str,
        body: String,
    ) -> Result<(), SendError> {
        let recipient = to
            .as_str()
            .parse::<Mailbox>()
            .map_err(|e| SendError::Refused(format!("recipient {e}")))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(recipient)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| SendError::Refused(format!("message: {e}")))?;
        // lettre's timeout is per step; this bounds the whole exchange.
        match tokio::time::timeout(self.timeout * 2, self.transport.send(message)).await {
            Err(_) => Err(SendError::Timeout),
            Ok(Ok(_response)) => Ok(()),
            Ok(Err(error)) => Err(self.classify(&error)),
        }
    }

    fn classify(&self, error: &lettre::transport::smtp::Error) -> SendError {
        let text = format!("{}: {}", self.server, crate::error_chain(error));
        if error.is_timeout() {
            SendError::Timeout
        } else if error.is_permanent() {
            SendError::Refused(text)
        } else {
            SendError::Unavailable(text)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn senders_are_checked() {
        assert!(parse_sender("portal@vzorov.cz").is_ok());
        assert!(parse_sender("Město Vzorov <portal@vzorov.cz>").is_ok());
        assert!(parse_sender("").is_err());
        assert!(parse_sender("Město Vzorov").is_err());
    }

    #[test]
    fn the_password_never_shows() {
        let settings = MailSettings {
            host: "smtp.vzorov.cz".into(),
            port: 587,
            security: MailSecurity::StartTls,
            credentials: Some(("portal".into(), "hunter2-secret".into())),
            from: "portal@vzorov.cz".into(),
            hello_name: None,
            timeout: Duration::from_secs(10),
        };
        let shown = format!("{settings:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        let mailer = Mailer::new(settings).unwrap();
        assert!(!format!("{mailer:?}").contains("hunter2"));
    }
}
