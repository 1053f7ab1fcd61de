//! XEP-0048: Bookmarks, in private XML storage (XEP-0049) — the older home of room bookmarks,
//! used only where the server has no XEP-0402 node (XEP-0402 §5.3). The whole list is one
//! `<storage/>` document: we replace it whole, so everything in it we do not understand (URL
//! bookmarks, other clients' children) is written back untouched.

use xmpp_parsers::iq::Iq;
use xmpp_parsers::jid::Jid;
use xmpp_parsers::minidom::Element;

use crate::xep0402_bookmarks::{self, Bookmark, MAX_BOOKMARKS};
use crate::ProtocolError;

/// Namespace of the bookmarks document.
pub const NS: &str = "storage:bookmarks";
/// Namespace of private XML storage.
pub const NS_PRIVATE: &str = "jabber:iq:private";

/// Asks our server for the stored bookmarks document.
pub fn request(id: &str) -> Iq {
    Iq::Get {
        from: None,
        to: None,
        id: id.to_string(),
        payload: Element::builder("query", NS_PRIVATE)
            .append(Element::builder("storage", NS).build())
            .build(),
    }
}

/// The `<storage/>` document in the answer to `request` (an empty one when nothing is stored).
pub fn storage(payload: Option<&Element>) -> Result<Element, ProtocolError> {
    payload
        .filter(|p| p.is("query", NS_PRIVATE))
        .and_then(|q| q.get_child("storage", NS))
        .cloned()
        .ok_or_else(|| ProtocolError::malformed("bookmarks", "no <storage/>"))
}

/// The room bookmarks in a storage document (bad ones skipped).
pub fn parse(storage: &Element) -> Vec<Bookmark> {
    storage
        .children()
        .filter(|c| c.is("conference", NS))
        .take(MAX_BOOKMARKS)
        .filter_map(|c| {
            let room = Jid::new(c.attr("jid")?).ok()?;
            if !room.is_bare() || room.node().is_none() {
                return None;
            }
            Some(xep0402_bookmarks::read_conference(room.to_bare(), c, NS))
        })
        .collect()
}

/// The document with `b` added (or replacing the room's bookmark), or the room removed when
/// `b` is `Err(room)`. Everything else in `storage` stays as it was.
pub fn with(storage: &Element, change: Result<&Bookmark, &xmpp_parsers::jid::BareJid>) -> Element {
    let room = match change {
        Ok(b) => &b.room,
        Err(room) => room,
    };
    let mut out = Element::builder("storage", NS);
    for child in storage.children() {
        let same_room = child.is("conference", NS)
            && child
                .attr("jid")
                .and_then(|j| Jid::new(j).ok())
                .is_some_and(|j| j.to_bare() == *room);
        if !same_room {
            out = out.append(child.clone());
        }
    }
    if let Ok(b) = change {
        out = out.append(xep0402_bookmarks::conference(b, NS, true));
    }
    out.build()
}

/// Stores the whole bookmarks document.
pub fn store(id: &str, storage: Element) -> Iq {
    Iq::Set {
        from: None,
        to: None,
        id: id.to_string(),
        payload: Element::builder("query", NS_PRIVATE)
            .append(storage)
            .build(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xmpp_parsers::jid::BareJid;

    fn doc() -> Element {
        "<query xmlns='jabber:iq:private'><storage xmlns='storage:bookmarks'>\
           <conference jid='sales@rooms.x.org' autojoin='true' name='Sales'><nick>Ann</nick></conference>\
           <conference jid='bad@rooms.x.org/nick' autojoin='true'/>\
           <url name='Wiki' url='https://wiki.x.org'/>\
         </storage></query>"
            .parse()
            .unwrap()
    }

    #[test]
    fn parses_room_bookmarks_from_private_storage() {
        let s = storage(Some(&doc())).unwrap();
        let got = parse(&s);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].room.as_str(), "sales@rooms.x.org");
        assert_eq!(got[0].name.as_deref(), Some("Sales"));
        assert_eq!(got[0].nick.as_deref(), Some("Ann"));
        assert!(got[0].autojoin);
    }

    #[test]
    fn rejects_answers_without_storage() {
        assert!(storage(None).is_err());
        let other: Element = "<query xmlns='jabber:iq:private'><other xmlns='x'/></query>"
            .parse()
            .unwrap();
        assert!(storage(Some(&other)).is_err());
    }

    #[test]
    fn serialises_changes_keeping_everything_else() {
        let s = storage(Some(&doc())).unwrap();
        let office = Bookmark {
            room: BareJid::new("office@rooms.x.org").unwrap(),
            name: None,
            autojoin: true,
            nick: Some("Ann".into()),
            password: None,
            extensions: None,
        };
        let added = with(&s, Ok(&office));
        assert_eq!(parse(&added).len(), 2);
        assert!(added.has_child("url", NS));
        let sales = BareJid::new("sales@rooms.x.org").unwrap();
        let removed = with(&added, Err(&sales));
        let left = parse(&removed);
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].room.as_str(), "office@rooms.x.org");
        assert!(removed.has_child("url", NS));
        let iq: Element = store("s1", removed).into();
        assert_eq!(iq.attr("type"), Some("set"));
        assert!(iq
            .get_child("query", NS_PRIVATE)
            .unwrap()
            .has_child("storage", NS));
        let get: Element = request("g1").into();
        assert_eq!(get.attr("type"), Some("get"));
    }
}
