//! The demo outbox: where messages go in the embedded demo, which has no
//! mail server and no SMS gateway. Each message is a JSON file in one folder
//! (`<storage.path>/outbox/`), named by the reference the sender gives it, so
//! that the demo's pages can show what would have been sent.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::messaging::SendError;

/// A message as the outbox keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    /// `email` or `sms`.
    pub channel: String,
    pub to: String,
    pub subject: Option<String>,
    pub text: String,
    /// The verification code the text carries.
    pub code: String,
}

#[derive(Debug, Clone)]
pub struct DemoOutbox {
    folder: PathBuf,
}

impl DemoOutbox {
    pub fn new(folder: impl Into<PathBuf>) -> Self {
        Self {
            folder: folder.into(),
        }
    }

    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// Files the message under `reference` (letters, digits, `-`, `_`),
    /// whole or not at all: written aside, then renamed into place.
    pub async fn deliver(&self, reference: &str, message: &OutboxMessage) -> Result<(), SendError> {
        let path = self.path(reference)?;
        let json =
            serde_json::to_vec_pretty(message).map_err(|e| SendError::Outbox(e.to_string()))?;
        let failed = |e: std::io::Error| SendError::Outbox(format!("{}: {e}", path.display()));
        tokio::fs::create_dir_all(&self.folder)
            .await
            .map_err(failed)?;
        let partial = path.with_extension("json.partial");
        tokio::fs::write(&partial, json).await.map_err(failed)?;
        tokio::fs::rename(&partial, &path).await.map_err(failed)?;
        Ok(())
    }

    /// The message filed under `reference`, if there is one.
    pub async fn read(&self, reference: &str) -> Option<OutboxMessage> {
        let bytes = tokio::fs::read(self.path(reference).ok()?).await.ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    fn path(&self, reference: &str) -> Result<PathBuf, SendError> {
        let safe = !reference.is_empty()
            && reference
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !safe {
            return Err(SendError::Outbox(format!(
                "{reference:?} is not a file name for the outbox"
            )));
        }
        Ok(self.folder.join(format!("{reference}.json")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_message_is_filed_and_read_back_by_its_reference() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = DemoOutbox::new(dir.path().join("outbox"));
        let message = OutboxMessage {
            channel: "sms".into(),
            to: "+420603123456".into(),
            subject: None,
            text: "kód 123456".into(),
            code: "123456".into(),
        };
        outbox
            .deliver("1800000000-phone-abc", &message)
            .await
            .unwrap();
        assert_eq!(
            outbox.read("1800000000-phone-abc").await,
            Some(message.clone())
        );
        assert_eq!(outbox.read("1800000001-phone-abc").await, None);
        assert!(outbox.deliver("../escape", &message).await.is_err());
        assert_eq!(outbox.read("../escape").await, None);
    }
}
