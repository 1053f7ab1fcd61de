//! XEP-0203: Delayed Delivery — the original send time of offline, archived and forwarded
//! messages, so history shows when a message was written, not when it arrived.

use xmpp_parsers::delay::Delay;
use xmpp_parsers::minidom::Element;
use xmpp_parsers::ns;

/// Milliseconds since the epoch from the first `<delay/>` among `payloads`.
pub fn stamp_ms(payloads: &[Element]) -> Option<i64> {
    payloads
        .iter()
        .find(|p| p.is("delay", ns::DELAY))
        .and_then(|p| Delay::try_from(p.clone()).ok())
        .map(|d| d.stamp.0.timestamp_millis())
}

/// The stamp of the first `<delay/>` among `payloads` when it was set by one of `trusted` (our
/// server, or the sender's): a live message's delay claims when it was written, and anyone can
/// claim any time. A message backdated by its sender must not pass for old history (and so
/// dodge its notification); the servers that stored it offline are the ones to believe.
pub fn trusted_stamp_ms(payloads: &[Element], trusted: &[&str]) -> Option<i64> {
    payloads
        .iter()
        .find(|p| p.is("delay", ns::DELAY))
        .and_then(|p| Delay::try_from(p.clone()).ok())
        .and_then(|d| trusted_delay_ms(&d, trusted))
}

/// `delay_ms` of a parsed `Delay` when one of `trusted` (bare domains) set it.
pub fn trusted_delay_ms(d: &Delay, trusted: &[&str]) -> Option<i64> {
    let from = d.from.as_ref()?;
    let set_by = from.domain().as_str();
    (from.node().is_none() && trusted.iter().any(|t| t.eq_ignore_ascii_case(set_by)))
        .then(|| delay_ms(d))
}

/// Same for a parsed `Delay` (forwarded messages carry it outside the message).
pub fn delay_ms(d: &Delay) -> i64 {
    d.stamp.0.timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_stamp() {
        let el: Element = "<delay xmlns='urn:xmpp:delay' stamp='2002-09-10T23:08:25Z'/>"
            .parse()
            .unwrap();
        assert_eq!(stamp_ms(&[el]), Some(1_031_699_305_000));
    }

    #[test]
    fn trusts_only_delays_set_by_our_server_or_the_senders() {
        let el = |from: &str| -> Element {
            format!("<delay xmlns='urn:xmpp:delay' {from} stamp='2002-09-10T23:08:25Z'/>")
                .parse()
                .unwrap()
        };
        let trusted = ["x.org", "y.org"];
        assert_eq!(
            trusted_stamp_ms(&[el("from='x.org'")], &trusted),
            Some(1_031_699_305_000)
        );
        assert_eq!(
            trusted_stamp_ms(&[el("from='Y.org'")], &trusted),
            Some(1_031_699_305_000)
        );
        // Set by the sender itself, by someone else, or by nobody: not believed.
        assert_eq!(
            trusted_stamp_ms(&[el("from='mallory@y.org'")], &trusted),
            None
        );
        assert_eq!(trusted_stamp_ms(&[el("from='evil.org'")], &trusted), None);
        assert_eq!(trusted_stamp_ms(&[el("")], &trusted), None);
    }

    #[test]
    fn rejects_bad_stamp() {
        let el: Element = "<delay xmlns='urn:xmpp:delay' stamp='yesterday'/>"
            .parse()
            .unwrap();
        assert_eq!(stamp_ms(&[el]), None);
    }

    #[test]
    fn serialises_round_trip() {
        let el: Element = "<delay xmlns='urn:xmpp:delay' stamp='2002-09-10T23:08:25Z'/>"
            .parse()
            .unwrap();
        let d = Delay::try_from(el).unwrap();
        let back: Element = d.clone().into();
        assert_eq!(delay_ms(&Delay::try_from(back).unwrap()), 1_031_699_305_000);
    }
}
