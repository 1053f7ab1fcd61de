//! XEP-0333: Displayed Markers — we mark our chat messages `<markable/>`, send `<displayed/>`
//! when the user has seen a contact's message, and read the contact's (and our other devices')
//! markers. A marker for one message implies every earlier one in the conversation (§4).

use xmpp_parsers::jid::{BareJid, Jid};
use xmpp_parsers::message::{Id, Message, MessageType};
use xmpp_parsers::minidom::rxml::xml_ncname;
use xmpp_parsers::minidom::Element;

/// Namespace of chat markers.
pub const NS: &str = "urn:xmpp:chat-markers:0";
const HINTS: &str = "urn:xmpp:hints";

/// Whether the sender wants markers for this message.
pub fn is_markable(payloads: &[Element]) -> bool {
    payloads.iter().any(|p| p.is("markable", NS))
}

/// The message id a `<displayed/>` marker points at, if the message is one.
pub fn displayed_id(payloads: &[Element]) -> Option<String> {
    payloads
        .iter()
        .find(|p| p.is("displayed", NS))
        .and_then(|p| p.attr("id"))
        .map(str::to_string)
        .filter(|id| !id.is_empty() && id.len() <= 256)
}

/// "I have read up to here" to a room we are in: `id` is the room's own stanza-id of the message
/// (XEP-0333 §5.1: in a room only the room's id names a message for everyone). No store hint:
/// the room's archive keeps messages, not markers.
pub fn displayed_in_room(room: &BareJid, stanza_id: &str) -> Message {
    let mut m = Message::new(Some(Jid::from(room.clone())));
    m.type_ = MessageType::Groupchat;
    m.id = Some(Id(crate::new_id()));
    m.payloads.push(
        Element::builder("displayed", NS)
            .attr(xml_ncname!("id").into(), stanza_id)
            .build(),
    );
    m
}

/// "I have seen message `id`" to a contact's bare JID. It carries a `<store/>` hint (XEP-0334)
/// so the archive keeps it and our other devices learn the conversation was read (§4.1).
pub fn displayed(to: &BareJid, id: &str) -> Message {
    let mut m = Message::new(Some(Jid::from(to.clone())));
    m.type_ = MessageType::Chat;
    m.id = Some(Id(crate::new_id()));
    m.payloads.push(
        Element::builder("displayed", NS)
            .attr(xml_ncname!("id").into(), id)
            .build(),
    );
    m.payloads.push(Element::builder("store", HINTS).build());
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(s: &str) -> Element {
        s.parse().unwrap()
    }

    #[test]
    fn parses_markable_and_displayed() {
        assert!(is_markable(&[el(
            "<markable xmlns='urn:xmpp:chat-markers:0'/>"
        )]));
        assert_eq!(
            displayed_id(&[el("<displayed xmlns='urn:xmpp:chat-markers:0' id='m7'/>")]),
            Some("m7".into())
        );
    }

    #[test]
    fn rejects_markers_without_id_or_in_other_namespaces() {
        assert_eq!(
            displayed_id(&[el("<displayed xmlns='urn:xmpp:chat-markers:0'/>")]),
            None
        );
        assert_eq!(
            displayed_id(&[el("<displayed xmlns='urn:x:other' id='m7'/>")]),
            None
        );
        assert!(!is_markable(&[el("<markable xmlns='urn:x:other'/>")]));
    }

    #[test]
    fn serialises_displayed_with_store_hint() {
        let m: Element = displayed(&BareJid::new("bob@x.org").unwrap(), "m7").into();
        assert_eq!(m.attr("to"), Some("bob@x.org"));
        assert_eq!(m.attr("type"), Some("chat"));
        assert_eq!(m.get_child("displayed", NS).unwrap().attr("id"), Some("m7"));
        assert!(m.get_child("store", HINTS).is_some());
        assert!(m.get_child("body", "jabber:client").is_none());
    }

    #[test]
    fn serialises_a_rooms_marker_by_the_rooms_id() {
        let m: Element = displayed_in_room(&BareJid::new("team@muc.x.org").unwrap(), "r-4").into();
        assert_eq!(m.attr("to"), Some("team@muc.x.org"));
        assert_eq!(m.attr("type"), Some("groupchat"));
        assert_eq!(
            m.get_child("displayed", NS).unwrap().attr("id"),
            Some("r-4")
        );
        assert!(m.get_child("store", HINTS).is_none());
    }
}
