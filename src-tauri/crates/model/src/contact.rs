//! A roster contact as the contact list shows it (RFC 6121 roster item + live presence + unread).

use crate::presence::PresenceShow;

/// RFC 6121 §2.1.2.5 subscription states (`remove` only travels in pushes, never stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum Subscription {
    /// Neither side sees the other.
    None,
    /// We see their presence.
    To,
    /// They see ours.
    From,
    /// Both.
    Both,
}

/// A contact in the list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    /// Bare JID.
    pub jid: String,
    /// Roster name, if the user or server set one.
    pub name: Option<String>,
    /// What to show: roster name, else the JID's local part.
    pub display_name: String,
    /// Roster groups (may be empty).
    pub groups: Vec<String>,
    /// Subscription state.
    pub subscription: Subscription,
    /// Merged presence.
    pub presence: PresenceShow,
    /// Status text of the most available resource.
    pub status: Option<String>,
    /// Unread incoming messages.
    pub unread: u32,
}
