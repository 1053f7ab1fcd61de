//! Benchmark (issue 5), the window's half: a roster of 5,000 contacts in 50 groups rendered by
//! the real app under Xvfb (tauri-driver → WebKitWebDriver), then all 5,000 coming online in one
//! storm (`tests/support/mod_hallway_storm.lua`, triggered from a second session of the same
//! account so the app's session receives it too). Figures come from the window's own
//! `performance.measure` entries (`ui/src/lib/perfMarks.ts`: from the event's arrival to the
//! frame after the DOM update) and from the memory of the app's process tree. Needs the built
//! app (`HALLWAY_APP`) and a display: `make bench` runs it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../integration/support/mod.rs"]
#[allow(dead_code)]
mod support;

#[path = "../e2e/driver.rs"]
#[allow(dead_code)]
mod driver;

use std::time::{Duration, Instant};

use driver::*;
use fantoccini::Client as Browser;
use support::client::Client;
use support::prosody::{big_office, Cert, Prosody};

/// Size of the office: 50 × 100 unless `HALLWAY_BENCH_GROUPS` / `HALLWAY_BENCH_PER_GROUP` say
/// otherwise (a small office gives the memory baseline).
fn size(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `hallway:NAME` measures so far: (start, duration) in ms of the page's clock.
async fn measures(b: &Browser, name: &str) -> Vec<(f64, f64)> {
    let v = b
        .execute(
            "return performance.getEntriesByName(arguments[0], 'measure').map(m => [m.startTime, m.duration]);",
            vec![serde_json::json!(format!("hallway:{name}"))],
        )
        .await
        .unwrap();
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?)))
                .collect()
        })
        .unwrap_or_default()
}

/// Memory (MB) of the app and the WebKit processes it started, as (RSS total, PSS total,
/// per-process lines). RSS counts the WebKit libraries once per process that maps them; PSS
/// shares them out, so it is what the tree costs the machine. WebKitWebDriver is the test's
/// remote control, not part of the app: listed, not counted.
fn app_tree_memory_mb() -> (f64, f64, Vec<String>) {
    let out = std::process::Command::new("ps")
        .args(["-eo", "pid=,rss=,comm="])
        .output()
        .unwrap();
    let (mut rss_total, mut pss_total) = (0.0, 0.0);
    let mut parts = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let mut it = line.split_whitespace();
        let (Some(pid), Some(rss), Some(comm)) = (it.next(), it.next(), it.next()) else {
            continue;
        };
        if comm != "hallway" && !comm.starts_with("WebKit") {
            continue;
        }
        let rss = rss.parse::<f64>().unwrap_or(0.0) / 1024.0;
        // Pss in kB from smaps_rollup (Linux 4.14+).
        let pss = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
            .ok()
            .and_then(|t| {
                t.lines()
                    .find(|l| l.starts_with("Pss:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|v| v.parse::<f64>().ok())
            })
            .unwrap_or(0.0)
            / 1024.0;
        if comm == "WebKitWebDriver" {
            parts.push(format!("{comm} {rss:.0}/{pss:.0} MB (not counted)"));
            continue;
        }
        rss_total += rss;
        pss_total += pss;
        parts.push(format!("{comm} {rss:.0}/{pss:.0} MB"));
    }
    (rss_total, pss_total, parts)
}

async fn wait_js(b: &Browser, script: &str, secs: u64, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let v = b.execute(script, vec![]).await.unwrap();
        if v.as_bool() == Some(true) {
            return;
        }
        assert!(Instant::now() < deadline, "{what}: not reached in {secs}s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let groups = size("HALLWAY_BENCH_GROUPS", 50);
    let per_group = size("HALLWAY_BENCH_PER_GROUP", 100);
    let total = groups * per_group;
    let server = Prosody::start_with(
        Cert::TrustedCa,
        &big_office("alice1@localhost", groups, per_group),
    );
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start(data.path());
    let b = driver.session().await;
    wait_el(&b, &button("Sign in"), 30).await;
    sign_in_through_the_form(&b, &server, "alice1@localhost").await;
    wait_el(&b, &contact_row("Colleague 1-1, "), 60).await;
    // Let the caps queries each contact's PEP service sends after sign-in settle on the server.
    tokio::time::sleep(Duration::from_secs(8)).await;
    let roster = measures(&b, "roster").await;
    println!("window benchmark: {total} contacts in {groups} groups, real app under Xvfb (debug build of the shell)");
    for (i, (_, d)) in roster.iter().enumerate() {
        println!("  roster applied and painted #{}: {d:.0} ms", i + 1);
    }
    let rows = b
        .execute(
            "return document.querySelectorAll(\"ul[aria-label='Contacts'] li\").length;",
            vec![],
        )
        .await
        .unwrap();
    println!("  list items in the DOM for {total} contacts: {rows} (virtualised)");

    let mut trigger = Client::online(&server, "alice1@localhost").await;
    let before = measures(&b, "presences").await.len();
    trigger
        .messenger
        .send_message("storm-window@localhost", "go")
        .await
        .unwrap();
    // Every department heading shows all of its colleagues online.
    wait_js(
        &b,
        &format!("return Array.from(document.querySelectorAll('button[aria-expanded]')).filter(h => (h.getAttribute('aria-label') || '').includes('{per_group} of {per_group} online')).length >= 1;"),
        60,
        "headings show everyone online",
    )
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let storm: Vec<(f64, f64)> = measures(&b, "presences").await.split_off(before);
    if let (Some(first), Some(last)) = (storm.first(), storm.last()) {
        let settle = last.0 + last.1 - first.0;
        let worst = storm.iter().map(|m| m.1).fold(0.0, f64::max);
        println!(
            "  {total} contacts online: {} presence event(s), settled (first event to last painted frame) in {settle:.0} ms, slowest event {worst:.0} ms",
            storm.len()
        );
    }
    let (rss, pss, parts) = app_tree_memory_mb();
    println!(
        "  memory of the app tree: RSS {rss:.0} MB, PSS {pss:.0} MB (RSS/PSS: {})",
        parts.join(", ")
    );
    let _ = trigger.drain_for(100).await;
    b.close().await.unwrap();
    drop(driver);
}
