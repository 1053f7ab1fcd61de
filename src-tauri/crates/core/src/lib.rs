//! The messenger without a window. `Messenger` is the root: it owns one account's services
//! (`chats()`, `rooms()`, `history()`, `contacts()`, `profile()`, `files()`, `settings()`) and
//! its session, a task that owns tokio-xmpp's `StanzaStream` and routes what arrives to the
//! session's parts. The Tauri shell and the integration tests drive it through `Messenger`; it
//! never imports tauri.
// No unsafe code here, whatever an inner attribute says: the only `unsafe` of the workspace is
// the allocator tuning in src-tauri/src/main.rs (a crate of its own).
#![forbid(unsafe_code)]

mod account;
#[cfg(test)]
mod architecture_tests;
pub mod chats;
pub mod connection;
pub mod connector;
mod emitter;
mod error;
pub mod events;
pub mod files;
pub mod history;
pub mod idle;
pub mod keychain;
mod live;
mod messenger;
pub mod notify;
mod outbox;
pub mod paths;
pub mod people;
pub mod rooms;
mod session;
pub mod settings;
mod sm_fix;
pub mod trust;

pub use error::CoreError;
pub use events::{CoreEvent, EventReceiver};
pub use live::now_ms;
pub use messenger::{
    Messenger, MessengerOptions, DEFAULT_CATCH_UP_LIMIT, DEFAULT_IDLE_POLL,
    DEFAULT_ROOM_SELF_PING_AFTER,
};
