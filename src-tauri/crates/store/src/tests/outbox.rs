//! The outbox: delivery states, heads per conversation, transmissions in doubt.

use super::*;

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
fn a_bounce_fails_even_an_acknowledged_message_and_a_room_refusal_requeues_it() {
    let (_d, store) = temp_store();
    let ins = |origin: &str| match store
        .insert_message(
            ACC,
            &msg("r@rooms.localhost", Direction::Outgoing, "x", origin),
        )
        .unwrap()
    {
        Inserted::New(m) => m.id,
        _ => panic!(),
    };
    let (a, b, c) = (ins("oa"), ins("ob"), ins("oc"));
    // Acknowledged, then bounced: failed all the same.
    store.set_state(a, DeliveryState::Sent).unwrap();
    assert!(store.bounce(a).unwrap());
    assert_eq!(
        store.message(a).unwrap().unwrap().state,
        DeliveryState::Failed
    );
    assert!(!store.bounce(a).unwrap(), "already failed");
    // A delivered message is never failed by a late bounce.
    store.set_state(b, DeliveryState::Delivered).unwrap();
    assert!(!store.bounce(b).unwrap());
    assert!(!store.requeue(b).unwrap());
    assert_eq!(
        store.message(b).unwrap().unwrap().state,
        DeliveryState::Delivered
    );
    // Transmitted and acknowledged, then refused by the room: pending, never transmitted.
    store.set_transmitted(c, 1_000).unwrap();
    store.set_state(c, DeliveryState::Sent).unwrap();
    assert!(
        store.requeue(c).unwrap(),
        "sent → pending is a change the UI hears of"
    );
    assert_eq!(
        store.message(c).unwrap().unwrap().state,
        DeliveryState::Pending
    );
    assert!(
        store.unacknowledged(ACC).unwrap().is_empty(),
        "not in doubt"
    );
    assert_eq!(
        store
            .pending_head(ACC, "r@rooms.localhost")
            .unwrap()
            .map(|m| m.id),
        Some(c)
    );
    assert!(
        !store.requeue(c).unwrap(),
        "already pending: no change to tell"
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
