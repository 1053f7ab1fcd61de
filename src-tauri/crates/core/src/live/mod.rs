//! What the services, the session's parts and the session task share, below all of them: the
//! context a part works in while handling one input (`Cx`: the store, our account, the batch,
//! the iq table, the time) and what it asks the session task to do (`Out`: stanzas to send,
//! events, avatars to fetch); the iq router (`iq.rs`) and the batcher (`batch.rs`); and how
//! services reach the session (`client.rs`, `command.rs`). The parts — outbox, history sync,
//! chats, people — live with their domains; the task that owns the stream is `crate::session`.
//! Nothing here does stream I/O, so every part tests without a server (`testing.rs`).

pub(crate) mod batch;
pub(crate) mod client;
pub(crate) mod command;
pub(crate) mod iq;
#[cfg(test)]
pub(crate) mod testing;

use hallway_store::Store;
use tokio::time::Instant;
use tokio_xmpp::jid::BareJid;
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::message::Message as XmppMessage;
use tokio_xmpp::Stanza;

use crate::events::CoreEvent;

pub(crate) use batch::ViewState;
pub(crate) use client::SessionClient;
pub use command::now_ms;
pub(crate) use command::{Command, PeopleCommand, RoomsCommand};
pub(crate) use iq::{Registration, RequestError};

/// Fetch this contact's avatar with this hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AvatarJob {
    pub jid: String,
    pub hash: String,
}

/// The session's own iqs, by what their answer is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Pending {
    /// Our account's disco#info (which XEP-0359 stanza-ids to believe).
    ServerInfo,
    Roster,
    Carbons,
    Blocklist,
    /// Our XEP-0490 read positions (asked once the catch-up has stored what it found).
    ReadPositions,
    /// An archive query; its results are tagged with this query id.
    Archive(String),
    /// A room's disco#info (its name, whether it stamps stanza-ids).
    RoomInfo(String),
    /// A room's disco#info read again after its settings changed: only its name is taken.
    RoomRefresh(String),
    /// A query of a room's own archive (XEP-0313); its results are tagged with this query id.
    RoomArchive(String),
    /// The owner form of a room we created (XEP-0045 §10.1.3).
    RoomForm(String),
    /// Our settings submitted to a room we created.
    RoomConfigured(String),
    /// XEP-0410: are we still in this room?
    SelfPing(String),
    /// Our XEP-0402 bookmarks (the rooms to join).
    Bookmarks,
}

impl Pending {
    /// Whether the rooms part awaits this answer (a room's info, archive or self-ping, or our
    /// bookmarks).
    pub(crate) fn is_rooms(&self) -> bool {
        matches!(
            self,
            Self::RoomInfo(_)
                | Self::RoomRefresh(_)
                | Self::RoomArchive(_)
                | Self::RoomForm(_)
                | Self::RoomConfigured(_)
                | Self::SelfPing(_)
                | Self::Bookmarks
        )
    }
}

/// A stanza for the stream.
#[derive(Debug)]
pub(crate) enum Outgoing {
    /// Sent as it is.
    Plain(Box<Stanza>),
    /// An outbox message (row `message_id`, transmission `seq`): its XEP-0198 ack is awaited.
    Chat {
        message_id: i64,
        seq: u64,
        stanza: Box<XmppMessage>,
    },
    /// A receipt or marker: sent again after a fresh session when the old stream lost it.
    Extra(Box<XmppMessage>),
}

/// What the parts ask the actor to do.
#[derive(Debug, Default)]
pub(crate) struct Out {
    /// Stanzas to send, in order.
    pub send: Vec<Outgoing>,
    /// Events for the UI now (not batched).
    pub events: Vec<CoreEvent>,
    /// Avatars to fetch.
    pub avatar_jobs: Vec<AvatarJob>,
    /// The batch must go to the UI now, not at the end of its window (a history page someone
    /// waits for).
    pub flush_now: bool,
    /// History requests answered (`Ok`) once the batch with their page has gone to the UI.
    pub history_done: Vec<command::ArchiveReply>,
}

impl Out {
    /// Sends a plain stanza.
    pub(crate) fn stanza(&mut self, s: Stanza) {
        self.send.push(Outgoing::Plain(Box::new(s)));
    }
}

/// What every part may use while handling one input.
pub(crate) struct Cx<'a> {
    pub store: &'a Store,
    pub account: &'a BareJid,
    pub out: &'a mut Out,
    pub batch: &'a mut batch::Batcher,
    pub iq: &'a mut iq::IqRouter<Pending>,
    /// Now, for batching and timeouts, and as milliseconds since the epoch.
    pub now: Instant,
    pub now_ms: i64,
}

impl Cx<'_> {
    /// Sends one of the session's own iqs and remembers what its answer is for.
    pub(crate) fn send_iq(&mut self, kind: Pending, prefix: &str, build: impl FnOnce(&str) -> Iq) {
        let id = self.iq.next_id(prefix);
        let iq = build(&id);
        self.iq.track_own(id, kind, self.now);
        self.out.stanza(iq.into());
    }
}
