//! What a review of Hallway found, held against the real servers: a contact's device cannot
//! push a file without Accept, nor steer another device's transfer; a message sent once reaches
//! a receiver that does not de-duplicate once, even when the server restarts between taking it
//! and acknowledging it (Prosody and ejabberd); file links cannot redirect to plain HTTP or into
//! this machine; receipts go to contacts only and strangers' messages are kept within a quota;
//! a live message cannot backdate itself past its notification.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc as std_mpsc;
use std::time::Duration;

use hallway_core::CoreEvent;
use hallway_model::{DeliveryState, FileStatus, Message};

use crate::messaging::send_raw_with;
use crate::support::client::Client;
use crate::support::ejabberd::Ejabberd;
use crate::support::prosody::{pki, Cert, Prosody, PASSWORD};
use crate::support::proxy::CutProxy;

/// `send_raw_with` off the runtime's threads (it blocks until the other client is done).
async fn raw(
    port: u16,
    jid: &str,
    stanzas: Vec<String>,
    settings: &[(&'static str, &'static str)],
) -> String {
    let jid = jid.to_string();
    let settings = settings.to_vec();
    tokio::task::spawn_blocking(move || {
        let refs: Vec<&str> = stanzas.iter().map(String::as_str).collect();
        send_raw_with(port, &jid, &refs, &settings)
    })
    .await
    .unwrap()
}

/// The resource Hallway signs in with (its full JID is `account/resource`).
fn full_jid(c: &Client) -> String {
    let resource: String = c
        .messenger
        .store()
        .setting("resource")
        .unwrap()
        .expect("a resource is chosen at first start");
    format!("{}/{resource}", c.address)
}

fn files_in(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn stored_message(c: &mut Client, what: &str, pred: impl Fn(&Message) -> bool) -> Message {
    let ev = c
        .wait_for(
            what,
            20,
            |e| matches!(e, CoreEvent::MessagesReceived(ms) if ms.iter().any(&pred)),
        )
        .await;
    let CoreEvent::MessagesReceived(ms) = ev else {
        unreachable!()
    };
    ms.into_iter().find(|m| pred(m)).unwrap()
}

/// A Jingle file offer (XEP-0234) over in-band bytestreams (XEP-0261) of `size` bytes.
fn ibb_offer(to: &str, sid: &str, ibb_sid: &str, name: &str, size: u64) -> String {
    format!(
        "<iq type='set' to='{to}' id='offer-{sid}'><jingle xmlns='urn:xmpp:jingle:1' \
         action='session-initiate' initiator='{{me}}' sid='{sid}'><content creator='initiator' \
         name='file'><description xmlns='urn:xmpp:jingle:apps:file-transfer:5'><file>\
         <name>{name}</name><size>{size}</size></file></description>\
         <transport xmlns='urn:xmpp:jingle:transports:ibb:1' sid='{ibb_sid}' block-size='4096'/>\
         </content></jingle></iq>"
    )
}

/// The raw client's line answering the iq `id`.
fn answer_to<'a>(out: &'a str, id: &str) -> &'a str {
    out.lines()
        .find(|l| l.starts_with("IQ ") && l.contains(&format!("id=\"{id}\"")))
        .unwrap_or_else(|| panic!("no answer to {id} in:\n{out}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contacts_device_cannot_push_a_file_without_accept() {
    let server = Prosody::shared();
    let mut alice = Client::online(server, "alice21@localhost").await;
    let me = full_jid(&alice);
    let downloads = alice.data_dir.path().join("Downloads");
    // Prosody stamps and strips XEP-0359 stanza-ids (its archive says so on our account):
    // they are believed.
    alice
        .eventually("our account's disco#info read", 10, |c| {
            c.messenger
                .store()
                .setting::<bool>("server_sid:alice21@localhost")
                .unwrap()
                == Some(true)
        })
        .await;
    // Bob's device offers a file and, without waiting for Accept, opens an in-band stream,
    // sends a block and closes it; then it tries to switch transports.
    let stanzas = [
        ibb_offer(&me, "push1", "ibb1", "pushed.txt", 5),
        format!("<iq type='set' to='{me}' id='open1'><open xmlns='http://jabber.org/protocol/ibb' sid='ibb1' block-size='4096' stanza='iq'/></iq>"),
        format!("<iq type='set' to='{me}' id='data1'><data xmlns='http://jabber.org/protocol/ibb' sid='ibb1' seq='0'>aGVsbG8=</data></iq>"),
        format!("<iq type='set' to='{me}' id='close1'><close xmlns='http://jabber.org/protocol/ibb' sid='ibb1'/></iq>"),
        format!("<iq type='set' to='{me}' id='replace1'><jingle xmlns='urn:xmpp:jingle:1' action='transport-replace' sid='push1'><content creator='initiator' name='file'><transport xmlns='urn:xmpp:jingle:transports:ibb:1' sid='ibb2' block-size='4096'/></content></jingle></iq>"),
        // The same session id from the transfer's point of view, but a session this device
        // never started with us.
        format!("<iq type='set' to='{me}' id='accept1'><jingle xmlns='urn:xmpp:jingle:1' action='session-accept' sid='no-such-session'/></iq>"),
    ];
    let out = raw(
        server.c2s_port,
        "bob21@localhost",
        stanzas.to_vec(),
        // Six answers, and the transport-reject Hallway sends after its answer.
        &[("RAW_SEND_WAIT_IQS", "7")],
    )
    .await;
    let offer = stored_message(&mut alice, "the offer card", |m| {
        m.attachment
            .as_ref()
            .is_some_and(|a| a.name == "pushed.txt")
    })
    .await;
    // The offer itself is taken (it is only a card with Accept / Decline)…
    assert!(
        answer_to(&out, "offer-push1").contains("type=\"result\""),
        "{out}"
    );
    // …but nothing before Accept: the stream is refused, its data and close find no stream,
    // the transport switch is turned down, and a stray accept is an unknown session.
    let open = answer_to(&out, "open1");
    assert!(
        open.contains("type=\"error\"") && open.contains("not-acceptable"),
        "{open}"
    );
    assert!(answer_to(&out, "data1").contains("type=\"error\""), "{out}");
    assert!(
        answer_to(&out, "close1").contains("type=\"error\""),
        "{out}"
    );
    let accept = answer_to(&out, "accept1");
    assert!(accept.contains("unknown-session"), "{accept}");
    assert!(
        out.lines().any(|l| l.contains("transport-reject")),
        "a transport-replace before Accept is rejected: {out}"
    );
    // No file, no partial file; the offer still waits for the user.
    assert!(
        files_in(&downloads).is_empty(),
        "{:?}",
        files_in(&downloads)
    );
    let now = alice.messenger.store().message(offer.id).unwrap().unwrap();
    assert_eq!(now.attachment.unwrap().status, FileStatus::Offered);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offer_larger_than_the_limit_is_refused_before_any_byte() {
    let server = Prosody::shared();
    let mut alice = Client::online(server, "bob22@localhost").await;
    alice
        .messenger
        .settings()
        .set_max_incoming_file(1_000_000)
        .unwrap();
    let me = full_jid(&alice);
    let offer = ibb_offer(&me, "big1", "ibbbig", "huge.iso", 5_000_000);
    let open = format!("<iq type='set' to='{me}' id='openbig'><open xmlns='http://jabber.org/protocol/ibb' sid='ibbbig' block-size='4096' stanza='iq'/></iq>");
    let out = raw(
        server.c2s_port,
        "alice22@localhost",
        vec![offer, open],
        // Two answers and the session-terminate.
        &[("RAW_SEND_WAIT_IQS", "3")],
    )
    .await;
    let card = stored_message(&mut alice, "the refused offer's card", |m| {
        m.attachment.as_ref().is_some_and(|a| a.name == "huge.iso")
    })
    .await;
    let a = card.attachment.unwrap();
    assert_eq!(a.status, FileStatus::DownloadFailed);
    let why = a.error.unwrap_or_default();
    assert!(why.contains("5 MB") && why.contains("1 MB"), "{why}");
    // The sender was told (session-terminate with decline) and its stream finds nothing.
    assert!(
        out.contains("session-terminate") && out.contains("decline"),
        "{out}"
    );
    assert!(
        answer_to(&out, "openbig").contains("type=\"error\""),
        "{out}"
    );
    assert!(files_in(&alice.data_dir.path().join("Downloads")).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jingle_actions_count_only_from_the_device_the_session_is_with() {
    let server = Prosody::shared();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Minutes.txt");
    std::fs::write(&path, "minutes of the meeting\n".repeat(1000)).unwrap();
    let mut alice = Client::online(server, "alice23@localhost").await;
    let mut bob = Client::online(server, "bob23@localhost").await;
    alice
        .wait_for("bob online", 15, |e| {
            matches!(e, CoreEvent::PresencesChanged(ps)
                if ps.iter().any(|p| p.jid == "bob23@localhost" && p.presence != hallway_model::PresenceShow::Offline))
        })
        .await;
    let sent = alice
        .messenger
        .files()
        .send_file_direct("bob23@localhost", &path)
        .await
        .unwrap();
    let offer = stored_message(&mut bob, "alice's offer", |m| {
        m.attachment
            .as_ref()
            .is_some_and(|a| a.name == "Minutes.txt")
    })
    .await;
    let sid = offer.origin_id.strip_prefix("jingle:").unwrap().to_string();
    // Carol (a contact of both) knows the session id and tries to end it on both sides, and to
    // accept it for Bob.
    let (to_alice, to_bob) = (full_jid(&alice), full_jid(&bob));
    let stanzas = [
        format!("<iq type='set' to='{to_alice}' id='t1'><jingle xmlns='urn:xmpp:jingle:1' action='session-terminate' sid='{sid}'><reason><decline/></reason></jingle></iq>"),
        format!("<iq type='set' to='{to_alice}' id='t2'><jingle xmlns='urn:xmpp:jingle:1' action='session-accept' sid='{sid}'/></iq>"),
        format!("<iq type='set' to='{to_bob}' id='t3'><jingle xmlns='urn:xmpp:jingle:1' action='session-terminate' sid='{sid}'><reason><cancel/></reason></jingle></iq>"),
    ];
    let out = raw(
        server.c2s_port,
        "carol23@localhost",
        stanzas.to_vec(),
        &[("RAW_SEND_WAIT_IQS", "3")],
    )
    .await;
    for id in ["t1", "t2", "t3"] {
        let a = answer_to(&out, id);
        assert!(a.contains("unknown-session"), "{id}: {a}");
    }
    // The transfer is untouched: Bob accepts, the file arrives whole, Alice sees it delivered.
    let still = bob.messenger.store().message(offer.id).unwrap().unwrap();
    assert_eq!(still.attachment.unwrap().status, FileStatus::Offered);
    bob.messenger.files().accept_file(offer.id).await.unwrap();
    bob.eventually("file received", 60, |c| {
        c.messenger
            .store()
            .message(offer.id)
            .unwrap()
            .unwrap()
            .attachment
            .unwrap()
            .status
            == FileStatus::Downloaded
    })
    .await;
    alice
        .eventually("delivered", 30, |c| {
            c.messenger.store().message(sent.id).unwrap().unwrap().state == DeliveryState::Delivered
        })
        .await;
}

/// A plain XMPP client (slixmpp) that stays signed in and prints every body it gets.
struct Listener {
    child: Child,
    lines: std_mpsc::Receiver<String>,
}

impl Listener {
    fn start(port: u16, jid: &str) -> Listener {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/integration/support/listen.py");
        let mut child = Command::new("/usr/bin/python3")
            .arg(script)
            .args([jid, PASSWORD, &port.to_string()])
            .arg(&pki().ca_pem)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let (tx, lines) = std_mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Listener { child, lines }
    }

    /// Waits for a line starting with `prefix`; returns every line seen until then.
    async fn until(&self, prefix: &str, secs: u64, seen: &mut Vec<String>) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        loop {
            while let Ok(l) = self.lines.try_recv() {
                let hit = l.starts_with(prefix);
                seen.push(l);
                if hit {
                    return;
                }
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "listener: no {prefix} within {secs}s; saw {seen:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Everything printed so far.
    fn drain(&self, seen: &mut Vec<String>) {
        while let Ok(l) = self.lines.try_recv() {
            seen.push(l);
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The scenario of the review: the server takes our message, hands it on, and dies before
/// our client hears its acknowledgement; after the restart resumption fails. The outbox must
/// not send it again (the archive has it), or a receiver that does not de-duplicate shows it
/// twice.
async fn sent_once_across_a_server_restart(
    c2s_port: u16,
    from: &str,
    to: &str,
    stop: impl FnOnce() + Send + 'static,
    start: impl FnOnce() + Send + 'static,
) {
    let receiver = Listener::start(c2s_port, to);
    let mut seen = Vec::new();
    receiver.until("READY", 30, &mut seen).await;
    let proxy = CutProxy::start(c2s_port).await;
    let mut sender = Client::new(from);
    sender
        .sign_in_at(&proxy.server_field(), PASSWORD)
        .await
        .unwrap();
    // The server's answers (its XEP-0198 acks among them) no longer reach Hallway.
    proxy.swallow_replies(true);
    let body = format!("Budget meeting moved to 3 pm ({})", std::process::id());
    let m = sender
        .messenger
        .chats()
        .send_message(to, &body)
        .await
        .unwrap();
    receiver.until("BODY", 20, &mut seen).await;
    assert_eq!(
        sender
            .messenger
            .store()
            .message(m.id)
            .unwrap()
            .unwrap()
            .state,
        DeliveryState::Pending,
        "the ack never arrived"
    );
    tokio::task::spawn_blocking(stop).await.unwrap();
    proxy.swallow_replies(false);
    tokio::task::spawn_blocking(start).await.unwrap();
    sender.wait_online(90).await;
    sender
        .eventually("the message settled", 60, |c| {
            c.messenger.store().message(m.id).unwrap().unwrap().state != DeliveryState::Pending
        })
        .await;
    // The receiver is back too and has had what the server stored for it.
    receiver.until("READY", 60, &mut seen).await;
    let _ = sender.drain_for(3000).await;
    receiver.drain(&mut seen);
    let copies = seen
        .iter()
        .filter(|l| l.starts_with("BODY") && l.contains(&body))
        .count();
    assert_eq!(copies, 1, "the receiver got {copies} copies: {seen:?}");
    assert_eq!(
        sender
            .messenger
            .store()
            .message(m.id)
            .unwrap()
            .unwrap()
            .state,
        DeliveryState::Sent
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_taken_just_before_a_prosody_restart_arrives_once() {
    let server = std::sync::Arc::new(Prosody::start(Cert::TrustedCa));
    let port = server.c2s_port;
    let (a, b) = (server.clone(), server.clone());
    sent_once_across_a_server_restart(
        port,
        "alice1@localhost",
        "bob1@localhost",
        move || a.kill(),
        move || b.launch(),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_taken_just_before_an_ejabberd_restart_arrives_once() {
    let server = std::sync::Arc::new(tokio::task::spawn_blocking(Ejabberd::start).await.unwrap());
    let port = server.c2s_port;
    let (a, b) = (server.clone(), server.clone());
    sent_once_across_a_server_restart(
        port,
        "ann@localhost",
        "ben@localhost",
        move || a.stop(),
        move || b.start_again(),
    )
    .await;
    tokio::task::spawn_blocking(move || drop(server))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receipts_go_to_contacts_only_and_strangers_have_a_quota() {
    let server = Prosody::shared();
    let mut alice = Client::online(server, "alice24@localhost").await;
    let to = "to='alice24@localhost' type='chat'";
    // A stranger asks for receipts while a contact does the same: only the contact gets one.
    let stranger = format!(
        "<message {to} id='s-1'><body>Hello, are you there?</body><request xmlns='urn:xmpp:receipts'/></message>"
    );
    let contact = format!(
        "<message {to} id='c-1'><body>Lunch?</body><request xmlns='urn:xmpp:receipts'/></message>"
    );
    let port = server.c2s_port;
    // The stranger stays signed in while Alice stores its message (a receipt, if any, would
    // go then) and until after the contact got its own.
    let from_stranger = tokio::spawn(raw(
        port,
        "dave9@localhost",
        vec![stranger],
        &[("RAW_SEND_LINGER_MS", "6000")],
    ));
    alice
        .eventually("the stranger's message stored", 15, |c| {
            !c.messenger
                .store()
                .history("alice24@localhost", "dave9@localhost", None, 10)
                .unwrap()
                .is_empty()
        })
        .await;
    let contact_out = raw(
        port,
        "bob24@localhost",
        vec![contact],
        &[("RAW_SEND_WAIT_MSGS", "1")],
    )
    .await;
    let stranger_out = from_stranger.await.unwrap();
    assert!(
        contact_out.contains("urn:xmpp:receipts") && contact_out.contains("c-1"),
        "the contact gets its receipt: {contact_out}"
    );
    assert!(
        !stranger_out.contains("urn:xmpp:receipts"),
        "no receipt to a stranger (it would tell them we are online): {stranger_out}"
    );
    // A stranger's flood is kept to its newest 200 messages.
    let flood: Vec<String> = (0..210)
        .map(|i| format!("<message {to} id='f-{i}'><body>offer {i}</body></message>"))
        .collect();
    raw(port, "erin12@localhost", flood, &[("RAW_SEND_GAP_MS", "5")]).await;
    alice
        .eventually("the flood stored", 30, |c| {
            c.messenger
                .store()
                .history("alice24@localhost", "erin12@localhost", None, 500)
                .unwrap()
                .last()
                .is_some_and(|m| m.body == "offer 209")
        })
        .await;
    let kept = alice
        .messenger
        .store()
        .history("alice24@localhost", "erin12@localhost", None, 500)
        .unwrap();
    assert_eq!(kept.len(), 200);
    assert_eq!(kept[0].body, "offer 10");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_message_cannot_backdate_itself_past_its_notification() {
    let server = Prosody::shared();
    let mut alice = Client::online(server, "carol21@localhost").await;
    // Stamped by the sender itself, and by the sender pretending to be our server (a
    // `<delay/>` is whatever the sender wrote).
    for (n, from) in ["bob21@localhost", "localhost"].iter().enumerate() {
        let msg = format!(
            "<message to='carol21@localhost' type='chat' id='old-{n}'><body>Urgent {n}: sign the contract</body>\
            <delay xmlns='urn:xmpp:delay' from='{from}' stamp='2001-01-01T00:00:00Z'/></message>"
        );
        raw(server.c2s_port, "bob21@localhost", vec![msg], &[]).await;
        let prefix = format!("Urgent {n}");
        let m = stored_message(&mut alice, "the message", |m| m.body.starts_with(&prefix)).await;
        assert!(
            hallway_core::now_ms() - m.timestamp < 3_600_000,
            "not stamped in 2001 ({from}): {}",
            m.timestamp
        );
        alice
            .wait_for(
                "its notification",
                10,
                |e| matches!(e, CoreEvent::NotificationRequested(n) if n.body.contains(&prefix)),
            )
            .await;
    }
}

/// A tiny HTTPS server (the test CA's certificate): `/to-http/pic.png` redirects to a plain
/// HTTP server, `/to-loopback/pic.png` to `https://127.0.0.1:PORT/pic.png`, `/pic.png` is a
/// picture. Counts the requests for the picture on both.
struct Redirector {
    tls_port: u16,
    hits: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    plain_hits: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Redirector {
    async fn start() -> Redirector {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Arc;
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let pki = pki();
        let certs: Vec<_> = rustls_pemfile::certs(&mut BufReader::new(
            std::fs::File::open(&pki.leaf_crt).unwrap(),
        ))
        .map(Result::unwrap)
        .collect();
        let key = rustls_pemfile::private_key(&mut BufReader::new(
            std::fs::File::open(&pki.leaf_key).unwrap(),
        ))
        .unwrap()
        .unwrap();
        let config = tokio_rustls::rustls::ServerConfig::builder_with_provider(Arc::new(
            tokio_rustls::rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let tls = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let plain = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let tls_port = tls.local_addr().unwrap().port();
        let plain_port = plain.local_addr().unwrap().port();
        let png = crate::support::png::solid(8, [200, 20, 20]);
        let hits = Arc::new(AtomicUsize::new(0));
        let plain_hits = Arc::new(AtomicUsize::new(0));
        async fn respond<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
            mut s: S,
            answer: impl Fn(&str) -> Vec<u8>,
        ) {
            let mut buf = vec![0u8; 4096];
            let mut got = Vec::new();
            while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                }
            }
            let head = String::from_utf8_lossy(&got).into_owned();
            let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
            let _ = s.write_all(&answer(&path)).await;
            let _ = s.shutdown().await;
        }
        let (h, png2) = (hits.clone(), png.clone());
        tokio::spawn(async move {
            while let Ok((tcp, _)) = tls.accept().await {
                let (acceptor, h, png) = (acceptor.clone(), h.clone(), png2.clone());
                tokio::spawn(async move {
                    let Ok(s) = acceptor.accept(tcp).await else {
                        return;
                    };
                    respond(s, move |path| match path {
                        "/to-http/pic.png" => format!(
                            "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:{plain_port}/pic.png\r\nContent-Length: 0\r\n\r\n"
                        )
                        .into_bytes(),
                        "/to-loopback/pic.png" => format!(
                            "HTTP/1.1 302 Found\r\nLocation: https://127.0.0.1:{tls_port}/pic.png\r\nContent-Length: 0\r\n\r\n"
                        )
                        .into_bytes(),
                        "/pic.png" => {
                            h.fetch_add(1, Ordering::SeqCst);
                            let mut r = format!(
                                "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: {}\r\n\r\n",
                                png.len()
                            )
                            .into_bytes();
                            r.extend_from_slice(&png);
                            r
                        }
                        _ => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_vec(),
                    })
                    .await;
                });
            }
        });
        let ph = plain_hits.clone();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = plain.accept().await {
                let (ph, png) = (ph.clone(), png.clone());
                tokio::spawn(async move {
                    respond(tcp, move |_| {
                        ph.fetch_add(1, Ordering::SeqCst);
                        let mut r = format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: {}\r\n\r\n",
                            png.len()
                        )
                        .into_bytes();
                        r.extend_from_slice(&png);
                        r
                    })
                    .await;
                });
            }
        });
        Redirector {
            tls_port,
            hits,
            plain_hits,
        }
    }
}

static LINKS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Bob shares these links with Alice, who downloads each and asks for its preview; returns
/// the stored outcome of each download.
async fn fetch_links(
    alice: &mut Client,
    bob: &str,
    links: &[String],
) -> Vec<hallway_model::Attachment> {
    let to = format!("to='{}' type='chat'", alice.address);
    let stanzas: Vec<String> = links
        .iter()
        .enumerate()
        .map(|(i, l)| {
            // Ids unique across calls: the same id from the same author is a duplicate.
            let n = LINKS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            format!("<message {to} id='link-{n}-{i}'><body>{l}</body><x xmlns='jabber:x:oob'><url>{l}</url></x></message>")
        })
        .collect();
    raw(Prosody::shared().c2s_port, bob, stanzas, &[]).await;
    let mut out = Vec::new();
    for l in links {
        let (me, peer) = (alice.address.clone(), bob.to_string());
        let find = |c: &Client| {
            c.messenger
                .store()
                .history(&me, &peer, None, 100)
                .unwrap()
                .into_iter()
                .find(|m| m.body == *l)
        };
        alice.eventually(l, 20, |c| find(c).is_some()).await;
        let m = find(alice).unwrap();
        // The preview (fetched by itself for a contact's picture) must not follow either.
        let _ = alice.messenger.files().file_preview(m.id).await;
        alice.messenger.files().download_file(m.id).await.unwrap();
        alice
            .eventually("the download ended", 30, |c| {
                let a = c
                    .messenger
                    .store()
                    .message(m.id)
                    .unwrap()
                    .unwrap()
                    .attachment
                    .unwrap();
                matches!(
                    a.status,
                    FileStatus::Downloaded | FileStatus::DownloadFailed
                )
            })
            .await;
        out.push(
            alice
                .messenger
                .store()
                .message(m.id)
                .unwrap()
                .unwrap()
                .attachment
                .unwrap(),
        );
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_links_never_redirect_to_plain_http_or_into_this_machine() {
    use std::sync::atomic::Ordering;
    let web = Redirector::start().await;
    let port = web.tls_port;
    Prosody::shared();
    // files.example.test is a public name that happens to live here (the override).
    let mut alice = Client::with_host_override(
        "carol22@localhost",
        "files.example.test",
        ([127, 0, 0, 1], port).into(),
    );
    alice.sign_in(Prosody::shared()).await.unwrap();
    let got = fetch_links(
        &mut alice,
        "alice22@localhost",
        &[
            format!("https://localhost:{port}/to-http/pic.png"),
            format!("https://files.example.test:{port}/to-loopback/pic.png"),
        ],
    )
    .await;
    for a in &got {
        assert_eq!(a.status, FileStatus::DownloadFailed, "{a:?}");
    }
    let why = got[0].error.clone().unwrap_or_default();
    assert!(why.to_lowercase().contains("http"), "{why}");
    assert_eq!(
        web.plain_hits.load(Ordering::SeqCst),
        0,
        "plain http was fetched"
    );
    assert_eq!(
        web.hits.load(Ordering::SeqCst),
        0,
        "a public link reached into this machine"
    );
    // A link that points into the local network in the first place (a company file server on
    // the LAN) may redirect within it.
    let lan = fetch_links(
        &mut alice,
        "alice22@localhost",
        &[format!("https://localhost:{port}/to-loopback/pic.png")],
    )
    .await;
    assert_eq!(lan[0].status, FileStatus::Downloaded, "{:?}", lan[0]);
    assert!(web.hits.load(Ordering::SeqCst) >= 1);
}

/// XEP-0092 and disco#items: a contact asking which client we are gets Hallway's name and
/// version, and the operating system only while Settings allow it; a stranger gets
/// service-unavailable and learns nothing. Our disco#items is empty.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_contacts_learn_which_client_we_are() {
    let server = Prosody::shared();
    let carol = Client::online(server, "carol25@localhost").await;
    let me = full_jid(&carol);
    let ask = |id: &str| {
        vec![
            format!("<iq type='get' to='{me}' id='{id}-v'><query xmlns='jabber:iq:version'/></iq>"),
            format!(
                "<iq type='get' to='{me}' id='{id}-i'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>"
            ),
        ]
    };
    let wait = &[("RAW_SEND_WAIT_IQS", "2")];
    let port = server.c2s_port;
    let contact = raw(port, "bob25@localhost", ask("c1"), wait).await;
    let version = format!("<version>{}</version>", env!("CARGO_PKG_VERSION"));
    assert!(
        contact.contains("<name>Hallway</name>") && contact.contains(&version),
        "{contact}"
    );
    assert!(contact.contains("<os>Linux</os>"), "{contact}");
    assert!(
        contact.contains("c1-i") && contact.contains("disco#items") && !contact.contains("<item "),
        "an empty disco#items: {contact}"
    );

    carol.messenger.settings().set_share_os(false).unwrap();
    let hidden = raw(port, "bob25@localhost", ask("c2"), wait).await;
    assert!(hidden.contains("<name>Hallway</name>"), "{hidden}");
    assert!(
        !hidden.contains("<os>"),
        "the OS stays private when switched off: {hidden}"
    );

    let stranger = raw(port, "dave12@localhost", ask("s1"), wait).await;
    assert!(
        stranger.contains("s1-v") && stranger.contains("service-unavailable"),
        "{stranger}"
    );
    assert!(
        !stranger.contains("<name>") && !stranger.contains("<version>"),
        "a stranger learns nothing: {stranger}"
    );
}
