//! Files carried by messages (the `file` JSON column): where a transfer stands, the URL an
//! upload got (which lets its message leave the outbox), and transfers a quit interrupted.

use hallway_model::{Attachment, Message};
use rusqlite::params;

use crate::messages::{row_to_message, COLUMNS};
use crate::{Store, StoreError};

/// The `file` column's JSON for an attachment.
pub(crate) fn attachment_json(a: Option<&Attachment>) -> Option<String> {
    a.and_then(|a| serde_json::to_string(a).ok())
}

impl Store {
    /// Replaces a message's file record (transfer progress is not stored, only where it ended).
    pub fn set_attachment(&self, id: i64, a: &Attachment) -> Result<(), StoreError> {
        let conn = self.conn();
        conn.execute(
            "UPDATE messages SET file = ?2 WHERE id = ?1",
            params![id, attachment_json(Some(a))],
        )?;
        Ok(())
    }

    /// An upload finished: the body becomes the file's URL (what XEP-0363 clients send, and what
    /// search then finds) and the file record its final form, in one step.
    pub fn set_uploaded(&self, id: i64, url: &str, a: &Attachment) -> Result<(), StoreError> {
        let conn = self.conn();
        conn.execute(
            "UPDATE messages SET body = ?2, file = ?3 WHERE id = ?1",
            params![id, url, attachment_json(Some(a))],
        )?;
        Ok(())
    }

    /// Messages of the account whose file was mid-transfer (a crash or quit interrupted it).
    pub fn interrupted_transfers(&self, account: &str) -> Result<Vec<Message>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM messages WHERE account = ?1 AND file IS NOT NULL \
             AND json_extract(file, '$.status') IN ('uploading', 'downloading', 'offered') ORDER BY id"
        ))?;
        let rows = stmt.query_map([account], row_to_message)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}
