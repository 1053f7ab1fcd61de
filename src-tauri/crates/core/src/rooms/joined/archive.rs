//! A room's own archive (XEP-0313 asked at the room's JID, §6.1.2; XEP-0045 rooms that list
//! `urn:xmpp:mam:2`): the catch-up on entering (newest page first, back to the newest room
//! stanza-id we hold, bounded; cut short, it leaves a gap that is the room's alone) and older
//! pages for `History::load_history`, paged and recorded exactly as a chat's
//! (`history::sync::pages`). Results are believed only from the room itself. Part of
//! `JoinedRooms` (`joined.rs`).

use hallway_model::{Placement, RoomPhase};
use hallway_protocol::xep0045_groupchat::{self, RoomIncoming};
use hallway_protocol::xep0313_mam::{self, ArchiveQuery, ArchivedMessage, Fin};
use tokio_xmpp::jid::{BareJid, Jid};

use super::traffic::{after_insert, room_row, store_message};
use super::{JoinedRooms, RoomArrived, Visit};
use crate::history::sync::pages::{older_progress, placement, trim_catch_up_page};
use crate::history::sync::{older_query, ArchiveReply, ArchiveRequest, ARCHIVE_PAGE};
use crate::live::{Cx, Pending};
use crate::outbox::Outbox;

/// Most messages one catch-up stores for a room after a fresh session; older ones come on
/// scroll (a gap is recorded).
const CATCH_UP_LIMIT: usize = 1_000;
/// On a first visit only the newest page: the room's past is not news.
const FIRST_VISIT_LIMIT: usize = 50;
/// A catch-up by time starts this much before we last caught up (the room's clock and ours).
const CAUGHT_UP_MARGIN_MS: i64 = 120_000;
/// Results kept for one page (the room may send more than asked; the rest is dropped).
const MAX_PAGE: usize = 2 * ARCHIVE_PAGE;

/// Why a room archive query runs.
pub(super) enum Purpose {
    /// Entering: everything newer than `after` (our newest id from the room), newest page
    /// first, at most `limit` messages.
    CatchUp {
        after: Option<(String, i64)>,
        limit: usize,
    },
    /// Older history of the room for `load_history`.
    Older {
        request: ArchiveRequest,
        reply: Option<ArchiveReply>,
        pages: usize,
    },
}

/// One room archive query in flight.
pub(super) struct RoomFetch {
    room: String,
    purpose: Purpose,
    query: ArchiveQuery,
    pages: Vec<Vec<ArchivedMessage>>,
    page: Vec<ArchivedMessage>,
}

impl JoinedRooms {
    /// Starts `room`'s catch-up from its archive; live messages wait until it is stored.
    pub(super) fn catch_up(&mut self, cx: &mut Cx<'_>, room: &str) {
        let Ok(jid) = BareJid::new(room) else {
            return;
        };
        let after = cx
            .store
            .room_archive_newest(cx.account.as_str(), room)
            .ok()
            .flatten();
        // A room we were in that said nothing since: its archive from when we last caught up.
        let since = match after {
            Some(_) => None,
            None => cx
                .store
                .room_caught_up(cx.account.as_str(), room)
                .ok()
                .flatten()
                .map(|t| t - CAUGHT_UP_MARGIN_MS),
        };
        let limit = if after.is_some() || since.is_some() {
            CATCH_UP_LIMIT
        } else {
            FIRST_VISIT_LIMIT
        };
        tracing::debug!("room {room}: archive catch-up after {after:?} / since {since:?}");
        let query = ArchiveQuery {
            archive: Some(jid),
            start_ms: since,
            after: after.as_ref().map(|(id, _)| id.clone()),
            before: Some(String::new()),
            max: ARCHIVE_PAGE.min(limit),
            ..Default::default()
        };
        // Cut short, the gap starts where we had everything (our newest id, or that time).
        let after = after.or_else(|| since.map(|t| (String::new(), t)));
        let purpose = Purpose::CatchUp { after, limit };
        self.send_fetch(cx, room, purpose, query, Vec::new());
    }

    /// Older history of `request.peer`, a room, from its own archive; `reply` once stored.
    pub(crate) fn fetch_older(
        &mut self,
        cx: &mut Cx<'_>,
        request: ArchiveRequest,
        reply: ArchiveReply,
    ) {
        let Ok(jid) = BareJid::new(&request.peer) else {
            let _ = reply.send(Err("not a room address".into()));
            return;
        };
        let query = older_query(&request, Some(jid));
        let room = request.peer.clone();
        let purpose = Purpose::Older {
            request,
            reply: Some(reply),
            pages: 0,
        };
        self.send_fetch(cx, &room, purpose, query, Vec::new());
    }

    fn send_fetch(
        &mut self,
        cx: &mut Cx<'_>,
        room: &str,
        purpose: Purpose,
        query: ArchiveQuery,
        pages: Vec<Vec<ArchivedMessage>>,
    ) {
        let Some(to) = query.archive.clone() else {
            return;
        };
        let qid = cx.iq.next_id("rq");
        if matches!(purpose, Purpose::CatchUp { .. }) {
            // Only this query's end may declare the room caught up (not a stale one's).
            if let Some(v) = self.visits.get_mut(room) {
                v.catch_up_qid = Some(qid.clone());
            }
        }
        let id = cx.iq.next_id("room-mam");
        cx.iq.track_own_to(
            id.clone(),
            Pending::RoomArchive(qid.clone()),
            Jid::from(to),
            cx.now,
        );
        cx.out.stanza(xep0313_mam::query(&id, &qid, &query).into());
        let fetch = RoomFetch {
            room: room.to_string(),
            purpose,
            query,
            pages,
            page: Vec::new(),
        };
        self.fetches.insert(qid, fetch);
    }

    /// Whether a message from `from` may carry results of our archive queries: the room itself
    /// (no occupant), one we are in or one we asked (a room we left keeps its history).
    pub(crate) fn archive_source(&self, from: Option<&Jid>) -> Option<BareJid> {
        let from = from.filter(|f| f.resource().is_none())?;
        let bare = from.to_bare();
        let asked = self.fetches.values().any(|f| f.room == bare.as_str());
        (asked || self.visits.contains_key(bare.as_str())).then_some(bare)
    }

    /// A result from `room`'s archive (the session checked that the room sent it).
    pub(crate) fn on_archive_result(&mut self, room: &str, a: ArchivedMessage) {
        match self.fetches.get_mut(&a.query_id) {
            Some(f) if f.room == room && f.page.len() < MAX_PAGE => f.page.push(a),
            Some(_) => tracing::debug!("room archive result dropped (not ours, or too many)"),
            None => tracing::debug!("room archive result for an unknown query dropped"),
        }
    }

    /// A fresh session or the end of one: queries of the old stream will never be answered.
    pub(super) fn drop_fetches(&mut self) {
        for (_, f) in self.fetches.drain() {
            if let Purpose::Older { reply: Some(r), .. } = f.purpose {
                let _ = r.send(Err("the connection was reset".into()));
            }
        }
    }

    /// The room archive query `qid` ended: its `<fin/>`, or why it failed (refused, timed out).
    pub(crate) fn on_archive_end(
        &mut self,
        cx: &mut Cx<'_>,
        outbox: &mut Outbox,
        qid: &str,
        outcome: Result<Fin, String>,
    ) -> RoomArrived {
        let Some(mut f) = self.fetches.remove(qid) else {
            return RoomArrived::Done;
        };
        let fin = match outcome {
            Ok(fin) => fin,
            Err(e) => return self.on_archive_error(cx, outbox, f, qid, e),
        };
        let page = std::mem::take(&mut f.page);
        match f.purpose {
            Purpose::CatchUp { .. } => self.catch_up_page(cx, outbox, f, qid, page, fin),
            Purpose::Older { .. } => {
                self.older_page(cx, outbox, f, page, fin);
                RoomArrived::Done
            }
        }
    }

    fn on_archive_error(
        &mut self,
        cx: &mut Cx<'_>,
        outbox: &mut Outbox,
        f: RoomFetch,
        qid: &str,
        error: String,
    ) -> RoomArrived {
        match f.purpose {
            // The id we hold may be gone from the archive (expired): the newest pages without
            // it, and the gap recorded from our newest message.
            Purpose::CatchUp {
                after: Some((_, ts)),
                limit,
            } if f.query.after.is_some() => {
                tracing::info!(
                    "room {}: catch-up after our newest id failed ({error})",
                    f.room
                );
                let query = ArchiveQuery {
                    after: None,
                    ..f.query
                };
                let purpose = Purpose::CatchUp {
                    after: Some((String::new(), ts)),
                    limit,
                };
                self.send_fetch(cx, &f.room, purpose, query, Vec::new());
                RoomArrived::Done
            }
            Purpose::CatchUp { after, .. } => {
                tracing::warn!("room {}: archive catch-up failed ({error})", f.room);
                if !self.current_catch_up(&f.room, qid) {
                    return RoomArrived::Done;
                }
                // What was said while away is still in the archive: a gap from where we had
                // everything to now, filled on scroll; the room is not caught up.
                if let Some((_, start)) = after {
                    let first_row = cx.store.last_message_row().unwrap_or(0);
                    let _ = cx.store.add_room_archive_gap(
                        cx.account.as_str(),
                        &f.room,
                        start,
                        cx.now_ms,
                        first_row + 1,
                    );
                }
                self.caught_up(cx, outbox, &f.room, false)
            }
            Purpose::Older {
                mut request,
                reply,
                pages: 0,
            } if request.before_id.is_some() => {
                // The archive no longer knows the id we paged from: page by time instead.
                request.before_id = None;
                let query = older_query(&request, f.query.archive.clone());
                let purpose = Purpose::Older {
                    request,
                    reply,
                    pages: 0,
                };
                self.send_fetch(cx, &f.room, purpose, query, Vec::new());
                RoomArrived::Done
            }
            Purpose::Older { reply, .. } => {
                if let Some(r) = reply {
                    let _ = r.send(Err(error));
                }
                RoomArrived::Done
            }
        }
    }

    fn catch_up_page(
        &mut self,
        cx: &mut Cx<'_>,
        outbox: &mut Outbox,
        mut f: RoomFetch,
        qid: &str,
        mut page: Vec<ArchivedMessage>,
        fin: Fin,
    ) -> RoomArrived {
        let Purpose::CatchUp { after, limit } = &f.purpose else {
            return RoomArrived::Done;
        };
        if !self.current_catch_up(&f.room, qid) {
            // A catch-up of an earlier visit (left, refused, joined again since): nothing here.
            return RoomArrived::Done;
        }
        let (after_ts, limit) = (after.as_ref().map(|(_, ts)| *ts), *limit);
        let (reached, got) =
            trim_catch_up_page(&mut page, after.as_ref().map(|(id, _)| id.as_str()));
        f.pages.push(page);
        let total: usize = f.pages.iter().map(Vec::len).sum();
        if !fin.complete && !reached && got && total < limit && fin.first.is_some() {
            let query = ArchiveQuery {
                before: fin.first.clone(),
                ..f.query
            };
            let room = f.room.clone();
            self.send_fetch(cx, &room, f.purpose, query, f.pages);
            return RoomArrived::Done;
        }
        let cut_short = !fin.complete && !reached && got;
        let room = f.room.clone();
        let first_row = cx.store.last_message_row().unwrap_or(0);
        // Oldest page first, each page oldest first: the order it was said in.
        let items = f.pages.into_iter().rev().flatten();
        let (n, oldest) = self.store_archived(cx, outbox, &room, items, Placement::Append);
        tracing::info!("room {room}: archive catch-up stored {n} new messages");
        if let (true, Some(start), Some(oldest)) = (cut_short && n > 0, after_ts, oldest) {
            tracing::info!("room {room}: catch-up bounded, gap recorded");
            let _ = cx.store.add_room_archive_gap(
                cx.account.as_str(),
                &room,
                start,
                oldest,
                first_row + 1,
            );
        }
        self.caught_up(cx, outbox, &room, true)
    }

    /// Whether `qid` is the catch-up the visit to `room` is waiting for (still entering).
    fn current_catch_up(&self, room: &str, qid: &str) -> bool {
        self.visits.get(room).is_some_and(|v| {
            v.catching_up
                && v.catch_up_qid.as_deref() == Some(qid)
                && matches!(v.phase, RoomPhase::Joining | RoomPhase::Reconnecting)
        })
    }

    /// The catch-up is over (`complete`) or gave up: the room is joined, then what was said
    /// meanwhile is stored after what the archive gave.
    fn caught_up(
        &mut self,
        cx: &mut Cx<'_>,
        outbox: &mut Outbox,
        room: &str,
        complete: bool,
    ) -> RoomArrived {
        let arrived = self.ready(cx, room, complete);
        if let Some(v) = self.visits.get_mut(room) {
            for r in std::mem::take(&mut v.held) {
                store_message(cx, outbox, v, r, Placement::Append);
            }
            // What waited may be read on another device already.
            super::reading::apply_read_to(cx, room, v);
        }
        arrived
    }

    fn older_page(
        &mut self,
        cx: &mut Cx<'_>,
        outbox: &mut Outbox,
        mut f: RoomFetch,
        page: Vec<ArchivedMessage>,
        fin: Fin,
    ) {
        let Purpose::Older {
            request,
            reply,
            pages,
        } = &mut f.purpose
        else {
            return;
        };
        *pages += 1;
        let page_len = page.len();
        let place = placement(request);
        // Older pages go before what is stored: newest first, each just before the last.
        let items: Vec<ArchivedMessage> = if place == Placement::Append {
            page
        } else {
            page.into_iter().rev().collect()
        };
        let (n, oldest) = self.store_archived(cx, outbox, &f.room, items, place);
        if let Some(before) = older_progress(cx, request, *pages, page_len, n, oldest, &fin) {
            let query = ArchiveQuery {
                before: Some(before),
                ..f.query
            };
            let room = f.room.clone();
            self.send_fetch(cx, &room, f.purpose, query, Vec::new());
            return;
        }
        // The history request's page reaches the UI before its reply: the caller may look for it.
        cx.out.flush_now = true;
        cx.out.history_done.extend(reply.take());
    }

    /// Stores messages from `room`'s archive in the order given; returns how many were new and
    /// the oldest new one's time.
    fn store_archived(
        &mut self,
        cx: &mut Cx<'_>,
        outbox: &mut Outbox,
        room: &str,
        items: impl IntoIterator<Item = ArchivedMessage>,
        place: Placement,
    ) -> (usize, Option<i64>) {
        let Ok(jid) = BareJid::new(room) else {
            return (0, None);
        };
        // A room we left keeps its history: paging it needs our nickname there, nothing else.
        let stand_in;
        let v = match self.visits.get(room) {
            Some(v) => v,
            None => {
                let nick = cx
                    .store
                    .room(cx.account.as_str(), room)
                    .ok()
                    .flatten()
                    .map(|r| r.nick)
                    .unwrap_or_default();
                stand_in = Visit::new(&nick, cx.now);
                &stand_in
            }
        };
        // One transaction for the whole page (a catch-up stores thousands).
        let mut rows = Vec::new();
        for a in items {
            match xep0045_groupchat::parse_archived(&a, &jid) {
                Ok(RoomIncoming::Message(r)) => rows.push(room_row(cx, v, r, place, false)),
                Ok(_) => {}
                Err(e) => tracing::debug!("room archive message dropped: {e}"),
            }
        }
        let batch: Vec<_> = rows.iter().map(|(new, _)| new.clone()).collect();
        let outcomes = match cx.store.insert_messages(cx.account.as_str(), &batch) {
            Ok(o) => o,
            Err(e) => {
                tracing::error!("could not store the room's archive page: {e}");
                return (0, None);
            }
        };
        let mut n = 0;
        let mut oldest: Option<i64> = None;
        for ((new, mention), outcome) in rows.iter().zip(outcomes) {
            if let Some(ts) = after_insert(cx, outbox, v, new, *mention, Ok(outcome)) {
                n += 1;
                oldest = Some(oldest.map_or(ts, |o| o.min(ts)));
            }
        }
        (n, oldest)
    }
}
