//! People: the `Contacts` service (roster, subscriptions, blocking, details), the `Profile`
//! service (our card, picture, status, automatic away), avatars (cache and fetcher), and the
//! session's live view of everyone (`state.rs`).

pub(crate) mod avatars;
pub mod contacts;
pub mod profile;
pub(crate) mod state;

pub use avatars::AvatarCache;

use hallway_store::Store;

/// Settings key of our own avatar hash.
pub(crate) fn my_avatar_key(account: &str) -> String {
    format!("my_avatar:{account}")
}

/// Settings key of our full name as last published or read.
fn my_name_key(account: &str) -> String {
    format!("my_name:{account}")
}

/// Our full name as last published or read (introduces us in subscription requests).
pub(crate) fn my_name(store: &Store, account: &str) -> Option<String> {
    store
        .setting::<String>(&my_name_key(account))
        .ok()
        .flatten()
}

/// Remembers our full name (`None`: we have none).
pub(crate) fn remember_my_name(store: &Store, account: &str, name: Option<&str>) {
    let key = my_name_key(account);
    let result = match name {
        Some(n) => store.set_setting(&key, &n),
        None => store.remove_setting(&key),
    };
    if let Err(e) = result {
        tracing::warn!("could not remember our name: {e}");
    }
}
