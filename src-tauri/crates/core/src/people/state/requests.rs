//! Subscription requests (RFC 6121 §3: kept until answered here, elsewhere, or approved by the
//! roster; capped) and the block list (XEP-0191: what it hides, and asking an unblocked contact
//! for their presence again).

use std::collections::BTreeSet;

use hallway_model::SubscriptionRequest;
use hallway_protocol::rfc6121_presence;
use hallway_protocol::xep0191_blocking::Push;
use hallway_store::Store;
use tokio::time::Instant;
use tokio_xmpp::jid::Jid;
use tokio_xmpp::parsers::presence::Presence;

use super::{People, MAX_SUB_REQUESTS};
use crate::events::CoreEvent;
use crate::live::batch::Batcher;
use crate::live::Out;

impl People {
    pub(super) fn on_subscription_request(
        &mut self,
        bare: String,
        nick: Option<String>,
        out: &mut Out,
    ) {
        if bare == self.account || self.blocked.contains(&bare) {
            return;
        }
        // We asked to see theirs and are still waiting (we added them): their request back is
        // the answer to ours, so it is approved without asking again (what "Accept also
        // subscribes back" needs to end with both seeing each other). Only then: someone we
        // merely follow still has to be accepted by the user.
        if self.roster.get(&bare).is_some_and(|i| i.pending_out) {
            if let Ok(to) = Jid::new(&bare) {
                out.stanza(rfc6121_presence::subscription(&to, true).into());
            }
            if self.sub_requests.remove(&bare).is_some() {
                self.emit_subscription_requests(out);
            }
            return;
        }
        if self.sub_requests.len() >= MAX_SUB_REQUESTS && !self.sub_requests.contains_key(&bare) {
            tracing::warn!("more than {MAX_SUB_REQUESTS} subscription requests; {bare} ignored");
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
        self.drop_answered_requests(out);
        self.emit_subscription_requests(out);
    }

    /// A request is answered once the roster says they see our presence (accepted here, on
    /// another device, or pre-approved).
    pub(super) fn drop_answered_requests(&mut self, out: &mut Out) {
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
            self.emit_subscription_requests(out);
        }
    }

    pub(super) fn emit_subscription_requests(&self, out: &mut Out) {
        out.events.push(CoreEvent::SubscriptionRequestsChanged(
            self.sub_requests.values().cloned().collect(),
        ));
    }

    /// The request from `bare` was answered here: it no longer shows.
    pub(crate) fn request_answered(&mut self, bare: &str, out: &mut Out) {
        if self.sub_requests.remove(bare).is_some() {
            self.emit_subscription_requests(out);
        }
    }

    /// Subscription requests waiting for an answer.
    pub(crate) fn subscription_requests(&self) -> Vec<SubscriptionRequest> {
        self.sub_requests.values().cloned().collect()
    }

    /// The block list as fetched.
    pub(crate) fn set_blocklist(
        &mut self,
        store: &Store,
        list: BTreeSet<String>,
        out: &mut Out,
        batch: &mut Batcher,
        now: Instant,
    ) {
        // Every fresh session fetches the list; an unchanged one must not resend a roster of
        // thousands to the window.
        if list == self.blocked {
            out.events
                .push(CoreEvent::BlocklistChanged(list.into_iter().collect()));
            return;
        }
        self.blocked = list;
        self.after_block_change(store, out, batch, now);
    }

    /// A block list push (XEP-0191 §3.3/§3.4).
    pub(crate) fn on_block_push(
        &mut self,
        store: &Store,
        push: Push,
        out: &mut Out,
        batch: &mut Batcher,
        now: Instant,
    ) {
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
        self.after_block_change(store, out, batch, now);
        // XEP-0191 §3.4 only makes the server send *our* presence to them; ask for theirs so an
        // unblocked contact does not stay "offline" until they change status.
        for jid in unblocked {
            if self
                .roster
                .get(&jid)
                .is_some_and(|i| i.subscription.sees_theirs())
            {
                if let Ok(to) = Jid::new(&jid) {
                    let probe =
                        Presence::new(tokio_xmpp::parsers::presence::Type::Probe).with_to(to);
                    out.stanza(probe.into());
                }
            }
        }
    }

    pub(super) fn after_block_change(
        &mut self,
        store: &Store,
        out: &mut Out,
        batch: &mut Batcher,
        now: Instant,
    ) {
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
            self.queue_presence(&j, batch, now);
        }
        let blocked = &self.blocked;
        let before = self.sub_requests.len();
        self.sub_requests.retain(|jid, _| !blocked.contains(jid));
        if before != self.sub_requests.len() {
            self.emit_subscription_requests(out);
        }
        out.events.push(CoreEvent::BlocklistChanged(
            self.blocked.iter().cloned().collect(),
        ));
        out.events
            .push(CoreEvent::RosterChanged(self.contacts(store)));
        batch.requests_changed(now);
    }

    /// The block list, sorted.
    pub(crate) fn blocked(&self) -> Vec<String> {
        self.blocked.iter().cloned().collect()
    }
}
