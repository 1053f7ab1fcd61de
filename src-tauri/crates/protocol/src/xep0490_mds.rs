//! XEP-0490: Message Displayed Synchronization — where each conversation was last read, kept on
//! our own PEP node (one item per conversation, item id = the contact's bare JID, payload = the
//! XEP-0359 stanza-id our server gave the last displayed message), so reading on the phone
//! clears the unread count here. We ask for `+notify` in our caps to get the updates.

use xmpp_parsers::iq::Iq;
use xmpp_parsers::minidom::rxml::xml_ncname;
use xmpp_parsers::minidom::Element;

use crate::xep0060_pubsub::{self, Item};

/// The node (and payload namespace).
pub const NODE: &str = "urn:xmpp:mds:displayed:0";
/// What our caps say to receive updates.
pub const NOTIFY: &str = "urn:xmpp:mds:displayed:0+notify";
const NS_SID: &str = "urn:xmpp:sid:0";

/// Publishes "read up to `stanza_id`" for the conversation with `peer` (`by`: who assigned the
/// id — our bare JID for a chat, which our archive numbers; the room itself for a room, §4). Options per §3: private, every conversation kept, never sent
/// as "last item" on presence.
pub fn publish(id: &str, peer: &str, stanza_id: &str, by: &str) -> Iq {
    xep0060_pubsub::publish_with_options(
        id,
        NODE,
        peer,
        payload(stanza_id, by),
        &[
            ("pubsub#persist_items", "true"),
            ("pubsub#max_items", "max"),
            ("pubsub#send_last_published_item", "never"),
            ("pubsub#access_model", "whitelist"),
        ],
    )
}

/// `publish` with only the options every server knows (ejabberd 23.01 refuses `max` items as
/// a publish option, resource-constraint); `compatible_node_settings` then keeps every
/// conversation's item.
pub fn publish_compatible(id: &str, peer: &str, stanza_id: &str, by: &str) -> Iq {
    xep0060_pubsub::publish_with_options(
        id,
        NODE,
        peer,
        payload(stanza_id, by),
        &[
            ("pubsub#persist_items", "true"),
            ("pubsub#access_model", "whitelist"),
        ],
    )
}

/// Conversations a node set up by `compatible_node_settings` keeps.
pub const COMPATIBLE_MAX_ITEMS: &str = "1000";

/// After `publish_compatible`: one item per conversation kept (a server's default of one item
/// would forget every conversation but the last read), never sent on presence.
pub fn compatible_node_settings(id: &str) -> Iq {
    xep0060_pubsub::configure(
        id,
        NODE,
        &[
            ("pubsub#max_items", COMPATIBLE_MAX_ITEMS),
            ("pubsub#send_last_published_item", "never"),
        ],
    )
}

fn payload(stanza_id: &str, by: &str) -> Element {
    Element::builder("displayed", NODE)
        .append(
            Element::builder("stanza-id", NS_SID)
                .attr(xml_ncname!("id").into(), stanza_id)
                .attr(xml_ncname!("by").into(), by)
                .build(),
        )
        .build()
}

/// The (conversation, stanza-id) pairs of a notification's items. Only ids assigned by our own
/// archive (`by` = `own`) or by the conversation itself (a room numbers its messages, §4) mean
/// anything here; others are skipped.
pub fn parse(items: &[Item], own: &str) -> Vec<(String, String)> {
    items
        .iter()
        .filter_map(|i| {
            let peer = i.id.as_deref()?.trim();
            let sid = i
                .payload
                .as_ref()
                .filter(|p| p.is("displayed", NODE))?
                .children()
                .find(|c| {
                    c.is("stanza-id", NS_SID)
                        && c.attr("by").is_some_and(|by| by == own || by == peer)
                })?
                .attr("id")?;
            (!peer.is_empty() && peer.len() <= 1024 && !sid.is_empty() && sid.len() <= 256)
                .then(|| (peer.to_string(), sid.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str, xml: &str) -> Item {
        Item {
            id: Some(id.into()),
            payload: Some(xml.parse().unwrap()),
        }
    }

    #[test]
    fn parses_read_positions() {
        let items = [item(
            "bob@x.org",
            "<displayed xmlns='urn:xmpp:mds:displayed:0'><stanza-id xmlns='urn:xmpp:sid:0' id='s-9' by='me@x.org'/></displayed>",
        )];
        assert_eq!(
            parse(&items, "me@x.org"),
            vec![("bob@x.org".to_string(), "s-9".to_string())]
        );
    }

    #[test]
    fn a_rooms_position_is_numbered_by_the_room() {
        let items = [item(
            "team@muc.x.org",
            "<displayed xmlns='urn:xmpp:mds:displayed:0'><stanza-id xmlns='urn:xmpp:sid:0' id='r-4' by='team@muc.x.org'/></displayed>",
        )];
        assert_eq!(
            parse(&items, "me@x.org"),
            vec![("team@muc.x.org".to_string(), "r-4".to_string())]
        );
    }

    #[test]
    fn skips_foreign_ids_and_junk() {
        let items = [
            item(
                "bob@x.org",
                "<displayed xmlns='urn:xmpp:mds:displayed:0'><stanza-id xmlns='urn:xmpp:sid:0' id='s-9' by='room@muc.x.org'/></displayed>",
            ),
            item("carol@x.org", "<other xmlns='urn:example'/>"),
            Item {
                id: None,
                payload: None,
            },
        ];
        assert!(parse(&items, "me@x.org").is_empty());
    }

    #[test]
    fn serialises_publish_with_options() {
        let iq: Element = publish("p1", "bob@x.org", "s-9", "me@x.org").into();
        let pubsub = iq
            .get_child("pubsub", "http://jabber.org/protocol/pubsub")
            .unwrap();
        let item = pubsub
            .get_child("publish", "http://jabber.org/protocol/pubsub")
            .unwrap()
            .get_child("item", "http://jabber.org/protocol/pubsub")
            .unwrap();
        assert_eq!(item.attr("id"), Some("bob@x.org"));
        let text = crate::test_xml(&iq);
        assert!(
            text.contains("pubsub#max_items") && text.contains("whitelist"),
            "{text}"
        );
        assert!(
            text.contains("id='s-9'") || text.contains("id=\"s-9\""),
            "{text}"
        );
    }
}
