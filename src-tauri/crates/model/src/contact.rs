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
    /// We asked to see their presence and they have not answered (`ask="subscribe"`).
    pub pending_out: bool,
    /// On our XEP-0191 block list.
    pub blocked: bool,
    /// XEP-0319: the most available resource is idle since (ms since the epoch).
    pub idle_since: Option<i64>,
    /// When they were last online (ms since the epoch): seen going offline, or XEP-0012.
    pub last_seen: Option<i64>,
    /// SHA-1 of their avatar image (XEP-0084 / XEP-0153), cached on disk.
    pub avatar: Option<String>,
}

impl Subscription {
    /// Whether we receive their presence (RFC 6121 §2.1.2.5).
    pub fn sees_theirs(self) -> bool {
        matches!(self, Self::To | Self::Both)
    }
}

/// Someone asks to see our presence (RFC 6121 §3.1.2): shown with **Accept** and **Decline**.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionRequest {
    /// Their bare JID.
    pub jid: String,
    /// The nickname they sent with the request (XEP-0172), else the roster name, else the JID.
    pub display_name: String,
}

/// One device (resource) of a contact, for the details panel.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Device {
    /// The resource part of the full JID.
    pub resource: String,
    /// Its show.
    pub presence: PresenceShow,
    /// Its status text.
    pub status: Option<String>,
    /// XEP-0319 idle since (ms since the epoch).
    pub idle_since: Option<i64>,
}

/// Business-card fields (XEP-0292 vCard4, XEP-0054 vcard-temp as fallback).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct VCardFields {
    /// Full name.
    pub full_name: Option<String>,
    /// Job title.
    pub title: Option<String>,
    /// Organisation.
    pub organization: Option<String>,
    /// Department (organisational unit).
    pub department: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Telephone number.
    pub phone: Option<String>,
}

impl VCardFields {
    /// Trims every field and drops empty ones (strangers' text; never interpreted).
    pub fn cleaned(self) -> Self {
        fn c(v: Option<String>) -> Option<String> {
            v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
        }
        Self {
            full_name: c(self.full_name),
            title: c(self.title),
            organization: c(self.organization),
            department: c(self.department),
            email: c(self.email),
            phone: c(self.phone),
        }
    }
    /// Whether no field is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// What the details panel shows about a contact.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ContactDetails {
    /// Bare JID.
    pub jid: String,
    /// Their online devices, most available first.
    pub devices: Vec<Device>,
    /// vCard fields (empty when they published none).
    pub vcard: VCardFields,
    /// Last seen (ms since the epoch) when offline: XEP-0012 asked just now, else remembered.
    pub last_seen: Option<i64>,
}

/// Someone not in the roster wrote to us: collected under **Requests** instead of a chat.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct MessageRequest {
    /// Their bare JID.
    pub jid: String,
    /// Unread messages from them.
    pub unread: u32,
    /// Text of their newest message.
    pub last_body: String,
    /// Time of their newest message (ms since the epoch).
    pub last_timestamp: i64,
}
