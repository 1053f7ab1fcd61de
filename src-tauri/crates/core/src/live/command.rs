//! What crosses from the services to the session task: the commands (`Command`, with the
//! people-side `PeopleCommand`) and the request and reply types they carry. Below both the
//! services and the session, so neither imports the other: services send these through
//! `SessionClient` (`client.rs`), the session (`crate::session`) handles them.

use hallway_model::{Device, MyPresence};
use hallway_protocol::xep0313_mam::{ArchiveQuery, ArchivedMessage};
use tokio::sync::oneshot;
use tokio_xmpp::jid::BareJid;
use tokio_xmpp::parsers::iq::Iq;

use super::iq::Responder;

/// Older history of one conversation wanted from the archive (XEP-0313).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ArchiveRequest {
    pub peer: String,
    pub start_ms: Option<i64>,
    pub end_ms: Option<i64>,
    pub max: usize,
    /// Filling this gap (id, its start): progress is recorded per conversation.
    pub gap: Option<(i64, i64)>,
    /// Page before this archive id (exact; else the newest page within the time bounds).
    pub before_id: Option<String>,
    /// Place (`ord`) of the stored message `before_id` names: a gap's pages go just below it.
    pub anchor_ord: Option<i64>,
}

/// Where the outcome of an older-history request goes (once it is stored).
pub(crate) type ArchiveReply = oneshot::Sender<Result<(), String>>;

/// One page of an archive text search (XEP-0431): the matches, oldest first, and the archive id
/// to page on from when older matches remain.
#[derive(Debug)]
pub(crate) struct ArchiveSearchPage {
    pub items: Vec<ArchivedMessage>,
    pub older: Option<String>,
}

/// Where a search page goes.
pub(crate) type SearchReply = oneshot::Sender<Result<ArchiveSearchPage, String>>;

/// A contact's live facts for the details panel.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Details {
    pub devices: Vec<Device>,
    pub last_seen: Option<i64>,
}

/// People-side requests from the services.
pub(crate) enum PeopleCommand {
    /// Send this presence (subscribe / subscribed / unsubscribed) if online.
    SendPresence(
        tokio_xmpp::parsers::presence::Presence,
        oneshot::Sender<bool>,
    ),
    /// The request from this JID was answered here; stop showing it.
    RequestAnswered(String),
    /// Pending subscription requests.
    SubscriptionRequests(oneshot::Sender<Vec<hallway_model::SubscriptionRequest>>),
    /// Pending message requests.
    MessageRequests(oneshot::Sender<Vec<hallway_model::MessageRequest>>),
    /// Our XEP-0191 block list.
    Blocked(oneshot::Sender<Vec<String>>),
    /// Devices and last seen of a contact.
    Details(String, oneshot::Sender<Details>),
    /// XEP-0012 answered: they were last online then.
    LastSeen(String, i64),
    /// Automatic away changed (with XEP-0319 idle since).
    SetAutoAway(hallway_model::AutoAway, Option<i64>),
    /// Our avatar changed (re-sent as the XEP-0153 hint in our presence).
    SetMyAvatar(Option<String>),
    /// The avatar fetcher stored (or dropped) a contact's avatar.
    AvatarStored(String, Option<String>),
}

/// Room-side requests from the services (XEP-0045).
pub(crate) enum RoomsCommand {
    /// Enter this room (stored already) as this nickname.
    Join {
        room: String,
        nick: String,
        name: Option<String>,
        /// The user creates it: its settings (XEP-0045 §10.1.3).
        create: Option<hallway_protocol::xep0045_muc_owner::RoomSettings>,
        /// The room's password, when the user gave one (§7.2.6; kept for this run only).
        password: Option<hallway_model::Password>,
    },
    /// Leave this room (marked left in the store already).
    Leave(String),
    /// The invitations waiting, with who sent them (contact or stranger).
    Invitations(oneshot::Sender<Vec<hallway_model::Invitation>>),
    /// Send this (a mediated invitation, a decline) as it is.
    Send(Box<tokio_xmpp::parsers::message::Message>),
    /// Invite `to` into `room` directly (XEP-0249), with the password we entered it with.
    Invite {
        to: tokio_xmpp::jid::BareJid,
        room: tokio_xmpp::jid::BareJid,
        reason: Option<String>,
    },
    /// Our rooms as they stand.
    List(oneshot::Sender<Vec<hallway_model::Room>>),
    /// Who is in this room.
    Occupants(String, oneshot::Sender<Vec<hallway_model::Occupant>>),
    /// When this room's messages notify (stored already).
    SetNotify(String, hallway_model::RoomNotify),
    /// The user read this room up to this stanza-id of the room's (XEP-0333 marker to it).
    MarkDisplayed(String, String),
    /// Read this room's disco#info again (its settings changed): its name follows.
    RefreshInfo(String),
}

/// Requests from the services to the session task.
pub(crate) enum Command {
    /// The outbox has a new (or retried) message to this contact: send what may go now.
    OutboxChanged(String),
    /// An incoming message stored outside the session (a direct file offer, XEP-0234): show it,
    /// count it unread and notify, batched like any other.
    Announce(hallway_model::Message),
    /// Broadcast a new own presence.
    SetPresence(MyPresence),
    /// The contact list as it stands.
    Contacts(oneshot::Sender<Vec<hallway_model::Contact>>),
    /// Fetch older history from the archive; replies once it is stored.
    FetchArchive(ArchiveRequest, ArchiveReply),
    /// Search the server archive's text (XEP-0431); nothing found is stored.
    SearchArchive(ArchiveQuery, SearchReply),
    /// Tell the contact we displayed their message with this id (XEP-0333).
    MarkDisplayed(BareJid, String),
    /// Send an iq and hand back the answer's payload (roster edits, vCards, avatars…).
    Request(Box<Iq>, Responder),
    /// Roster, presence, avatars, blocking: see `PeopleCommand`.
    People(PeopleCommand),
    /// Rooms: see `RoomsCommand`.
    Rooms(RoomsCommand),
    /// The answer to an iq a contact sent us, from the service it was forwarded to (XEP-0047
    /// §2.2: an in-band block is acknowledged once written).
    Answer(Box<Iq>),
    /// Close the stream and end the task.
    Shutdown(oneshot::Sender<()>),
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
