//! The people the session knows, live: the roster (RFC 6121 §2, fetched and pushed), presence
//! merged per contact (most available device wins; XEP-0319 idle, last seen), subscription
//! requests (§3), the block list (XEP-0191), avatar announcements (XEP-0084 PEP, XEP-0153
//! hints) and "Requests" from people outside the roster, plus our own broadcast presence
//! (automatic away, XEP-0115 caps, our avatar hint). Only roster contacts' presence and devices
//! are kept, with caps: strangers cannot grow this state. A part of the session: it reads
//! parsed stanzas and says what to send and tell the UI (`Out`, `Batcher`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use hallway_model::{
    display_name_for, AutoAway, Contact, Device, MessageRequest, MyPresence, PresenceShow,
    PresenceUpdate, SubscriptionRequest,
};
use hallway_protocol::rfc6121_presence::{self, PresenceEvent};
use hallway_protocol::rfc6121_roster::RosterItem;
use hallway_protocol::xep0153_vcard_avatar::PhotoHint;
use hallway_store::{ContactInfo, Store};
use tokio::time::Instant;
use tokio_xmpp::parsers::presence::Presence;

use crate::events::CoreEvent;
use crate::live::batch::Batcher;
pub(crate) use crate::live::command::Details;
use crate::live::Out;

mod avatars;
mod requests;

/// Devices tracked per contact (a hostile one could announce thousands of resources).
const MAX_RESOURCES: usize = 16;
/// Longest status text kept (characters); strangers' text beyond it is cut.
const MAX_STATUS: usize = 1024;
/// Pending subscription requests kept (a flood of requests must not grow without bound).
const MAX_SUB_REQUESTS: usize = 500;

#[derive(Debug, Clone)]
struct Resource {
    show: PresenceShow,
    status: Option<String>,
    priority: i8,
    idle_since: Option<i64>,
}

/// Our own presence as we broadcast it.
#[derive(Debug, Clone)]
pub(crate) struct Me {
    pub chosen: MyPresence,
    pub auto: AutoAway,
    pub idle_since: Option<i64>,
    pub avatar: Option<String>,
}

impl Default for Me {
    fn default() -> Self {
        Self {
            chosen: MyPresence::default(),
            auto: AutoAway::Off,
            idle_since: None,
            avatar: None,
        }
    }
}

/// The people part of one session.
pub(crate) struct People {
    account: String,
    roster: BTreeMap<String, RosterItem>,
    /// The roster was fetched at least once this run (until then nobody counts as a contact).
    loaded: bool,
    /// bare JID → full JID → presence.
    resources: HashMap<String, HashMap<String, Resource>>,
    blocked: BTreeSet<String>,
    sub_requests: BTreeMap<String, SubscriptionRequest>,
    /// Remembered avatar and last seen per contact.
    infos: HashMap<String, ContactInfo>,
    /// Everyone who ever wrote to us (people outside the roster among them are "Requests").
    incoming_peers: BTreeSet<String>,
    /// Avatar announced per contact and still being fetched (`None`: removed meanwhile).
    wanted_avatars: HashMap<String, Option<String>>,
    /// Our own presence.
    pub(crate) me: Me,
    /// Our presence must go out again (our avatar changed on another device).
    pub(crate) presence_dirty: bool,
}

impl People {
    /// The people part for `account`, with what the store remembers.
    pub(crate) fn new(store: &Store, account: &str, me: Me) -> Self {
        Self {
            account: account.to_string(),
            roster: BTreeMap::new(),
            loaded: false,
            resources: HashMap::new(),
            blocked: BTreeSet::new(),
            sub_requests: BTreeMap::new(),
            infos: store.contact_infos(account).unwrap_or_default(),
            incoming_peers: store
                .incoming_peers(account)
                .unwrap_or_default()
                .into_iter()
                .collect(),
            wanted_avatars: HashMap::new(),
            me,
            presence_dirty: false,
        }
    }

    /// Whether `bare` is in our roster.
    pub(crate) fn in_roster(&self, bare: &str) -> bool {
        self.roster.contains_key(bare)
    }

    /// Whether we block `bare` (XEP-0191).
    pub(crate) fn is_blocked(&self, bare: &str) -> bool {
        self.blocked.contains(bare)
    }

    /// Whether the roster was fetched (until then nobody is known as a contact).
    pub(crate) fn roster_loaded(&self) -> bool {
        self.loaded
    }

    /// Our presence as chosen, with automatic away, idle time, caps and avatar hint.
    pub(crate) fn own_presence(&self) -> Presence {
        rfc6121_presence::own_presence(
            &self.me.chosen,
            self.me.auto,
            self.me.idle_since,
            self.me.avatar.as_deref(),
        )
    }

    /// A fresh session: presence from the old one is stale (the server sends it again after our
    /// initial presence), and pending subscription requests come again too (RFC 6121 §3.1.3).
    pub(crate) fn on_reset(&mut self, out: &mut Out, batch: &mut Batcher, now: Instant) {
        let stale: Vec<String> = self.resources.keys().cloned().collect();
        self.resources.clear();
        for bare in stale {
            self.queue_presence(&bare, batch, now);
        }
        if !self.sub_requests.is_empty() {
            self.sub_requests.clear();
            out.events
                .push(CoreEvent::SubscriptionRequestsChanged(Vec::new()));
        }
        self.wanted_avatars.clear();
    }

    /// The roster as fetched (the whole of it).
    pub(crate) fn on_roster(
        &mut self,
        store: &Store,
        items: Vec<RosterItem>,
        out: &mut Out,
        batch: &mut Batcher,
        now: Instant,
    ) {
        self.roster = items
            .into_iter()
            .filter(|i| !i.removed)
            .map(|i| (i.jid.clone(), i))
            .collect();
        self.loaded = true;
        self.drop_answered_requests(out);
        batch.requests_changed(now);
        out.events
            .push(CoreEvent::RosterChanged(self.contacts(store)));
    }

    /// Roster pushes (RFC 6121 §2.1.6): the server's word on every change, from any device.
    pub(crate) fn on_roster_push(
        &mut self,
        store: &Store,
        items: Vec<RosterItem>,
        out: &mut Out,
        batch: &mut Batcher,
        now: Instant,
    ) {
        for i in items {
            if i.removed {
                self.roster.remove(&i.jid);
            } else {
                self.roster.insert(i.jid.clone(), i);
            }
        }
        self.drop_answered_requests(out);
        batch.requests_changed(now);
        out.events
            .push(CoreEvent::RosterChanged(self.contacts(store)));
    }

    /// A presence stanza.
    pub(crate) fn on_presence(
        &mut self,
        store: &Store,
        p: &Presence,
        out: &mut Out,
        batch: &mut Batcher,
        now: Instant,
        now_ms: i64,
    ) {
        match rfc6121_presence::classify(p, now_ms) {
            PresenceEvent::Available {
                from,
                bare,
                show,
                status,
                priority,
                idle_since,
                photo,
            } => {
                // Our own other devices, blocked contacts (shown as blocked) and people outside the
                // roster (nothing shows their presence; a stranger must not grow our state).
                if bare == self.account
                    || self.blocked.contains(&bare)
                    || !self.roster.contains_key(&bare)
                {
                    return;
                }
                let status = status.map(|s| s.chars().take(MAX_STATUS).collect());
                let res = self.resources.entry(bare.clone()).or_default();
                if res.len() >= MAX_RESOURCES && !res.contains_key(&from) {
                    tracing::warn!("{bare} announced more than {MAX_RESOURCES} devices; ignored");
                    return;
                }
                res.insert(
                    from,
                    Resource {
                        show,
                        status,
                        priority,
                        idle_since,
                    },
                );
                if let PhotoHint::Hash(hash) = photo {
                    self.announce_avatar(&bare, hash, out);
                }
                self.queue_presence(&bare, batch, now);
            }
            PresenceEvent::Unavailable {
                from,
                bare,
                idle_since,
                ..
            } => {
                let was_online = self.resources.get(&bare).is_some_and(|r| !r.is_empty());
                if let Some(res) = self.resources.get_mut(&bare) {
                    if from == bare {
                        res.clear(); // bare-JID unavailable: every resource is gone
                    } else {
                        res.remove(&from);
                    }
                    if res.is_empty() {
                        self.resources.remove(&bare);
                    }
                }
                if was_online && !self.resources.contains_key(&bare) {
                    // Seen going offline: that is their last seen (or their last interaction,
                    // XEP-0319 in unavailable presence, when they say).
                    self.remember_last_seen(store, &bare, idle_since.unwrap_or(now_ms));
                }
                self.queue_presence(&bare, batch, now);
            }
            PresenceEvent::SubscriptionRequest { bare, nick } => {
                self.on_subscription_request(bare, nick, out);
            }
            PresenceEvent::Other => {}
        }
    }

    /// When `jid` was last online (XEP-0012 answered, or seen going offline); never back in time.
    pub(crate) fn remember_last_seen(&mut self, store: &Store, jid: &str, ms: i64) {
        let info = self.infos.entry(jid.to_string()).or_default();
        if info.last_seen.is_some_and(|old| old >= ms) {
            return;
        }
        info.last_seen = Some(ms);
        if let Err(e) = store.set_contact_last_seen(&self.account, jid, ms) {
            tracing::warn!("could not remember last seen: {e}");
        }
    }

    /// Someone wrote to us: people outside the roster show under "Requests".
    pub(crate) fn note_incoming(&mut self, peer: &str, batch: &mut Batcher, now: Instant) {
        self.incoming_peers.insert(peer.to_string());
        if !self.roster.contains_key(peer) {
            batch.requests_changed(now);
        }
    }

    /// People outside the roster (not blocked) who wrote to us, newest first.
    pub(crate) fn message_requests(&self, store: &Store) -> Vec<MessageRequest> {
        let mut out: Vec<MessageRequest> = self
            .incoming_peers
            .iter()
            .filter(|p| {
                !self.roster.contains_key(*p) && !self.blocked.contains(*p) && **p != self.account
            })
            .filter_map(|p| match store.conversation_head(&self.account, p) {
                Ok(Some(h)) => Some(MessageRequest {
                    jid: h.peer,
                    unread: h.unread,
                    last_body: h.last_body,
                    last_timestamp: h.last_ts,
                }),
                Ok(None) => None,
                Err(e) => {
                    tracing::warn!("could not read a request: {e}");
                    None
                }
            })
            .collect();
        out.sort_by_key(|r| std::cmp::Reverse(r.last_timestamp));
        out
    }

    /// The most available resource wins (RFC 6121 leaves merging to the client; rank, then
    /// priority).
    fn merged(&self, bare: &str) -> (PresenceShow, Option<String>, Option<i64>) {
        self.resources
            .get(bare)
            .and_then(|r| r.values().max_by_key(|x| (x.show.rank(), x.priority)))
            .map(|r| (r.show, r.status.clone(), r.idle_since))
            .unwrap_or((PresenceShow::Offline, None, None))
    }

    /// `bare`'s merged presence goes to the UI with the next batch.
    pub(crate) fn queue_presence(&self, bare: &str, batch: &mut Batcher, now: Instant) {
        let (presence, status, idle_since) = self.merged(bare);
        let last_seen = self.infos.get(bare).and_then(|i| i.last_seen);
        batch.presence(
            PresenceUpdate {
                jid: bare.to_string(),
                presence,
                status,
                idle_since,
                last_seen,
            },
            now,
        );
    }

    /// Devices and last seen of `jid`, most available device first.
    pub(crate) fn details(&self, jid: &str) -> Details {
        let mut devices: Vec<(u8, i8, Device)> = self
            .resources
            .get(jid)
            .map(|r| {
                r.iter()
                    .map(|(full, res)| {
                        let resource = full
                            .split_once('/')
                            .map(|(_, r)| r.to_string())
                            .unwrap_or_default();
                        (
                            res.show.rank(),
                            res.priority,
                            Device {
                                resource,
                                presence: res.show,
                                status: res.status.clone(),
                                idle_since: res.idle_since,
                            },
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        devices.sort_by(|a, b| {
            (b.0, b.1)
                .cmp(&(a.0, a.1))
                .then(a.2.resource.cmp(&b.2.resource))
        });
        Details {
            devices: devices.into_iter().map(|d| d.2).collect(),
            last_seen: self.infos.get(jid).and_then(|i| i.last_seen),
        }
    }

    /// A contact's name as the roster gives it, else their address.
    pub(crate) fn display_name(&self, jid: &str) -> String {
        display_name_for(jid, self.roster.get(jid).and_then(|i| i.name.as_deref()))
    }

    /// The contact list with presence, unread counts, avatars and last seen.
    pub(crate) fn contacts(&self, store: &Store) -> Vec<Contact> {
        let unread: HashMap<String, u32> = store
            .unread_counts(&self.account)
            .unwrap_or_default()
            .into_iter()
            .collect();
        self.roster
            .values()
            .map(|i| {
                let (presence, status, idle_since) = self.merged(&i.jid);
                let info = self.infos.get(&i.jid);
                Contact {
                    jid: i.jid.clone(),
                    name: i.name.clone(),
                    display_name: display_name_for(&i.jid, i.name.as_deref()),
                    groups: i.groups.clone(),
                    subscription: i.subscription,
                    presence,
                    status,
                    unread: unread.get(&i.jid).copied().unwrap_or(0),
                    pending_out: i.pending_out,
                    blocked: self.blocked.contains(&i.jid),
                    idle_since,
                    last_seen: info.and_then(|i| i.last_seen),
                    avatar: info.and_then(|i| i.avatar.clone()),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
