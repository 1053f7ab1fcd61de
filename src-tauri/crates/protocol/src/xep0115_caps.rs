//! XEP-0115: Entity Capabilities — the `<c/>` in our presence. Its hash names our disco#info, and
//! PEP (XEP-0163 §4) reads the `+notify` features behind it to decide which contacts' updates
//! (avatars) to send us, so it is what makes avatar changes arrive without asking.

use xmpp_parsers::caps::{self, Caps};
use xmpp_parsers::hashes::Algo;
use xmpp_parsers::minidom::Element;

use crate::xep0030_disco;

/// Our caps node (a URI naming the application).
pub const NODE: &str = "https://hallway.chat";

/// Our `<c/>`: the SHA-1 verification string of our disco#info (§5.1).
pub fn element() -> Element {
    let data = caps::compute_disco(&xep0030_disco::our_info(None));
    match caps::hash_caps(&data, Algo::Sha_1) {
        Ok(hash) => Caps::new(NODE, hash).into(),
        // SHA-1 is always supported by hash_caps; an empty <c/> would only lose notifications.
        Err(_) => Element::builder("c", xmpp_parsers::ns::CAPS).build(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_back_and_verifies() {
        let c = Caps::try_from(element()).unwrap();
        assert_eq!(c.node, NODE);
        let again = caps::hash_caps(
            &caps::compute_disco(&xep0030_disco::our_info(None)),
            Algo::Sha_1,
        )
        .unwrap();
        assert_eq!(c.ver, again.hash);
    }

    #[test]
    fn rejects_other_elements() {
        let e: Element = "<c xmlns='urn:other'/>".parse().unwrap();
        assert!(Caps::try_from(e).is_err());
    }

    #[test]
    fn serialises_notify_features_into_the_hash() {
        let data = String::from_utf8(caps::compute_disco(&xep0030_disco::our_info(None))).unwrap();
        assert!(data.contains("urn:xmpp:avatar:metadata+notify<"));
        assert!(
            crate::test_xml(&element()).contains("hash=\"sha-1\"")
                || crate::test_xml(&element()).contains("hash='sha-1'")
        );
    }
}
