//! XEP-0184: Message Delivery Receipts — we request receipts on our chat messages, answer
//! requests from contacts, and read receipts that point at our messages by stanza id.

use xmpp_parsers::jid::Jid;
use xmpp_parsers::message::Message;
use xmpp_parsers::minidom::Element;
use xmpp_parsers::ns;
use xmpp_parsers::receipts::Received;

/// The `<request/>` payload to attach to an outgoing chat message.
pub fn request() -> xmpp_parsers::receipts::Request {
    xmpp_parsers::receipts::Request
}

/// Whether the sender asked for a receipt (§5: only answer messages that carry an id).
pub fn wants_receipt(payloads: &[Element]) -> bool {
    payloads.iter().any(|p| p.is("request", ns::RECEIPTS))
}

/// The id a `<received/>` confirms, if the message is a receipt.
pub fn received_id(payloads: &[Element]) -> Option<String> {
    payloads
        .iter()
        .find(|p| p.is("received", ns::RECEIPTS))
        .and_then(|p| Received::try_from(p.clone()).ok())
        .map(|r| r.id)
        .filter(|id| !id.is_empty())
}

/// The receipt for message `id` from `to` (sent to their full JID, §5).
pub fn receipt(to: Jid, id: &str) -> Message {
    let mut m = Message::new(Some(to));
    m.id = Some(xmpp_parsers::message::Id(crate::new_id()));
    m.with_payload(Received { id: id.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_request_and_received() {
        let req: Element = "<request xmlns='urn:xmpp:receipts'/>".parse().unwrap();
        assert!(wants_receipt(&[req]));
        let rec: Element = "<received xmlns='urn:xmpp:receipts' id='m1'/>"
            .parse()
            .unwrap();
        assert_eq!(received_id(&[rec]), Some("m1".into()));
    }

    #[test]
    fn rejects_receipt_without_id() {
        let rec: Element = "<received xmlns='urn:xmpp:receipts'/>".parse().unwrap();
        assert_eq!(received_id(&[rec]), None);
        let other: Element = "<received xmlns='urn:xmpp:carbons:2'/>".parse().unwrap();
        assert!(!wants_receipt(&[other]));
    }

    #[test]
    fn serialises_receipt() {
        let el: Element = receipt(Jid::new("bob@x.org/phone").unwrap(), "m1").into();
        let r = el.get_child("received", ns::RECEIPTS).unwrap();
        assert_eq!(r.attr("id"), Some("m1"));
        assert_eq!(el.attr("to"), Some("bob@x.org/phone"));
    }
}
