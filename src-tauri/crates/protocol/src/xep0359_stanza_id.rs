//! XEP-0359: Unique and Stable Stanza IDs — origin-id on what we send (de-duplication after a
//! resend), stanza-id from our own server (archive id; only trusted when `by` is our account,
//! §4: anyone can put a stanza-id in a message).

use xmpp_parsers::jid::BareJid;
use xmpp_parsers::minidom::Element;
use xmpp_parsers::ns;
use xmpp_parsers::stanza_id::{OriginId, StanzaId};

/// `<origin-id id=…/>` for an outgoing message.
pub fn origin_id(id: &str) -> OriginId {
    OriginId { id: id.to_string() }
}

/// The sender's origin-id, if any.
pub fn find_origin_id(payloads: &[Element]) -> Option<String> {
    payloads
        .iter()
        .find(|p| p.is("origin-id", ns::SID))
        .and_then(|p| OriginId::try_from(p.clone()).ok())
        .map(|o| o.id)
        .filter(|id| !id.is_empty() && id.len() <= 256)
}

/// The stanza-id our own server assigned (`by` == our bare JID); others are ignored.
pub fn find_stanza_id(payloads: &[Element], own: &BareJid) -> Option<String> {
    payloads
        .iter()
        .filter(|p| p.is("stanza-id", ns::SID))
        .filter_map(|p| StanzaId::try_from(p.clone()).ok())
        .find(|s| s.by.to_bare() == *own && s.by.is_bare())
        .map(|s| s.id)
        .filter(|id| !id.is_empty() && id.len() <= 256)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(s: &str) -> Element {
        s.parse().unwrap()
    }

    #[test]
    fn parses_ids() {
        let own = BareJid::new("alice@x.org").unwrap();
        let p = vec![
            el("<stanza-id xmlns='urn:xmpp:sid:0' id='forged' by='mallory@x.org'/>"),
            el("<stanza-id xmlns='urn:xmpp:sid:0' id='real' by='alice@x.org'/>"),
            el("<origin-id xmlns='urn:xmpp:sid:0' id='o1'/>"),
        ];
        assert_eq!(find_stanza_id(&p, &own), Some("real".into()));
        assert_eq!(find_origin_id(&p), Some("o1".into()));
    }

    #[test]
    fn rejects_foreign_or_empty_ids() {
        let own = BareJid::new("alice@x.org").unwrap();
        let p = vec![el(
            "<stanza-id xmlns='urn:xmpp:sid:0' id='forged' by='mallory@x.org'/>",
        )];
        assert_eq!(find_stanza_id(&p, &own), None);
        assert_eq!(
            find_origin_id(&[el("<origin-id xmlns='urn:xmpp:sid:0' id=''/>")]),
            None
        );
        assert_eq!(
            find_origin_id(&[el("<origin-id xmlns='urn:xmpp:sid:0'/>")]),
            None
        );
    }

    #[test]
    fn serialises_origin_id() {
        let e: Element = origin_id("abc").into();
        assert!(e.is("origin-id", ns::SID));
        assert_eq!(e.attr("id"), Some("abc"));
    }
}
