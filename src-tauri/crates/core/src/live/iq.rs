//! Iq routing (RFC 6120 §8.2.3): the table of iqs we sent and are waiting for — the session's
//! own (roster, carbons, archive pages…, by kind) and the app's (`ask`, answered through a
//! oneshot) — matched by id *and* sender, with a timeout; and where an incoming `get`/`set` goes:
//! handled by the session, or forwarded, unanswered, to a service that registered its namespace
//! (which answers once it has handled it). A plain struct: no stream, no clock of its own.

use std::collections::HashMap;
use std::time::Duration;

use tokio::time::Instant;

use tokio::sync::{mpsc, oneshot};
use tokio_xmpp::jid::{BareJid, Jid};
use tokio_xmpp::minidom::Element;
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::stanza_error::StanzaError;

/// How long an iq may wait for its answer.
pub(crate) const IQ_TIMEOUT: Duration = Duration::from_secs(30);

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

/// Where the answer to an app request goes.
pub(crate) type Responder = oneshot::Sender<Result<Option<Element>, RequestError>>;

/// An incoming `get`/`set` for a registered namespace, forwarded unanswered: the service answers
/// it (through `Command::Answer`) once it has handled it.
#[derive(Debug)]
pub(crate) struct Forwarded {
    /// Who sent it (a full JID).
    pub from: Jid,
    /// The iq id to answer.
    pub id: String,
    /// The payload.
    pub payload: Element,
}

/// Who may reach a registered namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Senders {
    /// Only a device (full JID) of someone in our roster.
    RosterDevices,
}

/// A service's claim on incoming iqs of one namespace.
pub(crate) struct Registration {
    /// The payload's namespace.
    pub ns: &'static str,
    /// The payload elements taken (anything else in the namespace stays unsupported).
    pub names: &'static [&'static str],
    /// Who may send them.
    pub senders: Senders,
    /// Where they go (bounded: when full, the sender is told to wait).
    pub to: mpsc::Sender<Forwarded>,
}

/// What an answer (result or error) to one of our iqs turned out to be.
#[derive(Debug)]
pub(crate) enum Answered<K> {
    /// An app request: its responder got the payload or the refusal.
    App,
    /// One of the session's own, with what came back.
    Own(K, Result<Option<Element>, Box<StanzaError>>),
    /// An id we wait for, but from someone else than who we asked: dropped (a guessed id must
    /// not answer for our server).
    Spoofed,
    /// Nothing we wait for.
    Unknown,
}

/// Where an incoming `get`/`set` goes.
#[derive(Debug)]
pub(crate) enum Route {
    /// Forwarded to a service (already sent; it will answer).
    Forwarded,
    /// Refused with this condition (not allowed from that sender, or the service is busy).
    Refuse(hallway_protocol::Refusal, &'static str),
}

/// The iqs in flight and the registered namespaces.
pub(crate) struct IqRouter<K> {
    counter: u64,
    /// The session's own iqs: what each is for, when it went, and where (`None`: our server).
    own: HashMap<String, (K, Instant, Option<Jid>)>,
    app: HashMap<String, (Responder, Instant, Option<Jid>)>,
    registrations: Vec<Registration>,
}

impl<K: Clone> IqRouter<K> {
    pub(crate) fn new(registrations: Vec<Registration>) -> Self {
        Self {
            counter: 0,
            own: HashMap::new(),
            app: HashMap::new(),
            registrations,
        }
    }

    /// A fresh id for one of our stanzas: `hw-PREFIX-N`.
    pub(crate) fn next_id(&mut self, prefix: &str) -> String {
        self.counter += 1;
        format!("hw-{prefix}-{}", self.counter)
    }

    /// Remembers one of the session's own iqs (sent to our server or account).
    pub(crate) fn track_own(&mut self, id: String, kind: K, now: Instant) {
        self.own.insert(id, (kind, now, None));
    }

    /// Remembers one of the session's own iqs sent elsewhere (a room): its answer must come
    /// from there.
    pub(crate) fn track_own_to(&mut self, id: String, kind: K, to: Jid, now: Instant) {
        self.own.insert(id, (kind, now, Some(to)));
    }

    /// Remembers an app request; its answer must come from where it went.
    pub(crate) fn track_app(&mut self, iq: &Iq, reply: Responder, now: Instant) {
        let (id, to) = match iq {
            Iq::Get { id, to, .. }
            | Iq::Set { id, to, .. }
            | Iq::Result { id, to, .. }
            | Iq::Error { id, to, .. } => (id.clone(), to.clone()),
        };
        self.app.insert(id, (reply, now, to));
    }

    /// Drops the session's own iqs matching `pred` (their answers will be ignored).
    pub(crate) fn forget_own(&mut self, pred: impl Fn(&K) -> bool) {
        self.own.retain(|_, (k, _, _)| !pred(k));
    }

    /// An `iq result` or `error` from `from`: delivers it where it is awaited. Answers are
    /// matched by id *and* sender (RFC 6120 §8.1.2.1: the reply comes from where the request
    /// went; no `from` means our server or our own account).
    pub(crate) fn on_answer(&mut self, iq: Iq, account: &BareJid) -> Answered<K> {
        let (id, from, outcome) = match iq {
            Iq::Result {
                id, from, payload, ..
            } => (id, from, Ok(payload)),
            Iq::Error {
                id, from, error, ..
            } => (id, from, Err(Box::new(error))),
            Iq::Get { .. } | Iq::Set { .. } => return Answered::Unknown,
        };
        if let Some((_, _, to)) = self.app.get(&id) {
            if !sender_ok(to, &from, account) {
                tracing::warn!("iq answer {id} from an unexpected sender {from:?} dropped");
                return Answered::Spoofed;
            }
            if let Some((reply, _, _)) = self.app.remove(&id) {
                let _ = reply.send(outcome.map_err(|e| {
                    RequestError::Refused(
                        format!("{:?}", e.defined_condition),
                        e.texts.values().next().cloned(),
                    )
                }));
            }
            return Answered::App;
        }
        if let Some((_, _, to)) = self.own.get(&id) {
            if !sender_ok(to, &from, account) {
                tracing::warn!("iq answer {id} from an unexpected sender {from:?} dropped");
                return Answered::Spoofed;
            }
            if let Some((kind, _, _)) = self.own.remove(&id) {
                return Answered::Own(kind, outcome);
            }
        }
        Answered::Unknown
    }

    /// Iqs older than `IQ_TIMEOUT` at `now`: app requests are answered `NoAnswer`, the session's
    /// own kinds are handed back.
    pub(crate) fn expire(&mut self, now: Instant) -> Vec<K> {
        let late: Vec<String> = self
            .app
            .iter()
            .filter(|(_, (_, at, _))| now.duration_since(*at) >= IQ_TIMEOUT)
            .map(|(id, _)| id.clone())
            .collect();
        for id in late {
            if let Some((r, _, _)) = self.app.remove(&id) {
                let _ = r.send(Err(RequestError::NoAnswer));
            }
        }
        let expired: Vec<String> = self
            .own
            .iter()
            .filter(|(_, (_, at, _))| now.duration_since(*at) >= IQ_TIMEOUT)
            .map(|(id, _)| id.clone())
            .collect();
        expired
            .into_iter()
            .filter_map(|id| {
                tracing::warn!("iq {id} timed out");
                self.own.remove(&id).map(|(k, _, _)| k)
            })
            .collect()
    }

    /// The stream was reset (or is gone): app requests will never be answered.
    pub(crate) fn fail_app(&mut self, why: RequestError) {
        for (_, (r, _, _)) in self.app.drain() {
            let _ = r.send(Err(why.clone()));
        }
    }

    /// Where an incoming `get`/`set` with `payload` from `from` goes; a registered namespace's
    /// iq is forwarded here (`in_roster` says whether a bare JID is in our roster).
    pub(crate) fn route(
        &self,
        from: Option<&Jid>,
        id: &str,
        payload: Element,
        in_roster: impl Fn(&str) -> bool,
    ) -> Result<Route, Element> {
        let Some(reg) = self
            .registrations
            .iter()
            .find(|r| payload.ns() == r.ns && r.names.contains(&payload.name()))
        else {
            return Err(payload); // the session's own business
        };
        let allowed = match (reg.senders, from) {
            (Senders::RosterDevices, Some(f)) => {
                f.resource().is_some() && in_roster(f.to_bare().as_str())
            }
            (Senders::RosterDevices, None) => false,
        };
        let Some(from) = from.filter(|_| allowed) else {
            return Ok(Route::Refuse(
                hallway_protocol::Refusal::ServiceUnavailable,
                "Not supported by Hallway",
            ));
        };
        let fwd = Forwarded {
            from: from.clone(),
            id: id.to_string(),
            payload,
        };
        Ok(match reg.to.try_send(fwd) {
            Ok(()) => Route::Forwarded,
            Err(mpsc::error::TrySendError::Full(_)) => Route::Refuse(
                hallway_protocol::Refusal::ResourceConstraint,
                "Too much at once; slow down.",
            ),
            Err(mpsc::error::TrySendError::Closed(_)) => Route::Refuse(
                hallway_protocol::Refusal::ServiceUnavailable,
                "Not supported by Hallway",
            ),
        })
    }
}

/// Our server or our own account (no `from` at all means the server).
pub(crate) fn own_server(from: &Option<Jid>, account: &BareJid) -> bool {
    match from {
        None => true,
        Some(f) => f.to_bare() == *account || f.to_string() == account.domain().as_str(),
    }
}

/// The answer to a request sent to `expected` (`None`: our server) may come from `from`.
fn sender_ok(expected: &Option<Jid>, from: &Option<Jid>, account: &BareJid) -> bool {
    match expected {
        None => own_server(from, account),
        Some(to) => {
            from.as_ref() == Some(to) || (to.to_bare() == *account && own_server(from, account))
        }
    }
}

#[cfg(test)]
mod tests;
