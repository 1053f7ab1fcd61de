//! RFC 6121 §2: Roster Management — the roster get, its result and roster pushes.

use hallway_model::Subscription;
use xmpp_parsers::iq::Iq;
use xmpp_parsers::jid::{BareJid, Jid};
use xmpp_parsers::minidom::Element;
use xmpp_parsers::roster::{self, Roster};

use crate::ProtocolError;

/// One roster item as the app keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterItem {
    /// Contact's bare JID.
    pub jid: String,
    /// Roster name.
    pub name: Option<String>,
    /// Groups, de-duplicated, in server order.
    pub groups: Vec<String>,
    /// Subscription; `None` with `removed = true` for a push that deletes the item.
    pub subscription: Subscription,
    /// We asked to see their presence and wait for an answer (`ask="subscribe"`).
    pub pending_out: bool,
    /// `subscription="remove"` in a push.
    pub removed: bool,
}

/// `<iq type="get"><query xmlns="jabber:iq:roster"/></iq>`.
pub fn roster_get(id: &str) -> Iq {
    Iq::from_get(
        id.to_string(),
        Roster {
            ver: None,
            items: vec![],
        },
    )
}

fn convert(item: roster::Item) -> RosterItem {
    let (subscription, removed) = match item.subscription {
        roster::Subscription::None => (Subscription::None, false),
        roster::Subscription::To => (Subscription::To, false),
        roster::Subscription::From => (Subscription::From, false),
        roster::Subscription::Both => (Subscription::Both, false),
        roster::Subscription::Remove => (Subscription::None, true),
    };
    let mut groups: Vec<String> = Vec::new();
    for g in item.groups {
        let g = g.0.trim().to_string();
        if !g.is_empty() && !groups.contains(&g) {
            groups.push(g);
        }
    }
    RosterItem {
        jid: item.jid.to_string(),
        name: item.name.filter(|n| !n.trim().is_empty()),
        groups,
        subscription,
        pending_out: item.ask == roster::Ask::Subscribe,
        removed,
    }
}

/// Adds or updates a roster item (§2.3 / §2.4): name and groups as given.
pub fn roster_set(id: &str, jid: &BareJid, name: Option<&str>, groups: &[String]) -> Iq {
    let mut item = roster::Item {
        jid: jid.clone(),
        name: name
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string),
        subscription: roster::Subscription::None,
        ask: roster::Ask::None,
        groups: Vec::new(),
        approved: None,
    };
    for g in groups {
        let g = g.trim();
        if !g.is_empty() && !item.groups.iter().any(|x| x.0 == g) {
            item.groups.push(roster::Group(g.to_string()));
        }
    }
    Iq::from_set(
        id.to_string(),
        Roster {
            ver: None,
            items: vec![item],
        },
    )
}

/// Deletes a roster item (§2.5): the server also cancels the subscriptions both ways.
pub fn roster_remove(id: &str, jid: &BareJid) -> Iq {
    Iq::from_set(
        id.to_string(),
        Roster {
            ver: None,
            items: vec![roster::Item {
                jid: jid.clone(),
                name: None,
                subscription: roster::Subscription::Remove,
                ask: roster::Ask::None,
                groups: Vec::new(),
                approved: None,
            }],
        },
    )
}

/// Parses the payload of the roster result.
pub fn parse_roster_result(payload: Option<Element>) -> Result<Vec<RosterItem>, ProtocolError> {
    let Some(el) = payload else {
        // RFC 6121 §2.6.3: an empty result means "unchanged" with versioning; we never send a
        // version, so it is an empty roster.
        return Ok(Vec::new());
    };
    let roster = Roster::try_from(el).map_err(|e| ProtocolError::malformed("roster", e))?;
    Ok(roster.items.into_iter().map(convert).collect())
}

/// Parses a roster push (`iq type="set"`). RFC 6121 §2.1.6: a push is only legitimate when it
/// has no `from` or comes from the account's own bare JID; anything else is spoofing.
pub fn parse_roster_push(
    from: Option<&Jid>,
    own: &BareJid,
    payload: Element,
) -> Result<Vec<RosterItem>, ProtocolError> {
    if let Some(from) = from {
        if from.to_bare() != *own || from.is_full() {
            return Err(ProtocolError::Spoofed {
                what: "roster push",
                from: from.to_string(),
            });
        }
    }
    let roster =
        Roster::try_from(payload).map_err(|e| ProtocolError::malformed("roster push", e))?;
    Ok(roster.items.into_iter().map(convert).collect())
}

/// Whether an element is a roster query (to route incoming `iq set`s).
pub fn is_roster_query(el: &Element) -> bool {
    el.is("query", xmpp_parsers::ns::ROSTER)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(s: &str) -> Element {
        s.parse().unwrap()
    }

    #[test]
    fn parses_roster_with_groups_and_states() {
        let items = parse_roster_result(Some(el(
            "<query xmlns='jabber:iq:roster'>\
               <item jid='bob@x.org' name='Bob Baker' subscription='both'><group>Sales</group><group>Sales</group></item>\
               <item jid='carol@x.org' subscription='none' ask='subscribe'/>\
             </query>",
        )))
        .unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].name.as_deref(), Some("Bob Baker"));
        assert_eq!(items[0].groups, vec!["Sales".to_string()]);
        assert_eq!(items[0].subscription, Subscription::Both);
        assert!(items[1].pending_out);
        assert!(items[1].groups.is_empty());
        assert!(parse_roster_result(None).unwrap().is_empty());
    }

    #[test]
    fn rejects_spoofed_and_malformed_pushes() {
        let own = BareJid::new("alice@x.org").unwrap();
        let push = || {
            el("<query xmlns='jabber:iq:roster'><item jid='bob@x.org' subscription='remove'/></query>")
        };
        let ok = parse_roster_push(None, &own, push()).unwrap();
        assert!(ok[0].removed);
        let own_jid = Jid::new("alice@x.org").unwrap();
        assert!(parse_roster_push(Some(&own_jid), &own, push()).is_ok());
        let evil = Jid::new("mallory@x.org").unwrap();
        let err = parse_roster_push(Some(&evil), &own, push()).unwrap_err();
        assert_eq!(err.to_string(), "spoofed roster push from mallory@x.org");
        let bad = parse_roster_push(
            None,
            &own,
            el("<query xmlns='jabber:iq:roster'><item/></query>"),
        );
        assert!(matches!(
            bad,
            Err(ProtocolError::Malformed {
                what: "roster push",
                ..
            })
        ));
    }

    #[test]
    fn serialises_roster_get() {
        let iq: Element = roster_get("r1").into();
        assert_eq!(iq.attr("type"), Some("get"));
        assert_eq!(iq.attr("id"), Some("r1"));
        assert!(iq.get_child("query", xmpp_parsers::ns::ROSTER).is_some());
    }

    #[test]
    fn serialises_set_and_remove() {
        let bob = BareJid::new("bob@x.org").unwrap();
        let iq: Element = roster_set(
            "s1",
            &bob,
            Some(" Bob "),
            &["Sales".into(), "Sales".into(), " ".into()],
        )
        .into();
        assert_eq!(iq.attr("type"), Some("set"));
        let items = parse_roster_push(
            None,
            &bob,
            iq.get_child("query", xmpp_parsers::ns::ROSTER)
                .unwrap()
                .clone(),
        )
        .unwrap();
        assert_eq!(items[0].name.as_deref(), Some("Bob"));
        assert_eq!(items[0].groups, vec!["Sales".to_string()]);
        let rm: Element = roster_remove("s2", &bob).into();
        let q = rm.get_child("query", xmpp_parsers::ns::ROSTER).unwrap();
        assert_eq!(
            q.get_child("item", xmpp_parsers::ns::ROSTER)
                .unwrap()
                .attr("subscription"),
            Some("remove")
        );
    }
}
