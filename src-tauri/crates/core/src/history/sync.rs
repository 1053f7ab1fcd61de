//! History sync with the server archive (XEP-0313), the session's side: the catch-up after a
//! fresh session (newest page first, paging back until it meets the newest archive id we hold,
//! bounded; a catch-up cut short records a gap), older pages and gap fills for `load_history`,
//! one page of a text search (XEP-0431), and the look-up of our unacknowledged messages after a
//! failed resumption (by XEP-0359 origin-id, see `crate::outbox`). While a catch-up runs, live
//! chat messages wait: a message the old session lost can only come from the archive, and must
//! not land after newer ones that arrived live. A part of the session (see `crate::session`).

use std::collections::{HashMap, HashSet};

use hallway_protocol::chat::{self, ChatMessage, Incoming};
use hallway_protocol::xep0313_mam::{self, ArchiveQuery, ArchivedMessage, Fin};
use tokio_xmpp::jid::BareJid;

use crate::chats::incoming::Chats;
pub(crate) use crate::live::command::{
    ArchiveReply, ArchiveRequest, ArchiveSearchPage, SearchReply,
};
use crate::live::{Cx, Pending};
use crate::outbox::{Doubt, Outbox};
use crate::people::state::People;

pub(crate) mod pages;

/// Archive page size we ask for (servers may return fewer: Prosody caps pages at 50).
pub(crate) const ARCHIVE_PAGE: usize = 100;
/// On an account's first sign-in only recent history is fetched; older pages come on scroll.
const FIRST_SYNC_LIMIT: usize = 200;
/// Pages of nothing but duplicates one history request walks through before giving up.
const MAX_DUPLICATE_PAGES: usize = 20;
/// Our archive is searched this far before a message's transmission for its copy: the server's
/// clock stamps the archive, ours stamped the transmission.
const VERIFY_MARGIN_MS: i64 = 15 * 60 * 1000;
/// Pages of one conversation's archive looked through for copies of our unacknowledged messages.
const MAX_VERIFY_PAGES: usize = 20;

/// Why an archive query runs.
enum Purpose {
    /// After a fresh session: everything newer than `after` (the newest id we hold), newest
    /// page first, at most `limit` messages.
    CatchUp {
        after: Option<(String, i64)>,
        limit: usize,
    },
    /// Older history of one conversation for `load_history`.
    Older {
        request: ArchiveRequest,
        reply: Option<ArchiveReply>,
        pages: usize,
    },
    /// A text search for the user: one page, handed back as it is.
    Search(Option<SearchReply>),
    /// Which of our messages to `peer` still in doubt the archive has (see `crate::outbox`).
    Verify {
        peer: String,
        doubt: HashSet<String>,
        pages: usize,
    },
}

/// One archive query in flight: its pages so far (newest page first) and the current page.
struct Fetch {
    purpose: Purpose,
    query: ArchiveQuery,
    pages: Vec<Vec<ArchivedMessage>>,
    page: Vec<ArchivedMessage>,
}

/// What the session must do once an archive query ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Ended {
    /// Nothing more.
    Nothing,
    /// A catch-up ended: our read positions were asked for (notifications are held).
    CaughtUp,
    /// The archive answered about `peer`'s doubtful messages: its outbox may go on.
    Verified(String),
}

/// The archive queries of one session and the live messages held back by a catch-up.
pub(crate) struct ArchiveSync {
    fetches: HashMap<String, Fetch>,
    catch_up_limit: usize,
    /// While a catch-up runs, live chat messages wait here.
    held_live: Option<Vec<ChatMessage>>,
    /// The last catch-up could not store what it fetched: live messages must not move the
    /// archive pointer past it until a catch-up succeeds (else those messages are skipped).
    pointer_held: bool,
}

impl ArchiveSync {
    pub(crate) fn new(catch_up_limit: usize) -> Self {
        Self {
            fetches: HashMap::new(),
            catch_up_limit,
            held_live: None,
            pointer_held: false,
        }
    }

    /// Whether live chat messages must wait (a catch-up is running).
    pub(crate) fn holding(&self) -> bool {
        self.held_live.is_some()
    }

    /// Holds a live chat message until the catch-up is over.
    pub(crate) fn hold(&mut self, c: ChatMessage) {
        self.held_live.get_or_insert_with(Vec::new).push(c);
    }

    /// Whether live messages may move the archive pointer.
    pub(crate) fn pointer_free(&self) -> bool {
        !self.pointer_held
    }

    /// Ends holding live messages (the catch-up is over or gave up) and stores them in arrival
    /// order, after what the catch-up stored.
    pub(crate) fn release_live(&mut self, cx: &mut Cx<'_>, chats: &mut Chats, people: &mut People) {
        for c in self.held_live.take().unwrap_or_default() {
            chats.store_live(cx, people, c, !self.pointer_held);
        }
    }

    /// A result of one of our archive queries (XEP-0313 `<result/>`).
    pub(crate) fn on_result(&mut self, a: ArchivedMessage) {
        match self.fetches.get_mut(&a.query_id) {
            Some(f) => f.page.push(a),
            None => tracing::debug!("archive result for an unknown query dropped"),
        }
    }

    fn start(&mut self, cx: &mut Cx<'_>, purpose: Purpose, query: ArchiveQuery) {
        let fetch = Fetch {
            purpose,
            query,
            pages: Vec::new(),
            page: Vec::new(),
        };
        self.send_page(cx, fetch);
    }

    fn send_page(&mut self, cx: &mut Cx<'_>, fetch: Fetch) {
        let qid = cx.iq.next_id("q");
        let query = fetch.query.clone();
        let q = qid.clone();
        cx.send_iq(Pending::Archive(qid.clone()), "mam", move |id| {
            xep0313_mam::query(id, &q, &query)
        });
        self.fetches.insert(qid, fetch);
    }

    /// Starts the catch-up after a fresh session (unless one runs); live messages wait.
    pub(crate) fn catch_up(&mut self, cx: &mut Cx<'_>) {
        if self
            .fetches
            .values()
            .any(|f| matches!(f.purpose, Purpose::CatchUp { .. }))
        {
            return;
        }
        let after = cx.store.archive_newest(cx.account.as_str()).ok().flatten();
        tracing::debug!("archive catch-up after {after:?}");
        self.held_live.get_or_insert_with(Vec::new);
        let limit = if after.is_some() {
            self.catch_up_limit
        } else {
            FIRST_SYNC_LIMIT.min(self.catch_up_limit)
        };
        let query = ArchiveQuery {
            after: after.as_ref().map(|(id, _)| id.clone()),
            before: Some(String::new()),
            max: ARCHIVE_PAGE,
            ..Default::default()
        };
        self.start(cx, Purpose::CatchUp { after, limit }, query);
    }

    /// Older history of one conversation; `reply` once it is stored.
    pub(crate) fn fetch_older(
        &mut self,
        cx: &mut Cx<'_>,
        request: ArchiveRequest,
        reply: ArchiveReply,
    ) {
        let query = older_query(&request, None);
        let purpose = Purpose::Older {
            request,
            reply: Some(reply),
            pages: 0,
        };
        self.start(cx, purpose, query);
    }

    /// One page of a text search.
    pub(crate) fn search(&mut self, cx: &mut Cx<'_>, query: ArchiveQuery, reply: SearchReply) {
        self.start(cx, Purpose::Search(Some(reply)), query);
    }

    /// Asks our archive which of our doubtful messages to `doubt.peer` it has (`with` the
    /// contact, from shortly before the first transmission).
    pub(crate) fn verify(&mut self, cx: &mut Cx<'_>, doubt: Doubt) {
        tracing::info!(
            "{} message(s) to {} were sent but never acknowledged: asking our archive",
            doubt.origin_ids.len(),
            doubt.peer
        );
        let query = ArchiveQuery {
            with: BareJid::new(&doubt.peer).ok(),
            start_ms: Some(doubt.since_ms - VERIFY_MARGIN_MS),
            max: ARCHIVE_PAGE,
            ..Default::default()
        };
        let purpose = Purpose::Verify {
            peer: doubt.peer,
            doubt: doubt.origin_ids,
            pages: 0,
        };
        self.start(cx, purpose, query);
    }

    /// A fresh session: queries of the old stream will never be answered. Messages held by an
    /// interrupted catch-up stay held: storing them now would move our newest archive id past
    /// the range that catch-up had yet to fetch.
    pub(crate) fn on_reset(&mut self) {
        for (_, f) in self.fetches.drain() {
            match f.purpose {
                Purpose::Older { reply: Some(r), .. } => {
                    let _ = r.send(Err("the connection was reset".into()));
                }
                Purpose::Search(Some(r)) => {
                    let _ = r.send(Err("the connection was reset".into()));
                }
                _ => {}
            }
        }
    }

    /// The archive query `qid` got no answer in time. Unlike a refusal, nothing is retried: a
    /// history request or search is told so, a catch-up lets live messages through (without
    /// moving our archive pointer past what it did not fetch: the next one starts there again),
    /// and what was in doubt goes out again, as without an archive.
    pub(crate) fn on_timeout(
        &mut self,
        cx: &mut Cx<'_>,
        chats: &mut Chats,
        people: &mut People,
        qid: &str,
    ) -> Ended {
        let Some(f) = self.fetches.remove(qid) else {
            return Ended::Nothing;
        };
        let why = "the server archive did not answer".to_string();
        match f.purpose {
            Purpose::Older { reply, .. } => {
                if let Some(r) = reply {
                    let _ = r.send(Err(why));
                }
            }
            Purpose::Search(reply) => {
                if let Some(r) = reply {
                    let _ = r.send(Err(why));
                }
            }
            Purpose::CatchUp { .. } => {
                tracing::warn!("archive catch-up: {why}");
                self.pointer_held = true;
                self.release_live(cx, chats, people);
            }
            Purpose::Verify { peer, .. } => return Ended::Verified(peer),
        }
        Ended::Nothing
    }

    /// The session ends (shut down, or it can never come back): live messages a catch-up still
    /// holds are stored now, or they would be lost (their receipts already went out). Our archive
    /// pointer stays where it is, so the next catch-up fetches what this one did not.
    pub(crate) fn release_live_at_end(
        &mut self,
        cx: &mut Cx<'_>,
        chats: &mut Chats,
        people: &mut People,
    ) {
        if self.holding() {
            self.pointer_held = true;
        }
        self.release_live(cx, chats, people);
    }

    /// The archive query `qid` failed (`error`).
    pub(crate) fn on_error(
        &mut self,
        cx: &mut Cx<'_>,
        chats: &mut Chats,
        people: &mut People,
        qid: &str,
        error: String,
    ) -> Ended {
        let Some(f) = self.fetches.remove(qid) else {
            return Ended::Nothing;
        };
        match f.purpose {
            // The id we hold is gone from the archive (expired): fetch the newest pages without
            // it and record the gap from our newest message.
            Purpose::CatchUp {
                after: Some((_, after_ts)),
                limit,
            } if f.query.after.is_some() => {
                tracing::warn!(
                    "archive catch-up after our newest id failed ({error}); retrying without"
                );
                let query = ArchiveQuery {
                    before: Some(String::new()),
                    max: ARCHIVE_PAGE,
                    ..Default::default()
                };
                let purpose = Purpose::CatchUp {
                    after: Some((String::new(), after_ts)),
                    limit,
                };
                self.start(cx, purpose, query);
            }
            Purpose::CatchUp { .. } => {
                tracing::warn!("archive catch-up failed: {error}");
                self.release_live(cx, chats, people);
            }
            // The archive no longer knows the id we paged from: fall back to the time bounds.
            Purpose::Older {
                mut request,
                reply,
                pages: 0,
            } if request.before_id.is_some() => {
                tracing::info!("archive paging by id failed ({error}); paging by time");
                request.before_id = None;
                let query = older_query(&request, None);
                let purpose = Purpose::Older {
                    request,
                    reply,
                    pages: 0,
                };
                self.start(cx, purpose, query);
            }
            Purpose::Older { reply, .. } => {
                if let Some(r) = reply {
                    let _ = r.send(Err(error));
                }
            }
            Purpose::Search(reply) => {
                if let Some(r) = reply {
                    let _ = r.send(Err(error));
                }
            }
            // No archive (or it refused): what is in doubt goes out again, as it always did.
            Purpose::Verify { peer, .. } => {
                tracing::info!("could not look up unacknowledged messages to {peer}: {error}");
                return Ended::Verified(peer);
            }
        }
        Ended::Nothing
    }

    /// The archive query `qid` ended (`<fin/>`).
    pub(crate) fn on_fin(
        &mut self,
        cx: &mut Cx<'_>,
        chats: &mut Chats,
        people: &mut People,
        outbox: &mut Outbox,
        qid: &str,
        fin: Fin,
    ) -> Ended {
        let Some(mut f) = self.fetches.remove(qid) else {
            return Ended::Nothing;
        };
        let page = std::mem::take(&mut f.page);
        match &mut f.purpose {
            Purpose::Verify { peer, doubt, pages } => {
                *pages += 1;
                let mut found = Vec::new();
                for a in page {
                    if let Incoming::Chat(c) = chat::parse_archived(a, cx.account) {
                        if let Some(o) = c.origin_id.filter(|o| c.outgoing && doubt.remove(o)) {
                            found.push(o);
                        }
                    }
                }
                let peer = peer.clone();
                outbox.found_in_archive(cx.store, cx.account.as_str(), &peer, &found, cx.out);
                let more = !fin.complete && fin.last.is_some() && *pages < MAX_VERIFY_PAGES;
                if more && !doubt.is_empty() {
                    f.query.after = fin.last.clone();
                    self.send_page(cx, f);
                    return Ended::Nothing;
                }
                Ended::Verified(peer)
            }
            Purpose::Search(reply) => {
                let older = if fin.complete { None } else { fin.first };
                if let Some(r) = reply.take() {
                    let _ = r.send(Ok(ArchiveSearchPage { items: page, older }));
                }
                Ended::Nothing
            }
            Purpose::CatchUp { .. } => self.catch_up_page(cx, chats, people, f, page, fin),
            Purpose::Older { .. } => {
                self.older_page(cx, chats, people, f, page, fin);
                Ended::Nothing
            }
        }
    }
}

/// The query for a page of older history: the page before the request's archive id (exact), else
/// the newest page within its time bounds. `room`: the room's own archive (no `with`: the whole
/// archive is that room's), else ours filtered to the conversation.
pub(crate) fn older_query(request: &ArchiveRequest, room: Option<BareJid>) -> ArchiveQuery {
    let with = match room {
        Some(_) => None,
        None => BareJid::new(&request.peer).ok(),
    };
    match &request.before_id {
        Some(id) => ArchiveQuery {
            archive: room,
            with,
            start_ms: request.start_ms,
            before: Some(id.clone()),
            max: request.max.min(ARCHIVE_PAGE),
            ..Default::default()
        },
        None => ArchiveQuery {
            archive: room,
            with,
            start_ms: request.start_ms,
            end_ms: request.end_ms,
            before: Some(String::new()),
            max: request.max.min(ARCHIVE_PAGE),
            ..Default::default()
        },
    }
}

#[cfg(test)]
mod tests;
