//! The session's people side: roster pushes, presence (merged per contact, XEP-0319 idle, last
//! seen), subscription requests (RFC 6121 §3), the block list (XEP-0191), avatar announcements
//! (XEP-0084 PEP, XEP-0153 presence hints), "Requests" from people outside the roster, and our
//! own broadcast presence (automatic away, XEP-0115 caps). Runs inside the session task.

use std::collections::BTreeSet;
use std::time::Instant;

use hallway_model::{
    display_name_for, AutoAway, Contact, Device, MessageRequest, PresenceShow, PresenceUpdate,
    SubscriptionRequest,
};
use hallway_protocol::rfc6121_presence::{self, PresenceEvent};
use hallway_protocol::rfc6121_roster::RosterItem;
use hallway_protocol::xep0060_pubsub::Notification;
use hallway_protocol::xep0084_avatar::{self, Announced};
use hallway_protocol::xep0153_vcard_avatar::PhotoHint;
use hallway_protocol::xep0191_blocking::Push;
use tokio::sync::oneshot;
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::presence::Presence;
use tokio_xmpp::stanzastream::StanzaStream;

use super::{now_ms, Actor, RequestError, Resource, Responder};

/// Devices tracked per contact (a hostile one could announce thousands of resources).
const MAX_RESOURCES: usize = 16;
/// Longest status text kept (characters); strangers' text beyond it is cut.
const MAX_STATUS: usize = 1024;
/// Pending subscription requests kept (a flood of requests must not grow without bound).
const MAX_SUB_REQUESTS: usize = 500;
use crate::avatars::AvatarJob;
use crate::events::CoreEvent;

/// A contact's live facts for the details panel.
#[derive(Debug, Clone, Default)]
pub(crate) struct Details {
    pub devices: Vec<Device>,
    pub last_seen: Option<i64>,
}

/// People-side commands from the messenger.
pub(crate) enum PeopleCommand {
    /// Send this presence (subscribe / subscribed / unsubscribed) if online.
    SendPresence(Presence, oneshot::Sender<bool>),
    /// The request from this JID was answered here; stop showing it.
    RequestAnswered(String),
    /// Pending subscription requests.
    SubscriptionRequests(oneshot::Sender<Vec<SubscriptionRequest>>),
    /// Pending message requests.
    MessageRequests(oneshot::Sender<Vec<MessageRequest>>),
    /// Our XEP-0191 block list.
    Blocked(oneshot::Sender<Vec<String>>),
    /// Devices and last seen of a contact.
    Details(String, oneshot::Sender<Details>),
    /// XEP-0012 answered: they were last online then.
    LastSeen(String, i64),
    /// Automatic away changed (with XEP-0319 idle since).
    SetAutoAway(AutoAway, Option<i64>),
    /// Our avatar changed (re-sent as the XEP-0153 hint in our presence).
    SetMyAvatar(Option<String>),
    /// The avatar fetcher stored (or dropped) a contact's avatar.
    AvatarStored(String, Option<String>),
}

impl Actor {
    pub(super) async fn on_people_command(&mut self, stream: &StanzaStream, c: PeopleCommand) {
        match c {
            PeopleCommand::SendPresence(p, done) => {
                if self.online {
                    stream.send(Box::new(p.into())).await;
                }
                let _ = done.send(self.online);
            }
            PeopleCommand::RequestAnswered(jid) => {
                if self.sub_requests.remove(&jid).is_some() {
                    self.emit_subscription_requests();
                }
            }
            PeopleCommand::SubscriptionRequests(reply) => {
                let _ = reply.send(self.sub_requests.values().cloned().collect());
            }
            PeopleCommand::MessageRequests(reply) => {
                let _ = reply.send(self.message_requests());
            }
            PeopleCommand::Blocked(reply) => {
                let _ = reply.send(self.blocked.iter().cloned().collect());
            }
            PeopleCommand::Details(jid, reply) => {
                let _ = reply.send(self.details(&jid));
            }
            PeopleCommand::LastSeen(jid, ms) => {
                self.remember_last_seen(&jid, ms);
                self.queue_presence(&jid);
            }
            PeopleCommand::SetAutoAway(auto, since) => {
                self.auto = auto;
                self.idle_since = since;
                self.broadcast_presence(stream).await;
            }
            PeopleCommand::SetMyAvatar(hash) => {
                self.my_avatar = hash;
                self.broadcast_presence(stream).await;
            }
            PeopleCommand::AvatarStored(jid, hash) => {
                // A fetch that finishes after a newer announcement (or a removal) is stale.
                if self.wanted_avatars.get(&jid) == Some(&hash) {
                    self.wanted_avatars.remove(&jid);
                    self.set_avatar(&jid, hash);
                }
            }
        }
    }

    /// Sends an app request; the answer (or error, or timeout) goes back through `reply`.
    pub(super) async fn request(&mut self, stream: &StanzaStream, iq: Box<Iq>, reply: Responder) {
        if !self.online {
            let _ = reply.send(Err(RequestError::Offline));
            return;
        }
        let (id, to) = match iq.as_ref() {
            Iq::Get { id, to, .. }
            | Iq::Set { id, to, .. }
            | Iq::Result { id, to, .. }
            | Iq::Error { id, to, .. } => (id.clone(), to.clone()),
        };
        self.requests.insert(id, (reply, Instant::now(), to));
        stream.send(Box::new((*iq).into())).await;
    }

    /// Our presence as chosen, with automatic away, idle time, caps and avatar hint.
    pub(super) async fn broadcast_presence(&mut self, stream: &StanzaStream) {
        if !self.online {
            return;
        }
        let p = rfc6121_presence::own_presence(
            &self.my_presence,
            self.auto,
            self.idle_since,
            self.my_avatar.as_deref(),
        );
        stream.send(Box::new(p.into())).await;
    }

    pub(super) async fn on_presence(&mut self, stream: &StanzaStream, p: Presence) {
        match rfc6121_presence::classify(&p, now_ms()) {
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
                if bare == self.account_str
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
                    self.announce_avatar(&bare, hash);
                }
                self.queue_presence(&bare);
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
                    self.remember_last_seen(&bare, idle_since.unwrap_or_else(now_ms));
                }
                self.queue_presence(&bare);
            }
            PresenceEvent::SubscriptionRequest { bare, nick } => {
                if bare == self.account_str || self.blocked.contains(&bare) {
                    return;
                }
                // We asked to see theirs and are still waiting (we added them): their request
                // back is the answer to ours, so it is approved without asking again (what
                // "Accept also subscribes back" needs to end with both seeing each other). Only
                // then: someone we merely follow still has to be accepted by the user.
                if self.roster.get(&bare).is_some_and(|i| i.pending_out) {
                    if let Ok(to) = tokio_xmpp::jid::Jid::new(&bare) {
                        let approve = rfc6121_presence::subscription(&to, true);
                        stream.send(Box::new(approve.into())).await;
                    }
                    if self.sub_requests.remove(&bare).is_some() {
                        self.emit_subscription_requests();
                    }
                    return;
                }
                if self.sub_requests.len() >= MAX_SUB_REQUESTS
                    && !self.sub_requests.contains_key(&bare)
                {
                    tracing::warn!(
                        "more than {MAX_SUB_REQUESTS} subscription requests; {bare} ignored"
                    );
                    return;
                }
                let display_name = nick.unwrap_or_else(|| self.display_name(&bare));
                self.sub_requests.insert(
                    bare.clone(),
                    SubscriptionRequest {
                        jid: bare,
                        display_name,
                    },
                );
                self.drop_answered_requests();
                self.emit_subscription_requests();
            }
            PresenceEvent::Other => {}
        }
    }

    /// Roster pushes (RFC 6121 §2.1.6): the server's word on every change, from any device.
    pub(super) fn on_roster_push(&mut self, items: Vec<RosterItem>) {
        for i in items {
            if i.removed {
                self.roster.remove(&i.jid);
            } else {
                self.roster.insert(i.jid.clone(), i);
            }
        }
        self.drop_answered_requests();
        self.requests_dirty = true;
        self.arm_flush();
        self.emitter.emit(CoreEvent::RosterChanged(self.contacts()));
    }

    /// A request is answered once the roster says they see our presence (accepted here, on
    /// another device, or pre-approved).
    pub(super) fn drop_answered_requests(&mut self) {
        let before = self.sub_requests.len();
        let roster = &self.roster;
        self.sub_requests.retain(|jid, _| {
            !roster.get(jid).is_some_and(|i| {
                matches!(
                    i.subscription,
                    hallway_model::Subscription::From | hallway_model::Subscription::Both
                )
            })
        });
        if self.sub_requests.len() != before {
            self.emit_subscription_requests();
        }
    }

    fn emit_subscription_requests(&self) {
        self.emitter.emit(CoreEvent::SubscriptionRequestsChanged(
            self.sub_requests.values().cloned().collect(),
        ));
    }

    pub(super) fn set_blocklist(&mut self, list: BTreeSet<String>) {
        // Every fresh session fetches the list; an unchanged one must not resend a roster of
        // thousands to the window.
        if list == self.blocked {
            self.emitter
                .emit(CoreEvent::BlocklistChanged(list.into_iter().collect()));
            return;
        }
        self.blocked = list;
        self.after_block_change();
    }

    pub(super) async fn on_block_push(&mut self, stream: &StanzaStream, push: Push) {
        let unblocked: Vec<String> = match push {
            Push::Blocked(jids) => {
                self.blocked.extend(jids);
                Vec::new()
            }
            Push::Unblocked(jids) if jids.is_empty() => {
                std::mem::take(&mut self.blocked).into_iter().collect()
            }
            Push::Unblocked(jids) => {
                for j in &jids {
                    self.blocked.remove(j);
                }
                jids
            }
        };
        self.after_block_change();
        // XEP-0191 §3.4 only makes the server send *our* presence to them; ask for theirs so an
        // unblocked contact does not stay "offline" until they change status.
        for jid in unblocked {
            if self
                .roster
                .get(&jid)
                .is_some_and(|i| i.subscription.sees_theirs())
            {
                if let Ok(to) = tokio_xmpp::jid::Jid::new(&jid) {
                    let probe =
                        Presence::new(tokio_xmpp::parsers::presence::Type::Probe).with_to(to);
                    stream.send(Box::new(probe.into())).await;
                }
            }
        }
    }

    fn after_block_change(&mut self) {
        // A blocked contact shows as blocked, not with the presence they had (the server stops
        // their presence from now on, XEP-0191 §3.3, but does not say they left).
        let gone: Vec<String> = self
            .resources
            .keys()
            .filter(|j| self.blocked.contains(*j))
            .cloned()
            .collect();
        for j in gone {
            self.resources.remove(&j);
            self.queue_presence(&j);
        }
        let blocked = &self.blocked;
        let before = self.sub_requests.len();
        self.sub_requests.retain(|jid, _| !blocked.contains(jid));
        if before != self.sub_requests.len() {
            self.emit_subscription_requests();
        }
        self.emitter.emit(CoreEvent::BlocklistChanged(
            self.blocked.iter().cloned().collect(),
        ));
        self.emitter.emit(CoreEvent::RosterChanged(self.contacts()));
        self.requests_dirty = true;
        self.arm_flush();
    }

    /// PEP notifications (XEP-0163): avatar metadata of contacts (and of our own other devices).
    pub(super) fn on_pep_event(&mut self, n: Notification) {
        if n.node == hallway_protocol::xep0490_mds::NODE {
            // XEP-0490: another of our devices read these conversations up to there. Only our
            // own node counts (a contact's would be theirs, and is never sent to us anyway).
            if n.from == self.account_str {
                for (peer, stanza_id) in
                    hallway_protocol::xep0490_mds::parse(&n.items, &self.account_str)
                {
                    self.apply_mark(hallway_protocol::chat::Incoming::Displayed {
                        peer,
                        id: stanza_id,
                        by_me: true,
                    });
                }
            }
            return;
        }
        if n.node != xep0084_avatar::NODE_METADATA {
            tracing::debug!("PEP event for node {} ignored", n.node);
            return;
        }
        match xep0084_avatar::parse_metadata(&n.items) {
            Ok(Announced::Avatar(hash)) => self.announce_avatar(&n.from, hash),
            Ok(Announced::Removed) => {
                if n.from == self.account_str || self.roster.contains_key(&n.from) {
                    self.wanted_avatars.remove(&n.from);
                    self.set_avatar(&n.from, None);
                }
            }
            Err(e) => tracing::warn!("bad avatar metadata from {}: {e}", n.from),
        }
    }

    fn announce_avatar(&mut self, jid: &str, hash: String) {
        // Only people in the roster (and we) have avatars shown; a stranger's announcement
        // would only make us send them requests.
        if jid != self.account_str && !self.roster.contains_key(jid) {
            return;
        }
        let known = if jid == self.account_str {
            self.my_avatar.as_deref()
        } else {
            self.infos.get(jid).and_then(|i| i.avatar.as_deref())
        };
        if known == Some(hash.as_str()) {
            self.wanted_avatars.remove(jid);
            return;
        }
        if self.wanted_avatars.get(jid) == Some(&Some(hash.clone())) {
            return; // already being fetched
        }
        self.wanted_avatars
            .insert(jid.to_string(), Some(hash.clone()));
        let _ = self.avatar_jobs.send(AvatarJob {
            jid: jid.to_string(),
            hash,
        });
    }

    fn set_avatar(&mut self, jid: &str, hash: Option<String>) {
        if jid == self.account_str {
            if self.my_avatar == hash {
                return;
            }
            self.my_avatar = hash.clone();
            // Our XEP-0153 hint in presence must follow (changed on another device).
            self.presence_dirty = true;
            if let Err(e) = self
                .store
                .set_setting(&crate::avatars::my_avatar_key(jid), &hash)
            {
                tracing::warn!("could not remember our avatar: {e}");
            }
        } else {
            let info = self.infos.entry(jid.to_string()).or_default();
            if info.avatar == hash {
                return;
            }
            info.avatar = hash.clone();
            if let Err(e) = self
                .store
                .set_contact_avatar(&self.account_str, jid, hash.as_deref())
            {
                tracing::warn!("could not remember an avatar: {e}");
            }
        }
        self.emitter.emit(CoreEvent::AvatarChanged {
            jid: jid.to_string(),
            avatar: hash,
        });
    }

    fn remember_last_seen(&mut self, jid: &str, ms: i64) {
        let info = self.infos.entry(jid.to_string()).or_default();
        if info.last_seen.is_some_and(|old| old >= ms) {
            return;
        }
        info.last_seen = Some(ms);
        if let Err(e) = self.store.set_contact_last_seen(&self.account_str, jid, ms) {
            tracing::warn!("could not remember last seen: {e}");
        }
    }

    /// Someone wrote to us: people outside the roster show under "Requests".
    pub(super) fn note_incoming(&mut self, peer: &str) {
        self.incoming_peers.insert(peer.to_string());
        if !self.roster.contains_key(peer) {
            self.requests_dirty = true;
        }
    }

    fn message_requests(&self) -> Vec<MessageRequest> {
        let mut out: Vec<MessageRequest> = self
            .incoming_peers
            .iter()
            .filter(|p| {
                !self.roster.contains_key(*p)
                    && !self.blocked.contains(*p)
                    && **p != self.account_str
            })
            .filter_map(
                |p| match self.store.conversation_head(&self.account_str, p) {
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
                },
            )
            .collect();
        out.sort_by_key(|r| std::cmp::Reverse(r.last_timestamp));
        out
    }

    pub(super) fn emit_message_requests(&self) {
        self.emitter
            .emit(CoreEvent::MessageRequestsChanged(self.message_requests()));
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

    pub(super) fn queue_presence(&mut self, bare: &str) {
        let (presence, status, idle_since) = self.merged(bare);
        let last_seen = self.infos.get(bare).and_then(|i| i.last_seen);
        self.pending_presence.insert(
            bare.to_string(),
            PresenceUpdate {
                jid: bare.to_string(),
                presence,
                status,
                idle_since,
                last_seen,
            },
        );
        self.arm_flush();
    }

    fn details(&self, jid: &str) -> Details {
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

    pub(super) fn display_name(&self, jid: &str) -> String {
        display_name_for(jid, self.roster.get(jid).and_then(|i| i.name.as_deref()))
    }

    pub(super) fn contacts(&self) -> Vec<Contact> {
        let unread: std::collections::HashMap<String, u32> = self
            .store
            .unread_counts(&self.account_str)
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
