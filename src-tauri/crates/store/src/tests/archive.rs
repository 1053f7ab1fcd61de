//! Archive bookkeeping: newest id, gaps, completeness, finding archived messages.

use super::*;

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
