//! One-to-one conversations: the `Conversations` service (send, retry, mark read, local search,
//! the page around a message, what the window shows) and, for the session, the part that
//! stores what arrives (`incoming.rs`).

pub(crate) mod incoming;

use std::sync::Arc;

use hallway_model::{parse_bare_jid, DeliveryState, Direction, Message, SearchResult};
use hallway_protocol::BareJid;

use crate::account::Account;
use crate::events::CoreEvent;
use crate::files::Files;
use crate::live::{Command, RoomsCommand};
use crate::CoreError;

/// Largest message the user may send (bytes of UTF-8); servers commonly cap stanzas near 256 kB.
pub const MAX_OUTGOING_BODY: usize = 200 * 1024;

/// The conversations of one account.
pub struct Conversations {
    acc: Arc<Account>,
    files: Arc<Files>,
    /// How our server takes XEP-0490 items (`ReadNode`).
    read_node: Arc<std::sync::atomic::AtomicU8>,
}

/// How our server takes XEP-0490 read positions: with every publish option, or only the common
/// ones (the node set to keep every conversation once, then left as it is).
struct ReadNode;

impl ReadNode {
    const FULL: u8 = 0;
    const COMPATIBLE_UNSET: u8 = 1;
    const COMPATIBLE: u8 = 2;
}

impl Conversations {
    pub(crate) fn new(acc: Arc<Account>, files: Arc<Files>) -> Self {
        Self {
            acc,
            files,
            read_node: Arc::new(std::sync::atomic::AtomicU8::new(ReadNode::FULL)),
        }
    }

    /// Stores the message in the outbox, then the session sends it (now or after the next
    /// reconnect). The window sees it through `MessagesReceived` (its command returns only the
    /// id); the stored message is returned here (state pending).
    pub async fn send_message(&self, peer: &str, body: &str) -> Result<Message, CoreError> {
        let peer = parse_bare_jid(peer).map_err(|e| CoreError::InvalidInput(e.to_string()))?;
        if body.trim().is_empty() {
            return Err(CoreError::InvalidInput("The message is empty.".into()));
        }
        if body.len() > MAX_OUTGOING_BODY {
            return Err(CoreError::InvalidInput(format!(
                "The message is too long ({} kB; {} kB at most). Send it as a file instead.",
                body.len() / 1024,
                MAX_OUTGOING_BODY / 1024
            )));
        }
        crate::outbox::writer::write(&self.acc, peer.as_str(), body, None, true)
    }

    /// Sends a failed message again (same origin-id: a peer that got it already drops the copy).
    /// A file whose transfer failed is transferred again first.
    pub async fn retry_message(&self, id: i64) -> Result<(), CoreError> {
        let account = self.acc.require()?;
        let Some(m) = self.acc.store.message(id)? else {
            return Err(CoreError::InvalidInput("No such message.".into()));
        };
        if m.direction != Direction::Outgoing || m.sender != account {
            return Err(CoreError::InvalidInput(
                "Only your own messages can be sent again.".into(),
            ));
        }
        if m.state != DeliveryState::Failed && m.state != DeliveryState::Pending {
            return Ok(());
        }
        let uploading = self.files.retry_transfer(m.clone()).await?;
        if self.acc.store.set_state(id, DeliveryState::Pending)? {
            self.acc.emit(CoreEvent::MessageStateChanged {
                id,
                state: DeliveryState::Pending,
            });
        }
        if !uploading {
            let _ = self
                .acc
                .session
                .send(Command::OutboxChanged(m.peer.clone()));
        }
        Ok(())
    }

    /// Marks a conversation read, and tells the contact with a XEP-0333 `displayed` marker on
    /// the newest message when they asked for markers (a room: by the room's stanza-id, to the
    /// room); our other devices learn where we read through our XEP-0490 read position.
    pub async fn mark_read(&self, peer: &str) -> Result<(), CoreError> {
        let account = self.acc.require()?;
        if self.acc.store.mark_read(&account, peer)? == 0 {
            return Ok(());
        }
        self.acc.emit(CoreEvent::UnreadChanged(vec![
            hallway_model::UnreadCount::none(peer),
        ]));
        let room = self.acc.store.is_room(&account, peer)?;
        let newest = self.acc.store.newest_incoming_stanza_id(&account, peer)?;
        if room {
            if let Some(sid) = &newest {
                let _ = self
                    .acc
                    .session
                    .send(Command::Rooms(RoomsCommand::MarkDisplayed(
                        peer.to_string(),
                        sid.clone(),
                    )));
            }
        } else if let (Some(id), Ok(to)) = (
            self.acc.store.newest_markable(&account, peer)?,
            BareJid::new(peer),
        ) {
            let _ = self.acc.session.send(Command::MarkDisplayed(to, id));
        }
        // XEP-0490: even when the contact asked for no markers. A room's ids are the room's
        // (§4: `by` is the room). In the background: reading never waits for it.
        if let Some(sid) = newest {
            let session = self.acc.session.clone();
            let peer = peer.to_string();
            let by = if room { peer.clone() } else { account };
            let node = self.read_node.clone();
            tokio::spawn(
                async move { publish_read_position(&session, &node, &peer, &sid, &by).await },
            );
        }
        Ok(())
    }

    /// A new session (maybe another account, another server): how it takes XEP-0490 items is
    /// learned again.
    pub(crate) fn forget_read_node(&self) {
        self.read_node
            .store(ReadNode::FULL, std::sync::atomic::Ordering::Relaxed);
    }

    /// The page around a message (a search result opens there), oldest first.
    pub fn load_history_around(&self, id: i64, limit: u32) -> Result<Vec<Message>, CoreError> {
        let account = self.acc.require()?;
        Ok(self
            .acc
            .store
            .history_around(&account, id, limit.clamp(1, 500))?)
    }

    /// Finds messages in every conversation (FTS5: words, prefixes, "phrases"; diacritics
    /// ignored), newest first.
    pub fn search_messages(&self, query: &str) -> Result<Vec<SearchResult>, CoreError> {
        let account = self.acc.require()?;
        if query.len() > 1000 {
            return Err(CoreError::InvalidInput("The search is too long.".into()));
        }
        Ok(self
            .acc
            .store
            .search(&account, query, 100)?
            .into_iter()
            .map(|h| SearchResult {
                message: h.message,
                snippet: h.snippet,
            })
            .collect())
    }

    /// What the user is looking at: the open conversation and whether the window has the focus
    /// (no notifications for a conversation in plain sight).
    pub fn set_visible_conversation(&self, peer: Option<String>, focused: bool) {
        let mut v = self.acc.view.lock().unwrap_or_else(|p| p.into_inner());
        v.visible_peer = peer;
        v.focused = focused;
    }
}

/// XEP-0490: publishes where the conversation with `peer` was read, with §3's options. A node
/// another client configured differently (`conflict`, XEP-0060 §7.1.5) takes the item as it is;
/// a server that cannot take an option (ejabberd 23.01: `max` items, resource-constraint) gets
/// the common ones from then on, and its node is set once to keep every conversation. Failures
/// are logged only (a courtesy to our other devices, and the next read publishes again).
async fn publish_read_position(
    session: &crate::live::SessionClient,
    node: &std::sync::atomic::AtomicU8,
    peer: &str,
    stanza_id: &str,
    by: &str,
) {
    use crate::live::RequestError;
    use hallway_protocol::{new_id, xep0490_mds};
    use std::sync::atomic::Ordering;
    const WHAT: &str = "Publishing where you read";
    if node.load(Ordering::Relaxed) == ReadNode::FULL {
        match session
            .ask_raw(xep0490_mds::publish(&new_id(), peer, stanza_id, by))
            .await
        {
            Ok(Ok(_)) => return,
            Ok(Err(RequestError::Refused(condition, _))) if condition == "Conflict" => {
                let mut iq = xep0490_mds::publish(&new_id(), peer, stanza_id, by);
                if let hallway_protocol::xmpp_parsers::iq::Iq::Set { payload, .. } = &mut iq {
                    payload.remove_child("publish-options", hallway_protocol::xep0060_pubsub::NS);
                }
                if let Err(e) = session.ask(WHAT, iq).await {
                    tracing::debug!("read position for {peer} not published: {e}");
                }
                return;
            }
            Ok(Err(RequestError::Refused(condition, _)))
                if matches!(
                    condition.as_str(),
                    "ResourceConstraint" | "NotAcceptable" | "BadRequest" | "PolicyViolation"
                ) =>
            {
                tracing::info!("read position options refused ({condition}); the common ones");
                node.store(ReadNode::COMPATIBLE_UNSET, Ordering::Relaxed);
            }
            Ok(Err(e)) => return tracing::debug!("read position for {peer} not published: {e:?}"),
            Err(e) => return tracing::debug!("read position for {peer} not published: {e}"),
        }
    }
    let iq = xep0490_mds::publish_compatible(&new_id(), peer, stanza_id, by);
    if let Err(e) = session.ask(WHAT, iq).await {
        return tracing::debug!("read position for {peer} not published: {e}");
    }
    if node.swap(ReadNode::COMPATIBLE, Ordering::Relaxed) == ReadNode::COMPATIBLE_UNSET {
        let iq = xep0490_mds::compatible_node_settings(&new_id());
        if let Err(e) = session.ask(WHAT, iq).await {
            tracing::warn!("read position node not set to keep every conversation: {e}");
        }
    }
}
