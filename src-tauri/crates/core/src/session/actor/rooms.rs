//! The rooms part's share of the session task: requests from the `Rooms` service, messages
//! from our rooms, and bookmark events from our other devices (XEP-0402).

use hallway_model::Invitation;
use hallway_protocol::xep0060_pubsub::{self, Notification};
use hallway_protocol::{
    xep0045_groupchat, xep0045_muc, xep0249_direct_invite, xep0313_mam, xep0402_bookmarks,
    xep0410_self_ping,
};
use hallway_store::{Store, StoredInvitation};
use tokio::time::Instant;
use tokio_xmpp::jid::BareJid;
use tokio_xmpp::minidom::Element;
use tokio_xmpp::parsers::message::{Message, MessageType};
use tokio_xmpp::parsers::stanza_error::StanzaError;
use tokio_xmpp::stanzastream::StanzaStream;

use super::{now_ms, pump, Actor};
use crate::events::CoreEvent;
use crate::live::{Cx, Out, Pending, RoomsCommand};
use crate::people::state::People;
use crate::rooms::joined::{JoinedRooms, RoomArrived};

impl Actor {
    pub(super) async fn on_rooms_command(&mut self, stream: &StanzaStream, c: RoomsCommand) {
        match c {
            RoomsCommand::Join {
                room,
                nick,
                name,
                create,
                password,
            } => with_cx!(self, stream, |cx| {
                // The password an invitation brought, when the user gave none (XEP-0249 §2,
                // XEP-0045 §7.8.2): used for the room it names, once.
                let password = password.or_else(|| self.rooms.take_invited_password(&room));
                if password.is_some() {
                    self.rooms.set_password(&room, &nick, password, cx.now);
                }
                self.rooms
                    .join(&mut cx, self.online, &room, &nick, name, create);
                // What waited for the room (a message written before the join) waits on.
                pump(
                    &mut self.outbox,
                    &self.rooms,
                    self.online,
                    &mut cx,
                    Some(&room),
                );
            }),
            RoomsCommand::Leave(room) => {
                with_cx!(self, stream, |cx| self.rooms.leave(
                    &mut cx,
                    self.online,
                    &room
                ))
            }
            RoomsCommand::List(reply) => {
                let _ = reply.send(self.rooms.list());
            }
            RoomsCommand::Invitations(reply) => {
                let _ = reply.send(invitation_list(&self.store, &self.account, &self.people));
            }
            RoomsCommand::Send(m) => {
                with_cx!(self, stream, |cx| cx.out.stanza((*m).into()))
            }
            RoomsCommand::Invite { to, room, reason } => {
                // A room we entered with a password: the invitee needs it too (XEP-0249 §2).
                let password = self.rooms.password_of(room.as_str());
                let m = xep0249_direct_invite::invite(
                    &to,
                    &room,
                    reason.as_deref(),
                    password.as_deref(),
                );
                with_cx!(self, stream, |cx| cx.out.stanza(m.into()))
            }
            RoomsCommand::Occupants(room, reply) => {
                let _ = reply.send(self.rooms.occupants(&room));
            }
            RoomsCommand::MarkDisplayed(room, sid) => {
                if self.online {
                    with_cx!(self, stream, |cx| self
                        .rooms
                        .mark_displayed(&mut cx, &room, &sid))
                }
            }
            RoomsCommand::RefreshInfo(room) => {
                with_cx!(self, stream, |cx| self.rooms.refresh_info(&mut cx, &room))
            }
            RoomsCommand::SetNotify(room, notify) => {
                with_cx!(self, stream, |cx| self
                    .rooms
                    .set_notify(&mut cx, &room, notify))
            }
        }
    }

    /// The answer (`None`: none came in time) to an iq of the rooms part: a room's features
    /// (then the join), its archive, a self-ping, our bookmarks.
    pub(super) async fn on_rooms_answer(
        &mut self,
        stream: &StanzaStream,
        kind: Pending,
        outcome: Option<Result<Option<Element>, Box<StanzaError>>>,
    ) {
        with_cx!(self, stream, |cx| {
            let arrived = match (kind, outcome) {
                (Pending::RoomInfo(room), answer) => {
                    let payload = answer.and_then(Result::ok).flatten();
                    self.rooms.on_info(&mut cx, &room, payload.as_ref());
                    RoomArrived::Done
                }
                (Pending::RoomRefresh(room), answer) => {
                    let payload = answer.and_then(Result::ok).flatten();
                    self.rooms.on_refreshed(&mut cx, &room, payload.as_ref());
                    RoomArrived::Done
                }
                (Pending::RoomArchive(qid), answer) => {
                    let outcome = match answer {
                        Some(Ok(payload)) => {
                            xep0313_mam::parse_fin(payload.as_ref()).map_err(|e| e.to_string())
                        }
                        Some(Err(e)) => Err(format!("{:?}", e.defined_condition)),
                        None => Err("the room's archive did not answer".into()),
                    };
                    self.rooms
                        .on_archive_end(&mut cx, &mut self.outbox, &qid, outcome)
                }
                (Pending::RoomForm(room), answer) => {
                    let payload = answer.and_then(Result::ok).flatten();
                    self.rooms.on_config_form(&mut cx, &room, payload.as_ref());
                    RoomArrived::Done
                }
                (Pending::RoomConfigured(room), answer) => {
                    match answer {
                        Some(Ok(_)) => tracing::info!("room {room} configured"),
                        Some(Err(e)) => {
                            let why = format!("{:?}", e.defined_condition);
                            self.rooms.on_config_refused(&mut cx, &room, &why);
                        }
                        None => self.rooms.on_config_refused(&mut cx, &room, "no answer"),
                    }
                    RoomArrived::Done
                }
                (Pending::SelfPing(room), answer) => {
                    let answer = answer.map(|outcome| match outcome {
                        Ok(_) => xep0410_self_ping::SelfPing::Joined,
                        Err(e) => xep0410_self_ping::from_condition(&e.defined_condition),
                    });
                    self.rooms.on_self_ping(&mut cx, &room, answer);
                    RoomArrived::Done
                }
                (Pending::Bookmarks, Some(Ok(payload))) => {
                    match xep0060_pubsub::parse_items(payload.as_ref(), xep0402_bookmarks::NODE) {
                        Ok(items) => {
                            let nick = cx.account.node().map(|n| n.to_string()).unwrap_or_default();
                            let online = self.online;
                            let bookmarks = xep0402_bookmarks::parse(&items);
                            self.rooms.on_bookmarks(&mut cx, online, bookmarks, &nick);
                        }
                        Err(e) => tracing::debug!("no bookmarks: {e}"),
                    }
                    RoomArrived::Done
                }
                (kind, outcome) => {
                    tracing::debug!("{kind:?} request failed: {outcome:?}");
                    RoomArrived::Done
                }
            };
            if let RoomArrived::Ready(room) = arrived {
                // The room's history is in: what waited for it may go.
                self.outbox.end_verify(&room);
                pump(
                    &mut self.outbox,
                    &self.rooms,
                    self.online,
                    &mut cx,
                    Some(&room),
                );
            }
        });
    }

    /// A message from one of our rooms. Returns it when it is for the chats path. A room's
    /// error to our message fails it, except "you are not in this room" while we think we
    /// are, which sends us back in and the message after.
    pub(super) async fn on_room_message(
        &mut self,
        stream: &StanzaStream,
        m: Message,
    ) -> Option<Message> {
        match m.type_ {
            MessageType::Groupchat => {
                let room = m.from.as_ref().map(|f| f.to_bare().to_string());
                with_cx!(self, stream, |cx| {
                    if let RoomArrived::Ready(room) =
                        self.rooms.on_message(&mut cx, &mut self.outbox, &m)
                    {
                        self.outbox.end_verify(&room);
                    }
                    // Our reflection may end a flight before its ack (XEP-0045 §7.4): the
                    // room's next message may go (nothing goes while one is in flight).
                    pump(
                        &mut self.outbox,
                        &self.rooms,
                        self.online,
                        &mut cx,
                        room.as_deref(),
                    );
                });
                None
            }
            MessageType::Error => {
                let room = m.from.as_ref()?.to_bare().to_string();
                let outsider = xep0045_groupchat::refused_as_outsider(&m);
                let id = outsider
                    .clone()
                    .or_else(|| m.id.as_ref().map(|i| i.0.clone()))
                    .unwrap_or_default();
                with_cx!(self, stream, |cx| {
                    let (store, account) = (cx.store, cx.account.as_str());
                    if outsider.is_some() && self.rooms.is_in(&room) {
                        // The room dropped us without a word (§7.4): the message waits for the
                        // rejoin instead of failing; once only, so a room that keeps refusing
                        // cannot make a loop. Either way we are out: in again.
                        self.outbox
                            .refused_by_room(store, account, &room, &id, cx.out);
                        self.rooms.refused_as_outsider(&mut cx, &room);
                    } else if !id.is_empty() {
                        // Refused for another reason, or by a room we left or were put out of:
                        // failed (Retry sends it again).
                        self.outbox
                            .failed_in_room(store, account, &room, &id, cx.out);
                    }
                    pump(
                        &mut self.outbox,
                        &self.rooms,
                        self.online,
                        &mut cx,
                        Some(&room),
                    );
                });
                None
            }
            // Private messages through a room (§7.5) are not taken yet: never stored as the
            // room's conversation.
            _ => {
                tracing::debug!("message through a room dropped");
                None
            }
        }
    }
}

impl Actor {
    /// An invitation to a room: kept for the user's answer (never joined by itself), unless it
    /// comes from someone we block or is to a room we are in.
    pub(super) async fn on_invitation(
        &mut self,
        stream: &StanzaStream,
        (inv, password): (StoredInvitation, Option<String>),
    ) {
        // Through a room, who invites is only the room's word: the room itself must not be
        // blocked either.
        if inv.inviter == self.account.as_str()
            || self.people.is_blocked(&inv.inviter)
            || (inv.mediated && self.people.is_blocked(&inv.room))
            || self.rooms.is_in(&inv.room)
        {
            return tracing::debug!("invitation to {} dropped", inv.room);
        }
        tracing::info!("invitation to {} from {}", inv.room, inv.inviter);
        if let Err(e) = self.store.add_invitation(self.account.as_str(), &inv) {
            return tracing::warn!("invitation not kept: {e}");
        }
        // The room's password, if it came along: in memory for this run only (never stored),
        // for when the user accepts.
        if let Some(password) = password {
            self.rooms.remember_invited_password(&inv.room, password);
        }
        let list = invitation_list(&self.store, &self.account, &self.people);
        let mut out = Out::default();
        out.events.push(CoreEvent::InvitationsChanged(list));
        self.apply(stream, out).await;
    }
}

/// The invitation a message carries: direct (XEP-0249, from whoever sent it) or through a room
/// (XEP-0045 §7.8.2, from the room itself, naming the inviter), with the room's password when
/// it brings one.
pub(super) fn invitation_in(
    m: &Message,
    now_ms: i64,
) -> Option<(StoredInvitation, Option<String>)> {
    if matches!(m.type_, MessageType::Error | MessageType::Groupchat) {
        return None;
    }
    let from = m.from.as_ref()?;
    // Through a room first: rooms add a XEP-0249 element too (Prosody does), whose sender is
    // the room and not who invites.
    if from.resource().is_none() {
        match xep0045_muc::mediated_invite(m) {
            Some(Ok(i)) => {
                return Some((
                    StoredInvitation {
                        room: i.room.to_string(),
                        inviter: i.from.to_string(),
                        reason: i.reason,
                        mediated: true,
                        received_at: now_ms,
                    },
                    i.password,
                ))
            }
            Some(Err(e)) => {
                tracing::debug!("invitation dropped: {e}");
                return None;
            }
            None => {}
        }
    }
    match xep0249_direct_invite::parse(&m.payloads)? {
        Ok(d) if from.to_bare() != d.room => Some((
            StoredInvitation {
                room: d.room.to_string(),
                inviter: from.to_bare().to_string(),
                reason: d.reason,
                mediated: false,
                received_at: now_ms,
            },
            d.password.filter(|p| !p.is_empty()),
        )),
        Ok(_) => None,
        Err(e) => {
            tracing::debug!("invitation dropped: {e}");
            None
        }
    }
}

/// The invitations waiting, with the inviter's name where they are a contact.
fn invitation_list(store: &Store, account: &BareJid, people: &People) -> Vec<Invitation> {
    store
        .invitations(account.as_str())
        .unwrap_or_default()
        .into_iter()
        .map(|i| {
            // A room could name anyone as the inviter: only a direct invitation is known to come
            // from a contact; one through a room is a request.
            let contact = !i.mediated && people.in_roster(&i.inviter);
            // An inviter known only by their seat in a room goes by that nickname.
            let seat = i.inviter.split_once('/').map(|(_, nick)| nick.to_string());
            Invitation {
                inviter_name: seat.or_else(|| contact.then(|| people.display_name(&i.inviter))),
                from_contact: contact,
                room: i.room,
                inviter: i.inviter,
                reason: i.reason,
                mediated: i.mediated,
                received_at: i.received_at,
            }
        })
        .collect()
}

/// XEP-0402 §4: another of our devices joined or left a room. Only our own node counts.
pub(super) fn on_bookmarks_event(
    rooms: &mut JoinedRooms,
    online: bool,
    cx: &mut Cx<'_>,
    n: &Notification,
    m: &Message,
) {
    if n.from != cx.account.as_str() {
        return;
    }
    tracing::debug!("bookmarks event: {} items", n.items.len());
    let nick = cx.account.node().map(|n| n.to_string()).unwrap_or_default();
    let bookmarks = xep0402_bookmarks::parse(&n.items);
    rooms.on_bookmarks(cx, online, bookmarks, &nick);
    for room in xep0060_pubsub::parse_retractions(m, xep0402_bookmarks::NODE) {
        if rooms.is_room(&room) {
            let _ = cx.store.leave_room(cx.account.as_str(), &room);
            rooms.leave(cx, online, &room);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::invitation_in;
    use crate::live::testing::message;

    #[test]
    fn invitations_are_read_direct_or_through_the_room_and_nothing_else() {
        let direct = message(
            "<message from='ann@x.org/laptop' to='me@x.org'>\
             <x xmlns='jabber:x:conference' jid='sales@rooms.x.org' reason='numbers' \
             password='s3cret'/></message>",
        );
        let (i, password) = invitation_in(&direct, 5).unwrap();
        assert_eq!(password.as_deref(), Some("s3cret"));
        assert_eq!(
            (i.room.as_str(), i.inviter.as_str()),
            ("sales@rooms.x.org", "ann@x.org")
        );
        assert_eq!(
            (i.reason.as_deref(), i.mediated, i.received_at),
            (Some("numbers"), false, 5)
        );
        // As Prosody sends it: the room's invitation with a XEP-0249 copy; the inviter is the
        // one the room names, not the room.
        let mediated = message(
            "<message from='sales@rooms.x.org' to='me@x.org'>\
             <x xmlns='http://jabber.org/protocol/muc#user'><invite from='sales@rooms.x.org/Ann'/>\
             <password>pw</password></x>\
             <x xmlns='jabber:x:conference' jid='sales@rooms.x.org'/></message>",
        );
        let (i, password) = invitation_in(&mediated, 6).unwrap();
        assert_eq!(password.as_deref(), Some("pw"));
        assert_eq!(i.inviter, "sales@rooms.x.org/Ann");
        assert!(i.mediated);
        // The room inviting to itself without saying who: nobody to answer.
        let from_room = message(
            "<message from='sales@rooms.x.org' to='me@x.org'>\
             <x xmlns='jabber:x:conference' jid='sales@rooms.x.org'/></message>",
        );
        assert!(invitation_in(&from_room, 7).is_none());
        let groupchat = message(
            "<message type='groupchat' from='sales@rooms.x.org/Ann' to='me@x.org'>\
             <x xmlns='jabber:x:conference' jid='other@rooms.x.org'/></message>",
        );
        assert!(invitation_in(&groupchat, 8).is_none());
        let plain = message("<message from='ann@x.org/l' to='me@x.org'><body>hi</body></message>");
        assert!(invitation_in(&plain, 9).is_none());
    }
}
