//! Messages: insert with de-duplication, paging, delivery states, the outbox, unread counts and
//! full-text search.

use hallway_model::{Attachment, DeliveryState, Direction, Message, NewMessage, Placement};
use rusqlite::{params, OptionalExtension, Row};

use crate::{Store, StoreError};

/// Result of storing a message.
// Returned per insert and consumed at once, never kept in bulk: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inserted {
    /// New row.
    New(Message),
    /// Already stored (same origin-id from the same author, or same stanza-id): dropped.
    Duplicate(i64),
}

/// A search result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit {
    /// The message.
    pub message: Message,
    /// The body with matches wrapped in U+0002 / U+0003 markers (the UI turns them into marks,
    /// as text nodes, never HTML).
    pub snippet: String,
}

const COLUMNS: &str = "id, peer, direction, sender, body, ts, state, origin_id, edited, file";

/// An outbox row may go out: it carries no file, or its file has its URL (uploaded).
const SENDABLE: &str = "(file IS NULL OR json_extract(file, '$.url') IS NOT NULL)";

fn row_to_message(r: &Row<'_>) -> rusqlite::Result<Message> {
    let direction: String = r.get(2)?;
    let state: String = r.get(6)?;
    Ok(Message {
        id: r.get(0)?,
        peer: r.get(1)?,
        direction: if direction == "out" {
            Direction::Outgoing
        } else {
            Direction::Incoming
        },
        sender: r.get(3)?,
        body: r.get(4)?,
        timestamp: r.get(5)?,
        state: DeliveryState::parse(&state).unwrap_or(DeliveryState::Failed),
        origin_id: r.get(7)?,
        edited: r.get(8)?,
        attachment: r
            .get::<_, Option<String>>(9)?
            .and_then(|j| serde_json::from_str(&j).ok()),
    })
}

/// A body as stored: without U+0002 / U+0003, which search results use to mark matches (XML
/// cannot carry them, but text typed here could).
fn clean_body(body: &str) -> std::borrow::Cow<'_, str> {
    if body.contains(['\u{2}', '\u{3}']) {
        std::borrow::Cow::Owned(body.replace(['\u{2}', '\u{3}'], ""))
    } else {
        std::borrow::Cow::Borrowed(body)
    }
}

fn attachment_json(a: Option<&Attachment>) -> Option<String> {
    a.and_then(|a| serde_json::to_string(a).ok())
}

fn dir_str(d: Direction) -> &'static str {
    match d {
        Direction::Incoming => "in",
        Direction::Outgoing => "out",
    }
}

impl Store {
    /// Stores a message unless it is already there. Incoming messages count as unread.
    pub fn insert_message(&self, account: &str, m: &NewMessage) -> Result<Inserted, StoreError> {
        let conn = self.conn();
        Ok(insert_one(&conn, account, m)?.0)
    }

    /// Stores many messages in one transaction (MAM catch-up, storms); returns each outcome.
    pub fn insert_messages(
        &self,
        account: &str,
        batch: &[NewMessage],
    ) -> Result<Vec<Inserted>, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut out = Vec::with_capacity(batch.len());
        // `Below` items of one batch come newest first: each goes below the previous one.
        let mut below: Option<i64> = None;
        for m in batch {
            let (outcome, ord) = match (m.placement, below) {
                (Placement::Below(anchor), Some(running)) => insert_one(
                    &tx,
                    account,
                    &NewMessage {
                        placement: Placement::Below(anchor.min(running)),
                        ..m.clone()
                    },
                )?,
                _ => insert_one(&tx, account, m)?,
            };
            if let (Placement::Below(_), Inserted::New(_)) = (m.placement, &outcome) {
                below = Some(ord);
            }
            out.push(outcome);
        }
        tx.commit()?;
        Ok(out)
    }

    /// A page of a conversation, oldest first: the `limit` newest messages older than `before_id`
    /// (or the newest ones when `None`).
    pub fn history(
        &self,
        account: &str,
        peer: &str,
        before_id: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Message>, StoreError> {
        let conn = self.conn();
        let (ts, id) = cursor(&conn, before_id)?;
        older_than(&conn, account, peer, ts, id, limit)
    }

    /// The page of a conversation around message `id` (search results open there): up to
    /// `limit / 2` messages after it, it, and older ones to fill the page; oldest first.
    pub fn history_around(
        &self,
        account: &str,
        id: i64,
        limit: u32,
    ) -> Result<Vec<Message>, StoreError> {
        let conn = self.conn();
        let target: Option<(String, i64)> = conn
            .query_row(
                "SELECT peer, ord FROM messages WHERE id = ?1 AND account = ?2",
                params![id, account],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((peer, ts)) = target else {
            return Ok(Vec::new());
        };
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM messages WHERE account = ?1 AND peer = ?2 \
             AND (ord > ?3 OR (ord = ?3 AND id > ?4)) ORDER BY ord, id LIMIT ?5"
        ))?;
        let newer = stmt
            .query_map(params![account, peer, ts, id, limit / 2], row_to_message)?
            .collect::<Result<Vec<_>, _>>()?;
        let older_limit = limit.saturating_sub(newer.len() as u32).max(1);
        let mut page = older_than(&conn, account, &peer, ts, id.saturating_add(1), older_limit)?;
        page.extend(newer);
        Ok(page)
    }

    /// Archive id of the oldest message of a conversation that has one (older history is asked
    /// for as "the page before this id", XEP-0059).
    pub fn oldest_archive_id(
        &self,
        account: &str,
        peer: &str,
    ) -> Result<Option<String>, StoreError> {
        let conn = self.conn();
        Ok(conn
            .query_row(
                "SELECT stanza_id FROM messages WHERE account = ?1 AND peer = ?2 \
                 AND stanza_id IS NOT NULL ORDER BY ord, id LIMIT 1",
                params![account, peer],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The first message (in conversation order) with an archive id among the rows stored from
    /// `first_row_id` on (a gap is filled backwards from there): its archive id and its place
    /// (`ord`, for `Placement::Below`).
    pub fn oldest_archived_since(
        &self,
        account: &str,
        peer: &str,
        first_row_id: i64,
    ) -> Result<Option<(String, i64)>, StoreError> {
        let conn = self.conn();
        Ok(conn
            .query_row(
                "SELECT stanza_id, ord FROM messages WHERE account = ?1 AND peer = ?2 AND id >= ?3 \
                 AND stanza_id IS NOT NULL ORDER BY ord, id LIMIT 1",
                params![account, peer, first_row_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// The archive id of the message at this place of a conversation (a gap fill's anchor).
    pub fn archived_at(
        &self,
        account: &str,
        peer: &str,
        ord: i64,
    ) -> Result<Option<String>, StoreError> {
        let conn = self.conn();
        Ok(conn
            .query_row(
                "SELECT stanza_id FROM messages WHERE account = ?1 AND peer = ?2 AND ord = ?3 \
                 AND stanza_id IS NOT NULL LIMIT 1",
                params![account, peer, ord],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The local row of a message the archive holds under `archive_id`: stored with that stanza
    /// id, or (messages stored before the server named them, e.g. our own) with that origin-id
    /// from the same author in the same conversation (an author can only collide with
    /// themselves).
    pub fn find_archived(
        &self,
        account: &str,
        peer: &str,
        archive_id: &str,
        origin_id: Option<&str>,
    ) -> Result<Option<i64>, StoreError> {
        let conn = self.conn();
        // Two lookups, each on its unique index (an OR would scan the conversation).
        let by_stanza_id = conn
            .prepare_cached(
                "SELECT id FROM messages WHERE account = ?1 AND stanza_id = ?2 AND peer = ?3",
            )?
            .query_row(params![account, archive_id, peer], |r| r.get(0))
            .optional()?;
        if by_stanza_id.is_some() {
            return Ok(by_stanza_id);
        }
        let Some(origin_id) = origin_id else {
            return Ok(None);
        };
        let by_origin_id = conn
            .prepare_cached(
                "SELECT id FROM messages WHERE account = ?1 AND peer = ?2 AND origin_id = ?3 \
                 AND sender = CASE direction WHEN 'out' THEN ?1 ELSE ?2 END",
            )?
            .query_row(params![account, peer, origin_id], |r| r.get(0))
            .optional();
        Ok(by_origin_id?)
    }

    /// Time of the oldest message of a conversation (archive queries for older history end there).
    pub fn oldest_time(&self, account: &str, peer: &str) -> Result<Option<i64>, StoreError> {
        let conn = self.conn();
        Ok(conn.query_row(
            "SELECT MIN(ts) FROM messages WHERE account = ?1 AND peer = ?2",
            params![account, peer],
            |r| r.get(0),
        )?)
    }

    /// One message by row id.
    pub fn message(&self, id: i64) -> Result<Option<Message>, StoreError> {
        let conn = self.conn();
        Ok(conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM messages WHERE id = ?1"),
                [id],
                row_to_message,
            )
            .optional()?)
    }

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
        let conn = self.conn();
        let target: Option<(i64, i64)> = conn
            .query_row(
                "SELECT ord, id FROM messages WHERE account = ?1 AND peer = ?2 AND direction = 'in' \
                 AND (xml_id = ?3 OR origin_id = ?3 OR stanza_id = ?3) LIMIT 1",
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

    /// Applies a XEP-0308 correction: `sender`'s message in `peer`'s conversation with stanza id
    /// (or origin-id) `replaced_id` gets `body`. Only the original author's message matches, so
    /// nobody can rewrite someone else's words. `None` when there is no such message.
    pub fn correct_message(
        &self,
        account: &str,
        peer: &str,
        sender: &str,
        replaced_id: &str,
        body: &str,
    ) -> Result<Option<Message>, StoreError> {
        let conn = self.conn();
        let id: Option<i64> = conn
            .query_row(
                "SELECT id FROM messages WHERE account = ?1 AND peer = ?2 AND sender = ?3 \
                 AND (xml_id = ?4 OR origin_id = ?4) ORDER BY id LIMIT 1",
                params![account, peer, sender, replaced_id],
                |r| r.get(0),
            )
            .optional()?;
        let Some(id) = id else {
            return Ok(None);
        };
        conn.execute(
            "UPDATE messages SET body = ?2, edited = 1 WHERE id = ?1",
            params![id, clean_body(body)],
        )?;
        drop(conn);
        self.message(id)
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
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT peer, COUNT(*) FROM messages WHERE account = ?1 AND unread = 1 GROUP BY peer",
        )?;
        let rows = stmt.query_map([account], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Number of messages stored for an account (tests, diagnostics).
    pub fn count_messages(&self, account: &str) -> Result<u64, StoreError> {
        let conn = self.conn();
        Ok(conn.query_row(
            "SELECT COUNT(*) FROM messages WHERE account = ?1",
            [account],
            |r| r.get(0),
        )?)
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
        let rows = stmt.query_map(params![account], |r| Ok((row_to_message(r)?, r.get(10)?)))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Keeps only the `keep` newest incoming messages of the conversation with `peer` (a
    /// stranger's quota: someone outside the roster cannot fill the disk); what we wrote stays.
    /// Returns how many were dropped.
    pub fn trim_conversation(
        &self,
        account: &str,
        peer: &str,
        keep: u32,
    ) -> Result<usize, StoreError> {
        Ok(self.conn().execute(
            "DELETE FROM messages WHERE account = ?1 AND peer = ?2 AND direction = 'in' \
             AND id NOT IN (SELECT id FROM messages WHERE account = ?1 AND peer = ?2 \
             AND direction = 'in' ORDER BY ord DESC, id DESC LIMIT ?3)",
            params![account, peer, keep],
        )?)
    }

    /// Full-text search over every conversation of the account, newest first. The query is the
    /// user's words: each becomes a prefix term; quoted parts stay phrases. FTS5 syntax typed by
    /// the user is neutralised, so no input is an error.
    pub fn search(
        &self,
        account: &str,
        query: &str,
        limit: u32,
    ) -> Result<Vec<SearchHit>, StoreError> {
        let Some(fts) = fts_query(query) else {
            return Ok(Vec::new());
        };
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT m.id, m.peer, m.direction, m.sender, m.body, m.ts, m.state, m.origin_id, \
             m.edited, m.file, highlight(messages_fts, 0, char(2), char(3)) \
             FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid \
             WHERE messages_fts MATCH ?1 AND m.account = ?2 ORDER BY messages_fts.rowid DESC LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![fts, account, limit], |r| {
            Ok(SearchHit {
                message: row_to_message(r)?,
                snippet: r.get(10)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}

/// `(ts, id)` of the paging cursor; no cursor = after everything.
fn cursor(conn: &rusqlite::Connection, before_id: Option<i64>) -> Result<(i64, i64), StoreError> {
    let Some(id) = before_id else {
        return Ok((i64::MAX, i64::MAX));
    };
    let ts: Option<i64> = conn
        .query_row("SELECT ord FROM messages WHERE id = ?1", [id], |r| r.get(0))
        .optional()?;
    Ok((ts.unwrap_or(i64::MAX), id))
}

/// Room left between an appended row and the one before it (in `ord` units, µs): the most rows
/// a later gap fill can place between them.
const APPEND_ROOM: i64 = 1_000_000;

/// The `limit` newest messages strictly before `(ts, id)` in time order, returned oldest first.
fn older_than(
    conn: &rusqlite::Connection,
    account: &str,
    peer: &str,
    ts: i64,
    id: i64,
    limit: u32,
) -> Result<Vec<Message>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM messages WHERE account = ?1 AND peer = ?2 \
         AND (ord < ?3 OR (ord = ?3 AND id < ?4)) ORDER BY ord DESC, id DESC LIMIT ?5"
    ))?;
    let rows = stmt.query_map(params![account, peer, ts, id, limit], row_to_message)?;
    let mut page = rows.collect::<Result<Vec<_>, _>>()?;
    page.reverse();
    Ok(page)
}

fn insert_one(
    conn: &rusqlite::Connection,
    account: &str,
    m: &NewMessage,
) -> Result<(Inserted, i64), StoreError> {
    if let Some(sid) = &m.stanza_id {
        let existing: Option<i64> = conn
            .query_row(
                "SELECT id FROM messages WHERE account = ?1 AND stanza_id = ?2",
                params![account, sid],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(id) = existing {
            return Ok((Inserted::Duplicate(id), 0));
        }
    }
    let existing: Option<i64> = conn
        .query_row(
            "SELECT id FROM messages WHERE account = ?1 AND peer = ?2 AND sender = ?3 AND origin_id = ?4",
            params![account, m.peer, m.sender, m.origin_id],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = existing {
        // Learn the server's stanza-id for a message we knew only by origin-id (our own echo).
        if let Some(sid) = &m.stanza_id {
            conn.execute(
                "UPDATE messages SET stanza_id = ?2 WHERE id = ?1 AND stanza_id IS NULL",
                params![id, sid],
            )?;
        }
        return Ok((Inserted::Duplicate(id), 0));
    }
    let unread = m.direction == Direction::Incoming;
    let ts = m.timestamp;
    let body = clean_body(&m.body);
    // Conversation order: the stamp in µs, moved where the placement says (see `Placement`).
    let mut ord = ts.saturating_mul(1000);
    match m.placement {
        Placement::Append => {
            let newest: Option<i64> = conn
                .prepare_cached("SELECT MAX(ord) FROM messages WHERE account = ?1 AND peer = ?2")?
                .query_row(params![account, m.peer], |r| r.get(0))?;
            // At least a second's worth of µs above the newest: a bounded catch-up appends its
            // rows here, and the gap it leaves below them is filled later with `Below`, one
            // step down per row. Archive stamps are whole seconds, so the catch-up's rows may be
            // stamped before the row they follow; without the room, a gap fill would run past it.
            if let Some(newest) = newest {
                ord = ord.max(newest + APPEND_ROOM);
            }
        }
        Placement::Prepend => {
            let oldest: Option<i64> = conn
                .prepare_cached("SELECT MIN(ord) FROM messages WHERE account = ?1 AND peer = ?2")?
                .query_row(params![account, m.peer], |r| r.get(0))?;
            if let Some(oldest) = oldest {
                ord = ord.min(oldest - 1);
            }
        }
        // Archive order is the truth inside a gap (stamps are whole seconds): right below.
        Placement::Below(anchor) => ord = anchor - 1,
    }
    conn.prepare_cached(
        "INSERT INTO messages (account, peer, direction, sender, body, ts, state, origin_id, \
         stanza_id, unread, xml_id, markable, ord, wants_receipt, file) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?
    .execute(params![
        account,
        m.peer,
        dir_str(m.direction),
        m.sender,
        body,
        ts,
        m.state.as_str(),
        m.origin_id,
        m.stanza_id,
        unread,
        m.stanza_xml_id,
        m.markable,
        ord,
        m.wants_receipt,
        attachment_json(m.attachment.as_ref())
    ])?;
    let id = conn.last_insert_rowid();
    let message = Message {
        id,
        peer: m.peer.clone(),
        direction: m.direction,
        sender: m.sender.clone(),
        body: body.into_owned(),
        timestamp: ts,
        state: m.state,
        origin_id: m.origin_id.clone(),
        edited: false,
        attachment: m.attachment.clone(),
    };
    Ok((Inserted::New(message), ord))
}

/// Turns user words into a safe FTS5 query: `"quoted phrase"` stays a phrase, every other word
/// becomes a quoted prefix term (`"word"*`), so operators and stray quotes cannot break the query.
pub(crate) fn fts_query(input: &str) -> Option<String> {
    let mut terms = Vec::new();
    let mut rest = input;
    while let Some(start) = rest.find('"') {
        words(&rest[..start], &mut terms);
        let after = &rest[start + 1..];
        match after.find('"') {
            Some(end) => {
                let phrase: String = after[..end]
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                if !phrase.is_empty() {
                    terms.push(format!("\"{}\"", phrase.replace('"', "")));
                }
                rest = &after[end + 1..];
            }
            None => {
                rest = after;
            }
        }
    }
    words(rest, &mut terms);
    if terms.is_empty() {
        None
    } else {
        Some(terms.join(" "))
    }
}

fn words(s: &str, terms: &mut Vec<String>) {
    for w in s.split(|c: char| !c.is_alphanumeric() && c != '_' && c != '\'') {
        let w = w.trim_matches('\'');
        if !w.is_empty() {
            terms.push(format!("\"{}\"*", w));
        }
    }
}
