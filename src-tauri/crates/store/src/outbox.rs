//! The outbox: a message we write is a row in `messages` (state `pending`) before any byte goes
//! out. Its delivery state only moves forward (pending → sent → delivered → displayed, or
//! failed); the heads of the outbox are each conversation's oldest sendable pending row; a row
//! handed to a stream records when, so after a failed resumption it can be looked up in the
//! archive before it is sent again.

use hallway_model::{DeliveryState, Message};
use rusqlite::{params, OptionalExtension};

use crate::messages::{row_to_message, COLUMNS};
use crate::{Store, StoreError};

/// An outbox row may go out: it carries no file, or its file has its URL (uploaded).
const SENDABLE: &str = "(file IS NULL OR json_extract(file, '$.url') IS NOT NULL)";

impl Store {
    /// Moves a message's delivery state forward (never backwards: a late ack must not undo a
    /// receipt). `Failed` and a retry's `Pending` are explicit moves and always apply to
    /// messages not yet delivered. Returns true when the state changed.
    pub fn set_state(&self, id: i64, state: DeliveryState) -> Result<bool, StoreError> {
        let conn = self.conn();
        let current: Option<String> = conn
            .query_row("SELECT state FROM messages WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        let Some(current) = current.as_deref().and_then(DeliveryState::parse) else {
            return Ok(false);
        };
        let allowed = match state {
            DeliveryState::Failed | DeliveryState::Pending => {
                matches!(current, DeliveryState::Pending | DeliveryState::Failed)
                    && current != state
            }
            _ => state.rank() > current.rank(),
        };
        if allowed {
            conn.execute(
                "UPDATE messages SET state = ?2 WHERE id = ?1",
                params![id, state.as_str()],
            )?;
        }
        Ok(allowed)
    }

    /// A room refused our message: it failed, even when our server had acknowledged it (the
    /// ack says our server took it, the room's error that the room did not; a room answers for
    /// every occupant at once, so no other device of theirs can have it). Never once delivered
    /// or seen. Returns true when the state changed.
    pub fn bounce(&self, id: i64) -> Result<bool, StoreError> {
        Ok(self.conn().execute(
            "UPDATE messages SET state = 'failed' WHERE id = ?1 AND direction = 'out' \
             AND state IN ('pending', 'sent')",
            [id],
        )? > 0)
    }

    /// A room refused our message because it no longer had us (XEP-0045 §7.4): back in the
    /// outbox as never transmitted (the room did not take it, so it is not in doubt), to go
    /// again once we are back in. Returns true when the state changed.
    pub fn requeue(&self, id: i64) -> Result<bool, StoreError> {
        let conn = self.conn();
        let before: Option<String> = conn
            .query_row(
                "SELECT state FROM messages WHERE id = ?1 AND direction = 'out'",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        if !matches!(before.as_deref(), Some("pending" | "sent")) {
            return Ok(false);
        }
        conn.execute(
            "UPDATE messages SET state = 'pending', transmitted_at = NULL WHERE id = ?1",
            [id],
        )?;
        Ok(before.as_deref() == Some("sent"))
    }

    /// Our outgoing message in `peer`'s conversation with this origin-id (receipts refer to the
    /// stanza id, which Hallway sets equal to the origin-id).
    pub fn find_outgoing(
        &self,
        account: &str,
        peer: &str,
        origin_id: &str,
    ) -> Result<Option<i64>, StoreError> {
        let conn = self.conn();
        Ok(conn
            .query_row(
                "SELECT id FROM messages WHERE account = ?1 AND peer = ?2 AND origin_id = ?3 \
                 AND direction = 'out'",
                params![account, peer, origin_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The outbox: outgoing messages the server has not acknowledged, oldest first.
    pub fn pending(&self, account: &str) -> Result<Vec<Message>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM messages WHERE account = ?1 AND state = 'pending' ORDER BY id"
        ))?;
        let rows = stmt.query_map([account], row_to_message)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// The oldest outbox message of each conversation (what may go out next, one per contact).
    pub fn pending_heads(&self, account: &str) -> Result<Vec<Message>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM messages WHERE id IN (SELECT MIN(id) FROM messages \
             WHERE account = ?1 AND state = 'pending' AND {SENDABLE} GROUP BY peer) ORDER BY id"
        ))?;
        let rows = stmt.query_map([account], row_to_message)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// The oldest outbox message to one contact.
    pub fn pending_head(&self, account: &str, peer: &str) -> Result<Option<Message>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM messages WHERE account = ?1 AND state = 'pending' \
             AND peer = ?2 AND {SENDABLE} ORDER BY id LIMIT 1"
        ))?;
        let head = stmt
            .query_row(params![account, peer], row_to_message)
            .optional()?;
        Ok(head)
    }

    /// Records that an outbox row was handed to a stream now (`ms`).
    pub fn set_transmitted(&self, id: i64, ms: i64) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE messages SET transmitted_at = ?2 WHERE id = ?1",
            params![id, ms],
        )?;
        Ok(())
    }

    /// Outbox rows that were handed to a stream but never acknowledged (pending, with a
    /// transmission time): (message, when transmitted), oldest first. After a failed resumption
    /// the server may or may not have them.
    pub fn unacknowledged(&self, account: &str) -> Result<Vec<(Message, i64)>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS}, transmitted_at FROM messages WHERE account = ?1 \
             AND direction = 'out' AND state = 'pending' AND transmitted_at IS NOT NULL \
             ORDER BY id"
        ))?;
        let rows = stmt.query_map(params![account], |r| Ok((row_to_message(r)?, r.get(11)?)))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}
