//! The `Settings` service: the user's choices that are not about one contact — whether
//! notifications show message text, how large a picture is fetched by itself for a preview,
//! how large a file may come straight from a contact's device, and whether a contact asking for
//! our client's version (XEP-0092) learns the operating system. Each is one row of the
//! store's settings, read where it applies through the functions here.

use std::sync::Arc;

use hallway_store::Store;

use crate::account::Account;
use crate::CoreError;

const NOTIFICATION_PREVIEWS: &str = "notification_previews";
const PREVIEW_LIMIT: &str = "preview_limit";
const MAX_INCOMING: &str = "max_incoming_file";
const SHARE_OS: &str = "share_os";

/// Pictures up to this size are fetched for a preview without asking (default).
pub const DEFAULT_PREVIEW_LIMIT: u64 = 5 * 1000 * 1000;
/// Default of the largest file accepted straight from a contact's device.
pub const DEFAULT_MAX_INCOMING: u64 = 4 * 1024 * 1024 * 1024;

/// Whether notifications show message text (default: yes).
pub(crate) fn notification_previews(store: &Store) -> bool {
    store
        .setting::<bool>(NOTIFICATION_PREVIEWS)
        .ok()
        .flatten()
        .unwrap_or(true)
}

/// The largest picture fetched for a preview without asking (0: never).
pub(crate) fn preview_limit(store: &Store) -> u64 {
    store
        .setting::<u64>(PREVIEW_LIMIT)
        .ok()
        .flatten()
        .unwrap_or(DEFAULT_PREVIEW_LIMIT)
}

/// The largest file accepted straight from a contact's device.
pub(crate) fn max_incoming_file(store: &Store) -> u64 {
    store
        .setting::<u64>(MAX_INCOMING)
        .ok()
        .flatten()
        .unwrap_or(DEFAULT_MAX_INCOMING)
}

/// Whether contacts asking which client we use (XEP-0092) also learn the operating system
/// (default: yes, the family only, e.g. "Linux").
pub(crate) fn share_os(store: &Store) -> bool {
    store
        .setting::<bool>(SHARE_OS)
        .ok()
        .flatten()
        .unwrap_or(true)
}

/// The user's settings.
pub struct Settings {
    acc: Arc<Account>,
}

impl Settings {
    pub(crate) fn new(acc: Arc<Account>) -> Self {
        let previews = notification_previews(&acc.store);
        acc.view.lock().unwrap_or_else(|p| p.into_inner()).previews = previews;
        Self { acc }
    }

    /// Whether notifications show message text.
    pub fn notification_previews(&self) -> bool {
        notification_previews(&self.acc.store)
    }

    /// Whether notifications show message text; remembered.
    pub fn set_notification_previews(&self, show: bool) -> Result<(), CoreError> {
        self.acc.store.set_setting(NOTIFICATION_PREVIEWS, &show)?;
        self.acc
            .view
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .previews = show;
        Ok(())
    }

    /// Whether contacts asking for our client's version also learn the operating system.
    pub fn share_os(&self) -> bool {
        share_os(&self.acc.store)
    }

    /// Whether contacts asking for our client's version also learn the operating system;
    /// remembered.
    pub fn set_share_os(&self, share: bool) -> Result<(), CoreError> {
        Ok(self.acc.store.set_setting(SHARE_OS, &share)?)
    }

    /// The largest picture fetched for a preview without asking.
    pub fn preview_limit(&self) -> u64 {
        preview_limit(&self.acc.store)
    }

    /// Changes the automatic preview limit (0: never fetch pictures by themselves).
    pub fn set_preview_limit(&self, bytes: u64) -> Result<(), CoreError> {
        Ok(self.acc.store.set_setting(PREVIEW_LIMIT, &bytes)?)
    }

    /// The largest file accepted straight from a contact's device.
    pub fn max_incoming_file(&self) -> u64 {
        max_incoming_file(&self.acc.store)
    }

    /// Changes the largest file accepted straight from a contact's device.
    pub fn set_max_incoming_file(&self, bytes: u64) -> Result<(), CoreError> {
        if bytes == 0 {
            return Err(CoreError::InvalidInput(
                "The limit must be more than nothing.".into(),
            ));
        }
        Ok(self.acc.store.set_setting(MAX_INCOMING, &bytes)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        let store = Arc::new(Store::open_in_memory().unwrap());
        Settings::new(Arc::new(Account::new(
            store,
            crate::emitter::Emitter::new(tx),
            "r".into(),
        )))
    }

    #[test]
    fn defaults_and_changes_are_remembered_and_reach_the_notifications() {
        let s = settings();
        assert!(s.notification_previews());
        assert_eq!(s.preview_limit(), DEFAULT_PREVIEW_LIMIT);
        assert_eq!(s.max_incoming_file(), DEFAULT_MAX_INCOMING);
        s.set_notification_previews(false).unwrap();
        assert!(!s.notification_previews());
        assert!(!s.acc.view.lock().unwrap().previews);
        s.set_preview_limit(0).unwrap();
        assert_eq!(s.preview_limit(), 0);
        s.set_max_incoming_file(1_000).unwrap();
        assert_eq!(max_incoming_file(&s.acc.store), 1_000);
        assert!(s.set_max_incoming_file(0).is_err());
    }
}
