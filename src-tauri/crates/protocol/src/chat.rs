//! RFC 6121 §5: one-to-one chat messages, tying together XEP-0359 ids, XEP-0184 receipts,
//! XEP-0280 carbons and XEP-0203 delays. `build_chat` makes what we send; `parse_incoming` turns
//! any incoming `<message/>` into what the app must do with it.

use xmpp_parsers::jid::{BareJid, Jid};
use xmpp_parsers::message::{Id, Lang, Message, MessageType};

use crate::xep0280_carbons::{self, Carbon};
use crate::xep0313_mam::ArchivedMessage;
use crate::{xep0184_receipts, xep0203_delay, xep0333_markers, xep0359_stanza_id, ProtocolError};

/// Largest body we accept from the network (bytes). Larger ones are cut, with a marker, so a
/// stranger cannot make us store megabytes per message; 100 kB messages pass untouched.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// A chat message to send. Its stanza `id` equals its origin-id, so XEP-0184 receipts (which
/// name the stanza id) find the stored message.
/// `file_url`: the message shares an uploaded file (XEP-0363 §4): the body is the URL and a
/// XEP-0066 `<x/>` says so.
pub fn build_chat(to: &BareJid, body: &str, origin_id: &str, file_url: Option<&str>) -> Message {
    let mut m = Message::chat(Some(Jid::from(to.clone())));
    m.id = Some(Id(origin_id.to_string()));
    m.bodies.insert(Lang::default(), body.to_string());
    let m = m
        .with_payload(xep0359_stanza_id::origin_id(origin_id))
        .with_payload(xep0184_receipts::request())
        .with_payload(xmpp_parsers::displayed_markers::Markable);
    match file_url {
        Some(u) => {
            let mut m = m;
            m.payloads.push(crate::xep0066_oob::element(u));
            m
        }
        None => m,
    }
}

/// A chat message worth storing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatMessage {
    /// The conversation: the contact's bare JID.
    pub peer: String,
    /// Author's bare JID.
    pub sender: String,
    /// `true` when we (any of our devices) wrote it.
    pub outgoing: bool,
    /// Body text (capped at `MAX_BODY_BYTES`).
    pub body: String,
    /// XEP-0359 origin-id, else the stanza id.
    pub origin_id: Option<String>,
    /// XEP-0359 stanza-id set by our server.
    pub stanza_id: Option<String>,
    /// XEP-0203 timestamp in ms, when delayed.
    pub delayed_ms: Option<i64>,
    /// Where to send a XEP-0184 receipt (set only for direct incoming messages that asked).
    pub receipt_to: Option<(Jid, String)>,
    /// Came in as a carbon copy.
    pub carbon: bool,
    /// The stanza `id` attribute (XEP-0333 markers name it).
    pub xml_id: Option<String>,
    /// The sender asked for XEP-0333 markers.
    pub markable: bool,
    /// The sender asked for a XEP-0184 receipt.
    pub wants_receipt: bool,
    /// XEP-0308: this corrects the sender's earlier message with this stanza id.
    pub replaces: Option<String>,
    /// The HTTPS file it shares (XEP-0066 OOB, or a body that is just an upload URL).
    pub file_url: Option<String>,
}

/// What an incoming message stanza means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// Store and show.
    Chat(ChatMessage),
    /// The contact's client confirmed our message with this stanza id (XEP-0184).
    Receipt {
        /// The contact.
        peer: String,
        /// Our message's stanza id (= origin-id).
        id: String,
    },
    /// Our message bounced (`type="error"`).
    Bounced {
        /// The contact.
        peer: String,
        /// Our message's stanza id.
        id: String,
        /// Human text from the server, if any.
        text: String,
    },
    /// A XEP-0333 `displayed` marker in the conversation with `peer`: by the contact (our
    /// message `id` and everything before it was seen) or by another of our devices (we read the
    /// contact's message `id`, so the conversation is read up to there).
    Displayed {
        /// The contact.
        peer: String,
        /// The marked message's stanza id.
        id: String,
        /// Sent by one of our own devices.
        by_me: bool,
    },
    /// Nothing to store: chat states, groupchat (not handled yet), headlines without body…
    Ignored,
}

pub(crate) fn cap_body(mut body: String) -> String {
    if body.len() > MAX_BODY_BYTES {
        let mut cut = MAX_BODY_BYTES;
        while !body.is_char_boundary(cut) {
            cut -= 1;
        }
        body.truncate(cut);
        body.push_str(" [… message cut: too long]");
    }
    body
}

/// What we know of our server that decides which claims in a message to believe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ServerFacts {
    /// Its disco#info lists `urn:xmpp:sid:0`: it stamps every message with a XEP-0359
    /// stanza-id and strips forged ones (§4). Without it, a stanza-id "by" our account may have
    /// been written by the sender, so none is believed.
    pub stanza_ids: bool,
}

/// Classifies an incoming `<message/>`. `own` is the account's bare JID.
pub fn parse_incoming(
    msg: Message,
    own: &BareJid,
    facts: ServerFacts,
) -> Result<Incoming, ProtocolError> {
    let from = msg.from.clone();
    if let Some(carbon) = xep0280_carbons::unwrap(from.as_ref(), own, &msg.payloads)? {
        return Ok(match carbon {
            Carbon::Sent(inner, delay) => {
                let Some(to) = inner.to.as_ref() else {
                    return Ok(Incoming::Ignored);
                };
                let peer = to.to_bare();
                if xep0184_receipts::received_id(&inner.payloads).is_some() {
                    // Our other device confirmed a message to the contact: nothing for us.
                    return Ok(Incoming::Ignored);
                }
                if let Some(id) = xep0333_markers::displayed_id(&inner.payloads) {
                    return Ok(Incoming::Displayed {
                        peer: peer.to_string(),
                        id,
                        by_me: true,
                    });
                }
                let trusted = [own.domain().as_str(), peer.domain().as_str()];
                let delayed = delay
                    .and_then(|d| xep0203_delay::trusted_delay_ms(&d, &trusted))
                    .or_else(|| xep0203_delay::trusted_stamp_ms(&inner.payloads, &trusted));
                chat_from(
                    &inner,
                    peer.to_string(),
                    own.to_string(),
                    true,
                    own,
                    (true, facts.stanza_ids),
                    delayed,
                )
            }
            Carbon::Received(inner, delay) => {
                let Some(f) = inner.from.as_ref() else {
                    return Ok(Incoming::Ignored);
                };
                let trusted = [own.domain().as_str(), f.domain().as_str()];
                let delayed = delay
                    .and_then(|d| xep0203_delay::trusted_delay_ms(&d, &trusted))
                    .or_else(|| xep0203_delay::trusted_stamp_ms(&inner.payloads, &trusted));
                let peer = f.to_bare().to_string();
                if let Some(id) = xep0184_receipts::received_id(&inner.payloads) {
                    return Ok(Incoming::Receipt { peer, id });
                }
                if let Some(id) = xep0333_markers::displayed_id(&inner.payloads) {
                    return Ok(Incoming::Displayed {
                        peer,
                        id,
                        by_me: false,
                    });
                }
                chat_from(
                    &inner,
                    peer.clone(),
                    peer,
                    false,
                    own,
                    (true, facts.stanza_ids),
                    delayed,
                )
            }
        });
    }
    let Some(from) = from else {
        return Ok(Incoming::Ignored);
    };
    let peer = from.to_bare().to_string();
    match msg.type_ {
        MessageType::Error => {
            let id = msg.id.as_ref().map(|i| i.0.clone()).unwrap_or_default();
            if id.is_empty() {
                return Ok(Incoming::Ignored);
            }
            let text = msg
                .payloads
                .iter()
                .find(|p| p.name() == "error")
                .and_then(|e| e.children().find(|c| c.name() == "text").map(|t| t.text()))
                .unwrap_or_else(|| "The server could not deliver this message.".to_string());
            return Ok(Incoming::Bounced { peer, id, text });
        }
        MessageType::Groupchat | MessageType::Headline => return Ok(Incoming::Ignored),
        MessageType::Chat | MessageType::Normal => {}
    }
    if let Some(id) = xep0184_receipts::received_id(&msg.payloads) {
        return Ok(Incoming::Receipt { peer, id });
    }
    if let Some(id) = xep0333_markers::displayed_id(&msg.payloads) {
        return Ok(Incoming::Displayed {
            peer,
            id,
            by_me: false,
        });
    }
    // Offline storage stamps a delay (our server's domain); a sender's own claim is ignored.
    let delayed = xep0203_delay::trusted_stamp_ms(
        &msg.payloads,
        &[own.domain().as_str(), from.domain().as_str()],
    );
    let result = chat_from(
        &msg,
        peer.clone(),
        peer,
        false,
        own,
        (false, facts.stanza_ids),
        delayed,
    );
    Ok(match result {
        Incoming::Chat(mut c) => {
            // §5.4: only answer a receipt request on a message that has an id; never for
            // delayed (offline-stored) copies we may have seen before — receipts are idempotent,
            // so answering those too is harmless and lets the sender know.
            if xep0184_receipts::wants_receipt(&msg.payloads) {
                if let Some(id) = msg
                    .id
                    .as_ref()
                    .map(|i| i.0.clone())
                    .filter(|i| !i.is_empty())
                {
                    c.receipt_to = Some((from.clone(), id));
                }
            }
            Incoming::Chat(c)
        }
        other => other,
    })
}

/// A chat message from `m`; `(carbon, trust_stanza_id)`: it came as a carbon copy, and
/// stanza-ids by our account are believed (see `ServerFacts`). `delayed_ms`: its trusted
/// original time.
fn chat_from(
    m: &Message,
    peer: String,
    sender: String,
    outgoing: bool,
    own: &BareJid,
    (carbon, trust_stanza_id): (bool, bool),
    delayed_ms: Option<i64>,
) -> Incoming {
    let Some((_, body)) = m.get_best_body_cloned(vec![""]) else {
        return Incoming::Ignored;
    };
    if body.trim().is_empty() || m.type_ == MessageType::Groupchat || m.type_ == MessageType::Error
    {
        return Incoming::Ignored;
    }
    let origin_id = xep0359_stanza_id::find_origin_id(&m.payloads).or_else(|| {
        m.id.as_ref()
            .map(|i| i.0.clone())
            .filter(|i| !i.is_empty() && i.len() <= 256)
    });
    let file_url =
        crate::xep0066_oob::file_url(crate::xep0066_oob::url(&m.payloads).as_deref(), &body);
    Incoming::Chat(ChatMessage {
        peer,
        sender,
        outgoing,
        body: cap_body(body),
        origin_id,
        stanza_id: if trust_stanza_id {
            xep0359_stanza_id::find_stanza_id(&m.payloads, own)
        } else {
            None
        },
        delayed_ms,
        receipt_to: None,
        carbon,
        xml_id: m
            .id
            .as_ref()
            .map(|i| i.0.clone())
            .filter(|i| !i.is_empty() && i.len() <= 256),
        markable: xep0333_markers::is_markable(&m.payloads),
        wants_receipt: !outgoing && xep0184_receipts::wants_receipt(&m.payloads),
        replaces: crate::xep0308_correction::replaced_id(&m.payloads),
        file_url,
    })
}

/// Classifies a message from our archive (XEP-0313): ours when our bare JID wrote it, else the
/// contact's. The archive id is its stanza-id; the archive stamp is its time. `receipt_to` is
/// set when the contact asked for a XEP-0184 receipt: the session answers it only for catch-up
/// of messages that reached no device of ours live (e.g. dropped with a dead session).
pub fn parse_archived(a: ArchivedMessage, own: &BareJid) -> Incoming {
    let m = a.message;
    if matches!(
        m.type_,
        MessageType::Error | MessageType::Groupchat | MessageType::Headline
    ) {
        return Incoming::Ignored;
    }
    let (Some(from), Some(to)) = (m.from.as_ref(), m.to.as_ref()) else {
        return Incoming::Ignored;
    };
    let outgoing = from.to_bare() == *own;
    let peer = if outgoing {
        to.to_bare()
    } else {
        from.to_bare()
    }
    .to_string();
    if peer == own.to_string() {
        return Incoming::Ignored; // notes to self are not a conversation (yet)
    }
    if let Some(id) = xep0184_receipts::received_id(&m.payloads) {
        return if outgoing {
            Incoming::Ignored
        } else {
            Incoming::Receipt { peer, id }
        };
    }
    if let Some(id) = xep0333_markers::displayed_id(&m.payloads) {
        return Incoming::Displayed {
            peer,
            id,
            by_me: outgoing,
        };
    }
    let sender = if outgoing {
        own.to_string()
    } else {
        peer.clone()
    };
    // The archive's own id and stamp are what count for an archived message.
    match chat_from(&m, peer, sender, outgoing, own, (false, false), a.stamp_ms) {
        Incoming::Chat(mut c) => {
            c.stanza_id = Some(a.archive_id);
            if !outgoing && xep0184_receipts::wants_receipt(&m.payloads) {
                c.receipt_to = c.xml_id.clone().map(|id| (from.clone(), id));
            }
            Incoming::Chat(c)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xmpp_parsers::minidom::Element;

    fn own() -> BareJid {
        BareJid::new("alice@x.org").unwrap()
    }

    fn parse(s: &str) -> Incoming {
        let el: Element = s.parse().unwrap();
        parse_incoming(Message::try_from(el).unwrap(), &own(), SID).unwrap()
    }

    /// A server that stamps stanza-ids (XEP-0359 §4).
    const SID: ServerFacts = ServerFacts { stanza_ids: true };

    #[test]
    fn parses_direct_chat_with_receipt_request() {
        let i = parse(
            "<message xmlns='jabber:client' from='bob@x.org/laptop' to='alice@x.org/h' type='chat' id='s1'>\
             <body>&lt;img src=x onerror=alert(1)&gt;</body><request xmlns='urn:xmpp:receipts'/>\
             <origin-id xmlns='urn:xmpp:sid:0' id='o1'/><stanza-id xmlns='urn:xmpp:sid:0' id='arch1' by='alice@x.org'/></message>",
        );
        let Incoming::Chat(c) = i else {
            panic!("chat expected")
        };
        assert_eq!(c.peer, "bob@x.org");
        assert_eq!(c.body, "<img src=x onerror=alert(1)>");
        assert_eq!(c.origin_id.as_deref(), Some("o1"));
        assert_eq!(c.stanza_id.as_deref(), Some("arch1"));
        assert_eq!(
            c.receipt_to
                .as_ref()
                .map(|(j, id)| (j.to_string(), id.clone())),
            Some(("bob@x.org/laptop".into(), "s1".into()))
        );
        assert!(!c.outgoing && !c.carbon);
    }

    #[test]
    fn parses_receipts_bounces_and_carbons() {
        assert_eq!(
            parse("<message xmlns='jabber:client' from='bob@x.org/l'><received xmlns='urn:xmpp:receipts' id='o9'/></message>"),
            Incoming::Receipt { peer: "bob@x.org".into(), id: "o9".into() }
        );
        assert!(matches!(
            parse("<message xmlns='jabber:client' from='bob@x.org' type='error' id='o2'><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>"),
            Incoming::Bounced { id, .. } if id == "o2"
        ));
        let sent = parse(
            "<message xmlns='jabber:client' from='alice@x.org' to='alice@x.org/h'><sent xmlns='urn:xmpp:carbons:2'>\
             <forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' from='alice@x.org/phone' to='bob@x.org' type='chat' id='p1'>\
             <body>from my phone</body></message></forwarded></sent></message>",
        );
        let Incoming::Chat(c) = sent else {
            panic!("carbon chat")
        };
        assert!(c.outgoing && c.carbon);
        assert_eq!(
            (c.peer.as_str(), c.sender.as_str(), c.origin_id.as_deref()),
            ("bob@x.org", "alice@x.org", Some("p1"))
        );
        assert!(c.receipt_to.is_none());
    }

    #[test]
    fn rejects_spoofed_carbons_and_ignores_noise() {
        let el: Element = "<message xmlns='jabber:client' from='mallory@x.org' to='alice@x.org/h'><sent xmlns='urn:xmpp:carbons:2'>\
             <forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' from='alice@x.org/phone' to='bob@x.org' type='chat'>\
             <body>fake</body></message></forwarded></sent></message>"
            .parse()
            .unwrap();
        assert!(matches!(
            parse_incoming(Message::try_from(el).unwrap(), &own(), SID),
            Err(ProtocolError::Spoofed { .. })
        ));
        assert_eq!(parse("<message xmlns='jabber:client' from='bob@x.org/l' type='chat'><active xmlns='http://jabber.org/protocol/chatstates'/></message>"), Incoming::Ignored);
        assert_eq!(parse("<message xmlns='jabber:client' from='room@c.x.org/n' type='groupchat'><body>x</body></message>"), Incoming::Ignored);
        assert_eq!(parse("<message xmlns='jabber:client' from='bob@x.org/l' type='chat'><body>   </body></message>"), Incoming::Ignored);
    }

    #[test]
    fn caps_huge_bodies_and_keeps_100k() {
        let hundred_k = "x".repeat(100 * 1024);
        assert_eq!(cap_body(hundred_k.clone()), hundred_k);
        let huge = "é".repeat(MAX_BODY_BYTES);
        let cut = cap_body(huge);
        assert!(cut.len() < MAX_BODY_BYTES + 64);
        assert!(cut.ends_with("[… message cut: too long]"));
    }

    #[test]
    fn serialises_chat_with_ids_and_receipt_request() {
        let el: Element = build_chat(
            &BareJid::new("bob@x.org").unwrap(),
            "hello\nworld",
            "o-1",
            None,
        )
        .into();
        assert_eq!(el.attr("type"), Some("chat"));
        assert_eq!(el.attr("id"), Some("o-1"));
        assert_eq!(
            el.get_child("body", "jabber:client").unwrap().text(),
            "hello\nworld"
        );
        assert_eq!(
            el.get_child("origin-id", xmpp_parsers::ns::SID)
                .unwrap()
                .attr("id"),
            Some("o-1")
        );
        assert!(el
            .get_child("request", xmpp_parsers::ns::RECEIPTS)
            .is_some());
        assert!(el.get_child("markable", xep0333_markers::NS).is_some());
    }

    #[test]
    fn parses_displayed_markers_from_contact_and_own_devices() {
        assert_eq!(
            parse("<message xmlns='jabber:client' from='bob@x.org/l' type='chat'><displayed xmlns='urn:xmpp:chat-markers:0' id='o5'/></message>"),
            Incoming::Displayed { peer: "bob@x.org".into(), id: "o5".into(), by_me: false }
        );
        assert_eq!(
            parse("<message xmlns='jabber:client' from='alice@x.org' to='alice@x.org/h'><sent xmlns='urn:xmpp:carbons:2'>\
             <forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' from='alice@x.org/phone' to='bob@x.org' type='chat'>\
             <displayed xmlns='urn:xmpp:chat-markers:0' id='b3'/></message></forwarded></sent></message>"),
            Incoming::Displayed { peer: "bob@x.org".into(), id: "b3".into(), by_me: true }
        );
    }

    fn archived(inner: &str) -> Incoming {
        let m = Message::try_from(inner.parse::<Element>().unwrap()).unwrap();
        parse_archived(
            ArchivedMessage {
                query_id: "q".into(),
                archive_id: "A7".into(),
                stamp_ms: Some(1000),
                message: m,
            },
            &own(),
        )
    }

    #[test]
    fn parses_archived_messages_in_both_directions() {
        let Incoming::Chat(c) = archived("<message xmlns='jabber:client' from='bob@x.org/l' to='alice@x.org/h' type='chat' id='x1'>\
            <body>old news</body><request xmlns='urn:xmpp:receipts'/><markable xmlns='urn:xmpp:chat-markers:0'/></message>") else {
            panic!("chat expected")
        };
        assert_eq!(
            (
                c.peer.as_str(),
                c.outgoing,
                c.stanza_id.as_deref(),
                c.delayed_ms
            ),
            ("bob@x.org", false, Some("A7"), Some(1000))
        );
        assert!(c.markable);
        assert_eq!(
            c.receipt_to.map(|(to, id)| (to.to_string(), id)),
            Some(("bob@x.org/l".to_string(), "x1".to_string()))
        );
        assert_eq!(c.xml_id.as_deref(), Some("x1"));
        let Incoming::Chat(c) = archived(
            "<message xmlns='jabber:client' from='alice@x.org/phone' to='bob@x.org' type='chat'>\
            <body>sent from phone</body><origin-id xmlns='urn:xmpp:sid:0' id='o8'/></message>",
        ) else {
            panic!("chat expected")
        };
        assert_eq!(
            (
                c.peer.as_str(),
                c.sender.as_str(),
                c.outgoing,
                c.origin_id.as_deref()
            ),
            ("bob@x.org", "alice@x.org", true, Some("o8"))
        );
    }

    #[test]
    fn believes_stanza_ids_only_from_a_server_that_stamps_them() {
        let xml = "<message xmlns='jabber:client' from='bob@x.org/l' to='alice@x.org/h' type='chat'>\
            <body>hi</body><stanza-id xmlns='urn:xmpp:sid:0' id='forged' by='alice@x.org'/></message>";
        let msg = || Message::try_from(xml.parse::<Element>().unwrap()).unwrap();
        let Incoming::Chat(c) = parse_incoming(msg(), &own(), SID).unwrap() else {
            panic!("chat expected")
        };
        assert_eq!(c.stanza_id.as_deref(), Some("forged"));
        let Incoming::Chat(c) = parse_incoming(msg(), &own(), ServerFacts::default()).unwrap()
        else {
            panic!("chat expected")
        };
        assert_eq!(c.stanza_id, None);
    }

    #[test]
    fn a_live_delay_counts_only_when_a_server_set_it() {
        let with = |delay_from: &str| {
            parse(&format!(
                "<message xmlns='jabber:client' from='bob@y.org/l' to='alice@x.org/h' type='chat'>\
                <body>hi</body><delay xmlns='urn:xmpp:delay' {delay_from} stamp='2002-09-10T23:08:25Z'/></message>"
            ))
        };
        let stamp = |i: Incoming| match i {
            Incoming::Chat(c) => c.delayed_ms,
            other => panic!("chat expected, got {other:?}"),
        };
        // Offline storage by our server or the sender's: the true time.
        assert_eq!(stamp(with("from='x.org'")), Some(1_031_699_305_000));
        assert_eq!(stamp(with("from='y.org'")), Some(1_031_699_305_000));
        // The sender backdating its own message, or a delay from nowhere: ignored (now).
        assert_eq!(stamp(with("from='bob@y.org/l'")), None);
        assert_eq!(stamp(with("from='elsewhere.org'")), None);
        assert_eq!(stamp(with("")), None);
    }

    #[test]
    fn parses_corrections() {
        let Incoming::Chat(c) = parse(
            "<message xmlns='jabber:client' from='bob@x.org/l' type='chat' id='s2'>\
            <body>fixed typo</body><replace xmlns='urn:xmpp:message-correct:0' id='s1'/></message>",
        ) else {
            panic!("chat expected")
        };
        assert_eq!(
            (c.body.as_str(), c.replaces.as_deref()),
            ("fixed typo", Some("s1"))
        );
    }

    #[test]
    fn rejects_archived_errors_and_headless_messages() {
        assert_eq!(archived("<message xmlns='jabber:client' from='bob@x.org' to='alice@x.org' type='error'><body>x</body></message>"), Incoming::Ignored);
        assert_eq!(archived("<message xmlns='jabber:client' to='alice@x.org' type='chat'><body>x</body></message>"), Incoming::Ignored);
    }

    #[test]
    fn reads_a_shared_file_and_serialises_one() {
        let own = BareJid::new("me@x.org").unwrap();
        let m: Message =
            "<message xmlns='jabber:client' from='bob@x.org/p' to='me@x.org' type='chat' id='f1'>
            <body>https://up.x.org/s/abc/plan.pdf</body>
            <x xmlns='jabber:x:oob'><url>https://up.x.org/s/abc/plan.pdf</url></x></message>"
                .parse::<xmpp_parsers::minidom::Element>()
                .unwrap()
                .try_into()
                .unwrap();
        let Incoming::Chat(c) = parse_incoming(m, &own, SID).unwrap() else {
            panic!("not a chat")
        };
        assert_eq!(
            c.file_url.as_deref(),
            Some("https://up.x.org/s/abc/plan.pdf")
        );
        let out: xmpp_parsers::minidom::Element = build_chat(
            &BareJid::new("bob@x.org").unwrap(),
            "https://up.x.org/s/abc/plan.pdf",
            "o-2",
            Some("https://up.x.org/s/abc/plan.pdf"),
        )
        .into();
        let x = out.get_child("x", crate::xep0066_oob::NS).unwrap();
        assert_eq!(
            x.get_child("url", crate::xep0066_oob::NS).unwrap().text(),
            "https://up.x.org/s/abc/plan.pdf"
        );
    }
}
