//! Interoperability of direct transfer (XEP-0234 over XEP-0260 / XEP-0261) with another client:
//! Dino from Debian's packages (`dino-im`), run under Xvfb against a private Prosody. Hallway
//! sends a file straight to Dino's device; Dino accepts files under 5 MB from roster contacts by
//! itself, in a conversation it already has (a message opens one), so no clicking is needed. Not part of `make test`: it needs `dino-im` installed and
//! root to trust the test CA system-wide for the moment of the run (Dino verifies TLS against
//! the system store), and it listens on port 5222 (Dino has no server/port setting). Run it by
//! hand: `cargo test -p hallway-tests --test integration -- --ignored interop`. Dino's log (with
//! its XMPP) stays in the temp folder the test prints.

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use hallway_core::files::DirectRoute;
use hallway_model::FileStatus;
use sha2::{Digest, Sha256};

use crate::support::client::Client;
use crate::support::prosody::{pki, Cert, Prosody, PASSWORD};

const TRUSTED_CA: &str = "/usr/local/share/ca-certificates/hallway-interop-test.crt";

fn sha256(path: &Path) -> String {
    let mut f = std::fs::File::open(path).unwrap();
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 65536];
    loop {
        let n = f.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    format!("{:x}", h.finalize())
}

/// Forwards 127.0.0.1:5222 to the server's port (Dino connects to the domain's default port).
fn forward_5222(to: u16) {
    let l = TcpListener::bind(("127.0.0.1", 5222)).expect("port 5222 is taken");
    std::thread::spawn(move || {
        for c in l.incoming().flatten() {
            let Ok(s) = TcpStream::connect(("127.0.0.1", to)) else {
                continue;
            };
            let (mut a, mut b) = (c.try_clone().unwrap(), s.try_clone().unwrap());
            let (mut c2, mut s2) = (c, s);
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut a, &mut s2);
            });
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut b, &mut c2);
            });
        }
    });
}

fn dino(home: &Path) -> Child {
    Command::new("xvfb-run")
        .args([
            "-a",
            "dbus-run-session",
            "--",
            "dino-im",
            "--print-xmpp=all",
        ])
        .env("G_MESSAGES_DEBUG", "all")
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .stdout(std::fs::File::create(home.join("dino.log")).unwrap())
        .stderr(std::fs::File::create(home.join("dino.err")).unwrap())
        .spawn()
        .expect("dino-im not installed")
}

fn stop_dino(mut child: Child) {
    let _ = Command::new("pkill").args(["-f", "dino-im"]).status();
    // TERM, not KILL: xvfb-run stops its X server on TERM only.
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
}

struct TrustTestCa;

impl TrustTestCa {
    fn install() -> TrustTestCa {
        std::fs::copy(&pki().ca_pem, TRUSTED_CA).expect("need root to trust the test CA");
        assert!(Command::new("update-ca-certificates")
            .status()
            .unwrap()
            .success());
        TrustTestCa
    }
}

impl Drop for TrustTestCa {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(TRUSTED_CA);
        let _ = Command::new("update-ca-certificates")
            .arg("--fresh")
            .status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs dino-im, root and port 5222; run by hand"]
async fn interop_a_file_goes_straight_to_dino() {
    let server = Prosody::start(Cert::TrustedCa);
    let _ca = TrustTestCa::install();
    forward_5222(server.c2s_port);
    // Kept after the run: Dino's log (with its XMPP) is the first thing to read when this fails.
    let home = std::env::temp_dir().join(format!("hallway-dino-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    println!("Dino's home and log: {}", home.display());
    // First start creates Dino's database; then the account goes in and Dino starts again.
    let db = home.as_path().join("data/dino/dino.db");
    let first = dino(home.as_path());
    let deadline = Instant::now() + Duration::from_secs(30);
    while !db.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_secs(2));
    stop_dino(first);
    let sql = format!(
        "INSERT INTO account (bare_jid, resourcepart, password, alias, enabled) \
         VALUES ('bob1@localhost', 'dino', '{PASSWORD}', 'Bob', 1);"
    );
    assert!(Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()",
            db.to_str().unwrap(),
            &sql,
        ])
        .status()
        .unwrap()
        .success());
    let second = dino(home.as_path());

    let mut alice = Client::online(&server, "alice1@localhost").await;
    let deadline = Instant::now() + Duration::from_secs(60);
    while !alice
        .messenger
        .files()
        .can_send_directly("bob1@localhost")
        .await
        .unwrap()
    {
        assert!(
            Instant::now() < deadline,
            "Dino never came online with Jingle file transfer (see {})",
            home.as_path().join("dino.err").display()
        );
        let _ = alice.drain_for(500).await;
    }

    // Dino takes files only within a conversation it has: a message opens one.
    alice
        .messenger
        .chats()
        .send_message("bob1@localhost", "Hello from Hallway")
        .await
        .unwrap();
    let _ = alice.drain_for(3000).await;

    let files = tempfile::tempdir().unwrap();
    let mut outcomes = Vec::new();
    // First both sides offer their addresses; then Hallway offers none, so only Dino's own
    // candidates can carry the file.
    for (name, no_direct) in [("both-offer.bin", false), ("dino-offers.bin", true)] {
        if no_direct {
            alice
                .messenger
                .files()
                .set_direct_addresses(Some(Vec::new()));
            alice.messenger.files().set_relay_allowed(false);
        }
        let path = files.path().join(name);
        std::fs::write(
            &path,
            (0..300_000u32).map(|i| (i % 251) as u8).collect::<Vec<_>>(),
        )
        .unwrap();
        let sent = alice
            .messenger
            .files()
            .send_file_direct("bob1@localhost", &path)
            .await
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(90);
        let status = loop {
            let a = alice
                .messenger
                .store()
                .message(sent.id)
                .unwrap()
                .unwrap()
                .attachment
                .unwrap();
            if matches!(a.status, FileStatus::Uploaded | FileStatus::UploadFailed)
                || Instant::now() > deadline
            {
                break a;
            }
            let _ = alice.drain_for(500).await;
        };
        let route: Option<DirectRoute> = alice.messenger.files().direct_route(sent.id);
        let received: Vec<PathBuf> = walk(&home.as_path().join("data/dino/files"))
            .into_iter()
            .filter(|p| p.to_string_lossy().contains(name.trim_end_matches(".bin")))
            .collect();
        println!(
            "{name}: {:?} {:?} via {route:?}; Dino saved {received:?}",
            status.status, status.error
        );
        outcomes.push((
            status.status,
            received.iter().any(|p| sha256(p) == sha256(&path)),
        ));
    }
    stop_dino(second);
    // The usual case works end to end: Dino has the file, hash-equal, and said so.
    assert_eq!(outcomes[0], (FileStatus::Uploaded, true), "both offer");
    // Found 2026-11-25 with Dino 0.4.2: when the connection Hallway opened to Dino's own
    // candidate is the one nominated, Dino stops reading after a few kilobytes. Whatever Dino
    // does, Hallway must never show a file as delivered that did not arrive whole.
    let (status, intact) = outcomes[1];
    assert!(
        status != FileStatus::Uploaded || intact,
        "a truncated transfer was shown as delivered"
    );
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}
