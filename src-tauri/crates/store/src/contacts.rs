//! What we remember about contacts between sessions (avatar hash, last seen), and the
//! conversations of people outside the roster ("Requests").

use std::collections::HashMap;

use rusqlite::{params, OptionalExtension};

use crate::{Store, StoreError};

/// Remembered facts about one contact.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactInfo {
    /// Avatar SHA-1.
    pub avatar: Option<String>,
    /// Last seen online (ms).
    pub last_seen: Option<i64>,
}

/// The newest message of a conversation, with its unread count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationHead {
    /// Contact's bare JID.
    pub peer: String,
    /// Unread incoming messages.
    pub unread: u32,
    /// Newest incoming message's text.
    pub last_body: String,
    /// Its time (ms).
    pub last_ts: i64,
}

impl Store {
    /// Everything remembered for the account's contacts.
    pub fn contact_infos(&self, account: &str) -> Result<HashMap<String, ContactInfo>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached("SELECT jid, avatar, last_seen FROM contact_info WHERE account = ?1")?;
        let rows = stmt.query_map([account], |r| {
            Ok((
                r.get::<_, String>(0)?,
                ContactInfo {
                    avatar: r.get(1)?,
                    last_seen: r.get(2)?,
                },
            ))
        })?;
        Ok(rows.collect::<Result<HashMap<_, _>, _>>()?)
    }

    /// Remembers a contact's avatar (`None`: they removed it).
    pub fn set_contact_avatar(
        &self,
        account: &str,
        jid: &str,
        avatar: Option<&str>,
    ) -> Result<(), StoreError> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO contact_info (account, jid, avatar) VALUES (?1, ?2, ?3)
             ON CONFLICT (account, jid) DO UPDATE SET avatar = excluded.avatar",
            params![account, jid, avatar],
        )?;
        Ok(())
    }

    /// Remembers when a contact was last online; an older time never replaces a newer one.
    pub fn set_contact_last_seen(
        &self,
        account: &str,
        jid: &str,
        ms: i64,
    ) -> Result<(), StoreError> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO contact_info (account, jid, last_seen) VALUES (?1, ?2, ?3)
             ON CONFLICT (account, jid) DO UPDATE
             SET last_seen = MAX(COALESCE(last_seen, 0), excluded.last_seen)",
            params![account, jid, ms],
        )?;
        Ok(())
    }

    /// Everyone who wrote to the account, rooms aside (one scan, at session start; the core keeps the set
    /// current as messages arrive).
    pub fn incoming_peers(&self, account: &str) -> Result<Vec<String>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT DISTINCT peer FROM messages WHERE account = ?1 AND direction = 'in' \
             AND peer NOT IN (SELECT room FROM rooms WHERE account = ?1)",
        )?;
        let rows = stmt.query_map([account], |r| r.get(0))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// The newest incoming message of one conversation and its unread count.
    pub fn conversation_head(
        &self,
        account: &str,
        peer: &str,
    ) -> Result<Option<ConversationHead>, StoreError> {
        let conn = self.conn();
        let head = conn
            .query_row(
                "SELECT body, ts FROM messages
                 WHERE account = ?1 AND peer = ?2 AND direction = 'in'
                 ORDER BY ord DESC, id DESC LIMIT 1",
                params![account, peer],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
            )
            .optional()?;
        let Some((last_body, last_ts)) = head else {
            return Ok(None);
        };
        let unread: u32 = conn.query_row(
            "SELECT COUNT(*) FROM messages WHERE account = ?1 AND peer = ?2 AND unread = 1",
            params![account, peer],
            |r| r.get(0),
        )?;
        Ok(Some(ConversationHead {
            peer: peer.to_string(),
            unread,
            last_body,
            last_ts,
        }))
    }
}
