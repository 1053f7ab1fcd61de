//! Chat messages as stored and shown, with their delivery state (pending → sent → delivered).

/// Who wrote it, relative to the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum Direction {
    /// From the contact.
    Incoming,
    /// From the account (this device or, via carbons, another one).
    Outgoing,
}

/// Where an outgoing message is on its way; incoming ones are `Received`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum DeliveryState {
    /// Written to the outbox, not yet acknowledged by the server.
    Pending,
    /// The server acknowledged it (XEP-0198 ack), or it came from another of our devices.
    Sent,
    /// The contact's client confirmed it (XEP-0184 receipt).
    Delivered,
    /// The contact has seen it (XEP-0333 `displayed` marker).
    Displayed,
    /// Could not be sent; the user may retry.
    Failed,
    /// An incoming message.
    Received,
}

impl DeliveryState {
    /// Stable text form used in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Displayed => "displayed",
            Self::Failed => "failed",
            Self::Received => "received",
        }
    }
    /// Parses the database form.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => Self::Pending,
            "sent" => Self::Sent,
            "delivered" => Self::Delivered,
            "displayed" => Self::Displayed,
            "failed" => Self::Failed,
            "received" => Self::Received,
            _ => return None,
        })
    }
    /// States only move forward (a late ack must not turn Delivered back into Sent).
    pub fn rank(self) -> u8 {
        match self {
            Self::Failed => 0,
            Self::Pending => 1,
            Self::Sent => 2,
            Self::Delivered => 3,
            Self::Displayed => 4,
            Self::Received => 5,
        }
    }
}

/// A stored message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// Local row id (stable, increasing in arrival order).
    pub id: i64,
    /// The conversation: the contact's bare JID.
    pub peer: String,
    /// In or out.
    pub direction: Direction,
    /// Bare JID of the author.
    pub sender: String,
    /// Plain text body (rendered as text, never HTML).
    pub body: String,
    /// Milliseconds since the Unix epoch (XEP-0203 delay stamp when present).
    pub timestamp: i64,
    /// Delivery state.
    pub state: DeliveryState,
    /// XEP-0359 origin-id (ours for outgoing; the sender's when given).
    pub origin_id: String,
    /// The author corrected it (XEP-0308); `body` is the latest text.
    pub edited: bool,
}

/// A message about to be stored (before it has a row id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// Conversation (contact's bare JID).
    pub peer: String,
    /// In or out.
    pub direction: Direction,
    /// Author's bare JID.
    pub sender: String,
    /// Body text.
    pub body: String,
    /// Milliseconds since the epoch.
    pub timestamp: i64,
    /// Initial state.
    pub state: DeliveryState,
    /// XEP-0359 origin-id, or the stanza `id` when the sender gave none.
    pub origin_id: String,
    /// XEP-0359 stanza-id assigned by our server (`by` = our account), when known.
    pub stanza_id: Option<String>,
    /// The stanza `id` attribute (XEP-0184 receipts and XEP-0333 markers refer to it).
    pub stanza_xml_id: Option<String>,
    /// The sender wants XEP-0333 markers for it.
    pub markable: bool,
    /// The sender asked for a XEP-0184 receipt.
    pub wants_receipt: bool,
    /// Where it goes in the conversation's time order.
    pub placement: Placement,
}

/// Where a stored message goes in its conversation's order (the store's `ord`; its displayed
/// time stays its stamp). Archive stamps have whole-second precision, so "by stamp" alone would
/// shuffle messages written within one second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// After everything stored (live arrivals, archive catch-up): arrival order.
    Append,
    /// Before everything stored (older archive pages, given newest first), or by its stamp when
    /// that is earlier still.
    Prepend,
    /// Right below the message at this `ord` (filling a gap from its newer edge, given newest
    /// first): archive order, stamps ignored.
    Below(i64),
}

/// A message found by full-text search.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SearchResult {
    /// The message.
    pub message: Message,
    /// The body with each match wrapped in U+0002 … U+0003 (the UI turns these into marks, as
    /// text nodes).
    pub snippet: String,
}
