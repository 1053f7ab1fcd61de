//! Read state: unread counts and XEP-0333 markers.

use super::*;

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
