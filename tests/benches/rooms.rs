//! Benchmark (issue 17): sign-in with 20 autojoin rooms through the real core against a real
//! Prosody (its MUC component). Alice and Bob sit in 20 rooms; Alice quits; Bob says 15 things
//! in each room; Alice starts again from her data dir. Prints the time from sign-in until every
//! room shows as joined, until everything said meanwhile is stored, how many room-list events
//! that took, and the process's memory. `make bench` runs it; figures go to docs/PERFORMANCE.md.
//!
//! Then the room archive's rate: one room, 1,000 messages said while Alice was away, caught up
//! from the room's own archive (XEP-0313 at the room JID) on her next sign-in; prints the
//! messages stored per second from sign-in to the last one stored.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../integration/support/mod.rs"]
#[allow(dead_code)]
mod support;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use hallway_core::CoreEvent;
use hallway_model::RoomPhase;
use support::client::Client;
use support::prosody::{Cert, Prosody, PASSWORD};

const ROOMS: usize = 20;
const PER_ROOM: usize = 15;

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn room(i: usize) -> String {
    format!("bench{i}@rooms.localhost")
}

/// Waits until every bench room shows as joined; returns how many RoomsChanged events came.
async fn all_joined(c: &mut Client) -> usize {
    let mut events = 0;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(Instant::now() < deadline, "rooms not joined in 60 s");
        let Ok(Some(ev)) = tokio::time::timeout(Duration::from_secs(30), c.events.recv()).await
        else {
            panic!("no events while joining");
        };
        if let CoreEvent::RoomsChanged(list) = ev {
            events += 1;
            let joined: HashSet<&str> = list
                .iter()
                .filter(|r| r.phase == RoomPhase::Joined)
                .map(|r| r.room.as_str())
                .collect();
            if (0..ROOMS).all(|i| joined.contains(room(i).as_str())) {
                return events;
            }
        }
    }
}

fn stored(c: &Client, account: &str) -> usize {
    (0..ROOMS)
        .map(|i| {
            c.messenger
                .store()
                .history(account, &room(i), None, 1000)
                .unwrap()
                .iter()
                .filter(|m| m.body.starts_with("while away"))
                .count()
        })
        .sum()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let server = Prosody::start(Cert::TrustedCa);
    let (a, b) = ("alice1@localhost", "bob1@localhost");
    println!("rooms benchmark: sign-in with {ROOMS} autojoin rooms, {PER_ROOM} messages each while away (Prosody on loopback)");
    let mut alice = Client::online(&server, a).await;
    let mut bob = Client::online(&server, b).await;
    for i in 0..ROOMS {
        alice
            .messenger
            .rooms()
            .join_room(&room(i), "Alice")
            .await
            .unwrap();
    }
    all_joined(&mut alice).await;
    for i in 0..ROOMS {
        bob.messenger
            .rooms()
            .join_room(&room(i), "Bob")
            .await
            .unwrap();
    }
    all_joined(&mut bob).await;
    alice.messenger.shut_down().await;
    let dir = alice.data_dir;
    for n in 0..PER_ROOM {
        for i in 0..ROOMS {
            bob.messenger
                .chats()
                .send_message(&room(i), &format!("while away {n}"))
                .await
                .unwrap();
        }
    }
    bob.eventually("all sent", 120, |c| {
        c.messenger.store().pending(b).unwrap().is_empty()
    })
    .await;
    let rss_before = rss_mb();

    let mut alice = Client::open_in(a, dir);
    let t = Instant::now();
    alice
        .sign_in_at(&server.server_field(), PASSWORD)
        .await
        .unwrap();
    let signed_in = t.elapsed();
    let events = all_joined(&mut alice).await;
    let joined = t.elapsed();
    let total = ROOMS * PER_ROOM;
    while stored(&alice, a) < total {
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "caught up only {} of {total}",
            stored(&alice, a)
        );
        let _ = alice.drain_for(20).await;
    }
    let caught_up = t.elapsed();
    println!(
        "  sign-in {:.0} ms; all {ROOMS} rooms joined {:.0} ms after sign-in started ({events} room-list events); all {total} missed messages stored at {:.0} ms",
        signed_in.as_secs_f64() * 1000.0,
        joined.as_secs_f64() * 1000.0,
        caught_up.as_secs_f64() * 1000.0
    );
    println!(
        "  RSS {:.0} MB (before the restart {:.0} MB)",
        rss_mb(),
        rss_before
    );
    archive_rate(&server, alice, &mut bob, a, b).await;
    bob.messenger.shut_down().await;
}

/// One room, `ARCHIVED` messages while away, caught up from the room's archive.
async fn archive_rate(server: &Prosody, mut alice: Client, bob: &mut Client, a: &str, b: &str) {
    const ARCHIVED: usize = 1_000;
    let big = "archive0@rooms.localhost";
    alice
        .messenger
        .rooms()
        .join_room(big, "Alice")
        .await
        .unwrap();
    alice
        .eventually("in the big room", 30, |c| {
            c.messenger.store().room(a, big).unwrap().is_some()
        })
        .await;
    let _ = alice.drain_for(1000).await;
    bob.messenger.rooms().join_room(big, "Bob").await.unwrap();
    let _ = bob.drain_for(1000).await;
    alice.messenger.shut_down().await;
    let dir = alice.data_dir;
    for n in 0..ARCHIVED {
        bob.messenger
            .chats()
            .send_message(big, &format!("archived {n}"))
            .await
            .unwrap();
    }
    bob.eventually("all sent", 300, |c| {
        c.messenger.store().pending(b).unwrap().is_empty()
    })
    .await;
    let count = |c: &Client| {
        c.messenger
            .store()
            .history(a, big, None, 5000)
            .unwrap()
            .iter()
            .filter(|m| m.body.starts_with("archived "))
            .count()
    };
    let mut alice = Client::open_in(a, dir);
    let t = Instant::now();
    alice
        .sign_in_at(&server.server_field(), PASSWORD)
        .await
        .unwrap();
    while count(&alice) < ARCHIVED {
        assert!(
            t.elapsed() < Duration::from_secs(120),
            "room archive caught up only {} of {ARCHIVED}",
            count(&alice)
        );
        let _ = alice.drain_for(20).await;
    }
    let took = t.elapsed().as_secs_f64();
    println!(
        "  room archive: {ARCHIVED} messages caught up from the room's archive in {:.0} ms after sign-in started: {:.0} messages/s (budget > 5,000/s)",
        took * 1000.0,
        ARCHIVED as f64 / took
    );
    alice.messenger.shut_down().await;
}
