//! XEP-0153: vCard-Based Avatars — the photo hash in presence (`vcard-temp:x:update`), the
//! fallback for contacts whose clients do not publish XEP-0084 avatars. We also put our own
//! hash there so such clients see our avatar (XEP-0398 lets Prosody bridge the two).

use xmpp_parsers::minidom::Element;
use xmpp_parsers::presence::Presence;

use crate::xep0084_avatar::is_sha1_hex;

/// Namespace.
pub const NS: &str = "vcard-temp:x:update";

/// What a presence says about the vCard photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhotoHint {
    /// No `<x/>`: the sender says nothing (not ready, §4.2) — keep what we have.
    Unknown,
    /// Empty `<photo/>`: no avatar.
    None,
    /// The photo's SHA-1.
    Hash(String),
}

/// Reads the hint from a presence.
pub fn parse(p: &Presence) -> PhotoHint {
    let Some(x) = p.payloads.iter().find(|e| e.is("x", NS)) else {
        return PhotoHint::Unknown;
    };
    match x.get_child("photo", NS) {
        None => PhotoHint::Unknown,
        Some(photo) => {
            let text = photo.text();
            let text = text.trim();
            if text.is_empty() {
                PhotoHint::None
            } else if is_sha1_hex(text) {
                PhotoHint::Hash(text.to_ascii_lowercase())
            } else {
                // A malformed hash is treated like no hint rather than trusted.
                PhotoHint::Unknown
            }
        }
    }
}

/// Our `<x><photo>hash</photo></x>`; without a known hash just `<x/>` (§4.2: "not ready"),
/// never an empty `<photo/>`, which would tell others we have no avatar when another of our
/// clients may have set one.
pub fn element(hash: Option<&str>) -> Element {
    let x = Element::builder("x", NS);
    match hash {
        Some(h) => x
            .append(Element::builder("photo", NS).append(h).build())
            .build(),
        None => x.build(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_presence as presence;

    #[test]
    fn parses_hints() {
        let h = "A".repeat(40);
        assert_eq!(
            parse(&presence(&format!(
                "<x xmlns='vcard-temp:x:update'><photo>{h}</photo></x>"
            ))),
            PhotoHint::Hash("a".repeat(40))
        );
        assert_eq!(
            parse(&presence("<x xmlns='vcard-temp:x:update'><photo/></x>")),
            PhotoHint::None
        );
        assert_eq!(parse(&presence("")), PhotoHint::Unknown);
        assert_eq!(
            parse(&presence("<x xmlns='vcard-temp:x:update'/>")),
            PhotoHint::Unknown
        );
    }

    #[test]
    fn rejects_malformed_hash() {
        assert_eq!(
            parse(&presence(
                "<x xmlns='vcard-temp:x:update'><photo>../../x</photo></x>"
            )),
            PhotoHint::Unknown
        );
    }

    #[test]
    fn serialises_own_hint() {
        let x = element(Some("ab"));
        assert_eq!(x.get_child("photo", NS).unwrap().text(), "ab");
        assert!(element(None).get_child("photo", NS).is_none());
    }
}
