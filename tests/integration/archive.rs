//! Server archive (XEP-0313): history sent while a device was offline arrives on reconnect, a
//! second device's sent messages appear, catch-up never duplicates, and a first sign-in on an
//! account with a big archive fetches only recent pages (older ones on scroll).

use std::time::Instant;

use hallway_core::CoreEvent;
use hallway_model::Direction;

use crate::support::client::Client;
use crate::support::prosody::Prosody;

fn bodies(c: &Client, peer: &str) -> Vec<String> {
    c.messenger
        .store()
        .history(&c.address, peer, None, 10_000)
        .unwrap()
        .into_iter()
        .map(|m| m.body)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catch_up_fetches_what_arrived_while_offline_exactly_once() {
    let server = Prosody::shared();
    let (alice, bob) = ("carol2@localhost", "carol3@localhost");
    let mut desk = Client::online(server, alice).await;
    let mut colleague = Client::online(server, bob).await;
    colleague
        .messenger
        .chats()
        .send_message(alice, "before you left")
        .await
        .unwrap();
    desk.wait_for("live message", 10, |e| {
        matches!(e, CoreEvent::MessagesReceived(m) if m.iter().any(|m| m.body == "before you left"))
    })
    .await;
    desk.messenger.shut_down().await;

    // While the desk is off: three messages for Alice, which her phone (signing in meanwhile)
    // takes from offline storage, and one she writes from the phone.
    for i in 1..=3 {
        colleague
            .messenger
            .chats()
            .send_message(alice, &format!("while you were out {i}"))
            .await
            .unwrap();
    }
    colleague
        .eventually("sent", 10, |c| {
            c.messenger.store().pending(bob).unwrap().is_empty()
        })
        .await;
    let mut phone = Client::online(server, alice).await;
    phone
        .eventually("offline messages on the phone", 10, |p| {
            bodies(p, bob)
                .iter()
                .filter(|b| b.starts_with("while you were out"))
                .count()
                == 3
        })
        .await;
    phone
        .messenger
        .chats()
        .send_message(bob, "replying from my phone")
        .await
        .unwrap();
    phone
        .eventually("phone message sent", 10, |p| {
            p.messenger.store().pending(alice).unwrap().is_empty()
        })
        .await;
    phone.messenger.shut_down().await;

    // The desk comes back: the archive brings all four, in order, once.
    desk.sign_in(server).await.unwrap();
    let expected = [
        "before you left",
        "while you were out 1",
        "while you were out 2",
        "while you were out 3",
        "replying from my phone",
    ];
    desk.eventually("catch-up", 15, |d| bodies(d, bob).len() == expected.len())
        .await;
    assert_eq!(bodies(&desk, bob), expected);
    let history = desk
        .messenger
        .store()
        .history(alice, bob, None, 50)
        .unwrap();
    assert_eq!(
        history[4].direction,
        Direction::Outgoing,
        "the phone's message is ours"
    );
    assert_eq!(history[4].sender, alice);

    // Catching up again (sign out, sign in) adds nothing.
    let before = desk.messenger.store().count_messages(alice).unwrap();
    desk.messenger.shut_down().await;
    desk.sign_in(server).await.unwrap();
    let _ = desk.drain_for(1500).await;
    assert_eq!(
        desk.messenger.store().count_messages(alice).unwrap(),
        before
    );
    assert_eq!(bodies(&desk, bob), expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_sign_in_with_a_big_archive_fetches_recent_pages_then_older_on_scroll() {
    let server = Prosody::shared();
    let (alice, bob) = ("carol4@localhost", "carol5@localhost");
    const TOTAL: usize = 10_000;
    // Alice's first device writes 10,000 messages to Bob (who stays offline): all of them land
    // in Alice's archive.
    let mut writer = Client::online(server, alice).await;
    let started = Instant::now();
    writer
        .send_all(bob, (0..TOTAL).map(|i| format!("archived {i}")))
        .await;
    println!(
        "archive of {TOTAL} messages written in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    writer.messenger.shut_down().await;

    // A new device signs in: it fetches only recent pages, newest first.
    let mut fresh = Client::new(alice);
    let started = Instant::now();
    fresh.sign_in(server).await.unwrap();
    fresh
        .wait_for("the newest message", 10, |e| {
            matches!(e, CoreEvent::MessagesReceived(m) if m.iter().any(|m| m.body == format!("archived {}", TOTAL - 1)))
        })
        .await;
    let shown_after = started.elapsed();
    let _ = fresh.drain_for(500).await;
    let stored = fresh.messenger.store().count_messages(alice).unwrap() as usize;
    println!(
        "first sign-in: newest message stored and announced {:.0} ms after sign-in started; {stored} of {TOTAL} fetched",
        shown_after.as_secs_f64() * 1000.0
    );
    assert!(
        stored > 0 && stored <= 300,
        "only recent pages are fetched, got {stored}"
    );

    // The conversation opens on the newest page; scrolling up fetches older pages on demand.
    let newest = fresh
        .messenger
        .history()
        .load_history(bob, None, 50)
        .await
        .unwrap();
    assert_eq!(newest.len(), 50);
    assert_eq!(
        newest.last().unwrap().body,
        format!("archived {}", TOTAL - 1)
    );
    let mut cursor = newest[0].clone();
    let mut seen = newest.len();
    while seen < stored + 150 {
        let page = fresh
            .messenger
            .history()
            .load_history(bob, Some(cursor.id), 50)
            .await
            .unwrap();
        assert_eq!(
            page.len(),
            50,
            "older pages come from the archive once the local copy ends"
        );
        let expect_first: usize = cursor.body["archived ".len()..].parse::<usize>().unwrap() - 50;
        let got: Vec<&str> = page.iter().map(|m| m.body.as_str()).collect();
        let want: Vec<String> = (expect_first..expect_first + 50)
            .map(|i| format!("archived {i}"))
            .collect();
        assert_eq!(got, want, "pages are contiguous and in order");
        cursor = page[0].clone();
        seen += page.len();
    }
    let total_now = fresh.messenger.store().count_messages(alice).unwrap() as usize;
    assert!(
        total_now < TOTAL / 10,
        "scrolling fetched only what was needed ({total_now})"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bounded_catch_up_leaves_a_gap_that_scrolling_fills_in_order() {
    let server = Prosody::shared();
    let (me, colleague) = ("bob1@localhost", "bob2@localhost");
    const WRITTEN: usize = 1300; // more than one catch-up fetches (1,000 here)
    let mut desk = Client::with_catch_up_limit(me, 1000);
    desk.sign_in(server).await.unwrap();
    let peer = Client::online(server, colleague).await;
    peer.messenger
        .chats()
        .send_message(me, "before the gap")
        .await
        .unwrap();
    desk.wait_for("live message", 10, |e| {
        matches!(e, CoreEvent::MessagesReceived(m) if m.iter().any(|m| m.body == "before the gap"))
    })
    .await;
    desk.messenger.shut_down().await;
    peer.messenger.shut_down().await;

    // The desk is off while the phone (same account) writes a lot: only the archive has it.
    let mut phone = Client::online(server, me).await;
    phone
        .send_all(colleague, (0..WRITTEN).map(|i| format!("gap {i}")))
        .await;
    phone.messenger.shut_down().await;

    desk.sign_in(server).await.unwrap();
    desk.eventually("catch-up stored", 20, |d| bodies(d, colleague).len() > 1000)
        .await;
    let _ = desk.drain_for(500).await;
    let held = bodies(&desk, colleague);
    assert_eq!(held.len(), 1001, "the newest 1,000 plus what we had");
    assert_eq!(held[0], "before the gap");
    assert_eq!(held[1], format!("gap {}", WRITTEN - 1000));

    // Scrolling up from the newest page walks into the gap, which is filled from the archive.
    let mut page = desk
        .messenger
        .history()
        .load_history(colleague, None, 50)
        .await
        .unwrap();
    let mut seen: Vec<String> = page.iter().map(|m| m.body.clone()).collect();
    while page.first().is_some_and(|m| m.body != "before the gap") {
        page = desk
            .messenger
            .history()
            .load_history(colleague, Some(page[0].id), 50)
            .await
            .unwrap();
        assert!(
            !page.is_empty(),
            "history ended early after {} messages; oldest held: {:?}; seen starts {:?}",
            seen.len(),
            &bodies(&desk, colleague)[..3],
            &seen[..3]
        );
        let mut older: Vec<String> = page.iter().map(|m| m.body.clone()).collect();
        older.extend(seen);
        seen = older;
    }
    let mut want = vec!["before the gap".to_string()];
    want.extend((0..WRITTEN).map(|i| format!("gap {i}")));
    assert_eq!(seen, want, "the gap is filled, in order, once");
    assert_eq!(bodies(&desk, colleague), want);
}
