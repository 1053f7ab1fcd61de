//! What arrives from our rooms (XEP-0045): occupants' presence (who came, changed, left; the
//! room confirming, refusing or removing us) and messages (stored; ours matched to their row by
//! origin-id, §7.4; the subject that closes the history replayed on entry, §7.2.15), and when a
//! message names us. Part of `JoinedRooms` (`joined.rs`).

use hallway_model::{
    DeliveryState, Direction, NewMessage, Occupant, Placement, RoomNotify, RoomPhase, RoomRefusal,
};
use hallway_protocol::xep0045_groupchat::{self, RoomIncoming, RoomMessage};
use hallway_protocol::xep0045_muc;
use hallway_store::Inserted;
use tokio_xmpp::parsers::message::Message as XmppMessage;
use tokio_xmpp::parsers::presence::Presence;

use super::{occupant_jid, refused, JoinedRooms, RoomArrived, Visit, MAX_OCCUPANTS};

/// Live messages of one room kept while its catch-up runs (a room can fill this; beyond it they
/// are stored as they come).
const MAX_HELD: usize = 5_000;
/// Joins tried again when a room says it does not exist (it may be locked for a moment).
const MAX_LOCKED_RETRIES: u8 = 3;
use crate::live::Cx;
use crate::outbox::{move_state, Outbox};
use tokio_xmpp::jid::Jid;

impl JoinedRooms {
    /// Our presence for every room we are in (XEP-0045 §7.7: the others see our availability
    /// change), addressed to our occupant JID there.
    pub(crate) fn presence_for_rooms(
        &self,
        own: &tokio_xmpp::parsers::presence::Presence,
    ) -> Vec<tokio_xmpp::parsers::presence::Presence> {
        self.visits
            .iter()
            .filter(|(_, v)| v.phase == RoomPhase::Joined)
            .filter_map(|(room, v)| {
                let mut p = own.clone();
                p.to = Some(Jid::from(occupant_jid(room, &v.nick)?));
                Some(p)
            })
            .collect()
    }

    /// A presence from one of our rooms: an occupant came, changed or left, the room confirmed
    /// us (status 110), refused us, or put us out.
    pub(crate) fn on_presence(&mut self, cx: &mut Cx<'_>, p: &Presence) {
        let Some(room) = p.from.as_ref().map(|f| f.to_bare().to_string()) else {
            return;
        };
        let Some(v) = self.visits.get_mut(&room) else {
            return;
        };
        v.last_heard = cx.now;
        if let Some(reason) = xep0045_muc::refusal(p) {
            // Only a refusal of our own join counts (an error about another occupant's address
            // is not about us).
            let ours = p
                .from
                .as_ref()
                .and_then(|f| f.resource().map(|r| r.to_string()));
            if ours.is_none_or(|n| n == v.nick) {
                tracing::info!("room {room} refused us: {reason:?}");
                if reason == RoomRefusal::NotFound && v.locked_retries < MAX_LOCKED_RETRIES {
                    // A room just created (here by another device of ours, from the bookmark)
                    // is locked, "not found", until its owner configures it (§10.1): again soon.
                    v.locked_retries += 1;
                    self.join_later(cx, &room);
                    return;
                }
                v.phase = refused(reason);
                v.forget_entry();
                v.occupants.clear();
                cx.batch.rooms_changed(cx.now);
                cx.batch.occupants_changed(&room, cx.now);
            }
            return;
        }
        let o = match xep0045_muc::occupant(p) {
            Some(Ok(o)) => o,
            Some(Err(e)) => return tracing::debug!("room presence dropped: {e}"),
            None => return,
        };
        let is_self = o.is_self || o.nick == v.nick;
        let mut created = false;
        if o.present {
            if is_self {
                let was = v.me().map(|me| (me.role, me.affiliation));
                if was != Some((o.role, o.affiliation)) {
                    // Our role or standing changed (granted, revoked): the header offers
                    // what we may now do.
                    v.affiliation = o.affiliation;
                    cx.batch.rooms_changed(cx.now);
                }
                if o.nick != v.nick {
                    // The room changed our nickname (§7.2.12, status 210).
                    v.nick = o.nick.clone();
                    let _ =
                        cx.store
                            .update_room(cx.account.as_str(), &room, None, None, Some(&o.nick));
                }
                if v.confirmed_at.is_none() {
                    v.confirmed_at = Some(cx.now);
                }
                created = o.created && v.confirmed_at == Some(cx.now);
            }
            if v.occupants.len() >= MAX_OCCUPANTS && !v.occupants.contains_key(&o.nick) {
                return;
            }
            v.occupants.insert(
                o.nick.clone(),
                Occupant {
                    nick: o.nick,
                    show: o.show,
                    status: o.status,
                    role: o.role,
                    affiliation: o.affiliation,
                    real_jid: o.real_jid.map(|j| j.to_string()),
                    is_self,
                    actions: Vec::new(),
                },
            );
        } else {
            v.occupants.remove(&o.nick);
            if is_self {
                if let Some(new) = o.new_nick {
                    // Our nickname changed (here or on another device, §7.6).
                    v.nick = new;
                } else {
                    v.phase = match o.removal {
                        Some(reason) => refused(reason),
                        None => RoomPhase::Left,
                    };
                    v.forget_entry();
                    v.occupants.clear();
                    v.confirmed_at = None;
                    cx.batch.rooms_changed(cx.now);
                }
            }
        }
        cx.batch.occupants_changed(&room, cx.now);
        if created {
            self.on_created(cx, &room);
        }
    }

    /// A `groupchat` message from one of our rooms: stored (ours matched to its row), or the
    /// subject, which ends the history the room replays on entry.
    pub(crate) fn on_message(
        &mut self,
        cx: &mut Cx<'_>,
        outbox: &mut Outbox,
        m: &XmppMessage,
    ) -> RoomArrived {
        let Some(room) = m.from.as_ref().map(|f| f.to_bare().to_string()) else {
            return RoomArrived::Done;
        };
        let Some(v) = self.visits.get_mut(&room) else {
            return RoomArrived::Done;
        };
        v.last_heard = cx.now;
        match xep0045_groupchat::parse(m, v.stanza_ids) {
            Ok(RoomIncoming::Subject { subject, .. }) => {
                let subject = (!subject.is_empty()).then_some(subject);
                if subject != v.subject {
                    let _ = cx.store.update_room(
                        cx.account.as_str(),
                        &room,
                        None,
                        Some(subject.as_deref()),
                        None,
                    );
                    v.subject = subject;
                    cx.batch.rooms_changed(cx.now);
                }
                if v.phase != RoomPhase::Joined && v.confirmed_at.is_some() {
                    return self.entered(cx, &room);
                }
            }
            // From the join until its archive catch-up is stored, what is said now waits to land
            // after it (a room without a subject lets the catch-up start late).
            Ok(RoomIncoming::Message(r))
                if (v.catching_up || (v.archive && v.phase != RoomPhase::Joined))
                    && v.held.len() < MAX_HELD =>
            {
                v.held.push(r)
            }
            Ok(RoomIncoming::Message(r)) => {
                store_message(cx, outbox, v, r, Placement::Append);
            }
            Ok(RoomIncoming::ConfigChanged) => self.refresh_info(cx, &room),
            Ok(RoomIncoming::Ignored) => {}
            Err(e) => tracing::debug!("room message dropped: {e}"),
        }
        RoomArrived::Done
    }
}

/// Stores a room message; ours (the reflection of what we sent, or from another device of
/// ours under the same nickname) goes to our row by origin-id. Appended, it is news (unread,
/// notified by the room's setting); placed among older history, it is the past. Returns the new
/// row's time, `None` when it was there already.
pub(super) fn store_message(
    cx: &mut Cx<'_>,
    outbox: &mut Outbox,
    v: &Visit,
    r: RoomMessage,
    placement: Placement,
) -> Option<i64> {
    let (new, mention) = room_row(cx, v, r, placement, true);
    let outcome = cx.store.insert_message(cx.account.as_str(), &new);
    after_insert(cx, outbox, v, &new, mention, outcome)
}

/// The row a room message becomes, and whether it names us. Live, our nickname is ours; in the
/// archive, which reaches back before we had it, only a message we have a row of is ours.
pub(super) fn room_row(
    cx: &Cx<'_>,
    v: &Visit,
    r: RoomMessage,
    placement: Placement,
    live: bool,
) -> (NewMessage, bool) {
    let room = r.room.to_string();
    let ours = r.nick == v.nick
        && (live
            || r.origin_id.as_deref().is_some_and(|o| {
                matches!(
                    cx.store
                        .find_archived(cx.account.as_str(), &room, "", Some(o)),
                    Ok(Some(_))
                )
            }));
    let attachment = r
        .file_url
        .as_deref()
        .map(crate::files::names::received_attachment);
    let mention = !ours && mentions(&r.body, &v.nick);
    let new = NewMessage {
        direction: if ours {
            Direction::Outgoing
        } else {
            Direction::Incoming
        },
        sender: if ours {
            cx.account.to_string()
        } else {
            format!("{room}/{}", r.nick)
        },
        peer: room,
        body: r.body,
        timestamp: r.delayed_ms.map(|d| d.min(cx.now_ms)).unwrap_or(cx.now_ms),
        state: if ours {
            DeliveryState::Sent
        } else {
            DeliveryState::Received
        },
        origin_id: r
            .origin_id
            .or_else(|| r.stanza_id.clone())
            .unwrap_or_else(hallway_protocol::new_id),
        stanza_id: r.stanza_id,
        stanza_xml_id: None,
        markable: false,
        wants_receipt: false,
        placement,
        attachment,
    };
    (new, mention)
}

/// What follows storing `new`: news is unread and notified by the room's setting; older history
/// is read; a duplicate of ours is its reflection (sent). Returns the new row's time.
pub(super) fn after_insert(
    cx: &mut Cx<'_>,
    outbox: &mut Outbox,
    v: &Visit,
    new: &NewMessage,
    mention: bool,
    outcome: Result<Inserted, hallway_store::StoreError>,
) -> Option<i64> {
    let room = &new.peer;
    let ours = new.direction == Direction::Outgoing;
    match outcome {
        Ok(Inserted::New(mut msg)) if new.placement != Placement::Append => {
            mark_mention(cx, &mut msg, mention);
            // Older history the user scrolls to is theirs to see, not news.
            if let Some(sid) = &new.stanza_id {
                let _ = cx
                    .store
                    .mark_read_up_to_stanza_id(cx.account.as_str(), room, sid);
            }
            let ts = msg.timestamp;
            cx.batch.message(msg, cx.now);
            return Some(ts);
        }
        Ok(Inserted::New(mut msg)) => {
            mark_mention(cx, &mut msg, mention);
            let ts = msg.timestamp;
            if msg.direction == Direction::Incoming {
                cx.batch.unread(room, cx.now);
                let notify = match v.notify {
                    RoomNotify::All => true,
                    RoomNotify::Mentions => mention,
                    RoomNotify::Nothing => false,
                };
                if notify {
                    cx.batch.notify(msg.clone(), cx.now);
                }
            }
            cx.batch.message(msg, cx.now);
            return Some(ts);
        }
        Ok(Inserted::Duplicate(id)) if ours => {
            // The reflection of our message: the room has it (§7.4).
            outbox.reflected(id);
            move_state(cx.store, id, DeliveryState::Sent, cx.out);
        }
        Ok(Inserted::Duplicate(id)) => tracing::debug!("duplicate room message (row {id})"),
        Err(e) => tracing::error!("could not store room message: {e}"),
    }
    None
}

/// Records that a new row names us (highlighted in the room, counted apart).
fn mark_mention(cx: &mut Cx<'_>, msg: &mut hallway_model::Message, mention: bool) {
    if mention {
        match cx.store.set_mention(msg.id) {
            Ok(()) => msg.mention = true,
            Err(e) => tracing::warn!("mention not recorded: {e}"),
        }
    }
}

/// Whether `body` names `nick` as a word (case-insensitive): "@ann", "Ann:", "thanks ann!" do,
/// "annual" does not.
pub(crate) fn mentions(body: &str, nick: &str) -> bool {
    let nick = nick.trim();
    if nick.is_empty() {
        return false;
    }
    let body = body.to_lowercase();
    let nick = nick.to_lowercase();
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    body.match_indices(&nick).any(|(at, _)| {
        let before = body[..at].chars().next_back();
        let after = body[at + nick.len()..].chars().next();
        !word(before) && !word(after)
    })
}
