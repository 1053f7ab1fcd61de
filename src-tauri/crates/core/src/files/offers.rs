//! Direct file offers to us (XEP-0234): an offer from a roster contact's device becomes a file
//! message with Accept / Decline; accepting answers with our side of the transport and receives
//! the bytes over a direct connection (`s5b.rs`) or in-band (XEP-0047 blocks, in sequence, never
//! more than offered), into `NAME.part` in the Downloads folder; the file is kept only when its
//! size and XEP-0300 SHA-256 match the offer, and a cancel or failure leaves nothing behind.

use std::path::PathBuf;
use std::sync::Arc;

use hallway_model::{Attachment, DeliveryState, Direction, FileStatus, NewMessage};
use hallway_protocol::xep0047_ibb::Ibb;
use hallway_protocol::xep0234_jingle_ft::{self as jft, Offer, Transport};
use hallway_protocol::Jid;
use hallway_store::Inserted;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::direct::DirectRoute;
use super::{http::Meter, names};
use crate::events::CoreEvent;
use crate::messenger::Messenger;
use crate::session;
use crate::CoreError;

/// A file being received: written to `NAME.part` beside the reserved `NAME`, both removed
/// unless the file is kept (so a cancel, an abort or an error leaves nothing behind).
pub(crate) struct Receiving {
    file: tokio::io::BufWriter<tokio::fs::File>,
    next_seq: u16,
    hasher: Sha256,
    pub(crate) meter: Meter,
    // Last, so the file above is closed before it is removed.
    partial: Partial,
}

struct Partial {
    part: PathBuf,
    path: PathBuf,
    keep: bool,
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_file(&self.part);
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

pub(crate) struct IncomingOffer {
    pub(crate) message_id: i64,
    pub(crate) from: Jid,
    pub(crate) offer: Offer,
    pub(crate) receiving: Option<Receiving>,
}

impl Messenger {
    /// The sender switches to in-band after no direct connection worked (XEP-0260 §3).
    pub(crate) async fn on_transport_replace(
        &self,
        from: &Jid,
        sid: &str,
        transport: Option<Transport>,
    ) {
        let ok = {
            let mut offers = self.files.direct.offers.lock().await;
            match (offers.get_mut(sid), &transport) {
                (Some(o), Some(t @ Transport::Ibb { block_size, .. }))
                    if o.from == *from && *block_size > 0 =>
                {
                    o.offer.transport = t.clone();
                    true
                }
                _ => false,
            }
        };
        let Some(content) = self.find_content(sid).await else {
            return;
        };
        let (action, el) = match (&transport, ok) {
            (Some(t), true) => ("transport-accept", jft::transport_element(t, false)),
            _ => (
                "transport-reject",
                xmpp_parsers::minidom::Element::builder("transport", jft::NS_IBB_TRANSPORT).build(),
            ),
        };
        let _ = self
            .ask(
                "Switching transports",
                jft::transport_action(&hallway_protocol::new_id(), from, action, sid, &content, el),
            )
            .await;
    }

    async fn find_content(&self, sid: &str) -> Option<String> {
        let offers = self.files.direct.offers.lock().await;
        offers.get(sid).map(|o| o.offer.content.clone())
    }

    pub(crate) async fn on_offer(self: &Arc<Self>, from: Jid, o: Offer) {
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

    pub(crate) async fn find_offer(&self, message_id: i64) -> Option<(String, Jid, Offer)> {
        let offers = self.files.direct.offers.lock().await;
        offers
            .iter()
            .find(|(_, o)| o.message_id == message_id)
            .map(|(sid, o)| (sid.clone(), o.from.clone(), o.offer.clone()))
    }

    /// Accepts a direct file offer: the file is saved into the Downloads folder as it arrives
    /// (over a direct connection when one can be made, else in-band).
    pub async fn accept_file(self: &Arc<Self>, message_id: i64) -> Result<(), CoreError> {
        let (sid, from, offer) = self
            .find_offer(message_id)
            .await
            .ok_or_else(|| CoreError::InvalidInput("The offer is no longer open.".into()))?;
        let me = self.my_full_jid()?;
        match &offer.transport {
            Transport::Ibb { .. } => {
                self.ask(
                    "Accepting the file",
                    jft::accept(
                        &hallway_protocol::new_id(),
                        &from,
                        &me,
                        &offer,
                        &offer.transport,
                    ),
                )
                .await?;
            }
            Transport::S5b(theirs) => {
                let ours = self
                    .our_s5b_side(&theirs.sid, &me, &from, &theirs.candidates)
                    .await;
                let answer = Transport::S5b(ours.transport.clone());
                // Listening before answering: the sender's transport-info may come at once.
                let mut signals = self.files.direct.listen(&sid, &from);
                if let Err(e) = self
                    .ask(
                        "Accepting the file",
                        jft::accept(&hallway_protocol::new_id(), &from, &me, &offer, &answer),
                    )
                    .await
                {
                    self.files.direct.forget(&sid);
                    return Err(e);
                }
                let me2 = self.clone();
                let theirs = theirs.clone();
                let content = offer.content.clone();
                let task = tokio::spawn(async move {
                    let got = me2
                        .negotiate_s5b(
                            &from,
                            &me,
                            &sid,
                            &content,
                            false,
                            ours,
                            &theirs,
                            &mut signals,
                        )
                        .await;
                    me2.files.direct.forget(&sid);
                    match got {
                        Ok(Some(stream)) => {
                            me2.files.direct.routed(message_id, DirectRoute::Connection);
                            me2.receive_over(&sid, stream).await
                        }
                        // No connection: the sender replaces the transport (or ends).
                        Ok(None) => {}
                        Err(why) => me2.end_offer_failed(&sid, why).await,
                    }
                    me2.files.untrack(message_id);
                });
                self.files.track(message_id, task.abort_handle());
            }
        }
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

    pub(crate) async fn on_ibb(&self, from: Jid, i: Ibb) {
        let sid = match &i {
            Ibb::Open { sid, .. } | Ibb::Data { sid, .. } | Ibb::Close { sid } => sid.clone(),
        };
        let mut offers = self.files.direct.offers.lock().await;
        let Some(jingle_sid) = offers
            .iter()
            .find(|(_, o)| {
                o.from == from
                    && matches!(&o.offer.transport, Transport::Ibb { sid: s, .. } if *s == sid)
            })
            .map(|(k, _)| k.clone())
        else {
            return;
        };
        let outcome: Result<bool, String> = {
            let Some(o) = offers.get_mut(&jingle_sid) else {
                return;
            };
            match i {
                Ibb::Open { .. } => match self.open_receiving(&o.offer.name).await {
                    Ok(r) => {
                        self.files
                            .direct
                            .routed(o.message_id, DirectRoute::ThroughServer);
                        o.receiving = Some(r);
                        Ok(false)
                    }
                    Err(why) => Err(why),
                },
                Ibb::Data { seq, bytes, .. } => match o.receiving.as_mut() {
                    None => Err("Data before the stream opened.".into()),
                    Some(r) if r.next_seq != seq => Err("Blocks arrived out of order.".into()),
                    Some(r) => {
                        r.next_seq = r.next_seq.wrapping_add(1);
                        self.take_bytes(r, o.message_id, o.offer.size, &bytes)
                            .await
                            .map(|()| false)
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

    /// The facts of an open offer: its message, safe file name and size.
    pub(crate) async fn offer_facts(&self, sid: &str) -> Option<(i64, String, u64)> {
        let offers = self.files.direct.offers.lock().await;
        offers
            .get(sid)
            .map(|o| (o.message_id, o.offer.name.clone(), o.offer.size))
    }

    /// Reserves a never-overwriting name in the Downloads folder and opens its `.part` file.
    pub(crate) async fn open_receiving(&self, name: &str) -> Result<Receiving, String> {
        let dir = self.files.downloads_dir.clone();
        let _ = std::fs::create_dir_all(&dir);
        let (path, _) = names::create_unique(&dir, name)
            .map_err(|e| format!("Could not save the file: {e}"))?;
        let part = super::part_path(&path);
        let partial = Partial {
            part: part.clone(),
            path,
            keep: false,
        };
        let f = tokio::fs::File::create(&part)
            .await
            .map_err(|e| format!("Could not save the file: {e}"))?;
        Ok(Receiving {
            file: tokio::io::BufWriter::new(f),
            next_seq: 0,
            hasher: Sha256::new(),
            meter: Meter::new(),
            partial,
        })
    }

    /// Writes received bytes, hashing them and reporting progress; more than offered is
    /// an error.
    pub(crate) async fn take_bytes(
        &self,
        r: &mut Receiving,
        message_id: i64,
        size: u64,
        bytes: &[u8],
    ) -> Result<(), String> {
        if r.meter.bytes + bytes.len() as u64 > size {
            return Err("More data than offered.".into());
        }
        r.hasher.update(bytes);
        r.file
            .write_all(bytes)
            .await
            .map_err(|e| format!("Could not write the file: {e}"))?;
        if r.meter.add(bytes.len()) {
            self.emitter.emit(r.meter.report(message_id, Some(size)));
        }
        Ok(())
    }

    /// Ends an open offer as failed and tells the sender (XEP-0166 `media-error`).
    pub(crate) async fn end_offer_failed(&self, sid: &str, why: String) {
        let gone = self.files.direct.offers.lock().await.remove(sid);
        if let Some(o) = gone {
            let _ = self
                .ask(
                    "Stopping the transfer",
                    jft::terminate(&hallway_protocol::new_id(), &o.from, sid, "media-error"),
                )
                .await;
            self.fail_receiving(o, why).await;
        }
    }

    /// Checks a fully received file (size and XEP-0300 SHA-256) and keeps it (`true`), or
    /// fails the offer and tells the sender.
    pub(crate) async fn finish_receiving(&self, o: IncomingOffer) -> bool {
        let Some(mut r) = o.receiving else {
            self.fail_receiving_plain(o.message_id, "Nothing arrived.".into());
            return false;
        };
        let (id, from, sid) = (o.message_id, o.from, o.offer.sid);
        let why = if let Err(e) = r.file.flush().await {
            format!("Could not write the file: {e}")
        } else {
            let got = r.hasher.clone().finalize().to_vec();
            let complete = r.meter.bytes == o.offer.size;
            let intact = o.offer.sha256.as_ref().is_none_or(|h| *h == got);
            if !complete {
                "The file arrived incomplete.".into()
            } else if !intact {
                "The file arrived damaged (its SHA-256 does not match).".into()
            } else {
                match std::fs::rename(&r.partial.part, &r.partial.path) {
                    Ok(()) => {
                        r.partial.keep = true;
                        let path = r.partial.path.to_string_lossy().into_owned();
                        drop(r);
                        if let Ok((_, a)) = self.file_message(id) {
                            let a = Attachment {
                                status: FileStatus::Downloaded,
                                local_path: Some(path),
                                error: None,
                                ..a
                            };
                            let _ = self.store.set_attachment(id, &a);
                            self.emit_updated(id);
                        }
                        return true;
                    }
                    Err(e) => format!("Could not save the file: {e}"),
                }
            }
        };
        drop(r);
        let _ = self
            .ask(
                "Stopping the transfer",
                jft::terminate(&hallway_protocol::new_id(), &from, &sid, "media-error"),
            )
            .await;
        self.fail_receiving_plain(id, why);
        false
    }

    pub(crate) async fn fail_receiving(&self, o: IncomingOffer, why: String) {
        // Dropping what was received removes the partial file.
        drop(o.receiving);
        self.fail_receiving_plain(o.message_id, why);
    }

    pub(crate) fn fail_receiving_plain(&self, id: i64, why: String) {
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
