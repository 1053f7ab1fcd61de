//! XEP-0410: MUC Self-Ping (Schrödinger's Chat) — a ping to our own occupant address tells
//! whether the room still counts us in: the room answers for us when we are not there any more,
//! which is how a room that dropped us silently (a restart, s2s trouble) is found and rejoined.

use xmpp_parsers::iq::Iq;
use xmpp_parsers::jid::{FullJid, Jid};
use xmpp_parsers::stanza_error::DefinedCondition;

/// What the answer to a self-ping says about our place in the room (§3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelfPing {
    /// Still in the room: a result, or an error our own client sent back through the room.
    Joined,
    /// The room no longer has us: rejoin.
    NotJoined,
    /// The room's server cannot be reached just now: try again later, do not rejoin yet.
    Inconclusive,
}

/// The self-ping to `occupant` (our room@service/nick).
pub fn ping(id: &str, occupant: &FullJid) -> Iq {
    crate::xep0199_ping::ping(id, Some(Jid::from(occupant.clone())))
}

/// Reads the answer to a self-ping; `None` for an iq that is not an answer.
pub fn classify(answer: &Iq) -> Option<SelfPing> {
    match answer {
        Iq::Result { .. } => Some(SelfPing::Joined),
        Iq::Error { error, .. } => Some(from_condition(&error.defined_condition)),
        _ => None,
    }
}

/// An error condition's meaning (§3.2): the ones our own client produces (it does not do ping,
/// or another of our devices just changed the nickname) mean the room forwarded the ping to us.
pub fn from_condition(condition: &DefinedCondition) -> SelfPing {
    match condition {
        DefinedCondition::ServiceUnavailable
        | DefinedCondition::FeatureNotImplemented
        | DefinedCondition::ItemNotFound => SelfPing::Joined,
        DefinedCondition::RemoteServerNotFound | DefinedCondition::RemoteServerTimeout => {
            SelfPing::Inconclusive
        }
        _ => SelfPing::NotJoined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xmpp_parsers::minidom::Element;

    fn iq(xml: &str) -> Iq {
        Iq::try_from(xml.parse::<Element>().unwrap()).unwrap()
    }

    fn error(condition: &str) -> Iq {
        iq(&format!(
            "<iq xmlns='jabber:client' type='error' id='p1' from='r@m.x.org/Me'>\
               <error type='cancel'><{condition} xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>"
        ))
    }

    #[test]
    fn parses_answers_that_keep_us_in_the_room() {
        assert_eq!(
            classify(&iq(
                "<iq xmlns='jabber:client' type='result' id='p1' from='r@m.x.org/Me'/>"
            )),
            Some(SelfPing::Joined)
        );
        for c in [
            "service-unavailable",
            "feature-not-implemented",
            "item-not-found",
        ] {
            assert_eq!(classify(&error(c)), Some(SelfPing::Joined), "{c}");
        }
        for c in ["remote-server-not-found", "remote-server-timeout"] {
            assert_eq!(classify(&error(c)), Some(SelfPing::Inconclusive), "{c}");
        }
    }

    #[test]
    fn rejects_our_place_when_the_room_answers_for_us() {
        for c in ["not-acceptable", "not-allowed", "bad-request", "forbidden"] {
            assert_eq!(classify(&error(c)), Some(SelfPing::NotJoined), "{c}");
        }
        assert_eq!(
            classify(&iq(
                "<iq xmlns='jabber:client' type='get' id='p1'><ping xmlns='urn:xmpp:ping'/></iq>"
            )),
            None
        );
    }

    #[test]
    fn serialises_a_ping_to_our_occupant_address() {
        let me = FullJid::new("sales@rooms.x.org/Ann").unwrap();
        let el: Element = ping("sp1", &me).into();
        assert_eq!(el.attr("to"), Some("sales@rooms.x.org/Ann"));
        assert_eq!(el.attr("type"), Some("get"));
        assert!(el.get_child("ping", "urn:xmpp:ping").is_some());
    }
}
