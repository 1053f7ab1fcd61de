//! XEP-0054: vcard-temp — the old business card, read as a fallback when a contact has no
//! XEP-0292 vCard4, and its PHOTO as the XEP-0153 avatar source.

use hallway_model::VCardFields;
use xmpp_parsers::iq::Iq;
use xmpp_parsers::jid::Jid;
use xmpp_parsers::minidom::Element;

use crate::ProtocolError;

/// Namespace.
pub const NS: &str = "vcard-temp";

/// `<iq type='get' to=…><vCard xmlns='vcard-temp'/></iq>`.
pub fn request(id: &str, to: &Jid) -> Iq {
    Iq::Get {
        from: None,
        to: Some(to.clone()),
        id: id.to_string(),
        payload: Element::builder("vCard", NS).build(),
    }
}

fn text_of(el: &Element, path: &[&str]) -> Option<String> {
    let mut cur = el;
    for name in path {
        cur = cur.get_child(name, NS)?;
    }
    Some(cur.text())
}

/// A vcard-temp result: its fields and the PHOTO bytes if any (unchecked: the caller checks
/// them against the announced hash).
pub fn parse(payload: Option<&Element>) -> Result<(VCardFields, Option<Vec<u8>>), ProtocolError> {
    let Some(v) = payload else {
        // RFC 6120: an empty result means "no vCard".
        return Ok((VCardFields::default(), None));
    };
    if !v.is("vCard", NS) {
        return Err(ProtocolError::malformed("vcard-temp", "not a <vCard/>"));
    }
    let email = v.children().filter(|c| c.is("EMAIL", NS)).find_map(|e| {
        e.get_child("USERID", NS)
            .map(|u| u.text())
            .or_else(|| Some(e.text()))
    });
    let phone = v
        .children()
        .filter(|c| c.is("TEL", NS))
        .find_map(|t| t.get_child("NUMBER", NS).map(|n| n.text()));
    let fields = VCardFields {
        full_name: text_of(v, &["FN"]),
        title: text_of(v, &["TITLE"]),
        organization: text_of(v, &["ORG", "ORGNAME"]),
        department: text_of(v, &["ORG", "ORGUNIT"]),
        email,
        phone,
    }
    .cleaned();
    let photo = match text_of(v, &["PHOTO", "BINVAL"]) {
        Some(b) if !b.trim().is_empty() => Some(crate::xep0084_avatar::decode(&b)?),
        _ => None,
    };
    Ok((fields, photo))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fields_and_photo() {
        let v: Element = "<vCard xmlns='vcard-temp'><FN> Anna Berg </FN><TITLE>Accountant</TITLE><ORG><ORGNAME>ACME</ORGNAME><ORGUNIT>Finance</ORGUNIT></ORG><EMAIL><INTERNET/><USERID>anna@acme.example</USERID></EMAIL><TEL><WORK/><NUMBER>+49 30 1234</NUMBER></TEL><PHOTO><TYPE>image/png</TYPE><BINVAL>AAEC\ngw==</BINVAL></PHOTO></vCard>".parse().unwrap();
        let (f, photo) = parse(Some(&v)).unwrap();
        assert_eq!(f.full_name.as_deref(), Some("Anna Berg"));
        assert_eq!(f.title.as_deref(), Some("Accountant"));
        assert_eq!(f.organization.as_deref(), Some("ACME"));
        assert_eq!(f.department.as_deref(), Some("Finance"));
        assert_eq!(f.email.as_deref(), Some("anna@acme.example"));
        assert_eq!(f.phone.as_deref(), Some("+49 30 1234"));
        assert_eq!(photo.unwrap(), vec![0, 1, 2, 131]);
        assert!(parse(None).unwrap().0.is_empty());
    }

    #[test]
    fn rejects_wrong_element_and_bad_photo() {
        let other: Element = "<vcard xmlns='urn:ietf:params:xml:ns:vcard-4.0'/>"
            .parse()
            .unwrap();
        assert!(parse(Some(&other)).is_err());
        let bad: Element = "<vCard xmlns='vcard-temp'><PHOTO><BINVAL>!!!</BINVAL></PHOTO></vCard>"
            .parse()
            .unwrap();
        assert!(parse(Some(&bad)).is_err());
    }

    #[test]
    fn serialises_request() {
        let to = Jid::new("bob@x.org").unwrap();
        let iq: Element = request("v1", &to).into();
        assert_eq!(iq.attr("type"), Some("get"));
        assert!(iq.get_child("vCard", NS).is_some());
    }
}
