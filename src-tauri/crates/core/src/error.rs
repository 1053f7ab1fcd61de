//! The core's error type: every failure a command can report, in a closed set the shell maps to
//! IPC error codes.

use hallway_model::ConnectionError;

/// What a messenger operation can fail with.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CoreError {
    /// The user typed something unusable (address, server, empty message…).
    #[error("{0}")]
    InvalidInput(String),
    /// The operation needs a signed-in account.
    #[error("You are not signed in.")]
    NotSignedIn,
    /// Connecting or signing in failed.
    #[error("{0}")]
    Connection(ConnectionError),
    /// The local database failed.
    #[error("Local storage failed: {0}")]
    Storage(String),
    /// The OS keychain failed.
    #[error("Keychain: {0}")]
    Keychain(String),
    /// The operation needs the server and we are not connected.
    #[error("You are offline. Try again when Hallway is connected.")]
    Offline,
    /// The server or the contact said no (or never answered).
    #[error("{0}")]
    Refused(String),
    /// A file is over the server's upload limit (the message says the limit).
    #[error("{0}")]
    FileTooLarge(String),
    /// A bug or an unexpected state.
    #[error("Internal error: {0}")]
    Internal(String),
}

impl From<hallway_store::StoreError> for CoreError {
    fn from(e: hallway_store::StoreError) -> Self {
        Self::Storage(e.to_string())
    }
}
