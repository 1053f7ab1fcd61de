//! Invitations (XEP-0249 direct, XEP-0045 §7.8.2 through the room): the ones waiting for the
//! user's answer (Join or Decline; strangers' are requests in the window), and `Invite people`
//! from a room — membership granted first where we may (a members-only room lets in members
//! only, §9.3), then a direct invitation. Part of the `Rooms` service (`mod.rs`).

use hallway_model::{parse_bare_jid, Affiliation, Invitation, Room};
use hallway_protocol::{xep0045_muc, xep0045_muc_owner, BareJid};

use super::{check_reason, parse_room, Rooms};
use crate::events::CoreEvent;
use crate::live::{Command, RoomsCommand};
use crate::CoreError;

impl Rooms {
    /// The invitations waiting for an answer, newest first.
    pub async fn invitations(&self) -> Result<Vec<Invitation>, CoreError> {
        self.acc.require()?;
        self.ask(RoomsCommand::Invitations).await
    }

    /// **Join** from an invitation: enters the room as `nick` (as Join room does).
    pub async fn accept_invitation(&self, room: &str, nick: &str) -> Result<Room, CoreError> {
        let account = self.acc.require()?;
        let room = parse_room(room)?;
        let joined = self.join_room(room.as_str(), nick).await?;
        self.acc.store.take_invitation(&account, room.as_str())?;
        self.invitations_changed().await;
        Ok(joined)
    }

    /// **Decline**: the invitation goes; one that came through the room is declined there (the
    /// inviter hears of it, §7.8.2). A direct invitation has no decline (XEP-0249).
    pub async fn decline_invitation(&self, room: &str) -> Result<(), CoreError> {
        let account = self.acc.require()?;
        let room = parse_room(room)?;
        let Some(inv) = self.acc.store.take_invitation(&account, room.as_str())? else {
            return Ok(());
        };
        if inv.mediated {
            if let Ok(inviter) = hallway_protocol::Jid::new(&inv.inviter) {
                let m = xep0045_muc::decline(&room, &inviter, None);
                let _ = self
                    .acc
                    .session
                    .send(Command::Rooms(RoomsCommand::Send(Box::new(m))));
            }
        }
        self.invitations_changed().await;
        Ok(())
    }

    /// **Invite people**: asks `contact` into `room` (one of ours) with an optional reason. As
    /// the room's owner or admin we make them a member first, so a members-only room lets them
    /// in; a room we entered with a password passes it on (XEP-0249 §2).
    pub async fn invite(&self, room: &str, contact: &str, reason: &str) -> Result<(), CoreError> {
        self.acc.require()?;
        let room = parse_room(room)?;
        let who = parse_bare_jid(contact.trim())
            .ok()
            .and_then(|j| BareJid::new(j.as_str()).ok())
            .filter(|j| j.node().is_some())
            .ok_or_else(|| {
                CoreError::InvalidInput("An address looks like name@example.com.".into())
            })?;
        let reason = check_reason(reason)?;
        let me = self.me_in(&room).await?;
        if matches!(me.affiliation, Affiliation::Owner | Affiliation::Admin)
            && self.has_no_affiliation(&room, &who).await
        {
            let iq = xep0045_muc_owner::set_affiliation(
                &hallway_protocol::new_id(),
                &room,
                &who,
                Affiliation::Member,
                None,
            );
            self.acc.session.ask("Making them a member", iq).await?;
        }
        self.acc.session.send(Command::Rooms(RoomsCommand::Invite {
            to: who,
            room,
            reason: reason.map(str::to_string),
        }))?;
        Ok(())
    }

    /// Whether `who` holds no affiliation in `room` (§9.5 lists): an owner, admin or member
    /// keeps theirs, and a banned person stays banned. Unknown (a list we may not read): no.
    async fn has_no_affiliation(&self, room: &BareJid, who: &BareJid) -> bool {
        for affiliation in [
            Affiliation::Owner,
            Affiliation::Admin,
            Affiliation::Member,
            Affiliation::Outcast,
        ] {
            let iq = xep0045_muc_owner::affiliation_list_request(
                &hallway_protocol::new_id(),
                room,
                affiliation,
            );
            let Ok(payload) = self.acc.session.ask("Reading the room's members", iq).await else {
                return false;
            };
            match xep0045_muc_owner::affiliation_list(payload.as_ref()) {
                Ok(list) if list.iter().any(|(jid, _)| jid == who) => return false,
                Ok(_) => {}
                Err(_) => return false,
            }
        }
        true
    }

    async fn invitations_changed(&self) {
        if let Ok(list) = self.ask(RoomsCommand::Invitations).await {
            self.acc.emit(CoreEvent::InvitationsChanged(list));
        }
    }
}
