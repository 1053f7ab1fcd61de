//! What the window benchmarks share: the window's own `performance.measure` figures
//! (`ui/src/lib/perfMarks.ts`), the memory of the app's process tree, waiting on a script, and
//! opening a conversation from a list by its accessible name, timed on the page's clock.

use std::time::{Duration, Instant};

use fantoccini::Client as Browser;

/// `hallway:NAME` measures so far: (start, duration) in ms of the page's clock.
pub async fn measures(b: &Browser, name: &str) -> Vec<(f64, f64)> {
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
pub fn app_tree_memory_mb() -> (f64, f64, Vec<String>) {
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

pub async fn wait_js(b: &Browser, script: &str, secs: u64, what: &str) {
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

/// Where the last open went before the page was drawn: from the click to the history call, and
/// the call itself (IPC and backend; the window builds the conversation's header meanwhile).
pub async fn print_split(b: &Browser, clicked: f64) {
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
pub struct Opened {
    /// The newest message is in the DOM (a conversation draws its newest messages first).
    pub newest: f64,
    /// The frame after that, when it is painted.
    pub painted: f64,
    /// The whole page is in the DOM (after the first paint when it was drawn in two steps).
    pub whole: f64,
    /// The click's time.
    pub clicked: f64,
}

/// Clicks the button in the list named `list` (`Contacts`, `Rooms`) whose name starts with
/// `name` and waits until the element `css` shows `text`, the frame after it, and until it
/// holds at least `page` messages.
pub async fn open_conversation(
    b: &Browser,
    list: &str,
    name: &str,
    css: &str,
    text: &str,
    page: usize,
) -> Opened {
    let out = b
        .execute_async(
            r#"const [list, name, css, text, page, done] = arguments;
            const button = [...document.querySelectorAll(`ul[aria-label='${list}'] button`)]
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
                serde_json::json!(list),
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

/// Writes `n` messages in `peer`'s conversation into the app's database before it starts, in
/// transactions of 5,000, all read. `room`: incoming from a dozen occupants (`peer` is a room);
/// otherwise ours, sent.
pub fn store_history(data_dir: &std::path::Path, account: &str, peer: &str, n: usize, room: bool) {
    use hallway_model::{DeliveryState, Direction, NewMessage, Placement};
    let store = hallway_store::Store::open(&hallway_core::paths::database_path(data_dir)).unwrap();
    let start = 1_700_000_000_000i64;
    let mut i = 0;
    while i < n {
        let batch: Vec<NewMessage> = (i..(i + 5_000).min(n))
            .map(|k| NewMessage {
                peer: peer.into(),
                direction: if room {
                    Direction::Incoming
                } else {
                    Direction::Outgoing
                },
                sender: if room {
                    format!("{peer}/Colleague {:04}", k % 12 + 1)
                } else {
                    account.into()
                },
                body: format!("history {k}: notes from the weekly planning meeting"),
                timestamp: start + k as i64 * 1_000,
                state: if room {
                    DeliveryState::Received
                } else {
                    DeliveryState::Sent
                },
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
    store.mark_read(account, peer).unwrap();
}
