//! The bytes of a XEP-0065 SOCKS5 bytestream as XEP-0260 uses it between two devices: our
//! listening port and the candidates that name it, the server side of the handshake (which
//! only lets in a connection that asks for the session's secret destination address), and the
//! client side we run against the contact's candidates. No XML here (protocol's
//! `xep0260_s5b`), no Jingle session logic (`s5b.rs`).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use hallway_protocol::xep0260_s5b::{self as s5b, Candidate, Kind};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// How long one handshake may take (a peer that connects and says nothing is dropped).
const HANDSHAKE: Duration = Duration::from_secs(5);
/// How long we try one candidate of the contact's (XEP-0260 §4: do not wait for the TCP timeout).
pub(crate) const CONNECT: Duration = Duration::from_secs(3);
/// Most completed handshakes we take on our ports during one negotiation.
const MAX_ACCEPTS: usize = 16;
/// Most handshakes running at once on our ports.
const MAX_HANDSHAKES: usize = 8;

const VERSION: u8 = 5;
const NO_AUTH: u8 = 0;
const CONNECT_CMD: u8 = 1;
const DOMAIN: u8 = 3;

/// The addresses this machine can be reached at: the one with the default route (what the
/// contact's device on the office network sees) and loopback (the same machine), highest
/// preference first. Finding the first sends nothing: connecting a UDP socket only picks the
/// route.
pub(crate) fn own_addresses() -> Vec<IpAddr> {
    let mut out = Vec::new();
    if let Ok(sock) = std::net::UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)) {
        // TEST-NET-1 (RFC 5737): never a real peer, any default route reaches "it".
        if sock.connect(("192.0.2.1", 9)).is_ok() {
            if let Ok(a) = sock.local_addr() {
                if !a.ip().is_unspecified() && !a.ip().is_loopback() {
                    out.push(a.ip());
                }
            }
        }
    }
    out.push(IpAddr::V4(Ipv4Addr::LOCALHOST));
    out
}

/// Our listening ports for one session: one per address we offer, bound to that address
/// only (never to every interface).
pub(crate) struct Listener {
    listeners: Vec<(IpAddr, TcpListener)>,
}

impl Listener {
    /// Opens a port on each of `addresses` (those that cannot be bound are left out); fails
    /// only when none can.
    pub(crate) async fn bind(addresses: &[IpAddr]) -> std::io::Result<Listener> {
        let mut listeners = Vec::new();
        let mut last_error = None;
        for ip in addresses {
            match TcpListener::bind(SocketAddr::new(*ip, 0)).await {
                Ok(l) => listeners.push((*ip, l)),
                Err(e) => last_error = Some(e),
            }
        }
        if listeners.is_empty() {
            return Err(last_error.unwrap_or_else(|| std::io::Error::other("no address")));
        }
        Ok(Listener { listeners })
    }

    /// Our candidates (first preferred), as the device `jid`.
    pub(crate) fn candidates(&self, jid: &str) -> Vec<Candidate> {
        let n = self.listeners.len();
        self.listeners
            .iter()
            .enumerate()
            .filter_map(|(i, (ip, l))| {
                Some(Candidate {
                    cid: hallway_protocol::new_id(),
                    host: ip.to_string(),
                    port: l.local_addr().ok()?.port(),
                    jid: jid.to_string(),
                    priority: s5b::direct_priority(u16::try_from(n - i).unwrap_or(u16::MAX)),
                    kind: Kind::Direct,
                })
            })
            .collect()
    }

    /// Takes connections until dropped; each one that completes the handshake for `dstaddr`
    /// arrives on the channel with the address it came in on. At most `MAX_ACCEPTS` completed
    /// handshakes are handed over, and at most `MAX_HANDSHAKES` run at once: a knocking
    /// stranger costs neither a slot nor unbounded tasks.
    pub(crate) fn serve(
        self,
        dstaddr: String,
    ) -> (
        mpsc::Receiver<(IpAddr, TcpStream)>,
        tokio::task::JoinHandle<()>,
    ) {
        let (tx, rx) = mpsc::channel(4);
        let task = tokio::spawn(async move {
            let running = std::sync::Arc::new(tokio::sync::Semaphore::new(MAX_HANDSHAKES));
            let done = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
            let mut accepts =
                futures::stream::select_all(self.listeners.into_iter().map(|(ip, l)| {
                    Box::pin(futures::stream::unfold(l, move |l| async move {
                        let next = l.accept().await.map(|(s, _)| (ip, s));
                        Some((next, l))
                    }))
                }));
            use futures::StreamExt;
            while let Some(next) = accepts.next().await {
                if done.load(std::sync::atomic::Ordering::SeqCst) >= MAX_ACCEPTS {
                    return;
                }
                let Ok((ip, stream)) = next else { continue };
                let Ok(permit) = running.clone().try_acquire_owned() else {
                    continue; // too many handshakes at once: this one is dropped
                };
                let (tx, dstaddr, done) = (tx.clone(), dstaddr.clone(), done.clone());
                tokio::spawn(async move {
                    let mut stream = stream;
                    let ok =
                        tokio::time::timeout(HANDSHAKE, serve_handshake(&mut stream, &dstaddr))
                            .await
                            .is_ok_and(|r| r.is_ok());
                    drop(permit);
                    if ok && done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < MAX_ACCEPTS {
                        let _ = tx.send((ip, stream)).await;
                    }
                });
            }
        });
        (rx, task)
    }
}

/// Whether we may connect to `ip` for a contact: never into this machine (loopback) or onto
/// link-local / unspecified addresses, unless the tests on one machine allow it.
pub(crate) fn candidate_allowed(ip: IpAddr, allow_local: bool) -> bool {
    if allow_local {
        return true;
    }
    let ip = match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    };
    match ip {
        IpAddr::V4(v4) => !(v4.is_loopback() || v4.is_link_local() || v4.is_unspecified()),
        IpAddr::V6(v6) => {
            !(v6.is_loopback() || v6.is_unspecified() || (v6.segments()[0] & 0xffc0) == 0xfe80)
        }
    }
}

fn refused(what: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string())
}

/// The SOCKS5 server side (RFC 1928 as XEP-0065 §6.3 narrows it): no authentication, CONNECT
/// to a domain name that must be our `dstaddr`, port 0.
async fn serve_handshake(s: &mut TcpStream, dstaddr: &str) -> std::io::Result<()> {
    let mut head = [0u8; 2];
    s.read_exact(&mut head).await?;
    let mut methods = vec![0u8; head[1] as usize];
    s.read_exact(&mut methods).await?;
    if head[0] != VERSION || !methods.contains(&NO_AUTH) {
        let _ = s.write_all(&[VERSION, 0xff]).await;
        return Err(refused("not a SOCKS5 client we can serve"));
    }
    s.write_all(&[VERSION, NO_AUTH]).await?;
    let mut req = [0u8; 5];
    s.read_exact(&mut req).await?;
    if req[0] != VERSION || req[1] != CONNECT_CMD || req[3] != DOMAIN {
        return Err(refused("not a SOCKS5 CONNECT to a name"));
    }
    let mut rest = vec![0u8; req[4] as usize + 2];
    s.read_exact(&mut rest).await?;
    let (addr, port) = rest.split_at(req[4] as usize);
    if addr != dstaddr.as_bytes() || port != [0, 0] {
        // Not this session's secret: someone else knocking.
        let _ = s.write_all(&[VERSION, 0x02, 0, 1, 0, 0, 0, 0, 0, 0]).await;
        return Err(refused("wrong destination address"));
    }
    let mut reply = vec![VERSION, 0, 0, DOMAIN, req[4]];
    reply.extend_from_slice(addr);
    reply.extend_from_slice(&[0, 0]);
    s.write_all(&reply).await
}

/// Connects to one of the contact's candidates and runs the client side of the handshake.
/// A candidate naming (or resolving to) this machine or a link-local address is refused
/// unless `allow_local` (tests on one machine).
pub(crate) async fn connect(
    c: &Candidate,
    dstaddr: &str,
    allow_local: bool,
) -> std::io::Result<TcpStream> {
    let attempt = async {
        let addrs: Vec<SocketAddr> = match c.host.parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, c.port)],
            Err(_) => tokio::net::lookup_host((c.host.as_str(), c.port))
                .await?
                .collect(),
        };
        let addrs: Vec<SocketAddr> = addrs
            .into_iter()
            .filter(|a| candidate_allowed(a.ip(), allow_local))
            .collect();
        if addrs.is_empty() {
            return Err(refused("the candidate points into this machine"));
        }
        let mut s = TcpStream::connect(&addrs[..]).await?;
        s.set_nodelay(true)?;
        s.write_all(&[VERSION, 1, NO_AUTH]).await?;
        let mut choice = [0u8; 2];
        s.read_exact(&mut choice).await?;
        if choice != [VERSION, NO_AUTH] {
            return Err(refused("the SOCKS5 server wants authentication"));
        }
        let len = u8::try_from(dstaddr.len()).map_err(|_| refused("address too long"))?;
        let mut req = vec![VERSION, CONNECT_CMD, 0, DOMAIN, len];
        req.extend_from_slice(dstaddr.as_bytes());
        req.extend_from_slice(&[0, 0]);
        s.write_all(&req).await?;
        let mut head = [0u8; 5];
        s.read_exact(&mut head).await?;
        if head[0] != VERSION || head[1] != 0 {
            return Err(refused("the SOCKS5 server refused the connection"));
        }
        // The bound address: a name (echoing ours), IPv4 or IPv6, then the port.
        let rest = match head[3] {
            DOMAIN => head[4] as usize + 2,
            1 => 4 - 1 + 2,
            4 => 16 - 1 + 2,
            _ => return Err(refused("a SOCKS5 reply we do not understand")),
        };
        let mut skip = vec![0u8; rest];
        s.read_exact(&mut skip).await?;
        Ok(s)
    };
    tokio::time::timeout(CONNECT, attempt)
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "no answer"))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn handshake_lets_in_only_the_session_address() {
        let l = Listener::bind(&[IpAddr::V4(Ipv4Addr::LOCALHOST)])
            .await
            .unwrap();
        let cands = l.candidates("a@x/y");
        let (mut rx, task) = l.serve("secret".into());
        assert!(connect(&cands[0], "guess", true).await.is_err());
        // A contact's candidate on loopback is never tried outside tests.
        assert!(connect(&cands[0], "secret", false).await.is_err());
        let mut s = connect(&cands[0], "secret", true).await.unwrap();
        let (_, mut theirs) = rx.recv().await.unwrap();
        s.write_all(b"hello").await.unwrap();
        let mut got = [0u8; 5];
        theirs.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"hello");
        task.abort();
    }

    #[tokio::test]
    async fn listens_only_on_the_offered_addresses() {
        let l = Listener::bind(&[IpAddr::V4(Ipv4Addr::LOCALHOST)])
            .await
            .unwrap();
        for (ip, listener) in &l.listeners {
            assert_eq!(listener.local_addr().unwrap().ip(), *ip);
        }
        assert_eq!(l.candidates("a@x/y").len(), 1);
    }

    #[tokio::test]
    async fn only_completed_handshakes_count_against_the_cap() {
        let l = Listener::bind(&[IpAddr::V4(Ipv4Addr::LOCALHOST)])
            .await
            .unwrap();
        let cands = l.candidates("a@x/y");
        let (mut rx, task) = l.serve("secret".into());
        // More wrong guesses than the cap: none of them uses up a slot.
        for _ in 0..MAX_ACCEPTS + 4 {
            assert!(connect(&cands[0], "guess", true).await.is_err());
        }
        let _s = connect(&cands[0], "secret", true).await.unwrap();
        assert!(rx.recv().await.is_some());
        task.abort();
    }

    #[test]
    fn contacts_candidates_never_point_into_this_machine() {
        let no = |s: &str| !candidate_allowed(s.parse().unwrap(), false);
        assert!(no("127.0.0.1") && no("169.254.1.2") && no("0.0.0.0"));
        assert!(no("::1") && no("fe80::1") && no("::ffff:127.0.0.1"));
        assert!(candidate_allowed("192.168.1.20".parse().unwrap(), false));
        assert!(candidate_allowed("127.0.0.1".parse().unwrap(), true));
    }

    #[test]
    fn own_addresses_end_with_loopback() {
        let a = own_addresses();
        assert_eq!(a.last(), Some(&IpAddr::V4(Ipv4Addr::LOCALHOST)));
        assert!(a.iter().all(|ip| !ip.is_unspecified()));
    }
}
