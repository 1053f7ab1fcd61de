//! XEP-0260 negotiation of a direct transfer's TCP connection, the same on both sides: open our
//! port and name it in candidates, try the contact's candidates, say which worked in a
//! `transport-info`, hear the contact's, and pick the nominated connection by XEP-0260 §2.4's
//! rules (higher priority wins; on a tie, the initiator's pick). No connection either way is
//! `None`: the initiator then replaces the transport with in-band bytestreams (§3). Also the
//! bytes over the chosen connection, sent or received with progress and a SHA-256.

use std::net::IpAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use hallway_model::TransferProgress;
use hallway_protocol::xep0234_jingle_ft as jft;
use hallway_protocol::xep0260_s5b::{self as s5b, Candidate, Info, Kind};
use hallway_protocol::Jid;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

use super::http::Meter;
use super::socks5::{self, Listener};
use crate::events::CoreEvent;
use crate::messenger::Messenger;

/// All the contact's candidates together get this long before we say none worked.
const TRYING: Duration = Duration::from_secs(8);
/// How long we wait for the contact's `candidate-used` / `candidate-error`, or an activation.
const HEARING: Duration = Duration::from_secs(30);
/// How long the receiver has to close the connection once it has every byte.
const CONFIRM: Duration = Duration::from_secs(30);
/// Bytes per read or write.
const CHUNK: usize = 64 * 1024;

/// What the contact says about a session's transport (routed by Jingle sid).
#[derive(Debug)]
pub(crate) enum Signal {
    /// A XEP-0260 `transport-info`.
    Info(Info),
    /// Our `transport-replace` was accepted.
    ReplaceAccepted,
    /// Our `transport-replace` was rejected.
    ReplaceRejected,
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

impl Messenger {
    /// Opens our port for the transport `sid` between `me` and `peer` and names it in
    /// candidates (none when the port cannot be opened or direct connections are off: the
    /// contact may still reach… nothing, and in-band takes over).
    pub(crate) async fn our_s5b_side(&self, sid: &str, me: &Jid, peer: &Jid) -> Ours {
        let addresses = self.files.direct.addresses();
        let listener = if addresses.is_empty() {
            None
        } else {
            Listener::bind().await.ok()
        };
        let candidates = listener
            .as_ref()
            .map(|l| l.candidates(&me.to_string(), &addresses))
            .unwrap_or_default();
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
        signals: &mut mpsc::UnboundedReceiver<Signal>,
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
        for c in cands {
            if start.elapsed() > TRYING {
                break;
            }
            match socks5::connect(c, &their_dstaddr).await {
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
        self.ask(
            "Connecting directly",
            jft::transport_action(
                &hallway_protocol::new_id(),
                peer,
                "transport-info",
                jingle_sid,
                content,
                s5b::info(&theirs.sid, &said),
            ),
        )
        .await
        .map_err(|e| e.to_string())?;

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

    /// Sends the file at `path` (`size` bytes) over the chosen connection, then waits for
    /// the receiver to close it (it has every byte).
    pub(crate) async fn send_over(
        &self,
        id: i64,
        mut stream: TcpStream,
        path: &Path,
        size: u64,
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
            stream.write_all(&buf[..n]).await.map_err(lost)?;
            if meter.add(n) {
                self.emitter
                    .emit(CoreEvent::TransferProgressed(TransferProgress {
                        message_id: id,
                        bytes: meter.bytes,
                        total: Some(size),
                        bytes_per_second: meter.per_second(),
                    }));
            }
        }
        stream.shutdown().await.map_err(lost)?;
        // The receiver closes once it has it all; a client that keeps the connection open
        // until the session ends gets the benefit of the doubt after a while.
        let mut one = [0u8; 1];
        let _ = tokio::time::timeout(CONFIRM, stream.read(&mut one)).await;
        Ok(())
    }

    /// Receives an offered file over the chosen connection into the Downloads folder, checks
    /// it, and closes the connection. Ends the offer either way.
    pub(crate) async fn receive_over(&self, jingle_sid: &str, mut stream: TcpStream) {
        let Some((message_id, name, size)) = self.offer_facts(jingle_sid).await else {
            return;
        };
        let mut r = match self.open_receiving(&name).await {
            Ok(r) => r,
            Err(why) => return self.end_offer_failed(jingle_sid, why).await,
        };
        let mut buf = vec![0u8; CHUNK];
        while r.meter.bytes < size {
            let room = usize::try_from(size - r.meter.bytes)
                .unwrap_or(CHUNK)
                .min(CHUNK);
            let n = match stream.read(&mut buf[..room]).await {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => {
                    let why = format!("The direct connection broke: {e}");
                    return self.end_offer_failed(jingle_sid, why).await;
                }
            };
            if let Err(why) = self.take_bytes(&mut r, message_id, size, &buf[..n]).await {
                return self.end_offer_failed(jingle_sid, why).await;
            }
        }
        let Some(mut o) = self.files.direct.offers.lock().await.remove(jingle_sid) else {
            return; // cancelled or ended meanwhile: `r` removes the partial file
        };
        o.receiving = Some(r);
        self.finish_receiving(o).await;
        // Dropping the connection tells the sender we have it all.
        drop(stream);
    }
}
