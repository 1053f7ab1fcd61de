//! XEP-0092: Software Version — the answer to "which client is this?": our name and version,
//! and the operating system only when the user lets contacts see it (Settings), since it tells
//! a stranger what to attack (§5 leaves the `os` element optional for that reason).

use xmpp_parsers::iq::Iq;
use xmpp_parsers::minidom::Element;

/// Namespace of the query.
pub const NS: &str = "jabber:iq:version";

/// Whether an `iq get` payload asks for our version.
pub fn is_query(payload: &Element) -> bool {
    payload.is("query", NS) && payload.children().next().is_none()
}

/// Our answer: `name`, `version`, and `os` when given.
pub fn result(id: &str, name: &str, version: &str, os: Option<&str>) -> Iq {
    let mut q = Element::builder("query", NS)
        .append(Element::builder("name", NS).append(name).build())
        .append(Element::builder("version", NS).append(version).build());
    if let Some(os) = os {
        q = q.append(Element::builder("os", NS).append(os).build());
    }
    Iq::Result {
        from: None,
        to: None,
        id: id.to_string(),
        payload: Some(q.build()),
    }
}

/// The operating system's name as we tell it: the family only (`Linux`, `Windows`, `macOS`),
/// never a kernel or build number.
pub fn os_name() -> &'static str {
    match std::env::consts::OS {
        "linux" => "Linux",
        "windows" => "Windows",
        "macos" => "macOS",
        "freebsd" => "FreeBSD",
        _ => "Other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_version_query() {
        assert!(is_query(
            &"<query xmlns='jabber:iq:version'/>".parse().unwrap()
        ));
    }

    #[test]
    fn rejects_other_payloads_and_answers_in_a_query() {
        assert!(!is_query(
            &"<query xmlns='jabber:iq:other'/>".parse().unwrap()
        ));
        // A query with content is an answer, not a question.
        assert!(!is_query(
            &"<query xmlns='jabber:iq:version'><name>x</name></query>"
                .parse()
                .unwrap()
        ));
    }

    #[test]
    fn serialises_the_answer_with_and_without_the_os() {
        let el: Element = result("v1", "Hallway", "0.1.0", Some("Linux")).into();
        assert_eq!(el.attr("type"), Some("result"));
        let q = el.get_child("query", NS).unwrap();
        assert_eq!(q.get_child("name", NS).unwrap().text(), "Hallway");
        assert_eq!(q.get_child("version", NS).unwrap().text(), "0.1.0");
        assert_eq!(q.get_child("os", NS).unwrap().text(), "Linux");
        let hidden: Element = result("v2", "Hallway", "0.1.0", None).into();
        assert!(hidden
            .get_child("query", NS)
            .unwrap()
            .get_child("os", NS)
            .is_none());
        assert!(!os_name().is_empty());
    }
}
