//! Sign-in, specific errors, certificate trust and reconnects.

use std::time::Duration;

use hallway_core::{CoreError, CoreEvent};
use hallway_model::{ConnectionErrorKind, ConnectionState, DeliveryState, SignInRequest};

use crate::support::client::Client;
use crate::support::prosody::{free_port, Cert, Prosody};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signs_in_and_reports_online() {
    let server = Prosody::shared();
    let mut c = Client::online(server, "alice1@localhost").await;
    c.wait_online(5).await;
    let snap = c.messenger.snapshot();
    assert_eq!(snap.account.as_deref(), Some("alice1@localhost"));
    let ConnectionState::Online { jid } = snap.connection else {
        panic!("not online: {:?}", snap.connection)
    };
    assert!(
        jid.starts_with("alice1@localhost/hallway-"),
        "bound jid {jid}"
    );
    assert_eq!(snap.saved_account.unwrap().address, "alice1@localhost");
    c.messenger.shut_down().await;
    assert_eq!(c.messenger.connection_state(), ConnectionState::Offline);
    assert!(c.messenger.account().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_is_auth_failed_and_never_retried() {
    let server = Prosody::shared();
    let mut c = Client::new("alice2@localhost");
    let err = c.sign_in_with(server, "wrong password").await.unwrap_err();
    let CoreError::Connection(e) = err else {
        panic!("expected a connection error, got {err:?}")
    };
    assert_eq!(e.kind, ConnectionErrorKind::AuthFailed);
    assert_eq!(e.message, "Wrong address or password.");
    // No retry loop: nothing but the final Offline follows, for several seconds.
    let later = c.drain_for(3000).await;
    assert!(
        !later.iter().chain(c.seen.iter()).any(|e| matches!(
            e,
            CoreEvent::ConnectionStateChanged(ConnectionState::Reconnecting { .. })
        )),
        "a wrong password must not be retried: {later:?}"
    );
    assert_eq!(c.messenger.connection_state(), ConnectionState::Offline);
    assert!(c.messenger.account().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_and_unreachable_servers_give_specific_errors() {
    let c = Client::new("alice3@localhost");
    let invalid = c
        .messenger
        .sign_in(SignInRequest {
            address: "not an address".into(),
            password: "x".into(),
            server: None,
            remember: false,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(invalid, CoreError::InvalidInput(ref m) if m.contains("alice@example.com")),
        "{invalid:?}"
    );
    let bad_server = c
        .messenger
        .sign_in(SignInRequest {
            address: "alice3@localhost".into(),
            password: "x".into(),
            server: Some("host:notaport".into()),
            remember: false,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(bad_server, CoreError::InvalidInput(_)),
        "{bad_server:?}"
    );

    let closed = free_port();
    let refused = c
        .messenger
        .sign_in(SignInRequest {
            address: "alice3@localhost".into(),
            password: "x".into(),
            server: Some(format!("127.0.0.1:{closed}")),
            remember: false,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(refused, CoreError::Connection(ref e) if e.kind == ConnectionErrorKind::ConnectionRefused),
        "{refused:?}"
    );

    let unknown = c
        .messenger
        .sign_in(SignInRequest {
            address: "alice3@localhost".into(),
            password: "x".into(),
            server: Some("no-such-host.invalid".into()),
            remember: false,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(unknown, CoreError::Connection(ref e) if e.kind == ConnectionErrorKind::UnknownHost),
        "{unknown:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn untrusted_certificate_can_be_pinned_and_a_changed_one_is_refused() {
    let server = Prosody::start(Cert::SelfSigned);
    let mut c = Client::new("alice4@localhost");
    let err = c.sign_in(&server).await.unwrap_err();
    let CoreError::Connection(e) = err else {
        panic!("{err:?}")
    };
    assert_eq!(e.kind, ConnectionErrorKind::CertificateUntrusted, "{e:?}");
    let fp = e
        .fingerprint
        .clone()
        .expect("fingerprint shown to the user");
    assert_eq!(fp.len(), 95, "SHA-256 as hex pairs: {fp}");

    // The user compares the fingerprint and trusts it: sign-in now works.
    c.messenger
        .trust_certificate("alice4@localhost", &fp)
        .unwrap();
    c.sign_in(&server).await.unwrap();
    c.messenger.shut_down().await;

    // Another certificate pinned earlier → this one counts as changed: refused, with a warning.
    let other = fp.replace(&fp[..2], if &fp[..2] == "AA" { "BB" } else { "AA" });
    c.messenger
        .trust_certificate("alice4@localhost", &other)
        .unwrap();
    let err = c.sign_in(&server).await.unwrap_err();
    let CoreError::Connection(e) = err else {
        panic!("{err:?}")
    };
    assert_eq!(e.kind, ConnectionErrorKind::CertificateChanged);
    assert!(e.message.contains("changed"), "{}", e.message);
    assert_eq!(e.fingerprint.as_deref(), Some(fp.as_str()));

    assert!(c
        .messenger
        .trust_certificate("alice4@localhost", "not-a-fingerprint")
        .is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnects_after_server_restart_and_sends_offline_outbox_exactly_once() {
    let server = Prosody::start(Cert::TrustedCa);
    let mut alice = Client::online(&server, "alice5@localhost").await;
    let mut bob = Client::online(&server, "bob5@localhost").await;

    server.kill();
    alice
        .wait_for("Reconnecting", 20, |e| {
            matches!(
                e,
                CoreEvent::ConnectionStateChanged(ConnectionState::Reconnecting { .. })
            )
        })
        .await;

    // Composed while offline: stored as pending at once.
    let m = alice
        .messenger
        .chats()
        .send_message("bob5@localhost", "written while the server was down")
        .await
        .unwrap();
    assert_eq!(m.state, DeliveryState::Pending);
    let pending = alice.messenger.store().pending("alice5@localhost").unwrap();
    assert_eq!(pending.len(), 1);

    tokio::time::sleep(Duration::from_millis(500)).await;
    server.launch();
    alice.wait_online(90).await;
    bob.wait_online(90).await;

    // Bob gets it exactly once; Alice's copy leaves the outbox and is confirmed by receipt.
    bob.eventually("message from alice", 30, |b| {
        b.messenger
            .store()
            .history("bob5@localhost", "alice5@localhost", None, 50)
            .unwrap()
            .len()
            == 1
    })
    .await;
    alice
        .eventually("delivered", 30, |a| {
            a.messenger.store().message(m.id).unwrap().map(|x| x.state)
                == Some(DeliveryState::Delivered)
        })
        .await;
    let _ = bob.drain_for(1500).await;
    let history = bob
        .messenger
        .store()
        .history("bob5@localhost", "alice5@localhost", None, 50)
        .unwrap();
    assert_eq!(history.len(), 1, "exactly once: {history:#?}");
    assert_eq!(history[0].body, "written while the server was down");
    assert!(alice
        .messenger
        .store()
        .pending("alice5@localhost")
        .unwrap()
        .is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remember_me_uses_the_keychain_and_says_so_when_there_is_none() {
    use hallway_core::keychain::{Keychain, MemoryKeychain, NoKeychain};
    use std::sync::Arc;
    let server = Prosody::shared();
    let req = |remember| SignInRequest {
        address: "carol1@localhost".into(),
        password: crate::support::prosody::PASSWORD.into(),
        server: Some(server.server_field()),
        remember,
    };

    // With a keychain: the password goes there (never into the data folder) and the next start
    // signs in by itself.
    let keychain = Arc::new(MemoryKeychain::default());
    let c = Client::open_with_keychain(
        "carol1@localhost",
        tempfile::tempdir().unwrap(),
        keychain.clone(),
    );
    c.messenger.sign_in(req(true)).await.unwrap();
    assert_eq!(
        keychain.load("carol1@localhost").unwrap().as_deref(),
        Some(crate::support::prosody::PASSWORD)
    );
    assert!(c.messenger.snapshot().notice.is_none());
    c.messenger.shut_down().await;
    let Client { data_dir, .. } = c;
    let db = std::fs::read(hallway_core::paths::database_path(data_dir.path())).unwrap();
    assert!(
        !db.windows(crate::support::prosody::PASSWORD.len())
            .any(|w| w == crate::support::prosody::PASSWORD.as_bytes()),
        "the password must never be written to the data folder"
    );
    let mut restarted = Client::open_with_keychain("carol1@localhost", data_dir, keychain.clone());
    assert!(restarted.messenger.resume_saved().await);
    restarted.wait_online(15).await;
    // Quitting keeps both; **Sign out** (the user's own action) forgets the password and the
    // remembered account, so the next start shows the form instead of signing in by itself.
    restarted.messenger.shut_down().await;
    assert!(keychain.load("carol1@localhost").unwrap().is_some());
    assert!(restarted.messenger.snapshot().saved_account.is_some());
    assert!(restarted.messenger.resume_saved().await);
    restarted.wait_online(15).await;
    restarted.messenger.sign_out().await;
    assert_eq!(keychain.load("carol1@localhost").unwrap(), None);
    let Client { data_dir, .. } = restarted;
    let after = Client::open_with_keychain("carol1@localhost", data_dir, keychain.clone());
    assert!(after.messenger.snapshot().saved_account.is_none());
    assert!(
        !after.messenger.resume_saved().await,
        "after Sign out the next start must not sign in by itself"
    );
    assert_eq!(after.messenger.connection_state(), ConnectionState::Offline);
    drop(after);

    // Unticked: the password is forgotten.
    let again = Client::open_with_keychain(
        "carol1@localhost",
        tempfile::tempdir().unwrap(),
        keychain.clone(),
    );
    again.messenger.sign_in(req(false)).await.unwrap();
    assert_eq!(keychain.load("carol1@localhost").unwrap(), None);
    again.messenger.shut_down().await;

    // No keychain: sign-in works, the user is told, and the next start asks again.
    let nokey = Client::open_with_keychain(
        "carol1@localhost",
        tempfile::tempdir().unwrap(),
        Arc::new(NoKeychain),
    );
    nokey.messenger.sign_in(req(true)).await.unwrap();
    let snap = nokey.messenger.snapshot();
    assert!(!snap.keychain_available);
    assert!(snap.notice.unwrap().contains("password was not saved"));
    nokey.messenger.shut_down().await;
    let Client { data_dir, .. } = nokey;
    let restarted = Client::open_with_keychain("carol1@localhost", data_dir, Arc::new(NoKeychain));
    assert!(!restarted.messenger.resume_saved().await);
    let snap = restarted.messenger.snapshot();
    assert!(snap.account.is_none());
    assert_eq!(snap.saved_account.unwrap().address, "carol1@localhost");
    assert!(snap.notice.unwrap().contains("enter your password"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_link_resumes_the_stream_without_losing_or_repeating_messages() {
    use crate::support::proxy::CutProxy;
    let server = Prosody::shared();
    let proxy = CutProxy::start(server.c2s_port).await;
    let mut alice = Client::new("alice14@localhost");
    alice
        .sign_in_at(&proxy.server_field(), crate::support::prosody::PASSWORD)
        .await
        .unwrap();
    alice
        .wait_for("roster", 10, |e| matches!(e, CoreEvent::RosterChanged(_)))
        .await;
    let mut bob = Client::online(server, "bob14@localhost").await;
    let _ = alice.drain_for(300).await;

    proxy.cut();
    alice
        .wait_for("Reconnecting", 20, |e| {
            matches!(
                e,
                CoreEvent::ConnectionStateChanged(ConnectionState::Reconnecting { .. })
            )
        })
        .await;
    let m = alice
        .messenger
        .chats()
        .send_message("bob14@localhost", "sent across the cut")
        .await
        .unwrap();
    bob.messenger
        .chats()
        .send_message("alice14@localhost", "sent to alice while her link was down")
        .await
        .unwrap();
    alice.wait_online(30).await;
    let after = alice.drain_for(1500).await;
    // Resumed (XEP-0198), not a fresh session: a fresh one would fetch the roster again.
    assert!(
        !after
            .iter()
            .any(|e| matches!(e, CoreEvent::RosterChanged(_))),
        "expected stream resumption, got a fresh session: {after:#?}"
    );
    let across = |c: &Client, peer: &str, body: &str| {
        let account = c.address.clone();
        c.messenger
            .store()
            .history(&account, peer, None, 10)
            .unwrap()
            .iter()
            .filter(|m| m.body == body)
            .count()
    };
    bob.eventually("alice's message", 15, |b| {
        across(b, "alice14@localhost", "sent across the cut") == 1
    })
    .await;
    alice
        .eventually("bob's message", 15, |a| {
            across(
                a,
                "bob14@localhost",
                "sent to alice while her link was down",
            ) == 1
        })
        .await;
    alice
        .eventually("delivered", 15, |a| {
            a.messenger.store().message(m.id).unwrap().unwrap().state == DeliveryState::Delivered
        })
        .await;
    let _ = bob.drain_for(1000).await;
    let _ = alice.drain_for(100).await;
    assert_eq!(
        across(&bob, "alice14@localhost", "sent across the cut"),
        1,
        "exactly once"
    );
    assert_eq!(
        across(
            &alice,
            "bob14@localhost",
            "sent to alice while her link was down"
        ),
        1,
        "exactly once"
    );
    assert_eq!(
        alice
            .messenger
            .store()
            .history("alice14@localhost", "bob14@localhost", None, 10)
            .unwrap()
            .len(),
        2
    );
}
