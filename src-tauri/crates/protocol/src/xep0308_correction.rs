//! XEP-0308: Last Message Correction — a message carrying `<replace id=…/>` replaces the text of
//! the sender's earlier message with that stanza id. Only the original author may correct
//! (§5: the receiver checks the sender); the session enforces that through the store lookup.

use xmpp_parsers::message_correct::Replace;
use xmpp_parsers::minidom::Element;
use xmpp_parsers::ns;

/// The id of the message this one corrects, if it is a correction.
pub fn replaced_id(payloads: &[Element]) -> Option<String> {
    payloads
        .iter()
        .find(|p| p.is("replace", ns::MESSAGE_CORRECT))
        .and_then(|p| Replace::try_from(p.clone()).ok())
        .map(|r| r.id.0)
        .filter(|id| !id.is_empty() && id.len() <= 256)
}

/// The `<replace/>` payload naming the corrected message.
pub fn replace(id: &str) -> Replace {
    Replace {
        id: xmpp_parsers::message::Id(id.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_replace() {
        let el: Element = "<replace xmlns='urn:xmpp:message-correct:0' id='m1'/>"
            .parse()
            .unwrap();
        assert_eq!(replaced_id(&[el]), Some("m1".into()));
    }

    #[test]
    fn rejects_empty_or_foreign_replace() {
        let empty: Element = "<replace xmlns='urn:xmpp:message-correct:0' id=''/>"
            .parse()
            .unwrap();
        let foreign: Element = "<replace xmlns='urn:x:other' id='m1'/>".parse().unwrap();
        assert_eq!(replaced_id(&[empty, foreign]), None);
    }

    #[test]
    fn serialises_replace() {
        let el: Element = replace("m9").into();
        assert_eq!(el.attr("id"), Some("m9"));
        assert!(el.is("replace", ns::MESSAGE_CORRECT));
    }
}
