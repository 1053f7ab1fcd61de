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
