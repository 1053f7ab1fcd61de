//! Pure stanza ↔ model mapping for Hallway: one module per specification, no I/O, no state.
//! The core feeds parsed stanzas in and sends the stanzas built here. Everything that comes from
//! the network is untrusted: parse failures are values (`ProtocolError`), never panics.
// No unsafe code here, whatever an inner attribute says: the only `unsafe` of the workspace is
// the allocator tuning in src-tauri/src/main.rs (a crate of its own).
#![forbid(unsafe_code)]

pub mod chat;
pub mod rfc6121_presence;
pub mod rfc6121_roster;
pub mod xep0012_last;
pub mod xep0030_disco;
pub mod xep0045_directory;
pub mod xep0045_groupchat;
pub mod xep0045_muc;
pub mod xep0045_muc_owner;
pub mod xep0047_ibb;
pub mod xep0048_bookmarks;
pub mod xep0054_vcard;
pub mod xep0060_pubsub;
pub mod xep0065_bytestreams;
pub mod xep0066_oob;
pub mod xep0084_avatar;
pub mod xep0092_version;
pub mod xep0115_caps;
pub mod xep0153_vcard_avatar;
pub mod xep0184_receipts;
pub mod xep0191_blocking;
pub mod xep0199_ping;
pub mod xep0203_delay;
pub mod xep0234_jingle_ft;
pub mod xep0249_direct_invite;
pub mod xep0260_s5b;
pub mod xep0280_carbons;
pub mod xep0292_vcard4;
pub mod xep0308_correction;
pub mod xep0313_mam;
pub mod xep0319_idle;
pub mod xep0333_markers;
pub mod xep0359_stanza_id;
pub mod xep0363_http_upload;
pub mod xep0402_bookmarks;
pub mod xep0410_self_ping;
pub mod xep0490_mds;

pub use xmpp_parsers;
pub use xmpp_parsers::jid::{BareJid, FullJid, Jid};

/// A stanza we could not make sense of.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    /// The element did not match the expected schema.
    #[error("malformed {what}: {detail}")]
    Malformed {
        /// What we tried to parse.
        what: &'static str,
        /// The parser's words.
        detail: String,
    },
    /// A stanza that claims to come from somewhere it may not (RFC 6121 §2.1.6, XEP-0280 §11).
    #[error("spoofed {what} from {from}")]
    Spoofed {
        /// Kind of stanza.
        what: &'static str,
        /// The sender it came from.
        from: String,
    },
}

impl ProtocolError {
    pub(crate) fn malformed(what: &'static str, e: impl std::fmt::Display) -> Self {
        Self::Malformed {
            what,
            detail: e.to_string(),
        }
    }
}

/// Why we refuse an `<iq/>` someone sent us (RFC 6120 §8.3.3 conditions we use).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// `bad-request`: we could not read it.
    BadRequest,
    /// `item-not-found`: no such session or stream (XEP-0166 adds `<unknown-session/>`).
    ItemNotFound,
    /// `not-acceptable`: not now (XEP-0047 §2.1: a stream nobody accepted).
    NotAcceptable,
    /// `unexpected-request`: out of order (XEP-0047 §2.2: a block out of sequence).
    UnexpectedRequest,
    /// `resource-constraint` (type `wait`): too much at once, try later.
    ResourceConstraint,
    /// `service-unavailable`: we do not do that.
    ServiceUnavailable,
}

/// The error answer to the iq `id` from `to`: `condition`, human `text`, and an application
/// condition such as XEP-0166's `<unknown-session/>` when given.
pub fn iq_error(
    id: &str,
    to: Option<&Jid>,
    condition: Refusal,
    text: &str,
    app: Option<xmpp_parsers::minidom::Element>,
) -> xmpp_parsers::iq::Iq {
    use xmpp_parsers::stanza_error::{DefinedCondition as C, ErrorType as T, StanzaError};
    let (type_, defined) = match condition {
        Refusal::BadRequest => (T::Modify, C::BadRequest),
        Refusal::ItemNotFound => (T::Cancel, C::ItemNotFound),
        Refusal::NotAcceptable => (T::Cancel, C::NotAcceptable),
        Refusal::UnexpectedRequest => (T::Cancel, C::UnexpectedRequest),
        Refusal::ResourceConstraint => (T::Wait, C::ResourceConstraint),
        Refusal::ServiceUnavailable => (T::Cancel, C::ServiceUnavailable),
    };
    let mut error = StanzaError::new(type_, defined, "en", text);
    error.other = app;
    let iq = xmpp_parsers::iq::Iq::from_error(id.to_string(), error);
    match to {
        Some(to) => iq.with_to(to.clone()),
        None => iq,
    }
}

/// The empty result that accepts the iq `id` from `to`.
pub fn iq_result(id: &str, to: Option<&Jid>) -> xmpp_parsers::iq::Iq {
    xmpp_parsers::iq::Iq::Result {
        from: None,
        to: to.cloned(),
        id: id.to_string(),
        payload: None,
    }
}

/// An `<iq type='set'/>` to `to` (from us: the server fills in `from`).
pub(crate) fn iq_set(
    id: &str,
    to: &Jid,
    payload: xmpp_parsers::minidom::Element,
) -> xmpp_parsers::iq::Iq {
    xmpp_parsers::iq::Iq::Set {
        from: None,
        to: Some(to.clone()),
        id: id.to_string(),
        payload,
    }
}

/// At most `max` characters of a stranger's text (cut on a character, never inside one).
pub fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((cut, _)) => s[..cut].to_string(),
        None => s.to_string(),
    }
}

/// A fresh random id for stanzas (also used as XEP-0359 origin-id).
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Serialises an element for assertions in tests.
#[cfg(test)]
pub(crate) fn test_xml(e: &xmpp_parsers::minidom::Element) -> String {
    let mut out = Vec::new();
    e.write_to(&mut out).expect("serialise");
    String::from_utf8(out).expect("utf-8")
}

/// A presence from `b@x.org/a` with `inner` as its children, for parser tests.
#[cfg(test)]
pub(crate) fn test_presence(inner: &str) -> xmpp_parsers::presence::Presence {
    let s = format!("<presence xmlns='jabber:client' from='b@x.org/a'>{inner}</presence>");
    xmpp_parsers::presence::Presence::try_from(
        s.parse::<xmpp_parsers::minidom::Element>().expect("xml"),
    )
    .expect("presence")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_carry_their_condition_and_application_element() {
        let to = Jid::new("bob@x.org/phone").unwrap();
        let app: xmpp_parsers::minidom::Element =
            "<unknown-session xmlns='urn:xmpp:jingle:errors:1'/>"
                .parse()
                .unwrap();
        let iq = iq_error(
            "i1",
            Some(&to),
            Refusal::ItemNotFound,
            "no such session",
            Some(app),
        );
        let el: xmpp_parsers::minidom::Element = iq.into();
        assert_eq!(el.attr("type"), Some("error"));
        assert_eq!(el.attr("to"), Some("bob@x.org/phone"));
        let err = el.get_child("error", "jabber:client").unwrap();
        assert_eq!(err.attr("type"), Some("cancel"));
        assert!(err.has_child("item-not-found", "urn:ietf:params:xml:ns:xmpp-stanzas"));
        assert!(err.has_child("unknown-session", "urn:xmpp:jingle:errors:1"));
        let wait: xmpp_parsers::minidom::Element =
            iq_error("i2", None, Refusal::ResourceConstraint, "busy", None).into();
        let err = wait.get_child("error", "jabber:client").unwrap();
        assert_eq!(err.attr("type"), Some("wait"));
        let ok: xmpp_parsers::minidom::Element = iq_result("i3", Some(&to)).into();
        assert_eq!(ok.attr("type"), Some("result"));
        assert_eq!(ok.attr("id"), Some("i3"));
    }
}
