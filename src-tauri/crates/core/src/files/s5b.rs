//! XEP-0260 negotiation of a direct transfer's TCP connection, the same on both sides: open our
//! port and name it in candidates, try the contact's candidates, say which worked in a
//! `transport-info`, hear the contact's, and pick the nominated connection by XEP-0260 §2.4's
//! rules (higher priority wins; on a tie, the initiator's pick). No connection either way is
//! `None`: the initiator then replaces the transport with in-band bytestreams (§3). Besides our
//! own addresses we offer the server's relay (XEP-0065 proxy) when it has one: slower than a
//! direct connection (lowest priority), much faster than in-band, and it works when the two
//! devices cannot reach each other. Also the bytes over the chosen connection, sent or received
//! with progress.

use super::Files;
use std::net::IpAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use hallway_protocol::xep0065_bytestreams::{self as relay, Streamhost};
use hallway_protocol::xep0234_jingle_ft as jft;
use hallway_protocol::xep0260_s5b::{self as s5b, Candidate, Info, Kind};
use hallway_protocol::Jid;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

use super::direct::SessionKey;
use super::http::Meter;
use super::socks5::{self, Listener};

/// All the contact's candidates together get this long before we say none worked.
const TRYING: Duration = Duration::from_secs(8);
/// How long we wait for the contact's `candidate-used` / `candidate-error`, or an activation.
const HEARING: Duration = Duration::from_secs(30);
/// How long the receiver has to confirm (close the connection or end the session with
/// success) once every byte is written.
const CONFIRM: Duration = Duration::from_secs(30);
/// How long the session end may lag behind the receiver closing the connection.
const AFTER_CLOSE: Duration = Duration::from_secs(10);
/// Bytes per read or write.
const CHUNK: usize = 64 * 1024;
/// Longest wait for one block to be read or written on the connection: a peer that stops
/// moving bytes does not hold a transfer (and its partial file) open for ever.
const BLOCK_WAIT: Duration = Duration::from_secs(60);

/// What the contact says about a session's transport (routed by Jingle sid).
#[derive(Debug)]
pub(crate) enum Signal {
    /// A XEP-0260 `transport-info`.
    Info(Info),
    /// Our `transport-replace` was accepted.
    ReplaceAccepted,
    /// Our `transport-replace` was rejected.
    ReplaceRejected,
    /// The contact ended the session (`session-terminate`, with its reason).
    Ended(String),
}

/// Our side of an S5B transport: the candidates we offer and the port behind them.
pub(crate) struct Ours {
    pub(crate) transport: s5b::Transport,
    listener: Option<Listener>,
}

/// Aborts a task when the negotiation ends, whichever way.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Files {
    /// The server's relay (XEP-0065), looked up once per account.
    async fn relay(&self) -> Option<Streamhost> {
        if !self.direct.relay_allowed() {
            return None;
        }
        let account = self.acc.require().ok()?;
        let mut cached = self.direct.relay.lock().await;
        if let Some((a, r)) = cached.as_ref() {
            if *a == account {
                return r.clone();
            }
        }
        let what = "Looking for the server's relay";
        let proxy = self
            .acc
            .find_service(what, |jid, info| relay::is_proxy(info).then(|| jid.clone()))
            .await
            .ok()?;
        let found = match proxy {
            Some(p) => self
                .acc
                .session
                .ask(
                    what,
                    relay::streamhost_request(&hallway_protocol::new_id(), &p),
                )
                .await
                .ok()
                .and_then(|r| relay::parse_streamhost(r.as_ref()).ok()),
            None => None,
        };
        *cached = Some((account, found.clone()));
        found
    }

    /// Opens our port for the transport `sid` between `me` and `peer` and names it in
    /// candidates, with the server's relay last (none at all when the port cannot be opened,
    /// direct connections are off and there is no relay: in-band takes over). A relay the
    /// contact already offered (`theirs`) is not offered again (XEP-0260 §2.2).
    pub(crate) async fn our_s5b_side(
        &self,
        sid: &str,
        me: &Jid,
        peer: &Jid,
        theirs: &[Candidate],
    ) -> Ours {
        let addresses = self.direct.addresses();
        let listener = if addresses.is_empty() {
            None
        } else {
            Listener::bind(&addresses).await.ok()
        };
        let mut candidates = listener
            .as_ref()
            .map(|l| l.candidates(&me.to_string()))
            .unwrap_or_default();
        if let Some(r) = self.relay().await {
            if !theirs.iter().any(|c| c.host == r.host && c.port == r.port) {
                candidates.push(Candidate {
                    cid: hallway_protocol::new_id(),
                    host: r.host,
                    port: r.port,
                    jid: r.jid.to_string(),
                    priority: s5b::proxy_priority(0),
                    kind: Kind::Proxy,
                });
            }
        }
        Ours {
            transport: s5b::Transport {
                sid: sid.to_string(),
                dstaddr: Some(s5b::dstaddr(sid, &me.to_string(), &peer.to_string())),
                candidates,
            },
            listener,
        }
    }

    /// Runs XEP-0260 for the session `jingle_sid` with `peer`: the connection to send or
    /// receive the file on, or `None` when no direct connection works either way.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn negotiate_s5b(
        &self,
        peer: &Jid,
        me: &Jid,
        jingle_sid: &str,
        content: &str,
        initiator: bool,
        ours: Ours,
        theirs: &s5b::Transport,
        signals: &mut mpsc::Receiver<Signal>,
    ) -> Result<Option<TcpStream>, String> {
        let Ours {
            transport: our_transport,
            listener,
        } = ours;
        let mut incoming = None;
        let _serving = listener.map(|l| {
            let (rx, task) = l.serve(our_transport.dstaddr.clone().unwrap_or_default());
            incoming = Some(rx);
            AbortOnDrop(task)
        });
        let their_dstaddr = theirs
            .dstaddr
            .clone()
            .unwrap_or_else(|| s5b::dstaddr(&theirs.sid, &peer.to_string(), &me.to_string()));

        // Their candidates, best first, within one overall time budget.
        let mut cands: Vec<&Candidate> = theirs.candidates.iter().collect();
        cands.sort_by_key(|c| std::cmp::Reverse(c.priority));
        let start = Instant::now();
        let mut used: Option<(Candidate, TcpStream)> = None;
        let allow_local = self.direct.allow_local_candidates;
        for c in cands {
            if start.elapsed() > TRYING {
                break;
            }
            match socks5::connect(c, &their_dstaddr, allow_local).await {
                Ok(s) => {
                    used = Some((c.clone(), s));
                    break;
                }
                Err(e) => tracing::debug!("direct candidate {}:{} failed: {e}", c.host, c.port),
            }
        }
        let said = match &used {
            Some((c, _)) => Info::CandidateUsed(c.cid.clone()),
            None => Info::CandidateError,
        };
        self.tell_transport(peer, jingle_sid, content, &theirs.sid, &said)
            .await?;

        let heard = loop {
            match tokio::time::timeout(HEARING, signals.recv()).await {
                Ok(Some(Signal::Info(i @ (Info::CandidateUsed(_) | Info::CandidateError)))) => {
                    break i
                }
                Ok(Some(_)) => continue,
                Ok(None) => return Err("The transfer ended.".into()),
                Err(_) => return Err("No answer from the contact's device.".into()),
            }
        };
        let nominated_by_them = match heard {
            Info::CandidateUsed(cid) => our_transport
                .candidates
                .iter()
                .find(|c| c.cid == cid)
                .cloned(),
            _ => None,
        };
        // XEP-0260 §2.4: which of the (up to) two working connections carries the file.
        let ours_wins = match (&used, &nominated_by_them) {
            (None, None) => return Ok(None),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some((mine, _)), Some(theirs)) => {
                mine.priority > theirs.priority || (mine.priority == theirs.priority && initiator)
            }
        };
        if ours_wins {
            let Some((c, stream)) = used else {
                return Ok(None);
            };
            if c.kind == Kind::Proxy {
                // A relay the contact offered: it activates it and says so (XEP-0260 §2.4).
                let activated = loop {
                    match tokio::time::timeout(HEARING, signals.recv()).await {
                        Ok(Some(Signal::Info(Info::Activated(cid)))) if cid == c.cid => break true,
                        Ok(Some(Signal::Info(Info::ProxyError))) => break false,
                        Ok(Some(_)) => continue,
                        Ok(None) | Err(_) => break false,
                    }
                };
                return Ok(activated.then_some(stream));
            }
            return Ok(Some(stream));
        }
        if let Some(c) = nominated_by_them.as_ref().filter(|c| c.kind == Kind::Proxy) {
            return self
                .activate_relay(peer, jingle_sid, content, &our_transport, c)
                .await;
        }
        // The contact connected to our port: take the connection that came in on the
        // address it named (it may have reached more than one).
        let want: Option<IpAddr> = nominated_by_them.and_then(|c| c.host.parse().ok());
        let Some(mut rx) = incoming else {
            return Ok(None);
        };
        let deadline = Instant::now() + socks5::CONNECT;
        let mut first = None;
        while let Ok(Some((ip, s))) = tokio::time::timeout_at(deadline.into(), rx.recv()).await {
            if want.is_none_or(|w| w == ip) {
                return Ok(Some(s));
            }
            first.get_or_insert(s);
        }
        Ok(first)
    }

    /// Our relay candidate was nominated (the contact is connected to it): connect too,
    /// activate the bytestream at the relay and say so (XEP-0260 §2.4); a failure is a
    /// `proxy-error` and in-band takes over.
    async fn activate_relay(
        &self,
        peer: &Jid,
        jingle_sid: &str,
        content: &str,
        ours: &s5b::Transport,
        c: &Candidate,
    ) -> Result<Option<TcpStream>, String> {
        let dstaddr = ours.dstaddr.clone().unwrap_or_default();
        let attempt = async {
            // Our own relay, as our server named it: wherever it is, it is not the contact's
            // choice of address.
            let stream = socks5::connect(c, &dstaddr, true)
                .await
                .map_err(|e| e.to_string())?;
            let proxy = Jid::new(&c.jid).map_err(|e| e.to_string())?;
            self.acc
                .session
                .ask(
                    "Opening the relay",
                    relay::activate(&hallway_protocol::new_id(), &proxy, &ours.sid, peer),
                )
                .await
                .map_err(|e| e.to_string())?;
            Ok::<_, String>(stream)
        };
        let (info, stream) = match attempt.await {
            Ok(s) => (Info::Activated(c.cid.clone()), Some(s)),
            Err(e) => {
                tracing::debug!("relay {}:{} failed: {e}", c.host, c.port);
                (Info::ProxyError, None)
            }
        };
        self.tell_transport(peer, jingle_sid, content, &ours.sid, &info)
            .await?;
        Ok(stream)
    }

    /// A XEP-0260 `transport-info` to the contact's device.
    async fn tell_transport(
        &self,
        peer: &Jid,
        jingle_sid: &str,
        content: &str,
        transport_sid: &str,
        info: &Info,
    ) -> Result<(), String> {
        self.acc
            .session
            .ask(
                "Connecting directly",
                jft::transport_action(
                    &hallway_protocol::new_id(),
                    peer,
                    "transport-info",
                    jingle_sid,
                    content,
                    s5b::info(transport_sid, info),
                ),
            )
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// Sends the file at `path` (`size` bytes) over the chosen connection, then waits for the
    /// receiver to confirm it has every byte. Written is not received (kernel and relay buffers
    /// hold megabytes), so without a confirmation the transfer has failed.
    pub(crate) async fn send_over(
        &self,
        id: i64,
        mut stream: TcpStream,
        path: &Path,
        size: u64,
        signals: &mut mpsc::Receiver<Signal>,
    ) -> Result<(), String> {
        let mut f = tokio::fs::File::open(path)
            .await
            .map_err(|e| format!("Could not read the file: {e}"))?;
        let mut buf = vec![0u8; CHUNK];
        let mut meter = Meter::new();
        let lost = |e: std::io::Error| format!("The direct connection broke: {e}");
        loop {
            let n = f
                .read(&mut buf)
                .await
                .map_err(|e| format!("Could not read the file: {e}"))?;
            if n == 0 {
                break;
            }
            tokio::time::timeout(BLOCK_WAIT, stream.write_all(&buf[..n]))
                .await
                .map_err(|_| "The contact's device stopped taking the file.".to_string())?
                .map_err(lost)?;
            if meter.add(n) {
                self.acc.emit(meter.report(id, Some(size)));
            }
        }
        stream.flush().await.map_err(lost)?;
        // The end of the data (a relay may hold the last bytes until it sees it); the
        // receiver knows the size either way.
        let _ = stream.shutdown().await;
        self.await_confirmation(&mut stream, signals).await
    }

    /// After the last byte: the receiver's `session-terminate` says whether it has the file
    /// (success, or why not). Its closing the connection alone is weaker (a relay closes when
    /// we end our side), so after a close the session end gets a little longer, and then the
    /// receiver has the benefit of the doubt.
    async fn await_confirmation(
        &self,
        stream: &mut TcpStream,
        signals: &mut mpsc::Receiver<Signal>,
    ) -> Result<(), String> {
        let deadline = tokio::time::Instant::now() + CONFIRM;
        let mut closed = false;
        let mut one = [0u8; 1];
        loop {
            let until = if closed {
                deadline.min(tokio::time::Instant::now() + AFTER_CLOSE)
            } else {
                deadline
            };
            tokio::select! {
                read = stream.read(&mut one), if !closed => {
                    if !matches!(read, Ok(n) if n > 0) {
                        closed = true;
                    }
                }
                signal = signals.recv() => match signal {
                    Some(Signal::Ended(reason)) if reason == "success" => return Ok(()),
                    Some(Signal::Ended(reason)) => {
                        return Err(format!("The contact's device ended the transfer ({reason})."))
                    }
                    Some(_) => {}
                    None => return Err("The transfer ended.".to_string()),
                },
                _ = tokio::time::sleep_until(until) => {
                    return if closed {
                        Ok(())
                    } else {
                        Err("The contact's device did not confirm that it has the whole file.".into())
                    };
                }
            }
        }
    }

    /// Receives an offered file over the chosen connection into the Downloads folder, checks
    /// it, and closes the connection. Ends the offer either way.
    pub(crate) async fn receive_over(&self, key: &SessionKey, mut stream: TcpStream) {
        let Some((message_id, name, size)) = self.offer_facts(key).await else {
            return;
        };
        let mut r = match self.open_receiving(&name).await {
            Ok(r) => r,
            Err(why) => return self.end_offer_failed(key, why).await,
        };
        let mut buf = vec![0u8; CHUNK];
        while r.meter.bytes < size {
            let room = usize::try_from(size - r.meter.bytes)
                .unwrap_or(CHUNK)
                .min(CHUNK);
            let n = match tokio::time::timeout(BLOCK_WAIT, stream.read(&mut buf[..room])).await {
                Ok(Ok(0)) => break,
                Ok(Ok(n)) => n,
                Ok(Err(e)) => {
                    let why = format!("The direct connection broke: {e}");
                    return self.end_offer_failed(key, why).await;
                }
                Err(_) => {
                    let why = "The sender's device stopped sending.".to_string();
                    return self.end_offer_failed(key, why).await;
                }
            };
            if let Err(why) = self.take_bytes(&mut r, message_id, size, &buf[..n]).await {
                return self.end_offer_failed(key, why).await;
            }
        }
        let Some(mut o) = self.direct.offers.lock().await.remove(key) else {
            return; // cancelled or ended meanwhile: `r` removes the partial file
        };
        let jingle_sid = key.1.as_str();
        o.receiving = Some(r);
        let from = o.from.clone();
        if self.finish_receiving(o).await {
            // Both ways of saying "received": the session ends with success (what other
            // clients wait for) and the connection closes (what Hallway waits for).
            let _ = self
                .acc
                .session
                .ask(
                    "Confirming the file",
                    jft::terminate(&hallway_protocol::new_id(), &from, jingle_sid, "success"),
                )
                .await;
        }
        drop(stream);
    }
}
