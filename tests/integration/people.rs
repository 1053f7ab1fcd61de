//! People an office needs (issue 5) against real Prosody: roster edits seen by a second session,
//! subscription request → Accept / Decline, XEP-0084 avatars and XEP-0292 vCards between two
//! accounts, XEP-0191 blocking both ways, "Requests" from strangers, automatic away with
//! XEP-0319 idle time seen by a peer (injected idle source), and last seen (XEP-0012).
//! Uses the loner accounts (`dave{n}`, `erin{n}`: in no shared group).

use std::time::Duration;

use hallway_core::CoreEvent;
use hallway_model::{
    Contact, DeliveryState, MyPresence, MyShow, PresenceShow, Subscription, VCardFields,
};

use crate::support::client::Client;
use crate::support::prosody::Prosody;

/// Polls the contact list until `jid` satisfies `pred` (or panics after `secs`).
async fn contact_until(
    c: &mut Client,
    jid: &str,
    secs: u64,
    what: &str,
    mut pred: impl FnMut(Option<&Contact>) -> bool,
) -> Option<Contact> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let list = c.messenger.contacts().list().await;
        let found = list.iter().find(|x| x.jid == jid);
        if pred(found) {
            return found.cloned();
        }
        if tokio::time::Instant::now() > deadline {
            panic!(
                "{}: timed out waiting for {what}; contact is {found:#?}",
                c.address
            );
        }
        let _ = c.drain_for(100).await;
    }
}

/// `a` adds `b`, `b` accepts: both end up seeing each other's presence.
async fn befriend(a: &mut Client, b: &mut Client) {
    let (aj, bj) = (a.address.clone(), b.address.clone());
    a.messenger
        .contacts()
        .add_contact(&bj, "", "")
        .await
        .unwrap();
    b.wait_for(
        "subscription request",
        10,
        |e| matches!(e, CoreEvent::SubscriptionRequestsChanged(r) if r.iter().any(|r| r.jid == aj)),
    )
    .await;
    b.messenger
        .contacts()
        .accept_subscription(&aj)
        .await
        .unwrap();
    contact_until(a, &bj, 10, "mutual subscription", |c| {
        c.is_some_and(|c| c.subscription == Subscription::Both)
    })
    .await;
    contact_until(b, &aj, 10, "mutual subscription", |c| {
        c.is_some_and(|c| c.subscription == Subscription::Both)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roster_edits_round_trip_to_the_server_and_a_second_session() {
    let server = Prosody::shared();
    let mut desk = Client::online(server, "dave1@localhost").await;
    let mut laptop = Client::online(server, "dave1@localhost").await;

    desk.messenger
        .contacts()
        .add_contact("Erin1@Localhost", "Erin Evans", "Design")
        .await
        .unwrap();
    for c in [&mut desk, &mut laptop] {
        // The roster push of the new item comes first, the one with the pending request next.
        let erin = contact_until(c, "erin1@localhost", 10, "added contact asked", |c| {
            c.is_some_and(|c| c.pending_out)
        })
        .await
        .unwrap();
        assert_eq!(erin.display_name, "Erin Evans");
        assert_eq!(erin.groups, vec!["Design".to_string()]);
        assert_eq!(erin.subscription, Subscription::None);
    }

    laptop
        .messenger
        .contacts()
        .rename_contact("erin1@localhost", "Erin E.")
        .await
        .unwrap();
    contact_until(&mut desk, "erin1@localhost", 10, "rename", |c| {
        c.is_some_and(|c| c.display_name == "Erin E." && c.groups == ["Design"])
    })
    .await;

    desk.messenger
        .contacts()
        .set_contact_groups(
            "erin1@localhost",
            vec!["Sales".into(), "Friday lunch".into()],
        )
        .await
        .unwrap();
    contact_until(&mut laptop, "erin1@localhost", 10, "move", |c| {
        // Groups are a set (RFC 6121 §2.1.2.4): the server may return them in any order.
        c.is_some_and(|c| {
            let mut g = c.groups.clone();
            g.sort();
            g == ["Friday lunch", "Sales"] && c.display_name == "Erin E."
        })
    })
    .await;

    // A fresh session fetches the same roster from the server.
    let mut later = Client::online(server, "dave1@localhost").await;
    contact_until(
        &mut later,
        "erin1@localhost",
        10,
        "roster from the server",
        |c| c.is_some_and(|c| c.display_name == "Erin E."),
    )
    .await;

    laptop
        .messenger
        .contacts()
        .remove_contact("erin1@localhost")
        .await
        .unwrap();
    for c in [&mut desk, &mut later] {
        contact_until(c, "erin1@localhost", 10, "removal", |c| c.is_none()).await;
    }

    let err = desk
        .messenger
        .contacts()
        .add_contact("not an address", "", "")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("address"), "{err}");
    let own = desk
        .messenger
        .contacts()
        .add_contact("dave1@localhost", "", "")
        .await;
    assert!(own.is_err(), "own address refused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepting_a_request_lets_both_see_presence_and_declining_does_not() {
    let server = Prosody::shared();
    let mut dave = Client::online(server, "dave2@localhost").await;
    let mut erin = Client::online(server, "erin2@localhost").await;
    befriend(&mut dave, &mut erin).await;
    contact_until(&mut dave, "erin2@localhost", 10, "erin online", |c| {
        c.is_some_and(|c| c.presence == PresenceShow::Available)
    })
    .await;
    contact_until(&mut erin, "dave2@localhost", 10, "dave online", |c| {
        c.is_some_and(|c| c.presence == PresenceShow::Available)
    })
    .await;
    assert!(erin
        .messenger
        .contacts()
        .subscription_requests()
        .await
        .is_empty());

    // Decline: dave3 asks erin3, erin3 says no.
    let mut dave3 = Client::online(server, "dave3@localhost").await;
    let mut erin3 = Client::online(server, "erin3@localhost").await;
    // Our published full name introduces us in the request (XEP-0172 nick).
    dave3
        .messenger
        .profile()
        .set_my_profile(VCardFields {
            full_name: Some("Dave Three".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    dave3
        .messenger
        .contacts()
        .add_contact("erin3@localhost", "Erin", "")
        .await
        .unwrap();
    erin3
        .wait_for("request with a name", 10, |e| {
            matches!(e, CoreEvent::SubscriptionRequestsChanged(r)
                if r.iter().any(|r| r.jid == "dave3@localhost" && r.display_name == "Dave Three"))
        })
        .await;
    erin3
        .messenger
        .contacts()
        .decline_subscription("dave3@localhost")
        .await
        .unwrap();
    assert!(erin3
        .messenger
        .contacts()
        .subscription_requests()
        .await
        .is_empty());
    contact_until(&mut dave3, "erin3@localhost", 10, "declined", |c| {
        c.is_some_and(|c| !c.pending_out && c.subscription == Subscription::None)
    })
    .await;
    let erin_seen = dave3.messenger.contacts().list().await;
    let erin_c = erin_seen
        .iter()
        .find(|c| c.jid == "erin3@localhost")
        .unwrap();
    assert_eq!(
        erin_c.presence,
        PresenceShow::Offline,
        "no presence after a decline"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn avatars_and_vcards_published_by_one_account_reach_another() {
    let server = Prosody::shared();
    let mut dave = Client::online(server, "dave4@localhost").await;
    let mut erin = Client::online(server, "erin4@localhost").await;
    befriend(&mut dave, &mut erin).await;

    let png = crate::support::png::solid(48, [0x2a, 0x6f, 0xdb]);
    let hash = dave
        .messenger
        .profile()
        .set_my_avatar(png.clone())
        .await
        .unwrap();
    let ev = erin
        .wait_for("dave's avatar", 15, |e| {
            matches!(e, CoreEvent::AvatarChanged { jid, avatar: Some(_) } if jid == "dave4@localhost")
        })
        .await;
    let CoreEvent::AvatarChanged { avatar, .. } = ev else {
        unreachable!()
    };
    assert_eq!(avatar.as_deref(), Some(hash.as_str()));
    let (bytes, mime) = erin
        .messenger
        .profile()
        .avatar_image(&hash)
        .expect("cached on disk");
    assert_eq!(mime, "image/png");
    // The window gets Hallway's own re-encoding of the picture, never the sender's bytes; it
    // is the same picture.
    let shown = image::load_from_memory(&bytes).unwrap().to_rgb8();
    assert_eq!(shown.dimensions(), (48, 48));
    assert!(shown.pixels().all(|p| p.0 == [0x2a, 0x6f, 0xdb]));
    contact_until(&mut erin, "dave4@localhost", 5, "avatar on contact", |c| {
        c.is_some_and(|c| c.avatar.as_deref() == Some(hash.as_str()))
    })
    .await;
    // Remembered: a fresh client on the same data dir knows it before any fetch.
    assert_eq!(
        erin.messenger
            .store()
            .contact_infos("erin4@localhost")
            .unwrap()["dave4@localhost"]
            .avatar
            .as_deref(),
        Some(hash.as_str())
    );
    assert!(dave
        .messenger
        .profile()
        .set_my_avatar(b"GIF? no".to_vec())
        .await
        .is_err());

    let card = VCardFields {
        full_name: Some("Dave Dawson".into()),
        title: Some("Facilities manager".into()),
        organization: Some("ACME".into()),
        department: Some("Facilities".into()),
        email: Some("dave@acme.example".into()),
        phone: Some("+49 30 555 0104".into()),
    };
    dave.messenger
        .profile()
        .set_my_profile(card.clone())
        .await
        .unwrap();
    assert_eq!(dave.messenger.profile().my_profile().await.unwrap(), card);
    let details = erin
        .messenger
        .contacts()
        .contact_details("dave4@localhost")
        .await
        .unwrap();
    assert_eq!(details.vcard, card);
    assert_eq!(details.devices.len(), 1, "{details:?}");
    assert_eq!(details.devices[0].presence, PresenceShow::Available);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocking_stops_delivery_both_ways_until_unblocked() {
    let server = Prosody::shared();
    let mut dave = Client::online(server, "dave5@localhost").await;
    let mut erin = Client::online(server, "erin5@localhost").await;
    befriend(&mut dave, &mut erin).await;

    dave.messenger
        .contacts()
        .block_contact("erin5@localhost")
        .await
        .unwrap();
    dave.wait_for(
        "block list",
        10,
        |e| matches!(e, CoreEvent::BlocklistChanged(l) if l.iter().any(|j| j == "erin5@localhost")),
    )
    .await;
    contact_until(&mut dave, "erin5@localhost", 5, "blocked flag", |c| {
        c.is_some_and(|c| c.blocked && c.presence == PresenceShow::Offline)
    })
    .await;
    // The window asks for the list when it opens (the event may have gone out before it listened).
    assert_eq!(
        dave.messenger.contacts().blocked_addresses().await,
        vec!["erin5@localhost".to_string()]
    );

    erin.messenger
        .chats()
        .send_message("dave5@localhost", "can you hear me?")
        .await
        .unwrap();
    let mine = dave
        .messenger
        .chats()
        .send_message("erin5@localhost", "blocked outgoing")
        .await
        .unwrap();
    let _ = dave.drain_for(2000).await;
    let _ = erin.drain_for(500).await;
    let dave_got = dave
        .messenger
        .history()
        .load_history("erin5@localhost", None, 50)
        .await
        .unwrap();
    assert!(
        !dave_got.iter().any(|m| m.body == "can you hear me?"),
        "a blocked contact's message was delivered"
    );
    let erin_got = erin
        .messenger
        .history()
        .load_history("dave5@localhost", None, 50)
        .await
        .unwrap();
    assert!(
        !erin_got.iter().any(|m| m.body == "blocked outgoing"),
        "a message to a blocked contact went out"
    );
    let state = dave
        .messenger
        .store()
        .message(mine.id)
        .unwrap()
        .unwrap()
        .state;
    assert_ne!(state, DeliveryState::Delivered);

    dave.messenger
        .contacts()
        .unblock_contact("erin5@localhost")
        .await
        .unwrap();
    dave.wait_for(
        "unblocked",
        10,
        |e| matches!(e, CoreEvent::BlocklistChanged(l) if l.is_empty()),
    )
    .await;
    erin.messenger
        .chats()
        .send_message("dave5@localhost", "and now?")
        .await
        .unwrap();
    dave.wait_for(
        "message after unblock",
        10,
        |e| matches!(e, CoreEvent::MessagesReceived(m) if m.iter().any(|m| m.body == "and now?")),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strangers_messages_are_requests_until_added_or_blocked() {
    let server = Prosody::shared();
    let mut dave = Client::online(server, "dave6@localhost").await;
    let erin = Client::online(server, "erin6@localhost").await;
    let erin7 = Client::online(server, "erin7@localhost").await;

    erin.messenger
        .chats()
        .send_message("dave6@localhost", "<b>hello</b> from a stranger")
        .await
        .unwrap();
    dave.wait_for("request", 10, |e| {
        matches!(e, CoreEvent::MessageRequestsChanged(r) if r.iter().any(|r| r.jid == "erin6@localhost"
            && r.last_body == "<b>hello</b> from a stranger" && r.unread == 1))
    })
    .await;
    erin7
        .messenger
        .chats()
        .send_message("dave6@localhost", "spam spam")
        .await
        .unwrap();
    dave.wait_for("second request", 10, |e| {
        matches!(e, CoreEvent::MessageRequestsChanged(r) if r.len() == 2 && r[0].jid == "erin7@localhost")
    })
    .await;

    dave.messenger
        .contacts()
        .add_contact("erin6@localhost", "Erin", "")
        .await
        .unwrap();
    dave.wait_for("added request leaves the list", 10, |e| {
        matches!(e, CoreEvent::MessageRequestsChanged(r) if r.len() == 1 && r[0].jid == "erin7@localhost")
    })
    .await;
    dave.messenger
        .contacts()
        .block_contact("erin7@localhost")
        .await
        .unwrap();
    dave.wait_for(
        "blocked request leaves the list",
        10,
        |e| matches!(e, CoreEvent::MessageRequestsChanged(r) if r.is_empty()),
    )
    .await;
    assert!(dave
        .messenger
        .contacts()
        .message_requests()
        .await
        .is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inactivity_turns_into_away_with_idle_time_and_back_but_never_over_dnd() {
    let server = Prosody::shared();
    let mut dave = Client::online(server, "dave7@localhost").await;
    let mut erin = Client::online(server, "erin8@localhost").await;
    befriend(&mut dave, &mut erin).await;
    erin.messenger
        .profile()
        .set_my_presence(MyPresence {
            show: MyShow::Available,
            status: "at my desk".into(),
        })
        .await
        .unwrap();

    let six_min = Duration::from_secs(6 * 60);
    erin.idle.set_idle(six_min);
    let before = hallway_core::now_ms();
    let c = contact_until(
        &mut dave,
        "erin8@localhost",
        10,
        "erin away and idle",
        |c| c.is_some_and(|c| c.presence == PresenceShow::Away && c.idle_since.is_some()),
    )
    .await
    .unwrap();
    let idle_since = c.idle_since.unwrap();
    let expected = before - 6 * 60 * 1000;
    assert!(
        (idle_since - expected).abs() < 5_000,
        "idle since {idle_since}, expected about {expected}"
    );
    assert_eq!(c.status.as_deref(), Some("at my desk"), "status text kept");
    erin.wait_for("auto away event", 5, |e| {
        matches!(e, CoreEvent::AutoAwayChanged(hallway_model::AutoAway::Away))
    })
    .await;

    erin.idle.set_idle(Duration::from_secs(31 * 60));
    contact_until(&mut dave, "erin8@localhost", 10, "extended away", |c| {
        c.is_some_and(|c| c.presence == PresenceShow::Xa)
    })
    .await;

    erin.idle.set_idle(Duration::ZERO);
    contact_until(&mut dave, "erin8@localhost", 10, "back", |c| {
        c.is_some_and(|c| c.presence == PresenceShow::Available && c.idle_since.is_none())
    })
    .await;

    erin.idle.set_locked(true);
    contact_until(&mut dave, "erin8@localhost", 10, "locked screen", |c| {
        c.is_some_and(|c| c.presence == PresenceShow::Away)
    })
    .await;
    erin.idle.set_locked(false);

    erin.messenger
        .profile()
        .set_my_presence(MyPresence {
            show: MyShow::Dnd,
            status: "focus".into(),
        })
        .await
        .unwrap();
    erin.idle.set_idle(Duration::from_secs(3600));
    let _ = erin.drain_for(1000).await;
    let c = contact_until(&mut dave, "erin8@localhost", 10, "dnd", |c| {
        c.is_some_and(|c| c.presence == PresenceShow::Dnd)
    })
    .await
    .unwrap();
    let _ = dave.drain_for(1000).await;
    let again = dave.messenger.contacts().list().await;
    let still = again.iter().find(|x| x.jid == "erin8@localhost").unwrap();
    assert_eq!(
        still.presence,
        PresenceShow::Dnd,
        "DND is never overridden: {c:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn last_seen_is_recorded_when_a_contact_leaves_and_asked_when_offline() {
    let server = Prosody::shared();
    let mut dave = Client::online(server, "dave8@localhost").await;
    let mut erin = Client::online(server, "erin9@localhost").await;
    befriend(&mut dave, &mut erin).await;
    contact_until(&mut dave, "erin9@localhost", 10, "erin online", |c| {
        c.is_some_and(|c| c.presence == PresenceShow::Available)
    })
    .await;
    let before = hallway_core::now_ms();
    erin.messenger.shut_down().await;
    let c = contact_until(&mut dave, "erin9@localhost", 10, "erin offline", |c| {
        c.is_some_and(|c| c.presence == PresenceShow::Offline && c.last_seen.is_some())
    })
    .await
    .unwrap();
    assert!(c.last_seen.unwrap() >= before - 1000);

    // A fresh session knows nothing live; XEP-0012 asks the server.
    let mut dave_again = Client::new("dave8@localhost");
    dave_again.sign_in(server).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let d = dave_again
        .messenger
        .contacts()
        .contact_details("erin9@localhost")
        .await
        .unwrap();
    assert!(d.devices.is_empty());
    let seen = d.last_seen.expect("last activity from the server");
    assert!(
        seen >= before - 2_000 && seen <= hallway_core::now_ms(),
        "last seen {seen}, signed out after {before}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_card_is_published_even_when_another_client_made_the_node_open() {
    let server = Prosody::shared();
    // Another client of ours created the vCard4 node with access model "open".
    crate::messaging::send_raw(
        server,
        "dave11@localhost",
        &["<iq type='set' id='other-1'><pubsub xmlns='http://jabber.org/protocol/pubsub'>\
           <publish node='urn:xmpp:vcard4'><item id='current'>\
           <vcard xmlns='urn:ietf:params:xml:ns:vcard-4.0'><fn><text>Old Name</text></fn></vcard>\
           </item></publish><publish-options><x xmlns='jabber:x:data' type='submit'>\
           <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#publish-options</value></field>\
           <field var='pubsub#access_model'><value>open</value></field></x></publish-options>\
           </pubsub></iq>"],
    );
    let dave = Client::online(server, "dave11@localhost").await;
    assert_eq!(
        dave.messenger
            .profile()
            .my_profile()
            .await
            .unwrap()
            .full_name
            .as_deref(),
        Some("Old Name")
    );
    let card = VCardFields {
        full_name: Some("Dave Eleven".into()),
        title: Some("Caretaker".into()),
        ..Default::default()
    };
    dave.messenger
        .profile()
        .set_my_profile(card.clone())
        .await
        .unwrap();
    assert_eq!(dave.messenger.profile().my_profile().await.unwrap(), card);
    let png = crate::support::png::solid(16, [0x10, 0x80, 0x40]);
    dave.messenger.profile().set_my_avatar(png).await.unwrap();
}
