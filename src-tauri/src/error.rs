//! Errors cross IPC as `{code, message, fingerprint}` with a closed set of codes, so the UI can
//! act on the kind (show an inline field error, offer "Trust this certificate"…).

use hallway_core::CoreError;
use hallway_model::ConnectionErrorKind;

/// The closed set of error codes the UI understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum IpcErrorCode {
    /// The user's input is unusable.
    InvalidInput,
    /// Wrong address or password.
    AuthFailed,
    /// Unknown host, refused, unreachable, or the server broke the session.
    Network,
    /// TLS could not be set up.
    Tls,
    /// The certificate is not trusted (or changed): `fingerprint` is set.
    CertificateUntrusted,
    /// Needs a signed-in account.
    NotSignedIn,
    /// Local database failure.
    Storage,
    /// OS keychain failure.
    Keychain,
    /// Not connected to the server.
    Offline,
    /// The server or the contact said no.
    Refused,
    /// A file is over the server's upload limit (the message says the limit).
    FileTooLarge,
    /// The operating system could not do it (open a file, show a folder).
    System,
    /// Anything else (a bug).
    Internal,
}

/// An error as the UI receives it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, specta::Type)]
pub struct IpcError {
    /// What kind of failure.
    pub code: IpcErrorCode,
    /// A sentence for the user.
    pub message: String,
    /// Certificate fingerprint for `certificateUntrusted`.
    pub fingerprint: Option<String>,
}

/// An OS-level failure (no default app, no file manager) as an IPC error.
pub fn os_failure(e: impl std::fmt::Display) -> IpcError {
    IpcError {
        code: IpcErrorCode::System,
        message: format!("Your system could not do that: {e}"),
        fingerprint: None,
    }
}

impl From<CoreError> for IpcError {
    fn from(e: CoreError) -> Self {
        let message = e.to_string();
        let (code, fingerprint) = match e {
            CoreError::InvalidInput(_) => (IpcErrorCode::InvalidInput, None),
            CoreError::NotSignedIn => (IpcErrorCode::NotSignedIn, None),
            CoreError::Storage(_) => (IpcErrorCode::Storage, None),
            CoreError::Keychain(_) => (IpcErrorCode::Keychain, None),
            CoreError::Internal(_) => (IpcErrorCode::Internal, None),
            CoreError::Offline => (IpcErrorCode::Offline, None),
            CoreError::Refused(_) => (IpcErrorCode::Refused, None),
            CoreError::FileTooLarge(_) => (IpcErrorCode::FileTooLarge, None),
            CoreError::Connection(c) => {
                let code = match c.kind {
                    ConnectionErrorKind::AuthFailed => IpcErrorCode::AuthFailed,
                    ConnectionErrorKind::CertificateUntrusted
                    | ConnectionErrorKind::CertificateChanged => IpcErrorCode::CertificateUntrusted,
                    ConnectionErrorKind::TlsFailed => IpcErrorCode::Tls,
                    ConnectionErrorKind::UnknownHost
                    | ConnectionErrorKind::ConnectionRefused
                    | ConnectionErrorKind::Unreachable
                    | ConnectionErrorKind::Protocol => IpcErrorCode::Network,
                    ConnectionErrorKind::Other => IpcErrorCode::Internal,
                };
                (code, c.fingerprint)
            }
        };
        Self {
            code,
            message,
            fingerprint,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hallway_model::ConnectionError;

    #[test]
    fn serialises_as_code_message_fingerprint() {
        let e: IpcError = CoreError::InvalidInput("Enter your password.".into()).into();
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"code": "invalidInput", "message": "Enter your password.", "fingerprint": null})
        );
        let cert: IpcError = CoreError::Connection(ConnectionError {
            kind: ConnectionErrorKind::CertificateUntrusted,
            message: "not trusted".into(),
            fingerprint: Some("AA:BB".into()),
        })
        .into();
        assert_eq!(
            serde_json::to_value(&cert).unwrap()["code"],
            "certificateUntrusted"
        );
        assert_eq!(cert.fingerprint.as_deref(), Some("AA:BB"));
        let auth: IpcError = CoreError::Connection(ConnectionError::new(
            ConnectionErrorKind::AuthFailed,
            "Wrong address or password.",
        ))
        .into();
        assert_eq!(serde_json::to_value(&auth).unwrap()["code"], "authFailed");
        let net: IpcError = CoreError::Connection(ConnectionError::new(
            ConnectionErrorKind::UnknownHost,
            "Can't find",
        ))
        .into();
        assert_eq!(net.code, IpcErrorCode::Network);
    }
}
