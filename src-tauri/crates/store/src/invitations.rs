//! Invitations to rooms waiting for the user's answer (XEP-0249, XEP-0045 §7.8.2): one per room,
//! the newest kept, at most `MAX_INVITATIONS` per account (anyone can send them).

use rusqlite::params;

use crate::{Store, StoreError};

/// Most invitations kept per account; the oldest go first.
pub const MAX_INVITATIONS: usize = 50;

/// An invitation as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct StoredInvitation {
    pub room: String,
    pub inviter: String,
    pub reason: Option<String>,
    pub mediated: bool,
    pub received_at: i64,
}

impl Store {
    /// Keeps an invitation to `room` (replacing an older one to the same room).
    pub fn add_invitation(&self, account: &str, inv: &StoredInvitation) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO room_invitations (account, room, inviter, reason, mediated, received_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (account, room) DO UPDATE SET \
             inviter = excluded.inviter, reason = excluded.reason, mediated = excluded.mediated, \
             received_at = excluded.received_at",
            params![
                account,
                inv.room,
                inv.inviter,
                inv.reason,
                inv.mediated,
                inv.received_at
            ],
        )?;
        tx.execute(
            "DELETE FROM room_invitations WHERE account = ?1 AND room NOT IN (SELECT room FROM \
             room_invitations WHERE account = ?1 ORDER BY received_at DESC, room LIMIT ?2)",
            params![account, MAX_INVITATIONS as i64],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The invitations waiting, newest first.
    pub fn invitations(&self, account: &str) -> Result<Vec<StoredInvitation>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT room, inviter, reason, mediated, received_at FROM room_invitations \
             WHERE account = ?1 ORDER BY received_at DESC, room",
        )?;
        let rows = stmt.query_map([account], |r| {
            Ok(StoredInvitation {
                room: r.get(0)?,
                inviter: r.get(1)?,
                reason: r.get(2)?,
                mediated: r.get(3)?,
                received_at: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Forgets the invitation to `room` (joined or declined); returns it.
    pub fn take_invitation(
        &self,
        account: &str,
        room: &str,
    ) -> Result<Option<StoredInvitation>, StoreError> {
        let found = self
            .invitations(account)?
            .into_iter()
            .find(|i| i.room == room);
        self.conn().execute(
            "DELETE FROM room_invitations WHERE account = ?1 AND room = ?2",
            params![account, room],
        )?;
        Ok(found)
    }
}
