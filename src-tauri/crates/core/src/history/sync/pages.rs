//! What one archive page does once it is complete: a catch-up page (page back, or store
//! everything fetched, record a gap, release held messages, ask for read positions) and a page of
//! older history or of a gap fill (store it in its place, page on, record progress).

use hallway_model::Placement;
use hallway_protocol::xep0313_mam::{ArchivedMessage, Fin};
use hallway_protocol::{xep0060_pubsub, xep0490_mds};
use tokio_xmpp::jid::Jid;

use super::{ArchiveRequest, ArchiveSync, Ended, Fetch, Purpose, MAX_DUPLICATE_PAGES};
use crate::chats::incoming::Chats;
use crate::live::{Cx, Pending};
use crate::people::state::People;

impl ArchiveSync {
    pub(super) fn catch_up_page(
        &mut self,
        cx: &mut Cx<'_>,
        chats: &mut Chats,
        people: &mut People,
        mut f: Fetch,
        mut page: Vec<ArchivedMessage>,
        fin: Fin,
    ) -> Ended {
        let Purpose::CatchUp { after, limit } = &f.purpose else {
            return Ended::Nothing;
        };
        let (after, limit) = (after.clone(), *limit);
        let (reached, got) =
            trim_catch_up_page(&mut page, after.as_ref().map(|(id, _)| id.as_str()));
        tracing::debug!(
            "catch-up page: {} new results, complete={}, reached our newest={reached}",
            page.len(),
            fin.complete
        );
        f.pages.push(page);
        let total: usize = f.pages.iter().map(Vec::len).sum();
        if !fin.complete && !reached && got && total < limit && fin.first.is_some() {
            f.query.before = fin.first.clone();
            self.send_page(cx, f);
            return Ended::Nothing;
        }
        let cut_short = !fin.complete && !reached && got;
        // Oldest page first, each page oldest first: arrival order.
        let items: Vec<ArchivedMessage> = f.pages.into_iter().rev().flatten().collect();
        let newest = items.last().map(|a| (a.archive_id.clone(), a.stamp_ms));
        let oldest = items.first().and_then(|a| a.stamp_ms);
        let first_row = cx.store.last_message_row().unwrap_or(0);
        let n = match chats.ingest(cx, people, items, Placement::Append, after.is_some()) {
            Ok((n, _)) => n,
            Err(e) => {
                // Nothing was stored: the pointer stays, the next catch-up fetches the same
                // messages again.
                tracing::warn!("archive catch-up not stored ({e}); will retry");
                self.pointer_held = true;
                self.release_live(cx, chats, people);
                return Ended::Nothing;
            }
        };
        tracing::info!("archive catch-up stored {n} new messages");
        self.pointer_held = false;
        let account = cx.account.as_str().to_string();
        if let Some((id, ts)) = newest {
            let _ = cx
                .store
                .set_archive_newest(&account, &id, ts.unwrap_or(cx.now_ms));
        }
        if let (true, Some((_, after_ts)), Some(oldest)) = (cut_short, &after, oldest) {
            tracing::info!("archive catch-up bounded: gap recorded");
            let _ = cx
                .store
                .add_archive_gap(&account, *after_ts, oldest, first_row + 1);
        }
        self.release_live(cx, chats, people);
        if after.is_some() {
            chats.resend_owed_receipts(cx, people);
        }
        // XEP-0490 §4: where our other devices read while we were away. Asked now, so the
        // messages the catch-up stored are there to be marked read.
        let own = Jid::from(cx.account.clone());
        cx.batch.hold();
        cx.send_iq(Pending::ReadPositions, "mds", |id| {
            xep0060_pubsub::items_request(id, &own, xep0490_mds::NODE, None, None)
        });
        Ended::CaughtUp
    }

    pub(super) fn older_page(
        &mut self,
        cx: &mut Cx<'_>,
        chats: &mut Chats,
        people: &mut People,
        mut f: Fetch,
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
        let (n, oldest) = match chats.ingest(cx, people, page, placement(request), false) {
            Ok(r) => r,
            Err(e) => {
                if let Some(r) = reply.take() {
                    let _ = r.send(Err(format!("could not store history: {e}")));
                }
                return;
            }
        };
        if let Some(before) = older_progress(cx, request, *pages, page_len, n, oldest, &fin) {
            f.query.before = Some(before);
            self.send_page(cx, f);
            return;
        }
        // The history request's page reaches the UI before its reply: the caller may look for it.
        cx.out.flush_now = true;
        cx.out.history_done.extend(reply.take());
    }
}

/// A catch-up page (newest page first, paging back): drops what is at or before the newest
/// archive id we hold (`after`). Returns whether the page reached it and whether anything new
/// is left; a catch-up goes on only while pages are new and it has not reached what we hold.
pub(crate) fn trim_catch_up_page(
    page: &mut Vec<ArchivedMessage>,
    after: Option<&str>,
) -> (bool, bool) {
    let mut reached = false;
    if let Some(id) = after {
        if let Some(pos) = page.iter().position(|a| a.archive_id == id) {
            page.drain(..=pos);
            reached = true;
        }
    }
    (reached, !page.is_empty())
}

/// Where a page of older history goes: just below the anchor while filling a gap (each message
/// below the previous one), after everything for a gap without one, else before everything.
pub(crate) fn placement(request: &ArchiveRequest) -> Placement {
    match (request.gap, request.anchor_ord) {
        (Some(_), Some(anchor)) => Placement::Below(anchor),
        (Some(_), None) => Placement::Append,
        (None, _) => Placement::Prepend,
    }
}

/// After a page of older history or of a gap fill was stored (`n` new of `page_len`, the oldest
/// new one at `oldest`): the archive id to fetch the next page before, or `None` when the
/// request is done and its progress recorded (a gap filled down to where it got, or the
/// conversation complete back to the archive's start). Chats and rooms page alike.
pub(crate) fn older_progress(
    cx: &mut Cx<'_>,
    request: &mut ArchiveRequest,
    pages: usize,
    page_len: usize,
    n: usize,
    oldest: Option<i64>,
    fin: &Fin,
) -> Option<String> {
    let got = page_len > 0;
    if let (Some(_), Some(anchor)) = (request.gap, request.anchor_ord) {
        // Each new message went right below the previous one.
        request.anchor_ord = Some(anchor - n as i64);
    }
    let more = !fin.complete && fin.first.is_some() && pages < MAX_DUPLICATE_PAGES && got;
    // A gap goes on while whole pages are new; plain older history skips pages of duplicates.
    let gap_goes_on = request.gap.is_some() && n == page_len && request.anchor_ord.is_some();
    let duplicates_only = request.gap.is_none() && n == 0;
    if more && (gap_goes_on || duplicates_only) {
        return fin.first.clone();
    }
    let peer = request.peer.clone();
    let account = cx.account.as_str().to_string();
    let recorded = match request.gap {
        Some((gap_id, gap_start)) => {
            // Done when the archive has no more, or when the page reached messages we already
            // had from before the gap.
            let remaining = match oldest {
                Some(ts) if !fin.complete && got && n == page_len => ts.max(gap_start + 1),
                _ => gap_start,
            };
            cx.store
                .fill_archive_gap(gap_id, &peer, remaining, request.anchor_ord)
        }
        None if fin.complete || !got => cx.store.set_archive_complete(&account, &peer),
        None => Ok(()),
    };
    if let Err(e) = recorded {
        tracing::warn!("could not record archive progress: {e}");
    }
    None
}
