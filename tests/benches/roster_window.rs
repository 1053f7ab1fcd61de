//! Benchmark (issue 5), the window's half: a roster of 5,000 contacts in 50 groups rendered by
//! the real app under Xvfb (tauri-driver → WebKitWebDriver), then all 5,000 coming online in one
//! storm (`tests/support/mod_hallway_storm.lua`, triggered from a second session of the same
//! account so the app's session receives it too). Figures come from the window's own
//! `performance.measure` entries (`ui/src/lib/perfMarks.ts`: from the event's arrival to the
//! frame after the DOM update) and from the memory of the app's process tree. Then (issue 4) the
//! window half of opening a conversation with 100,000 stored messages: from the click to the
//! newest page in the DOM (store call, IPC and render) and to the next frame. Needs the built
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

/// Messages in the long conversation.
const LONG_CONVERSATION: usize = 100_000;
/// Messages in the conversation opened first (a page and a bit).
const SHORT_CONVERSATION: usize = 60;

/// Writes `n` messages with `peer` into the app's database before it starts (sent, so nothing
/// is unread), in transactions of 5,000.
fn store_long_conversation(data_dir: &std::path::Path, account: &str, peer: &str, n: usize) {
    use hallway_model::{DeliveryState, Direction, NewMessage, Placement};
    let store = hallway_store::Store::open(&hallway_core::paths::database_path(data_dir)).unwrap();
    let start = 1_700_000_000_000i64;
    let mut i = 0;
    while i < n {
        let batch: Vec<NewMessage> = (i..(i + 5_000).min(n))
            .map(|k| NewMessage {
                peer: peer.into(),
                direction: Direction::Outgoing,
                sender: account.into(),
                body: format!("history {k}: notes from the weekly planning meeting"),
                timestamp: start + k as i64 * 1_000,
                state: DeliveryState::Sent,
                origin_id: format!("bench-{k}"),
                stanza_id: None,
                stanza_xml_id: None,
                markable: false,
                wants_receipt: false,
                placement: Placement::Append,
                attachment: None,
            })
            .collect();
        store.insert_messages(account, &batch).unwrap();
        i += 5_000;
    }
}

/// Where the last open went before the page was drawn: from the click to the history call, and
/// the call itself (IPC and backend; the window builds the conversation's header meanwhile).
async fn print_split(b: &Browser, clicked: f64) {
    let call = measures(b, "history-call").await;
    if let Some(c) = call.last() {
        println!(
            "      of which: click to the history call {:.0} ms, the call {:.0} ms",
            c.0 - clicked,
            c.1
        );
    }
}

/// When an opened conversation was shown, in ms from the click on the page's clock.
struct Opened {
    /// The newest message is in the DOM (a conversation draws its newest messages first).
    newest: f64,
    /// The frame after that, when it is painted.
    painted: f64,
    /// The whole page is in the DOM (after the first paint when it was drawn in two steps).
    whole: f64,
    /// The click's time.
    clicked: f64,
}

/// Clicks the contact whose list entry starts with `name` and waits until the element `css`
/// shows `text`, the frame after it, and until it holds at least `page` messages.
async fn open_conversation(b: &Browser, name: &str, css: &str, text: &str, page: usize) -> Opened {
    let out = b
        .execute_async(
            r#"const [name, css, text, page, done] = arguments;
            const button = [...document.querySelectorAll("ul[aria-label='Contacts'] button")]
              .find(el => (el.getAttribute('aria-label') || '').startsWith(name));
            if (!button) { done(null); return; }
            const el = () => document.querySelector(css);
            const shows = () => !!el() && el().textContent.includes(text);
            const whole = () => !!el() && el().querySelectorAll('[data-message-id]').length >= page;
            const t0 = performance.now();
            const at = { newest: null, painted: null, whole: null };
            const observer = new MutationObserver(() => check());
            const finish = () => {
              if (at.painted === null || at.whole === null) return;
              observer.disconnect();
              done([at.newest, at.painted, at.whole, t0]);
            };
            const check = () => {
              if (at.newest === null && shows()) {
                at.newest = performance.now() - t0;
                requestAnimationFrame(() => { at.painted = performance.now() - t0; finish(); });
              }
              if (at.newest !== null && at.whole === null && whole()) at.whole = performance.now() - t0;
              finish();
            };
            observer.observe(document.body, { childList: true, subtree: true, characterData: true });
            button.click();"#,
            vec![
                serde_json::json!(name),
                serde_json::json!(css),
                serde_json::json!(text),
                serde_json::json!(page),
            ],
        )
        .await
        .unwrap();
    let v = out.as_array().expect("conversation did not open");
    Opened {
        newest: v[0].as_f64().unwrap(),
        painted: v[1].as_f64().unwrap(),
        whole: v[2].as_f64().unwrap(),
        clicked: v[3].as_f64().unwrap(),
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
    let started = Instant::now();
    store_long_conversation(
        data.path(),
        "alice1@localhost",
        "c1x1@localhost",
        LONG_CONVERSATION,
    );
    store_long_conversation(
        data.path(),
        "alice1@localhost",
        "c1x2@localhost",
        SHORT_CONVERSATION,
    );
    println!(
        "stored {LONG_CONVERSATION} messages with Colleague 1-1 before start-up in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let driver = Driver::start(data.path());
    let b = driver.session().await;
    wait_el(&b, &button("Sign in"), 30).await;
    sign_in_through_the_form(&b, &server, "alice1@localhost").await;
    wait_el(&b, &contact_row("Colleague 1-1, "), 60).await;
    // Let the caps queries each contact's PEP service sends after sign-in settle on the server.
    tokio::time::sleep(Duration::from_secs(8)).await;
    let roster = measures(&b, "roster").await;
    let build = if std::env::var("HALLWAY_APP")
        .unwrap_or_default()
        .contains("/release/")
    {
        "release"
    } else {
        "debug"
    };
    println!("window benchmark: {total} contacts in {groups} groups, real app under Xvfb ({build} build of the shell)");
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
        .chats()
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

    // Opening the long conversation: first as the session's first conversation with messages
    // (the bubbles' code, styles and fonts are used for the first time), then again after
    // another one was open.
    const PAGE: usize = 50;
    println!("  opening the conversation with {LONG_CONVERSATION} stored messages (click → newest messages in the DOM / → painted / → whole page of {PAGE} in the DOM):");
    let newest = format!("history {}:", LONG_CONVERSATION - 1);
    const LOG: &str = "[role='log'][aria-label='Messages']";
    let shown = |o: &Opened| {
        format!(
            "{:.0} ms / {:.0} ms / {:.0} ms",
            o.newest, o.painted, o.whole
        )
    };
    for round in 1..=4 {
        let o = open_conversation(&b, "Colleague 1-1, ", LOG, &newest, PAGE).await;
        let first = " (the session's first conversation with messages)";
        println!(
            "    #{round}{}: {}",
            if round == 1 { first } else { "" },
            shown(&o)
        );
        if round == 1 {
            print_split(&b, o.clicked).await;
        }
        let other = open_conversation(
            &b,
            "Colleague 1-2, ",
            LOG,
            &format!("history {}:", SHORT_CONVERSATION - 1),
            PAGE,
        )
        .await;
        if round == 1 {
            println!(
                "    a {SHORT_CONVERSATION}-message conversation opened next: {}",
                shown(&other)
            );
        }
    }
    let _ = trigger.drain_for(100).await;
    b.close().await.unwrap();
    drop(driver);
}
