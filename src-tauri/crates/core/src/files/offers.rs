//! Direct file offers to us (XEP-0234): an offer from a roster contact's device becomes a file
//! message with Accept / Decline; accepting answers with our side of the transport and receives
//! the bytes over a direct connection (`s5b.rs`) or in-band (XEP-0047 blocks, in sequence, never
//! more than offered), into `NAME.part` in the Downloads folder; the file is kept only when its
//! size and XEP-0300 SHA-256 match the offer, and a cancel or failure leaves nothing behind.
//!
//! Nothing is opened, written or acknowledged for an offer before the user pressed Accept: an
//! in-band `open` before that is refused (`not-acceptable`, XEP-0047 §2.1), and so is a
//! `transport-replace`. An offer larger than the user's limit (a setting, 4 GiB by default) or
//! than the free space where downloads go is refused at once, with a card that says why.

use super::Files;
use std::path::Path;
use std::sync::Arc;

use hallway_model::{Attachment, DeliveryState, Direction, FileStatus, NewMessage};
use hallway_protocol::xep0047_ibb::Ibb;
use hallway_protocol::xep0234_jingle_ft::{self as jft, Offer, Transport};
use hallway_protocol::{Jid, Refusal};
use hallway_store::Inserted;

use super::direct::{Answer, DirectRoute, SessionKey};
use super::names;
use crate::events::CoreEvent;
use crate::live;
use crate::CoreError;

mod receive;
pub(crate) use receive::Receiving;

/// Most offers to us open at once; more are refused before any card is stored.
const MAX_OFFERS: usize = 32;
/// Most offers open at once from one device (one contact cannot take every slot).
const MAX_OFFERS_PER_DEVICE: usize = 8;
/// Offers refused for their size that still get a card, per device and run.
const MAX_REFUSED_CARDS: u32 = 8;
/// An offer nobody answered is closed after this long (senders give up sooner).
const OFFER_TTL: std::time::Duration = std::time::Duration::from_secs(30 * 60);

pub(crate) struct IncomingOffer {
    pub(crate) message_id: i64,
    pub(crate) from: Jid,
    pub(crate) offer: Offer,
    /// The user pressed Accept: only now may bytes be taken.
    pub(crate) accepted: bool,
    /// When it came (an unanswered offer expires).
    pub(crate) offered_at: std::time::Instant,
    pub(crate) receiving: Option<Receiving>,
}

/// Why an offer of `size` bytes is refused before anything is stored (`None`: it may wait for
/// the user's answer). `free`: bytes free where downloads go, when known.
pub(crate) fn refuse_size(name: &str, size: u64, limit: u64, free: Option<u64>) -> Option<String> {
    use super::http::human_size;
    if size > limit {
        return Some(format!(
            "“{name}” is {}; files sent straight from a device may be up to {} \
             (Settings). Ask for another way to get it.",
            human_size(size),
            human_size(limit)
        ));
    }
    match free {
        Some(free) if size > free => Some(format!(
            "“{name}” needs {}, but only {} are free where downloads are saved.",
            human_size(size),
            human_size(free)
        )),
        _ => None,
    }
}

/// Free bytes on the volume of `dir` (or of its nearest existing parent).
fn free_space(dir: &Path) -> Option<u64> {
    let mut p = Some(dir);
    while let Some(d) = p {
        if d.exists() {
            return fs4::available_space(d).ok();
        }
        p = d.parent();
    }
    None
}

impl Files {
    /// The sender switches transports (XEP-0260 §3: to in-band, after no direct connection
    /// worked). Only after the user accepted, and only to in-band; before that, nothing about
    /// the offer is agreed to.
    pub(crate) async fn on_transport_replace(
        &self,
        from: &Jid,
        sid: &str,
        transport: Option<Transport>,
    ) -> Answer {
        let key = (from.clone(), sid.to_string());
        let (ok, content) = {
            let mut offers = self.direct.offers.lock().await;
            let Some(o) = offers.get_mut(&key) else {
                return Answer::UnknownSession;
            };
            let ok = match &transport {
                Some(t @ Transport::Ibb { block_size, .. }) if o.accepted && *block_size > 0 => {
                    o.offer.transport = t.clone();
                    true
                }
                _ => false,
            };
            (ok, o.offer.content.clone())
        };
        let (action, el) = match (&transport, ok) {
            (Some(t), true) => ("transport-accept", jft::transport_element(t, false)),
            _ => (
                "transport-reject",
                xmpp_parsers::minidom::Element::builder("transport", jft::NS_IBB_TRANSPORT).build(),
            ),
        };
        self.tell_later(
            "Switching transports",
            jft::transport_action(&hallway_protocol::new_id(), from, action, sid, &content, el),
        );
        Answer::Done
    }

    /// A contact's device offers us a file: a card with Accept / Decline, or a card saying why
    /// it was refused (too large, no room).
    pub(crate) async fn on_offer(self: &Arc<Self>, from: Jid, o: Offer) -> Answer {
        let Ok(account) = self.acc.require() else {
            return Answer::Refused(Refusal::ServiceUnavailable, "Not signed in.");
        };
        let key: SessionKey = (from.clone(), o.sid.clone());
        self.expire_offers().await;
        {
            let offers = self.direct.offers.lock().await;
            if offers.contains_key(&key) {
                return Answer::Done; // a repeated offer
            }
            // A flood of offers: refused before a card is stored for any of them.
            let from_device = offers.keys().filter(|(dev, _)| *dev == from).count();
            if offers.len() >= MAX_OFFERS || from_device >= MAX_OFFERS_PER_DEVICE {
                return Answer::Refused(
                    Refusal::ResourceConstraint,
                    "Too many offers are open; try again later.",
                );
            }
        }
        let peer = from.to_bare().to_string();
        let name = names::safe_file_name(&o.name);
        let mime = names::mime_for(&name);
        let refusal = refuse_size(
            &name,
            o.size,
            crate::settings::max_incoming_file(&self.acc.store),
            free_space(&self.downloads_dir),
        );
        if refusal.is_some() {
            let mut refused = self
                .direct
                .refused
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            let n = refused.entry(from.clone()).or_insert(0);
            *n += 1;
            if *n > MAX_REFUSED_CARDS {
                // A device that keeps offering what we refuse gets no more cards.
                return Answer::Refused(Refusal::NotAcceptable, "Too large.");
            }
        }
        let new = NewMessage {
            peer: peer.clone(),
            direction: Direction::Incoming,
            sender: peer,
            body: name.clone(),
            timestamp: live::now_ms(),
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
                status: if refusal.is_some() {
                    FileStatus::DownloadFailed
                } else {
                    FileStatus::Offered
                },
                error: refusal.clone(),
                direct: true,
            }),
        };
        let Ok(Inserted::New(m)) = self.acc.store.insert_message(&account, &new) else {
            return Answer::Done; // a repeated offer
        };
        if refusal.is_some() {
            self.tell_later(
                "Refusing the file",
                jft::terminate(&hallway_protocol::new_id(), &from, &o.sid, "decline"),
            );
        } else {
            let mut offers = self.direct.offers.lock().await;
            offers.insert(
                key,
                IncomingOffer {
                    message_id: m.id,
                    from,
                    offer: o,
                    accepted: false,
                    offered_at: std::time::Instant::now(),
                    receiving: None,
                },
            );
        }
        // Through the session: shown, counted unread and notified like any message.
        if let Err(CoreError::NotSignedIn | CoreError::Offline) =
            self.acc.session.send(live::Command::Announce(m.clone()))
        {
            self.acc.emit(CoreEvent::MessagesReceived(vec![m]));
        }
        Answer::Done
    }

    /// Closes offers nobody answered within `OFFER_TTL` (their cards say so).
    async fn expire_offers(&self) {
        let expired: Vec<IncomingOffer> = {
            let mut offers = self.direct.offers.lock().await;
            let old: Vec<SessionKey> = offers
                .iter()
                .filter(|(_, o)| !o.accepted && o.offered_at.elapsed() >= OFFER_TTL)
                .map(|(k, _)| k.clone())
                .collect();
            old.iter().filter_map(|k| offers.remove(k)).collect()
        };
        for o in expired {
            self.tell_later(
                "Closing the offer",
                jft::terminate(
                    &hallway_protocol::new_id(),
                    &o.from,
                    &o.offer.sid,
                    "timeout",
                ),
            );
            self.fail_receiving(o, "The offer expired; ask for the file again.".into())
                .await;
        }
    }

    pub(crate) async fn find_offer(&self, message_id: i64) -> Option<(String, Jid, Offer)> {
        let offers = self.direct.offers.lock().await;
        offers
            .iter()
            .find(|(_, o)| o.message_id == message_id)
            .map(|((_, sid), o)| (sid.clone(), o.from.clone(), o.offer.clone()))
    }

    /// Marks the offer accepted (from now on its bytes are taken); `None` when it is gone.
    async fn take_accept(&self, message_id: i64) -> Option<(String, Jid, Offer)> {
        let mut offers = self.direct.offers.lock().await;
        let o = offers.values_mut().find(|o| o.message_id == message_id)?;
        o.accepted = true;
        Some((o.offer.sid.clone(), o.from.clone(), o.offer.clone()))
    }

    /// Accepts a direct file offer: the file is saved into the Downloads folder as it arrives
    /// (over a direct connection when one can be made, else in-band).
    pub async fn accept_file(self: &Arc<Self>, message_id: i64) -> Result<(), CoreError> {
        let (sid, from, offer) = self
            .take_accept(message_id)
            .await
            .ok_or_else(|| CoreError::InvalidInput("The offer is no longer open.".into()))?;
        let me = self.acc.full_jid()?;
        match &offer.transport {
            Transport::Ibb { .. } => {
                self.acc
                    .session
                    .ask(
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
                let mut signals = self.direct.listen(&sid, &from);
                if let Err(e) = self
                    .acc
                    .session
                    .ask(
                        "Accepting the file",
                        jft::accept(&hallway_protocol::new_id(), &from, &me, &offer, &answer),
                    )
                    .await
                {
                    self.direct.forget(&sid, &from);
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
                    me2.direct.forget(&sid, &from);
                    let key = (from.clone(), sid.clone());
                    match got {
                        Ok(Some(stream)) => {
                            me2.direct.routed(message_id, DirectRoute::Connection);
                            me2.receive_over(&key, stream).await
                        }
                        // No connection: the sender replaces the transport (or ends).
                        Ok(None) => {}
                        Err(why) => me2.end_offer_failed(&key, why).await,
                    }
                    me2.untrack(message_id);
                });
                self.track(message_id, task.abort_handle());
            }
        }
        if let Ok((_, a)) = self.file_message(message_id) {
            let a = Attachment {
                status: FileStatus::Downloading,
                ..a
            };
            self.acc.store.set_attachment(message_id, &a)?;
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
        self.direct
            .offers
            .lock()
            .await
            .remove(&(from.clone(), sid.clone()));
        self.tell_later(
            "Declining the file",
            jft::terminate(&hallway_protocol::new_id(), &from, &sid, "decline"),
        );
        if let Ok((_, a)) = self.file_message(message_id) {
            let a = Attachment {
                status: FileStatus::DownloadFailed,
                error: Some("You declined it.".into()),
                ..a
            };
            self.acc.store.set_attachment(message_id, &a)?;
            self.emit_updated(message_id);
        }
        Ok(())
    }

    /// An in-band block (XEP-0047) of an offer's transfer: answered only once it is handled,
    /// a `<data/>` once its bytes are written (the acknowledgement paces the sender).
    pub(crate) async fn on_ibb(&self, from: Jid, i: Ibb) -> Answer {
        let sid = match &i {
            Ibb::Open { sid, .. } | Ibb::Data { sid, .. } | Ibb::Close { sid } => sid.clone(),
        };
        let mut offers = self.direct.offers.lock().await;
        let Some(key) = offers
            .iter()
            .find(|((dev, _), o)| {
                *dev == from
                    && matches!(&o.offer.transport, Transport::Ibb { sid: s, .. } if *s == sid)
            })
            .map(|(k, _)| k.clone())
        else {
            return Answer::Refused(Refusal::ItemNotFound, "No such stream.");
        };
        let outcome: Result<bool, (Refusal, &'static str, String)> = {
            let Some(o) = offers.get_mut(&key) else {
                return Answer::Refused(Refusal::ItemNotFound, "No such stream.");
            };
            match i {
                // Nothing before Accept: the stream stays closed and the offer keeps waiting.
                Ibb::Open { .. } if !o.accepted => {
                    return Answer::Refused(
                        Refusal::NotAcceptable,
                        "The file has not been accepted.",
                    )
                }
                Ibb::Open { .. } if o.receiving.is_some() => {
                    return Answer::Refused(Refusal::UnexpectedRequest, "Already open.")
                }
                Ibb::Open { .. } => match self.open_receiving(&o.offer.name).await {
                    Ok(r) => {
                        self.direct.routed(o.message_id, DirectRoute::ThroughServer);
                        o.receiving = Some(r);
                        Ok(false)
                    }
                    Err(why) => Err((Refusal::NotAcceptable, "Could not save the file.", why)),
                },
                Ibb::Data { seq, bytes, .. } => match o.receiving.as_mut() {
                    None => return Answer::Refused(Refusal::ItemNotFound, "Not open."),
                    Some(r) if r.next_seq != seq => Err((
                        Refusal::UnexpectedRequest,
                        "Block out of sequence.",
                        "Blocks arrived out of order.".into(),
                    )),
                    Some(r) => {
                        r.next_seq = r.next_seq.wrapping_add(1);
                        self.take_bytes(r, o.message_id, o.offer.size, &bytes)
                            .await
                            .map(|()| false)
                            .map_err(|why| (Refusal::NotAcceptable, "Not taken.", why))
                    }
                },
                Ibb::Close { .. } if o.receiving.is_none() => {
                    return Answer::Refused(Refusal::ItemNotFound, "Not open.")
                }
                Ibb::Close { .. } => Ok(true),
            }
        };
        match outcome {
            Ok(false) => Answer::Done,
            Ok(true) => {
                if let Some(o) = offers.remove(&key) {
                    drop(offers);
                    self.finish_receiving(o).await;
                }
                Answer::Done
            }
            Err((condition, text, why)) => {
                if let Some(o) = offers.remove(&key) {
                    drop(offers);
                    self.tell_later(
                        "Stopping the transfer",
                        jft::terminate(&hallway_protocol::new_id(), &o.from, &key.1, "media-error"),
                    );
                    self.fail_receiving(o, why).await;
                }
                Answer::Refused(condition, text)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offers_over_the_limit_or_the_free_space_are_refused_with_reasons() {
        const GB: u64 = 1_000_000_000;
        assert_eq!(refuse_size("a.iso", 3 * GB, 4 * GB, Some(10 * GB)), None);
        assert_eq!(refuse_size("a.iso", 3 * GB, 4 * GB, None), None);
        let over = refuse_size("a.iso", 5 * GB, 4 * GB, Some(100 * GB)).unwrap();
        assert!(over.contains("5.0 GB") && over.contains("4.0 GB"), "{over}");
        let full = refuse_size("a.iso", 3 * GB, 4 * GB, Some(GB)).unwrap();
        assert!(full.contains("only 1.0 GB"), "{full}");
        // Exactly the limit is fine.
        assert_eq!(refuse_size("a", 4 * GB, 4 * GB, Some(4 * GB)), None);
    }

    #[test]
    fn free_space_is_read_from_the_nearest_existing_folder() {
        let d = tempfile::tempdir().unwrap();
        let missing = d.path().join("not/yet/Downloads");
        let free = free_space(&missing).expect("the temp volume has a size");
        assert!(free > 0);
    }
}
