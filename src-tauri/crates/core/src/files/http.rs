//! HTTPS for files: one client per account, verifying certificates exactly as the XMPP
//! connection does (system roots plus the account's pinned certificate, see `trust`), streaming
//! uploads from disk and downloads to disk in small chunks so a 1 GB file costs no more memory
//! than a 1 kB one, and reporting progress a few times a second.

use crate::events::CoreEvent;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use tokio::io::AsyncWriteExt;

use crate::trust::Trust;

/// Give up when a connection cannot be made in this time.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);
/// Give up when no byte moves for this long.
const STALL_TIMEOUT: Duration = Duration::from_secs(60);
/// Progress is reported at most this often.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);
/// Read size for uploads.
const CHUNK: usize = 64 * 1024;

/// Hosts pinned to addresses (like `/etc/hosts`) for every file transfer: tests and demos only.
pub type HostOverrides = Vec<(String, SocketAddr)>;

/// A client for one transfer of `url`: verifies certificates against the system roots (a
/// certificate pinned for the XMPP domain is never used here, see `trust`), and follows
/// redirects only where the link itself may lead (`redirect_allowed`).
pub(crate) fn client(
    trust: &Trust,
    url: &str,
    overrides: &[(String, SocketAddr)],
) -> Result<reqwest::Client, String> {
    let original = reqwest::Url::parse(url).map_err(|e| format!("Not a link we can fetch: {e}"))?;
    let mut tls = (*trust.client_config()).clone();
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    let guard = Arc::new(LocalGuard {
        original_host: original.host_str().unwrap_or("").to_ascii_lowercase(),
        original_local: Arc::new(std::sync::atomic::AtomicBool::new(host_is_local(&original))),
    });
    let policy_guard = guard.clone();
    let mut builder = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .connect_timeout(CONNECT_TIMEOUT)
        // No client-wide read timeout: during a long upload nothing is read until the server
        // answers at the end, so it would cut every upload longer than the timeout. Stalls are
        // caught per transfer instead (no byte moved for STALL_TIMEOUT).
        .redirect(reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > MAX_REDIRECTS {
                return attempt.error("too many redirects");
            }
            match redirect_allowed(attempt.url(), policy_guard.local_ok()) {
                Ok(()) => attempt.follow(),
                Err(why) => attempt.error(why),
            }
        }))
        .dns_resolver(guard)
        .user_agent(concat!("Hallway/", env!("CARGO_PKG_VERSION")));
    for (host, addr) in overrides {
        builder = builder.resolve(host, *addr);
    }
    builder.build().map_err(|e| e.to_string())
}

/// Most redirects one transfer follows.
const MAX_REDIRECTS: usize = 5;

/// Keeps a transfer out of this machine and the local network unless its link pointed there:
/// a stranger's link that redirects (or whose other names resolve) to 127.0.0.1 or a printer's
/// admin page must not make us fetch it. A company file server on the LAN is normal, so when
/// the link's own host is local, local addresses stay allowed for the whole transfer.
struct LocalGuard {
    original_host: String,
    /// The link's own host is (or resolved to) a local address.
    original_local: Arc<std::sync::atomic::AtomicBool>,
}

impl LocalGuard {
    fn local_ok(&self) -> bool {
        self.original_local
            .load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl reqwest::dns::Resolve for LocalGuard {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_ascii_lowercase();
        let is_original = host == self.original_host;
        let flag = self.original_local.clone();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if is_original {
                // The first connection of a transfer is always to the link's own host, so its
                // verdict is known before any redirect is looked at.
                if addrs.iter().any(|a| ip_is_local(a.ip())) {
                    flag.store(true, std::sync::atomic::Ordering::SeqCst);
                }
                return Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs);
            }
            let kept: Vec<SocketAddr> = if flag.load(std::sync::atomic::Ordering::SeqCst) {
                addrs
            } else {
                addrs.into_iter().filter(|a| !ip_is_local(a.ip())).collect()
            };
            if kept.is_empty() {
                return Err(
                    format!("{host} points into this computer or the local network").into(),
                );
            }
            Ok(Box::new(kept.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Whether a redirect to `next` may be followed: HTTPS only (a file link is HTTPS, and a
/// redirect must not strip that), and not to a local address unless `local_ok`.
pub(crate) fn redirect_allowed(next: &reqwest::Url, local_ok: bool) -> Result<(), String> {
    if next.scheme() != "https" {
        return Err(format!(
            "the server redirected to a {} link; only HTTPS is followed",
            next.scheme()
        ));
    }
    if !local_ok && host_is_local(next) {
        return Err("the server redirected into this computer or the local network".into());
    }
    Ok(())
}

/// The URL names this machine or the local network by itself: a loopback, private, link-local
/// or unspecified address, or `localhost`. (Names are checked again when they resolve.)
pub(crate) fn host_is_local(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip_is_local(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => ip_is_local(IpAddr::V6(ip)),
        Some(url::Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
        None => true,
    }
}

/// Loopback, private (RFC 1918, RFC 4193), carrier-grade NAT (RFC 6598), link-local and
/// unspecified addresses, IPv4-mapped ones included.
pub(crate) fn ip_is_local(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || (a == 100 && (64..128).contains(&b))
                || a == 0
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return ip_is_local(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
    }
}

/// Counts bytes and says when progress is worth reporting.
pub(crate) struct Meter {
    started: Instant,
    last: Instant,
    /// Bytes so far.
    pub bytes: u64,
}

impl Meter {
    pub(crate) fn new() -> Self {
        let now = Instant::now();
        Self {
            started: now,
            last: now - PROGRESS_EVERY,
            bytes: 0,
        }
    }

    /// Adds `n` bytes; `true` when a report is due.
    pub(crate) fn add(&mut self, n: usize) -> bool {
        self.bytes += n as u64;
        if self.last.elapsed() >= PROGRESS_EVERY {
            self.last = Instant::now();
            return true;
        }
        false
    }

    /// The progress event for `message_id` so far.
    pub(crate) fn report(&self, message_id: i64, total: Option<u64>) -> CoreEvent {
        CoreEvent::TransferProgressed(hallway_model::TransferProgress {
            message_id,
            bytes: self.bytes,
            total,
            bytes_per_second: self.per_second(),
        })
    }

    /// Average speed since the start.
    pub(crate) fn per_second(&self) -> u64 {
        let secs = self.started.elapsed().as_secs_f64().max(0.001);
        (self.bytes as f64 / secs) as u64
    }
}

/// Why a transfer failed, in words for the user.
pub(crate) fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "The server stopped answering.".into()
    } else if e.is_connect() {
        format!("Could not reach the file server: {}", root_cause(e))
    } else {
        format!("The connection broke: {}", root_cause(e))
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// PUTs the file at `path` (`size` bytes) to `url` with the slot's headers.
pub(crate) async fn put_file(
    client: &reqwest::Client,
    url: &str,
    headers: &[(String, String)],
    mime: &str,
    path: &Path,
    size: u64,
    progress: Arc<dyn Fn(u64, u64) + Send + Sync>,
) -> Result<(), String> {
    let file = tokio::fs::File::open(path)
        .await
        .map_err(|e| format!("Could not read the file: {e}"))?;
    let mut meter = Meter::new();
    let reader = tokio_util::io::ReaderStream::with_capacity(file, CHUNK);
    let p = progress.clone();
    let moved = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counter = moved.clone();
    let body = reader.map(move |chunk| {
        if let Ok(c) = &chunk {
            counter.fetch_add(c.len() as u64, std::sync::atomic::Ordering::Relaxed);
            if meter.add(c.len()) {
                p(meter.bytes, meter.per_second());
            }
        }
        chunk
    });
    let mut req = client
        .put(url)
        .header(reqwest::header::CONTENT_LENGTH, size)
        .header(reqwest::header::CONTENT_TYPE, mime)
        .body(reqwest::Body::wrap_stream(body));
    for (k, v) in headers {
        req = req.header(k.as_str(), v.as_str());
    }
    let resp = stall_guard(req.send(), &moved)
        .await?
        .map_err(|e| describe(&e))?;
    let status = resp.status();
    if !status.is_success() {
        return Err(http_refusal("upload", status));
    }
    progress(size, 0);
    Ok(())
}

/// Runs `fut` until it ends, or fails it when `moved` (bytes sent so far) stays the same for
/// `STALL_TIMEOUT` (a server that stopped reading, a cable pulled without a reset).
async fn stall_guard<F: std::future::Future>(
    fut: F,
    moved: &std::sync::atomic::AtomicU64,
) -> Result<F::Output, String> {
    tokio::pin!(fut);
    let mut last = moved.load(std::sync::atomic::Ordering::Relaxed);
    let mut since = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            out = &mut fut => return Ok(out),
            _ = tick.tick() => {
                let now = moved.load(std::sync::atomic::Ordering::Relaxed);
                if now != last {
                    last = now;
                    since = Instant::now();
                } else if since.elapsed() >= STALL_TIMEOUT {
                    return Err("The server stopped answering.".into());
                }
            }
        }
    }
}

/// Words for a refusing HTTP status.
pub(crate) fn http_refusal(what: &str, status: reqwest::StatusCode) -> String {
    let reason = match status.as_u16() {
        401 | 403 => "not allowed (the upload slot may have expired)",
        404 | 410 => "the file is no longer on the server",
        413 => "the file is too large for the server",
        507 => "the server is out of space",
        s if s >= 500 => "the file server failed",
        _ => "refused",
    };
    format!("The {what} failed: {reason} (HTTP {}).", status.as_u16())
}

/// Size and type the server states for `url` (HEAD), when it answers.
pub(crate) async fn head(
    client: &reqwest::Client,
    url: &str,
) -> Result<(Option<u64>, Option<String>), String> {
    let resp = tokio::time::timeout(STALL_TIMEOUT, client.head(url).send())
        .await
        .map_err(|_| "The server stopped answering.".to_string())?
        .map_err(|e| describe(&e))?;
    if !resp.status().is_success() {
        return Err(http_refusal("check", resp.status()));
    }
    let h = resp.headers();
    let size = h
        .get(reqwest::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let mime = h
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .filter(|v| !v.is_empty() && v.len() < 128);
    Ok((size, mime))
}

/// GETs `url` into `out` (an open, empty file); `cap`: give up past this many bytes. Returns the
/// byte count.
pub(crate) async fn get_to_file(
    client: &reqwest::Client,
    url: &str,
    out: tokio::fs::File,
    cap: Option<u64>,
    progress: Arc<dyn Fn(u64, Option<u64>, u64) + Send + Sync>,
) -> Result<u64, String> {
    let resp = tokio::time::timeout(STALL_TIMEOUT, client.get(url).send())
        .await
        .map_err(|_| "The server stopped answering.".to_string())?
        .map_err(|e| describe(&e))?;
    if !resp.status().is_success() {
        return Err(http_refusal("download", resp.status()));
    }
    let total = resp.content_length();
    if let (Some(t), Some(c)) = (total, cap) {
        if t > c {
            return Err(format!("The file is larger than {}.", human_size(c)));
        }
    }
    let mut out = tokio::io::BufWriter::with_capacity(CHUNK, out);
    let mut meter = Meter::new();
    let mut stream = resp.bytes_stream();
    loop {
        let next = tokio::time::timeout(STALL_TIMEOUT, stream.next())
            .await
            .map_err(|_| "The server stopped answering.".to_string())?;
        let Some(chunk) = next else { break };
        let chunk = chunk.map_err(|e| describe(&e))?;
        if cap.is_some_and(|c| meter.bytes + chunk.len() as u64 > c) {
            return Err("The file is larger than the server said.".into());
        }
        out.write_all(&chunk)
            .await
            .map_err(|e| format!("Could not write the file: {e}"))?;
        if meter.add(chunk.len()) {
            progress(meter.bytes, total, meter.per_second());
        }
    }
    out.flush()
        .await
        .map_err(|e| format!("Could not write the file: {e}"))?;
    out.into_inner()
        .sync_all()
        .await
        .map_err(|e| format!("Could not write the file: {e}"))?;
    if let Some(t) = total {
        if meter.bytes != t {
            return Err("The download ended early.".into());
        }
    }
    progress(meter.bytes, total, meter.per_second());
    Ok(meter.bytes)
}

/// "3.2 MB", "512 kB", "10 MB" (decimal units, as file managers show them).
pub fn human_size(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= 1e9 {
        format!("{:.1} GB", b / 1e9)
    } else if b >= 1e6 {
        let mb = b / 1e6;
        if (mb - mb.round()).abs() < 0.05 {
            format!("{mb:.0} MB")
        } else {
            format!("{mb:.1} MB")
        }
    } else if b >= 1e3 {
        format!("{:.0} kB", b / 1e3)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests;
