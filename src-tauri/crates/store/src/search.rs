//! Full-text search (FTS5, kept in step with `messages` by triggers): the user's words made into
//! a safe query, matches marked with U+0002 / U+0003 (bodies never contain them).

use hallway_model::Message;
use rusqlite::params;

use crate::messages::row_to_message;
use crate::{Store, StoreError};

/// A search result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit {
    /// The message.
    pub message: Message,
    /// The body with matches wrapped in U+0002 / U+0003 markers (the UI turns them into marks,
    /// as text nodes, never HTML).
    pub snippet: String,
}

impl Store {
    /// Full-text search over every conversation of the account, newest first. The query is the
    /// user's words: each becomes a prefix term; quoted parts stay phrases. FTS5 syntax typed by
    /// the user is neutralised, so no input is an error.
    pub fn search(
        &self,
        account: &str,
        query: &str,
        limit: u32,
    ) -> Result<Vec<SearchHit>, StoreError> {
        let Some(fts) = fts_query(query) else {
            return Ok(Vec::new());
        };
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT m.id, m.peer, m.direction, m.sender, m.body, m.ts, m.state, m.origin_id, \
             m.edited, m.file, m.mention, highlight(messages_fts, 0, char(2), char(3)) \
             FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid \
             WHERE messages_fts MATCH ?1 AND m.account = ?2 ORDER BY messages_fts.rowid DESC LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![fts, account, limit], |r| {
            Ok(SearchHit {
                message: row_to_message(r)?,
                snippet: r.get(11)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}

/// Turns user words into a safe FTS5 query: `"quoted phrase"` stays a phrase, every other word
/// becomes a quoted prefix term (`"word"*`), so operators and stray quotes cannot break the query.
pub(crate) fn fts_query(input: &str) -> Option<String> {
    let mut terms = Vec::new();
    let mut rest = input;
    while let Some(start) = rest.find('"') {
        words(&rest[..start], &mut terms);
        let after = &rest[start + 1..];
        match after.find('"') {
            Some(end) => {
                let phrase: String = after[..end]
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                if !phrase.is_empty() {
                    terms.push(format!("\"{}\"", phrase.replace('"', "")));
                }
                rest = &after[end + 1..];
            }
            None => {
                rest = after;
            }
        }
    }
    words(rest, &mut terms);
    if terms.is_empty() {
        None
    } else {
        Some(terms.join(" "))
    }
}

fn words(s: &str, terms: &mut Vec<String>) {
    for w in s.split(|c: char| !c.is_alphanumeric() && c != '_' && c != '\'') {
        let w = w.trim_matches('\'');
        if !w.is_empty() {
            terms.push(format!("\"{}\"*", w));
        }
    }
}
