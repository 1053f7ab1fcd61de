//! How Hallway reaches a server: SRV lookup (XEP-0368 `_xmpps-client` Direct TLS first, then
//! RFC 6120 `_xmpp-client` STARTTLS, then the domain on 5222) or an explicit `host[:port]`; TCP;
//! TLS always, with Hallway's own rustls config (system roots + the account's pinned
//! certificate, see `trust`). Failures come back as specific `ConnectorError`s so the user is
//! told "unknown host" or "refused", not "connection error".

use std::borrow::Cow;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use tokio::io::BufStream;
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::TlsConnector;
use tokio_xmpp::connect::{ServerConnector, ServerConnectorError};
use tokio_xmpp::jid::Jid;
use tokio_xmpp::parsers::starttls;
use tokio_xmpp::xmlstream::{
    initiate_stream, PendingFeaturesRecv, ReadError, StreamHeader, Timeouts, XmppStream,
    XmppStreamElement,
};

use crate::sm_fix::SmFailedFix;
use crate::trust::Trust;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DNS_TIMEOUT: Duration = Duration::from_secs(8);

/// Why we could not get a TLS stream to the server.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectorError {
    /// The name does not resolve.
    #[error("can't find the server {0}")]
    UnknownHost(String),
    /// TCP connection refused.
    #[error("{0} refused the connection")]
    Refused(String),
    /// Timeout / no route.
    #[error("{0} is not reachable: {1}")]
    Unreachable(String, String),
    /// TLS failed for a reason other than the certificate (or the server offers no STARTTLS).
    #[error("secure connection failed: {0}")]
    Tls(String),
    /// The certificate was refused; details are in `Trust::take_problem`.
    #[error("certificate not trusted: {0}")]
    Certificate(String),
}

impl ServerConnectorError for ConnectorError {}

/// How to reach the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Look up SRV records of the account's domain.
    Srv,
    /// The user's **Server** field: a host (port 5222) or host:port. Port 5223 means Direct TLS.
    Explicit {
        /// Host name or IP literal.
        host: String,
        /// TCP port.
        port: u16,
    },
}

/// Parses the **Server** field (`host`, `host:port`, `[v6]:port`). Empty means SRV.
pub fn parse_server_field(input: &str) -> Result<Target, String> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(Target::Srv);
    }
    let bad = || {
        format!("\"{s}\" is not a server name. Use host or host:port, like xmpp.example.com:5222")
    };
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let (h, after) = rest.split_once(']').ok_or_else(bad)?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse::<u16>().map_err(|_| bad())?,
            None if after.is_empty() => 5222,
            None => return Err(bad()),
        };
        (h.to_string(), port)
    } else {
        match s.rsplit_once(':') {
            Some((h, p)) if !h.contains(':') => {
                (h.to_string(), p.parse::<u16>().map_err(|_| bad())?)
            }
            Some(_) => (s.to_string(), 5222), // bare IPv6 literal
            None => (s.to_string(), 5222),
        }
    };
    if host.is_empty()
        || port == 0
        || host
            .chars()
            .any(|c| c.is_whitespace() || "/@\\<>\"'".contains(c))
    {
        return Err(bad());
    }
    Ok(Target::Explicit { host, port })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    StartTls,
    DirectTls,
}

/// A `ServerConnector` for tokio-xmpp that uses Hallway's resolution and trust.
#[derive(Debug, Clone)]
pub struct HallwayConnector {
    target: Target,
    trust: Arc<Trust>,
}

impl HallwayConnector {
    /// A connector for one account.
    pub fn new(target: Target, trust: Arc<Trust>) -> Self {
        Self { target, trust }
    }

    /// The trust context (to read certificate problems after a failure).
    pub fn trust(&self) -> &Arc<Trust> {
        &self.trust
    }

    async fn endpoints(&self, domain: &str) -> Vec<(String, u16, Mode)> {
        match &self.target {
            Target::Explicit { host, port } => {
                vec![(
                    host.clone(),
                    *port,
                    if *port == 5223 {
                        Mode::DirectTls
                    } else {
                        Mode::StartTls
                    },
                )]
            }
            Target::Srv => {
                let mut out = Vec::new();
                if domain.parse::<std::net::IpAddr>().is_err() && domain != "localhost" {
                    out.extend(srv(domain, "_xmpps-client._tcp", Mode::DirectTls).await);
                    out.extend(srv(domain, "_xmpp-client._tcp", Mode::StartTls).await);
                }
                if out.is_empty() {
                    out.push((domain.to_string(), 5222, Mode::StartTls));
                }
                out
            }
        }
    }
}

/// SRV records for `domain`, ordered by priority then weight (RFC 2782; no weighted shuffle).
async fn srv(domain: &str, service: &str, mode: Mode) -> Vec<(String, u16, Mode)> {
    let Ok(builder) = hickory_resolver::TokioResolver::builder_tokio() else {
        return Vec::new();
    };
    let Ok(resolver) = builder.build() else {
        return Vec::new();
    };
    let name = format!("{service}.{domain}.");
    let Ok(Ok(lookup)) = tokio::time::timeout(DNS_TIMEOUT, resolver.srv_lookup(name)).await else {
        return Vec::new();
    };
    let mut records: Vec<(u16, u16, String, u16)> = lookup
        .answers()
        .iter()
        .filter_map(|r| match &r.data {
            hickory_resolver::proto::rr::RData::SRV(s) => {
                let target = s.target.to_ascii();
                let target = target.trim_end_matches('.').to_string();
                // RFC 2782: a target of "." means the service is decidedly not available.
                (!target.is_empty()).then(|| (s.priority, u16::MAX - s.weight, target, s.port))
            }
            _ => None,
        })
        .collect();
    records.sort();
    records
        .into_iter()
        .map(|(_, _, host, port)| (host, port, mode))
        .collect()
}

async fn tcp(host: &str, port: u16) -> Result<TcpStream, ConnectorError> {
    let label = format!("{host}:{port}");
    let addrs: Vec<std::net::SocketAddr> =
        match tokio::time::timeout(DNS_TIMEOUT, tokio::net::lookup_host((host, port))).await {
            Ok(Ok(a)) => a.collect(),
            Ok(Err(_)) | Err(_) => return Err(ConnectorError::UnknownHost(host.to_string())),
        };
    if addrs.is_empty() {
        return Err(ConnectorError::UnknownHost(host.to_string()));
    }
    let mut last = ConnectorError::Unreachable(label.clone(), "no address".into());
    for addr in addrs {
        match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(addr)).await {
            Ok(Ok(s)) => {
                let _ = s.set_nodelay(true);
                return Ok(s);
            }
            Ok(Err(e)) if e.kind() == io::ErrorKind::ConnectionRefused => {
                last = ConnectorError::Refused(label.clone())
            }
            Ok(Err(e)) => last = ConnectorError::Unreachable(label.clone(), e.to_string()),
            Err(_) => last = ConnectorError::Unreachable(label.clone(), "timed out".into()),
        }
    }
    Err(last)
}

fn header(domain: &str) -> StreamHeader<'_> {
    StreamHeader {
        to: Some(Cow::Borrowed(domain)),
        from: None,
        id: None,
    }
}

type Stream = BufStream<SmFailedFix<TlsStream<TcpStream>>>;

impl HallwayConnector {
    async fn tls(
        &self,
        tcp: TcpStream,
        domain: &str,
    ) -> Result<TlsStream<TcpStream>, tokio_xmpp::Error> {
        // RFC 6120 §13.7.2.1: the certificate must match the XMPP domain, not the SRV target.
        let name = ServerName::try_from(domain.to_string())
            .map_err(|e| tokio_xmpp::Error::from(ConnectorError::Tls(e.to_string())))?;
        let _ = self.trust.take_problem();
        TlsConnector::from(self.trust.client_config())
            .connect(name, tcp)
            .await
            .map_err(|e| {
                if self.trust_problem_pending() {
                    ConnectorError::Certificate(e.to_string()).into()
                } else {
                    ConnectorError::Tls(e.to_string()).into()
                }
            })
    }

    fn trust_problem_pending(&self) -> bool {
        // Peek: put the problem back for the caller (the connection manager) to read.
        match self.trust.take_problem() {
            Some(p) => {
                self.trust.restore_problem(p);
                true
            }
            None => false,
        }
    }

    /// TLS on `tcp`, then the XMPP stream header over it.
    async fn xmpp_over_tls(
        &self,
        tcp: TcpStream,
        domain: &str,
        ns: &'static str,
        timeouts: Timeouts,
    ) -> Result<PendingFeaturesRecv<Stream>, tokio_xmpp::Error> {
        let tls = self.tls(tcp, domain).await?;
        let stream = BufStream::new(SmFailedFix::new(tls));
        Ok(initiate_stream(stream, ns, header(domain), timeouts).await?)
    }

    async fn connect_one(
        &self,
        host: &str,
        port: u16,
        mode: Mode,
        domain: &str,
        ns: &'static str,
        timeouts: Timeouts,
    ) -> Result<PendingFeaturesRecv<Stream>, tokio_xmpp::Error> {
        let tcp = tcp(host, port).await?;
        match mode {
            Mode::DirectTls => self.xmpp_over_tls(tcp, domain, ns, timeouts).await,
            Mode::StartTls => {
                let plain =
                    initiate_stream(BufStream::new(tcp), ns, header(domain), timeouts).await?;
                let (features, mut stream): (_, XmppStream<BufStream<TcpStream>>) =
                    plain.recv_features().await?;
                if !features.can_starttls() {
                    // Never fall back to plain text (RFC 6120 §5.3.1: TLS required here).
                    return Err(ConnectorError::Tls(
                        "the server does not offer encryption (STARTTLS)".into(),
                    )
                    .into());
                }
                stream
                    .send(&XmppStreamElement::Starttls(starttls::Nonza::Request(
                        starttls::Request,
                    )))
                    .await?;
                loop {
                    match stream
                        .next()
                        .await
                        .map(|v| v.and_then(|v| v.into_read_error()))
                    {
                        Some(Ok(XmppStreamElement::Starttls(starttls::Nonza::Proceed(_)))) => break,
                        Some(Ok(_)) | Some(Err(ReadError::SoftTimeout)) => (),
                        Some(Err(ReadError::HardError(e))) => return Err(e.into()),
                        Some(Err(ReadError::ParseError(e))) => {
                            return Err(io::Error::new(io::ErrorKind::InvalidData, e).into())
                        }
                        None | Some(Err(ReadError::StreamFooterReceived)) => {
                            return Err(
                                ConnectorError::Tls("the server refused STARTTLS".into()).into()
                            )
                        }
                    }
                }
                let tcp = stream.into_inner().into_inner();
                self.xmpp_over_tls(tcp, domain, ns, timeouts).await
            }
        }
    }
}

impl ServerConnector for HallwayConnector {
    type Stream = Stream;

    async fn connect(
        &self,
        jid: &Jid,
        ns: &'static str,
        timeouts: Timeouts,
    ) -> Result<
        (
            PendingFeaturesRecv<Self::Stream>,
            sasl::common::ChannelBinding,
        ),
        tokio_xmpp::Error,
    > {
        let domain = jid.domain().as_str().to_string();
        let mut best: Option<tokio_xmpp::Error> = None;
        for (host, port, mode) in self.endpoints(&domain).await {
            match self
                .connect_one(&host, port, mode, &domain, ns, timeouts)
                .await
            {
                // Channel binding stays off: Prosody 0.12 offers no -PLUS mechanisms and tokio-xmpp
                // would then fall back to PLAIN (tokio-xmpp.md pitfall 6). SCRAM without binding.
                Ok(stream) => return Ok((stream, sasl::common::ChannelBinding::None)),
                Err(e) => {
                    let fatal = matches!(&e, tokio_xmpp::Error::Connection(_))
                        && self.trust_problem_pending();
                    best = Some(e);
                    if fatal {
                        break;
                    }
                }
            }
        }
        Err(best.unwrap_or_else(|| ConnectorError::UnknownHost(domain).into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_server_field() {
        assert_eq!(parse_server_field(""), Ok(Target::Srv));
        assert_eq!(
            parse_server_field(" xmpp.example.com "),
            Ok(Target::Explicit {
                host: "xmpp.example.com".into(),
                port: 5222
            })
        );
        assert_eq!(
            parse_server_field("127.0.0.1:15222"),
            Ok(Target::Explicit {
                host: "127.0.0.1".into(),
                port: 15222
            })
        );
        assert_eq!(
            parse_server_field("[::1]:5223"),
            Ok(Target::Explicit {
                host: "::1".into(),
                port: 5223
            })
        );
        assert_eq!(
            parse_server_field("::1"),
            Ok(Target::Explicit {
                host: "::1".into(),
                port: 5222
            })
        );
        assert!(parse_server_field("host:notaport").is_err());
        assert!(parse_server_field("host:0").is_err());
        assert!(parse_server_field("host:70000").is_err());
        assert!(parse_server_field("a b").is_err());
        assert!(parse_server_field("[::1").is_err());
    }

    #[tokio::test]
    async fn reports_refused_and_unknown_hosts() {
        // A port nobody listens on (bound then closed).
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        drop(l);
        assert!(matches!(
            tcp("127.0.0.1", port).await,
            Err(ConnectorError::Refused(_))
        ));
        assert!(matches!(
            tcp("no-such-host.invalid", 5222).await,
            Err(ConnectorError::UnknownHost(_))
        ));
    }
}
