//! Benchmark (issue 5), the window's half: a roster of 5,000 contacts in 50 groups rendered by
//! the real app under Xvfb (tauri-driver → WebKitWebDriver), then all 5,000 coming online in one
//! storm (`tests/support/mod_hallway_storm.lua`, triggered from a second session of the same
//! account so the app's session receives it too). Figures come from the window's own
//! `performance.measure` entries (`ui/src/lib/perfMarks.ts`: from the event's arrival to the
//! frame after the DOM update) and from the memory of the app's process tree, beside the same
//! tree at its sign-in form in the same run (issue 20's "own cost" ratio). Then (issue 4) the
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

#[path = "support/window.rs"]
#[allow(dead_code)]
mod window;

use std::time::{Duration, Instant};

use window::*;

use driver::*;
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

/// Messages in the long conversation.
const LONG_CONVERSATION: usize = 100_000;
/// Messages in the conversation opened first (a page and a bit).
const SHORT_CONVERSATION: usize = 60;

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
    store_history(
        data.path(),
        "alice1@localhost",
        "c1x1@localhost",
        LONG_CONVERSATION,
        false,
    );
    store_history(
        data.path(),
        "alice1@localhost",
        "c1x2@localhost",
        SHORT_CONVERSATION,
        false,
    );
    println!(
        "stored {LONG_CONVERSATION} messages with Colleague 1-1 before start-up in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let driver = Driver::start(data.path());
    let b = driver.session().await;
    wait_el(&b, &button("Sign in"), 30).await;
    // The floor of the shape, in the same run: the app at its sign-in form, left alone as the
    // signed-in figure below is.
    tokio::time::sleep(Duration::from_secs(8)).await;
    let (_, form_pss, form_parts) = app_tree_memory_mb();
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
    println!(
        "  at the sign-in form: PSS {form_pss:.0} MB (RSS/PSS: {}); signed in with {total} contacts = {:.3} × the sign-in form (issue 20: ≤ 1.10 with 500, ≤ 1.20 with 5,000)",
        form_parts.join(", "),
        pss / form_pss
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
        let o = open_conversation(&b, "Contacts", "Colleague 1-1, ", LOG, &newest, PAGE).await;
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
            "Contacts",
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
