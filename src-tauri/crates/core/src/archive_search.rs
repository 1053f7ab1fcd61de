//! Searching the server's archive (XEP-0431 full-text search in XEP-0313 MAM) for history older
//! than the local copy, and bringing a match into the local history so it can be opened.

use hallway_model::{Direction, ServerSearchHit, ServerSearchPage};
use hallway_protocol::chat::{self, Incoming};
use hallway_protocol::xep0313_mam::{self, ArchiveQuery};
use tokio::sync::oneshot;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use crate::error::CoreError;
use crate::messenger::Messenger;
use crate::session::Command;

/// Matches per page of server results.
const SERVER_PAGE: usize = 20;
/// Messages read per step while walking back to a server match.
const WALK_STEP: u32 = 500;
/// How many steps back we walk before giving up. A step reads up to 500 stored messages, or one
/// archive page (50–100 messages, as the server allows) past the local copy: a match is found
/// at least 10,000 messages before the local copy ends.
const MAX_WALK_STEPS: usize = 200;
/// How long bringing a match into the local history may take in all.
const WALK_TIME: std::time::Duration = std::time::Duration::from_secs(60);
/// How long a search may take on the server.
const SEARCH_WAIT: std::time::Duration = std::time::Duration::from_secs(20);

impl Messenger {
    /// Whether the server archive can search text (its MAM query form lists the XEP-0431 field).
    /// Offline, or with an archive that does not say, it cannot.
    pub async fn can_search_server(&self) -> bool {
        self.text_search_field().await.is_some()
    }

    /// The archive form's text-search field (asked each time: servers change on upgrade).
    async fn text_search_field(&self) -> Option<&'static str> {
        let iq = xep0313_mam::form_request(&hallway_protocol::new_id());
        match self.ask_raw(iq).await {
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
        let account = self.require_account()?;
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
        let commands = self.commands().await?;
        let (tx, rx) = oneshot::channel();
        commands
            .send(Command::SearchArchive(q, tx))
            .map_err(|_| CoreError::Offline)?;
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
                        snippet: mark_words(&c.body, text),
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
        let account = self.require_account()?;
        let find = || {
            self.store()
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

/// `body` with every word that starts with one of the searched words wrapped in U+0002 … U+0003,
/// ignoring case and diacritics (as the local search does).
pub fn mark_words(body: &str, query: &str) -> String {
    // The markers themselves, sent in a body, would fake a highlight.
    let body: String = body
        .chars()
        .filter(|c| !matches!(c, '\u{2}' | '\u{3}'))
        .collect();
    let body = body.as_str();
    let wanted: Vec<String> = query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(fold)
        .collect();
    let mut out = String::with_capacity(body.len() + 8);
    let mut rest = body;
    while let Some(start) = rest.find(char::is_alphanumeric) {
        out.push_str(&rest[..start]);
        let word_len = rest[start..]
            .find(|c: char| !c.is_alphanumeric())
            .unwrap_or(rest.len() - start);
        let word = &rest[start..start + word_len];
        let folded = fold(word);
        if wanted.iter().any(|w| folded.starts_with(w.as_str())) {
            out.push('\u{2}');
            out.push_str(word);
            out.push('\u{3}');
        } else {
            out.push_str(word);
        }
        rest = &rest[start + word_len..];
    }
    out.push_str(rest);
    out
}

/// Lower case without diacritics ("Café" → "cafe").
fn fold(s: &str) -> String {
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_words_by_prefix_ignoring_case_and_diacritics() {
        assert_eq!(
            mark_words("Le café du Budget, budgets!", "cafe budget"),
            "Le \u{2}café\u{3} du \u{2}Budget\u{3}, \u{2}budgets\u{3}!"
        );
        // Quotes and operators typed by the user are not words; markup stays text.
        assert_eq!(
            mark_words("<b>plan</b> B", "\"plan\" OR"),
            "<b>\u{2}plan\u{3}</b> B"
        );
        assert_eq!(mark_words("nothing here", "zebra"), "nothing here");
        // Markers sent by a stranger are dropped, not shown as highlights.
        assert_eq!(
            mark_words("\u{2}fake\u{3} real", "real"),
            "fake \u{2}real\u{3}"
        );
        assert_eq!(mark_words("", "a"), "");
        assert_eq!(mark_words("Ünïcödé ok", "UNICODE"), "\u{2}Ünïcödé\u{3} ok");
    }
}
