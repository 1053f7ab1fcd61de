//! One account's live session: a single task (`actor.rs`) owns tokio-xmpp's `StanzaStream`
//! (never split: tokio-xmpp.md explains the stall) and routes what arrives to the parts that
//! keep the session's state — iq routing (`iq.rs`), batching (`batch.rs`), the outbox
//! (`crate::outbox`), history sync (`crate::history::sync`), chats (`crate::chats::incoming`)
//! and people (`crate::people::state`). Parts are plain structs: they read parsed stanzas and
//! say what to send and tell the UI (`Out`, `Batcher`); only the actor does I/O. Services talk
//! to the session through `SessionClient` (`client.rs`).
//!
//! Fresh session (`Reset`) vs resumed (`Resumed`, XEP-0198): after a reset we fetch the roster,
//! enable carbons (XEP-0280), resend our presence, look up in our archive what the old stream
//! sent but never saw acknowledged, resend what it lost, and catch up from the server archive
//! (XEP-0313). After a resumption the server kept all of that.

pub(crate) mod actor;
pub(crate) mod client;

use std::sync::Arc;
use std::time::Duration;

use hallway_model::{ConnectionError, MyPresence};
use hallway_protocol::xep0313_mam::ArchiveQuery;
use hallway_store::Store;
use tokio::sync::{mpsc, oneshot, watch};
use tokio_xmpp::jid::{BareJid, Jid};
use tokio_xmpp::parsers::iq::Iq;

use crate::connector::HallwayConnector;
use crate::emitter::Emitter;
use crate::history::sync::{ArchiveReply, ArchiveRequest, SearchReply};
use crate::live::AvatarJob;
use crate::people::state::Details;

pub(crate) use crate::live::batch::ViewState;
pub(crate) use crate::live::iq::{Registration, RequestError, Responder};
pub(crate) use client::SessionClient;

/// People-side requests from the services.
pub(crate) enum PeopleCommand {
    /// Send this presence (subscribe / subscribed / unsubscribed) if online.
    SendPresence(
        tokio_xmpp::parsers::presence::Presence,
        oneshot::Sender<bool>,
    ),
    /// The request from this JID was answered here; stop showing it.
    RequestAnswered(String),
    /// Pending subscription requests.
    SubscriptionRequests(oneshot::Sender<Vec<hallway_model::SubscriptionRequest>>),
    /// Pending message requests.
    MessageRequests(oneshot::Sender<Vec<hallway_model::MessageRequest>>),
    /// Our XEP-0191 block list.
    Blocked(oneshot::Sender<Vec<String>>),
    /// Devices and last seen of a contact.
    Details(String, oneshot::Sender<Details>),
    /// XEP-0012 answered: they were last online then.
    LastSeen(String, i64),
    /// Automatic away changed (with XEP-0319 idle since).
    SetAutoAway(hallway_model::AutoAway, Option<i64>),
    /// Our avatar changed (re-sent as the XEP-0153 hint in our presence).
    SetMyAvatar(Option<String>),
    /// The avatar fetcher stored (or dropped) a contact's avatar.
    AvatarStored(String, Option<String>),
}

/// Requests from the services to the session task.
pub(crate) enum Command {
    /// The outbox has a new (or retried) message to this contact: send what may go now.
    OutboxChanged(String),
    /// An incoming message stored outside the session (a direct file offer, XEP-0234): show it,
    /// count it unread and notify, batched like any other.
    Announce(hallway_model::Message),
    /// Broadcast a new own presence.
    SetPresence(MyPresence),
    /// The contact list as it stands.
    Contacts(oneshot::Sender<Vec<hallway_model::Contact>>),
    /// Fetch older history from the archive; replies once it is stored.
    FetchArchive(ArchiveRequest, ArchiveReply),
    /// Search the server archive's text (XEP-0431); nothing found is stored.
    SearchArchive(ArchiveQuery, SearchReply),
    /// Tell the contact we displayed their message with this id (XEP-0333).
    MarkDisplayed(BareJid, String),
    /// Send an iq and hand back the answer's payload (roster edits, vCards, avatars…).
    Request(Box<Iq>, Responder),
    /// Roster, presence, avatars, blocking: see `PeopleCommand`.
    People(PeopleCommand),
    /// The answer to an iq a contact sent us, from the service it was forwarded to (XEP-0047
    /// §2.2: an in-band block is acknowledged once written).
    Answer(Box<Iq>),
    /// Close the stream and end the task.
    Shutdown(oneshot::Sender<()>),
}

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

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
