//! Benchmark (issue 17), the window's half of rooms: the real app under Xvfb (tauri-driver →
//! WebKitWebDriver) against a real Prosody whose rooms are filled by a test module
//! (`tests/support/mod_hallway_muc_crowd.lua`: occupants the MUC code itself lists to whoever
//! joins, without running a client per person).
//!
//! 1. Memory: the app tree signed in with no rooms, then (a fresh start of the same account)
//!    with 20 rooms its bookmarks bring back by themselves, 50 occupants and 500 stored
//!    messages each, every room opened once: PSS side by side (budget: at most 30 MB above);
//!    then every room opened again, round after round (does viewing keep costing?).
//! 2. Opening a room with 100,000 stored messages: click → newest message in the DOM → painted
//!    (budget < 50 ms, like a chat).
//! 3. Joining a room of 1,000 occupants through the dialog: the `Occupants` list's events (each
//!    one's apply and paint, from `ui/src/lib/perfMarks.ts`), how many there were (batched, not
//!    one per presence), and the click on `Join` to the whole count painted.
//!
//! Needs the built app (`HALLWAY_APP`) and a display: `make bench` runs it.

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

use std::time::Duration;

use driver::*;
use fantoccini::Client as Browser;
use support::client::Client;
use support::prosody::{big_office, Cert, Extras, Prosody};
use window::*;

const ME: &str = "alice1@localhost";
/// Rooms for the memory figure, their occupants (with Bob and us) and stored messages.
const ROOMS: usize = 20;
const OCCUPANTS_EACH: usize = 50;
const MESSAGES_EACH: usize = 500;
/// How many times each of those rooms is opened, one round after another (growth per round).
const VIEWING_ROUNDS: usize = 5;
/// Occupants of the crowded room (besides Bob and us).
const CROWD: usize = 1_000;
/// Messages stored in the long room.
const LONG_ROOM: usize = 100_000;
const LOG: &str = "[role='log'][aria-label='Messages']";
/// The room with 100,000 stored messages.
const LONG: &str = "long@rooms.localhost";

fn room(i: usize) -> String {
    format!("team{i:02}@rooms.localhost")
}

/// Bob opens `room` (creating it) and the crowd module seats `n` more people in it.
async fn fill_room(bob: &mut Client, server: &Prosody, room: &str, n: usize) {
    bob.messenger.rooms().join_room(room, "Bob").await.unwrap();
    bob.wait_for("Bob in the room", 20, |e| {
        matches!(e, hallway_core::CoreEvent::RoomsChanged(r)
            if r.iter().any(|r| r.room == room && r.phase == hallway_model::RoomPhase::Joined))
    })
    .await;
    let (port, room) = (server.c2s_port, room.to_string());
    tokio::task::spawn_blocking(move || {
        support::raw::send_raw_with(
            port,
            "bob1@localhost",
            &[&format!(
                "<message to='crowd@localhost'><body>{room} {n}</body></message>"
            )],
            &[("RAW_SEND_LINGER_MS", "300")],
        );
    })
    .await
    .unwrap();
}

/// The `In the room N` count shown beside the open room.
async fn occupant_count(b: &Browser) -> usize {
    b.execute(
        "const c = document.querySelector('.occupants-count'); return c ? Number(c.textContent) : 0;",
        vec![],
    )
    .await
    .unwrap()
    .as_u64()
    .unwrap_or(0) as usize
}

/// Clicks `Join` in the filled dialog and waits until the occupant count shows `n`, on the
/// page's clock: (click time, ms until the count showed n, ms until the frame after).
async fn join_and_wait_for_count(b: &Browser, n: usize) -> (f64, f64, f64) {
    let out = b
        .execute_async(
            r#"const [n, done] = arguments;
            const join = [...document.querySelectorAll('dialog button')]
              .find(el => el.textContent.trim() === 'Join');
            if (!join) { done(null); return; }
            const count = () => Number(document.querySelector('.occupants-count')?.textContent || 0);
            const t0 = performance.now();
            const observer = new MutationObserver(() => {
              if (count() >= n) {
                observer.disconnect();
                const shown = performance.now() - t0;
                requestAnimationFrame(() => done([t0, shown, performance.now() - t0]));
              }
            });
            observer.observe(document.body, { childList: true, subtree: true, characterData: true });
            join.click();"#,
            vec![serde_json::json!(n)],
        )
        .await
        .unwrap();
    let v = out.as_array().expect("no Join button");
    (
        v[0].as_f64().unwrap(),
        v[1].as_f64().unwrap(),
        v[2].as_f64().unwrap(),
    )
}

fn print_memory(what: &str) -> f64 {
    let (rss, pss, parts) = app_tree_memory_mb();
    println!(
        "  {what}: RSS {rss:.0} MB, PSS {pss:.0} MB ({})",
        parts.join(", ")
    );
    pss
}

/// Brings the contact whose name starts with `name` into the (windowed) contact list: the
/// filter, offline contacts shown.
async fn find_contact(b: &Browser, name: &str) {
    b.execute(
        "const box = [...document.querySelectorAll('label.contacts-offline input')][0]; if (box && !box.checked) box.click(); return true;",
        vec![],
    )
    .await
    .unwrap();
    type_into(b, &field("Filter contacts"), name.trim_end_matches(", ")).await;
    wait_el(b, &contact_row(name), 10).await;
}

/// Opens the conversation with the contact whose name starts with `name` (found through the
/// filter), waiting for `text` in its log.
async fn open_contact(b: &Browser, name: &str, text: &str) {
    find_contact(b, name).await;
    open_conversation(b, "Contacts", name, LOG, text, 50).await;
    b.execute(
        "const f = document.querySelector(\"input[aria-label='Filter contacts']\"); f.value = ''; f.dispatchEvent(new Event('input', { bubbles: true })); return true;",
        vec![],
    )
    .await
    .unwrap();
}

/// Starts the app on `data` and signs in; the contact list is there.
async fn start_app(data: &std::path::Path, server: &Prosody) -> (Driver, Browser) {
    let driver = Driver::start(data);
    let b = driver.session().await;
    wait_el(&b, &button("Sign in"), 30).await;
    sign_in_through_the_form(&b, server, ME).await;
    wait_el(&b, "//ul[@aria-label='Contacts']//button", 60).await;
    (driver, b)
}

/// Both runs do this before their memory figure: a conversation opened (its code and styles in
/// use), then the app left alone for a while.
async fn open_bob_and_settle(b: &Browser) {
    open_contact(b, "Bob Baker 1, ", "history 59:").await;
    tokio::time::sleep(Duration::from_secs(8)).await;
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // Twenty colleagues in a department of Alice's (no accounts: mod_groups lists them), for
    // the same figure with chats.
    let office = big_office(ME, 1, ROOMS);
    let server = Prosody::start_with(
        Cert::TrustedCa,
        &Extras {
            groups: office.groups,
            modules: vec!["hallway_muc_crowd".into()],
            plugin_paths: office.plugin_paths,
            ..Extras::default()
        },
    );
    let build = if std::env::var("HALLWAY_APP")
        .unwrap_or_default()
        .contains("/release/")
    {
        "release"
    } else {
        "debug"
    };
    println!("rooms window benchmark: real app under Xvfb ({build} build of the shell)");
    // Bob is online throughout (the same contact list in both runs) and owns every room.
    let mut bob = Client::online(&server, "bob1@localhost").await;

    // 1. Memory: first the account with no rooms.
    let bare = tempfile::tempdir().unwrap();
    store_history(bare.path(), ME, "bob1@localhost", 60, false);
    let (driver, b) = start_app(bare.path(), &server).await;
    open_bob_and_settle(&b).await;
    let without = print_memory("memory of the app tree, signed in, no rooms");
    // The same viewing with chats: twenty colleagues' conversations of 500 messages each,
    // each opened once (found through the filter: the contact list is windowed).
    let newest_each = format!("history {}:", MESSAGES_EACH - 1);
    for i in 1..=ROOMS {
        let peer = format!("c1x{i}@localhost");
        store_history(bare.path(), ME, &peer, MESSAGES_EACH, false);
        open_contact(&b, &format!("Colleague 1-{i}, "), &newest_each).await;
    }
    open_bob_and_settle(&b).await;
    let chats = print_memory(&format!(
        "memory after opening {ROOMS} chats of {MESSAGES_EACH} messages each"
    ));
    println!(
        "  viewing {ROOMS} chats: {:+.0} MB PSS (compare the rooms below)",
        chats - without
    );
    b.close().await.unwrap();
    drop(driver);

    // Then the same account in twenty rooms of fifty (and the long room, not opened yet):
    // joined on another device of Alice's, so her bookmarks (XEP-0402, autojoin) bring them
    // all to the app at sign-in, as after a restart.
    for i in 0..ROOMS {
        fill_room(&mut bob, &server, &room(i), OCCUPANTS_EACH - 2).await;
    }
    fill_room(&mut bob, &server, LONG, 0).await;
    let mut phone = Client::online(&server, ME).await;
    for r in (0..ROOMS).map(room).chain([LONG.to_string()]) {
        phone
            .messenger
            .rooms()
            .join_room(&r, "Alice")
            .await
            .unwrap();
        phone
            .wait_for("joined on the phone", 20, |e| {
                matches!(e, hallway_core::CoreEvent::RoomsChanged(l)
                    if l.iter().any(|x| x.room == r && x.phase == hallway_model::RoomPhase::Joined))
            })
            .await;
    }
    phone.messenger.shut_down().await;
    let data = tempfile::tempdir().unwrap();
    store_history(data.path(), ME, "bob1@localhost", 60, false);
    let (driver, b) = start_app(data.path(), &server).await;
    wait_js(
        &b,
        &format!(
            "return document.querySelectorAll(\"ul[aria-label='Rooms'] button[aria-label*=', Joined']\").length >= {};",
            ROOMS + 1
        ),
        60,
        "every bookmarked room joined by itself",
    )
    .await;
    open_bob_and_settle(&b).await;
    let joined = print_memory(&format!(
        "memory with {} rooms joined by themselves, none opened yet",
        ROOMS + 1
    ));
    // Each room's history, written beside the running app (SQLite WAL) before it is opened
    // (written before sign-in, the rooms would show as message requests from strangers
    // until the bookmarks named them).
    for i in 0..ROOMS {
        store_history(data.path(), ME, &room(i), MESSAGES_EACH, true);
    }
    store_history(data.path(), ME, LONG, LONG_ROOM, true);
    for i in 0..ROOMS {
        let local = format!("team{i:02}, ");
        open_conversation(&b, "Rooms", &local, LOG, &newest_each, 50).await;
        wait_js(
            &b,
            &format!("return Number(document.querySelector('.occupants-count')?.textContent || 0) >= {OCCUPANTS_EACH};"),
            20,
            "the room's occupants listed",
        )
        .await;
    }
    open_bob_and_settle(&b).await;
    let with = print_memory(&format!(
        "memory with {ROOMS} rooms joined ({OCCUPANTS_EACH} occupants, {MESSAGES_EACH} stored messages each, each opened; and one more room not opened)"
    ));
    println!(
        "  {ROOMS} rooms cost {:.0} MB PSS above the same account with none (budget 30 MB): {:.0} MB joined, {:.0} MB more once each was opened",
        with - without,
        joined - without,
        with - joined
    );
    // Opened all again, round after round: does viewing them keep costing (a leak), or was
    // that a high-water mark?
    let mut last = with;
    for round in 2..=VIEWING_ROUNDS {
        for i in 0..ROOMS {
            let local = format!("team{i:02}, ");
            open_conversation(&b, "Rooms", &local, LOG, &newest_each, 50).await;
        }
        open_bob_and_settle(&b).await;
        let now = print_memory(&format!("memory after opening each room {round} times"));
        println!("  round {round} of opening them: {:+.0} MB PSS", now - last);
        last = now;
    }
    open_conversation(&b, "Rooms", "team00, ", LOG, &newest_each, 50).await;
    shot(&b, "bench-rooms-20").await;

    // 2. Opening a room with 100,000 stored messages, from the room list: the first open (its
    // page read from the store), then again after another room.
    let newest = format!("history {}:", LONG_ROOM - 1);
    println!("  opening the room with {LONG_ROOM} stored messages (click → newest messages in the DOM / → painted / → whole page of 50 in the DOM):");
    for round in 1..=4 {
        let o = open_conversation(&b, "Rooms", "long, ", LOG, &newest, 50).await;
        let first = " (first open: the page read from the store)";
        println!(
            "    #{round}{}: {:.0} ms / {:.0} ms / {:.0} ms",
            if round == 1 { first } else { "" },
            o.newest,
            o.painted,
            o.whole
        );
        if round == 1 {
            print_split(&b, o.clicked).await;
        }
        open_conversation(&b, "Rooms", "team00, ", LOG, &newest_each, 50).await;
    }

    // 3. A room of a thousand, joined through the dialog.
    let crowd_room = "crowd@rooms.localhost";
    fill_room(&mut bob, &server, crowd_room, CROWD).await;
    let before = measures(&b, "occupants").await.len();
    wait_el(&b, &button("Join room"), 10)
        .await
        .click()
        .await
        .unwrap();
    type_into(&b, &field("Room address"), crowd_room).await;
    type_into(&b, &field("Nickname"), "Alice").await;
    let (clicked, shown, painted) = join_and_wait_for_count(&b, CROWD + 2).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let events: Vec<(f64, f64)> = measures(&b, "occupants")
        .await
        .split_off(before)
        .into_iter()
        .filter(|(start, _)| *start >= clicked)
        .collect();
    println!(
        "  joining a room of {} occupants: {} occupant-list event(s) (batched in Rust, one per room per 50 ms)",
        CROWD + 2,
        events.len()
    );
    if let Some(first) = events.first() {
        let worst = events.iter().map(|m| m.1).fold(0.0, f64::max);
        println!(
            "    first occupant-list event applied and painted in {:.0} ms (budget < 200 ms), slowest {worst:.0} ms",
            first.1
        );
    }
    println!(
        "    click on Join → all {} counted in the DOM {shown:.0} ms → painted {painted:.0} ms (disco#info, join, the room's presences, batching)",
        occupant_count(&b).await
    );
    let rows = b
        .execute(
            "return document.querySelectorAll(\"ul[aria-label='Occupants'] li\").length;",
            vec![],
        )
        .await
        .unwrap();
    println!("    list items in the DOM: {rows} (windowed)");
    shot(&b, "bench-rooms-crowd").await;
    let _ = bob.drain_for(100).await;
    b.close().await.unwrap();
    drop(driver);
}
