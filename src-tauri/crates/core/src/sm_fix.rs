//! Interop shim for XEP-0198 `<failed/>` without `h`.
//!
//! XEP-0198 §3 makes `h` optional on `<failed/>`, and Prosody 0.12 omits it when asked to resume
//! a session it no longer knows (after a server restart it sends exactly
//! `<failed xmlns='urn:xmpp:sm:3'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>`,
//! captured in the server-restart test). xmpp-parsers 0.23.0 types the field as `h: Option<u32>`
//! but declares it `#[xml(attribute)]` without `default`, and xso's derive treats such an
//! attribute as required: parsing fails with "Required attribute field 'h' on Failed element
//! missing". tokio-xmpp 6.0.0's negotiation would handle a missing `h` (it only uses it to trim
//! its queue), but it never sees the element: the reader reports "invalid nonza received", the
//! link is dropped, and the same doomed resumption is retried forever (seen in the capture: a
//! reconnect every few seconds, the outbox never sent). The right fix is one word upstream
//! (`attribute(default)`); until a release carries it, this adapter sits between TLS and the XML
//! parser and adds `h='0'` to such an element. tokio-xmpp then discards its SM state and binds a
//! fresh session, as the XEP intends; `h='0'` acknowledges nothing, so our outbox's own check
//! (archive lookup by origin-id, then resend) decides what was lost. Only a start tag exactly
//! matching the SM namespace and carrying no other attribute is touched; text content cannot
//! contain `<`, so message bodies are never altered. Writes pass through unchanged. The test
//! `xmpp_parsers_still_needs_the_shim` fails once the dependency parses the element itself:
//! remove this file then.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

const PATTERNS: [&[u8]; 2] = [
    b"<failed xmlns='urn:xmpp:sm:3'",
    b"<failed xmlns=\"urn:xmpp:sm:3\"",
];
const LONGEST: usize = 30;

/// Wraps a byte stream; see the module docs.
pub struct SmFailedFix<S> {
    inner: S,
    out: Vec<u8>,
    out_pos: usize,
    held: Vec<u8>,
    eof: bool,
}

impl<S> SmFailedFix<S> {
    /// Wraps `inner`.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            out: Vec::new(),
            out_pos: 0,
            held: Vec::new(),
            eof: false,
        }
    }
}

/// Rewrites `data` (held-back tail included); returns (bytes ready to emit, bytes to hold back).
fn rewrite(data: &[u8], at_eof: bool) -> (Vec<u8>, Vec<u8>) {
    let mut out = Vec::with_capacity(data.len() + 8);
    let mut i = 0;
    while i < data.len() {
        let mut matched = false;
        for p in PATTERNS {
            // Needs the pattern plus the next byte or two to know the tag ends right after it.
            if data[i..].starts_with(p) {
                let rest = &data[i + p.len()..];
                let close = if rest.starts_with(b">") {
                    Some(1)
                } else if rest.starts_with(b"/>") {
                    Some(2)
                } else if rest.is_empty() || rest == b"/" {
                    None // undecided: hold back
                } else {
                    Some(0) // other attributes (h=…) follow: leave alone
                };
                match close {
                    None if !at_eof => return (out, data[i..].to_vec()),
                    Some(n) if n > 0 => {
                        out.extend_from_slice(p);
                        out.extend_from_slice(b" h='0'");
                        i += p.len();
                        matched = true;
                    }
                    _ => {}
                }
                break;
            }
        }
        if matched {
            continue;
        }
        // A proper prefix of a pattern at the very end: hold it until more bytes arrive.
        if !at_eof && data.len() - i < LONGEST && PATTERNS.iter().any(|p| p.starts_with(&data[i..]))
        {
            return (out, data[i..].to_vec());
        }
        out.push(data[i]);
        i += 1;
    }
    (out, Vec::new())
}

impl<S: AsyncRead + Unpin> AsyncRead for SmFailedFix<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        loop {
            if this.out_pos < this.out.len() {
                let n = (this.out.len() - this.out_pos).min(buf.remaining());
                buf.put_slice(&this.out[this.out_pos..this.out_pos + n]);
                this.out_pos += n;
                if this.out_pos == this.out.len() {
                    this.out.clear();
                    this.out_pos = 0;
                }
                return Poll::Ready(Ok(()));
            }
            if this.eof {
                return Poll::Ready(Ok(()));
            }
            let mut chunk = [0u8; 8192];
            let mut rb = ReadBuf::new(&mut chunk);
            match Pin::new(&mut this.inner).poll_read(cx, &mut rb) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Ready(Ok(())) => {
                    let filled = rb.filled();
                    let at_eof = filled.is_empty();
                    let mut data = std::mem::take(&mut this.held);
                    data.extend_from_slice(filled);
                    let (out, held) = rewrite(&data, at_eof);
                    this.out = out;
                    this.out_pos = 0;
                    this.held = held;
                    if at_eof {
                        this.eof = true;
                    }
                }
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for SmFailedFix<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    async fn through(chunks: Vec<&'static [u8]>) -> String {
        let mut b = tokio_test_stream(chunks);
        let mut s = String::new();
        b.read_to_string(&mut s).await.unwrap();
        s
    }

    fn tokio_test_stream(chunks: Vec<&'static [u8]>) -> SmFailedFix<impl AsyncRead + Unpin> {
        let stream =
            futures::stream::iter(chunks.into_iter().map(|c| Ok::<_, io::Error>(bytes_of(c))));
        SmFailedFix::new(tokio_util_reader(stream))
    }

    fn bytes_of(c: &'static [u8]) -> Vec<u8> {
        c.to_vec()
    }

    fn tokio_util_reader(
        s: impl futures::Stream<Item = io::Result<Vec<u8>>> + Unpin,
    ) -> impl AsyncRead + Unpin {
        ChunkReader {
            s,
            cur: Vec::new(),
            pos: 0,
        }
    }

    struct ChunkReader<St> {
        s: St,
        cur: Vec<u8>,
        pos: usize,
    }

    impl<St: futures::Stream<Item = io::Result<Vec<u8>>> + Unpin> AsyncRead for ChunkReader<St> {
        fn poll_read(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            use futures::StreamExt;
            loop {
                if self.pos < self.cur.len() {
                    let n = (self.cur.len() - self.pos).min(buf.remaining());
                    let start = self.pos;
                    buf.put_slice(&self.cur[start..start + n]);
                    self.pos += n;
                    return Poll::Ready(Ok(()));
                }
                match self.s.poll_next_unpin(cx) {
                    Poll::Ready(Some(Ok(c))) => {
                        self.cur = c;
                        self.pos = 0;
                    }
                    Poll::Ready(Some(Err(e))) => return Poll::Ready(Err(e)),
                    Poll::Ready(None) => return Poll::Ready(Ok(())),
                    Poll::Pending => return Poll::Pending,
                }
            }
        }
    }

    /// Pins the reason for this module: Prosody's exact bytes do not parse without `h`, and do
    /// once the shim has added it (then tokio-xmpp sees `Failed` and drops its SM state).
    #[tokio::test]
    async fn xmpp_parsers_still_needs_the_shim() {
        use xmpp_parsers::minidom::Element;
        use xmpp_parsers::sm::Failed;
        const PROSODY: &str = "<failed xmlns='urn:xmpp:sm:3'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>";
        let raw: Element = PROSODY.parse().unwrap();
        let err = Failed::try_from(raw).expect_err(
            "xmpp-parsers now parses <failed/> without h: remove sm_fix.rs and its use in connector.rs",
        );
        assert!(err.to_string().contains("'h'"), "{err}");
        let fixed: Element = through(vec![PROSODY.as_bytes()]).await.parse().unwrap();
        let failed = Failed::try_from(fixed).unwrap();
        assert_eq!(failed.h, Some(0));
        assert!(failed.error.is_some());
    }

    #[tokio::test]
    async fn adds_h_to_failed_without_it() {
        let s = through(vec![b"<failed xmlns='urn:xmpp:sm:3'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>"]).await;
        assert_eq!(s, "<failed xmlns='urn:xmpp:sm:3' h='0'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>");
        let s = through(vec![b"<failed xmlns=\"urn:xmpp:sm:3\"/>"]).await;
        assert_eq!(s, "<failed xmlns=\"urn:xmpp:sm:3\" h='0'/>");
    }

    #[tokio::test]
    async fn handles_patterns_split_across_reads() {
        let s = through(vec![
            b"<r/><fai",
            b"led xmlns='urn:xm",
            b"pp:sm:3'",
            b"/><a/>",
        ])
        .await;
        assert_eq!(s, "<r/><failed xmlns='urn:xmpp:sm:3' h='0'/><a/>");
    }

    #[tokio::test]
    async fn leaves_everything_else_alone() {
        let input: &'static [u8] = b"<failed xmlns='urn:xmpp:sm:3' h='5'/><message><body>&lt;failed xmlns='urn:xmpp:sm:3'&gt; &lt;fa</body></message><fa";
        assert_eq!(through(vec![input]).await, String::from_utf8_lossy(input));
        assert_eq!(
            through(vec![b"<failed xmlns='other'/>"]).await,
            "<failed xmlns='other'/>"
        );
    }
}
