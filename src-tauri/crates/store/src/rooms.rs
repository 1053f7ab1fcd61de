//! Rooms (XEP-0045) this account is in: our nickname, the name, subject and notification
//! setting, and whether we still want to be in it. Their messages are ordinary rows of
//! `messages` (the room's bare JID as `peer`).

use hallway_model::RoomNotify;
use rusqlite::{params, OptionalExtension};

use crate::{Store, StoreError};

/// A room as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRoom {
    /// The room's bare JID.
    pub room: String,
    /// Its name, when known.
    pub name: Option<String>,
    /// Our nickname in it.
    pub nick: String,
    /// Joined again by itself after a restart.
    pub autojoin: bool,
    /// When its messages notify.
    pub notify: RoomNotify,
    /// Its subject, when known.
    pub subject: Option<String>,
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredRoom> {
    Ok(StoredRoom {
        room: r.get(0)?,
        name: r.get(1)?,
        nick: r.get(2)?,
        autojoin: r.get(3)?,
        notify: RoomNotify::parse(&r.get::<_, String>(4)?),
        subject: r.get(5)?,
    })
}

const COLUMNS: &str = "room, name, nick, autojoin, notify, subject";

impl Store {
    /// Records that we are in (or joining) `room` with `nick`; a room left earlier is ours again
    /// (its notification setting kept). `name`: replaces the stored one when given.
    pub fn join_room(
        &self,
        account: &str,
        room: &str,
        nick: &str,
        name: Option<&str>,
        autojoin: bool,
    ) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO rooms (account, room, name, nick, autojoin) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (account, room) DO UPDATE SET nick = excluded.nick,
               name = COALESCE(excluded.name, name), autojoin = excluded.autojoin, joined = 1",
            params![account, room, name, nick, autojoin],
        )?;
        Ok(())
    }

    /// We left `room`: it is no longer listed or joined; its history stays.
    pub fn leave_room(&self, account: &str, room: &str) -> Result<bool, StoreError> {
        Ok(self.conn().execute(
            "UPDATE rooms SET joined = 0 WHERE account = ?1 AND room = ?2 AND joined = 1",
            params![account, room],
        )? > 0)
    }

    /// The rooms we are in, by name.
    pub fn rooms(&self, account: &str) -> Result<Vec<StoredRoom>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM rooms WHERE account = ?1 AND joined = 1 \
             ORDER BY COALESCE(name, room) COLLATE NOCASE, room"
        ))?;
        let rows = stmt.query_map([account], row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// One room we are in.
    pub fn room(&self, account: &str, room: &str) -> Result<Option<StoredRoom>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                &format!(
                    "SELECT {COLUMNS} FROM rooms WHERE account = ?1 AND room = ?2 AND joined = 1"
                ),
                params![account, room],
                row,
            )
            .optional()?)
    }

    /// Whether `peer` is a room (joined now or in the past): its messages are a room's.
    pub fn is_room(&self, account: &str, peer: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT 1 FROM rooms WHERE account = ?1 AND room = ?2",
                params![account, peer],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// `room` is caught up to `at` (ms): everything before is here.
    pub fn set_room_caught_up(&self, account: &str, room: &str, at: i64) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE rooms SET caught_up_at = ?3 WHERE account = ?1 AND room = ?2",
            params![account, room, at],
        )?;
        Ok(())
    }

    /// When `room` was last caught up (ms), if ever.
    pub fn room_caught_up(&self, account: &str, room: &str) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT caught_up_at FROM rooms WHERE account = ?1 AND room = ?2",
                params![account, room],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }

    /// A room's name, subject or nickname changed (what the room or a bookmark said).
    pub fn update_room(
        &self,
        account: &str,
        room: &str,
        name: Option<&str>,
        subject: Option<Option<&str>>,
        nick: Option<&str>,
    ) -> Result<(), StoreError> {
        let conn = self.conn();
        if let Some(name) = name {
            conn.execute(
                "UPDATE rooms SET name = ?3 WHERE account = ?1 AND room = ?2",
                params![account, room, name],
            )?;
        }
        if let Some(subject) = subject {
            conn.execute(
                "UPDATE rooms SET subject = ?3 WHERE account = ?1 AND room = ?2",
                params![account, room, subject],
            )?;
        }
        if let Some(nick) = nick {
            conn.execute(
                "UPDATE rooms SET nick = ?3 WHERE account = ?1 AND room = ?2",
                params![account, room, nick],
            )?;
        }
        Ok(())
    }

    /// Sets when a room's messages notify.
    pub fn set_room_notify(
        &self,
        account: &str,
        room: &str,
        notify: RoomNotify,
    ) -> Result<bool, StoreError> {
        Ok(self.conn().execute(
            "UPDATE rooms SET notify = ?3 WHERE account = ?1 AND room = ?2",
            params![account, room, notify.as_str()],
        )? > 0)
    }

    /// Time (ms) of the newest message of a conversation: a room without an archive is asked
    /// for its history since then (XEP-0045 §7.2.14).
    pub fn newest_time(&self, account: &str, peer: &str) -> Result<Option<i64>, StoreError> {
        Ok(self.conn().query_row(
            "SELECT MAX(ts) FROM messages WHERE account = ?1 AND peer = ?2",
            params![account, peer],
            |r| r.get(0),
        )?)
    }
}
