//! App-level request/response shapes: the sign-in form and the start-up snapshot.

use crate::{AutoAway, AutoAwaySettings, ConnectionState, MyPresence};

/// What the sign-in form submits.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SignInRequest {
    /// The account address (`alice@example.com`).
    pub address: String,
    /// The password (goes to the OS keychain only when `remember`; `Debug` prints `***`).
    pub password: crate::Password,
    /// Optional `host` or `host:port` for servers without SRV records.
    pub server: Option<String>,
    /// Store the password in the OS keychain and sign in automatically next time.
    pub remember: bool,
}

/// The last account used, to prefill the form (never holds the password).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SavedAccount {
    /// Address.
    pub address: String,
    /// Server field as typed.
    pub server: Option<String>,
    /// Whether the user asked to be remembered.
    #[serde(default)]
    pub remember: bool,
}

/// Everything the UI needs at start-up.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AppSnapshot {
    /// Signed-in bare JID; `None` shows the sign-in screen.
    pub account: Option<String>,
    /// Current connection state.
    pub connection: ConnectionState,
    /// Our chosen presence.
    pub my_presence: MyPresence,
    /// Whether the OS keychain answered.
    pub keychain_available: bool,
    /// Prefill for the sign-in form.
    pub saved_account: Option<SavedAccount>,
    /// A one-off notice for the user (e.g. the password could not be saved).
    pub notice: Option<String>,
    /// Desktop notifications show the message text (else only who wrote).
    pub notification_previews: bool,
    /// Automatic away settings.
    pub auto_away: AutoAwaySettings,
    /// What automatic away applies right now.
    pub auto_away_state: AutoAway,
    /// Our own avatar's hash, when we published one.
    pub my_avatar: Option<String>,
    /// Pictures up to this many bytes are fetched for a preview by themselves (0: never).
    pub preview_limit: u64,
    /// Largest file accepted straight from a contact's device (bytes); bigger offers are refused.
    pub max_incoming_file: u64,
    /// Contacts asking which client we use (XEP-0092) also learn the operating system.
    pub share_os: bool,
}
