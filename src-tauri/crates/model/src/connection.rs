//! The connection state the user always sees, and the specific reasons a connection fails.

/// What went wrong, specific enough for the user to act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum ConnectionErrorKind {
    /// The server rejected the credentials (SASL not-authorized). Never retried automatically.
    AuthFailed,
    /// The domain or server name does not resolve.
    UnknownHost,
    /// Something answered but refused the TCP connection.
    ConnectionRefused,
    /// TLS could not be established (handshake failure, no STARTTLS offered).
    TlsFailed,
    /// The certificate is not trusted by the system; the user may pin it.
    CertificateUntrusted,
    /// A pinned certificate changed: possible interception. Never retried automatically.
    CertificateChanged,
    /// No route / timeout: the network or the server is down.
    Unreachable,
    /// The server broke the protocol or closed the stream with an error.
    Protocol,
    /// Anything else.
    Other,
}

impl ConnectionErrorKind {
    /// Whether retrying without the user's action could ever succeed.
    pub fn is_fatal(self) -> bool {
        matches!(
            self,
            Self::AuthFailed | Self::CertificateUntrusted | Self::CertificateChanged
        )
    }
}

/// A connection failure with a human sentence.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, thiserror::Error)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
#[error("{message}")]
pub struct ConnectionError {
    /// Machine-readable kind.
    pub kind: ConnectionErrorKind,
    /// A sentence for the user.
    pub message: String,
    /// SHA-256 fingerprint of the server certificate (untrusted / changed certificates).
    pub fingerprint: Option<String>,
}

impl ConnectionError {
    /// An error without certificate details.
    pub fn new(kind: ConnectionErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            fingerprint: None,
        }
    }
}

/// The state shown in the status line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum ConnectionState {
    /// Not signed in, or signed out.
    Offline,
    /// First connection attempt under way.
    Connecting,
    /// Session established.
    Online {
        /// The full JID the server bound.
        jid: String,
    },
    /// Link lost; retrying with backoff.
    #[serde(rename_all = "camelCase")]
    Reconnecting {
        /// 1 for the first retry.
        attempt: u32,
        /// Seconds until the next try.
        retry_in_secs: u32,
    },
    /// Stopped on an error that needs the user.
    Error {
        /// What went wrong.
        error: ConnectionError,
    },
}
