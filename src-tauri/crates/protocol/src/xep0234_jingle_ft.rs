//! XEP-0234: Jingle File Transfer — a file offered straight to a contact's device in a XEP-0166
//! Jingle session (`session-initiate` with the file's name, size and XEP-0300 SHA-256; the
//! contact answers `session-accept` or `session-terminate`/decline), over XEP-0260 SOCKS5
//! bytestreams (a direct TCP connection) or XEP-0261 in-band bytestreams (the bytes flow as
//! XEP-0047 `<data/>` through the server), and the XEP-0166 transport actions that switch from
//! the first to the second when no direct connection can be made (`transport-replace`).

use base64::Engine;
use xmpp_parsers::iq::Iq;
use xmpp_parsers::jid::Jid;
use xmpp_parsers::minidom::rxml::xml_ncname;
use xmpp_parsers::minidom::Element;

use crate::xep0260_s5b as s5b;
use crate::ProtocolError;

/// XEP-0166 namespace.
pub const NS_JINGLE: &str = "urn:xmpp:jingle:1";
/// XEP-0234 namespace (version 5, what Conversations, Dino and Gajim speak).
pub const NS_FT: &str = "urn:xmpp:jingle:apps:file-transfer:5";
/// XEP-0261 namespace.
pub const NS_IBB_TRANSPORT: &str = "urn:xmpp:jingle:transports:ibb:1";
/// XEP-0300 namespace.
pub const NS_HASHES: &str = "urn:xmpp:hashes:2";
/// The disco features a device needs for us to offer it a file (in-band always works).
pub const FEATURES: &[&str] = &[NS_JINGLE, NS_FT, NS_IBB_TRANSPORT];
/// The disco feature that says a device also takes direct connections.
pub const FEATURE_S5B: &str = s5b::NS_S5B;
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
    /// How the bytes go.
    pub transport: Transport,
}

/// A session's transport.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    /// XEP-0261: in-band, through the server.
    Ibb {
        /// The in-band bytestream's id.
        sid: String,
        /// Bytes per `<data/>` block.
        block_size: u16,
    },
    /// XEP-0260: a direct TCP connection.
    S5b(s5b::Transport),
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
        /// The contact's side of the transport (its S5B candidates), when it gave one we know.
        transport: Option<Transport>,
    },
    /// XEP-0260 `transport-info`: a candidate used, or none could be.
    TransportInfo {
        /// Session id.
        sid: String,
        /// What the contact says.
        info: s5b::Info,
    },
    /// XEP-0166 `transport-replace`: the initiator switches transports (`None`: to one we
    /// do not know, to be rejected).
    TransportReplace {
        /// Session id.
        sid: String,
        /// The new transport.
        transport: Option<Transport>,
    },
    /// XEP-0166 `transport-accept` of our replacement.
    TransportAccepted {
        /// Session id.
        sid: String,
    },
    /// XEP-0166 `transport-reject` of our replacement.
    TransportRejected {
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

/// A transport as XML (`initiator`: ours in the offer).
pub fn transport_element(t: &Transport, initiator: bool) -> Element {
    match t {
        Transport::Ibb { sid, block_size } => Element::builder("transport", NS_IBB_TRANSPORT)
            .attr(xml_ncname!("sid").into(), sid.as_str())
            .attr(xml_ncname!("block-size").into(), block_size.to_string())
            .build(),
        Transport::S5b(t) => s5b::transport(t, initiator),
    }
}

fn content_of(name: &str) -> xmpp_parsers::minidom::ElementBuilder {
    Element::builder("content", NS_JINGLE)
        .attr(xml_ncname!("creator").into(), "initiator")
        .attr(xml_ncname!("name").into(), name)
}

/// The `<content/>` describing the file and its transport (`with_hash`: the offer carries the
/// XEP-0300 SHA-256; the answer echoes name and size only).
fn content(o: &Offer, with_hash: bool, transport: Element) -> Element {
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
    content_of(&o.content)
        .attr(xml_ncname!("senders").into(), "initiator")
        .append(
            Element::builder("description", NS_FT)
                .append(file.build())
                .build(),
        )
        .append(transport)
        .build()
}

/// `session-initiate` offering a file (`initiator`: our full JID).
pub fn offer(id: &str, to: &Jid, initiator: &Jid, o: &Offer) -> Iq {
    let j = jingle("session-initiate", &o.sid)
        .attr(xml_ncname!("initiator").into(), initiator.to_string())
        .append(content(o, true, transport_element(&o.transport, true)))
        .build();
    crate::iq_set(id, to, j)
}

/// `session-accept` of an offer (`responder`: our full JID), echoing its content with our side
/// of the transport (for S5B: our own candidates).
pub fn accept(id: &str, to: &Jid, responder: &Jid, o: &Offer, ours: &Transport) -> Iq {
    let j = jingle("session-accept", &o.sid)
        .attr(xml_ncname!("responder").into(), responder.to_string())
        .append(content(o, false, transport_element(ours, false)))
        .build();
    crate::iq_set(id, to, j)
}

/// A transport action on the session's one content: `transport-info` (with an S5B transport
/// carrying the info), `transport-replace`, `transport-accept` or `transport-reject`.
pub fn transport_action(
    id: &str,
    to: &Jid,
    action: &str,
    sid: &str,
    content: &str,
    transport: Element,
) -> Iq {
    let j = jingle(action, sid)
        .append(content_of(content).append(transport).build())
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

/// XEP-0166 §8 error namespace.
pub const NS_ERRORS: &str = "urn:xmpp:jingle:errors:1";

/// The answer to a Jingle action for a session we do not have with that device (XEP-0166
/// §7.2: `item-not-found` with `<unknown-session/>`): another device cannot accept, end or
/// steer a session by guessing its id.
pub fn unknown_session(id: &str, to: &Jid) -> Iq {
    crate::iq_error(
        id,
        Some(to),
        crate::Refusal::ItemNotFound,
        "No such session with this device.",
        Some(Element::builder("unknown-session", NS_ERRORS).build()),
    )
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
        Some("session-accept") => Ok(Action::Accepted {
            transport: first_content(payload).and_then(parse_transport),
            sid,
        }),
        Some("transport-info") => {
            let t = first_content(payload)
                .and_then(|c| c.get_child("transport", s5b::NS_S5B))
                .ok_or_else(|| ProtocolError::malformed("jingle", "no S5B transport-info"))?;
            Ok(Action::TransportInfo {
                info: s5b::parse_info(t)?,
                sid,
            })
        }
        Some("transport-replace") => Ok(Action::TransportReplace {
            transport: first_content(payload).and_then(parse_transport),
            sid,
        }),
        Some("transport-accept") => Ok(Action::TransportAccepted { sid }),
        Some("transport-reject") => Ok(Action::TransportRejected { sid }),
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

fn first_content(j: &Element) -> Option<&Element> {
    j.get_child("content", NS_JINGLE)
}

/// The content's transport, when it is one we speak.
fn parse_transport(content: &Element) -> Option<Transport> {
    if let Some(t) = content.get_child("transport", NS_IBB_TRANSPORT) {
        let block_size: u16 = t.attr("block-size")?.parse().ok().filter(|b| *b > 0)?;
        let sid = t.attr("sid").filter(|s| !s.is_empty() && s.len() <= 256)?;
        return Some(Transport::Ibb {
            sid: sid.to_string(),
            block_size,
        });
    }
    let t = content.get_child("transport", s5b::NS_S5B)?;
    s5b::parse(t).ok().map(Transport::S5b)
}

fn parse_offer(j: &Element, sid: &str) -> Option<Offer> {
    let content = first_content(j)?;
    let file = content
        .get_child("description", NS_FT)?
        .get_child("file", NS_FT)?;
    let transport = parse_transport(content)?;
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
    Some(Offer {
        sid: sid.to_string(),
        content: content.attr("name").unwrap_or("file").to_string(),
        name,
        size,
        sha256,
        transport,
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
            transport: Transport::Ibb {
                sid: "i1".into(),
                block_size: 4096,
            },
        }
    }

    fn s5b_transport() -> s5b::Transport {
        s5b::Transport {
            sid: "t1".into(),
            dstaddr: Some(s5b::dstaddr("t1", "alice@x.org/desk", "bob@x.org/laptop")),
            candidates: vec![s5b::Candidate {
                cid: "c1".into(),
                host: "127.0.0.1".into(),
                port: 40000,
                jid: "alice@x.org/desk".into(),
                priority: s5b::direct_priority(1),
                kind: s5b::Kind::Direct,
            }],
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
        let o = sample();
        let iq: Element = accept("a1", &to, &me, &o, &o.transport).into();
        let j = iq.get_child("jingle", NS_JINGLE).unwrap();
        assert_eq!(
            parse(j).unwrap(),
            Action::Accepted {
                sid: "s1".into(),
                transport: Some(o.transport.clone())
            }
        );
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
    fn s5b_offer_and_transport_actions_round_trip() {
        let to = Jid::new("bob@x.org/laptop").unwrap();
        let me = Jid::new("alice@x.org/desk").unwrap();
        let o = Offer {
            transport: Transport::S5b(s5b_transport()),
            ..sample()
        };
        let iq: Element = offer("j2", &to, &me, &o).into();
        let j = iq.get_child("jingle", NS_JINGLE).unwrap();
        assert_eq!(parse(j).unwrap(), Action::Offer(o));
        let info = s5b::info("t1", &s5b::Info::CandidateUsed("c1".into()));
        let iq: Element = transport_action("i", &to, "transport-info", "s1", "file", info).into();
        let j = iq.get_child("jingle", NS_JINGLE).unwrap();
        assert_eq!(
            parse(j).unwrap(),
            Action::TransportInfo {
                sid: "s1".into(),
                info: s5b::Info::CandidateUsed("c1".into())
            }
        );
        let ibb = Transport::Ibb {
            sid: "i2".into(),
            block_size: 4096,
        };
        let el = transport_element(&ibb, true);
        let iq: Element = transport_action("r", &to, "transport-replace", "s1", "file", el).into();
        let j = iq.get_child("jingle", NS_JINGLE).unwrap();
        assert_eq!(
            parse(j).unwrap(),
            Action::TransportReplace {
                sid: "s1".into(),
                transport: Some(ibb.clone())
            }
        );
        let el = transport_element(&ibb, false);
        let iq: Element = transport_action("a", &to, "transport-accept", "s1", "file", el).into();
        let j = iq.get_child("jingle", NS_JINGLE).unwrap();
        assert_eq!(
            parse(j).unwrap(),
            Action::TransportAccepted { sid: "s1".into() }
        );
    }

    #[test]
    fn reads_offers_shaped_like_other_clients_send_them() {
        // Extra file metadata (media-type, date), a proxy candidate beside a direct one, a
        // transport-replace to in-band with a bigger block size, and an S5B transport with
        // no candidates and no dstaddr: all seen from other clients (Conversations, Dino,
        // XMPPFramework).
        let offer: Element = "<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate'
              initiator='ann@example.org/phone' sid='k3x9'>
            <content creator='initiator' name='9us90rm793' senders='initiator'>
              <description xmlns='urn:xmpp:jingle:apps:file-transfer:5'><file>
                <media-type>image/jpeg</media-type><name>IMG_0042.jpg</name><size>183204</size>
                <date>2026-11-20T09:12:00Z</date>
                <hash xmlns='urn:xmpp:hashes:2' algo='sha-1'>2jmj7l5rSw0yVb/vlWAYkK/YBwk=</hash>
                <hash xmlns='urn:xmpp:hashes:2' algo='sha-256'>47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=</hash>
              </file></description>
              <transport xmlns='urn:xmpp:jingle:transports:s5b:1' sid='kdgusrnaqv' mode='tcp'>
                <candidate cid='c1' host='192.168.1.20' jid='ann@example.org/phone' port='37411'
                  priority='8257536' type='direct'/>
                <candidate cid='c2' host='203.0.113.5' jid='proxy.example.org' port='7777'
                  priority='655360' type='proxy'/>
              </transport></content></jingle>"
            .parse()
            .unwrap();
        let Action::Offer(o) = parse(&offer).unwrap() else {
            panic!("not an offer")
        };
        assert_eq!((o.name.as_str(), o.size), ("IMG_0042.jpg", 183_204));
        assert_eq!(o.content, "9us90rm793");
        assert_eq!(o.sha256.as_ref().map(Vec::len), Some(32));
        let Transport::S5b(t) = &o.transport else {
            panic!("not s5b")
        };
        assert_eq!(t.dstaddr, None);
        assert_eq!(t.candidates.len(), 2);
        assert_eq!(t.candidates[1].kind, s5b::Kind::Proxy);

        let replace: Element =
            "<jingle xmlns='urn:xmpp:jingle:1' action='transport-replace' sid='k3x9'>
            <content creator='initiator' name='9us90rm793'>
              <transport xmlns='urn:xmpp:jingle:transports:ibb:1' block-size='8192' sid='ib1'/>
            </content></jingle>"
                .parse()
                .unwrap();
        assert_eq!(
            parse(&replace).unwrap(),
            Action::TransportReplace {
                sid: "k3x9".into(),
                transport: Some(Transport::Ibb {
                    sid: "ib1".into(),
                    block_size: 8192
                })
            }
        );

        let bare: Element = "<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='n1'>
            <content creator='initiator' name='l5hfq2g2oi' senders='initiator'>
              <description xmlns='urn:xmpp:jingle:apps:file-transfer:5'><file><size>47754</size>
                <name>photo.jpg</name></file></description>
              <transport sid='mpb88nsur0' xmlns='urn:xmpp:jingle:transports:s5b:1'/></content></jingle>"
            .parse()
            .unwrap();
        let Action::Offer(o) = parse(&bare).unwrap() else {
            panic!("not an offer")
        };
        assert!(matches!(&o.transport, Transport::S5b(t) if t.candidates.is_empty()));
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
        let udp_s5b: Element = "<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='c2'>
            <content creator='initiator' name='f'>
              <description xmlns='urn:xmpp:jingle:apps:file-transfer:5'><file><size>5</size></file></description>
              <transport xmlns='urn:xmpp:jingle:transports:s5b:1' sid='x' mode='udp'/></content></jingle>"
            .parse()
            .unwrap();
        assert_eq!(
            parse(&udp_s5b).unwrap(),
            Action::Unsupported { sid: "c2".into() }
        );
        let info_no_transport: Element =
            "<jingle xmlns='urn:xmpp:jingle:1' action='transport-info' sid='c4'><content name='f'/></jingle>"
                .parse()
                .unwrap();
        assert!(parse(&info_no_transport).is_err());
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
