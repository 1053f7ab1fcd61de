//! A TCP proxy on loopback that can cut every live connection on demand: the network failing
//! under the client while the server stays up (so XEP-0198 resumption can be exercised).

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast;

/// Forwards 127.0.0.1:`port` to the target port.
pub struct CutProxy {
    pub port: u16,
    cut: broadcast::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl CutProxy {
    /// Starts forwarding to 127.0.0.1:`target`.
    pub async fn start(target: u16) -> CutProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (cut, _) = broadcast::channel(4);
        let cut_tx = cut.clone();
        let task = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let mut cut_rx = cut_tx.subscribe();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(("127.0.0.1", target)).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = cut_rx.recv() => {}
                    }
                    // Dropping both sockets here is the cut.
                });
            }
        });
        CutProxy { port, cut, task }
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
