//! Read state: unread counts, marking a conversation read, XEP-0333 markers in both directions
//! (the contact read ours, our other device read theirs), what the next marker names, and the
//! XEP-0184 receipts we owe.

use hallway_model::UnreadCount;
use rusqlite::{params, OptionalExtension};

use crate::{Store, StoreError};

impl Store {
    /// The contact has seen our message `marked_id` (XEP-0333: and so every earlier one): our
    /// outgoing messages up to it move to `Displayed`. Returns the rows that changed.
    pub fn mark_displayed_up_to(
        &self,
        account: &str,
        peer: &str,
        marked_id: &str,
    ) -> Result<Vec<i64>, StoreError> {
        let conn = self.conn();
        let target: Option<(i64, i64)> = conn
            .query_row(
                "SELECT ord, id FROM messages WHERE account = ?1 AND peer = ?2 AND direction = 'out' \
                 AND (origin_id = ?3 OR xml_id = ?3) LIMIT 1",
                params![account, peer, marked_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((ts, id)) = target else {
            return Ok(Vec::new());
        };
        let mut stmt = conn.prepare_cached(
            "UPDATE messages SET state = 'displayed' WHERE account = ?1 AND peer = ?2 \
             AND direction = 'out' AND state IN ('pending', 'sent', 'delivered') \
             AND (ord < ?3 OR (ord = ?3 AND id <= ?4)) RETURNING id",
        )?;
        let rows = stmt.query_map(params![account, peer, ts, id], |r| r.get(0))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Another of our devices showed the contact's message `marked_id`: the conversation is read
    /// up to it. Returns how many messages changed (0 when we do not have that message).
    pub fn mark_read_up_to(
        &self,
        account: &str,
        peer: &str,
        marked_id: &str,
    ) -> Result<usize, StoreError> {
        self.mark_read_through(
            account,
            peer,
            marked_id,
            "(xml_id = ?3 OR origin_id = ?3 OR stanza_id = ?3)",
        )
    }

    /// Marks read up to the message the archive (ours, or a room's) numbered `stanza_id`: a read
    /// position (XEP-0490). Only that id counts: in a room, a sender picks their own origin-id
    /// and could name another message's stanza-id with it.
    pub fn mark_read_up_to_stanza_id(
        &self,
        account: &str,
        peer: &str,
        stanza_id: &str,
    ) -> Result<usize, StoreError> {
        self.mark_read_through(account, peer, stanza_id, "stanza_id = ?3")
    }

    fn mark_read_through(
        &self,
        account: &str,
        peer: &str,
        marked_id: &str,
        matches: &str,
    ) -> Result<usize, StoreError> {
        let conn = self.conn();
        let target: Option<(i64, i64)> = conn
            .query_row(
                &format!(
                    "SELECT ord, id FROM messages WHERE account = ?1 AND peer = ?2 \
                     AND direction = 'in' AND {matches} ORDER BY ord, id LIMIT 1"
                ),
                params![account, peer, marked_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((ts, id)) = target else {
            return Ok(0);
        };
        Ok(conn.execute(
            "UPDATE messages SET unread = 0 WHERE account = ?1 AND peer = ?2 AND unread = 1 \
             AND (ord < ?3 OR (ord = ?3 AND id <= ?4))",
            params![account, peer, ts, id],
        )?)
    }

    /// The stanza-id our archive gave the newest incoming message of a conversation (what
    /// XEP-0490 publishes as "read up to here").
    pub fn newest_incoming_stanza_id(
        &self,
        account: &str,
        peer: &str,
    ) -> Result<Option<String>, StoreError> {
        let conn = self.conn();
        Ok(conn
            .query_row(
                "SELECT stanza_id FROM messages WHERE account = ?1 AND peer = ?2 \
                 AND direction = 'in' AND stanza_id IS NOT NULL ORDER BY ord DESC, id DESC LIMIT 1",
                params![account, peer],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The id to name in a XEP-0333 `displayed` marker for the conversation: the newest incoming
    /// message, when its sender asked for markers (its stanza id, else its origin-id).
    pub fn newest_markable(&self, account: &str, peer: &str) -> Result<Option<String>, StoreError> {
        let conn = self.conn();
        let newest: Option<(bool, Option<String>, String)> = conn
            .query_row(
                "SELECT markable, xml_id, origin_id FROM messages WHERE account = ?1 AND peer = ?2 \
                 AND direction = 'in' ORDER BY ord DESC, id DESC LIMIT 1",
                params![account, peer],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        Ok(newest.and_then(|(markable, xml, origin)| markable.then(|| xml.unwrap_or(origin))))
    }

    /// Whether a message is still unread.
    pub fn is_unread(&self, id: i64) -> Result<bool, StoreError> {
        let conn = self.conn();
        Ok(conn
            .query_row("SELECT unread FROM messages WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?
            .unwrap_or(false))
    }

    /// Incoming messages received at or after `since_ms` whose sender asked for a receipt:
    /// (contact, stanza id) pairs, oldest first (at most `limit`).
    pub fn receipts_owed_since(
        &self,
        account: &str,
        since_ms: i64,
        limit: u32,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT peer, xml_id FROM messages WHERE account = ?1 AND direction = 'in' \
             AND wants_receipt = 1 AND xml_id IS NOT NULL AND ts >= ?2 ORDER BY id LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![account, since_ms, limit], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Marks a conversation read; returns how many messages changed.
    pub fn mark_read(&self, account: &str, peer: &str) -> Result<usize, StoreError> {
        let conn = self.conn();
        Ok(conn.execute(
            "UPDATE messages SET unread = 0 WHERE account = ?1 AND peer = ?2 AND unread = 1",
            params![account, peer],
        )?)
    }

    /// Unread incoming messages per conversation (only conversations with some).
    pub fn unread_counts(&self, account: &str) -> Result<Vec<(String, u32)>, StoreError> {
        Ok(self
            .unread(account)?
            .into_iter()
            .map(|c| (c.peer, c.unread))
            .collect())
    }

    /// Unread incoming messages per conversation, and how many of them name us (only
    /// conversations with some unread).
    pub fn unread(&self, account: &str) -> Result<Vec<UnreadCount>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT peer, COUNT(*), SUM(mention) FROM messages WHERE account = ?1 AND unread = 1 \
             GROUP BY peer",
        )?;
        let rows = stmt.query_map([account], |r| {
            Ok(UnreadCount {
                peer: r.get(0)?,
                unread: r.get(1)?,
                mentions: r.get::<_, Option<u32>>(2)?.unwrap_or(0),
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Marks a stored message as one that names us (a room mention).
    pub fn set_mention(&self, id: i64) -> Result<(), StoreError> {
        self.conn()
            .execute("UPDATE messages SET mention = 1 WHERE id = ?1", [id])?;
        Ok(())
    }
}
