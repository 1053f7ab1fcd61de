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
}

/// Moves a message's delivery state (forward only, see `Store::set_state`) and tells the UI.
pub(crate) fn move_state(store: &Store, id: i64, state: DeliveryState, out: &mut Out) {
    match store.set_state(id, state) {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::testing::{insert, row, ME};
    use hallway_model::Direction;

    fn store() -> Store {
        Store::open_in_memory().unwrap()
    }

    fn write(store: &Store, peer: &str, body: &str) -> Message {
        let origin = format!("o-{body}");
        insert(
            store,
            &row(
                peer,
                Direction::Outgoing,
                body,
                &origin,
                1_000,
                DeliveryState::Pending,
            ),
        )
    }

    fn bodies(t: &[Transmit]) -> Vec<&str> {
        t.iter().map(|t| t.message.body.as_str()).collect()
    }

    #[test]
    fn one_message_in_flight_per_contact_in_order() {
        let s = store();
        let mut o = Outbox::default();
        write(&s, "bob@x.org", "b1");
        write(&s, "bob@x.org", "b2");
        write(&s, "carol@x.org", "c1");
        let first = o.pump(&s, ME, None, 10, &|_| false);
        assert_eq!(bodies(&first), vec!["b1", "c1"]);
        // Nothing more while those are in flight.
        assert!(o.pump(&s, ME, None, 11, &|_| false).is_empty());
        // Bob's is acknowledged: it is `sent` and his next one goes.
        let mut out = Out::default();
        let b1 = &first[0];
        assert_eq!(
            o.on_outcome(&s, b1.message.id, b1.seq, true, &mut out)
                .as_deref(),
            Some("bob@x.org")
        );
        assert_eq!(
            s.message(b1.message.id).unwrap().unwrap().state,
            DeliveryState::Sent
        );
        assert!(matches!(
            out.events[..],
            [CoreEvent::MessageStateChanged {
                state: DeliveryState::Sent,
                ..
            }]
        ));
        assert_eq!(
            bodies(&o.pump(&s, ME, Some("bob@x.org"), 12, &|_| false)),
            vec!["b2"]
        );
    }

    #[test]
    fn a_lost_transmission_is_not_sent_again_before_the_archive_was_asked() {
        let s = store();
        let mut o = Outbox::default();
        let m = write(&s, "bob@x.org", "hello");
        let t = o.pump(&s, ME, None, 5_000, &|_| false);
        assert_eq!(
            s.unacknowledged(ME).unwrap()[0].1,
            5_000,
            "transmission recorded"
        );
        // The stream lost it: it stays pending, and does not go out again by itself.
        let mut out = Out::default();
        assert!(o.on_outcome(&s, m.id, t[0].seq, false, &mut out).is_some());
        assert_eq!(
            s.message(m.id).unwrap().unwrap().state,
            DeliveryState::Pending
        );
        // A fresh session: it is in doubt, its conversation waits.
        let doubt = o.on_reset(&s, ME, &HashSet::new());
        assert_eq!(
            doubt,
            vec![Doubt {
                peer: "bob@x.org".into(),
                since_ms: 5_000,
                origin_ids: ["o-hello".to_string()].into(),
            }]
        );
        assert!(o.is_verifying("bob@x.org"));
        assert!(o.pump(&s, ME, None, 6_000, &|_| false).is_empty());
        // The archive had it: sent, never transmitted again.
        o.found_in_archive(&s, ME, "bob@x.org", &["o-hello".into()], &mut out);
        assert!(o.end_verify("bob@x.org"));
        assert_eq!(s.message(m.id).unwrap().unwrap().state, DeliveryState::Sent);
        assert!(o.pump(&s, ME, None, 7_000, &|_| false).is_empty());
    }

    #[test]
    fn what_the_archive_lacks_goes_out_again_first() {
        let s = store();
        let mut o = Outbox::default();
        let lost = write(&s, "bob@x.org", "lost");
        write(&s, "bob@x.org", "later");
        let t = o.pump(&s, ME, None, 1, &|_| false);
        // The old stream dropped it (its token is gone at the reset).
        let doubt = o.on_reset(&s, ME, &[lost.id].into());
        assert_eq!(doubt.len(), 1);
        // A late report of that old transmission changes nothing.
        let mut out = Out::default();
        assert!(o
            .on_outcome(&s, lost.id, t[0].seq, true, &mut out)
            .is_none());
        assert!(out.events.is_empty());
        // The archive does not have it: it is the first to go again, same origin-id.
        assert!(o.end_verify("bob@x.org"));
        let again = o.pump(&s, ME, None, 2, &|_| false);
        assert_eq!(bodies(&again), vec!["lost"]);
        assert_eq!(again[0].message.origin_id, "o-lost");
        assert!(again[0].seq > t[0].seq);
    }

    #[test]
    fn a_message_still_queued_at_a_reset_is_not_in_doubt() {
        let s = store();
        let mut o = Outbox::default();
        write(&s, "bob@x.org", "queued");
        o.pump(&s, ME, None, 1, &|_| false);
        // Its token is alive (the new stream will send it): nothing to ask, nothing to resend.
        assert!(o.on_reset(&s, ME, &HashSet::new()).is_empty());
        assert!(o.pump(&s, ME, None, 2, &|_| false).is_empty());
    }

    #[test]
    fn rows_a_crashed_run_transmitted_are_in_doubt_after_a_restart() {
        let s = store();
        let m = write(&s, "bob@x.org", "before the crash");
        s.set_transmitted(m.id, 42).unwrap();
        let mut o = Outbox::default();
        let doubt = o.on_reset(&s, ME, &HashSet::new());
        assert_eq!(doubt[0].since_ms, 42);
        // Never transmitted at all: simply sent.
        let fresh = Outbox::default().on_reset(&store(), ME, &HashSet::new());
        assert!(fresh.is_empty());
    }

    #[test]
    fn a_bounced_message_fails_and_the_next_one_goes() {
        let s = store();
        let mut o = Outbox::default();
        let m = write(&s, "bob@x.org", "b1");
        write(&s, "bob@x.org", "b2");
        o.pump(&s, ME, None, 1, &|_| false);
        let mut out = Out::default();
        o.bounced(&s, ME, "bob@x.org", &m.origin_id, &mut out);
        assert_eq!(
            s.message(m.id).unwrap().unwrap().state,
            DeliveryState::Failed
        );
        assert_eq!(bodies(&o.pump(&s, ME, None, 2, &|_| false)), vec!["b2"]);
    }

    #[test]
    fn a_file_waits_until_its_upload_has_a_url() {
        let s = store();
        let mut o = Outbox::default();
        let mut new = row(
            "bob@x.org",
            Direction::Outgoing,
            "plan.pdf",
            "f1",
            1,
            DeliveryState::Pending,
        );
        new.attachment = Some(hallway_model::Attachment {
            url: None,
            name: "plan.pdf".into(),
            size: Some(3),
            mime: None,
            local_path: None,
            status: hallway_model::FileStatus::Uploading,
            error: None,
            direct: false,
        });
        let f = insert(&s, &new);
        assert!(o.pump(&s, ME, None, 1, &|_| false).is_empty());
        let mut a = f.attachment.clone().unwrap();
        a.url = Some("https://up/x/plan.pdf".into());
        s.set_uploaded(f.id, "https://up/x/plan.pdf", &a).unwrap();
        // Its body is the URL now (XEP-0363: what other clients show).
        assert_eq!(
            bodies(&o.pump(&s, ME, None, 2, &|_| false)),
            vec!["https://up/x/plan.pdf"]
        );
    }

    #[test]
    fn pumping_one_conversation_leaves_the_others_queued() {
        let s = store();
        let mut o = Outbox::default();
        write(&s, "bob@x.org", "b1");
        write(&s, "carol@x.org", "c1");
        assert_eq!(
            bodies(&o.pump(&s, ME, Some("carol@x.org"), 1, &|_| false)),
            vec!["c1"]
        );
        // Bob's was not taken: it goes at the next general pump.
        assert_eq!(bodies(&o.pump(&s, ME, None, 2, &|_| false)), vec!["b1"]);
    }

    #[test]
    fn a_conversation_in_doubt_does_not_hold_the_others() {
        let s = store();
        let mut o = Outbox::default();
        let m = write(&s, "bob@x.org", "b1");
        s.set_transmitted(m.id, 10).unwrap();
        write(&s, "carol@x.org", "c1");
        let doubt = o.on_reset(&s, ME, &HashSet::new());
        assert_eq!(doubt.len(), 1, "only Bob's conversation is in doubt");
        assert_eq!(bodies(&o.pump(&s, ME, None, 20, &|_| false)), vec!["c1"]);
        // A second answer for the same conversation changes nothing.
        assert!(o.end_verify("bob@x.org"));
        assert!(!o.end_verify("bob@x.org"));
    }

    #[test]
    fn an_acknowledged_message_is_not_in_doubt_after_a_reset() {
        let s = store();
        let mut o = Outbox::default();
        write(&s, "bob@x.org", "b1");
        let t = o.pump(&s, ME, None, 1, &|_| false);
        let mut out = Out::default();
        o.on_outcome(&s, t[0].message.id, t[0].seq, true, &mut out);
        assert!(o.on_reset(&s, ME, &HashSet::new()).is_empty());
        assert!(!o.is_verifying("bob@x.org"));
    }

    #[test]
    fn a_bounce_for_a_message_we_never_sent_changes_nothing() {
        let s = store();
        let mut o = Outbox::default();
        let m = write(&s, "bob@x.org", "b1");
        o.pump(&s, ME, None, 1, &|_| false);
        let mut out = Out::default();
        // Someone else's origin-id, or the right one from the wrong conversation.
        o.bounced(&s, ME, "bob@x.org", "not-ours", &mut out);
        o.bounced(&s, ME, "carol@x.org", &m.origin_id, &mut out);
        assert!(out.events.is_empty());
        assert_eq!(
            s.message(m.id).unwrap().unwrap().state,
            DeliveryState::Pending
        );
        assert!(
            o.pump(&s, ME, None, 2, &|_| false).is_empty(),
            "still in flight"
        );
    }
}
