//! The connection manager's policy: sign in once (reporting a specific error), and the
//! reconnector that tokio-xmpp's `StanzaStream` calls whenever it needs a new link. We own this
//! loop (not tokio-xmpp's `Client`, which retries a wrong password forever): exponential backoff
//! with jitter for network trouble, a hard stop with a visible error for a wrong password or an
//! untrusted / changed certificate.

use std::borrow::Cow;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hallway_model::{ConnectionError, ConnectionErrorKind, ConnectionState};
use rand::Rng;
use tokio::sync::{oneshot, watch};
use tokio_xmpp::connect::ServerConnector;
use tokio_xmpp::error::{AuthError, ProtocolError};
use tokio_xmpp::jid::Jid;
use tokio_xmpp::parsers::ns;
use tokio_xmpp::parsers::sasl::DefinedCondition;
use tokio_xmpp::stanzastream::Connection;
use tokio_xmpp::xmlstream::{StreamHeader, Timeouts, XmppStream};

use crate::connector::{ConnectorError, HallwayConnector};
use crate::emitter::Emitter;
use crate::trust::CertProblem;

/// Dead-link detection (the ping watchdog): after `read_timeout` of silence the stream sends an
/// XEP-0198 `<r/>` (or a XEP-0199 ping without SM); no answer within `response_timeout` → the
/// link is declared dead and we reconnect. Tighter than tokio-xmpp's 300 s defaults: office users
/// must see "Reconnecting…" within a minute, not ten.
pub fn timeouts() -> Timeouts {
    Timeouts {
        read_timeout: Duration::from_secs(30),
        response_timeout: Duration::from_secs(15),
    }
}

/// Delay before reconnect attempt `attempt` (1-based): exponential from 1 s, capped at 60 s,
/// with "equal jitter" (half fixed, half random) so a server restart is not hit by every client
/// at the same instant.
pub fn backoff(attempt: u32) -> Duration {
    let base_ms = 1000u64
        .saturating_mul(1u64 << attempt.saturating_sub(1).min(6))
        .min(60_000);
    let jitter = rand::rng().random_range(0..=base_ms / 2);
    Duration::from_millis(base_ms / 2 + jitter)
}

/// Authenticates over a fresh link and returns it ready for the `StanzaStream` (which binds the
/// resource and negotiates XEP-0198). SASL: SCRAM-SHA-256, then SCRAM-SHA-1, PLAIN last — and
/// only ever inside TLS, which the connector always sets up.
pub async fn login(
    connector: &HallwayConnector,
    jid: &Jid,
    password: &str,
) -> Result<Connection, ConnectionError> {
    let inner = async {
        let (pending, binding) = connector
            .connect(jid, ns::JABBER_CLIENT, timeouts())
            .await?;
        let (features, stream): (_, XmppStream<_>) = pending.recv_features().await?;
        let node = jid
            .node()
            .map(|n| n.as_str().to_string())
            .unwrap_or_default();
        let creds = sasl::common::Credentials::default()
            .with_username(node)
            .with_password(password.to_string())
            .with_channel_binding(binding);
        let stream = tokio_xmpp::client_login(stream, features.sasl_mechanisms, creds).await?;
        let stream = stream
            .send_header(StreamHeader {
                to: Some(Cow::Borrowed(jid.domain().as_str())),
                from: None,
                id: None,
            })
            .await?;
        let (features, stream) = stream.recv_features().await?;
        Ok::<_, tokio_xmpp::Error>(Connection {
            stream: stream.box_stream(),
            features,
            identity: jid.clone(),
        })
    };
    inner
        .await
        .map_err(|e| classify(e, connector.trust().take_problem()))
}

/// Turns a tokio-xmpp error into something the user can act on.
pub fn classify(e: tokio_xmpp::Error, cert: Option<CertProblem>) -> ConnectionError {
    use ConnectionErrorKind as K;
    if let Some(problem) = cert {
        return match problem {
            CertProblem::Untrusted { fingerprint, reason } => ConnectionError {
                kind: K::CertificateUntrusted,
                message: format!(
                    "The server's certificate is not trusted ({reason}). Compare its fingerprint with the one \
                     your administrator gave you before trusting it."
                ),
                fingerprint: Some(fingerprint),
            },
            CertProblem::Changed { presented, .. } => ConnectionError {
                kind: K::CertificateChanged,
                message: "The server's certificate has changed since you trusted it. Someone may be intercepting \
                          the connection, so Hallway will not connect. Ask your administrator."
                    .into(),
                fingerprint: Some(presented),
            },
        };
    }
    match e {
        tokio_xmpp::Error::Auth(AuthError::Fail(DefinedCondition::NotAuthorized)) => {
            ConnectionError::new(K::AuthFailed, "Wrong address or password.")
        }
        tokio_xmpp::Error::Auth(AuthError::Fail(DefinedCondition::AccountDisabled)) => {
            ConnectionError::new(
                K::AuthFailed,
                "This account is disabled. Ask your administrator.",
            )
        }
        tokio_xmpp::Error::Auth(AuthError::Fail(c)) => ConnectionError::new(
            K::AuthFailed,
            format!("The server refused the sign-in ({c:?})."),
        ),
        tokio_xmpp::Error::Auth(e) => {
            ConnectionError::new(K::Protocol, format!("Sign-in failed: {e}"))
        }
        tokio_xmpp::Error::Connection(inner) => {
            let inner: &(dyn std::error::Error + 'static) = inner.as_ref();
            match inner.downcast_ref::<ConnectorError>() {
                Some(ConnectorError::UnknownHost(h)) => ConnectionError::new(
                    K::UnknownHost,
                    format!("Can't find the server \"{h}\". Check the address, or enter the server name in the Server field."),
                ),
                Some(ConnectorError::Refused(h)) => {
                    ConnectionError::new(K::ConnectionRefused, format!("{h} refused the connection. Is the server running on that port?"))
                }
                Some(ConnectorError::Unreachable(h, why)) => {
                    ConnectionError::new(K::Unreachable, format!("The server {h} is not reachable ({why})."))
                }
                Some(ConnectorError::Tls(why)) | Some(ConnectorError::Certificate(why)) => {
                    ConnectionError::new(K::TlsFailed, format!("Could not set up a secure connection: {why}"))
                }
                None => ConnectionError::new(K::Other, format!("Connection failed: {inner}")),
            }
        }
        tokio_xmpp::Error::Protocol(ProtocolError::NoTls) => ConnectionError::new(
            K::TlsFailed,
            "The server does not offer encryption; Hallway will not sign in without it.",
        ),
        tokio_xmpp::Error::Io(e) => match e.kind() {
            std::io::ErrorKind::ConnectionRefused => {
                ConnectionError::new(K::ConnectionRefused, "The server refused the connection.")
            }
            _ => ConnectionError::new(
                K::Unreachable,
                format!("The connection to the server was lost ({e})."),
            ),
        },
        tokio_xmpp::Error::Disconnected => {
            ConnectionError::new(K::Unreachable, "The server closed the connection.")
        }
        tokio_xmpp::Error::StreamError(e) => {
            ConnectionError::new(K::Protocol, format!("The server ended the session: {e}"))
        }
        other => ConnectionError::new(K::Other, format!("Connection failed: {other}")),
    }
}

/// What the reconnect loop needs.
pub(crate) struct ReconnectContext {
    pub connector: HallwayConnector,
    pub jid: Jid,
    pub password: hallway_model::Password,
    pub emitter: Emitter,
    /// A link established by the sign-in form, handed over on the first call.
    pub first: Mutex<Option<Connection>>,
    /// Flips to true when the session is being torn down.
    pub shutdown: watch::Receiver<bool>,
    /// Told about an error that stops the session (wrong password, certificate).
    pub fatal: tokio::sync::mpsc::UnboundedSender<ConnectionError>,
    /// Reconnect attempts since the session was last online (reset by the session on Reset /
    /// Resumed). Counted across reconnector calls, so a link that connects but fails during
    /// negotiation still backs off instead of hammering the server.
    pub failures: Arc<std::sync::atomic::AtomicU32>,
}

/// The closure given to `StanzaStream::new`.
pub(crate) fn reconnector(
    ctx: Arc<ReconnectContext>,
) -> Box<dyn FnMut(Option<String>, oneshot::Sender<Connection>) + Send + 'static> {
    let mut calls: u32 = 0;
    Box::new(move |_location, slot| {
        calls += 1;
        let first = ctx.first.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(conn) = first {
            // The stream was dropped before it started: nothing to do then.
            let _ = slot.send(conn);
            return;
        }
        let initial = calls == 1;
        tokio::spawn(run(ctx.clone(), slot, initial));
    })
}

async fn run(ctx: Arc<ReconnectContext>, slot: oneshot::Sender<Connection>, initial: bool) {
    let mut shutdown = ctx.shutdown.clone();
    loop {
        if *shutdown.borrow() {
            park(slot);
            return;
        }
        let attempt = ctx
            .failures
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            + 1;
        let delay = if initial && attempt == 1 {
            Duration::ZERO
        } else {
            backoff(attempt)
        };
        if initial && attempt == 1 {
            ctx.emitter.connection(ConnectionState::Connecting);
        } else {
            ctx.emitter.connection(ConnectionState::Reconnecting {
                attempt,
                retry_in_secs: delay.as_secs_f64().ceil() as u32,
            });
        }
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = shutdown.changed() => { park(slot); return; }
        }
        let result = tokio::select! {
            r = login(&ctx.connector, &ctx.jid, ctx.password.expose()) => r,
            _ = shutdown.changed() => { park(slot); return; }
        };
        match result {
            Ok(conn) => {
                let _ = slot.send(conn);
                return;
            }
            Err(e) if e.kind.is_fatal() => {
                tracing::warn!("stopping reconnects: {e}");
                ctx.emitter
                    .connection(ConnectionState::Error { error: e.clone() });
                let _ = ctx.fatal.send(e);
                park(slot);
                return;
            }
            Err(e) => tracing::info!("reconnect attempt {attempt} failed: {e}"),
        }
    }
}

/// tokio-xmpp's worker panics when a connection slot is dropped while it waits
/// (tokio-xmpp.md pitfall 5). When we stop reconnecting for good, the session actor has already
/// dropped (or is dropping) the stream; keep the slot alive instead of dropping it. The worker
/// then idles on it until the process ends: one parked task per stopped session.
fn park(slot: oneshot::Sender<Connection>) {
    std::mem::forget(slot);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_jitter_and_caps() {
        for attempt in 1..20 {
            let d = backoff(attempt).as_millis() as u64;
            let base = (1000u64 << (attempt - 1).min(6)).min(60_000);
            assert!(
                d >= base / 2 && d <= base,
                "attempt {attempt}: {d} not in [{}, {base}]",
                base / 2
            );
        }
        assert!(backoff(30) <= Duration::from_secs(60));
    }

    #[test]
    fn classifies_errors_specifically() {
        let auth = classify(
            tokio_xmpp::Error::Auth(AuthError::Fail(DefinedCondition::NotAuthorized)),
            None,
        );
        assert_eq!(auth.kind, ConnectionErrorKind::AuthFailed);
        assert!(auth.kind.is_fatal());
        let refused = classify(ConnectorError::Refused("h:1".into()).into(), None);
        assert_eq!(refused.kind, ConnectionErrorKind::ConnectionRefused);
        assert!(!refused.kind.is_fatal());
        let unknown = classify(
            ConnectorError::UnknownHost("nope.invalid".into()).into(),
            None,
        );
        assert_eq!(unknown.kind, ConnectionErrorKind::UnknownHost);
        assert!(unknown.message.contains("nope.invalid"));
        let cert = classify(
            ConnectorError::Certificate("x".into()).into(),
            Some(CertProblem::Untrusted {
                fingerprint: "AA:BB".into(),
                reason: "self-signed".into(),
            }),
        );
        assert_eq!(cert.kind, ConnectionErrorKind::CertificateUntrusted);
        assert_eq!(cert.fingerprint.as_deref(), Some("AA:BB"));
        let changed = classify(
            ConnectorError::Certificate("x".into()).into(),
            Some(CertProblem::Changed {
                pinned: "AA".into(),
                presented: "BB".into(),
            }),
        );
        assert_eq!(changed.kind, ConnectionErrorKind::CertificateChanged);
        assert!(changed.kind.is_fatal());
    }
}
