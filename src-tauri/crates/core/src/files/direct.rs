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

use std::collections::HashMap;
use std::io::Read;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hallway_model::{parse_bare_jid, Attachment, DeliveryState, FileStatus, Message};
use hallway_protocol::xep0047_ibb as ibb;
use hallway_protocol::xep0065_bytestreams::Streamhost;
use hallway_protocol::xep0234_jingle_ft::{self as jft, Action, Offer, Transport};
use hallway_protocol::xep0363_http_upload as disco;
use hallway_protocol::{BareJid, Jid};
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, oneshot};
use xmpp_parsers::minidom::Element;

use super::offers::IncomingOffer;
use super::s5b::Signal;
use super::{http::Meter, socks5};
use crate::messenger::Messenger;
use crate::session;
use crate::CoreError;

/// How long the contact has to accept an offer.
const ACCEPT_WAIT: Duration = Duration::from_secs(300);

/// A Jingle or IBB iq from a roster contact's device, forwarded by the session unanswered.
pub(crate) struct Incoming {
    /// The device (full JID) it came from.
    pub from: Jid,
    /// The iq id to answer.
    pub id: String,
    /// The `<jingle/>` or IBB element.
    pub payload: Element,
}

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

fn sha256_file(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().to_vec())
}

/// A fresh in-band transport (XEP-0261) with the block size we send.
fn ibb_transport() -> Transport {
    Transport::Ibb {
        sid: hallway_protocol::new_id(),
        block_size: jft::BLOCK_SIZE,
    }
}

impl Messenger {
    pub(crate) fn my_full_jid(&self) -> Result<Jid, CoreError> {
        let account = self.require_account()?;
        let bare = BareJid::new(&account).map_err(|e| CoreError::Internal(e.to_string()))?;
        bare.with_resource_str(&self.resource)
            .map(Jid::from)
            .map_err(|e| CoreError::Internal(e.to_string()))
    }

    /// Which addresses direct connections offer: `None` for this machine's own (the
    /// default), an empty list to offer none (every direct transfer then goes in-band).
    pub fn set_direct_addresses(&self, addresses: Option<Vec<IpAddr>>) {
        *self
            .files
            .direct
            .addresses
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = addresses;
    }

    /// Whether a direct transfer may go through the server's relay (XEP-0065) when the two
    /// devices cannot reach each other (default: yes).
    pub fn set_relay_allowed(&self, allowed: bool) {
        self.files
            .direct
            .no_relay
            .store(!allowed, std::sync::atomic::Ordering::Relaxed);
    }

    /// Which way the direct transfer of `message_id` went in this run (diagnostics).
    pub fn direct_route(&self, message_id: i64) -> Option<DirectRoute> {
        self.files
            .direct
            .routes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&message_id)
            .copied()
    }

    /// The contact's online device that can receive files directly (XEP-0234 + XEP-0261,
    /// and whether also XEP-0260).
    pub(crate) async fn direct_target(&self, peer: &BareJid) -> Result<Option<Device>, CoreError> {
        let details = self
            .people(|tx| session::PeopleCommand::Details(peer.to_string(), tx))
            .await?;
        for d in details.devices {
            let Ok(full) = peer.with_resource_str(&d.resource) else {
                continue;
            };
            let full = Jid::from(full);
            let Ok(info) = self
                .ask(
                    "Asking the contact's device",
                    disco::info_request(&hallway_protocol::new_id(), &full),
                )
                .await
            else {
                continue;
            };
            let has = |f: &str| {
                info.as_ref().is_some_and(|q| {
                    q.children()
                        .any(|c| c.name() == "feature" && c.attr("var") == Some(f))
                })
            };
            if jft::FEATURES.iter().all(|f| has(f)) {
                return Ok(Some(Device {
                    s5b: has(jft::FEATURE_S5B),
                    jid: full,
                }));
            }
        }
        Ok(None)
    }

    /// Whether `peer` has a device online that can take a file directly.
    pub async fn can_send_directly(&self, peer: &str) -> Result<bool, CoreError> {
        let peer = parse_bare_jid(peer).map_err(|e| CoreError::InvalidInput(e.to_string()))?;
        let bare =
            BareJid::new(peer.as_str()).map_err(|e| CoreError::InvalidInput(e.to_string()))?;
        Ok(self.direct_target(&bare).await?.is_some())
    }

    /// Sends the file at `path` straight to `peer`'s online device (Jingle, in-band). The
    /// message is stored first; the transfer runs in the background and ends as `Uploaded`
    /// (state Delivered) or `UploadFailed` with the reason (declined, cancelled, offline…).
    pub async fn send_file_direct(
        self: &Arc<Self>,
        peer: &str,
        path: &Path,
    ) -> Result<Message, CoreError> {
        let account = self.require_account()?;
        let peer = parse_bare_jid(peer).map_err(|e| CoreError::InvalidInput(e.to_string()))?;
        let bare =
            BareJid::new(peer.as_str()).map_err(|e| CoreError::InvalidInput(e.to_string()))?;
        let meta = std::fs::metadata(path)
            .map_err(|e| CoreError::InvalidInput(format!("Could not read the file: {e}")))?;
        if !meta.is_file() {
            return Err(CoreError::InvalidInput("That is not a file.".into()));
        }
        let target = self.direct_target(&bare).await?.ok_or_else(|| {
            CoreError::Refused(format!(
                "{peer} has no device online that can receive files directly."
            ))
        })?;
        let message = self.store_outgoing_file(&account, peer.as_str(), path, meta.len(), true)?;
        self.start_direct(message.clone(), target);
        Ok(message)
    }

    pub(crate) fn start_direct(self: &Arc<Self>, m: Message, target: Device) {
        let me = self.clone();
        let id = m.id;
        let task = tokio::spawn(async move {
            let outcome = me.run_direct(&m, &target).await;
            me.files.untrack(id);
            me.files
                .direct
                .sending
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&id);
            match outcome {
                Ok(()) => {
                    if let Some(a) = m.attachment.clone() {
                        let a = Attachment {
                            status: FileStatus::Uploaded,
                            error: None,
                            ..a
                        };
                        // The contact's device has it, hash-checked: delivered.
                        me.end_outgoing(id, &a, DeliveryState::Delivered);
                    }
                }
                Err(why) => {
                    if let Some(a) = m.attachment.clone() {
                        me.fail_upload(id, a, why);
                    }
                }
            }
        });
        self.files.track(id, task.abort_handle());
    }

    async fn run_direct(&self, m: &Message, device: &Device) -> Result<(), String> {
        let target = &device.jid;
        let a = m.attachment.as_ref().ok_or("no file")?;
        let path = PathBuf::from(a.local_path.as_deref().ok_or("no file")?);
        let p = path.clone();
        let sha = tokio::task::spawn_blocking(move || sha256_file(&p))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("Could not read the file: {e}"))?;
        let size = std::fs::metadata(&path).map_err(|e| e.to_string())?.len();
        let me = self.my_full_jid().map_err(|e| e.to_string())?;
        let sid = hallway_protocol::new_id();
        // A direct connection when the device can take one; in-band otherwise.
        let ours = if device.s5b {
            Some(
                self.our_s5b_side(&hallway_protocol::new_id(), &me, target, &[])
                    .await,
            )
        } else {
            None
        };
        let offer = Offer {
            sid: sid.clone(),
            content: "file".into(),
            name: a.name.clone(),
            size,
            sha256: Some(sha),
            transport: match &ours {
                Some(o) => Transport::S5b(o.transport.clone()),
                None => ibb_transport(),
            },
        };
        let mut signals = self.files.direct.listen(&sid, target);
        let result = self
            .offer_and_send(m.id, target, &me, &offer, ours, &mut signals, &path)
            .await;
        self.files.direct.forget(&sid, target);
        result
    }

    #[allow(clippy::too_many_arguments)]
    async fn offer_and_send(
        &self,
        id: i64,
        target: &Jid,
        me: &Jid,
        offer: &Offer,
        ours: Option<super::s5b::Ours>,
        signals: &mut mpsc::Receiver<Signal>,
        path: &Path,
    ) -> Result<(), String> {
        self.files
            .direct
            .sending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, (offer.sid.clone(), target.clone()));
        let (tx, rx) = oneshot::channel();
        self.files
            .direct
            .waiting
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert((target.clone(), offer.sid.clone()), tx);
        let what = "Offering the file";
        let offered = self
            .ask(
                what,
                jft::offer(&hallway_protocol::new_id(), target, me, offer),
            )
            .await;
        if let Err(e) = offered {
            self.forget_waiting(&offer.sid, target);
            return Err(e.to_string());
        }
        let answer = tokio::time::timeout(ACCEPT_WAIT, rx).await;
        self.forget_waiting(&offer.sid, target);
        let theirs = match answer {
            Ok(Ok(Ok(t))) => t,
            Ok(Ok(Err(why))) => return Err(why),
            _ => {
                let _ = self
                    .ask(
                        what,
                        jft::terminate(&hallway_protocol::new_id(), target, &offer.sid, "timeout"),
                    )
                    .await;
                return Err("No answer from the contact.".into());
            }
        };
        let result = match (&offer.transport, ours) {
            (Transport::Ibb { sid, block_size }, _) => {
                self.files.direct.routed(id, DirectRoute::ThroughServer);
                self.stream_ibb(id, target, sid, *block_size, offer.size, path)
                    .await
            }
            (Transport::S5b(_), Some(ours)) => {
                let theirs = match theirs {
                    Some(Transport::S5b(t)) => t,
                    // An answer without its side: only our candidates can work.
                    _ => hallway_protocol::xep0260_s5b::Transport {
                        sid: ours.transport.sid.clone(),
                        dstaddr: None,
                        candidates: Vec::new(),
                    },
                };
                let content = offer.content.as_str();
                match self
                    .negotiate_s5b(
                        target, me, &offer.sid, content, true, ours, &theirs, signals,
                    )
                    .await
                {
                    Ok(Some(stream)) => {
                        self.files.direct.routed(id, DirectRoute::Connection);
                        self.send_over(id, stream, path, offer.size, signals).await
                    }
                    Ok(None) => {
                        self.fall_back_to_ibb(id, target, offer, signals, path)
                            .await
                    }
                    Err(why) => Err(why),
                }
            }
            (Transport::S5b(_), None) => Err("no transport".into()),
        };
        let reason = if result.is_ok() { "success" } else { "cancel" };
        let _ = self
            .ask(
                what,
                jft::terminate(&hallway_protocol::new_id(), target, &offer.sid, reason),
            )
            .await;
        result
    }

    /// XEP-0260 §3: no direct connection either way, so the file goes in-band instead.
    async fn fall_back_to_ibb(
        &self,
        id: i64,
        target: &Jid,
        offer: &Offer,
        signals: &mut mpsc::Receiver<Signal>,
        path: &Path,
    ) -> Result<(), String> {
        let ibb = ibb_transport();
        self.ask(
            "Switching to sending through the server",
            jft::transport_action(
                &hallway_protocol::new_id(),
                target,
                "transport-replace",
                &offer.sid,
                &offer.content,
                jft::transport_element(&ibb, true),
            ),
        )
        .await
        .map_err(|e| e.to_string())?;
        loop {
            match tokio::time::timeout(ACCEPT_WAIT, signals.recv()).await {
                Ok(Some(Signal::ReplaceAccepted)) => break,
                Ok(Some(Signal::ReplaceRejected)) => {
                    return Err(
                        "No direct connection could be made to the contact's device.".into(),
                    )
                }
                Ok(Some(Signal::Info(_))) => continue,
                Ok(Some(Signal::Ended(r))) => {
                    return Err(format!("The contact's device ended the transfer ({r})."))
                }
                Ok(None) | Err(_) => return Err("No answer from the contact.".into()),
            }
        }
        let Transport::Ibb { sid, block_size } = &ibb else {
            return Err("no transport".into());
        };
        self.files.direct.routed(id, DirectRoute::ThroughServer);
        self.stream_ibb(id, target, sid, *block_size, offer.size, path)
            .await
    }

    /// Cancel of a direct transfer, on either side: the contact's device is told (XEP-0166
    /// `session-terminate` with `cancel`) and a partial download is removed. `true` when there
    /// was one to cancel.
    pub(crate) async fn cancel_direct(&self, message_id: i64) -> bool {
        let sending = self
            .files
            .direct
            .sending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&message_id);
        if let Some((sid, to)) = sending {
            self.forget_waiting(&sid, &to);
            let _ = self
                .ask(
                    "Cancelling",
                    jft::terminate(&hallway_protocol::new_id(), &to, &sid, "cancel"),
                )
                .await;
            return true;
        }
        let Some((sid, from, _)) = self.find_offer(message_id).await else {
            return false;
        };
        let gone = self
            .files
            .direct
            .offers
            .lock()
            .await
            .remove(&(from.clone(), sid.clone()));
        let _ = self
            .ask(
                "Cancelling",
                jft::terminate(&hallway_protocol::new_id(), &from, &sid, "cancel"),
            )
            .await;
        if let Some(o) = gone {
            self.fail_receiving(o, "Cancelled.".into()).await;
        }
        true
    }

    fn forget_waiting(&self, sid: &str, target: &Jid) {
        self.files
            .direct
            .waiting
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&(target.clone(), sid.to_string()));
    }

    async fn stream_ibb(
        &self,
        id: i64,
        to: &Jid,
        ibb_sid: &str,
        block_size: u16,
        size: u64,
        path: &Path,
    ) -> Result<(), String> {
        let what = "Sending the file";
        self.ask(
            what,
            ibb::open(&hallway_protocol::new_id(), to, ibb_sid, block_size),
        )
        .await
        .map_err(|e| e.to_string())?;
        let mut f =
            std::fs::File::open(path).map_err(|e| format!("Could not read the file: {e}"))?;
        let mut buf = vec![0u8; block_size as usize];
        let mut seq: u16 = 0;
        let mut meter = Meter::new();
        loop {
            let n = f
                .read(&mut buf)
                .map_err(|e| format!("Could not read the file: {e}"))?;
            if n == 0 {
                break;
            }
            self.ask(
                what,
                ibb::data(&hallway_protocol::new_id(), to, ibb_sid, seq, &buf[..n]),
            )
            .await
            .map_err(|e| e.to_string())?;
            seq = seq.wrapping_add(1);
            if meter.add(n) {
                self.emitter.emit(meter.report(id, Some(size)));
            }
        }
        self.ask(what, ibb::close(&hallway_protocol::new_id(), to, ibb_sid))
            .await
            .map_err(|e| e.to_string())?;
        Ok(())
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
                if self.files.direct.signal(&sid, &from, Signal::Info(info))
                    || self.files.direct.knows(&from, &sid).await
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
                if self.files.direct.knows(&from, &sid).await {
                    Answer::Done
                } else {
                    Answer::UnknownSession
                }
            }
        }
    }

    async fn signal_or_unknown(&self, sid: &str, from: &Jid, s: Signal) -> Answer {
        if self.files.direct.signal(sid, from, s) || self.files.direct.knows(from, sid).await {
            Answer::Done
        } else {
            Answer::UnknownSession
        }
    }

    /// The device `from` ended the session `sid` (only its own sessions: anyone else's
    /// `session-terminate` is an unknown session).
    async fn on_terminated(&self, from: &Jid, sid: &str, reason: String) -> Answer {
        if !self.files.direct.knows(from, sid).await {
            return Answer::UnknownSession;
        }
        // A sending session waiting for the receiver's confirmation hears it here.
        self.files
            .direct
            .signal(sid, from, Signal::Ended(reason.clone()));
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
                .files
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
            if let Some(h) = self.files.untrack(id) {
                h.abort();
                if let Ok((_, a)) = self.file_message(id) {
                    self.fail_upload(id, a, why.clone());
                }
            }
        }
        let gone = self
            .files
            .direct
            .offers
            .lock()
            .await
            .remove(&(from.clone(), sid.to_string()));
        if let Some(o) = gone {
            // A direct connection's reader stops too (its partial file goes).
            if let Some(h) = self.files.untrack(o.message_id) {
                h.abort();
            }
            self.files.direct.forget(sid, from);
            self.fail_receiving(o, format!("The sender stopped: {reason}."))
                .await;
        }
        Answer::Done
    }

    /// Hands the contact's answer to our offer `sid` to the waiting sender; `false` when we
    /// made no such offer to that device.
    fn answer_waiting(&self, sid: &str, from: &Jid, r: Outcome) -> bool {
        let tx = self
            .files
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
        let Ok(slot) = self.files.direct.tells.clone().try_acquire_owned() else {
            tracing::debug!("{what}: too much on its way to contacts' devices; dropped");
            return;
        };
        if let Some(me) = self.me() {
            tokio::spawn(async move {
                let _ = me.ask(what, iq).await;
                drop(slot);
            });
        }
    }
}
