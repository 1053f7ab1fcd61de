//! The one event enum the core emits. The shell turns each variant into a typed UI event; tests
//! read them directly. Presence and message storms arrive here already batched.

use hallway_model::{
    AutoAway, ConnectionState, Contact, DeliveryState, Message, MessageRequest, MyPresence,
    Occupant, PresenceUpdate, Room, SubscriptionRequest, TransferProgress,
};

use crate::notify::Notification;

/// Something the UI should reflect.
#[derive(Debug, Clone, PartialEq)]
pub enum CoreEvent {
    /// The status line changed.
    ConnectionStateChanged(ConnectionState),
    /// The whole roster (after fetch or a push).
    RosterChanged(Vec<Contact>),
    /// Contacts' merged presence changed (batched).
    PresencesChanged(Vec<PresenceUpdate>),
    /// New messages in any conversation (batched).
    MessagesReceived(Vec<Message>),
    /// The author corrected a message (XEP-0308): its new text.
    MessageCorrected(Message),
    /// A message changed as a whole (its file's transfer ended, its size became known…).
    MessageUpdated(Message),
    /// A file transfer moved on (throttled to a few per second per transfer).
    TransferProgressed(TransferProgress),
    /// A message's delivery state moved.
    MessageStateChanged {
        /// Row id.
        id: i64,
        /// New state.
        state: DeliveryState,
    },
    /// Unread counts of these conversations changed.
    UnreadChanged(Vec<hallway_model::UnreadCount>),
    /// Our own presence changed.
    MyPresenceChanged(MyPresence),
    /// Show a desktop notification (already decided by `notify::decide`).
    NotificationRequested(Notification),
    /// Subscription requests waiting for Accept / Decline (the whole list).
    SubscriptionRequestsChanged(Vec<SubscriptionRequest>),
    /// People outside the roster who wrote to us (the whole list).
    MessageRequestsChanged(Vec<MessageRequest>),
    /// Our XEP-0191 block list (the whole list).
    BlocklistChanged(Vec<String>),
    /// A contact's (or our own) avatar changed.
    AvatarChanged {
        /// Bare JID (ours for our own avatar).
        jid: String,
        /// New hash, `None` when removed.
        avatar: Option<String>,
    },
    /// Automatic away changed what our presence shows.
    AutoAwayChanged(AutoAway),
    /// Our rooms (XEP-0045), as a whole list: joined, left, renamed, or their phase moved.
    RoomsChanged(Vec<Room>),
    /// Invitations to rooms waiting for the user's answer (the whole list, newest first).
    InvitationsChanged(Vec<hallway_model::Invitation>),
    /// Who is in a room now (the whole list; batched like presences).
    OccupantsChanged {
        /// The room's bare JID.
        room: String,
        /// Everyone in it, by nickname.
        occupants: Vec<Occupant>,
    },
}

/// Where events go: an unbounded channel (the UI side drains it; nothing is ever dropped).
pub type EventSender = tokio::sync::mpsc::UnboundedSender<CoreEvent>;
/// The receiving end.
pub type EventReceiver = tokio::sync::mpsc::UnboundedReceiver<CoreEvent>;
