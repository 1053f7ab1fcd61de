//! Files against Prosody's mod_http_file_share (XEP-0363): upload with progress and download
//! with matching SHA-256 (3 MB and empty files), the server's limit enforced before any upload,
//! hostile file names saved and shown safely, a server failing mid-upload reported and retried;
//! and Jingle direct transfer (XEP-0234) over a SOCKS5 connection on loopback (XEP-0260) or
//! in-band (XEP-0261) after the direct connection fails both ways.

use std::path::{Path, PathBuf};

use hallway_core::files::DirectRoute;
use hallway_core::{CoreError, CoreEvent};
use hallway_model::{Attachment, DeliveryState, FileStatus, Message};
use sha2::{Digest, Sha256};

use crate::messaging::send_raw;
use crate::support::client::Client;
use crate::support::prosody::{Cert, Prosody, UPLOAD_LIMIT};

fn sha256(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    format!("{:x}", Sha256::digest(&bytes))
}

/// A file of `len` pseudo-random bytes (seeded: the same on every run).
pub(crate) fn make_file(dir: &Path, name: &str, len: usize) -> PathBuf {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15 ^ len as u64;
    let bytes: Vec<u8> = (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn attachment(ev: &CoreEvent, id: i64) -> Option<Attachment> {
    match ev {
        CoreEvent::MessageUpdated(m) if m.id == id => m.attachment.clone(),
        _ => None,
    }
}

pub(crate) async fn wait_status(
    c: &mut Client,
    id: i64,
    status: FileStatus,
    secs: u64,
) -> Attachment {
    let ev = c
        .wait_for(&format!("message {id} file {status:?}"), secs, |e| {
            attachment(e, id).is_some_and(|a| a.status == status)
        })
        .await;
    attachment(&ev, id).unwrap()
}

/// The next incoming message carrying a file.
async fn wait_file_message(c: &mut Client, secs: u64) -> Message {
    let ev = c
        .wait_for("a message with a file", secs, |e| {
            matches!(e, CoreEvent::MessagesReceived(ms) if ms.iter().any(|m| m.attachment.is_some()))
        })
        .await;
    let CoreEvent::MessagesReceived(ms) = ev else {
        unreachable!()
    };
    ms.into_iter().find(|m| m.attachment.is_some()).unwrap()
}

/// Sends `path` from `from` to `to` and returns (sender's message id, receiver's message).
async fn send_and_receive(from: &mut Client, to: &mut Client, path: &Path) -> (i64, Message) {
    let sent = from
        .messenger
        .files()
        .send_file(&to.address, path)
        .await
        .unwrap();
    let a = sent.attachment.clone().unwrap();
    assert_eq!(a.status, FileStatus::Uploading);
    assert_eq!(sent.state, DeliveryState::Pending);
    let done = wait_status(from, sent.id, FileStatus::Uploaded, 60).await;
    let url = done.url.clone().expect("uploaded files have a URL");
    assert!(url.starts_with("https://localhost:"), "{url}");
    let got = wait_file_message(to, 30).await;
    let ga = got.attachment.clone().unwrap();
    assert_eq!(ga.url.as_deref(), Some(url.as_str()));
    assert_eq!(ga.status, FileStatus::Available);
    assert_eq!(
        got.body, url,
        "the body is the URL, as XEP-0363 clients send it"
    );
    (sent.id, got)
}

fn stored_state(c: &Client, id: i64) -> DeliveryState {
    c.messenger.store().message(id).unwrap().unwrap().state
}

async fn download(c: &mut Client, id: i64) -> PathBuf {
    c.messenger.files().download_file(id).await.unwrap();
    let a = wait_status(c, id, FileStatus::Downloaded, 60).await;
    let p = PathBuf::from(a.local_path.unwrap());
    assert!(p.starts_with(c.data_dir.path().join("Downloads")), "{p:?}");
    p
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_and_downloads_files_with_matching_hashes() {
    let server = Prosody::shared();
    let mut alice = Client::online(server, "alice15@localhost").await;
    let mut bob = Client::online(server, "bob15@localhost").await;
    let limit = alice.messenger.files().upload_limit().await.unwrap();
    assert!(limit.available);
    assert_eq!(limit.max_size, Some(UPLOAD_LIMIT));

    let dir = tempfile::tempdir().unwrap();
    let big = make_file(dir.path(), "Quarterly report.bin", 3 * 1024 * 1024);
    let (sent_id, got) = send_and_receive(&mut alice, &mut bob, &big).await;
    assert!(
        alice.seen.iter().any(|e| matches!(e,
            CoreEvent::TransferProgressed(p) if p.message_id == sent_id && p.total == Some(3 * 1024 * 1024))),
        "upload progress was reported"
    );
    // The sender's message went out only after the upload, with the URL, and arrived.
    alice
        .eventually("file message delivered", 20, |c| {
            c.messenger
                .store()
                .message(sent_id)
                .unwrap()
                .unwrap()
                .state
                .rank()
                >= DeliveryState::Sent.rank()
        })
        .await;
    assert_eq!(
        got.attachment.as_ref().unwrap().name,
        "Quarterly report.bin"
    );
    let url = got.attachment.as_ref().unwrap().url.clone().unwrap();
    let https = format!("https://localhost:{}/file_share/", server.https_port);
    assert!(url.starts_with(&https), "{url}");

    // Size via HEAD, then the download: same bytes, never overwriting an earlier copy.
    bob.messenger.files().inspect_file(got.id).await.unwrap();
    let a = wait_status(&mut bob, got.id, FileStatus::Available, 10).await;
    assert_eq!(a.size, Some(3 * 1024 * 1024));
    let first = download(&mut bob, got.id).await;
    assert_eq!(sha256(&first), sha256(&big));
    assert!(bob.seen.iter().any(|e| matches!(e,
        CoreEvent::TransferProgressed(p) if p.message_id == got.id)));
    let second = download(&mut bob, got.id).await;
    assert_eq!(first.file_name().unwrap(), "Quarterly report.bin");
    assert_eq!(second.file_name().unwrap(), "Quarterly report (1).bin");
    assert_eq!(sha256(&second), sha256(&big));
    assert!(!second.with_extension("bin.part").exists());

    // An empty file.
    let empty = make_file(dir.path(), "empty.txt", 0);
    let (_, got) = send_and_receive(&mut alice, &mut bob, &empty).await;
    let p = download(&mut bob, got.id).await;
    assert_eq!(std::fs::metadata(&p).unwrap().len(), 0);
    assert_eq!(sha256(&p), sha256(&empty));

    // Where a transfer ended survives a restart (the store has it).
    let stored = bob.messenger.store().message(got.id).unwrap().unwrap();
    assert_eq!(stored.attachment.unwrap().status, FileStatus::Downloaded);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_over_the_limit_is_refused_before_any_upload() {
    let server = Prosody::shared();
    let mut carol = Client::online(server, "carol15@localhost").await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.iso");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(UPLOAD_LIMIT + 1).unwrap(); // sparse: no 10 MB written
    let err = carol
        .messenger
        .files()
        .send_file("alice15@localhost", &path)
        .await
        .unwrap_err();
    match err {
        CoreError::FileTooLarge(msg) => {
            assert!(
                msg.contains("10.5 MB"),
                "the limit is in the message: {msg}"
            )
        }
        other => panic!("expected FileTooLarge, got {other:?}"),
    }
    // Nothing stored, nothing announced, nothing uploading.
    assert_eq!(
        carol
            .messenger
            .store()
            .count_messages("carol15@localhost")
            .unwrap(),
        0
    );
    let evs = carol.drain_for(300).await;
    assert!(!evs.iter().any(|e| matches!(
        e,
        CoreEvent::MessagesReceived(_) | CoreEvent::TransferProgressed(_)
    )));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_file_names_are_saved_and_shown_safely() {
    let server = Prosody::shared();
    let mut bob = Client::online(server, "bob16@localhost").await;
    let mut alice = Client::online(server, "alice16@localhost").await;
    // A real upload gives a real file on the server; the stranger-chosen names below are put in
    // its URL's last segment (Prosody serves the file by its slot id).
    let dir = tempfile::tempdir().unwrap();
    let src = make_file(dir.path(), "payload.bin", 4096);
    let (_, got) = send_and_receive(&mut alice, &mut bob, &src).await;
    let url = got.attachment.unwrap().url.unwrap();
    let base = &url[..url.rfind('/').unwrap()];
    let long = "n".repeat(300);
    let cases: [(&str, String); 4] = [
        ("..%2F..%2Fetc%2Fpasswd", "passwd".into()),
        ("con.txt", "_con.txt".into()),
        (&format!("{long}.txt"), format!("{}….txt", "n".repeat(115))),
        ("invoice%E2%80%AEfdp.exe", "invoicefdp.exe".into()),
    ];
    for (segment, expected) in cases {
        let hostile = format!("{base}/{segment}");
        send_raw(
            server,
            "alice16@localhost/raw",
            &[&format!(
                "<message to='bob16@localhost' type='chat' id='f-{n}'><body>{hostile}</body>\
                 <x xmlns='jabber:x:oob'><url>{hostile}</url></x></message>",
                n = segment.len()
            )],
        );
        let got = wait_file_message(&mut bob, 30).await;
        let a = got.attachment.clone().unwrap();
        assert_eq!(a.name, expected, "shown name for {segment}");
        assert!(!a
            .name
            .chars()
            .any(|c| c == '/' || c == '\\' || c == '\u{202E}' || c.is_control()));
        let p = download(&mut bob, got.id).await;
        assert_eq!(p.parent().unwrap(), bob.data_dir.path().join("Downloads"));
        assert_eq!(p.file_name().unwrap().to_string_lossy(), expected);
        assert_eq!(sha256(&p), sha256(&src));
        if expected.ends_with(".exe") {
            let err = bob.messenger.files().file_to_open(got.id).unwrap_err();
            assert!(err.to_string().contains("Show in folder"), "{err}");
        }
    }
    assert!(!Path::new("/etc/passwd.part").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_failing_mid_upload_is_reported_and_retry_sends_the_file() {
    let server = Prosody::start(Cert::TrustedCa);
    let mut alice = Client::online(&server, "alice14@localhost").await;
    let mut bob = Client::online(&server, "bob14@localhost").await;
    let dir = tempfile::tempdir().unwrap();
    let path = make_file(dir.path(), "slides.pdf", UPLOAD_LIMIT as usize);
    let sent = alice
        .messenger
        .files()
        .send_file("bob14@localhost", &path)
        .await
        .unwrap();
    // The first progress report means bytes are moving: freeze the server, then kill it.
    alice
        .wait_for(
            "upload progress",
            30,
            |e| matches!(e, CoreEvent::TransferProgressed(p) if p.message_id == sent.id),
        )
        .await;
    server.freeze();
    server.kill();
    let a = wait_status(&mut alice, sent.id, FileStatus::UploadFailed, 90).await;
    let why = a.error.unwrap();
    assert!(!why.is_empty());
    assert_eq!(stored_state(&alice, sent.id), DeliveryState::Failed);
    // Nothing was sent for it.
    assert!(!bob
        .seen
        .iter()
        .any(|e| matches!(e, CoreEvent::MessagesReceived(_))));

    server.launch();
    alice.wait_online(60).await;
    bob.wait_online(60).await;
    alice
        .messenger
        .chats()
        .retry_message(sent.id)
        .await
        .unwrap();
    wait_status(&mut alice, sent.id, FileStatus::Uploaded, 90).await;
    let got = wait_file_message(&mut bob, 60).await;
    let p = download(&mut bob, got.id).await;
    assert_eq!(sha256(&p), sha256(&path));
    println!("mid-upload failure was reported as: {why}");
}

/// Waits until `from` sees a device of `to` that takes files directly.
async fn until_direct_possible(from: &mut Client, to: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !from.messenger.files().can_send_directly(to).await.unwrap() {
        assert!(
            std::time::Instant::now() < deadline,
            "{to}'s device never offered Jingle file transfer"
        );
        let _ = from.drain_for(200).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_goes_straight_to_a_device_and_arrives_intact_or_is_declined() {
    let server = Prosody::shared();
    let mut alice = Client::online(server, "alice17@localhost").await;
    let mut bob = Client::online(server, "bob17@localhost").await;
    // Neither side offers an address for a direct connection (as behind two NATs) nor the
    // server's relay: the XEP-0260 negotiation fails both ways and the sender falls back to in-band (XEP-0261)
    // with transport-replace, which is what this test then exercises.
    for c in [&alice, &bob] {
        c.messenger.files().set_direct_addresses(Some(Vec::new()));
        c.messenger.files().set_relay_allowed(false);
    }
    until_direct_possible(&mut alice, "bob17@localhost").await;

    let dir = tempfile::tempdir().unwrap();
    // The size for an in-band transfer: 2 MB.
    let path = make_file(dir.path(), "Site photos.zip", 2_000_000);
    let sent = alice
        .messenger
        .files()
        .send_file_direct("bob17@localhost", &path)
        .await
        .unwrap();
    assert!(sent.attachment.as_ref().unwrap().direct);
    let offer = wait_file_message(&mut bob, 30).await;
    let oa = offer.attachment.clone().unwrap();
    assert_eq!(oa.status, FileStatus::Offered);
    assert!(oa.direct && oa.url.is_none());
    assert_eq!(
        (oa.name.as_str(), oa.size),
        ("Site photos.zip", Some(2_000_000))
    );
    // An offer is noticed like a message: a desktop notification naming the file.
    bob.wait_for(
        "a notification for the offer",
        10,
        |e| matches!(e, CoreEvent::NotificationRequested(n) if n.body == "File: Site photos.zip"),
    )
    .await;

    bob.messenger.files().accept_file(offer.id).await.unwrap();
    let got = wait_status(&mut bob, offer.id, FileStatus::Downloaded, 60).await;
    let saved = PathBuf::from(got.local_path.unwrap());
    assert!(saved.starts_with(bob.data_dir.path().join("Downloads")));
    assert_eq!(
        sha256(&saved),
        sha256(&path),
        "XEP-0300 hash checked and equal"
    );
    wait_status(&mut alice, sent.id, FileStatus::Uploaded, 30).await;
    assert_eq!(stored_state(&alice, sent.id), DeliveryState::Delivered);
    assert!(bob.seen.iter().any(|e| matches!(e,
        CoreEvent::TransferProgressed(p) if p.message_id == offer.id)));
    assert_eq!(
        alice.messenger.files().direct_route(sent.id),
        Some(DirectRoute::ThroughServer)
    );
    assert_eq!(
        bob.messenger.files().direct_route(offer.id),
        Some(DirectRoute::ThroughServer)
    );

    // A declined offer ends on the sender's side with the reason.
    let second = alice
        .messenger
        .files()
        .send_file_direct("bob17@localhost", &path)
        .await
        .unwrap();
    let offer = wait_file_message(&mut bob, 30).await;
    bob.messenger.files().decline_file(offer.id).await.unwrap();
    let failed = wait_status(&mut alice, second.id, FileStatus::UploadFailed, 30).await;
    assert!(failed.error.unwrap().contains("declined"));
    let declined = bob.messenger.store().message(offer.id).unwrap().unwrap();
    assert_eq!(
        declined.attachment.unwrap().status,
        FileStatus::DownloadFailed
    );

    // Cancel on the receiving side mid-transfer: both sides stop, nothing is left on disk.
    let big = make_file(dir.path(), "Video.mp4", 4_000_000);
    let third = alice
        .messenger
        .files()
        .send_file_direct("bob17@localhost", &big)
        .await
        .unwrap();
    let offer = wait_file_message(&mut bob, 30).await;
    bob.messenger.files().accept_file(offer.id).await.unwrap();
    bob.wait_for(
        "bytes arriving",
        30,
        |e| matches!(e, CoreEvent::TransferProgressed(p) if p.message_id == offer.id),
    )
    .await;
    bob.messenger
        .files()
        .cancel_transfer(offer.id)
        .await
        .unwrap();
    let a = wait_status(&mut bob, offer.id, FileStatus::DownloadFailed, 30).await;
    assert_eq!(a.error.as_deref(), Some("Cancelled."));
    let failed = wait_status(&mut alice, third.id, FileStatus::UploadFailed, 30).await;
    assert!(failed.error.unwrap().contains("cancel"));
    let leftovers: Vec<_> = std::fs::read_dir(bob.data_dir.path().join("Downloads"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("Video"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "partial download left behind: {leftovers:?}"
    );
}

/// Sends `path` from `from` straight to `to`'s device, which accepts it; checks the saved copy's
/// hash and the sender's delivered state, and returns which way each side says it went.
async fn send_directly_and_accept(
    from: &mut Client,
    to: &mut Client,
    path: &Path,
) -> (Option<DirectRoute>, Option<DirectRoute>) {
    let sent = from
        .messenger
        .files()
        .send_file_direct(&to.address, path)
        .await
        .unwrap();
    let offer = wait_file_message(to, 30).await;
    to.messenger.files().accept_file(offer.id).await.unwrap();
    let got = wait_status(to, offer.id, FileStatus::Downloaded, 60).await;
    let saved = PathBuf::from(got.local_path.unwrap());
    assert_eq!(sha256(&saved), sha256(path), "hash checked and equal");
    wait_status(from, sent.id, FileStatus::Uploaded, 30).await;
    assert_eq!(stored_state(from, sent.id), DeliveryState::Delivered);
    (
        from.messenger.files().direct_route(sent.id),
        to.messenger.files().direct_route(offer.id),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_goes_over_a_direct_connection_on_loopback() {
    let server = Prosody::shared();
    let mut alice = Client::online(server, "alice19@localhost").await;
    let mut bob = Client::online(server, "bob19@localhost").await;
    let loopback = vec![std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)];
    alice
        .messenger
        .files()
        .set_direct_addresses(Some(loopback.clone()));
    // Bob offers nothing: the connection that carries the file is the one Bob opens to
    // Alice's candidate (XEP-0260 §2.4: a candidate-used against a candidate-error).
    bob.messenger.files().set_direct_addresses(Some(Vec::new()));
    until_direct_possible(&mut alice, "bob19@localhost").await;

    let dir = tempfile::tempdir().unwrap();
    let path = make_file(dir.path(), "Floor plan.pdf", 2_000_000);
    let direct = Some(DirectRoute::Connection);
    assert_eq!(
        send_directly_and_accept(&mut alice, &mut bob, &path).await,
        (direct, direct)
    );

    // Both sides offer loopback: both connect, and both must pick the same connection.
    bob.messenger.files().set_direct_addresses(Some(loopback));
    let path2 = make_file(dir.path(), "Budget.xlsx", 700_000);
    assert_eq!(
        send_directly_and_accept(&mut alice, &mut bob, &path2).await,
        (direct, direct)
    );
    // No partial files are left beside the received ones.
    let parts: Vec<_> = std::fs::read_dir(bob.data_dir.path().join("Downloads"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".part"))
        .collect();
    assert!(parts.is_empty(), "{parts:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_goes_through_the_servers_relay_when_the_devices_cannot_reach_each_other() {
    let server = Prosody::shared();
    let mut alice = Client::online(server, "alice20@localhost").await;
    let mut bob = Client::online(server, "bob20@localhost").await;
    // No own addresses on either side (two NATs): the only candidate is the server's XEP-0065
    // relay, which Alice offers and Bob, per XEP-0260 §2.2, does not offer again.
    alice
        .messenger
        .files()
        .set_direct_addresses(Some(Vec::new()));
    bob.messenger.files().set_direct_addresses(Some(Vec::new()));
    until_direct_possible(&mut alice, "bob20@localhost").await;

    let dir = tempfile::tempdir().unwrap();
    let path = make_file(dir.path(), "Training video.mp4", 3_000_000);
    // A connection (through the relay), not in-band blocks.
    let relayed = Some(DirectRoute::Connection);
    assert_eq!(
        send_directly_and_accept(&mut alice, &mut bob, &path).await,
        (relayed, relayed)
    );
}
