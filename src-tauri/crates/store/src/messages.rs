//! Messages: insert with de-duplication (same author and origin-id, or same stanza-id), the
//! conversation order (`ord`, see `Placement`), paging, corrections, and a stranger's quota.
//! Outbox states, read state, search, attachments and archive bookkeeping have files of their
//! own.

use hallway_model::{DeliveryState, Direction, Message, NewMessage, Placement};
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

pub(crate) const COLUMNS: &str =
    "id, peer, direction, sender, body, ts, state, origin_id, edited, file, mention";

pub(crate) fn row_to_message(r: &Row<'_>) -> rusqlite::Result<Message> {
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
        mention: r.get(10)?,
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

    /// Number of messages stored for an account (tests, diagnostics).
    pub fn count_messages(&self, account: &str) -> Result<u64, StoreError> {
        let conn = self.conn();
        Ok(conn.query_row(
            "SELECT COUNT(*) FROM messages WHERE account = ?1",
            [account],
            |r| r.get(0),
        )?)
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
                "SELECT id FROM messages WHERE account = ?1 AND peer = ?2 AND stanza_id = ?3",
                params![account, m.peer, sid],
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
        crate::attachments::attachment_json(m.attachment.as_ref())
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
        mention: false,
    };
    Ok((Inserted::New(message), ord))
}
