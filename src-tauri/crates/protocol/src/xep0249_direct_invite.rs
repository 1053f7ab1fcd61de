//! XEP-0249: Direct MUC Invitations — a contact tells us about a room in a message of its own
//! (`<x xmlns='jabber:x:conference' jid=… reason=…/>`), and we invite a contact the same way.
//! The invitation is a stranger's word: the room address must be a bare JID and the texts are
//! clipped; joining is always the user's choice (never automatic).

use xmpp_parsers::jid::{BareJid, Jid};
use xmpp_parsers::message::{Id, Lang, Message, MessageType};
use xmpp_parsers::minidom::rxml::xml_ncname;
use xmpp_parsers::minidom::Element;

use crate::{clip, ProtocolError};

/// Namespace of direct invitations (§2: the legacy-looking name is the real one).
pub const NS: &str = "jabber:x:conference";
/// Longest reason or password kept (characters); the rest of a stranger's text is dropped.
pub const MAX_TEXT: usize = 1024;

/// "Come to this room", as read from a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectInvite {
    /// The room's address (a bare JID: a room, not an occupant).
    pub room: BareJid,
    /// Why, in the inviter's words.
    pub reason: Option<String>,
    /// The room's password, when it has one (§2: sent so the invitee can enter).
    pub password: Option<String>,
    /// `continue='true'`: the invitation continues a one-to-one chat (§2), and its thread.
    pub continues: Option<String>,
}

/// The direct invitation in a message's payloads: `None` when there is none, an error when one
/// is there but unusable (no room address, or an occupant's address instead of a room's).
pub fn parse(payloads: &[Element]) -> Option<Result<DirectInvite, ProtocolError>> {
    let x = payloads.iter().find(|p| p.is("x", NS))?;
    Some(read(x))
}

fn read(x: &Element) -> Result<DirectInvite, ProtocolError> {
    let jid = x
        .attr("jid")
        .ok_or_else(|| ProtocolError::malformed("direct invitation", "no room address"))?;
    let room = match Jid::new(jid) {
        Ok(j) if j.is_bare() && j.node().is_some() => j.to_bare(),
        Ok(_) => {
            return Err(ProtocolError::malformed(
                "direct invitation",
                "the room address is not a room's",
            ))
        }
        Err(e) => return Err(ProtocolError::malformed("direct invitation", e)),
    };
    let text = |name: &str| {
        x.attr(name)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| clip(s, MAX_TEXT))
    };
    let continues = match x.attr("continue") {
        Some("true" | "1") => Some(text("thread").unwrap_or_default()),
        _ => None,
    };
    Ok(DirectInvite {
        room,
        reason: text("reason"),
        password: x.attr("password").map(|p| clip(p, MAX_TEXT)),
        continues,
    })
}

/// The message that invites `to` (a contact's bare JID) into `room`, with an optional reason and
/// the room's password. A normal message with a body too, so a client without XEP-0249 still
/// shows something readable (§3 leaves the body to the sender).
pub fn invite(
    to: &BareJid,
    room: &BareJid,
    reason: Option<&str>,
    password: Option<&str>,
) -> Message {
    let mut m = Message::new(Some(Jid::from(to.clone())));
    m.type_ = MessageType::Normal;
    m.id = Some(Id(crate::new_id()));
    let mut x = Element::builder("x", NS).attr(xml_ncname!("jid").into(), room.to_string());
    if let Some(reason) = reason.map(str::trim).filter(|r| !r.is_empty()) {
        x = x.attr(xml_ncname!("reason").into(), clip(reason, MAX_TEXT));
    }
    if let Some(password) = password.filter(|p| !p.is_empty()) {
        x = x.attr(xml_ncname!("password").into(), password);
    }
    m.payloads.push(x.build());
    m.bodies.insert(
        Lang::default(),
        match reason.map(str::trim).filter(|r| !r.is_empty()) {
            Some(reason) => format!("Join the room {room}: {reason}"),
            None => format!("Join the room {room}"),
        },
    );
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(s: &str) -> Element {
        s.parse().unwrap()
    }

    #[test]
    fn parses_an_invitation_with_reason_password_and_continue() {
        let got = parse(&[el(
            "<x xmlns='jabber:x:conference' jid='sales@rooms.x.org' \
             password='cauldron' reason=' Weekly numbers ' continue='true' thread='t1'/>",
        )])
        .unwrap()
        .unwrap();
        assert_eq!(got.room.as_str(), "sales@rooms.x.org");
        assert_eq!(got.reason.as_deref(), Some("Weekly numbers"));
        assert_eq!(got.password.as_deref(), Some("cauldron"));
        assert_eq!(got.continues.as_deref(), Some("t1"));
        let plain = parse(&[el("<x xmlns='jabber:x:conference' jid='a@rooms.x.org'/>")])
            .unwrap()
            .unwrap();
        assert_eq!(plain.reason, None);
        assert_eq!(plain.continues, None);
    }

    #[test]
    fn rejects_invitations_without_a_room_or_to_an_occupant() {
        assert!(parse(&[el("<x xmlns='jabber:x:other' jid='a@rooms.x.org'/>")]).is_none());
        assert!(parse(&[]).is_none());
        for bad in [
            "<x xmlns='jabber:x:conference'/>",
            "<x xmlns='jabber:x:conference' jid='a@rooms.x.org/nick'/>",
            "<x xmlns='jabber:x:conference' jid='rooms.x.org'/>",
            "<x xmlns='jabber:x:conference' jid='@@'/>",
        ] {
            assert!(parse(&[el(bad)]).unwrap().is_err(), "{bad}");
        }
    }

    #[test]
    fn clips_a_strangers_long_reason() {
        let long = "é".repeat(MAX_TEXT * 3);
        let xml = format!("<x xmlns='jabber:x:conference' jid='a@rooms.x.org' reason='{long}'/>");
        let got = parse(&[el(&xml)]).unwrap().unwrap();
        assert_eq!(got.reason.unwrap().chars().count(), MAX_TEXT);
    }

    #[test]
    fn serialises_an_invitation_a_plain_client_can_read() {
        let to = BareJid::new("bob@x.org").unwrap();
        let room = BareJid::new("sales@rooms.x.org").unwrap();
        let m: Element = invite(&to, &room, Some("numbers"), Some("pw")).into();
        assert_eq!(m.attr("to"), Some("bob@x.org"));
        let x = m.get_child("x", NS).unwrap();
        assert_eq!(x.attr("jid"), Some("sales@rooms.x.org"));
        assert_eq!(x.attr("reason"), Some("numbers"));
        assert_eq!(x.attr("password"), Some("pw"));
        assert!(m
            .get_child("body", "jabber:client")
            .unwrap()
            .text()
            .contains("sales@rooms.x.org"));
        // What we send is what we read.
        let back = parse(std::slice::from_ref(x)).unwrap().unwrap();
        assert_eq!(back.room, room);
        assert_eq!(back.reason.as_deref(), Some("numbers"));
        let bare: Element = invite(&to, &room, Some("  "), None).into();
        let x = bare.get_child("x", NS).unwrap();
        assert_eq!(x.attr("reason"), None);
        assert_eq!(x.attr("password"), None);
    }
}
