//! One-to-one messages: round trip stored in SQLite on both sides, receipts, carbons to a second
//! device, hostile bodies kept as text.

use hallway_core::CoreEvent;
use hallway_model::{DeliveryState, Direction};

use crate::support::client::Client;
use crate::support::prosody::Prosody;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_trip_both_ways_is_stored_and_delivered() {
    let server = Prosody::shared();
    let mut alice = Client::online(server, "alice9@localhost").await;
    let mut bob = Client::online(server, "bob9@localhost").await;

    let sent = alice
        .messenger
        .chats()
        .send_message("bob9@localhost", "Hi Bob, lunch at 12?")
        .await
        .unwrap();
    assert_eq!(sent.state, DeliveryState::Pending);
    bob.wait_for("alice's message", 10, |e| {
        matches!(e, CoreEvent::MessagesReceived(m) if m.iter().any(|m| m.body == "Hi Bob, lunch at 12?"))
    })
    .await;
    let reply = bob
        .messenger
        .chats()
        .send_message("alice9@localhost", "Sure <b>12</b> & see you")
        .await
        .unwrap();
    alice
        .wait_for("bob's reply", 10, |e| {
            matches!(e, CoreEvent::MessagesReceived(m) if m.iter().any(|m| m.body == "Sure <b>12</b> & see you"))
        })
        .await;

    // Receipts (XEP-0184) move both to delivered.
    alice
        .eventually("alice's message delivered", 10, |a| {
            a.messenger.store().message(sent.id).unwrap().unwrap().state == DeliveryState::Delivered
        })
        .await;
    bob.eventually("bob's reply delivered", 10, |b| {
        b.messenger
            .store()
            .message(reply.id)
            .unwrap()
            .unwrap()
            .state
            == DeliveryState::Delivered
    })
    .await;

    let a_hist = alice
        .messenger
        .history()
        .load_history("bob9@localhost", None, 50)
        .await
        .unwrap();
    let b_hist = bob
        .messenger
        .history()
        .load_history("alice9@localhost", None, 50)
        .await
        .unwrap();
    assert_eq!(
        a_hist
            .iter()
            .map(|m| (m.direction, m.body.as_str()))
            .collect::<Vec<_>>(),
        vec![
            (Direction::Outgoing, "Hi Bob, lunch at 12?"),
            (Direction::Incoming, "Sure <b>12</b> & see you"),
        ]
    );
    assert_eq!(b_hist.len(), 2);
    assert_eq!(b_hist[0].sender, "alice9@localhost");
    assert_eq!(
        b_hist[0].origin_id, sent.origin_id,
        "origin-id travels with the message"
    );

    // Unread: alice has one from bob until she reads it.
    let unread = alice
        .messenger
        .store()
        .unread_counts("alice9@localhost")
        .unwrap();
    assert_eq!(unread, vec![("bob9@localhost".to_string(), 1)]);
    alice
        .messenger
        .chats()
        .mark_read("bob9@localhost")
        .await
        .unwrap();
    assert!(alice
        .messenger
        .store()
        .unread_counts("alice9@localhost")
        .unwrap()
        .is_empty());
    // Reading sends a XEP-0333 displayed marker: Bob sees his reply as read.
    bob.eventually("bob's reply shown as read", 10, |b| {
        b.messenger
            .store()
            .message(reply.id)
            .unwrap()
            .unwrap()
            .state
            == DeliveryState::Displayed
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn carbons_copy_messages_to_the_second_device() {
    let server = Prosody::shared();
    let mut desk = Client::online(server, "alice10@localhost").await;
    let mut laptop = Client::online(server, "alice10@localhost").await;
    let mut bob = Client::online(server, "bob10@localhost").await;
    // Carbons are enabled right after sign-in; give the enable IQ a moment by waiting for rosters.
    for c in [&mut desk, &mut laptop] {
        c.wait_for("roster", 10, |e| matches!(e, CoreEvent::RosterChanged(_)))
            .await;
    }
    let _ = desk.drain_for(300).await;

    bob.messenger
        .chats()
        .send_message("alice10@localhost", "to both of your devices")
        .await
        .unwrap();
    for c in [&mut desk, &mut laptop] {
        c.wait_for("bob's message", 10, |e| {
            matches!(e, CoreEvent::MessagesReceived(m) if m.iter().any(|m| m.body == "to both of your devices"))
        })
        .await;
    }

    desk.messenger
        .chats()
        .send_message("bob10@localhost", "sent from my desk")
        .await
        .unwrap();
    let ev = laptop
        .wait_for("carbon of the desk's message", 10, |e| {
            matches!(e, CoreEvent::MessagesReceived(m) if m.iter().any(|m| m.body == "sent from my desk"))
        })
        .await;
    let CoreEvent::MessagesReceived(msgs) = ev else {
        unreachable!()
    };
    let copy = msgs.iter().find(|m| m.body == "sent from my desk").unwrap();
    assert_eq!(copy.direction, Direction::Outgoing);
    assert_eq!(copy.peer, "bob10@localhost");
    assert_eq!(copy.state, DeliveryState::Sent);

    // Reading on the laptop clears the desk's unread count (the marker travels as a carbon).
    let unread = |c: &Client| {
        c.messenger
            .store()
            .unread_counts("alice10@localhost")
            .unwrap()
    };
    assert_eq!(unread(&desk), vec![("bob10@localhost".to_string(), 1)]);
    laptop
        .messenger
        .chats()
        .mark_read("bob10@localhost")
        .await
        .unwrap();
    desk.wait_for("unread cleared by the other device", 10, |e| {
        matches!(e, CoreEvent::UnreadChanged(c) if c == &vec![hallway_model::UnreadCount::none("bob10@localhost")])
    })
    .await;
    assert!(unread(&desk).is_empty());
    let _ = bob.drain_for(200).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_and_huge_bodies_arrive_as_text_and_limits_are_clear() {
    let server = Prosody::shared();
    let alice = Client::online(server, "alice11@localhost").await;
    let mut bob = Client::online(server, "bob11@localhost").await;
    let xss = "<img src=x onerror=alert(1)>";
    let big = "0123456789abcdef".repeat(100 * 1024 / 16);
    alice
        .messenger
        .chats()
        .send_message("bob11@localhost", xss)
        .await
        .unwrap();
    alice
        .messenger
        .chats()
        .send_message("bob11@localhost", &big)
        .await
        .unwrap();
    bob.eventually("both bodies", 15, |b| {
        b.messenger
            .store()
            .history("bob11@localhost", "alice11@localhost", None, 10)
            .unwrap()
            .len()
            == 2
    })
    .await;
    let h = bob
        .messenger
        .history()
        .load_history("alice11@localhost", None, 10)
        .await
        .unwrap();
    assert_eq!(h[0].body, xss);
    assert_eq!(h[1].body.len(), big.len());

    let too_big = "x".repeat(300 * 1024);
    let err = alice
        .messenger
        .chats()
        .send_message("bob11@localhost", &too_big)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("too long"), "{err}");
    assert!(alice
        .messenger
        .chats()
        .send_message("bob11@localhost", "   ")
        .await
        .is_err());
    assert!(alice
        .messenger
        .chats()
        .send_message("not a jid", "hi")
        .await
        .is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_survives_a_restart_and_pages() {
    let server = Prosody::shared();
    let alice = Client::online(server, "alice12@localhost").await;
    let mut bob = Client::online(server, "bob12@localhost").await;
    for i in 0..60 {
        alice
            .messenger
            .chats()
            .send_message("bob12@localhost", &format!("message {i}"))
            .await
            .unwrap();
    }
    bob.eventually("60 messages", 20, |b| {
        b.messenger
            .store()
            .history("bob12@localhost", "alice12@localhost", None, 100)
            .unwrap()
            .len()
            == 60
    })
    .await;
    bob.messenger.shut_down().await;
    let Client { data_dir, .. } = bob;
    let mut bob = Client::open_in("bob12@localhost", data_dir);
    bob.sign_in(server).await.unwrap();
    let newest = bob
        .messenger
        .history()
        .load_history("alice12@localhost", None, 50)
        .await
        .unwrap();
    assert_eq!(newest.len(), 50);
    assert_eq!(newest.last().unwrap().body, "message 59");
    let older = bob
        .messenger
        .history()
        .load_history("alice12@localhost", Some(newest[0].id), 50)
        .await
        .unwrap();
    assert_eq!(older.len(), 10);
    assert_eq!(older[0].body, "message 0");
}

/// Runs another client (slixmpp) that signs in as `jid` and sends these raw stanzas.
pub(crate) fn send_raw(server: &Prosody, jid: &str, stanzas: &[&str]) {
    send_raw_at(server.c2s_port, jid, stanzas);
}

/// `send_raw` to the server listening on `port` (any test server for `localhost`).
pub(crate) fn send_raw_at(port: u16, jid: &str, stanzas: &[&str]) {
    send_raw_with(port, jid, stanzas, &[]);
}

pub(crate) use crate::support::raw::send_raw_with;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrections_from_another_client_replace_the_text_and_search_follows() {
    let server = Prosody::shared();
    let me = "carol10@localhost";
    let mut alice = Client::online(server, me).await;
    let to = format!("to='{me}' type='chat'");
    send_raw(
        server,
        "carol11@localhost",
        &[
            &format!("<message {to} id='m1'><body>Meeting in the old cafe</body></message>"),
            &format!("<message {to} id='m2'><body>Meeting in the new bistro</body><replace xmlns='urn:xmpp:message-correct:0' id='m1'/></message>"),
        ],
    );
    // Someone else cannot correct Carol's message: it arrives as a message of its own.
    send_raw(
        server,
        "carol12@localhost",
        &[&format!("<message {to} id='x1'><body>forged</body><replace xmlns='urn:xmpp:message-correct:0' id='m1'/></message>")],
    );
    alice
        .wait_for("the correction", 15, |e| {
            matches!(e, CoreEvent::MessageCorrected(m) if m.body == "Meeting in the new bistro")
        })
        .await;
    alice
        .eventually("the forged correction stored separately", 15, |a| {
            a.messenger
                .store()
                .history(me, "carol12@localhost", None, 10)
                .unwrap()
                .len()
                == 1
        })
        .await;
    let h = alice
        .messenger
        .store()
        .history(me, "carol11@localhost", None, 10)
        .unwrap();
    assert_eq!(h.len(), 1, "a correction is not a second message");
    assert_eq!(h[0].body, "Meeting in the new bistro");
    assert!(h[0].edited);
    let found = alice.messenger.chats().search_messages("bistro").unwrap();
    assert_eq!(found.len(), 1);
    assert!(alice
        .messenger
        .chats()
        .search_messages("cafe")
        .unwrap()
        .is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_on_another_device_clears_unread_here_through_xep0490() {
    let server = Prosody::shared();
    let me = "alice18@localhost";
    let mut laptop = Client::online(server, me).await;
    let mut phone = Client::online(server, me).await;
    // A message without XEP-0333 markers: only XEP-0490 can carry "read" to the other device.
    send_raw(
        server,
        "bob18@localhost/raw",
        &[&format!(
            "<message to='{me}' type='chat' id='mds-1'><body>Read me on the phone</body></message>"
        )],
    );
    for c in [&mut laptop, &mut phone] {
        c.eventually("the message, unread", 20, |c| {
            c.messenger
                .store()
                .unread_counts(me)
                .unwrap()
                .contains(&("bob18@localhost".to_string(), 1))
        })
        .await;
    }
    phone
        .messenger
        .chats()
        .mark_read("bob18@localhost")
        .await
        .unwrap();
    laptop
        .eventually("unread cleared by the phone's read position", 20, |c| {
            c.messenger.store().unread_counts(me).unwrap().is_empty()
        })
        .await;
    // The window hears of it too (the store changes first; the batched event follows).
    let cleared = |e: &CoreEvent| matches!(e, CoreEvent::UnreadChanged(u) if u.contains(&hallway_model::UnreadCount::none("bob18@localhost")));
    if !laptop.seen.iter().any(cleared) {
        laptop.wait_for("unread count 0 event", 5, cleared).await;
    }

    // Read on the phone while the laptop was off: its next sign-in catches up the message and
    // then the read position, so it does not come back unread.
    laptop.messenger.shut_down().await;
    send_raw(
        server,
        "bob18@localhost/raw",
        &[&format!(
            "<message to='{me}' type='chat' id='mds-2'><body>While you were away</body></message>"
        )],
    );
    phone
        .eventually("the second message", 20, |c| {
            c.messenger
                .store()
                .unread_counts(me)
                .unwrap()
                .contains(&("bob18@localhost".to_string(), 1))
        })
        .await;
    phone
        .messenger
        .chats()
        .mark_read("bob18@localhost")
        .await
        .unwrap();
    let _ = phone.drain_for(500).await;
    laptop.sign_in(server).await.unwrap();
    laptop
        .eventually("the message caught up", 20, |c| {
            c.messenger.store().count_messages(me).unwrap() == 2
        })
        .await;
    laptop
        .eventually("caught-up message already read", 20, |c| {
            c.messenger.store().unread_counts(me).unwrap().is_empty()
        })
        .await;
    // …and it does not pop up as a notification either.
    let _ = laptop.drain_for(1000).await;
    assert!(
        !laptop.seen.iter().any(|e| matches!(e,
            CoreEvent::NotificationRequested(n) if n.body.contains("While you were away"))),
        "a message read on the phone was notified here"
    );
}
