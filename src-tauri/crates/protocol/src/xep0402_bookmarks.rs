//! XEP-0402: PEP Native Bookmarks — the rooms we are in, kept on our own PEP node (one item per
//! room, item id = the room's bare JID), so every device joins the same rooms: a room joined or
//! left on the phone is published or retracted here, and `autojoin` rooms are joined after a
//! restart. Other clients' `<extensions/>` are kept when we publish a bookmark again (§3.2).

use xmpp_parsers::iq::Iq;
use xmpp_parsers::jid::{BareJid, Jid};
use xmpp_parsers::minidom::rxml::xml_ncname;
use xmpp_parsers::minidom::Element;

use crate::xep0060_pubsub::{self, Item};
use crate::{clip, ProtocolError};

/// The node (and payload namespace).
pub const NODE: &str = "urn:xmpp:bookmarks:1";
/// What our caps say to receive other devices' changes.
pub const NOTIFY: &str = "urn:xmpp:bookmarks:1+notify";
/// Longest room name or nickname kept (characters).
pub const MAX_TEXT: usize = 1024;
/// Most bookmarks read from one answer: the node is ours, but a broken client could fill it.
pub const MAX_BOOKMARKS: usize = 1000;

/// One bookmarked room.
#[derive(Debug, Clone, PartialEq)]
pub struct Bookmark {
    /// The room.
    pub room: BareJid,
    /// The name the user gave it (or the room's own, when we saved it).
    pub name: Option<String>,
    /// Join it whenever we sign in.
    pub autojoin: bool,
    /// The nickname to use there.
    pub nick: Option<String>,
    /// The room's password.
    pub password: Option<String>,
    /// Other clients' data, published again untouched.
    pub extensions: Option<Element>,
}

/// The bookmarks in a node's items (an items answer or a notification). An item that does not
/// name a room or does not parse is skipped, never fatal: one bad bookmark must not hide the rest.
pub fn parse(items: &[Item]) -> Vec<Bookmark> {
    items
        .iter()
        .take(MAX_BOOKMARKS)
        .filter_map(|i| read(i).ok())
        .collect()
}

fn read(item: &Item) -> Result<Bookmark, ProtocolError> {
    let id = item
        .id
        .as_deref()
        .ok_or_else(|| ProtocolError::malformed("bookmark", "no room address"))?;
    let room = match Jid::new(id) {
        Ok(j) if j.is_bare() && j.node().is_some() => j.to_bare(),
        _ => return Err(ProtocolError::malformed("bookmark", "not a room address")),
    };
    let c = item
        .payload
        .as_ref()
        .filter(|p| p.is("conference", NODE))
        .ok_or_else(|| ProtocolError::malformed("bookmark", "no <conference/>"))?;
    Ok(read_conference(room, c, NODE))
}

/// A bookmark from a `<conference/>` in namespace `ns` (XEP-0402's, or XEP-0048's where the
/// room comes from its `jid` attribute); texts trimmed and clipped, extensions kept in 0402's.
pub(crate) fn read_conference(room: BareJid, c: &Element, ns: &str) -> Bookmark {
    let text = |s: &str| {
        let s = s.trim();
        (!s.is_empty()).then(|| clip(s, MAX_TEXT))
    };
    Bookmark {
        room,
        name: c.attr("name").and_then(text),
        autojoin: matches!(c.attr("autojoin"), Some("true" | "1")),
        nick: c.get_child("nick", ns).and_then(|n| text(&n.text())),
        password: c
            .get_child("password", ns)
            .map(|p| clip(&p.text(), MAX_TEXT))
            .filter(|p| !p.is_empty()),
        extensions: c.get_child("extensions", ns).cloned(),
    }
}

/// The `<conference/>` payload of a bookmark.
pub fn payload(b: &Bookmark) -> Element {
    conference(b, NODE, false)
}

/// A bookmark's `<conference/>` in namespace `ns`: XEP-0402's (room in the item id, other
/// clients' extensions kept) or XEP-0048's (room in a `jid` attribute, `with_jid`).
pub(crate) fn conference(b: &Bookmark, ns: &str, with_jid: bool) -> Element {
    let mut c = Element::builder("conference", ns);
    if with_jid {
        c = c.attr(xml_ncname!("jid").into(), b.room.as_str());
    }
    c = c.attr(
        xml_ncname!("autojoin").into(),
        if b.autojoin { "true" } else { "false" },
    );
    if let Some(name) = &b.name {
        c = c.attr(xml_ncname!("name").into(), name.as_str());
    }
    if let Some(nick) = &b.nick {
        c = c.append(Element::builder("nick", ns).append(nick.as_str()).build());
    }
    if let Some(password) = &b.password {
        c = c.append(
            Element::builder("password", ns)
                .append(password.as_str())
                .build(),
        );
    }
    if let Some(ext) = b.extensions.as_ref().filter(|_| !with_jid) {
        c = c.append(ext.clone());
    }
    c.build()
}

/// Publishes (adds or replaces) a bookmark, with the node options §3 requires: private, every
/// room kept, never pushed as "last item" on presence.
pub fn publish(id: &str, b: &Bookmark) -> Iq {
    publish_with(id, b, true)
}

/// `publish` with only the options every server takes (private, kept), for servers that refuse
/// the others: ejabberd 23.01 answers `resource-constraint` with "Unknown field
/// 'pubsub#max_items'" and then the same for `pubsub#send_last_published_item`. The node keeps
/// its own item limit.
pub fn publish_compatible(id: &str, b: &Bookmark) -> Iq {
    publish_with(id, b, false)
}

fn publish_with(id: &str, b: &Bookmark, full: bool) -> Iq {
    let mut options = vec![
        ("pubsub#persist_items", "true"),
        ("pubsub#access_model", "whitelist"),
    ];
    if full {
        options.push(("pubsub#max_items", "max"));
        options.push(("pubsub#send_last_published_item", "never"));
    }
    xep0060_pubsub::publish_with_options(id, NODE, b.room.as_str(), payload(b), &options)
}

/// Most bookmarks a node set up by `compatible_node_settings` keeps.
pub const COMPATIBLE_MAX_ITEMS: &str = "1000";

/// After `publish_compatible`: the node settings §3 needs that the server refused as publish
/// options — keep every bookmark (ejabberd 23.01's PEP nodes keep one item by default, so a
/// second room would replace the first) and tell our other devices about removed ones (§3.4).
pub fn compatible_node_settings(id: &str) -> Iq {
    xep0060_pubsub::configure(
        id,
        NODE,
        &[
            ("pubsub#max_items", COMPATIBLE_MAX_ITEMS),
            ("pubsub#notify_retract", "true"),
        ],
    )
}

/// Removes a room's bookmark (leaving it), telling our other devices.
pub fn retract(id: &str, room: &BareJid) -> Iq {
    xep0060_pubsub::retract(id, NODE, room.as_str())
}

/// Asks our own server for every bookmark.
pub fn request(id: &str, own: &BareJid) -> Iq {
    xep0060_pubsub::items_request(id, &Jid::from(own.clone()), NODE, None, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use xmpp_parsers::message::Message;

    fn item(id: &str, xml: &str) -> Item {
        Item {
            id: Some(id.into()),
            payload: Some(xml.parse().unwrap()),
        }
    }

    #[test]
    fn parses_bookmarks_with_name_nick_password_and_extensions() {
        let got = parse(&[
            item(
                "sales@rooms.x.org",
                "<conference xmlns='urn:xmpp:bookmarks:1' name='Sales' autojoin='true'>\
                   <nick>Ann</nick><password>pw</password>\
                   <extensions><state xmlns='urn:x:other'/></extensions></conference>",
            ),
            item(
                "office@rooms.x.org",
                "<conference xmlns='urn:xmpp:bookmarks:1' autojoin='1'/>",
            ),
        ]);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].room.as_str(), "sales@rooms.x.org");
        assert_eq!(got[0].name.as_deref(), Some("Sales"));
        assert!(got[0].autojoin && got[1].autojoin);
        assert_eq!(got[0].nick.as_deref(), Some("Ann"));
        assert_eq!(got[0].password.as_deref(), Some("pw"));
        assert!(got[0]
            .extensions
            .as_ref()
            .unwrap()
            .has_child("state", "urn:x:other"));
        assert_eq!(got[1].name, None);
    }

    #[test]
    fn rejects_items_that_are_not_room_bookmarks_and_keeps_the_rest() {
        let got = parse(&[
            item(
                "sales@rooms.x.org/nick",
                "<conference xmlns='urn:xmpp:bookmarks:1'/>",
            ),
            item("rooms.x.org", "<conference xmlns='urn:xmpp:bookmarks:1'/>"),
            item("a@rooms.x.org", "<conference xmlns='urn:x:other'/>"),
            Item {
                id: None,
                payload: None,
            },
            item(
                "ok@rooms.x.org",
                "<conference xmlns='urn:xmpp:bookmarks:1' autojoin='no'/>",
            ),
        ]);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].room.as_str(), "ok@rooms.x.org");
        assert!(!got[0].autojoin);
        let flood: Vec<Item> = (0..MAX_BOOKMARKS + 10)
            .map(|i| {
                item(
                    &format!("r{i}@m.x.org"),
                    "<conference xmlns='urn:xmpp:bookmarks:1'/>",
                )
            })
            .collect();
        assert_eq!(parse(&flood).len(), MAX_BOOKMARKS);
    }

    #[test]
    fn serialises_publish_retract_and_request() {
        let b = Bookmark {
            room: BareJid::new("sales@rooms.x.org").unwrap(),
            name: Some("Sales".into()),
            autojoin: true,
            nick: Some("Ann".into()),
            password: None,
            extensions: Some(
                "<extensions xmlns='urn:xmpp:bookmarks:1'><k xmlns='urn:x:o'/></extensions>"
                    .parse()
                    .unwrap(),
            ),
        };
        let el: Element = publish("b1", &b).into();
        let pubsub = el.get_child("pubsub", xep0060_pubsub::NS).unwrap();
        let publish = pubsub.get_child("publish", xep0060_pubsub::NS).unwrap();
        assert_eq!(publish.attr("node"), Some(NODE));
        let item_el = publish.get_child("item", xep0060_pubsub::NS).unwrap();
        assert_eq!(item_el.attr("id"), Some("sales@rooms.x.org"));
        let options = crate::test_xml(
            pubsub
                .get_child("publish-options", xep0060_pubsub::NS)
                .unwrap(),
        );
        assert!(options.contains("whitelist") && options.contains("max"));
        // What we publish is what we read back, extensions included.
        let back = parse(&[Item {
            id: item_el.attr("id").map(str::to_string),
            payload: item_el.children().next().cloned(),
        }]);
        assert_eq!(back, vec![b.clone()]);

        let r: Element = retract("b2", &b.room).into();
        let rx = r
            .get_child("pubsub", xep0060_pubsub::NS)
            .unwrap()
            .get_child("retract", xep0060_pubsub::NS)
            .unwrap();
        assert_eq!(rx.attr("node"), Some(NODE));
        assert_eq!(rx.attr("notify"), Some("true"));
        assert_eq!(
            rx.get_child("item", xep0060_pubsub::NS).unwrap().attr("id"),
            Some("sales@rooms.x.org")
        );
        let q: Element = request("b3", &BareJid::new("ann@x.org").unwrap()).into();
        assert_eq!(q.attr("to"), Some("ann@x.org"));
    }

    #[test]
    fn reads_a_retraction_from_our_other_device() {
        let m = Message::try_from(
            "<message xmlns='jabber:client' from='ann@x.org'>\
               <event xmlns='http://jabber.org/protocol/pubsub#event'>\
                 <items node='urn:xmpp:bookmarks:1'><retract id='sales@rooms.x.org'/></items>\
               </event></message>"
                .parse::<Element>()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            xep0060_pubsub::parse_retractions(&m, NODE),
            vec!["sales@rooms.x.org".to_string()]
        );
        assert!(xep0060_pubsub::parse_retractions(&m, "other").is_empty());
    }

    #[test]
    fn serialises_the_node_settings_a_compatible_publish_needs() {
        let iq: Element = compatible_node_settings("c1").into();
        let configure = iq
            .get_child("pubsub", xep0060_pubsub::NS_OWNER)
            .unwrap()
            .get_child("configure", xep0060_pubsub::NS_OWNER)
            .unwrap();
        assert_eq!(configure.attr("node"), Some(NODE));
        let fields: Vec<(String, String)> = configure
            .get_child("x", "jabber:x:data")
            .unwrap()
            .children()
            .map(|f| {
                (
                    f.attr("var").unwrap().to_string(),
                    f.children().next().unwrap().text(),
                )
            })
            .collect();
        assert_eq!(
            fields,
            [
                (
                    "FORM_TYPE".to_string(),
                    "http://jabber.org/protocol/pubsub#node_config".to_string()
                ),
                ("pubsub#max_items".to_string(), "1000".to_string()),
                ("pubsub#notify_retract".to_string(), "true".to_string())
            ]
        );
    }
}
