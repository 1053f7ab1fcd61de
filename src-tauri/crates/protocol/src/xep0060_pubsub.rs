//! XEP-0060: Publish-Subscribe, the parts PEP (XEP-0163) needs: fetch a node's items from a
//! contact, publish an item to our own node, and read the `<event/>` notifications PEP sends
//! for nodes our caps say `+notify` for (avatars, XEP-0084).

use xmpp_parsers::iq::Iq;
use xmpp_parsers::jid::Jid;
use xmpp_parsers::message::Message;
use xmpp_parsers::minidom::rxml::xml_ncname;
use xmpp_parsers::minidom::Element;

use crate::ProtocolError;

/// PubSub namespace.
pub const NS: &str = "http://jabber.org/protocol/pubsub";
/// PubSub event namespace.
pub const NS_EVENT: &str = "http://jabber.org/protocol/pubsub#event";
/// Namespace of node owners' requests (configuration).
pub const NS_OWNER: &str = "http://jabber.org/protocol/pubsub#owner";
const NS_FORMS: &str = "jabber:x:data";

/// One item: its id and payload (the first child; `None` for a retraction-like empty item).
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Item id.
    pub id: Option<String>,
    /// Payload element.
    pub payload: Option<Element>,
}

/// A PEP notification: who published what on which node.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// Publisher's bare JID (the `from` of the message).
    pub from: String,
    /// Node name.
    pub node: String,
    /// Published items.
    pub items: Vec<Item>,
}

/// `<iq type='get' to=…><pubsub><items node=…><item id=…/>?</items></pubsub></iq>`; `max` limits
/// to the newest items.
pub fn items_request(
    id: &str,
    to: &Jid,
    node: &str,
    item_id: Option<&str>,
    max: Option<u32>,
) -> Iq {
    let mut items = Element::builder("items", NS).attr(xml_ncname!("node").into(), node);
    if let Some(max) = max {
        items = items.attr(xml_ncname!("max_items").into(), max.to_string());
    }
    if let Some(item_id) = item_id {
        items = items.append(
            Element::builder("item", NS)
                .attr(xml_ncname!("id").into(), item_id)
                .build(),
        );
    }
    Iq::Get {
        from: None,
        to: Some(to.clone()),
        id: id.to_string(),
        payload: Element::builder("pubsub", NS).append(items.build()).build(),
    }
}

fn read_items(items: &Element, ns: &str) -> Vec<Item> {
    items
        .children()
        .filter(|c| c.is("item", ns))
        .map(|c| Item {
            id: c.attr("id").map(str::to_string),
            payload: c.children().next().cloned(),
        })
        .collect()
}

/// The items of `node` in an items result.
pub fn parse_items(payload: Option<&Element>, node: &str) -> Result<Vec<Item>, ProtocolError> {
    let Some(pubsub) = payload.filter(|p| p.is("pubsub", NS)) else {
        return Err(ProtocolError::malformed("pubsub items", "no <pubsub/>"));
    };
    let items = pubsub
        .get_child("items", NS)
        .filter(|i| i.attr("node") == Some(node))
        .ok_or_else(|| ProtocolError::malformed("pubsub items", "no items of that node"))?;
    Ok(read_items(items, NS))
}

/// Publishes `payload` as item `item_id` on our own PEP `node`. `access_model` goes in
/// publish-options (XEP-0060 §7.1.5), e.g. `presence` (contacts who see our presence) or `open`;
/// `None` publishes with whatever the node is configured to (the retry after a
/// `precondition-not-met`, when another of our clients set the node up differently).
pub fn publish(
    id: &str,
    node: &str,
    item_id: &str,
    payload: Element,
    access_model: Option<&str>,
) -> Iq {
    match access_model {
        Some(a) => publish_with_options(id, node, item_id, payload, &[("pubsub#access_model", a)]),
        None => publish_with_options(id, node, item_id, payload, &[]),
    }
}

/// Publishes with these publish-options fields (none: no publish-options at all).
pub fn publish_with_options(
    id: &str,
    node: &str,
    item_id: &str,
    payload: Element,
    options: &[(&str, &str)],
) -> Iq {
    let field = |var: &str, value: &str, hidden: bool| {
        let mut f = Element::builder("field", NS_FORMS).attr(xml_ncname!("var").into(), var);
        if hidden {
            f = f.attr(xml_ncname!("type").into(), "hidden");
        }
        f.append(Element::builder("value", NS_FORMS).append(value).build())
            .build()
    };
    let mut form = Element::builder("x", NS_FORMS)
        .attr(xml_ncname!("type").into(), "submit")
        .append(field(
            "FORM_TYPE",
            "http://jabber.org/protocol/pubsub#publish-options",
            true,
        ));
    for (var, value) in options {
        form = form.append(field(var, value, false));
    }
    let options_el = Element::builder("publish-options", NS)
        .append(form.build())
        .build();
    let publish = Element::builder("publish", NS)
        .attr(xml_ncname!("node").into(), node)
        .append(
            Element::builder("item", NS)
                .attr(xml_ncname!("id").into(), item_id)
                .append(payload)
                .build(),
        )
        .build();
    let mut pubsub = Element::builder("pubsub", NS).append(publish);
    if !options.is_empty() {
        pubsub = pubsub.append(options_el);
    }
    Iq::Set {
        from: None,
        to: None,
        id: id.to_string(),
        payload: pubsub.build(),
    }
}

/// Configures our own PEP `node` (XEP-0060 §8.2.4, owner namespace) with these fields only:
/// for a server that refuses them as publish-options but keeps them as node settings.
pub fn configure(id: &str, node: &str, options: &[(&str, &str)]) -> Iq {
    let field = |var: &str, value: &str| {
        Element::builder("field", NS_FORMS)
            .attr(xml_ncname!("var").into(), var)
            .append(Element::builder("value", NS_FORMS).append(value).build())
            .build()
    };
    let mut form = Element::builder("x", NS_FORMS)
        .attr(xml_ncname!("type").into(), "submit")
        .append(field(
            "FORM_TYPE",
            "http://jabber.org/protocol/pubsub#node_config",
        ));
    for (var, value) in options {
        form = form.append(field(var, value));
    }
    let configure = Element::builder("configure", NS_OWNER)
        .attr(xml_ncname!("node").into(), node)
        .append(form.build())
        .build();
    Iq::Set {
        from: None,
        to: None,
        id: id.to_string(),
        payload: Element::builder("pubsub", NS_OWNER)
            .append(configure)
            .build(),
    }
}

/// Retracts item `item_id` from our own PEP `node`, telling subscribers (`notify`, XEP-0060
/// §7.2.2.1) so our other devices learn it went.
pub fn retract(id: &str, node: &str, item_id: &str) -> Iq {
    let retract = Element::builder("retract", NS)
        .attr(xml_ncname!("node").into(), node)
        .attr(xml_ncname!("notify").into(), "true")
        .append(
            Element::builder("item", NS)
                .attr(xml_ncname!("id").into(), item_id)
                .build(),
        )
        .build();
    Iq::Set {
        from: None,
        to: None,
        id: id.to_string(),
        payload: Element::builder("pubsub", NS).append(retract).build(),
    }
}

/// The ids of items a PEP notification says were retracted from `node` (§7.2.2.1); same sender
/// rule as `parse_event`.
pub fn parse_retractions(m: &Message, node: &str) -> Vec<String> {
    let Some(from) = m.from.as_ref() else {
        return Vec::new();
    };
    if from.is_full() {
        return Vec::new();
    }
    m.payloads
        .iter()
        .filter(|p| p.is("event", NS_EVENT))
        .filter_map(|e| e.get_child("items", NS_EVENT))
        .filter(|i| i.attr("node") == Some(node))
        .flat_map(|i| i.children().filter(|c| c.is("retract", NS_EVENT)))
        .filter_map(|r| r.attr("id"))
        .filter(|id| !id.is_empty() && id.len() <= 3071)
        .map(str::to_string)
        .collect()
}

/// A PEP notification in a message, if it carries one. Only the publisher's own bare JID may
/// send it (PEP delivers from the owner's account); anything with a resource is not PEP.
pub fn parse_event(m: &Message) -> Option<Notification> {
    let from = m.from.as_ref()?;
    if from.is_full() {
        return None;
    }
    let event = m.payloads.iter().find(|p| p.is("event", NS_EVENT))?;
    let items = event.get_child("items", NS_EVENT)?;
    Some(Notification {
        from: from.to_string(),
        node: items.attr("node")?.to_string(),
        items: read_items(items, NS_EVENT),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(s: &str) -> Element {
        s.parse().unwrap()
    }

    #[test]
    fn parses_items_and_events() {
        let r = el("<pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='n'><item id='a'><x xmlns='y'/></item><item id='b'/></items></pubsub>");
        let items = parse_items(Some(&r), "n").unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].id.as_deref(), Some("a"));
        assert!(items[0].payload.as_ref().unwrap().is("x", "y"));
        assert!(items[1].payload.is_none());
        let m = Message::try_from(el("<message xmlns='jabber:client' from='bob@x.org'><event xmlns='http://jabber.org/protocol/pubsub#event'><items node='urn:xmpp:avatar:metadata'><item id='h'><metadata xmlns='urn:xmpp:avatar:metadata'/></item></items></event></message>")).unwrap();
        let n = parse_event(&m).unwrap();
        assert_eq!(n.from, "bob@x.org");
        assert_eq!(n.node, "urn:xmpp:avatar:metadata");
        assert_eq!(n.items[0].id.as_deref(), Some("h"));
    }

    #[test]
    fn rejects_wrong_node_and_full_jid_events() {
        let r =
            el("<pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='other'/></pubsub>");
        assert!(parse_items(Some(&r), "n").is_err());
        assert!(parse_items(None, "n").is_err());
        let m = Message::try_from(el("<message xmlns='jabber:client' from='bob@x.org/evil'><event xmlns='http://jabber.org/protocol/pubsub#event'><items node='n'/></event></message>")).unwrap();
        assert!(parse_event(&m).is_none());
    }

    #[test]
    fn serialises_requests_and_publish() {
        let to = Jid::new("bob@x.org").unwrap();
        let iq: Element = items_request("i1", &to, "n", Some("h"), Some(1)).into();
        let items = iq
            .get_child("pubsub", NS)
            .unwrap()
            .get_child("items", NS)
            .unwrap();
        assert_eq!(items.attr("node"), Some("n"));
        assert_eq!(items.attr("max_items"), Some("1"));
        assert_eq!(items.get_child("item", NS).unwrap().attr("id"), Some("h"));
        let plain: Element = publish("i3", "n", "current", el("<v xmlns='z'/>"), None).into();
        assert!(!crate::test_xml(&plain).contains("publish-options"));
        let p: Element =
            publish("i2", "n", "current", el("<v xmlns='z'/>"), Some("presence")).into();
        assert_eq!(p.attr("type"), Some("set"));
        let ps = p.get_child("pubsub", NS).unwrap();
        let item = ps
            .get_child("publish", NS)
            .unwrap()
            .get_child("item", NS)
            .unwrap();
        assert_eq!(item.attr("id"), Some("current"));
        assert!(item.get_child("v", "z").is_some());
        let s = crate::test_xml(&p);
        assert!(s.contains("pubsub#access_model"));
        assert!(s.contains("presence"));
    }
}
