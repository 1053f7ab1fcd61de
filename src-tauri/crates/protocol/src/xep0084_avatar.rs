//! XEP-0084: User Avatar — the metadata notification that says a contact's avatar changed,
//! fetching the image data by its SHA-1 id, and publishing our own (data first, then metadata,
//! §4.1). Image bytes are strangers' data: the id must be the SHA-1 of the bytes, the size is
//! capped and the type is sniffed from the bytes, never taken from the sender.

use xmpp_parsers::iq::Iq;
use xmpp_parsers::jid::Jid;
use xmpp_parsers::minidom::rxml::xml_ncname;
use xmpp_parsers::minidom::Element;

use crate::xep0060_pubsub::{self, Item};
use crate::ProtocolError;

/// Metadata node (and namespace).
pub const NODE_METADATA: &str = "urn:xmpp:avatar:metadata";
/// Data node (and namespace).
pub const NODE_DATA: &str = "urn:xmpp:avatar:data";
/// Largest avatar we accept or publish (XEP-0084 §8.1 recommends small images; 1 MiB is far
/// above any sane avatar and keeps a hostile one from filling memory).
pub const MAX_BYTES: usize = 1024 * 1024;

/// What a metadata item says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Announced {
    /// The avatar is the image with this SHA-1 (lower-case hex).
    Avatar(String),
    /// The contact removed their avatar (empty `<metadata/>`, §4.2).
    Removed,
}

/// Reads a metadata notification's newest item.
pub fn parse_metadata(items: &[Item]) -> Result<Announced, ProtocolError> {
    let Some(item) = items.last() else {
        return Err(ProtocolError::malformed("avatar metadata", "no item"));
    };
    let Some(meta) = item
        .payload
        .as_ref()
        .filter(|p| p.is("metadata", NODE_METADATA))
    else {
        return Err(ProtocolError::malformed(
            "avatar metadata",
            "no <metadata/>",
        ));
    };
    // §4.2: several <info/> may list formats of one avatar; the PNG one (required) carries the
    // id of the data node item.
    let infos: Vec<&Element> = meta
        .children()
        .filter(|c| c.is("info", NODE_METADATA))
        .collect();
    if infos.is_empty() {
        return Ok(Announced::Removed);
    }
    let info = infos
        .iter()
        .find(|i| i.attr("type") == Some("image/png"))
        .or_else(|| infos.first())
        .copied()
        .ok_or_else(|| ProtocolError::malformed("avatar metadata", "no info"))?;
    let id = info
        .attr("id")
        .filter(|id| is_sha1_hex(id))
        .ok_or_else(|| ProtocolError::malformed("avatar metadata", "id is not a SHA-1"))?;
    Ok(Announced::Avatar(id.to_ascii_lowercase()))
}

/// Whether `s` is 40 hex digits.
pub fn is_sha1_hex(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Asks `to` for the data item `hash`.
pub fn data_request(id: &str, to: &Jid, hash: &str) -> Iq {
    xep0060_pubsub::items_request(id, to, NODE_DATA, Some(hash), None)
}

/// Asks `to` for its current metadata (when a presence hints at an avatar but no notification
/// came, e.g. without caps support on their server).
pub fn metadata_request(id: &str, to: &Jid) -> Iq {
    xep0060_pubsub::items_request(id, to, NODE_METADATA, None, Some(1))
}

/// The image bytes of a data result, checked against `hash` and the size cap.
pub fn parse_data(payload: Option<&Element>, hash: &str) -> Result<Vec<u8>, ProtocolError> {
    let items = xep0060_pubsub::parse_items(payload, NODE_DATA)?;
    let data = items
        .iter()
        .find(|i| {
            i.id.as_deref()
                .is_some_and(|id| id.eq_ignore_ascii_case(hash))
        })
        .and_then(|i| i.payload.as_ref())
        .filter(|p| p.is("data", NODE_DATA))
        .ok_or_else(|| ProtocolError::malformed("avatar data", "no data item"))?;
    let bytes = decode_base64(&data.text())?;
    check_image(&bytes, hash)?;
    Ok(bytes)
}

/// Checks size, hash and that the bytes are an image we can show.
pub fn check_image(bytes: &[u8], hash: &str) -> Result<(), ProtocolError> {
    if bytes.len() > MAX_BYTES {
        return Err(ProtocolError::malformed("avatar", "image too large"));
    }
    if !sha1_hex(bytes).eq_ignore_ascii_case(hash) {
        return Err(ProtocolError::malformed("avatar", "hash does not match"));
    }
    if sniff_type(bytes).is_none() {
        return Err(ProtocolError::malformed(
            "avatar",
            "not a PNG, JPEG, GIF or WebP image",
        ));
    }
    Ok(())
}

/// The image type from its magic bytes (PNG, JPEG, GIF, WebP), or `None`.
pub fn sniff_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() > 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// PNG width and height from the IHDR chunk (for the metadata's optional attributes).
fn png_size(bytes: &[u8]) -> Option<(u16, u16)> {
    if bytes.len() < 24 || sniff_type(bytes) != Some("image/png") {
        return None;
    }
    let w = u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]);
    let h = u32::from_be_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]);
    Some((u16::try_from(w).ok()?, u16::try_from(h).ok()?))
}

/// Our avatar's data item (published first, §4.1); `bytes` must have passed `check_image`.
pub fn publish_data(id: &str, hash: &str, bytes: &[u8], access_model: Option<&str>) -> Iq {
    let data = Element::builder("data", NODE_DATA)
        .append(encode_base64(bytes))
        .build();
    xep0060_pubsub::publish(id, NODE_DATA, hash, data, access_model)
}

/// Our avatar's metadata item (published after the data, §4.1).
pub fn publish_metadata(id: &str, hash: &str, bytes: &[u8], access_model: Option<&str>) -> Iq {
    let mime = sniff_type(bytes).unwrap_or("image/png");
    let mut info = Element::builder("info", NODE_METADATA)
        .attr(xml_ncname!("bytes").into(), bytes.len().to_string())
        .attr(xml_ncname!("id").into(), hash)
        .attr(xml_ncname!("type").into(), mime);
    if let Some((w, h)) = png_size(bytes) {
        info = info
            .attr(xml_ncname!("width").into(), w.to_string())
            .attr(xml_ncname!("height").into(), h.to_string());
    }
    let meta = Element::builder("metadata", NODE_METADATA)
        .append(info.build())
        .build();
    xep0060_pubsub::publish(id, NODE_METADATA, hash, meta, access_model)
}

/// Our avatar: its hash, once the bytes pass the checks (size, type) every receiver applies.
pub fn prepare(bytes: &[u8]) -> Result<String, ProtocolError> {
    let hash = sha1_hex(bytes);
    check_image(bytes, &hash)?;
    Ok(hash)
}

/// SHA-1 of `bytes` as lower-case hex (the avatar id of XEP-0084 and XEP-0153).
pub fn sha1_hex(bytes: &[u8]) -> String {
    use sha1::Digest;
    let digest = sha1::Sha1::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn decode_base64(text: &str) -> Result<Vec<u8>, ProtocolError> {
    use base64::Engine;
    let clean: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(clean)
        .map_err(|e| ProtocolError::malformed("base64", e))
}

/// Base64 as XEP-0084 and vcard-temp carry it.
pub fn encode_base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes base64 allowing whitespace (vcard-temp BINVAL wraps lines).
pub fn decode(text: &str) -> Result<Vec<u8>, ProtocolError> {
    decode_base64(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 1×1 PNG.
    pub(crate) const PNG: &[u8] = &[
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0,
        0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 0x0a, 0x49, 0x44,
        0x41, 0x54, 0x78, 0x9c, 0x63, 0, 1, 0, 0, 5, 0, 1, 0x0d, 0x0a, 0x2d, 0xb4, 0, 0, 0, 0,
        0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ];

    fn el(s: &str) -> Element {
        s.parse().unwrap()
    }

    fn meta_item(xml: &str) -> Vec<Item> {
        vec![Item {
            id: Some("x".into()),
            payload: Some(el(xml)),
        }]
    }

    #[test]
    fn parses_metadata_and_data() {
        let hash = sha1_hex(PNG);
        let items = meta_item(&format!("<metadata xmlns='urn:xmpp:avatar:metadata'><info bytes='9' id='{}' type='image/jpeg'/><info bytes='{}' id='{hash}' type='image/png'/></metadata>", "a".repeat(40), PNG.len()));
        assert_eq!(
            parse_metadata(&items).unwrap(),
            Announced::Avatar(hash.clone())
        );
        let removed = meta_item("<metadata xmlns='urn:xmpp:avatar:metadata'/>");
        assert_eq!(parse_metadata(&removed).unwrap(), Announced::Removed);
        let result = el(&format!("<pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='urn:xmpp:avatar:data'><item id='{hash}'><data xmlns='urn:xmpp:avatar:data'>{}\n</data></item></items></pubsub>", encode_base64(PNG)));
        assert_eq!(parse_data(Some(&result), &hash).unwrap(), PNG);
        assert_eq!(png_size(PNG), Some((1, 1)));
    }

    #[test]
    fn rejects_bad_hash_bad_type_and_bad_ids() {
        let wrong = "0".repeat(40);
        let result = el(&format!("<pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='urn:xmpp:avatar:data'><item id='{wrong}'><data xmlns='urn:xmpp:avatar:data'>{}</data></item></items></pubsub>", encode_base64(PNG)));
        assert!(parse_data(Some(&result), &wrong).is_err());
        let text = b"<svg onload=alert(1)>";
        assert!(check_image(text, &sha1_hex(text)).is_err());
        let big = vec![0u8; MAX_BYTES + 1];
        assert!(check_image(&big, &sha1_hex(&big)).is_err());
        let bad_id = meta_item("<metadata xmlns='urn:xmpp:avatar:metadata'><info bytes='1' id='../../etc' type='image/png'/></metadata>");
        assert!(parse_metadata(&bad_id).is_err());
        assert!(parse_metadata(&[]).is_err());
    }

    #[test]
    fn serialises_publish_in_order() {
        let hash = prepare(PNG).unwrap();
        assert_eq!(hash, sha1_hex(PNG));
        let data: Element = publish_data("d", &hash, PNG, Some("presence")).into();
        let meta: Element = publish_metadata("m", &hash, PNG, Some("presence")).into();
        let d = crate::test_xml(&data);
        assert!(d.contains(NODE_DATA) && d.contains(&hash));
        let m = crate::test_xml(&meta);
        assert!(m.contains("width=\"1\"") || m.contains("width='1'"));
        assert!(m.contains("image/png"));
        assert!(prepare(b"not an image").is_err());
    }
}
