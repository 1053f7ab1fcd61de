//! XEP-0292: vCard4 Over XMPP — business cards (full name, title, organisation, department,
//! email, phone) as RFC 6351 xCard in the PEP node `urn:xmpp:vcard4`: read a contact's, publish
//! our own.

use hallway_model::VCardFields;
use xmpp_parsers::iq::Iq;
use xmpp_parsers::jid::Jid;
use xmpp_parsers::minidom::Element;

use crate::xep0060_pubsub::{self, Item};
use crate::ProtocolError;

/// PEP node and namespace.
pub const NODE: &str = "urn:xmpp:vcard4";
/// xCard namespace (RFC 6351).
pub const NS: &str = "urn:ietf:params:xml:ns:vcard-4.0";

/// Asks `to` for its vCard4.
pub fn request(id: &str, to: &Jid) -> Iq {
    xep0060_pubsub::items_request(id, to, NODE, None, Some(1))
}

/// The text values of property `name` (`<name><text>…</text>…</name>`, or `<uri>` for tel).
fn values(card: &Element, name: &str) -> Vec<String> {
    card.children()
        .filter(|c| c.is(name, NS))
        .flat_map(|p| {
            p.children()
                .filter(|v| v.is("text", NS) || v.is("uri", NS))
                .map(|v| v.text())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The fields of a vCard4 element.
pub fn parse_card(card: &Element) -> Result<VCardFields, ProtocolError> {
    if !card.is("vcard", NS) {
        return Err(ProtocolError::malformed("vcard4", "not a <vcard/>"));
    }
    let first = |name: &str| values(card, name).into_iter().next();
    let org = values(card, "org");
    let phone = first("tel").map(|t| t.strip_prefix("tel:").unwrap_or(&t).to_string());
    let email = first("email").map(|e| e.strip_prefix("mailto:").unwrap_or(&e).to_string());
    Ok(VCardFields {
        full_name: first("fn"),
        title: first("title"),
        organization: org.first().cloned(),
        department: org.get(1).cloned(),
        email,
        phone,
    }
    .cleaned())
}

/// A vCard4 items result: `None` when the node holds no card.
pub fn parse(payload: Option<&Element>) -> Result<Option<VCardFields>, ProtocolError> {
    let items: Vec<Item> = xep0060_pubsub::parse_items(payload, NODE)?;
    match items.last().and_then(|i| i.payload.as_ref()) {
        Some(card) => parse_card(card).map(Some),
        None => Ok(None),
    }
}

fn property(name: &str, value_kind: &str, values: &[&str]) -> Element {
    let mut p = Element::builder(name, NS);
    for v in values {
        p = p.append(Element::builder(value_kind, NS).append(*v).build());
    }
    p.build()
}

/// Our card as xCard.
pub fn card(f: &VCardFields) -> Element {
    let f = f.clone().cleaned();
    let mut v = Element::builder("vcard", NS);
    if let Some(n) = &f.full_name {
        v = v.append(property("fn", "text", &[n]));
    }
    if let Some(t) = &f.title {
        v = v.append(property("title", "text", &[t]));
    }
    match (&f.organization, &f.department) {
        (Some(o), Some(d)) => v = v.append(property("org", "text", &[o, d])),
        (Some(o), None) => v = v.append(property("org", "text", &[o])),
        (None, Some(d)) => v = v.append(property("org", "text", &["", d])),
        (None, None) => {}
    }
    if let Some(e) = &f.email {
        v = v.append(property("email", "text", &[e]));
    }
    if let Some(t) = &f.phone {
        v = v.append(property("tel", "uri", &[&format!("tel:{t}")]));
    }
    v.build()
}

/// Publishes our card (item id `current`, XEP-0292 §3.2); `access_model` as in
/// `xep0060_pubsub::publish` (`presence`: contacts who see our presence).
pub fn publish(id: &str, f: &VCardFields, access_model: Option<&str>) -> Iq {
    xep0060_pubsub::publish(id, NODE, "current", card(f), access_model)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> VCardFields {
        VCardFields {
            full_name: Some("Anna Berg".into()),
            title: Some("Accountant".into()),
            organization: Some("ACME".into()),
            department: Some("Finance".into()),
            email: Some("anna@acme.example".into()),
            phone: Some("+49 30 1234".into()),
        }
    }

    #[test]
    fn parses_a_card_result() {
        let xml = "<pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='urn:xmpp:vcard4'><item id='current'><vcard xmlns='urn:ietf:params:xml:ns:vcard-4.0'><fn><text>Anna Berg</text></fn><title><text>Accountant</text></title><org><text>ACME</text><text>Finance</text></org><email><text>anna@acme.example</text></email><tel><uri>tel:+49 30 1234</uri></tel></vcard></item></items></pubsub>";
        let el: Element = xml.parse().unwrap();
        assert_eq!(parse(Some(&el)).unwrap(), Some(fields()));
        let empty: Element = "<pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='urn:xmpp:vcard4'/></pubsub>".parse().unwrap();
        assert_eq!(parse(Some(&empty)).unwrap(), None);
    }

    #[test]
    fn rejects_foreign_payloads() {
        let el: Element = "<pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='urn:xmpp:vcard4'><item id='current'><vCard xmlns='vcard-temp'/></item></items></pubsub>".parse().unwrap();
        assert!(parse(Some(&el)).is_err());
    }

    #[test]
    fn serialises_and_round_trips() {
        let c = card(&fields());
        assert_eq!(parse_card(&c).unwrap(), fields());
        let iq: Element = publish("p", &fields(), Some("presence")).into();
        assert!(crate::test_xml(&iq).contains(NODE));
        let only_dept = VCardFields {
            department: Some("Sales".into()),
            ..Default::default()
        };
        let back = parse_card(&card(&only_dept)).unwrap();
        assert_eq!(back.department.as_deref(), Some("Sales"));
        assert_eq!(back.organization, None);
    }
}
