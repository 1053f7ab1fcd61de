//! Bookkeeping for the server archive (XEP-0313): the newest archive id held per account, the
//! gaps a bounded catch-up leaves, how far each conversation's share of a gap has been filled,
//! and conversations whose history is complete back to the archive's start. A room's archive is
//! its own (XEP-0313 against the room's JID): its gaps are the room's alone, and its newest id is
//! the newest room stanza-id we hold.

use rusqlite::{params, OptionalExtension};

use crate::{Store, StoreError};

/// A stretch of one conversation's history that the archive has and we do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gap {
    /// Gap row.
    pub id: i64,
    /// Oldest edge (ms): the newest message we held before the catch-up.
    pub start_ts: i64,
    /// Newest edge still missing for this conversation (ms).
    pub end_ts: i64,
    /// Place (`ord`) of the oldest message already filled into it, if any.
    pub anchor_ord: Option<i64>,
    /// First message row stored by the catch-up that left the gap.
    pub first_row_id: i64,
}

impl Store {
    /// The highest message row id so far (0 when empty).
    pub fn last_message_row(&self) -> Result<i64, StoreError> {
        let conn = self.conn();
        Ok(
            conn.query_row("SELECT COALESCE(MAX(id), 0) FROM messages", [], |r| {
                r.get(0)
            })?,
        )
    }

    /// Newest archive id (and its time) we hold for the account.
    pub fn archive_newest(&self, account: &str) -> Result<Option<(String, i64)>, StoreError> {
        let conn = self.conn();
        Ok(conn
            .query_row(
                "SELECT newest_id, newest_ts FROM archive_sync WHERE account = ?1",
                [account],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// Records a newer archive id (ignored when `ts` is older than the one held).
    pub fn set_archive_newest(&self, account: &str, id: &str, ts: i64) -> Result<(), StoreError> {
        let conn = self.conn();
        conn.prepare_cached(
            "INSERT INTO archive_sync (account, newest_id, newest_ts) VALUES (?1, ?2, ?3) \
             ON CONFLICT(account) DO UPDATE SET newest_id = excluded.newest_id, \
             newest_ts = excluded.newest_ts WHERE excluded.newest_ts >= archive_sync.newest_ts",
        )?
        .execute(params![account, id, ts])?;
        Ok(())
    }

    /// Remembers that the archive holds messages between `start_ts` and `end_ts` we skipped;
    /// the catch-up that skipped them stored rows from `first_row_id` on. A gap is never empty:
    /// the end is kept after the start even when clocks or whole-second stamps say otherwise.
    pub fn add_archive_gap(
        &self,
        account: &str,
        start_ts: i64,
        end_ts: i64,
        first_row_id: i64,
    ) -> Result<i64, StoreError> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO archive_gaps (account, start_ts, end_ts, first_row_id) \
             VALUES (?1, ?2, ?3, ?4)",
            params![account, start_ts, end_ts.max(start_ts + 1), first_row_id],
        )?;
        Ok(conn.last_insert_rowid())
    }

    /// Remembers that `room`'s own archive holds messages between `start_ts` and `end_ts` that
    /// its catch-up skipped (it stored rows from `first_row_id` on).
    pub fn add_room_archive_gap(
        &self,
        account: &str,
        room: &str,
        start_ts: i64,
        end_ts: i64,
        first_row_id: i64,
    ) -> Result<i64, StoreError> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO archive_gaps (account, peer, start_ts, end_ts, first_row_id) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                account,
                room,
                start_ts,
                end_ts.max(start_ts + 1),
                first_row_id
            ],
        )?;
        Ok(conn.last_insert_rowid())
    }

    /// The newest archive id (and its time) we hold from `room`'s own archive.
    pub fn room_archive_newest(
        &self,
        account: &str,
        room: &str,
    ) -> Result<Option<(String, i64)>, StoreError> {
        let conn = self.conn();
        let newest = conn
            .prepare_cached(
                "SELECT stanza_id, ts FROM messages WHERE account = ?1 AND peer = ?2 \
                 AND stanza_id IS NOT NULL ORDER BY ord DESC, id DESC LIMIT 1",
            )?
            .query_row(params![account, room], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        Ok(newest)
    }

    /// The gaps still open for `peer`'s conversation that overlap `[from_ts, to_ts]`, newest
    /// first, each cut down to what this conversation still misses.
    pub fn archive_gaps(
        &self,
        account: &str,
        peer: &str,
        from_ts: i64,
        to_ts: i64,
    ) -> Result<Vec<Gap>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT g.id, g.start_ts, COALESCE(f.remaining_end_ts, g.end_ts) AS end_ts, \
             f.anchor_ord, g.first_row_id \
             FROM archive_gaps g LEFT JOIN archive_gap_fills f ON f.gap_id = g.id AND f.peer = ?2 \
             WHERE g.account = ?1 AND (g.peer = ?2 OR (g.peer IS NULL AND NOT EXISTS \
             (SELECT 1 FROM rooms r WHERE r.account = ?1 AND r.room = ?2))) AND COALESCE(f.remaining_end_ts, g.end_ts) > g.start_ts \
             AND COALESCE(f.remaining_end_ts, g.end_ts) >= ?3 AND g.start_ts <= ?4 \
             ORDER BY end_ts DESC",
        )?;
        let rows = stmt.query_map(params![account, peer, from_ts, to_ts], |r| {
            Ok(Gap {
                id: r.get(0)?,
                start_ts: r.get(1)?,
                end_ts: r.get(2)?,
                anchor_ord: r.get(3)?,
                first_row_id: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Records that `peer`'s share of gap `gap_id` is now filled from its end down to
    /// `remaining_end_ts` (== the gap's start: filled).
    pub fn fill_archive_gap(
        &self,
        gap_id: i64,
        peer: &str,
        remaining_end_ts: i64,
        anchor_ord: Option<i64>,
    ) -> Result<(), StoreError> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO archive_gap_fills (gap_id, peer, remaining_end_ts, anchor_ord) \
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT(gap_id, peer) DO UPDATE SET \
             remaining_end_ts = MIN(remaining_end_ts, excluded.remaining_end_ts), \
             anchor_ord = COALESCE(MIN(anchor_ord, excluded.anchor_ord), excluded.anchor_ord)",
            params![gap_id, peer, remaining_end_ts, anchor_ord],
        )?;
        Ok(())
    }

    /// Whether `peer`'s local history already reaches the start of the server archive.
    pub fn archive_complete(&self, account: &str, peer: &str) -> Result<bool, StoreError> {
        let conn = self.conn();
        Ok(conn
            .query_row(
                "SELECT 1 FROM archive_complete WHERE account = ?1 AND peer = ?2",
                params![account, peer],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Marks `peer`'s history complete back to the start of the archive.
    pub fn set_archive_complete(&self, account: &str, peer: &str) -> Result<(), StoreError> {
        let conn = self.conn();
        conn.execute(
            "INSERT OR IGNORE INTO archive_complete (account, peer) VALUES (?1, ?2)",
            params![account, peer],
        )?;
        Ok(())
    }
}

impl Store {
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
}
