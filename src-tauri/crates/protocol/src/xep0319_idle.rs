//! XEP-0319: Last User Interaction in Presence — `<idle since=…/>` in a contact's presence
//! ("away for 20 minutes"), and in ours while automatic away is on.

use xmpp_parsers::minidom::rxml::xml_ncname;
use xmpp_parsers::minidom::Element;
use xmpp_parsers::presence::Presence;

/// Namespace.
pub const NS: &str = "urn:xmpp:idle:1";

/// Idle since (ms since the epoch), if the presence says; a time in the future is clamped to
/// `now_ms` (clocks differ; "idle for -3 minutes" helps no one).
pub fn parse(p: &Presence, now_ms: i64) -> Option<i64> {
    let idle = p.payloads.iter().find(|e| e.is("idle", NS))?;
    let since = chrono::DateTime::parse_from_rfc3339(idle.attr("since")?.trim()).ok()?;
    Some(since.timestamp_millis().min(now_ms))
}

/// `<idle xmlns='urn:xmpp:idle:1' since='…Z'/>`.
pub fn element(since_ms: i64) -> Element {
    let stamp = chrono::DateTime::from_timestamp_millis(since_ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    Element::builder("idle", NS)
        .attr(xml_ncname!("since").into(), stamp)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_presence as presence;

    #[test]
    fn parses_since() {
        let p = presence("<idle xmlns='urn:xmpp:idle:1' since='1969-07-21T02:56:15Z'/>");
        assert_eq!(parse(&p, 0), Some(-14_159_025_000));
        let future = presence("<idle xmlns='urn:xmpp:idle:1' since='2999-01-01T00:00:00Z'/>");
        assert_eq!(parse(&future, 1_000), Some(1_000));
    }

    #[test]
    fn rejects_missing_or_bad_stamps() {
        assert_eq!(parse(&presence(""), 0), None);
        assert_eq!(
            parse(
                &presence("<idle xmlns='urn:xmpp:idle:1' since='yesterday'/>"),
                0
            ),
            None
        );
        assert_eq!(parse(&presence("<idle xmlns='urn:xmpp:idle:1'/>"), 0), None);
    }

    #[test]
    fn serialises_since() {
        let e = element(1_700_000_000_000);
        assert_eq!(e.attr("since"), Some("2023-11-14T22:13:20Z"));
        let p = presence(&crate::test_xml(&e));
        assert_eq!(parse(&p, i64::MAX), Some(1_700_000_000_000));
    }
}
