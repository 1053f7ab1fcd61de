//! The stream's own events: a fresh session (XEP-0198 resumption failed, or the first one: fetch
//! the roster, enable carbons, send our presence, look up in our archive what the old stream
//! sent but never saw acknowledged, resend what it lost, catch up), a resumed one (nothing was
//! lost), and a suspended link.

use std::collections::HashSet;
use std::sync::atomic::Ordering;

use futures::FutureExt;
use hallway_model::ConnectionState;
use hallway_protocol::{rfc6121_roster, xep0191_blocking, xep0280_carbons};
use tokio::time::Instant;
use tokio_xmpp::jid::Jid;
use tokio_xmpp::stanzastream::{StanzaStage, StanzaState, StanzaStream, StreamEvent};

use super::{now_ms, pump, Actor};
use crate::live::iq::RequestError;
use crate::live::{Cx, Out, Pending};

impl Actor {
    pub(super) async fn on_stream_event(&mut self, stream: &StanzaStream, ev: StreamEvent) {
        match ev {
            StreamEvent::Reset { bound_jid, .. } => {
                tracing::info!("fresh session as {bound_jid}");
                self.online = true;
                self.failures.store(0, Ordering::SeqCst);
                // Requests of the old stream will never be answered.
                self.iq.fail_app(RequestError::NoAnswer);
                self.iq
                    .forget_own(|k| matches!(k, Pending::Archive(_)) || k.is_rooms());
                self.history.on_reset();
                let lost = self.lost_transmissions();
                with_cx!(self, stream, |cx| {
                    self.people.on_reset(cx.out, cx.batch, cx.now);
                    // Which XEP-0359 stanza-ids to believe (§4: only where our server says it
                    // stamps them; the archiving entity, our account, lists the feature).
                    let own = Jid::from(cx.account.clone());
                    cx.send_iq(Pending::ServerInfo, "disco", |id| {
                        hallway_protocol::xep0363_http_upload::info_request(id, &own)
                    });
                    cx.send_iq(Pending::Roster, "roster", rfc6121_roster::roster_get);
                    cx.send_iq(Pending::Carbons, "carbons", xep0280_carbons::enable);
                    cx.send_iq(
                        Pending::Blocklist,
                        "blocklist",
                        xep0191_blocking::blocklist_request,
                    );
                    cx.out.stanza(self.people.own_presence().into());
                    // What the old stream sent but never saw acknowledged may be on the server
                    // anyway: our archive is asked first, and only what it lacks goes again. A
                    // room's doubts end with the history it replays when we join again (our
                    // reflection there is the proof).
                    for doubt in self.outbox.on_reset(cx.store, cx.account.as_str(), &lost) {
                        if !self.rooms.is_room(&doubt.peer) {
                            self.history.verify(&mut cx, doubt);
                        }
                    }
                    // Every room we were in, joined again (XEP-0045 §7.2), and the rooms our
                    // other devices bookmarked (XEP-0402).
                    self.rooms.own_show = self.people.own_presence().show;
                    self.rooms.on_reset(&mut cx);
                    let own = cx.account.clone();
                    cx.send_iq(Pending::Bookmarks, "bookmarks", |id| {
                        hallway_protocol::xep0402_bookmarks::request(id, &own)
                    });
                    pump(&mut self.outbox, &self.rooms, self.online, &mut cx, None);
                    self.history.catch_up(&mut cx);
                });
                self.resend_extras(stream).await;
                self.emitter.connection(ConnectionState::Online {
                    jid: bound_jid.to_string(),
                });
                if let Some(n) = self.online_notify.take() {
                    let _ = n.send(Ok(()));
                }
            }
            StreamEvent::Resumed => {
                tracing::info!("stream resumed (XEP-0198)");
                self.online = true;
                self.failures.store(0, Ordering::SeqCst);
                let jid = match self.emitter.current() {
                    ConnectionState::Online { jid } => jid,
                    _ => self.account.to_string(),
                };
                // What waited while the link was down goes now; the rest SM retransmitted.
                with_cx!(self, stream, |cx| {
                    self.rooms.on_resumed(&mut cx);
                    pump(&mut self.outbox, &self.rooms, self.online, &mut cx, None);
                });
                self.emitter.connection(ConnectionState::Online { jid });
            }
            StreamEvent::Suspended => {
                tracing::info!("link lost; reconnecting");
                self.online = false;
                with_cx!(self, stream, |cx| self.rooms.on_suspended(&mut cx));
            }
        }
    }

    /// Outbox transmissions whose tokens ended without an ack (the old stream lost them).
    pub(super) fn lost_transmissions(&mut self) -> HashSet<i64> {
        let mut lost = HashSet::new();
        for (id, (_, token)) in self.tokens.iter_mut() {
            if matches!(
                token.wait_for(StanzaStage::Acked).now_or_never(),
                Some(None)
                    | Some(Some(StanzaState::Failed { .. }))
                    | Some(Some(StanzaState::Dropped))
            ) {
                lost.insert(*id);
            }
        }
        self.tokens.retain(|id, _| !lost.contains(id));
        lost
    }

    /// After a fresh session: receipts and markers the old stream lost go out again.
    pub(super) async fn resend_extras(&mut self, stream: &StanzaStream) {
        let old = std::mem::take(&mut self.extras);
        for (m, mut token) in old {
            match token.wait_for(StanzaStage::Acked).now_or_never() {
                Some(Some(StanzaState::Acked { .. })) => {}
                None => self.extras.push((m, token)),
                Some(_) => {
                    let token = stream.send(Box::new(m.clone().into())).await;
                    self.extras.push((m, token));
                }
            }
        }
    }
}
