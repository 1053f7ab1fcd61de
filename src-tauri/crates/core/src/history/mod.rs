//! History: the local copy of every conversation and the server archive (XEP-0313) behind it.
//! The `History` service pages a conversation (fetching from the archive what the local copy
//! lacks: gaps left by a bounded catch-up, pages older than the local copy), searches the
//! archive's text (XEP-0431) and brings a match into the local copy. The session's side — the
//! catch-up, gap fills and pages as they arrive — is `sync.rs`; the store's archive bookkeeping
//! (newest id, gaps, completeness) is `hallway_store`'s `archive.rs`.

mod search;
pub(crate) mod sync;

use std::sync::Arc;
use std::time::Duration;

use hallway_model::{ConnectionState, Direction, Message, ServerSearchHit, ServerSearchPage};
use hallway_protocol::chat::{self, Incoming};
use hallway_protocol::xep0313_mam::{self, ArchiveQuery};
use tokio::sync::oneshot;

use crate::account::Account;
use crate::live::Command;
use crate::CoreError;
use sync::ArchiveRequest;

/// Archive queries for older history reach this far past the local edge: our clock and the
/// server's may disagree, and re-fetched messages are dropped as duplicates anyway.
const CLOCK_MARGIN_MS: i64 = 15 * 60 * 1000;
/// Longest wait for the server archive while loading older history.
const ARCHIVE_WAIT: Duration = Duration::from_secs(20);
/// Matches per page of server results.
const SERVER_PAGE: usize = 20;
/// Messages read per step while walking back to a server match.
const WALK_STEP: u32 = 500;
/// How many steps back we walk before giving up. A step reads up to 500 stored messages, or one
/// archive page (50–100 messages, as the server allows) past the local copy: a match is found
/// at least 10,000 messages before the local copy ends.
const MAX_WALK_STEPS: usize = 200;
/// How long bringing a match into the local history may take in all.
const WALK_TIME: Duration = Duration::from_secs(60);
/// How long a search may take on the server.
const SEARCH_WAIT: Duration = Duration::from_secs(20);

/// The history of one account's conversations.
pub struct History {
    acc: Arc<Account>,
}

impl History {
    pub(crate) fn new(acc: Arc<Account>) -> Self {
        Self { acc }
    }

    /// A page of history, oldest first. When the page reaches into a gap of the local copy, or
    /// past its oldest message, the missing part is fetched from the server archive first;
    /// offline, the local page is all there is.
    pub async fn load_history(
        &self,
        peer: &str,
        before_id: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Message>, CoreError> {
        let account = self.acc.require()?;
        let store = &self.acc.store;
        let limit = limit.clamp(1, 500);
        let page = store.history(&account, peer, before_id, limit)?;
        let Some(request) = self.archive_request(&account, peer, before_id, limit, &page)? else {
            return Ok(page);
        };
        tracing::debug!(
            "history of {peer}: {} local, archive request {request:?}",
            page.len()
        );
        if !matches!(self.acc.emitter.current(), ConnectionState::Online { .. }) {
            return Ok(page);
        }
        let (tx, rx) = oneshot::channel();
        if self
            .acc
            .session
            .send(Command::FetchArchive(request, tx))
            .is_err()
        {
            return Ok(page);
        }
        match tokio::time::timeout(ARCHIVE_WAIT, rx).await {
            Ok(Ok(Ok(()))) => Ok(store.history(&account, peer, before_id, limit)?),
            Ok(Ok(Err(e))) => {
                tracing::warn!("archive query for {peer} failed: {e}");
                Ok(page)
            }
            _ => Ok(page),
        }
    }

    /// What the archive must fill in for this page: the first gap it reaches into (backwards
    /// from the first message after the gap, exact paging by its archive id), or the page before
    /// the local copy's oldest message; `None` when the local copy has it all.
    fn archive_request(
        &self,
        account: &str,
        peer: &str,
        before_id: Option<i64>,
        limit: u32,
        page: &[Message],
    ) -> Result<Option<ArchiveRequest>, CoreError> {
        let store = &self.acc.store;
        let cursor_ts = match before_id {
            Some(id) => store.message(id)?.map(|m| m.timestamp),
            None => None,
        }
        .unwrap_or(i64::MAX);
        let full = page.len() as u32 >= limit;
        let page_start = if full { page[0].timestamp } else { i64::MIN };
        let gaps = store.archive_gaps(
            account,
            peer,
            page_start,
            cursor_ts.saturating_add(CLOCK_MARGIN_MS),
        )?;
        if let Some(gap) = gaps.first() {
            let anchor = match gap.anchor_ord {
                Some(ord) => store.archived_at(account, peer, ord)?.map(|id| (id, ord)),
                None => store.oldest_archived_since(account, peer, gap.first_row_id)?,
            };
            return Ok(Some(ArchiveRequest {
                peer: peer.to_string(),
                start_ms: Some(gap.start_ts - CLOCK_MARGIN_MS),
                end_ms: None,
                max: limit as usize,
                gap: Some((gap.id, gap.start_ts)),
                anchor_ord: anchor.as_ref().map(|(_, ord)| *ord),
                before_id: anchor.map(|(id, _)| id),
            }));
        }
        if full || store.archive_complete(account, peer)? {
            return Ok(None);
        }
        let oldest = store.oldest_time(account, peer)?;
        Ok(Some(ArchiveRequest {
            peer: peer.to_string(),
            start_ms: None,
            end_ms: oldest.map(|t| t.saturating_add(CLOCK_MARGIN_MS)),
            max: limit as usize,
            gap: None,
            // Exact paging from the oldest archive id we hold; the time bound is the fallback.
            before_id: store.oldest_archive_id(account, peer)?,
            anchor_ord: None,
        }))
    }

    /// Whether the server archive can search text (its MAM query form lists the XEP-0431 field).
    /// Offline, or with an archive that does not say, it cannot.
    pub async fn can_search_server(&self) -> bool {
        self.text_search_field().await.is_some()
    }

    /// The archive form's text-search field (asked each time: servers change on upgrade).
    async fn text_search_field(&self) -> Option<&'static str> {
        let iq = xep0313_mam::form_request(&hallway_protocol::new_id());
        match self.acc.session.ask_raw(iq).await {
            Ok(Ok(payload)) => xep0313_mam::form_text_field(payload.as_ref()),
            _ => None,
        }
    }

    /// One page of matches from the server archive, newest first; `older` from the previous page
    /// asks for the next one. Nothing is stored.
    pub async fn search_server(
        &self,
        query: &str,
        older: Option<String>,
    ) -> Result<ServerSearchPage, CoreError> {
        let account = self.acc.require()?;
        let text = query.trim();
        if text.is_empty() {
            return Err(CoreError::InvalidInput(
                "Type something to search for.".into(),
            ));
        }
        if text.len() > 1000 {
            return Err(CoreError::InvalidInput("The search is too long.".into()));
        }
        let own = hallway_protocol::BareJid::new(&account)
            .map_err(|e| CoreError::Internal(e.to_string()))?;
        let Some(field) = self.text_search_field().await else {
            return Err(CoreError::Refused(
                "Your server cannot search its archive.".into(),
            ));
        };
        let q = ArchiveQuery {
            before: Some(older.unwrap_or_default()),
            max: SERVER_PAGE,
            fulltext: Some((field.to_string(), text.to_string())),
            ..Default::default()
        };
        let (tx, rx) = oneshot::channel();
        self.acc.session.send(Command::SearchArchive(q, tx))?;
        let page = match tokio::time::timeout(SEARCH_WAIT, rx).await {
            Ok(Ok(Ok(page))) => page,
            Ok(Ok(Err(e))) if e == "offline" => return Err(CoreError::Offline),
            Ok(Ok(Err(e))) => {
                return Err(CoreError::Refused(format!(
                    "The server could not search its archive ({e})."
                )))
            }
            Ok(Err(_)) => return Err(CoreError::Offline),
            Err(_) => {
                return Err(CoreError::Refused(
                    "The server did not answer the search in time.".into(),
                ))
            }
        };
        let mut hits: Vec<ServerSearchHit> = page
            .items
            .into_iter()
            .filter_map(|a| {
                let stamp = a.stamp_ms;
                let archive_id = a.archive_id.clone();
                match chat::parse_archived(a, &own) {
                    Incoming::Chat(c) if !c.body.is_empty() => Some(ServerSearchHit {
                        archive_id,
                        // A correction (XEP-0308) is stored as an edit of the message it
                        // replaces: that message is what opening the hit looks for.
                        origin_id: c.replaces.or(c.origin_id),
                        peer: c.peer,
                        direction: if c.outgoing {
                            Direction::Outgoing
                        } else {
                            Direction::Incoming
                        },
                        timestamp: stamp.or(c.delayed_ms).unwrap_or(0),
                        snippet: search::mark_words(&c.body, text),
                    }),
                    _ => None,
                }
            })
            .collect();
        hits.reverse(); // the archive pages oldest first; results read newest first
        Ok(ServerSearchPage {
            hits,
            older: page.older,
        })
    }

    /// Brings a server match into the local history: walks the conversation back from its newest
    /// message, fetching older pages and filling gaps from the archive as scrolling would, until
    /// the match is stored. Returns its local id (for `load_history_around`).
    pub async fn fetch_archived_message(
        &self,
        peer: &str,
        archive_id: &str,
        origin_id: Option<&str>,
    ) -> Result<i64, CoreError> {
        let account = self.acc.require()?;
        let find = || {
            self.acc
                .store
                .find_archived(&account, peer, archive_id, origin_id)
        };
        if let Some(id) = find()? {
            return Ok(id);
        }
        let mut cursor = None;
        let deadline = tokio::time::Instant::now() + WALK_TIME;
        for _ in 0..MAX_WALK_STEPS {
            if tokio::time::Instant::now() > deadline {
                break;
            }
            let page = self.load_history(peer, cursor, WALK_STEP).await?;
            if let Some(id) = find()? {
                return Ok(id);
            }
            match page.first() {
                Some(oldest) if Some(oldest.id) != cursor => cursor = Some(oldest.id),
                _ => break,
            }
        }
        Err(CoreError::Refused(
            "That message could not be fetched from the server's archive.".into(),
        ))
    }
}
