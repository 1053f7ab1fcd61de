//! Drives a `Messenger` the way the app does, with its own data dir and an in-memory keychain,
//! and waits for its events with timeouts (never sleeps to "let things settle").

use std::sync::Arc;
use std::time::Duration;

use hallway_core::idle::ManualIdleSource;
use hallway_core::keychain::MemoryKeychain;
use hallway_core::{CoreError, CoreEvent, EventReceiver, Messenger, MessengerOptions};
use hallway_model::{ConnectionState, SignInRequest};

use super::prosody::{Prosody, PASSWORD};

/// One running client (one device of an account).
pub struct Client {
    /// The user's inactivity as automatic away sees it (set by the test).
    pub idle: Arc<ManualIdleSource>,
    pub messenger: Arc<Messenger>,
    pub events: EventReceiver,
    /// Everything seen so far (for assertions about what did *not* happen).
    pub seen: Vec<CoreEvent>,
    pub address: String,
    pub data_dir: tempfile::TempDir,
}

impl Client {
    /// A fresh client (new data dir) for `address`, not signed in.
    pub fn new(address: &str) -> Client {
        super::prosody::pki();
        let data_dir = tempfile::tempdir().unwrap();
        Self::open_in(address, data_dir)
    }

    /// A client on an existing data dir (an app restart).
    pub fn open_in(address: &str, data_dir: tempfile::TempDir) -> Client {
        Self::open_with_keychain(address, data_dir, Arc::new(MemoryKeychain::default()))
    }

    /// A client with a given keychain (to test "Remember me").
    pub fn open_with_keychain(
        address: &str,
        data_dir: tempfile::TempDir,
        keychain: Arc<dyn hallway_core::keychain::Keychain>,
    ) -> Client {
        Self::open_with(
            address,
            data_dir,
            keychain,
            hallway_core::DEFAULT_CATCH_UP_LIMIT,
        )
    }

    /// A fresh client whose file transfers reach `host` at `addr` (like `/etc/hosts`).
    pub fn with_host_override(address: &str, host: &str, addr: std::net::SocketAddr) -> Client {
        super::prosody::pki();
        let dir = tempfile::tempdir().unwrap();
        Self::open_full(
            address,
            dir,
            Arc::new(MemoryKeychain::default()),
            hallway_core::DEFAULT_CATCH_UP_LIMIT,
            vec![(host.to_string(), addr)],
        )
    }

    /// A fresh client whose archive catch-up stops (and records a gap) after `limit` messages.
    pub fn with_catch_up_limit(address: &str, limit: usize) -> Client {
        super::prosody::pki();
        let dir = tempfile::tempdir().unwrap();
        Self::open_with(address, dir, Arc::new(MemoryKeychain::default()), limit)
    }

    fn open_with(
        address: &str,
        data_dir: tempfile::TempDir,
        keychain: Arc<dyn hallway_core::keychain::Keychain>,
        catch_up_limit: usize,
    ) -> Client {
        Self::open_full(address, data_dir, keychain, catch_up_limit, Vec::new())
    }

    fn open_full(
        address: &str,
        data_dir: tempfile::TempDir,
        keychain: Arc<dyn hallway_core::keychain::Keychain>,
        catch_up_limit: usize,
        host_overrides: Vec<(String, std::net::SocketAddr)>,
    ) -> Client {
        Self::open_tuned(
            address,
            data_dir,
            keychain,
            catch_up_limit,
            host_overrides,
            hallway_core::DEFAULT_ROOM_SELF_PING_AFTER,
        )
    }

    /// A fresh client that asks its rooms whether they still have us after `after` of silence
    /// (XEP-0410; the app waits 90 s).
    pub fn with_room_self_ping_after(address: &str, after: Duration) -> Client {
        super::prosody::pki();
        let dir = tempfile::tempdir().unwrap();
        Self::open_tuned(
            address,
            dir,
            Arc::new(MemoryKeychain::default()),
            hallway_core::DEFAULT_CATCH_UP_LIMIT,
            Vec::new(),
            after,
        )
    }

    fn open_tuned(
        address: &str,
        data_dir: tempfile::TempDir,
        keychain: Arc<dyn hallway_core::keychain::Keychain>,
        catch_up_limit: usize,
        host_overrides: Vec<(String, std::net::SocketAddr)>,
        room_self_ping_after: Duration,
    ) -> Client {
        let idle = ManualIdleSource::new();
        let (messenger, events) = Messenger::open(MessengerOptions {
            data_dir: data_dir.path().to_path_buf(),
            keychain,
            catch_up_limit,
            idle_source: idle.clone(),
            // Fast, so automatic away tests take a second, not minutes.
            idle_poll: std::time::Duration::from_millis(200),
            downloads_dir: data_dir.path().join("Downloads"),
            host_overrides,
            // Every test device is on this one machine.
            allow_local_candidates: true,
            room_self_ping_after,
        })
        .unwrap();
        Client {
            idle,
            messenger,
            events,
            seen: Vec::new(),
            address: address.to_string(),
            data_dir,
        }
    }

    /// Signs in to `server` with the test password.
    pub async fn sign_in(&mut self, server: &Prosody) -> Result<(), CoreError> {
        self.sign_in_with(server, PASSWORD).await
    }

    /// Signs in with a given password.
    pub async fn sign_in_with(
        &mut self,
        server: &Prosody,
        password: &str,
    ) -> Result<(), CoreError> {
        self.sign_in_at(&server.server_field(), password).await
    }

    /// Signs in through a given **Server** field value (e.g. a proxy).
    pub async fn sign_in_at(
        &mut self,
        server_field: &str,
        password: &str,
    ) -> Result<(), CoreError> {
        self.messenger
            .sign_in(SignInRequest {
                address: self.address.clone(),
                password: password.into(),
                server: Some(server_field.to_string()),
                remember: false,
            })
            .await
    }

    /// Signs in and panics on failure.
    pub async fn online(server: &Prosody, address: &str) -> Client {
        let mut c = Client::new(address);
        c.sign_in(server)
            .await
            .unwrap_or_else(|e| panic!("{address} could not sign in: {e}"));
        c
    }

    /// Waits until an event matching `pred` arrives (events before it are kept in `seen`).
    pub async fn wait_for<F: FnMut(&CoreEvent) -> bool>(
        &mut self,
        what: &str,
        secs: u64,
        mut pred: F,
    ) -> CoreEvent {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        loop {
            match tokio::time::timeout_at(deadline, self.events.recv()).await {
                Ok(Some(ev)) => {
                    self.seen.push(ev.clone());
                    if pred(&ev) {
                        return ev;
                    }
                }
                Ok(None) => panic!(
                    "{}: event channel closed while waiting for {what}",
                    self.address
                ),
                Err(_) => panic!(
                    "{}: timed out after {secs}s waiting for {what}; saw {:#?}",
                    self.address, self.seen
                ),
            }
        }
    }

    /// Collects events for `ms` milliseconds.
    pub async fn drain_for(&mut self, ms: u64) -> Vec<CoreEvent> {
        let deadline = tokio::time::Instant::now() + Duration::from_millis(ms);
        let mut out = Vec::new();
        while let Ok(Some(ev)) = tokio::time::timeout_at(deadline, self.events.recv()).await {
            self.seen.push(ev.clone());
            out.push(ev);
        }
        out
    }

    /// Waits until the connection state is Online.
    pub async fn wait_online(&mut self, secs: u64) {
        if matches!(
            self.messenger.connection_state(),
            ConnectionState::Online { .. }
        ) {
            return;
        }
        self.wait_for("Online", secs, |e| {
            matches!(
                e,
                CoreEvent::ConnectionStateChanged(ConnectionState::Online { .. })
            )
        })
        .await;
    }

    /// Polls `check` until it holds (for store state that events only hint at).
    pub async fn eventually<F: FnMut(&Client) -> bool>(
        &mut self,
        what: &str,
        secs: u64,
        mut check: F,
    ) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        while !check(self) {
            if tokio::time::Instant::now() > deadline {
                panic!(
                    "{}: timed out after {secs}s waiting for {what}; saw {:#?}",
                    self.address, self.seen
                );
            }
            let _ = self.drain_for(50).await;
        }
    }

    /// Sends every body to `peer`, in order, and waits until the server acknowledged them all.
    pub async fn send_all(&mut self, peer: &str, bodies: impl IntoIterator<Item = String>) {
        for body in bodies {
            self.messenger
                .chats()
                .send_message(peer, &body)
                .await
                .unwrap();
        }
        let me = self.address.clone();
        self.eventually("all acknowledged", 120, |c| {
            c.messenger.store().pending(&me).unwrap().is_empty()
        })
        .await;
    }
}
