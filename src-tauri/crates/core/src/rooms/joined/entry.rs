//! Entering a room (XEP-0045 §7.2): its features first (disco#info: its name, whether it stamps
//! stanza-ids, whether it keeps an archive), then the join presence asking for just the history
//! we need — none when the room has an archive (XEP-0313 against the room fills in, so nothing
//! arrives twice), else what was said since our newest message (§7.2.14) — and the room counts
//! as joined once that history is in; the password to enter with (typed by the user, or brought
//! by an invitation). Part of `JoinedRooms` (`joined.rs`).

use std::collections::BTreeMap;

use hallway_model::{Affiliation, RoomNotify, RoomPhase};
use hallway_protocol::xep0045_muc::{self, JoinHistory};
use hallway_protocol::xep0045_muc_owner;
use tokio::time::Instant;
use tokio_xmpp::jid::{BareJid, Jid};
use tokio_xmpp::minidom::Element;

use super::{occupant_jid, refused, JoinedRooms, RoomArrived, Visit};
use crate::live::{Cx, Pending};

/// History replayed on a rejoin starts this long before our newest stored message (clocks
/// differ; what we have already is dropped as a duplicate).
const SINCE_MARGIN_MS: i64 = 120_000;
/// XEP-0313 §6.1.2: a room that lists this keeps an archive we may query.
const NS_MAM: &str = "urn:xmpp:mam:2";
/// Most invitation passwords kept until the user answers (a stranger can send many).
const MAX_INVITED_PASSWORDS: usize = 64;

impl JoinedRooms {
    /// The password an invitation to `room` brought (XEP-0249 §2, XEP-0045 §7.8.2), kept in
    /// memory until the user joins it; never stored.
    pub(crate) fn remember_invited_password(&mut self, room: &str, password: String) {
        if self.invited_passwords.len() >= MAX_INVITED_PASSWORDS
            && !self.invited_passwords.contains_key(room)
        {
            return;
        }
        self.invited_passwords
            .insert(room.to_string(), password.into());
    }

    /// The invitation's password for `room`, once.
    pub(crate) fn take_invited_password(&mut self, room: &str) -> Option<hallway_model::Password> {
        self.invited_passwords.remove(room)
    }

    /// The password we entered `room` with, to pass on with an invitation.
    pub(crate) fn password_of(&self, room: &str) -> Option<String> {
        self.visits
            .get(room)
            .and_then(|v| v.password.as_ref())
            .map(|p| p.expose().to_string())
    }
}

impl Visit {
    /// A room we are about to enter for the first time in this run.
    pub(super) fn new(nick: &str, now: Instant) -> Self {
        Self {
            nick: nick.to_string(),
            name: None,
            subject: None,
            notify: RoomNotify::default(),
            autojoin: true,
            phase: RoomPhase::Left,
            occupants: BTreeMap::new(),
            affiliation: Affiliation::None,
            stanza_ids: false,
            create: None,
            locked_retries: 0,
            archive: false,
            info_pending: false,
            catching_up: false,
            catch_up_qid: None,
            held: Vec::new(),
            last_heard: now,
            pinging: false,
            confirmed_at: None,
            first_visit: false,
            read_to: None,
            password: None,
            refreshing: false,
        }
    }
}

impl Visit {
    /// Our own seat in the room, while we are in it.
    pub(super) fn me(&self) -> Option<&hallway_model::Occupant> {
        self.occupants
            .get(&self.nick)
            .filter(|o| o.is_self)
            .or_else(|| self.occupants.values().find(|o| o.is_self))
    }

    /// The stream this entry ran on is gone. Live messages held for an unfinished catch-up are
    /// dropped, not stored: the room's archive has them, and storing them would move our newest
    /// id from the room past what the catch-up had yet to fetch.
    pub(super) fn forget_entry(&mut self) {
        self.info_pending = false;
        self.refreshing = false;
        self.catching_up = false;
        self.catch_up_qid = None;
        self.held.clear();
    }
}

impl JoinedRooms {
    /// Starts entering `room`: its disco#info first; the join follows its answer (`on_info`).
    pub(super) fn send_join(&mut self, cx: &mut Cx<'_>, room: &str) {
        let Some(v) = self.visits.get_mut(room) else {
            return;
        };
        let (Some(_), Ok(room_jid)) = (occupant_jid(room, &v.nick), BareJid::new(room)) else {
            tracing::warn!("cannot join {room} as {}: bad address", v.nick);
            v.phase = refused(hallway_model::RoomRefusal::NotFound);
            cx.batch.rooms_changed(cx.now);
            return;
        };
        ask_info(cx, room_jid, Pending::RoomInfo(room.to_string()));
        v.info_pending = true;
        v.catching_up = false;
        v.confirmed_at = None;
        v.last_heard = cx.now;
    }

    /// Reads the room's disco#info again (its owner changed its settings, §10.2.1 status 104):
    /// its name follows. No join follows this one.
    pub(crate) fn refresh_info(&mut self, cx: &mut Cx<'_>, room: &str) {
        let (Some(v), Ok(room_jid)) = (self.visits.get_mut(room), BareJid::new(room)) else {
            return;
        };
        if v.info_pending || v.refreshing {
            return;
        }
        v.refreshing = true;
        ask_info(cx, room_jid, Pending::RoomRefresh(room.to_string()));
    }

    /// The answer to `refresh_info`: only the name is taken (what the room stamps and keeps
    /// was learned on entry; a lost answer must not switch it off).
    pub(crate) fn on_refreshed(&mut self, cx: &mut Cx<'_>, room: &str, payload: Option<&Element>) {
        let Some(v) = self.visits.get_mut(room) else {
            return;
        };
        v.refreshing = false;
        if let Some(name) = payload.and_then(room_name) {
            set_name(cx, room, v, name);
        }
    }

    /// The room's disco#info (`None`: it did not answer, or refused — a room that does not exist
    /// yet is created by joining it): its name, whether it stamps stanza-ids and keeps an
    /// archive; then the join itself.
    pub(crate) fn on_info(&mut self, cx: &mut Cx<'_>, room: &str, payload: Option<&Element>) {
        let Some(v) = self.visits.get_mut(room) else {
            return;
        };
        let feature = |var: &str| {
            payload.is_some_and(|q| {
                q.children()
                    .any(|c| c.name() == "feature" && c.attr("var") == Some(var))
            })
        };
        v.stanza_ids = feature(xmpp_parsers::ns::SID);
        // Its archive ids are its stanza-ids: without them nothing could be de-duplicated.
        v.archive = feature(NS_MAM) && v.stanza_ids;
        if let Some(name) = payload.and_then(room_name) {
            set_name(cx, room, v, name);
        }
        if std::mem::take(&mut v.info_pending)
            && matches!(v.phase, RoomPhase::Joining | RoomPhase::Reconnecting)
        {
            self.send_presence(cx, room);
        }
    }

    /// The join presence, asking for the history we lack (§7.2.14).
    fn send_presence(&mut self, cx: &mut Cx<'_>, room: &str) {
        let Some(v) = self.visits.get_mut(room) else {
            return;
        };
        let Some(me) = occupant_jid(room, &v.nick) else {
            return;
        };
        let newest = cx
            .store
            .newest_time(cx.account.as_str(), room)
            .ok()
            .flatten();
        let caught_up = cx
            .store
            .room_caught_up(cx.account.as_str(), room)
            .ok()
            .flatten();
        v.first_visit = newest.is_none() && caught_up.is_none();
        let history = match newest {
            _ if v.archive => JoinHistory::Nothing,
            Some(ts) => JoinHistory::Since(ts - SINCE_MARGIN_MS),
            None => JoinHistory::Default,
        };
        v.last_heard = cx.now;
        v.confirmed_at = None;
        let password = v.password.as_ref().map(|p| p.expose());
        let show = self.own_show.clone();
        cx.out
            .stanza(xep0045_muc::join(&me, &history, password, show).into());
    }

    /// The room confirmed us and closed what it replays (its subject, or the wait for it ran
    /// out): with an archive, its catch-up runs first; otherwise it is joined.
    pub(super) fn entered(&mut self, cx: &mut Cx<'_>, room: &str) -> RoomArrived {
        let Some(v) = self.visits.get_mut(room) else {
            return RoomArrived::Done;
        };
        if v.catching_up {
            return RoomArrived::Done;
        }
        if v.archive {
            v.catching_up = true;
            self.catch_up(cx, room);
            return RoomArrived::Done;
        }
        self.ready(cx, room, true)
    }

    /// The room's history is in (`complete`; else a gap was recorded): it is joined.
    pub(super) fn ready(&mut self, cx: &mut Cx<'_>, room: &str, complete: bool) -> RoomArrived {
        let Some(v) = self.visits.get_mut(room) else {
            return RoomArrived::Done;
        };
        v.catching_up = false;
        v.catch_up_qid = None;
        v.locked_retries = 0;
        v.phase = RoomPhase::Joined;
        if complete {
            let _ = cx
                .store
                .set_room_caught_up(cx.account.as_str(), room, cx.now_ms);
        }
        v.last_heard = cx.now;
        if std::mem::take(&mut v.first_visit) {
            // What the room replayed on a first visit is its past, not news for us.
            if let Ok(n) = cx.store.mark_read(cx.account.as_str(), room) {
                if n > 0 {
                    cx.batch.unread(room, cx.now);
                }
            }
        } else {
            super::reading::apply_read_to(cx, room, v);
        }
        cx.batch.rooms_changed(cx.now);
        RoomArrived::Ready(room.to_string())
    }

    /// Entering created the room (§10.1, status 201): it stays locked to everyone else until
    /// configured. A room the user created gets their settings through the room's own owner form
    /// (§10.1.3); one joined by address takes the service's defaults (an instant room, §10.1.2).
    pub(super) fn on_created(&mut self, cx: &mut Cx<'_>, room: &str) {
        let Some(v) = self.visits.get_mut(room) else {
            return;
        };
        let Ok(jid) = BareJid::new(room) else {
            return;
        };
        if v.create.is_some() {
            let id = cx.iq.next_id("room-form");
            cx.iq.track_own_to(
                id.clone(),
                Pending::RoomForm(room.to_string()),
                Jid::from(jid.clone()),
                cx.now,
            );
            cx.out
                .stanza(xep0045_muc_owner::config_request(&id, &jid).into());
        } else {
            unlock(cx, &jid);
        }
    }

    /// The owner form of a room we created (`None`: it did not come): our settings go into the
    /// fields it has; without a form the room is unlocked as an instant room.
    pub(crate) fn on_config_form(
        &mut self,
        cx: &mut Cx<'_>,
        room: &str,
        payload: Option<&Element>,
    ) {
        let Some(v) = self.visits.get_mut(room) else {
            return;
        };
        let Ok(jid) = BareJid::new(room) else {
            return;
        };
        let settings = v.create.take();
        match (xep0045_muc_owner::config_form(payload), settings) {
            (Ok(form), Some(settings)) => {
                let id = cx.iq.next_id("room-config");
                cx.iq.track_own_to(
                    id.clone(),
                    Pending::RoomConfigured(room.to_string()),
                    Jid::from(jid.clone()),
                    cx.now,
                );
                cx.out
                    .stanza(xep0045_muc_owner::config_submit(&id, &jid, &form, &settings).into());
            }
            (form, _) => {
                tracing::warn!(
                    "room {room}: no owner form ({:?}); unlocked as it is",
                    form.err()
                );
                unlock(cx, &jid);
            }
        }
    }

    /// The room refused our settings (`error`): it is unlocked with the service's defaults
    /// rather than left locked.
    pub(crate) fn on_config_refused(&mut self, cx: &mut Cx<'_>, room: &str, error: &str) {
        tracing::warn!("room {room} refused its settings ({error}); unlocked as it is");
        if let Ok(jid) = BareJid::new(room) {
            unlock(cx, &jid);
        }
    }
}

/// §10.1.2: accept the room's default configuration (it is no longer locked).
fn unlock(cx: &mut Cx<'_>, room: &BareJid) {
    let id = cx.iq.next_id("instant-room");
    cx.out.stanza(xep0045_muc_owner::instant(&id, room).into());
}

/// Asks `room` for its disco#info (XEP-0030), the answer tagged `kind`.
fn ask_info(cx: &mut Cx<'_>, room: BareJid, kind: Pending) {
    let id = cx.iq.next_id("room-info");
    let to = Jid::from(room);
    cx.iq.track_own_to(id.clone(), kind, to.clone(), cx.now);
    cx.out
        .stanza(hallway_protocol::xep0363_http_upload::info_request(&id, &to).into());
}

/// A room's name from its disco#info identity (a stranger's text, clipped).
fn room_name(info: &Element) -> Option<String> {
    info.children()
        .find(|c| c.name() == "identity" && c.attr("category") == Some("conference"))
        .and_then(|c| c.attr("name"))
        .map(|n| hallway_protocol::clip(n.trim(), xep0045_muc::MAX_NICK))
        .filter(|n| !n.is_empty())
}

/// Keeps a room's new name (stored, and the room list follows).
fn set_name(cx: &mut Cx<'_>, room: &str, v: &mut Visit, name: String) {
    if v.name.as_ref() != Some(&name) {
        let _ = cx
            .store
            .update_room(cx.account.as_str(), room, Some(&name), None, None);
        v.name = Some(name);
        cx.batch.rooms_changed(cx.now);
    }
}
