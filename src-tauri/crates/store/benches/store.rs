//! Store benchmarks (`make bench`): print figures, assert nothing. Budgets from issue 4:
//! newest page of a 100,000-message conversation (store part of < 50 ms), FTS5 search over
//! 1,000,000 messages p95 < 50 ms, catch-up ingest > 5,000 messages/s. Sizes can be lowered with
//! HALLWAY_BENCH_CONVERSATION and HALLWAY_BENCH_FTS for a quick run.

// A benchmark, like a test: failing loudly on a broken store is the right outcome.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::time::{Duration, Instant};

use hallway_model::{DeliveryState, Direction, NewMessage};
use hallway_store::Store;

const ACC: &str = "me@example.com";
const WORDS: &[&str] = &[
    "meeting", "report", "lunch", "deadline", "budget", "café", "review", "invoice", "customer",
    "release", "holiday", "printer", "coffee", "slides", "agenda", "quarter", "roadmap", "hiring",
    "office", "train",
];

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn message(peer: &str, i: usize) -> NewMessage {
    // Cheap deterministic pseudo-random words so FTS has realistic spread.
    let mut x = (i as u64)
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut body = String::with_capacity(80);
    for _ in 0..8 {
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51afd7ed558ccd);
        body.push_str(WORDS[(x % WORDS.len() as u64) as usize]);
        body.push(' ');
    }
    body.push_str(&format!("#{i}"));
    let incoming = i.is_multiple_of(2);
    NewMessage {
        peer: peer.to_string(),
        direction: if incoming {
            Direction::Incoming
        } else {
            Direction::Outgoing
        },
        sender: if incoming {
            peer.to_string()
        } else {
            ACC.to_string()
        },
        body,
        timestamp: 1_700_000_000_000 + i as i64 * 1000,
        state: if incoming {
            DeliveryState::Received
        } else {
            DeliveryState::Delivered
        },
        origin_id: format!("o-{peer}-{i}"),
        stanza_id: Some(format!("s-{peer}-{i}")),
        stanza_xml_id: None,
        markable: false,
        wants_receipt: false,
        placement: hallway_model::Placement::Append,
        attachment: None,
    }
}

fn fill(store: &Store, peers: &[String], total: usize) -> Duration {
    let started = Instant::now();
    let batch = 1000;
    let mut i = 0;
    while i < total {
        let n = batch.min(total - i);
        let msgs: Vec<_> = (i..i + n)
            .map(|k| message(&peers[k % peers.len()], k))
            .collect();
        store.insert_messages(ACC, &msgs).expect("insert");
        i += n;
    }
    started.elapsed()
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let idx = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[idx]
}

fn report(name: &str, samples: &mut [Duration]) {
    let p50 = percentile(samples, 0.50);
    let p95 = percentile(samples, 0.95);
    let max = percentile(samples, 1.0);
    println!(
        "{name:<48} p50 {:>8.3} ms   p95 {:>8.3} ms   max {:>8.3} ms",
        ms(p50),
        ms(p95),
        ms(max)
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let conv = env_or("HALLWAY_BENCH_CONVERSATION", 100_000);
    let fts_total = env_or("HALLWAY_BENCH_FTS", 1_000_000);

    // 1. Ingest (MAM catch-up shape: batches of 1000 in one transaction each) + open a big conversation.
    let store = Store::open(&dir.path().join("conv.sqlite3")).expect("open");
    let peers = vec!["bob@example.com".to_string()];
    let took = fill(&store, &peers, conv);
    println!(
        "{:<48} {:>10.0} messages/s ({} messages in {:.2} s)",
        "ingest, batched transactions of 1000",
        conv as f64 / took.as_secs_f64(),
        conv,
        took.as_secs_f64()
    );
    let mut samples: Vec<Duration> = (0..200)
        .map(|_| {
            let t = Instant::now();
            let page = store
                .history(ACC, "bob@example.com", None, 50)
                .expect("history");
            assert_eq!(page.len(), 50);
            t.elapsed()
        })
        .collect();
    report(
        &format!("newest page of 50 in a {conv}-message conversation"),
        &mut samples,
    );
    let newest = store
        .history(ACC, "bob@example.com", None, 50)
        .expect("history");
    let mut before = newest[0].id;
    let mut samples = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        let page = store
            .history(ACC, "bob@example.com", Some(before), 50)
            .expect("history");
        samples.push(t.elapsed());
        before = page.first().map(|m| m.id).unwrap_or(before);
    }
    report("older page of 50 (scrolling up)", &mut samples);
    drop(store);

    // 2. Full-text search over many messages in 200 conversations.
    let store = Store::open(&dir.path().join("fts.sqlite3")).expect("open");
    let peers: Vec<String> = (0..200)
        .map(|i| format!("colleague{i}@example.com"))
        .collect();
    let took = fill(&store, &peers, fts_total);
    println!(
        "{:<48} {:>10.0} messages/s ({} messages in {:.2} s)",
        "ingest with FTS index, 200 conversations",
        fts_total as f64 / took.as_secs_f64(),
        fts_total,
        took.as_secs_f64()
    );
    let queries = [
        "budget",
        "cafe",
        "meet",
        "\"coffee slides\"",
        "invoice customer",
        "roadm",
        "#4242",
        "printer train",
    ];
    let mut samples = Vec::new();
    for round in 0..25 {
        for q in queries {
            let t = Instant::now();
            let hits = store.search(ACC, q, 50).expect("search");
            samples.push(t.elapsed());
            if round == 0 && hits.is_empty() && !q.starts_with('#') {
                println!("  (no hits for {q})");
            }
        }
    }
    report(
        &format!("FTS5 search, 50 newest hits, {fts_total} messages"),
        &mut samples,
    );
}
