//! XEP-0065: SOCKS5 Bytestreams — the server's relay (proxy) as a direct transfer uses it
//! through XEP-0260: finding it (a disco#info identity `proxy/bytestreams`, §4), asking for its
//! address (`streamhost`, §5.3.1), and activating a bytestream once both devices are connected
//! to it (§5.3.3). The relay passes bytes between two devices that cannot reach each other.

use xmpp_parsers::iq::Iq;
use xmpp_parsers::jid::Jid;
use xmpp_parsers::minidom::rxml::xml_ncname;
use xmpp_parsers::minidom::Element;

use crate::ProtocolError;

/// Namespace.
pub const NS: &str = "http://jabber.org/protocol/bytestreams";

/// Where the relay listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Streamhost {
    /// The relay's JID (the candidate's `jid`, and where activation goes).
    pub jid: Jid,
    /// Its address.
    pub host: String,
    /// Its port.
    pub port: u16,
}

/// Whether a disco#info result is a SOCKS5 relay (§4: identity category proxy, type
/// bytestreams).
pub fn is_proxy(info: Option<&Element>) -> bool {
    info.is_some_and(|q| {
        q.children().any(|c| {
            c.name() == "identity"
                && c.attr("category") == Some("proxy")
                && c.attr("type") == Some("bytestreams")
        })
    })
}

/// Asks the relay for its address.
pub fn streamhost_request(id: &str, proxy: &Jid) -> Iq {
    Iq::Get {
        from: None,
        to: Some(proxy.clone()),
        id: id.to_string(),
        payload: Element::builder("query", NS).build(),
    }
}

/// Reads the relay's answer.
pub fn parse_streamhost(payload: Option<&Element>) -> Result<Streamhost, ProtocolError> {
    let bad = |why: &str| ProtocolError::malformed("bytestreams", why);
    let q = payload
        .filter(|q| q.is("query", NS))
        .ok_or_else(|| bad("not a bytestreams query"))?;
    let h = q
        .get_child("streamhost", NS)
        .ok_or_else(|| bad("no streamhost"))?;
    let jid = h
        .attr("jid")
        .and_then(|j| Jid::new(j).ok())
        .ok_or_else(|| bad("streamhost without a JID"))?;
    let host = h
        .attr("host")
        .filter(|s| !s.is_empty() && s.len() <= 255)
        .ok_or_else(|| bad("streamhost without a host"))?;
    let port = h
        .attr("port")
        .and_then(|p| p.parse().ok())
        .filter(|p: &u16| *p != 0)
        .ok_or_else(|| bad("streamhost without a port"))?;
    Ok(Streamhost {
        jid,
        host: host.to_string(),
        port,
    })
}

/// Activates the bytestream `sid` towards `target` (the other device's full JID) once both
/// are connected to the relay.
pub fn activate(id: &str, proxy: &Jid, sid: &str, target: &Jid) -> Iq {
    let q = Element::builder("query", NS)
        .attr(xml_ncname!("sid").into(), sid)
        .append(
            Element::builder("activate", NS)
                .append(target.to_string())
                .build(),
        )
        .build();
    crate::iq_set(id, proxy, q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_relay_address() {
        let q: Element = "<query xmlns='http://jabber.org/protocol/bytestreams' sid='s'>
            <streamhost jid='proxy.example.org' host='192.0.2.7' port='7777'/></query>"
            .parse()
            .unwrap();
        assert_eq!(
            parse_streamhost(Some(&q)).unwrap(),
            Streamhost {
                jid: Jid::new("proxy.example.org").unwrap(),
                host: "192.0.2.7".into(),
                port: 7777
            }
        );
    }

    #[test]
    fn rejects_a_relay_without_an_address() {
        for bad in [
            "<query xmlns='http://jabber.org/protocol/bytestreams'/>",
            "<query xmlns='http://jabber.org/protocol/bytestreams'><streamhost jid='p.x' host='h'/></query>",
            "<query xmlns='http://jabber.org/protocol/bytestreams'><streamhost jid='p.x' host='h' port='0'/></query>",
            "<query xmlns='http://jabber.org/protocol/bytestreams'><streamhost host='h' port='5'/></query>",
            "<query xmlns='urn:other'><streamhost jid='p.x' host='h' port='5'/></query>",
        ] {
            let q: Element = bad.parse().unwrap();
            assert!(parse_streamhost(Some(&q)).is_err(), "{bad}");
        }
        assert!(parse_streamhost(None).is_err());
    }

    #[test]
    fn finds_relays_and_serialises_activation() {
        let info: Element = "<query xmlns='http://jabber.org/protocol/disco#info'>
            <identity category='proxy' type='bytestreams' name='SOCKS5'/></query>"
            .parse()
            .unwrap();
        assert!(is_proxy(Some(&info)));
        let upload: Element = "<query xmlns='http://jabber.org/protocol/disco#info'>
            <identity category='store' type='file'/></query>"
            .parse()
            .unwrap();
        assert!(!is_proxy(Some(&upload)));
        let proxy = Jid::new("proxy.example.org").unwrap();
        let bob = Jid::new("bob@example.org/desk").unwrap();
        let iq: Element = activate("a1", &proxy, "s5", &bob).into();
        let q = iq.get_child("query", NS).unwrap();
        assert_eq!(q.attr("sid"), Some("s5"));
        assert_eq!(
            q.get_child("activate", NS).unwrap().text(),
            "bob@example.org/desk"
        );
    }
}
