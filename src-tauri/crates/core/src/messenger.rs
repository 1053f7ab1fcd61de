//! `Messenger`: the root the shell and the tests hold. It opens the store, owns one account's
//! services — `Conversations`, `History`, `Contacts`, `Profile`, `Files`, `Settings`, each a unit
//! over the shared `Account` — and the account's lifecycle: sign in (one attempt, a specific
//! error), resume a remembered account, sign out (forgetting the password) and shut down (keeping
//! it). Everything else is the services' business: `messenger.chats().send_message(…)`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use hallway_model::{parse_bare_jid, AppSnapshot, ConnectionState, SavedAccount, SignInRequest};
use hallway_store::Store;
use tokio::sync::{oneshot, Mutex};
use tokio_xmpp::jid::{BareJid, Jid};

use crate::account::Account;
use crate::chats::Conversations;
use crate::connection::login;
use crate::connector::{parse_server_field, HallwayConnector};
use crate::emitter::Emitter;
use crate::events::EventReceiver;
use crate::files::Files;
use crate::history::History;
use crate::idle::IdleSource;
use crate::keychain::Keychain;
use crate::people::contacts::Contacts;
use crate::people::profile::Profile;
use crate::people::AvatarCache;
use crate::rooms::Rooms;
use crate::session::{self, SessionConfig, SessionHandle};
use crate::settings::Settings;
use crate::trust::{Pin, Trust};
use crate::CoreError;

const SAVED_ACCOUNT: &str = "saved_account";
const RESOURCE: &str = "resource";

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
    /// How long a joined room may stay silent before we ask it whether it still has us
    /// (XEP-0410; [`DEFAULT_ROOM_SELF_PING_AFTER`]; tests shorten it).
    pub room_self_ping_after: Duration,
}

/// A joined room silent this long is self-pinged (XEP-0410 §3.1 leaves the interval to us).
pub const DEFAULT_ROOM_SELF_PING_AFTER: Duration = Duration::from_secs(90);

/// How often automatic away looks at the idle time.
pub const DEFAULT_IDLE_POLL: Duration = Duration::from_secs(10);

/// The usual bound of an archive catch-up (XEP-0313) after a reconnect.
pub const DEFAULT_CATCH_UP_LIMIT: usize = 5000;

struct Active {
    account: BareJid,
    handle: SessionHandle,
}

/// The messenger: one account's services and its session.
pub struct Messenger {
    acc: Arc<Account>,
    keychain: Arc<dyn Keychain>,
    active: Mutex<Option<Active>>,
    notice: std::sync::Mutex<Option<String>>,
    catch_up_limit: usize,
    room_self_ping_after: Duration,
    avatars: AvatarCache,
    chats: Conversations,
    rooms: Rooms,
    history: History,
    contacts: Arc<Contacts>,
    profile: Profile,
    files: Arc<Files>,
    settings: Settings,
}

/// The certificate the user pinned for this account, bound to the account's XMPP domain.
fn pin_for(store: &Store, account: &str) -> Result<Option<Pin>, CoreError> {
    let domain = account.rsplit('@').next().unwrap_or(account).to_string();
    Ok(store.pinned_certificate(account)?.map(|fingerprint| Pin {
        domain,
        fingerprint,
    }))
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
        let acc = Arc::new(Account::new(store, Emitter::new(tx), resource));
        let avatars = AvatarCache::new(opts.data_dir.join("avatars"));
        avatars.remove_originals();
        let files = Files::new(
            acc.clone(),
            opts.data_dir.clone(),
            opts.downloads_dir,
            opts.host_overrides,
            opts.allow_local_candidates,
        );
        let contacts = Arc::new(Contacts::new(acc.clone()));
        let me = Arc::new(Self {
            chats: Conversations::new(acc.clone(), files.clone()),
            rooms: Rooms::new(acc.clone()),
            history: History::new(acc.clone()),
            profile: Profile::new(
                acc.clone(),
                contacts.clone(),
                avatars.clone(),
                opts.idle_source,
                opts.idle_poll,
            ),
            settings: Settings::new(acc.clone()),
            contacts,
            files,
            acc,
            keychain: opts.keychain,
            active: Mutex::new(None),
            notice: std::sync::Mutex::new(notice),
            catch_up_limit: opts.catch_up_limit.max(1),
            // At least a second: a zero would ping every room on every housekeeping tick.
            room_self_ping_after: opts.room_self_ping_after.max(Duration::from_secs(1)),
            avatars,
        });
        Ok((me, rx))
    }

    /// Conversations: send, retry, mark read, local search.
    pub fn chats(&self) -> &Conversations {
        &self.chats
    }

    /// Rooms (XEP-0045): join, leave, the room list, occupants.
    pub fn rooms(&self) -> &Rooms {
        &self.rooms
    }

    /// History pages and the server archive.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// The roster, subscriptions, blocking, contacts' details.
    pub fn contacts(&self) -> &Contacts {
        &self.contacts
    }

    /// Our card, picture, status and automatic away.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// Files: uploads, downloads, previews, direct transfers.
    pub fn files(&self) -> &Arc<Files> {
        &self.files
    }

    /// The user's settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The store (tests and diagnostics).
    pub fn store(&self) -> &Arc<Store> {
        &self.acc.store
    }

    /// The signed-in account.
    pub fn account(&self) -> Option<String> {
        self.acc.address()
    }

    /// The current connection state.
    pub fn connection_state(&self) -> ConnectionState {
        self.acc.emitter.current()
    }

    /// What the UI needs at start-up.
    pub fn snapshot(&self) -> AppSnapshot {
        let account = self.account();
        let (auto_away, auto_away_state) = self.profile.auto_away();
        AppSnapshot {
            account: account.clone(),
            connection: self.acc.emitter.current(),
            my_presence: account
                .as_deref()
                .map(|a| self.profile.saved_presence(a))
                .unwrap_or_default(),
            keychain_available: self.keychain.load("hallway-keychain-probe").is_ok(),
            saved_account: self
                .acc
                .store
                .setting::<SavedAccount>(SAVED_ACCOUNT)
                .ok()
                .flatten(),
            notice: self.notice.lock().unwrap_or_else(|p| p.into_inner()).take(),
            notification_previews: self.settings.notification_previews(),
            auto_away,
            auto_away_state,
            my_avatar: account.as_deref().and_then(|a| self.profile.my_avatar(a)),
            preview_limit: self.settings.preview_limit(),
            max_incoming_file: self.settings.max_incoming_file(),
            share_os: self.settings.share_os(),
        }
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
            bare.with_resource_str(&self.acc.resource)
                .map_err(|e| CoreError::Internal(e.to_string()))?,
        );
        self.shut_down().await;
        self.acc.emitter.connection(ConnectionState::Connecting);
        let trust = Arc::new(
            Trust::new(pin_for(&self.acc.store, account.as_str())?).map_err(CoreError::Internal)?,
        );
        let connector = HallwayConnector::new(target, trust);
        let conn = match login(&connector, &full, req.password.expose()).await {
            Ok(c) => c,
            Err(e) => {
                self.acc.emitter.connection(ConnectionState::Offline);
                return Err(CoreError::Connection(e));
            }
        };
        let server = req
            .server
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from);
        self.acc.store.set_setting(
            SAVED_ACCOUNT,
            &SavedAccount {
                address: account.to_string(),
                server,
                remember: req.remember,
            },
        )?;
        if req.remember {
            if let Err(e) = self.keychain.save(account.as_str(), req.password.expose()) {
                tracing::warn!("keychain unavailable: {e}");
                *self.notice.lock().unwrap_or_else(|p| p.into_inner()) = Some(format!(
                    "No keychain is available ({e}), so your password was not saved. Hallway will ask for it next time."
                ));
            }
        } else if let Err(e) = self.keychain.delete(account.as_str()) {
            tracing::debug!("keychain delete: {e}");
        }
        let (tx, rx) = oneshot::channel();
        self.spawn_session(bare, full, req.password, connector, Some(conn), tx)
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

    /// At start-up: signs in with the remembered account and keychain password, if any. Network
    /// trouble is retried with backoff; a wrong password shows as an error. Returns whether a
    /// session was started.
    pub async fn resume_saved(&self) -> bool {
        let Ok(Some(saved)) = self.acc.store.setting::<SavedAccount>(SAVED_ACCOUNT) else {
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
        let Ok(full) = bare.with_resource_str(&self.acc.resource) else {
            return false;
        };
        let pinned = pin_for(&self.acc.store, &saved.address).ok().flatten();
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
        self.files.reset_files();
        self.files.recover_transfers(&account);
        let my_presence = self.profile.saved_presence(&account);
        let (avatar_jobs, jobs) = tokio::sync::mpsc::unbounded_channel();
        let handle = session::start(SessionConfig {
            account: bare.clone(),
            full_jid: full,
            password,
            connector,
            first,
            store: self.acc.store.clone(),
            emitter: self.acc.emitter.clone(),
            my_presence: my_presence.clone(),
            online: Some(online),
            view: self.acc.view.clone(),
            catch_up_limit: self.catch_up_limit,
            room_self_ping_after: self.room_self_ping_after,
            avatar_jobs,
            my_avatar: self.profile.my_avatar(&account),
            registrations: self.files.registrations(),
        });
        crate::people::avatars::spawn_fetcher(
            self.avatars.clone(),
            jobs,
            handle.commands.downgrade(),
        );
        self.profile
            .watch_idle(handle.commands.downgrade(), my_presence.show);
        self.acc.session.connect(Some(handle.commands.clone()));
        self.acc.set_address(Some(account.clone()));
        // Each account's server takes XEP-0490 items its own way: learned again.
        self.chats.forget_read_node();
        *self.active.lock().await = Some(Active {
            account: bare,
            handle,
        });
        self.acc
            .emit(crate::events::CoreEvent::MyPresenceChanged(my_presence));
        if let Ok(counts) = self.acc.store.unread(&account) {
            self.acc
                .emit(crate::events::CoreEvent::UnreadChanged(counts));
        }
    }

    /// Signs out, the user's explicit action: the session ends (as on quit) and the saved
    /// password and remembered account are forgotten, so the next start shows the sign-in form
    /// instead of signing in by itself. History stays on disk.
    pub async fn sign_out(&self) {
        let account = self.account().or_else(|| {
            self.acc
                .store
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
        if let Err(e) = self.acc.store.remove_setting(SAVED_ACCOUNT) {
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
        self.acc.session.connect(None);
        self.acc.set_address(None);
        self.profile.reset_auto_away();
        self.acc.emitter.connection(ConnectionState::Offline);
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
        self.acc.store.pin_certificate(
            account.as_str(),
            &fingerprint.to_ascii_uppercase(),
            crate::live::now_ms(),
        )?;
        Ok(())
    }
}
