//! The outbox's live side: which of our stored messages goes out when. One message in flight per
//! contact (the next goes when the server acknowledged this one, XEP-0198), so after a failed
//! resumption a lost message goes out again before anything newer; a message some stream sent
//! but never saw acknowledged is looked up in our archive first (by XEP-0359 origin-id: the
//! server may have taken it just before the link or the server died), so no receiver gets it
//! twice. The rows themselves are written in one place (`writer.rs`); this part only moves
//! them along. No stream here: the actor sends what `pump` returns and reports
//! each transmission's outcome back.

use std::collections::{BTreeMap, HashMap, HashSet};

use hallway_model::{DeliveryState, Message};
use hallway_store::Store;

use crate::events::CoreEvent;
use crate::live::Out;

pub(crate) mod writer;

/// One transmission of an outbox message, for the actor to send and track.
#[derive(Debug)]
pub(crate) struct Transmit {
    pub message: Message,
    /// This transmission (a later one of the same message has a higher number).
    pub seq: u64,
}

/// After a fresh session: our messages to `peer` with these origin-ids were sent but never
/// acknowledged; ask our archive whether it has them, from `since_ms`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Doubt {
    pub peer: String,
    pub since_ms: i64,
    pub origin_ids: HashSet<String>,
}

#[derive(Debug, Clone)]
struct Flight {
    peer: String,
    seq: u64,
}

/// What is in flight, and which conversations wait for the archive.
#[derive(Default)]
pub(crate) struct Outbox {
    flights: HashMap<i64, Flight>,
    seq: u64,
    verifying: HashSet<String>,
    /// Messages a room refused once for not having us (sent again after the rejoin): a second
    /// refusal fails them, so a room that keeps us out cannot make a loop.
    refused: HashSet<i64>,
}

/// What became of a message a room refused because we were not in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    /// Back in the outbox, to go after the rejoin.
    Requeued,
    /// Refused a second time: failed (Retry sends it again).
    Failed,
    /// Not one of our messages.
    Unknown,
}

/// Moves a message's delivery state (forward only, see `Store::set_state`) and tells the UI.
pub(crate) fn move_state(store: &Store, id: i64, state: DeliveryState, out: &mut Out) {
    announce(store.set_state(id, state), id, state, out);
}

/// Tells the UI of a state change the store made (`Ok(true)`); a store error is logged.
fn announce(
    changed: Result<bool, hallway_store::StoreError>,
    id: i64,
    state: DeliveryState,
    out: &mut Out,
) {
    match changed {
        Ok(true) => out
            .events
            .push(CoreEvent::MessageStateChanged { id, state }),
        Ok(false) => {}
        Err(e) => tracing::error!("could not record state {state:?} of message {id}: {e}"),
    }
}

impl Outbox {
    /// What goes out now: per conversation (`peer`: only that one), its oldest outbox message,
    /// unless one to that contact is in flight or its conversation waits for the archive. Each
    /// is recorded as transmitted (`now_ms`) before it goes.
    pub(crate) fn pump(
        &mut self,
        store: &Store,
        account: &str,
        peer: Option<&str>,
        now_ms: i64,
        held: &dyn Fn(&str) -> bool,
    ) -> Vec<Transmit> {
        let heads = match peer {
            Some(p) => store
                .pending_head(account, p)
                .map(|h| h.into_iter().collect()),
            None => store.pending_heads(account),
        };
        let heads = match heads {
            Ok(h) => h,
            Err(e) => {
                tracing::error!("outbox unreadable: {e}");
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for m in heads {
            // A room we are not in yet (XEP-0045) takes nothing: it would bounce.
            if self.verifying.contains(&m.peer) || self.flights.contains_key(&m.id) || held(&m.peer)
            {
                continue;
            }
            if let Err(e) = store.set_transmitted(m.id, now_ms) {
                tracing::warn!("could not record transmission of message {}: {e}", m.id);
            }
            self.seq += 1;
            self.flights.insert(
                m.id,
                Flight {
                    peer: m.peer.clone(),
                    seq: self.seq,
                },
            );
            out.push(Transmit {
                message: m,
                seq: self.seq,
            });
        }
        out
    }

    /// The outcome of transmission `seq` of message `id`: acknowledged by the server (the
    /// message is `sent`) or lost. Returns the conversation whose next message may go now;
    /// `None` for an older transmission of a message sent again since.
    pub(crate) fn on_outcome(
        &mut self,
        store: &Store,
        id: i64,
        seq: u64,
        acked: bool,
        out: &mut Out,
    ) -> Option<String> {
        if self.flights.get(&id).map(|f| f.seq) != Some(seq) {
            return None;
        }
        let flight = self.flights.remove(&id)?;
        if acked {
            // XEP-0198 ack: the server has it. (Receipts may already have moved it further.)
            move_state(store, id, DeliveryState::Sent, out);
        }
        // Not acked: it stays pending; after the fresh session that follows, the archive is
        // asked for it before it goes out again.
        Some(flight.peer)
    }

    /// A fresh session (XEP-0198 resumption failed, or the first one): transmissions the old
    /// stream lost (`lost`) are no longer in flight; what some stream sent and never saw
    /// acknowledged (this run or a previous one) is in doubt, per conversation.
    pub(crate) fn on_reset(
        &mut self,
        store: &Store,
        account: &str,
        lost: &HashSet<i64>,
    ) -> Vec<Doubt> {
        self.flights.retain(|id, _| !lost.contains(id));
        self.verifying.clear();
        let rows = match store.unacknowledged(account) {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!("could not read unacknowledged messages: {e}");
                return Vec::new();
            }
        };
        let mut doubt: BTreeMap<String, (i64, HashSet<String>)> = BTreeMap::new();
        for (m, at) in rows {
            // Still queued on the new stream (never sent): not in doubt.
            if self.flights.contains_key(&m.id) {
                continue;
            }
            let e = doubt.entry(m.peer.clone()).or_insert((at, HashSet::new()));
            e.0 = e.0.min(at);
            e.1.insert(m.origin_id);
        }
        doubt
            .into_iter()
            .map(|(peer, (since_ms, origin_ids))| {
                self.verifying.insert(peer.clone());
                Doubt {
                    peer,
                    since_ms,
                    origin_ids,
                }
            })
            .collect()
    }

    /// Our archive has these messages to `peer`: the server took them, only the ack was lost.
    pub(crate) fn found_in_archive(
        &mut self,
        store: &Store,
        account: &str,
        peer: &str,
        origin_ids: &[String],
        out: &mut Out,
    ) {
        for origin in origin_ids {
            tracing::info!("message {origin} to {peer} is in our archive: not sent again");
            if let Ok(Some(id)) = store.find_outgoing(account, peer, origin) {
                self.flights.remove(&id);
                move_state(store, id, DeliveryState::Sent, out);
            }
        }
    }

    /// The archive answered (or could not) for `peer`: `true` when its outbox may go on.
    pub(crate) fn end_verify(&mut self, peer: &str) -> bool {
        self.verifying.remove(peer)
    }

    /// A room reflected our message `id` (XEP-0045 §7.4): the room has it; nothing to await.
    pub(crate) fn reflected(&mut self, id: i64) {
        self.flights.remove(&id);
        self.refused.remove(&id);
    }

    /// Whether transmission `seq` of message `id` is still awaited.
    pub(crate) fn in_flight(&self, id: i64, seq: u64) -> bool {
        self.flights.get(&id).is_some_and(|f| f.seq == seq)
    }

    /// Whether `peer`'s outbox waits for the archive.
    #[cfg(test)]
    pub(crate) fn is_verifying(&self, peer: &str) -> bool {
        self.verifying.contains(peer)
    }

    /// The server bounced our message `origin_id` to `peer` (`type="error"`): it failed (Retry
    /// sends it again), and the next one may go.
    pub(crate) fn bounced(
        &mut self,
        store: &Store,
        account: &str,
        peer: &str,
        origin_id: &str,
        out: &mut Out,
    ) {
        if let Ok(Some(id)) = store.find_outgoing(account, peer, origin_id) {
            self.flights.remove(&id);
            move_state(store, id, DeliveryState::Failed, out);
        }
    }

    /// The room `room` refused our message `origin_id` for another reason than our absence (a
    /// visitor's `forbidden`, a full room…): it failed even when the server had acknowledged
    /// it — the ack says our server took it, the room's answer that the room did not. Returns
    /// whether it was one of ours.
    pub(crate) fn failed_in_room(
        &mut self,
        store: &Store,
        account: &str,
        room: &str,
        origin_id: &str,
        out: &mut Out,
    ) -> bool {
        let Ok(Some(id)) = store.find_outgoing(account, room, origin_id) else {
            return false;
        };
        self.flights.remove(&id);
        self.refused.remove(&id);
        fail(store, id, out);
        true
    }

    /// The room `room` refused our message `origin_id` because it no longer had us (XEP-0045
    /// §7.4): the first time it goes back in the outbox (the caller rejoins), the second it
    /// fails. The server's ack may have marked it sent already: the refusal says otherwise.
    pub(crate) fn refused_by_room(
        &mut self,
        store: &Store,
        account: &str,
        room: &str,
        origin_id: &str,
        out: &mut Out,
    ) -> Refused {
        let Ok(Some(id)) = store.find_outgoing(account, room, origin_id) else {
            return Refused::Unknown;
        };
        self.flights.remove(&id);
        if !self.refused.insert(id) {
            // Forgotten again: a Retry of it gets its one rejoin too.
            self.refused.remove(&id);
            fail(store, id, out);
            return Refused::Failed;
        }
        announce(store.requeue(id), id, DeliveryState::Pending, out);
        Refused::Requeued
    }
}

/// A message a room refused failed (even one our server acknowledged), and the UI hears of it.
fn fail(store: &Store, id: i64, out: &mut Out) {
    announce(store.bounce(id), id, DeliveryState::Failed, out);
}

#[cfg(test)]
mod tests;
