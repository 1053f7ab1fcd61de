//! Full-text search: words, prefixes, phrases, diacritics, safe queries, highlights.

use super::*;

#[test]
fn searches_words_prefixes_phrases_without_diacritics() {
    let (_d, store) = temp_store();
    store
        .insert_message(
            ACC,
            &msg(
                "bob@localhost",
                Direction::Incoming,
                "Meeting at the café tomorrow",
                "1",
            ),
        )
        .unwrap();
    store
        .insert_message(
            ACC,
            &msg(
                "bob@localhost",
                Direction::Incoming,
                "tomorrow the meeting moved",
                "2",
            ),
        )
        .unwrap();
    store
        .insert_message(
            ACC,
            &msg("carol@localhost", Direction::Incoming, "lunch?", "3"),
        )
        .unwrap();
    assert_eq!(store.search(ACC, "cafe", 10).unwrap().len(), 1);
    assert_eq!(store.search(ACC, "meet", 10).unwrap().len(), 2);
    let phrase = store.search(ACC, "\"meeting moved\"", 10).unwrap();
    assert_eq!(phrase.len(), 1);
    assert!(phrase[0].snippet.contains("\u{2}meeting moved\u{3}"));
    // Newest first.
    let hits = store.search(ACC, "tomorrow", 10).unwrap();
    assert_eq!(hits[0].message.origin_id, "2");
    // FTS syntax in user input is harmless.
    assert!(store.search(ACC, "AND OR NOT \" ( * :", 10).is_ok());
    assert!(store.search(ACC, "   ", 10).unwrap().is_empty());
}

#[test]
fn fts_query_neutralises_syntax() {
    use crate::search::fts_query;
    assert_eq!(
        fts_query("hello wor").as_deref(),
        Some("\"hello\"* \"wor\"*")
    );
    assert_eq!(
        fts_query("say \"good morning\" x").as_deref(),
        Some("\"say\"* \"good morning\" \"x\"*")
    );
    assert_eq!(
        fts_query("\"unterminated").as_deref(),
        Some("\"unterminated\"*")
    );
    assert_eq!(fts_query("  ").as_deref(), None);
}

#[test]
fn bodies_cannot_fake_search_highlights() {
    let (_d, store) = temp_store();
    store
        .insert_message(
            ACC,
            &msg(
                "bob@localhost",
                Direction::Incoming,
                "\u{2}fake\u{3} budget report",
                "h1",
            ),
        )
        .unwrap();
    let hits = store.search(ACC, "budget", 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].message.body, "fake budget report");
    assert_eq!(hits[0].snippet, "fake \u{2}budget\u{3} report");
}
