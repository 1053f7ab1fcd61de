//! XEP-0045 §6: finding rooms — which of our server's components is the room service (its
//! disco#info names the identity `conference`/`text` and the MUC feature, §6.2), the public
//! rooms it lists (disco#items with their names, §6.3: a stranger's list, bounded and clipped),
//! and an address for a room we create from its name (§10.1.1 leaves the choice to the client).

use xmpp_parsers::disco::{DiscoItemsQuery, DiscoItemsResult};
use xmpp_parsers::iq::Iq;
use xmpp_parsers::jid::{BareJid, Jid};
use xmpp_parsers::minidom::Element;

use crate::{clip, xep0045_muc, ProtocolError};

/// Most public rooms kept from one listing (a service could list millions).
pub const MAX_ROOMS: usize = 5_000;
/// Longest room name kept (characters).
pub const MAX_NAME: usize = 128;
/// Longest address part made from a room's name (characters).
const MAX_LOCALPART: usize = 40;

/// `disco#items` of the room service: its public rooms (§6.3).
pub fn items_request(id: &str, service: &Jid) -> Iq {
    Iq::from_get(
        id.to_string(),
        DiscoItemsQuery {
            node: None,
            rsm: None,
        },
    )
    .with_to(service.clone())
}

/// Whether a `disco#info` result describes a room service (§6.2): the `conference`/`text`
/// identity and the MUC feature. A room's own info has the identity too: the caller asks only
/// addresses without a local part.
pub fn is_service(info: Option<&Element>) -> bool {
    let Some(q) = info else { return false };
    let identity = q.children().any(|c| {
        c.name() == "identity"
            && c.attr("category") == Some("conference")
            && c.attr("type") == Some("text")
    });
    let feature = q
        .children()
        .any(|c| c.name() == "feature" && c.attr("var") == Some(xep0045_muc::NS));
    identity && feature
}

/// The public rooms a `disco#items` result lists: each a room address (a local part, no
/// resource) with its name when it has one (trimmed, clipped), at most [`MAX_ROOMS`].
pub fn public_rooms(
    payload: Option<&Element>,
) -> Result<Vec<(BareJid, Option<String>)>, ProtocolError> {
    let p = payload.ok_or_else(|| ProtocolError::malformed("room list", "empty result"))?;
    let items = DiscoItemsResult::try_from(p.clone())
        .map_err(|e| ProtocolError::malformed("room list", e))?;
    Ok(items
        .items
        .into_iter()
        .filter_map(|i| {
            if i.jid.resource().is_some() || i.jid.node().is_none() {
                return None;
            }
            let room = i.jid.to_bare();
            let name = i
                .name
                .map(|n| clip(n.trim(), MAX_NAME))
                .filter(|n| !n.is_empty());
            Some((room, name))
        })
        .take(MAX_ROOMS)
        .collect())
}

/// The address part for a new room called `name`: lower case, letters and digits kept, the rest
/// one `-` ("Sales team 2027" → `sales-team-2027`); `room` when nothing is left.
pub fn localpart_for(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.chars().count() >= MAX_LOCALPART {
            break;
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "room".into()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_public_rooms_with_names_and_skips_what_is_no_room() {
        let items: Element = "<query xmlns='http://jabber.org/protocol/disco#items'>\
            <item jid='sales@rooms.x.org' name='  Sales team '/>\
            <item jid='office@rooms.x.org'/>\
            <item jid='rooms.x.org'/>\
            <item jid='sales@rooms.x.org/Bob' name='an occupant'/>\
            </query>"
            .parse()
            .unwrap();
        let rooms = public_rooms(Some(&items)).unwrap();
        assert_eq!(
            rooms,
            vec![
                (
                    BareJid::new("sales@rooms.x.org").unwrap(),
                    Some("Sales team".into())
                ),
                (BareJid::new("office@rooms.x.org").unwrap(), None),
            ]
        );
    }

    #[test]
    fn rejects_a_broken_list_and_bounds_a_huge_one() {
        assert!(public_rooms(None).is_err());
        let bad: Element = "<query xmlns='urn:other'/>".parse().unwrap();
        assert!(public_rooms(Some(&bad)).is_err());
        let many: String = (0..MAX_ROOMS + 10)
            .map(|i| format!("<item jid='r{i}@rooms.x.org' name='{}'/>", "n".repeat(300)))
            .collect();
        let huge: Element =
            format!("<query xmlns='http://jabber.org/protocol/disco#items'>{many}</query>")
                .parse()
                .unwrap();
        let rooms = public_rooms(Some(&huge)).unwrap();
        assert_eq!(rooms.len(), MAX_ROOMS);
        assert_eq!(rooms[0].1.as_ref().unwrap().chars().count(), MAX_NAME);
    }

    #[test]
    fn knows_a_room_service_from_its_info() {
        let service: Element = "<query xmlns='http://jabber.org/protocol/disco#info'>\
            <identity category='conference' type='text' name='Rooms'/>\
            <feature var='http://jabber.org/protocol/muc'/></query>"
            .parse()
            .unwrap();
        assert!(is_service(Some(&service)));
        let upload: Element = "<query xmlns='http://jabber.org/protocol/disco#info'>\
            <identity category='store' type='file'/></query>"
            .parse()
            .unwrap();
        assert!(!is_service(Some(&upload)));
        assert!(!is_service(None));
    }

    #[test]
    fn serialises_the_items_request_and_names_new_rooms() {
        let iq: Element = items_request("i1", &Jid::new("rooms.x.org").unwrap()).into();
        assert_eq!(iq.attr("to"), Some("rooms.x.org"));
        assert!(String::from(&iq).contains("disco#items"));
        assert_eq!(localpart_for("Sales team 2027"), "sales-team-2027");
        assert_eq!(localpart_for("  Équipe: ventes!! "), "équipe-ventes");
        assert_eq!(localpart_for("***"), "room");
        assert_eq!(localpart_for(&"a".repeat(100)).len(), 40);
    }
}
