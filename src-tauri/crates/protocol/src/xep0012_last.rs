//! XEP-0012: Last Activity — asked of a contact's bare JID, the server answers how many seconds
//! ago they last signed off (§4: offline users), which is "last seen" for offline contacts.

use xmpp_parsers::iq::Iq;
use xmpp_parsers::jid::Jid;
use xmpp_parsers::minidom::Element;

use crate::ProtocolError;

/// Namespace.
pub const NS: &str = "jabber:iq:last";

/// `<iq type='get' to=bare><query xmlns='jabber:iq:last'/></iq>`.
pub fn request(id: &str, to: &Jid) -> Iq {
    Iq::Get {
        from: None,
        to: Some(to.clone()),
        id: id.to_string(),
        payload: Element::builder("query", NS).build(),
    }
}

/// Seconds since last activity from a result. `0` from a bare JID means "online now" (§4), which
/// the caller knows from presence anyway.
pub fn parse(payload: Option<&Element>) -> Result<u64, ProtocolError> {
    let q = payload
        .filter(|p| p.is("query", NS))
        .ok_or_else(|| ProtocolError::malformed("last activity", "no <query/>"))?;
    let secs = q
        .attr("seconds")
        .and_then(|s| s.trim().parse::<u64>().ok())
        .ok_or_else(|| ProtocolError::malformed("last activity", "bad seconds"))?;
    // A value beyond ~100 years is nonsense; refuse it rather than show year 1900.
    if secs > 100 * 365 * 24 * 3600 {
        return Err(ProtocolError::malformed(
            "last activity",
            "seconds out of range",
        ));
    }
    Ok(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_seconds() {
        let q: Element = "<query xmlns='jabber:iq:last' seconds='903'>Heading home</query>"
            .parse()
            .unwrap();
        assert_eq!(parse(Some(&q)).unwrap(), 903);
    }

    #[test]
    fn rejects_missing_or_bad_seconds() {
        let q: Element = "<query xmlns='jabber:iq:last' seconds='-5'/>"
            .parse()
            .unwrap();
        assert!(parse(Some(&q)).is_err());
        let huge: Element = "<query xmlns='jabber:iq:last' seconds='99999999999'/>"
            .parse()
            .unwrap();
        assert!(parse(Some(&huge)).is_err());
        assert!(parse(None).is_err());
    }

    #[test]
    fn serialises_request() {
        let to = Jid::new("bob@x.org").unwrap();
        let iq: Element = request("l1", &to).into();
        assert_eq!(iq.attr("to"), Some("bob@x.org"));
        assert!(iq.get_child("query", NS).is_some());
    }
}
