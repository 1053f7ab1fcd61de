//! Crash safety: a child process sending a stream of messages is killed with SIGKILL at random
//! moments, 20 times. After every kill the database passes `PRAGMA integrity_check`; at the end
//! every message the child stored (shown as sent) reached the peer exactly once, and the peer
//! has nothing the child does not.
//!
//! The child is this test binary again, running the ignored `crash_child` test with its
//! parameters in the environment.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use hallway_core::keychain::MemoryKeychain;
use hallway_core::{Messenger, MessengerOptions};
use hallway_model::{Direction, SignInRequest};
use hallway_store::Store;

use crate::support::client::Client;
use crate::support::prosody::{Prosody, PASSWORD};

const KILLS: u32 = 20;
// Two colleagues: a stranger's conversation is kept to its newest 200 messages.
const SENDER: &str = "alice26@localhost";
const PEER: &str = "bob26@localhost";

/// The child: signs in from `HALLWAY_CRASH_DIR` and writes messages until it is killed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "child process of crash::sigkill_at_random_points_loses_and_repeats_nothing"]
async fn crash_child() {
    let (Ok(dir), Ok(server), Ok(run)) = (
        std::env::var("HALLWAY_CRASH_DIR"),
        std::env::var("HALLWAY_CRASH_SERVER"),
        std::env::var("HALLWAY_CRASH_RUN"),
    ) else {
        return; // run by hand without parameters: nothing to do
    };
    let (messenger, mut events) = Messenger::open(MessengerOptions {
        data_dir: PathBuf::from(&dir),
        keychain: Arc::new(MemoryKeychain::default()),
        catch_up_limit: hallway_core::DEFAULT_CATCH_UP_LIMIT,
        idle_source: Arc::new(hallway_core::idle::NoIdleSource),
        idle_poll: hallway_core::DEFAULT_IDLE_POLL,
        downloads_dir: PathBuf::from(dir).join("Downloads"),
        host_overrides: Vec::new(),
        allow_local_candidates: true,
        room_self_ping_after: hallway_core::DEFAULT_ROOM_SELF_PING_AFTER,
    })
    .unwrap();
    tokio::spawn(async move { while events.recv().await.is_some() {} });
    messenger
        .sign_in(SignInRequest {
            address: SENDER.into(),
            password: PASSWORD.into(),
            server: Some(server),
            remember: false,
        })
        .await
        .unwrap();
    for i in 0.. {
        messenger
            .chats()
            .send_message(PEER, &format!("crash run {run} message {i}"))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_at_random_points_loses_and_repeats_nothing() {
    let server = Prosody::shared();
    let mut peer = Client::online(server, PEER).await;
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut seed: u64 = 0xC0FFEE;
    for run in 0..KILLS {
        let mut child = Command::new(&exe)
            .args(["--exact", "crash::crash_child", "--ignored", "--nocapture"])
            .env("HALLWAY_CRASH_DIR", dir.path())
            .env("HALLWAY_CRASH_SERVER", server.server_field())
            .env("HALLWAY_CRASH_RUN", run.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let alive_ms = 150 + (seed >> 33) % 1200;
        tokio::time::sleep(Duration::from_millis(alive_ms)).await;
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let store = Store::open(&hallway_core::paths::database_path(dir.path())).unwrap();
        assert!(
            store.integrity_ok().unwrap(),
            "database corrupt after kill {run}"
        );
        let _ = peer.drain_for(10).await;
    }

    // Restart once more and let the outbox drain: every pending message goes out once.
    let mut sender = Client::open_in(SENDER, dir);
    sender.sign_in(server).await.unwrap();
    sender
        .eventually("outbox drained", 60, |s| {
            s.messenger.store().pending(SENDER).unwrap().is_empty()
        })
        .await;
    let stored: BTreeSet<String> = sender
        .messenger
        .store()
        .history(SENDER, PEER, None, 1_000_000)
        .unwrap()
        .into_iter()
        .filter(|m| m.direction == Direction::Outgoing)
        .map(|m| m.body)
        .collect();
    assert!(!stored.is_empty(), "the child sent something");
    let received = |p: &Client| -> BTreeMap<String, usize> {
        let mut n = BTreeMap::new();
        for m in p
            .messenger
            .store()
            .history(PEER, SENDER, None, 1_000_000)
            .unwrap()
        {
            *n.entry(m.body).or_insert(0) += 1;
        }
        n
    };
    peer.eventually("every stored message received", 60, |p| {
        received(p).keys().cloned().collect::<BTreeSet<_>>() == stored
    })
    .await;
    let got = received(&peer);
    let repeated: Vec<_> = got.iter().filter(|(_, n)| **n > 1).collect();
    assert!(repeated.is_empty(), "received more than once: {repeated:?}");
    println!(
        "crash: {KILLS} SIGKILLs; {} messages stored by the sender, {} received once each; integrity ok after every kill",
        stored.len(),
        got.len()
    );
}
