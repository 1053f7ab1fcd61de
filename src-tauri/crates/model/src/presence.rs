//! Presence as the user sees it: a contact's availability (RFC 6121 §4.7.2.1 `show` values plus
//! unavailable) and the user's own chosen status.

/// A contact's availability. `chat` from the wire maps to `Available`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum PresenceShow {
    /// Online, no `show` (or `chat`).
    Available,
    /// `away`.
    Away,
    /// `dnd`.
    Dnd,
    /// `xa`.
    Xa,
    /// No available resource.
    Offline,
}

impl PresenceShow {
    /// Ordering for "most available" when merging several resources of one contact.
    pub fn rank(self) -> u8 {
        match self {
            Self::Available => 4,
            Self::Dnd => 3,
            Self::Away => 2,
            Self::Xa => 1,
            Self::Offline => 0,
        }
    }
    /// The word the UI shows next to the dot (never colour alone).
    pub fn word(self) -> &'static str {
        match self {
            Self::Available => "Available",
            Self::Away => "Away",
            Self::Dnd => "Do not disturb",
            Self::Xa => "Extended away",
            Self::Offline => "Offline",
        }
    }
}

/// What the user chose in **My status**.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum MyShow {
    /// Available.
    Available,
    /// Away.
    Away,
    /// Do not disturb.
    Dnd,
    /// Appear offline to contacts while staying connected (unavailable presence).
    Invisible,
}

/// The user's own presence: choice plus status message. Persisted so it survives restarts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MyPresence {
    /// The chosen availability.
    pub show: MyShow,
    /// Free text shown to contacts ("in a meeting until 3").
    pub status: String,
}

impl Default for MyPresence {
    fn default() -> Self {
        Self {
            show: MyShow::Available,
            status: String::new(),
        }
    }
}

/// One contact's merged presence changed (batched before it reaches the UI).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PresenceUpdate {
    /// Contact's bare JID.
    pub jid: String,
    /// Most available resource's show.
    pub presence: PresenceShow,
    /// That resource's status text.
    pub status: Option<String>,
    /// XEP-0319: idle since (ms since the epoch).
    pub idle_since: Option<i64>,
    /// When last online (ms since the epoch), for offline contacts.
    pub last_seen: Option<i64>,
}

/// Automatic away (issue: presence an office needs): after `away_minutes` of no input the
/// status becomes Away, after `xa_minutes` Extended away; Do not disturb and Invisible are never
/// overridden.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AutoAwaySettings {
    /// Whether automatic away is on.
    pub enabled: bool,
    /// Minutes of inactivity before Away.
    pub away_minutes: u32,
    /// Minutes of inactivity before Extended away.
    pub xa_minutes: u32,
}

impl Default for AutoAwaySettings {
    fn default() -> Self {
        Self {
            enabled: true,
            away_minutes: 5,
            xa_minutes: 30,
        }
    }
}

/// What automatic away currently applies on top of the chosen status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum AutoAway {
    /// The chosen status is shown as it is.
    Off,
    /// Away because of inactivity or a locked screen.
    Away,
    /// Extended away after long inactivity.
    Xa,
}
