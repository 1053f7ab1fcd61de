//! Moderation (XEP-0045 §8–§10) for a room's moderators, admins and owners: the subject, kicking
//! and banning, membership and moderator rights, the room's settings through its owner form, and
//! destroying it. What the user is offered follows their standing (`OccupantAction::allowed`);
//! the room decides, and its refusals come back in words. Part of the `Rooms` service (`mod.rs`).

use hallway_model::{Affiliation, Occupant, OccupantAction, Role, RoomSettings};
use hallway_protocol::xmpp_parsers::iq::Iq;
use hallway_protocol::xmpp_parsers::minidom::Element;
use hallway_protocol::{xep0045_muc, xep0045_muc_owner, BareJid};

use super::directory::check_name;
use super::{check_reason, parse_room, Rooms};
use crate::live::{client::refused, Command, RequestError, RoomsCommand};
use crate::CoreError;

/// Longest subject the user may set (characters).
const MAX_SUBJECT: usize = 1_000;

impl Rooms {
    /// **Change subject**: a moderator sets the room's subject for everyone (§8.1); empty
    /// clears it.
    pub async fn set_room_subject(&self, room: &str, subject: &str) -> Result<(), CoreError> {
        self.acc.require()?;
        let room = parse_room(room)?;
        let subject = subject.trim();
        if subject.chars().count() > MAX_SUBJECT || subject.chars().any(char::is_control) {
            return Err(CoreError::InvalidInput(format!(
                "A subject is at most {MAX_SUBJECT} characters, on one line."
            )));
        }
        if self.me_in(&room).await?.role != Role::Moderator {
            return Err(CoreError::Refused(
                "Only the room's moderators may change its subject.".into(),
            ));
        }
        let m = xep0045_muc::set_subject(&room, subject);
        self.acc
            .session
            .send(Command::Rooms(RoomsCommand::Send(Box::new(m))))?;
        Ok(())
    }

    /// **Kick**, **Ban**, membership and moderator rights for the occupant `nick` (§8.2, §9.1,
    /// §9.3–§9.7), with the user's reason for a kick or ban. Only what the occupant list offers
    /// us is sent.
    pub async fn moderate(
        &self,
        room: &str,
        nick: &str,
        action: OccupantAction,
        reason: &str,
    ) -> Result<(), CoreError> {
        self.acc.require()?;
        let room = parse_room(room)?;
        let reason = check_reason(reason)?;
        let them = self
            .occupants(room.as_str())
            .await?
            .into_iter()
            .find(|o| o.nick == nick)
            .ok_or_else(|| CoreError::Refused(format!("{nick} is not in the room any more.")))?;
        if !them.actions.contains(&action) {
            return Err(CoreError::Refused(
                "You may not do that in this room.".into(),
            ));
        }
        let id = hallway_protocol::new_id();
        let role = |role| xep0045_muc_owner::set_role(&id, &room, nick, role, reason);
        let iq = match action {
            OccupantAction::Kick => role(Role::None),
            OccupantAction::MakeModerator => role(Role::Moderator),
            OccupantAction::RemoveModerator => role(Role::Participant),
            OccupantAction::Ban => affiliation(&id, &room, &them, Affiliation::Outcast, reason)?,
            OccupantAction::MakeMember => {
                affiliation(&id, &room, &them, Affiliation::Member, None)?
            }
            OccupantAction::RemoveMember => {
                affiliation(&id, &room, &them, Affiliation::None, None)?
            }
        };
        self.ask_room(action.word(), iq).await?;
        Ok(())
    }

    /// The room's settings as its owner form has them now (**Room settings** opens on these).
    pub async fn room_settings(&self, room: &str) -> Result<RoomSettings, CoreError> {
        self.acc.require()?;
        let room = parse_room(room)?;
        let form = self.owner_form(&room).await?;
        Ok(xep0045_muc_owner::settings(&form))
    }

    /// **Save** in Room settings: the name, description and openness (members-only rooms are
    /// unlisted, open ones listed, as Create room makes them); whether the room is kept and
    /// archived stays as it is. The room tells its occupants (status 104) and its new name
    /// shows everywhere.
    pub async fn change_room_settings(
        &self,
        room: &str,
        settings: RoomSettings,
    ) -> Result<(), CoreError> {
        self.acc.require()?;
        let room = parse_room(room)?;
        let (name, description) = check_name(
            settings.name.as_deref().unwrap_or(""),
            settings.description.as_deref().unwrap_or(""),
        )?;
        let form = self.owner_form(&room).await?;
        let now = xep0045_muc_owner::settings(&form);
        let wanted = RoomSettings {
            name: Some(name),
            description,
            members_only: settings.members_only,
            public: !settings.members_only,
            persistent: now.persistent,
            archived: now.archived,
        };
        let iq =
            xep0045_muc_owner::config_submit(&hallway_protocol::new_id(), &room, &form, &wanted);
        self.ask_room("Saving the room's settings", iq).await?;
        // Not every room announces its change to the one who made it: read its name now.
        let _ = self
            .acc
            .session
            .send(Command::Rooms(RoomsCommand::RefreshInfo(room.to_string())));
        Ok(())
    }

    /// **Destroy room**: gone for everyone (its occupants are told why, §10.9), then left here
    /// like Leave room (bookmark removed, history kept).
    pub async fn destroy_room(&self, room: &str, reason: &str) -> Result<(), CoreError> {
        self.acc.require()?;
        let parsed = parse_room(room)?;
        let reason = check_reason(reason)?;
        let iq = xep0045_muc_owner::destroy(&hallway_protocol::new_id(), &parsed, reason);
        self.ask_room("Destroying the room", iq).await?;
        self.leave_room(room).await
    }

    /// The room's owner form (§10.2), or why we may not have it.
    async fn owner_form(&self, room: &BareJid) -> Result<Element, CoreError> {
        let iq = xep0045_muc_owner::config_request(&hallway_protocol::new_id(), room);
        let payload = self.ask_room("Reading the room's settings", iq).await?;
        xep0045_muc_owner::config_form(payload.as_ref())
            .map_err(|_| CoreError::Refused("The room sent no settings to edit.".into()))
    }

    /// An owner's or moderator's request to the room; its refusal in words.
    async fn ask_room(&self, what: &str, iq: Iq) -> Result<Option<Element>, CoreError> {
        match self.acc.session.ask_raw(iq).await? {
            Ok(payload) => Ok(payload),
            Err(RequestError::Refused(condition, _))
                if condition == "Forbidden" || condition == "NotAllowed" =>
            {
                Err(CoreError::Refused(format!(
                    "{what}: the room does not allow you to."
                )))
            }
            Err(RequestError::Refused(condition, _)) if condition == "ItemNotFound" => Err(
                CoreError::Refused(format!("{what}: the room does not exist any more.")),
            ),
            Err(e) => Err(refused(what, e)),
        }
    }
}

/// Gives `them` (by their real address) an affiliation; anonymous occupants have none to give.
fn affiliation(
    id: &str,
    room: &BareJid,
    them: &Occupant,
    affiliation: Affiliation,
    reason: Option<&str>,
) -> Result<Iq, CoreError> {
    let who = them
        .real_jid
        .as_deref()
        .and_then(|j| BareJid::new(j).ok())
        .ok_or_else(|| {
            CoreError::Refused("The room does not show who this is, so it cannot be done.".into())
        })?;
    Ok(xep0045_muc_owner::set_affiliation(
        id,
        room,
        &who,
        affiliation,
        reason,
    ))
}
