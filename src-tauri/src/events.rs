//! UI events (past tense) and the task that turns core events into them.

use hallway_core::{CoreEvent, EventReceiver};
use hallway_model::{
    AutoAway, ConnectionState, Contact, DeliveryState, Invitation, Message, MessageRequest,
    MyPresence, Occupant, PresenceUpdate, Room, SubscriptionRequest, TransferProgress,
};
use tauri::AppHandle;
use tauri_specta::Event;

/// The connection state changed.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, specta::Type, tauri_specta::Event)]
pub struct ConnectionStateChanged {
    /// New state.
    pub state: ConnectionState,
}

/// The whole roster.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, specta::Type, tauri_specta::Event)]
pub struct RosterChanged {
    /// All contacts.
    pub contacts: Vec<Contact>,
}

/// Batched presence changes.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, specta::Type, tauri_specta::Event)]
pub struct PresencesChanged {
    /// One per contact.
    pub updates: Vec<PresenceUpdate>,
}

/// Batched new messages.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, specta::Type, tauri_specta::Event)]
pub struct MessagesReceived {
    /// In store order.
    pub messages: Vec<Message>,
}

/// The author corrected a message (XEP-0308).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, specta::Type, tauri_specta::Event)]
pub struct MessageCorrected {
    /// The message with its latest text.
    pub message: Message,
}

/// A message changed as a whole (its file's transfer ended, its size became known…).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, specta::Type, tauri_specta::Event)]
pub struct MessageUpdated {
    /// The message as stored now.
    pub message: Message,
}

/// A file transfer moved on (a few times a second at most).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, specta::Type, tauri_specta::Event)]
pub struct TransferProgressed {
    /// Bytes so far, total and speed.
    pub progress: TransferProgress,
}

/// A delivery state moved.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, specta::Type, tauri_specta::Event)]
pub struct MessageStateChanged {
    /// Message row id.
    pub id: i64,
    /// New state.
    pub state: DeliveryState,
}

/// Unread counts changed.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, specta::Type, tauri_specta::Event)]
pub struct UnreadChanged {
    /// Changed conversations.
    pub counts: Vec<hallway_model::UnreadCount>,
}

/// Our own presence changed.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, specta::Type, tauri_specta::Event)]
pub struct MyPresenceChanged {
    /// New presence.
    pub presence: MyPresence,
}

/// Subscription requests waiting for Accept / Decline.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, specta::Type, tauri_specta::Event)]
pub struct SubscriptionRequestsChanged {
    /// The whole list.
    pub requests: Vec<SubscriptionRequest>,
}

/// People outside the contacts who wrote to us ("Requests").
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, specta::Type, tauri_specta::Event)]
pub struct MessageRequestsChanged {
    /// The whole list, newest first.
    pub requests: Vec<MessageRequest>,
}

/// Our block list changed.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, specta::Type, tauri_specta::Event)]
pub struct BlocklistChanged {
    /// Blocked addresses.
    pub jids: Vec<String>,
}

/// A contact's (or our own) avatar changed.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, specta::Type, tauri_specta::Event)]
pub struct AvatarChanged {
    /// Bare JID.
    pub jid: String,
    /// New hash (`None`: removed); fetch the image with `get_avatar`.
    pub avatar: Option<String>,
}

/// Automatic away changed what our presence shows.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, specta::Type, tauri_specta::Event)]
pub struct AutoAwayChanged {
    /// What it applies now.
    pub state: AutoAway,
}

/// Our rooms: joined, left, renamed, or where we stand with one moved (the whole list).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, specta::Type, tauri_specta::Event)]
pub struct RoomsChanged {
    /// Every room we are in, by name.
    pub rooms: Vec<Room>,
}

/// Invitations to rooms waiting for an answer (the whole list, newest first).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, specta::Type, tauri_specta::Event)]
pub struct InvitationsChanged {
    /// From contacts and strangers alike; the window shows strangers' under Requests.
    pub invitations: Vec<Invitation>,
}

/// Who is in a room now (batched: a join flood is one event).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, specta::Type, tauri_specta::Event)]
pub struct OccupantsChanged {
    /// The room's address.
    pub room: String,
    /// Everyone in it, by nickname.
    pub occupants: Vec<Occupant>,
}

/// Forwards core events to the window until the core's channel closes.
pub async fn forward(app: AppHandle, mut rx: EventReceiver) {
    while let Some(ev) = rx.recv().await {
        let result = match ev {
            CoreEvent::ConnectionStateChanged(state) => ConnectionStateChanged { state }.emit(&app),
            CoreEvent::RosterChanged(contacts) => RosterChanged { contacts }.emit(&app),
            CoreEvent::PresencesChanged(updates) => PresencesChanged { updates }.emit(&app),
            CoreEvent::MessagesReceived(messages) => MessagesReceived { messages }.emit(&app),
            CoreEvent::MessageCorrected(message) => MessageCorrected { message }.emit(&app),
            CoreEvent::MessageUpdated(message) => MessageUpdated { message }.emit(&app),
            CoreEvent::TransferProgressed(progress) => TransferProgressed { progress }.emit(&app),
            CoreEvent::MessageStateChanged { id, state } => {
                MessageStateChanged { id, state }.emit(&app)
            }
            CoreEvent::UnreadChanged(counts) => UnreadChanged { counts }.emit(&app),
            CoreEvent::MyPresenceChanged(presence) => MyPresenceChanged { presence }.emit(&app),
            CoreEvent::SubscriptionRequestsChanged(requests) => {
                SubscriptionRequestsChanged { requests }.emit(&app)
            }
            CoreEvent::MessageRequestsChanged(requests) => {
                MessageRequestsChanged { requests }.emit(&app)
            }
            CoreEvent::BlocklistChanged(jids) => BlocklistChanged { jids }.emit(&app),
            CoreEvent::AvatarChanged { jid, avatar } => AvatarChanged { jid, avatar }.emit(&app),
            CoreEvent::AutoAwayChanged(state) => AutoAwayChanged { state }.emit(&app),
            CoreEvent::RoomsChanged(rooms) => RoomsChanged { rooms }.emit(&app),
            CoreEvent::InvitationsChanged(invitations) => {
                InvitationsChanged { invitations }.emit(&app)
            }
            CoreEvent::OccupantsChanged { room, occupants } => {
                OccupantsChanged { room, occupants }.emit(&app)
            }
            CoreEvent::NotificationRequested(n) => {
                // A machine without a notification service just logs it.
                crate::notifications::show(&app, n);
                Ok(())
            }
        };
        if let Err(e) = result {
            tracing::warn!("could not emit an event to the window: {e}");
        }
    }
}
