//! XEP-0030: Service Discovery — what Hallway tells others it supports (so contacts' clients
//! request receipts from us, send carbons-aware messages…), and the answer to other `iq get`s
//! we do not handle (`service-unavailable`, RFC 6120 §8.4).

use std::collections::BTreeSet;

use xmpp_parsers::disco::{DiscoInfoQuery, DiscoInfoResult, Identity};
use xmpp_parsers::iq::Iq;
use xmpp_parsers::minidom::Element;
use xmpp_parsers::ns;
use xmpp_parsers::stanza_error::{DefinedCondition, ErrorType, StanzaError};

/// Features we implement.
pub const FEATURES: &[&str] = &[
    ns::DISCO_INFO,
    ns::DISCO_ITEMS,
    // XEP-0092: our name and version (the OS only when the user allows it).
    ns::VERSION,
    ns::RECEIPTS,
    ns::CARBONS,
    ns::PING,
    ns::SID,
    "urn:xmpp:delay",
    ns::CAPS,
    "urn:xmpp:idle:1",
    "urn:xmpp:avatar:metadata+notify",
    // XEP-0490: read positions of our other devices.
    "urn:xmpp:mds:displayed:0+notify",
    // XEP-0402: rooms our other devices join or leave.
    "urn:xmpp:bookmarks:1+notify",
    "urn:xmpp:message-correct:0",
    "urn:xmpp:chat-markers:0",
    // XEP-0234 over XEP-0260 (direct connection) or XEP-0261 (in-band).
    "urn:xmpp:jingle:1",
    "urn:xmpp:jingle:apps:file-transfer:5",
    "urn:xmpp:jingle:transports:s5b:1",
    "urn:xmpp:jingle:transports:ibb:1",
    "http://jabber.org/protocol/ibb",
];

/// Our disco#info, for answers and for the XEP-0115 caps hash.
pub fn our_info(node: Option<String>) -> DiscoInfoResult {
    DiscoInfoResult {
        node,
        identities: vec![Identity::new("client", "pc", "en", "Hallway")],
        features: FEATURES
            .iter()
            .map(|f| f.to_string())
            .collect::<BTreeSet<_>>(),
        extensions: vec![],
    }
}

/// Whether an `iq get` payload is a disco#info query.
pub fn is_info_query(payload: &Element) -> bool {
    payload.is("query", ns::DISCO_INFO)
}

/// Our disco#info result for the query `payload` (echoing its node).
pub fn info_result(id: &str, payload: &Element) -> Iq {
    let node = DiscoInfoQuery::try_from(payload.clone())
        .ok()
        .and_then(|q| q.node);
    Iq::from_result(id.to_string(), Some(our_info(node)))
}

/// Whether an `iq get` payload is a disco#items query.
pub fn is_items_query(payload: &Element) -> bool {
    payload.is("query", ns::DISCO_ITEMS)
}

/// Our disco#items: a client hosts no items (§4), so the list is empty (echoing the node).
pub fn items_result(id: &str, payload: &Element) -> Iq {
    let mut q = Element::builder("query", ns::DISCO_ITEMS);
    if let Some(node) = payload.attr("node") {
        q = q.attr(
            xmpp_parsers::minidom::rxml::xml_ncname!("node").into(),
            node,
        );
    }
    Iq::Result {
        from: None,
        to: None,
        id: id.to_string(),
        payload: Some(q.build()),
    }
}

/// RFC 6120 §8.4: an `iq` we do not understand gets `service-unavailable`.
pub fn service_unavailable(id: &str) -> Iq {
    Iq::from_error(
        id.to_string(),
        StanzaError::new(
            ErrorType::Cancel,
            DefinedCondition::ServiceUnavailable,
            "en",
            "Not supported by Hallway",
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_query() {
        assert!(is_info_query(
            &"<query xmlns='http://jabber.org/protocol/disco#info' node='x'/>"
                .parse()
                .unwrap()
        ));
    }

    #[test]
    fn rejects_items_query() {
        assert!(!is_info_query(
            &"<query xmlns='http://jabber.org/protocol/disco#items'/>"
                .parse()
                .unwrap()
        ));
    }

    #[test]
    fn serialises_result_and_error() {
        let q: Element = "<query xmlns='http://jabber.org/protocol/disco#info' node='n1'/>"
            .parse()
            .unwrap();
        let el: Element = info_result("d1", &q).into();
        let query = el.get_child("query", ns::DISCO_INFO).unwrap();
        assert_eq!(query.attr("node"), Some("n1"));
        assert!(query
            .children()
            .any(|c| c.is("feature", ns::DISCO_INFO) && c.attr("var") == Some(ns::RECEIPTS)));
        let err: Element = service_unavailable("x").into();
        assert_eq!(err.attr("type"), Some("error"));
    }

    #[test]
    fn serialises_empty_items_echoing_the_node() {
        let q: Element = "<query xmlns='http://jabber.org/protocol/disco#items' node='n2'/>"
            .parse()
            .unwrap();
        assert!(is_items_query(&q));
        assert!(!is_items_query(
            &"<query xmlns='http://jabber.org/protocol/disco#info'/>"
                .parse()
                .unwrap()
        ));
        let el: Element = items_result("i1", &q).into();
        assert_eq!(el.attr("type"), Some("result"));
        let query = el.get_child("query", ns::DISCO_ITEMS).unwrap();
        assert_eq!(query.attr("node"), Some("n2"));
        assert_eq!(query.children().count(), 0);
        let info: Element = info_result("d2", &q).into();
        let features = crate::test_xml(&info);
        assert!(features.contains("jabber:iq:version") && features.contains("disco#items"));
    }
}
