//! Rooms (XEP-0045 group chat): the `Rooms` service (join, create, browse, leave, the room
//! list, occupants, notification setting) and, for the session, the part that keeps us in them (`joined.rs`).
//! Rooms are kept in XEP-0402 bookmarks with autojoin, so every device of ours joins the same
//! ones. Messages to a room are written and sent like a chat's (`Conversations::send_message`
//! with the room's address): the outbox holds them until the room has us.

mod directory;
mod invitations;
pub(crate) mod joined;
mod moderation;

use std::sync::Arc;

use hallway_model::{
    parse_bare_jid, Affiliation, Occupant, Password, Role, Room, RoomNotify, RoomPhase,
};
use hallway_protocol::xep0045_muc_owner::RoomSettings;
use hallway_protocol::xep0402_bookmarks::{self, Bookmark};
use hallway_protocol::BareJid;

use crate::account::Account;
use crate::live::{Command, RequestError, RoomsCommand};
use crate::CoreError;

/// How long a room we create may take to be entered before it is bookmarked anyway (×100 ms).
const ENTER_WAIT_STEPS: usize = 150;
/// Longest room password we send (characters).
const MAX_ROOM_PASSWORD: usize = 256;
/// Longest reason the user may give (characters).
const MAX_REASON: usize = 500;
/// Longest nickname we let the user pick (characters).
const MAX_NICK: usize = 64;

/// The rooms of one account.
pub struct Rooms {
    acc: Arc<Account>,
    /// The server's room service, once found (per account).
    service: tokio::sync::Mutex<Option<(String, Option<hallway_protocol::Jid>)>>,
}

impl Rooms {
    pub(crate) fn new(acc: Arc<Account>) -> Self {
        Self {
            acc,
            service: tokio::sync::Mutex::new(None),
        }
    }

    /// Our rooms: live from the session, else as stored (left until a session joins them).
    pub async fn list(&self) -> Result<Vec<Room>, CoreError> {
        let account = self.acc.require()?;
        if let Ok(rooms) = self.ask(RoomsCommand::List).await {
            return Ok(rooms);
        }
        Ok(self
            .acc
            .store
            .rooms(&account)?
            .into_iter()
            .map(|r| Room {
                name: r
                    .name
                    .unwrap_or_else(|| r.room.split('@').next().unwrap_or("").to_string()),
                room: r.room,
                nick: r.nick,
                phase: RoomPhase::Left,
                subject: r.subject,
                notify: r.notify,
                autojoin: r.autojoin,
                role: Role::None,
                affiliation: Affiliation::None,
            })
            .collect())
    }

    /// Who is in `room` now (empty while we are not in it).
    pub async fn occupants(&self, room: &str) -> Result<Vec<Occupant>, CoreError> {
        let room = room.to_string();
        Ok(self
            .ask(|tx| RoomsCommand::Occupants(room, tx))
            .await
            .unwrap_or_default())
    }

    /// **Join**: enters the room at `address` as `nick`, keeps it (joined again after a
    /// restart) and bookmarks it (XEP-0402, autojoin) so our other devices join it too. The
    /// outcome shows in the room list (`RoomsChanged`: joined, or refused and why).
    pub async fn join_room(&self, address: &str, nick: &str) -> Result<Room, CoreError> {
        self.join_room_with_password(address, nick, None).await
    }

    /// **Join** with the password the room asked for (XEP-0045 §7.2.6); it is kept for this run
    /// only (never stored, never in the bookmark).
    pub async fn join_room_with_password(
        &self,
        address: &str,
        nick: &str,
        password: Option<Password>,
    ) -> Result<Room, CoreError> {
        self.acc.require()?;
        let room = parse_room(address)?;
        let nick = check_nick(&room, nick)?;
        let password = password.filter(|p| !p.is_empty());
        if password
            .as_ref()
            .is_some_and(|p| p.expose().chars().count() > MAX_ROOM_PASSWORD)
        {
            return Err(CoreError::InvalidInput(format!(
                "A room password is at most {MAX_ROOM_PASSWORD} characters."
            )));
        }
        self.enter(room, nick, None, None, password).await
    }

    /// Joins `room` (created with `create` when it does not exist yet), keeps it and bookmarks
    /// it for our other devices.
    async fn enter(
        &self,
        room: BareJid,
        nick: &str,
        name: Option<String>,
        create: Option<RoomSettings>,
        password: Option<Password>,
    ) -> Result<Room, CoreError> {
        let account = self.acc.require()?;
        let creating = create.is_some();
        let existing = self.acc.store.room(&account, room.as_str())?;
        let name = name.or_else(|| existing.as_ref().and_then(|r| r.name.clone()));
        self.acc
            .store
            .join_room(&account, room.as_str(), nick, name.as_deref(), true)?;
        self.acc.session.send(Command::Rooms(RoomsCommand::Join {
            room: room.to_string(),
            nick: nick.to_string(),
            name: name.clone(),
            create,
            password,
        }))?;
        let bookmark = Bookmark {
            room: room.clone(),
            name: name.clone(),
            autojoin: true,
            nick: Some(nick.to_string()),
            password: None,
            extensions: None,
        };
        if creating {
            // Our other devices join what the bookmark names at once: a room still locked for
            // its settings (§10.1) would refuse them, or one of them would create it without.
            self.wait_entered(room.as_str()).await;
        }
        if let Err(e) = self.publish_bookmark(&bookmark).await {
            // The room is joined and kept here either way; only other devices miss it.
            tracing::warn!("could not bookmark {room}: {e}");
        }
        Ok(Room {
            name: name.unwrap_or_else(|| room.node().map(|n| n.to_string()).unwrap_or_default()),
            room: room.to_string(),
            nick: nick.to_string(),
            phase: RoomPhase::Joining,
            subject: existing.and_then(|r| r.subject),
            notify: RoomNotify::default(),
            autojoin: true,
            role: Role::None,
            affiliation: Affiliation::None,
        })
    }

    /// **Leave**: out of the room now and on every device (the bookmark goes); its history
    /// stays here. Asks nothing.
    pub async fn leave_room(&self, room: &str) -> Result<(), CoreError> {
        let account = self.acc.require()?;
        let room = parse_room(room)?;
        self.acc.store.leave_room(&account, room.as_str())?;
        let _ = self
            .acc
            .session
            .send(Command::Rooms(RoomsCommand::Leave(room.to_string())));
        let iq = xep0402_bookmarks::retract(&hallway_protocol::new_id(), &room);
        match self.acc.session.ask_raw(iq).await {
            Ok(Ok(_)) => {}
            // No bookmark to remove (the server lacks XEP-0402, or it was never published).
            Ok(Err(RequestError::Refused(c, text))) => {
                tracing::info!("no bookmark of {room} removed: {c} {text:?}")
            }
            Ok(Err(e)) => tracing::warn!("could not remove the bookmark of {room}: {e:?}"),
            Err(e) => tracing::warn!("could not remove the bookmark of {room}: {e}"),
        }
        Ok(())
    }

    /// When a room's messages notify: all, mentions of us, or nothing.
    pub async fn set_room_notify(&self, room: &str, notify: RoomNotify) -> Result<(), CoreError> {
        let account = self.acc.require()?;
        let room = parse_room(room)?;
        if !self
            .acc
            .store
            .set_room_notify(&account, room.as_str(), notify)?
        {
            return Err(CoreError::InvalidInput("You are not in this room.".into()));
        }
        let _ = self
            .acc
            .session
            .send(Command::Rooms(RoomsCommand::SetNotify(
                room.to_string(),
                notify,
            )));
        Ok(())
    }

    /// XEP-0402 §3: publish with its options; a server that refuses `pubsub#max_items` or
    /// `send_last_published_item` (ejabberd 23.01: resource-constraint) gets the options it
    /// knows (still private, still kept).
    async fn publish_bookmark(&self, b: &Bookmark) -> Result<(), CoreError> {
        let iq = xep0402_bookmarks::publish(&hallway_protocol::new_id(), b);
        match self.acc.session.ask_raw(iq).await? {
            Ok(_) => Ok(()),
            Err(RequestError::Refused(condition, _)) if condition != "Forbidden" => {
                tracing::info!("bookmark options refused ({condition}); the compatible ones");
                let iq = xep0402_bookmarks::publish_compatible(&hallway_protocol::new_id(), b);
                self.acc.session.ask("Bookmarking", iq).await?;
                let iq = xep0402_bookmarks::compatible_node_settings(&hallway_protocol::new_id());
                if let Err(e) = self.acc.session.ask("Bookmark settings", iq).await {
                    tracing::warn!("bookmark node not set to keep every room: {e}");
                }
                Ok(())
            }
            Err(e) => Err(crate::live::client::refused("Bookmarking", e)),
        }
    }

    /// Waits (a while) until the session is in `room` or was refused.
    async fn wait_entered(&self, room: &str) {
        for _ in 0..ENTER_WAIT_STEPS {
            match self.ask(RoomsCommand::List).await {
                Ok(rooms)
                    if rooms.iter().any(|r| {
                        r.room == room
                            && matches!(r.phase, RoomPhase::Joined | RoomPhase::Error { .. })
                    }) =>
                {
                    return
                }
                Ok(_) => {}
                Err(_) => return,
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    /// Our own seat in `room`, or why we have none.
    async fn me_in(&self, room: &BareJid) -> Result<Occupant, CoreError> {
        self.occupants(room.as_str())
            .await?
            .into_iter()
            .find(|o| o.is_self)
            .ok_or_else(|| CoreError::Refused("You are not in this room right now.".into()))
    }

    async fn ask<T>(
        &self,
        make: impl FnOnce(tokio::sync::oneshot::Sender<T>) -> RoomsCommand,
    ) -> Result<T, CoreError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.acc.session.send(Command::Rooms(make(tx)))?;
        rx.await.map_err(|_| CoreError::Offline)
    }
}

/// A reason the user gave (invitation, kick, ban, destroy): `None` when blank.
fn check_reason(reason: &str) -> Result<Option<&str>, CoreError> {
    let reason = reason.trim();
    if reason.chars().count() > MAX_REASON {
        return Err(CoreError::InvalidInput(format!(
            "A reason is at most {MAX_REASON} characters."
        )));
    }
    Ok((!reason.is_empty()).then_some(reason))
}

/// A nickname the user typed, usable in `room`.
fn check_nick<'a>(room: &BareJid, nick: &'a str) -> Result<&'a str, CoreError> {
    let nick = nick.trim();
    if nick.is_empty() {
        return Err(CoreError::InvalidInput("Choose a nickname.".into()));
    }
    if nick.chars().count() > MAX_NICK || nick.chars().any(char::is_control) {
        return Err(CoreError::InvalidInput(format!(
            "A nickname is at most {MAX_NICK} characters, without line breaks."
        )));
    }
    if room.clone().with_resource_str(nick).is_err() {
        return Err(CoreError::InvalidInput(
            "This nickname cannot be used in a room address.".into(),
        ));
    }
    Ok(nick)
}

/// A room address the user typed: `name@service`, no resource.
fn parse_room(address: &str) -> Result<BareJid, CoreError> {
    let address = address.trim().trim_start_matches("xmpp:");
    let address = address.split('?').next().unwrap_or(address);
    let jid = parse_bare_jid(address).map_err(|_| {
        CoreError::InvalidInput("A room address looks like team@conference.example.com.".into())
    })?;
    let jid = BareJid::new(jid.as_str()).map_err(|e| CoreError::InvalidInput(e.to_string()))?;
    if jid.node().is_none() {
        return Err(CoreError::InvalidInput(
            "A room address looks like team@conference.example.com.".into(),
        ));
    }
    Ok(jid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_addresses_are_checked() {
        assert_eq!(
            parse_room(" xmpp:sales@rooms.x.org?join ")
                .unwrap()
                .as_str(),
            "sales@rooms.x.org"
        );
        assert!(parse_room("rooms.x.org").is_err(), "a service is no room");
        assert!(parse_room("not an address").is_err());
        assert!(parse_room("").is_err());
    }
}
