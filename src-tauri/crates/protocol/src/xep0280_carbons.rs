//! XEP-0280: Message Carbons — enable them after every fresh session and unwrap the copies of
//! messages our other devices sent or received. §11: a carbon is only genuine when it comes from
//! our own bare JID; anything else is a spoofing attempt (CVE-2017-5589 class) and is rejected.

use xmpp_parsers::carbons::{Enable, Received, Sent};
use xmpp_parsers::delay::Delay;
use xmpp_parsers::iq::Iq;
use xmpp_parsers::jid::{BareJid, Jid};
use xmpp_parsers::message::Message;
use xmpp_parsers::minidom::Element;
use xmpp_parsers::ns;

use crate::ProtocolError;

/// `<iq type="set"><enable xmlns="urn:xmpp:carbons:2"/></iq>`.
pub fn enable(id: &str) -> Iq {
    Iq::from_set(id.to_string(), Enable)
}

/// Which way the copied message went.
#[derive(Debug, Clone, PartialEq)]
pub enum Carbon {
    /// Our other device sent it.
    Sent(Message, Option<Delay>),
    /// Our other device received it.
    Received(Message, Option<Delay>),
}

/// Unwraps a carbon copy. `Ok(None)`: not a carbon. `Err`: a carbon from someone else (spoofed)
/// or a malformed one.
pub fn unwrap(
    from: Option<&Jid>,
    own: &BareJid,
    payloads: &[Element],
) -> Result<Option<Carbon>, ProtocolError> {
    let Some(el) = payloads
        .iter()
        .find(|p| p.ns() == ns::CARBONS && (p.name() == "sent" || p.name() == "received"))
    else {
        return Ok(None);
    };
    let genuine = matches!(from, Some(f) if f.is_bare() && f.to_bare() == *own);
    if !genuine {
        return Err(ProtocolError::Spoofed {
            what: "carbon copy",
            from: from.map(|f| f.to_string()).unwrap_or_default(),
        });
    }
    if el.name() == "sent" {
        let s = Sent::try_from(el.clone()).map_err(|e| ProtocolError::malformed("carbon", e))?;
        Ok(Some(Carbon::Sent(s.forwarded.message, s.forwarded.delay)))
    } else {
        let r =
            Received::try_from(el.clone()).map_err(|e| ProtocolError::malformed("carbon", e))?;
        Ok(Some(Carbon::Received(
            r.forwarded.message,
            r.forwarded.delay,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SENT: &str = "<sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>\
        <message xmlns='jabber:client' from='alice@x.org/phone' to='bob@x.org' type='chat' id='m1'><body>hi</body></message>\
        </forwarded></sent>";

    #[test]
    fn unwraps_genuine_carbons() {
        let own = BareJid::new("alice@x.org").unwrap();
        let from = Jid::new("alice@x.org").unwrap();
        let c = unwrap(Some(&from), &own, &[SENT.parse().unwrap()])
            .unwrap()
            .unwrap();
        let Carbon::Sent(m, None) = c else {
            panic!("sent")
        };
        assert_eq!(m.to.unwrap().to_string(), "bob@x.org");
        assert_eq!(unwrap(Some(&from), &own, &[]).unwrap(), None);
    }

    #[test]
    fn rejects_spoofed_and_malformed_carbons() {
        let own = BareJid::new("alice@x.org").unwrap();
        let evil = Jid::new("mallory@x.org").unwrap();
        let err = unwrap(Some(&evil), &own, &[SENT.parse().unwrap()]).unwrap_err();
        assert_eq!(err.to_string(), "spoofed carbon copy from mallory@x.org");
        let own_full = Jid::new("alice@x.org/other").unwrap();
        assert!(unwrap(Some(&own_full), &own, &[SENT.parse().unwrap()]).is_err());
        let from = Jid::new("alice@x.org").unwrap();
        let broken: Element = "<sent xmlns='urn:xmpp:carbons:2'/>".parse().unwrap();
        assert!(matches!(
            unwrap(Some(&from), &own, &[broken]),
            Err(ProtocolError::Malformed { .. })
        ));
    }

    #[test]
    fn serialises_enable() {
        let el: Element = enable("c1").into();
        assert_eq!(el.attr("type"), Some("set"));
        assert!(el.get_child("enable", ns::CARBONS).is_some());
    }
}
