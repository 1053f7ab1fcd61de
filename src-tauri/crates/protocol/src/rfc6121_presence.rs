//! RFC 6121 §4 (presence) and §3 (subscriptions): incoming presence classified, our own presence
//! built from **My status**.

use hallway_model::{MyPresence, MyShow, PresenceShow};
use xmpp_parsers::jid::Jid;
use xmpp_parsers::presence::{Presence, Show, Type};

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
    },
    /// A resource went offline.
    Unavailable {
        /// Full JID.
        from: String,
        /// Contact's bare JID.
        bare: String,
        /// Parting status text.
        status: Option<String>,
    },
    /// Someone asks to see our presence (§3.1.2).
    SubscriptionRequest {
        /// Their bare JID.
        bare: String,
    },
    /// Subscription approved / revoked / unsubscribed, or a presence error: the roster push that
    /// follows carries the state; nothing to do beyond logging.
    Other,
}

fn best_status(p: &Presence) -> Option<String> {
    // Prefer the language-neutral status, else any; strangers' text: trimmed, never interpreted.
    p.statuses
        .get("")
        .or_else(|| p.statuses.values().next())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// Classifies an incoming presence stanza.
pub fn classify(p: &Presence) -> PresenceEvent {
    let Some(from) = p.from.as_ref() else {
        return PresenceEvent::Other;
    };
    let bare = from.to_bare().to_string();
    match p.type_ {
        Type::None => PresenceEvent::Available {
            from: from.to_string(),
            bare,
            show: match p.show {
                None | Some(Show::Chat) => PresenceShow::Available,
                Some(Show::Away) => PresenceShow::Away,
                Some(Show::Dnd) => PresenceShow::Dnd,
                Some(Show::Xa) => PresenceShow::Xa,
            },
            status: best_status(p),
            priority: p.priority.0,
        },
        Type::Unavailable => PresenceEvent::Unavailable {
            from: from.to_string(),
            bare,
            status: best_status(p),
        },
        Type::Subscribe => PresenceEvent::SubscriptionRequest { bare },
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
            classify(&p),
            PresenceEvent::Available {
                from: "bob@x.org/laptop".into(),
                bare: "bob@x.org".into(),
                show: PresenceShow::Away,
                status: Some("in a meeting".into()),
                priority: 5
            }
        );
        let chat = parse(
            "<presence xmlns='jabber:client' from='bob@x.org/a'><show>chat</show></presence>",
        );
        assert!(matches!(
            classify(&chat),
            PresenceEvent::Available {
                show: PresenceShow::Available,
                status: None,
                ..
            }
        ));
        let gone = parse("<presence xmlns='jabber:client' type='unavailable' from='bob@x.org/a'/>");
        assert!(matches!(classify(&gone), PresenceEvent::Unavailable { .. }));
        let sub = parse("<presence xmlns='jabber:client' type='subscribe' from='dan@x.org'/>");
        assert_eq!(
            classify(&sub),
            PresenceEvent::SubscriptionRequest {
                bare: "dan@x.org".into()
            }
        );
        let anon = parse("<presence xmlns='jabber:client'/>");
        assert_eq!(classify(&anon), PresenceEvent::Other);
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
}
