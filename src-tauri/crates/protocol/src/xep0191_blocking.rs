//! XEP-0191: Blocking Command — our block list: fetch it, block and unblock addresses, and the
//! pushes the server sends to all our sessions when it changes. A blocked address can neither
//! message us nor see our presence; the server enforces it both ways.

use xmpp_parsers::iq::Iq;
use xmpp_parsers::jid::{BareJid, Jid};
use xmpp_parsers::minidom::rxml::xml_ncname;
use xmpp_parsers::minidom::Element;

use crate::ProtocolError;

/// Namespace.
pub const NS: &str = "urn:xmpp:blocking";

/// `<iq type='get'><blocklist/></iq>`.
pub fn blocklist_request(id: &str) -> Iq {
    Iq::Get {
        from: None,
        to: None,
        id: id.to_string(),
        payload: Element::builder("blocklist", NS).build(),
    }
}

fn items(jids: &[String]) -> Vec<Element> {
    jids.iter()
        .map(|j| {
            Element::builder("item", NS)
                .attr(xml_ncname!("jid").into(), j.as_str())
                .build()
        })
        .collect()
}

/// Blocks `jids` (bare JIDs).
pub fn block(id: &str, jids: &[String]) -> Iq {
    Iq::Set {
        from: None,
        to: None,
        id: id.to_string(),
        payload: Element::builder("block", NS)
            .append_all(items(jids))
            .build(),
    }
}

/// Unblocks `jids`.
pub fn unblock(id: &str, jids: &[String]) -> Iq {
    Iq::Set {
        from: None,
        to: None,
        id: id.to_string(),
        payload: Element::builder("unblock", NS)
            .append_all(items(jids))
            .build(),
    }
}

fn jids_of(el: &Element) -> Result<Vec<String>, ProtocolError> {
    el.children()
        .filter(|c| c.is("item", NS))
        .map(|c| {
            c.attr("jid")
                .and_then(|j| Jid::new(j).ok())
                .map(|j| j.to_string())
                .ok_or_else(|| ProtocolError::malformed("blocklist item", "bad jid"))
        })
        .collect()
}

/// The addresses in a blocklist result.
pub fn parse_blocklist(payload: Option<&Element>) -> Result<Vec<String>, ProtocolError> {
    match payload {
        Some(p) if p.is("blocklist", NS) => jids_of(p),
        Some(_) => Err(ProtocolError::malformed("blocklist", "not a <blocklist/>")),
        None => Ok(Vec::new()),
    }
}

/// A change pushed by our server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Push {
    /// These were blocked.
    Blocked(Vec<String>),
    /// These were unblocked; an empty list means everything was (§3.4).
    Unblocked(Vec<String>),
}

/// Whether an `iq set` payload is a blocking push.
pub fn is_push(payload: &Element) -> bool {
    payload.is("block", NS) || payload.is("unblock", NS)
}

/// Parses a push; only our own server (no `from`, or our bare JID) may send one.
pub fn parse_push(
    from: Option<&Jid>,
    own: &BareJid,
    payload: &Element,
) -> Result<Push, ProtocolError> {
    if let Some(from) = from {
        if from.to_bare() != *own || from.is_full() {
            return Err(ProtocolError::Spoofed {
                what: "block list push",
                from: from.to_string(),
            });
        }
    }
    if payload.is("block", NS) {
        Ok(Push::Blocked(jids_of(payload)?))
    } else if payload.is("unblock", NS) {
        Ok(Push::Unblocked(jids_of(payload)?))
    } else {
        Err(ProtocolError::malformed(
            "block list push",
            "unknown element",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(s: &str) -> Element {
        s.parse().unwrap()
    }

    #[test]
    fn parses_list_and_pushes() {
        let l = el("<blocklist xmlns='urn:xmpp:blocking'><item jid='spam@x.org'/><item jid='x.org'/></blocklist>");
        assert_eq!(
            parse_blocklist(Some(&l)).unwrap(),
            vec!["spam@x.org", "x.org"]
        );
        assert!(parse_blocklist(None).unwrap().is_empty());
        let own = BareJid::new("alice@x.org").unwrap();
        let p = el("<block xmlns='urn:xmpp:blocking'><item jid='spam@x.org'/></block>");
        assert_eq!(
            parse_push(None, &own, &p).unwrap(),
            Push::Blocked(vec!["spam@x.org".into()])
        );
        let all = el("<unblock xmlns='urn:xmpp:blocking'/>");
        assert_eq!(
            parse_push(None, &own, &all).unwrap(),
            Push::Unblocked(vec![])
        );
        assert!(is_push(&p) && is_push(&all));
    }

    #[test]
    fn rejects_spoofed_and_bad_items() {
        let own = BareJid::new("alice@x.org").unwrap();
        let p = el("<block xmlns='urn:xmpp:blocking'><item jid='spam@x.org'/></block>");
        let evil = Jid::new("mallory@x.org").unwrap();
        assert!(parse_push(Some(&evil), &own, &p).is_err());
        let bad = el("<block xmlns='urn:xmpp:blocking'><item/></block>");
        assert!(parse_push(None, &own, &bad).is_err());
        let wrong = el("<foo xmlns='urn:xmpp:blocking'/>");
        assert!(parse_blocklist(Some(&wrong)).is_err());
    }

    #[test]
    fn serialises_block_and_unblock() {
        let b: Element = block("b1", &["spam@x.org".into()]).into();
        assert_eq!(b.attr("type"), Some("set"));
        let item = b
            .get_child("block", NS)
            .unwrap()
            .get_child("item", NS)
            .unwrap();
        assert_eq!(item.attr("jid"), Some("spam@x.org"));
        let u: Element = unblock("u1", &["spam@x.org".into()]).into();
        assert!(u.get_child("unblock", NS).is_some());
        let g: Element = blocklist_request("g").into();
        assert_eq!(g.attr("type"), Some("get"));
    }
}
