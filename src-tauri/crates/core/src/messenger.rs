//! `Messenger`: the facade the shell's commands and the tests call. It validates input, owns the
//! store and the current account's session, writes outgoing messages to the outbox before they
//! are sent, and keeps the password in the keychain only when asked to.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use hallway_model::{
    parse_bare_jid, AppSnapshot, AutoAway, AutoAwaySettings, ConnectionState, Contact,
    DeliveryState, Direction, Message, MyPresence, MyShow, NewMessage, SavedAccount, SearchResult,
    SignInRequest,
};
use hallway_store::{Inserted, Store};
use tokio::sync::{oneshot, Mutex};
use tokio_xmpp::jid::{BareJid, Jid};

use crate::avatars::AvatarCache;
use crate::connection::login;
use crate::connector::{parse_server_field, HallwayConnector};
use crate::emitter::Emitter;
use crate::events::{CoreEvent, EventReceiver};
use crate::files::Files;
use crate::idle::IdleSource;
use crate::keychain::Keychain;
use crate::session::{
    self, ArchiveRequest, Command, PeopleCommand, SessionConfig, SessionHandle, ViewState,
};
use crate::trust::Trust;
use crate::CoreError;

/// Largest message the user may send (bytes of UTF-8); servers commonly cap stanzas near 256 kB.
pub const MAX_OUTGOING_BODY: usize = 200 * 1024;

const SAVED_ACCOUNT: &str = "saved_account";
const NOTIFICATION_PREVIEWS: &str = "notification_previews";
/// Archive queries for older history reach this far past the local edge: our clock and the
/// server's may disagree, and re-fetched messages are dropped as duplicates anyway.
const CLOCK_MARGIN_MS: i64 = 15 * 60 * 1000;
/// Longest wait for the server archive while loading older history.
const ARCHIVE_WAIT: Duration = Duration::from_secs(20);
const RESOURCE: &str = "resource";
const AUTO_AWAY: &str = "auto_away";

/// How to open the messenger.
pub struct MessengerOptions {
    /// Folder for the database and everything else stored.
    pub data_dir: PathBuf,
    /// Where passwords go.
    pub keychain: Arc<dyn Keychain>,
    /// Most messages one archive catch-up fetches after a reconnect before it records a gap
    /// ([`DEFAULT_CATCH_UP_LIMIT`]; tests lower it).
    pub catch_up_limit: usize,
    /// Where user inactivity comes from (automatic away).
    pub idle_source: Arc<dyn IdleSource>,
    /// How often inactivity is looked at ([`DEFAULT_IDLE_POLL`]; tests shorten it).
    pub idle_poll: Duration,
    /// Where downloaded files are saved ([`crate::paths::downloads_dir`] in the app).
    pub downloads_dir: PathBuf,
    /// Host names pinned to addresses for file transfers, like `/etc/hosts` (tests; empty in
    /// the app).
    pub host_overrides: Vec<(String, std::net::SocketAddr)>,
    /// Direct transfers (XEP-0260) may connect to a contact's candidate on loopback or a
    /// link-local address: only for tests on one machine (off in the app).
    pub allow_local_candidates: bool,
}

/// How often automatic away looks at the idle time.
pub const DEFAULT_IDLE_POLL: Duration = Duration::from_secs(10);

/// The usual bound of an archive catch-up (XEP-0313) after a reconnect.
pub const DEFAULT_CATCH_UP_LIMIT: usize = 5000;

pub(crate) struct Active {
    pub(crate) account: BareJid,
    pub(crate) handle: SessionHandle,
}

/// The messenger.
pub struct Messenger {
    pub(crate) store: Arc<Store>,
    pub(crate) emitter: Emitter,
    keychain: Arc<dyn Keychain>,
    pub(crate) active: Mutex<Option<Active>>,
    account: std::sync::Mutex<Option<String>>,
    notice: std::sync::Mutex<Option<String>>,
    pub(crate) resource: String,
    view: Arc<std::sync::Mutex<ViewState>>,
    catch_up_limit: usize,
    pub(crate) avatars: AvatarCache,
    idle_source: Arc<dyn IdleSource>,
    idle_poll: Duration,
    pub(crate) auto_away: Arc<std::sync::Mutex<(AutoAwaySettings, AutoAway)>>,
    chosen_show: Arc<std::sync::Mutex<MyShow>>,
    pub(crate) files: Files,
    /// Jingle / IBB iqs from contacts' devices, forwarded unanswered by the session (XEP-0234).
    direct_tx: tokio::sync::mpsc::Sender<crate::files::DirectIncoming>,
    direct_rx: std::sync::Mutex<Option<tokio::sync::mpsc::Receiver<crate::files::DirectIncoming>>>,
    me: std::sync::OnceLock<std::sync::Weak<Messenger>>,
}

/// The certificate the user pinned for this account, bound to the account's XMPP domain.
fn pin_for(store: &Store, account: &str) -> Result<Option<crate::trust::Pin>, CoreError> {
    let domain = account.rsplit('@').next().unwrap_or(account).to_string();
    Ok(store
        .pinned_certificate(account)?
        .map(|fingerprint| crate::trust::Pin {
            domain,
            fingerprint,
        }))
}

fn presence_key(account: &str) -> String {
    format!("my_presence:{account}")
}

impl Messenger {
    /// Opens the store in `data_dir` and returns the messenger plus its event stream.
    pub fn open(opts: MessengerOptions) -> Result<(Arc<Self>, EventReceiver), CoreError> {
        crate::paths::prepare_data_dir(&opts.data_dir)
            .map_err(|e| CoreError::Storage(format!("Could not create the data folder: {e}")))?;
        let (store, set_aside) =
            Store::open_or_set_aside(&crate::paths::database_path(&opts.data_dir))?;
        let store = Arc::new(store);
        // The user hears why their history is gone from the window, and where the old file is.
        let notice = set_aside.map(|a| {
            tracing::error!(
                "database moved aside to {}: {}",
                a.moved_to.display(),
                a.reason
            );
            format!(
                "Hallway could not open its message history ({}), so it started a new one. \
                 The old file was kept as {}.",
                a.reason,
                a.moved_to.display()
            )
        });
        let resource = match store.setting::<String>(RESOURCE)? {
            Some(r) => r,
            None => {
                let r = format!("hallway-{}", &hallway_protocol::new_id()[..8]);
                store.set_setting(RESOURCE, &r)?;
                r
            }
        };
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let (direct_tx, direct_rx) = tokio::sync::mpsc::channel(crate::files::DIRECT_QUEUE);
        let me = Arc::new(Self {
            store,
            emitter: Emitter::new(tx),
            keychain: opts.keychain,
            active: Mutex::new(None),
            account: std::sync::Mutex::new(None),
            notice: std::sync::Mutex::new(notice),
            resource,
            view: Arc::new(std::sync::Mutex::new(ViewState::default())),
            catch_up_limit: opts.catch_up_limit.max(1),
            avatars: AvatarCache::new(opts.data_dir.join("avatars")),
            idle_source: opts.idle_source,
            idle_poll: opts.idle_poll,
            auto_away: Arc::new(std::sync::Mutex::new((
                AutoAwaySettings::default(),
                AutoAway::Off,
            ))),
            chosen_show: Arc::new(std::sync::Mutex::new(MyShow::Available)),
            files: Files::new(
                opts.data_dir.clone(),
                opts.downloads_dir,
                opts.host_overrides,
                opts.allow_local_candidates,
            ),
            direct_tx,
            direct_rx: std::sync::Mutex::new(Some(direct_rx)),
            me: std::sync::OnceLock::new(),
        });
        let _ = me.me.set(Arc::downgrade(&me));
        me.avatars.remove_originals();
        if let Ok(Some(settings)) = me.store.setting::<AutoAwaySettings>(AUTO_AWAY) {
            me.auto_away.lock().unwrap_or_else(|p| p.into_inner()).0 = settings;
        }
        let previews = me.notification_previews();
        me.view.lock().unwrap_or_else(|p| p.into_inner()).previews = previews;
        Ok((me, rx))
    }

    /// This messenger as an `Arc`, for work that outlives the caller (background sends).
    pub(crate) fn me(&self) -> Option<Arc<Messenger>> {
        self.me.get().and_then(std::sync::Weak::upgrade)
    }

    /// The store (tests and diagnostics).
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// The signed-in account.
    pub fn account(&self) -> Option<String> {
        self.account
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(crate) fn require_account(&self) -> Result<String, CoreError> {
        self.account().ok_or(CoreError::NotSignedIn)
    }

    /// What the UI needs at start-up.
    pub fn snapshot(&self) -> AppSnapshot {
        let account = self.account();
        let my_presence = account
            .as_deref()
            .and_then(|a| {
                self.store
                    .setting::<MyPresence>(&presence_key(a))
                    .ok()
                    .flatten()
            })
            .unwrap_or_default();
        let auto = *self.auto_away.lock().unwrap_or_else(|p| p.into_inner());
        AppSnapshot {
            account: account.clone(),
            connection: self.emitter.current(),
            my_presence,
            keychain_available: self.keychain.load("hallway-keychain-probe").is_ok(),
            saved_account: self
                .store
                .setting::<SavedAccount>(SAVED_ACCOUNT)
                .ok()
                .flatten(),
            notice: self.notice.lock().unwrap_or_else(|p| p.into_inner()).take(),
            notification_previews: self.notification_previews(),
            auto_away: auto.0,
            auto_away_state: auto.1,
            my_avatar: account.as_deref().and_then(|a| self.my_avatar(a)),
            preview_limit: self.preview_limit(),
            max_incoming_file: self.max_incoming_file(),
        }
    }

    pub(crate) fn my_avatar(&self, account: &str) -> Option<String> {
        self.store
            .setting::<Option<String>>(&crate::avatars::my_avatar_key(account))
            .ok()
            .flatten()
            .flatten()
    }

    fn notification_previews(&self) -> bool {
        self.store
            .setting::<bool>(NOTIFICATION_PREVIEWS)
            .ok()
            .flatten()
            .unwrap_or(true)
    }

    /// Whether notifications show message text; remembered.
    pub fn set_notification_previews(&self, show: bool) -> Result<(), CoreError> {
        self.store.set_setting(NOTIFICATION_PREVIEWS, &show)?;
        self.view.lock().unwrap_or_else(|p| p.into_inner()).previews = show;
        Ok(())
    }

    /// What the user is looking at: the open conversation and whether the window has the focus
    /// (no notifications for a conversation in plain sight).
    pub fn set_visible_conversation(&self, peer: Option<String>, focused: bool) {
        let mut v = self.view.lock().unwrap_or_else(|p| p.into_inner());
        v.visible_peer = peer;
        v.focused = focused;
    }

    /// Signs in from the form: one attempt, a specific error on failure (no retry loop), and on
    /// success a session that reconnects by itself. Resolves once the session is online.
    pub async fn sign_in(&self, req: SignInRequest) -> Result<(), CoreError> {
        let account =
            parse_bare_jid(&req.address).map_err(|e| CoreError::InvalidInput(e.to_string()))?;
        let target = parse_server_field(req.server.as_deref().unwrap_or(""))
            .map_err(CoreError::InvalidInput)?;
        if req.password.is_empty() {
            return Err(CoreError::InvalidInput("Enter your password.".into()));
        }
        let bare = BareJid::new(account.as_str())
            .map_err(|e| CoreError::InvalidInput(format!("Invalid address: {e}")))?;
        let full = Jid::from(
            bare.with_resource_str(&self.resource)
                .map_err(|e| CoreError::Internal(e.to_string()))?,
        );
        self.shut_down().await;
        self.emitter.connection(ConnectionState::Connecting);
        let trust = Arc::new(
            Trust::new(pin_for(&self.store, account.as_str())?).map_err(CoreError::Internal)?,
        );
        let connector = HallwayConnector::new(target, trust);
        let conn = match login(&connector, &full, req.password.expose()).await {
            Ok(c) => c,
            Err(e) => {
                self.emitter.connection(ConnectionState::Offline);
                return Err(CoreError::Connection(e));
            }
        };
        let server = req
            .server
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from);
        self.store.set_setting(
            SAVED_ACCOUNT,
            &SavedAccount {
                address: account.to_string(),
                server,
                remember: req.remember,
            },
        )?;
        let mut notice = None;
        if req.remember {
            if let Err(e) = self.keychain.save(account.as_str(), req.password.expose()) {
                tracing::warn!("keychain unavailable: {e}");
                notice = Some(format!(
                    "No keychain is available ({e}), so your password was not saved. Hallway will ask for it next time."
                ));
            }
        } else if let Err(e) = self.keychain.delete(account.as_str()) {
            tracing::debug!("keychain delete: {e}");
        }
        if notice.is_some() {
            *self.notice.lock().unwrap_or_else(|p| p.into_inner()) = notice;
        }
        self.start(bare, full, req.password, connector, Some(conn))
            .await
    }

    /// At start-up: signs in with the remembered account and keychain password, if any. Network
    /// trouble is retried with backoff; a wrong password shows as an error. Returns whether a
    /// session was started.
    pub async fn resume_saved(&self) -> bool {
        let Ok(Some(saved)) = self.store.setting::<SavedAccount>(SAVED_ACCOUNT) else {
            return false;
        };
        if !saved.remember {
            return false;
        }
        let password = match self.keychain.load(&saved.address) {
            Ok(Some(p)) => hallway_model::Password::from(p),
            Ok(None) => return false,
            Err(e) => {
                *self.notice.lock().unwrap_or_else(|p| p.into_inner()) = Some(format!(
                    "No keychain is available ({e}); enter your password to sign in."
                ));
                return false;
            }
        };
        let (Ok(bare), Ok(target)) = (
            BareJid::new(&saved.address),
            parse_server_field(saved.server.as_deref().unwrap_or("")),
        ) else {
            return false;
        };
        let Ok(full) = bare.with_resource_str(&self.resource) else {
            return false;
        };
        let pinned = pin_for(&self.store, &saved.address).ok().flatten();
        let Ok(trust) = Trust::new(pinned) else {
            return false;
        };
        let connector = HallwayConnector::new(target, Arc::new(trust));
        // Do not wait for "online": the app shows the main window with "Connecting…" meanwhile.
        let (tx, _rx) = oneshot::channel();
        self.spawn_session(bare, Jid::from(full), password, connector, None, tx)
            .await;
        true
    }

    async fn start(
        &self,
        bare: BareJid,
        full: Jid,
        password: hallway_model::Password,
        connector: HallwayConnector,
        first: Option<tokio_xmpp::stanzastream::Connection>,
    ) -> Result<(), CoreError> {
        let (tx, rx) = oneshot::channel();
        self.spawn_session(bare, full, password, connector, first, tx)
            .await;
        match tokio::time::timeout(Duration::from_secs(30), rx).await {
            Ok(Ok(Ok(()))) => Ok(()),
            Ok(Ok(Err(e))) => {
                self.shut_down().await;
                Err(CoreError::Connection(e))
            }
            Ok(Err(_)) | Err(_) => Err(CoreError::Internal(
                "the session did not come online".into(),
            )),
        }
    }

    async fn spawn_session(
        &self,
        bare: BareJid,
        full: Jid,
        password: hallway_model::Password,
        connector: HallwayConnector,
        first: Option<tokio_xmpp::stanzastream::Connection>,
        online: oneshot::Sender<Result<(), hallway_model::ConnectionError>>,
    ) {
        // Never two sessions at once (a double-submitted sign-in, or one racing the automatic
        // one): they would share a resource and keep replacing each other on the server.
        let previous = self.active.lock().await.take();
        if let Some(old) = previous {
            old.handle.stop().await;
        }
        let account = bare.to_string();
        self.reset_files();
        self.recover_transfers(&account);
        self.start_direct_listener();
        let my_presence = self
            .store
            .setting::<MyPresence>(&presence_key(&account))
            .ok()
            .flatten()
            .unwrap_or_default();
        let handle = session::start(SessionConfig {
            account: bare.clone(),
            full_jid: full,
            password,
            connector,
            first,
            store: self.store.clone(),
            emitter: self.emitter.clone(),
            my_presence: my_presence.clone(),
            online: Some(online),
            view: self.view.clone(),
            catch_up_limit: self.catch_up_limit,
            avatar_cache: self.avatars.clone(),
            my_avatar: self.my_avatar(&account),
            direct_tx: self.direct_tx.clone(),
        });
        self.spawn_idle_watcher(handle.commands.downgrade(), my_presence.show);
        *self.account.lock().unwrap_or_else(|p| p.into_inner()) = Some(account.clone());
        *self.active.lock().await = Some(Active {
            account: bare,
            handle,
        });
        self.emitter.emit(CoreEvent::MyPresenceChanged(my_presence));
        if let Ok(counts) = self.store.unread_counts(&account) {
            self.emitter.emit(CoreEvent::UnreadChanged(counts));
        }
    }

    /// Starts (once) the task that handles direct file transfers from contacts' devices.
    fn start_direct_listener(&self) {
        let rx = self
            .direct_rx
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        let (Some(mut rx), Some(weak)) = (rx, self.me.get().cloned()) else {
            return;
        };
        tokio::spawn(async move {
            while let Some(incoming) = rx.recv().await {
                let Some(me) = weak.upgrade() else { break };
                let (to, id) = (incoming.from.clone(), incoming.id.clone());
                let answer = me.on_direct(incoming).await;
                let iq = crate::files::answer_iq(&id, &to, answer);
                if let Ok(commands) = me.commands().await {
                    let _ = commands.send(Command::Answer(Box::new(iq)));
                }
            }
        });
    }

    /// Signs out, the user's explicit action: the session ends (as on quit) and the saved
    /// password and remembered account are forgotten, so the next start shows the sign-in form
    /// instead of signing in by itself. History stays on disk.
    pub async fn sign_out(&self) {
        let account = self.account().or_else(|| {
            self.store
                .setting::<SavedAccount>(SAVED_ACCOUNT)
                .ok()
                .flatten()
                .map(|s| s.address)
        });
        self.shut_down().await;
        if let Some(account) = account {
            if let Err(e) = self.keychain.delete(&account) {
                tracing::warn!("could not remove the saved password: {e}");
            }
        }
        if let Err(e) = self.store.remove_setting(SAVED_ACCOUNT) {
            tracing::warn!("could not forget the remembered account: {e}");
        }
    }

    /// Ends the session (quitting the app, or before another sign-in): unavailable presence,
    /// clean stream close. Nothing is forgotten: a remembered account signs in again at the next
    /// start.
    pub async fn shut_down(&self) {
        let active = self.active.lock().await.take();
        if let Some(a) = active {
            tracing::info!("signing out {}", a.account);
            a.handle.stop().await;
        }
        *self.account.lock().unwrap_or_else(|p| p.into_inner()) = None;
        self.auto_away.lock().unwrap_or_else(|p| p.into_inner()).1 = AutoAway::Off;
        self.emitter.connection(ConnectionState::Offline);
    }

    /// Signs out and forgets the remembered password.
    pub async fn forget_password(&self, account: &str) -> Result<(), CoreError> {
        self.keychain.delete(account).map_err(CoreError::Keychain)
    }

    /// Pins a certificate the user decided to trust for `address` (after seeing its fingerprint).
    pub fn trust_certificate(&self, address: &str, fingerprint: &str) -> Result<(), CoreError> {
        let account =
            parse_bare_jid(address).map_err(|e| CoreError::InvalidInput(e.to_string()))?;
        let valid = fingerprint.split(':').count() == 32
            && fingerprint
                .split(':')
                .all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_hexdigit()));
        if !valid {
            return Err(CoreError::InvalidInput(
                "That is not a SHA-256 certificate fingerprint.".into(),
            ));
        }
        self.store.pin_certificate(
            account.as_str(),
            &fingerprint.to_ascii_uppercase(),
            session::now_ms(),
        )?;
        Ok(())
    }

    /// Changes our presence; remembered across reconnects and restarts.
    pub async fn set_my_presence(&self, p: MyPresence) -> Result<(), CoreError> {
        let account = self.require_account()?;
        if p.status.len() > 1024 {
            return Err(CoreError::InvalidInput(
                "The status message is too long (1024 characters at most).".into(),
            ));
        }
        let p = MyPresence {
            show: p.show,
            status: p.status.trim().to_string(),
        };
        self.store.set_setting(&presence_key(&account), &p)?;
        *self.chosen_show.lock().unwrap_or_else(|p| p.into_inner()) = p.show;
        if let Some(a) = self.active.lock().await.as_ref() {
            let _ = a.handle.commands.send(Command::SetPresence(p.clone()));
        }
        self.emitter.emit(CoreEvent::MyPresenceChanged(p));
        Ok(())
    }

    /// Stores the message in the outbox, then hands it to the session (which sends now or after
    /// the next reconnect). Returns the stored message (state pending).
    pub async fn send_message(&self, peer: &str, body: &str) -> Result<Message, CoreError> {
        let account = self.require_account()?;
        let peer = parse_bare_jid(peer).map_err(|e| CoreError::InvalidInput(e.to_string()))?;
        if body.trim().is_empty() {
            return Err(CoreError::InvalidInput("The message is empty.".into()));
        }
        if body.len() > MAX_OUTGOING_BODY {
            return Err(CoreError::InvalidInput(format!(
                "The message is too long ({} kB; {} kB at most). Send it as a file instead.",
                body.len() / 1024,
                MAX_OUTGOING_BODY / 1024
            )));
        }
        let origin_id = hallway_protocol::new_id();
        let new = NewMessage {
            peer: peer.to_string(),
            direction: Direction::Outgoing,
            sender: account.clone(),
            body: body.to_string(),
            timestamp: session::now_ms(),
            state: DeliveryState::Pending,
            origin_id,
            stanza_id: None,
            stanza_xml_id: None,
            markable: false,
            wants_receipt: false,
            placement: hallway_model::Placement::Append,
            attachment: None,
        };
        let Inserted::New(message) = self.store.insert_message(&account, &new)? else {
            return Err(CoreError::Internal("fresh origin-id collided".into()));
        };
        self.emitter
            .emit(CoreEvent::MessagesReceived(vec![message.clone()]));
        if let Some(a) = self.active.lock().await.as_ref() {
            let _ = a
                .handle
                .commands
                .send(Command::OutboxChanged(message.peer.clone()));
        }
        Ok(message)
    }

    /// Sends a failed message again (same origin-id: a peer that got it already drops the copy).
    pub async fn retry_message(self: &Arc<Self>, id: i64) -> Result<(), CoreError> {
        let account = self.require_account()?;
        let Some(m) = self.store.message(id)? else {
            return Err(CoreError::InvalidInput("No such message.".into()));
        };
        if m.direction != Direction::Outgoing || m.sender != account {
            return Err(CoreError::InvalidInput(
                "Only your own messages can be sent again.".into(),
            ));
        }
        if m.state != DeliveryState::Failed && m.state != DeliveryState::Pending {
            return Ok(());
        }
        // A file whose upload failed is uploaded again first; its message then waits for it.
        let uploading = self.retry_upload(m.clone()).await?;
        if self.store.set_state(id, DeliveryState::Pending)? {
            self.emitter.emit(CoreEvent::MessageStateChanged {
                id,
                state: DeliveryState::Pending,
            });
        }
        if uploading {
            return Ok(());
        }
        if let Some(a) = self.active.lock().await.as_ref() {
            let _ = a
                .handle
                .commands
                .send(Command::OutboxChanged(m.peer.clone()));
        }
        Ok(())
    }

    /// A page of history, oldest first. When the page reaches into a gap of the local copy, or
    /// past its oldest message, the missing part is fetched from the server archive (XEP-0313)
    /// first; offline, the local page is all there is.
    pub async fn load_history(
        &self,
        peer: &str,
        before_id: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Message>, CoreError> {
        let account = self.require_account()?;
        let limit = limit.clamp(1, 500);
        let page = self.store.history(&account, peer, before_id, limit)?;
        let cursor_ts = match before_id {
            Some(id) => self.store.message(id)?.map(|m| m.timestamp),
            None => None,
        }
        .unwrap_or(i64::MAX);
        let full = page.len() as u32 >= limit;
        let page_start = if full { page[0].timestamp } else { i64::MIN };
        let gaps = self.store.archive_gaps(
            &account,
            peer,
            page_start,
            cursor_ts.saturating_add(CLOCK_MARGIN_MS),
        )?;
        let request = if let Some(gap) = gaps.first() {
            // Fill backwards from the first message after the gap (exact paging by its archive
            // id); without one, the newest of this conversation since the gap opened.
            let anchor = match gap.anchor_ord {
                Some(ord) => self
                    .store
                    .archived_at(&account, peer, ord)?
                    .map(|id| (id, ord)),
                None => self
                    .store
                    .oldest_archived_since(&account, peer, gap.first_row_id)?,
            };
            Some(ArchiveRequest {
                peer: peer.to_string(),
                start_ms: Some(gap.start_ts - CLOCK_MARGIN_MS),
                end_ms: None,
                max: limit as usize,
                gap: Some((gap.id, gap.start_ts)),
                anchor_ord: anchor.as_ref().map(|(_, ord)| *ord),
                before_id: anchor.map(|(id, _)| id),
            })
        } else if !full && !self.store.archive_complete(&account, peer)? {
            let oldest = self.store.oldest_time(&account, peer)?;
            Some(ArchiveRequest {
                peer: peer.to_string(),
                start_ms: None,
                end_ms: oldest.map(|t| t.saturating_add(CLOCK_MARGIN_MS)),
                max: limit as usize,
                gap: None,
                // Exact paging from the oldest archive id we hold; the time bound is the fallback.
                before_id: self.store.oldest_archive_id(&account, peer)?,
                anchor_ord: None,
            })
        } else {
            None
        };
        tracing::debug!(
            "history of {peer}: {} local, archive request {request:?}",
            page.len()
        );
        let Some(request) = request else {
            return Ok(page);
        };
        if !matches!(self.emitter.current(), ConnectionState::Online { .. }) {
            return Ok(page);
        }
        let (tx, rx) = oneshot::channel();
        {
            let guard = self.active.lock().await;
            let Some(a) = guard.as_ref() else {
                return Ok(page);
            };
            if a.handle
                .commands
                .send(Command::FetchArchive(request, tx))
                .is_err()
            {
                return Ok(page);
            }
        }
        match tokio::time::timeout(ARCHIVE_WAIT, rx).await {
            Ok(Ok(Ok(()))) => Ok(self.store.history(&account, peer, before_id, limit)?),
            Ok(Ok(Err(e))) => {
                tracing::warn!("archive query for {peer} failed: {e}");
                Ok(page)
            }
            _ => Ok(page),
        }
    }

    /// The page around a message (a search result opens there), oldest first.
    pub fn load_history_around(&self, id: i64, limit: u32) -> Result<Vec<Message>, CoreError> {
        let account = self.require_account()?;
        Ok(self
            .store
            .history_around(&account, id, limit.clamp(1, 500))?)
    }

    /// Finds messages in every conversation (FTS5: words, prefixes, "phrases"; diacritics
    /// ignored), newest first.
    pub fn search_messages(&self, query: &str) -> Result<Vec<SearchResult>, CoreError> {
        let account = self.require_account()?;
        if query.len() > 1000 {
            return Err(CoreError::InvalidInput("The search is too long.".into()));
        }
        Ok(self
            .store
            .search(&account, query, 100)?
            .into_iter()
            .map(|h| SearchResult {
                message: h.message,
                snippet: h.snippet,
            })
            .collect())
    }

    /// Marks a conversation read, and tells the contact with a XEP-0333 `displayed` marker on
    /// the newest message when they asked for markers.
    pub async fn mark_read(&self, peer: &str) -> Result<(), CoreError> {
        let account = self.require_account()?;
        if self.store.mark_read(&account, peer)? > 0 {
            self.emitter
                .emit(CoreEvent::UnreadChanged(vec![(peer.to_string(), 0)]));
            if let (Some(id), Ok(to)) = (
                self.store.newest_markable(&account, peer)?,
                BareJid::new(peer),
            ) {
                if let Some(a) = self.active.lock().await.as_ref() {
                    let _ = a.handle.commands.send(Command::MarkDisplayed(to, id));
                }
            }
            // XEP-0490: tell our other devices where this conversation was read, even when the
            // contact asked for no markers. In the background: reading never waits for it.
            if let (Some(sid), Some(me)) = (
                self.store.newest_incoming_stanza_id(&account, peer)?,
                self.me.get().and_then(std::sync::Weak::upgrade),
            ) {
                let peer = peer.to_string();
                tokio::spawn(async move { me.publish_read_position(&peer, &sid, &account).await });
            }
        }
        Ok(())
    }

    /// The contact list with presence and unread counts (empty when signed out).
    pub async fn contacts(&self) -> Vec<Contact> {
        let guard = self.active.lock().await;
        let Some(a) = guard.as_ref() else {
            return Vec::new();
        };
        let (tx, rx) = oneshot::channel();
        if a.handle.commands.send(Command::Contacts(tx)).is_err() {
            return Vec::new();
        }
        drop(guard);
        rx.await.unwrap_or_default()
    }

    /// The current connection state.
    pub fn connection_state(&self) -> ConnectionState {
        self.emitter.current()
    }

    /// Automatic away settings; applied at the next look at the idle time.
    pub fn set_auto_away(&self, settings: AutoAwaySettings) -> Result<(), CoreError> {
        if settings.away_minutes == 0 || settings.xa_minutes == 0 {
            return Err(CoreError::InvalidInput(
                "Minutes of inactivity must be at least 1.".into(),
            ));
        }
        self.store.set_setting(AUTO_AWAY, &settings)?;
        self.auto_away.lock().unwrap_or_else(|p| p.into_inner()).0 = settings;
        Ok(())
    }

    /// Watches the idle source for one session: lowers our presence to Away / Extended away and
    /// back (XEP-0319 idle since), ending with the session.
    fn spawn_idle_watcher(
        &self,
        session: tokio::sync::mpsc::WeakUnboundedSender<Command>,
        chosen: MyShow,
    ) {
        *self.chosen_show.lock().unwrap_or_else(|p| p.into_inner()) = chosen;
        let source = self.idle_source.clone();
        let state = self.auto_away.clone();
        let chosen = self.chosen_show.clone();
        let emitter = self.emitter.clone();
        let poll = self.idle_poll;
        {
            let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
            if s.1 != AutoAway::Off {
                s.1 = AutoAway::Off;
                emitter.emit(CoreEvent::AutoAwayChanged(AutoAway::Off));
            }
        }
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(poll);
            loop {
                tick.tick().await;
                // Held weakly: the watcher ends with the session instead of keeping it alive.
                let Some(commands) = session.upgrade() else {
                    break;
                };
                let idle = source.idle_time();
                let locked = source.screen_locked();
                let show = *chosen.lock().unwrap_or_else(|p| p.into_inner());
                let (settings, current) = *state.lock().unwrap_or_else(|p| p.into_inner());
                let next = crate::idle::decide(&settings, show, idle, locked);
                if next == current {
                    continue;
                }
                let since = match (next, idle) {
                    (AutoAway::Off, _) => None,
                    (_, Some(d)) => {
                        Some(session::now_ms() - i64::try_from(d.as_millis()).unwrap_or(0))
                    }
                    (_, None) => Some(session::now_ms()),
                };
                state.lock().unwrap_or_else(|p| p.into_inner()).1 = next;
                let cmd = Command::People(PeopleCommand::SetAutoAway(next, since));
                if commands.send(cmd).is_err() {
                    break;
                }
                emitter.emit(CoreEvent::AutoAwayChanged(next));
            }
        });
    }
}
