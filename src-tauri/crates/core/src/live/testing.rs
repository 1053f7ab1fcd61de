//! What the parts' unit tests share: an in-memory store, one account, and a `Cx` over an
//! `Out`, a `Batcher` and an `IqRouter`, with helpers to read what the parts asked for.

use hallway_model::{DeliveryState, Direction, Message, NewMessage, Placement};
use hallway_store::{Inserted, Store};
use tokio::time::Instant;
use tokio_xmpp::jid::BareJid;
use tokio_xmpp::minidom::Element;
use tokio_xmpp::Stanza;

use super::batch::{Batcher, FlushContext};
use super::iq::IqRouter;
use super::{Cx, Out, Outgoing, Pending};
use crate::events::CoreEvent;

pub(crate) const ME: &str = "me@x.org";

/// A message row between us and `peer` (`dir` says who wrote it), as a part would store it.
pub(crate) fn row(
    peer: &str,
    dir: Direction,
    body: &str,
    origin: &str,
    timestamp: i64,
    state: DeliveryState,
) -> NewMessage {
    NewMessage {
        peer: peer.into(),
        direction: dir,
        sender: if dir == Direction::Incoming {
            peer.into()
        } else {
            ME.into()
        },
        body: body.into(),
        timestamp,
        state,
        origin_id: origin.into(),
        stanza_id: None,
        stanza_xml_id: None,
        markable: false,
        wants_receipt: false,
        placement: Placement::Append,
        attachment: None,
    }
}

/// Stores `new` for our account (a test's rows are never duplicates).
pub(crate) fn insert(store: &Store, new: &NewMessage) -> Message {
    match store.insert_message(ME, new).unwrap() {
        Inserted::New(m) => m,
        Inserted::Duplicate(_) => panic!("duplicate"),
    }
}

/// A part's surroundings.
pub(crate) struct Bench {
    pub store: Store,
    pub account: BareJid,
    pub out: Out,
    pub batch: Batcher,
    pub iq: IqRouter<Pending>,
    pub now_ms: i64,
}

impl Bench {
    pub(crate) fn new() -> Bench {
        Bench {
            store: Store::open_in_memory().unwrap(),
            account: BareJid::new(ME).unwrap(),
            out: Out::default(),
            batch: Batcher::default(),
            iq: IqRouter::new(Vec::new()),
            now_ms: 1_000_000,
        }
    }

    pub(crate) fn cx(&mut self) -> Cx<'_> {
        Cx {
            store: &self.store,
            account: &self.account,
            out: &mut self.out,
            batch: &mut self.batch,
            iq: &mut self.iq,
            now: Instant::now(),
            now_ms: self.now_ms,
        }
    }

    /// Everything sent so far, as XML (and forgets it).
    pub(crate) fn sent(&mut self) -> Vec<Element> {
        std::mem::take(&mut self.out.send)
            .into_iter()
            .map(|s| match s {
                Outgoing::Plain(s) => element(*s),
                Outgoing::Chat { stanza, .. } => (*stanza).into(),
                Outgoing::Extra(m) => (*m).into(),
            })
            .collect()
    }

    /// The events of the next flush plus the immediate ones (and forgets them).
    pub(crate) fn events(&mut self) -> Vec<CoreEvent> {
        let mut events = std::mem::take(&mut self.out.events);
        let name = |j: &str| j.to_string();
        let cx = FlushContext {
            store: &self.store,
            account: ME,
            notify: crate::notify::NotifyContext {
                previews: true,
                ..Default::default()
            },
            name: &name,
            requests: &Vec::new,
            rooms: &Vec::new,
            occupants: &|_| Vec::new(),
        };
        events.extend(self.batch.flush(&cx));
        events
    }

    /// Stores a message directly (what an earlier session stored).
    pub(crate) fn stored(&self, peer: &str, dir: Direction, body: &str, origin: &str) -> Message {
        let state = if dir == Direction::Incoming {
            DeliveryState::Received
        } else {
            DeliveryState::Sent
        };
        let mut new = row(peer, dir, body, origin, 500_000, state);
        new.stanza_xml_id = Some(origin.into());
        new.markable = true;
        new.wants_receipt = true;
        insert(&self.store, &new)
    }
}

fn element(s: Stanza) -> Element {
    match s {
        Stanza::Iq(i) => i.into(),
        Stanza::Message(m) => m.into(),
        Stanza::Presence(p) => p.into(),
    }
}

/// A `<message/>` from XML (the `jabber:client` namespace is added).
pub(crate) fn message(xml: &str) -> tokio_xmpp::parsers::message::Message {
    let xml = xml.replacen("<message ", "<message xmlns='jabber:client' ", 1);
    tokio_xmpp::parsers::message::Message::try_from(xml.parse::<Element>().unwrap()).unwrap()
}

/// XML text of an element, for assertions.
pub(crate) fn xml(e: &Element) -> String {
    String::from(e)
}
