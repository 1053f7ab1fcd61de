//! Benchmark (issue 6): a 1 GB file uploaded (XEP-0363) and downloaded through the real core
//! against Prosody's http_file_share on loopback, with this process's resident memory sampled
//! every 20 ms, next to curl doing the same PUT (with its own slot) and GET against the same
//! server. Prints seconds, MB/s, the ratio to curl and memory growth. `make bench` runs it;
//! figures go to docs/PERFORMANCE.md.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../integration/support/mod.rs"]
#[allow(dead_code)]
mod support;

use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hallway_core::CoreEvent;
use hallway_model::FileStatus;
use support::client::Client;
use support::prosody::{pki, Cert, Extras, Prosody, PASSWORD};

const SIZE: u64 = 1_000_000_000;

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse().ok())
        .unwrap_or(0)
}

/// Samples RSS until dropped; `peak()` is the highest seen.
struct Sampler {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
}

impl Sampler {
    fn start() -> Sampler {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(rss_kb()));
        let (s, p) = (stop.clone(), peak.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                p.fetch_max(rss_kb(), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        Sampler { stop, peak }
    }
    fn peak(&self) -> u64 {
        self.peak.load(Ordering::Relaxed)
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

async fn wait_status(c: &mut Client, id: i64, status: FileStatus) -> hallway_model::Attachment {
    let ev = c
        .wait_for(&format!("{status:?}"), 900, |e| {
            matches!(e, CoreEvent::MessageUpdated(m) if m.id == id
                && m.attachment.as_ref().is_some_and(|a| a.status == status || a.error.is_some()))
        })
        .await;
    let CoreEvent::MessageUpdated(m) = ev else {
        unreachable!()
    };
    if let Some(why) = m.attachment.as_ref().and_then(|a| a.error.clone()) {
        panic!("transfer failed: {why}");
    }
    // Progress events pile up in `seen` during a long transfer: keep memory for the transfer.
    c.seen.clear();
    m.attachment.unwrap()
}

fn mb_s(secs: f64) -> f64 {
    SIZE as f64 / 1e6 / secs
}

fn curl(args: &[&str]) -> f64 {
    let t = Instant::now();
    let out = Command::new("curl")
        .args(["-sS", "--fail", "--cacert"])
        .arg(&pki().ca_pem)
        .args(args)
        .output()
        .expect("curl (make deps installs it)");
    assert!(
        out.status.success(),
        "curl failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    t.elapsed().as_secs_f64()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let server = Prosody::start_with(
        Cert::TrustedCa,
        &Extras {
            upload_limit: Some(2 * SIZE),
            ..Extras::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.bin");
    // Sparse: reading it costs no disk, for us and for curl alike.
    std::fs::File::create(&path).unwrap().set_len(SIZE).unwrap();

    let mut alice = Client::online(&server, "alice1@localhost").await;
    let mut bob = Client::online(&server, "bob1@localhost").await;
    println!(
        "file benchmark: {} MB through Prosody's http_file_share on loopback",
        SIZE / 1_000_000
    );

    // Upload through the core.
    let base = rss_kb();
    let sampler = Sampler::start();
    let t = Instant::now();
    let sent = alice
        .messenger
        .files()
        .send_file("bob1@localhost", &path)
        .await
        .unwrap();
    let done = wait_status(&mut alice, sent.id, FileStatus::Uploaded).await;
    let up = t.elapsed().as_secs_f64();
    let up_growth = sampler.peak().saturating_sub(base) as f64 / 1024.0;
    drop(sampler);
    let url = done.url.unwrap();

    // Download through the core (Bob received the message).
    let got = loop {
        let ev = bob
            .wait_for("the file message", 60, |e| {
                matches!(e, CoreEvent::MessagesReceived(_))
            })
            .await;
        if let CoreEvent::MessagesReceived(ms) = ev {
            if let Some(m) = ms.into_iter().find(|m| m.attachment.is_some()) {
                break m;
            }
        }
    };
    let base = rss_kb();
    let sampler = Sampler::start();
    let t = Instant::now();
    bob.messenger.files().download_file(got.id).await.unwrap();
    let a = wait_status(&mut bob, got.id, FileStatus::Downloaded).await;
    let down = t.elapsed().as_secs_f64();
    let down_growth = sampler.peak().saturating_sub(base) as f64 / 1024.0;
    drop(sampler);
    let saved = std::path::PathBuf::from(a.local_path.unwrap());
    assert_eq!(std::fs::metadata(&saved).unwrap().len(), SIZE);
    std::fs::remove_file(&saved).unwrap();

    // curl: the same PUT with a slot of its own, and the same GET.
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/slot.py");
    let out = Command::new("/usr/bin/python3")
        .arg(script)
        .args(["carol1@localhost", PASSWORD, &server.c2s_port.to_string()])
        .arg(&pki().ca_pem)
        .args(["upload.localhost", "curl.bin", &SIZE.to_string()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "slot.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    let put_url = lines.next().unwrap().to_string();
    let mut args: Vec<String> = Vec::new();
    for h in lines.filter(|l| !l.is_empty()) {
        args.push("-H".into());
        args.push(h.to_string());
    }
    args.extend(["-H".into(), "Content-Type: application/octet-stream".into()]);
    args.extend([
        "-T".into(),
        path.to_string_lossy().into_owned(),
        "-o".into(),
        "/dev/null".into(),
        put_url,
    ]);
    let arg_refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let curl_up = curl(&arg_refs);
    let curl_down = curl(&["-o", "/dev/null", &url]);

    println!("  upload   Hallway {up:6.1} s ({:6.1} MB/s)   curl {curl_up:6.1} s ({:6.1} MB/s)   ratio {:.2}x   memory +{up_growth:.1} MB",
        mb_s(up), mb_s(curl_up), up / curl_up);
    println!("  download Hallway {down:6.1} s ({:6.1} MB/s)   curl {curl_down:6.1} s ({:6.1} MB/s)   ratio {:.2}x   memory +{down_growth:.1} MB",
        mb_s(down), mb_s(curl_down), down / curl_down);
    println!("  budgets: memory growth < 20 MB, within 2x of curl");
}
