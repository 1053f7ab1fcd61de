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
    /// The author: a bare JID in a chat; in a room (XEP-0045) the occupant's room JID
    /// (`room@service/nick`), or our bare JID for our own messages.
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
    /// The file it carries (XEP-0363 upload URL / XEP-0066 OOB), if any.
    pub attachment: Option<Attachment>,
    /// It names us (a room message with our nickname as a word): highlighted, counted.
    pub mention: bool,
}

/// How much of one conversation is unread.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct UnreadCount {
    /// The conversation (a contact's or a room's bare JID).
    pub peer: String,
    /// Unread messages.
    pub unread: u32,
    /// Of those, the ones that name us (rooms; what a room set to "Mentions" counts).
    pub mentions: u32,
}

impl UnreadCount {
    /// Nothing unread in `peer`.
    pub fn none(peer: &str) -> Self {
        Self {
            peer: peer.to_string(),
            unread: 0,
            mentions: 0,
        }
    }
}

/// A message about to be stored (before it has a row id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// Conversation (contact's bare JID).
    pub peer: String,
    /// In or out.
    pub direction: Direction,
    /// Author (see `Message::sender`).
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
    /// The file it carries, if any.
    pub attachment: Option<Attachment>,
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

/// A match found by searching the server's archive (XEP-0431). It is not stored: opening it
/// fetches the conversation's history back to it first.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ServerSearchHit {
    /// The archive id (XEP-0359 stanza-id of our server).
    pub archive_id: String,
    /// The sender's origin-id (our own messages are found locally by it).
    pub origin_id: Option<String>,
    /// The conversation: the contact's bare JID.
    pub peer: String,
    /// Who wrote it.
    pub direction: Direction,
    /// When the server archived it (ms since epoch).
    pub timestamp: i64,
    /// The body with each searched word wrapped in U+0002 … U+0003, like `SearchResult`.
    pub snippet: String,
}

/// One page of server search results, newest first.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ServerSearchPage {
    /// The matches, newest first.
    pub hits: Vec<ServerSearchHit>,
    /// Where the next, older page starts (`None`: no more matches).
    pub older: Option<String>,
}

/// Where a message's file is. Outgoing: `Uploading` → `Uploaded` (or `UploadFailed`, with Retry).
/// Incoming: `Available` → `Downloading` → `Downloaded` (or `DownloadFailed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum FileStatus {
    /// Offered to us directly (XEP-0234): waiting for Accept or Decline.
    Offered,
    /// Being uploaded (XEP-0363); the message goes out when it is done.
    Uploading,
    /// The upload failed or was cancelled; `error` says why.
    UploadFailed,
    /// Uploaded and sent; `local_path` is our copy.
    Uploaded,
    /// On the server, not downloaded.
    Available,
    /// Being downloaded.
    Downloading,
    /// Saved at `local_path`.
    Downloaded,
    /// The download failed or was cancelled; `error` says why.
    DownloadFailed,
}

/// A file carried by a message. Name, size and type come from strangers: shown as text only.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    /// The HTTPS URL (`None` until the upload has a slot).
    pub url: Option<String>,
    /// File name for display and saving (already made safe).
    pub name: String,
    /// Size in bytes when known (ours, or the server's `Content-Length`).
    pub size: Option<u64>,
    /// MIME type when known.
    pub mime: Option<String>,
    /// Where the file is on this machine: our copy of a sent file, or a finished download.
    pub local_path: Option<String>,
    /// Where it is on its way.
    pub status: FileStatus,
    /// Why the last transfer failed.
    pub error: Option<String>,
    /// Sent straight between devices (XEP-0234 Jingle), not through an upload URL.
    #[serde(default)]
    pub direct: bool,
}

impl Attachment {
    /// The file is an image we may preview (by type, or by name when the type is unknown).
    pub fn is_image(&self) -> bool {
        let by_mime = self
            .mime
            .as_deref()
            .is_some_and(|m| matches!(m, "image/png" | "image/jpeg" | "image/gif" | "image/webp"));
        let lower = self.name.to_ascii_lowercase();
        by_mime
            || [".png", ".jpg", ".jpeg", ".gif", ".webp"]
                .iter()
                .any(|e| lower.ends_with(e))
    }
}

/// A file transfer moved on (at most a few times a second per transfer).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TransferProgress {
    /// The message carrying the file.
    pub message_id: i64,
    /// Bytes moved so far.
    pub bytes: u64,
    /// Total bytes, when known.
    pub total: Option<u64>,
    /// Recent speed.
    pub bytes_per_second: u64,
}

/// What the server's upload service (XEP-0363) takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct UploadLimit {
    /// The server has an upload service.
    pub available: bool,
    /// Largest file in bytes, when the service states one.
    pub max_size: Option<u64>,
}
