//! The development sender: each message is written whole to a folder (the "dev mailbox"),
//! and only its key goes to the log — message text holds personal data.

use crate::{ProviderId, SendError};
use frontdoor_store::OutboxMessage;
use std::path::PathBuf;

pub struct LogSender {
    folder: PathBuf,
}

impl LogSender {
    pub fn new(folder: impl Into<PathBuf>) -> Self {
        Self {
            folder: folder.into(),
        }
    }

    pub async fn send(&self, message: &OutboxMessage) -> Result<ProviderId, SendError> {
        let text = format!(
            "Send: {}\nSubject: {}\nKey: {}\n\n{}\n",
            message.destination.describe(),
            message.subject,
            message.key,
            message.body
        );
        let path = self.folder.join(format!("{}.txt", safe(&message.key)));
        tokio::fs::create_dir_all(&self.folder)
            .await
            .and(tokio::fs::write(&path, text).await)
            .map_err(|e| {
                SendError::Temporary(format!("dev mailbox {}: {e}", self.folder.display()))
            })?;
        tracing::info!(outbox.key = %message.key, outbox.kind = message.destination.kind(), "message written to the dev mailbox");
        Ok(Some(path.display().to_string()))
    }
}

fn safe(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
