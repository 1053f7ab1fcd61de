//! Benchmark (issue 5): a roster of 5,000 contacts in 50 groups, then all 5,000 coming online
//! within a second, through the real core against a real Prosody. mod_groups gives the account
//! the 5,000 contacts; `tests/support/mod_hallway_storm.lua` sends one available presence per
//! contact in one go (thousands of real sessions would measure the load generator, not us).
//! Prints: roster arrival after sign-in, how many UI events the presence storm became (the
//! session batches per 50 ms window), the time until all 5,000 show as available, and the
//! process's memory. `make bench` runs it; figures go to docs/PERFORMANCE.md.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../integration/support/mod.rs"]
#[allow(dead_code)]
mod support;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use hallway_core::CoreEvent;
use hallway_model::PresenceShow;
use support::client::Client;
use support::prosody::{Cert, Prosody};

const GROUPS: usize = 50;
const PER_GROUP: usize = 100;

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

async fn storm(alice: &mut Client, show: Option<&str>, want: PresenceShow, total: usize) {
    let body = show.map_or("go".to_string(), |s| format!("show={s}"));
    // A fresh trigger address per storm: the outbox keeps one message in flight per contact, and
    // the trigger must not wait for the previous one's ack.
    let trigger = format!("storm-{}@localhost", show.unwrap_or("online"));
    let t = Instant::now();
    alice
        .messenger
        .chats()
        .send_message(&trigger, &body)
        .await
        .unwrap();
    let mut seen: HashSet<String> = HashSet::new();
    let mut events = 0usize;
    let mut largest = 0usize;
    let deadline = Instant::now() + Duration::from_secs(60);
    while seen.len() < total {
        assert!(
            Instant::now() < deadline,
            "storm incomplete: {}",
            seen.len()
        );
        let Ok(Some(ev)) = tokio::time::timeout(Duration::from_secs(30), alice.events.recv()).await
        else {
            panic!("no events; {} of {total} seen", seen.len());
        };
        if let CoreEvent::ConnectionStateChanged(c) = &ev {
            println!(
                "  (connection during the storm: {c:?} at {:.0} ms)",
                t.elapsed().as_secs_f64() * 1000.0
            );
        }
        if let CoreEvent::PresencesChanged(u) = ev {
            if events == 0 {
                println!(
                    "  first presence batch after {:.0} ms",
                    t.elapsed().as_secs_f64() * 1000.0
                );
            }
            events += 1;
            largest = largest.max(u.len());
            for p in u {
                if p.presence == want && p.jid.starts_with('c') {
                    seen.insert(p.jid);
                }
            }
        }
    }
    println!(
        "  presence storm ({want:?}): {total} contacts in {:.0} ms as {events} UI events (largest batch {largest})",
        t.elapsed().as_secs_f64() * 1000.0
    );
    println!("  RSS now {:.0} MB", rss_mb());
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let server = Prosody::start_with(
        Cert::TrustedCa,
        &support::prosody::big_office("alice1@localhost", GROUPS, PER_GROUP),
    );
    let total = GROUPS * PER_GROUP;
    println!("roster benchmark: {total} contacts in {GROUPS} groups (Prosody on loopback)");
    let rss_before = rss_mb();
    let mut alice = Client::new("alice1@localhost");
    let t = Instant::now();
    alice.sign_in(&server).await.unwrap();
    let signed_in = t.elapsed();
    alice
        .wait_for(
            "roster",
            60,
            |e| matches!(e, CoreEvent::RosterChanged(c) if c.len() >= total),
        )
        .await;
    let roster_at = t.elapsed();
    println!("  RSS with the roster {:.0} MB", rss_mb());
    println!(
        "  sign-in {:.0} ms; roster of {total} delivered to the UI {:.0} ms after sign-in started",
        signed_in.as_secs_f64() * 1000.0,
        roster_at.as_secs_f64() * 1000.0
    );
    let t = Instant::now();
    let list = alice.messenger.contacts().list().await;
    println!(
        "  contact list query ({} contacts): {:.1} ms",
        list.len(),
        t.elapsed().as_secs_f64() * 1000.0
    );
    // Our presence (with XEP-0115 caps) makes each contact's PEP service on Prosody ask our
    // disco#info once: 5,000 small queries we answer at once but that keep Prosody busy for
    // seconds. A round trip to the server after them lets the storms measure the client.
    let t = Instant::now();
    let _ = alice
        .messenger
        .contacts()
        .contact_details("alice1@localhost")
        .await;
    println!(
        "  server settled after the caps queries in {:.0} ms; RSS {:.0} MB",
        t.elapsed().as_secs_f64() * 1000.0,
        rss_mb()
    );
    storm(&mut alice, None, PresenceShow::Available, total).await;
    storm(&mut alice, Some("away"), PresenceShow::Away, total).await;
    println!(
        "  memory of the core process (RSS): {:.0} MB before sign-in, {:.0} MB with {total} contacts online",
        rss_before,
        rss_mb()
    );
    alice.messenger.shut_down().await;
}
