//! Hallway's domain types: the nouns every layer shares (contacts, presence, messages, connection
//! state, errors the user sees). Plain data with serde; `specta` derives (behind the `specta`
//! feature) let the Tauri shell export the same types to TypeScript, so one name means one thing
//! from SQLite to the screen.
// No unsafe code here, whatever an inner attribute says: the only `unsafe` of the workspace is
// the allocator tuning in src-tauri/src/main.rs (a crate of its own).
#![forbid(unsafe_code)]

mod app;
mod connection;
mod contact;
mod jid;
mod message;
mod presence;
mod room;
mod secret;

pub use app::{AppSnapshot, SavedAccount, SignInRequest};
pub use connection::{ConnectionError, ConnectionErrorKind, ConnectionState};
pub use contact::{
    Contact, ContactDetails, Device, MessageRequest, Subscription, SubscriptionRequest, VCardFields,
};
pub use jid::{display_name_for, parse_bare_jid, BareJid, JidError};
pub use message::{
    Attachment, DeliveryState, Direction, FileStatus, Message, NewMessage, Placement, SearchResult,
    ServerSearchHit, ServerSearchPage, TransferProgress, UnreadCount, UploadLimit,
};
pub use presence::{AutoAway, AutoAwaySettings, MyPresence, MyShow, PresenceShow, PresenceUpdate};
pub use room::{
    Affiliation, Invitation, Occupant, OccupantAction, PublicRoom, Role, Room, RoomNotify,
    RoomPhase, RoomRefusal, RoomSettings,
};
pub use secret::Password;
