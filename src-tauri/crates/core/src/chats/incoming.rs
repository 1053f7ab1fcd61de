//! Chat messages arriving, live or from the archive: stored before the UI hears of them
//! (de-duplicated by origin-id and stanza-id), corrections (XEP-0308) applied in place, XEP-0184
//! receipts and XEP-0333 markers applied to our messages, and receipts answered — to roster
//! contacts only (a receipt tells the sender we are online). A stranger's conversation keeps its
//! newest incoming messages only. A part of the session (see `crate::session`).

use std::collections::{BTreeSet, HashMap};

use hallway_model::{DeliveryState, Direction, NewMessage, Placement};
use hallway_protocol::chat::{self, ChatMessage, Incoming, ServerFacts};
use hallway_protocol::xep0313_mam::ArchivedMessage;
use hallway_protocol::{xep0184_receipts, xep0333_markers};
use hallway_store::Inserted;
use tokio_xmpp::jid::{BareJid, Jid};
use tokio_xmpp::parsers::message::Message as XmppMessage;

use crate::events::CoreEvent;
use crate::live::{Cx, Outgoing};
use crate::outbox::{move_state, Outbox};
use crate::people::state::People;

/// Messages kept per stranger (someone outside the roster): older incoming ones are dropped.
pub(crate) const STRANGER_QUOTA: u32 = 200;
/// Receipts held until the roster is known (who may get one), at most.
const MAX_DEFERRED_RECEIPTS: usize = 1000;
/// Receipts and markers remembered for a resend when they bounce.
const MAX_BOUNCEABLE: usize = 10_000;
/// After a fresh session, receipts we owe for messages of this recent past go out again.
const RECEIPT_RETRY_WINDOW_MS: i64 = 10 * 60 * 1000;

/// The chats part of one session.
pub(crate) struct Chats {
    /// What our server stamps (XEP-0359 stanza-ids to believe).
    pub(crate) facts: ServerFacts,
    /// Messages stamped before this (end of the previous session) are history, not news.
    pub(crate) since_ms: i64,
    /// Receipts asked for before the roster was known, sent to those in it once it is.
    deferred_receipts: Vec<(Jid, String)>,
    /// Recent receipts and markers by stanza id, with how often they bounced.
    bounceable: HashMap<String, (XmppMessage, u8)>,
}

/// What an incoming message stanza asks of the session (the archive's results and PEP events
/// are taken before this).
// Returned per stanza and consumed at once: boxing the message would buy nothing.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Arrived {
    /// A chat message to store (now, or after the catch-up that is running).
    Chat(ChatMessage),
    /// Our message to this contact bounced: its next one may go.
    Bounced(String),
    /// Nothing more to do.
    Done,
}

impl Chats {
    pub(crate) fn new(facts: ServerFacts, since_ms: i64) -> Self {
        Self {
            facts,
            since_ms,
            deferred_receipts: Vec::new(),
            bounceable: HashMap::new(),
        }
    }

    /// A live `<message/>` (not an archive result, not a PEP event).
    pub(crate) fn on_message(
        &mut self,
        cx: &mut Cx<'_>,
        people: &People,
        outbox: &mut Outbox,
        m: XmppMessage,
    ) -> Arrived {
        let incoming = match chat::parse_incoming(m, cx.account, self.facts) {
            Ok(i) => i,
            Err(e) => {
                tracing::warn!("dropped message: {e}");
                return Arrived::Done;
            }
        };
        match incoming {
            Incoming::Chat(c) => {
                if let Some((to, id)) = &c.receipt_to {
                    // Answered even for duplicates: the sender resent because it never saw one.
                    self.send_receipt(cx, people, to.clone(), id.clone());
                }
                return Arrived::Chat(c);
            }
            m @ (Incoming::Receipt { .. } | Incoming::Displayed { .. }) => self.apply_mark(cx, m),
            Incoming::Bounced { peer, id, text } => {
                // A receipt or marker the server accepted but could not hand over (Prosody
                // bounces what sat in a contact's dead session, XEP-0198): sent again, a few times.
                if let Some((m, tries)) = self.bounceable.get_mut(&id) {
                    if *tries < 3 {
                        *tries += 1;
                        let m = m.clone();
                        tracing::info!("receipt/marker {id} to {peer} bounced ({text}); resending");
                        self.send_extra(cx, m);
                    }
                    return Arrived::Done;
                }
                tracing::warn!("message {id} to {peer} bounced: {text}");
                outbox.bounced(cx.store, cx.account.as_str(), &peer, &id, cx.out);
                return Arrived::Bounced(peer);
            }
            Incoming::Ignored => {}
        }
        Arrived::Done
    }

    /// A stored-message record for a chat message.
    fn new_message(&self, c: ChatMessage, placement: Placement, now_ms: i64) -> NewMessage {
        let attachment = c
            .file_url
            .as_deref()
            .map(crate::files::names::received_attachment);
        NewMessage {
            attachment,
            peer: c.peer,
            direction: if c.outgoing {
                Direction::Outgoing
            } else {
                Direction::Incoming
            },
            sender: c.sender,
            body: c.body,
            // A delay stamp from the future (bad clock) is clamped to now.
            timestamp: c.delayed_ms.map(|d| d.min(now_ms)).unwrap_or(now_ms),
            state: if c.outgoing {
                DeliveryState::Sent
            } else {
                DeliveryState::Received
            },
            origin_id: c
                .origin_id
                .or_else(|| c.stanza_id.clone())
                .unwrap_or_else(hallway_protocol::new_id),
            stanza_id: c.stanza_id,
            stanza_xml_id: c.xml_id,
            markable: c.markable,
            wants_receipt: c.wants_receipt,
            placement,
        }
    }

    /// Stores a message that arrived live (after everything stored) or applies its correction.
    /// `move_pointer`: its stanza-id becomes where the next catch-up starts.
    pub(crate) fn store_live(
        &mut self,
        cx: &mut Cx<'_>,
        people: &mut People,
        mut c: ChatMessage,
        move_pointer: bool,
    ) {
        if c.replaces.is_some() {
            self.apply_correction(cx, people, c, Placement::Append);
            return;
        }
        // A live message can be no older than the end of our previous session: what arrived
        // before that came to us then, or sits in the archive. Offline storage stamps true times
        // after it; anything earlier is a sender backdating its message (a `<delay/>` is the
        // sender's word), which must not hide it from notifications or bury it in the past.
        c.delayed_ms = c.delayed_ms.map(|d| d.max(self.since_ms));
        let new = self.new_message(c, Placement::Append, cx.now_ms);
        if let Some(sid) = new.stanza_id.as_ref().filter(|_| move_pointer) {
            // Live traffic is the newest the archive has: the next catch-up starts here.
            let _ = cx
                .store
                .set_archive_newest(cx.account.as_str(), sid, cx.now_ms);
        }
        match cx.store.insert_message(cx.account.as_str(), &new) {
            Ok(Inserted::New(msg)) => {
                if msg.direction == Direction::Incoming {
                    cx.batch.unread(&msg.peer, cx.now);
                    cx.batch.notify(msg.clone(), cx.now);
                    people.note_incoming(&msg.peer, cx.batch, cx.now);
                    self.enforce_stranger_quota(cx, people, &msg.peer);
                }
                cx.batch.message(msg, cx.now);
            }
            Ok(Inserted::Duplicate(id)) => tracing::debug!("duplicate message dropped (row {id})"),
            Err(e) => tracing::error!("could not store message: {e}"),
        }
    }

    /// Stores archived messages (in the order given) in one transaction, then applies the
    /// markers, receipts and corrections among them. Returns how many messages were new and the
    /// oldest new stamp; `Err` when nothing could be stored (the caller must not move its archive
    /// pointer past them). `answer_receipts`: a catch-up, whose new messages reached no device of
    /// ours live and still owe their sender a receipt.
    pub(crate) fn ingest(
        &mut self,
        cx: &mut Cx<'_>,
        people: &mut People,
        items: Vec<ArchivedMessage>,
        placement: Placement,
        answer_receipts: bool,
    ) -> Result<(usize, Option<i64>), String> {
        let mut batch = Vec::new();
        let mut marks = Vec::new();
        let mut receipts = Vec::new();
        let mut corrections = Vec::new();
        for a in items {
            match chat::parse_archived(a, cx.account) {
                Incoming::Chat(c) if c.replaces.is_some() => corrections.push(c),
                Incoming::Chat(mut c) => {
                    if let Some(r) = c.receipt_to.take() {
                        receipts.push((batch.len(), r));
                    }
                    batch.push(self.new_message(c, placement, cx.now_ms));
                }
                other @ (Incoming::Displayed { .. } | Incoming::Receipt { .. }) => {
                    marks.push(other)
                }
                _ => {}
            }
        }
        if matches!(placement, Placement::Prepend | Placement::Below(_)) {
            batch.reverse(); // newest first: each goes just before the ones already stored
        }
        let outcomes = cx
            .store
            .insert_messages(cx.account.as_str(), &batch)
            .map_err(|e| {
                tracing::error!("could not store archived messages: {e}");
                e.to_string()
            })?;
        let oldest = outcomes
            .iter()
            .filter_map(|o| match o {
                Inserted::New(m) => Some(m.timestamp),
                Inserted::Duplicate(_) => None,
            })
            .min();
        // Receipts are idempotent; history pages or a first sign-in send none.
        if answer_receipts {
            for (idx, (to, id)) in receipts {
                if matches!(outcomes.get(idx), Some(Inserted::New(_))) {
                    self.send_receipt(cx, people, to, id);
                }
            }
        }
        let mut new = 0;
        let mut senders = BTreeSet::new();
        for o in outcomes {
            if let Inserted::New(msg) = o {
                new += 1;
                if msg.direction == Direction::Incoming {
                    cx.batch.unread(&msg.peer, cx.now);
                    people.note_incoming(&msg.peer, cx.batch, cx.now);
                    senders.insert(msg.peer.clone());
                    if placement == Placement::Append {
                        cx.batch.notify(msg.clone(), cx.now);
                    }
                }
                cx.batch.message(msg, cx.now);
            }
        }
        // Older pages the user scrolled to are theirs to see; only new arrivals count.
        if placement == Placement::Append {
            for peer in senders {
                self.enforce_stranger_quota(cx, people, &peer);
            }
        }
        for m in marks {
            self.apply_mark(cx, m);
        }
        for c in corrections {
            self.apply_correction(cx, people, c, placement);
        }
        Ok((new, oldest))
    }

    /// Applies a XEP-0308 correction to the author's earlier message; when we do not have that
    /// message (§5: fall back), the correction is stored as a message of its own.
    fn apply_correction(
        &mut self,
        cx: &mut Cx<'_>,
        people: &mut People,
        c: ChatMessage,
        placement: Placement,
    ) {
        let replaced = c.replaces.clone().unwrap_or_default();
        match cx
            .store
            .correct_message(cx.account.as_str(), &c.peer, &c.sender, &replaced, &c.body)
        {
            Ok(Some(m)) => cx.out.events.push(CoreEvent::MessageCorrected(m)),
            Ok(None) => {
                let new = self.new_message(c, placement, cx.now_ms);
                match cx.store.insert_message(cx.account.as_str(), &new) {
                    Ok(Inserted::New(m)) => {
                        if m.direction == Direction::Incoming {
                            cx.batch.unread(&m.peer, cx.now);
                            people.note_incoming(&m.peer, cx.batch, cx.now);
                        }
                        cx.batch.message(m, cx.now);
                    }
                    Ok(Inserted::Duplicate(_)) => {}
                    Err(e) => tracing::error!("could not store message: {e}"),
                }
            }
            Err(e) => tracing::error!("could not apply a correction: {e}"),
        }
    }

    /// Applies a receipt or displayed marker: the contact's moves our messages on; one from
    /// our other device (or our XEP-0490 read position) marks the conversation read here.
    pub(crate) fn apply_mark(&mut self, cx: &mut Cx<'_>, m: Incoming) {
        let account = cx.account.as_str().to_string();
        match m {
            Incoming::Receipt { peer, id } => {
                if let Ok(Some(row)) = cx.store.find_outgoing(&account, &peer, &id) {
                    move_state(cx.store, row, DeliveryState::Delivered, cx.out);
                }
            }
            Incoming::Displayed {
                peer,
                id,
                by_me: false,
            } => match cx.store.mark_displayed_up_to(&account, &peer, &id) {
                Ok(ids) => {
                    for id in ids {
                        cx.out.events.push(CoreEvent::MessageStateChanged {
                            id,
                            state: DeliveryState::Displayed,
                        });
                    }
                }
                Err(e) => tracing::error!("could not record displayed marker: {e}"),
            },
            Incoming::Displayed {
                peer,
                id,
                by_me: true,
            } => match cx.store.mark_read_up_to(&account, &peer, &id) {
                Ok(0) => {}
                Ok(_) => cx.batch.unread(&peer, cx.now),
                Err(e) => tracing::error!("could not record read marker: {e}"),
            },
            _ => {}
        }
    }

    /// Sends a receipt or marker and remembers it for a resend when it bounces.
    fn send_extra(&mut self, cx: &mut Cx<'_>, m: XmppMessage) {
        if let Some(id) = m.id.as_ref().map(|i| i.0.clone()) {
            if self.bounceable.len() >= MAX_BOUNCEABLE {
                self.bounceable.clear(); // old ones are long settled
            }
            self.bounceable.entry(id).or_insert((m.clone(), 0));
        }
        cx.out.send.push(Outgoing::Extra(Box::new(m)));
    }

    /// Sends a XEP-0184 receipt, only to a roster contact: a receipt to a stranger tells them
    /// we are online. Before the roster is known, it waits for it.
    fn send_receipt(&mut self, cx: &mut Cx<'_>, people: &People, to: Jid, id: String) {
        if !people.roster_loaded() {
            if self.deferred_receipts.len() < MAX_DEFERRED_RECEIPTS {
                self.deferred_receipts.push((to, id));
            }
            return;
        }
        if people.in_roster(to.to_bare().as_str()) {
            self.send_extra(cx, xep0184_receipts::receipt(to, &id));
        }
    }

    /// The roster is known: receipts asked for meanwhile go to those in it.
    pub(crate) fn send_deferred_receipts(&mut self, cx: &mut Cx<'_>, people: &People) {
        for (to, id) in std::mem::take(&mut self.deferred_receipts) {
            self.send_receipt(cx, people, to, id);
        }
    }

    /// Tells a contact we displayed their message `id` (XEP-0333); markers go to roster
    /// contacts only (one to a stranger says we are online and reading).
    pub(crate) fn mark_displayed(
        &mut self,
        cx: &mut Cx<'_>,
        people: &People,
        to: &BareJid,
        id: &str,
    ) {
        if people.in_roster(to.as_str()) {
            self.send_extra(cx, xep0333_markers::displayed(to, id));
        }
    }

    /// After a fresh session: receipts we owe for recent messages may have died in the old
    /// session's queue on the server. Receipts are idempotent, so they go out again (to roster
    /// contacts only). Our own messages are never sent again to ask for lost receipts: a
    /// receiver that does not de-duplicate by origin-id would show them twice; receipts for them
    /// that our dead session missed come from our archive with the catch-up.
    pub(crate) fn resend_owed_receipts(&mut self, cx: &mut Cx<'_>, people: &People) {
        let since = cx.now_ms - RECEIPT_RETRY_WINDOW_MS;
        match cx
            .store
            .receipts_owed_since(cx.account.as_str(), since, 1000)
        {
            Ok(owed) => {
                for (peer, id) in owed {
                    if !people.in_roster(&peer) {
                        continue;
                    }
                    if let Ok(to) = BareJid::new(&peer) {
                        cx.out
                            .stanza(xep0184_receipts::receipt(Jid::from(to), &id).into());
                    }
                }
            }
            Err(e) => tracing::warn!("could not read owed receipts: {e}"),
        }
    }

    /// A stranger has a quota of stored messages: the oldest incoming ones go. Only once the
    /// roster is known, so a contact is never taken for a stranger.
    fn enforce_stranger_quota(&self, cx: &mut Cx<'_>, people: &People, peer: &str) {
        if !people.roster_loaded() || people.in_roster(peer) || peer == cx.account.as_str() {
            return;
        }
        match cx
            .store
            .trim_conversation(cx.account.as_str(), peer, STRANGER_QUOTA)
        {
            Ok(0) => {}
            Ok(n) => tracing::info!("dropped {n} old messages of {peer}, who is not a contact"),
            Err(e) => tracing::warn!("could not trim messages of {peer}: {e}"),
        }
    }

    /// Our XEP-0490 read positions (from our own PEP node, fetched or pushed): those
    /// conversations were read on another device up to there.
    pub(crate) fn apply_read_positions(
        &mut self,
        cx: &mut Cx<'_>,
        positions: Vec<(String, String)>,
    ) {
        // A read position names a stanza-id (ours, or a room's): nothing else is matched.
        let account = cx.account.as_str().to_string();
        for (peer, id) in positions {
            match cx.store.mark_read_up_to_stanza_id(&account, &peer, &id) {
                Ok(0) => {}
                Ok(_) => cx.batch.unread(&peer, cx.now),
                Err(e) => tracing::error!("could not record read position: {e}"),
            }
        }
    }
}

#[cfg(test)]
mod tests;
