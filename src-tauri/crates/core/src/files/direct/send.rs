//! Sending a file straight to a contact's device (XEP-0234): the device found (its disco#info
//! lists Jingle file transfer and in-band bytestreams, and whether it takes direct connections),
//! the message stored first, the offer with its XEP-0300 SHA-256, then the bytes over a direct
//! connection (`s5b.rs`) or in-band (XEP-0047 blocks, each acknowledged), falling back to
//! in-band when no connection works (XEP-0260 §3), and Cancel on either side.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hallway_model::{parse_bare_jid, Attachment, DeliveryState, FileStatus, Message};
use hallway_protocol::xep0047_ibb as ibb;
use hallway_protocol::xep0234_jingle_ft::{self as jft, Offer, Transport};
use hallway_protocol::xep0363_http_upload as disco;
use hallway_protocol::{BareJid, Jid};
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, oneshot};

use super::{Device, DirectRoute, Signal};
use crate::files::http::Meter;
use crate::files::Files;
use crate::live;
use crate::CoreError;

/// How long the contact has to accept an offer.
const ACCEPT_WAIT: Duration = Duration::from_secs(300);

pub(super) fn sha256_file(path: &Path) -> std::io::Result<Vec<u8>> {
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
pub(super) fn ibb_transport() -> Transport {
    Transport::Ibb {
        sid: hallway_protocol::new_id(),
        block_size: jft::BLOCK_SIZE,
    }
}

impl Files {
    /// The contact's online device that can receive files directly (XEP-0234 + XEP-0261,
    /// and whether also XEP-0260).
    pub(crate) async fn direct_target(&self, peer: &BareJid) -> Result<Option<Device>, CoreError> {
        let details = self
            .acc
            .session
            .people(|tx| live::PeopleCommand::Details(peer.to_string(), tx))
            .await?;
        for d in details.devices {
            let Ok(full) = peer.with_resource_str(&d.resource) else {
                continue;
            };
            let full = Jid::from(full);
            let Ok(info) = self
                .acc
                .session
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

    /// Whether `peer` has a device online that can take a file directly (a room never: its
    /// files go through the upload service, XEP-0363).
    pub async fn can_send_directly(&self, peer: &str) -> Result<bool, CoreError> {
        let peer = parse_bare_jid(peer).map_err(|e| CoreError::InvalidInput(e.to_string()))?;
        if self.is_room(peer.as_str())? {
            return Ok(false);
        }
        let bare =
            BareJid::new(peer.as_str()).map_err(|e| CoreError::InvalidInput(e.to_string()))?;
        Ok(self.direct_target(&bare).await?.is_some())
    }

    fn is_room(&self, peer: &str) -> Result<bool, CoreError> {
        let account = self.acc.require()?;
        Ok(self.acc.store.is_room(&account, peer)?)
    }

    /// Sends the file at `path` straight to `peer`'s online device (Jingle, in-band). The
    /// message is stored first; the transfer runs in the background and ends as `Uploaded`
    /// (state Delivered) or `UploadFailed` with the reason (declined, cancelled, offline…).
    pub async fn send_file_direct(
        self: &Arc<Self>,
        peer: &str,
        path: &Path,
    ) -> Result<Message, CoreError> {
        self.acc.require()?;
        let peer = parse_bare_jid(peer).map_err(|e| CoreError::InvalidInput(e.to_string()))?;
        let bare =
            BareJid::new(peer.as_str()).map_err(|e| CoreError::InvalidInput(e.to_string()))?;
        let meta = std::fs::metadata(path)
            .map_err(|e| CoreError::InvalidInput(format!("Could not read the file: {e}")))?;
        if !meta.is_file() {
            return Err(CoreError::InvalidInput("That is not a file.".into()));
        }
        if self.is_room(peer.as_str())? {
            return Err(CoreError::Refused(
                "Files go to a room through your server (Attach file), not directly.".into(),
            ));
        }
        let target = self.direct_target(&bare).await?.ok_or_else(|| {
            CoreError::Refused(format!(
                "{peer} has no device online that can receive files directly."
            ))
        })?;
        let message = self.store_outgoing_file(peer.as_str(), path, meta.len(), true)?;
        self.start_direct(message.clone(), target);
        Ok(message)
    }

    pub(crate) fn start_direct(self: &Arc<Self>, m: Message, target: Device) {
        let me = self.clone();
        let id = m.id;
        let task = tokio::spawn(async move {
            let outcome = me.run_direct(&m, &target).await;
            me.untrack(id);
            me.direct
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
        self.track(id, task.abort_handle());
    }

    pub(super) async fn run_direct(&self, m: &Message, device: &Device) -> Result<(), String> {
        let target = &device.jid;
        let a = m.attachment.as_ref().ok_or("no file")?;
        let path = PathBuf::from(a.local_path.as_deref().ok_or("no file")?);
        let p = path.clone();
        let sha = tokio::task::spawn_blocking(move || sha256_file(&p))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("Could not read the file: {e}"))?;
        let size = std::fs::metadata(&path).map_err(|e| e.to_string())?.len();
        let me = self.acc.full_jid().map_err(|e| e.to_string())?;
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
        let mut signals = self.direct.listen(&sid, target);
        let result = self
            .offer_and_send(m.id, target, &me, &offer, ours, &mut signals, &path)
            .await;
        self.direct.forget(&sid, target);
        result
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) async fn offer_and_send(
        &self,
        id: i64,
        target: &Jid,
        me: &Jid,
        offer: &Offer,
        ours: Option<crate::files::s5b::Ours>,
        signals: &mut mpsc::Receiver<Signal>,
        path: &Path,
    ) -> Result<(), String> {
        self.direct
            .sending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, (offer.sid.clone(), target.clone()));
        let (tx, rx) = oneshot::channel();
        self.direct
            .waiting
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert((target.clone(), offer.sid.clone()), tx);
        let what = "Offering the file";
        let offered = self
            .acc
            .session
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
                    .acc
                    .session
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
                self.direct.routed(id, DirectRoute::ThroughServer);
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
                        self.direct.routed(id, DirectRoute::Connection);
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
            .acc
            .session
            .ask(
                what,
                jft::terminate(&hallway_protocol::new_id(), target, &offer.sid, reason),
            )
            .await;
        result
    }

    /// XEP-0260 §3: no direct connection either way, so the file goes in-band instead.
    pub(super) async fn fall_back_to_ibb(
        &self,
        id: i64,
        target: &Jid,
        offer: &Offer,
        signals: &mut mpsc::Receiver<Signal>,
        path: &Path,
    ) -> Result<(), String> {
        let ibb = ibb_transport();
        self.acc
            .session
            .ask(
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
        self.direct.routed(id, DirectRoute::ThroughServer);
        self.stream_ibb(id, target, sid, *block_size, offer.size, path)
            .await
    }

    /// Cancel of a direct transfer, on either side: the contact's device is told (XEP-0166
    /// `session-terminate` with `cancel`) and a partial download is removed. `true` when there
    /// was one to cancel.
    pub(crate) async fn cancel_direct(&self, message_id: i64) -> bool {
        let sending = self
            .direct
            .sending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&message_id);
        if let Some((sid, to)) = sending {
            self.forget_waiting(&sid, &to);
            let _ = self
                .acc
                .session
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
            .direct
            .offers
            .lock()
            .await
            .remove(&(from.clone(), sid.clone()));
        let _ = self
            .acc
            .session
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

    pub(super) fn forget_waiting(&self, sid: &str, target: &Jid) {
        self.direct
            .waiting
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&(target.clone(), sid.to_string()));
    }

    pub(super) async fn stream_ibb(
        &self,
        id: i64,
        to: &Jid,
        ibb_sid: &str,
        block_size: u16,
        size: u64,
        path: &Path,
    ) -> Result<(), String> {
        let what = "Sending the file";
        self.acc
            .session
            .ask(
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
            self.acc
                .session
                .ask(
                    what,
                    ibb::data(&hallway_protocol::new_id(), to, ibb_sid, seq, &buf[..n]),
                )
                .await
                .map_err(|e| e.to_string())?;
            seq = seq.wrapping_add(1);
            if meter.add(n) {
                self.acc.emit(meter.report(id, Some(size)));
            }
        }
        self.acc
            .session
            .ask(what, ibb::close(&hallway_protocol::new_id(), to, ibb_sid))
            .await
            .map_err(|e| e.to_string())?;
        Ok(())
    }
}
