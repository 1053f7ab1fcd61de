//! A TCP proxy on loopback that can cut every live connection on demand: the network failing
//! under the client while the server stays up (so XEP-0198 resumption can be exercised). It can
//! also swallow everything the server says while still passing on what the client says: the
//! server gets a stanza, but its acknowledgement never reaches the client.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast;

/// Forwards 127.0.0.1:`port` to the target port.
pub struct CutProxy {
    pub port: u16,
    cut: broadcast::Sender<()>,
    swallow: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

/// Copies `from` to `to` until either side ends; while `swallow` is set, bytes are read and
/// dropped instead.
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    swallow: Option<Arc<AtomicBool>>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if swallow.as_ref().is_some_and(|s| s.load(Ordering::SeqCst)) {
            continue;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}

impl CutProxy {
    /// Starts forwarding to 127.0.0.1:`target`.
    pub async fn start(target: u16) -> CutProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (cut, _) = broadcast::channel(4);
        let cut_tx = cut.clone();
        let swallow = Arc::new(AtomicBool::new(false));
        let swallowing = swallow.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let mut cut_rx = cut_tx.subscribe();
                let swallowing = swallowing.clone();
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(("127.0.0.1", target)).await else {
                        return;
                    };
                    let (client_r, client_w) = client.into_split();
                    let (server_r, server_w) = server.into_split();
                    tokio::select! {
                        _ = async {
                            tokio::join!(
                                pump(client_r, server_w, None),
                                pump(server_r, client_w, Some(swallowing)),
                            )
                        } => {}
                        _ = cut_rx.recv() => {}
                    }
                    // Dropping both sockets here is the cut.
                });
            }
        });
        CutProxy {
            port,
            cut,
            swallow,
            task,
        }
    }

    /// From now on (until `false`), everything the server sends is dropped on the way: the
    /// client's stanzas still reach it, its answers and acknowledgements never come back.
    pub fn swallow_replies(&self, on: bool) {
        self.swallow.store(on, Ordering::SeqCst);
    }

    /// Cuts every connection open right now (new ones are accepted again).
    pub fn cut(&self) {
        let _ = self.cut.send(());
    }

    /// The sign-in form's **Server** field for this proxy.
    pub fn server_field(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for CutProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}
