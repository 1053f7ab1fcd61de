//! The rooms part's share of the session task: requests from the `Rooms` service, messages
//! from our rooms, and bookmark events from our other devices (XEP-0402).

use hallway_protocol::xep0060_pubsub::{self, Notification};
use hallway_protocol::xep0402_bookmarks;
use tokio::time::Instant;
use tokio_xmpp::parsers::message::{Message, MessageType};
use tokio_xmpp::stanzastream::StanzaStream;

use super::{now_ms, pump, Actor};
use crate::live::{Cx, Out, RoomsCommand};
use crate::rooms::joined::{JoinedRooms, RoomArrived};

impl Actor {
    pub(super) async fn on_rooms_command(&mut self, stream: &StanzaStream, c: RoomsCommand) {
        match c {
            RoomsCommand::Join { room, nick, name } => with_cx!(self, stream, |cx| {
                self.rooms.join(&mut cx, self.online, &room, &nick, name);
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
