//! XEP-0260: Jingle SOCKS5 Bytestreams Transport Method — the `<transport/>` that lets a Jingle
//! file go over a direct TCP connection between the two devices: each side offers candidates
//! (its own address and port), tries the other's in priority order through a XEP-0065 SOCKS5
//! handshake, and says which one worked (`candidate-used`) or that none did (`candidate-error`)
//! in a `transport-info`. The SOCKS5 bytes themselves are core's; this file is the XML.

use xmpp_parsers::minidom::rxml::xml_ncname;
use xmpp_parsers::minidom::Element;

use crate::ProtocolError;

/// XEP-0260 namespace.
pub const NS_S5B: &str = "urn:xmpp:jingle:transports:s5b:1";
/// XEP-0260 §2.2: type preference of a candidate on one of our own interfaces.
pub const TYPE_DIRECT: u32 = 126;
/// XEP-0260 §2.2: type preference of a relay (XEP-0065 proxy) candidate.
pub const TYPE_PROXY: u32 = 10;
/// Most candidates we read from one transport (more is a flood, not a network).
pub const MAX_CANDIDATES: usize = 16;

/// What kind of address a candidate is (XEP-0260 §2.2's table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The device's own interface.
    Direct,
    /// A mapped port (NAT-PMP, UPnP).
    Assisted,
    /// A tunnel (Teredo).
    Tunnel,
    /// A XEP-0065 relay: the side that offered it must activate it.
    Proxy,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Direct => "direct",
            Kind::Assisted => "assisted",
            Kind::Tunnel => "tunnel",
            Kind::Proxy => "proxy",
        }
    }

    fn parse(s: Option<&str>) -> Option<Kind> {
        match s.unwrap_or("direct") {
            "direct" => Some(Kind::Direct),
            "assisted" => Some(Kind::Assisted),
            "tunnel" => Some(Kind::Tunnel),
            "proxy" => Some(Kind::Proxy),
            _ => None,
        }
    }
}

/// One address a side can be reached at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Candidate id (named in `candidate-used`).
    pub cid: String,
    /// IP address or host name.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// The JID of the host (the offering device, or the proxy's JID).
    pub jid: String,
    /// Higher is tried first: `(2^16) * type preference + local preference`.
    pub priority: u32,
    /// Direct, assisted, tunnel or proxy.
    pub kind: Kind,
}

/// The S5B `<transport/>` of an offer or an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transport {
    /// The bytestream's id (part of the SOCKS5 address hash).
    pub sid: String,
    /// The SOCKS5 destination address the offering side expects (XEP-0065 §5.3.2's
    /// SHA-1 of sid + its full JID + the peer's full JID), when it said.
    pub dstaddr: Option<String>,
    /// Its candidates.
    pub candidates: Vec<Candidate>,
}

/// A `transport-info` payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Info {
    /// The sender connected to our candidate `cid`.
    CandidateUsed(String),
    /// The sender could connect to none of our candidates.
    CandidateError,
    /// The sender activated its proxy candidate `cid` (XEP-0260 §2.4).
    Activated(String),
    /// The sender could not use the nominated proxy.
    ProxyError,
}

/// XEP-0065 §5.3.2: the SOCKS5 destination address — hex SHA-1 of the bytestream id, the
/// offering side's full JID and the other side's full JID.
pub fn dstaddr(sid: &str, offering: &str, other: &str) -> String {
    crate::xep0084_avatar::sha1_hex(format!("{sid}{offering}{other}").as_bytes())
}

/// The priority of a direct candidate with `local` preference.
pub fn direct_priority(local: u16) -> u32 {
    (TYPE_DIRECT << 16) + u32::from(local)
}

/// The priority of a relay candidate with `local` preference.
pub fn proxy_priority(local: u16) -> u32 {
    (TYPE_PROXY << 16) + u32::from(local)
}

/// Serialises a transport (`initiator`: the offer also names the mode, XEP-0260 §2.2).
pub fn transport(t: &Transport, initiator: bool) -> Element {
    let mut b =
        Element::builder("transport", NS_S5B).attr(xml_ncname!("sid").into(), t.sid.as_str());
    if let Some(d) = &t.dstaddr {
        b = b.attr(xml_ncname!("dstaddr").into(), d.as_str());
    }
    if initiator {
        b = b.attr(xml_ncname!("mode").into(), "tcp");
    }
    for c in &t.candidates {
        b = b.append(
            Element::builder("candidate", NS_S5B)
                .attr(xml_ncname!("cid").into(), c.cid.as_str())
                .attr(xml_ncname!("host").into(), c.host.as_str())
                .attr(xml_ncname!("jid").into(), c.jid.as_str())
                .attr(xml_ncname!("port").into(), c.port.to_string())
                .attr(xml_ncname!("priority").into(), c.priority.to_string())
                .attr(xml_ncname!("type").into(), c.kind.as_str())
                .build(),
        );
    }
    b.build()
}

/// A `transport-info` transport carrying `info`.
pub fn info(sid: &str, info: &Info) -> Element {
    let child = match info {
        Info::CandidateUsed(cid) => Element::builder("candidate-used", NS_S5B)
            .attr(xml_ncname!("cid").into(), cid.as_str())
            .build(),
        Info::CandidateError => Element::builder("candidate-error", NS_S5B).build(),
        Info::Activated(cid) => Element::builder("activated", NS_S5B)
            .attr(xml_ncname!("cid").into(), cid.as_str())
            .build(),
        Info::ProxyError => Element::builder("proxy-error", NS_S5B).build(),
    };
    Element::builder("transport", NS_S5B)
        .attr(xml_ncname!("sid").into(), sid)
        .append(child)
        .build()
}

fn bounded(s: Option<&str>, max: usize) -> Option<&str> {
    s.filter(|s| !s.is_empty() && s.len() <= max)
}

/// Reads an S5B `<transport/>`. Candidates we cannot use (UDP mode, bad port, unknown type)
/// are left out rather than failing the whole offer.
pub fn parse(t: &Element) -> Result<Transport, ProtocolError> {
    if !t.is("transport", NS_S5B) {
        return Err(ProtocolError::malformed("s5b", "not an S5B transport"));
    }
    if t.attr("mode").is_some_and(|m| m != "tcp") {
        return Err(ProtocolError::malformed(
            "s5b",
            "only TCP mode is supported",
        ));
    }
    let sid = bounded(t.attr("sid"), 256)
        .ok_or_else(|| ProtocolError::malformed("s5b", "no sid"))?
        .to_string();
    let dstaddr = bounded(t.attr("dstaddr"), 255).map(str::to_string);
    let candidates = t
        .children()
        .filter(|c| c.is("candidate", NS_S5B))
        .filter_map(|c| {
            Some(Candidate {
                cid: bounded(c.attr("cid"), 256)?.to_string(),
                host: bounded(c.attr("host"), 255)?.to_string(),
                port: c.attr("port")?.parse().ok().filter(|p| *p != 0)?,
                jid: bounded(c.attr("jid"), 3071)?.to_string(),
                priority: c.attr("priority")?.parse().ok()?,
                kind: Kind::parse(c.attr("type"))?,
            })
        })
        .take(MAX_CANDIDATES)
        .collect();
    Ok(Transport {
        sid,
        dstaddr,
        candidates,
    })
}

/// Reads the payload of a `transport-info`.
pub fn parse_info(t: &Element) -> Result<Info, ProtocolError> {
    if !t.is("transport", NS_S5B) {
        return Err(ProtocolError::malformed("s5b", "not an S5B transport"));
    }
    let cid = |c: &Element| {
        bounded(c.attr("cid"), 256)
            .map(str::to_string)
            .ok_or_else(|| ProtocolError::malformed("s5b", "no cid"))
    };
    for c in t.children().filter(|c| c.ns() == NS_S5B) {
        match c.name() {
            "candidate-used" => return Ok(Info::CandidateUsed(cid(c)?)),
            "candidate-error" => return Ok(Info::CandidateError),
            "activated" => return Ok(Info::Activated(cid(c)?)),
            "proxy-error" => return Ok(Info::ProxyError),
            _ => {}
        }
    }
    Err(ProtocolError::malformed("s5b", "no transport-info we know"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Transport {
        Transport {
            sid: "vj3hs98y".into(),
            dstaddr: Some(dstaddr(
                "vj3hs98y",
                "romeo@montague.lit/orchard",
                "juliet@capulet.lit/balcony",
            )),
            candidates: vec![Candidate {
                cid: "hft54dqy".into(),
                host: "192.168.4.1".into(),
                port: 5086,
                jid: "romeo@montague.lit/orchard".into(),
                priority: direct_priority(1000),
                kind: Kind::Direct,
            }],
        }
    }

    #[test]
    fn transport_round_trips() {
        let e = transport(&sample(), true);
        assert_eq!(e.attr("mode"), Some("tcp"));
        assert_eq!(parse(&e).unwrap(), sample());
        // The answer leaves the mode out (XEP-0260 §2.2).
        assert_eq!(transport(&sample(), false).attr("mode"), None);
    }

    #[test]
    fn dstaddr_is_the_sha1_of_sid_and_both_jids() {
        // SHA-1("abc") — the hash is over the plain concatenation.
        assert_eq!(
            dstaddr("a", "b", "c"),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(direct_priority(0), 8_257_536);
        assert_eq!(proxy_priority(0), 655_360);
    }

    #[test]
    fn info_round_trips() {
        for i in [
            Info::CandidateUsed("c1".into()),
            Info::CandidateError,
            Info::Activated("c2".into()),
            Info::ProxyError,
        ] {
            assert_eq!(parse_info(&info("s", &i)).unwrap(), i);
        }
    }

    #[test]
    fn rejects_what_we_cannot_use() {
        let udp: Element =
            "<transport xmlns='urn:xmpp:jingle:transports:s5b:1' sid='s' mode='udp'/>"
                .parse()
                .unwrap();
        assert!(parse(&udp).is_err());
        let no_sid: Element = "<transport xmlns='urn:xmpp:jingle:transports:s5b:1'/>"
            .parse()
            .unwrap();
        assert!(parse(&no_sid).is_err());
        // Bad candidates are skipped, good ones kept; a missing type means direct.
        let mixed: Element = "<transport xmlns='urn:xmpp:jingle:transports:s5b:1' sid='s'>
            <candidate cid='a' host='10.0.0.1' jid='r@x/y' port='0' priority='1'/>
            <candidate cid='b' host='10.0.0.1' jid='r@x/y' port='70000' priority='1'/>
            <candidate cid='c' host='10.0.0.1' jid='r@x/y' port='5000' priority='1' type='carrier-pigeon'/>
            <candidate cid='d' host='10.0.0.2' jid='r@x/y' port='5000' priority='9'/></transport>"
            .parse()
            .unwrap();
        let t = parse(&mixed).unwrap();
        assert_eq!(t.candidates.len(), 1);
        assert_eq!(t.candidates[0].cid, "d");
        assert_eq!(t.candidates[0].kind, Kind::Direct);
        let empty: Element =
            "<transport xmlns='urn:xmpp:jingle:transports:s5b:1' sid='s'><bogus/></transport>"
                .parse()
                .unwrap();
        assert!(parse_info(&empty).is_err());
        let used_no_cid: Element =
            "<transport xmlns='urn:xmpp:jingle:transports:s5b:1' sid='s'><candidate-used/></transport>"
                .parse()
                .unwrap();
        assert!(parse_info(&used_no_cid).is_err());
    }
}
