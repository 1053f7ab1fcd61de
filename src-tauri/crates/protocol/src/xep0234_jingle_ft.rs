//! XEP-0234: Jingle File Transfer — a file offered straight to a contact's device in a XEP-0166
//! Jingle session (`session-initiate` with the file's name, size and XEP-0300 SHA-256; the
//! contact answers `session-accept` or `session-terminate`/decline), over XEP-0261 in-band
//! bytestreams (the transport named in the offer; the bytes then flow as XEP-0047 `<data/>`).

use base64::Engine;
use xmpp_parsers::iq::Iq;
use xmpp_parsers::jid::Jid;
use xmpp_parsers::minidom::rxml::xml_ncname;
use xmpp_parsers::minidom::Element;

use crate::ProtocolError;

/// XEP-0166 namespace.
pub const NS_JINGLE: &str = "urn:xmpp:jingle:1";
/// XEP-0234 namespace (version 5, what Conversations, Dino and Gajim speak).
pub const NS_FT: &str = "urn:xmpp:jingle:apps:file-transfer:5";
/// XEP-0261 namespace.
pub const NS_IBB_TRANSPORT: &str = "urn:xmpp:jingle:transports:ibb:1";
/// XEP-0300 namespace.
pub const NS_HASHES: &str = "urn:xmpp:hashes:2";
/// The disco features a device needs for us to offer it a file.
pub const FEATURES: &[&str] = &[NS_JINGLE, NS_FT, NS_IBB_TRANSPORT];
/// Block size we propose (XEP-0261 §2.1 suggests 4096).
pub const BLOCK_SIZE: u16 = 4096;
/// Largest block we accept from a sender (a bigger one is refused).
pub const MAX_BLOCK_SIZE: u16 = 65_535;

/// A file offered in a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    /// Jingle session id.
    pub sid: String,
    /// Content name (echoed in the answer).
    pub content: String,
    /// File name as the sender gave it (not yet safe).
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the file, when the sender gave one.
    pub sha256: Option<Vec<u8>>,
    /// The in-band bytestream's id.
    pub ibb_sid: String,
    /// Bytes per `<data/>` block.
    pub block_size: u16,
}

/// What a `<jingle/>` from a contact means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// A file offer we understand.
    Offer(Offer),
    /// The contact accepted our offer `sid`.
    Accepted {
        /// Session id.
        sid: String,
    },
    /// The session ended (`reason`: success, decline, cancel, media-error…).
    Terminated {
        /// Session id.
        sid: String,
        /// The reason's element name.
        reason: String,
    },
    /// A session we cannot take part in (other application or transport): decline it.
    Unsupported {
        /// Session id.
        sid: String,
    },
    /// Anything else (session-info, transport-replace…): acknowledged, ignored.
    Other {
        /// Session id.
        sid: String,
    },
}

/// Is this iq payload a Jingle element?
pub fn is_jingle(payload: &Element) -> bool {
    payload.is("jingle", NS_JINGLE)
}

fn jingle(action: &str, sid: &str) -> xmpp_parsers::minidom::ElementBuilder {
    Element::builder("jingle", NS_JINGLE)
        .attr(xml_ncname!("action").into(), action)
        .attr(xml_ncname!("sid").into(), sid)
}

/// The `<content/>` describing the file and its IBB transport (`with_hash`: the offer carries
/// the XEP-0300 SHA-256; the answer echoes name and size only).
fn content(o: &Offer, with_hash: bool) -> Element {
    let mut file = Element::builder("file", NS_FT)
        .append(
            Element::builder("name", NS_FT)
                .append(o.name.clone())
                .build(),
        )
        .append(
            Element::builder("size", NS_FT)
                .append(o.size.to_string())
                .build(),
        );
    if let Some(h) = o.sha256.as_ref().filter(|_| with_hash) {
        file = file.append(
            Element::builder("hash", NS_HASHES)
                .attr(xml_ncname!("algo").into(), "sha-256")
                .append(base64::engine::general_purpose::STANDARD.encode(h))
                .build(),
        );
    }
    Element::builder("content", NS_JINGLE)
        .attr(xml_ncname!("creator").into(), "initiator")
        .attr(xml_ncname!("name").into(), o.content.as_str())
        .attr(xml_ncname!("senders").into(), "initiator")
        .append(
            Element::builder("description", NS_FT)
                .append(file.build())
                .build(),
        )
        .append(
            Element::builder("transport", NS_IBB_TRANSPORT)
                .attr(xml_ncname!("sid").into(), o.ibb_sid.as_str())
                .attr(xml_ncname!("block-size").into(), o.block_size.to_string())
                .build(),
        )
        .build()
}

/// `session-initiate` offering a file (`initiator`: our full JID).
pub fn offer(id: &str, to: &Jid, initiator: &Jid, o: &Offer) -> Iq {
    let j = jingle("session-initiate", &o.sid)
        .attr(xml_ncname!("initiator").into(), initiator.to_string())
        .append(content(o, true))
        .build();
    crate::iq_set(id, to, j)
}

/// `session-accept` of an offer (`responder`: our full JID), echoing its content.
pub fn accept(id: &str, to: &Jid, responder: &Jid, o: &Offer) -> Iq {
    let j = jingle("session-accept", &o.sid)
        .attr(xml_ncname!("responder").into(), responder.to_string())
        .append(content(o, false))
        .build();
    crate::iq_set(id, to, j)
}

/// `session-terminate` with a XEP-0166 reason (`success`, `decline`, `cancel`, `media-error`…).
pub fn terminate(id: &str, to: &Jid, sid: &str, reason: &str) -> Iq {
    let j = jingle("session-terminate", sid)
        .append(
            Element::builder("reason", NS_JINGLE)
                .append(Element::builder(reason, NS_JINGLE).build())
                .build(),
        )
        .build();
    crate::iq_set(id, to, j)
}

/// Reads a `<jingle/>` from a contact.
pub fn parse(payload: &Element) -> Result<Action, ProtocolError> {
    if !is_jingle(payload) {
        return Err(ProtocolError::malformed("jingle", "not a <jingle/>"));
    }
    let sid = payload
        .attr("sid")
        .filter(|s| !s.is_empty() && s.len() <= 256)
        .ok_or_else(|| ProtocolError::malformed("jingle", "no sid"))?
        .to_string();
    match payload.attr("action") {
        Some("session-initiate") => Ok(parse_offer(payload, &sid)
            .map(Action::Offer)
            .unwrap_or(Action::Unsupported { sid })),
        Some("session-accept") => Ok(Action::Accepted { sid }),
        Some("session-terminate") => {
            let reason = payload
                .get_child("reason", NS_JINGLE)
                .and_then(|r| {
                    r.children()
                        .find(|c| c.ns() == NS_JINGLE && c.name() != "text")
                })
                .map(|c| c.name().to_string())
                .unwrap_or_else(|| "unknown".into());
            Ok(Action::Terminated { sid, reason })
        }
        Some(_) => Ok(Action::Other { sid }),
        None => Err(ProtocolError::malformed("jingle", "no action")),
    }
}

fn parse_offer(j: &Element, sid: &str) -> Option<Offer> {
    let content = j.get_child("content", NS_JINGLE)?;
    let file = content
        .get_child("description", NS_FT)?
        .get_child("file", NS_FT)?;
    let transport = content.get_child("transport", NS_IBB_TRANSPORT)?;
    let name = file
        .get_child("name", NS_FT)
        .map(|n| n.text())
        .unwrap_or_default();
    let size = file.get_child("size", NS_FT)?.text().trim().parse().ok()?;
    let sha256 = file
        .children()
        .filter(|c| c.is("hash", NS_HASHES) && c.attr("algo") == Some("sha-256"))
        .find_map(|h| {
            base64::engine::general_purpose::STANDARD
                .decode(h.text().trim())
                .ok()
        })
        .filter(|h| h.len() == 32);
    let block_size: u16 = transport.attr("block-size")?.parse().ok()?;
    let ibb_sid = transport
        .attr("sid")
        .filter(|s| !s.is_empty() && s.len() <= 256)?;
    (block_size > 0).then(|| Offer {
        sid: sid.to_string(),
        content: content.attr("name").unwrap_or("file").to_string(),
        name,
        size,
        sha256,
        ibb_sid: ibb_sid.to_string(),
        block_size,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Offer {
        Offer {
            sid: "s1".into(),
            content: "file".into(),
            name: "plan.pdf".into(),
            size: 2048,
            sha256: Some(vec![7; 32]),
            ibb_sid: "i1".into(),
            block_size: 4096,
        }
    }

    #[test]
    fn offer_round_trips() {
        let to = Jid::new("bob@x.org/laptop").unwrap();
        let me = Jid::new("alice@x.org/desk").unwrap();
        let iq: Element = offer("j1", &to, &me, &sample()).into();
        let j = iq.get_child("jingle", NS_JINGLE).unwrap();
        assert_eq!(j.attr("initiator"), Some("alice@x.org/desk"));
        assert_eq!(parse(j).unwrap(), Action::Offer(sample()));
    }

    #[test]
    fn parses_accept_and_terminate() {
        let to = Jid::new("alice@x.org/desk").unwrap();
        let me = Jid::new("bob@x.org/laptop").unwrap();
        let iq: Element = accept("a1", &to, &me, &sample()).into();
        let j = iq.get_child("jingle", NS_JINGLE).unwrap();
        assert_eq!(parse(j).unwrap(), Action::Accepted { sid: "s1".into() });
        let iq: Element = terminate("t1", &to, "s1", "decline").into();
        let j = iq.get_child("jingle", NS_JINGLE).unwrap();
        assert_eq!(
            parse(j).unwrap(),
            Action::Terminated {
                sid: "s1".into(),
                reason: "decline".into()
            }
        );
    }

    #[test]
    fn rejects_or_declines_what_we_cannot_do() {
        let rtp: Element = "<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='c1'>
            <content creator='initiator' name='voice'>
              <description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'/>
              <transport xmlns='urn:xmpp:jingle:transports:ice-udp:1'/></content></jingle>"
            .parse()
            .unwrap();
        assert_eq!(
            parse(&rtp).unwrap(),
            Action::Unsupported { sid: "c1".into() }
        );
        let s5b: Element = "<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='c2'>
            <content creator='initiator' name='f'>
              <description xmlns='urn:xmpp:jingle:apps:file-transfer:5'><file><size>5</size></file></description>
              <transport xmlns='urn:xmpp:jingle:transports:s5b:1' sid='x'/></content></jingle>"
            .parse()
            .unwrap();
        assert_eq!(
            parse(&s5b).unwrap(),
            Action::Unsupported { sid: "c2".into() }
        );
        let no_sid: Element = "<jingle xmlns='urn:xmpp:jingle:1' action='session-accept'/>"
            .parse()
            .unwrap();
        assert!(parse(&no_sid).is_err());
        let bad_hash: Element = "<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='c3'>
            <content creator='initiator' name='f'>
              <description xmlns='urn:xmpp:jingle:apps:file-transfer:5'><file><name>a</name><size>5</size>
              <hash xmlns='urn:xmpp:hashes:2' algo='sha-256'>short</hash></file></description>
              <transport xmlns='urn:xmpp:jingle:transports:ibb:1' sid='x' block-size='4096'/></content></jingle>"
            .parse()
            .unwrap();
        let Action::Offer(o) = parse(&bad_hash).unwrap() else {
            panic!("not an offer")
        };
        assert_eq!(o.sha256, None);
    }
}
