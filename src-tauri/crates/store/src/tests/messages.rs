//! Messages: insert and de-duplication, conversation order, paging, corrections, quotas.

use super::*;

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
