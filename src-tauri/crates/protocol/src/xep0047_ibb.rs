//! XEP-0047: In-Band Bytestreams — the bytes of a XEP-0261 Jingle transfer, sent as base64
//! `<data/>` blocks in iq sets (each acknowledged, so the sender never runs ahead of the server),
//! between `<open/>` and `<close/>`.

use base64::Engine;
use xmpp_parsers::iq::Iq;
use xmpp_parsers::jid::Jid;
use xmpp_parsers::minidom::rxml::xml_ncname;
use xmpp_parsers::minidom::Element;

use crate::ProtocolError;

/// Namespace.
pub const NS: &str = "http://jabber.org/protocol/ibb";

/// An IBB element from a contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ibb {
    /// The stream opens.
    Open {
        /// Stream id.
        sid: String,
        /// Block size.
        block_size: u16,
    },
    /// A block.
    Data {
        /// Stream id.
        sid: String,
        /// Sequence number (wraps at 65535).
        seq: u16,
        /// The bytes.
        bytes: Vec<u8>,
    },
    /// The stream ends.
    Close {
        /// Stream id.
        sid: String,
    },
}

/// Is this iq payload an IBB element?
pub fn is_ibb(payload: &Element) -> bool {
    payload.ns() == NS && matches!(payload.name(), "open" | "data" | "close")
}

/// `<open/>`.
pub fn open(id: &str, to: &Jid, sid: &str, block_size: u16) -> Iq {
    crate::iq_set(
        id,
        to,
        Element::builder("open", NS)
            .attr(xml_ncname!("sid").into(), sid)
            .attr(xml_ncname!("block-size").into(), block_size.to_string())
            .attr(xml_ncname!("stanza").into(), "iq")
            .build(),
    )
}

/// One `<data/>` block.
pub fn data(id: &str, to: &Jid, sid: &str, seq: u16, bytes: &[u8]) -> Iq {
    crate::iq_set(
        id,
        to,
        Element::builder("data", NS)
            .attr(xml_ncname!("sid").into(), sid)
            .attr(xml_ncname!("seq").into(), seq.to_string())
            .append(base64::engine::general_purpose::STANDARD.encode(bytes))
            .build(),
    )
}

/// `<close/>`.
pub fn close(id: &str, to: &Jid, sid: &str) -> Iq {
    crate::iq_set(
        id,
        to,
        Element::builder("close", NS)
            .attr(xml_ncname!("sid").into(), sid)
            .build(),
    )
}

/// Reads an IBB element; `max_block`: larger data blocks are refused.
pub fn parse(payload: &Element, max_block: usize) -> Result<Ibb, ProtocolError> {
    let sid = payload
        .attr("sid")
        .filter(|s| !s.is_empty() && s.len() <= 256)
        .ok_or_else(|| ProtocolError::malformed("ibb", "no sid"))?
        .to_string();
    match payload.name() {
        "open" if payload.ns() == NS => {
            let block_size = payload
                .attr("block-size")
                .and_then(|b| b.parse::<u16>().ok())
                .filter(|b| *b > 0)
                .ok_or_else(|| ProtocolError::malformed("ibb", "bad block-size"))?;
            Ok(Ibb::Open { sid, block_size })
        }
        "data" if payload.ns() == NS => {
            let seq = payload
                .attr("seq")
                .and_then(|s| s.parse::<u16>().ok())
                .ok_or_else(|| ProtocolError::malformed("ibb", "bad seq"))?;
            let text: String = payload
                .text()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            if text.len() > max_block.div_ceil(3) * 4 {
                return Err(ProtocolError::malformed("ibb", "block too large"));
            }
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(text)
                .map_err(|e| ProtocolError::malformed("ibb", e))?;
            Ok(Ibb::Data { sid, seq, bytes })
        }
        "close" if payload.ns() == NS => Ok(Ibb::Close { sid }),
        _ => Err(ProtocolError::malformed("ibb", "unknown element")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_open_data_close() {
        let to = Jid::new("bob@x.org/laptop").unwrap();
        let iq: Element = open("o", &to, "i1", 4096).into();
        let p = iq.get_child("open", NS).unwrap();
        assert_eq!(
            parse(p, 4096).unwrap(),
            Ibb::Open {
                sid: "i1".into(),
                block_size: 4096
            }
        );
        let iq: Element = data("d", &to, "i1", 65535, b"hello").into();
        let p = iq.get_child("data", NS).unwrap();
        assert_eq!(
            parse(p, 4096).unwrap(),
            Ibb::Data {
                sid: "i1".into(),
                seq: 65535,
                bytes: b"hello".to_vec()
            }
        );
        let iq: Element = close("c", &to, "i1").into();
        assert_eq!(
            parse(iq.get_child("close", NS).unwrap(), 4096).unwrap(),
            Ibb::Close { sid: "i1".into() }
        );
    }

    #[test]
    fn rejects_bad_blocks() {
        let big = base64::engine::general_purpose::STANDARD.encode(vec![0u8; 5000]);
        let e: Element = format!("<data xmlns='{NS}' sid='i' seq='0'>{big}</data>")
            .parse()
            .unwrap();
        assert!(parse(&e, 4096).is_err());
        let e: Element = format!("<data xmlns='{NS}' sid='i' seq='x'>AA==</data>")
            .parse()
            .unwrap();
        assert!(parse(&e, 4096).is_err());
        let e: Element = format!("<data xmlns='{NS}' sid='i' seq='1'>!!!</data>")
            .parse()
            .unwrap();
        assert!(parse(&e, 4096).is_err());
        let e: Element = format!("<open xmlns='{NS}' sid='i' block-size='0'/>")
            .parse()
            .unwrap();
        assert!(parse(&e, 4096).is_err());
        assert!(!is_ibb(
            &"<query xmlns='jabber:iq:roster'/>".parse().unwrap()
        ));
    }
}
