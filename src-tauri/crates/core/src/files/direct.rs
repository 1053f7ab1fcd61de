//! Direct transfer (XEP-0234 Jingle File Transfer over XEP-0261 / XEP-0047 in-band bytestreams):
//! a file sent straight to a contact's online device when the server's upload service refuses it
//! (too large) or does not exist. The receiver sees the offer with Accept / Decline; the bytes
//! flow as acknowledged base64 blocks through the server; the receiver checks the XEP-0300
//! SHA-256 before the file counts as received. Offers are taken from roster contacts only (the
//! session drops Jingle and IBB from anyone else).

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hallway_model::{
    parse_bare_jid, Attachment, DeliveryState, Direction, FileStatus, Message, NewMessage,
    TransferProgress,
};
use hallway_protocol::xep0047_ibb::{self as ibb, Ibb};
use hallway_protocol::xep0234_jingle_ft::{self as jft, Action, Offer};
use hallway_protocol::xep0363_http_upload as disco;
use hallway_protocol::{BareJid, Jid};
use hallway_store::Inserted;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use tokio::sync::oneshot;
use xmpp_parsers::minidom::Element;

use super::{http::Meter, names};
use crate::events::CoreEvent;
use crate::messenger::Messenger;
use crate::session;
use crate::CoreError;

/// How long the contact has to accept an offer.
const ACCEPT_WAIT: Duration = Duration::from_secs(300);

/// A Jingle or IBB payload from a roster contact's device (forwarded by the session, which has
/// already acknowledged it).
pub(crate) type Incoming = (Jid, Element);

struct Receiving {
    file: tokio::io::BufWriter<tokio::fs::File>,
    part: PathBuf,
    path: PathBuf,
    next_seq: u16,
    hasher: Sha256,
    meter: Meter,
}

struct IncomingOffer {
    message_id: i64,
    from: Jid,
    offer: Offer,
    receiving: Option<Receiving>,
}

/// Running direct transfers of the messenger.
#[derive(Default)]
pub(crate) struct Direct {
    /// Our offers waiting for an answer: sid → (accepted?).
    waiting: std::sync::Mutex<HashMap<String, oneshot::Sender<Result<(), String>>>>,
    /// Offers to us, by Jingle sid.
    offers: tokio::sync::Mutex<HashMap<String, IncomingOffer>>,
    /// Our running sessions: message id → (sid, the contact's device), to end them on Cancel.
    sending: std::sync::Mutex<HashMap<i64, (String, Jid)>>,
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

impl Messenger {
    fn my_full_jid(&self) -> Result<Jid, CoreError> {
        let account = self.require_account()?;
        let bare = BareJid::new(&account).map_err(|e| CoreError::Internal(e.to_string()))?;
        bare.with_resource_str(&self.resource)
            .map(Jid::from)
            .map_err(|e| CoreError::Internal(e.to_string()))
    }

    /// The contact's online device that can receive files directly (XEP-0234 + XEP-0261).
    pub(crate) async fn direct_target(&self, peer: &BareJid) -> Result<Option<Jid>, CoreError> {
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
            let ok = info.as_ref().is_some_and(|q| {
                jft::FEATURES.iter().all(|f| {
                    q.children()
                        .any(|c| c.name() == "feature" && c.attr("var") == Some(*f))
                })
            });
            if ok {
                return Ok(Some(full));
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

    pub(crate) fn start_direct(self: &Arc<Self>, m: Message, target: Jid) {
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

    async fn run_direct(&self, m: &Message, target: &Jid) -> Result<(), String> {
        let a = m.attachment.as_ref().ok_or("no file")?;
        let path = PathBuf::from(a.local_path.as_deref().ok_or("no file")?);
        let p = path.clone();
        let sha = tokio::task::spawn_blocking(move || sha256_file(&p))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("Could not read the file: {e}"))?;
        let size = std::fs::metadata(&path).map_err(|e| e.to_string())?.len();
        let offer = Offer {
            sid: hallway_protocol::new_id(),
            content: "file".into(),
            name: a.name.clone(),
            size,
            sha256: Some(sha),
            ibb_sid: hallway_protocol::new_id(),
            block_size: jft::BLOCK_SIZE,
        };
        let me = self.my_full_jid().map_err(|e| e.to_string())?;
        self.files
            .direct
            .sending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(m.id, (offer.sid.clone(), target.clone()));
        let (tx, rx) = oneshot::channel();
        self.files
            .direct
            .waiting
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(offer.sid.clone(), tx);
        let what = "Offering the file";
        let offered = self
            .ask(
                what,
                jft::offer(&hallway_protocol::new_id(), target, &me, &offer),
            )
            .await;
        if let Err(e) = offered {
            self.forget_waiting(&offer.sid);
            return Err(e.to_string());
        }
        let answer = tokio::time::timeout(ACCEPT_WAIT, rx).await;
        self.forget_waiting(&offer.sid);
        match answer {
            Ok(Ok(Ok(()))) => {}
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
        }
        let result = self.stream_ibb(m.id, target, &offer, &path).await;
        let reason = if result.is_ok() { "success" } else { "cancel" };
        let _ = self
            .ask(
                what,
                jft::terminate(&hallway_protocol::new_id(), target, &offer.sid, reason),
            )
            .await;
        result
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
            self.forget_waiting(&sid);
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
        let gone = self.files.direct.offers.lock().await.remove(&sid);
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

    fn forget_waiting(&self, sid: &str) {
        self.files
            .direct
            .waiting
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(sid);
    }

    async fn stream_ibb(&self, id: i64, to: &Jid, o: &Offer, path: &Path) -> Result<(), String> {
        let what = "Sending the file";
        self.ask(
            what,
            ibb::open(&hallway_protocol::new_id(), to, &o.ibb_sid, o.block_size),
        )
        .await
        .map_err(|e| e.to_string())?;
        let mut f =
            std::fs::File::open(path).map_err(|e| format!("Could not read the file: {e}"))?;
        let mut buf = vec![0u8; o.block_size as usize];
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
                ibb::data(&hallway_protocol::new_id(), to, &o.ibb_sid, seq, &buf[..n]),
            )
            .await
            .map_err(|e| e.to_string())?;
            seq = seq.wrapping_add(1);
            if meter.add(n) {
                self.emitter
                    .emit(CoreEvent::TransferProgressed(TransferProgress {
                        message_id: id,
                        bytes: meter.bytes,
                        total: Some(o.size),
                        bytes_per_second: meter.per_second(),
                    }));
            }
        }
        self.ask(
            what,
            ibb::close(&hallway_protocol::new_id(), to, &o.ibb_sid),
        )
        .await
        .map_err(|e| e.to_string())?;
        Ok(())
    }

    /// Handles a Jingle or IBB payload from a contact's device.
    pub(crate) async fn on_direct(self: &Arc<Self>, from: Jid, payload: Element) {
        if jft::is_jingle(&payload) {
            match jft::parse(&payload) {
                Ok(Action::Offer(o)) => self.on_offer(from, o).await,
                Ok(Action::Accepted { sid }) => self.answer_waiting(&sid, Ok(())),
                Ok(Action::Terminated { sid, reason }) => {
                    let who = from.to_bare().to_string();
                    let why = match reason.as_str() {
                        "decline" => format!("{who} declined the file."),
                        "success" => return,
                        r => format!("{who} ended the transfer ({r})."),
                    };
                    self.answer_waiting(&sid, Err(why.clone()));
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
                            .find(|(_, (s, to))| *s == sid && *to == from)
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
                    let gone = self.files.direct.offers.lock().await.remove(&sid);
                    if let Some(o) = gone {
                        self.fail_receiving(o, format!("The sender stopped: {reason}."))
                            .await;
                    }
                }
                Ok(Action::Unsupported { sid }) => {
                    let _ = self
                        .ask(
                            "Declining",
                            jft::terminate(
                                &hallway_protocol::new_id(),
                                &from,
                                &sid,
                                "unsupported-applications",
                            ),
                        )
                        .await;
                }
                Ok(Action::Other { .. }) => {}
                Err(e) => tracing::debug!("bad jingle from {from}: {e}"),
            }
        } else if ibb::is_ibb(&payload) {
            match ibb::parse(&payload, jft::MAX_BLOCK_SIZE as usize) {
                Ok(i) => self.on_ibb(from, i).await,
                Err(e) => tracing::debug!("bad ibb from {from}: {e}"),
            }
        }
    }

    fn answer_waiting(&self, sid: &str, r: Result<(), String>) {
        let tx = self
            .files
            .direct
            .waiting
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(sid);
        if let Some(tx) = tx {
            let _ = tx.send(r);
        }
    }

    async fn on_offer(self: &Arc<Self>, from: Jid, o: Offer) {
        let Ok(account) = self.require_account() else {
            return;
        };
        let peer = from.to_bare().to_string();
        let name = names::safe_file_name(&o.name);
        let mime = names::mime_for(&name);
        let new = NewMessage {
            peer: peer.clone(),
            direction: Direction::Incoming,
            sender: peer,
            body: name.clone(),
            timestamp: session::now_ms(),
            state: DeliveryState::Received,
            origin_id: format!("jingle:{}", o.sid),
            stanza_id: None,
            stanza_xml_id: None,
            markable: false,
            wants_receipt: false,
            placement: hallway_model::Placement::Append,
            attachment: Some(Attachment {
                url: None,
                name,
                size: Some(o.size),
                mime: (mime != "application/octet-stream").then(|| mime.to_string()),
                local_path: None,
                status: FileStatus::Offered,
                error: None,
                direct: true,
            }),
        };
        let Ok(Inserted::New(m)) = self.store.insert_message(&account, &new) else {
            return; // a repeated offer
        };
        let mut offers = self.files.direct.offers.lock().await;
        if offers.len() >= 32 {
            return; // a flood of offers: the rest stay unanswered
        }
        offers.insert(
            o.sid.clone(),
            IncomingOffer {
                message_id: m.id,
                from,
                offer: o,
                receiving: None,
            },
        );
        drop(offers);
        // Through the session: shown, counted unread and notified like any message.
        match self.commands().await {
            Ok(c) => {
                let _ = c.send(session::Command::Announce(m));
            }
            Err(_) => self.emitter.emit(CoreEvent::MessagesReceived(vec![m])),
        }
    }

    async fn find_offer(&self, message_id: i64) -> Option<(String, Jid, Offer)> {
        let offers = self.files.direct.offers.lock().await;
        offers
            .iter()
            .find(|(_, o)| o.message_id == message_id)
            .map(|(sid, o)| (sid.clone(), o.from.clone(), o.offer.clone()))
    }

    /// Accepts a direct file offer: the file is saved into the Downloads folder as it arrives.
    pub async fn accept_file(&self, message_id: i64) -> Result<(), CoreError> {
        let (_, from, offer) = self
            .find_offer(message_id)
            .await
            .ok_or_else(|| CoreError::InvalidInput("The offer is no longer open.".into()))?;
        let me = self.my_full_jid()?;
        self.ask(
            "Accepting the file",
            jft::accept(&hallway_protocol::new_id(), &from, &me, &offer),
        )
        .await?;
        if let Ok((_, a)) = self.file_message(message_id) {
            let a = Attachment {
                status: FileStatus::Downloading,
                ..a
            };
            self.store.set_attachment(message_id, &a)?;
            self.emit_updated(message_id);
        }
        Ok(())
    }

    /// Declines a direct file offer.
    pub async fn decline_file(&self, message_id: i64) -> Result<(), CoreError> {
        let (sid, from, _) = self
            .find_offer(message_id)
            .await
            .ok_or_else(|| CoreError::InvalidInput("The offer is no longer open.".into()))?;
        self.files.direct.offers.lock().await.remove(&sid);
        let _ = self
            .ask(
                "Declining the file",
                jft::terminate(&hallway_protocol::new_id(), &from, &sid, "decline"),
            )
            .await;
        if let Ok((_, a)) = self.file_message(message_id) {
            let a = Attachment {
                status: FileStatus::DownloadFailed,
                error: Some("You declined it.".into()),
                ..a
            };
            self.store.set_attachment(message_id, &a)?;
            self.emit_updated(message_id);
        }
        Ok(())
    }

    async fn on_ibb(&self, from: Jid, i: Ibb) {
        let sid = match &i {
            Ibb::Open { sid, .. } | Ibb::Data { sid, .. } | Ibb::Close { sid } => sid.clone(),
        };
        let mut offers = self.files.direct.offers.lock().await;
        let Some(jingle_sid) = offers
            .iter()
            .find(|(_, o)| o.offer.ibb_sid == sid && o.from == from)
            .map(|(k, _)| k.clone())
        else {
            return;
        };
        let outcome: Result<bool, String> = {
            let Some(o) = offers.get_mut(&jingle_sid) else {
                return;
            };
            match i {
                Ibb::Open { .. } => {
                    let dir = self.files.downloads_dir.clone();
                    let _ = std::fs::create_dir_all(&dir);
                    match names::create_unique(&dir, &o.offer.name) {
                        Ok((path, _)) => {
                            let part = super::part_path(&path);
                            match tokio::fs::File::create(&part).await {
                                Ok(f) => {
                                    o.receiving = Some(Receiving {
                                        file: tokio::io::BufWriter::new(f),
                                        part,
                                        path,
                                        next_seq: 0,
                                        hasher: Sha256::new(),
                                        meter: Meter::new(),
                                    });
                                    Ok(false)
                                }
                                Err(e) => Err(format!("Could not save the file: {e}")),
                            }
                        }
                        Err(e) => Err(format!("Could not save the file: {e}")),
                    }
                }
                Ibb::Data { seq, bytes, .. } => match o.receiving.as_mut() {
                    None => Err("Data before the stream opened.".into()),
                    Some(r) if r.next_seq != seq => Err("Blocks arrived out of order.".into()),
                    Some(r) if r.meter.bytes + bytes.len() as u64 > o.offer.size => {
                        Err("More data than offered.".into())
                    }
                    Some(r) => {
                        r.next_seq = r.next_seq.wrapping_add(1);
                        r.hasher.update(&bytes);
                        match r.file.write_all(&bytes).await {
                            Ok(()) => {
                                if r.meter.add(bytes.len()) {
                                    self.emitter.emit(CoreEvent::TransferProgressed(
                                        TransferProgress {
                                            message_id: o.message_id,
                                            bytes: r.meter.bytes,
                                            total: Some(o.offer.size),
                                            bytes_per_second: r.meter.per_second(),
                                        },
                                    ));
                                }
                                Ok(false)
                            }
                            Err(e) => Err(format!("Could not write the file: {e}")),
                        }
                    }
                },
                Ibb::Close { .. } => Ok(true),
            }
        };
        match outcome {
            Ok(false) => {}
            Ok(true) => {
                if let Some(o) = offers.remove(&jingle_sid) {
                    drop(offers);
                    self.finish_receiving(o).await;
                }
            }
            Err(why) => {
                if let Some(o) = offers.remove(&jingle_sid) {
                    drop(offers);
                    let _ = self
                        .ask(
                            "Stopping the transfer",
                            jft::terminate(
                                &hallway_protocol::new_id(),
                                &o.from,
                                &jingle_sid,
                                "media-error",
                            ),
                        )
                        .await;
                    self.fail_receiving(o, why).await;
                }
            }
        }
    }

    async fn finish_receiving(&self, o: IncomingOffer) {
        let Some(mut r) = o.receiving else {
            return self.fail_receiving_plain(o.message_id, "Nothing arrived.".into());
        };
        if let Err(e) = r.file.flush().await {
            return self
                .fail_receiving_plain(o.message_id, format!("Could not write the file: {e}"));
        }
        drop(r.file);
        let got = r.hasher.finalize().to_vec();
        let complete = r.meter.bytes == o.offer.size;
        let intact = o.offer.sha256.as_ref().is_none_or(|h| *h == got);
        if !complete || !intact {
            let _ = std::fs::remove_file(&r.part);
            let _ = std::fs::remove_file(&r.path);
            return self.fail_receiving_plain(
                o.message_id,
                if complete {
                    "The file arrived damaged (its SHA-256 does not match).".into()
                } else {
                    "The file arrived incomplete.".into()
                },
            );
        }
        if let Err(e) = std::fs::rename(&r.part, &r.path) {
            return self
                .fail_receiving_plain(o.message_id, format!("Could not save the file: {e}"));
        }
        if let Ok((_, a)) = self.file_message(o.message_id) {
            let a = Attachment {
                status: FileStatus::Downloaded,
                local_path: Some(r.path.to_string_lossy().into_owned()),
                error: None,
                ..a
            };
            let _ = self.store.set_attachment(o.message_id, &a);
            self.emit_updated(o.message_id);
        }
    }

    async fn fail_receiving(&self, o: IncomingOffer, why: String) {
        if let Some(r) = o.receiving {
            drop(r.file);
            let _ = std::fs::remove_file(&r.part);
            let _ = std::fs::remove_file(&r.path);
        }
        self.fail_receiving_plain(o.message_id, why);
    }

    fn fail_receiving_plain(&self, id: i64, why: String) {
        if let Ok((_, a)) = self.file_message(id) {
            let a = Attachment {
                status: FileStatus::DownloadFailed,
                error: Some(why),
                local_path: None,
                ..a
            };
            let _ = self.store.set_attachment(id, &a);
            self.emit_updated(id);
        }
    }
}
