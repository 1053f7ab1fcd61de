//! The outbox's unit tests: order, doubt after a reset, bounces, a room's refusal.

use super::*;
use crate::live::testing::{insert, row, ME};
use hallway_model::Direction;

fn store() -> Store {
    Store::open_in_memory().unwrap()
}

fn write(store: &Store, peer: &str, body: &str) -> Message {
    let origin = format!("o-{body}");
    insert(
        store,
        &row(
            peer,
            Direction::Outgoing,
            body,
            &origin,
            1_000,
            DeliveryState::Pending,
        ),
    )
}

fn bodies(t: &[Transmit]) -> Vec<&str> {
    t.iter().map(|t| t.message.body.as_str()).collect()
}

#[test]
fn one_message_in_flight_per_contact_in_order() {
    let s = store();
    let mut o = Outbox::default();
    write(&s, "bob@x.org", "b1");
    write(&s, "bob@x.org", "b2");
    write(&s, "carol@x.org", "c1");
    let first = o.pump(&s, ME, None, 10, &|_| false);
    assert_eq!(bodies(&first), vec!["b1", "c1"]);
    // Nothing more while those are in flight.
    assert!(o.pump(&s, ME, None, 11, &|_| false).is_empty());
    // Bob's is acknowledged: it is `sent` and his next one goes.
    let mut out = Out::default();
    let b1 = &first[0];
    assert_eq!(
        o.on_outcome(&s, b1.message.id, b1.seq, true, &mut out)
            .as_deref(),
        Some("bob@x.org")
    );
    assert_eq!(
        s.message(b1.message.id).unwrap().unwrap().state,
        DeliveryState::Sent
    );
    assert!(matches!(
        out.events[..],
        [CoreEvent::MessageStateChanged {
            state: DeliveryState::Sent,
            ..
        }]
    ));
    assert_eq!(
        bodies(&o.pump(&s, ME, Some("bob@x.org"), 12, &|_| false)),
        vec!["b2"]
    );
}

#[test]
fn a_lost_transmission_is_not_sent_again_before_the_archive_was_asked() {
    let s = store();
    let mut o = Outbox::default();
    let m = write(&s, "bob@x.org", "hello");
    let t = o.pump(&s, ME, None, 5_000, &|_| false);
    assert_eq!(
        s.unacknowledged(ME).unwrap()[0].1,
        5_000,
        "transmission recorded"
    );
    // The stream lost it: it stays pending, and does not go out again by itself.
    let mut out = Out::default();
    assert!(o.on_outcome(&s, m.id, t[0].seq, false, &mut out).is_some());
    assert_eq!(
        s.message(m.id).unwrap().unwrap().state,
        DeliveryState::Pending
    );
    // A fresh session: it is in doubt, its conversation waits.
    let doubt = o.on_reset(&s, ME, &HashSet::new());
    assert_eq!(
        doubt,
        vec![Doubt {
            peer: "bob@x.org".into(),
            since_ms: 5_000,
            origin_ids: ["o-hello".to_string()].into(),
        }]
    );
    assert!(o.is_verifying("bob@x.org"));
    assert!(o.pump(&s, ME, None, 6_000, &|_| false).is_empty());
    // The archive had it: sent, never transmitted again.
    o.found_in_archive(&s, ME, "bob@x.org", &["o-hello".into()], &mut out);
    assert!(o.end_verify("bob@x.org"));
    assert_eq!(s.message(m.id).unwrap().unwrap().state, DeliveryState::Sent);
    assert!(o.pump(&s, ME, None, 7_000, &|_| false).is_empty());
}

#[test]
fn what_the_archive_lacks_goes_out_again_first() {
    let s = store();
    let mut o = Outbox::default();
    let lost = write(&s, "bob@x.org", "lost");
    write(&s, "bob@x.org", "later");
    let t = o.pump(&s, ME, None, 1, &|_| false);
    // The old stream dropped it (its token is gone at the reset).
    let doubt = o.on_reset(&s, ME, &[lost.id].into());
    assert_eq!(doubt.len(), 1);
    // A late report of that old transmission changes nothing.
    let mut out = Out::default();
    assert!(o
        .on_outcome(&s, lost.id, t[0].seq, true, &mut out)
        .is_none());
    assert!(out.events.is_empty());
    // The archive does not have it: it is the first to go again, same origin-id.
    assert!(o.end_verify("bob@x.org"));
    let again = o.pump(&s, ME, None, 2, &|_| false);
    assert_eq!(bodies(&again), vec!["lost"]);
    assert_eq!(again[0].message.origin_id, "o-lost");
    assert!(again[0].seq > t[0].seq);
}

#[test]
fn a_message_still_queued_at_a_reset_is_not_in_doubt() {
    let s = store();
    let mut o = Outbox::default();
    write(&s, "bob@x.org", "queued");
    o.pump(&s, ME, None, 1, &|_| false);
    // Its token is alive (the new stream will send it): nothing to ask, nothing to resend.
    assert!(o.on_reset(&s, ME, &HashSet::new()).is_empty());
    assert!(o.pump(&s, ME, None, 2, &|_| false).is_empty());
}

#[test]
fn rows_a_crashed_run_transmitted_are_in_doubt_after_a_restart() {
    let s = store();
    let m = write(&s, "bob@x.org", "before the crash");
    s.set_transmitted(m.id, 42).unwrap();
    let mut o = Outbox::default();
    let doubt = o.on_reset(&s, ME, &HashSet::new());
    assert_eq!(doubt[0].since_ms, 42);
    // Never transmitted at all: simply sent.
    let fresh = Outbox::default().on_reset(&store(), ME, &HashSet::new());
    assert!(fresh.is_empty());
}

#[test]
fn a_bounced_message_fails_and_the_next_one_goes() {
    let s = store();
    let mut o = Outbox::default();
    let m = write(&s, "bob@x.org", "b1");
    write(&s, "bob@x.org", "b2");
    o.pump(&s, ME, None, 1, &|_| false);
    let mut out = Out::default();
    o.bounced(&s, ME, "bob@x.org", &m.origin_id, &mut out);
    assert_eq!(
        s.message(m.id).unwrap().unwrap().state,
        DeliveryState::Failed
    );
    assert_eq!(bodies(&o.pump(&s, ME, None, 2, &|_| false)), vec!["b2"]);
}

#[test]
fn a_message_a_room_refused_for_not_having_us_goes_again_once() {
    let s = store();
    let mut o = Outbox::default();
    let room = "team@rooms.x.org";
    let m = write(&s, room, "r1");
    let t = o.pump(&s, ME, None, 1, &|_| false);
    // The server acknowledged it (XEP-0198), then the room refused it (§7.4).
    let mut out = Out::default();
    o.on_outcome(&s, m.id, t[0].seq, true, &mut out);
    let mut out = Out::default();
    assert_eq!(
        o.refused_by_room(&s, ME, room, &m.origin_id, &mut out),
        Refused::Requeued
    );
    assert!(matches!(
        out.events[..],
        [CoreEvent::MessageStateChanged { id, state: DeliveryState::Pending }] if id == m.id
    ));
    // Held while the room is rejoined, then it goes again, same origin-id.
    assert!(o.pump(&s, ME, None, 2, &|p| p == room).is_empty());
    let again = o.pump(&s, ME, None, 3, &|_| false);
    assert_eq!(bodies(&again), vec!["r1"]);
    // Refused a second time: failed, no loop.
    let mut out = Out::default();
    assert_eq!(
        o.refused_by_room(&s, ME, room, &m.origin_id, &mut out),
        Refused::Failed
    );
    assert_eq!(
        s.message(m.id).unwrap().unwrap().state,
        DeliveryState::Failed
    );
    assert_eq!(
        o.refused_by_room(&s, ME, room, "o-nothing", &mut out),
        Refused::Unknown
    );
    // The user's Retry gets its own rejoin: refused once more, it waits again.
    s.set_state(m.id, DeliveryState::Pending).unwrap();
    o.pump(&s, ME, None, 4, &|_| false);
    assert_eq!(
        o.refused_by_room(&s, ME, room, &m.origin_id, &mut out),
        Refused::Requeued
    );
}

#[test]
fn a_message_a_room_refused_for_another_reason_fails_even_after_the_ack() {
    let s = store();
    let mut o = Outbox::default();
    let room = "team@rooms.x.org";
    let m = write(&s, room, "r1");
    let t = o.pump(&s, ME, None, 1, &|_| false);
    let mut out = Out::default();
    o.on_outcome(&s, m.id, t[0].seq, true, &mut out);
    assert_eq!(s.message(m.id).unwrap().unwrap().state, DeliveryState::Sent);
    let mut out = Out::default();
    assert!(o.failed_in_room(&s, ME, room, &m.origin_id, &mut out));
    assert_eq!(
        s.message(m.id).unwrap().unwrap().state,
        DeliveryState::Failed
    );
    assert!(!o.failed_in_room(&s, ME, room, "o-subject", &mut out));
}

#[test]
fn a_file_waits_until_its_upload_has_a_url() {
    let s = store();
    let mut o = Outbox::default();
    let mut new = row(
        "bob@x.org",
        Direction::Outgoing,
        "plan.pdf",
        "f1",
        1,
        DeliveryState::Pending,
    );
    new.attachment = Some(hallway_model::Attachment {
        url: None,
        name: "plan.pdf".into(),
        size: Some(3),
        mime: None,
        local_path: None,
        status: hallway_model::FileStatus::Uploading,
        error: None,
        direct: false,
    });
    let f = insert(&s, &new);
    assert!(o.pump(&s, ME, None, 1, &|_| false).is_empty());
    let mut a = f.attachment.clone().unwrap();
    a.url = Some("https://up/x/plan.pdf".into());
    s.set_uploaded(f.id, "https://up/x/plan.pdf", &a).unwrap();
    // Its body is the URL now (XEP-0363: what other clients show).
    assert_eq!(
        bodies(&o.pump(&s, ME, None, 2, &|_| false)),
        vec!["https://up/x/plan.pdf"]
    );
}

#[test]
fn pumping_one_conversation_leaves_the_others_queued() {
    let s = store();
    let mut o = Outbox::default();
    write(&s, "bob@x.org", "b1");
    write(&s, "carol@x.org", "c1");
    assert_eq!(
        bodies(&o.pump(&s, ME, Some("carol@x.org"), 1, &|_| false)),
        vec!["c1"]
    );
    // Bob's was not taken: it goes at the next general pump.
    assert_eq!(bodies(&o.pump(&s, ME, None, 2, &|_| false)), vec!["b1"]);
}

#[test]
fn a_conversation_in_doubt_does_not_hold_the_others() {
    let s = store();
    let mut o = Outbox::default();
    let m = write(&s, "bob@x.org", "b1");
    s.set_transmitted(m.id, 10).unwrap();
    write(&s, "carol@x.org", "c1");
    let doubt = o.on_reset(&s, ME, &HashSet::new());
    assert_eq!(doubt.len(), 1, "only Bob's conversation is in doubt");
    assert_eq!(bodies(&o.pump(&s, ME, None, 20, &|_| false)), vec!["c1"]);
    // A second answer for the same conversation changes nothing.
    assert!(o.end_verify("bob@x.org"));
    assert!(!o.end_verify("bob@x.org"));
}

#[test]
fn an_acknowledged_message_is_not_in_doubt_after_a_reset() {
    let s = store();
    let mut o = Outbox::default();
    write(&s, "bob@x.org", "b1");
    let t = o.pump(&s, ME, None, 1, &|_| false);
    let mut out = Out::default();
    o.on_outcome(&s, t[0].message.id, t[0].seq, true, &mut out);
    assert!(o.on_reset(&s, ME, &HashSet::new()).is_empty());
    assert!(!o.is_verifying("bob@x.org"));
}

#[test]
fn a_bounce_for_a_message_we_never_sent_changes_nothing() {
    let s = store();
    let mut o = Outbox::default();
    let m = write(&s, "bob@x.org", "b1");
    o.pump(&s, ME, None, 1, &|_| false);
    let mut out = Out::default();
    // Someone else's origin-id, or the right one from the wrong conversation.
    o.bounced(&s, ME, "bob@x.org", "not-ours", &mut out);
    o.bounced(&s, ME, "carol@x.org", &m.origin_id, &mut out);
    assert!(out.events.is_empty());
    assert_eq!(
        s.message(m.id).unwrap().unwrap().state,
        DeliveryState::Pending
    );
    assert!(
        o.pump(&s, ME, None, 2, &|_| false).is_empty(),
        "still in flight"
    );
}
