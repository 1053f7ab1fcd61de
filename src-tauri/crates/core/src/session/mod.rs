//! One account's live session: a single task (`actor.rs`, with `actor/inbound.rs` for what
//! arrives and `actor/stream.rs` for the stream's own events) owns tokio-xmpp's `StanzaStream`
//! (never split: tokio-xmpp.md explains the stall) and routes what arrives to the parts that
//! keep the session's state — iq routing and batching (`crate::live`), the outbox
//! (`crate::outbox`), history sync (`crate::history::sync`), chats (`crate::chats::incoming`)
//! and people (`crate::people::state`). Parts are plain structs: they read parsed stanzas and
//! say what to send and tell the UI (`Out`, `Batcher`); only the actor does I/O. Services talk
//! to the session through `crate::live::SessionClient`; nothing but the messenger imports this
//! module.
//!
//! Fresh session (`Reset`) vs resumed (`Resumed`, XEP-0198): after a reset we fetch the roster,
//! enable carbons (XEP-0280), resend our presence, look up in our archive what the old stream
//! sent but never saw acknowledged, resend what it lost, and catch up from the server archive
//! (XEP-0313). After a resumption the server kept all of that.

pub(crate) mod actor;

use std::sync::Arc;
use std::time::Duration;

use hallway_model::{ConnectionError, MyPresence};
use hallway_store::Store;
use tokio::sync::{mpsc, oneshot, watch};
use tokio_xmpp::jid::{BareJid, Jid};

use crate::connector::HallwayConnector;
use crate::emitter::Emitter;
use crate::live::batch::ViewState;
use crate::live::command::Command;
use crate::live::iq::Registration;
use crate::live::AvatarJob;

/// Handle kept by the messenger.
pub(crate) struct SessionHandle {
    pub commands: mpsc::UnboundedSender<Command>,
    shutdown: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl SessionHandle {
    /// Closes the stream cleanly and waits (bounded) for the task to end.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        let (tx, rx) = oneshot::channel();
        if self.commands.send(Command::Shutdown(tx)).is_ok() {
            let _ = tokio::time::timeout(Duration::from_secs(5), rx).await;
        }
        self.task.abort();
    }
}

/// Everything needed to start a session.
pub(crate) struct SessionConfig {
    pub account: BareJid,
    pub full_jid: Jid,
    pub password: hallway_model::Password,
    pub connector: HallwayConnector,
    pub first: Option<tokio_xmpp::stanzastream::Connection>,
    pub store: Arc<Store>,
    pub emitter: Emitter,
    pub my_presence: MyPresence,
    /// Told once the first session is established (bound and negotiated).
    pub online: Option<oneshot::Sender<Result<(), ConnectionError>>>,
    /// What the window shows (notifications).
    pub view: Arc<std::sync::Mutex<ViewState>>,
    /// Most messages one catch-up fetches after a reconnect; beyond it a gap is recorded.
    pub catch_up_limit: usize,
    /// A joined room silent this long is self-pinged (XEP-0410).
    pub room_self_ping_after: std::time::Duration,
    /// Where contacts' announced avatars go to be fetched (`crate::people::avatars`).
    pub avatar_jobs: mpsc::UnboundedSender<AvatarJob>,
    /// Our avatar's hash (XEP-0153 hint in our presence).
    pub my_avatar: Option<String>,
    /// Services' claims on incoming iq namespaces (direct transfers: Jingle, IBB).
    pub registrations: Vec<Registration>,
}

/// Starts the session task.
pub(crate) fn start(cfg: SessionConfig) -> SessionHandle {
    actor::start(cfg)
}
