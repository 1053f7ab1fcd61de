//! Chaos: two accounts exchange 1,000 messages each way while a proxy in front of each cuts the
//! TCP link at seeded random moments (every 100–500 ms). Afterwards every message is in both
//! SQLite histories exactly once, in send order per sender, and every one is marked delivered.

use std::time::{Duration, Instant};

use hallway_model::{DeliveryState, Direction, Message};

use crate::support::client::Client;
use crate::support::prosody::{Prosody, PASSWORD};
use crate::support::proxy::CutProxy;

const PER_SIDE: usize = 1000;

/// xorshift64*: a seeded generator so a failing run can be replayed (`HALLWAY_CHAOS_SEED`).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

fn history(c: &Client, peer: &str) -> Vec<Message> {
    c.messenger
        .store()
        .history(&c.address, peer, None, 100_000)
        .unwrap()
}

/// Checks one side: the peer's messages once each and in order, ours all delivered.
fn verify(c: &Client, peer: &str, their_prefix: &str, our_prefix: &str) -> Result<(), String> {
    let h = history(c, peer);
    let theirs: Vec<usize> = h
        .iter()
        .filter(|m| m.direction == Direction::Incoming)
        .map(|m| m.body[their_prefix.len()..].parse().unwrap())
        .collect();
    let ours: Vec<&Message> = h
        .iter()
        .filter(|m| m.direction == Direction::Outgoing)
        .collect();
    if theirs != (0..PER_SIDE).collect::<Vec<_>>() {
        let mut sorted = theirs.clone();
        sorted.sort_unstable();
        sorted.dedup();
        return Err(format!(
            "{}: {} incoming ({} distinct), in order: {}",
            c.address,
            theirs.len(),
            sorted.len(),
            theirs.windows(2).all(|w| w[0] < w[1])
        ));
    }
    let undelivered = ours
        .iter()
        .filter(|m| !matches!(m.state, DeliveryState::Delivered | DeliveryState::Displayed))
        .count();
    if ours.len() != PER_SIDE || undelivered > 0 {
        let mut states = std::collections::BTreeMap::new();
        for m in &ours {
            *states.entry(m.state.as_str()).or_insert(0) += 1;
        }
        let stuck: Vec<&str> = ours
            .iter()
            .filter(|m| !matches!(m.state, DeliveryState::Delivered | DeliveryState::Displayed))
            .take(5)
            .map(|m| m.body.as_str())
            .collect();
        return Err(format!(
            "{}: {} outgoing, {undelivered} not delivered {states:?}, e.g. {stuck:?}",
            c.address,
            ours.len()
        ));
    }
    let order: Vec<usize> = ours
        .iter()
        .map(|m| m.body[our_prefix.len()..].parse().unwrap())
        .collect();
    if order != (0..PER_SIDE).collect::<Vec<_>>() {
        return Err(format!("{}: own messages out of order", c.address));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_messages_each_way_survive_random_cuts_exactly_once() {
    let server = Prosody::shared();
    let seed: u64 = std::env::var("HALLWAY_CHAOS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5EED_1234);
    println!("chaos seed {seed}");
    // Two colleagues (each in the other's roster): receipts go to contacts only.
    let (a_addr, b_addr) = ("alice25@localhost", "bob25@localhost");
    let a_proxy = CutProxy::start(server.c2s_port).await;
    let b_proxy = CutProxy::start(server.c2s_port).await;
    let mut a = Client::new(a_addr);
    a.sign_in_at(&a_proxy.server_field(), PASSWORD)
        .await
        .unwrap();
    let mut b = Client::new(b_addr);
    b.sign_in_at(&b_proxy.server_field(), PASSWORD)
        .await
        .unwrap();

    // The cutter: each proxy is cut at its own random moments until told to stop.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut cutters = Vec::new();
    for (i, proxy) in [a_proxy, b_proxy].into_iter().enumerate() {
        let mut stop = stop_rx.clone();
        let mut rng = Rng(seed.wrapping_add(i as u64 * 7919) | 1);
        cutters.push(tokio::spawn(async move {
            let mut cuts = 0u32;
            loop {
                let wait = Duration::from_millis(rng.between(100, 500));
                tokio::select! {
                    _ = tokio::time::sleep(wait) => { proxy.cut(); cuts += 1; }
                    _ = stop.changed() => break,
                }
            }
            (proxy, cuts)
        }));
    }

    // Both write while the links fail under them, a little apart so the cuts land mid-stream.
    let started = Instant::now();
    let mut rng = Rng(seed ^ 0xABCD);
    for i in 0..PER_SIDE {
        a.messenger
            .chats()
            .send_message(b_addr, &format!("a→b {i}"))
            .await
            .unwrap();
        b.messenger
            .chats()
            .send_message(a_addr, &format!("b→a {i}"))
            .await
            .unwrap();
        if i % 10 == 0 {
            tokio::time::sleep(Duration::from_millis(rng.between(20, 80))).await;
            let _ = a.drain_for(1).await;
            let _ = b.drain_for(1).await;
        }
    }
    println!(
        "sent {PER_SIDE} each way in {:.1} s under cuts",
        started.elapsed().as_secs_f64()
    );
    // Keep cutting a little after the last message, then let the links heal.
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop_tx.send(true).unwrap();
    let mut cuts = 0;
    let mut proxies = Vec::new();
    for c in cutters {
        let (proxy, n) = c.await.unwrap();
        cuts += n;
        proxies.push(proxy);
    }

    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let ra = verify(&a, b_addr, "b→a ", "a→b ");
        let rb = verify(&b, a_addr, "a→b ", "b→a ");
        if ra.is_ok() && rb.is_ok() {
            break;
        }
        if Instant::now() > deadline {
            panic!("after {cuts} cuts the histories did not converge: {ra:?} / {rb:?}");
        }
        let _ = a.drain_for(250).await;
        let _ = b.drain_for(250).await;
    }
    let count = |c: &Client, peer: &str| history(c, peer).len();
    println!(
        "chaos: {cuts} cuts; {} messages in {a_addr}'s history, {} in {b_addr}'s; all {} delivered exactly once, in order, converged {:.1} s after sending began",
        count(&a, b_addr),
        count(&b, a_addr),
        2 * PER_SIDE,
        started.elapsed().as_secs_f64()
    );
    assert!(cuts >= 10, "the proxy really cut the links ({cuts})");
    drop(proxies);
}
