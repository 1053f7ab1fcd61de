//! The messenger without a window: connection manager (one task per account owning tokio-xmpp's
//! `StanzaStream`), roster/presence/messaging services, the outbox, trust and settings. The
//! Tauri shell and the integration tests drive it through [`Messenger`]; it never imports tauri.
// No unsafe code here, whatever an inner attribute says: the only `unsafe` of the workspace is
// the allocator tuning in src-tauri/src/main.rs (a crate of its own).
#![forbid(unsafe_code)]

mod archive_search;
pub mod avatars;
pub mod connection;
pub mod connector;
mod contacts;
mod emitter;
mod error;
pub mod events;
pub mod files;
pub mod idle;
pub mod keychain;
mod messenger;
pub mod notify;
pub mod paths;
mod session;
mod sm_fix;
pub mod trust;

pub use error::CoreError;
pub use events::{CoreEvent, EventReceiver};
pub use messenger::{Messenger, MessengerOptions, DEFAULT_CATCH_UP_LIMIT, DEFAULT_IDLE_POLL};
pub use session::now_ms;
