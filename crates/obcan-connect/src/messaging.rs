//! Messages to citizens: how a verification code reaches an e-mail address
//! (SMTP, [`crate::mail`]) or a telephone (an HTTP SMS gateway,
//! [`crate::sms`]), or, in the demo with neither configured, the demo
//! outbox ([`crate::outbox`]). Every way of sending fails with [`SendError`].

use jiff::SignedDuration;
use obcan_core::citizen::{EmailAddress, PhoneNumber};
use obcan_core::contact::VerificationCode;

use crate::mail::Mailer;
use crate::outbox::{DemoOutbox, OutboxMessage};
use crate::sms::SmsGateway;

/// Why a message was not sent. Whatever the case, nothing was delivered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    #[error("no answer in time")]
    Timeout,
    /// The server or gateway could not be reached, or failed (5xx).
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// The server or gateway answered, and refused the message.
    #[error("refused: {0}")]
    Refused(String),
    /// The demo outbox could not be written.
    #[error("demo outbox: {0}")]
    Outbox(String),
}

/// A verification code on its way, and what the message says around it.
#[derive(Debug, Clone, Copy)]
pub struct VerificationMessage<'a> {
    /// The portal's name, as its branding gives it.
    pub site: &'a str,
    pub code: &'a VerificationCode,
    pub valid_for: SignedDuration,
    /// The name the demo outbox files the message under.
    pub reference: &'a str,
}

impl VerificationMessage<'_> {
    /// The e-mail's subject and plain-text body, in Czech and English.
    pub fn email(&self) -> (String, String) {
        let minutes = self.valid_for.as_mins();
        let (site, code) = (self.site, self.code.as_str());
        let subject = format!("Ověřovací kód / Verification code – {site}");
        let body = format!(
            "Dobrý den,\r\n\r\n\
             váš ověřovací kód pro portál {site} je:\r\n\r\n    {code}\r\n\r\n\
             Kód platí {minutes} minut. Zadejte jej na stránce Kontaktní údaje. \
             Pokud jste o kód nežádali, zprávu ignorujte.\r\n\r\n\
             ----\r\n\r\n\
             Hello,\r\n\r\n\
             your verification code for the {site} portal is:\r\n\r\n    {code}\r\n\r\n\
             The code is valid for {minutes} minutes. Enter it on the Contact details page. \
             If you did not ask for it, ignore this message.\r\n"
        );
        (subject, body)
    }

    /// The text message, short: Czech, then English.
    pub fn sms(&self) -> String {
        let minutes = self.valid_for.as_mins();
        let (site, code) = (self.site, self.code.as_str());
        format!(
            "{site}: ověřovací kód {code}, platí {minutes} min. \
             Verification code {code}, valid {minutes} min."
        )
    }
}

/// How e-mail leaves the portal.
#[derive(Debug)]
pub enum EmailChannel {
    Smtp(Box<Mailer>),
    /// The demo without a mail server: messages are kept as files.
    DemoOutbox(DemoOutbox),
}

impl EmailChannel {
    pub async fn send_code(
        &self,
        to: &EmailAddress,
        message: &VerificationMessage<'_>,
    ) -> Result<(), SendError> {
        let (subject, body) = message.email();
        match self {
            Self::Smtp(mailer) => mailer.send(to, &subject, body).await,
            Self::DemoOutbox(outbox) => {
                outbox
                    .deliver(
                        message.reference,
                        &OutboxMessage {
                            channel: "email".into(),
                            to: to.as_str().to_owned(),
                            subject: Some(subject),
                            text: body,
                            code: message.code.as_str().to_owned(),
                        },
                    )
                    .await
            }
        }
    }

    /// The demo outbox, when messages go there instead of being sent.
    pub fn demo_outbox(&self) -> Option<&DemoOutbox> {
        match self {
            Self::Smtp(_) => None,
            Self::DemoOutbox(outbox) => Some(outbox),
        }
    }
}

/// How text messages leave the portal.
#[derive(Debug)]
pub enum SmsChannel {
    Gateway(SmsGateway),
    /// The demo without a gateway: messages are kept as files.
    DemoOutbox(DemoOutbox),
}

impl SmsChannel {
    pub async fn send_code(
        &self,
        to: &PhoneNumber,
        message: &VerificationMessage<'_>,
    ) -> Result<(), SendError> {
        let text = message.sms();
        match self {
            Self::Gateway(gateway) => gateway.send(to, &text).await,
            Self::DemoOutbox(outbox) => {
                outbox
                    .deliver(
                        message.reference,
                        &OutboxMessage {
                            channel: "sms".into(),
                            to: to.as_str().to_owned(),
                            subject: None,
                            text,
                            code: message.code.as_str().to_owned(),
                        },
                    )
                    .await
            }
        }
    }

    /// The demo outbox, when messages go there instead of being sent.
    pub fn demo_outbox(&self) -> Option<&DemoOutbox> {
        match self {
            Self::Gateway(_) => None,
            Self::DemoOutbox(outbox) => Some(outbox),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_carry_the_code_and_its_lifetime_in_both_languages() {
        let code = VerificationCode::parse("042424").unwrap();
        let message = VerificationMessage {
            site: "Město Vzorov",
            code: &code,
            valid_for: SignedDuration::from_mins(15),
            reference: "r",
        };
        let (subject, body) = message.email();
        assert!(subject.contains("Město Vzorov"), "{subject}");
        for expected in ["042424", "Kód platí 15 minut", "valid for 15 minutes"] {
            assert!(body.contains(expected), "{expected}: {body}");
        }
        let sms = message.sms();
        assert!(sms.contains("ověřovací kód 042424"), "{sms}");
        assert!(sms.contains("Verification code 042424"), "{sms}");
        assert!(sms.chars().count() < 160, "{sms}");
    }
}
