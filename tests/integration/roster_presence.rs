//! Roster fetch and live presence of colleagues, including status text changes.

use hallway_core::CoreEvent;
use hallway_model::{MyPresence, MyShow, PresenceShow, Subscription};

use crate::support::client::Client;
use crate::support::prosody::Prosody;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetches_the_roster_with_names_and_groups() {
    let server = Prosody::shared();
    let mut alice = Client::online(server, "alice6@localhost").await;
    alice
        .wait_for(
            "roster",
            10,
            |e| matches!(e, CoreEvent::RosterChanged(c) if !c.is_empty()),
        )
        .await;
    let contacts = alice.messenger.contacts().list().await;
    let bob = contacts
        .iter()
        .find(|c| c.jid == "bob6@localhost")
        .expect("bob6 in roster");
    assert_eq!(bob.display_name, "Bob Baker 6");
    assert_eq!(bob.groups, vec!["Team 6".to_string()]);
    assert_eq!(bob.subscription, Subscription::Both);
    assert_eq!(bob.presence, PresenceShow::Offline);
    assert!(contacts.iter().any(|c| c.jid == "carol6@localhost"));
    assert!(
        !contacts.iter().any(|c| c.jid == "alice6@localhost"),
        "own account is not a contact"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sees_a_colleagues_presence_and_status_text_change_live() {
    let server = Prosody::shared();
    let mut alice = Client::online(server, "alice7@localhost").await;
    let bob = Client::online(server, "bob7@localhost").await;
    alice
        .wait_for("bob available", 10, |e| {
            matches!(e, CoreEvent::PresencesChanged(u) if u.iter().any(|p| p.jid == "bob7@localhost" && p.presence == PresenceShow::Available))
        })
        .await;

    bob.messenger
        .profile()
        .set_my_presence(MyPresence {
            show: MyShow::Away,
            status: "in a meeting".into(),
        })
        .await
        .unwrap();
    alice
        .wait_for("bob away in a meeting", 10, |e| {
            matches!(e, CoreEvent::PresencesChanged(u) if u.iter().any(|p| p.jid == "bob7@localhost"
                && p.presence == PresenceShow::Away && p.status.as_deref() == Some("in a meeting")))
        })
        .await;

    bob.messenger
        .profile()
        .set_my_presence(MyPresence {
            show: MyShow::Dnd,
            status: "focus time".into(),
        })
        .await
        .unwrap();
    alice
        .wait_for("bob dnd", 10, |e| {
            matches!(e, CoreEvent::PresencesChanged(u) if u.iter().any(|p| p.jid == "bob7@localhost"
                && p.presence == PresenceShow::Dnd && p.status.as_deref() == Some("focus time")))
        })
        .await;
    let contact = alice
        .messenger
        .contacts()
        .list()
        .await
        .into_iter()
        .find(|c| c.jid == "bob7@localhost")
        .unwrap();
    assert_eq!(
        (contact.presence, contact.status.as_deref()),
        (PresenceShow::Dnd, Some("focus time"))
    );

    // The choice survives a reconnect / restart: it is stored per account.
    let snap = bob.messenger.snapshot();
    assert_eq!(
        snap.my_presence,
        MyPresence {
            show: MyShow::Dnd,
            status: "focus time".into()
        }
    );

    // Invisible: contacts see bob go offline.
    bob.messenger
        .profile()
        .set_my_presence(MyPresence {
            show: MyShow::Invisible,
            status: String::new(),
        })
        .await
        .unwrap();
    alice
        .wait_for("bob offline", 10, |e| {
            matches!(e, CoreEvent::PresencesChanged(u) if u.iter().any(|p| p.jid == "bob7@localhost" && p.presence == PresenceShow::Offline))
        })
        .await;
    bob.messenger.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_status_is_sent_again_after_a_restart() {
    let server = Prosody::shared();
    let mut alice = Client::online(server, "alice8@localhost").await;
    let bob = Client::online(server, "bob8@localhost").await;
    bob.messenger
        .profile()
        .set_my_presence(MyPresence {
            show: MyShow::Away,
            status: "lunch".into(),
        })
        .await
        .unwrap();
    bob.messenger.shut_down().await;
    // "Restart" bob's app on the same data dir.
    let Client { data_dir, .. } = bob;
    let mut bob = Client::open_in("bob8@localhost", data_dir);
    bob.sign_in(server).await.unwrap();
    alice
        .wait_for("bob back as away/lunch", 10, |e| {
            matches!(e, CoreEvent::PresencesChanged(u) if u.iter().any(|p| p.jid == "bob8@localhost"
                && p.presence == PresenceShow::Away && p.status.as_deref() == Some("lunch")))
        })
        .await;
}
