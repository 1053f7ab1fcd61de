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
    c.messenger.sign_out().await;
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
    c.messenger.sign_out().await;

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
