//! Direct transfer (XEP-0234 Jingle File Transfer): a file sent straight to a contact's online
//! device when the server's upload service refuses it (too large) or does not exist. This file
//! holds the shared state, the sending side and the dispatch of the contact's Jingle and IBB
//! payloads; offers to us are `offers.rs`. The bytes go over a direct TCP connection (XEP-0260
//! SOCKS5, negotiated in `s5b.rs`) when the device supports it and one can be made, else as
//! acknowledged base64 blocks through the server (XEP-0261 / XEP-0047 in-band, also the fallback
//! via `transport-replace`). Jingle and IBB are taken from roster contacts only (the session
//! refuses them from anyone else) and every session is tied to the device it was negotiated
//! with: a Jingle action or IBB block naming a session of another device is refused
//! (XEP-0166 `<unknown-session/>`). The session forwards each iq unanswered through a bounded
//! queue; it is answered here once handled (an IBB block once written: XEP-0047's flow control),
//! and nothing on that queue waits for a contact's answer.

use super::Files;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

use hallway_protocol::xep0047_ibb as ibb;
use hallway_protocol::xep0065_bytestreams::Streamhost;
use hallway_protocol::xep0234_jingle_ft::{self as jft, Action, Transport};
use hallway_protocol::Jid;
use tokio::sync::{mpsc, oneshot};

use super::offers::IncomingOffer;
use super::s5b::Signal;
use super::socks5;

/// A Jingle or IBB iq from a roster contact's device, forwarded by the session unanswered.
pub(crate) use crate::live::iq::Forwarded as Incoming;

mod send;

/// How many of a contact's Jingle / IBB iqs may wait to be handled; past it the session answers
/// `resource-constraint` (a sender that waits for each acknowledgement never gets there).
pub(crate) const QUEUE: usize = 64;
/// How many transport signals of one session may wait (a peer cannot fill memory with them).
const SIGNALS: usize = 16;

/// A Jingle session is the device it runs with and its id: the same id from another device is
/// another (unknown) session.
pub(crate) type SessionKey = (Jid, String);

/// How to answer a contact's Jingle or IBB iq.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Answer {
    /// Accepted (an empty result).
    Done,
    /// No such session with that device (XEP-0166 `<unknown-session/>`).
    UnknownSession,
    /// Refused with this condition and text.
    Refused(hallway_protocol::Refusal, &'static str),
}

/// A contact's device that can take a file directly.
pub(crate) struct Device {
    jid: Jid,
    /// It also takes direct connections (XEP-0260), not only in-band.
    s5b: bool,
}

type Outcome = Result<Option<Transport>, String>;

/// Which way a direct transfer's bytes went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectRoute {
    /// A TCP connection between the two devices (XEP-0260).
    Connection,
    /// In-band through the server (XEP-0261), chosen or fallen back to.
    ThroughServer,
}

/// Running direct transfers of the messenger.
pub(crate) struct Direct {
    /// Our offers waiting for an answer: (device, sid) → the answer (with the contact's
    /// transport).
    waiting: std::sync::Mutex<HashMap<SessionKey, oneshot::Sender<Outcome>>>,
    /// Offers to us, by (device, Jingle sid).
    pub(crate) offers: tokio::sync::Mutex<HashMap<SessionKey, IncomingOffer>>,
    /// Our running sessions: message id → (sid, the contact's device), to end them on Cancel.
    sending: std::sync::Mutex<HashMap<i64, (String, Jid)>>,
    /// Sessions negotiating a transport: (device, sid) → where its signals go.
    signals: std::sync::Mutex<HashMap<SessionKey, mpsc::Sender<Signal>>>,
    /// Addresses offered for direct connections (`None`: this machine's own; empty: none).
    addresses: std::sync::Mutex<Option<Vec<IpAddr>>>,
    /// Which way each direct transfer of this run went, by message id.
    routes: std::sync::Mutex<HashMap<i64, DirectRoute>>,
    /// The server's relay (XEP-0065) as last found, per account.
    pub(crate) relay: tokio::sync::Mutex<Option<(String, Option<Streamhost>)>>,
    /// The relay is not offered (tests of the in-band fallback).
    no_relay: std::sync::atomic::AtomicBool,
    /// A contact's candidates on loopback or link-local addresses may be tried (tests on one
    /// machine only: otherwise a contact could make us connect into this machine).
    pub(crate) allow_local_candidates: bool,
    /// Slots for what is told to contacts' devices in the background (`tell_later`): a device
    /// that provokes answers faster than they are delivered gets none beyond these.
    tells: Arc<tokio::sync::Semaphore>,
    /// Offers refused for their size this run, per device (each left a card; past a few, the
    /// rest are refused without one).
    pub(crate) refused: std::sync::Mutex<HashMap<Jid, u32>>,
}

/// What may be on its way to contacts' devices in the background at once.
const TELLS: usize = 16;

impl Direct {
    /// No transfers yet; `allow_local_candidates` for tests on one machine only.
    pub(crate) fn new(allow_local_candidates: bool) -> Self {
        Self {
            waiting: Default::default(),
            offers: Default::default(),
            sending: Default::default(),
            signals: Default::default(),
            addresses: Default::default(),
            routes: Default::default(),
            relay: Default::default(),
            no_relay: Default::default(),
            allow_local_candidates,
            tells: Arc::new(tokio::sync::Semaphore::new(TELLS)),
            refused: Default::default(),
        }
    }

    /// The addresses we offer for direct connections.
    pub(crate) fn addresses(&self) -> Vec<IpAddr> {
        self.addresses
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .unwrap_or_else(socks5::own_addresses)
    }

    /// Whether the server's relay may be offered.
    pub(crate) fn relay_allowed(&self) -> bool {
        !self.no_relay.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub(crate) fn routed(&self, message_id: i64, route: DirectRoute) {
        self.routes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(message_id, route);
    }

    pub(crate) fn listen(&self, sid: &str, peer: &Jid) -> mpsc::Receiver<Signal> {
        let (tx, rx) = mpsc::channel(SIGNALS);
        self.signals
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert((peer.clone(), sid.to_string()), tx);
        rx
    }

    pub(crate) fn forget(&self, sid: &str, peer: &Jid) {
        self.signals
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&(peer.clone(), sid.to_string()));
    }

    /// Hands a signal to the session `sid` negotiating with `from`; `false` when none is (or
    /// its queue is full: a flood of signals is dropped, not stored).
    fn signal(&self, sid: &str, from: &Jid, s: Signal) -> bool {
        let signals = self.signals.lock().unwrap_or_else(|p| p.into_inner());
        match signals.get(&(from.clone(), sid.to_string())) {
            Some(tx) => tx.try_send(s).is_ok(),
            None => false,
        }
    }

    /// Whether a session `sid` with the device `from` exists in any stage: offered to us,
    /// offered by us, sending, or negotiating.
    async fn knows(&self, from: &Jid, sid: &str) -> bool {
        let key = (from.clone(), sid.to_string());
        if self.offers.lock().await.contains_key(&key) {
            return true;
        }
        if self
            .waiting
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains_key(&key)
            || self
                .signals
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .contains_key(&key)
        {
            return true;
        }
        self.sending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .any(|(s, to)| s == sid && to == from)
    }
}

impl Files {
    /// Which addresses direct connections offer: `None` for this machine's own (the
    /// default), an empty list to offer none (every direct transfer then goes in-band).
    pub fn set_direct_addresses(&self, addresses: Option<Vec<IpAddr>>) {
        *self
            .direct
            .addresses
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = addresses;
    }

    /// Whether a direct transfer may go through the server's relay (XEP-0065) when the two
    /// devices cannot reach each other (default: yes).
    pub fn set_relay_allowed(&self, allowed: bool) {
        self.direct
            .no_relay
            .store(!allowed, std::sync::atomic::Ordering::Relaxed);
    }

    /// Which way the direct transfer of `message_id` went in this run (diagnostics).
    pub fn direct_route(&self, message_id: i64) -> Option<DirectRoute> {
        self.direct
            .routes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&message_id)
            .copied()
    }

    /// Handles a Jingle or IBB iq from a contact's device and says how to answer it. Nothing
    /// here waits for a contact: what must be told to a device goes out in the background
    /// (`tell_later`), so one slow or silent device cannot hold up the others.
    pub(crate) async fn on_direct(self: &Arc<Self>, inc: Incoming) -> Answer {
        let Incoming { from, payload, .. } = inc;
        if ibb::is_ibb(&payload) {
            return match ibb::parse(&payload, jft::MAX_BLOCK_SIZE as usize) {
                Ok(i) => self.on_ibb(from, i).await,
                Err(e) => {
                    tracing::debug!("bad ibb from {from}: {e}");
                    Answer::Refused(hallway_protocol::Refusal::BadRequest, "Unreadable block.")
                }
            };
        }
        let action = match jft::parse(&payload) {
            Ok(a) => a,
            Err(e) => {
                tracing::debug!("bad jingle from {from}: {e}");
                return Answer::Refused(
                    hallway_protocol::Refusal::BadRequest,
                    "Unreadable Jingle request.",
                );
            }
        };
        match action {
            Action::Offer(o) => self.on_offer(from, o).await,
            Action::Accepted { sid, transport } => {
                if self.answer_waiting(&sid, &from, Ok(transport)) {
                    Answer::Done
                } else {
                    Answer::UnknownSession
                }
            }
            Action::TransportInfo { sid, info } => {
                if self.direct.signal(&sid, &from, Signal::Info(info))
                    || self.direct.knows(&from, &sid).await
                {
                    Answer::Done
                } else {
                    Answer::UnknownSession
                }
            }
            Action::TransportAccepted { sid } => {
                self.signal_or_unknown(&sid, &from, Signal::ReplaceAccepted)
                    .await
            }
            Action::TransportRejected { sid } => {
                self.signal_or_unknown(&sid, &from, Signal::ReplaceRejected)
                    .await
            }
            Action::TransportReplace { sid, transport } => {
                self.on_transport_replace(&from, &sid, transport).await
            }
            Action::Terminated { sid, reason } => self.on_terminated(&from, &sid, reason).await,
            Action::Unsupported { sid } => {
                self.tell_later(
                    "Declining",
                    jft::terminate(
                        &hallway_protocol::new_id(),
                        &from,
                        &sid,
                        "unsupported-applications",
                    ),
                );
                Answer::Done
            }
            Action::Other { sid } => {
                if self.direct.knows(&from, &sid).await {
                    Answer::Done
                } else {
                    Answer::UnknownSession
                }
            }
        }
    }

    async fn signal_or_unknown(&self, sid: &str, from: &Jid, s: Signal) -> Answer {
        if self.direct.signal(sid, from, s) || self.direct.knows(from, sid).await {
            Answer::Done
        } else {
            Answer::UnknownSession
        }
    }

    /// The device `from` ended the session `sid` (only its own sessions: anyone else's
    /// `session-terminate` is an unknown session).
    async fn on_terminated(&self, from: &Jid, sid: &str, reason: String) -> Answer {
        if !self.direct.knows(from, sid).await {
            return Answer::UnknownSession;
        }
        // A sending session waiting for the receiver's confirmation hears it here.
        self.direct.signal(sid, from, Signal::Ended(reason.clone()));
        let who = from.to_bare().to_string();
        let why = match reason.as_str() {
            "decline" => format!("{who} declined the file."),
            "success" => return Answer::Done,
            r => format!("{who} ended the transfer ({r})."),
        };
        self.answer_waiting(sid, from, Err(why.clone()));
        // Ended by the contact mid-transfer: stop sending blocks.
        let running = {
            let mut sending = self
                .direct
                .sending
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            let id = sending
                .iter()
                .find(|(_, (s, to))| s == sid && to == from)
                .map(|(id, _)| *id);
            id.and_then(|id| sending.remove(&id).map(|_| id))
        };
        if let Some(id) = running {
            if let Some(h) = self.untrack(id) {
                h.abort();
                if let Ok((_, a)) = self.file_message(id) {
                    self.fail_upload(id, a, why.clone());
                }
            }
        }
        let gone = self
            .direct
            .offers
            .lock()
            .await
            .remove(&(from.clone(), sid.to_string()));
        if let Some(o) = gone {
            // A direct connection's reader stops too (its partial file goes).
            if let Some(h) = self.untrack(o.message_id) {
                h.abort();
            }
            self.direct.forget(sid, from);
            self.fail_receiving(o, format!("The sender stopped: {reason}."))
                .await;
        }
        Answer::Done
    }

    /// Hands the contact's answer to our offer `sid` to the waiting sender; `false` when we
    /// made no such offer to that device.
    fn answer_waiting(&self, sid: &str, from: &Jid, r: Outcome) -> bool {
        let tx = self
            .direct
            .waiting
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&(from.clone(), sid.to_string()));
        match tx {
            Some(tx) => {
                let _ = tx.send(r);
                true
            }
            None => false,
        }
    }

    /// Sends `iq` to a contact's device in the background (its answer does not matter here):
    /// the queue of a contact's Jingle and IBB iqs never waits for a contact.
    /// At most `TELLS` at once: past that it is dropped (the device is flooding us).
    pub(crate) fn tell_later(&self, what: &'static str, iq: xmpp_parsers::iq::Iq) {
        let Ok(slot) = self.direct.tells.clone().try_acquire_owned() else {
            tracing::debug!("{what}: too much on its way to contacts' devices; dropped");
            return;
        };
        if let Some(me) = self.me() {
            tokio::spawn(async move {
                let _ = me.acc.session.ask(what, iq).await;
                drop(slot);
            });
        }
    }
}
