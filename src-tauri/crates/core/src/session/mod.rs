//! One account's live session: a single task owns tokio-xmpp's `StanzaStream` (never split:
//! tokio-xmpp.md explains the stall) and `select!`s between incoming stream events, commands
//! from the app and delivery-token outcomes. It keeps the roster and presence, writes every
//! message to the store before the UI hears of it, and batches presence/message storms into one
//! UI event per 50 ms.
//!
//! Fresh session (`Reset`) vs resumed (`Resumed`, XEP-0198): after a reset we fetch the roster,
//! enable carbons (XEP-0280), resend our presence, resend the outbox entries (and receipts and
//! markers) whose stanzas the old stream lost, and catch up from the server archive (XEP-0313):
//! newest page first, bounded, stopping at the newest archive id we hold; a catch-up cut short
//! by its bound records a gap that `load_history` fills when the user scrolls into it. After a
//! resumption the server kept all of that.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::{FutureExt, StreamExt};
use hallway_model::{
    AutoAway, ConnectionError, ConnectionState, Contact, DeliveryState, Direction, Message,
    MyPresence, MyShow, NewMessage, Placement, PresenceShow, PresenceUpdate, SubscriptionRequest,
};
use hallway_protocol::chat::{self, ChatMessage, Incoming, ServerFacts};
use hallway_protocol::rfc6121_roster::{self, RosterItem};
use hallway_protocol::xep0313_mam::{self, ArchiveQuery, ArchivedMessage};
use hallway_protocol::xep0333_markers;
use hallway_protocol::{
    xep0030_disco, xep0047_ibb, xep0060_pubsub, xep0184_receipts, xep0191_blocking, xep0199_ping,
    xep0234_jingle_ft, xep0280_carbons, xep0490_mds,
};
use hallway_store::{ContactInfo, Inserted, Store};
use tokio::sync::{mpsc, oneshot, watch};
use tokio_xmpp::jid::{BareJid, Jid};
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::stanzastream::{
    Event, StanzaStage, StanzaState, StanzaStream, StanzaToken, StreamEvent,
};
use tokio_xmpp::Stanza;

use crate::avatars::AvatarJob;
use crate::connection::{reconnector, ReconnectContext};
use crate::connector::HallwayConnector;
use crate::emitter::Emitter;
use crate::events::CoreEvent;
use crate::notify::{self, NotifyContext};

mod people;
pub(crate) use people::{Details, PeopleCommand};

const BATCH_WINDOW: Duration = Duration::from_millis(50);
const IQ_TIMEOUT: Duration = Duration::from_secs(30);
/// Archive page size we ask for (servers may return fewer: Prosody caps pages at 50).
const ARCHIVE_PAGE: usize = 100;
/// After a fresh session, our messages of this recent past still without a receipt are sent
/// again (same origin-id) to ask for it.
const RECEIPT_RETRY_WINDOW_MS: i64 = 10 * 60 * 1000;
/// Receipts and markers remembered for a resend when they bounce.
const MAX_BOUNCEABLE: usize = 10_000;
/// On an account's first sign-in only recent history is fetched; older pages come on scroll.
const FIRST_SYNC_LIMIT: usize = 200;
/// Pages of nothing but duplicates one history request walks through before giving up.
const MAX_DUPLICATE_PAGES: usize = 20;
/// Our archive is searched this far before a message's transmission for its copy: the server's
/// clock stamps the archive, ours stamped the transmission.
const VERIFY_MARGIN_MS: i64 = 15 * 60 * 1000;
/// Pages of one conversation's archive looked through for copies of our unacknowledged messages.
const MAX_VERIFY_PAGES: usize = 20;
/// Messages kept per stranger (someone outside the roster): older ones are dropped.
const STRANGER_QUOTA: u32 = 200;
/// Receipts held until the roster is known (who may get one), at most.
const MAX_DEFERRED_RECEIPTS: usize = 1000;

/// What the window shows, for notification decisions (set by the messenger).
#[derive(Debug, Clone, Default)]
pub(crate) struct ViewState {
    pub visible_peer: Option<String>,
    pub focused: bool,
    pub previews: bool,
}

/// Older history of one conversation wanted from the archive (XEP-0313).
#[derive(Debug, Clone)]
pub(crate) struct ArchiveRequest {
    pub peer: String,
    pub start_ms: Option<i64>,
    pub end_ms: Option<i64>,
    pub max: usize,
    /// Filling this gap (id, its start): progress is recorded per conversation.
    pub gap: Option<(i64, i64)>,
    /// Page before this archive id (exact; else the newest page within the time bounds).
    pub before_id: Option<String>,
    /// Place (`ord`) of the stored message `before_id` names: a gap's pages go just below it.
    pub anchor_ord: Option<i64>,
}

type ArchiveReply = oneshot::Sender<Result<(), String>>;

/// One page of an archive text search (XEP-0431): the matches, oldest first, and the archive id
/// to page on from when older matches remain.
pub(crate) struct ArchiveSearchPage {
    pub items: Vec<ArchivedMessage>,
    pub older: Option<String>,
}

type SearchReply = oneshot::Sender<Result<ArchiveSearchPage, String>>;

/// Why an iq request of the app failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RequestError {
    /// Not connected (the request was not sent).
    Offline,
    /// The stream was reset or no answer came in time.
    NoAnswer,
    /// The server or contact answered with an error (RFC 6120 §8.3 condition, text).
    Refused(String, Option<String>),
}

pub(crate) type Responder =
    oneshot::Sender<Result<Option<tokio_xmpp::minidom::Element>, RequestError>>;

/// Requests from the app to the session task.
pub(crate) enum Command {
    /// The outbox has a new (or retried) message to this contact: send what may go now.
    OutboxChanged(String),
    /// An incoming message stored outside the session (a direct file offer, XEP-0234): show it,
    /// count it unread and notify, batched like any other.
    Announce(Message),
    /// Broadcast a new own presence.
    SetPresence(MyPresence),
    /// The contact list as it stands.
    Contacts(oneshot::Sender<Vec<Contact>>),
    /// Fetch older history from the archive; replies once it is stored.
    FetchArchive(ArchiveRequest, ArchiveReply),
    /// Search the server archive's text (XEP-0431); nothing found is stored.
    SearchArchive(ArchiveQuery, SearchReply),
    /// Tell the contact we displayed their message with this id (XEP-0333).
    MarkDisplayed(BareJid, String),
    /// Send an iq and hand back the answer's payload (roster edits, vCards, avatars…).
    Request(Box<Iq>, Responder),
    /// Roster, presence, avatars, blocking: see `people`.
    People(PeopleCommand),
    /// The answer to an iq a contact sent us, once the part that handles it is done (a
    /// direct transfer's Jingle and IBB iqs, XEP-0047 §2.2: acknowledged once written).
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
    /// Where avatar images are fetched to.
    pub avatar_cache: crate::avatars::AvatarCache,
    /// Our avatar's hash (XEP-0153 hint in our presence).
    pub my_avatar: Option<String>,
    /// Where Jingle / IBB iqs from contacts' devices go, unanswered (XEP-0234 direct transfer).
    pub direct_tx: mpsc::Sender<crate::files::DirectIncoming>,
}

fn last_online_key(account: &str) -> String {
    format!("last_online:{account}")
}

/// Settings key: our server stamps XEP-0359 stanza-ids (remembered, so the first messages of a
/// session are judged before its disco#info answers).
fn server_sid_key(account: &str) -> String {
    format!("server_sid:{account}")
}

/// Starts the session task.
pub(crate) fn start(cfg: SessionConfig) -> SessionHandle {
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let (fatal_tx, fatal_rx) = mpsc::unbounded_channel();
    let failures = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let ctx = Arc::new(ReconnectContext {
        connector: cfg.connector.clone(),
        jid: cfg.full_jid.clone(),
        password: cfg.password.clone(),
        emitter: cfg.emitter.clone(),
        first: std::sync::Mutex::new(cfg.first),
        shutdown: shutdown_rx,
        fatal: fatal_tx,
        failures: failures.clone(),
    });
    let stream = StanzaStream::new(reconnector(ctx), 256);
    let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
    let avatar_jobs = crate::avatars::spawn_fetcher(cfg.avatar_cache, cmd_tx.downgrade());
    let (token_tx, token_rx) = mpsc::unbounded_channel();
    let since_ms = cfg
        .store
        .setting::<i64>(&last_online_key(cfg.account.as_str()))
        .ok()
        .flatten()
        .unwrap_or_else(now_ms);
    let infos = cfg
        .store
        .contact_infos(cfg.account.as_str())
        .unwrap_or_default();
    let incoming_peers = cfg
        .store
        .incoming_peers(cfg.account.as_str())
        .unwrap_or_default()
        .into_iter()
        .collect();
    let server_facts = ServerFacts {
        stanza_ids: cfg
            .store
            .setting::<bool>(&server_sid_key(cfg.account.as_str()))
            .ok()
            .flatten()
            .unwrap_or(false),
    };
    let actor = Actor {
        server_facts,
        roster_loaded: false,
        deferred_receipts: Vec::new(),
        verifying: HashSet::new(),
        pointer_held: false,
        requests: HashMap::new(),
        blocked: BTreeSet::new(),
        sub_requests: BTreeMap::new(),
        infos,
        incoming_peers,
        requests_dirty: false,
        auto: AutoAway::Off,
        idle_since: None,
        my_avatar: cfg.my_avatar,
        direct_tx: cfg.direct_tx,
        presence_dirty: false,
        wanted_avatars: HashMap::new(),
        hold_notify: false,
        avatar_jobs,
        view: cfg.view,
        catch_up_limit: cfg.catch_up_limit,
        since_ms,
        pending_notify: Vec::new(),
        archive: HashMap::new(),
        held_live: None,
        extras: Vec::new(),
        bounceable: HashMap::new(),
        account: cfg.account.clone(),
        account_str: cfg.account.to_string(),
        store: cfg.store,
        emitter: cfg.emitter,
        my_presence: cfg.my_presence,
        online_notify: cfg.online,
        online: false,
        roster: BTreeMap::new(),
        resources: HashMap::new(),
        tokens: HashMap::new(),
        token_tx,
        send_seq: 0,
        pending_iqs: HashMap::new(),
        pending_presence: BTreeMap::new(),
        pending_messages: Vec::new(),
        pending_unread: BTreeSet::new(),
        flush_at: None,
        iq_counter: 0,
        failures,
    };
    let task = tokio::spawn(actor.run(stream, cmd_rx, token_rx, fatal_rx));
    SessionHandle {
        commands: cmd_tx,
        shutdown: shutdown_tx,
        task,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PendingIq {
    /// Our account's disco#info, answered by our server (which XEP-0359 claims to believe).
    ServerInfo,
    Roster,
    Carbons,
    Blocklist,
    /// Our XEP-0490 read positions (asked once the catch-up has stored what it found).
    ReadPositions,
    /// An archive query; its results are tagged with this query id.
    Archive(String),
}

/// Why an archive query runs.
enum ArchivePurpose {
    /// After a fresh session: everything newer than `after` (the newest id we hold), newest
    /// page first, at most `limit` messages.
    CatchUp {
        after: Option<(String, i64)>,
        limit: usize,
    },
    /// Older history of one conversation for `load_history`.
    Older {
        request: ArchiveRequest,
        reply: Option<ArchiveReply>,
        pages: usize,
    },
    /// A text search for the user: one page, handed back as it is.
    Search(Option<SearchReply>),
    /// After a failed resumption: which of our messages to `peer` that the old stream sent but
    /// never saw acknowledged the server has anyway (by XEP-0359 origin-id), so only the others
    /// go out again and no receiver gets one twice.
    Verify {
        peer: String,
        /// Origin-ids still in doubt.
        doubt: HashSet<String>,
        pages: usize,
    },
}

/// One archive query in flight: its pages so far (newest page first) and the current page.
struct ArchiveFetch {
    purpose: ArchivePurpose,
    query: ArchiveQuery,
    pages: Vec<Vec<ArchivedMessage>>,
    page: Vec<ArchivedMessage>,
}

#[derive(Debug, Clone)]
struct Resource {
    show: PresenceShow,
    status: Option<String>,
    priority: i8,
    idle_since: Option<i64>,
}

struct TokenOutcome {
    message_id: i64,
    seq: u64,
    acked: bool,
}

struct Actor {
    /// What our server's disco#info says about stanza-ids (XEP-0359 §4).
    server_facts: ServerFacts,
    /// The roster has been fetched at least once: until then nobody gets a receipt.
    roster_loaded: bool,
    /// Receipts asked for before the roster was known, sent to those in it once it is.
    deferred_receipts: Vec<(Jid, String)>,
    /// Conversations whose unacknowledged messages are being looked up in our archive; their
    /// outbox waits.
    verifying: HashSet<String>,
    /// The last catch-up could not store what it fetched: live messages must not move the
    /// archive pointer past it until a catch-up succeeds (else those messages are skipped).
    pointer_held: bool,
    /// The app's iq requests in flight, by iq id.
    requests: HashMap<String, (Responder, Instant, Option<Jid>)>,
    /// Our XEP-0191 block list.
    blocked: BTreeSet<String>,
    /// Subscription requests waiting for Accept / Decline.
    sub_requests: BTreeMap<String, SubscriptionRequest>,
    /// Remembered avatar and last-seen per contact.
    infos: HashMap<String, ContactInfo>,
    /// Everyone who ever wrote to us (people outside the roster among them are "Requests").
    incoming_peers: BTreeSet<String>,
    /// Message requests must be sent to the UI again with the next flush.
    requests_dirty: bool,
    /// What automatic away applies to our presence, and since when we are idle (XEP-0319).
    auto: AutoAway,
    idle_since: Option<i64>,
    /// Our avatar's hash.
    my_avatar: Option<String>,
    /// Our presence must go out again (our avatar changed on another device).
    presence_dirty: bool,
    /// Avatar announced per contact and still being fetched (`None`: removed meanwhile).
    wanted_avatars: HashMap<String, Option<String>>,
    /// Notifications wait for our XEP-0490 read positions after a catch-up: what was read on
    /// another device meanwhile must not pop up here.
    hold_notify: bool,
    avatar_jobs: mpsc::UnboundedSender<AvatarJob>,
    /// Jingle / IBB iqs from contacts' devices go to the files service (XEP-0234), which
    /// answers them; bounded, so a device that floods gets `resource-constraint`.
    direct_tx: mpsc::Sender<crate::files::DirectIncoming>,
    view: Arc<std::sync::Mutex<ViewState>>,
    catch_up_limit: usize,
    /// Messages stamped before this (end of the previous session) are never notified.
    since_ms: i64,
    /// Newly stored messages that may deserve a notification (flushed with the batch).
    pending_notify: Vec<Message>,
    /// Archive queries in flight, by query id.
    archive: HashMap<String, ArchiveFetch>,
    /// While a catch-up runs, live chat messages wait here: a message the old session lost can
    /// only come from the archive, and must not land after newer ones that arrived live.
    held_live: Option<Vec<ChatMessage>>,
    /// Receipts and markers we sent, with their tokens: resent after a fresh session when the
    /// old stream lost them (the contact's "delivered"/"read" depends on them).
    extras: Vec<(tokio_xmpp::parsers::message::Message, StanzaToken)>,
    /// Recent receipts and markers by stanza id, with how often they bounced.
    bounceable: HashMap<String, (tokio_xmpp::parsers::message::Message, u8)>,
    account: BareJid,
    account_str: String,
    store: Arc<Store>,
    emitter: Emitter,
    my_presence: MyPresence,
    online_notify: Option<oneshot::Sender<Result<(), ConnectionError>>>,
    online: bool,
    roster: BTreeMap<String, RosterItem>,
    /// bare JID → full JID → presence.
    resources: HashMap<String, HashMap<String, Resource>>,
    /// Outbox message id → (send sequence, token of its latest transmission).
    tokens: HashMap<i64, (u64, StanzaToken, String)>,
    token_tx: mpsc::UnboundedSender<TokenOutcome>,
    send_seq: u64,
    pending_iqs: HashMap<String, (PendingIq, Instant)>,
    pending_presence: BTreeMap<String, PresenceUpdate>,
    pending_messages: Vec<Message>,
    pending_unread: BTreeSet<String>,
    flush_at: Option<tokio::time::Instant>,
    iq_counter: u64,
    failures: Arc<std::sync::atomic::AtomicU32>,
}

impl Actor {
    async fn run(
        mut self,
        mut stream: StanzaStream,
        mut commands: mpsc::UnboundedReceiver<Command>,
        mut tokens: mpsc::UnboundedReceiver<TokenOutcome>,
        mut fatal: mpsc::UnboundedReceiver<ConnectionError>,
    ) {
        let mut housekeeping = tokio::time::interval(Duration::from_secs(5));
        loop {
            let flush_at = self.flush_at;
            tokio::select! {
                ev = stream.next() => match ev {
                    Some(Event::Stream(s)) => self.on_stream_event(&stream, s).await,
                    Some(Event::Stanza(s)) => {
                        self.on_stanza(&stream, s).await;
                        if std::mem::take(&mut self.presence_dirty) {
                            self.broadcast_presence(&stream).await;
                        }
                    }
                    None => break,
                },
                cmd = commands.recv() => match cmd {
                    Some(Command::OutboxChanged(peer)) => self.pump_outbox(&stream, Some(peer)).await,
                    Some(Command::Announce(msg)) => {
                        self.pending_unread.insert(msg.peer.clone());
                        self.pending_notify.push(msg.clone());
                        self.note_incoming(&msg.peer);
                        self.pending_messages.push(msg);
                        self.arm_flush();
                    }
                    Some(Command::SetPresence(p)) => {
                        self.my_presence = p;
                        self.broadcast_presence(&stream).await;
                    }
                    Some(Command::Request(iq, reply)) => self.request(&stream, iq, reply).await,
                    Some(Command::People(c)) => self.on_people_command(&stream, c).await,
                    Some(Command::Answer(iq)) => { stream.send(Box::new((*iq).into())).await; }
                    Some(Command::Contacts(reply)) => { let _ = reply.send(self.contacts()); }
                    Some(Command::FetchArchive(request, reply)) => {
                        if self.online {
                            let query = match &request.before_id {
                                Some(id) => ArchiveQuery {
                                    with: BareJid::new(&request.peer).ok(),
                                    start_ms: request.start_ms,
                                    before: Some(id.clone()),
                                    max: request.max.min(ARCHIVE_PAGE),
                                    ..Default::default()
                                },
                                None => older_query(&request),
                            };
                            let purpose = ArchivePurpose::Older { request, reply: Some(reply), pages: 0 };
                            self.start_archive_query(&stream, purpose, query).await;
                        } else {
                            let _ = reply.send(Err("offline".into()));
                        }
                    }
                    Some(Command::SearchArchive(query, reply)) => {
                        if self.online {
                            self.start_archive_query(&stream, ArchivePurpose::Search(Some(reply)), query).await;
                        } else {
                            let _ = reply.send(Err("offline".into()));
                        }
                    }
                    Some(Command::MarkDisplayed(to, id)) => {
                        // Markers only to people in the roster: one to a stranger says we are
                        // online and reading.
                        if self.online && self.roster.contains_key(to.as_str()) {
                            self.send_extra(&stream, xep0333_markers::displayed(&to, &id)).await;
                        }
                    }
                    Some(Command::Shutdown(reply)) => {
                        self.save_last_online();
                        self.release_live();
                        self.flush();
                        // An explicit unavailable presence tells contacts we left (RFC 6121 §4.5).
                        if self.online {
                            stream.send(Box::new(tokio_xmpp::parsers::presence::Presence::unavailable().into())).await;
                        }
                        let _ = tokio::time::timeout(Duration::from_secs(3), stream.close()).await;
                        self.emitter.connection(ConnectionState::Offline);
                        let _ = reply.send(());
                        return;
                    }
                    None => break,
                },
                Some(outcome) = tokens.recv() => self.on_token(&stream, outcome).await,
                Some(err) = fatal.recv() => {
                    if let Some(n) = self.online_notify.take() { let _ = n.send(Err(err)); }
                    // The stream can never come back; drop it (the reconnector parked its slot).
                    self.online = false;
                    self.release_live();
                    self.flush();
                    drop(stream);
                    // Keep answering contact queries until the messenger drops us.
                    for (_, (r, _, _)) in self.requests.drain() {
                        let _ = r.send(Err(RequestError::Offline));
                    }
                    while let Some(cmd) = commands.recv().await {
                        match cmd {
                            Command::Contacts(reply) => { let _ = reply.send(self.contacts()); }
                            Command::Request(_, reply) => { let _ = reply.send(Err(RequestError::Offline)); }
                            Command::Shutdown(reply) => { let _ = reply.send(()); return; }
                            _ => {}
                        }
                    }
                    return;
                },
                _ = async { if let Some(t) = flush_at { tokio::time::sleep_until(t).await } }, if flush_at.is_some() => self.flush(),
                _ = housekeeping.tick() => self.housekeeping(&stream).await,
            }
        }
        self.flush();
    }

    /// Read positions are in (or will not come): held notifications are decided now.
    fn release_notify(&mut self) {
        self.hold_notify = false;
        self.arm_flush();
    }

    async fn housekeeping(&mut self, stream: &StanzaStream) {
        let now = Instant::now();
        let expired: Vec<String> = self
            .pending_iqs
            .iter()
            .filter(|(_, (_, at))| now.duration_since(*at) >= IQ_TIMEOUT)
            .map(|(id, _)| id.clone())
            .collect();
        let late: Vec<String> = self
            .requests
            .iter()
            .filter(|(_, (_, at, _))| now.duration_since(*at) >= IQ_TIMEOUT)
            .map(|(id, _)| id.clone())
            .collect();
        for id in late {
            if let Some((r, _, _)) = self.requests.remove(&id) {
                let _ = r.send(Err(RequestError::NoAnswer));
            }
        }
        for id in expired {
            tracing::warn!("iq {id} timed out");
            let gone = self.pending_iqs.remove(&id);
            if let Some((PendingIq::ReadPositions, _)) = gone {
                self.release_notify();
            }
            if let Some((PendingIq::Archive(qid), _)) = gone {
                if let Some(f) = self.archive.remove(&qid) {
                    match f.purpose {
                        ArchivePurpose::Older { reply: Some(r), .. } => {
                            let _ = r.send(Err("the server archive did not answer".into()));
                        }
                        ArchivePurpose::Search(Some(r)) => {
                            let _ = r.send(Err("the server archive did not answer".into()));
                        }
                        ArchivePurpose::CatchUp { .. } => self.release_live(),
                        // No answer: what is still in doubt goes out again, as without an archive.
                        ArchivePurpose::Verify { peer, .. } => self.end_verify(stream, peer).await,
                        ArchivePurpose::Older { .. } | ArchivePurpose::Search(None) => {}
                    }
                }
            }
        }
        // Acked receipts and markers need no resend.
        self.extras.retain_mut(|(_, t)| {
            !matches!(
                t.wait_for(StanzaStage::Acked).now_or_never(),
                Some(Some(StanzaState::Acked { .. }))
            )
        });
        if self.online {
            self.save_last_online();
        }
    }

    fn save_last_online(&self) {
        if let Err(e) = self
            .store
            .set_setting(&last_online_key(&self.account_str), &now_ms())
        {
            tracing::warn!("could not record last online time: {e}");
        }
    }

    /// Sends a receipt or marker and keeps it until the server acks it.
    async fn send_extra(
        &mut self,
        stream: &StanzaStream,
        m: tokio_xmpp::parsers::message::Message,
    ) {
        let token = stream.send(Box::new(m.clone().into())).await;
        if let Some(id) = m.id.as_ref().map(|i| i.0.clone()) {
            if self.bounceable.len() >= MAX_BOUNCEABLE {
                self.bounceable.clear(); // old ones are long settled
            }
            self.bounceable.entry(id).or_insert((m.clone(), 0));
        }
        self.extras.push((m, token));
    }

    /// After a fresh session: receipts and markers the old stream lost go out again.
    async fn resend_extras(&mut self, stream: &StanzaStream) {
        let old = std::mem::take(&mut self.extras);
        let (mut kept, mut resent) = (0, 0);
        for (m, mut token) in old {
            match token.wait_for(StanzaStage::Acked).now_or_never() {
                Some(Some(StanzaState::Acked { .. })) => {}
                None => {
                    kept += 1;
                    self.extras.push((m, token));
                }
                Some(_) => {
                    resent += 1;
                    self.send_extra(stream, m).await;
                }
            }
        }
        tracing::debug!(
            "receipts/markers after a fresh session: {resent} resent, {kept} still queued"
        );
    }

    async fn start_archive_query(
        &mut self,
        stream: &StanzaStream,
        purpose: ArchivePurpose,
        query: ArchiveQuery,
    ) {
        let fetch = ArchiveFetch {
            purpose,
            query,
            pages: Vec::new(),
            page: Vec::new(),
        };
        self.send_archive_page(stream, fetch).await;
    }

    async fn send_archive_page(&mut self, stream: &StanzaStream, fetch: ArchiveFetch) {
        let qid = self.next_id("q");
        let iq_id = self.next_id("mam");
        let iq = xep0313_mam::query(&iq_id, &qid, &fetch.query);
        self.pending_iqs
            .insert(iq_id, (PendingIq::Archive(qid.clone()), Instant::now()));
        self.archive.insert(qid, fetch);
        stream.send(Box::new(iq.into())).await;
    }

    /// Starts the catch-up after a fresh session.
    async fn catch_up(&mut self, stream: &StanzaStream) {
        if self
            .archive
            .values()
            .any(|f| matches!(f.purpose, ArchivePurpose::CatchUp { .. }))
        {
            return;
        }
        let after = self.store.archive_newest(&self.account_str).ok().flatten();
        tracing::debug!("archive catch-up after {after:?}");
        self.held_live.get_or_insert_with(Vec::new);
        let limit = if after.is_some() {
            self.catch_up_limit
        } else {
            FIRST_SYNC_LIMIT.min(self.catch_up_limit)
        };
        let query = ArchiveQuery {
            after: after.as_ref().map(|(id, _)| id.clone()),
            before: Some(String::new()),
            max: ARCHIVE_PAGE,
            ..Default::default()
        };
        self.start_archive_query(stream, ArchivePurpose::CatchUp { after, limit }, query)
            .await;
    }

    async fn on_archive_fin(
        &mut self,
        stream: &StanzaStream,
        mut f: ArchiveFetch,
        fin: xep0313_mam::Fin,
    ) {
        let mut page = std::mem::take(&mut f.page);
        match &mut f.purpose {
            ArchivePurpose::Verify { peer, doubt, pages } => {
                *pages += 1;
                let mut found = Vec::new();
                for a in page {
                    if let Incoming::Chat(c) = chat::parse_archived(a, &self.account) {
                        if let Some(o) = c.origin_id.filter(|o| c.outgoing && doubt.remove(o)) {
                            found.push(o);
                        }
                    }
                }
                let peer = peer.clone();
                for origin in found {
                    // The server has it: the old stream delivered it, only the ack was lost.
                    tracing::info!("message {origin} to {peer} is in our archive: not resent");
                    if let Ok(Some(id)) =
                        self.store.find_outgoing(&self.account_str, &peer, &origin)
                    {
                        self.tokens.remove(&id);
                        self.move_state(id, DeliveryState::Sent);
                    }
                }
                let more = !fin.complete && fin.last.is_some() && *pages < MAX_VERIFY_PAGES;
                if more && !doubt.is_empty() {
                    f.query.after = fin.last.clone();
                    self.send_archive_page(stream, f).await;
                    return;
                }
                self.end_verify(stream, peer).await;
            }
            ArchivePurpose::Search(reply) => {
                let older = if fin.complete { None } else { fin.first };
                if let Some(r) = reply.take() {
                    let _ = r.send(Ok(ArchiveSearchPage { items: page, older }));
                }
            }
            ArchivePurpose::CatchUp { after, limit } => {
                let mut reached = false;
                if let Some((id, _)) = after {
                    if let Some(pos) = page.iter().position(|a| a.archive_id == *id) {
                        page.drain(..=pos);
                        reached = true;
                    }
                }
                let got = !page.is_empty();
                tracing::debug!(
                    "catch-up page: {} new results, complete={}, reached our newest={reached}",
                    page.len(),
                    fin.complete
                );
                f.pages.push(page);
                let total: usize = f.pages.iter().map(Vec::len).sum();
                if !fin.complete && !reached && got && total < *limit && fin.first.is_some() {
                    f.query.before = fin.first.clone();
                    self.send_archive_page(stream, f).await;
                    return;
                }
                let cut_short = !fin.complete && !reached && got;
                let after = after.clone();
                // Oldest page first, each page oldest first: arrival order.
                let items: Vec<ArchivedMessage> = f.pages.into_iter().rev().flatten().collect();
                let newest = items.last().map(|a| (a.archive_id.clone(), a.stamp_ms));
                let oldest = items.first().and_then(|a| a.stamp_ms);
                let first_row = self.store.last_message_row().unwrap_or(0);
                let n = match self
                    .ingest_archive(stream, items, Placement::Append, after.is_some())
                    .await
                {
                    Ok((n, _)) => n,
                    Err(e) => {
                        // Nothing was stored: the pointer stays, the next catch-up fetches
                        // the same messages again.
                        tracing::warn!("archive catch-up not stored ({e}); will retry");
                        self.pointer_held = true;
                        self.release_live();
                        return;
                    }
                };
                tracing::info!("archive catch-up stored {n} new messages");
                self.pointer_held = false;
                if let Some((id, ts)) = newest {
                    let _ = self.store.set_archive_newest(
                        &self.account_str,
                        &id,
                        ts.unwrap_or_else(now_ms),
                    );
                }
                if let (true, Some((_, after_ts)), Some(oldest)) = (cut_short, &after, oldest) {
                    tracing::info!("archive catch-up bounded: gap recorded");
                    let _ = self.store.add_archive_gap(
                        &self.account_str,
                        *after_ts,
                        oldest,
                        first_row + 1,
                    );
                }
                self.release_live();
                if after.is_some() {
                    self.resend_owed_receipts(stream).await;
                }
                // XEP-0490 §4: where our other devices read while we were away. Asked now, so
                // the messages the catch-up stored are there to be marked read.
                let own = Jid::from(self.account.clone());
                self.hold_notify = true;
                self.send_iq(stream, PendingIq::ReadPositions, "mds", |id| {
                    xep0060_pubsub::items_request(id, &own, xep0490_mds::NODE, None, None)
                })
                .await;
            }
            ArchivePurpose::Older {
                request,
                reply,
                pages,
            } => {
                *pages += 1;
                let got = !page.is_empty();
                tracing::debug!(
                    "archive page for {}: {} results, complete={}, query {:?}",
                    request.peer,
                    page.len(),
                    fin.complete,
                    f.query
                );
                let page_len = page.len();
                let placement = match (request.gap, request.anchor_ord) {
                    (Some(_), Some(anchor)) => Placement::Below(anchor),
                    (Some(_), None) => Placement::Append,
                    (None, _) => Placement::Prepend,
                };
                let (n, oldest) = match self.ingest_archive(stream, page, placement, false).await {
                    Ok(r) => r,
                    Err(e) => {
                        if let Some(r) = reply.take() {
                            let _ = r.send(Err(format!("could not store history: {e}")));
                        }
                        return;
                    }
                };
                if let (Some(_), Some(anchor)) = (request.gap, request.anchor_ord) {
                    // Each new message went right below the previous one.
                    request.anchor_ord = Some(anchor - n as i64);
                }
                let gap_goes_on = request.gap.is_some()
                    && got
                    && n == page_len
                    && !fin.complete
                    && fin.first.is_some()
                    && request.anchor_ord.is_some()
                    && *pages < MAX_DUPLICATE_PAGES;
                if gap_goes_on {
                    f.query.before = fin.first.clone();
                    self.send_archive_page(stream, f).await;
                    return;
                }
                if request.gap.is_none()
                    && n == 0
                    && got
                    && !fin.complete
                    && fin.first.is_some()
                    && *pages < MAX_DUPLICATE_PAGES
                {
                    f.query.before = fin.first.clone();
                    self.send_archive_page(stream, f).await;
                    return;
                }
                let peer = request.peer.clone();
                let recorded = match request.gap {
                    Some((gap_id, gap_start)) => {
                        // Done when the archive has no more, or when the page reached messages
                        // we already had from before the gap.
                        let remaining = match oldest {
                            Some(ts) if !fin.complete && got && n == page_len => {
                                ts.max(gap_start + 1)
                            }
                            _ => gap_start,
                        };
                        self.store
                            .fill_archive_gap(gap_id, &peer, remaining, request.anchor_ord)
                    }
                    None if fin.complete || !got => {
                        self.store.set_archive_complete(&self.account_str, &peer)
                    }
                    None => Ok(()),
                };
                if let Err(e) = recorded {
                    tracing::warn!("could not record archive progress: {e}");
                }
                self.flush();
                if let Some(r) = reply.take() {
                    let _ = r.send(Ok(()));
                }
            }
        }
    }

    async fn on_archive_error(&mut self, stream: &StanzaStream, f: ArchiveFetch, error: String) {
        match f.purpose {
            // No archive (or it refused): what is in doubt goes out again, as it always did.
            ArchivePurpose::Verify { peer, .. } => {
                tracing::info!("could not look up unacknowledged messages to {peer}: {error}");
                self.end_verify(stream, peer).await;
            }
            // The id we hold is gone from the archive (expired): fetch the newest pages without
            // it and record the gap from our newest message.
            ArchivePurpose::CatchUp {
                after: Some((_, after_ts)),
                limit,
            } if f.query.after.is_some() => {
                tracing::warn!(
                    "archive catch-up after our newest id failed ({error}); retrying without"
                );
                let query = ArchiveQuery {
                    before: Some(String::new()),
                    max: ARCHIVE_PAGE,
                    ..Default::default()
                };
                let purpose = ArchivePurpose::CatchUp {
                    after: Some((String::new(), after_ts)),
                    limit,
                };
                self.start_archive_query(stream, purpose, query).await;
            }
            ArchivePurpose::CatchUp { .. } => {
                tracing::warn!("archive catch-up failed: {error}");
                self.release_live();
            }
            // The archive no longer knows the id we paged from: fall back to the time bounds.
            ArchivePurpose::Older {
                mut request,
                reply,
                pages: 0,
            } if request.before_id.is_some() => {
                tracing::info!("archive paging by id failed ({error}); paging by time");
                request.before_id = None;
                let query = older_query(&request);
                let purpose = ArchivePurpose::Older {
                    request,
                    reply,
                    pages: 0,
                };
                self.start_archive_query(stream, purpose, query).await;
            }
            ArchivePurpose::Older { reply, .. } => {
                if let Some(r) = reply {
                    let _ = r.send(Err(error));
                }
            }
            ArchivePurpose::Search(reply) => {
                if let Some(r) = reply {
                    let _ = r.send(Err(error));
                }
            }
        }
    }

    /// Stores archived messages (in the order given) in one transaction, then applies the
    /// markers and receipts among them. Returns how many messages were new and the oldest new
    /// stamp; `Err` when nothing could be stored (the caller must not move its archive pointer
    /// past them).
    async fn ingest_archive(
        &mut self,
        stream: &StanzaStream,
        items: Vec<ArchivedMessage>,
        placement: Placement,
        answer_receipts: bool,
    ) -> Result<(usize, Option<i64>), String> {
        let mut batch = Vec::new();
        let mut marks = Vec::new();
        let mut receipts = Vec::new();
        let mut corrections = Vec::new();
        for a in items {
            match chat::parse_archived(a, &self.account) {
                Incoming::Chat(c) if c.replaces.is_some() => corrections.push(c),
                Incoming::Chat(mut c) => {
                    if let Some(r) = c.receipt_to.take() {
                        receipts.push((batch.len(), r));
                    }
                    batch.push(self.new_message(c, placement));
                }
                other @ (Incoming::Displayed { .. } | Incoming::Receipt { .. }) => {
                    marks.push(other)
                }
                _ => {}
            }
        }
        if matches!(placement, Placement::Prepend | Placement::Below(_)) {
            batch.reverse(); // newest first: each goes just before the ones already stored
        }
        let outcomes = match self.store.insert_messages(&self.account_str, &batch) {
            Ok(o) => o,
            Err(e) => {
                tracing::error!("could not store archived messages: {e}");
                return Err(e.to_string());
            }
        };
        let mut new = 0;
        let oldest = outcomes
            .iter()
            .filter_map(|o| match o {
                Inserted::New(m) => Some(m.timestamp),
                Inserted::Duplicate(_) => None,
            })
            .min();
        // A catch-up message we never saw live (the server dropped it with a dead session and
        // kept it in the archive) still owes its sender a XEP-0184 receipt; receipts are
        // idempotent, and history pages or a first sign-in send none.
        if answer_receipts {
            for (idx, (to, id)) in receipts {
                if matches!(outcomes.get(idx), Some(Inserted::New(_))) {
                    self.send_receipt(stream, to, id).await;
                }
            }
        }
        let mut strangers = BTreeSet::new();
        for o in outcomes {
            if let Inserted::New(msg) = o {
                new += 1;
                if msg.direction == Direction::Incoming {
                    self.pending_unread.insert(msg.peer.clone());
                    self.note_incoming(&msg.peer);
                    strangers.insert(msg.peer.clone());
                    if placement == Placement::Append {
                        self.pending_notify.push(msg.clone());
                    }
                }
                self.pending_messages.push(msg);
            }
        }
        // Older pages the user scrolled to are theirs to see; only new arrivals count.
        if placement == Placement::Append {
            for peer in strangers {
                self.enforce_stranger_quota(&peer);
            }
        }
        for m in marks {
            self.apply_mark(m);
        }
        for c in corrections {
            self.apply_correction(c, placement);
        }
        self.arm_flush();
        Ok((new, oldest))
    }

    /// A stored-message record for a chat message (`append`: placed after everything stored).
    fn new_message(&self, c: ChatMessage, placement: Placement) -> NewMessage {
        let now = now_ms();
        let attachment = c.file_url.as_deref().map(crate::files::received_attachment);
        NewMessage {
            attachment,
            peer: c.peer,
            direction: if c.outgoing {
                Direction::Outgoing
            } else {
                Direction::Incoming
            },
            sender: c.sender,
            body: c.body,
            // A delay stamp from the future (bad clock) is clamped to now.
            timestamp: c.delayed_ms.map(|d| d.min(now)).unwrap_or(now),
            state: if c.outgoing {
                DeliveryState::Sent
            } else {
                DeliveryState::Received
            },
            origin_id: c
                .origin_id
                .or_else(|| c.stanza_id.clone())
                .unwrap_or_else(hallway_protocol::new_id),
            stanza_id: c.stanza_id,
            stanza_xml_id: c.xml_id,
            markable: c.markable,
            wants_receipt: c.wants_receipt,
            placement,
        }
    }

    /// Applies a XEP-0308 correction to the author's earlier message; when we do not have that
    /// message (§5: fall back), the correction is stored as a message of its own.
    fn apply_correction(&mut self, c: ChatMessage, placement: Placement) -> Option<Message> {
        let replaced = c.replaces.clone().unwrap_or_default();
        match self
            .store
            .correct_message(&self.account_str, &c.peer, &c.sender, &replaced, &c.body)
        {
            Ok(Some(m)) => {
                self.emitter.emit(CoreEvent::MessageCorrected(m.clone()));
                Some(m)
            }
            Ok(None) => {
                let new = self.new_message(c, placement);
                match self.store.insert_message(&self.account_str, &new) {
                    Ok(Inserted::New(m)) => {
                        if m.direction == Direction::Incoming {
                            self.pending_unread.insert(m.peer.clone());
                        }
                        self.pending_messages.push(m.clone());
                        self.arm_flush();
                        Some(m)
                    }
                    Ok(Inserted::Duplicate(_)) => None,
                    Err(e) => {
                        tracing::error!("could not store message: {e}");
                        None
                    }
                }
            }
            Err(e) => {
                tracing::error!("could not apply a correction: {e}");
                None
            }
        }
    }

    /// Applies a receipt or displayed marker.
    fn apply_mark(&mut self, m: Incoming) {
        match m {
            Incoming::Receipt { peer, id } => self.mark(&peer, &id, DeliveryState::Delivered),
            Incoming::Displayed {
                peer,
                id,
                by_me: false,
            } => match self
                .store
                .mark_displayed_up_to(&self.account_str, &peer, &id)
            {
                Ok(ids) => {
                    for id in ids {
                        self.emitter.emit(CoreEvent::MessageStateChanged {
                            id,
                            state: DeliveryState::Displayed,
                        });
                    }
                }
                Err(e) => tracing::error!("could not record displayed marker: {e}"),
            },
            Incoming::Displayed {
                peer,
                id,
                by_me: true,
            } => match self.store.mark_read_up_to(&self.account_str, &peer, &id) {
                Ok(0) => {}
                Ok(_) => {
                    self.pending_unread.insert(peer);
                    self.arm_flush();
                }
                Err(e) => tracing::error!("could not record read marker: {e}"),
            },
            _ => {}
        }
    }

    /// Sends one of the session's own iqs and remembers what its answer is for.
    async fn send_iq(
        &mut self,
        stream: &StanzaStream,
        kind: PendingIq,
        prefix: &str,
        build: impl FnOnce(&str) -> Iq,
    ) {
        let id = self.next_id(prefix);
        let iq = build(&id);
        self.pending_iqs.insert(id, (kind, Instant::now()));
        stream.send(Box::new(iq.into())).await;
    }

    fn next_id(&mut self, prefix: &str) -> String {
        self.iq_counter += 1;
        format!("hw-{prefix}-{}", self.iq_counter)
    }

    async fn on_stream_event(&mut self, stream: &StanzaStream, ev: StreamEvent) {
        match ev {
            StreamEvent::Reset { bound_jid, .. } => {
                tracing::info!("fresh session as {bound_jid}");
                self.online = true;
                self.failures.store(0, std::sync::atomic::Ordering::SeqCst);
                // Presence from the previous session is stale; the server resends it after our
                // initial presence.
                let stale: Vec<String> = self.resources.keys().cloned().collect();
                self.resources.clear();
                for bare in stale {
                    self.queue_presence(&bare);
                }
                // Which XEP-0359 stanza-ids to believe (§4: only where our server says it stamps
                // them; the archiving entity, our account, lists the feature).
                let own = Jid::from(self.account.clone());
                self.send_iq(stream, PendingIq::ServerInfo, "disco", |id| {
                    hallway_protocol::xep0363_http_upload::info_request(id, &own)
                })
                .await;
                self.send_iq(
                    stream,
                    PendingIq::Roster,
                    "roster",
                    rfc6121_roster::roster_get,
                )
                .await;
                self.send_iq(
                    stream,
                    PendingIq::Carbons,
                    "carbons",
                    xep0280_carbons::enable,
                )
                .await;
                self.send_iq(
                    stream,
                    PendingIq::Blocklist,
                    "blocklist",
                    xep0191_blocking::blocklist_request,
                )
                .await;
                // The server delivers pending subscription requests again after our presence
                // (RFC 6121 §3.1.3); ones answered elsewhere meanwhile must not linger.
                if !self.sub_requests.is_empty() {
                    self.sub_requests.clear();
                    self.emitter
                        .emit(CoreEvent::SubscriptionRequestsChanged(Vec::new()));
                }
                self.wanted_avatars.clear();
                // Requests of the old stream will never be answered.
                for (_, (r, _, _)) in self.requests.drain() {
                    let _ = r.send(Err(RequestError::NoAnswer));
                }
                self.broadcast_presence(stream).await;
                // Archive queries of the old stream will never be answered.
                self.verifying.clear();
                for (_, f) in self.archive.drain() {
                    match f.purpose {
                        ArchivePurpose::Older { reply: Some(r), .. } => {
                            let _ = r.send(Err("the connection was reset".into()));
                        }
                        ArchivePurpose::Search(Some(r)) => {
                            let _ = r.send(Err("the connection was reset".into()));
                        }
                        _ => {}
                    }
                }
                self.pending_iqs
                    .retain(|_, (kind, _)| !matches!(kind, PendingIq::Archive(_)));
                // What the old stream sent but never saw acknowledged may be on the server
                // anyway: our archive is asked first, and only what it lacks goes out again.
                self.verify_unacknowledged(stream).await;
                self.pump_outbox(stream, None).await;
                self.resend_extras(stream).await;
                // Messages held by an interrupted catch-up stay held: storing them now would move
                // our newest archive id past the range that catch-up had yet to fetch.
                self.catch_up(stream).await;
                self.emitter.connection(ConnectionState::Online {
                    jid: bound_jid.to_string(),
                });
                if let Some(n) = self.online_notify.take() {
                    let _ = n.send(Ok(()));
                }
            }
            StreamEvent::Resumed => {
                tracing::info!("stream resumed (XEP-0198)");
                self.online = true;
                self.failures.store(0, std::sync::atomic::Ordering::SeqCst);
                let jid = match self.emitter.current() {
                    ConnectionState::Online { jid } => jid,
                    _ => self.account_str.clone(),
                };
                // Stanzas the old link lost for good are resent; the rest SM retransmitted.
                self.pump_outbox(stream, None).await;
                self.emitter.connection(ConnectionState::Online { jid });
            }
            StreamEvent::Suspended => {
                tracing::info!("link lost; reconnecting");
                self.online = false;
            }
        }
    }

    /// After a fresh session: outbox rows that some stream transmitted but never saw
    /// acknowledged (this run's lost tokens, or a previous run's) are looked up in our own
    /// archive (XEP-0313, `with` the contact, from shortly before the first transmission), by
    /// XEP-0359 origin-id. The server may have taken them just before the link or the server
    /// died; resending those would give every receiver that does not de-duplicate a second
    /// copy. Their conversations' outboxes wait for the answer.
    async fn verify_unacknowledged(&mut self, stream: &StanzaStream) {
        let rows = match self.store.unacknowledged(&self.account_str) {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!("could not read unacknowledged messages: {e}");
                return;
            }
        };
        let mut doubt: BTreeMap<String, (i64, HashSet<String>)> = BTreeMap::new();
        for (m, at) in rows {
            if let Some((_, token, _)) = self.tokens.get_mut(&m.id) {
                // Still queued on the new stream (never sent), or acked: not in doubt.
                if !matches!(
                    token.wait_for(StanzaStage::Acked).now_or_never(),
                    Some(None)
                        | Some(Some(StanzaState::Failed { .. }))
                        | Some(Some(StanzaState::Dropped))
                ) {
                    continue;
                }
            }
            let e = doubt.entry(m.peer.clone()).or_insert((at, HashSet::new()));
            e.0 = e.0.min(at);
            e.1.insert(m.origin_id);
        }
        for (peer, (since, origin_ids)) in doubt {
            tracing::info!(
                "{} message(s) to {peer} were sent but never acknowledged: asking our archive",
                origin_ids.len()
            );
            self.verifying.insert(peer.clone());
            let query = ArchiveQuery {
                with: BareJid::new(&peer).ok(),
                start_ms: Some(since - VERIFY_MARGIN_MS),
                max: ARCHIVE_PAGE,
                ..Default::default()
            };
            let purpose = ArchivePurpose::Verify {
                peer,
                doubt: origin_ids,
                pages: 0,
            };
            self.start_archive_query(stream, purpose, query).await;
        }
    }

    /// The archive answered (or could not): the conversation's outbox goes on, resending
    /// what the archive did not have.
    async fn end_verify(&mut self, stream: &StanzaStream, peer: String) {
        if self.verifying.remove(&peer) {
            self.pump_outbox(stream, Some(peer)).await;
        }
    }

    /// Sends, per conversation, the oldest outbox message unless one to that contact is still
    /// in flight (queued, or awaiting its XEP-0198 ack). One in flight per contact keeps the send
    /// order across a failed resumption: after a fresh session tokio-xmpp transmits whatever is
    /// still queued at once, so a newer queued message would overtake an older lost one. Lost
    /// ones (token dropped with the old stream) are simply the oldest pending again and go first.
    /// Nothing goes out while the link is down; the outbox keeps it.
    ///
    /// With one in flight per contact, the oldest outbox message of a contact *is* the one in
    /// flight, so only the heads of the outbox are looked at (`peer`: just that contact's).
    async fn pump_outbox(&mut self, stream: &StanzaStream, peer: Option<String>) {
        if !self.online {
            return;
        }
        let heads = match &peer {
            Some(p) => self
                .store
                .pending_head(&self.account_str, p)
                .map(|h| h.into_iter().collect()),
            None => self.store.pending_heads(&self.account_str),
        };
        let heads = match heads {
            Ok(h) => h,
            Err(e) => {
                tracing::error!("outbox unreadable: {e}");
                return;
            }
        };
        for m in heads {
            if self.verifying.contains(&m.peer) {
                continue; // its archive is being asked what it already has
            }
            let in_flight = match self.tokens.get_mut(&m.id) {
                // Still queued / awaiting its ack (None), or acked but not yet recorded.
                Some((_, token, _)) => matches!(
                    token.wait_for(StanzaStage::Acked).now_or_never(),
                    None | Some(Some(StanzaState::Acked { .. }))
                ),
                None => false,
            };
            if !in_flight {
                self.send_chat(stream, m).await;
            }
        }
    }

    async fn send_chat(&mut self, stream: &StanzaStream, m: Message) {
        let Ok(to) = BareJid::new(&m.peer) else {
            tracing::warn!("outbox message {} has a bad peer {}", m.id, m.peer);
            self.move_state(m.id, DeliveryState::Failed);
            return;
        };
        let file_url = m.attachment.as_ref().and_then(|a| a.url.as_deref());
        let stanza = chat::build_chat(&to, &m.body, &m.origin_id, file_url);
        // Recorded before it goes: after a crash or a failed resumption, a row transmitted but
        // never acknowledged is looked up in our archive before it is sent again.
        if let Err(e) = self.store.set_transmitted(m.id, now_ms()) {
            tracing::warn!("could not record transmission of message {}: {e}", m.id);
        }
        let mut token = stream.send(Box::new(stanza.into())).await;
        self.send_seq += 1;
        let seq = self.send_seq;
        self.tokens
            .insert(m.id, (seq, token.clone(), m.peer.clone()));
        let tx = self.token_tx.clone();
        let message_id = m.id;
        tokio::spawn(async move {
            let state = token.wait_for(StanzaStage::Acked).await;
            let acked = matches!(state, Some(StanzaState::Acked { .. }));
            let _ = tx.send(TokenOutcome {
                message_id,
                seq,
                acked,
            });
        });
    }

    /// Moves a message's delivery state (forward only, see `Store::set_state`) and tells the UI.
    fn move_state(&self, id: i64, state: DeliveryState) {
        match self.store.set_state(id, state) {
            Ok(true) => self
                .emitter
                .emit(CoreEvent::MessageStateChanged { id, state }),
            Ok(false) => {}
            Err(e) => tracing::error!("could not record state {state:?} of message {id}: {e}"),
        }
    }

    async fn on_token(&mut self, stream: &StanzaStream, o: TokenOutcome) {
        let current = self.tokens.get(&o.message_id).map(|(s, _, _)| *s);
        if current != Some(o.seq) {
            return; // an older transmission of a message we already resent
        }
        let Some((_, _, peer)) = self.tokens.remove(&o.message_id) else {
            return;
        };
        if o.acked {
            // XEP-0198 ack: the server has it. (Receipts may already have moved it further.)
            self.move_state(o.message_id, DeliveryState::Sent);
        }
        // Not acked: the stream lost it; it stays pending and goes out again (first for its
        // contact) once we are online.
        self.pump_outbox(stream, Some(peer)).await;
    }

    async fn on_stanza(&mut self, stream: &StanzaStream, s: Stanza) {
        match s {
            Stanza::Iq(iq) => self.on_iq(stream, iq).await,
            Stanza::Message(m) => self.on_message(stream, m).await,
            Stanza::Presence(p) => self.on_presence(stream, p).await,
        }
    }

    async fn on_iq(&mut self, stream: &StanzaStream, iq: Iq) {
        // Answers are matched by id *and* sender: a contact who guesses an id must not answer
        // for our server (RFC 6120 §8.1.2.1: the reply comes from where the request went; no
        // `from` means our server or our own account).
        let own_server = |from: &Option<Jid>, account: &BareJid| match from {
            None => true,
            Some(f) => f.to_bare() == *account || f.to_string() == account.domain().as_str(),
        };
        let sender_ok =
            |expected: &Option<Jid>, from: &Option<Jid>, account: &BareJid| match expected {
                None => own_server(from, account),
                Some(to) => {
                    from.as_ref() == Some(to)
                        || (to.to_bare() == *account && own_server(from, account))
                }
            };
        let iq = match iq {
            Iq::Result {
                ref id, ref from, ..
            }
            | Iq::Error {
                ref id, ref from, ..
            } if (self.requests.contains_key(id)
                && !self
                    .requests
                    .get(id)
                    .is_some_and(|(_, _, to)| sender_ok(to, from, &self.account)))
                || (self.pending_iqs.contains_key(id) && !own_server(from, &self.account)) =>
            {
                tracing::warn!("iq answer {id} from an unexpected sender {from:?} dropped");
                return;
            }
            iq => iq,
        };
        let iq = match iq {
            Iq::Result { id, payload, .. } if self.requests.contains_key(&id) => {
                if let Some((r, _, _)) = self.requests.remove(&id) {
                    let _ = r.send(Ok(payload));
                }
                return;
            }
            Iq::Error { id, error, .. } if self.requests.contains_key(&id) => {
                if let Some((r, _, _)) = self.requests.remove(&id) {
                    let condition = format!("{:?}", error.defined_condition);
                    let text = error.texts.values().next().cloned();
                    let _ = r.send(Err(RequestError::Refused(condition, text)));
                }
                return;
            }
            other => other,
        };
        match iq {
            Iq::Result { id, payload, .. } => match self.pending_iqs.remove(&id) {
                Some((PendingIq::ServerInfo, _)) => {
                    let sid = payload.as_ref().is_some_and(|q| {
                        q.children().any(|c| {
                            c.name() == "feature" && c.attr("var") == Some(xmpp_parsers::ns::SID)
                        })
                    });
                    self.set_server_sid(sid);
                }
                Some((PendingIq::Roster, _)) => {
                    match rfc6121_roster::parse_roster_result(payload) {
                        Ok(items) => {
                            self.roster = items
                                .into_iter()
                                .filter(|i| !i.removed)
                                .map(|i| (i.jid.clone(), i))
                                .collect();
                            self.roster_loaded = true;
                            self.send_deferred_receipts(stream).await;
                            self.drop_answered_requests();
                            self.requests_dirty = true;
                            self.arm_flush();
                            self.emitter.emit(CoreEvent::RosterChanged(self.contacts()));
                        }
                        Err(e) => tracing::warn!("bad roster: {e}"),
                    }
                }
                Some((PendingIq::Carbons, _)) => tracing::debug!("carbons enabled"),
                Some((PendingIq::ReadPositions, _)) => {
                    match xep0060_pubsub::parse_items(payload.as_ref(), xep0490_mds::NODE) {
                        Ok(items) => {
                            for (peer, id) in xep0490_mds::parse(&items, &self.account_str) {
                                self.apply_mark(Incoming::Displayed {
                                    peer,
                                    id,
                                    by_me: true,
                                });
                            }
                        }
                        Err(e) => tracing::debug!("no read positions: {e}"),
                    }
                    self.release_notify();
                }
                Some((PendingIq::Blocklist, _)) => {
                    match xep0191_blocking::parse_blocklist(payload.as_ref()) {
                        Ok(list) => self.set_blocklist(list.into_iter().collect()),
                        Err(e) => tracing::warn!("bad block list: {e}"),
                    }
                }
                Some((PendingIq::Archive(qid), _)) => {
                    let Some(f) = self.archive.remove(&qid) else {
                        return;
                    };
                    match xep0313_mam::parse_fin(payload.as_ref()) {
                        Ok(fin) => self.on_archive_fin(stream, f, fin).await,
                        Err(e) => self.on_archive_error(stream, f, e.to_string()).await,
                    }
                }
                None => tracing::debug!("unexpected iq result {id}"),
            },
            Iq::Error { id, error, .. } => match self.pending_iqs.remove(&id) {
                Some((PendingIq::Archive(qid), _)) => {
                    if let Some(f) = self.archive.remove(&qid) {
                        let text = format!("{:?}", error.defined_condition);
                        self.on_archive_error(stream, f, text).await;
                    }
                }
                Some((PendingIq::ServerInfo, _)) => self.set_server_sid(false),
                // No read-position node yet (nobody published one): nothing to apply.
                Some((PendingIq::ReadPositions, _)) => {
                    tracing::debug!("no read positions: {error:?}");
                    self.release_notify();
                }
                Some((kind, _)) => tracing::warn!("{kind:?} request failed: {error:?}"),
                None => {}
            },
            Iq::Get {
                from, id, payload, ..
            } => {
                let reply = if xep0199_ping::is_ping(&payload) {
                    empty_result(id)
                } else if xep0030_disco::is_info_query(&payload) {
                    xep0030_disco::info_result(&id, &payload)
                } else {
                    xep0030_disco::service_unavailable(&id)
                };
                answer(stream, from, reply).await;
            }
            Iq::Set {
                from, id, payload, ..
            } => {
                let reply = if xep0191_blocking::is_push(&payload) {
                    match xep0191_blocking::parse_push(from.as_ref(), &self.account, &payload) {
                        Ok(push) => {
                            self.on_block_push(stream, push).await;
                            empty_result(id)
                        }
                        Err(e) => {
                            tracing::warn!("rejected block list push: {e}");
                            xep0030_disco::service_unavailable(&id)
                        }
                    }
                } else if rfc6121_roster::is_roster_query(&payload) {
                    match rfc6121_roster::parse_roster_push(from.as_ref(), &self.account, payload) {
                        Ok(items) => {
                            self.on_roster_push(items);
                            empty_result(id)
                        }
                        Err(e) => {
                            tracing::warn!("rejected roster push: {e}");
                            xep0030_disco::service_unavailable(&id)
                        }
                    }
                } else if xep0234_jingle_ft::is_jingle(&payload) || xep0047_ibb::is_ibb(&payload) {
                    // Direct transfers only from a roster contact's device (a full JID): anyone
                    // else cannot push files or bytes at us. The files service answers once it
                    // has handled the iq (an IBB block once written: that is the flow control).
                    match from.as_ref() {
                        Some(f)
                            if f.resource().is_some()
                                && self.roster.contains_key(&f.to_bare().to_string()) =>
                        {
                            let incoming = crate::files::DirectIncoming {
                                from: f.clone(),
                                id: id.clone(),
                                payload,
                            };
                            match self.direct_tx.try_send(incoming) {
                                Ok(()) => return,
                                Err(mpsc::error::TrySendError::Full(_)) => {
                                    hallway_protocol::iq_error(
                                        &id,
                                        None,
                                        hallway_protocol::Refusal::ResourceConstraint,
                                        "Too much at once; slow down.",
                                        None,
                                    )
                                }
                                Err(mpsc::error::TrySendError::Closed(_)) => {
                                    xep0030_disco::service_unavailable(&id)
                                }
                            }
                        }
                        _ => xep0030_disco::service_unavailable(&id),
                    }
                } else {
                    xep0030_disco::service_unavailable(&id)
                };
                answer(stream, from, reply).await;
            }
        }
    }

    async fn on_message(
        &mut self,
        stream: &StanzaStream,
        m: tokio_xmpp::parsers::message::Message,
    ) {
        match xep0313_mam::parse_result(&m, &self.account) {
            Ok(Some(a)) => {
                match self.archive.get_mut(&a.query_id) {
                    Some(f) => f.page.push(a),
                    None => tracing::debug!("archive result for an unknown query dropped"),
                }
                return;
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!("dropped archive result: {e}");
                return;
            }
        }
        if let Some(n) = xep0060_pubsub::parse_event(&m) {
            self.on_pep_event(n);
            return;
        }
        let incoming = match chat::parse_incoming(m, &self.account, self.server_facts) {
            Ok(i) => i,
            Err(e) => {
                tracing::warn!("dropped message: {e}");
                return;
            }
        };
        match incoming {
            Incoming::Chat(c) => {
                if let Some((to, id)) = &c.receipt_to {
                    // Answered even for duplicates: the sender resent because it never saw one.
                    self.send_receipt(stream, to.clone(), id.clone()).await;
                }
                match &mut self.held_live {
                    // The catch-up may still bring older messages: they go first.
                    Some(held) => held.push(c),
                    None => self.store_live(c),
                }
            }
            m @ (Incoming::Receipt { .. } | Incoming::Displayed { .. }) => self.apply_mark(m),
            Incoming::Bounced { peer, id, text } => {
                // A receipt or marker the server accepted but could not hand over (Prosody bounces
                // what sat in a contact's dead session, XEP-0198): send it again, a few times.
                if let Some((m, tries)) = self.bounceable.get_mut(&id) {
                    if *tries < 3 {
                        *tries += 1;
                        let m = m.clone();
                        tracing::info!("receipt/marker {id} to {peer} bounced ({text}); resending");
                        self.send_extra(stream, m).await;
                    }
                    return;
                }
                tracing::warn!("message {id} to {peer} bounced: {text}");
                self.mark(&peer, &id, DeliveryState::Failed);
                self.pump_outbox(stream, Some(peer)).await;
            }
            Incoming::Ignored => {}
        }
    }

    /// After a fresh session: receipts we owe for recent messages may have died in the old
    /// session's queue on the server. Receipts are idempotent, so they go out again (to roster
    /// contacts only). Our own messages are never sent again to ask for lost receipts: a
    /// receiver that does not de-duplicate by origin-id would show them twice. Receipts for
    /// them that our dead session missed are in our archive, and the catch-up applies them.
    async fn resend_owed_receipts(&mut self, stream: &StanzaStream) {
        let since = now_ms() - RECEIPT_RETRY_WINDOW_MS;
        match self
            .store
            .receipts_owed_since(&self.account_str, since, 1000)
        {
            Ok(owed) => {
                for (peer, id) in owed {
                    if !self.roster.contains_key(&peer) {
                        continue;
                    }
                    if let Ok(to) = BareJid::new(&peer) {
                        let receipt = xep0184_receipts::receipt(Jid::from(to), &id);
                        stream.send(Box::new(receipt.into())).await;
                    }
                }
            }
            Err(e) => tracing::warn!("could not read owed receipts: {e}"),
        }
    }

    /// Sends a XEP-0184 receipt, only to a roster contact: a receipt to a stranger tells them
    /// we are online. Before the roster is known, it waits for it.
    async fn send_receipt(&mut self, stream: &StanzaStream, to: Jid, id: String) {
        if !self.roster_loaded {
            if self.deferred_receipts.len() < MAX_DEFERRED_RECEIPTS {
                self.deferred_receipts.push((to, id));
            }
            return;
        }
        if self.roster.contains_key(&to.to_bare().to_string()) {
            self.send_extra(stream, xep0184_receipts::receipt(to, &id))
                .await;
        }
    }

    /// The roster is known: receipts asked for meanwhile go to those in it.
    async fn send_deferred_receipts(&mut self, stream: &StanzaStream) {
        for (to, id) in std::mem::take(&mut self.deferred_receipts) {
            self.send_receipt(stream, to, id).await;
        }
    }

    /// What our server's disco#info said about XEP-0359 stanza-ids; remembered.
    fn set_server_sid(&mut self, stamps: bool) {
        if self.server_facts.stanza_ids != stamps {
            tracing::info!("our server stamps stanza-ids (XEP-0359): {stamps}");
        }
        self.server_facts.stanza_ids = stamps;
        let _ = self
            .store
            .set_setting(&server_sid_key(&self.account_str), &stamps);
    }

    /// A stranger (someone outside the roster) has a quota of stored messages: the oldest go.
    /// Only once the roster is known, so a contact is never taken for a stranger.
    fn enforce_stranger_quota(&self, peer: &str) {
        if !self.roster_loaded || self.roster.contains_key(peer) || peer == self.account_str {
            return;
        }
        match self
            .store
            .trim_conversation(&self.account_str, peer, STRANGER_QUOTA)
        {
            Ok(0) => {}
            Ok(n) => tracing::info!("dropped {n} old messages of {peer}, who is not a contact"),
            Err(e) => tracing::warn!("could not trim messages of {peer}: {e}"),
        }
    }

    /// Stores a message that arrived live (after everything stored) or applies its correction.
    fn store_live(&mut self, mut c: ChatMessage) {
        if c.replaces.is_some() {
            self.apply_correction(c, Placement::Append);
            return;
        }
        // A live message can be no older than the end of our previous session: what arrived
        // before that came to us then, or sits in the archive. Offline storage stamps true times
        // after it; anything earlier is a sender backdating its message (a `<delay/>` is the
        // sender's word), which must not hide it from notifications or bury it in the past.
        c.delayed_ms = c.delayed_ms.map(|d| d.max(self.since_ms));
        let new = self.new_message(c, Placement::Append);
        if let Some(sid) = new.stanza_id.as_ref().filter(|_| !self.pointer_held) {
            // Live traffic is the newest the archive has: the next catch-up starts here.
            let _ = self
                .store
                .set_archive_newest(&self.account_str, sid, now_ms());
        }
        match self.store.insert_message(&self.account_str, &new) {
            Ok(Inserted::New(msg)) => {
                if msg.direction == Direction::Incoming {
                    self.pending_unread.insert(msg.peer.clone());
                    self.pending_notify.push(msg.clone());
                    self.note_incoming(&msg.peer);
                    self.enforce_stranger_quota(&msg.peer);
                }
                self.pending_messages.push(msg);
                self.arm_flush();
            }
            Ok(Inserted::Duplicate(id)) => {
                tracing::debug!("duplicate message dropped (row {id})")
            }
            Err(e) => tracing::error!("could not store message: {e}"),
        }
    }

    /// Ends holding live messages (the catch-up is over or gave up) and stores them in arrival
    /// order, after what the catch-up stored.
    fn release_live(&mut self) {
        for c in self.held_live.take().unwrap_or_default() {
            self.store_live(c);
        }
    }

    fn mark(&mut self, peer: &str, origin_id: &str, state: DeliveryState) {
        if let Ok(Some(id)) = self.store.find_outgoing(&self.account_str, peer, origin_id) {
            if state == DeliveryState::Failed {
                self.tokens.remove(&id);
            }
            self.move_state(id, state);
        }
    }

    fn arm_flush(&mut self) {
        if self.flush_at.is_none() {
            self.flush_at = Some(tokio::time::Instant::now() + BATCH_WINDOW);
        }
    }

    /// One UI event per kind for everything that happened in the batch window.
    fn flush(&mut self) {
        self.flush_at = None;
        if !self.pending_messages.is_empty() {
            self.emitter
                .emit(CoreEvent::MessagesReceived(std::mem::take(
                    &mut self.pending_messages,
                )));
        }
        if !self.pending_presence.is_empty() {
            let updates = std::mem::take(&mut self.pending_presence)
                .into_values()
                .collect();
            self.emitter.emit(CoreEvent::PresencesChanged(updates));
        }
        if !self.pending_unread.is_empty() {
            let peers = std::mem::take(&mut self.pending_unread);
            let counts: HashMap<String, u32> = self
                .store
                .unread_counts(&self.account_str)
                .unwrap_or_default()
                .into_iter()
                .collect();
            let changed = peers
                .into_iter()
                .map(|p| (p.clone(), counts.get(&p).copied().unwrap_or(0)))
                .collect();
            self.emitter.emit(CoreEvent::UnreadChanged(changed));
        }
        if self.requests_dirty {
            self.requests_dirty = false;
            self.emit_message_requests();
        }
        if !self.pending_notify.is_empty() && !self.hold_notify {
            let batch: Vec<Message> = std::mem::take(&mut self.pending_notify)
                .into_iter()
                // Older than the previous session: never notified (checked before touching the
                // store, so a big catch-up costs no query per message).
                .filter(|m| m.timestamp >= self.since_ms)
                // Read on another device meanwhile (XEP-0333 carbons): no notification.
                .filter(|m| self.store.is_unread(m.id).unwrap_or(false))
                .collect();
            let ctx = {
                let v = self.view.lock().unwrap_or_else(|p| p.into_inner());
                NotifyContext {
                    do_not_disturb: self.my_presence.show == MyShow::Dnd,
                    visible_peer: v.visible_peer.clone(),
                    focused: v.focused,
                    previews: v.previews,
                    since_ms: self.since_ms,
                }
            };
            for n in notify::decide(&ctx, &batch, |jid| self.display_name(jid)) {
                self.emitter.emit(CoreEvent::NotificationRequested(n));
            }
        }
    }
}

/// The newest page of one conversation within the request's time bounds.
fn older_query(request: &ArchiveRequest) -> ArchiveQuery {
    ArchiveQuery {
        with: BareJid::new(&request.peer).ok(),
        start_ms: request.start_ms,
        end_ms: request.end_ms,
        before: Some(String::new()),
        max: request.max.min(ARCHIVE_PAGE),
        ..Default::default()
    }
}

/// Sends the reply to an incoming `iq get/set`, addressed to whoever asked (RFC 6120 §8.2.3:
/// every get/set gets a result or an error, or the asker waits).
/// The empty `result` that accepts an `iq` (a ping, a roster or block list push).
fn empty_result(id: String) -> Iq {
    Iq::Result {
        from: None,
        to: None,
        id,
        payload: None,
    }
}

async fn answer(stream: &StanzaStream, asker: Option<Jid>, reply: Iq) {
    let reply = match asker {
        Some(to) => reply.with_to(to),
        None => reply,
    };
    stream.send(Box::new(reply.into())).await;
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
