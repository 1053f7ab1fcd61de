//! RFC 6121 §4 (presence) and §3 (subscriptions): incoming presence classified, our own presence
//! built from **My status**.

use hallway_model::{AutoAway, MyPresence, MyShow, PresenceShow};
use xmpp_parsers::jid::Jid;
use xmpp_parsers::presence::{Presence, Show, Type};

use crate::xep0153_vcard_avatar::{self, PhotoHint};
use crate::{xep0115_caps, xep0319_idle};

const NS_NICK: &str = "http://jabber.org/protocol/nick";

/// What an incoming presence stanza means for the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PresenceEvent {
    /// A resource is available (or changed show/status).
    Available {
        /// Full JID (bare when the sender gave no resource).
        from: String,
        /// Contact's bare JID.
        bare: String,
        /// Show.
        show: PresenceShow,
        /// Status text.
        status: Option<String>,
        /// RFC 6121 §4.7.2.3 priority.
        priority: i8,
        /// XEP-0319 idle since (ms since the epoch).
        idle_since: Option<i64>,
        /// XEP-0153 photo hash hint.
        photo: PhotoHint,
    },
    /// A resource went offline.
    Unavailable {
        /// Full JID.
        from: String,
        /// Contact's bare JID.
        bare: String,
        /// Parting status text.
        status: Option<String>,
        /// XEP-0319 in unavailable presence: their last interaction.
        idle_since: Option<i64>,
    },
    /// Someone asks to see our presence (§3.1.2).
    SubscriptionRequest {
        /// Their bare JID.
        bare: String,
        /// XEP-0172 nickname sent with the request (trimmed, capped).
        nick: Option<String>,
    },
    /// Subscription approved / revoked / unsubscribed, or a presence error: the roster push that
    /// follows carries the state; nothing to do beyond logging.
    Other,
}

/// The status text of a presence (shared with room occupants, XEP-0045).
pub(crate) fn best_status(p: &Presence) -> Option<String> {
    // Prefer the language-neutral status, else any; strangers' text: trimmed, never interpreted.
    p.statuses
        .get("")
        .or_else(|| p.statuses.values().next())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// XEP-0172 nickname carried by a subscription request: a stranger's text, trimmed and capped.
fn nick(p: &Presence) -> Option<String> {
    let n = p.payloads.iter().find(|e| e.is("nick", NS_NICK))?.text();
    let n: String = n.trim().chars().take(64).collect();
    (!n.is_empty()).then_some(n)
}

/// The availability an available presence shows (`chat` counts as available).
pub(crate) fn show_of(p: &Presence) -> PresenceShow {
    match p.show {
        None | Some(Show::Chat) => PresenceShow::Available,
        Some(Show::Away) => PresenceShow::Away,
        Some(Show::Dnd) => PresenceShow::Dnd,
        Some(Show::Xa) => PresenceShow::Xa,
    }
}

/// Classifies an incoming presence stanza (`now_ms` clamps idle stamps from the future).
pub fn classify(p: &Presence, now_ms: i64) -> PresenceEvent {
    let Some(from) = p.from.as_ref() else {
        return PresenceEvent::Other;
    };
    let bare = from.to_bare().to_string();
    match p.type_ {
        Type::None => PresenceEvent::Available {
            from: from.to_string(),
            bare,
            show: show_of(p),
            status: best_status(p),
            priority: p.priority.0,
            idle_since: xep0319_idle::parse(p, now_ms),
            photo: xep0153_vcard_avatar::parse(p),
        },
        Type::Unavailable => PresenceEvent::Unavailable {
            from: from.to_string(),
            bare,
            status: best_status(p),
            idle_since: xep0319_idle::parse(p, now_ms),
        },
        Type::Subscribe => PresenceEvent::SubscriptionRequest {
            bare,
            nick: nick(p),
        },
        _ => PresenceEvent::Other,
    }
}

/// Our broadcast presence for a **My status** choice. Invisible is an unavailable presence: the
/// contacts see us offline while the session stays up to send messages.
pub fn my_presence(p: &MyPresence) -> Presence {
    let mut out = match p.show {
        MyShow::Invisible => Presence::unavailable(),
        MyShow::Available => Presence::available(),
        MyShow::Away => Presence::available().with_show(Show::Away),
        MyShow::Dnd => Presence::available().with_show(Show::Dnd),
    };
    let status = p.status.trim();
    if !status.is_empty() {
        out.set_status("", status.to_string());
    }
    if p.show != MyShow::Invisible {
        out = out.with_priority(0);
    }
    out
}

/// What we broadcast: the chosen status, lowered by automatic away (never for Do not disturb or
/// Invisible), with XEP-0319 idle time, our XEP-0115 caps and the XEP-0153 photo hash.
pub fn own_presence(
    p: &MyPresence,
    auto: AutoAway,
    idle_since: Option<i64>,
    photo: Option<&str>,
) -> Presence {
    if p.show == MyShow::Invisible {
        return my_presence(p);
    }
    let effective = match (p.show, auto) {
        (MyShow::Dnd, _) | (_, AutoAway::Off) => p.show,
        (_, AutoAway::Away) => MyShow::Away,
        (_, AutoAway::Xa) => MyShow::Away,
    };
    let mut out = my_presence(&MyPresence {
        show: effective,
        status: p.status.clone(),
    });
    if p.show != MyShow::Dnd && auto == AutoAway::Xa {
        out.show = Some(Show::Xa);
    }
    if p.show != MyShow::Dnd && auto != AutoAway::Off {
        if let Some(since) = idle_since {
            out.payloads.push(xep0319_idle::element(since));
        }
    }
    out.payloads.push(xep0115_caps::element());
    out.payloads.push(xep0153_vcard_avatar::element(photo));
    out
}

/// Asks to see a contact's presence (§3.1.1), introducing us by `nick` (XEP-0172 §4.2: a
/// subscription request may carry the nickname, so the contact sees a name, not an address).
pub fn subscribe_with_nick(to: &Jid, nick: Option<&str>) -> Presence {
    let mut p = Presence::subscribe().with_to(to.clone());
    if let Some(n) = nick.map(str::trim).filter(|n| !n.is_empty()) {
        p.payloads.push(
            xmpp_parsers::minidom::Element::builder("nick", NS_NICK)
                .append(n)
                .build(),
        );
    }
    p
}

/// Declines a subscription request, or revokes the one we granted (§3.2.1 `unsubscribed`).
pub fn decline(to: &Jid) -> Presence {
    Presence::new(Type::Unsubscribed).with_to(to.clone())
}

/// Presence to a contact: approve their subscription request (`subscribed`), or ask for theirs.
pub fn subscription(to: &Jid, approve: bool) -> Presence {
    let base = if approve {
        Presence::subscribed()
    } else {
        Presence::subscribe()
    };
    base.with_to(to.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use xmpp_parsers::minidom::Element;

    fn parse(s: &str) -> Presence {
        Presence::try_from(s.parse::<Element>().unwrap()).unwrap()
    }

    #[test]
    fn classifies_available_away_and_unavailable() {
        let p = parse("<presence xmlns='jabber:client' from='bob@x.org/laptop'><show>away</show><status> in a meeting </status><priority>5</priority></presence>");
        assert_eq!(
            classify(&p, 0),
            PresenceEvent::Available {
                from: "bob@x.org/laptop".into(),
                bare: "bob@x.org".into(),
                show: PresenceShow::Away,
                status: Some("in a meeting".into()),
                priority: 5,
                idle_since: None,
                photo: PhotoHint::Unknown,
            }
        );
        let chat = parse(
            "<presence xmlns='jabber:client' from='bob@x.org/a'><show>chat</show></presence>",
        );
        assert!(matches!(
            classify(&chat, 0),
            PresenceEvent::Available {
                show: PresenceShow::Available,
                status: None,
                ..
            }
        ));
        let gone = parse("<presence xmlns='jabber:client' type='unavailable' from='bob@x.org/a'/>");
        assert!(matches!(
            classify(&gone, 0),
            PresenceEvent::Unavailable { .. }
        ));
        let sub = parse("<presence xmlns='jabber:client' type='subscribe' from='dan@x.org'><nick xmlns='http://jabber.org/protocol/nick'> Dan </nick></presence>");
        assert_eq!(
            classify(&sub, 0),
            PresenceEvent::SubscriptionRequest {
                bare: "dan@x.org".into(),
                nick: Some("Dan".into()),
            }
        );
        let anon = parse("<presence xmlns='jabber:client'/>");
        assert_eq!(classify(&anon, 0), PresenceEvent::Other);
    }

    #[test]
    fn rejects_invalid_show() {
        let el: Element =
            "<presence xmlns='jabber:client' from='b@x.org/a'><show>sleeping</show></presence>"
                .parse()
                .unwrap();
        assert!(Presence::try_from(el).is_err());
    }

    #[test]
    fn serialises_my_presence() {
        let el: Element = my_presence(&MyPresence {
            show: MyShow::Dnd,
            status: "focus".into(),
        })
        .into();
        assert_eq!(el.get_child("show", "jabber:client").unwrap().text(), "dnd");
        assert_eq!(
            el.get_child("status", "jabber:client").unwrap().text(),
            "focus"
        );
        let inv: Element = my_presence(&MyPresence {
            show: MyShow::Invisible,
            status: String::new(),
        })
        .into();
        assert_eq!(inv.attr("type"), Some("unavailable"));
        let avail: Element = my_presence(&MyPresence::default()).into();
        assert!(avail.attr("type").is_none());
        assert!(avail.get_child("show", "jabber:client").is_none());
    }

    #[test]
    fn own_presence_applies_auto_away_but_never_over_dnd() {
        let chosen = MyPresence {
            show: MyShow::Available,
            status: "here".into(),
        };
        let away: Element =
            own_presence(&chosen, AutoAway::Away, Some(1_700_000_000_000), Some("ab")).into();
        assert_eq!(
            away.get_child("show", "jabber:client").unwrap().text(),
            "away"
        );
        assert!(away.get_child("idle", "urn:xmpp:idle:1").is_some());
        assert!(away
            .get_child("c", "http://jabber.org/protocol/caps")
            .is_some());
        assert_eq!(
            away.get_child("x", "vcard-temp:x:update")
                .unwrap()
                .get_child("photo", "vcard-temp:x:update")
                .unwrap()
                .text(),
            "ab"
        );
        let xa: Element = own_presence(&chosen, AutoAway::Xa, Some(0), None).into();
        assert_eq!(xa.get_child("show", "jabber:client").unwrap().text(), "xa");
        let dnd = MyPresence {
            show: MyShow::Dnd,
            status: String::new(),
        };
        let still: Element = own_presence(&dnd, AutoAway::Xa, Some(0), None).into();
        assert_eq!(
            still.get_child("show", "jabber:client").unwrap().text(),
            "dnd"
        );
        assert!(still.get_child("idle", "urn:xmpp:idle:1").is_none());
        let back: Element = own_presence(&chosen, AutoAway::Off, Some(0), None).into();
        assert!(back.get_child("show", "jabber:client").is_none());
        assert!(back.get_child("idle", "urn:xmpp:idle:1").is_none());
        let inv = MyPresence {
            show: MyShow::Invisible,
            status: String::new(),
        };
        let inv: Element = own_presence(&inv, AutoAway::Away, Some(0), None).into();
        assert_eq!(inv.attr("type"), Some("unavailable"));
    }

    #[test]
    fn serialises_subscribe_with_nick_and_reads_it_back() {
        let to = Jid::new("dan@x.org").unwrap();
        let mut p = subscribe_with_nick(&to, Some(" Alice Archer "));
        p.from = Some(Jid::new("alice@x.org").unwrap());
        assert_eq!(
            classify(&p, 0),
            PresenceEvent::SubscriptionRequest {
                bare: "alice@x.org".into(),
                nick: Some("Alice Archer".into()),
            }
        );
        let plain: Element = subscribe_with_nick(&to, Some("  ")).into();
        assert!(plain.get_child("nick", NS_NICK).is_none());
    }

    #[test]
    fn serialises_decline() {
        let to = Jid::new("dan@x.org").unwrap();
        let el: Element = decline(&to).into();
        assert_eq!(el.attr("type"), Some("unsubscribed"));
        assert_eq!(el.attr("to"), Some("dan@x.org"));
    }
}
