//! What arrives on the stream, routed: stanzas to the part they concern (the archive's results
//! and PEP events first, then chats; iqs to the iq table, the services that registered their
//! namespace, or the people part), answers to the session's own iqs, timeouts, and the flush of
//! the batch. Part of the session task (`actor.rs`).

use futures::FutureExt;
use hallway_model::{DeliveryState, MyShow};
use hallway_protocol::xep0402_bookmarks;
use hallway_protocol::{rfc6121_roster, xep0030_disco, xep0092_version, xep0191_blocking};
use hallway_protocol::{xep0060_pubsub, xep0199_ping, xep0313_mam, xep0490_mds};
use hallway_store::Store;
use tokio::time::Instant;
use tokio_xmpp::jid::{BareJid, Jid};
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::stanzastream::{StanzaStage, StanzaState, StanzaStream};
use tokio_xmpp::Stanza;

use super::{last_online_key, now_ms, server_sid_key, Actor};
use crate::chats::incoming::{Arrived, Chats};
use crate::history::sync::Ended;
use crate::live::batch::FlushContext;
use crate::live::iq::{Answered, Route};
use crate::live::{Cx, Out, Outgoing, Pending};
use crate::notify::NotifyContext;
use crate::outbox::Outbox;
use crate::people::state::People;
use crate::rooms::joined::JoinedRooms;

impl Actor {
    pub(super) async fn on_stanza(&mut self, stream: &StanzaStream, s: Stanza) {
        match s {
            Stanza::Iq(iq) => self.on_iq(stream, iq).await,
            Stanza::Message(m) => self.on_message(stream, m).await,
            // A room's presences are its occupants', never a contact's (XEP-0045).
            Stanza::Presence(p) if self.rooms.owns(p.from.as_ref()) => {
                with_cx!(self, stream, |cx| self.rooms.on_presence(&mut cx, &p))
            }
            Stanza::Presence(p) => with_cx!(self, stream, |cx| {
                self.people
                    .on_presence(cx.store, &p, cx.out, cx.batch, cx.now, cx.now_ms)
            }),
        }
    }

    async fn on_message(
        &mut self,
        stream: &StanzaStream,
        m: tokio_xmpp::parsers::message::Message,
    ) {
        // A room's archive answers from the room (XEP-0313 §6.1.2); ours from our account.
        let room = self.rooms.archive_source(m.from.as_ref());
        match xep0313_mam::parse_result(&m, room.as_ref().unwrap_or(&self.account)) {
            Ok(Some(a)) => {
                return match room {
                    Some(room) => self.rooms.on_archive_result(room.as_str(), a),
                    None => self.history.on_result(a),
                }
            }
            Ok(None) => {}
            Err(e) => return tracing::warn!("dropped archive result: {e}"),
        }
        if let Some(n) = xep0060_pubsub::parse_event(&m) {
            return with_cx!(self, stream, |cx| {
                if n.node == xep0490_mds::NODE {
                    // XEP-0490: another of our devices read these conversations up to there.
                    // Only our own node counts.
                    if n.from == cx.account.as_str() {
                        let positions = xep0490_mds::parse(&n.items, cx.account.as_str());
                        self.rooms.note_read_positions(&positions);
                        self.chats.apply_read_positions(&mut cx, positions);
                    }
                } else if n.node == hallway_protocol::xep0084_avatar::NODE_METADATA {
                    self.people.on_avatar_event(cx.store, &n, cx.out);
                } else if n.node == xep0402_bookmarks::NODE {
                    super::rooms::on_bookmarks_event(&mut self.rooms, self.online, &mut cx, &n, &m);
                } else {
                    tracing::debug!("PEP event for node {} ignored", n.node);
                }
            });
        }
        if let Some(inv) = super::rooms::invitation_in(&m, now_ms()) {
            return self.on_invitation(stream, inv).await;
        }
        if self.rooms.owns(m.from.as_ref()) {
            if let Some(m) = self.on_room_message(stream, m).await {
                return self.on_chat_message(stream, m).await;
            }
            return;
        }
        self.on_chat_message(stream, m).await;
    }

    async fn on_chat_message(
        &mut self,
        stream: &StanzaStream,
        m: tokio_xmpp::parsers::message::Message,
    ) {
        with_cx!(self, stream, |cx| {
            match self
                .chats
                .on_message(&mut cx, &self.people, &mut self.outbox, m)
            {
                // The catch-up may still bring older messages: they go first.
                Arrived::Chat(c) if self.history.holding() => self.history.hold(c),
                Arrived::Chat(c) => {
                    let free = self.history.pointer_free();
                    self.chats.store_live(&mut cx, &mut self.people, c, free);
                }
                Arrived::Bounced(peer) => pump(
                    &mut self.outbox,
                    &self.rooms,
                    self.online,
                    &mut cx,
                    Some(&peer),
                ),
                Arrived::Done => {}
            }
        });
    }

    /// Our server, our own account's devices, or a roster contact.
    fn knows_us(&self, from: &Option<Jid>) -> bool {
        crate::live::iq::own_server(from, &self.account)
            || from
                .as_ref()
                .is_some_and(|f| self.people.in_roster(f.to_bare().as_str()))
    }

    async fn on_iq(&mut self, stream: &StanzaStream, iq: Iq) {
        match iq {
            Iq::Get {
                from, id, payload, ..
            } => {
                let reply = if xep0199_ping::is_ping(&payload) {
                    hallway_protocol::iq_result(&id, None)
                } else if xep0030_disco::is_info_query(&payload) {
                    xep0030_disco::info_result(&id, &payload)
                } else if xep0030_disco::is_items_query(&payload) {
                    xep0030_disco::items_result(&id, &payload)
                } else if xep0092_version::is_query(&payload) && self.knows_us(&from) {
                    // XEP-0092: our name and version to our server, our devices and contacts
                    // (a stranger learns nothing about the client to aim at).
                    let os = crate::settings::share_os(&self.store).then(xep0092_version::os_name);
                    xep0092_version::result(&id, "Hallway", env!("CARGO_PKG_VERSION"), os)
                } else {
                    xep0030_disco::service_unavailable(&id)
                };
                answer(stream, from, reply).await;
            }
            Iq::Set {
                from, id, payload, ..
            } => {
                let people = &self.people;
                let payload = match self
                    .iq
                    .route(from.as_ref(), &id, payload, |b| people.in_roster(b))
                {
                    Ok(Route::Forwarded) => return,
                    Ok(Route::Refuse(condition, text)) => {
                        let reply = hallway_protocol::iq_error(&id, None, condition, text, None);
                        return answer(stream, from, reply).await;
                    }
                    Err(payload) => payload,
                };
                let reply = with_cx!(self, stream, |cx| on_push(
                    &mut self.people,
                    &mut cx,
                    from.as_ref(),
                    &id,
                    payload
                ));
                answer(stream, from, reply).await;
            }
            answer_iq @ (Iq::Result { .. } | Iq::Error { .. }) => {
                match self.iq.on_answer(answer_iq, &self.account) {
                    Answered::Own(kind, outcome) => self.on_own_answer(stream, kind, outcome).await,
                    Answered::App | Answered::Spoofed | Answered::Unknown => {}
                }
            }
        }
    }

    async fn on_own_answer(
        &mut self,
        stream: &StanzaStream,
        kind: Pending,
        outcome: Result<
            Option<tokio_xmpp::minidom::Element>,
            Box<tokio_xmpp::parsers::stanza_error::StanzaError>,
        >,
    ) {
        if kind.is_rooms() {
            return self.on_rooms_answer(stream, kind, Some(outcome)).await;
        }
        let ended = with_cx!(self, stream, |cx| match (kind, outcome) {
            (Pending::ServerInfo, Ok(payload)) => {
                let sid = payload.as_ref().is_some_and(|q| {
                    q.children().any(|c| {
                        c.name() == "feature" && c.attr("var") == Some(xmpp_parsers::ns::SID)
                    })
                });
                set_server_sid(&mut self.chats, cx.store, cx.account.as_str(), sid);
                Ended::Nothing
            }
            (Pending::ServerInfo, Err(_)) => {
                set_server_sid(&mut self.chats, cx.store, cx.account.as_str(), false);
                Ended::Nothing
            }
            (Pending::Roster, Ok(payload)) => {
                match rfc6121_roster::parse_roster_result(payload) {
                    Ok(items) => {
                        self.people
                            .on_roster(cx.store, items, cx.out, cx.batch, cx.now);
                        self.chats.send_deferred_receipts(&mut cx, &self.people);
                    }
                    Err(e) => tracing::warn!("bad roster: {e}"),
                }
                Ended::Nothing
            }
            (Pending::Carbons, Ok(_)) => {
                tracing::debug!("carbons enabled");
                Ended::Nothing
            }
            (Pending::Blocklist, Ok(payload)) => {
                match xep0191_blocking::parse_blocklist(payload.as_ref()) {
                    Ok(list) => self.people.set_blocklist(
                        cx.store,
                        list.into_iter().collect(),
                        cx.out,
                        cx.batch,
                        cx.now,
                    ),
                    Err(e) => tracing::warn!("bad block list: {e}"),
                }
                Ended::Nothing
            }
            (Pending::ReadPositions, outcome) => {
                match outcome.map(|p| xep0060_pubsub::parse_items(p.as_ref(), xep0490_mds::NODE)) {
                    Ok(Ok(items)) => {
                        let positions = xep0490_mds::parse(&items, cx.account.as_str());
                        self.rooms.note_read_positions(&positions);
                        self.chats.apply_read_positions(&mut cx, positions);
                    }
                    // No read-position node yet (nobody published one): nothing to apply.
                    Ok(Err(e)) => tracing::debug!("no read positions: {e}"),
                    Err(e) => tracing::debug!("no read positions: {e:?}"),
                }
                cx.batch.release(cx.now);
                Ended::Nothing
            }
            (Pending::Archive(qid), Ok(payload)) =>
                match xep0313_mam::parse_fin(payload.as_ref()) {
                    Ok(fin) => self.history.on_fin(
                        &mut cx,
                        &mut self.chats,
                        &mut self.people,
                        &mut self.outbox,
                        &qid,
                        fin
                    ),
                    Err(e) => self.history.on_error(
                        &mut cx,
                        &mut self.chats,
                        &mut self.people,
                        &qid,
                        e.to_string()
                    ),
                },
            (Pending::Archive(qid), Err(error)) => {
                let text = format!("{:?}", error.defined_condition);
                self.history
                    .on_error(&mut cx, &mut self.chats, &mut self.people, &qid, text)
            }
            (kind, Err(error)) => {
                tracing::debug!("{kind:?} request failed: {error:?}");
                Ended::Nothing
            }
            // The rooms part's answers went there above.
            (_, Ok(_)) => Ended::Nothing,
        });
        self.after(stream, ended).await;
    }

    /// What follows an archive query's end.
    pub(super) async fn after(&mut self, stream: &StanzaStream, ended: Ended) {
        if let Ended::Verified(peer) = ended {
            if self.outbox.end_verify(&peer) {
                with_cx!(self, stream, |cx| pump(
                    &mut self.outbox,
                    &self.rooms,
                    self.online,
                    &mut cx,
                    Some(&peer)
                ));
            }
        }
    }

    pub(super) async fn housekeeping(&mut self, stream: &StanzaStream) {
        for kind in self.iq.expire(Instant::now()) {
            if kind.is_rooms() {
                self.on_rooms_answer(stream, kind, None).await;
                continue;
            }
            let ended = with_cx!(self, stream, |cx| match kind {
                Pending::ReadPositions => {
                    cx.batch.release(cx.now);
                    Ended::Nothing
                }
                Pending::Archive(qid) => {
                    self.history
                        .on_timeout(&mut cx, &mut self.chats, &mut self.people, &qid)
                }
                _ => Ended::Nothing,
            });
            self.after(stream, ended).await;
        }
        if self.online {
            with_cx!(self, stream, |cx| {
                for room in self.rooms.housekeeping(&mut cx) {
                    self.outbox.end_verify(&room);
                    pump(
                        &mut self.outbox,
                        &self.rooms,
                        self.online,
                        &mut cx,
                        Some(&room),
                    );
                }
            });
        }
        // Acked receipts and markers need no resend.
        self.extras.retain_mut(|(_, t)| {
            !matches!(
                t.wait_for(StanzaStage::Acked).now_or_never(),
                Some(Some(StanzaState::Acked { .. }))
            )
        });
        if self.online {
            self.save_last_online();
        }
    }

    pub(super) fn save_last_online(&self) {
        if let Err(e) = self
            .store
            .set_setting(&last_online_key(self.account.as_str()), &now_ms())
        {
            tracing::warn!("could not record last online time: {e}");
        }
    }

    /// One UI event per kind for everything that happened in the batch window.
    pub(super) fn flush(&mut self) {
        let ctx = {
            let v = self.view.lock().unwrap_or_else(|p| p.into_inner());
            NotifyContext {
                do_not_disturb: self.people.me.chosen.show == MyShow::Dnd,
                visible_peer: v.visible_peer.clone(),
                focused: v.focused,
                previews: v.previews,
                since_ms: self.chats.since_ms,
            }
        };
        let people = &self.people;
        let rooms = &self.rooms;
        let store = &self.store;
        let name = |jid: &str| {
            rooms
                .name_of(jid)
                .unwrap_or_else(|| people.display_name(jid))
        };
        let requests = || people.message_requests(store);
        let room_list = || rooms.list();
        let occupants = |room: &str| rooms.occupants(room);
        let cx = FlushContext {
            store,
            account: self.account.as_str(),
            notify: ctx,
            name: &name,
            requests: &requests,
            rooms: &room_list,
            occupants: &occupants,
        };
        for e in self.batch.flush(&cx) {
            self.emitter.emit(e);
        }
    }
}

/// The outbox's next messages (`peer`: only that conversation's), when online; a room's only
/// once the room has us.
pub(super) fn pump(
    outbox: &mut Outbox,
    rooms: &JoinedRooms,
    online: bool,
    cx: &mut Cx<'_>,
    peer: Option<&str>,
) {
    if !online {
        return;
    }
    let held = |p: &str| rooms.holds(p);
    for t in outbox.pump(cx.store, cx.account.as_str(), peer, cx.now_ms, &held) {
        let Ok(to) = BareJid::new(&t.message.peer) else {
            tracing::warn!(
                "outbox message {} has a bad peer {}",
                t.message.id,
                t.message.peer
            );
            crate::outbox::move_state(cx.store, t.message.id, DeliveryState::Failed, cx.out);
            continue;
        };
        let file_url = t.message.attachment.as_ref().and_then(|a| a.url.as_deref());
        let build = if rooms.is_room(&t.message.peer) {
            hallway_protocol::xep0045_groupchat::build
        } else {
            hallway_protocol::chat::build_chat
        };
        let stanza = build(&to, &t.message.body, &t.message.origin_id, file_url);
        cx.out.send.push(Outgoing::Chat {
            message_id: t.message.id,
            seq: t.seq,
            stanza: Box::new(stanza),
        });
    }
}

/// What our account's disco#info said about XEP-0359 stanza-ids; remembered.
fn set_server_sid(chats: &mut Chats, store: &Store, account: &str, stamps: bool) {
    if chats.facts.stanza_ids != stamps {
        tracing::info!("our server stamps stanza-ids (XEP-0359): {stamps}");
    }
    chats.facts.stanza_ids = stamps;
    let _ = store.set_setting(&server_sid_key(account), &stamps);
}

/// A roster or block list push (RFC 6121 §2.1.6, XEP-0191 §3.3), from our server only.
fn on_push(
    people: &mut People,
    cx: &mut Cx<'_>,
    from: Option<&Jid>,
    id: &str,
    payload: tokio_xmpp::minidom::Element,
) -> Iq {
    if xep0191_blocking::is_push(&payload) {
        match xep0191_blocking::parse_push(from, cx.account, &payload) {
            Ok(push) => {
                people.on_block_push(cx.store, push, cx.out, cx.batch, cx.now);
                return hallway_protocol::iq_result(id, None);
            }
            Err(e) => tracing::warn!("rejected block list push: {e}"),
        }
    } else if rfc6121_roster::is_roster_query(&payload) {
        match rfc6121_roster::parse_roster_push(from, cx.account, payload) {
            Ok(items) => {
                people.on_roster_push(cx.store, items, cx.out, cx.batch, cx.now);
                return hallway_protocol::iq_result(id, None);
            }
            Err(e) => tracing::warn!("rejected roster push: {e}"),
        }
    }
    xep0030_disco::service_unavailable(id)
}

/// Sends the reply to an incoming `iq get/set`, addressed to whoever asked (RFC 6120 §8.2.3:
/// every get/set gets a result or an error, or the asker waits).
async fn answer(stream: &StanzaStream, asker: Option<Jid>, reply: Iq) {
    let reply = match asker {
        Some(to) => reply.with_to(to),
        None => reply,
    };
    stream.send(Box::new(reply.into())).await;
}
