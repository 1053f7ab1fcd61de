//! Read state of our rooms: where our other devices read each room (XEP-0490 by the room's own
//! stanza-ids), applied again once a catch-up has stored what they read, and our `displayed`
//! marker to a room the user read here (XEP-0333, by the room's id). Part of `JoinedRooms`
//! (`joined.rs`).

use tokio_xmpp::jid::BareJid;

use super::{JoinedRooms, Visit};
use crate::live::Cx;
use hallway_model::RoomPhase;

impl JoinedRooms {
    /// Our other devices' read positions (XEP-0490): kept for our rooms, so messages a later
    /// catch-up brings are not unread when they were read elsewhere.
    pub(crate) fn note_read_positions(&mut self, positions: &[(String, String)]) {
        for (peer, sid) in positions {
            if let Some(v) = self.visits.get_mut(peer) {
                v.read_to = Some(sid.clone());
            }
        }
    }

    /// The user read `room` up to `stanza_id` (the room's id): a XEP-0333 `displayed` marker to
    /// the room, where the room numbers its messages and has us.
    pub(crate) fn mark_displayed(&mut self, cx: &mut Cx<'_>, room: &str, stanza_id: &str) {
        let Some(v) = self.visits.get_mut(room) else {
            return;
        };
        v.read_to = Some(stanza_id.to_string());
        let Ok(jid) = BareJid::new(room) else {
            return;
        };
        if v.phase == RoomPhase::Joined && v.stanza_ids {
            let m = hallway_protocol::xep0333_markers::displayed_in_room(&jid, stanza_id);
            cx.out.stanza(m.into());
        }
    }
}

/// Read on another device up to there (XEP-0490, the room's id): what a catch-up brought
/// before it is not news.
pub(super) fn apply_read_to(cx: &mut Cx<'_>, room: &str, v: &Visit) {
    if let Some(sid) = &v.read_to {
        if let Ok(n) = cx
            .store
            .mark_read_up_to_stanza_id(cx.account.as_str(), room, sid)
        {
            if n > 0 {
                cx.batch.unread(room, cx.now);
            }
        }
    }
}
