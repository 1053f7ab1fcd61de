//! Batching: a storm of presences or messages becomes one UI event per kind per 50 ms window
//! (the first change arms the window, `flush` empties it), and the notifications for the new
//! messages among them are decided once per batch (`notify::decide`). Notifications can be held
//! (after a catch-up, until our XEP-0490 read positions are applied: what was read on another
//! device must not pop up here).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use hallway_model::{Message, MessageRequest, Occupant, PresenceUpdate, Room};
use hallway_store::Store;
use tokio::time::Instant;

use crate::events::CoreEvent;
use crate::notify::{self, NotifyContext};

/// How long changes gather before they go to the UI.
pub(crate) const BATCH_WINDOW: Duration = Duration::from_millis(50);

/// What the window shows, for notification decisions (set by the app).
#[derive(Debug, Clone, Default)]
pub(crate) struct ViewState {
    pub visible_peer: Option<String>,
    pub focused: bool,
    pub previews: bool,
}

/// What gathered since the last flush.
#[derive(Default)]
pub(crate) struct Batcher {
    messages: Vec<Message>,
    presence: BTreeMap<String, PresenceUpdate>,
    unread: BTreeSet<String>,
    notify: Vec<Message>,
    requests_dirty: bool,
    rooms_dirty: bool,
    occupants: BTreeSet<String>,
    hold_notify: bool,
    flush_at: Option<Instant>,
}

/// What a flush needs to know besides the batch.
pub(crate) struct FlushContext<'a> {
    pub store: &'a Store,
    pub account: &'a str,
    /// The window, and our status (Do not disturb), for notifications.
    pub notify: NotifyContext,
    /// A contact's display name.
    pub name: &'a dyn Fn(&str) -> String,
    /// The message requests as they stand (asked only when they changed).
    pub requests: &'a dyn Fn() -> Vec<MessageRequest>,
    /// Our rooms as they stand (asked only when one changed).
    pub rooms: &'a dyn Fn() -> Vec<Room>,
    /// A room's occupants as they stand (asked only for rooms whose occupants changed).
    pub occupants: &'a dyn Fn(&str) -> Vec<Occupant>,
}

impl Batcher {
    /// A new message for the UI (stored already).
    pub(crate) fn message(&mut self, m: Message, now: Instant) {
        self.messages.push(m);
        self.arm(now);
    }

    /// A new incoming message that may deserve a notification.
    pub(crate) fn notify(&mut self, m: Message, now: Instant) {
        self.notify.push(m);
        self.arm(now);
    }

    /// This conversation's unread count must go to the UI.
    pub(crate) fn unread(&mut self, peer: &str, now: Instant) {
        self.unread.insert(peer.to_string());
        self.arm(now);
    }

    /// A contact's merged presence (the latest wins within a window).
    pub(crate) fn presence(&mut self, p: PresenceUpdate, now: Instant) {
        self.presence.insert(p.jid.clone(), p);
        self.arm(now);
    }

    /// The message requests must go to the UI again.
    pub(crate) fn requests_changed(&mut self, now: Instant) {
        self.requests_dirty = true;
        self.arm(now);
    }

    /// A room joined, left, renamed or changed phase: the room list goes to the UI again.
    pub(crate) fn rooms_changed(&mut self, now: Instant) {
        self.rooms_dirty = true;
        self.arm(now);
    }

    /// This room's occupants changed (a join flood of 1,000 presences is one event).
    pub(crate) fn occupants_changed(&mut self, room: &str, now: Instant) {
        if !self.occupants.contains(room) {
            self.occupants.insert(room.to_string());
        }
        self.arm(now);
    }

    /// Notifications wait (until `release`).
    pub(crate) fn hold(&mut self) {
        self.hold_notify = true;
    }

    /// Held notifications are decided at the next flush.
    pub(crate) fn release(&mut self, now: Instant) {
        self.hold_notify = false;
        self.arm(now);
    }

    /// When the next flush is due (`None`: nothing waits).
    pub(crate) fn due(&self) -> Option<Instant> {
        self.flush_at
    }

    fn arm(&mut self, now: Instant) {
        if self.flush_at.is_none() {
            self.flush_at = Some(now + BATCH_WINDOW);
        }
    }

    /// One UI event per kind for everything gathered, and the notifications to show.
    pub(crate) fn flush(&mut self, cx: &FlushContext<'_>) -> Vec<CoreEvent> {
        self.flush_at = None;
        let mut events = Vec::new();
        if !self.messages.is_empty() {
            events.push(CoreEvent::MessagesReceived(std::mem::take(
                &mut self.messages,
            )));
        }
        if !self.presence.is_empty() {
            let updates = std::mem::take(&mut self.presence).into_values().collect();
            events.push(CoreEvent::PresencesChanged(updates));
        }
        if !self.unread.is_empty() {
            let mut counts: HashMap<String, hallway_model::UnreadCount> = cx
                .store
                .unread(cx.account)
                .unwrap_or_default()
                .into_iter()
                .map(|c| (c.peer.clone(), c))
                .collect();
            let changed = std::mem::take(&mut self.unread)
                .into_iter()
                .map(|p| {
                    counts
                        .remove(&p)
                        .unwrap_or_else(|| hallway_model::UnreadCount::none(&p))
                })
                .collect();
            events.push(CoreEvent::UnreadChanged(changed));
        }
        if std::mem::take(&mut self.requests_dirty) {
            events.push(CoreEvent::MessageRequestsChanged((cx.requests)()));
        }
        if std::mem::take(&mut self.rooms_dirty) {
            events.push(CoreEvent::RoomsChanged((cx.rooms)()));
        }
        for room in std::mem::take(&mut self.occupants) {
            let occupants = (cx.occupants)(&room);
            events.push(CoreEvent::OccupantsChanged { room, occupants });
        }
        if !self.notify.is_empty() && !self.hold_notify {
            let since = cx.notify.since_ms;
            let batch: Vec<Message> = std::mem::take(&mut self.notify)
                .into_iter()
                // Older than the previous session: never notified (checked before touching the
                // store, so a big catch-up costs no query per message).
                .filter(|m| m.timestamp >= since)
                // Read on another device meanwhile (XEP-0333 carbons): no notification.
                .filter(|m| cx.store.is_unread(m.id).unwrap_or(false))
                .collect();
            for n in notify::decide(&cx.notify, &batch, cx.name) {
                events.push(CoreEvent::NotificationRequested(n));
            }
        }
        events
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::testing::{insert, row, ME};
    use hallway_model::{DeliveryState, Direction, PresenceShow};

    fn incoming(store: &Store, peer: &str, body: &str, ts: i64) -> Message {
        let origin = format!("o-{body}");
        insert(
            store,
            &row(
                peer,
                Direction::Incoming,
                body,
                &origin,
                ts,
                DeliveryState::Received,
            ),
        )
    }

    fn cx<'a>(
        store: &'a Store,
        since_ms: i64,
        name: &'a dyn Fn(&str) -> String,
    ) -> FlushContext<'a> {
        FlushContext {
            store,
            account: ME,
            notify: NotifyContext {
                previews: true,
                since_ms,
                ..Default::default()
            },
            name,
            requests: &Vec::new,
            rooms: &Vec::new,
            occupants: &|_| Vec::new(),
        }
    }

    fn presence(jid: &str, show: PresenceShow) -> PresenceUpdate {
        PresenceUpdate {
            jid: jid.into(),
            presence: show,
            status: None,
            idle_since: None,
            last_seen: None,
        }
    }

    #[test]
    fn a_storm_is_one_event_per_kind_and_the_window_arms_once() {
        let s = Store::open_in_memory().unwrap();
        let mut b = Batcher::default();
        let t0 = Instant::now();
        assert_eq!(b.due(), None);
        for i in 0..100 {
            b.presence(
                presence(&format!("c{}@x.org", i % 10), PresenceShow::Away),
                t0,
            );
        }
        b.presence(
            presence("c1@x.org", PresenceShow::Available),
            t0 + BATCH_WINDOW / 2,
        );
        assert_eq!(
            b.due(),
            Some(t0 + BATCH_WINDOW),
            "the first change arms the window"
        );
        let name = |j: &str| j.to_string();
        let events = b.flush(&cx(&s, 0, &name));
        let [CoreEvent::PresencesChanged(updates)] = &events[..] else {
            panic!("{events:?}")
        };
        assert_eq!(updates.len(), 10, "one update per contact");
        let c1 = updates.iter().find(|u| u.jid == "c1@x.org").unwrap();
        assert_eq!(c1.presence, PresenceShow::Available, "the latest wins");
        assert_eq!(b.due(), None);
        assert!(b.flush(&cx(&s, 0, &name)).is_empty());
    }

    #[test]
    fn new_messages_come_with_their_unread_counts_and_notifications() {
        let s = Store::open_in_memory().unwrap();
        let mut b = Batcher::default();
        let now = Instant::now();
        for body in ["one", "two"] {
            let m = incoming(&s, "bob@x.org", body, 5_000);
            b.message(m.clone(), now);
            b.unread("bob@x.org", now);
            b.notify(m, now);
        }
        let name = |_: &str| "Bob".to_string();
        let events = b.flush(&cx(&s, 1_000, &name));
        assert!(matches!(&events[0], CoreEvent::MessagesReceived(ms) if ms.len() == 2));
        assert!(
            matches!(&events[1], CoreEvent::UnreadChanged(u) if u.len() == 1 && u[0].peer == "bob@x.org" && u[0].unread == 2)
        );
        let CoreEvent::NotificationRequested(n) = &events[2] else {
            panic!("{events:?}")
        };
        assert_eq!(n.title, "Bob");
    }

    #[test]
    fn held_notifications_wait_and_skip_what_was_read_or_is_old() {
        let s = Store::open_in_memory().unwrap();
        let mut b = Batcher::default();
        let now = Instant::now();
        let old = incoming(&s, "bob@x.org", "from before", 500);
        let read = incoming(&s, "carol@x.org", "read elsewhere", 5_000);
        let fresh = incoming(&s, "dave@x.org", "new", 5_000);
        b.hold();
        for m in [old, read.clone(), fresh] {
            b.notify(m, now);
        }
        let name = |j: &str| j.to_string();
        assert!(b.flush(&cx(&s, 1_000, &name)).is_empty(), "held");
        // Meanwhile our other device read Carol's.
        s.mark_read(ME, "carol@x.org").unwrap();
        b.release(now);
        assert!(b.due().is_some());
        let events = b.flush(&cx(&s, 1_000, &name));
        let peers: Vec<_> = events
            .iter()
            .filter_map(|e| match e {
                CoreEvent::NotificationRequested(n) => n.peer.clone(),
                _ => None,
            })
            .collect();
        assert_eq!(peers, vec!["dave@x.org".to_string()]);
    }

    #[test]
    fn message_requests_are_asked_for_only_when_they_changed() {
        let s = Store::open_in_memory().unwrap();
        let mut b = Batcher::default();
        let asked = std::cell::Cell::new(0);
        let requests = || {
            asked.set(asked.get() + 1);
            Vec::new()
        };
        let name = |j: &str| j.to_string();
        let mut c = cx(&s, 0, &name);
        c.requests = &requests;
        b.presence(presence("a@x.org", PresenceShow::Away), Instant::now());
        b.flush(&c);
        assert_eq!(asked.get(), 0);
        b.requests_changed(Instant::now());
        let events = b.flush(&c);
        assert_eq!(asked.get(), 1);
        assert!(matches!(events[..], [CoreEvent::MessageRequestsChanged(_)]));
    }

    #[test]
    fn while_notifications_are_held_messages_still_reach_the_window() {
        let s = Store::open_in_memory().unwrap();
        let mut b = Batcher::default();
        let now = Instant::now();
        b.hold();
        let m = incoming(&s, "bob@x.org", "hi", 5_000);
        b.message(m.clone(), now);
        b.notify(m, now);
        let name = |j: &str| j.to_string();
        let events = b.flush(&cx(&s, 1_000, &name));
        assert!(matches!(&events[..], [CoreEvent::MessagesReceived(ms)] if ms.len() == 1));
        // Released later: the held one is decided then, once.
        b.release(now);
        let events = b.flush(&cx(&s, 1_000, &name));
        assert!(matches!(&events[..], [CoreEvent::NotificationRequested(_)]));
        assert!(b.flush(&cx(&s, 1_000, &name)).is_empty());
    }

    #[test]
    fn after_a_flush_the_next_change_opens_a_new_window() {
        let s = Store::open_in_memory().unwrap();
        let mut b = Batcher::default();
        let t0 = Instant::now();
        b.unread("bob@x.org", t0);
        let name = |j: &str| j.to_string();
        b.flush(&cx(&s, 0, &name));
        let t1 = t0 + Duration::from_secs(3);
        b.presence(presence("bob@x.org", PresenceShow::Away), t1);
        assert_eq!(b.due(), Some(t1 + BATCH_WINDOW));
    }

    #[test]
    fn an_unread_count_is_read_from_the_store_at_flush_time() {
        let s = Store::open_in_memory().unwrap();
        let mut b = Batcher::default();
        let now = Instant::now();
        incoming(&s, "bob@x.org", "one", 5_000);
        b.unread("bob@x.org", now);
        // Read before the window closed (another device): the UI gets 0, not a stale 1.
        s.mark_read(ME, "bob@x.org").unwrap();
        let name = |j: &str| j.to_string();
        let events = b.flush(&cx(&s, 0, &name));
        assert!(
            matches!(&events[..], [CoreEvent::UnreadChanged(u)] if u == &vec![hallway_model::UnreadCount::none("bob@x.org")])
        );
    }
}
