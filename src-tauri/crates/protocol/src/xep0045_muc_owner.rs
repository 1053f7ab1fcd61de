//! XEP-0045: Multi-User Chat, the owner's and moderator's side — configuring a room through the
//! owner form (§10.1.3, §10.2: a new room stays locked until it is configured), destroying it
//! (§10.9), and changing roles and affiliations through `muc#admin` (§8.2 kick, §9.1 ban, §9.3
//! membership, §9.6 moderator). xmpp-parsers 0.23 has no types for either namespace.
//!
//! The configuration form differs between servers (Prosody's `muc#roomconfig_enablearchiving`,
//! ejabberd's `mam`), so we fill only the fields the server's own form offers and send every
//! other field back as the server set it.

use hallway_model::{Affiliation, Role};
use xmpp_parsers::iq::Iq;
use xmpp_parsers::jid::{BareJid, Jid};
use xmpp_parsers::minidom::rxml::xml_ncname;
use xmpp_parsers::minidom::Element;

use crate::xep0045_muc::{affiliation_from, affiliation_word, role_word};
use crate::{clip, ProtocolError};

/// Namespace of the owner's requests.
pub const NS_OWNER: &str = "http://jabber.org/protocol/muc#owner";
/// Namespace of the moderator's and admin's requests.
pub const NS_ADMIN: &str = "http://jabber.org/protocol/muc#admin";
const NS_FORMS: &str = "jabber:x:data";
/// Most fields read from a server's form.
pub const MAX_FIELDS: usize = 200;

/// What the user sets about a room (the model's type: the dialogs edit it as it is).
pub use hallway_model::RoomSettings;

const NAME: &[&str] = &["muc#roomconfig_roomname"];
const DESCRIPTION: &[&str] = &["muc#roomconfig_roomdesc"];
const MEMBERS_ONLY: &[&str] = &["muc#roomconfig_membersonly"];
const PUBLIC: &[&str] = &["muc#roomconfig_publicroom"];
const PERSISTENT: &[&str] = &["muc#roomconfig_persistentroom"];
const ARCHIVED: &[&str] = &["muc#roomconfig_enablearchiving", "mam"];

/// Asks the room for its configuration form.
pub fn config_request(id: &str, room: &BareJid) -> Iq {
    Iq::Get {
        from: None,
        to: Some(Jid::from(room.clone())),
        id: id.to_string(),
        payload: Element::builder("query", NS_OWNER).build(),
    }
}

/// Accepts the room's default configuration at once (§10.1.2 "instant room"): a room we
/// created by entering it stays locked to everyone else until this (or a submitted form).
pub fn instant(id: &str, room: &BareJid) -> Iq {
    Iq::Set {
        from: None,
        to: Some(Jid::from(room.clone())),
        id: id.to_string(),
        payload: Element::builder("query", NS_OWNER)
            .append(
                Element::builder("x", "jabber:x:data")
                    .attr(xml_ncname!("type").into(), "submit")
                    .build(),
            )
            .build(),
    }
}

/// The form in the room's answer to `config_request`.
pub fn config_form(payload: Option<&Element>) -> Result<Element, ProtocolError> {
    let form = payload
        .filter(|p| p.is("query", NS_OWNER))
        .and_then(|q| q.get_child("x", NS_FORMS))
        .ok_or_else(|| ProtocolError::malformed("room configuration", "no form"))?;
    if form.children().filter(|c| c.is("field", NS_FORMS)).count() > MAX_FIELDS {
        return Err(ProtocolError::malformed(
            "room configuration",
            "too many fields",
        ));
    }
    Ok(form.clone())
}

fn values(form: &Element, vars: &[&str]) -> Option<Vec<String>> {
    form.children()
        .filter(|c| c.is("field", NS_FORMS))
        .find(|f| f.attr("var").is_some_and(|v| vars.contains(&v)))
        .map(|f| {
            f.children()
                .filter(|v| v.is("value", NS_FORMS))
                .map(|v| v.text())
                .collect()
        })
}

fn truthy(v: Option<Vec<String>>) -> bool {
    v.and_then(|v| v.into_iter().next())
        .is_some_and(|v| v == "1" || v == "true")
}

/// The room's current settings as its form shows them (what the edit dialog starts from).
pub fn settings(form: &Element) -> RoomSettings {
    let text = |vars| {
        values(form, vars)
            .and_then(|v| v.into_iter().next())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .map(|s| clip(&s, 1024))
    };
    RoomSettings {
        name: text(NAME),
        description: text(DESCRIPTION),
        members_only: truthy(values(form, MEMBERS_ONLY)),
        public: truthy(values(form, PUBLIC)),
        persistent: truthy(values(form, PERSISTENT)),
        archived: truthy(values(form, ARCHIVED)),
    }
}

/// Submits `form` (the room's own) with our settings in the fields it has. Every field is sent
/// back with its value (ours where we set it, else the server's), hidden FORM_TYPE included.
pub fn config_submit(id: &str, room: &BareJid, form: &Element, s: &RoomSettings) -> Iq {
    let flag = |b: bool| if b { "1" } else { "0" }.to_string();
    let ours = |var: &str| -> Option<Vec<String>> {
        let is = |set: &[&str]| set.contains(&var);
        if is(NAME) {
            Some(vec![s.name.clone().unwrap_or_default()])
        } else if is(DESCRIPTION) {
            Some(vec![s.description.clone().unwrap_or_default()])
        } else if is(MEMBERS_ONLY) {
            Some(vec![flag(s.members_only)])
        } else if is(PUBLIC) {
            Some(vec![flag(s.public)])
        } else if is(PERSISTENT) {
            Some(vec![flag(s.persistent)])
        } else if is(ARCHIVED) {
            Some(vec![flag(s.archived)])
        } else {
            None
        }
    };
    let mut x = Element::builder("x", NS_FORMS).attr(xml_ncname!("type").into(), "submit");
    for field in form
        .children()
        .filter(|c| c.is("field", NS_FORMS))
        .take(MAX_FIELDS)
    {
        let Some(var) = field.attr("var") else {
            continue;
        };
        if field.attr("type") == Some("fixed") {
            continue;
        }
        let vals = ours(var).unwrap_or_else(|| {
            field
                .children()
                .filter(|v| v.is("value", NS_FORMS))
                .map(|v| v.text())
                .collect()
        });
        let mut f = Element::builder("field", NS_FORMS).attr(xml_ncname!("var").into(), var);
        for v in vals {
            f = f.append(Element::builder("value", NS_FORMS).append(v).build());
        }
        x = x.append(f.build());
    }
    Iq::Set {
        from: None,
        to: Some(Jid::from(room.clone())),
        id: id.to_string(),
        payload: Element::builder("query", NS_OWNER)
            .append(x.build())
            .build(),
    }
}

/// Destroys the room for everyone in it (§10.9).
pub fn destroy(id: &str, room: &BareJid, reason: Option<&str>) -> Iq {
    let mut d = Element::builder("destroy", NS_OWNER);
    if let Some(reason) = reason.map(str::trim).filter(|r| !r.is_empty()) {
        d = d.append(Element::builder("reason", NS_OWNER).append(reason).build());
    }
    Iq::Set {
        from: None,
        to: Some(Jid::from(room.clone())),
        id: id.to_string(),
        payload: Element::builder("query", NS_OWNER)
            .append(d.build())
            .build(),
    }
}

fn admin(id: &str, room: &BareJid, item: Element) -> Iq {
    Iq::Set {
        from: None,
        to: Some(Jid::from(room.clone())),
        id: id.to_string(),
        payload: Element::builder("query", NS_ADMIN).append(item).build(),
    }
}

fn with_reason(mut item: xmpp_parsers::minidom::ElementBuilder, reason: Option<&str>) -> Element {
    if let Some(reason) = reason.map(str::trim).filter(|r| !r.is_empty()) {
        item = item.append(Element::builder("reason", NS_ADMIN).append(reason).build());
    }
    item.build()
}

/// Gives the occupant `nick` a role: `Role::None` kicks them (§8.2), `Moderator` makes them one.
pub fn set_role(id: &str, room: &BareJid, nick: &str, role: Role, reason: Option<&str>) -> Iq {
    let item = Element::builder("item", NS_ADMIN)
        .attr(xml_ncname!("nick").into(), nick)
        .attr(xml_ncname!("role").into(), role_word(role));
    admin(id, room, with_reason(item, reason))
}

/// Gives the user `who` an affiliation: `Outcast` bans them (§9.1), `Member` grants membership
/// (§9.3), `None` takes it away.
pub fn set_affiliation(
    id: &str,
    room: &BareJid,
    who: &BareJid,
    affiliation: Affiliation,
    reason: Option<&str>,
) -> Iq {
    let item = Element::builder("item", NS_ADMIN)
        .attr(xml_ncname!("jid").into(), who.as_str())
        .attr(
            xml_ncname!("affiliation").into(),
            affiliation_word(affiliation),
        );
    admin(id, room, with_reason(item, reason))
}

/// Asks for everyone with `affiliation` (§9.5: the member list, the ban list).
pub fn affiliation_list_request(id: &str, room: &BareJid, affiliation: Affiliation) -> Iq {
    Iq::Get {
        from: None,
        to: Some(Jid::from(room.clone())),
        id: id.to_string(),
        payload: Element::builder("query", NS_ADMIN)
            .append(
                Element::builder("item", NS_ADMIN)
                    .attr(
                        xml_ncname!("affiliation").into(),
                        affiliation_word(affiliation),
                    )
                    .build(),
            )
            .build(),
    }
}

/// The (user, affiliation) pairs in the answer to `affiliation_list_request`.
pub fn affiliation_list(
    payload: Option<&Element>,
) -> Result<Vec<(BareJid, Affiliation)>, ProtocolError> {
    let q = payload
        .filter(|p| p.is("query", NS_ADMIN))
        .ok_or_else(|| ProtocolError::malformed("room affiliations", "no query"))?;
    Ok(q.children()
        .filter(|c| c.is("item", NS_ADMIN))
        .take(10_000)
        .filter_map(|i| {
            let jid = Jid::new(i.attr("jid")?).ok()?.to_bare();
            Some((jid, affiliation_from(i.attr("affiliation")?)))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prosody_form() -> Element {
        "<query xmlns='http://jabber.org/protocol/muc#owner'>\
           <x xmlns='jabber:x:data' type='form'>\
             <field type='hidden' var='FORM_TYPE'><value>http://jabber.org/protocol/muc#roomconfig</value></field>\
             <field type='fixed'><value>Room information</value></field>\
             <field type='text-single' var='muc#roomconfig_roomname'/>\
             <field type='text-single' var='muc#roomconfig_roomdesc'><value>old</value></field>\
             <field type='boolean' var='muc#roomconfig_persistentroom'><value>0</value></field>\
             <field type='boolean' var='muc#roomconfig_publicroom'><value>1</value></field>\
             <field type='boolean' var='muc#roomconfig_membersonly'><value>0</value></field>\
             <field type='boolean' var='muc#roomconfig_enablearchiving'><value>1</value></field>\
             <field type='list-single' var='muc#roomconfig_whois'><value>moderators</value></field>\
           </x></query>"
            .parse()
            .unwrap()
    }

    fn submitted(iq: Iq) -> Element {
        let el: Element = iq.into();
        el.get_child("query", NS_OWNER)
            .unwrap()
            .get_child("x", NS_FORMS)
            .unwrap()
            .clone()
    }

    #[test]
    fn parses_a_rooms_form_into_settings() {
        let form = config_form(Some(&prosody_form())).unwrap();
        let s = settings(&form);
        assert_eq!(s.name, None);
        assert_eq!(s.description.as_deref(), Some("old"));
        assert!(s.public && s.archived && !s.persistent && !s.members_only);
        // ejabberd names the archive field differently.
        let ej: Element = "<x xmlns='jabber:x:data' type='form'>\
             <field type='boolean' var='mam'><value>true</value></field></x>"
            .parse()
            .unwrap();
        assert!(settings(&ej).archived);
    }

    #[test]
    fn rejects_answers_without_a_form_or_with_a_flood_of_fields() {
        assert!(config_form(None).is_err());
        let no_form: Element = "<query xmlns='http://jabber.org/protocol/muc#owner'/>"
            .parse()
            .unwrap();
        assert!(config_form(Some(&no_form)).is_err());
        let fields: String = (0..=MAX_FIELDS)
            .map(|i| format!("<field var='f{i}'/>"))
            .collect();
        let flood: Element = format!(
            "<query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='form'>{fields}</x></query>"
        )
        .parse()
        .unwrap();
        assert!(config_form(Some(&flood)).is_err());
        assert!(affiliation_list(None).is_err());
    }

    #[test]
    fn serialises_a_submission_with_only_the_servers_fields() {
        let room = BareJid::new("sales@rooms.x.org").unwrap();
        let form = config_form(Some(&prosody_form())).unwrap();
        let s = RoomSettings {
            name: Some("Sales team".into()),
            description: None,
            members_only: true,
            public: false,
            persistent: true,
            archived: true,
        };
        let x = submitted(config_submit("c1", &room, &form, &s));
        assert_eq!(x.attr("type"), Some("submit"));
        let back = settings(&x);
        assert_eq!(back.name.as_deref(), Some("Sales team"));
        assert!(back.members_only && back.persistent && back.archived && !back.public);
        let field = |var: &str| {
            x.children()
                .find(|f| f.attr("var") == Some(var))
                .map(|f| f.children().map(|v| v.text()).collect::<Vec<_>>())
        };
        // The server's own fields go back as it set them; fixed fields are not sent.
        assert_eq!(
            field("muc#roomconfig_whois"),
            Some(vec!["moderators".to_string()])
        );
        assert_eq!(
            field("FORM_TYPE"),
            Some(vec!["http://jabber.org/protocol/muc#roomconfig".to_string()])
        );
        assert_eq!(x.children().filter(|f| f.attr("var").is_none()).count(), 0);
        // A field the server did not offer is not invented.
        assert_eq!(field("mam"), None);
    }

    #[test]
    fn serialises_an_instant_room() {
        let room = BareJid::new("new@rooms.x.org").unwrap();
        let iq: Element = instant("i1", &room).into();
        assert_eq!(iq.attr("type"), Some("set"));
        assert_eq!(iq.attr("to"), Some("new@rooms.x.org"));
        let x = iq
            .get_child("query", NS_OWNER)
            .unwrap()
            .get_child("x", "jabber:x:data")
            .unwrap();
        assert_eq!(x.attr("type"), Some("submit"));
        assert!(
            x.children().next().is_none(),
            "the room's defaults, as they are"
        );
    }

    #[test]
    fn serialises_destroy_kick_ban_and_membership() {
        let room = BareJid::new("sales@rooms.x.org").unwrap();
        let d: Element = destroy("d1", &room, Some("done")).into();
        let q = d.get_child("query", NS_OWNER).unwrap();
        assert_eq!(
            q.get_child("destroy", NS_OWNER)
                .unwrap()
                .get_child("reason", NS_OWNER)
                .unwrap()
                .text(),
            "done"
        );
        let kick: Element = set_role("k1", &room, "Bob", Role::None, Some("spam")).into();
        let item = kick
            .get_child("query", NS_ADMIN)
            .unwrap()
            .get_child("item", NS_ADMIN)
            .unwrap();
        assert_eq!(item.attr("nick"), Some("Bob"));
        assert_eq!(item.attr("role"), Some("none"));
        assert_eq!(item.get_child("reason", NS_ADMIN).unwrap().text(), "spam");
        let bob = BareJid::new("bob@x.org").unwrap();
        let ban: Element = set_affiliation("b1", &room, &bob, Affiliation::Outcast, None).into();
        let item = ban
            .get_child("query", NS_ADMIN)
            .unwrap()
            .get_child("item", NS_ADMIN)
            .unwrap();
        assert_eq!(item.attr("jid"), Some("bob@x.org"));
        assert_eq!(item.attr("affiliation"), Some("outcast"));
        assert!(item.get_child("reason", NS_ADMIN).is_none());
        let list: Element = affiliation_list_request("l1", &room, Affiliation::Member).into();
        assert_eq!(list.attr("type"), Some("get"));
        let answer: Element = "<query xmlns='http://jabber.org/protocol/muc#admin'>\
             <item affiliation='member' jid='bob@x.org'/><item affiliation='member'/>\
             <item affiliation='member' jid='carol@x.org/phone'/></query>"
            .parse()
            .unwrap();
        let got = affiliation_list(Some(&answer)).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].0.as_str(), "carol@x.org");
        assert_eq!(got[1].1, Affiliation::Member);
        let c: Element = config_request("c0", &room).into();
        assert_eq!(c.attr("type"), Some("get"));
        assert!(c.get_child("query", NS_OWNER).is_some());
    }
}
