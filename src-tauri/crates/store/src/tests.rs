//! Store tests on a temporary file (not only in memory): migrations from empty, paging,
//! de-duplication, delivery states, the outbox, unread counts, search, persistence.

use super::*;
use hallway_model::{DeliveryState, Direction, Message, NewMessage, Placement};

const ACC: &str = "alice@localhost";

fn msg(peer: &str, dir: Direction, body: &str, origin: &str) -> NewMessage {
    NewMessage {
        peer: peer.into(),
        direction: dir,
        sender: if dir == Direction::Incoming {
            peer.into()
        } else {
            ACC.into()
        },
        body: body.into(),
        timestamp: 1_700_000_000_000,
        state: if dir == Direction::Incoming {
            DeliveryState::Received
        } else {
            DeliveryState::Pending
        },
        origin_id: origin.into(),
        stanza_id: None,
        stanza_xml_id: None,
        markable: true,
        wants_receipt: true,
        placement: Placement::Append,
        attachment: None,
    }
}

fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("nested/hallway.sqlite3")).unwrap();
    (dir, store)
}

#[test]
fn migrates_from_empty_to_latest_in_wal_mode() {
    let (dir, store) = temp_store();
    assert_eq!(store.schema_version().unwrap(), migrations::LATEST);
    let mode: String = store
        .conn()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    drop(store);
    // Re-opening applies nothing and keeps the version.
    let again = Store::open(&dir.path().join("nested/hallway.sqlite3")).unwrap();
    assert_eq!(again.schema_version().unwrap(), migrations::LATEST);
    assert!(again.integrity_ok().unwrap());
}

#[test]
fn refuses_a_newer_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.pragma_update(None, "user_version", 999).unwrap();
    }
    assert!(matches!(
        Store::open(&path),
        Err(StoreError::TooNew { found: 999, .. })
    ));
}

#[test]
fn a_damaged_database_is_moved_aside_and_a_fresh_one_started() {
    let dir = tempfile::tempdir().unwrap();
    // Garbage where the database should be, and one from a newer Hallway.
    let corrupt = dir.path().join("corrupt.sqlite3");
    std::fs::write(
        &corrupt,
        b"this is not a database at all, just bytes".repeat(200),
    )
    .unwrap();
    // One from a newer Hallway is not damaged: it stays where it is, and opening says why.
    let newer = dir.path().join("newer.sqlite3");
    {
        let c = rusqlite::Connection::open(&newer).unwrap();
        c.pragma_update(None, "user_version", 999).unwrap();
    }
    assert!(matches!(
        Store::open_or_set_aside(&newer),
        Err(StoreError::TooNew { found: 999, .. })
    ));
    assert!(newer.exists());
    let path = &corrupt;
    let (store, aside) = Store::open_or_set_aside(path).unwrap();
    let aside = aside.expect("moved aside");
    assert!(aside.moved_to.exists(), "the old file is kept");
    assert!(aside
        .moved_to
        .to_string_lossy()
        .contains(".sqlite3.broken-"));
    assert!(!aside.reason.is_empty());
    assert_eq!(store.schema_version().unwrap(), migrations::LATEST);
    assert!(store.integrity_ok().unwrap());
    // A good database is opened as it is.
    drop(store);
    let (_, again) = Store::open_or_set_aside(path).unwrap();
    assert!(again.is_none());
}

#[cfg(unix)]
#[test]
fn only_the_user_may_read_the_database() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, store) = temp_store();
    let path = dir.path().join("nested/hallway.sqlite3");
    store.set_setting("x", &1).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

#[test]
fn pages_newest_first_and_returns_oldest_first() {
    let (_d, store) = temp_store();
    let batch: Vec<_> = (0..120)
        .map(|i| {
            msg(
                "bob@localhost",
                Direction::Incoming,
                &format!("m{i}"),
                &format!("o{i}"),
            )
        })
        .collect();
    store.insert_messages(ACC, &batch).unwrap();
    store
        .insert_message(
            ACC,
            &msg("carol@localhost", Direction::Incoming, "other", "x"),
        )
        .unwrap();
    let newest = store.history(ACC, "bob@localhost", None, 50).unwrap();
    assert_eq!(newest.len(), 50);
    assert_eq!(newest.first().unwrap().body, "m70");
    assert_eq!(newest.last().unwrap().body, "m119");
    let older = store
        .history(ACC, "bob@localhost", Some(newest[0].id), 50)
        .unwrap();
    assert_eq!(older.first().unwrap().body, "m20");
    assert_eq!(older.last().unwrap().body, "m69");
    let oldest = store
        .history(ACC, "bob@localhost", Some(older[0].id), 50)
        .unwrap();
    assert_eq!(oldest.len(), 20);
    assert_eq!(oldest[0].body, "m0");
    assert!(store
        .history(ACC, "bob@localhost", Some(oldest[0].id), 50)
        .unwrap()
        .is_empty());
    // Other accounts see nothing.
    assert!(store
        .history("zed@localhost", "bob@localhost", None, 50)
        .unwrap()
        .is_empty());
}

#[test]
fn drops_duplicates_by_origin_id_and_stanza_id() {
    let (_d, store) = temp_store();
    let m = msg("bob@localhost", Direction::Incoming, "hi", "origin-1");
    let Inserted::New(first) = store.insert_message(ACC, &m).unwrap() else {
        panic!("new")
    };
    assert_eq!(
        store.insert_message(ACC, &m).unwrap(),
        Inserted::Duplicate(first.id)
    );
    // Same origin-id from another author is a different message.
    let mut other = m.clone();
    other.sender = "mallory@localhost".into();
    assert!(matches!(
        store.insert_message(ACC, &other).unwrap(),
        Inserted::New(_)
    ));
    // Stanza-id: learnt on a duplicate, then re-fetches with that id are dropped.
    let mut with_sid = m.clone();
    with_sid.stanza_id = Some("sid-1".into());
    assert_eq!(
        store.insert_message(ACC, &with_sid).unwrap(),
        Inserted::Duplicate(first.id)
    );
    let mut refetch = msg(
        "bob@localhost",
        Direction::Incoming,
        "hi",
        "different-origin",
    );
    refetch.stanza_id = Some("sid-1".into());
    assert_eq!(
        store.insert_message(ACC, &refetch).unwrap(),
        Inserted::Duplicate(first.id)
    );
    // Batch with internal duplicates.
    let out = store.insert_messages(ACC, &[m.clone(), m.clone()]).unwrap();
    assert!(out.iter().all(|o| matches!(o, Inserted::Duplicate(_))));
    assert_eq!(store.count_messages(ACC).unwrap(), 2);
}

#[test]
fn delivery_states_only_move_forward_and_feed_the_outbox() {
    let (_d, store) = temp_store();
    let Inserted::New(a) = store
        .insert_message(ACC, &msg("bob@localhost", Direction::Outgoing, "a", "oa"))
        .unwrap()
    else {
        panic!()
    };
    let Inserted::New(b) = store
        .insert_message(ACC, &msg("bob@localhost", Direction::Outgoing, "b", "ob"))
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(
        store
            .pending(ACC)
            .unwrap()
            .iter()
            .map(|m| m.id)
            .collect::<Vec<_>>(),
        vec![a.id, b.id]
    );
    assert!(store.set_state(a.id, DeliveryState::Delivered).unwrap());
    assert!(
        !store.set_state(a.id, DeliveryState::Sent).unwrap(),
        "late ack must not undo a receipt"
    );
    assert!(!store.set_state(a.id, DeliveryState::Failed).unwrap());
    assert_eq!(
        store.message(a.id).unwrap().unwrap().state,
        DeliveryState::Delivered
    );
    assert!(store.set_state(b.id, DeliveryState::Failed).unwrap());
    assert!(store.pending(ACC).unwrap().is_empty());
    assert!(
        store.set_state(b.id, DeliveryState::Pending).unwrap(),
        "retry"
    );
    assert_eq!(store.pending(ACC).unwrap().len(), 1);
    assert_eq!(
        store.find_outgoing(ACC, "bob@localhost", "ob").unwrap(),
        Some(b.id)
    );
    assert_eq!(
        store.find_outgoing(ACC, "bob@localhost", "nope").unwrap(),
        None
    );
}

#[test]
fn counts_and_clears_unread() {
    let (_d, store) = temp_store();
    for i in 0..3 {
        store
            .insert_message(
                ACC,
                &msg("bob@localhost", Direction::Incoming, "x", &format!("b{i}")),
            )
            .unwrap();
    }
    store
        .insert_message(ACC, &msg("carol@localhost", Direction::Incoming, "x", "c"))
        .unwrap();
    store
        .insert_message(ACC, &msg("carol@localhost", Direction::Outgoing, "y", "c2"))
        .unwrap();
    let mut counts = store.unread_counts(ACC).unwrap();
    counts.sort();
    assert_eq!(
        counts,
        vec![("bob@localhost".into(), 3), ("carol@localhost".into(), 1)]
    );
    assert_eq!(store.mark_read(ACC, "bob@localhost").unwrap(), 3);
    assert_eq!(
        store.unread_counts(ACC).unwrap(),
        vec![("carol@localhost".into(), 1)]
    );
}

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
fn settings_and_pins_round_trip_and_persist() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        let store = Store::open(&path).unwrap();
        store
            .set_setting("presence", &serde_json::json!({"show": "away"}))
            .unwrap();
        store.pin_certificate(ACC, "AA:BB", 1).unwrap();
        store.pin_certificate(ACC, "CC:DD", 2).unwrap();
        store
            .insert_message(
                ACC,
                &msg("bob@localhost", Direction::Incoming, "persist me", "p"),
            )
            .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let v: Option<serde_json::Value> = store.setting("presence").unwrap();
    assert_eq!(v.unwrap()["show"], "away");
    assert_eq!(
        store.pinned_certificate(ACC).unwrap().as_deref(),
        Some("CC:DD")
    );
    assert_eq!(
        store.history(ACC, "bob@localhost", None, 10).unwrap()[0].body,
        "persist me"
    );
    store.remove_setting("presence").unwrap();
    assert!(store
        .setting::<serde_json::Value>("presence")
        .unwrap()
        .is_none());
}

#[test]
fn fts_query_neutralises_syntax() {
    use crate::messages::fts_query;
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
fn orders_by_time_when_older_archive_pages_arrive_later() {
    let (_d, store) = temp_store();
    let at = |body: &str, ts: i64, placement: Placement| NewMessage {
        timestamp: ts,
        placement,
        ..msg("bob@localhost", Direction::Incoming, body, body)
    };
    store
        .insert_message(ACC, &at("new1", 5_000, Placement::Append))
        .unwrap();
    store
        .insert_message(ACC, &at("new2", 6_000, Placement::Append))
        .unwrap();
    // Archive backfill (newest first): older stamps, inserted later (higher row ids), keep
    // their time.
    store
        .insert_messages(
            ACC,
            &[
                at("old2", 2_000, Placement::Prepend),
                at("old1", 1_000, Placement::Prepend),
            ],
        )
        .unwrap();
    // A live arrival whose clock says earlier than what we have is placed last (arrival order).
    let Inserted::New(late) = store
        .insert_message(ACC, &at("live", 4_000, Placement::Append))
        .unwrap()
    else {
        panic!("new expected")
    };
    assert_eq!(
        late.timestamp, 4_000,
        "the stamp is kept; only the order is arrival order"
    );
    let bodies = |v: Vec<Message>| v.into_iter().map(|m| m.body).collect::<Vec<_>>();
    let all = store.history(ACC, "bob@localhost", None, 10).unwrap();
    assert_eq!(
        bodies(all.clone()),
        ["old1", "old2", "new1", "new2", "live"]
    );
    assert_eq!(
        bodies(
            store
                .history(ACC, "bob@localhost", Some(all[2].id), 10)
                .unwrap()
        ),
        ["old1", "old2"]
    );
    assert_eq!(
        store.oldest_time(ACC, "bob@localhost").unwrap(),
        Some(1_000)
    );
    // Around a search hit: the hit with its neighbours.
    let around = store.history_around(ACC, all[1].id, 4).unwrap();
    assert_eq!(bodies(around), ["old1", "old2", "new1", "new2"]);
    assert!(store
        .history_around("zed@localhost", all[1].id, 10)
        .unwrap()
        .is_empty());
    // Older pages with coarse (whole-second) stamps equal to the oldest stored time, given
    // newest first, go before it in archive order.
    store
        .insert_messages(
            ACC,
            &[
                at("older2", 1_000, Placement::Prepend),
                at("older1", 1_000, Placement::Prepend),
            ],
        )
        .unwrap();
    // Filling a gap below "new1" (order 5_000_000): the page comes newest first, its stamps
    // (whole seconds) do not matter, and it lands right below new1 in archive order.
    store
        .insert_messages(
            ACC,
            &[
                at("gap2", 5_000, Placement::Below(5_000_000)),
                at("gap1", 5_000, Placement::Below(5_000_000)),
            ],
        )
        .unwrap();
    let all = store.history(ACC, "bob@localhost", None, 20).unwrap();
    assert_eq!(
        bodies(all),
        ["older1", "older2", "old1", "old2", "gap1", "gap2", "new1", "new2", "live"]
    );
    assert_eq!(
        store
            .oldest_archived_since(ACC, "bob@localhost", 0)
            .unwrap(),
        None
    );
}

#[test]
fn markers_move_states_and_read_up_to_the_marked_message() {
    let (_d, store) = temp_store();
    let mut ids = Vec::new();
    for i in 0..3 {
        let Inserted::New(m) = store
            .insert_message(
                ACC,
                &msg(
                    "bob@localhost",
                    Direction::Outgoing,
                    "out",
                    &format!("o{i}"),
                ),
            )
            .unwrap()
        else {
            panic!()
        };
        ids.push(m.id);
    }
    store.set_state(ids[0], DeliveryState::Delivered).unwrap();
    store.set_state(ids[2], DeliveryState::Failed).unwrap();
    // Bob saw o1: o0 and o1 are displayed; the failed o2 stays failed.
    assert_eq!(
        store
            .mark_displayed_up_to(ACC, "bob@localhost", "o1")
            .unwrap(),
        vec![ids[0], ids[1]]
    );
    assert_eq!(
        store.message(ids[2]).unwrap().unwrap().state,
        DeliveryState::Failed
    );
    assert!(store
        .mark_displayed_up_to(ACC, "bob@localhost", "nope")
        .unwrap()
        .is_empty());
    assert!(
        !store.set_state(ids[0], DeliveryState::Delivered).unwrap(),
        "never backwards"
    );

    let mut incoming = Vec::new();
    for i in 0..3 {
        let m = NewMessage {
            stanza_xml_id: Some(format!("x{i}")),
            markable: i != 2,
            ..msg(
                "carol@localhost",
                Direction::Incoming,
                "hi",
                &format!("c{i}"),
            )
        };
        incoming.push(store.insert_message(ACC, &m).unwrap());
    }
    // The newest incoming message is not markable: no marker to send.
    assert_eq!(store.newest_markable(ACC, "carol@localhost").unwrap(), None);
    assert_eq!(
        store.newest_markable(ACC, "nobody@localhost").unwrap(),
        None
    );
    // Our phone displayed x1: two of three are read here too.
    assert_eq!(
        store.mark_read_up_to(ACC, "carol@localhost", "x1").unwrap(),
        2
    );
    assert_eq!(
        store.unread_counts(ACC).unwrap(),
        vec![("carol@localhost".to_string(), 1)]
    );
    assert_eq!(
        store
            .mark_read_up_to(ACC, "carol@localhost", "unknown")
            .unwrap(),
        0
    );
    store
        .insert_message(
            ACC,
            &NewMessage {
                stanza_xml_id: Some("x3".into()),
                ..msg("carol@localhost", Direction::Incoming, "hi", "c3")
            },
        )
        .unwrap();
    assert_eq!(
        store
            .newest_markable(ACC, "carol@localhost")
            .unwrap()
            .as_deref(),
        Some("x3")
    );
}

#[test]
fn archive_bookkeeping_tracks_newest_gaps_and_completeness() {
    let (_d, store) = temp_store();
    assert_eq!(store.archive_newest(ACC).unwrap(), None);
    store.set_archive_newest(ACC, "A5", 500).unwrap();
    store.set_archive_newest(ACC, "A3", 300).unwrap(); // older: ignored
    assert_eq!(store.archive_newest(ACC).unwrap(), Some(("A5".into(), 500)));
    store.set_archive_newest(ACC, "A9", 900).unwrap();
    assert_eq!(store.archive_newest(ACC).unwrap(), Some(("A9".into(), 900)));

    let gap = store.add_archive_gap(ACC, 1_000, 2_000, 7).unwrap();
    // Never empty: an end before the start (whole-second stamps, skewed clocks) is moved after it.
    let skewed = store
        .add_archive_gap("zed@localhost", 5_000, 4_000, 1)
        .unwrap();
    assert_eq!(
        store
            .archive_gaps("zed@localhost", "bob@localhost", 0, 9_000)
            .unwrap()[0]
            .end_ts,
        5_001
    );
    assert!(skewed > gap);
    let open = store.archive_gaps(ACC, "bob@localhost", 0, 5_000).unwrap();
    assert_eq!(
        open,
        vec![Gap {
            id: gap,
            start_ts: 1_000,
            end_ts: 2_000,
            anchor_ord: None,
            first_row_id: 7
        }]
    );
    assert!(store
        .archive_gaps(ACC, "bob@localhost", 2_500, 5_000)
        .unwrap()
        .is_empty());
    assert!(store
        .archive_gaps(ACC, "bob@localhost", 0, 900)
        .unwrap()
        .is_empty());
    // Bob's share filled down to 1500; Carol's untouched; then Bob's filled completely.
    store
        .fill_archive_gap(gap, "bob@localhost", 1_500, Some(1_500_000))
        .unwrap();
    assert_eq!(
        store.archive_gaps(ACC, "bob@localhost", 0, 5_000).unwrap()[0].end_ts,
        1_500
    );
    assert_eq!(
        store
            .archive_gaps(ACC, "carol@localhost", 0, 5_000)
            .unwrap()[0]
            .end_ts,
        2_000
    );
    store
        .fill_archive_gap(gap, "bob@localhost", 1_900, Some(1_900_000))
        .unwrap(); // never grows back
    let bob = store.archive_gaps(ACC, "bob@localhost", 0, 5_000).unwrap()[0];
    assert_eq!((bob.end_ts, bob.anchor_ord), (1_500, Some(1_500_000)));
    store
        .fill_archive_gap(gap, "bob@localhost", 1_000, None)
        .unwrap();
    assert!(store
        .archive_gaps(ACC, "bob@localhost", 0, 5_000)
        .unwrap()
        .is_empty());

    assert!(!store.archive_complete(ACC, "bob@localhost").unwrap());
    store.set_archive_complete(ACC, "bob@localhost").unwrap();
    store.set_archive_complete(ACC, "bob@localhost").unwrap();
    assert!(store.archive_complete(ACC, "bob@localhost").unwrap());
    assert!(!store.archive_complete(ACC, "carol@localhost").unwrap());
}

#[test]
fn corrections_replace_the_text_for_the_author_only_and_search_follows() {
    let (_d, store) = temp_store();
    let original = NewMessage {
        stanza_xml_id: Some("x1".into()),
        ..msg(
            "bob@localhost",
            Direction::Incoming,
            "meet at the old café",
            "o1",
        )
    };
    store.insert_message(ACC, &original).unwrap();
    // Someone else cannot rewrite Bob's message.
    assert_eq!(
        store
            .correct_message(ACC, "bob@localhost", "mallory@localhost", "x1", "hacked")
            .unwrap(),
        None
    );
    let fixed = store
        .correct_message(
            ACC,
            "bob@localhost",
            "bob@localhost",
            "x1",
            "meet at the new bistro",
        )
        .unwrap()
        .unwrap();
    assert!(fixed.edited);
    assert_eq!(fixed.body, "meet at the new bistro");
    assert!(
        store.search(ACC, "cafe", 10).unwrap().is_empty(),
        "old text no longer found"
    );
    let hits = store.search(ACC, "bistro", 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert!(hits[0].message.edited);
    assert_eq!(
        store
            .correct_message(ACC, "bob@localhost", "bob@localhost", "nope", "x")
            .unwrap(),
        None
    );
}

#[test]
fn outbox_heads_are_the_oldest_pending_message_per_contact() {
    let (_d, store) = temp_store();
    let mut ids = Vec::new();
    for (peer, origin) in [
        ("bob@localhost", "b1"),
        ("carol@localhost", "c1"),
        ("bob@localhost", "b2"),
    ] {
        let Inserted::New(m) = store
            .insert_message(ACC, &msg(peer, Direction::Outgoing, "x", origin))
            .unwrap()
        else {
            panic!()
        };
        ids.push(m.id);
    }
    let heads: Vec<i64> = store
        .pending_heads(ACC)
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(heads, vec![ids[0], ids[1]]);
    store.set_state(ids[0], DeliveryState::Sent).unwrap();
    assert_eq!(
        store
            .pending_head(ACC, "bob@localhost")
            .unwrap()
            .map(|m| m.id),
        Some(ids[2])
    );
    assert_eq!(store.pending_head(ACC, "dave@localhost").unwrap(), None);
}

#[test]
fn remembers_avatars_and_last_seen_without_going_back_in_time() {
    let store = Store::open_in_memory().unwrap();
    store
        .set_contact_avatar(ACC, "bob@x.org", Some("abc"))
        .unwrap();
    store
        .set_contact_last_seen(ACC, "bob@x.org", 2_000)
        .unwrap();
    store
        .set_contact_last_seen(ACC, "bob@x.org", 1_000)
        .unwrap();
    store.set_contact_last_seen(ACC, "carol@x.org", 5).unwrap();
    let infos = store.contact_infos(ACC).unwrap();
    assert_eq!(infos["bob@x.org"].avatar.as_deref(), Some("abc"));
    assert_eq!(infos["bob@x.org"].last_seen, Some(2_000));
    assert_eq!(infos["carol@x.org"].avatar, None);
    store.set_contact_avatar(ACC, "bob@x.org", None).unwrap();
    let infos = store.contact_infos(ACC).unwrap();
    assert_eq!(infos["bob@x.org"].avatar, None);
    assert_eq!(infos["bob@x.org"].last_seen, Some(2_000));
    assert!(store.contact_infos("other@x.org").unwrap().is_empty());
}

#[test]
fn lists_who_wrote_and_their_newest_message() {
    let store = Store::open_in_memory().unwrap();
    let mut m1 = msg("spam@x.org", Direction::Incoming, "buy now", "o1");
    m1.timestamp = 10;
    let mut m2 = msg("spam@x.org", Direction::Incoming, "really", "o2");
    m2.timestamp = 20;
    let m3 = msg("bob@x.org", Direction::Incoming, "hi", "o3");
    let m4 = msg("carol@x.org", Direction::Outgoing, "only mine", "o4");
    for m in [&m1, &m2, &m3, &m4] {
        store.insert_message(ACC, m).unwrap();
    }
    let mut peers = store.incoming_peers(ACC).unwrap();
    peers.sort();
    assert_eq!(peers, vec!["bob@x.org", "spam@x.org"]);
    let head = store.conversation_head(ACC, "spam@x.org").unwrap().unwrap();
    assert_eq!(head.last_body, "really");
    assert_eq!(head.last_ts, 20);
    assert_eq!(head.unread, 2);
    assert!(store
        .conversation_head(ACC, "carol@x.org")
        .unwrap()
        .is_none());
}

#[test]
fn a_gap_fill_below_rows_stamped_before_their_predecessor_stays_above_it() {
    // Live message at 10.900 s; the catch-up's rows carry whole-second archive stamps (10.000 s),
    // i.e. before it. Filling the gap below them must still land above the live message.
    let store = Store::open_in_memory().unwrap();
    let mut before = msg("bob@x.org", Direction::Incoming, "before the gap", "b0");
    before.timestamp = 10_900;
    store.insert_message(ACC, &before).unwrap();
    let mut first_held = None;
    for i in 0..3 {
        let mut m = msg(
            "bob@x.org",
            Direction::Incoming,
            &format!("held {i}"),
            &format!("h{i}"),
        );
        m.timestamp = 10_000;
        let Inserted::New(row) = store.insert_message(ACC, &m).unwrap() else {
            panic!("new")
        };
        first_held.get_or_insert(row.id);
    }
    let anchor: i64 = store
        .conn()
        .query_row(
            "SELECT ord FROM messages WHERE id = ?1",
            [first_held.unwrap()],
            |r| r.get(0),
        )
        .unwrap();
    let fill: Vec<NewMessage> = (0..5000)
        .rev()
        .map(|i| {
            let mut m = msg(
                "bob@x.org",
                Direction::Incoming,
                &format!("gap {i}"),
                &format!("g{i}"),
            );
            m.timestamp = 10_000;
            m.placement = Placement::Below(anchor);
            m
        })
        .collect();
    store.insert_messages(ACC, &fill).unwrap();
    let all = store.history(ACC, "bob@x.org", None, 10_000).unwrap();
    assert_eq!(all.len(), 5004);
    assert_eq!(all[0].body, "before the gap");
    assert_eq!(all[1].body, "gap 0");
    assert_eq!(all[5000].body, "gap 4999");
    assert_eq!(all[5001].body, "held 0");
}

#[test]
fn a_file_message_waits_in_the_outbox_until_its_upload_has_a_url() {
    use hallway_model::{Attachment, FileStatus};
    let (_d, store) = temp_store();
    let uploading = Attachment {
        url: None,
        name: "plan.pdf".into(),
        size: Some(42),
        mime: Some("application/pdf".into()),
        local_path: Some("/tmp/plan.pdf".into()),
        status: FileStatus::Uploading,
        error: None,
        direct: false,
    };
    let file = NewMessage {
        attachment: Some(uploading.clone()),
        ..msg("bob@localhost", Direction::Outgoing, "plan.pdf", "f1")
    };
    let Inserted::New(m) = store.insert_message(ACC, &file).unwrap() else {
        panic!("not inserted")
    };
    // A text typed after the file is not held up by its upload.
    store
        .insert_message(
            ACC,
            &msg("bob@localhost", Direction::Outgoing, "see the plan", "t1"),
        )
        .unwrap();
    let heads = store.pending_heads(ACC).unwrap();
    assert_eq!(heads.len(), 1);
    assert_eq!(heads[0].body, "see the plan");
    assert_eq!(store.interrupted_transfers(ACC).unwrap().len(), 1);

    let url = "https://up.example/f/plan.pdf";
    let done = Attachment {
        url: Some(url.into()),
        status: FileStatus::Uploaded,
        ..uploading
    };
    store.set_uploaded(m.id, url, &done).unwrap();
    let head = store.pending_head(ACC, "bob@localhost").unwrap().unwrap();
    assert_eq!(head.id, m.id);
    assert_eq!(head.body, url);
    assert_eq!(head.attachment, Some(done));
    assert!(store.interrupted_transfers(ACC).unwrap().is_empty());
    // Search finds it by its URL (the body) like any message.
    assert_eq!(store.search(ACC, "plan", 10).unwrap().len(), 2);
}

#[test]
fn finds_an_archived_message_by_stanza_id_or_its_authors_origin_id() {
    let (_d, store) = temp_store();
    let mut theirs = msg("bob@localhost", Direction::Incoming, "budget", "o-1");
    theirs.stanza_id = Some("A1".into());
    let Inserted::New(theirs) = store.insert_message(ACC, &theirs).unwrap() else {
        panic!("new")
    };
    let Inserted::New(ours) = store
        .insert_message(
            ACC,
            &msg("bob@localhost", Direction::Outgoing, "plan", "o-2"),
        )
        .unwrap()
    else {
        panic!("new")
    };
    let find = |peer: &str, sid: &str, origin: Option<&str>| {
        store.find_archived(ACC, peer, sid, origin).unwrap()
    };
    assert_eq!(find("bob@localhost", "A1", None), Some(theirs.id));
    // Our own message, stored before the server gave it an archive id.
    assert_eq!(find("bob@localhost", "A2", Some("o-2")), Some(ours.id));
    // Bob's message by its origin-id (a correction's hit names the message it replaces).
    assert_eq!(find("bob@localhost", "A3", Some("o-1")), Some(theirs.id));
    // An origin-id only counts within its chat and from its author (anyone can pick one).
    assert_eq!(find("carol@localhost", "A1", Some("o-2")), None);
    let mut forged = msg("carol@localhost", Direction::Incoming, "x", "o-2");
    forged.sender = "mallory@localhost".into();
    store.insert_message(ACC, &forged).unwrap();
    assert_eq!(find("carol@localhost", "A4", Some("o-2")), None);
    assert_eq!(find("bob@localhost", "A9", None), None);
}

#[test]
fn remembers_which_outbox_rows_went_out_unacknowledged() {
    let (_d, store) = temp_store();
    let ins = |body: &str, origin: &str| match store
        .insert_message(
            ACC,
            &msg("bob@localhost", Direction::Outgoing, body, origin),
        )
        .unwrap()
    {
        Inserted::New(m) => m,
        other => panic!("{other:?}"),
    };
    let (a, b, c) = (ins("a", "oa"), ins("b", "ob"), ins("c", "oc"));
    assert!(store.unacknowledged(ACC).unwrap().is_empty());
    store.set_transmitted(a.id, 1_000).unwrap();
    store.set_transmitted(b.id, 2_000).unwrap();
    // Acknowledged by the server: no longer in doubt.
    store.set_state(b.id, DeliveryState::Sent).unwrap();
    let doubt = store.unacknowledged(ACC).unwrap();
    assert_eq!(doubt.len(), 1);
    assert_eq!(
        (doubt[0].0.id, doubt[0].0.origin_id.as_str(), doubt[0].1),
        (a.id, "oa", 1_000)
    );
    // Never transmitted: simply pending, not in doubt.
    assert!(doubt.iter().all(|(m, _)| m.id != c.id));
    assert!(store.unacknowledged("other@localhost").unwrap().is_empty());
}

#[test]
fn a_strangers_conversation_keeps_only_its_newest_messages() {
    let (_d, store) = temp_store();
    for i in 0..30 {
        store
            .insert_message(
                ACC,
                &msg(
                    "stranger@elsewhere",
                    Direction::Incoming,
                    &format!("spam {i}"),
                    &format!("s{i}"),
                ),
            )
            .unwrap();
    }
    store
        .insert_message(
            ACC,
            &msg("bob@localhost", Direction::Incoming, "keep me", "k1"),
        )
        .unwrap();
    // What we wrote to them (our reply, still waiting in the outbox) is never dropped.
    store
        .insert_message(
            ACC,
            &msg(
                "stranger@elsewhere",
                Direction::Outgoing,
                "who are you?",
                "o1",
            ),
        )
        .unwrap();
    assert_eq!(
        store
            .trim_conversation(ACC, "stranger@elsewhere", 10)
            .unwrap(),
        20
    );
    let left = store.history(ACC, "stranger@elsewhere", None, 100).unwrap();
    let bodies: Vec<&str> = left.iter().map(|m| m.body.as_str()).collect();
    let mut expected: Vec<String> = (20..30).map(|i| format!("spam {i}")).collect();
    expected.push("who are you?".into());
    assert_eq!(bodies, expected);
    assert_eq!(store.pending(ACC).unwrap().len(), 1);
    assert_eq!(
        store
            .history(ACC, "bob@localhost", None, 100)
            .unwrap()
            .len(),
        1
    );
    // Search forgets the dropped ones too.
    assert!(store.search(ACC, "spam", 100).unwrap().len() == 10);
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
