//! The `Profile` service: who we are to others — our business card (XEP-0292 vCard4), our
//! picture (XEP-0084, with the XEP-0153 hint in our presence), our status (remembered across
//! restarts), and automatic away (the idle watcher lowers our status and restores it, XEP-0319).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use hallway_model::{AutoAway, AutoAwaySettings, MyPresence, MyShow, VCardFields};
use hallway_protocol::{xep0084_avatar, xep0292_vcard4, Jid};

use crate::account::Account;
use crate::events::CoreEvent;
use crate::idle::IdleSource;
use crate::live::{now_ms, Command, PeopleCommand};
use crate::people::avatars::AvatarCache;
use crate::people::contacts::{address, clean_name, Contacts};
use crate::CoreError;

const AUTO_AWAY: &str = "auto_away";

pub(crate) fn presence_key(account: &str) -> String {
    format!("my_presence:{account}")
}

/// Our status as chosen, and what automatic away applies on top.
pub(crate) struct Presence {
    /// The settings and what automatic away applies right now.
    pub auto_away: Arc<Mutex<(AutoAwaySettings, AutoAway)>>,
    /// The status the user chose (automatic away never goes over Do not disturb).
    chosen_show: Arc<Mutex<MyShow>>,
    idle_source: Arc<dyn IdleSource>,
    idle_poll: Duration,
}

/// Who we are to others, for one account.
pub struct Profile {
    acc: Arc<Account>,
    contacts: Arc<Contacts>,
    avatars: AvatarCache,
    presence: Presence,
}

impl Profile {
    pub(crate) fn new(
        acc: Arc<Account>,
        contacts: Arc<Contacts>,
        avatars: AvatarCache,
        idle_source: Arc<dyn IdleSource>,
        idle_poll: Duration,
    ) -> Self {
        let settings = acc
            .store
            .setting::<AutoAwaySettings>(AUTO_AWAY)
            .ok()
            .flatten()
            .unwrap_or_default();
        Self {
            acc,
            contacts,
            avatars,
            presence: Presence {
                auto_away: Arc::new(Mutex::new((settings, AutoAway::Off))),
                chosen_show: Arc::new(Mutex::new(MyShow::Available)),
                idle_source,
                idle_poll,
            },
        }
    }

    /// Our status as remembered for `account` (Available when none).
    pub(crate) fn saved_presence(&self, account: &str) -> MyPresence {
        self.acc
            .store
            .setting::<MyPresence>(&presence_key(account))
            .ok()
            .flatten()
            .unwrap_or_default()
    }

    /// Our avatar's hash, when we published one.
    pub(crate) fn my_avatar(&self, account: &str) -> Option<String> {
        self.acc
            .store
            .setting::<Option<String>>(&crate::people::my_avatar_key(account))
            .ok()
            .flatten()
            .flatten()
    }

    /// Automatic away: its settings and what it applies now.
    pub fn auto_away(&self) -> (AutoAwaySettings, AutoAway) {
        *self
            .presence
            .auto_away
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// Our own business card.
    pub async fn my_profile(&self) -> Result<VCardFields, CoreError> {
        let account = self.acc.require()?;
        let to = Jid::from(address(&account)?);
        let card = self.contacts.vcard(&to).await?;
        crate::people::remember_my_name(&self.acc.store, &account, card.full_name.as_deref());
        Ok(card)
    }

    /// Publishes our business card (display name = full name) as vCard4 for our contacts.
    pub async fn set_my_profile(&self, fields: VCardFields) -> Result<(), CoreError> {
        let fields = fields.cleaned();
        for (what, v) in [
            ("name", &fields.full_name),
            ("title", &fields.title),
            ("organisation", &fields.organization),
            ("department", &fields.department),
            ("email address", &fields.email),
            ("phone number", &fields.phone),
        ] {
            if let Some(v) = v {
                clean_name(what, v)?;
            }
        }
        let account = self.acc.require()?;
        self.acc
            .session
            .publish_pep("Saving your profile", |access| {
                xep0292_vcard4::publish(&hallway_protocol::new_id(), &fields, access)
            })
            .await?;
        crate::people::remember_my_name(&self.acc.store, &account, fields.full_name.as_deref());
        Ok(())
    }

    /// Publishes our avatar (XEP-0084: data, then metadata) and puts its hash in our presence
    /// (XEP-0153). The UI scales the picture down first; anything but a small PNG, JPEG, GIF or
    /// WebP is refused here.
    pub async fn set_my_avatar(&self, bytes: Vec<u8>) -> Result<String, CoreError> {
        let account = self.acc.require()?;
        let hash = xep0084_avatar::prepare(&bytes)
            .map_err(|e| CoreError::InvalidInput(format!("This picture cannot be used: {e}.")))?;
        self.avatars
            .write(&hash, &bytes)
            .await
            .map_err(|e| CoreError::InvalidInput(format!("This picture cannot be used: {e}.")))?;
        // Data first, then metadata (XEP-0084 §4.1).
        self.acc
            .session
            .publish_pep("Publishing your picture", |access| {
                xep0084_avatar::publish_data(&hallway_protocol::new_id(), &hash, &bytes, access)
            })
            .await?;
        self.acc
            .session
            .publish_pep("Publishing your picture", |access| {
                xep0084_avatar::publish_metadata(&hallway_protocol::new_id(), &hash, &bytes, access)
            })
            .await?;
        self.acc
            .store
            .set_setting(&crate::people::my_avatar_key(&account), &Some(hash.clone()))?;
        self.acc
            .session
            .tell(PeopleCommand::SetMyAvatar(Some(hash.clone())))?;
        self.acc.emit(CoreEvent::AvatarChanged {
            jid: account,
            avatar: Some(hash.clone()),
        });
        Ok(hash)
    }

    /// A cached avatar image (our own PNG re-encoding) and its type.
    pub fn avatar_image(&self, hash: &str) -> Option<(Vec<u8>, &'static str)> {
        self.avatars.read(hash)
    }

    /// Changes our presence; remembered across reconnects and restarts.
    pub async fn set_my_presence(&self, p: MyPresence) -> Result<(), CoreError> {
        let account = self.acc.require()?;
        if p.status.len() > 1024 {
            return Err(CoreError::InvalidInput(
                "The status message is too long (1024 characters at most).".into(),
            ));
        }
        let p = MyPresence {
            show: p.show,
            status: p.status.trim().to_string(),
        };
        self.acc.store.set_setting(&presence_key(&account), &p)?;
        *self
            .presence
            .chosen_show
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = p.show;
        let _ = self.acc.session.send(Command::SetPresence(p.clone()));
        self.acc.emit(CoreEvent::MyPresenceChanged(p));
        Ok(())
    }

    /// Automatic away settings; applied at the next look at the idle time.
    pub fn set_auto_away(&self, settings: AutoAwaySettings) -> Result<(), CoreError> {
        if settings.away_minutes == 0 || settings.xa_minutes == 0 {
            return Err(CoreError::InvalidInput(
                "Minutes of inactivity must be at least 1.".into(),
            ));
        }
        self.acc.store.set_setting(AUTO_AWAY, &settings)?;
        self.presence
            .auto_away
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .0 = settings;
        Ok(())
    }

    /// Signed out: automatic away applies nothing.
    pub(crate) fn reset_auto_away(&self) {
        self.presence
            .auto_away
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .1 = AutoAway::Off;
    }

    /// Watches the idle source for one session: lowers our presence to Away / Extended away and
    /// back (XEP-0319 idle since), ending with the session (it holds the session weakly).
    pub(crate) fn watch_idle(
        &self,
        session: tokio::sync::mpsc::WeakUnboundedSender<Command>,
        chosen: MyShow,
    ) {
        let p = &self.presence;
        *p.chosen_show.lock().unwrap_or_else(|p| p.into_inner()) = chosen;
        let source = p.idle_source.clone();
        let state = p.auto_away.clone();
        let chosen = p.chosen_show.clone();
        let emitter = self.acc.emitter.clone();
        let poll = p.idle_poll;
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
                    (_, Some(d)) => Some(now_ms() - i64::try_from(d.as_millis()).unwrap_or(0)),
                    (_, None) => Some(now_ms()),
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
