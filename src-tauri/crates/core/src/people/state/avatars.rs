//! Avatars as the session sees them: announced by contacts (XEP-0084 PEP metadata, XEP-0153
//! presence hints) and by our own other devices, fetched once per hash (the fetcher is
//! `crate::people::avatars`), shown when stored unless a newer one was announced meanwhile.

use hallway_protocol::xep0060_pubsub::Notification;
use hallway_protocol::xep0084_avatar::{self, Announced};
use hallway_store::Store;

use super::People;
use crate::events::CoreEvent;
use crate::live::{AvatarJob, Out};

impl People {
    /// A contact's avatar metadata (XEP-0084 PEP event; our own other devices' too).
    pub(crate) fn on_avatar_event(&mut self, store: &Store, n: &Notification, out: &mut Out) {
        match xep0084_avatar::parse_metadata(&n.items) {
            Ok(Announced::Avatar(hash)) => self.announce_avatar(&n.from, hash, out),
            Ok(Announced::Removed) => {
                if n.from == self.account || self.roster.contains_key(&n.from) {
                    self.wanted_avatars.remove(&n.from);
                    self.set_avatar(store, &n.from.clone(), None, out);
                }
            }
            Err(e) => tracing::warn!("bad avatar metadata from {}: {e}", n.from),
        }
    }

    pub(super) fn announce_avatar(&mut self, jid: &str, hash: String, out: &mut Out) {
        // Only people in the roster (and we) have avatars shown; a stranger's announcement
        // would only make us send them requests.
        if jid != self.account && !self.roster.contains_key(jid) {
            return;
        }
        let known = if jid == self.account {
            self.me.avatar.as_deref()
        } else {
            self.infos.get(jid).and_then(|i| i.avatar.as_deref())
        };
        if known == Some(hash.as_str()) {
            self.wanted_avatars.remove(jid);
            return;
        }
        if self.wanted_avatars.get(jid) == Some(&Some(hash.clone())) {
            return; // already being fetched
        }
        self.wanted_avatars
            .insert(jid.to_string(), Some(hash.clone()));
        out.avatar_jobs.push(AvatarJob {
            jid: jid.to_string(),
            hash,
        });
    }

    /// The fetcher stored (or dropped) `jid`'s avatar: shown, unless a newer announcement (or a
    /// removal) came meanwhile.
    pub(crate) fn avatar_stored(
        &mut self,
        store: &Store,
        jid: &str,
        hash: Option<String>,
        out: &mut Out,
    ) {
        if self.wanted_avatars.get(jid) == Some(&hash) {
            self.wanted_avatars.remove(jid);
            self.set_avatar(store, jid, hash, out);
        }
    }

    pub(super) fn set_avatar(
        &mut self,
        store: &Store,
        jid: &str,
        hash: Option<String>,
        out: &mut Out,
    ) {
        if jid == self.account {
            if self.me.avatar == hash {
                return;
            }
            self.me.avatar = hash.clone();
            // Our XEP-0153 hint in presence must follow (changed on another device).
            self.presence_dirty = true;
            if let Err(e) = store.set_setting(&crate::people::my_avatar_key(jid), &hash) {
                tracing::warn!("could not remember our avatar: {e}");
            }
        } else {
            let info = self.infos.entry(jid.to_string()).or_default();
            if info.avatar == hash {
                return;
            }
            info.avatar = hash.clone();
            if let Err(e) = store.set_contact_avatar(&self.account, jid, hash.as_deref()) {
                tracing::warn!("could not remember an avatar: {e}");
            }
        }
        out.events.push(CoreEvent::AvatarChanged {
            jid: jid.to_string(),
            avatar: hash,
        });
    }
}
