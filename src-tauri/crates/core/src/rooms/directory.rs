//! Creating and finding rooms (XEP-0045 §6, §10.1): the server's room service (found once per
//! account among its components), its public rooms for Browse rooms, and a new room made from a
//! name — a free address on the service, entered, then configured through its owner form with
//! the user's settings (persistent, archived, open or members-only). Part of the `Rooms`
//! service (`mod.rs`).

use hallway_model::{PublicRoom, Room};
use hallway_protocol::xep0045_directory as directory;
use hallway_protocol::xep0045_muc_owner::RoomSettings;
use hallway_protocol::{BareJid, Jid};

use super::{check_nick, Rooms};
use crate::live::RequestError;
use crate::CoreError;

/// Longest room name and description the user may give (characters).
const MAX_NAME: usize = 100;
const MAX_DESCRIPTION: usize = 1_000;
/// Addresses tried for a new room ("sales", "sales-2", …) before giving up.
const MAX_TRIES: usize = 20;

impl Rooms {
    /// The server's room service (asked once per account; `None` when it has none).
    async fn room_service(&self) -> Result<Option<Jid>, CoreError> {
        let account = self.acc.require()?;
        let mut cached = self.service.lock().await;
        if let Some((a, s)) = cached.as_ref() {
            if *a == account {
                return Ok(s.clone());
            }
        }
        let found = self
            .acc
            .find_service("Looking for the rooms service", |jid, info| {
                (jid.node().is_none() && directory::is_service(info)).then(|| jid.clone())
            })
            .await?;
        *cached = Some((account, found.clone()));
        Ok(found)
    }

    async fn require_service(&self) -> Result<Jid, CoreError> {
        self.room_service()
            .await?
            .ok_or_else(|| CoreError::Refused("Your server has no rooms service.".into()))
    }

    /// **Browse rooms**: the public rooms of the server's room service, by name (ours marked).
    pub async fn browse_rooms(&self) -> Result<Vec<PublicRoom>, CoreError> {
        let account = self.acc.require()?;
        let service = self.require_service().await?;
        let iq = directory::items_request(&hallway_protocol::new_id(), &service);
        let items = self.acc.session.ask("Listing the rooms", iq).await?;
        let listed = directory::public_rooms(items.as_ref())
            .map_err(|e| CoreError::Refused(format!("The room list could not be read ({e}).")))?;
        let mine: std::collections::HashSet<String> = self
            .acc
            .store
            .rooms(&account)?
            .into_iter()
            .map(|r| r.room)
            .collect();
        let mut rooms: Vec<PublicRoom> = listed
            .into_iter()
            .map(|(room, name)| PublicRoom {
                name: name
                    .unwrap_or_else(|| room.node().map(|n| n.to_string()).unwrap_or_default()),
                joined: mine.contains(room.as_str()),
                room: room.to_string(),
            })
            .collect();
        rooms.sort_by_key(|r| r.name.to_lowercase());
        Ok(rooms)
    }

    /// **Create room**: a new room called `name` on the server's room service, at a free
    /// address made from the name, entered as `nick` and configured with the user's settings:
    /// kept when empty, archived, listed and open to all, or members-only and unlisted.
    pub async fn create_room(
        &self,
        name: &str,
        description: &str,
        members_only: bool,
        nick: &str,
    ) -> Result<Room, CoreError> {
        self.acc.require()?;
        let (name, description) = check_name(name, description)?;
        let service = self.require_service().await?;
        let room = self.free_address(&service, &name).await?;
        let nick = check_nick(&room, nick)?;
        let settings = RoomSettings {
            name: Some(name.clone()),
            description,
            members_only,
            public: !members_only,
            persistent: true,
            archived: true,
        };
        self.enter(room, nick, Some(name), Some(settings), None)
            .await
    }

    /// The first address made from `name` that no room on `service` has (its disco#info is
    /// refused: there is nothing to describe).
    async fn free_address(&self, service: &Jid, name: &str) -> Result<BareJid, CoreError> {
        let base = directory::localpart_for(name);
        for n in 1..=MAX_TRIES {
            let local = if n == 1 {
                base.clone()
            } else {
                format!("{base}-{n}")
            };
            let room = BareJid::new(&format!("{local}@{}", service.domain()))
                .map_err(|e| CoreError::InvalidInput(format!("Not a usable room name: {e}")))?;
            let iq = hallway_protocol::xep0363_http_upload::info_request(
                &hallway_protocol::new_id(),
                &Jid::from(room.clone()),
            );
            match self.acc.session.ask_raw(iq).await? {
                Ok(_) => continue,
                Err(RequestError::Refused(..)) => return Ok(room),
                Err(e) => return Err(crate::live::client::refused("Creating the room", e)),
            }
        }
        Err(CoreError::Refused(
            "Rooms with this name exist already: choose another name.".into(),
        ))
    }
}

/// A room name and description the user typed (Create room, Room settings): the name on one
/// line and not empty, both within bounds.
pub(super) fn check_name(
    name: &str,
    description: &str,
) -> Result<(String, Option<String>), CoreError> {
    let name = name.trim();
    let description = description.trim();
    if name.is_empty() {
        return Err(CoreError::InvalidInput("Give the room a name.".into()));
    }
    if name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(CoreError::InvalidInput(format!(
            "A room name is at most {MAX_NAME} characters, on one line."
        )));
    }
    if description.chars().count() > MAX_DESCRIPTION {
        return Err(CoreError::InvalidInput(format!(
            "A description is at most {MAX_DESCRIPTION} characters."
        )));
    }
    Ok((
        name.to_string(),
        (!description.is_empty()).then(|| description.to_string()),
    ))
}
