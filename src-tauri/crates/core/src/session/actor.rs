//! The session task: owns the `StanzaStream` (never split) and routes. It `select!`s between
//! the stream's events, the services' commands, delivery-token outcomes and the batch timer,
//! hands each input to the part it concerns and does the I/O they ask for (`Out`): sending,
//! tracking tokens, events, avatar jobs. The state itself lives in the parts.

use std::collections::HashMap;
use std::sync::atomic::AtomicU32;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use hallway_model::{ConnectionError, ConnectionState};
use hallway_protocol::chat::ServerFacts;
use hallway_store::Store;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tokio_xmpp::jid::BareJid;
use tokio_xmpp::stanzastream::{Event, StanzaStage, StanzaState, StanzaStream, StanzaToken};

use super::{SessionConfig, SessionHandle};
use crate::chats::incoming::Chats;
use crate::connection::{reconnector, ReconnectContext};
use crate::emitter::Emitter;
use crate::history::sync::ArchiveSync;
use crate::live::batch::Batcher;
use crate::live::iq::{IqRouter, RequestError};
use crate::live::{now_ms, Command, PeopleCommand, ViewState};
use crate::live::{AvatarJob, Cx, Out, Outgoing, Pending};
use crate::outbox::Outbox;
use crate::people::state::{Me, People};
use crate::rooms::joined::JoinedRooms;

fn last_online_key(account: &str) -> String {
    format!("last_online:{account}")
}

/// Settings key: our server stamps XEP-0359 stanza-ids (remembered, so the first messages of a
/// session are judged before its disco#info answers).
fn server_sid_key(account: &str) -> String {
    format!("server_sid:{account}")
}

struct TokenOutcome {
    message_id: i64,
    seq: u64,
    acked: bool,
}

struct Actor {
    account: BareJid,
    store: Arc<Store>,
    emitter: Emitter,
    view: Arc<std::sync::Mutex<ViewState>>,
    online: bool,
    online_notify: Option<tokio::sync::oneshot::Sender<Result<(), ConnectionError>>>,
    failures: Arc<AtomicU32>,
    iq: IqRouter<Pending>,
    batch: Batcher,
    outbox: Outbox,
    history: ArchiveSync,
    chats: Chats,
    people: People,
    rooms: JoinedRooms,
    /// Outbox message id → (transmission, its token).
    tokens: HashMap<i64, (u64, StanzaToken)>,
    token_tx: mpsc::UnboundedSender<TokenOutcome>,
    /// Receipts and markers we sent, with their tokens: resent after a fresh session when the
    /// old stream lost them (the contact's "delivered"/"read" depends on them).
    extras: Vec<(tokio_xmpp::parsers::message::Message, StanzaToken)>,
    avatar_jobs: mpsc::UnboundedSender<AvatarJob>,
}

/// Starts the session task.
pub(super) fn start(cfg: SessionConfig) -> SessionHandle {
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let (fatal_tx, fatal_rx) = mpsc::unbounded_channel();
    let failures = Arc::new(AtomicU32::new(0));
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
    let (token_tx, token_rx) = mpsc::unbounded_channel();
    let account = cfg.account.as_str().to_string();
    let since_ms = cfg
        .store
        .setting::<i64>(&last_online_key(&account))
        .ok()
        .flatten()
        .unwrap_or_else(now_ms);
    let facts = ServerFacts {
        stanza_ids: cfg
            .store
            .setting::<bool>(&server_sid_key(&account))
            .ok()
            .flatten()
            .unwrap_or(false),
    };
    let me = Me {
        chosen: cfg.my_presence,
        avatar: cfg.my_avatar,
        ..Default::default()
    };
    let actor = Actor {
        people: People::new(&cfg.store, &account, me),
        rooms: JoinedRooms::new(&cfg.store, &account).self_ping_after(cfg.room_self_ping_after),
        chats: Chats::new(facts, since_ms),
        history: ArchiveSync::new(cfg.catch_up_limit),
        outbox: Outbox::default(),
        batch: Batcher::default(),
        iq: IqRouter::new(cfg.registrations),
        account: cfg.account,
        store: cfg.store,
        emitter: cfg.emitter,
        view: cfg.view,
        online: false,
        online_notify: cfg.online,
        failures,
        tokens: HashMap::new(),
        token_tx,
        extras: Vec::new(),
        avatar_jobs: cfg.avatar_jobs,
    };
    let task = tokio::spawn(actor.run(stream, cmd_rx, token_rx, fatal_rx));
    SessionHandle {
        commands: cmd_tx,
        shutdown: shutdown_tx,
        task,
    }
}

/// Runs `$body` with a `Cx` over the actor's shared state, then does what the parts asked.
macro_rules! with_cx {
    ($self:ident, $stream:expr, |$cx:ident| $body:expr) => {{
        let mut out = Out::default();
        let store = $self.store.clone();
        let account = $self.account.clone();
        let result = {
            #[allow(unused_mut)]
            let mut $cx = Cx {
                store: &store,
                account: &account,
                out: &mut out,
                batch: &mut $self.batch,
                iq: &mut $self.iq,
                now: Instant::now(),
                now_ms: now_ms(),
            };
            $body
        };
        $self.apply(&$stream, out).await;
        result
    }};
}

// After `with_cx!`: the routing of what arrives uses it too.
mod inbound;
mod rooms;
mod stream;
use inbound::pump;

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
            let flush_at = self.batch.due();
            let join_at = self.rooms.due();
            tokio::select! {
                ev = stream.next() => match ev {
                    Some(Event::Stream(s)) => self.on_stream_event(&stream, s).await,
                    Some(Event::Stanza(s)) => self.on_stanza(&stream, s).await,
                    None => break,
                },
                cmd = commands.recv() => match cmd {
                    Some(Command::Shutdown(reply)) => {
                        self.save_last_online();
                        self.release_held(&stream).await;
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
                    Some(c) => self.on_command(&stream, c).await,
                    None => break,
                },
                Some(o) = tokens.recv() => {
                    with_cx!(self, stream, |cx| {
                        if let Some(peer) = self.outbox.on_outcome(cx.store, o.message_id, o.seq, o.acked, cx.out) {
                            self.tokens.remove(&o.message_id);
                            pump(&mut self.outbox, &self.rooms, self.online, &mut cx, Some(&peer));
                        }
                    });
                }
                Some(err) = fatal.recv() => {
                    if let Some(n) = self.online_notify.take() { let _ = n.send(Err(err)); }
                    // The stream can never come back; drop it (the reconnector parked its slot).
                    self.online = false;
                    self.rooms.on_offline();
                    self.batch.rooms_changed(Instant::now());
                    self.release_held(&stream).await;
                    self.flush();
                    drop(stream);
                    self.iq.fail_app(RequestError::Offline);
                    // Keep answering the services until the messenger drops us.
                    while let Some(cmd) = commands.recv().await {
                        match cmd {
                            Command::Contacts(reply) => { let _ = reply.send(self.people.contacts(&self.store)); }
                            Command::Request(_, reply) => { let _ = reply.send(Err(RequestError::Offline)); }
                            Command::Shutdown(reply) => { let _ = reply.send(()); return; }
                            _ => {}
                        }
                    }
                    return;
                },
                _ = async { if let Some(t) = flush_at { tokio::time::sleep_until(t).await } }, if flush_at.is_some() => self.flush(),
                _ = async { if let Some(t) = join_at { tokio::time::sleep_until(t).await } }, if join_at.is_some() => {
                    with_cx!(self, stream, |cx| self.rooms.on_timer(&mut cx));
                }
                _ = housekeeping.tick() => self.housekeeping(&stream).await,
            }
        }
        self.flush();
    }

    /// The session ends: live messages a catch-up still holds are stored, not lost.
    async fn release_held(&mut self, stream: &StanzaStream) {
        with_cx!(self, stream, |cx| self.history.release_live_at_end(
            &mut cx,
            &mut self.chats,
            &mut self.people
        ));
    }

    /// Sends what the parts asked for and tells the UI.
    async fn apply(&mut self, stream: &StanzaStream, out: Out) {
        for s in out.send {
            match s {
                Outgoing::Plain(s) => {
                    stream.send(s).await;
                }
                Outgoing::Chat {
                    message_id,
                    seq,
                    stanza,
                } => {
                    let mut token = stream.send(Box::new((*stanza).into())).await;
                    self.tokens.insert(message_id, (seq, token.clone()));
                    let tx = self.token_tx.clone();
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
                Outgoing::Extra(m) => {
                    let token = stream.send(Box::new((*m).clone().into())).await;
                    self.extras.push((*m, token));
                }
            }
        }
        for e in out.events {
            self.emitter.emit(e);
        }
        for job in out.avatar_jobs {
            let _ = self.avatar_jobs.send(job);
        }
        if out.flush_now {
            self.flush();
        }
        for r in out.history_done {
            let _ = r.send(Ok(()));
        }
        // Transmissions the outbox no longer waits for (bounced, found in our archive, lost at a
        // reset) need no token watched.
        let outbox = &self.outbox;
        self.tokens
            .retain(|id, (seq, _)| outbox.in_flight(*id, *seq));
        if std::mem::take(&mut self.people.presence_dirty) && self.online {
            let own = self.people.own_presence();
            self.rooms.own_show = own.show.clone();
            for p in self.rooms.presence_for_rooms(&own) {
                stream.send(Box::new(p.into())).await;
            }
            stream.send(Box::new(own.into())).await;
        }
    }

    async fn on_command(&mut self, stream: &StanzaStream, c: Command) {
        match c {
            Command::OutboxChanged(peer) => with_cx!(self, stream, |cx| pump(
                &mut self.outbox,
                &self.rooms,
                self.online,
                &mut cx,
                Some(&peer)
            )),
            Command::Announce(msg) => with_cx!(self, stream, |cx| {
                cx.batch.unread(&msg.peer, cx.now);
                cx.batch.notify(msg.clone(), cx.now);
                self.people.note_incoming(&msg.peer, cx.batch, cx.now);
                cx.batch.message(msg, cx.now);
            }),
            Command::SetPresence(p) => {
                self.people.me.chosen = p;
                self.people.presence_dirty = true;
                self.apply(stream, Out::default()).await;
            }
            Command::Contacts(reply) => {
                let _ = reply.send(self.people.contacts(&self.store));
            }
            Command::FetchArchive(request, reply) => {
                if !self.online {
                    let _ = reply.send(Err("offline".into()));
                    return;
                }
                // A room's history comes from the room's own archive (XEP-0313 §6.1.2); a room
                // without one has nothing older than what it replayed.
                let room = self.store.is_room(self.account.as_str(), &request.peer);
                let archive = self.rooms.has_archive(&request.peer);
                with_cx!(self, stream, |cx| match (room, archive) {
                    (Ok(true), Some(false)) => {
                        let _ = cx
                            .store
                            .set_archive_complete(cx.account.as_str(), &request.peer);
                        let _ = reply.send(Ok(()));
                    }
                    (Ok(true), _) => self.rooms.fetch_older(&mut cx, request, reply),
                    _ => self.history.fetch_older(&mut cx, request, reply),
                });
            }
            Command::SearchArchive(query, reply) => {
                if !self.online {
                    let _ = reply.send(Err("offline".into()));
                    return;
                }
                with_cx!(self, stream, |cx| self
                    .history
                    .search(&mut cx, query, reply));
            }
            Command::MarkDisplayed(to, id) => {
                if self.online {
                    with_cx!(self, stream, |cx| self.chats.mark_displayed(
                        &mut cx,
                        &self.people,
                        &to,
                        &id
                    ));
                }
            }
            Command::Request(iq, reply) => {
                if !self.online {
                    let _ = reply.send(Err(RequestError::Offline));
                    return;
                }
                self.iq.track_app(&iq, reply, Instant::now());
                stream.send(Box::new((*iq).into())).await;
            }
            Command::People(c) => self.on_people_command(stream, c).await,
            Command::Rooms(c) => self.on_rooms_command(stream, c).await,
            Command::Answer(iq) => {
                stream.send(Box::new((*iq).into())).await;
            }
            Command::Shutdown(_) => {} // handled by the loop
        }
    }

    async fn on_people_command(&mut self, stream: &StanzaStream, c: PeopleCommand) {
        match c {
            PeopleCommand::SendPresence(p, done) => {
                if self.online {
                    stream.send(Box::new(p.into())).await;
                }
                let _ = done.send(self.online);
            }
            PeopleCommand::RequestAnswered(jid) => with_cx!(self, stream, |cx| self
                .people
                .request_answered(&jid, cx.out)),
            PeopleCommand::SubscriptionRequests(reply) => {
                let _ = reply.send(self.people.subscription_requests());
            }
            PeopleCommand::MessageRequests(reply) => {
                let _ = reply.send(self.people.message_requests(&self.store));
            }
            PeopleCommand::Blocked(reply) => {
                let _ = reply.send(self.people.blocked());
            }
            PeopleCommand::Details(jid, reply) => {
                let _ = reply.send(self.people.details(&jid));
            }
            PeopleCommand::LastSeen(jid, ms) => with_cx!(self, stream, |cx| {
                self.people.remember_last_seen(cx.store, &jid, ms);
                self.people.queue_presence(&jid, cx.batch, cx.now);
            }),
            PeopleCommand::SetAutoAway(auto, since) => {
                self.people.me.auto = auto;
                self.people.me.idle_since = since;
                self.people.presence_dirty = true;
                self.apply(stream, Out::default()).await;
            }
            PeopleCommand::SetMyAvatar(hash) => {
                self.people.me.avatar = hash;
                self.people.presence_dirty = true;
                self.apply(stream, Out::default()).await;
            }
            PeopleCommand::AvatarStored(jid, hash) => with_cx!(self, stream, |cx| self
                .people
                .avatar_stored(cx.store, &jid, hash, cx.out)),
        }
    }
}
