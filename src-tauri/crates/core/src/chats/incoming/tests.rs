//! The chats part without a server: storing, receipts to contacts only, corrections, marks,
//! bounces, the stranger quota and archive pages.

use super::*;
use crate::live::testing::{message, xml, Bench, ME};
use crate::people::state::Me;
use hallway_model::Subscription;
use hallway_protocol::rfc6121_roster::RosterItem;

fn people(b: &mut Bench, contacts: &[&str]) -> People {
    let mut p = People::new(&b.store, ME, Me::default());
    let items = contacts
        .iter()
        .map(|j| RosterItem {
            jid: j.to_string(),
            name: None,
            groups: Vec::new(),
            subscription: Subscription::Both,
            pending_out: false,
            removed: false,
        })
        .collect();
    let now = tokio::time::Instant::now();
    p.on_roster(&b.store, items, &mut b.out, &mut b.batch, now);
    b.events();
    p
}

fn chats() -> Chats {
    Chats::new(ServerFacts { stanza_ids: true }, 900_000)
}

/// Runs a live message through the part (storing it as the actor would).
fn arrive(
    b: &mut Bench,
    c: &mut Chats,
    p: &mut People,
    o: &mut Outbox,
    xml: &str,
) -> Option<String> {
    let mut cx = b.cx();
    match c.on_message(&mut cx, p, o, message(xml)) {
        Arrived::Chat(m) => {
            c.store_live(&mut cx, p, m, true);
            None
        }
        Arrived::Bounced(peer) => Some(peer),
        Arrived::Done => None,
    }
}

fn history(b: &Bench, peer: &str) -> Vec<hallway_model::Message> {
    b.store.history(ME, peer, None, 500).unwrap()
}

fn receipts(sent: &[tokio_xmpp::minidom::Element]) -> Vec<String> {
    sent.iter()
        .map(xml)
        .filter(|x| x.contains("urn:xmpp:receipts") && x.contains("received"))
        .collect()
}

#[test]
fn a_live_message_is_stored_once_counted_and_notified() {
    let mut b = Bench::new();
    let mut p = people(&mut b, &["bob@x.org"]);
    let (mut c, mut o) = (chats(), Outbox::default());
    let m = "<message from='bob@x.org/phone' type='chat' id='m1'><body>Lunch?</body>\
             <stanza-id xmlns='urn:xmpp:sid:0' id='arch-1' by='me@x.org'/></message>";
    arrive(&mut b, &mut c, &mut p, &mut o, m);
    arrive(&mut b, &mut c, &mut p, &mut o, m);
    assert_eq!(history(&b, "bob@x.org").len(), 1, "the copy is dropped");
    assert_eq!(b.store.archive_newest(ME).unwrap().unwrap().0, "arch-1");
    let events = b.events();
    assert!(matches!(&events[0], CoreEvent::MessagesReceived(ms) if ms.len() == 1));
    assert!(events
        .iter()
        .any(|e| matches!(e, CoreEvent::UnreadChanged(u) if u[0].unread == 1)));
    assert!(events
        .iter()
        .any(|e| matches!(e, CoreEvent::NotificationRequested(_))));
}

#[test]
fn receipts_go_to_contacts_and_wait_for_the_roster() {
    let mut b = Bench::new();
    let mut c = chats();
    let mut o = Outbox::default();
    // Before the roster is known: nobody gets one yet.
    let mut p = People::new(&b.store, ME, Me::default());
    let ask = |from: &str, id: &str| {
        format!("<message from='{from}/r' type='chat' id='{id}'><body>hi</body><request xmlns='urn:xmpp:receipts'/></message>")
    };
    arrive(&mut b, &mut c, &mut p, &mut o, &ask("bob@x.org", "b1"));
    arrive(&mut b, &mut c, &mut p, &mut o, &ask("eve@y.org", "e1"));
    assert!(receipts(&b.sent()).is_empty());
    // The roster arrives: Bob (a contact) gets his, Eve (a stranger) never does.
    let items = vec![RosterItem {
        jid: "bob@x.org".into(),
        name: None,
        groups: Vec::new(),
        subscription: Subscription::Both,
        pending_out: false,
        removed: false,
    }];
    p.on_roster(
        &b.store,
        items,
        &mut b.out,
        &mut b.batch,
        tokio::time::Instant::now(),
    );
    c.send_deferred_receipts(&mut b.cx(), &p);
    let sent = receipts(&b.sent());
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0].contains("bob@x.org") && sent[0].contains("b1"),
        "{sent:?}"
    );
    arrive(&mut b, &mut c, &mut p, &mut o, &ask("eve@y.org", "e2"));
    assert!(receipts(&b.sent()).is_empty());
}

#[test]
fn a_backdated_live_message_is_no_older_than_our_last_session() {
    let mut b = Bench::new();
    // Our previous session ended in 2023; it is 2027 now.
    b.now_ms = 1_800_000_000_000;
    let mut p = people(&mut b, &["bob@x.org"]);
    let (mut c, mut o) = (
        Chats::new(ServerFacts { stanza_ids: true }, 1_700_000_000_000),
        Outbox::default(),
    );
    arrive(
        &mut b,
        &mut c,
        &mut p,
        &mut o,
        "<message from='bob@x.org/r' type='chat'><body>old?</body>\
         <delay xmlns='urn:xmpp:delay' from='x.org' stamp='2001-01-01T00:00:00Z'/></message>",
    );
    assert_eq!(
        history(&b, "bob@x.org")[0].timestamp,
        1_700_000_000_000,
        "clamped to the previous session"
    );
    let events = b.events();
    assert!(events
        .iter()
        .any(|e| matches!(e, CoreEvent::NotificationRequested(_))));
}

#[test]
fn corrections_replace_the_authors_text_in_place() {
    let mut b = Bench::new();
    let mut p = people(&mut b, &["bob@x.org"]);
    let (mut c, mut o) = (chats(), Outbox::default());
    b.stored("bob@x.org", Direction::Incoming, "Meeting at 3", "m1");
    arrive(
        &mut b,
        &mut c,
        &mut p,
        &mut o,
        "<message from='bob@x.org/r' type='chat' id='m2'><body>Meeting at 4</body>\
         <replace xmlns='urn:xmpp:message-correct:0' id='m1'/></message>",
    );
    let h = history(&b, "bob@x.org");
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].body, "Meeting at 4");
    assert!(matches!(&b.events()[..], [CoreEvent::MessageCorrected(m)] if m.edited));
}

#[test]
fn receipts_and_markers_move_our_messages_on() {
    let mut b = Bench::new();
    let mut p = people(&mut b, &["bob@x.org"]);
    let (mut c, mut o) = (chats(), Outbox::default());
    let first = b.stored("bob@x.org", Direction::Outgoing, "one", "o1");
    let second = b.stored("bob@x.org", Direction::Outgoing, "two", "o2");
    arrive(
        &mut b,
        &mut c,
        &mut p,
        &mut o,
        "<message from='bob@x.org/r'><received xmlns='urn:xmpp:receipts' id='o1'/></message>",
    );
    assert_eq!(
        b.store.message(first.id).unwrap().unwrap().state,
        DeliveryState::Delivered
    );
    arrive(&mut b, &mut c, &mut p, &mut o, "<message from='bob@x.org/r' type='chat'><displayed xmlns='urn:xmpp:chat-markers:0' id='o2'/></message>");
    for m in [&first, &second] {
        assert_eq!(
            b.store.message(m.id).unwrap().unwrap().state,
            DeliveryState::Displayed
        );
    }
    // Our other device read Bob's message: the conversation is read here too.
    let theirs = b.stored("bob@x.org", Direction::Incoming, "three", "i3");
    assert!(b.store.is_unread(theirs.id).unwrap());
    c.apply_read_positions(&mut b.cx(), vec![("bob@x.org".into(), "i3".into())]);
    let _ = &mut o;
    // XEP-0490 positions name stanza-ids; the stored message has none, so the marker by the
    // carbon is the way here.
    arrive(
        &mut b,
        &mut c,
        &mut p,
        &mut o,
        "<message from='me@x.org' to='me@x.org/h'><sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>\
         <message xmlns='jabber:client' from='me@x.org/phone' to='bob@x.org' type='chat'>\
         <displayed xmlns='urn:xmpp:chat-markers:0' id='i3'/></message></forwarded></sent></message>",
    );
    assert!(!b.store.is_unread(theirs.id).unwrap());
}

#[test]
fn a_bounced_receipt_is_sent_again_a_few_times_and_a_bounced_message_fails() {
    let mut b = Bench::new();
    let mut p = people(&mut b, &["bob@x.org"]);
    let (mut c, mut o) = (chats(), Outbox::default());
    arrive(&mut b, &mut c, &mut p, &mut o, "<message from='bob@x.org/r' type='chat' id='b9'><body>x</body><request xmlns='urn:xmpp:receipts'/></message>");
    let receipt = b
        .sent()
        .into_iter()
        .find(|e| xml(e).contains("received"))
        .unwrap();
    let rid = receipt.attr("id").unwrap().to_string();
    let bounce = format!(
        "<message from='bob@x.org' type='error' id='{rid}'><error type='cancel'><recipient-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>"
    );
    for _ in 0..5 {
        assert_eq!(arrive(&mut b, &mut c, &mut p, &mut o, &bounce), None);
    }
    assert_eq!(b.sent().len(), 3, "sent again three times, then given up");
    // One of our messages bouncing: it failed, and the conversation's next may go.
    let mine = crate::outbox::writer::tests::pending(&b.store, "bob@x.org", "hello", "o-1");
    let peer = arrive(
        &mut b,
        &mut c,
        &mut p,
        &mut o,
        "<message from='bob@x.org' type='error' id='o-1'><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>",
    );
    assert_eq!(peer.as_deref(), Some("bob@x.org"));
    assert_eq!(
        b.store.message(mine.id).unwrap().unwrap().state,
        DeliveryState::Failed
    );
}

#[test]
fn a_strangers_conversation_keeps_its_newest_incoming_messages() {
    let mut b = Bench::new();
    let mut p = people(&mut b, &["bob@x.org"]);
    let (mut c, mut o) = (chats(), Outbox::default());
    b.stored("eve@y.org", Direction::Outgoing, "who is this?", "mine");
    for i in 0..(STRANGER_QUOTA + 5) {
        arrive(
            &mut b,
            &mut c,
            &mut p,
            &mut o,
            &format!(
                "<message from='eve@y.org/r' type='chat' id='s{i}'><body>buy {i}</body></message>"
            ),
        );
    }
    let h = history(&b, "eve@y.org");
    let incoming = h
        .iter()
        .filter(|m| m.direction == Direction::Incoming)
        .count();
    assert_eq!(incoming, STRANGER_QUOTA as usize);
    assert!(
        h.iter().any(|m| m.body == "who is this?"),
        "what we wrote stays"
    );
    assert_eq!(
        h.iter()
            .find(|m| m.direction == Direction::Incoming)
            .unwrap()
            .body,
        "buy 5"
    );
    // A contact has no quota.
    for i in 0..(STRANGER_QUOTA + 5) {
        arrive(
            &mut b,
            &mut c,
            &mut p,
            &mut o,
            &format!(
                "<message from='bob@x.org/r' type='chat' id='c{i}'><body>ok {i}</body></message>"
            ),
        );
    }
    assert_eq!(history(&b, "bob@x.org").len(), STRANGER_QUOTA as usize + 5);
}

fn archived(id: &str, xml_msg: &str, stamp: i64) -> ArchivedMessage {
    ArchivedMessage {
        query_id: "q".into(),
        archive_id: id.into(),
        stamp_ms: Some(stamp),
        message: message(xml_msg),
    }
}

#[test]
fn a_catch_up_answers_receipts_for_new_messages_only_and_applies_marks() {
    let mut b = Bench::new();
    let mut p = people(&mut b, &["bob@x.org"]);
    let mut c = chats();
    let ours = b.stored("bob@x.org", Direction::Outgoing, "sent before", "o1");
    let items = vec![
        archived("A1", "<message from='bob@x.org/r' to='me@x.org' type='chat' id='n1'><body>new</body><request xmlns='urn:xmpp:receipts'/></message>", 950_000),
        archived("A2", "<message from='bob@x.org/r' to='me@x.org' type='chat'><received xmlns='urn:xmpp:receipts' id='o1'/></message>", 950_001),
    ];
    let (n, oldest) = c
        .ingest(&mut b.cx(), &mut p, items.clone(), Placement::Append, true)
        .unwrap();
    assert_eq!((n, oldest), (1, Some(950_000)));
    assert_eq!(receipts(&b.sent()).len(), 1);
    assert_eq!(
        b.store.message(ours.id).unwrap().unwrap().state,
        DeliveryState::Delivered
    );
    // The same page again (a re-fetch): nothing new, no receipt twice.
    let (n, _) = c
        .ingest(&mut b.cx(), &mut p, items, Placement::Append, true)
        .unwrap();
    assert_eq!(n, 0);
    assert!(receipts(&b.sent()).is_empty());
}

#[test]
fn older_pages_go_before_what_is_stored_and_are_not_notified() {
    let mut b = Bench::new();
    let mut p = people(&mut b, &["bob@x.org"]);
    let mut c = chats();
    b.stored("bob@x.org", Direction::Incoming, "newest", "x");
    let items = vec![
        archived(
            "A1",
            "<message from='bob@x.org/r' to='me@x.org' type='chat'><body>first</body></message>",
            100,
        ),
        archived(
            "A2",
            "<message from='bob@x.org/r' to='me@x.org' type='chat'><body>second</body></message>",
            200,
        ),
    ];
    c.ingest(&mut b.cx(), &mut p, items, Placement::Prepend, false)
        .unwrap();
    let bodies: Vec<String> = history(&b, "bob@x.org")
        .into_iter()
        .map(|m| m.body)
        .collect();
    assert_eq!(bodies, vec!["first", "second", "newest"]);
    assert!(!b
        .events()
        .iter()
        .any(|e| matches!(e, CoreEvent::NotificationRequested(_))));
}

#[test]
fn stanza_ids_are_believed_only_from_a_server_that_stamps_them() {
    let mut b = Bench::new();
    let mut p = people(&mut b, &["bob@x.org"]);
    let mut o = Outbox::default();
    let mut c = Chats::new(ServerFacts::default(), 0);
    arrive(&mut b, &mut c, &mut p, &mut o, "<message from='bob@x.org/r' type='chat'><body>hi</body><stanza-id xmlns='urn:xmpp:sid:0' id='forged' by='me@x.org'/></message>");
    assert_eq!(
        b.store.archive_newest(ME).unwrap(),
        None,
        "a forged id does not move the pointer"
    );
}

#[test]
fn markers_and_owed_receipts_go_to_contacts_only() {
    let mut b = Bench::new();
    let p = people(&mut b, &["bob@x.org"]);
    let mut c = chats();
    c.mark_displayed(&mut b.cx(), &p, &BareJid::new("eve@y.org").unwrap(), "e1");
    assert!(b.sent().is_empty());
    c.mark_displayed(&mut b.cx(), &p, &BareJid::new("bob@x.org").unwrap(), "b1");
    assert!(xml(&b.sent()[0]).contains("displayed"));
    // Receipts we owe (messages of the last minutes that asked): only contacts get them again.
    b.now_ms = 600_000;
    b.stored("bob@x.org", Direction::Incoming, "x", "b2");
    b.stored("eve@y.org", Direction::Incoming, "y", "e2");
    c.resend_owed_receipts(&mut b.cx(), &p);
    let sent = receipts(&b.sent());
    assert_eq!(sent.len(), 1);
    assert!(sent[0].contains("bob@x.org"));
}
