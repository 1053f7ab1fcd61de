//! The rooms part of one session (XEP-0045): which rooms we are in and where we stand with each
//! (joining, joined, reconnecting, refused), who is in them, and their messages. A fresh session
//! joins every autojoin room again, a few at a time (a sign-in with many rooms is no storm);
//! stream resumption (XEP-0198) keeps them; a room silent for a while is asked whether it still
//! has us (XEP-0410 self-ping) and joined again when it does not. Our own messages come back as
//! reflections (§7.4), matched to the stored row by XEP-0359 origin-id: no second row. The room's
//! subject closes its history on entry (§7.2.15): only then does the outbox send to it, so a
//! message that went out just before a link died is found in the history instead of going twice.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::Duration;

use hallway_model::{Affiliation, Occupant, OccupantAction, Role, Room, RoomNotify, RoomPhase};
use hallway_protocol::xep0045_muc;
use hallway_protocol::xep0402_bookmarks::Bookmark;
use hallway_protocol::xep0410_self_ping;
use hallway_store::Store;
use tokio::time::Instant;
use tokio_xmpp::jid::{BareJid, Jid};

use crate::live::{Cx, Pending};

/// Rooms joined at once after a fresh session; the rest follow every `JOIN_SPACING`.
const JOIN_BURST: usize = 5;
const JOIN_SPACING: Duration = Duration::from_millis(150);
/// A room that said "not found" (locked while its creator configures it) is tried again after.
const LOCKED_RETRY: Duration = Duration::from_secs(2);
/// A joined room silent this long is self-pinged (XEP-0410 §3.1 leaves the interval to us).
pub(crate) const SELF_PING_AFTER: Duration = crate::DEFAULT_ROOM_SELF_PING_AFTER;
/// A room that has not answered our join this long: entered again.
const JOIN_RETRY: Duration = Duration::from_secs(10);
/// A room that confirmed us but sent no subject this long after: joined anyway.
const SUBJECT_WAIT: Duration = Duration::from_secs(15);
/// Most occupants kept per room (a peer-fillable list is bounded).
pub(crate) const MAX_OCCUPANTS: usize = 20_000;

/// One room we want to be in.
pub(super) struct Visit {
    pub(super) nick: String,
    pub(super) name: Option<String>,
    pub(super) subject: Option<String>,
    pub(super) notify: RoomNotify,
    pub(super) autojoin: bool,
    pub(super) phase: RoomPhase,
    pub(super) occupants: BTreeMap<String, Occupant>,
    /// Our standing in it, as its last presence of ours said (kept while we are out).
    pub(super) affiliation: Affiliation,
    /// Its disco#info lists `urn:xmpp:sid:0`: its stanza-ids are believed.
    pub(super) stanza_ids: bool,
    /// The user created it: these settings go into its owner form once it exists (§10.1.3).
    pub(super) create: Option<hallway_protocol::xep0045_muc_owner::RoomSettings>,
    /// It keeps an archive (XEP-0313) we catch up from instead of what it replays on entry.
    pub(super) archive: bool,
    /// Its disco#info is awaited: the join presence follows the answer.
    pub(super) info_pending: bool,
    /// Times it said "not found" in a row (a locked room, §10.1, is tried again).
    pub(super) locked_retries: u8,
    /// Its archive catch-up runs: live messages wait in `held` (bounded) to land after it.
    pub(super) catching_up: bool,
    /// The archive query whose end completes the catch-up (older ones are stale).
    pub(super) catch_up_qid: Option<String>,
    pub(super) held: Vec<hallway_protocol::xep0045_groupchat::RoomMessage>,
    /// Anything heard from it (self-ping after a silence).
    pub(super) last_heard: Instant,
    pub(super) pinging: bool,
    /// Our self-presence arrived at (the subject should follow).
    pub(super) confirmed_at: Option<Instant>,
    /// No message of it was stored before this visit: the history it replays is not unread.
    pub(super) first_visit: bool,
    /// Where our other devices read it up to (XEP-0490, the room's stanza-id): applied again
    /// once its catch-up is stored, which may bring what was read there.
    pub(super) read_to: Option<String>,
    /// The password the user gave for it (§7.2.6), for this run only.
    pub(super) password: Option<hallway_model::Password>,
    /// Its disco#info is being read again for its name (one request at a time).
    pub(super) refreshing: bool,
}

/// What a room stanza means for the session.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RoomArrived {
    Done,
    /// The room's history is in: its outbox may go (and its doubts end).
    Ready(String),
}

/// The session's rooms.
pub(crate) struct JoinedRooms {
    pub(super) visits: BTreeMap<String, Visit>,
    /// Room archive queries in flight, by query id (`archive.rs`).
    fetches: HashMap<String, archive::RoomFetch>,
    queue: VecDeque<String>,
    next_join: Option<Instant>,
    /// Our availability, sent with every join (§7.2: a join presence is a presence like any).
    pub(crate) own_show: Option<tokio_xmpp::parsers::presence::Show>,
    /// How long a joined room may stay silent before it is self-pinged ([`SELF_PING_AFTER`];
    /// tests shorten it).
    self_ping_after: Duration,
    /// Room passwords invitations brought, until the user joins (`entry.rs`; this run only).
    invited_passwords: HashMap<String, hallway_model::Password>,
}

impl JoinedRooms {
    /// The rooms stored for `account` (none joined yet: that waits for a session).
    pub(crate) fn new(store: &Store, account: &str) -> Self {
        let now = Instant::now();
        let visits = store
            .rooms(account)
            .unwrap_or_else(|e| {
                tracing::warn!("rooms unreadable: {e}");
                Vec::new()
            })
            .into_iter()
            .map(|r| {
                let visit = Visit {
                    name: r.name,
                    subject: r.subject,
                    notify: r.notify,
                    autojoin: r.autojoin,
                    ..Visit::new(&r.nick, now)
                };
                (r.room, visit)
            })
            .collect();
        Self {
            visits,
            fetches: HashMap::new(),
            queue: VecDeque::new(),
            next_join: None,
            own_show: None,
            self_ping_after: SELF_PING_AFTER,
            invited_passwords: HashMap::new(),
        }
    }

    /// Self-pings rooms silent for `after` instead of [`SELF_PING_AFTER`].
    pub(crate) fn self_ping_after(mut self, after: Duration) -> Self {
        self.self_ping_after = after;
        self
    }

    /// The room list as the sidebar shows it.
    pub(crate) fn list(&self) -> Vec<Room> {
        let mut rooms: Vec<Room> = self
            .visits
            .iter()
            .map(|(jid, v)| Room {
                room: jid.clone(),
                name: v.name.clone().unwrap_or_else(|| localpart(jid)),
                nick: v.nick.clone(),
                phase: v.phase.clone(),
                subject: v.subject.clone(),
                notify: v.notify,
                autojoin: v.autojoin,
                role: v.me().map_or(Role::None, |me| me.role),
                affiliation: v.affiliation,
            })
            .collect();
        rooms.sort_by(|a, b| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then(a.room.cmp(&b.room))
        });
        rooms
    }

    /// Who is in `room`, by nickname, with what we may do to each.
    pub(crate) fn occupants(&self, room: &str) -> Vec<Occupant> {
        let Some(v) = self.visits.get(room) else {
            return Vec::new();
        };
        let me = v.me();
        v.occupants
            .values()
            .map(|o| Occupant {
                actions: me
                    .map(|me| OccupantAction::allowed(me, o))
                    .unwrap_or_default(),
                ..o.clone()
            })
            .collect()
    }

    /// The password to enter `room` with (the user typed it after the room asked for one).
    pub(crate) fn set_password(
        &mut self,
        room: &str,
        nick: &str,
        password: Option<hallway_model::Password>,
        now: Instant,
    ) {
        self.visits
            .entry(room.to_string())
            .or_insert_with(|| Visit::new(nick, now))
            .password = password;
    }

    /// A room's display name (notifications), when `jid` is one of ours.
    pub(crate) fn name_of(&self, jid: &str) -> Option<String> {
        let v = self.visits.get(jid)?;
        Some(v.name.clone().unwrap_or_else(|| localpart(jid)))
    }

    /// Whether a stanza from `from` is one of our rooms' (the room or an occupant).
    pub(crate) fn owns(&self, from: Option<&Jid>) -> bool {
        from.is_some_and(|f| self.visits.contains_key(f.to_bare().as_str()))
    }

    /// Whether `peer` is one of our rooms.
    pub(crate) fn is_room(&self, peer: &str) -> bool {
        self.visits.contains_key(peer)
    }

    /// Whether we are in `room` or on our way in (not refused, not left).
    pub(crate) fn is_in(&self, room: &str) -> bool {
        self.visits.get(room).is_some_and(|v| {
            matches!(
                v.phase,
                RoomPhase::Joined | RoomPhase::Joining | RoomPhase::Reconnecting
            )
        })
    }

    /// Whether `room` keeps an archive we may page (`None`: not known, we are not in it now).
    pub(crate) fn has_archive(&self, room: &str) -> Option<bool> {
        self.visits
            .get(room)
            .filter(|v| v.phase == RoomPhase::Joined)
            .map(|v| v.archive)
    }

    /// Whether the outbox must wait for `peer`: a room we are not (yet) in.
    pub(crate) fn holds(&self, peer: &str) -> bool {
        self.visits
            .get(peer)
            .is_some_and(|v| v.phase != RoomPhase::Joined)
    }

    /// Enter `room` as `nick` (a new room, or one we were refused by and try again).
    pub(crate) fn join(
        &mut self,
        cx: &mut Cx<'_>,
        online: bool,
        room: &str,
        nick: &str,
        name: Option<String>,
        create: Option<hallway_protocol::xep0045_muc_owner::RoomSettings>,
    ) {
        let v = self
            .visits
            .entry(room.to_string())
            .or_insert_with(|| Visit::new(nick, cx.now));
        v.nick = nick.to_string();
        v.autojoin = true;
        if name.is_some() {
            v.name = name;
        }
        if create.is_some() {
            v.create = create;
        }
        v.locked_retries = 0;
        if v.phase == RoomPhase::Joined {
            return;
        }
        v.phase = RoomPhase::Joining;
        cx.batch.rooms_changed(cx.now);
        if online {
            self.send_join(cx, room);
        }
    }

    /// Leave `room` (the user left it here or on another device).
    pub(crate) fn leave(&mut self, cx: &mut Cx<'_>, online: bool, room: &str) {
        let Some(v) = self.visits.remove(room) else {
            return;
        };
        self.queue.retain(|r| r != room);
        if online && v.phase != RoomPhase::Left {
            if let Some(me) = occupant_jid(room, &v.nick) {
                cx.out.stanza(xep0045_muc::leave(&me).into());
            }
        }
        cx.batch.rooms_changed(cx.now);
        cx.batch.occupants_changed(room, cx.now);
    }

    /// When a room of `notify` setting should notify about a message naming us or not.
    pub(crate) fn set_notify(&mut self, cx: &mut Cx<'_>, room: &str, notify: RoomNotify) {
        if let Some(v) = self.visits.get_mut(room) {
            v.notify = notify;
            cx.batch.rooms_changed(cx.now);
        }
    }

    /// A fresh session: every room is left on the server's side; the autojoin ones are joined
    /// again, a burst at once and the rest spaced out.
    pub(crate) fn on_reset(&mut self, cx: &mut Cx<'_>) {
        self.queue.clear();
        self.drop_fetches();
        for (jid, v) in self.visits.iter_mut() {
            v.occupants.clear();
            v.pinging = false;
            v.confirmed_at = None;
            v.locked_retries = 0;
            v.forget_entry();
            if v.autojoin || v.phase != RoomPhase::Left {
                v.phase = if matches!(v.phase, RoomPhase::Joined | RoomPhase::Reconnecting) {
                    RoomPhase::Reconnecting
                } else {
                    RoomPhase::Joining
                };
                self.queue.push_back(jid.clone());
            }
            cx.batch.occupants_changed(jid, cx.now);
        }
        cx.batch.rooms_changed(cx.now);
        self.on_timer(cx);
    }

    /// The link is down (it may resume, XEP-0198): joined rooms show that they are not live.
    pub(crate) fn on_suspended(&mut self, cx: &mut Cx<'_>) {
        for v in self.visits.values_mut() {
            if v.phase == RoomPhase::Joined {
                v.phase = RoomPhase::Reconnecting;
                cx.batch.rooms_changed(cx.now);
            }
        }
    }

    /// The stream resumed: the rooms never lost us.
    pub(crate) fn on_resumed(&mut self, cx: &mut Cx<'_>) {
        for v in self.visits.values_mut() {
            if v.phase == RoomPhase::Reconnecting && v.confirmed_at.is_some() {
                v.phase = RoomPhase::Joined;
                v.last_heard = cx.now;
                cx.batch.rooms_changed(cx.now);
            }
        }
    }

    /// The session ended (signed out, or it can never come back).
    pub(crate) fn on_offline(&mut self) {
        self.queue.clear();
        self.drop_fetches();
        self.next_join = None;
        for v in self.visits.values_mut() {
            v.phase = RoomPhase::Left;
            v.occupants.clear();
            v.forget_entry();
        }
    }

    /// When the next spaced-out joins are due.
    pub(crate) fn due(&self) -> Option<Instant> {
        self.next_join
    }

    /// Joins `room` again after a short while (a room locked for its settings, §10.1).
    pub(super) fn join_later(&mut self, cx: &mut Cx<'_>, room: &str) {
        if !self.queue.iter().any(|r| r == room) {
            self.queue.push_back(room.to_string());
        }
        let at = cx.now + LOCKED_RETRY;
        self.next_join = Some(self.next_join.map_or(at, |t| t.max(at)));
    }

    /// Sends the next joins waiting.
    pub(crate) fn on_timer(&mut self, cx: &mut Cx<'_>) {
        self.next_join = None;
        for _ in 0..JOIN_BURST {
            let Some(room) = self.queue.pop_front() else {
                return;
            };
            self.send_join(cx, &room);
        }
        if !self.queue.is_empty() {
            self.next_join = Some(cx.now + JOIN_SPACING);
        }
    }

    /// Every few seconds: rooms that confirmed us but never sent a subject count as joined;
    /// rooms silent for `self_ping_after` are asked whether they still have us.
    pub(crate) fn housekeeping(&mut self, cx: &mut Cx<'_>) -> Vec<String> {
        let mut ready = Vec::new();
        let rooms: Vec<String> = self.visits.keys().cloned().collect();
        for room in rooms {
            let Some(v) = self.visits.get_mut(&room) else {
                continue;
            };
            match &v.phase {
                RoomPhase::Joining | RoomPhase::Reconnecting
                    if !v.catching_up
                        && v.confirmed_at
                            .is_some_and(|t| cx.now.duration_since(t) >= SUBJECT_WAIT) =>
                {
                    if let RoomArrived::Ready(r) = self.entered(cx, &room) {
                        ready.push(r);
                    }
                }
                // Sent, and not a word back (the join or its answer went astray): again.
                RoomPhase::Joining | RoomPhase::Reconnecting
                    if !v.catching_up
                        && v.confirmed_at.is_none()
                        && cx.now.duration_since(v.last_heard) >= JOIN_RETRY
                        && !self.queue.contains(&room) =>
                {
                    tracing::warn!("room {room} did not answer our join: entering again");
                    self.send_join(cx, &room);
                }
                RoomPhase::Joined
                    if !v.pinging
                        && cx.now.duration_since(v.last_heard) >= self.self_ping_after =>
                {
                    if let Some(me) = occupant_jid(&room, &v.nick) {
                        v.pinging = true;
                        v.last_heard = cx.now;
                        let id = cx.iq.next_id("self-ping");
                        cx.iq.track_own_to(
                            id.clone(),
                            Pending::SelfPing(room.clone()),
                            Jid::from(me.clone()),
                            cx.now,
                        );
                        cx.out.stanza(xep0410_self_ping::ping(&id, &me).into());
                    }
                }
                _ => {}
            }
        }
        ready
    }

    /// Bookmarks (XEP-0402) read from the server or pushed by another device: rooms marked
    /// autojoin that we are not in are joined (and stored). Returns the rooms added.
    pub(crate) fn on_bookmarks(
        &mut self,
        cx: &mut Cx<'_>,
        online: bool,
        bookmarks: Vec<Bookmark>,
        default_nick: &str,
    ) -> Vec<String> {
        let mut added = Vec::new();
        for b in bookmarks.into_iter().filter(|b| b.autojoin) {
            let room = b.room.to_string();
            if self.visits.contains_key(&room) {
                continue;
            }
            let nick = b
                .nick
                .clone()
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| default_nick.to_string());
            if let Err(e) =
                cx.store
                    .join_room(cx.account.as_str(), &room, &nick, b.name.as_deref(), true)
            {
                tracing::warn!("could not store room {room}: {e}");
                continue;
            }
            self.join(cx, online, &room, &nick, b.name.clone(), None);
            added.push(room);
        }
        added
    }
}

pub(super) fn refused(reason: hallway_model::RoomRefusal) -> RoomPhase {
    RoomPhase::Error {
        reason,
        words: reason.words().to_string(),
    }
}

pub(super) fn occupant_jid(room: &str, nick: &str) -> Option<tokio_xmpp::jid::FullJid> {
    BareJid::new(room).ok()?.with_resource_str(nick).ok()
}

fn localpart(jid: &str) -> String {
    jid.split('@').next().unwrap_or(jid).to_string()
}

mod archive;
mod entry;
mod lost;
mod reading;
mod traffic;

#[cfg(test)]
mod tests;
