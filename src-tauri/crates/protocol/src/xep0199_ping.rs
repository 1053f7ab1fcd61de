//! XEP-0199: XMPP Ping — answer the server's and peers' pings (an unanswered ping gets us
//! disconnected), and build our own for the dead-link watchdog.

use xmpp_parsers::iq::Iq;
use xmpp_parsers::jid::Jid;
use xmpp_parsers::minidom::Element;
use xmpp_parsers::ns;
use xmpp_parsers::ping::Ping;

/// Whether an `iq get` payload is a ping.
pub fn is_ping(payload: &Element) -> bool {
    payload.is("ping", ns::PING)
}

/// A ping to `to` (our server when `None`).
pub fn ping(id: &str, to: Option<Jid>) -> Iq {
    let iq = Iq::from_get(id.to_string(), Ping);
    match to {
        Some(to) => iq.with_to(to),
        None => iq,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ping() {
        assert!(is_ping(&"<ping xmlns='urn:xmpp:ping'/>".parse().unwrap()));
    }

    #[test]
    fn rejects_other_payloads() {
        assert!(!is_ping(&"<ping xmlns='urn:xmpp:other'/>".parse().unwrap()));
    }

    #[test]
    fn serialises_ping() {
        let el: Element = ping("p1", None).into();
        assert!(el.get_child("ping", ns::PING).is_some());
        assert_eq!(el.attr("type"), Some("get"));
    }
}
