//! Finding out that a room dropped us without a word (it restarted, lost its state, an `s2s`
//! link broke: dino#1829's rooms that "silently stop delivering"): a self-ping that says we are
//! not in it (XEP-0410), or a message of ours it refused because only occupants may speak
//! (XEP-0045 §7.4). Either way the room shows "reconnecting" and is joined again; what waits in
//! the outbox goes once it has us. Part of `JoinedRooms` (`joined.rs`).

use hallway_model::RoomPhase;
use hallway_protocol::xep0410_self_ping::SelfPing;

use super::JoinedRooms;
use crate::live::Cx;

impl JoinedRooms {
    /// The answer to a self-ping (`None`: it timed out, which proves nothing).
    pub(crate) fn on_self_ping(&mut self, cx: &mut Cx<'_>, room: &str, answer: Option<SelfPing>) {
        let Some(v) = self.visits.get_mut(room) else {
            return;
        };
        v.pinging = false;
        if answer == Some(SelfPing::NotJoined) && v.phase == RoomPhase::Joined {
            tracing::info!("room {room} no longer has us (XEP-0410): joining again");
            self.lost_us(cx, room);
        }
    }

    /// The room refused a message of ours because we are not in it (§7.4). Returns true when
    /// we thought we were: the room is joined again (the message waits for that).
    pub(crate) fn refused_as_outsider(&mut self, cx: &mut Cx<'_>, room: &str) -> bool {
        let joined = self
            .visits
            .get(room)
            .is_some_and(|v| v.phase == RoomPhase::Joined);
        if joined {
            tracing::info!("room {room} refused our message: it no longer has us, joining again");
            self.lost_us(cx, room);
        }
        joined
    }

    /// A room we thought we were in no longer has us: "reconnecting", no occupants (the room's
    /// list comes again with the join), and the join goes now.
    fn lost_us(&mut self, cx: &mut Cx<'_>, room: &str) {
        let Some(v) = self.visits.get_mut(room) else {
            return;
        };
        if v.phase != RoomPhase::Joined {
            return;
        }
        v.phase = RoomPhase::Reconnecting;
        v.pinging = false;
        v.occupants.clear();
        cx.batch.rooms_changed(cx.now);
        cx.batch.occupants_changed(room, cx.now);
        self.send_join(cx, room);
    }
}
