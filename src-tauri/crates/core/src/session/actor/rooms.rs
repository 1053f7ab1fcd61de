//! The rooms part's share of the session task: requests from the `Rooms` service, messages
//! from our rooms, and bookmark events from our other devices (XEP-0402).

use hallway_protocol::xep0060_pubsub::{self, Notification};
use hallway_protocol::{xep0313_mam, xep0402_bookmarks, xep0410_self_ping};
use tokio::time::Instant;
use tokio_xmpp::minidom::Element;
use tokio_xmpp::parsers::message::{Message, MessageType};
use tokio_xmpp::parsers::stanza_error::StanzaError;
use tokio_xmpp::stanzastream::StanzaStream;

use super::{now_ms, pump, Actor};
use crate::live::{Cx, Out, Pending, RoomsCommand};
use crate::rooms::joined::{JoinedRooms, RoomArrived};

impl Actor {
    pub(super) async fn on_rooms_command(&mut self, stream: &StanzaStream, c: RoomsCommand) {
        match c {
            RoomsCommand::Join {
                room,
                nick,
                name,
                create,
            } => with_cx!(self, stream, |cx| {
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
            RoomsCommand::Occupants(room, reply) => {
                let _ = reply.send(self.rooms.occupants(&room));
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

    /// A message from one of our rooms. Returns it when it is for the chats path (a bounce of
    /// what we sent to the room: marked failed there).
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
            MessageType::Error => Some(m),
            // Private messages through a room (§7.5) are not taken yet: never stored as the
            // room's conversation.
            _ => {
                tracing::debug!("message through a room dropped");
                None
            }
        }
    }
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
