//! XEP-0045: Multi-User Chat — messages in a room (§7.4): what we send (with a XEP-0359
//! origin-id, so its reflection is known as ours), who wrote what arrives (the occupant's
//! nickname, never a real address), the room's own stanza-id (§4 of XEP-0359: only when the room
//! says it stamps them) and the time of history the room replays (its `<delay/>`, §7.2.14).

use xmpp_parsers::delay::Delay;
use xmpp_parsers::jid::{BareJid, Jid};
use xmpp_parsers::message::{Id, Lang, Message, MessageType};
use xmpp_parsers::minidom::Element;
use xmpp_parsers::ns;

use crate::{clip, xep0045_muc, xep0359_stanza_id, ProtocolError};

/// A message to the room from us: `id` and origin-id are the stored message's origin-id, which
/// the room reflects back to every occupant, us included (§7.4: the reflection is how we know it
/// went out; XEP-0359 origin-id lets us match it even when the room rewrites `id`).
pub fn build(room: &BareJid, body: &str, origin_id: &str, file_url: Option<&str>) -> Message {
    let mut m = Message::new(Some(Jid::from(room.clone())));
    m.type_ = MessageType::Groupchat;
    m.id = Some(Id(origin_id.to_string()));
    m.bodies.insert(Lang::default(), body.to_string());
    m.payloads
        .push(xep0359_stanza_id::origin_id(origin_id).into());
    if let Some(u) = file_url {
        m.payloads.push(crate::xep0066_oob::element(u));
    }
    m
}

/// A message someone (or we) said in a room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomMessage {
    /// The room.
    pub room: BareJid,
    /// The author's nickname.
    pub nick: String,
    /// The text (capped like a chat's).
    pub body: String,
    /// The author's XEP-0359 origin-id, else the stanza `id`.
    pub origin_id: Option<String>,
    /// The room's stanza-id (its archive id), when believed.
    pub stanza_id: Option<String>,
    /// When it was said, for history the room replays (its delay stamp).
    pub delayed_ms: Option<i64>,
    /// The HTTPS file it shares (XEP-0066 / a bare upload URL).
    pub file_url: Option<String>,
}

/// What a `groupchat` message from a room means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoomIncoming {
    /// Someone said something.
    Message(RoomMessage),
    /// The subject, set by `nick` (absent when the room itself sent it), or cleared (empty).
    /// The room sends it last when we enter (§7.2.15): the history before it is complete.
    Subject {
        /// The room.
        room: BareJid,
        /// The subject ("" when cleared).
        subject: String,
    },
    /// The room's settings changed (§10.2.1, status 104): its name may be new.
    ConfigChanged,
    /// Nothing to keep (chat states, empty bodies, the room's own notices without an author).
    Ignored,
}

/// Classifies a `groupchat` message from one of our rooms. `stanza_ids`: the room's disco#info
/// lists `urn:xmpp:sid:0` (it stamps every message and strips forged stanza-ids).
pub fn parse(m: &Message, stanza_ids: bool) -> Result<RoomIncoming, ProtocolError> {
    if m.type_ != MessageType::Groupchat {
        return Err(ProtocolError::malformed(
            "groupchat message",
            "not of type groupchat",
        ));
    }
    let Some(from) = m.from.as_ref() else {
        return Err(ProtocolError::malformed("groupchat message", "no sender"));
    };
    let room = from.to_bare();
    if let Some(subject) = xep0045_muc::subject(m) {
        return Ok(RoomIncoming::Subject { room, subject });
    }
    let Some(nick) = from.resource() else {
        // The room's own notices have no author; of them only "settings changed" matters.
        let changed = m
            .payloads
            .iter()
            .filter(|p| p.is("x", xmpp_parsers::ns::MUC_USER))
            .flat_map(|x| x.children())
            .any(|c| c.name() == "status" && c.attr("code") == Some("104"));
        return Ok(if changed {
            RoomIncoming::ConfigChanged
        } else {
            RoomIncoming::Ignored
        });
    };
    let nick = nick.as_str();
    if nick.chars().count() > xep0045_muc::MAX_NICK {
        return Err(ProtocolError::malformed(
            "groupchat message",
            "nickname too long",
        ));
    }
    let Some((_, body)) = m.get_best_body_cloned(vec![""]) else {
        return Ok(RoomIncoming::Ignored);
    };
    if body.trim().is_empty() {
        return Ok(RoomIncoming::Ignored);
    }
    let origin_id = xep0359_stanza_id::find_origin_id(&m.payloads).or_else(|| {
        m.id.as_ref()
            .map(|i| i.0.clone())
            .filter(|i| !i.is_empty() && i.len() <= 256)
    });
    let file_url =
        crate::xep0066_oob::file_url(crate::xep0066_oob::url(&m.payloads).as_deref(), &body);
    Ok(RoomIncoming::Message(RoomMessage {
        nick: clip(nick, xep0045_muc::MAX_NICK),
        body: crate::chat::cap_body(body),
        origin_id,
        stanza_id: if stanza_ids {
            // The room is the archive that stamps it (`by` = its bare JID).
            xep0359_stanza_id::find_stanza_id(&m.payloads, &room)
        } else {
            None
        },
        delayed_ms: room_delay_ms(&m.payloads, &room),
        file_url,
        room,
    }))
}

/// The id of our message the room refused because we are not (or no longer) in it: an error
/// `<not-acceptable/>` from the room's own address (§7.4: "only occupants may send"; Prosody and
/// ejabberd both answer so). The room dropped us without a word (restarted, lost its state, an
/// `s2s` link broke): the message was not taken and goes again once we are back in. `None` for
/// every other message, and for other refusals (a visitor's `forbidden` is the room's answer).
pub fn refused_as_outsider(m: &Message) -> Option<String> {
    if m.type_ != MessageType::Error {
        return None;
    }
    // From the room itself, not from one of its occupants.
    if m.from.as_ref()?.resource().is_some() {
        return None;
    }
    let error = m.payloads.iter().find(|e| e.name() == "error")?;
    error
        .children()
        .any(|c| c.name() == "not-acceptable" && c.ns() == xep0045_muc::NS_STANZAS)
        .then(|| m.id.as_ref().map(|i| i.0.clone()))
        .flatten()
        .filter(|id| !id.is_empty() && id.len() <= 256)
}

/// A message from the room's own archive (XEP-0313 asked at the room's JID; XEP-0045 §7.2.14 and
/// XEP-0313 §6.1.2): its archive id is the room's stanza-id and the archive's stamp its time.
/// The room answers for itself only: a forwarded message from anywhere else is a forgery.
pub fn parse_archived(
    a: &crate::xep0313_mam::ArchivedMessage,
    room: &BareJid,
) -> Result<RoomIncoming, ProtocolError> {
    let from = a.message.from.as_ref().map(|f| f.to_bare());
    if from.as_ref() != Some(room) {
        return Err(ProtocolError::Spoofed {
            what: "room archive message",
            from: a
                .message
                .from
                .as_ref()
                .map(|f| f.to_string())
                .unwrap_or_default(),
        });
    }
    Ok(match parse(&a.message, false)? {
        RoomIncoming::Message(mut r) => {
            r.stanza_id = Some(a.archive_id.clone());
            r.delayed_ms = a.stamp_ms.or(r.delayed_ms);
            RoomIncoming::Message(r)
        }
        // A subject in the archive is the past, not the room's current one.
        _ => RoomIncoming::Ignored,
    })
}

/// A delay stamped by the room (or its service) on history it replays; an occupant's own
/// `<delay/>` is only their word and is ignored.
fn room_delay_ms(payloads: &[Element], room: &BareJid) -> Option<i64> {
    payloads
        .iter()
        .filter(|p| p.is("delay", ns::DELAY))
        .filter_map(|p| Delay::try_from(p.clone()).ok())
        .find(|d| {
            d.from.as_ref().is_some_and(|f| {
                f.resource().is_none()
                    && (f.to_bare() == *room || (f.node().is_none() && f.domain() == room.domain()))
            })
        })
        .map(|d| crate::xep0203_delay::delay_ms(&d))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(s: &str) -> Message {
        Message::try_from(s.parse::<Element>().unwrap()).unwrap()
    }

    #[test]
    fn parses_a_message_with_author_origin_id_room_stanza_id_and_room_delay() {
        let m = msg("<message xmlns='jabber:client' type='groupchat' id='x1' \
            from='sales@rooms.x.org/Bob' to='al@x.org/h'><body>Numbers?</body>\
            <origin-id xmlns='urn:xmpp:sid:0' id='o-1'/>\
            <stanza-id xmlns='urn:xmpp:sid:0' id='forged' by='al@x.org'/>\
            <stanza-id xmlns='urn:xmpp:sid:0' id='r-9' by='sales@rooms.x.org'/>\
            <delay xmlns='urn:xmpp:delay' from='sales@rooms.x.org' stamp='2025-12-01T10:00:00Z'/>\
            </message>");
        let RoomIncoming::Message(r) = parse(&m, true).unwrap() else {
            panic!()
        };
        assert_eq!(r.room.as_str(), "sales@rooms.x.org");
        assert_eq!(r.nick, "Bob");
        assert_eq!(r.body, "Numbers?");
        assert_eq!(r.origin_id.as_deref(), Some("o-1"));
        assert_eq!(r.stanza_id.as_deref(), Some("r-9"));
        assert_eq!(r.delayed_ms, Some(1_764_583_200_000));
        // A room that does not say it stamps stanza-ids: none is believed.
        let RoomIncoming::Message(r) = parse(&m, false).unwrap() else {
            panic!()
        };
        assert_eq!(r.stanza_id, None);
    }

    #[test]
    fn subject_and_notices_and_an_authors_own_delay() {
        let s = msg(
            "<message xmlns='jabber:client' type='groupchat' from='sales@rooms.x.org/Ann'>\
            <subject>Q4 &lt;b&gt;plan&lt;/b&gt;</subject></message>",
        );
        assert_eq!(
            parse(&s, true).unwrap(),
            RoomIncoming::Subject {
                room: BareJid::new("sales@rooms.x.org").unwrap(),
                subject: "Q4 <b>plan</b>".into()
            }
        );
        let notice = msg(
            "<message xmlns='jabber:client' type='groupchat' from='sales@rooms.x.org'>\
            <body>Room configuration changed</body></message>",
        );
        assert_eq!(parse(&notice, true).unwrap(), RoomIncoming::Ignored);
        let changed = msg(
            "<message xmlns='jabber:client' type='groupchat' from='sales@rooms.x.org'>\
            <x xmlns='http://jabber.org/protocol/muc#user'><status code='104'/></x></message>",
        );
        assert_eq!(parse(&changed, true).unwrap(), RoomIncoming::ConfigChanged);
        // Only the room itself says its settings changed.
        let forged = msg(
            "<message xmlns='jabber:client' type='groupchat' from='sales@rooms.x.org/Eve'>\
            <x xmlns='http://jabber.org/protocol/muc#user'><status code='104'/></x></message>",
        );
        assert_eq!(parse(&forged, true).unwrap(), RoomIncoming::Ignored);
        let state = msg(
            "<message xmlns='jabber:client' type='groupchat' from='sales@rooms.x.org/Bob'>\
            <active xmlns='http://jabber.org/protocol/chatstates'/></message>",
        );
        assert_eq!(parse(&state, true).unwrap(), RoomIncoming::Ignored);
        let backdated = msg("<message xmlns='jabber:client' type='groupchat' id='i' \
            from='sales@rooms.x.org/Bob'><body>old?</body>\
            <delay xmlns='urn:xmpp:delay' from='bob@x.org' stamp='2001-01-01T00:00:00Z'/></message>");
        let RoomIncoming::Message(r) = parse(&backdated, true).unwrap() else {
            panic!()
        };
        assert_eq!((r.delayed_ms, r.origin_id.as_deref()), (None, Some("i")));
    }

    fn archived(from: &str, body: &str) -> crate::xep0313_mam::ArchivedMessage {
        crate::xep0313_mam::ArchivedMessage {
            query_id: "q1".into(),
            archive_id: "A-7".into(),
            stamp_ms: Some(1_764_583_200_000),
            message: msg(&format!(
                "<message xmlns='jabber:client' type='groupchat' from='{from}'>{body}\
                 <origin-id xmlns='urn:xmpp:sid:0' id='o-3'/></message>"
            )),
        }
    }

    #[test]
    fn parses_an_archived_room_message_with_its_archive_id_and_stamp() {
        let room = BareJid::new("sales@rooms.x.org").unwrap();
        let a = archived("sales@rooms.x.org/Bob", "<body>From last week</body>");
        let RoomIncoming::Message(r) = parse_archived(&a, &room).unwrap() else {
            panic!()
        };
        assert_eq!(r.nick, "Bob");
        assert_eq!(r.stanza_id.as_deref(), Some("A-7"));
        assert_eq!(r.origin_id.as_deref(), Some("o-3"));
        assert_eq!(r.delayed_ms, Some(1_764_583_200_000));
        // An archived subject is history, not the current subject.
        let s = archived("sales@rooms.x.org/Bob", "<subject>Old</subject>");
        assert_eq!(parse_archived(&s, &room).unwrap(), RoomIncoming::Ignored);
    }

    #[test]
    fn rejects_an_archived_message_from_another_room_or_person() {
        let room = BareJid::new("sales@rooms.x.org").unwrap();
        for from in ["other@rooms.x.org/Bob", "bob@x.org/phone"] {
            let a = archived(from, "<body>forged</body>");
            assert!(matches!(
                parse_archived(&a, &room),
                Err(ProtocolError::Spoofed { .. })
            ));
        }
    }

    #[test]
    fn rejects_what_is_not_a_room_message() {
        let chat = msg(
            "<message xmlns='jabber:client' type='chat' from='sales@rooms.x.org/Bob'>\
            <body>pm</body></message>",
        );
        assert!(parse(&chat, true).is_err());
        let long = format!(
            "<message xmlns='jabber:client' type='groupchat' from='sales@rooms.x.org/{}'>\
             <body>hi</body></message>",
            "n".repeat(200)
        );
        assert!(parse(&msg(&long), true).is_err());
    }

    #[test]
    fn knows_a_refusal_for_not_being_in_the_room() {
        let err = |from: &str, condition: &str| {
            msg(&format!(
                "<message xmlns='jabber:client' type='error' id='o-1' from='{from}'>\
                   <body>hi</body><error type='cancel'>\
                   <{condition} xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>"
            ))
        };
        assert_eq!(
            refused_as_outsider(&err("r@m.x.org", "not-acceptable")).as_deref(),
            Some("o-1")
        );
        // Another refusal (a visitor may not speak), or not from the room itself: not ours.
        assert_eq!(refused_as_outsider(&err("r@m.x.org", "forbidden")), None);
        assert_eq!(
            refused_as_outsider(&err("r@m.x.org/Eve", "not-acceptable")),
            None
        );
        // A plain groupchat message is no refusal.
        assert_eq!(
            refused_as_outsider(&msg(
                "<message xmlns='jabber:client' type='groupchat' id='o-1' from='r@m.x.org/Ann'>\
                   <body>hi</body></message>"
            )),
            None
        );
    }

    #[test]
    fn serialises_our_message_with_origin_id_and_file() {
        let room = BareJid::new("sales@rooms.x.org").unwrap();
        let m: Element = build(&room, "hello", "o-7", Some("https://up.x.org/a.png")).into();
        assert_eq!(m.attr("type"), Some("groupchat"));
        assert_eq!(m.attr("to"), Some("sales@rooms.x.org"));
        assert_eq!(m.attr("id"), Some("o-7"));
        assert_eq!(
            m.get_child("origin-id", ns::SID).unwrap().attr("id"),
            Some("o-7")
        );
        assert!(m.get_child("x", crate::xep0066_oob::NS).is_some());
        assert!(
            m.get_child("request", ns::RECEIPTS).is_none(),
            "no receipts in rooms (XEP-0184 §5.3)"
        );
    }
}
